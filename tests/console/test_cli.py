"""The `introbot` command itself, in a child process: demo, console and migrate with piped
scripts. Few tests, because each starts Python afresh."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

REPO = Path(__file__).resolve().parents[2]


def _introbot(args: list[str], cwd: Path, script: str = "",
              env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    entry = Path(sys.executable).parent / "introbot"
    command = [str(entry)] if entry.exists() else [
        sys.executable, "-c", "from adapters.cli import main; main()"]
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("INTROBOT_", "SLACK_",
                                                                       "DISCORD_"))}
    clean["PYTHONPATH"] = str(REPO)
    clean.update(env or {})
    return subprocess.run(
        [*command, *args], input=script, capture_output=True, text=True, cwd=cwd, env=clean,
        timeout=120, check=False,
    )


def test_demo_shows_the_banner_and_runs_a_whole_request(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    script = "\n".join([
        "/as @jordan.reyes",
        "/intro find fintech",
        "/press 1",
        "How you moved from banking into fintech",
        "", "", "",
        "/as @daniel.mensah",
        "/press 2",
        "/quit",
        "/intro list",
    ]) + "\n"
    result = _introbot(["demo", "--database", str(database)], tmp_path, script)
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert f"(demo database: {database})" in out
    assert "Welcome to the Introbot demo — an alumni community of 44 sample mentors." in out
    assert "/as @jordan.reyes" in out and "/intro find climate" in out
    assert "Admins: /as @ruth.abernathy then /intro admin stats" in out
    assert "Daniel Mensah — Vice President, Strategy at Thistlegate Capital" in out
    assert "Request #1 is on its way to Daniel Mensah." in out
    assert "── DM to Daniel Mensah" in out
    assert "Thank you! I've introduced you both for request #1." in out
    assert "── group DM: Jordan Reyes, Daniel Mensah" in out
    assert "Your intro requests:" not in out  # the script stopped at /quit

    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            status = connection.execute(text("SELECT status FROM intro_requests")).scalars().all()
            mentors = connection.execute(
                text("SELECT count(*) FROM mentor_profiles WHERE active")).scalar_one()
    finally:
        engine.dispose()
    assert status == ["accepted"]
    assert mentors == 44


def test_console_works_against_the_configured_database_and_keeps_its_state(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'introbot.db'}"
    migrated = _introbot(["migrate"], tmp_path, env={"INTROBOT_DATABASE_URL": url})
    assert migrated.returncode == 0, migrated.stderr
    assert "Database is up to date." in migrated.stdout
    engine = create_engine(url)
    try:
        assert {"members", "mentor_profiles", "intro_requests", "alembic_version"} <= set(
            inspect(engine).get_table_names())
    finally:
        engine.dispose()

    files = tmp_path / "exports"
    join = "\n".join([
        "/as @maria.chen Maria Chen",
        "/mentor join",
        "Product manager who moved from engineering",
        "Software",
        "product strategy, career change",
        "Quillbyte", "Product Manager", "2015", "", "", "Europe/Berlin", "3",
        "/intro admin export mentors",
        "/as @sam.rivera",
        "/intro admin stats",
    ]) + "\n"
    first = _introbot(["console", "--community", "alumni", "--admin", "@maria.chen",
                       "--files", str(files)], tmp_path, join,
                      env={"INTROBOT_DATABASE_URL": url})
    assert first.returncode == 0, first.stderr
    assert "Welcome to the Introbot demo" not in first.stdout  # no banner outside the demo
    assert "Welcome aboard — you're now findable by seekers." in " ".join(first.stdout.split())
    assert "Here is the mentors export: 1 mentor." in first.stdout
    assert "That's for program admins." in first.stdout  # sam is no admin
    (export,) = files.iterdir()
    rows = list(csv.DictReader(io.StringIO(export.read_text(encoding="utf-8-sig"))))
    assert [(r["handle"], r["status"], r["capacity"]) for r in rows] == [
        ("maria.chen", "active", "3")]

    # A second process on the same database sees what the first one stored.
    second = _introbot(["console", "--community", "alumni"], tmp_path,
                       "/as @maria.chen\n/mentor requests\n/as @sam.rivera\n"
                       "/intro find product strategy\n",
                       env={"INTROBOT_DATABASE_URL": url, "INTROBOT_ADMINS": "nobody"})
    assert second.returncode == 0, second.stderr
    assert "(@maria.chen is new here" not in second.stdout
    assert "You're available, with room for 3 more intros this month." in " ".join(
        second.stdout.split())
    assert "Maria Chen — Product Manager at Quillbyte" in second.stdout


def test_a_database_url_of_an_unknown_kind_is_refused_with_a_hint(tmp_path: Path) -> None:
    result = _introbot(["migrate"], tmp_path, env={"INTROBOT_DATABASE_URL": "mysql://x/y"})
    assert result.returncode == 2
    assert "INTROBOT_DATABASE_URL must look like sqlite:///introbot.db" in result.stderr
