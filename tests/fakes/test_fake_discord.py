"""The Discord fake, driven by the real discord.py client over HTTP and the gateway.

The client and its commands here are throwaway test code; they exist to show that the fake
speaks Discord well enough for discord.py and enforces Discord's rules.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands

from tests.fakes.discord import FakeDiscord
from tests.fakes.discord_interactions import group, string, subcommand, user
from tests.fakes.discord_models import EPHEMERAL, LOADING, snowflake_seconds


class AcceptButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"intro:accept:(?P<id>\d+)"
):
    def __init__(self, intro_id: int) -> None:
        super().__init__(discord.ui.Button(label="Accept", custom_id=f"intro:accept:{intro_id}"))
        self.intro_id = intro_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> AcceptButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.edit_message(
            content=f"Intro {self.intro_id} accepted", view=None
        )


class ProfileModal(discord.ui.Modal, title="Your profile"):
    bio: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Bio", custom_id="bio", max_length=200
    )
    city: discord.ui.Label[Any] = discord.ui.Label(
        text="City", component=discord.ui.TextInput(custom_id="city", required=False)
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        city = self.city.component
        assert isinstance(city, discord.ui.TextInput)
        await interaction.response.send_message(
            f"Saved: {self.bio.value} / {city.value}", ephemeral=True
        )


class ThrowawayBot(discord.Client):
    """A tiny client with a command tree, as an adapter would build one."""

    def __init__(self, fake: FakeDiscord, **options: Any) -> None:
        intents = options.pop("intents", None) or discord.Intents.none()
        intents.guilds = True
        super().__init__(intents=intents, guild_ready_timeout=0.1, **options)
        self.fake = fake
        self.tree = app_commands.CommandTree(self)
        self.seen: dict[str, Any] = {}
        self._add_commands()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None  # discord.py sleeps 5 s before every IDENTIFY but the first

    async def on_resumed(self) -> None:
        self.seen["resumed"] = self.seen.get("resumed", 0) + 1

    async def setup_hook(self) -> None:
        self.add_dynamic_items(AcceptButton)
        guild = discord.Object(self.fake.guild.id)
        self.tree.copy_global_to(guild=guild)
        await self.tree.sync(guild=guild)
        await self.tree.sync()

    def _add_commands(self) -> None:
        tree, seen = self.tree, self.seen

        @tree.command(description="Check the bot is alive")
        async def ping(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("pong", ephemeral=True)

        @tree.command(description="Slow work, answered later")
        async def report(interaction: discord.Interaction) -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            await interaction.edit_original_response(content="Report ready")
            extra = await interaction.followup.send("One more thing", ephemeral=True, wait=True)
            await extra.edit(content="One more thing (edited)")
            seen["report"] = interaction

        @tree.command(description="Offer an intro")
        async def offer(interaction: discord.Interaction) -> None:
            view = discord.ui.View(timeout=None)
            view.add_item(AcceptButton(42))
            await interaction.response.send_message("Ada would like an intro", view=view)

        @tree.command(description="Edit your profile")
        async def profile(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(ProfileModal(custom_id="profile"))

        @tree.command(description="Find mentors by topic")
        async def find(interaction: discord.Interaction, topic: str) -> None:
            await interaction.response.send_message(f"Looking for {topic}", ephemeral=True)

        @find.autocomplete("topic")
        async def find_topic(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            topics = ["python", "pytest", "rust"]
            return [app_commands.Choice(name=t, value=t) for t in topics if t.startswith(current)]

        @tree.command(description="Send someone a DM")
        async def dm(interaction: discord.Interaction, who: discord.User) -> None:
            try:
                await who.send("Hello from Introbot")
            except discord.Forbidden as exc:
                seen["dm_error"] = exc
                await interaction.response.send_message("I can't DM them.", ephemeral=True)
                return
            await interaction.response.send_message("Sent.", ephemeral=True)

        @tree.command(description="Too slow on purpose")
        async def snooze(interaction: discord.Interaction) -> None:
            await asyncio.sleep(0.5)
            try:
                await interaction.response.send_message("finally")
            except discord.NotFound as exc:
                seen["snooze_error"] = exc

        @tree.command(description="Start a private thread")
        async def pair(interaction: discord.Interaction, who: discord.Member) -> None:
            await interaction.response.defer(ephemeral=True)
            channel = interaction.channel
            assert isinstance(channel, discord.TextChannel)
            thread = await channel.create_thread(
                name="intro", invitable=False, type=discord.ChannelType.private_thread
            )
            await thread.add_user(who)
            await thread.send(f"Meet {who.display_name}")
            await interaction.edit_original_response(content=f"Thread {thread.id}")

        intro = app_commands.Group(
            name="intro",
            description="Intros",
            default_permissions=discord.Permissions(manage_guild=True),
        )
        admin = app_commands.Group(name="admin", description="Admin tools", parent=intro)

        @intro.command(name="request", description="Ask for an intro")
        async def request(interaction: discord.Interaction, mentor: discord.Member) -> None:
            await interaction.response.send_message(f"Asked {mentor.display_name}", ephemeral=True)

        @admin.command(name="reset", description="Reset the program")
        async def reset(interaction: discord.Interaction) -> None:
            allowed = interaction.permissions.manage_guild
            await interaction.response.send_message(
                "Reset." if allowed else "Not allowed.", ephemeral=True
            )

        tree.add_command(intro)


class _ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.asynccontextmanager
async def running(
    client: discord.Client, fake: FakeDiscord, *, allow_errors: bool = False
) -> AsyncIterator[discord.Client]:
    """Log in, connect over the fake gateway, wait for READY; close on exit.

    discord.py logs and swallows exceptions raised in handlers; unless ``allow_errors``, any
    error it logged fails the test here instead of surfacing as a timeout.
    """
    errors = _ErrorLog()
    logging.getLogger("discord").addHandler(errors)
    await client.login(fake.token)
    connection = asyncio.create_task(client.connect())
    ready = asyncio.create_task(client.wait_until_ready())
    try:
        done, _ = await asyncio.wait(
            {connection, ready}, timeout=5, return_when=asyncio.FIRST_COMPLETED
        )
        if connection in done:
            connection.result()
        assert ready in done, "the client did not get ready"
        yield client
    finally:
        ready.cancel()
        await client.close()
        with contextlib.suppress(asyncio.CancelledError):
            await connection
        logging.getLogger("discord").removeHandler(errors)
    if not allow_errors:
        assert [r.getMessage() for r in errors.records] == []


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        with server.patch_discord():
            yield server


@pytest.fixture
async def bot(fake: FakeDiscord) -> AsyncIterator[ThrowawayBot]:
    async with running(ThrowawayBot(fake), fake) as client:
        assert isinstance(client, ThrowawayBot)
        yield client


async def test_login_ready_and_guild(fake: FakeDiscord, bot: ThrowawayBot) -> None:
    assert bot.user is not None and bot.user.id == fake.bot.id
    assert bot.application_id == fake.application_id
    guild = bot.get_guild(fake.guild.id)
    assert guild is not None and not guild.unavailable
    assert guild.get_channel(fake.general.id) is not None
    assert guild.me is not None
    assert [c.path for c in fake.calls[:2]] == ["/users/@me", "/oauth2/applications/@me"]
    assert fake.gateway.connections[0]["v"] == "10"
    assert fake.gateway.connections[0]["encoding"] == "json"
    identify = fake.gateway.sessions[0].identify
    assert identify["intents"] == bot.intents.value
    assert identify["token"] == "***"
    assert fake.violations == []


async def test_json_content_type_is_exact(fake: FakeDiscord) -> None:
    async with aiohttp.ClientSession() as http:
        headers = {"Authorization": f"Bot {fake.token}"}
        async with http.get(fake.api_url + "/users/@me", headers=headers) as response:
            assert response.headers["Content-Type"] == "application/json"
            assert (await response.json())["id"] == str(fake.bot.id)
        async with http.get(fake.api_url + "/users/@me") as response:
            assert response.status == 401


async def test_command_sync_is_recorded_and_checked(fake: FakeDiscord, bot: ThrowawayBot) -> None:
    names = {c["name"] for c in fake.commands[fake.guild.id]}
    assert {"ping", "report", "intro", "dm", "find"} <= names
    intro = next(c for c in fake.commands[fake.guild.id] if c["name"] == "intro")
    assert intro["default_member_permissions"] == "32"
    assert fake.last_call("PUT", r"/applications/\d+/guilds/\d+/commands").status == 200
    assert fake.violations == []

    too_long = [{"name": "intro", "description": "x" * 101}]
    async with aiohttp.ClientSession() as http:
        url = f"{fake.api_url}/applications/{fake.application_id}/guilds/{fake.guild.id}/commands"
        async with http.put(
            url, json=too_long, headers={"Authorization": f"Bot {fake.token}"}
        ) as response:
            assert response.status == 400
            assert (await response.json())["code"] == 50035
    assert fake.violations == [
        f"PUT /applications/{fake.application_id}/guilds/{fake.guild.id}/commands:"
        " $[0].description: 101 characters, at most 100 allowed"
    ]


async def test_slash_command_answers_ephemerally(fake: FakeDiscord, bot: ThrowawayBot) -> None:
    sent = await fake.send_slash("ping")
    callback = await fake.wait_callback(sent)
    assert callback.accepted
    assert callback.type == 4
    assert callback.content == "pong"
    assert callback.flags & EPHEMERAL
    assert abs(snowflake_seconds(sent.id) - sent.dispatched_at) < 0.01
    assert fake.violations == []


async def test_subcommands_groups_user_options_and_permissions(
    fake: FakeDiscord, bot: ThrowawayBot
) -> None:
    asked = await fake.send_slash("intro", [subcommand("request", user("mentor", fake.admin))])
    assert (await fake.wait_callback(asked)).content == "Asked Ada"

    by_member = await fake.send_slash("intro", [group("admin", subcommand("reset"))])
    assert (await fake.wait_callback(by_member)).content == "Not allowed."
    by_admin = await fake.send_slash(
        "intro", [group("admin", subcommand("reset"))], user=fake.admin
    )
    assert (await fake.wait_callback(by_admin)).content == "Reset."
    assert fake.violations == []


async def test_interactions_only_for_synced_commands_and_declared_options(
    fake: FakeDiscord, bot: ThrowawayBot
) -> None:
    with pytest.raises(LookupError):
        await fake.send_slash("nonexistent")
    with pytest.raises(ValueError, match="no option"):
        await fake.send_slash("find", [string("subject", "python")])
    with pytest.raises(ValueError, match="missing required"):
        await fake.send_slash("find")


async def test_slash_command_in_dm_uses_the_global_command(
    fake: FakeDiscord, bot: ThrowawayBot
) -> None:
    sent = await fake.send_slash("ping", in_dm=True)
    assert "guild_id" not in sent.payload["data"]
    assert sent.payload["user"]["id"] == str(fake.member.id)
    assert (await fake.wait_callback(sent)).content == "pong"


async def test_deferred_response_edit_and_followup(fake: FakeDiscord, bot: ThrowawayBot) -> None:
    sent = await fake.send_slash("report")
    callback = await fake.wait_callback(sent)
    assert callback.type == 5 and callback.ephemeral
    await fake.wait_for(lambda: "report" in bot.seen)
    original, followup = fake.interaction_messages(sent)
    assert original.content == "Report ready" and original.ephemeral
    assert not original.flags & LOADING
    assert followup.kind == "followup" and followup.ephemeral
    assert followup.content == "One more thing (edited)"
    assert [p.get("content") for p in followup.payloads] == [
        "One more thing",
        "One more thing (edited)",
    ]
    assert fake.loading_responses() == []
    assert fake.violations == []


async def test_interaction_token_expires_after_15_minutes(
    fake: FakeDiscord, bot: ThrowawayBot
) -> None:
    sent = await fake.send_slash("report")
    await fake.wait_for(lambda: "report" in bot.seen)
    interaction: discord.Interaction = bot.seen["report"]
    fake.advance(15 * 60 + 1)
    with pytest.raises(discord.HTTPException) as raised:
        await interaction.followup.send("too late")
    assert raised.value.status == 401 and raised.value.code == 50027
    with pytest.raises(discord.HTTPException) as raised:
        await interaction.edit_original_response(content="too late")
    assert raised.value.code == 50027
    assert len(fake.interaction_messages(sent)) == 2


async def test_second_callback_is_refused(fake: FakeDiscord, bot: ThrowawayBot) -> None:
    sent = await fake.send_slash("ping")
    await fake.wait_callback(sent)
    url = f"{fake.api_url}/interactions/{sent.id}/{sent.token}/callback"
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, json={"type": 4, "data": {"content": "again"}}) as response,
    ):
        assert response.status == 400
        assert (await response.json())["code"] == 40060
    assert [c.accepted for c in sent.callbacks] == [True, False]
    assert fake.violations == [f"interaction {sent.id} (/ping) answered twice"]


async def test_dynamic_button_works_after_restart(fake: FakeDiscord) -> None:
    async with running(ThrowawayBot(fake), fake):
        offered = await fake.send_slash("offer")
        assert (await fake.wait_callback(offered)).accepted
    offer = fake.find_message_with("intro:accept:42")
    assert offer is not None and offer.content == "Ada would like an intro"

    async with running(ThrowawayBot(fake), fake):
        click = await fake.send_click("intro:accept:42", user=fake.admin)
        callback = await fake.wait_callback(click)
    assert callback.accepted and callback.type == 7
    assert offer.content == "Intro 42 accepted" and offer.components == []
    assert len(fake.gateway.sessions) == 2
    assert fake.violations == []


async def test_modal_submit(fake: FakeDiscord, bot: ThrowawayBot) -> None:
    opened = await fake.send_slash("profile")
    shown = await fake.wait_callback(opened)
    assert shown.type == 9 and shown.data["custom_id"] == "profile"
    with pytest.raises(ValueError, match="required"):
        await fake.send_modal_submit("profile", {"city": "Lyon"})
    with pytest.raises(ValueError, match="at most 200"):
        await fake.send_modal_submit("profile", {"bio": "x" * 201})
    submitted = await fake.send_modal_submit("profile", {"bio": "Engineer", "city": "Lyon"})
    callback = await fake.wait_callback(submitted)
    assert callback.content == "Saved: Engineer / Lyon"
    assert fake.violations == []


async def test_autocomplete(fake: FakeDiscord, bot: ThrowawayBot) -> None:
    typing = await fake.send_autocomplete("find", [string("topic", "py", focused=True)])
    callback = await fake.wait_callback(typing)
    assert callback.type == 8
    assert [c["value"] for c in callback.data["choices"]] == ["python", "pytest"]
    assert fake.violations == []


async def test_dm_to_closed_dms_is_forbidden_50007(fake: FakeDiscord, bot: ThrowawayBot) -> None:
    closed = fake.add_user("cy", dms_closed=True)
    fake.add_member(closed)
    sent = await fake.send_slash("dm", [user("who", closed)])
    assert (await fake.wait_callback(sent)).content == "I can't DM them."
    error = bot.seen["dm_error"]
    assert isinstance(error, discord.Forbidden)
    assert error.status == 403 and error.code == 50007
    assert fake.dm_messages(closed) == []

    sent = await fake.send_slash("dm", [user("who", fake.admin)])
    assert (await fake.wait_callback(sent)).content == "Sent."
    assert [m.content for m in fake.dm_messages(fake.admin)] == ["Hello from Introbot"]


async def test_rate_limited_request_is_retried(fake: FakeDiscord, bot: ThrowawayBot) -> None:
    channel = bot.get_channel(fake.general.id)
    assert isinstance(channel, discord.TextChannel)
    fake.rate_limit("POST", r"/channels/\d+/messages$", times=1, retry_after=0.1)
    message = await channel.send(
        "Weekly intros", file=discord.File(io.BytesIO(b"a,b\n"), "intros.csv")
    )
    calls = fake.calls_to("POST", rf"/channels/{fake.general.id}/messages")
    assert [c.status for c in calls] == [429, 200]
    assert message.attachments[0].filename == "intros.csv"
    stored = fake.messages_in(fake.general)[-1]
    assert stored.content == "Weekly intros"
    assert [(a.filename, a.data) for a in stored.attachments] == [("intros.csv", b"a,b\n")]
    assert calls[-1].files[0].filename == "intros.csv"
    assert fake.violations == []


async def test_late_first_response_is_refused_and_recorded(
    fake: FakeDiscord, bot: ThrowawayBot
) -> None:
    fake.response_deadline = 0.3
    sent = await fake.send_slash("snooze")
    callback = await fake.wait_callback(sent)
    assert not callback.accepted and callback.error_code == 10062
    await fake.wait_for(lambda: "snooze_error" in bot.seen)
    assert bot.seen["snooze_error"].code == 10062
    assert len(fake.violations) == 1
    assert fake.violations[0].startswith(f"interaction {sent.id} (/snooze) answered after")


async def test_unanswered_interaction_is_a_violation(fake: FakeDiscord) -> None:
    async with running(ThrowawayBot(fake), fake, allow_errors=True) as client:
        assert isinstance(client, ThrowawayBot)
        client.tree.remove_command("ping", guild=discord.Object(fake.guild.id))
        sent = await fake.send_slash("ping")  # the tree no longer knows it
        fake.advance(3.5)
    assert fake.violations == [f"interaction {sent.id} (/ping) got no response within 3 s"]


async def test_private_thread_with_members(fake: FakeDiscord, bot: ThrowawayBot) -> None:
    sent = await fake.send_slash("pair", [user("who", fake.admin)])
    await fake.wait_for(lambda: (m := fake.original_response(sent)) and m.content != "")
    original = fake.original_response(sent)
    assert original is not None
    thread_id = int(original.content.removeprefix("Thread "))
    thread = fake.channels[thread_id]
    assert thread.type == 12 and thread.parent_id == fake.general.id
    assert fake.thread_members(thread) == {fake.bot.id, fake.admin.id}
    assert [m.content for m in fake.messages_in(thread)] == ["Meet Ada"]
    assert fake.violations == []


async def test_reconnect_resumes_and_replays_missed_events(
    fake: FakeDiscord, bot: ThrowawayBot
) -> None:
    await fake.gateway.drop_connection()
    sent = await fake.send_slash("ping")  # dispatched while the client is away
    callback = await fake.wait_callback(sent)
    assert callback.accepted and callback.content == "pong"
    await fake.wait_for(lambda: bot.seen.get("resumed") == 1)
    assert fake.gateway.sessions[0].resumes == 1
    assert len(fake.gateway.sessions) == 1

    await fake.gateway.request_reconnect()  # op 7
    await fake.wait_for(lambda: bot.seen.get("resumed") == 2)
    assert fake.gateway.sessions[0].resumes == 2
    assert fake.violations == []


async def test_invalid_session_makes_the_client_identify_again(
    fake: FakeDiscord, bot: ThrowawayBot
) -> None:
    first = fake.gateway.sessions[0]
    await fake.gateway.invalidate_session(resumable=False)
    await fake.wait_for(lambda: fake.gateway.sessions and fake.gateway.sessions[-1] is not first)
    sent = await fake.send_slash("ping")
    assert (await fake.wait_callback(sent)).content == "pong"
    assert fake.gateway.sessions[-1].resumes == 0


async def test_privileged_intents_are_refused(fake: FakeDiscord) -> None:
    intents = discord.Intents.none()
    intents.members = True
    client = ThrowawayBot(fake, intents=intents)
    with pytest.raises(discord.PrivilegedIntentsRequired):
        async with running(client, fake, allow_errors=True):
            pass


async def test_auto_sharded_client_uses_gateway_bot(fake: FakeDiscord) -> None:
    fake.shard_count = 2
    second = fake.add_guild("Second Network", owner=fake.admin)
    fake.add_member(fake.member, guild=second)
    shards_of = {g.id: (g.id >> 22) % 2 for g in fake.guilds.values()}

    class ShardedBot(ThrowawayBot, discord.AutoShardedClient):
        pass

    async with running(ShardedBot(fake), fake) as client:
        assert isinstance(client, discord.AutoShardedClient)
        assert client.shard_count == 2
        assert {g.id for g in client.guilds} == set(fake.guilds)
        assert sorted(s.shard or (0, 1) for s in fake.gateway.sessions) == [(0, 2), (1, 2)]
        assert fake.calls_to("GET", "/gateway/bot")
        for guild in client.guilds:
            assert guild.shard_id == shards_of[guild.id]
        sent = await fake.send_slash("ping")
        assert (await fake.wait_callback(sent)).content == "pong"
    assert fake.violations == []


async def test_bodies_discord_refuses_are_refused_and_recorded(
    fake: FakeDiscord, bot: ThrowawayBot
) -> None:
    twice = {"type": 2, "style": 1, "label": "Accept", "custom_id": "same"}
    message = {"content": "Pick one", "components": [{"type": 1, "components": [twice, twice]}]}
    headers = {"Authorization": f"Bot {fake.token}"}
    async with aiohttp.ClientSession(headers=headers) as http:
        url = f"{fake.api_url}/channels/{fake.general.id}/messages"
        async with http.post(url, json=message) as response:
            assert response.status == 400
        async with http.post(url, json={"content": ""}) as response:
            assert (await response.json())["code"] == 50006
        url = f"{fake.api_url}/channels/{fake.general.id}/messages"
        async with http.post(url, json={"content": "x" * 2001}) as response:
            assert (await response.json())["code"] == 50035
        url = f"{fake.api_url}/webhooks/{fake.application_id}/not-a-token"
        async with http.post(url, json={"content": "hi"}) as response:
            assert (await response.json())["code"] == 10015
    path = f"POST /channels/{fake.general.id}/messages"
    assert fake.violations == [
        f"{path}: custom_id 'same' is used twice in one message",
        f"{path}: empty message",
        f"{path}: $.content: 2001 characters, at most 2000 allowed",
    ]
    assert fake.messages_in(fake.general) == []


async def test_member_lookup(fake: FakeDiscord, bot: ThrowawayBot) -> None:
    guild = bot.get_guild(fake.guild.id)
    assert guild is not None
    member = await guild.fetch_member(fake.admin.id)
    assert member.display_name == "Ada"
    with pytest.raises(discord.NotFound) as raised:
        await guild.fetch_member(fake.bot.id + 1)
    assert raised.value.code == 10007
