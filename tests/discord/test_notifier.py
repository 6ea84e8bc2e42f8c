"""Delivering the core's DMs (the dispatcher's port): reminders as DMs, closed DMs falling
back to a mention that is recorded, 429s waited out, introductions to several people, and
what can never be delivered."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from adapters.bootstrap import Runtime
from adapters.discord.client import DiscordOptions
from bot.clock import ManualClock
from bot.context import CommunityKey
from bot.domain import AuditEntry
from bot.messages import Button, Card, DirectMessage, Message, Recipient
from bot.ports import DeliveryError
from storage.uow import make_uow_factory
from tests.discord import world
from tests.discord.harness import DiscordHarness, People, community, text_of
from tests.fakes.discord import FakeDiscord
from tests.fakes.discord_models import FakeChannel, FakeUser
from tests.usecases.outbox_helpers import send_due


@pytest.fixture
def notices(fake: FakeDiscord) -> FakeChannel:
    return fake.add_channel("notices")


@pytest.fixture
def intros(fake: FakeDiscord) -> FakeChannel:
    return fake.add_channel("intros")


@pytest.fixture
def options(fake: FakeDiscord, notices: FakeChannel, intros: FakeChannel) -> DiscordOptions:
    return DiscordOptions(dev_guild=fake.guild.id, fallback_channel=notices.id,
                          intro_channel=intros.id)


@pytest.fixture
async def bare(fake: FakeDiscord, runtime: Runtime) -> AsyncIterator[DiscordHarness]:
    """A client with neither a fallback nor an intro channel."""
    running = DiscordHarness(fake, runtime, DiscordOptions(dev_guild=fake.guild.id))
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


def member_id(runtime: Runtime, fake: FakeDiscord, user: FakeUser) -> int:
    found = runtime.program.find_member(community(fake), user.username)
    assert found is not None and found.id is not None
    return found.id


def deliveries(runtime: Runtime, fake: FakeDiscord, user: FakeUser) -> list[AuditEntry]:
    member = member_id(runtime, fake, user)
    uow_factory = make_uow_factory(runtime.engine)
    with uow_factory() as uow:
        found = uow.communities.get_or_create("discord", str(fake.guild.id), "",
                                              runtime.clock.now())
        assert found.id is not None
        entries = uow.audit.for_entity(found.id, "member", member)
    return [e for e in entries if e.action.startswith("delivery.")]


def to(runtime: Runtime, fake: FakeDiscord, *users: FakeUser) -> tuple[Recipient, ...]:
    return tuple(Recipient(member_id(runtime, fake, u), str(u.id), u.global_name or "")
                 for u in users)


async def test_reminders_due_are_delivered_as_dms_with_working_buttons(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime,
    clock: ManualClock,
) -> None:
    request_id = world.scheduled(runtime, fake, people)
    clock.advance(timedelta(days=1, hours=2))  # past the meeting: prep, time-box, check-in
    due = [d for d in send_due(runtime.program, make_uow_factory(runtime.engine), clock)
           if d.dm is not None]
    assert due
    for item in due:
        assert item.dm is not None
        await harness.bot.notifier.deliver(community(fake), item.dm)
    received = fake.dm_messages(people.ben)
    assert len(received) >= len([d for d in due if d.dm and d.dm.recipients[0].platform_user_id
                                 == str(people.ben.id)])
    buttons = [c for m in received for c in m.custom_ids()]
    assert any(c == f"ib:{fake.guild.id}:meeting:done:{request_id}" for c in buttons), buttons
    checkin = next(m for m in received if f"meeting:done:{request_id}" in str(m.components))
    pressed = await harness.click(f"ib:{fake.guild.id}:meeting:done:{request_id}",
                                  user=people.ben, message=checkin)
    assert pressed.callback is not None and pressed.callback.type == 9  # the done form
    assert fake.violations == []


async def test_closed_dms_fall_back_to_a_mention_that_is_recorded(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime,
    notices: FakeChannel,
) -> None:
    world.mentors(runtime, fake, people)
    world.make_mentor(runtime, fake, people.cy, "Designer", "Design")
    dm = DirectMessage(to(runtime, fake, people.cy),
                       Message(text="Your meeting with Ben starts in 2 minutes: wrap up."),
                       kind="timebox")
    await harness.bot.notifier.deliver(community(fake), dm)
    assert fake.dm_messages(people.cy) == []
    (mention,) = fake.messages_in(notices)
    assert mention.content.startswith(f"<@{people.cy.id}> I have a message for you")
    assert "wrap up" not in mention.content  # the content stays private
    call = fake.last_call("POST", rf"/channels/{notices.id}/messages")
    assert call.json["allowed_mentions"] == {"parse": [], "users": [people.cy.id]}
    assert [(e.action, e.detail) for e in deliveries(runtime, fake, people.cy)] == [
        ("delivery.fallback_channel", "timebox")]
    refused = fake.calls_to("POST", r"/channels/\d+/messages")
    assert [c.status for c in refused].count(403) == 1  # a closed DM is never retried
    assert fake.violations == []


async def test_closed_dms_without_a_fallback_channel_are_a_permanent_failure(
    fake: FakeDiscord, bare: DiscordHarness, people: People, runtime: Runtime
) -> None:
    world.make_mentor(runtime, fake, people.cy, "Designer", "Design")
    dm = DirectMessage(to(runtime, fake, people.cy), Message(text="A reminder"),
                       kind="followup")
    with pytest.raises(DeliveryError) as raised:
        await bare.bot.notifier.deliver(community(fake), dm)
    assert raised.value.permanent
    assert [(e.action, e.detail) for e in deliveries(runtime, fake, people.cy)] == [
        ("delivery.undeliverable", "followup")]
    assert fake.violations == []


async def test_the_fallback_channel_of_another_server_is_not_used(
    fake: FakeDiscord, people: People, runtime: Runtime
) -> None:
    other = fake.add_guild("Other Network", owner=people.ada)
    elsewhere = fake.add_channel("notices", guild=other)
    harness = DiscordHarness(fake, runtime, DiscordOptions(dev_guild=fake.guild.id,
                                                           fallback_channel=elsewhere.id))
    await harness.start()
    try:
        world.make_mentor(runtime, fake, people.cy, "Designer", "Design")
        dm = DirectMessage(to(runtime, fake, people.cy), Message(text="A reminder"))
        with pytest.raises(DeliveryError):
            await harness.bot.notifier.deliver(community(fake), dm)
        assert fake.messages_in(elsewhere) == []
    finally:
        await harness.stop()


async def test_a_429_is_waited_out_and_the_dm_delivered(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime
) -> None:
    world.mentors(runtime, fake, people)
    fake.rate_limit("POST", r"/channels/\d+/messages$", times=2, retry_after=0.2)
    dm = DirectMessage(to(runtime, fake, people.maria), Message(text="A thank-you reminder"),
                       kind="thanks")
    await harness.bot.notifier.deliver(community(fake), dm)
    calls = fake.calls_to("POST", r"/channels/\d+/messages")
    assert [c.status for c in calls] == [429, 429, 200]
    assert [m.content for m in fake.dm_messages(people.maria)] == ["A thank-you reminder"]
    nonces = {c.json.get("nonce") for c in calls}
    assert len(nonces) == 1 and all(c.json.get("enforce_nonce") for c in calls)
    assert fake.violations == []


async def test_an_intro_reaches_a_person_with_closed_dms_in_the_private_thread(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime,
    intros: FakeChannel, notices: FakeChannel,
) -> None:
    world.mentors(runtime, fake, people)
    runtime.program.command(world.invocation(fake, people.cy), "intro", "list")
    dm = DirectMessage(to(runtime, fake, people.cy, people.maria),
                       Message(title="Intro #7: Maria Chen × Cy Park", text="Meet each other."),
                       kind="request.accepted")
    await harness.bot.notifier.deliver(community(fake), dm)
    assert [text_of(m) for m in fake.dm_messages(people.maria)] == [
        "Intro #7: Maria Chen × Cy Park\nMeet each other."]
    (thread,) = [c for c in fake.channels.values() if c.parent_id == intros.id]
    assert thread.name == "Intro #7: Maria Chen × Cy Park"
    assert people.cy.id in fake.thread_members(thread)
    assert fake.messages_in(notices) == []
    assert [e.action for e in deliveries(runtime, fake, people.cy)] == ["delivery.thread"]
    assert fake.violations == []


async def test_an_intro_with_nobody_reachable_fails_for_good(
    fake: FakeDiscord, bare: DiscordHarness, people: People, runtime: Runtime
) -> None:
    shut = fake.add_user("dee", global_name="Dee", dms_closed=True)
    fake.add_member(shut)
    runtime.program.command(world.invocation(fake, people.cy), "intro", "list")
    runtime.program.command(world.invocation(fake, shut), "intro", "list")
    dm = DirectMessage(to(runtime, fake, people.cy, shut), Message(text="Meet."),
                       kind="request.accepted")
    with pytest.raises(DeliveryError) as raised:
        await bare.bot.notifier.deliver(community(fake), dm)
    assert raised.value.permanent


async def test_what_is_not_a_discord_member_is_refused_for_good(
    fake: FakeDiscord, harness: DiscordHarness, people: People
) -> None:
    message = Message(text="hello")
    slack = DirectMessage((Recipient(1, "U123", "Someone"),), message)
    with pytest.raises(DeliveryError) as raised:
        await harness.bot.notifier.deliver(CommunityKey("slack", "T1", "Team"), slack)
    assert raised.value.permanent
    imported = DirectMessage((Recipient(1, "import:dev.patel", "Dev Patel"),), message)
    with pytest.raises(DeliveryError) as raised:
        await harness.bot.notifier.deliver(community(fake), imported)
    assert raised.value.permanent
    assert fake.calls_to("POST", r"/users/@me/channels") == []


async def test_a_long_dm_is_split_within_discords_limits(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime
) -> None:
    world.mentors(runtime, fake, people)
    cards = tuple(Card(title=f"Request {n}", text="x" * 900,
                       buttons=(Button("Accept", f"intro:accept:{n}"),))
                  for n in range(1, 13))
    dm = DirectMessage(to(runtime, fake, people.maria),
                       Message(text="Your weekly digest", cards=cards), kind="digest")
    await harness.bot.notifier.deliver(community(fake), dm)
    received = fake.dm_messages(people.maria)
    assert len(received) == 3
    assert sum(len(m.embeds) for m in received) == 12
    assert all(len(m.components) <= 5 for m in received)
    assert [c for m in received for c in m.custom_ids()] == [
        f"ib:{fake.guild.id}:intro:accept:{n}" for n in range(1, 13)]
    assert fake.violations == []
