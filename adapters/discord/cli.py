"""`introbot discord …`: publish the app commands (mounted by the main CLI)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import discord
import typer
from pydantic import ValidationError

from adapters.discord.runner import publish_commands
from adapters.settings import IntrobotSettings

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Introbot on Discord: publish the slash commands.")


@app.callback()
def main() -> None:
    """Introbot on Discord."""


@app.command()
def sync(
    guild: Annotated[int | None, typer.Option(
        help="Publish to this server only (default: INTROBOT_DISCORD_DEV_GUILD; "
             "everywhere when neither is set).")] = None,
) -> None:
    """Publish /intro and /mentor to Discord (one server: at once; everywhere: within an
    hour)."""
    try:
        settings = IntrobotSettings()
    except ValidationError as exc:
        for error in exc.errors():
            name = error["loc"][0] if error["loc"] else "setting"
            typer.echo(f"Setting {name}: {error['msg']}", err=True)
        raise typer.Exit(2) from None
    if not settings.discord_token:
        typer.echo("Set DISCORD_TOKEN to the bot token from the Discord developer portal.",
                   err=True)
        raise typer.Exit(2)
    try:
        count = asyncio.run(publish_commands(settings, guild))
    except discord.LoginFailure:
        typer.echo("Discord refused DISCORD_TOKEN. Copy the bot token again from the "
                   "developer portal.", err=True)
        raise typer.Exit(1) from None
    except discord.HTTPException as exc:
        typer.echo(f"Discord refused the commands ({exc.status}): {exc.text}. Check that "
                   "the bot was invited with the applications.commands scope.", err=True)
        raise typer.Exit(1) from None
    where = f"server {guild or settings.discord_dev_guild}" if (
        guild or settings.discord_dev_guild) else "every server (may take up to an hour)"
    typer.echo(f"Published {count} commands to {where}.")
