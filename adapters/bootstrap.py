"""The composition root: settings → engine → migrations → unit of work → core program."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from bot.app import IntroProgram
from bot.clock import Clock, SystemClock
from storage.engine import create_engine_for
from storage.migrate import upgrade
from storage.uow import make_uow_factory


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
    program_class: Callable[..., IntroProgram] = IntroProgram,
) -> Runtime:
    """`program_class`: what the adapters get as the program (`introbot run` gives them an
    instrumented one, adapters/metrics.py)."""
    engine = create_engine_for(database_url)
    if migrate:
        upgrade(engine)
    clock = clock or SystemClock()
    program = program_class(
        make_uow_factory(engine), clock, admin_ids=admin_ids, import_reader=_read_text
    )
    return Runtime(engine=engine, program=program, clock=clock)
