"""A community with people and reminders for dispatcher and reliability tests, built through
the real repositories and the core-facing outbox (`uow.outbox.schedule`), plus fixtures and
small recording notifiers shared by tests/dispatcher and tests/reliability."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, update

from bot import reminders
from bot.app import IntroProgram
from bot.clock import ManualClock
from bot.context import CommunityKey
from bot.domain import (
    FollowUp,
    IntroRequest,
    Member,
    MentorProfile,
    ReminderKind,
    ReminderSpec,
    RequestStatus,
)
from bot.messages import DirectMessage
from bot.ports import DeliveryError
from storage import tables
from storage.outbox_claims import OutboxClaims
from storage.uow import SqlUnitOfWork, SqlUnitOfWorkFactory, make_uow_factory
from tests.support.db import make_test_engine

NOW = datetime(2026, 6, 3, 10, 0, tzinfo=UTC)  # a Wednesday, outside quiet hours in UTC
COMMUNITY = CommunityKey("console", "T1", "Alumni")
OB = tables.reminder_outbox.c


# ---------------------------------------------------------------- fixtures


@pytest.fixture
def engine(database_kind: str, tmp_path: Path) -> Iterator[Engine]:
    with make_test_engine(database_kind, tmp_path) as engine:
        yield engine


@pytest.fixture
def uow_factory(engine: Engine) -> SqlUnitOfWorkFactory:
    return make_uow_factory(engine)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def program(uow_factory: SqlUnitOfWorkFactory, clock: ManualClock) -> IntroProgram:
    return IntroProgram(uow_factory, clock)


@pytest.fixture
def claims(engine: Engine) -> Iterator[OutboxClaims]:
    found = OutboxClaims(engine, rng=random.Random(7))
    yield found
    found.close()


# ---------------------------------------------------------------- the community


@dataclass
class People:
    """`count` mentors (available, back from any time away) and one seeker with a completed
    intro to the first mentor. An AWAY_ENDED reminder to a mentor renders "Welcome back"; a
    FOLLOWUP reminder to the seeker renders its own text, so each DM names its row."""

    uow_factory: SqlUnitOfWorkFactory
    now: datetime = NOW
    count: int = 5
    community: CommunityKey = COMMUNITY
    community_id: int = 0
    mentor_ids: list[int] = field(default_factory=list)
    seeker_id: int = 0
    request_id: int = 0

    def __post_init__(self) -> None:
        with self.uow_factory() as uow:
            found = uow.communities.get_or_create(
                self.community.platform, self.community.external_id, self.community.name,
                self.now - timedelta(days=100),
            )
            assert found.id is not None
            self.community_id = found.id
            for number in range(self.count):
                member = self._member(uow, f"m{number}", f"Mentor {number}")
                uow.mentors.add(MentorProfile(
                    community_id=found.id, member_id=member,
                    created_at=self.now - timedelta(days=90),
                    updated_at=self.now - timedelta(days=90),
                    headline="Engineer", industries="Software", capacity=3,
                ))
                self.mentor_ids.append(member)
            # Delivery is what these tests are about, some of them on the wall clock: no
            # quiet hours to hold a reminder at whatever time of day they run.
            uow.settings.set(found.id, "quiet_hours", "off", self.now)
            self.seeker_id = self._member(uow, "sam", "Sam Seeker")
            request = uow.requests.add(IntroRequest(
                community_id=found.id, seeker_id=self.seeker_id, mentor_id=self.mentor_ids[0],
                created_at=self.now - timedelta(days=20), updated_at=self.now,
                expires_at=self.now - timedelta(days=13), topic="How you started",
                status=RequestStatus.COMPLETED.value,
            ))
            uow.flush()
            assert request.id is not None
            self.request_id = request.id
            uow.commit()

    def _member(self, uow: SqlUnitOfWork, handle: str, name: str) -> int:
        member = uow.members.add(Member(
            community_id=self.community_id, platform_user_id=handle, display_name=name,
            handle=handle, created_at=self.now - timedelta(days=90),
        ))
        uow.flush()
        assert member.id is not None
        return member.id

    def welcome_backs(self, count: int, due_at: datetime, start: int = 0) -> list[str]:
        """Queue `count` AWAY_ENDED reminders due at `due_at`; their dedupe keys."""
        specs = [
            ReminderSpec(
                community_id=self.community_id,
                recipient_id=self.mentor_ids[number % len(self.mentor_ids)],
                kind=ReminderKind.AWAY_ENDED, due_at=due_at,
                dedupe_key=f"test:away:{number}",
                payload=reminders.make_payload(due=due_at.isoformat()),
            )
            for number in range(start, start + count)
        ]
        return self.schedule(specs)

    def followups(self, count: int, due_at: datetime) -> list[str]:
        """Queue `count` FOLLOWUP reminders to the seeker, due at `due_at`; the DM of each
        ends with `door <n>`. Returns their dedupe keys, in order."""
        specs = []
        with self.uow_factory() as uow:
            for number in range(count):
                item = uow.followups.add(FollowUp(
                    community_id=self.community_id, request_id=self.request_id,
                    seeker_id=self.seeker_id, text=f"door {number}",
                    created_at=self.now - timedelta(days=1), due_at=due_at,
                ))
                uow.flush()
                assert item.id is not None
                specs.append(ReminderSpec(
                    community_id=self.community_id, recipient_id=self.seeker_id,
                    kind=ReminderKind.FOLLOWUP, due_at=due_at,
                    dedupe_key=f"test:door:{number}", request_id=self.request_id,
                    payload=reminders.make_payload(followup_id=item.id,
                                                   due=due_at.isoformat()),
                ))
            uow.commit()
        return self.schedule(specs)

    def schedule(self, specs: list[ReminderSpec]) -> list[str]:
        with self.uow_factory() as uow:
            for spec in specs:
                assert uow.outbox.schedule(spec), spec.dedupe_key
            uow.commit()
        return [spec.dedupe_key for spec in specs]

    def rows(self) -> dict[str, dict[str, Any]]:
        """Every outbox row by dedupe key."""
        with self.uow_factory() as uow:
            result = uow.session.execute(select(tables.reminder_outbox).order_by(OB.id))
            return {row.dedupe_key: dict(row._mapping) for row in result}

    def backdate_leases(self, before: datetime) -> int:
        """Make every running lease end at `before` (instead of waiting for it)."""
        with self.uow_factory() as uow:
            result: Any = uow.session.execute(
                update(tables.reminder_outbox)
                .where(OB.lease_until.is_not(None), OB.status == "pending")
                .values(lease_until=before, visible_at=before)
            )
            uow.commit()
        return int(result.rowcount or 0)


# ---------------------------------------------------------------- notifiers


class RecordingNotifier:
    """Delivers by remembering; `failures` are raised first, one per call."""

    def __init__(self, failures: list[Exception] | None = None) -> None:
        self.sent: list[tuple[CommunityKey, DirectMessage]] = []
        self.calls = 0
        self.failures = list(failures or [])
        self.arrived = asyncio.Event()

    async def deliver(self, community: CommunityKey, dm: DirectMessage) -> None:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((community, dm))
        self.arrived.set()

    def texts(self) -> list[str]:
        return [dm.message.text for _, dm in self.sent]

    def kinds(self) -> list[str]:
        return [dm.kind for _, dm in self.sent]


def rate_limited(seconds: float) -> DeliveryError:
    return DeliveryError("rate limited", retry_after=seconds)
