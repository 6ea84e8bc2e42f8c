"""Several replicas starting at once on an empty PostgreSQL database: the migration runs once,
under the advisory lock, and every replica goes on (none fails on a table another one just
created). Needs INTROBOT_TEST_POSTGRES_URL (CI sets it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.pool import NullPool

from storage.engine import create_engine_for
from storage.migrate import head_revision
from tests.production.support import CHILD, clean_env, fresh_postgres_database
from tests.support.db import postgres_url

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(postgres_url() is None,
                       reason="needs PostgreSQL: set INTROBOT_TEST_POSTGRES_URL"),
]

REPLICAS = 3


def test_replicas_migrating_at_once_migrate_once(tmp_path: Path) -> None:
    with fresh_postgres_database() as url:
        start = tmp_path / "go"
        # Each waits for the same file, then migrates: as close to "at once" as processes get.
        script = ("import os, time\n"
                  f"while not os.path.exists({str(start)!r}): time.sleep(0.01)\n" + CHILD)
        children = [subprocess.Popen([sys.executable, "-c", script, "migrate"], cwd=tmp_path,
                                     env=clean_env({"INTROBOT_DATABASE_URL": url}),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                    for _ in range(REPLICAS)]
        start.write_text("go")
        results = [child.communicate(timeout=120) for child in children]
        for child, (out, err) in zip(children, results, strict=True):
            assert child.returncode == 0, err
            assert out.strip() == "Database is up to date."
        engine = create_engine_for(url, poolclass=NullPool)
        try:
            with engine.connect() as connection:
                versions = connection.execute(
                    text("SELECT version_num FROM alembic_version")).scalars().all()
                tables = connection.execute(text(
                    "SELECT count(*) FROM information_schema.tables "
                    "WHERE table_schema = 'public' AND table_name = 'reminder_outbox'")).scalar()
        finally:
            engine.dispose()
        assert versions == [head_revision()]
        assert tables == 1
