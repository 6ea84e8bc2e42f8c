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

On a SQLite file the claims run on an engine of their own with `synchronous=NORMAL`: in WAL
mode a commit is then safe against a crash of the process (the kill tests) but not yet on disk
against a power cut, and it costs ~50 µs instead of a disk flush (~0.3-1 ms). That is safe for
what this module writes — claims, outcomes, hand-backs — because losing one of those to a power
cut only makes a row claimable again: the worst case is a DM sent twice, never one lost.
Reminders themselves are queued by the core's transactions, which keep `synchronous=FULL`, and
the next FULL commit on the file flushes everything written before it. On PostgreSQL the
same trade is `synchronous_commit = off` on the one connection that records single outcomes:
its commits do not wait for the WAL flush (a crash of the server may forget the last fraction
of a second of them — DMs sent again, never lost), and the database stays consistent.
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, bindparam, case, func, select, update
from sqlalchemy.exc import DBAPIError, OperationalError

from bot.clock import as_utc
from bot.context import CommunityKey
from bot.domain import ClaimedReminder, OutboxStatus
from storage import tables
from storage.engine import create_engine_for, is_sqlite_memory
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
        self._own_engine: Engine | None = None
        if engine.dialect.name == "sqlite" and not is_sqlite_memory(engine):
            self._own_engine = create_engine_for(engine.url, sqlite_synchronous="NORMAL")
        self._engine = self._own_engine or engine
        self.retry = retry or RetryPolicy()
        self._rng = rng or random.Random()
        self._locked_retries = locked_retries
        self._quick: _QuickMarks | None = None  # try_settle's connection
        self._pg_marks: Connection | None = None  # settle's connection on PostgreSQL
        self._pg_lock = threading.Lock()

    def close(self) -> None:
        """Give back the connections this object opened itself."""
        if self._quick is not None:
            self._quick.close()
            self._quick = None
        with self._pg_lock:
            self._drop_pg_marks()
        if self._own_engine is not None:
            self._own_engine.dispose()

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
            where.append(_on_platforms(platforms))
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
        if len(marks) == 1 and self._engine.dialect.name == "postgresql":
            return [self._settle_one_on_postgres(marks[0], now)]

        def run(connection: Connection) -> list[bool]:
            return [_apply(connection, mark, now) for mark in marks]

        return self._write(run)

    def _settle_one_on_postgres(self, mark: Mark, now: datetime) -> bool:
        """One mark as one statement on a connection kept for the purpose, in autocommit
        with `synchronous_commit` off (module docstring): one round trip and no wait for the
        WAL flush, where a transaction of its own takes four and a flush (~0.75 ms)."""
        with self._pg_lock:
            for attempt in range(2):
                if self._pg_marks is None:
                    connection = self._engine.connect().execution_options(
                        isolation_level="AUTOCOMMIT")
                    connection.exec_driver_sql("SET synchronous_commit TO off")
                    self._pg_marks = connection
                try:
                    applied = _apply(self._pg_marks, mark, now)
                    self._pg_marks.commit()  # ends SQLAlchemy's bookkeeping; nothing to flush
                    return applied
                except DBAPIError as exc:
                    self._drop_pg_marks()
                    if attempt or not exc.connection_invalidated:
                        raise  # a dropped connection is tried once more on a fresh one
        raise AssertionError("unreachable")

    def _drop_pg_marks(self) -> None:
        if self._pg_marks is not None:
            # Not back to the pool: its session settings are not for anyone else.
            self._pg_marks.invalidate()
            self._pg_marks.close()
            self._pg_marks = None

    def try_settle(self, marks: Sequence[Mark], now: datetime) -> list[bool] | None:
        """`settle`, but only if it can be done at once without waiting for another writer;
        None when it would wait (or on PostgreSQL, where every write is a round trip: use
        `settle` from a worker thread). Meant for an event loop: on a free SQLite file it
        takes a few dozen microseconds on one driver connection kept for the purpose, running
        the same statements as `settle`, compiled once."""
        if not marks:
            return []
        if self._own_engine is None:
            return None
        if self._quick is None:
            self._quick = _QuickMarks(self._engine)
        return self._quick.apply(marks, now)

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
            statement = statement.where(_on_platforms(platforms))
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


def _on_platforms(platforms: Collection[str]) -> Any:
    """Rows of communities on `platforms`. `+ 0` keeps the index on community_id out of it:
    searched by community, SQLite would read and sort every pending row of a large community
    on each claim; the index on visible_at gives the earliest rows in order and stops at the
    limit."""
    communities = select(CO.id).where(CO.platform.in_(sorted(set(platforms))))
    return (OB.community_id + 0).in_(communities)


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


def _mark_params(mark: Mark, now: datetime) -> tuple[Any, dict[str, Any]]:
    """The statement that records `mark`, and its parameters."""
    item = mark.item
    params: dict[str, Any] = {"m_id": item.id, "m_owner": item.lease_owner,
                              "m_lease": item.lease_until}
    if mark.outcome in (Outcome.SENT, Outcome.DROPPED, Outcome.FAILED):
        params.update(m_status=mark.outcome.value, m_now=now,
                      m_reason=mark.reason[:ERROR_LIMIT])
        return _FINISH, params
    if mark.retry_at is None:
        raise ValueError(f"a {mark.outcome.value} mark needs its time")
    if mark.outcome is Outcome.RETRY:
        params.update(m_at=mark.retry_at, m_reason=mark.reason[:ERROR_LIMIT])
        return _RETRY, params
    params.update(m_at=mark.retry_at)
    return _DEFER, params


def _apply(connection: Connection, mark: Mark, now: datetime) -> bool:
    statement, params = _mark_params(mark, now)
    return _count(connection.execute(statement, params)) == 1


_MISSING = object()


class _QuickMarks:
    """`settle` on a SQLite file in a few dozen microseconds: the mark statements compiled
    once, run on a driver connection of their own that never waits for the write lock (busy
    timeout 0) — when another connection holds it, `apply` says so and writes nothing."""

    def __init__(self, engine: Engine) -> None:
        self._proxy = engine.raw_connection()
        self._driver: Any = self._proxy.driver_connection
        assert self._driver is not None
        self._driver.execute("PRAGMA busy_timeout=0")
        dialect = engine.dialect
        self._compiled: dict[int, tuple[str, dict[str, Any], list[tuple[str, Any]]]] = {}
        for statement in (_FINISH, _RETRY, _DEFER):
            compiled = statement.compile(dialect=dialect)
            order = compiled.positiontup or []
            converters = [(name, compiled.binds[name].type.dialect_impl(dialect)
                           .bind_processor(dialect))
                          for name in order]
            # The fixed values (`visible_at=None` …) are parameters too.
            self._compiled[id(statement)] = (str(compiled), dict(compiled.params), converters)
        self._converted: dict[tuple[int, Any], Any] = {}

    def apply(self, marks: Sequence[Mark], now: datetime) -> list[bool] | None:
        try:
            self._driver.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if _is_locked(exc):
                return None
            raise
        try:
            applied = []
            for mark in marks:
                statement, params = _mark_params(mark, now)
                sql, fixed, converters = self._compiled[id(statement)]
                given = {**fixed, **params}
                values = [given[name] if convert is None else self._bound(convert, given[name])
                          for name, convert in converters]
                applied.append(self._driver.execute(sql, values).rowcount == 1)
            self._driver.execute("COMMIT")
        except BaseException:
            self._driver.execute("ROLLBACK")
            raise
        return applied

    def _bound(self, convert: Any, value: Any) -> Any:
        """`convert(value)`, remembered: a batch's marks share their lease end, and a time
        is turned into SQLite's text form once, not once per mark."""
        if value is None:
            return convert(value)
        key = (id(convert), value)
        found = self._converted.get(key, _MISSING)
        if found is _MISSING:
            if len(self._converted) >= 1024:
                self._converted.clear()
            found = self._converted[key] = convert(value)
        return found

    def close(self) -> None:
        # Not back to the pool: its busy timeout is not for anyone else.
        self._proxy.invalidate()
        self._proxy.close()


def _is_locked(exc: Exception) -> bool:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).lower()
    return "locked" in text or "busy" in text


def _count(result: Any) -> int:
    return int(result.rowcount or 0)
