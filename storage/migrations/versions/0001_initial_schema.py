"""Initial schema: communities, members, mentor profiles with full-text search, intro
requests, warm intros, program settings, blocks, audit log, search events, follow-ups and
the reminder outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

TZ = sa.DateTime(timezone=True)


def _pk(table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint("id", name=f"pk_{table}")


def _community_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["community_id"],
        ["communities.id"],
        name=f"fk_{table}_community_id_communities",
        ondelete="CASCADE",
    )


def _member_fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["community_id", column],
        ["members.community_id", "members.id"],
        name=f"fk_{table}_{column}_members",
    )


def _request_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["community_id", "request_id"],
        ["intro_requests.community_id", "intro_requests.id"],
        name=f"fk_{table}_request_id_intro_requests",
    )


def _index(table: str, *columns: str) -> None:
    op.create_index(f"ix_{table}_{'_'.join(columns)}", table, list(columns))


def _community_id() -> sa.Column[int]:
    return sa.Column("community_id", sa.Integer(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "communities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("external_id", sa.String(64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        _pk("communities"),
        sa.UniqueConstraint(
            "platform", "external_id", name="uq_communities_platform_external_id"
        ),
    )

    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        _community_id(),
        sa.Column("platform_user_id", sa.String(64), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("handle", sa.Text(), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("dm_channel_id", sa.String(64), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("erased_at", TZ, nullable=True),
        _pk("members"),
        _community_fk("members"),
        sa.UniqueConstraint("community_id", "id", name="uq_members_community_id_id"),
        sa.UniqueConstraint(
            "community_id",
            "platform_user_id",
            name="uq_members_community_id_platform_user_id",
        ),
    )
    op.create_index(
        "ix_members_community_id_handle_lower",
        "members",
        [sa.column("community_id"), sa.func.lower(sa.column("handle"))],
    )
    op.create_index(
        "ix_members_community_id_display_name_lower",
        "members",
        [sa.column("community_id"), sa.func.lower(sa.column("display_name"))],
    )

    op.create_table(
        "program_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        _community_id(),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        _pk("program_settings"),
        _community_fk("program_settings"),
        sa.UniqueConstraint("community_id", "key", name="uq_program_settings_community_id_key"),
    )

    op.create_table(
        "search_events",
        sa.Column("id", sa.Integer(), nullable=False),
        _community_id(),
        sa.Column("at", TZ, nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("industry", sa.Text(), nullable=False),
        sa.Column("company", sa.Text(), nullable=False),
        sa.Column("results", sa.Integer(), nullable=False),
        _pk("search_events"),
        _community_fk("search_events"),
    )
    _index("search_events", "community_id", "at")

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        _community_id(),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("entity", sa.String(64), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        _pk("audit_log"),
        _community_fk("audit_log"),
        _member_fk("audit_log", "actor_id"),
    )
    _index("audit_log", "community_id", "actor_id")
    _index("audit_log", "community_id", "entity", "entity_id")

    op.create_table(
        "blocks",
        sa.Column("id", sa.Integer(), nullable=False),
        _community_id(),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("blocked_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        _pk("blocks"),
        _community_fk("blocks"),
        _member_fk("blocks", "member_id"),
        _member_fk("blocks", "blocked_by_id"),
        sa.UniqueConstraint("community_id", "member_id", name="uq_blocks_community_id_member_id"),
    )
    _index("blocks", "community_id", "blocked_by_id")

    op.create_table(
        "mentor_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        _community_id(),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("headline", sa.Text(), nullable=False),
        sa.Column("industries", sa.Text(), nullable=False),
        sa.Column("expertise", sa.Text(), nullable=False),
        sa.Column("company", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("cohort", sa.Text(), nullable=False),
        sa.Column("bio", sa.Text(), nullable=False),
        sa.Column("formats", sa.Text(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("away_until", TZ, nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("consecutive_expiries", sa.Integer(), nullable=False),
        sa.Column("accepted_month", sa.String(7), nullable=False),
        sa.Column("accepted_count", sa.Integer(), nullable=False),
        sa.Column("last_requested_at", TZ, nullable=True),
        sa.Column("recent_requests", sa.Integer(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        _pk("mentor_profiles"),
        _community_fk("mentor_profiles"),
        _member_fk("mentor_profiles", "member_id"),
        sa.UniqueConstraint(
            "community_id", "member_id", name="uq_mentor_profiles_community_id_member_id"
        ),
    )
    _index("mentor_profiles", "community_id", "away_until")
    _index("mentor_profiles", "community_id", "id")
    op.create_index(
        "ix_mentor_profiles_load",
        "mentor_profiles",
        [
            sa.column("community_id"),
            sa.column("recent_requests"),
            sa.column("capacity").desc(),
            sa.column("id"),
            sa.column("active"),
            sa.column("available"),
            sa.column("away_until"),
            sa.column("accepted_month"),
            sa.column("accepted_count"),
            sa.column("member_id"),
            sa.column("industries"),
            sa.column("company"),
        ],
    )

    op.create_table(
        "warm_intros",
        sa.Column("id", sa.Integer(), nullable=False),
        _community_id(),
        sa.Column("connector_id", sa.Integer(), nullable=True),
        sa.Column("seeker_id", sa.Integer(), nullable=True),
        sa.Column("mentor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("responded_at", TZ, nullable=True),
        _pk("warm_intros"),
        _community_fk("warm_intros"),
        _member_fk("warm_intros", "connector_id"),
        _member_fk("warm_intros", "seeker_id"),
        _member_fk("warm_intros", "mentor_id"),
        sa.UniqueConstraint("community_id", "id", name="uq_warm_intros_community_id_id"),
    )
    _index("warm_intros", "community_id", "connector_id")
    _index("warm_intros", "community_id", "seeker_id")
    _index("warm_intros", "community_id", "mentor_id")

    op.create_table(
        "intro_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        _community_id(),
        sa.Column("seeker_id", sa.Integer(), nullable=True),
        sa.Column("mentor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("why_you", sa.Text(), nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("availability", sa.Text(), nullable=False),
        sa.Column("industry", sa.Text(), nullable=False),
        sa.Column("lint_flagged", sa.Boolean(), nullable=False),
        sa.Column("via_warm_intro_id", sa.Integer(), nullable=True),
        sa.Column("responded_at", TZ, nullable=True),
        sa.Column("decline_reason", sa.Text(), nullable=False),
        sa.Column("scheduled_at", TZ, nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("completed_at", TZ, nullable=True),
        sa.Column("learned", sa.Text(), nullable=False),
        sa.Column("thanked_at", TZ, nullable=True),
        sa.Column("mentor_nudged", sa.Boolean(), nullable=False),
        sa.Column("updated_at", TZ, nullable=True),
        _pk("intro_requests"),
        sa.UniqueConstraint("community_id", "id", name="uq_intro_requests_community_id_id"),
        _community_fk("intro_requests"),
        _member_fk("intro_requests", "seeker_id"),
        _member_fk("intro_requests", "mentor_id"),
        sa.ForeignKeyConstraint(
            ["community_id", "via_warm_intro_id"],
            ["warm_intros.community_id", "warm_intros.id"],
            name="fk_intro_requests_via_warm_intro_id_warm_intros",
        ),
    )
    _index("intro_requests", "community_id", "seeker_id", "status")
    _index("intro_requests", "community_id", "mentor_id", "status")
    _index("intro_requests", "community_id", "status", "expires_at")
    _index("intro_requests", "community_id", "created_at")

    op.create_table(
        "follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        _community_id(),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("seeker_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("due_at", TZ, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("done_at", TZ, nullable=True),
        _pk("follow_ups"),
        _community_fk("follow_ups"),
        _request_fk("follow_ups"),
        _member_fk("follow_ups", "seeker_id"),
    )
    _index("follow_ups", "community_id", "request_id")
    _index("follow_ups", "community_id", "seeker_id")

    op.create_table(
        "reminder_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        _community_id(),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("due_at", TZ, nullable=False),
        sa.Column("dedupe_key", sa.String(255), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("visible_at", TZ, nullable=True),
        sa.Column("lease_owner", sa.String(128), nullable=True),
        sa.Column("lease_until", TZ, nullable=True),
        sa.Column("finished_at", TZ, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        _pk("reminder_outbox"),
        _community_fk("reminder_outbox"),
        _member_fk("reminder_outbox", "recipient_id"),
        _request_fk("reminder_outbox"),
        sa.UniqueConstraint(
            "community_id", "dedupe_key", name="uq_reminder_outbox_community_id_dedupe_key"
        ),
    )
    _index("reminder_outbox", "visible_at")
    _index("reminder_outbox", "community_id", "request_id")
    _index("reminder_outbox", "community_id", "recipient_id")

    _create_search()


def _create_search() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_SEARCH:
            op.execute(statement)
    elif dialect == "postgresql":
        for statement in POSTGRES_SEARCH:
            op.execute(statement)


# FTS5 external-content indexes over mentor_profiles, kept in sync by triggers.
# mentor_fts: words of search_text (porter stemming). Only "which rows match" is asked, never
# positions, hence detail=column. Queries filter by community in SQL, not in the index.
# mentor_facets: trigrams of industries and company, for case-insensitive substring filters.
SQLITE_SEARCH = (
    """
    CREATE VIRTUAL TABLE mentor_fts USING fts5(
        search_text,
        content='mentor_profiles', content_rowid='id', detail=column,
        tokenize='porter unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE VIRTUAL TABLE mentor_facets USING fts5(
        industries, company,
        content='mentor_profiles', content_rowid='id', tokenize='trigram'
    )
    """,
    """
    CREATE TRIGGER mentor_profiles_search_insert AFTER INSERT ON mentor_profiles BEGIN
        INSERT INTO mentor_fts(rowid, search_text) VALUES (new.id, new.search_text);
        INSERT INTO mentor_facets(rowid, industries, company)
        VALUES (new.id, new.industries, new.company);
    END
    """,
    """
    CREATE TRIGGER mentor_profiles_search_delete AFTER DELETE ON mentor_profiles BEGIN
        INSERT INTO mentor_fts(mentor_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
        INSERT INTO mentor_facets(mentor_facets, rowid, industries, company)
        VALUES ('delete', old.id, old.industries, old.company);
    END
    """,
    """
    CREATE TRIGGER mentor_profiles_fts_update AFTER UPDATE OF search_text
    ON mentor_profiles BEGIN
        INSERT INTO mentor_fts(mentor_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
        INSERT INTO mentor_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END
    """,
    """
    CREATE TRIGGER mentor_profiles_facets_update AFTER UPDATE OF industries, company
    ON mentor_profiles BEGIN
        INSERT INTO mentor_facets(mentor_facets, rowid, industries, company)
        VALUES ('delete', old.id, old.industries, old.company);
        INSERT INTO mentor_facets(rowid, industries, company)
        VALUES (new.id, new.industries, new.company);
    END
    """,
)

POSTGRES_SEARCH = (
    """
    ALTER TABLE mentor_profiles ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (to_tsvector('english'::regconfig, search_text)) STORED
    """,
    "CREATE INDEX ix_mentor_profiles_search_vector ON mentor_profiles USING gin (search_vector)",
)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in ("search_insert", "search_delete", "fts_update", "facets_update"):
            op.execute(f"DROP TRIGGER IF EXISTS mentor_profiles_{trigger}")
        op.execute("DROP TABLE IF EXISTS mentor_fts")
        op.execute("DROP TABLE IF EXISTS mentor_facets")
    for table in (
        "reminder_outbox",
        "follow_ups",
        "intro_requests",
        "warm_intros",
        "mentor_profiles",
        "blocks",
        "audit_log",
        "search_events",
        "program_settings",
        "members",
        "communities",
    ):
        op.drop_table(table)
