"""The engine for a database URL: SQLite tuned for durability, or PostgreSQL via psycopg 3."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA busy_timeout=10000",
    "PRAGMA foreign_keys=ON",
    # Deleted and overwritten content is zeroed on disk (erased members leave no trace).
    "PRAGMA secure_delete=ON",
    # Room for the search indexes in memory: up to 64 MiB of page cache per connection, and
    # reads through a memory map instead of a system call per page.
    "PRAGMA cache_size=-65536",
    "PRAGMA mmap_size=268435456",
)

_POSTGRES_ALIASES = {"postgres", "postgresql"}

# An execution option: a transaction that only reads. On SQLite it starts with a plain
# (deferred) BEGIN instead of BEGIN IMMEDIATE, so readers never wait for the write lock nor
# hold it; a write inside such a transaction is a programming error (see storage/uow.py).
READ_ONLY = "introbot_read_only"


def normalise_url(url: str | URL) -> URL:
    """`postgresql://` and `postgres://` use psycopg 3; other URLs are left as they are."""
    parsed = make_url(url)
    if parsed.drivername in _POSTGRES_ALIASES:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def is_sqlite_memory(engine: Engine) -> bool:
    """Whether `engine` is an in-memory SQLite database (one connection holds all of it)."""
    return engine.dialect.name == "sqlite" and _is_memory(engine.url)


def _is_memory(url: URL) -> bool:
    database = url.database or ""
    return database in {"", ":memory:"} or "mode=memory" in database or (
        url.query.get("mode") == "memory"
    )


def _sqlite_engine(url: URL, synchronous: str, **kwargs: Any) -> Engine:
    if synchronous not in {"FULL", "NORMAL"}:
        raise ValueError(f"SQLite synchronous must be FULL or NORMAL, not {synchronous!r}")
    pragmas = [f"PRAGMA synchronous={synchronous}" if p.startswith("PRAGMA synchronous=")
               else p for p in SQLITE_PRAGMAS]
    if _is_memory(url):
        kwargs.setdefault("poolclass", StaticPool)
        kwargs.setdefault("connect_args", {"check_same_thread": False})
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Take transaction control away from the driver so that `begin` below decides.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            for pragma in pragmas:
                cursor.execute(pragma)
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Take the write lock up front: a read-then-write transaction in WAL mode can otherwise
        # fail with "database is locked" despite the busy timeout. Read-only transactions
        # read a snapshot without it.
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def create_engine_for(
    url: str | URL, *, sqlite_synchronous: str = "FULL", **kwargs: Any
) -> Engine:
    """An engine for `url`; extra keyword arguments go to SQLAlchemy's `create_engine`.

    `sqlite_synchronous="NORMAL"` trades durability against power loss (not against a crash
    of the process) for commits that do not wait for the disk; only the reminder dispatcher's
    own engine uses it (storage/outbox_claims.py says why that is safe there)."""
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, sqlite_synchronous, **kwargs)
    if parsed.get_backend_name() == "postgresql":
        kwargs.setdefault("pool_pre_ping", True)
    return create_engine(parsed, **kwargs)
