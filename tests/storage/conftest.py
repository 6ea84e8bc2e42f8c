"""Storage tests run against every configured database (see tests/support/db.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from storage.uow import SqlUnitOfWorkFactory, make_uow_factory
from tests.support.db import database_kind, make_test_engine

__all__ = ["database_kind"]


@pytest.fixture
def engine(database_kind: str, tmp_path: Path) -> Iterator[Engine]:
    with make_test_engine(database_kind, tmp_path) as engine:
        yield engine


@pytest.fixture
def uow_factory(engine: Engine) -> SqlUnitOfWorkFactory:
    return make_uow_factory(engine)
