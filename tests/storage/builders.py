"""Small factories for storage tests: one place that knows the entities' required fields."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.domain import (
    AuditEntry,
    Block,
    Community,
    IntroRequest,
    Member,
    MentorProfile,
    WarmIntro,
)
from storage.uow import SqlUnitOfWork

NOW = datetime(2026, 5, 15, 12, 0, tzinfo=UTC)


@dataclass
class Builder:
    """Adds entities to one unit of work, in one community."""

    uow: SqlUnitOfWork
    community: Community

    @property
    def cid(self) -> int:
        assert self.community.id is not None
        return self.community.id

    def member(self, handle: str, name: str = "", **fields: Any) -> Member:
        values: dict[str, Any] = {"created_at": NOW - timedelta(days=30)}
        values.update(fields)
        member = Member(
            community_id=self.cid,
            platform_user_id=f"U-{handle}",
            display_name=name or handle.title(),
            handle=handle,
            **values,
        )
        return self.uow.members.add(member)

    def mentor(self, handle: str, text: str = "", **fields: Any) -> tuple[Member, MentorProfile]:
        member = self.member(handle)
        assert member.id is not None
        values: dict[str, Any] = {
            "headline": f"{handle} headline",
            "industries": "Software",
            "capacity": 3,
            "search_text": text,
        }
        values.update(fields)
        profile = MentorProfile(
            community_id=self.cid,
            member_id=member.id,
            created_at=NOW - timedelta(days=20),
            updated_at=NOW - timedelta(days=20),
            **values,
        )
        return member, self.uow.mentors.add(profile)

    def request(self, seeker: Member, mentor: Member, **fields: Any) -> IntroRequest:
        values: dict[str, Any] = {
            "created_at": NOW - timedelta(days=2),
            "expires_at": NOW + timedelta(days=5),
            "topic": "how to start",
        }
        values.update(fields)
        return self.uow.requests.add(
            IntroRequest(
                community_id=self.cid, seeker_id=seeker.id, mentor_id=mentor.id, **values
            )
        )

    def warm_intro(
        self, connector: Member, seeker: Member, mentor: Member, **fields: Any
    ) -> WarmIntro:
        return self.uow.warm_intros.add(
            WarmIntro(
                community_id=self.cid,
                connector_id=connector.id,
                seeker_id=seeker.id,
                mentor_id=mentor.id,
                created_at=NOW - timedelta(days=1),
                **fields,
            )
        )

    def block(self, member: Member, by: Member | None, reason: str = "") -> Block:
        assert member.id is not None
        return self.uow.blocks.add(
            Block(
                community_id=self.cid,
                member_id=member.id,
                blocked_by_id=by.id if by else None,
                created_at=NOW - timedelta(hours=3),
                reason=reason,
            )
        )

    def audit(
        self,
        action: str,
        actor: Member | None,
        entity: str = "",
        entity_id: int | None = None,
        detail: str = "",
    ) -> None:
        self.uow.audit.record(
            AuditEntry(
                community_id=self.cid,
                action=action,
                at=NOW,
                actor_id=actor.id if actor else None,
                entity=entity,
                entity_id=entity_id,
                detail=detail,
            )
        )


def builder(uow: SqlUnitOfWork, external_id: str = "T1", platform: str = "slack") -> Builder:
    community = uow.communities.get_or_create(platform, external_id, f"Team {external_id}", NOW)
    return Builder(uow, community)
