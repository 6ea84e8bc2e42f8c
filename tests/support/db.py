"""Real, migrated databases for tests: a SQLite file, and PostgreSQL when
INTROBOT_TEST_POSTGRES_URL is set (each engine then gets its own schema, dropped afterwards).

Reuse from any test folder's conftest::

    from tests.support.db import database_kind, make_test_engine  # database_kind is a fixture

    @pytest.fixture
    def engine(database_kind: str, tmp_path: Path) -> Iterator[Engine]:
        with make_test_engine(database_kind, tmp_path) as engine:
            yield engine
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.pool import NullPool

from storage.engine import create_engine_for
from storage.migrate import upgrade

POSTGRES_URL_ENV = "INTROBOT_TEST_POSTGRES_URL"
SCHEMA_PREFIX = "introbot_test_"


def postgres_url() -> str | None:
    return os.environ.get(POSTGRES_URL_ENV) or None


def database_kinds() -> list[str]:
    """"sqlite", plus "postgresql" when the test database is configured."""
    return ["sqlite", "postgresql"] if postgres_url() else ["sqlite"]


DATABASE_PARAMS = [
    pytest.param(kind, id=kind, marks=[pytest.mark.postgres] if kind == "postgresql" else [])
    for kind in database_kinds()
]


@pytest.fixture(params=DATABASE_PARAMS)
def database_kind(request: pytest.FixtureRequest) -> str:
    """Each test using it runs once per configured database."""
    kind: str = request.param
    return kind


@contextmanager
def make_test_engine(kind: str, tmp_path: Path, migrate: bool = True) -> Iterator[Engine]:
    """An engine on a fresh, empty database of `kind`, migrated to head unless told not to;
    everything is removed on exit."""
    if kind == "sqlite":
        engine = create_engine_for(f"sqlite:///{tmp_path / 'introbot.db'}")
        try:
            if migrate:
                upgrade(engine)
            yield engine
        finally:
            engine.dispose()
    elif kind == "postgresql":
        with _postgres_schema() as engine:
            if migrate:
                upgrade(engine)
            yield engine
    else:
        raise ValueError(f"unknown database kind {kind!r}")


@contextmanager
def _postgres_schema() -> Iterator[Engine]:
    url = postgres_url()
    if url is None:
        raise RuntimeError(f"set {POSTGRES_URL_ENV} to test against PostgreSQL")
    schema = f"{SCHEMA_PREFIX}{uuid.uuid4().hex[:16]}"
    admin = create_engine_for(url, poolclass=NullPool)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine_for(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
