"""INSERT … ON CONFLICT for the session's database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def dialect_insert(session: Session, table: Table) -> Any:
    """The dialect's INSERT for `table`, which knows `on_conflict_do_nothing/update`."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise ValueError(f"ON CONFLICT inserts run on SQLite and PostgreSQL, not {name!r}")
