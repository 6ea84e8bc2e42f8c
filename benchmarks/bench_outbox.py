"""The reminder outbox and its dispatcher, on SQLite (a file) and PostgreSQL.

* `burst` — 10,000 reminders due at once, sent by the real stack (APScheduler start-up run →
  claim → the core renders each "welcome back" DM from the database → a no-op notifier →
  mark sent): time until the last one went out, throughput, lateness (sent − due) p50/p99.
  `in_flight=1` is the default: each send is recorded before the next starts (a crash
  duplicates at most one DM). `in_flight=25` records 25 sends per commit (a crash may
  duplicate up to 25), to show what the per-send commit costs. On PostgreSQL also with four
  dispatcher processes at once (`procs=4`). `render=fixed` replaces the core's renderer with
  a constant DM: the outbox machinery alone. `render only` times the core's
  `render_reminders` alone, in claimed batches: the floor under the full stack.
* `steady` — 400 reminders falling due 25 ms apart, with the scheduler waking at each next
  due time (poll interval 60 s): lateness p50/p99/max.
* `claim` — claim latency (claim 25 due rows in one statement, for the platforms served, as
  the dispatcher does) and `next_due_at` with 10,000 / 100,000 / 1,000,000 pending future
  reminders of the same community in the table (bulk-inserted in SQL).

    .venv/bin/python -m benchmarks outbox              # burst of 10,000; table up to 1,000,000
    .venv/bin/python -m benchmarks outbox --size 1000  # burst of 1,000; table up to 100,000

PostgreSQL runs when INTROBOT_BENCH_POSTGRES_URL (or INTROBOT_TEST_POSTGRES_URL) is set; each
database gets a fresh schema, dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, text
from sqlalchemy.pool import NullPool

from adapters.dispatcher import DispatchSettings, ReminderDispatcher, ReminderRenderer
from adapters.scheduler import ReminderScheduler, SchedulerSettings
from benchmarks.report import Row, ms, percentile
from bot.app import IntroProgram
from bot.clock import SystemClock
from bot.context import CommunityKey
from bot.domain import ClaimedReminder, Member, MentorProfile
from bot.messages import DirectMessage, Message, Recipient
from storage import tables
from storage.engine import create_engine_for
from storage.migrate import upgrade
from storage.outbox_claims import Mark, OutboxClaims, Outcome
from storage.uow import make_uow_factory

NAME = "outbox"
MENTORS = 200
CLAIM_BATCH = 25
CLAIM_ROUNDS = 100
PLATFORMS = frozenset({"console"})  # what a dispatcher passes: the platforms it serves


def _postgres_url() -> str | None:
    return (os.environ.get("INTROBOT_BENCH_POSTGRES_URL")
            or os.environ.get("INTROBOT_TEST_POSTGRES_URL") or None)


# ---------------------------------------------------------------- databases


@dataclass(frozen=True)
class Database:
    kind: str
    url: str
    schema: str  # PostgreSQL only

    def engine(self, **kwargs: Any) -> Engine:
        if self.schema:
            kwargs["connect_args"] = {"options": f"-csearch_path={self.schema}"}
        return create_engine_for(self.url, **kwargs)


@contextmanager
def database(kind: str) -> Iterator[Database]:
    """A fresh, migrated database of `kind`, removed afterwards."""
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="introbot-bench-outbox-")
        try:
            found = Database(kind, f"sqlite:///{Path(folder) / 'outbox.db'}", "")
            _migrate(found)
            yield found
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    url = _postgres_url()
    assert url is not None
    schema = f"introbot_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine_for(url, poolclass=NullPool)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        found = Database(kind, url, schema)
        _migrate(found)
        yield found
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _migrate(db: Database) -> None:
    engine = db.engine()
    try:
        upgrade(engine)
    finally:
        engine.dispose()


@dataclass
class Community:
    community_id: int
    mentor_ids: list[int]


def make_community(engine: Engine) -> Community:
    """A console community with `MENTORS` available mentors."""
    now = datetime.now(UTC)
    uow_factory = make_uow_factory(engine)
    with uow_factory() as uow:
        community = uow.communities.get_or_create("console", "bench", "Bench", now)
        assert community.id is not None
        # Quiet hours at the other side of the clock from now: checked for every reminder
        # (as in production), holding none of them whatever time of day the benchmark runs.
        local = now.astimezone(UTC)
        start = (local + timedelta(hours=12)).strftime("%H:00")
        end = (local + timedelta(hours=13)).strftime("%H:00")
        uow.settings.set(community.id, "quiet_hours", f"{start}-{end}", now)
        ids = []
        for number in range(MENTORS):
            member = uow.members.add(Member(
                community_id=community.id, platform_user_id=f"m{number}",
                display_name=f"Mentor {number}", handle=f"m{number}", created_at=now))
            uow.flush()
            assert member.id is not None
            uow.mentors.add(MentorProfile(
                community_id=community.id, member_id=member.id, created_at=now,
                updated_at=now, headline="Engineer", industries="Software", capacity=3))
            ids.append(member.id)
        uow.commit()
    return Community(community.id, ids)


def queue_due(engine: Engine, community: Community, prefix: str, due: list[datetime]) -> None:
    """One AWAY_ENDED ("welcome back") reminder per due time, in one transaction."""
    rows = [
        {"community_id": community.community_id,
         "recipient_id": community.mentor_ids[n % len(community.mentor_ids)],
         "kind": "away_ended", "due_at": at, "dedupe_key": f"{prefix}:{n}", "request_id": None,
         "payload": "{}", "status": "pending", "attempts": 0, "visible_at": at,
         "last_error": ""}
        for n, at in enumerate(due)
    ]
    with engine.begin() as connection:
        for start in range(0, len(rows), 5000):
            connection.execute(insert(tables.reminder_outbox), rows[start:start + 5000])


# ---------------------------------------------------------------- burst and steady


class TimingNotifier:
    """A no-op notifier that notes when each DM was handed to it (wall clock)."""

    def __init__(self) -> None:
        self.times: list[float] = []

    async def deliver(self, community: CommunityKey, dm: DirectMessage) -> None:
        self.times.append(time.time())


class FixedRenderer:
    """Renders every reminder as the same DM without reading the database: what the outbox
    machinery costs without the core's rendering."""

    DM = DirectMessage(recipients=(Recipient(1, "m0", "Mentor 0"),),
                       message=Message(text="Welcome back"), kind="reminder.away_ended")

    def render_reminder(self, item: ClaimedReminder) -> tuple[DirectMessage | None, str]:
        return self.DM, "ok"

    def render_reminders(
        self, items: Sequence[ClaimedReminder]
    ) -> list[tuple[DirectMessage | None, str]]:
        return [(self.DM, "ok") for _ in items]


def _dispatcher(engine: Engine, notifier: TimingNotifier, in_flight: int,
                owner: str | None = None, render: str = "core") -> ReminderDispatcher:
    clock = SystemClock()
    renderer: ReminderRenderer = (IntroProgram(make_uow_factory(engine), clock)
                                  if render == "core" else FixedRenderer())
    return ReminderDispatcher(renderer, OutboxClaims(engine), {"console": notifier}, clock,
                              owner=owner, settings=DispatchSettings(in_flight=in_flight))


async def _send_all(dispatcher: ReminderDispatcher, notifier: TimingNotifier,
                    expected: int) -> None:
    scheduler = ReminderScheduler(dispatcher, None,
                                  SchedulerSettings(poll_interval=timedelta(seconds=60)))
    await scheduler.start()
    try:
        while len(notifier.times) < expected:
            await asyncio.sleep(0.005)
    finally:
        await scheduler.stop()


def burst(db: Database, community: Community, count: int, in_flight: int,
          render: str = "core") -> Row:
    engine = db.engine()
    try:
        notifier = TimingNotifier()
        dispatcher = _dispatcher(engine, notifier, in_flight, render=render)
        due = datetime.now(UTC)
        queue_due(engine, community, f"burst{in_flight}{render}", [due] * count)
        started = time.time()
        asyncio.run(_send_all(dispatcher, notifier, count))
        dispatcher.claims.close()
    finally:
        engine.dispose()
    return _lateness_row("burst", f"{db.kind} render={render} in_flight={in_flight}", count,
                         due.timestamp(), started, notifier.times)


def render_only(db: Database, community: Community, count: int) -> Row:
    """The core's `render_reminders` alone, one read-only transaction per claimed batch as
    the dispatcher calls it, over rows claimed up front: the floor under the full-stack
    burst."""
    engine = db.engine()
    batch = DispatchSettings().batch_size
    try:
        program = IntroProgram(make_uow_factory(engine), SystemClock())
        queue_due(engine, community, "render", [datetime.now(UTC)] * count)
        claims = OutboxClaims(engine)
        items = claims.claim("render", datetime.now(UTC), limit=count)
        claims.close()
        began = time.perf_counter()
        rendered = [found for start in range(0, len(items), batch)
                    for found in program.render_reminders(items[start:start + batch])]
        took = time.perf_counter() - began
    finally:
        engine.dispose()
    assert len(rendered) == count and all(dm is not None for dm, _ in rendered)
    return Row(NAME, f"render only {db.kind} (core render_reminders, {batch} at a time)", {
        "n": f"{count:,}", "all sent": f"{took:.2f} s", "per s": f"{count / took:,.0f}"})


def _lateness_row(case: str, label: str, count: int, due: float | list[float],
                  started: float, times: list[float]) -> Row:
    # One dispatcher sends in due order, so the k-th send belongs to the k-th due time.
    dues = due if isinstance(due, list) else [due] * len(times)
    late = sorted(sent - at for sent, at in zip(sorted(times), sorted(dues), strict=True))
    total = max(times) - started
    return Row(NAME, f"{case} {label}", {
        "n": f"{count:,}",
        "all sent": f"{total:.2f} s",
        "per s": f"{count / total:,.0f}",
        "late p50": ms(percentile(late, 50)),
        "late p99": ms(percentile(late, 99)),
        "late max": ms(max(late)),
    })


def steady(db: Database, community: Community, count: int = 400,
           spacing: float = 0.025) -> Row:
    engine = db.engine()
    try:
        notifier = TimingNotifier()
        dispatcher = _dispatcher(engine, notifier, 1)
        first = datetime.now(UTC) + timedelta(seconds=1)
        due = [first + timedelta(seconds=spacing * n) for n in range(count)]
        queue_due(engine, community, "steady", due)
        started = time.time()
        asyncio.run(_send_all(dispatcher, notifier, count))
    finally:
        engine.dispose()
    row = _lateness_row("steady", f"{db.kind} every {spacing * 1000:.0f} ms", count,
                        [at.timestamp() for at in due], started, notifier.times)
    row.values["all sent"] = "-"
    row.values["per s"] = "-"
    return row


# ---------------------------------------------------------------- several processes


def _process_worker(db: Database, owner: str, ready: Any, go: Event, results: Any) -> None:
    engine = db.engine()
    notifier = TimingNotifier()
    dispatcher = _dispatcher(engine, notifier, 1, owner)
    claims = dispatcher.claims

    async def serve() -> None:
        while True:
            if (await dispatcher.drain()).claimed:
                continue
            due = claims.next_due_at()
            if due is None:
                return
            await asyncio.sleep(min(max((due - datetime.now(UTC)).total_seconds(), 0.01),
                                    0.2))

    ready.put(owner)
    go.wait()
    asyncio.run(serve())
    engine.dispose()
    results.put(notifier.times)


def burst_processes(db: Database, community: Community, count: int, procs: int) -> Row:
    context = multiprocessing.get_context("spawn")
    ready, results, go = context.Queue(), context.Queue(), context.Event()
    workers = [context.Process(target=_process_worker,
                               args=(db, f"p{n}", ready, go, results)) for n in range(procs)]
    for worker in workers:
        worker.start()
    for _ in workers:
        ready.get(timeout=120)
    engine = db.engine()
    try:
        due = datetime.now(UTC)
        queue_due(engine, community, f"procs{procs}", [due] * count)
    finally:
        engine.dispose()
    started = time.time()
    go.set()
    times: list[float] = []
    for _ in workers:
        times.extend(results.get(timeout=600))
    for worker in workers:
        worker.join(timeout=60)
    assert len(times) == count, (len(times), count)
    return _lateness_row("burst", f"{db.kind} in_flight=1 procs={procs}", count,
                         due.timestamp(), started, times)


# ---------------------------------------------------------------- claim latency


def add_future_rows(engine: Engine, community: Community, start: int, end: int) -> None:
    """Rows `start`..`end-1` of a table of pending reminders due 1 to 31 days ahead."""
    if end <= start:
        return
    params = {"cid": community.community_id, "rid": community.mentor_ids[0], "a": start,
              "b": end - 1}
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            base = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")
            connection.execute(text(
                "INSERT INTO reminder_outbox (community_id, recipient_id, kind, due_at, "
                "dedupe_key, request_id, payload, status, attempts, visible_at, last_error) "
                "WITH RECURSIVE n(i) AS (SELECT :a UNION ALL SELECT i + 1 FROM n WHERE i < :b),"
                " t(i, at) AS (SELECT i, strftime('%Y-%m-%d %H:%M:%f', :base, "
                "'+' || (i % 2592000) || ' seconds') || '000' FROM n) "
                "SELECT :cid, :rid, 'away_ended', at, 'future:' || i, NULL, '{}', 'pending', "
                "0, at, '' FROM t"), {**params, "base": base})
        else:
            connection.execute(text(
                "INSERT INTO reminder_outbox (community_id, recipient_id, kind, due_at, "
                "dedupe_key, request_id, payload, status, attempts, visible_at, last_error) "
                "SELECT :cid, :rid, 'away_ended', at, 'future:' || i, NULL, '{}', 'pending', "
                "0, at, '' FROM (SELECT i, now() + interval '1 day' + (i % 2592000) * "
                "interval '1 second' AS at FROM generate_series(CAST(:a AS integer), "
                "CAST(:b AS integer)) AS i) AS t"), params)
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("ANALYZE reminder_outbox"))
            connection.commit()


def claim_latency(db: Database, community: Community, sizes: list[int]) -> list[Row]:
    rows = []
    engine = db.engine()
    claims = OutboxClaims(engine)
    have = 0
    try:
        for size in sizes:
            began = time.perf_counter()
            add_future_rows(engine, community, have, size)
            inserted = time.perf_counter() - began
            have = size
            now = datetime.now(UTC)
            queue_due(engine, community, f"claim{size}", [now] * (CLAIM_ROUNDS * CLAIM_BATCH))
            claim_times, next_times = [], []
            for _ in range(CLAIM_ROUNDS):
                began = time.perf_counter()
                batch = claims.claim("bench", datetime.now(UTC), limit=CLAIM_BATCH,
                                     platforms=PLATFORMS)
                claim_times.append(time.perf_counter() - began)
                assert len(batch) == CLAIM_BATCH
                claims.settle([Mark(item, Outcome.SENT) for item in batch], now)
                began = time.perf_counter()
                claims.next_due_at(PLATFORMS)
                next_times.append(time.perf_counter() - began)
            rows.append(Row(NAME, f"claim {db.kind} {size:,} pending future", {
                "n": f"{CLAIM_ROUNDS} x {CLAIM_BATCH}",
                "claim p50": ms(percentile(claim_times, 50)),
                "claim p99": ms(percentile(claim_times, 99)),
                "claim mean": ms(statistics.fmean(claim_times)),
                "next_due p50": ms(percentile(next_times, 50)),
                "bulk insert": f"{inserted:.1f} s",
            }))
    finally:
        claims.close()
        engine.dispose()
    return rows


# ---------------------------------------------------------------- entry point


def run(args: argparse.Namespace) -> list[Row]:
    count = args.size or 10_000
    sizes = [count, count * 10, count * 100]
    kinds = ["sqlite"] + (["postgresql"] if _postgres_url() else [])
    rows: list[Row] = []
    for kind in kinds:
        with database(kind) as db:
            engine = db.engine()
            try:
                community = make_community(engine)
            finally:
                engine.dispose()
            for in_flight in (1, 25):
                rows.append(burst(db, community, count, in_flight))
            if kind == "postgresql":
                rows.append(burst_processes(db, community, count, 4))
            for in_flight in (1, 25):
                rows.append(burst(db, community, count, in_flight, render="fixed"))
            rows.append(render_only(db, community, count))
            rows.append(steady(db, community))
        with database(kind) as db:
            engine = db.engine()
            try:
                community = make_community(engine)
            finally:
                engine.dispose()
            rows.extend(claim_latency(db, community, sizes))
    return rows
