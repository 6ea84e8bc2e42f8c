"""Starting the Discord side of `introbot run`, and publishing its commands on demand."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from adapters.discord.client import (
    DiscordOptions,
    IntrobotClient,
    build_client,
    intents,
    point_at,
    sync_commands,
)
from adapters.discord.commands import command_groups
from adapters.settings import IntrobotSettings
from bot.app import IntroProgram


def options_from(settings: IntrobotSettings) -> DiscordOptions:
    return DiscordOptions(
        dev_guild=settings.discord_dev_guild,
        intro_channel=settings.discord_intro_channel,
        fallback_channel=settings.discord_fallback_channel,
    )


def create_client(settings: IntrobotSettings, program: IntroProgram) -> IntrobotClient:
    """The client for these settings (REST and gateway URLs applied). Its `notifier` is the
    Discord notifier for the reminder dispatcher; start it with `run_client`."""
    point_at(settings.discord_api_url, settings.discord_gateway_url)
    return build_client(program, options_from(settings), sharded=settings.discord_sharded)


async def run_client(client: IntrobotClient, token: str) -> None:
    """Log in, connect (reconnecting as needed) and serve until the client is closed."""
    async with client:
        await client.start(token)


async def publish_commands(settings: IntrobotSettings, guild: int | None = None) -> int:
    """Log in over REST only and sync the commands to `guild` (default: the development
    guild from the settings; globally when neither is set). Returns how many were synced."""
    point_at(settings.discord_api_url, settings.discord_gateway_url)
    client = discord.Client(intents=intents())
    tree: app_commands.CommandTree[Any] = app_commands.CommandTree(client)
    for group in command_groups():
        tree.add_command(group)
    async with client:
        await client.login(settings.discord_token)
        return await sync_commands(tree, guild if guild is not None
                                   else settings.discord_dev_guild)
