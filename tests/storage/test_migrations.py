"""The migrations build exactly the schema the code declares, on every database."""

from __future__ import annotations

import warnings
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from storage.migrate import (
    MIGRATIONS_DIR,
    alembic_config,
    current_revision,
    head_revision,
    upgrade,
)
from storage.schema_extras import FACETS_TABLE, FTS_TABLE, include_object
from storage.tables import metadata
from tests.support.db import make_test_engine


def _differences(engine: Engine) -> list[object]:
    with engine.connect() as connection, warnings.catch_warnings():
        # SQLite can't reflect expression indexes; alembic says so and skips them.
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        context = MigrationContext.configure(
            connection, opts={"include_object": include_object, "compare_type": True}
        )
        return list(compare_metadata(context, metadata))


def test_migrated_schema_equals_the_metadata(engine: Engine) -> None:
    assert _differences(engine) == []


def test_the_comparison_notices_a_missing_index(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP INDEX ix_intro_requests_community_id_created_at")
    assert _differences(engine) != []


def test_database_is_at_the_newest_revision(engine: Engine) -> None:
    assert head_revision() is not None
    assert current_revision(engine) == head_revision()


def test_upgrading_again_changes_nothing(engine: Engine) -> None:
    before = sorted(inspect(engine).get_table_names())
    upgrade(engine)
    assert sorted(inspect(engine).get_table_names()) == before
    assert current_revision(engine) == head_revision()


def test_every_table_is_created(engine: Engine) -> None:
    names = set(inspect(engine).get_table_names())
    assert set(metadata.tables) <= names


def test_full_text_objects_exist(engine: Engine) -> None:
    inspector = inspect(engine)
    if engine.dialect.name == "sqlite":
        assert {FTS_TABLE, FACETS_TABLE} <= set(inspector.get_table_names())
        with engine.connect() as connection:
            triggers = set(
                connection.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger'"
                ).scalars()
            )
        assert len(triggers) == 4
    else:
        columns = {column["name"] for column in inspector.get_columns("mentor_profiles")}
        indexes = {index["name"] for index in inspector.get_indexes("mentor_profiles")}
        assert "search_vector" in columns
        assert "ix_mentor_profiles_search_vector" in indexes


def test_upgrade_accepts_a_url(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'by-url.db'}"
    upgrade(url)
    assert current_revision(url) == head_revision()


def test_a_fresh_database_has_no_revision(database_kind: str, tmp_path: Path) -> None:
    with make_test_engine(database_kind, tmp_path, migrate=False) as engine:
        assert current_revision(engine) is None
        upgrade(engine)
        assert current_revision(engine) == head_revision()


def test_migration_scripts_ship_with_the_package() -> None:
    assert (MIGRATIONS_DIR / "env.py").is_file()
    assert (MIGRATIONS_DIR / "script.py.mako").is_file()
    assert (MIGRATIONS_DIR / "alembic.ini").is_file()
    assert list((MIGRATIONS_DIR / "versions").glob("*.py"))


def test_downgrade_to_nothing_and_back(engine: Engine) -> None:
    with engine.connect() as connection:
        command.downgrade(alembic_config(connection), "base")
        connection.commit()
    assert current_revision(engine) is None
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert _differences(engine) == []
