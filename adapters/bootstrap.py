"""The composition root: settings → engine → migrations → unit of work → core program."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine
from storage.uow import make_uow_factory

from bot.app import IntroProgram
from bot.clock import Clock, SystemClock
from storage.engine import create_engine_for
from storage.migrate import upgrade


@dataclass
class Runtime:
    engine: Engine
    program: IntroProgram
    clock: Clock

    def close(self) -> None:
        self.engine.dispose()


def _read_text(path: str) -> str:
    with open(path, encoding="utf-8-sig") as handle:
        return handle.read(2_000_001)


def build_runtime(
    database_url: str,
    clock: Clock | None = None,
    admin_ids: frozenset[str] = frozenset(),
    migrate: bool = True,
) -> Runtime:
    engine = create_engine_for(database_url)
    if migrate:
        upgrade(engine)
    clock = clock or SystemClock()
    program = IntroProgram(
        make_uow_factory(engine), clock, admin_ids=admin_ids, import_reader=_read_text
    )
    return Runtime(engine=engine, program=program, clock=clock)
