"""Discord: INTERACTION_CREATE sent → interaction callback received, for `/intro find climate`
over 100,000 mentors.

Three discord.py bots answer the same slash command, side by side in one run, each in its own
process against its own fake Discord (REST and gateway on 127.0.0.1, in this process, which
also sends the interactions and times them from the fake's records):

* `adapter` — the real Discord adapter: the core's find (parse, resolve the member, search,
  buffer the anonymous search record), rendered as embeds with Request intro buttons;
* `bare-respond` — a bare discord.py bot whose command only responds;
* `bare-search` — a bare discord.py bot whose command looks up the member and runs the same
  storage search (in a worker thread and a read-only unit of work, as the adapter's core
  does) and responds with plain text;
* `bare-core` — a bare discord.py bot whose command calls the core's find exactly as the
  adapter does and responds with the reply's plain text: what the core costs by itself, so
  adapter/bare-core is the adapter's own share.

At 1, 10 and 50 interactions in flight (waves of that many at once, the bots taking turns
wave by wave), each bot gets the same number after a warm-up. Rows
give p50/p99 of the first callback per bot and level, how many were deferred (their answer
then came later: `answered p50`), how many missed Discord's 3 s deadline, and the ratios
adapter/bare-search and adapter/bare-respond.

    .venv/bin/python -m benchmarks discord              # 100,000 mentors
    .venv/bin/python -m benchmarks discord --size 20000
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

import discord
from discord import app_commands
from sqlalchemy import Engine, insert, select

from adapters.discord.client import DiscordOptions, build_client, point_at
from benchmarks.report import Row, ms, percentile
from bot.app import IntroProgram
from bot.clock import ManualClock
from bot.context import CommunityKey, Invocation, PlatformUser
from bot.domain import MentorQuery, month_key
from storage import tables
from storage.engine import create_engine_for
from storage.migrate import upgrade
from storage.uow import make_uow_factory
from tests.fakes.discord import FakeDiscord
from tests.fakes.discord_interactions import string, subcommand

LEVELS = (1, 10, 50)
APPS = ("adapter", "bare-core", "bare-search", "bare-respond")
KEYWORDS = "climate"
NOW = datetime(2025, 3, 3, 14, 0, tzinfo=UTC)
WARMUP = 20
NO_ANSWER = 30.0

INDUSTRIES = ["Software", "Climate", "Finance", "Healthcare", "Education", "Energy", "Retail",
              "Media", "Government", "Biotech", "Consulting", "Law", "Design", "Robotics",
              "Logistics", "Agriculture", "Gaming", "Security", "Nonprofit", "Research"]
ROLES = ["Product manager", "Engineer", "Analyst", "Founder", "Designer", "Researcher",
         "Consultant", "Director", "Scientist", "Teacher", "Lawyer", "Economist"]
TOPICS = ["career change", "product strategy", "hiring", "fundraising", "policy", "data",
          "machine learning", "sustainability", "operations", "marketing", "sales", "grad school",
          "public speaking", "leadership", "remote work", "startups", "consulting cases",
          "carbon markets", "supply chains", "user research", "clinical trials", "teaching"]
COMPANIES = ["Acme", "Sunward", "Ledger Bank", "Northwind", "Copperline", "Blue Harbor",
             "Greenfield Labs", "Orbital", "Fable Health", "Keystone"]


# --------------------------------------------------------------------------- data


def populate(engine: Engine, size: int, guild_id: int) -> int:
    """`size` findable mentors in the community of `guild_id`, inserted in bulk; its id."""
    rng = random.Random(7)
    created = NOW.replace(year=2024)
    with engine.begin() as connection:
        community_id = connection.execute(
            insert(tables.communities).values(platform="discord", external_id=str(guild_id),
                                              name="bench", created_at=created)
            .returning(tables.communities.c.id)).scalar_one()
    batch = 5_000
    for start in range(0, size, batch):
        members = [{
            "community_id": community_id, "platform_user_id": f"{10**17 + n}",
            "display_name": f"Mentor {n}", "handle": f"mentor.{n}", "timezone": "UTC",
            "is_admin": False, "created_at": created,
        } for n in range(start, min(start + batch, size))]
        with engine.begin() as connection:
            connection.execute(insert(tables.members), members)
            ids = connection.execute(
                select(tables.members.c.id).where(
                    tables.members.c.community_id == community_id,
                    tables.members.c.platform_user_id >= f"{10**17 + start}")
                .order_by(tables.members.c.id).limit(batch)).scalars().all()
            profiles = []
            for member_id in ids:
                industries = ", ".join(rng.sample(INDUSTRIES, 2))
                role, topics = rng.choice(ROLES), rng.sample(TOPICS, 3)
                headline = f"{role} in {industries.split(', ')[0].lower()}"
                expertise = ", ".join(topics)
                company = rng.choice(COMPANIES)
                profiles.append({
                    "community_id": community_id, "member_id": member_id,
                    "created_at": created, "updated_at": created, "headline": headline,
                    "industries": industries, "expertise": expertise, "company": company,
                    "role": role, "cohort": str(rng.randint(1990, 2020)), "bio": "",
                    "formats": "call,video", "capacity": rng.randint(1, 5), "available": True,
                    "away_until": None, "active": True, "consecutive_expiries": 0,
                    "accepted_month": month_key(NOW), "accepted_count": 0,
                    "last_requested_at": None, "recent_requests": rng.randint(0, 4),
                    "search_text": f"{headline} {industries.replace(',', ' ')} "
                                   f"{expertise.replace(',', ' ')} {company} {role}",
                })
            connection.execute(insert(tables.mentor_profiles), profiles)
    return int(community_id)


# --------------------------------------------------------------------------- the bots


@dataclass(frozen=True)
class BotSpec:
    app: str
    api_url: str
    gateway_url: str
    token: str
    guild_id: int
    """The guild of this bot's fake (commands are synced there)."""
    database_url: str
    community_id: int
    community_guild_id: int
    """The guild the mentors belong to (the adapter's fake)."""
    community_name: str
    seeker_id: str


def _bare_client(spec: BotSpec, program: IntroProgram) -> discord.Client:
    """A plain discord.py bot with `/intro find` taking the adapter's options."""
    intents = discord.Intents.none()
    intents.guilds = True
    client = discord.Client(intents=intents)
    tree: app_commands.CommandTree[Any] = app_commands.CommandTree(client)
    intro = app_commands.Group(name="intro", description="Intros")
    uow_factory = make_uow_factory(create_engine_for(spec.database_url))

    def search_names() -> str:
        # A search only reads: a read-only unit, as the core's find uses for a known member.
        with uow_factory(read_only=True) as uow:
            seeker = uow.members.by_platform_id(spec.community_id, spec.seeker_id)
            assert seeker is not None and seeker.id is not None
            query = MentorQuery(terms=[KEYWORDS], exclude_member_ids=frozenset({seeker.id}),
                                limit=5)
            hits = uow.mentors.search(spec.community_id, query, NOW)
        return "\n".join(f"{h.member.display_name}: {h.profile.headline}" for h in hits)

    @intro.command(name="find", description="Find mentors")
    async def find(interaction: discord.Interaction[Any], keywords: str | None = None,
                   industry: str | None = None, company: str | None = None) -> None:
        if spec.app == "bare-search":
            text = await asyncio.to_thread(search_names)
        elif spec.app == "bare-core":
            inv = Invocation(CommunityKey("discord", str(spec.community_guild_id),
                                          spec.community_name),
                             PlatformUser(str(interaction.user.id), interaction.user.display_name,
                                          interaction.user.name))
            outcome = await asyncio.to_thread(program.command, inv, "intro", f"find {keywords}")
            text = (outcome.reply.text if outcome.reply else "")[:2000] or "none"
        else:
            text = "ok"
        await interaction.response.send_message(text, ephemeral=True)

    tree.add_command(intro)

    async def setup_hook() -> None:
        guild = discord.Object(id=spec.guild_id)
        tree.copy_global_to(guild=guild)
        await tree.sync(guild=guild)

    client.setup_hook = setup_hook  # type: ignore[method-assign]
    return client


async def _run_bot(spec: BotSpec, stop: Event) -> None:
    point_at(spec.api_url, spec.gateway_url)
    engine = create_engine_for(spec.database_url)
    program = IntroProgram(make_uow_factory(engine), ManualClock(NOW))
    client: discord.Client
    if spec.app == "adapter":
        client = build_client(program, DiscordOptions(dev_guild=spec.guild_id,
                                                      identify_pause=False))
    else:
        client = _bare_client(spec, program)
    parent = os.getppid()

    def wait_for_stop() -> None:
        # Stop when told, or when the benchmark process is gone.
        while not stop.wait(1.0) and os.getppid() == parent:
            pass

    async with client:
        serving = asyncio.create_task(client.start(spec.token))
        await asyncio.to_thread(wait_for_stop)
        await client.close()
        await asyncio.gather(serving, return_exceptions=True)
    engine.dispose()


def serve_bot(spec: BotSpec, stop: Event) -> None:
    """Runs in a child process until `stop` is set."""
    asyncio.run(_run_bot(spec, stop))


# --------------------------------------------------------------------------- load


class UncheckedFake(FakeDiscord):
    """The fake without its request-body validation. The tests check every body; here the
    check's CPU time (about 20 ms for a reply with five embeds and buttons, 1 ms for plain
    text) runs on the loop that records arrivals, and would count against the bot sending
    the bigger payloads."""

    def _check_body(self, call: Any, content_type: str) -> list[str]:
        return []


@dataclass
class Load:
    """One bot at one level: first-callback latencies, the answer's latencies (later for a
    deferred interaction), how many were deferred, how many missed the 3 s deadline, and
    how many were never answered (the bot failed, e.g. the database stayed locked)."""

    callbacks: list[float] = field(default_factory=list)
    answers: list[float] = field(default_factory=list)
    deferred: int = 0
    late: int = 0
    unanswered: int = 0


class Answers:
    """When each deferred interaction got its answer (the edit of @original), by token;
    reads the fake's call log incrementally, so waiting on many stays cheap."""

    def __init__(self, fake: FakeDiscord) -> None:
        self._fake = fake
        self._seen = 0
        self._at: dict[str, float] = {}

    def at(self, token: str) -> float | None:
        calls = self._fake.calls
        for call in calls[self._seen:]:
            if (call.method == "PATCH" and call.status == 200
                    and call.path.endswith("/messages/@original")):
                self._at.setdefault(call.path.split("/")[3], call.at)
        self._seen = len(calls)
        return self._at.get(token)


_ANSWERS: dict[int, Answers] = {}


def _answered_at(fake: FakeDiscord, token: str) -> float | None:
    return _ANSWERS.setdefault(id(fake), Answers(fake)).at(token)


async def one(fake: FakeDiscord, load: Load | None) -> None:
    """One `/intro find` interaction, timed from the fake's records (None: a warm-up)."""
    sent = await fake.send_slash("intro", [subcommand("find", string("keywords", KEYWORDS))],
                                 user=fake.member)
    try:
        callback = await fake.wait_callback(sent, timeout=NO_ANSWER)
        if callback.type == 5:
            await fake.wait_for(lambda: _answered_at(fake, sent.token), timeout=NO_ANSWER)
    except (AssertionError, TimeoutError):
        if load is not None:
            load.unanswered += 1
        return
    if load is None:
        return
    first = callback.at - sent.dispatched_at
    load.callbacks.append(first)
    if not callback.accepted:
        load.late += 1
    if callback.type == 5:
        load.deferred += 1
        answered = _answered_at(fake, sent.token)
        load.answers.append((answered or callback.at) - sent.dispatched_at)
    else:
        load.answers.append(first)


async def drive(fakes: dict[str, FakeDiscord], level: int, count: int) -> dict[str, Load]:
    """`count` interactions per bot in waves of `level` at once, the bots taking turns wave
    by wave, so that drift in the machine's speed (disk syncs, caches) hits all alike."""
    loads = {app: Load() for app in fakes}
    for _ in range(max(1, count // level)):
        for app, fake in fakes.items():
            await asyncio.gather(*(one(fake, loads[app]) for _ in range(level)))
    return loads


# --------------------------------------------------------------------------- the run


async def _started(fake: FakeDiscord, process: Any) -> None:
    deadline = time.monotonic() + 120
    while fake.synced_command("intro", guild=fake.guild) is None or not fake.gateway.sessions:
        if not process.is_alive():
            raise RuntimeError("a benchmark bot stopped while starting")
        if time.monotonic() > deadline:
            raise TimeoutError("a benchmark bot did not connect")
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)  # GUILD_CREATE handled


async def _measure(size: int) -> list[Row]:
    workdir = Path(tempfile.mkdtemp(prefix="introbot-bench-discord-"))
    url = f"sqlite:///{workdir / 'bench.db'}"
    context = multiprocessing.get_context("spawn")
    fakes: dict[str, FakeDiscord] = {app: UncheckedFake(token=f"bench-token-{app}")
                                     for app in APPS}
    processes: list[Any] = []
    stop = context.Event()
    try:
        engine = create_engine_for(url)
        upgrade(engine)
        loaded = time.perf_counter()
        community_id = populate(engine, size, fakes["adapter"].guild.id)
        load_seconds = time.perf_counter() - loaded
        seeker = fakes["adapter"].member
        program = IntroProgram(make_uow_factory(engine), ManualClock(NOW))
        # The seeker exists before the bare search runs (the adapter would create them).
        program.ensure_member(CommunityKey("discord", str(fakes["adapter"].guild.id),
                                           fakes["adapter"].guild.name),
                              PlatformUser(str(seeker.id), "Ben", "ben"))
        engine.dispose()
        for app, fake in fakes.items():
            await fake.start()
            spec = BotSpec(app, fake.api_url, fake.gateway_url, fake.token, fake.guild.id, url,
                           community_id, fakes["adapter"].guild.id,
                           fakes["adapter"].guild.name, str(seeker.id))
            process = context.Process(target=serve_bot, args=(spec, stop), daemon=True)
            process.start()
            processes.append(process)
            await _started(fake, process)
        for app in APPS:
            for _ in range(WARMUP):
                await one(fakes[app], None)
        results: dict[tuple[str, int], Load] = {}
        for level in LEVELS:
            for app, load in (await drive(fakes, level, max(200, 20 * level))).items():
                results[app, level] = load
        violations = {app: fakes[app].violations for app in APPS}
    finally:
        stop.set()
        for process in processes:
            process.join(30)
        for fake in fakes.values():
            await fake.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return _rows(size, load_seconds, results, violations)


def _rows(size: int, load_seconds: float, results: dict[tuple[str, int], Load],
          violations: dict[str, list[str]]) -> list[Row]:
    label = f"sqlite, {size:,} mentors"
    rows = [Row("discord", f"{label}: bulk load", {"time": f"{load_seconds:.1f} s"})]
    for level in LEVELS:
        for app in APPS:
            load = results[app, level]
            rows.append(Row("discord", f"{label}: {app} @{level}", {
                "n": str(len(load.callbacks)),
                "p50": ms(percentile(load.callbacks, 50)),
                "p99": ms(percentile(load.callbacks, 99)),
                "deferred": str(load.deferred),
                "answered p50": ms(percentile(load.answers, 50)),
                "answered p99": ms(percentile(load.answers, 99)),
                "late (>3 s)": str(load.late),
                "unanswered": str(load.unanswered),
            }))
        ours = results["adapter", level].callbacks
        for base in ("bare-core", "bare-search", "bare-respond"):
            other = results[base, level].callbacks
            rows.append(Row("discord", f"{label}: adapter/{base} @{level}", {
                "p50": f"{percentile(ours, 50) / percentile(other, 50):.2f}x",
                "p99": f"{percentile(ours, 99) / percentile(other, 99):.2f}x",
            }))
    for app, found in violations.items():
        late = sum(1 for v in found if "answered after" in v or "no response" in v)
        if len(found) > late:
            rows.append(Row("discord", f"{label}: {app} other violations",
                            {"n": str(len(found) - late), "first": found[0][:60]}))
    return rows


def run(args: argparse.Namespace) -> list[Row]:
    size = getattr(args, "size", None) or 100_000
    return asyncio.run(_measure(size))

