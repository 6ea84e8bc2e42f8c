"""Buttons and the request DM: Request intro from the search results, Accept / Decline /
Not now in the mentor's DM — before and after a restart of the client (a second instance on
the same database) — the intro to both people, and presses that must be refused."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import discord
import pytest

from adapters.bootstrap import Runtime
from adapters.discord.client import DiscordOptions
from adapters.discord.render import ActionSpec, Outgoing
from tests.discord import world
from tests.discord.harness import DiscordHarness, People, callback_of, reply_text, text_of
from tests.fakes.discord import FakeDiscord
from tests.fakes.discord_interactions import integer, string, user
from tests.fakes.discord_models import FakeChannel, FakeMessage, FakeUser


@pytest.fixture
def intros(fake: FakeDiscord) -> FakeChannel:
    return fake.add_channel("intros")


@pytest.fixture
def options(fake: FakeDiscord, intros: FakeChannel) -> DiscordOptions:
    return DiscordOptions(dev_guild=fake.guild.id, intro_channel=intros.id)


def request_dm(fake: FakeDiscord, mentor: FakeUser) -> FakeMessage:
    found = [m for m in fake.dm_messages(mentor) if "A new intro request" in text_of(m)]
    assert found, [text_of(m) for m in fake.dm_messages(mentor)]
    return found[-1]


async def ask_through_discord(harness: DiscordHarness, people: People, topic: str) -> int:
    """Ben finds Maria, presses Request intro, fills the modal: the request id."""
    fake = harness.fake
    found = await harness.slash("intro", "find", string("keywords", "climate"), user=people.ben)
    results = fake.interaction_messages(found)[0]
    request_button = next(c for c in results.custom_ids() if ":intro:request:" in c)
    pressed = await harness.click(request_button, user=people.ben, message=results)
    modal = callback_of(pressed)
    assert modal.type == 9, modal.body
    sent = await harness.submit(modal.data["custom_id"],
                                {"topic": topic, "why_you": "your path into climate",
                                 "format": "video"})
    text = reply_text(sent, fake)
    match = re.search(r"Request #(\d+) is on its way to Maria Chen", text)
    assert match, text
    await harness.settle()
    return int(match[1])


async def test_request_from_search_results_reaches_the_mentor_with_answer_buttons(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime
) -> None:
    world.mentors(runtime, fake, people)
    request_id = await ask_through_discord(harness, people, "how product works in climate")
    dm = request_dm(fake, people.maria)
    assert "how product works in climate" in text_of(dm)
    assert dm.custom_ids() == [f"ib:{fake.guild.id}:intro:{verb}:{request_id}"
                               for verb in ("accept", "decline", "notnow")]
    assert not dm.ephemeral
    assert fake.violations == []


async def test_accept_before_a_restart_introduces_both_in_dms_and_a_private_thread(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime,
    intros: FakeChannel,
) -> None:
    request_id = world.base(runtime, fake, people)
    listed = await harness.slash("mentor", "requests", user=people.maria)
    message = fake.interaction_messages(listed)[0]
    accepted = await harness.click(f"ib:{fake.guild.id}:intro:accept:{request_id}",
                                   user=people.maria, message=message)
    await harness.answer(accepted)
    assert f"introduced you both for request #{request_id}" in reply_text(accepted, fake)
    for person in (people.ben, people.maria):
        intro = fake.dm_messages(person)[-1]
        assert f"Intro #{request_id}: Maria Chen × Ben" in text_of(intro)
    threads = [c for c in fake.channels.values() if c.parent_id == intros.id]
    assert len(threads) == 1 and threads[0].type == 12  # private
    assert fake.thread_members(threads[0]) == {fake.bot.id, people.ben.id, people.maria.id}
    posted = fake.messages_in(threads[0])
    assert f"<@{people.ben.id}>" in posted[0].content and "Maria Chen × Ben" in text_of(posted[0])
    assert fake.violations == []


async def test_accept_after_a_restart(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime
) -> None:
    world.mentors(runtime, fake, people)
    request_id = await ask_through_discord(harness, people, "breaking into product")
    await harness.restart()
    assert len(fake.gateway.sessions) == 2
    dm = request_dm(fake, people.maria)
    pressed = await harness.click(f"ib:{fake.guild.id}:intro:accept:{request_id}",
                                  user=people.maria, message=dm)
    await harness.answer(pressed)
    assert f"introduced you both for request #{request_id}" in reply_text(pressed, fake)
    assert "Maria Chen × Ben" in text_of(fake.dm_messages(people.ben)[-1])
    assert fake.violations == []


async def test_decline_after_a_restart_uses_the_modal_and_offers_alternatives(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime
) -> None:
    world.mentors(runtime, fake, people)
    request_id = await ask_through_discord(harness, people, "breaking into product")
    await harness.restart()
    dm = request_dm(fake, people.maria)
    pressed = await harness.click(f"ib:{fake.guild.id}:intro:decline:{request_id}",
                                  user=people.maria, message=dm)
    modal = callback_of(pressed)
    assert modal.type == 9 and modal.data["title"] == "Decline kindly"
    await harness.restart()  # the modal is open while the bot restarts
    sent = await harness.submit(modal.data["custom_id"], {"reason": "travelling all month"})
    await harness.answer(sent)
    assert f"Declined #{request_id} kindly" in reply_text(sent, fake)
    told = fake.dm_messages(people.ben)[-1]
    assert "travelling all month" in text_of(told)
    assert "Pat Okafor" in text_of(told)  # another mentor, with a button to ask them
    assert any(":intro:request:" in c for c in told.custom_ids())
    assert fake.violations == []


async def test_not_now_takes_a_typed_choice(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime
) -> None:
    world.mentors(runtime, fake, people)
    request_id = await ask_through_discord(harness, people, "breaking into product")
    pressed = await harness.click(f"ib:{fake.guild.id}:intro:notnow:{request_id}",
                                  user=people.maria, message=request_dm(fake, people.maria))
    modal = callback_of(pressed).data
    label = modal["components"][-1]
    assert label["type"] == 18 and "7, 14, 30, 90" in label["description"]
    sent = await harness.submit(modal["custom_id"], {"days": "2 weeks"})
    assert "You're paused for 14 days" in reply_text(sent, fake)
    assert fake.violations == []


async def test_a_press_by_someone_who_is_not_the_mentor_is_refused(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime
) -> None:
    world.mentors(runtime, fake, people)
    request_id = await ask_through_discord(harness, people, "breaking into product")
    dm = request_dm(fake, people.maria)
    for custom_id in (f"ib:{fake.guild.id}:intro:accept:{request_id}",
                      f"ib:{fake.guild.id}:intro:decline:{request_id}"):
        pressed = await harness.click(custom_id, user=people.pat, message=dm)
        assert callback_of(pressed).type == 4
        assert "Only the mentor this request was sent to" in reply_text(pressed, fake)
    listed = await harness.slash("intro", "list", user=people.ben)
    assert "pending" in reply_text(listed, fake)
    assert fake.violations == []


@pytest.fixture
async def second_guild(fake: FakeDiscord, people: People) -> AsyncIterator[FakeChannel]:
    other = fake.add_guild("Other Alumni", owner=people.ada)
    channel = fake.add_channel("lobby", guild=other)
    for person in (people.ada, people.ben, people.maria, people.pat):
        fake.add_member(person, guild=other)
    yield channel


async def test_request_ids_and_buttons_from_another_server_are_refused(
    fake: FakeDiscord, runtime: Runtime, people: People, second_guild: FakeChannel
) -> None:
    harness = DiscordHarness(fake, runtime, DiscordOptions())  # global commands
    await harness.start()
    try:
        request_id = world.base(runtime, fake, people)
        await harness.settle()
        # The same request number typed in another server: that community has no such request.
        typed = await harness.slash("intro", "cancel", integer("request", request_id),
                                    user=people.ben, channel=second_guild)
        assert f"I can't find request #{request_id}" in reply_text(typed, fake)
        # A button carrying the first server, pressed in the second one.
        posted = await _post_button(fake, harness, second_guild, fake.guild.id,
                                    f"intro:cancel:{request_id}")
        pressed = await harness.click(posted.custom_ids()[0], user=people.ben, message=posted)
        assert "belongs to another server" in reply_text(pressed, fake)
        still = await harness.slash("intro", "list", user=people.ben)
        assert f"#{request_id} to Maria Chen — pending" in reply_text(still, fake)
    finally:
        await harness.stop()
    assert fake.violations == []


async def _post_button(fake: FakeDiscord, harness: DiscordHarness, channel: FakeChannel,
                       guild_id: int, action_id: str) -> FakeMessage:
    """A bot message in `channel` with a button of `guild_id` (as if copied there)."""
    spec = ActionSpec(guild_id, action_id, "Cancel")
    custom_id = spec.custom_id
    view = Outgoing(content="x", rows=[[spec]]).view()
    assert view is not None
    target = harness.bot.get_partial_messageable(channel.id)
    await target.send("A button", view=view, allowed_mentions=discord.AllowedMentions.none())
    found = fake.find_message_with(custom_id)
    assert found is not None and found.channel_id == channel.id
    return found


async def test_a_warm_intro_is_answered_with_buttons_in_dms(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime
) -> None:
    world.mentors(runtime, fake, people)
    await harness.slash("intro", "connect", user("seeker", people.ben),
                        user("mentor", people.maria), string("note", "both into climate"),
                        user=people.ada)
    await harness.settle()
    asked = fake.dm_messages(people.maria)[-1]
    yes = next(c for c in asked.custom_ids() if ":warm:yes:" in c)
    stranger = await harness.click(yes, user=people.ben, message=asked)
    assert "Only the person being introduced can answer" in reply_text(stranger, fake)
    pressed = await harness.click(yes, user=people.maria, message=asked)
    await harness.answer(pressed)
    assert "I've asked Ben if they'd like the intro too" in reply_text(pressed, fake)
    offered = fake.dm_messages(people.ben)[-1]
    assert "A warm intro for you" in text_of(offered)
    join = next(c for c in offered.custom_ids() if ":warm:join:" in c)
    joined = await harness.click(join, user=people.ben, message=offered)
    await harness.answer(joined)
    assert "Wonderful — you're introduced" in reply_text(joined, fake)
    assert "Your warm intro worked" in text_of(fake.dm_messages(people.ada)[-1])
    assert fake.violations == []
