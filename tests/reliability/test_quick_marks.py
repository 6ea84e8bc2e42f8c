"""Recording outcomes cheaply and safely: on a SQLite file the dispatcher's claims run on an
engine of their own with synchronous=NORMAL (the core's writes keep FULL), and `try_settle`
records marks in place without ever waiting for the write lock. It must write exactly what
`settle` writes, and write nothing when it would have to wait."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text

from storage import tables
from storage.outbox_claims import Mark, OutboxClaims, Outcome
from storage.uow import SqlUnitOfWorkFactory, make_uow_factory
from tests.dispatcher.world import NOW, OB, People
from tests.support.db import make_test_engine, postgres_url

Factory = SqlUnitOfWorkFactory
needs_postgres = pytest.mark.skipif(postgres_url() is None,
                                    reason="set INTROBOT_TEST_POSTGRES_URL")


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """`try_settle` and the NORMAL engine are for SQLite files only."""
    with make_test_engine("sqlite", tmp_path) as engine:
        yield engine


@pytest.fixture
def sqlite_claims(sqlite_engine: Engine) -> Iterator[OutboxClaims]:
    found = OutboxClaims(sqlite_engine)
    yield found
    found.close()


def marks_of_every_kind(claims: OutboxClaims) -> list[Mark]:
    items = claims.claim("me", NOW, limit=5)
    assert len(items) == 5
    sent, dropped, failed, retry, deferred = items
    return [
        Mark(sent, Outcome.SENT),
        Mark(dropped, Outcome.DROPPED, "moot: the request was cancelled"),
        Mark(failed, Outcome.FAILED, "x" * 5000),  # cut to the error limit
        Mark(retry, Outcome.RETRY, "HTTP 503", NOW + timedelta(minutes=1, microseconds=7)),
        Mark(deferred, Outcome.DEFERRED, "", NOW + timedelta(seconds=30)),
    ]


def rows_by_position(engine: Engine, dedupe_prefix: str) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(tables.reminder_outbox).where(OB.dedupe_key.like(f"{dedupe_prefix}%"))
            .order_by(OB.id)
        )
        return [{key: value for key, value in row._mapping.items()
                 if key not in {"id", "dedupe_key", "recipient_id"}} for row in rows]


def test_try_settle_writes_what_settle_writes(
    sqlite_claims: OutboxClaims, sqlite_engine: Engine
) -> None:
    claims, engine = sqlite_claims, sqlite_engine
    people = People(make_uow_factory(engine))
    people.welcome_backs(5, NOW - timedelta(minutes=1))
    slow = marks_of_every_kind(claims)
    assert claims.settle(slow, NOW) == [True] * 5
    people.welcome_backs(5, NOW - timedelta(minutes=1), start=100)
    quick = marks_of_every_kind(claims)

    assert claims.try_settle(quick, NOW) == [True] * 5

    written = rows_by_position(engine, "")
    assert written[5:] == written[:5]
    assert [row["status"] for row in written[5:]] == [
        "sent", "dropped", "failed", "pending", "pending"]
    assert len(written[7]["last_error"]) == 1000
    # A second time, nothing is ours any more: nothing applies, nothing changes.
    assert claims.try_settle(quick, NOW + timedelta(seconds=1)) == [False] * 5
    assert rows_by_position(engine, "") == written


def test_try_settle_leaves_postgresql_to_a_worker_thread(
    uow_factory: Factory, claims: OutboxClaims, database_kind: str
) -> None:
    """Every statement is a network round trip there: `try_settle` declines (None) and the
    dispatcher records through `settle` in its worker thread."""
    People(uow_factory).welcome_backs(1, NOW - timedelta(minutes=1))
    (item,) = claims.claim("me", NOW)
    expected = [True] if database_kind == "sqlite" else None
    assert claims.try_settle([Mark(item, Outcome.SENT)], NOW) == expected


def test_try_settle_never_waits_for_the_lock(
    sqlite_claims: OutboxClaims, sqlite_engine: Engine
) -> None:
    claims, engine = sqlite_claims, sqlite_engine
    People(make_uow_factory(engine)).welcome_backs(1, NOW - timedelta(minutes=1))
    (item,) = claims.claim("me", NOW)
    with engine.connect() as writer:
        writer.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: the write lock is held
        assert claims.try_settle([Mark(item, Outcome.SENT)], NOW) is None
        writer.rollback()
    assert rows_by_position(engine, "")[0]["status"] == "pending"
    assert claims.try_settle([Mark(item, Outcome.SENT)], NOW) == [True]
    assert rows_by_position(engine, "")[0]["status"] == "sent"
    assert claims.try_settle([], NOW) == []


def test_only_the_claims_engine_trades_power_loss_durability(
    sqlite_claims: OutboxClaims, sqlite_engine: Engine
) -> None:
    claims, engine = sqlite_claims, sqlite_engine
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    with claims._engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_settling_leaves_the_shared_connections_durable(
    uow_factory: Factory, claims: OutboxClaims, engine: Engine, database_kind: str
) -> None:
    """The trade of durability is the outbox bookkeeping's alone: after marks are recorded
    (and the claims closed), every other connection still waits for the disk on commit."""
    People(uow_factory).welcome_backs(3, NOW - timedelta(minutes=1))
    items = claims.claim("me", NOW)
    for item in items:
        assert claims.settle([Mark(item, Outcome.SENT)], NOW) == [True]
    setting = ("PRAGMA synchronous" if database_kind == "sqlite"
               else "SHOW synchronous_commit")
    durable = 2 if database_kind == "sqlite" else "on"
    with engine.connect() as connection:
        assert connection.exec_driver_sql(setting).scalar() == durable
    claims.close()
    for _ in range(engine.pool.size() + 1):  # whatever the pool hands out now
        with engine.connect() as connection:
            assert connection.exec_driver_sql(setting).scalar() == durable


@needs_postgres
def test_a_mark_connection_the_server_dropped_is_replaced(tmp_path: Path) -> None:
    with make_test_engine("postgresql", tmp_path) as engine:
        claims = OutboxClaims(engine)
        People(make_uow_factory(engine)).welcome_backs(2, NOW - timedelta(minutes=1))
        first, second = claims.claim("me", NOW)
        assert claims.settle([Mark(first, Outcome.SENT)], NOW) == [True]
        with engine.connect() as connection:
            killed = connection.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND query ILIKE 'UPDATE reminder_outbox%'")).scalars().all()
            connection.commit()
        assert killed == [True]

        assert claims.settle([Mark(second, Outcome.SENT)], NOW) == [True]
        assert [row["status"] for row in rows_by_position(engine, "")] == ["sent", "sent"]
        claims.close()
