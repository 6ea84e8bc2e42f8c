"""Slack: signed request → HTTP response for `/intro find climate` over 100,000 mentors.

Three Bolt apps answer the same signed slash commands, side by side in one run, each on its
own aiohttp server on 127.0.0.1 against a fake Slack Web API (for `auth.test` and `users.info`):

* `adapter` — the real Slack adapter: users.info (cached), the core's find (parse, resolve the
  member, search, log the search, commit), Block Kit cards in the ack;
* `bare-search` — a Bolt app whose listener runs the same storage search (in the same bounded
  thread pool the adapter runs the core in) and acks plain text;
* `bare-ack` — a Bolt app whose listener only acks.

Requests are sent from a separate process, at 1, 10 and 50 in flight; each app gets the same
number of requests per level after a warm-up. Rows give p50/p99 per app and level, the ratios
adapter/bare-search and adapter/bare-ack, and — measured in-process, one call at a time — the
core's find alone and the rendering to Block Kit alone, to show where the adapter's time goes.
`answered later` counts requests whose answer missed the ack budget (empty ack, then sent);
`failed` counts requests Bolt gave up on (no ack within 3 s).

Runs on SQLite, and also on PostgreSQL when INTROBOT_BENCH_POSTGRES_URL (or
INTROBOT_TEST_POSTGRES_URL) is set (a schema of its own, dropped afterwards).
INTROBOT_BENCH_CORE_WORKERS overrides the size of the core's thread pool.

    .venv/bin/python -m benchmarks slack             # 100,000 mentors
    .venv/bin/python -m benchmarks slack --size 20000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import shutil
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import Engine, insert, select, text
from sqlalchemy.pool import NullPool

from adapters.settings import IntrobotSettings
from adapters.slack.app import CoreCalls, build_slack_bot, core_workers_for, retry_handlers
from adapters.slack.render import ephemeral_reply
from adapters.slack.runner import SlackRunner
from benchmarks.report import Row, ms, percentile
from bot.app import IntroProgram
from bot.clock import ManualClock
from bot.context import CommunityKey, Invocation, PlatformUser
from bot.domain import MentorQuery, month_key
from storage import tables
from storage.engine import create_engine_for
from storage.migrate import upgrade
from storage.uow import make_uow_factory
from tests.fakes.slack import FakeSlack

SECRET = "bench-signing-secret"
SEEKER = "U0SEEKER01"
TEXT = "find climate"
LEVELS = (1, 10, 50)
NOW = datetime(2025, 3, 3, 14, 0, tzinfo=UTC)

INDUSTRIES = ["Software", "Climate", "Finance", "Healthcare", "Education", "Energy", "Retail",
              "Media", "Government", "Biotech", "Consulting", "Law", "Design", "Robotics",
              "Logistics", "Agriculture", "Gaming", "Security", "Nonprofit", "Research"]
ROLES = ["Product manager", "Engineer", "Analyst", "Founder", "Designer", "Researcher",
         "Consultant", "Director", "Scientist", "Teacher", "Lawyer", "Economist"]
TOPICS = ["career change", "product strategy", "hiring", "fundraising", "policy", "data",
          "machine learning", "sustainability", "operations", "marketing", "sales", "grad school",
          "public speaking", "leadership", "remote work", "startups", "consulting cases",
          "carbon markets", "supply chains", "user research", "clinical trials", "teaching"]


# --------------------------------------------------------------------------- data


def populate(engine: Any, size: int, team_id: str) -> int:
    """`size` findable mentors in one Slack community, inserted in bulk; its id."""
    rng = random.Random(7)
    created = NOW.replace(year=2024)
    with engine.begin() as connection:
        community_id = connection.execute(
            insert(tables.communities).values(platform="slack", external_id=team_id,
                                              name="bench", created_at=created)
            .returning(tables.communities.c.id)).scalar_one()
    batch = 5_000
    for start in range(0, size, batch):
        members, profiles = [], []
        for n in range(start, min(start + batch, size)):
            members.append({
                "community_id": community_id, "platform_user_id": f"U{n:010d}",
                "display_name": f"Mentor {n}", "handle": f"mentor.{n}", "timezone": "UTC",
                "is_admin": False, "created_at": created})
        with engine.begin() as connection:
            connection.execute(insert(tables.members), members)
            ids = connection.execute(
                select(tables.members.c.id).where(
                    tables.members.c.community_id == community_id,
                    tables.members.c.platform_user_id >= f"U{start:010d}")
                .order_by(tables.members.c.id).limit(batch)).scalars().all()
            for member_id in ids:
                industries = ", ".join(rng.sample(INDUSTRIES, 2))
                role, topics = rng.choice(ROLES), rng.sample(TOPICS, 3)
                headline = f"{role} in {industries.split(', ')[0].lower()}"
                expertise = ", ".join(topics)
                profiles.append({
                    "community_id": community_id, "member_id": member_id,
                    "created_at": created, "updated_at": created, "headline": headline,
                    "industries": industries, "expertise": expertise, "company": "",
                    "role": role, "cohort": str(rng.randint(1990, 2020)), "bio": "",
                    "formats": "call,video", "capacity": rng.randint(1, 5), "available": True,
                    "away_until": None, "active": True, "consecutive_expiries": 0,
                    "accepted_month": month_key(NOW), "accepted_count": 0,
                    "last_requested_at": None, "recent_requests": rng.randint(0, 4),
                    "search_text": f"{headline} {industries.replace(',', ' ')} "
                                   f"{expertise.replace(',', ' ')} {role}",
                })
            connection.execute(insert(tables.mentor_profiles), profiles)
    return int(community_id)


# --------------------------------------------------------------------------- load


def _signed(fields: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    body = urlencode(fields)
    timestamp = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=timestamp, body=body)
    assert signature is not None
    return body.encode(), {"Content-Type": "application/x-www-form-urlencoded",
                           "X-Slack-Request-Timestamp": timestamp,
                           "X-Slack-Signature": signature}


@dataclass
class Load:
    """What one app did with `count` requests: latencies of the answered ones, how many came
    back without the answer in the response (an empty ack, the answer sent afterwards), and
    how many failed (Bolt answers 404 when no ack came within 3 s)."""

    latencies: list[float] = field(default_factory=list)
    empty: int = 0
    failed: int = 0


async def _drive_async(url: str, fields: dict[str, str], count: int, concurrency: int,
                       warmup: int) -> Load:
    load = Load()
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        async def one(record: bool) -> None:
            body, headers = _signed(fields)
            started = time.perf_counter()
            async with session.post(url, data=body, headers=headers) as response:
                answer = await response.read()
            elapsed = time.perf_counter() - started
            if not record:
                return
            if response.status != 200:
                load.failed += 1
                return
            load.latencies.append(elapsed)
            if not answer:
                load.empty += 1

        for _ in range(warmup):
            await one(False)
        queue: asyncio.Queue[None] = asyncio.Queue()
        for _ in range(count):
            queue.put_nowait(None)

        async def worker() -> None:
            while not queue.empty():
                queue.get_nowait()
                await one(True)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return load


def drive(url: str, fields: dict[str, str], count: int, concurrency: int, warmup: int) -> Load:
    """Run in a separate process: `count` signed requests, `concurrency` in flight."""
    return asyncio.run(_drive_async(url, fields, count, concurrency, warmup))


# --------------------------------------------------------------------------- apps


async def _serve(app: AsyncApp) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app.web_app(path="/slack/events"), handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"


def _bare_app(slack: FakeSlack, session: aiohttp.ClientSession,
              listener: Callable[..., Awaitable[None]]) -> AsyncApp:
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url,
                            retry_handlers=retry_handlers(), session=session)
    app = AsyncApp(client=client, signing_secret=SECRET)
    app.command("/intro")(listener)
    return app


@contextmanager
def database(kind: str) -> Iterator[Engine]:
    """A fresh, migrated database: a SQLite file, or a PostgreSQL schema dropped afterwards."""
    if kind == "sqlite":
        workdir = Path(tempfile.mkdtemp(prefix="introbot-bench-slack-"))
        engine = create_engine_for(f"sqlite:///{workdir / 'bench.db'}")
        try:
            upgrade(engine)
            yield engine
        finally:
            engine.dispose()
            shutil.rmtree(workdir, ignore_errors=True)
        return
    url = postgres_url()
    assert url is not None
    schema = f"introbot_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine_for(url, poolclass=NullPool)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine_for(url, pool_size=20, max_overflow=40,
                               connect_args={"options": f"-csearch_path={schema}"})
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def postgres_url() -> str | None:
    return (os.environ.get("INTROBOT_BENCH_POSTGRES_URL")
            or os.environ.get("INTROBOT_TEST_POSTGRES_URL") or None)


async def _measure(size: int, kind: str) -> list[Row]:
    with database(kind) as engine:
        clock = ManualClock(NOW)
        program = IntroProgram(make_uow_factory(engine), clock)
        slack = FakeSlack(team_id="T0BENCH001")
        await slack.start()
        try:
            slack.add_user(SEEKER, "seeker", real_name="Sam Seeker", display_name="Sam Seeker")
            loaded = time.perf_counter()
            community_id = populate(engine, size, slack.team_id)
            load_seconds = time.perf_counter() - loaded
            workers = int(os.environ.get("INTROBOT_BENCH_CORE_WORKERS", "0")) or \
                core_workers_for(kind)
            results = await _compare(program, make_uow_factory(engine), slack, community_id,
                                     workers)
            parts = _in_process(program, make_uow_factory(engine), slack.team_id,
                                community_id)
        finally:
            await slack.stop()
        assert not slack.violations, slack.violations

    label = f"{kind}, {size:,} mentors"
    rows = [Row("slack", f"{label}: bulk load", {"time": f"{load_seconds:.1f} s"})]
    for name, samples in parts.items():
        rows.append(Row("slack", f"{label}: {name} (in-process, serial)", {
            "n": str(len(samples)), "p50": ms(percentile(samples, 50)),
            "p99": ms(percentile(samples, 99))}))
    for level in LEVELS:
        for name in APPS:
            load = results[name, level]
            samples = load.latencies
            busy = sum(samples) / level
            rows.append(Row("slack", f"{label}: {name} @{level}", {
                "n": str(len(samples)),
                "p50": ms(percentile(samples, 50)),
                "p99": ms(percentile(samples, 99)),
                "req/s": f"{len(samples) / busy:.0f}" if busy else "-",
                "answered later": str(load.empty) if name == "adapter" else "",
                "failed": str(load.failed),
            }))
        full = results["adapter", level].latencies
        for base in ("bare-search", "bare-ack"):
            other = results[base, level].latencies
            rows.append(Row("slack", f"{label}: adapter/{base} @{level}", {
                "p50": f"{percentile(full, 50) / percentile(other, 50):.2f}x",
                "p99": f"{percentile(full, 99) / percentile(other, 99):.2f}x",
            }))
    return rows


APPS = ("adapter", "bare-search", "bare-ack")


def _in_process(program: IntroProgram, uow_factory: Callable[[], Any], team_id: str,
                community_id: int, count: int = 200) -> dict[str, list[float]]:
    """Where the adapter's time goes, without HTTP: the storage search alone, the core's find
    (parse, member, search, buffered search record) and turning its reply into Block Kit."""
    inv = Invocation(CommunityKey("slack", team_id, "bench"),
                     PlatformUser(SEEKER, "Sam Seeker", "seeker"))
    search: list[float] = []
    core: list[float] = []
    render: list[float] = []
    query = MentorQuery(terms=["climate"], limit=5)
    for _ in range(count):
        started = time.perf_counter()
        with uow_factory(read_only=True) as uow:
            assert uow.mentors.search(community_id, query, NOW)
        search.append(time.perf_counter() - started)
        started = time.perf_counter()
        outcome = program.command(inv, "intro", TEXT)
        core.append(time.perf_counter() - started)
        assert outcome.reply is not None and outcome.reply.cards, outcome
        started = time.perf_counter()
        json.dumps([block.to_dict() for block in ephemeral_reply(outcome.reply)["blocks"]])
        render.append(time.perf_counter() - started)
    return {"storage search alone": search, "core find": core, "render to Block Kit": render}


async def _compare(program: IntroProgram, uow_factory: Callable[[], Any], slack: FakeSlack,
                   community_id: int, workers: int) -> dict[tuple[str, int], Load]:
    # The seeker exists before the bare search runs (the adapter would create them).
    program.ensure_member(CommunityKey("slack", slack.team_id, "bench"),
                          PlatformUser(SEEKER, "Sam Seeker", "seeker"))

    def search_names() -> str:
        # A search only reads: a read-only unit, as the core's find uses for a known member.
        with uow_factory(read_only=True) as uow:
            seeker = uow.members.by_platform_id(community_id, SEEKER)
            assert seeker is not None and seeker.id is not None
            query = MentorQuery(terms=["climate"], exclude_member_ids=frozenset({seeker.id}),
                                limit=5)
            hits = uow.mentors.search(community_id, query, NOW)
        return "\n".join(f"{h.member.display_name}: {h.profile.headline}" for h in hits)

    async def ack_only(ack: Any) -> None:
        await ack()

    async def ack_search(ack: Any) -> None:
        await ack(await core(search_names))

    session = aiohttp.ClientSession()
    settings = IntrobotSettings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=slack.bot_token, slack_signing_secret=SECRET,
        slack_api_url=slack.api_url, slack_app_token="", slack_client_id="",
        slack_client_secret="")
    bot = build_slack_bot(program, settings, core_workers=workers)
    core = CoreCalls(workers)  # the bare search runs the core the way the adapter does
    adapter = SlackRunner(bot, host="127.0.0.1", port=0)
    await adapter.start()
    servers = {"bare-search": await _serve(_bare_app(slack, session, ack_search)),
               "bare-ack": await _serve(_bare_app(slack, session, ack_only))}
    urls = {"adapter": adapter.events_url, **{k: v[1] for k, v in servers.items()}}
    fields = {"token": "x", "team_id": slack.team_id, "team_domain": "bench",
              "channel_id": "C0BENCH001", "channel_name": "general", "user_id": SEEKER,
              "user_name": "seeker", "command": "/intro", "text": TEXT,
              "api_app_id": slack.app_id, "response_url": "", "trigger_id": ""}
    loop = asyncio.get_running_loop()
    results: dict[tuple[str, int], Load] = {}
    try:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            for level in LEVELS:
                count = max(200, 20 * level)
                for name in APPS:
                    results[name, level] = await loop.run_in_executor(
                        pool, drive, urls[name], fields, count, level, 20)
                    await adapter.bot.listeners.drained(60)
    finally:
        await adapter.stop()
        core.close()
        for runner, _ in servers.values():
            await runner.cleanup()
        await session.close()
    return results


def run(args: argparse.Namespace) -> list[Row]:
    size = getattr(args, "size", None) or 100_000
    kinds = ["sqlite"] + (["postgresql"] if postgres_url() else [])
    rows: list[Row] = []
    for kind in kinds:
        rows += asyncio.run(_measure(size, kind))
    return rows
