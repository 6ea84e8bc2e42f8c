"""Fixtures: a migrated database of every configured kind (tests/support/db.py), a manual
clock, the core program and the dispatcher's outbox claims."""

from __future__ import annotations

from tests.dispatcher.world import claims, clock, engine, program, uow_factory
from tests.support.db import database_kind

__all__ = ["claims", "clock", "database_kind", "engine", "program", "uow_factory"]
