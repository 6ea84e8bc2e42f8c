"""SQL repositories: the implementations of bot.ports' repository protocols.

Every query filters by community id. Lists come back oldest first (creation time, then id)
unless a method says otherwise. `add` flushes, so the returned entity has its id.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, func, insert, literal, or_, select
from sqlalchemy.orm import Session

from bot.domain import (
    ACTIVE_STATUSES,
    AuditEntry,
    Block,
    Community,
    FollowUp,
    IntroRequest,
    Member,
    MentorHit,
    MentorProfile,
    MentorQuery,
    RequestStatus,
    SearchEvent,
    WarmIntro,
)
from storage import tables
from storage.mentor_search import search_mentors
from storage.upsert import dialect_insert

C = tables.communities.c
M = tables.members.c
P = tables.mentor_profiles.c
R = tables.intro_requests.c
W = tables.warm_intros.c
S = tables.program_settings.c
B = tables.blocks.c
A = tables.audit_log.c
E = tables.search_events.c
F = tables.follow_ups.c

T = TypeVar("T")


class _Repository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _add(self, entity: T) -> T:
        self._session.add(entity)
        self._session.flush()
        return entity

    def _list(self, entity: type[T], *where: ColumnElement[bool], order: Any = None) -> list[T]:
        statement = select(entity).where(*where)
        if order is not None:
            statement = statement.order_by(*order)
        return list(self._session.scalars(statement))

    def _one(self, entity: type[T], *where: ColumnElement[bool]) -> T | None:
        return self._session.scalars(select(entity).where(*where).limit(1)).first()


class SqlCommunityRepository(_Repository):
    def get_or_create(self, platform: str, external_id: str, name: str, now: datetime) -> Community:
        """The community with this platform key; created on first sight (race-safe), named
        `name` or, without one, its platform id. A changed non-empty name is taken over; an
        empty one (a platform that did not say) changes nothing."""
        key = (C.platform == platform, C.external_id == external_id)
        found = self.by_key(platform, external_id)
        if found is None:
            statement = (
                dialect_insert(self._session, tables.communities)
                .values(platform=platform, external_id=external_id, name=name or external_id,
                        created_at=now)
                .on_conflict_do_nothing(index_elements=["platform", "external_id"])
            )
            self._session.execute(statement)
            found = self._one(Community, *key)
            assert found is not None
        if name and found.name != name:
            found.name = name
        return found

    def get(self, community_id: int) -> Community | None:
        return self._one(Community, C.id == community_id)

    def by_key(self, platform: str, external_id: str) -> Community | None:
        return self._one(Community, C.platform == platform, C.external_id == external_id)

    def all(self) -> list[Community]:
        """Every community, oldest first (the one query that spans communities)."""
        return self._list(Community, order=(C.created_at, C.id))


class SqlMemberRepository(_Repository):
    def add(self, member: Member) -> Member:
        return self._add(member)

    def get(self, community_id: int, member_id: int) -> Member | None:
        return self._one(Member, M.community_id == community_id, M.id == member_id)

    def by_platform_id(self, community_id: int, platform_user_id: str) -> Member | None:
        return self._one(
            Member, M.community_id == community_id, M.platform_user_id == platform_user_id
        )

    def by_handle(self, community_id: int, handle: str) -> Member | None:
        """Case-insensitive match on handle, then on display name; a leading '@' is ignored.
        Erased members are never found. Ties go to the oldest member."""
        key = handle.strip().removeprefix("@").strip()
        if not key:
            return None
        wanted = func.lower(literal(key))
        for column in (M.handle, M.display_name):
            statement = (
                select(Member)
                .where(
                    M.community_id == community_id,
                    M.erased_at.is_(None),
                    func.lower(column) == wanted,
                )
                .order_by(M.id)
                .limit(1)
            )
            found = self._session.scalars(statement).first()
            if found is not None:
                return found
        return None

    def many(self, community_id: int, member_ids: Sequence[int]) -> dict[int, Member]:
        if not member_ids:
            return {}
        found = self._list(Member, M.community_id == community_id, M.id.in_(set(member_ids)))
        return {member.id: member for member in found if member.id is not None}

    def admins(self, community_id: int) -> list[Member]:
        """Admins who are not erased, oldest first."""
        return self._list(
            Member,
            M.community_id == community_id,
            M.is_admin.is_(True),
            M.erased_at.is_(None),
            order=(M.id,),
        )


class SqlMentorRepository(_Repository):
    def add(self, profile: MentorProfile) -> MentorProfile:
        return self._add(profile)

    def by_member(self, community_id: int, member_id: int) -> MentorProfile | None:
        return self._one(MentorProfile, P.community_id == community_id, P.member_id == member_id)

    def many_by_member(
        self, community_id: int, member_ids: Sequence[int]
    ) -> dict[int, MentorProfile]:
        if not member_ids:
            return {}
        found = self._list(MentorProfile, P.community_id == community_id,
                           P.member_id.in_(set(member_ids)))
        return {profile.member_id: profile for profile in found}

    def search(self, community_id: int, query: MentorQuery, now: datetime) -> list[MentorHit]:
        self._session.flush()
        return search_mentors(self._session, community_id, query, now)

    def all(self, community_id: int) -> list[MentorProfile]:
        return self._list(MentorProfile, P.community_id == community_id, order=(P.id,))

    def away_ended(self, community_id: int, now: datetime) -> list[MentorProfile]:
        """Profiles with `away_until` set and not after `now`, earliest first."""
        return self._list(
            MentorProfile,
            P.community_id == community_id,
            P.away_until.is_not(None),
            P.away_until <= now,
            order=(P.away_until, P.id),
        )

    def delete(self, profile: MentorProfile) -> None:
        self._session.delete(profile)
        self._session.flush()


_BY_CREATION = (R.created_at, R.id)


class SqlIntroRequestRepository(_Repository):
    def add(self, request: IntroRequest) -> IntroRequest:
        return self._add(request)

    def get(self, community_id: int, request_id: int) -> IntroRequest | None:
        return self._one(IntroRequest, R.community_id == community_id, R.id == request_id)

    def many(self, community_id: int, request_ids: Sequence[int]) -> dict[int, IntroRequest]:
        if not request_ids:
            return {}
        found = self._list(IntroRequest, R.community_id == community_id,
                           R.id.in_(set(request_ids)))
        return {request.id: request for request in found if request.id is not None}

    def for_seeker(self, community_id: int, seeker_id: int) -> list[IntroRequest]:
        return self._list(
            IntroRequest,
            R.community_id == community_id,
            R.seeker_id == seeker_id,
            order=_BY_CREATION,
        )

    def for_mentor(
        self, community_id: int, mentor_id: int, statuses: Sequence[str] | None = None
    ) -> list[IntroRequest]:
        where = [R.community_id == community_id, R.mentor_id == mentor_id]
        if statuses is not None:
            where.append(R.status.in_([str(status) for status in statuses]))
        return self._list(IntroRequest, *where, order=_BY_CREATION)

    def count_pending_for_seeker(self, community_id: int, seeker_id: int) -> int:
        statement = select(func.count()).where(
            R.community_id == community_id,
            R.seeker_id == seeker_id,
            R.status == str(RequestStatus.PENDING),
        )
        return int(self._session.scalar(statement) or 0)

    def open_between(
        self, community_id: int, seeker_id: int, mentor_id: int
    ) -> IntroRequest | None:
        """The newest pending, accepted or scheduled request from this seeker to this mentor."""
        statement = (
            select(IntroRequest)
            .where(
                R.community_id == community_id,
                R.seeker_id == seeker_id,
                R.mentor_id == mentor_id,
                R.status.in_(sorted(str(status) for status in ACTIVE_STATUSES)),
            )
            .order_by(R.created_at.desc(), R.id.desc())
            .limit(1)
        )
        return self._session.scalars(statement).first()

    def all(self, community_id: int, since: datetime | None = None) -> list[IntroRequest]:
        where = [R.community_id == community_id]
        if since is not None:
            where.append(R.created_at >= since)
        return self._list(IntroRequest, *where, order=_BY_CREATION)

    def involving(self, community_id: int, member_id: int) -> list[IntroRequest]:
        return self._list(
            IntroRequest,
            R.community_id == community_id,
            or_(R.seeker_id == member_id, R.mentor_id == member_id),
            order=_BY_CREATION,
        )

    def due_to_expire(self, community_id: int, now: datetime) -> list[IntroRequest]:
        """Pending requests whose `expires_at` is not after `now`, earliest expiry first."""
        return self._list(
            IntroRequest,
            R.community_id == community_id,
            R.status == str(RequestStatus.PENDING),
            R.expires_at <= now,
            order=(R.expires_at, R.id),
        )


class SqlWarmIntroRepository(_Repository):
    def add(self, intro: WarmIntro) -> WarmIntro:
        return self._add(intro)

    def get(self, community_id: int, intro_id: int) -> WarmIntro | None:
        return self._one(WarmIntro, W.community_id == community_id, W.id == intro_id)

    def involving(self, community_id: int, member_id: int) -> list[WarmIntro]:
        return self._list(
            WarmIntro,
            W.community_id == community_id,
            or_(W.connector_id == member_id, W.seeker_id == member_id, W.mentor_id == member_id),
            order=(W.created_at, W.id),
        )


class SqlSettingsRepository(_Repository):
    def get_all(self, community_id: int) -> dict[str, str]:
        """Only the stored values; defaults live in bot.program_settings."""
        rows = self._session.execute(
            select(S.key, S.value).where(S.community_id == community_id)
        )
        return {key: value for key, value in rows}

    def set(self, community_id: int, key: str, value: str, now: datetime) -> None:
        statement = dialect_insert(self._session, tables.program_settings).values(
            community_id=community_id, key=key, value=value, updated_at=now
        )
        statement = statement.on_conflict_do_update(
            index_elements=["community_id", "key"],
            set_={"value": statement.excluded.value, "updated_at": statement.excluded.updated_at},
        )
        self._session.execute(statement)


class SqlBlockRepository(_Repository):
    def get(self, community_id: int, member_id: int) -> Block | None:
        return self._one(Block, B.community_id == community_id, B.member_id == member_id)

    def add(self, block: Block) -> Block:
        return self._add(block)

    def remove(self, block: Block) -> None:
        self._session.delete(block)
        self._session.flush()

    def involving(self, community_id: int, member_id: int) -> list[Block]:
        """Blocks of this member and blocks this member made."""
        return self._list(
            Block,
            B.community_id == community_id,
            or_(B.member_id == member_id, B.blocked_by_id == member_id),
            order=(B.created_at, B.id),
        )


class SqlAuditRepository(_Repository):
    def record(self, entry: AuditEntry) -> None:
        self._add(entry)

    def for_actor(self, community_id: int, member_id: int) -> list[AuditEntry]:
        return self._list(
            AuditEntry,
            A.community_id == community_id,
            A.actor_id == member_id,
            order=(A.at, A.id),
        )

    def for_entity(self, community_id: int, entity: str, entity_id: int) -> list[AuditEntry]:
        return self._list(
            AuditEntry,
            A.community_id == community_id,
            A.entity == entity,
            A.entity_id == entity_id,
            order=(A.at, A.id),
        )


class SqlSearchLogRepository(_Repository):
    def add(self, event: SearchEvent) -> None:
        self._add(event)

    def add_many(self, events: Sequence[SearchEvent]) -> None:
        # One executemany INSERT: a flush of the search buffer (up to 500 records) costs a
        # few milliseconds, not an ORM object per record.
        if not events:
            return
        self._session.execute(insert(tables.search_events), [
            {"community_id": e.community_id, "at": e.at, "terms": e.terms,
             "industry": e.industry, "company": e.company, "results": e.results}
            for e in events
        ])

    def since(self, community_id: int, since: datetime) -> list[SearchEvent]:
        return self._list(
            SearchEvent,
            E.community_id == community_id,
            E.at >= since,
            order=(E.at, E.id),
        )


class SqlFollowUpRepository(_Repository):
    def add(self, followup: FollowUp) -> FollowUp:
        return self._add(followup)

    def get(self, community_id: int, followup_id: int) -> FollowUp | None:
        return self._one(FollowUp, F.community_id == community_id, F.id == followup_id)

    def for_request(self, community_id: int, request_id: int) -> list[FollowUp]:
        return self._list(
            FollowUp,
            F.community_id == community_id,
            F.request_id == request_id,
            order=(F.created_at, F.id),
        )

    def for_seeker(self, community_id: int, seeker_id: int) -> list[FollowUp]:
        return self._list(
            FollowUp,
            F.community_id == community_id,
            F.seeker_id == seeker_id,
            order=(F.created_at, F.id),
        )
