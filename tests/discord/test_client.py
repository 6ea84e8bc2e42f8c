"""Connecting: start-up calls, the handshake, intents, command sync, endpoints, shards, and
publishing the commands on demand."""

from __future__ import annotations

from typing import Any

import discord
import discord.gateway
import discord.http
import yarl

from adapters.discord.client import DiscordOptions, intents, point_at
from tests.discord.harness import DiscordHarness, People, callback_of
from tests.fakes.discord import FakeDiscord
from tests.fakes.discord_models import EPHEMERAL


def _command(fake: FakeDiscord, name: str, guild_id: int | None) -> dict[str, Any]:
    found = next((c for c in fake.commands.get(guild_id, []) if c["name"] == name), None)
    assert found is not None, f"/{name} was not synced to {guild_id}"
    return found


def _subcommands(command: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {o["name"]: o for o in command["options"]}


async def test_handshake_asks_only_for_the_guilds_intent(
    fake: FakeDiscord, harness: DiscordHarness
) -> None:
    assert [c.path for c in fake.calls[:2]] == ["/users/@me", "/oauth2/applications/@me"]
    identify = fake.gateway.sessions[0].identify
    assert identify["intents"] == intents().value == discord.Intents(guilds=True).value
    assert not harness.bot.intents.message_content and not harness.bot.intents.members
    assert harness.bot.get_guild(fake.guild.id) is not None
    assert fake.violations == []


async def test_help_answers_ephemerally(
    fake: FakeDiscord, harness: DiscordHarness, people: People
) -> None:
    sent = await harness.slash("intro", "help", user=people.ben)
    callback = callback_of(sent)
    assert callback.accepted and callback.type == 4
    assert callback.flags & EPHEMERAL
    assert "/intro find" in (callback.content or "") + str(callback.data.get("embeds"))
    assert fake.violations == []
