"""Running the real Discord client against the fake: people, the client's life cycle, and
short ways to run a command, press a button and submit a modal.

discord.py logs and swallows exceptions raised in handlers; the harness collects every error
logged by discord.py and by the adapter, and `stop()` fails the test if there were any
(unless the test expects them).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field, replace
from typing import Any

from adapters.bootstrap import Runtime
from adapters.discord.client import DiscordOptions, IntrobotClient, build_client, point_at
from bot.context import CommunityKey, Invocation, PlatformUser
from tests.fakes.discord import FakeDiscord
from tests.fakes.discord_interactions import group, subcommand
from tests.fakes.discord_models import (
    ADMIN_PERMISSIONS,
    FakeCallback,
    FakeGuild,
    FakeInteraction,
    FakeMessage,
    FakeUser,
)


@dataclass
class People:
    ada: FakeUser  # Manage Server: an admin
    ben: FakeUser  # a member, the usual seeker
    maria: FakeUser  # mentor
    pat: FakeUser  # mentor
    cy: FakeUser  # a member whose DMs are closed
    admin_by_setting: FakeUser  # no Manage Server, but listed in the admin settings


def add_people(fake: FakeDiscord) -> People:
    maria = fake.add_user("maria", global_name="Maria Chen")
    pat = fake.add_user("pat", global_name="Pat Okafor")
    cy = fake.add_user("cy", global_name="Cy Park", dms_closed=True)
    listed = fake.add_user("lee", global_name="Lee Admin")
    for user in (maria, pat, cy, listed):
        fake.add_member(user)
    return People(ada=fake.admin, ben=fake.member, maria=maria, pat=pat, cy=cy,
                  admin_by_setting=listed)


def add_admin(fake: FakeDiscord, user: FakeUser, guild: FakeGuild) -> None:
    fake.add_member(user, guild=guild, permissions=ADMIN_PERMISSIONS)


def community(fake: FakeDiscord, guild: FakeGuild | None = None) -> CommunityKey:
    guild = guild or fake.guild
    return CommunityKey("discord", str(guild.id), guild.name)


def invocation(fake: FakeDiscord, user: FakeUser, guild: FakeGuild | None = None) -> Invocation:
    """The invocation the adapter builds for `user` in `guild` (for setting up state through
    the core directly)."""
    name = user.global_name or user.username
    return Invocation(community(fake, guild),
                      PlatformUser(user_id=str(user.id), display_name=name,
                                   handle=user.username))


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class DiscordHarness:
    fake: FakeDiscord
    runtime: Runtime
    options: DiscordOptions = field(default_factory=DiscordOptions)
    sharded: bool = False
    allow_errors: bool = False
    client: IntrobotClient | None = None
    errors: _Errors = field(default_factory=_Errors)
    _connection: asyncio.Task[None] | None = None

    def __post_init__(self) -> None:
        self.options = replace(self.options, identify_pause=False, clock=self.fake.now)

    # ------------------------------------------------------------------ life cycle

    async def start(self, **client_options: Any) -> IntrobotClient:
        for name in ("discord", "adapters.discord"):
            logging.getLogger(name).addHandler(self.errors)
        point_at(self.fake.api_url, self.fake.gateway_url)
        client = build_client(self.runtime.program, self.options, sharded=self.sharded,
                              guild_ready_timeout=0.1, **client_options)
        await client.login(self.fake.token)
        connection = asyncio.create_task(client.connect())
        ready = asyncio.create_task(client.wait_until_ready())
        done, _ = await asyncio.wait({connection, ready}, timeout=10,
                                     return_when=asyncio.FIRST_COMPLETED)
        if connection in done:
            connection.result()
        assert ready in done, "the client did not get ready"
        self.client, self._connection = client, connection
        return client

    async def close_client(self) -> None:
        """Close the client (as a restart or shutdown would); the database stays."""
        if self.client is not None:
            await self.client.close()
        if self._connection is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._connection
        self.client, self._connection = None, None

    async def restart(self) -> IntrobotClient:
        """A fresh client instance on the same database: nothing carried over in memory."""
        await self.close_client()
        return await self.start()

    async def stop(self) -> None:
        await self.close_client()
        for name in ("discord", "adapters.discord"):
            logging.getLogger(name).removeHandler(self.errors)
        if not self.allow_errors:
            assert [r.getMessage() for r in self.errors.records] == []

    @property
    def bot(self) -> IntrobotClient:
        assert self.client is not None, "start the client first"
        return self.client

    async def settle(self) -> None:
        """Wait until the DMs that interactions caused are delivered."""
        await self.bot.router.drain()

    # ------------------------------------------------------------------ driving

    async def slash(self, root: str, sub: str, *options: dict[str, Any],
                    user: FakeUser | None = None, **where: Any) -> FakeInteraction:
        """Run ``/root sub`` (``sub`` may be ``"admin stats"``) and wait for the callback."""
        parts = sub.split()
        option = (subcommand(parts[0], *options) if len(parts) == 1
                  else group(parts[0], subcommand(parts[1], *options)))
        sent = await self.fake.send_slash(root, [option], user=user, **where)
        await self.fake.wait_callback(sent)
        return sent

    async def click(self, custom_id: str, *, user: FakeUser,
                    message: FakeMessage | None = None) -> FakeInteraction:
        sent = await self.fake.send_click(custom_id, user=user, message=message)
        await self.fake.wait_callback(sent)
        return sent

    async def submit(self, custom_id: str, values: dict[str, str], *,
                     user: FakeUser | None = None) -> FakeInteraction:
        sent = await self.fake.send_modal_submit(custom_id, values, user=user)
        await self.fake.wait_callback(sent)
        return sent

    async def answer(self, interaction: FakeInteraction) -> list[FakeMessage]:
        """The messages the interaction produced once it is fully answered (deferred ones
        edited), with the DMs it caused delivered."""
        await self.fake.wait_for(lambda: not any(
            m for m in self.fake.interaction_messages(interaction) if m.flags & 128))
        await self.settle()
        return self.fake.interaction_messages(interaction)


def callback_of(interaction: FakeInteraction) -> FakeCallback:
    assert interaction.callback is not None
    return interaction.callback


def text_of(message: FakeMessage | dict[str, Any]) -> str:
    """Everything a person reads in a message: content, embed titles, descriptions, fields."""
    if isinstance(message, FakeMessage):
        content, embeds = message.content, message.embeds
    else:
        content, embeds = message.get("content") or "", message.get("embeds") or []
    parts = [content]
    for embed in embeds:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields") or []]
    return "\n".join(p for p in parts if p)


def reply_text(interaction: FakeInteraction, fake: FakeDiscord) -> str:
    """What the person who ran the interaction was told (all its messages)."""
    return "\n".join(text_of(m) for m in fake.interaction_messages(interaction))
