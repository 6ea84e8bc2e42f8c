"""Fixtures for the Slack adapter tests: a fake Slack with people, a program on a fresh SQLite
file, and the app running in HTTP or Socket Mode (`harness`, parametrised over both)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.bootstrap import Runtime, build_runtime
from bot.clock import ManualClock
from tests.fakes.slack import FakeSlack
from tests.slack.harness import SlackHarness, add_people

START = datetime(2025, 3, 3, 14, 0, tzinfo=UTC)  # a Monday afternoon


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once; each test gets a copy (migrating takes longer than a test)."""
    path = tmp_path_factory.mktemp("slack-template") / "template.db"
    build_runtime(f"sqlite:///{path}").close()
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture
def database_url(tmp_path: Path, migrated_database: Path) -> str:
    path = tmp_path / "slack.db"
    shutil.copyfile(migrated_database, path)
    return f"sqlite:///{path}"


@pytest.fixture
def runtime(database_url: str, clock: ManualClock) -> Iterator[Runtime]:
    built = build_runtime(database_url, clock=clock, admin_ids=frozenset(), migrate=False)
    try:
        yield built
    finally:
        built.close()


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        add_people(fake)
        yield fake


@pytest.fixture(params=["http", "socket"])
async def harness(
    request: pytest.FixtureRequest, slack: FakeSlack, runtime: Runtime
) -> AsyncIterator[SlackHarness]:
    running = SlackHarness(slack, runtime, request.param)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
async def http(slack: FakeSlack, runtime: Runtime) -> AsyncIterator[SlackHarness]:
    running = SlackHarness(slack, runtime, "http")
    await running.start()
    try:
        yield running
    finally:
        await running.stop()

