"""Engine set-up: SQLite durability settings and locking, PostgreSQL URLs."""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.pool import StaticPool

from storage.engine import create_engine_for, normalise_url
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWorkFactory, make_uow_factory
from tests.storage.builders import NOW


def _pragma(engine: Engine, name: str) -> object:
    with engine.connect() as connection:
        return connection.exec_driver_sql(f"PRAGMA {name}").scalar()


def test_sqlite_file_pragmas(tmp_path: Path) -> None:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'p.db'}")
    try:
        assert _pragma(engine, "journal_mode") == "wal"
        assert _pragma(engine, "synchronous") == 2  # FULL
        assert _pragma(engine, "busy_timeout") == 10000
        assert _pragma(engine, "foreign_keys") == 1
        assert _pragma(engine, "secure_delete") == 1
        assert _pragma(engine, "cache_size") == -65536
        assert _pragma(engine, "mmap_size") == 268435456
    finally:
        engine.dispose()


def test_sqlite_transactions_take_the_write_lock_at_begin(tmp_path: Path) -> None:
    path = tmp_path / "lock.db"
    engine = create_engine_for(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
        with engine.connect() as connection, connection.begin():
            connection.execute(text("SELECT count(*) FROM t"))  # a read only
            other = sqlite3.connect(path, timeout=0)
            try:
                with pytest.raises(sqlite3.OperationalError, match="locked"):
                    other.execute("BEGIN IMMEDIATE")
            finally:
                other.close()
        other = sqlite3.connect(path, timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")  # free again once the transaction ended
            other.rollback()
        finally:
            other.close()
    finally:
        engine.dispose()


def test_sqlite_rollback_undoes_writes(tmp_path: Path) -> None:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'r.db'}")
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
        with engine.connect() as connection:
            with connection.begin() as transaction:
                connection.execute(text("INSERT INTO t VALUES (1)"))
                transaction.rollback()
            assert connection.execute(text("SELECT count(*) FROM t")).scalar() == 0
    finally:
        engine.dispose()


def test_sqlite_in_memory_keeps_one_database() -> None:
    engine = create_engine_for("sqlite://")
    try:
        assert isinstance(engine.pool, StaticPool)
        assert _pragma(engine, "foreign_keys") == 1
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
            connection.execute(text("INSERT INTO t VALUES (7)"))
        with engine.connect() as connection:
            assert connection.execute(text("SELECT x FROM t")).scalar() == 7
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u@db:5432/app", "postgresql+psycopg://u@db:5432/app"),
        ("postgres://u@db/app", "postgresql+psycopg://u@db/app"),
        ("postgresql+psycopg://u@db/app", "postgresql+psycopg://u@db/app"),
        ("sqlite:///introbot.db", "sqlite:///introbot.db"),
    ],
)
def test_postgres_urls_use_psycopg(given: str, expected: str) -> None:
    assert normalise_url(given).render_as_string(hide_password=False) == expected


def test_plain_postgres_url_builds_a_psycopg_engine() -> None:
    engine = create_engine_for("postgresql://u:secret@127.0.0.1:1/app")
    try:
        assert engine.dialect.name == "postgresql"
        assert engine.dialect.driver == "psycopg"
    finally:
        engine.dispose()


def test_the_test_engine_connects(engine: Engine) -> None:
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1


def test_in_memory_database_serves_units_of_work() -> None:
    engine = create_engine_for("sqlite://")
    try:
        upgrade(engine)
        factory = make_uow_factory(engine)
        with factory() as uow:
            uow.communities.get_or_create("console", "demo", "Demo", NOW)
            uow.commit()
        with factory() as uow:
            uow.communities.get_or_create("console", "other", "Other", NOW)
        with factory() as uow:
            assert [c.external_id for c in uow.communities.all()] == ["demo"]
    finally:
        engine.dispose()


def test_communities_created_at_once_are_one(uow_factory: SqlUnitOfWorkFactory) -> None:
    barrier = threading.Barrier(6)

    def create() -> int | None:
        barrier.wait()
        with uow_factory() as uow:
            community = uow.communities.get_or_create("slack", "T-race", "Race", NOW)
            uow.commit()
        return community.id

    with ThreadPoolExecutor(max_workers=6) as pool:
        ids = list(pool.map(lambda _: create(), range(6)))
    assert len(set(ids)) == 1
    with uow_factory() as uow:
        assert len(uow.communities.all()) == 1
