"""The schema: one MetaData, one table per entity. Every row belongs to one community.

References between a community's rows are composite foreign keys that include
``community_id``, so the database itself refuses a row pointing into another community.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)

from storage.types import UtcDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

ID = 64  # platform identifiers (user, channel, team, guild ids)


def _community_id() -> Column[int]:
    return Column(
        "community_id",
        Integer,
        ForeignKey("communities.id", ondelete="CASCADE"),
        nullable=False,
    )


def _member_ref(columns: str, name: str) -> ForeignKeyConstraint:
    """(community_id, <column>) -> members(community_id, id)."""
    return ForeignKeyConstraint(
        ["community_id", columns],
        ["members.community_id", "members.id"],
        name=name,
    )


communities = Table(
    "communities",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(16), nullable=False),
    Column("external_id", String(ID), nullable=False),
    Column("name", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("platform", "external_id"),
)

members = Table(
    "members",
    metadata,
    Column("id", Integer, primary_key=True),
    _community_id(),
    Column("platform_user_id", String(ID), nullable=False),
    Column("display_name", Text, nullable=False),
    Column("handle", Text, nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("is_admin", Boolean, nullable=False),
    Column("dm_channel_id", String(ID), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("erased_at", UtcDateTime, nullable=True),
    UniqueConstraint("community_id", "platform_user_id"),
    UniqueConstraint("community_id", "id"),
)
Index("ix_members_community_id_handle_lower", members.c.community_id, func.lower(members.c.handle))
Index(
    "ix_members_community_id_display_name_lower",
    members.c.community_id,
    func.lower(members.c.display_name),
)

mentor_profiles = Table(
    "mentor_profiles",
    metadata,
    Column("id", Integer, primary_key=True),
    _community_id(),
    Column("member_id", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("headline", Text, nullable=False),
    Column("industries", Text, nullable=False),
    Column("expertise", Text, nullable=False),
    Column("company", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("cohort", Text, nullable=False),
    Column("bio", Text, nullable=False),
    Column("formats", Text, nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("available", Boolean, nullable=False),
    Column("away_until", UtcDateTime, nullable=True),
    Column("active", Boolean, nullable=False),
    Column("consecutive_expiries", Integer, nullable=False),
    Column("accepted_month", String(7), nullable=False),
    Column("accepted_count", Integer, nullable=False),
    Column("last_requested_at", UtcDateTime, nullable=True),
    Column("recent_requests", Integer, nullable=False),
    Column("search_text", Text, nullable=False),
    UniqueConstraint("community_id", "member_id"),
    _member_ref("member_id", "fk_mentor_profiles_member_id_members"),
    Index(None, "community_id", "away_until"),
    Index(None, "community_id", "id"),
)
# Mentor search walks this index in load order (fewer recent requests, then more capacity) and
# finds every findability column and the filtered fields in it, without reading the rows.
Index(
    "ix_mentor_profiles_load",
    mentor_profiles.c.community_id,
    mentor_profiles.c.recent_requests,
    mentor_profiles.c.capacity.desc(),
    mentor_profiles.c.id,
    mentor_profiles.c.active,
    mentor_profiles.c.available,
    mentor_profiles.c.away_until,
    mentor_profiles.c.accepted_month,
    mentor_profiles.c.accepted_count,
    mentor_profiles.c.member_id,
    mentor_profiles.c.industries,
    mentor_profiles.c.company,
)

warm_intros = Table(
    "warm_intros",
    metadata,
    Column("id", Integer, primary_key=True),
    _community_id(),
    Column("connector_id", Integer, nullable=True),
    Column("seeker_id", Integer, nullable=True),
    Column("mentor_id", Integer, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("note", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("responded_at", UtcDateTime, nullable=True),
    UniqueConstraint("community_id", "id"),
    _member_ref("connector_id", "fk_warm_intros_connector_id_members"),
    _member_ref("seeker_id", "fk_warm_intros_seeker_id_members"),
    _member_ref("mentor_id", "fk_warm_intros_mentor_id_members"),
    Index(None, "community_id", "connector_id"),
    Index(None, "community_id", "seeker_id"),
    Index(None, "community_id", "mentor_id"),
)

intro_requests = Table(
    "intro_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    _community_id(),
    Column("seeker_id", Integer, nullable=True),
    Column("mentor_id", Integer, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("topic", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("why_you", Text, nullable=False),
    Column("format", String(16), nullable=False),
    Column("availability", Text, nullable=False),
    Column("industry", Text, nullable=False),
    Column("lint_flagged", Boolean, nullable=False),
    Column("via_warm_intro_id", Integer, nullable=True),
    Column("responded_at", UtcDateTime, nullable=True),
    Column("decline_reason", Text, nullable=False),
    Column("scheduled_at", UtcDateTime, nullable=True),
    Column("duration_minutes", Integer, nullable=True),
    Column("completed_at", UtcDateTime, nullable=True),
    Column("learned", Text, nullable=False),
    Column("thanked_at", UtcDateTime, nullable=True),
    Column("mentor_nudged", Boolean, nullable=False),
    Column("updated_at", UtcDateTime, nullable=True),
    UniqueConstraint("community_id", "id"),
    _member_ref("seeker_id", "fk_intro_requests_seeker_id_members"),
    _member_ref("mentor_id", "fk_intro_requests_mentor_id_members"),
    ForeignKeyConstraint(
        ["community_id", "via_warm_intro_id"],
        ["warm_intros.community_id", "warm_intros.id"],
        name="fk_intro_requests_via_warm_intro_id_warm_intros",
    ),
    Index(None, "community_id", "seeker_id", "status"),
    Index(None, "community_id", "mentor_id", "status"),
    Index(None, "community_id", "status", "expires_at"),
    Index(None, "community_id", "created_at"),
)

program_settings = Table(
    "program_settings",
    metadata,
    Column("id", Integer, primary_key=True),
    _community_id(),
    Column("key", String(64), nullable=False),
    Column("value", Text, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("community_id", "key"),
)

blocks = Table(
    "blocks",
    metadata,
    Column("id", Integer, primary_key=True),
    _community_id(),
    Column("member_id", Integer, nullable=False),
    Column("blocked_by_id", Integer, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("reason", Text, nullable=False),
    UniqueConstraint("community_id", "member_id"),
    _member_ref("member_id", "fk_blocks_member_id_members"),
    _member_ref("blocked_by_id", "fk_blocks_blocked_by_id_members"),
    Index(None, "community_id", "blocked_by_id"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    _community_id(),
    Column("action", String(64), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("actor_id", Integer, nullable=True),
    Column("entity", String(64), nullable=False),
    Column("entity_id", Integer, nullable=True),
    Column("detail", Text, nullable=False),
    _member_ref("actor_id", "fk_audit_log_actor_id_members"),
    Index(None, "community_id", "actor_id"),
    Index(None, "community_id", "entity", "entity_id"),
)

search_events = Table(
    "search_events",
    metadata,
    Column("id", Integer, primary_key=True),
    _community_id(),
    Column("at", UtcDateTime, nullable=False),
    Column("terms", Text, nullable=False),
    Column("industry", Text, nullable=False),
    Column("company", Text, nullable=False),
    Column("results", Integer, nullable=False),
    Index(None, "community_id", "at"),
)


def _request_ref(name: str) -> ForeignKeyConstraint:
    """(community_id, request_id) -> intro_requests(community_id, id)."""
    return ForeignKeyConstraint(
        ["community_id", "request_id"],
        ["intro_requests.community_id", "intro_requests.id"],
        name=name,
    )


follow_ups = Table(
    "follow_ups",
    metadata,
    Column("id", Integer, primary_key=True),
    _community_id(),
    Column("request_id", Integer, nullable=False),
    Column("seeker_id", Integer, nullable=True),
    Column("text", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("due_at", UtcDateTime, nullable=True),
    Column("status", String(16), nullable=False),
    Column("done_at", UtcDateTime, nullable=True),
    _request_ref("fk_follow_ups_request_id_intro_requests"),
    _member_ref("seeker_id", "fk_follow_ups_seeker_id_members"),
    Index(None, "community_id", "request_id"),
    Index(None, "community_id", "seeker_id"),
)

# The reminder outbox (RELIABILITY.md). `visible_at` is when the row may next be claimed:
# its due time while pending, the lease end while claimed, NULL once finished — so one index
# finds due rows and expired leases, and finished rows drop out of it.
reminder_outbox = Table(
    "reminder_outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    _community_id(),
    Column("recipient_id", Integer, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("dedupe_key", String(255), nullable=False),
    Column("request_id", Integer, nullable=True),
    Column("payload", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("visible_at", UtcDateTime, nullable=True),
    Column("lease_owner", String(128), nullable=True),
    Column("lease_until", UtcDateTime, nullable=True),
    Column("finished_at", UtcDateTime, nullable=True),
    Column("last_error", Text, nullable=False),
    UniqueConstraint("community_id", "dedupe_key"),
    _member_ref("recipient_id", "fk_reminder_outbox_recipient_id_members"),
    _request_ref("fk_reminder_outbox_request_id_intro_requests"),
    Index(None, "visible_at"),
    Index(None, "community_id", "request_id"),
    Index(None, "community_id", "recipient_id"),
)
