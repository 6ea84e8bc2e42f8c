"""Running `introbot run` for real in child processes, and the things tests read from them.

`IntrobotProcess` starts the same entry point as the `introbot` script (`adapters.cli.main`)
with the loopback guard installed first, so a child that would dial a real platform fails as
loudly as the tests do. Its JSON log lines are collected as they come; the "started" line says
which port the OS picked (INTROBOT_HTTP_PORT=0).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import Connection, delete, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from storage import tables
from storage.engine import create_engine_for
from tests.support.db import postgres_url

REPO = Path(__file__).resolve().parents[2]
CHILD = ("from tests.loopback import install_loopback_guard; install_loopback_guard(); "
         "from adapters.cli import main; main()")
PLATFORM_PREFIXES = ("INTROBOT_", "SLACK_", "DISCORD_")


def clean_env(extra: Mapping[str, str]) -> dict[str, str]:
    """The test's environment without any Introbot, Slack or Discord setting, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(PLATFORM_PREFIXES)}
    env["PYTHONPATH"] = str(REPO)
    env["INTROBOT_TEST_POSTGRES_URL"] = os.environ.get("INTROBOT_TEST_POSTGRES_URL", "")
    env.update(extra)
    return env


def run_cli(args: list[str], env: Mapping[str, str], cwd: Path,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`introbot ARGS` to the end, in `cwd` (no .env there unless the test put one)."""
    return subprocess.run([sys.executable, "-c", CHILD, *args], capture_output=True, text=True,
                          cwd=cwd, env=clean_env(env), timeout=timeout, check=False)


class IntrobotProcess:
    """`introbot run` in a child process."""

    def __init__(self, env: Mapping[str, str], cwd: Path, name: str = "introbot") -> None:
        self.name = name
        settings = {"INTROBOT_HTTP_HOST": "127.0.0.1", "INTROBOT_HTTP_PORT": "0",
                    "INTROBOT_LOG_FORMAT": "json", "INTROBOT_REPLICA_ID": name, **env}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, "run"], cwd=cwd, env=clean_env(settings),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
        self.lines: list[str] = []
        self.records: list[dict[str, Any]] = []
        self._changed = threading.Condition()
        self._readers = [threading.Thread(target=self._read, args=(stream,), daemon=True)
                         for stream in (self.proc.stdout, self.proc.stderr)]
        for reader in self._readers:
            reader.start()

    def _read(self, stream: Any) -> None:
        for line in stream:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    record = None
                if isinstance(record, dict):
                    self.records.append(record)
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_for_record(self, predicate: Callable[[dict[str, Any]], bool],
                        timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for record in self.records:
                    if predicate(record):
                        return record
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None
                                 and not any(r.is_alive() for r in self._readers)):
                    raise AssertionError(
                        f"{self.name}: no such log line; exit code {self.proc.poll()}; "
                        "output:\n" + "\n".join(self.lines[-40:]))
                self._changed.wait(min(left, 0.2))

    @property
    def port(self) -> int:
        started = self.wait_for_record(lambda r: r.get("event") == "started")
        return int(started["http_port"])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def terminate(self, timeout: float = 30.0) -> int:
        """SIGTERM, and the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout)
        for reader in self._readers:
            reader.join(5)
        return code

    def kill(self) -> None:
        """SIGKILL: no chance to clean up."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def output(self) -> str:
        with self._changed:
            return "\n".join(self.lines)

    def __enter__(self) -> IntrobotProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def started(process: IntrobotProcess, timeout: float = 30.0) -> int:
    """Wait (without blocking the event loop the fakes run on) for the "started" line; the
    HTTP port."""
    record = await asyncio.to_thread(
        process.wait_for_record, lambda r: r.get("event") == "started", timeout)
    return int(record["http_port"])


async def wait_ready(process: IntrobotProcess, timeout: float = 30.0) -> dict[str, Any]:
    """Poll /readyz until it says 200; its JSON body."""
    await started(process, timeout)
    deadline = time.monotonic() + timeout
    last = (0, "")
    while time.monotonic() < deadline:
        if process.proc.poll() is not None:
            raise AssertionError(f"{process.name} exited with {process.proc.returncode}:\n"
                                 + process.output()[-4000:])
        try:
            last = await get(process.url + "/readyz")
        except aiohttp.ClientError:
            last = (0, "")
        if last[0] == 200:
            found: dict[str, Any] = json.loads(last[1])
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"{process.name} never got ready; last answer {last}")


def metric(text_format: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text (0 when absent)."""
    from prometheus_client.parser import text_string_to_metric_families

    total = 0.0
    for family in text_string_to_metric_families(text_format):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                total += sample.value
    return total


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database next to the test one (dropped afterwards): its URL."""
    base = postgres_url()
    if base is None:
        raise RuntimeError("INTROBOT_TEST_POSTGRES_URL is not set")
    name = f"introbot_prod_{uuid.uuid4().hex[:12]}"
    admin = create_engine_for(base, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def no_quiet_hours(connection: Connection, now: datetime) -> None:
    """Every community without quiet hours: tests that deliver reminders on the wall clock
    must not depend on the time of day they run at."""
    settings = tables.program_settings.c
    for community_id in connection.execute(select(tables.communities.c.id)).scalars().all():
        connection.execute(delete(tables.program_settings).where(
            settings.community_id == community_id, settings.key == "quiet_hours"))
        connection.execute(insert(tables.program_settings).values(
            community_id=community_id, key="quiet_hours", value="off", updated_at=now))
