"""End-to-end console harness: a seeded demo community on a SQLite file, driven by scripts.

Every test gets its own copy of a database seeded once per test run (the demo community of
adapters/console/sample_alumni.json, loaded through the core by `seed_demo`), a ManualClock at
`NOW`, and a `ConsoleWorld` to drive it::

    def test_something(world: ConsoleWorld) -> None:
        out = world.run('''
            /as @jordan.reyes
            /intro find fintech
        ''')
        assert "Daniel Mensah" in out

`world.run` feeds the lines to one long-lived ConsoleSession (echo on) and returns what it
printed for them; the acting member and the numbered buttons carry over between calls. A form
is answered one line per field; a line holding only `KEEP` (⏎) is an empty answer.
`button(transcript, "Accept")` finds a button's number, `dms(transcript)` the DMs printed.
`world.snapshot()` reads every table, so a test can prove that a refusal changed no data.
"""

from __future__ import annotations

import io
import re
import shutil
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, RowMapping, select

from adapters.bootstrap import Runtime, build_runtime
from adapters.console.seed import SamplePerson, load_sample_people, seed_demo
from adapters.console.session import ConsoleSession, ConsoleUser
from bot.clock import ManualClock
from bot.context import CommunityKey
from storage import tables

NOW = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
COMMUNITY = CommunityKey("console", "demo", "Demo alumni community")
ADMIN = "ruth.abernathy"
SEEKER = "jordan.reyes"
KEEP = "⏎"
"""A script line holding only this is sent as an empty line (Enter in a form)."""

_BUTTON = re.compile(r"\[(\d+)\] ((?:(?!\s{3}|\[\d+\]).)+)")
_PROMPT = re.compile(r"^(?:@[a-z0-9._-]+|\(nobody\))> ")
_DM_HEAD = re.compile(r"^── (?:DM to (?P<one>.+?)|group DM: (?P<many>.+?)) ─+$")


@dataclass(frozen=True)
class Dm:
    """One DM as the console printed it."""

    recipients: tuple[str, ...]
    text: str


def dms(transcript: str) -> list[Dm]:
    """The DMs printed in `transcript`, in order (each runs until the next prompt or DM)."""
    found: list[Dm] = []
    current: list[str] | None = None
    names: tuple[str, ...] = ()
    for line in [*transcript.splitlines(), "(nobody)> "]:
        head = _DM_HEAD.match(line)
        ends = head or _PROMPT.match(line) or line.startswith("┌")
        if ends and current is not None:
            found.append(Dm(names, "\n".join(current)))
            current = None
        if head:
            names = tuple((head["one"] or head["many"]).split(", "))
            current = []
        elif current is not None:
            current.append(line)
    return found


def dms_to(transcript: str, name: str) -> list[Dm]:
    return [dm for dm in dms(transcript) if name in dm.recipients]


def buttons(transcript: str) -> list[tuple[int, str]]:
    """Every `[N] Label` in `transcript`, in order."""
    return [(int(m[1]), m[2].strip()) for m in _BUTTON.finditer(transcript)]


def button(transcript: str, label: str, nth: int = -1) -> int:
    """The number of the `nth` (default: last) button labelled `label` in `transcript`."""
    numbers = [n for n, text in buttons(transcript) if text == label]
    if not numbers:
        raise AssertionError(f"no [N] {label} button in:\n{transcript}")
    return numbers[nth]


def one_line(text: str) -> str:
    """The transcript with its wrapping undone, for asserting on sentences."""
    return " ".join(text.split())


class ConsoleWorld:
    """A console session over a seeded database, plus ways to look into the database."""

    def __init__(self, runtime: Runtime, clock: ManualClock, files_dir: Path,
                 people: list[SamplePerson]) -> None:
        self.runtime = runtime
        self.clock = clock
        self.files_dir = files_dir
        self.people = people
        self.out = io.StringIO()
        self.session = ConsoleSession(
            runtime.program, clock, self.out, files_dir, community=COMMUNITY,
            lookup_user=self._lookup, echo=True,
        )

    @property
    def engine(self) -> Engine:
        return self.runtime.engine

    def _lookup(self, handle: str) -> ConsoleUser | None:
        member = self.runtime.program.find_member(COMMUNITY, handle)
        if member is None:
            return None
        return ConsoleUser(member.handle, member.display_name, member.timezone)

    # ------------------------------------------------------------ driving

    def run(self, script: str) -> str:
        """Feed `script` (dedented, one console line per line) and return what was printed.

        A form's empty answer (keep the value shown) is an empty line; a line holding only
        `KEEP` is one too, easier to count in a script."""
        text = textwrap.dedent(script).removeprefix("\n")
        lines = ["" if line.strip() == KEEP else line for line in text.splitlines()]
        start = len(self.out.getvalue())
        self.session.run(io.StringIO("".join(f"{line}\n" for line in lines)))
        return self.out.getvalue()[start:]

    def request(self, seeker: str, mentor: str, topic: str, why: str = "",
                fmt: str = "", free: str = "") -> str:
        """`/intro request` as `seeker`, answering the four form fields."""
        return self.run(f"/as @{seeker}\n/intro request @{mentor}\n{topic}\n{why}\n{fmt}\n"
                        f"{free}\n")

    # ------------------------------------------------------------ looking inside

    def rows(self, table: str, **where: Any) -> list[RowMapping]:
        t = tables.metadata.tables[table]
        query = select(t)
        for column, value in where.items():
            query = query.where(t.c[column] == value)
        with self.engine.connect() as connection:
            return list(connection.execute(query.order_by(*t.primary_key.columns)).mappings())

    def one(self, table: str, **where: Any) -> RowMapping:
        found = self.rows(table, **where)
        assert len(found) == 1, f"{table} {where}: {len(found)} rows"
        return found[0]

    def member(self, handle: str) -> RowMapping:
        return self.one("members", handle=handle)

    def profile(self, handle: str) -> RowMapping:
        return self.one("mentor_profiles", member_id=self.member(handle)["id"])

    def requests(self, **where: Any) -> list[RowMapping]:
        return self.rows("intro_requests", **where)

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table (the whole stored state)."""
        state: dict[str, list[tuple[Any, ...]]] = {}
        with self.engine.connect() as connection:
            for table in tables.metadata.sorted_tables:
                result = connection.execute(select(table).order_by(*table.primary_key.columns))
                state[table.name] = [tuple(row) for row in result]
        return state


@pytest.fixture(scope="session")
def seeded_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with the demo community, seeded once at NOW."""
    path = tmp_path_factory.mktemp("seeded") / "demo.db"
    runtime = build_runtime(f"sqlite:///{path}", clock=ManualClock(NOW),
                            admin_ids=frozenset({ADMIN}))
    try:
        seed_demo(runtime.program, COMMUNITY)
    finally:
        runtime.close()
    return path


@pytest.fixture
def world(seeded_database: Path, tmp_path: Path) -> Iterator[ConsoleWorld]:
    path = tmp_path / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        source = seeded_database.with_name(seeded_database.name + suffix)
        if source.exists():
            shutil.copyfile(source, path.with_name(path.name + suffix))
    clock = ManualClock(NOW)
    people = load_sample_people()
    admins = frozenset(p.handle for p in people if p.kind == "admin")
    assert ADMIN in admins
    runtime = build_runtime(f"sqlite:///{path}", clock=clock, admin_ids=admins)
    try:
        yield ConsoleWorld(runtime, clock, tmp_path / "files", people)
    finally:
        runtime.close()
