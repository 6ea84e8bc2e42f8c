"""The `introbot` command line: demo, console, migrate, run, discord."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from adapters.bootstrap import build_runtime
from adapters.console.clock_hook import console_clock_hook
from adapters.console.seed import seed_demo
from adapters.console.session import ConsoleSession, ConsoleUser
from adapters.discord.cli import app as discord_app
from adapters.settings import IntrobotSettings
from adapters.settings_errors import explain
from bot.app import IntroProgram
from bot.clock import ManualClock
from bot.context import CommunityKey

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Introbot: informational interviews for alumni communities.")

DEMO_COMMUNITY = CommunityKey("console", "demo", "Demo alumni community")

BANNER = """\
Welcome to the Introbot demo — an alumni community of {mentors} sample mentors.
You act as any member; DMs the bot sends are printed as they are delivered.

Try, one line at a time:
  /as @{seeker:<23} become a student (seekers: {seekers})
  /intro find climate          mentors who fit; press a [number] to request an intro
  /intro request @{mentor} how you broke into your field
  /as @{mentor:<23} become the mentor and answer with /press N
  /intro list                  what comes next
  /clock +2h                   move time forward; reminders arrive as they fall due
  /intro help, /mentor help, /help (console commands), /quit
Admins: /as @{admin} then /intro admin stats
"""


def _settings() -> IntrobotSettings:
    try:
        return IntrobotSettings()
    except ValidationError as exc:
        typer.echo(explain(exc), err=True)
        raise typer.Exit(2) from None


def _lookup(program: IntroProgram, community: CommunityKey) -> Callable[[str], ConsoleUser | None]:
    def lookup(handle: str) -> ConsoleUser | None:
        member = program.find_member(community, handle)
        if member is None:
            return None
        return ConsoleUser(member.handle, member.display_name, member.timezone)

    return lookup


def _run_console(database_url: str, clock: ManualClock, admins: frozenset[str],
                 community: CommunityKey, banner: str | None, files_dir: Path) -> None:
    runtime = build_runtime(database_url, clock=clock, admin_ids=admins)
    try:
        if banner is not None:
            typer.echo(banner)
        session = ConsoleSession(
            runtime.program, clock, sys.stdout, files_dir, community=community,
            lookup_user=_lookup(runtime.program, community),
            on_clock_moved=console_clock_hook(runtime),
            echo=not sys.stdin.isatty(),
        )
        session.run(sys.stdin)
    finally:
        runtime.program.flush_searches()
        runtime.close()


@app.command()
def demo(
    database: Annotated[Path | None, typer.Option(help="SQLite file to create (default: a "
                                                       "fresh temporary one).")] = None,
) -> None:
    """A fresh SQLite community of sample alumni, in this terminal."""
    settings = _settings()
    workdir = Path(tempfile.mkdtemp(prefix="introbot-demo-"))
    path = database or workdir / "demo.db"
    if path.exists():
        path.unlink()
    url = f"sqlite:///{path}"
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    seeded = build_runtime(url, clock=clock)
    try:
        people = seed_demo(seeded.program, DEMO_COMMUNITY)
    finally:
        seeded.close()
    admins = frozenset(p.handle for p in people if p.kind == "admin") | settings.admin_ids()
    mentors = [p for p in people if p.kind == "mentor"]
    seekers = [p for p in people if p.kind == "seeker"]
    banner = BANNER.format(
        mentors=len(mentors),
        seekers=", ".join(f"@{p.handle}" for p in seekers) or "anyone",
        seeker=seekers[0].handle if seekers else "sam.rivera",
        mentor=mentors[0].handle if mentors else "maria.chen",
        admin=next(iter(sorted(admins)), "admin"),
    )
    typer.echo(f"(demo database: {path})")
    _run_console(url, clock, admins, DEMO_COMMUNITY, banner, workdir / "files")


@app.command()
def console(
    community: Annotated[str, typer.Option(help="Console community id.")] = "demo",
    admin: Annotated[list[str] | None, typer.Option(help="Treat this handle as an admin "
                                                         "(repeatable).")] = None,
    files: Annotated[Path, typer.Option(help="Where exported files are written.")] = Path(
        "introbot-files"),
) -> None:
    """The console against INTROBOT_DATABASE_URL (pipe a script in to drive it)."""
    settings = _settings()
    admins = settings.admin_ids() | frozenset(a.lstrip("@") for a in admin or [])
    key = CommunityKey("console", community, community)
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    _run_console(settings.database_url, clock, admins, key, None, files)


@app.command()
def migrate() -> None:
    """Apply database migrations to INTROBOT_DATABASE_URL and exit."""
    settings = _settings()
    runtime = build_runtime(settings.database_url)
    runtime.close()
    typer.echo("Database is up to date.")


@app.command()
def run() -> None:
    """Run for real: Slack and/or Discord, reminders, /healthz /readyz /metrics."""
    from adapters.run import run as run_replica

    raise typer.Exit(run_replica(_settings()))


app.add_typer(discord_app, name="discord")


def main() -> None:
    app()
