"""The Discord client: connection settings, intents, the command tree, and where each kind
of interaction goes.

* REST and gateway URLs are process-wide in discord.py; `point_at` sets both, in one place.
* Intents: guilds only (guild names and channels for the intro and fallback channels).
  Slash commands, buttons and modals arrive as interactions, so no message content and no
  privileged intent is needed.
* `AutoShardedClient` when sharding is on (`build_client(sharded=True)`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import discord
import discord.gateway
import discord.http
import yarl
from discord import app_commands

from adapters.discord.commands import command_groups
from adapters.discord.interactions import InteractionRouter, report_error
from adapters.discord.notifier import DiscordNotifier
from adapters.discord.views import DYNAMIC_ITEMS
from bot.app import IntroProgram

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://discord.com/api/v10"
DEFAULT_GATEWAY_URL = "wss://gateway.discord.gg/"
SHUTDOWN_GRACE = 10.0


def point_at(api_url: str, gateway_url: str) -> None:
    """Send discord.py's REST calls (interaction callbacks and webhooks included) to
    `api_url` and open the gateway at `gateway_url` (a REST proxy, or a test server)."""
    discord.http.Route.BASE = api_url.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


def intents() -> discord.Intents:
    chosen = discord.Intents.none()
    chosen.guilds = True
    return chosen


@dataclass(frozen=True)
class DiscordOptions:
    dev_guild: int | None = None
    """Sync commands to this guild only (they show up at once); globally when None."""
    intro_channel: int | None = None
    fallback_channel: int | None = None
    sync_on_start: bool = True
    defer_after: float = 1.0
    """Seconds the core gets before an interaction is deferred (Discord allows 3)."""
    identify_pause: bool = True
    """discord.py's pause before each IDENTIFY after the first (Discord's identify limit)."""
    clock: Callable[[], float] = field(default=time.time)


async def sync_commands(tree: app_commands.CommandTree[Any], dev_guild: int | None) -> int:
    """Publish the commands: to `dev_guild` when set, else globally. Returns how many."""
    if dev_guild is not None:
        guild = discord.Object(id=dev_guild)
        tree.copy_global_to(guild=guild)
        synced = await tree.sync(guild=guild)
    else:
        synced = await tree.sync()
    log.info("synced %d Discord commands %s", len(synced),
             f"to guild {dev_guild}" if dev_guild else "globally")
    return len(synced)


class IntrobotClient(discord.Client):
    """The program on Discord: `tree` has the commands, `router` answers interactions,
    `notifier` delivers the core's DMs (also for the reminder dispatcher)."""

    def __init__(self, program: IntroProgram, options: DiscordOptions | None = None,
                 **kwargs: Any) -> None:
        kwargs.setdefault("allowed_mentions", discord.AllowedMentions.none())
        super().__init__(intents=intents(), **kwargs)
        self.options = options or DiscordOptions()
        self.program = program
        self.notifier = DiscordNotifier(
            self, program,
            intro_channel=self.options.intro_channel,
            fallback_channel=self.options.fallback_channel,
        )
        self.router = InteractionRouter(program, self.notifier,
                                        defer_after=self.options.defer_after,
                                        clock=self.options.clock)
        self.tree: app_commands.CommandTree[Any] = app_commands.CommandTree(self)
        self.tree.error(report_error)
        for group in command_groups():
            self.tree.add_command(group)

    async def setup_hook(self) -> None:
        self.add_dynamic_items(*DYNAMIC_ITEMS)
        if self.options.sync_on_start:
            await sync_commands(self.tree, self.options.dev_guild)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        if self.options.identify_pause:
            await super().before_identify_hook(shard_id, initial=initial)

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        # Modals are routed by custom_id here, not by discord.py's modal store, which
        # forgets them on restart (see `render.build_modal`).
        if interaction.type is discord.InteractionType.modal_submit:
            await self.router.modal_submitted(interaction)

    async def close(self) -> None:
        # Let answers under way and their DMs finish, but never hang the shutdown.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.router.drain(), SHUTDOWN_GRACE)
        await super().close()


class ShardedIntrobotClient(IntrobotClient, discord.AutoShardedClient):
    """The same, over several gateway shards (the count comes from Discord)."""


def build_client(
    program: IntroProgram, options: DiscordOptions | None = None, *, sharded: bool = False,
    **kwargs: Any,
) -> IntrobotClient:
    kind = ShardedIntrobotClient if sharded else IntrobotClient
    return kind(program, options, **kwargs)
