"""Alembic environment. `storage.migrate.upgrade` passes a connection in `config.attributes`;
the `alembic` command line uses `sqlalchemy.url` (or INTROBOT_DATABASE_URL) instead."""

from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection, pool, text

from storage.engine import create_engine_for
from storage.schema_extras import include_object
from storage.tables import metadata

# Serialises concurrent upgrades of replicas that start at the same time (PostgreSQL).
MIGRATION_LOCK_KEY = 7_241_001


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_object=include_object,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
        # The SQLite engine emits BEGIN IMMEDIATE itself, so DDL is transactional there too.
        transactional_ddl=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            lock = text("SELECT pg_advisory_xact_lock(:key)")
            connection.execute(lock, {"key": MIGRATION_LOCK_KEY})
        context.run_migrations()


def _url() -> str:
    url = context.config.get_main_option("sqlalchemy.url")
    url = url or os.environ.get("INTROBOT_DATABASE_URL")
    if not url:
        raise SystemExit("Set sqlalchemy.url or INTROBOT_DATABASE_URL to migrate.")
    return url


def run_online() -> None:
    given = context.config.attributes.get("connection")
    if given is not None:
        _run(given)
        return
    if context.config.config_file_name is not None:
        fileConfig(context.config.config_file_name, disable_existing_loggers=False)
    engine = create_engine_for(_url(), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (--sql) migrations are not supported; run them against a database.")
run_online()
