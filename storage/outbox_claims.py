"""The dispatcher's side of the reminder outbox (`storage/outbox.py` is the core's side).

A dispatcher claims a batch of due rows in one statement and holds them under a lease
(RELIABILITY.md): on PostgreSQL the rows are picked by a `FOR UPDATE SKIP LOCKED` subselect, so
concurrent claimers never take the same row and never wait for each other; on SQLite the same
single `UPDATE … RETURNING` runs under `BEGIN IMMEDIATE` (see storage/engine.py), so claimers
take turns. A claim adds one to `attempts`, sets `lease_owner` and `lease_until`, and moves
`visible_at` to the lease end: a row whose dispatcher died comes back by itself once the lease
is over.

Every mark is conditional on the claim still being ours (same owner, same lease end, still
pending): a dispatcher whose lease ran out, or whose row was moved by a re-scheduled meeting,
changes nothing. Finished rows (sent, dropped, failed) get `visible_at = NULL`, so the one index
on `visible_at` holds only work that is still to do, and claim latency does not grow with the
history.

Each method is one short transaction of its own; "database is locked" is retried a few times.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, bindparam, case, func, select, update
from sqlalchemy.exc import OperationalError

from bot.clock import as_utc
from bot.context import CommunityKey
from bot.domain import ClaimedReminder, OutboxStatus
from storage import tables
from storage.outbox import REMINDER_COLUMNS, to_reminder

OB = tables.reminder_outbox.c
CO = tables.communities.c
PENDING = OutboxStatus.PENDING.value
ERROR_LIMIT = 1000  # characters of an error kept in `last_error`

_RETURNED = REMINDER_COLUMNS

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """When a failed delivery is tried again: exponential backoff from `base`, doubled per
    attempt, capped at `cap`, plus up to `jitter` (a fraction) on top so that retries of many
    rows spread out. After `max_attempts` attempts the row is given up (FAILED)."""

    max_attempts: int = 10
    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(hours=1)
    jitter: float = 0.25

    def backoff(self, attempts: int) -> timedelta:
        """The least wait after the `attempts`-th attempt failed (before jitter)."""
        exponent = min(max(attempts, 1) - 1, 32)
        return min(self.base * (1 << exponent), self.cap)

    def retry_at(
        self,
        attempts: int,
        now: datetime,
        rng: random.Random,
        retry_after: float | None = None,
    ) -> datetime | None:
        """When to try again after the `attempts`-th attempt failed at `now`, never before the
        platform's `retry_after` seconds; None once `max_attempts` are used up."""
        if attempts >= self.max_attempts:
            return None
        wait = self.backoff(attempts)
        wait += wait * (self.jitter * rng.random())
        if retry_after is not None and retry_after > 0:
            wait = max(wait, timedelta(seconds=retry_after))
        return now + wait


class Outcome(StrEnum):
    SENT = "sent"
    DROPPED = "dropped"
    RETRY = "retry"  # back to pending at `retry_at`
    FAILED = "failed"
    DEFERRED = "deferred"  # handed back unattempted, visible again at `retry_at`


@dataclass(frozen=True)
class Mark:
    """What became of one claimed row. `reason` goes to `last_error`."""

    item: ClaimedReminder
    outcome: Outcome
    reason: str = ""
    retry_at: datetime | None = None


@dataclass(frozen=True)
class OutboxStats:
    """Outbox depth for metrics and health checks at `now`."""

    by_status: dict[str, int] = field(default_factory=dict)
    due: int = 0  # pending and claimable now (due, or a lease that ran out)
    leased: int = 0  # claimed by a dispatcher whose lease is still running
    oldest_due_at: datetime | None = None  # the earliest claimable row's visible time

    @property
    def pending(self) -> int:
        return self.by_status.get(PENDING, 0)


class OutboxClaims:
    """Claims, marks and releases outbox rows for a dispatcher (see the module docstring)."""

    def __init__(
        self,
        engine: Engine,
        retry: RetryPolicy | None = None,
        rng: random.Random | None = None,
        locked_retries: int = 5,
    ) -> None:
        self._engine = engine
        self.retry = retry or RetryPolicy()
        self._rng = rng or random.Random()
        self._locked_retries = locked_retries

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    # ------------------------------------------------------------ claim

    def claim(
        self,
        owner: str,
        now: datetime,
        *,
        limit: int = 25,
        lease: timedelta = timedelta(minutes=2),
        platforms: Collection[str] | None = None,
    ) -> list[ClaimedReminder]:
        """Claim up to `limit` rows that are due at `now` (or whose lease ran out), earliest
        first, for `owner` until `now + lease`; only rows of communities on `platforms` when
        given. Each returned row's `attempts` already counts this claim."""
        if limit <= 0:
            return []
        lease_until = now + lease
        statement = (
            update(tables.reminder_outbox)
            .where(OB.id.in_(self._claimable(now, limit, platforms)))
            .values(
                lease_owner=owner,
                lease_until=lease_until,
                visible_at=lease_until,
                attempts=OB.attempts + 1,
            )
            .returning(*_RETURNED)
        )

        def run(connection: Connection) -> list[ClaimedReminder]:
            return [to_reminder(row) for row in connection.execute(statement)]

        claimed = self._write(run)
        return sorted(claimed, key=lambda item: (item.due_at, item.id))

    def _claimable(
        self, now: datetime, limit: int, platforms: Collection[str] | None
    ) -> Any:
        where = [OB.visible_at <= now, OB.status == PENDING]
        if platforms is not None:
            where.append(OB.community_id.in_(_communities_on(platforms)))
        # FOR UPDATE SKIP LOCKED on PostgreSQL; SQLAlchemy leaves it out on SQLite, where
        # BEGIN IMMEDIATE already makes the statement the only writer.
        return (
            select(OB.id)
            .where(*where)
            .order_by(OB.visible_at)
            .limit(limit)
            .with_for_update(skip_locked=True, of=tables.reminder_outbox)
        )

    # ------------------------------------------------------------ marks

    def settle(self, marks: Sequence[Mark], now: datetime) -> list[bool]:
        """Record several outcomes in one transaction; for each, whether it applied (False:
        the claim was no longer ours, and nothing changed)."""
        if not marks:
            return []

        def run(connection: Connection) -> list[bool]:
            return [_apply(connection, mark, now) for mark in marks]

        return self._write(run)

    def mark_sent(self, item: ClaimedReminder, now: datetime) -> bool:
        """The platform accepted the DM: the row is SENT (only while the claim is ours)."""
        return self.settle([Mark(item, Outcome.SENT)], now)[0]

    def mark_dropped(self, item: ClaimedReminder, now: datetime, reason: str) -> bool:
        """The reminder is moot or too late: DROPPED, with the reason kept."""
        return self.settle([Mark(item, Outcome.DROPPED, reason)], now)[0]

    def failure(
        self,
        item: ClaimedReminder,
        now: datetime,
        error: str,
        *,
        retry_after: float | None = None,
        permanent: bool = False,
    ) -> Mark:
        """The mark for a failed delivery: back to pending after the retry policy's backoff
        (and not before `retry_after` seconds), or FAILED when retrying can't help or the
        attempts are used up."""
        if permanent:
            return Mark(item, Outcome.FAILED, error)
        retry_at = self.retry.retry_at(item.attempts, now, self._rng, retry_after)
        if retry_at is None:
            return Mark(item, Outcome.FAILED, f"gave up after {item.attempts} attempts: {error}")
        return Mark(item, Outcome.RETRY, error, retry_at)

    def mark_failed(
        self,
        item: ClaimedReminder,
        now: datetime,
        error: str,
        *,
        retry_after: float | None = None,
        permanent: bool = False,
    ) -> Mark | None:
        """Record a failed delivery (see `failure`); the mark as recorded, or None when the
        claim was no longer ours."""
        mark = self.failure(item, now, error, retry_after=retry_after, permanent=permanent)
        return mark if self.settle([mark], now)[0] else None

    def defer(self, item: ClaimedReminder, until: datetime, now: datetime) -> bool:
        """Hand a claimed row back unattempted, visible again at `until` (a platform asked
        to slow down); the claim is not counted as an attempt."""
        return self.settle([Mark(item, Outcome.DEFERRED, "", until)], now)[0]

    def release(
        self, owner: str, now: datetime, ids: Iterable[int] | None = None
    ) -> int:
        """Hand back the pending rows `owner` still holds (all, or only `ids`) so that any
        dispatcher may claim them at once; the claims are not counted as attempts."""
        where = [OB.lease_owner == owner, OB.status == PENDING]
        if ids is not None:
            wanted = list(ids)
            if not wanted:
                return 0
            where.append(OB.id.in_(wanted))
        statement = (
            update(tables.reminder_outbox)
            .where(*where)
            .values(
                lease_owner=None,
                lease_until=None,
                visible_at=now,
                attempts=_one_less(),
            )
        )
        return self._write(lambda connection: _count(connection.execute(statement)))

    # ------------------------------------------------------------ reading

    def next_due_at(self, platforms: Collection[str] | None = None) -> datetime | None:
        """When the earliest unfinished row becomes claimable: a due time, a retry time or
        the end of a lease (a dispatcher may have died holding it). None: nothing to do."""
        statement = select(OB.visible_at).where(OB.visible_at.is_not(None))
        if platforms is not None:
            statement = statement.where(OB.community_id.in_(_communities_on(platforms)))
        statement = statement.order_by(OB.visible_at).limit(1)
        with self._engine.connect() as connection:
            found = connection.execute(statement).scalar()
        return as_utc(found)

    def stats(self, now: datetime) -> OutboxStats:
        """Counts per status, rows claimable now, rows under a running lease, and the oldest
        claimable row's time (how far behind the dispatchers are). Counting every status
        scans the table: call it for metrics, not in the dispatch loop."""
        with self._engine.connect() as connection:
            by_status = {
                str(status): int(count)
                for status, count in connection.execute(
                    select(OB.status, func.count()).group_by(OB.status)
                )
            }
            due_where = (OB.visible_at <= now, OB.status == PENDING)
            due = connection.execute(select(func.count()).where(*due_where)).scalar() or 0
            oldest = connection.execute(select(func.min(OB.visible_at)).where(*due_where))
            leased = connection.execute(
                select(func.count()).where(
                    OB.status == PENDING, OB.lease_until.is_not(None), OB.visible_at > now
                )
            ).scalar() or 0
            return OutboxStats(by_status=by_status, due=int(due), leased=int(leased),
                               oldest_due_at=as_utc(oldest.scalar()))

    def communities(self, ids: Iterable[int]) -> dict[int, CommunityKey]:
        """The platform key of each community id (rows carry only the id)."""
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        statement = select(CO.id, CO.platform, CO.external_id, CO.name).where(
            CO.id.in_(wanted)
        )
        with self._engine.connect() as connection:
            return {
                row.id: CommunityKey(row.platform, row.external_id, row.name)
                for row in connection.execute(statement)
            }

    # ------------------------------------------------------------ plumbing

    def _write(self, work: Callable[[Connection], T]) -> T:
        """Run `work` in one write transaction, retrying when SQLite says it is locked."""
        for attempt in range(self._locked_retries + 1):
            try:
                with self._engine.begin() as connection:
                    return work(connection)
            except OperationalError as exc:
                if attempt >= self._locked_retries or not _is_locked(exc):
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")


def _communities_on(platforms: Collection[str]) -> Any:
    return select(CO.id).where(CO.platform.in_(sorted(set(platforms))))


def _one_less() -> Any:
    """`attempts - 1`, never below zero: a claim handed back unattempted does not count."""
    return case((OB.attempts > 0, OB.attempts - 1), else_=0)


def _ours_where() -> list[Any]:
    """The claim a mark came from, and nobody else's: same owner, same lease end, pending."""
    return [
        OB.id == bindparam("m_id"),
        OB.status == PENDING,
        OB.lease_owner == bindparam("m_owner"),
        OB.lease_until == bindparam("m_lease"),
    ]


# Built once: one per shape of mark, executed with the mark's values.
_FINISH = (
    update(tables.reminder_outbox)
    .where(*_ours_where())
    .values(status=bindparam("m_status"), visible_at=None, lease_owner=None, lease_until=None,
            finished_at=bindparam("m_now"), last_error=bindparam("m_reason"))
)
_RETRY = (
    update(tables.reminder_outbox)
    .where(*_ours_where())
    .values(visible_at=bindparam("m_at"), lease_owner=None, lease_until=None,
            last_error=bindparam("m_reason"))
)
_DEFER = (
    update(tables.reminder_outbox)
    .where(*_ours_where())
    .values(visible_at=bindparam("m_at"), lease_owner=None, lease_until=None,
            attempts=_one_less())
)


def _apply(connection: Connection, mark: Mark, now: datetime) -> bool:
    item = mark.item
    params: dict[str, Any] = {"m_id": item.id, "m_owner": item.lease_owner,
                              "m_lease": item.lease_until}
    if mark.outcome in (Outcome.SENT, Outcome.DROPPED, Outcome.FAILED):
        statement = _FINISH
        params.update(m_status=mark.outcome.value, m_now=now,
                      m_reason=mark.reason[:ERROR_LIMIT])
    elif mark.retry_at is None:
        raise ValueError(f"a {mark.outcome.value} mark needs its time")
    elif mark.outcome is Outcome.RETRY:
        statement = _RETRY
        params.update(m_at=mark.retry_at, m_reason=mark.reason[:ERROR_LIMIT])
    else:
        statement = _DEFER
        params.update(m_at=mark.retry_at)
    return _count(connection.execute(statement, params)) == 1


def _is_locked(exc: OperationalError) -> bool:
    text = str(exc.orig).lower() if exc.orig is not None else str(exc).lower()
    return "locked" in text or "busy" in text


def _count(result: Any) -> int:
    return int(result.rowcount or 0)
