"""Fixtures for the Discord adapter tests: a fake Discord with people, a program on a fresh
SQLite file, and the real client connected to the fake (`harness`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.bootstrap import Runtime, build_runtime
from adapters.discord.client import DiscordOptions
from bot.clock import ManualClock
from tests.discord.harness import DiscordHarness, People, add_people
from tests.fakes.discord import FakeDiscord

START = datetime(2025, 3, 3, 14, 0, tzinfo=UTC)  # a Monday afternoon


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """The fake Discord. Every test ends with nothing sent that Discord would refuse (bodies
    against its OpenAPI description, the 3 s rule, one response per interaction)."""
    async with FakeDiscord() as server:
        with server.patch_discord():
            yield server
        assert server.violations == []


@pytest.fixture
def people(fake: FakeDiscord) -> People:
    return add_people(fake)


@pytest.fixture
def runtime(tmp_path: Path, clock: ManualClock, people: People) -> Iterator[Runtime]:
    built = build_runtime(f"sqlite:///{tmp_path / 'discord.db'}", clock=clock,
                          admin_ids=frozenset({str(people.admin_by_setting.id)}))
    try:
        yield built
    finally:
        built.close()


@pytest.fixture
def options(fake: FakeDiscord) -> DiscordOptions:
    return DiscordOptions(dev_guild=fake.guild.id)


@pytest.fixture
async def harness(
    fake: FakeDiscord, runtime: Runtime, options: DiscordOptions
) -> AsyncIterator[DiscordHarness]:
    running = DiscordHarness(fake, runtime, options)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()
