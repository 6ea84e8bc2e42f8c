"""Use cases against real storage (every configured database, see tests/support/db.py),
with a fixed clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import IntroProgram
from bot.clock import ManualClock
from bot.context import Actor, CommunityKey, Invocation, PlatformUser
from bot.domain import IntroRequest, Member, MentorProfile, RequestStatus
from bot.messages import Outcome
from bot.usecases.common import resolve_actor
from bot.usecases.mentors import search_text_of
from storage import tables
from storage.uow import SqlUnitOfWork, SqlUnitOfWorkFactory, make_uow_factory
from tests.support.db import database_kind, make_test_engine

__all__ = ["database_kind"]

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
ADMIN = "ada"


@dataclass(frozen=True)
class Ref:
    """A member by handle, looked up inside the use case's own transaction."""

    handle: str


class World:
    """One community, people by handle, and a way to run a use case as one of them."""

    def __init__(
        self, uow_factory: SqlUnitOfWorkFactory, platform: str = "console"
    ) -> None:
        self.uow_factory = uow_factory
        self.community = CommunityKey(platform=platform, external_id="T1", name="Alumni")
        self.admin_ids: frozenset[str] = frozenset()
        self.names: dict[str, str] = {}

    def invocation(self, handle: str, admin: bool = False, name: str = "") -> Invocation:
        return Invocation(
            community=self.community,
            user=PlatformUser(
                user_id=f"U-{handle}" if self.community.platform != "console" else handle,
                display_name=name or self.names.get(handle) or handle.replace(".", " ").title(),
                handle=handle,
                timezone="Europe/Berlin",
                is_platform_admin=admin,
            ),
        )

    def run(
        self,
        handle: str,
        use_case: Callable[..., Outcome],
        *args: Any,
        admin: bool = False,
        now: datetime = NOW,
        **kwargs: Any,
    ) -> Outcome:
        """`use_case(uow, actor, *args, **kwargs)` in one committed transaction; `Ref`
        arguments become members of that transaction."""
        with self.uow_factory() as uow:
            actor = resolve_actor(uow, self.invocation(handle, admin), now, self.admin_ids)
            resolved = [self._resolve(uow, actor.community_id, arg) for arg in args]
            outcome = use_case(uow, actor, *resolved, **kwargs)
            uow.commit()
        return outcome

    def _resolve(self, uow: SqlUnitOfWork, community_id: int, arg: Any) -> Any:
        if not isinstance(arg, Ref):
            return arg
        member = uow.members.by_handle(community_id, arg.handle)
        assert member is not None, arg.handle
        return member

    def actor(self, uow: SqlUnitOfWork, handle: str, admin: bool = False) -> Actor:
        return resolve_actor(uow, self.invocation(handle, admin), NOW, self.admin_ids)

    def person(self, handle: str, name: str = "", admin: bool = False) -> Member:
        if name:
            self.names[handle] = name
        with self.uow_factory() as uow:
            actor = resolve_actor(uow, self.invocation(handle, name=name), NOW, self.admin_ids)
            actor.member.is_admin = admin
            uow.commit()
        return actor.member

    def community_id(self) -> int:
        with self.uow_factory() as uow:
            found = uow.communities.get_or_create(
                self.community.platform, self.community.external_id, self.community.name, NOW
            )
            uow.commit()
        assert found.id is not None
        return found.id

    def mentor(self, handle: str, industries: str, **fields: Any) -> MentorProfile:
        member = self.person(handle)
        assert member.id is not None
        profile = MentorProfile(
            community_id=member.community_id,
            member_id=member.id,
            created_at=NOW - timedelta(days=200),
            updated_at=NOW - timedelta(days=200),
            headline=f"{industries} person",
            industries=industries,
            capacity=3,
        )
        for key, value in fields.items():
            setattr(profile, key, value)
        profile.search_text = search_text_of(profile)
        with self.uow_factory() as uow:
            uow.mentors.add(profile)
            uow.commit()
        return profile

    def request(
        self,
        seeker: Member,
        mentor: Member,
        status: RequestStatus,
        created_at: datetime,
        **fields: Any,
    ) -> IntroRequest:
        assert seeker.id is not None and mentor.id is not None
        request = IntroRequest(
            community_id=seeker.community_id,
            seeker_id=seeker.id,
            mentor_id=mentor.id,
            created_at=created_at,
            updated_at=created_at,
            expires_at=created_at + timedelta(days=7),
            topic=f"How {mentor.display_name} got started",
            status=status.value,
        )
        for key, value in fields.items():
            setattr(request, key, value)
        with self.uow_factory() as uow:
            uow.requests.add(request)
            uow.commit()
        return request

    def rows(self) -> dict[str, list[dict[str, Any]]]:
        """Every row of every table, for scanning what is stored."""
        found: dict[str, list[dict[str, Any]]] = {}
        with self.uow_factory() as uow:
            for table in tables.metadata.sorted_tables:
                result = uow.session.execute(select(table))
                found[table.name] = [dict(row._mapping) for row in result]
        return found


@pytest.fixture
def uow_factory(database_kind: str, tmp_path: Path) -> Iterator[SqlUnitOfWorkFactory]:
    with make_test_engine(database_kind, tmp_path) as engine:
        yield make_uow_factory(engine)


@pytest.fixture
def world(uow_factory: SqlUnitOfWorkFactory) -> World:
    return World(uow_factory)


@pytest.fixture
def slack_world(uow_factory: SqlUnitOfWorkFactory) -> World:
    return World(uow_factory, platform="slack")


# ---------------------------------------------------------------- the program facade


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def program(uow_factory: SqlUnitOfWorkFactory, clock: ManualClock) -> IntroProgram:
    """The facade the adapters use, over the same storage as `world`, on a clock the test
    moves."""
    return IntroProgram(uow_factory, clock, admin_ids=frozenset({ADMIN}))
