"""Connecting: start-up calls, the handshake, intents, command sync (development guild or
global, and on demand with `introbot discord sync`), endpoints from settings, shards."""

from __future__ import annotations

import asyncio
from typing import Any

import discord
import discord.gateway
import discord.http
import pytest
from typer.testing import CliRunner

from adapters.bootstrap import Runtime
from adapters.discord.cli import app as discord_cli
from adapters.discord.client import (
    DEFAULT_API_URL,
    DEFAULT_GATEWAY_URL,
    DiscordOptions,
    ShardedIntrobotClient,
    intents,
)
from adapters.discord.runner import create_client
from adapters.settings import IntrobotSettings
from tests.discord import world
from tests.discord.harness import DiscordHarness, People, callback_of, reply_text
from tests.fakes.discord import FakeDiscord
from tests.fakes.discord_models import EPHEMERAL


def _command(fake: FakeDiscord, name: str, guild_id: int | None) -> dict[str, Any]:
    found = next((c for c in fake.commands.get(guild_id, []) if c["name"] == name), None)
    assert found is not None, f"/{name} was not synced to {guild_id}"
    return found


def _names(option: dict[str, Any]) -> set[str]:
    return {o["name"] for o in option.get("options") or []}


async def test_handshake_asks_only_for_the_guilds_intent(
    fake: FakeDiscord, harness: DiscordHarness
) -> None:
    assert [c.path for c in fake.calls[:2]] == ["/users/@me", "/oauth2/applications/@me"]
    identify = fake.gateway.sessions[0].identify
    assert identify["intents"] == intents().value == discord.Intents(guilds=True).value
    assert not harness.bot.intents.message_content and not harness.bot.intents.members
    assert harness.bot.get_guild(fake.guild.id) is not None
    assert fake.violations == []


async def test_commands_are_synced_to_the_development_guild(
    fake: FakeDiscord, harness: DiscordHarness
) -> None:
    intro = _command(fake, "intro", fake.guild.id)
    assert _names(intro) == {"help", "find", "request", "list", "cancel", "schedule", "done",
                             "followup", "thanks", "prep", "connect", "my-data", "forget-me",
                             "admin"}
    admin = next(o for o in intro["options"] if o["name"] == "admin")
    assert admin["type"] == 2
    assert _names(admin) == {"stats", "export", "import", "config", "block", "unblock"}
    mentor = _command(fake, "mentor", fake.guild.id)
    assert _names(mentor) == {"help", "join", "profile", "on", "off", "away", "capacity",
                              "requests", "leave"}
    find = next(o for o in intro["options"] if o["name"] == "find")
    typed = {o["name"]: o for o in find["options"]}
    assert typed["industry"]["autocomplete"] and typed["company"]["autocomplete"]
    request = next(o for o in intro["options"] if o["name"] == "request")
    mentor_option = next(o for o in request["options"] if o["name"] == "mentor")
    assert mentor_option["type"] == 6 and mentor_option["required"]  # a user
    fmt = next(o for o in request["options"] if o["name"] == "format")
    assert [c["value"] for c in fmt["choices"]] == ["call", "video", "coffee", "async"]
    assert None not in fake.commands  # nothing global
    assert fake.violations == []


async def test_commands_are_synced_globally_without_a_development_guild(
    fake: FakeDiscord, runtime: Runtime, people: People
) -> None:
    harness = DiscordHarness(fake, runtime, DiscordOptions(dev_guild=None))
    await harness.start()
    try:
        assert {c["name"] for c in fake.commands[None]} == {"intro", "mentor"}
        assert fake.guild.id not in fake.commands
        sent = await harness.slash("intro", "help", user=people.ben)
        assert callback_of(sent).flags & EPHEMERAL
    finally:
        await harness.stop()
    assert fake.violations == []


async def test_introbot_discord_sync_publishes_on_demand(
    fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", fake.token)
    monkeypatch.setenv("INTROBOT_DISCORD_API_URL", fake.api_url)
    monkeypatch.setenv("INTROBOT_DISCORD_GATEWAY_URL", fake.gateway_url)
    monkeypatch.setenv("INTROBOT_DISCORD_DEV_GUILD", str(fake.guild.id))
    runner = CliRunner()
    result = await asyncio.to_thread(runner.invoke, discord_cli, ["sync"])
    assert result.exit_code == 0, result.output
    assert f"Published 2 commands to server {fake.guild.id}" in result.output
    assert {c["name"] for c in fake.commands[fake.guild.id]} == {"intro", "mentor"}
    assert not fake.gateway.sessions  # REST only: no gateway connection

    monkeypatch.setenv("DISCORD_TOKEN", "wrong")
    refused = await asyncio.to_thread(runner.invoke, discord_cli, ["sync", "--guild", "1"])
    assert refused.exit_code == 1
    assert "Discord refused DISCORD_TOKEN" in refused.output
    assert fake.violations == []


def test_endpoints_come_from_the_settings(monkeypatch: pytest.MonkeyPatch,
                                          runtime: Runtime, fake: FakeDiscord) -> None:
    assert IntrobotSettings().discord_api_url == DEFAULT_API_URL
    assert IntrobotSettings().discord_gateway_url == DEFAULT_GATEWAY_URL
    monkeypatch.setenv("INTROBOT_DISCORD_API_URL", "http://127.0.0.1:9/proxy/api/v10/")
    monkeypatch.setenv("INTROBOT_DISCORD_GATEWAY_URL", "ws://127.0.0.1:9/gw")
    monkeypatch.setenv("INTROBOT_DISCORD_SHARDED", "true")
    monkeypatch.setenv("INTROBOT_DISCORD_INTRO_CHANNEL", "42")
    monkeypatch.setenv("INTROBOT_DISCORD_FALLBACK_CHANNEL", "")
    client = create_client(IntrobotSettings(), runtime.program)
    assert discord.http.Route.BASE == "http://127.0.0.1:9/proxy/api/v10"
    assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == "ws://127.0.0.1:9/gw"
    assert isinstance(client, ShardedIntrobotClient)
    assert client.options.intro_channel == 42 and client.options.fallback_channel is None
    assert client.intents.value == intents().value


async def test_shards_serve_each_guild_as_its_own_community(
    fake: FakeDiscord, runtime: Runtime, people: People
) -> None:
    fake.shard_count = 2
    second = fake.add_guild("Second Network", owner=people.ada)
    second_general = fake.add_channel("general", guild=second)
    fake.add_member(people.ben, guild=second)
    world.base(runtime, fake, people)
    harness = DiscordHarness(fake, runtime, DiscordOptions(), sharded=True)
    await harness.start()
    try:
        assert isinstance(harness.bot, discord.AutoShardedClient)
        assert harness.bot.shard_count == 2
        assert sorted(s.shard or (0, 1) for s in fake.gateway.sessions) == [(0, 2), (1, 2)]
        assert {g.id for g in harness.bot.guilds} == {fake.guild.id, second.id}
        here = await harness.slash("intro", "list", user=people.ben)
        assert "to Maria Chen — pending" in reply_text(here, fake)
        there = await harness.slash("intro", "list", user=people.ben, channel=second_general)
        assert "no intro requests yet" in reply_text(there, fake)
    finally:
        await harness.stop()
    assert fake.violations == []
