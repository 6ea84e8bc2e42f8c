"""`/intro find` over 100,000 generated mentors, on SQLite and PostgreSQL.

For each query: the whole core command (parse, resolve the actor, search, buffer the search
record, render) and, in the same run, the SQL underneath alone — the storage search in its
own transaction, which is exactly the statements the command runs to find mentors (their
count is shown). Some of those statements stream rows and stop early, so replaying them
with a full fetch would not be the same work. Also the process's resident memory.

    python -m benchmarks find [--size 100000]
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, text

from benchmarks.mentor_data import NOW, populate
from benchmarks.report import Row, ms, percentile
from bot.app import IntroProgram
from bot.clock import ManualClock
from bot.context import CommunityKey, Invocation, PlatformUser
from bot.domain import MentorQuery
from storage.engine import create_engine_for
from storage.migrate import upgrade
from storage.uow import make_uow_factory

QUERIES: tuple[tuple[str, MentorQuery], ...] = (
    ("", MentorQuery()),
    ("python", MentorQuery(terms=["python"])),
    ("machine learning", MentorQuery(terms=["machine", "learning"])),
    ("career change startups", MentorQuery(terms=["career", "change", "startups"])),
    ("industry:software", MentorQuery(industry="software")),
    ("growth industry:finance", MentorQuery(terms=["growth"], industry="finance")),
    ("company:labs", MentorQuery(company="labs")),
)
RUNS = 200


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _time(fn: Callable[[], object], runs: int) -> list[float]:
    fn()  # warm
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def _captured_sql(engine: Engine, search: Callable[[], object]) -> list[tuple[str, Any]]:
    statements: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
                executemany: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        search()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    return statements


def _bench(kind: str, engine: Engine, size: int, runs: int) -> list[Row]:
    started = time.perf_counter()
    community_id = populate(engine, size, "console", "bench")
    loaded = time.perf_counter() - started
    clock = ManualClock(NOW)
    uow_factory = make_uow_factory(engine)
    program = IntroProgram(uow_factory, clock)
    inv = Invocation(CommunityKey("console", "bench", "benchmark"),
                     PlatformUser(user_id="seeker", display_name="Seeker", handle="seeker"))
    program.command(inv, "intro", "help")  # the seeker joins
    rows = []
    for text_form, query in QUERIES:
        def full(text_form: str = text_form) -> object:
            outcome = program.command(inv, "intro", f"find {text_form}".strip())
            assert outcome.ok and outcome.reply is not None
            return outcome

        def search(query: MentorQuery = query) -> object:
            with uow_factory() as uow:
                return uow.mentors.search(community_id, query, NOW)

        statements = _captured_sql(engine, search)
        bare_samples = _time(search, runs)
        full_samples = _time(full, runs)
        p50_full, p50_bare = percentile(full_samples, 50), percentile(bare_samples, 50)
        rows.append(Row("find", f"{kind} {size:,} · {text_form or '(no words)'}", {
            "command p50": ms(p50_full),
            "command p95": ms(percentile(full_samples, 95)),
            "search SQL p50": ms(p50_bare),
            "search SQL p95": ms(percentile(bare_samples, 95)),
            "ratio p50": f"{p50_full / p50_bare:.2f}×" if p50_bare else "-",
            "ratio p95": (f"{percentile(full_samples, 95) / percentile(bare_samples, 95):.2f}×"
                          if bare_samples else "-"),
            "statements": str(len(statements)),
        }))
    rows.append(Row("find", f"{kind} {size:,} · process", {
        "load": f"{loaded:.1f} s", "RSS": f"{_rss_mib():.0f} MiB",
    }))
    return rows


def run(args: argparse.Namespace) -> list[Row]:
    size = args.size or 100_000
    runs = RUNS
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="introbot-bench-") as tmp:
        engine = create_engine_for(f"sqlite:///{tmp}/find.db")
        upgrade(engine)
        try:
            rows.extend(_bench("SQLite", engine, size, runs))
        finally:
            engine.dispose()
    url = os.environ.get("INTROBOT_BENCH_POSTGRES_URL") or os.environ.get(
        "INTROBOT_TEST_POSTGRES_URL")
    if url:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine_for(url)
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        engine = create_engine_for(url, connect_args={"options": f"-csearch_path={schema}"})
        try:
            upgrade(engine)
            rows.extend(_bench("PostgreSQL", engine, size, runs))
        finally:
            engine.dispose()
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()
    return rows
