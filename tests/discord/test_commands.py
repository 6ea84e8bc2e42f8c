"""Every command of DESIGN.md §2 as an app command: a happy use and a refusal each, through
discord.py's real client against the fake. Every answer is ephemeral, and nothing Discord
would refuse is sent (`fake.violations == []`)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from adapters.bootstrap import Runtime
from adapters.discord.client import DiscordOptions
from bot.clock import ManualClock
from tests.discord import world
from tests.discord.harness import (
    DiscordHarness,
    People,
    callback_of,
    invocation,
    reply_text,
    text_of,
)
from tests.fakes.discord import FakeDiscord
from tests.fakes.discord_interactions import boolean, group, integer, string, subcommand, user
from tests.fakes.discord_models import (
    EPHEMERAL,
    FakeAttachment,
    FakeInteraction,
    FakeMessage,
    FakeUser,
    snowflake_at,
)


def ephemeral_text(fake: FakeDiscord, sent: FakeInteraction) -> str:
    callback = callback_of(sent)
    assert callback.accepted, callback
    assert callback.type in (4, 5)
    assert callback.flags & EPHEMERAL
    return reply_text(sent, fake)


# --------------------------------------------------------------------------- /intro help, find


async def test_help_and_a_topic_that_does_not_exist(
    fake: FakeDiscord, harness: DiscordHarness, people: People
) -> None:
    everything = ephemeral_text(fake, await harness.slash("intro", "help", user=people.ben))
    assert "/intro find" in everything
    one = ephemeral_text(fake, await harness.slash(
        "intro", "help", string("topic", "admin stats"), user=people.ben))
    assert one.startswith("/intro admin stats")
    unknown = ephemeral_text(fake, await harness.slash(
        "intro", "help", string("topic", "teleport"), user=people.ben))
    assert "There's no /intro teleport" in unknown
    assert fake.violations == []


async def test_find_shows_mentor_cards_with_request_buttons(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime
) -> None:
    world.mentors(runtime, fake, people)
    sent = await harness.slash("intro", "find", string("keywords", "climate product"),
                               user=people.ben)
    text = ephemeral_text(fake, sent)
    assert "Maria Chen" in text
    message = fake.interaction_messages(sent)[0]
    titles = [e["title"] for e in message.embeds]
    assert titles[0] == "Maria Chen"
    maria_id = runtime.program.find_member(invocation(fake, people.maria).community, "maria")
    assert maria_id is not None
    assert f"ib:{fake.guild.id}:intro:request:{maria_id.id}" in message.custom_ids()
    labels = [c["label"] for row in message.components for c in row["components"]]
    assert any(label.startswith("Request intro") for label in labels)
    assert fake.violations == []


async def test_find_filters_by_industry_and_company_with_spaces(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime
) -> None:
    world.mentors(runtime, fake, people)
    sent = await harness.slash("intro", "find", string("industry", "Climate & Energy"),
                               string("company", "Acme Climate"), user=people.ben)
    text = ephemeral_text(fake, sent)
    assert "Maria Chen" in text and "Pat Okafor" not in text
    none = await harness.slash("intro", "find", string("company", "Nowhere Inc"),
                               user=people.ben)
    assert "No available mentors match" in ephemeral_text(fake, none)
    assert fake.violations == []


async def test_find_refuses_an_open_quote(
    fake: FakeDiscord, harness: DiscordHarness, people: People
) -> None:
    sent = await harness.slash("intro", "find", string("keywords", '"product'),
                               user=people.ben)
    assert "quote is left open" in ephemeral_text(fake, sent)
    assert fake.violations == []


# --------------------------------------------------------------------------- request, list


async def test_request_opens_the_request_form(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime
) -> None:
    world.mentors(runtime, fake, people)
    sent = await harness.slash("intro", "request", user("mentor", people.maria),
                               string("topic", "product in climate"),
                               string("format", "video"), user=people.ben)
    callback = callback_of(sent)
    assert callback.accepted and callback.type == 9
    modal = callback.data
    assert modal["title"] == "Ask Maria Chen"
    inputs = {c["component"]["custom_id"]: c["component"] for c in modal["components"]
              if c["type"] == 18}
    assert set(inputs) == {"topic", "why_you", "format", "availability"}
    assert inputs["topic"]["value"] == "product in climate"
    assert inputs["format"]["value"] == "video"
    assert fake.violations == []


async def test_request_to_someone_who_is_not_a_mentor_is_refused(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime
) -> None:
    world.mentors(runtime, fake, people)
    sent = await harness.slash("intro", "request", user("mentor", people.cy), user=people.ben)
    text = ephemeral_text(fake, sent)
    assert "Cy Park" in text and "mentor" in text
    assert fake.violations == []


async def test_list_shows_requests_and_says_when_there_are_none(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime
) -> None:
    empty = await harness.slash("intro", "list", user=people.ben)
    assert "no intro requests yet" in ephemeral_text(fake, empty)
    request_id = world.base(runtime, fake, people)
    listed = await harness.slash("intro", "list", user=people.ben)
    assert f"#{request_id} to Maria Chen — pending" in ephemeral_text(fake, listed)
    message = fake.interaction_messages(listed)[0]
    assert f"ib:{fake.guild.id}:intro:cancel:{request_id}" in message.custom_ids()
    assert fake.violations == []


# --------------------------------------------------------------------------- a request's life


async def test_cancel_by_the_seeker_and_refused_for_the_mentor(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime
) -> None:
    request_id = world.base(runtime, fake, people)
    refused = await harness.slash("intro", "cancel", integer("request", request_id),
                                  user=people.maria)
    assert "Only the person who asked" in ephemeral_text(fake, refused)
    sent = await harness.slash("intro", "cancel", integer("request", request_id),
                               user=people.ben)
    assert f"Request #{request_id} is withdrawn" in ephemeral_text(fake, sent)
    await harness.settle()
    assert any("withdrew" in m.content for m in fake.dm_messages(people.maria))
    assert fake.violations == []


async def test_schedule_attaches_the_invite_and_refuses_a_pending_request(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime
) -> None:
    pending = world.base(runtime, fake, people)
    refused = await harness.slash("intro", "schedule", integer("request", pending),
                                  string("when", "tomorrow 15:00"), user=people.ben)
    assert "hasn't been accepted yet" in ephemeral_text(fake, refused)

    runtime.program.action(invocation(fake, people.maria), f"intro:accept:{pending}")
    sent = await harness.slash("intro", "schedule", integer("request", pending),
                               string("when", "tomorrow 15:00"), integer("minutes", 30),
                               user=people.ben)
    await harness.answer(sent)
    assert "Tue 4 Mar 2025, 15:00 (UTC), 30 minutes" in reply_text(sent, fake)
    for person in (people.ben, people.maria):
        invite = fake.dm_messages(person)[-1].attachments
        assert [a.filename for a in invite] == [f"introbot-meeting-{pending}.ics"]
        assert b"BEGIN:VCALENDAR" in invite[0].data
    assert fake.violations == []


async def test_done_after_the_meeting_and_refused_before_it(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime,
    clock: ManualClock,
) -> None:
    request_id = world.base(runtime, fake, people)
    early = await harness.slash("intro", "done", integer("request", request_id),
                                user=people.ben)
    assert "no meeting to log yet" in ephemeral_text(fake, early)
    runtime.program.action(invocation(fake, people.maria), f"intro:accept:{request_id}")
    runtime.program.command(invocation(fake, people.ben), "intro",
                            f"schedule {request_id} tomorrow 15:00")
    clock.advance(timedelta(days=2))
    sent = await harness.slash("intro", "done", integer("request", request_id),
                               string("learned", "product roles differ a lot"),
                               user=people.ben)
    assert f"Logged — well done on intro #{request_id}" in ephemeral_text(fake, sent)
    message = fake.interaction_messages(sent)[0]
    assert f"ib:{fake.guild.id}:followup:log:{request_id}" in message.custom_ids()
    assert fake.violations == []


async def test_followup_with_days_and_refused_for_an_unknown_request(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime,
    clock: ManualClock,
) -> None:
    request_id = world.completed(runtime, fake, people, clock)
    sent = await harness.slash("intro", "followup", integer("request", request_id),
                               string("text", 'read "Deep Work"'), integer("in_days", 3),
                               user=people.ben)
    assert 'Tracking it: “read "Deep Work"”' in ephemeral_text(fake, sent)
    unknown = await harness.slash("intro", "followup", integer("request", 999),
                                  string("text", "call back"), user=people.ben)
    assert "I can't find request #999" in ephemeral_text(fake, unknown)
    assert fake.violations == []


async def test_thanks_after_the_meeting_and_refused_while_pending(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime,
    clock: ManualClock,
) -> None:
    pending = world.base(runtime, fake, people)
    refused = await harness.slash("intro", "thanks", integer("request", pending),
                                  user=people.ben)
    assert "no thank-you to send" in ephemeral_text(fake, refused)
    runtime.program.action(invocation(fake, people.maria), f"intro:accept:{pending}")
    runtime.program.command(invocation(fake, people.ben), "intro",
                            f"schedule {pending} tomorrow 15:00")
    clock.advance(timedelta(days=2))
    sent = await harness.slash("intro", "thanks", integer("request", pending), user=people.ben)
    assert "Hi Maria Chen" in ephemeral_text(fake, sent)
    message = fake.interaction_messages(sent)[0]
    assert f"ib:{fake.guild.id}:thanks:mark:{pending}" in message.custom_ids()
    assert fake.violations == []


async def test_prep_for_a_request_and_refused_for_someone_elses(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime
) -> None:
    request_id = world.base(runtime, fake, people)
    sent = await harness.slash("intro", "prep", integer("request", request_id),
                               user=people.ben)
    text = ephemeral_text(fake, sent)
    assert "Getting ready for your conversation with Maria Chen" in text
    assert all(len(m.content) <= 2000 for m in fake.interaction_messages(sent))
    stranger = await harness.slash("intro", "prep", integer("request", request_id),
                                   user=people.cy)
    assert f"I can't find request #{request_id} among yours" in ephemeral_text(fake, stranger)
    assert fake.violations == []


async def test_connect_asks_the_mentor_first_and_refuses_one_person_twice(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime
) -> None:
    world.mentors(runtime, fake, people)
    # Cy never used the bot: naming them in a command is enough to make them a member.
    sent = await harness.slash("intro", "connect", user("seeker", people.cy),
                               user("mentor", people.maria),
                               string("note", "you both care about climate"), user=people.ben)
    assert "I've asked Maria Chen first" in ephemeral_text(fake, sent)
    await harness.settle()
    asked = fake.dm_messages(people.maria)[-1]
    assert any(c.startswith(f"ib:{fake.guild.id}:warm:yes:") for c in asked.custom_ids())
    twice = await harness.slash("intro", "connect", user("seeker", people.pat),
                                user("mentor", people.pat), user=people.ben)
    assert "two different people" in ephemeral_text(fake, twice)
    assert fake.violations == []


# --------------------------------------------------------------------------- privacy


async def test_my_data_comes_with_a_file(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime
) -> None:
    world.base(runtime, fake, people)
    sent = await harness.slash("intro", "my-data", user=people.ben)
    assert "everything this community's Introbot stores about you" in ephemeral_text(fake, sent)
    files = [a for m in fake.interaction_messages(sent) for a in m.attachments]
    assert [f.filename for f in files] == ["introbot-my-data.json"]
    assert b'"display_name"' in files[0].data or b"Ben" in files[0].data
    assert fake.violations == []


async def test_forget_me_asks_to_confirm_then_erases(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime
) -> None:
    world.base(runtime, fake, people)
    first = await harness.slash("intro", "forget-me", user=people.ben)
    assert "/intro forget-me confirm" in ephemeral_text(fake, first)
    sent = await harness.slash("intro", "forget-me", boolean("confirm", True), user=people.ben)
    assert "your personal data is erased" in ephemeral_text(fake, sent)
    assert fake.violations == []


# --------------------------------------------------------------------------- /intro admin


async def test_admin_stats_for_manage_server_and_the_settings_list_not_for_members(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime
) -> None:
    world.base(runtime, fake, people)
    by_admin = await harness.slash("intro", "admin stats", integer("days", 30),
                                   user=people.ada)
    assert "How the program went over the last 30 days" in ephemeral_text(fake, by_admin)
    listed = await harness.slash("intro", "admin stats", user=people.admin_by_setting)
    assert "How the program went" in ephemeral_text(fake, listed)
    refused = await harness.slash("intro", "admin stats", user=people.ben)
    assert "That's for program admins" in ephemeral_text(fake, refused)
    assert fake.violations == []


async def test_admin_export_is_a_csv_file_and_refused_for_members(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime
) -> None:
    world.base(runtime, fake, people)
    sent = await harness.slash("intro", "admin export", string("kind", "mentors"),
                               user=people.ada)
    assert "mentors export" in ephemeral_text(fake, sent)
    files = [a for m in fake.interaction_messages(sent) for a in m.attachments]
    assert len(files) == 1 and files[0].filename.endswith(".csv")
    assert b"Maria Chen" in files[0].data
    refused = await harness.slash("intro", "admin export", string("kind", "requests"),
                                  user=people.ben)
    assert "That's for program admins" in ephemeral_text(fake, refused)
    assert fake.violations == []


async def test_admin_config_shows_changes_and_refuses_a_bad_value(
    fake: FakeDiscord, harness: DiscordHarness, people: People
) -> None:
    shown = await harness.slash("intro", "admin config", user=people.ada)
    assert "max_open_requests" in ephemeral_text(fake, shown)
    changed = await harness.slash("intro", "admin config", string("key", "lint_mode"),
                                  string("value", "block"), user=people.ada)
    assert "lint_mode: warn → block" in ephemeral_text(fake, changed)
    refused = await harness.slash("intro", "admin config", string("key", "lint_mode"),
                                  string("value", "maybe"), user=people.ada)
    assert "Can't set lint_mode to 'maybe'" in ephemeral_text(fake, refused)
    assert fake.violations == []


async def test_admin_block_and_unblock_refused_for_members(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime
) -> None:
    world.mentors(runtime, fake, people)
    refused = await harness.slash("intro", "admin block", user("member", people.maria),
                                  user=people.ben)
    assert "That's for program admins" in ephemeral_text(fake, refused)
    blocked = await harness.slash("intro", "admin block", user("member", people.ben),
                                  user=people.ada)
    assert "Ben is blocked" in ephemeral_text(fake, blocked)
    asked = await harness.slash("intro", "request", user("mentor", people.maria),
                                user=people.ben)
    assert "paused by the program admins" in ephemeral_text(fake, asked)
    unblocked = await harness.slash("intro", "admin unblock", user("member", people.ben),
                                    user=people.ada)
    assert "Ben is unblocked" in ephemeral_text(fake, unblocked)
    assert fake.violations == []


# --------------------------------------------------------------------------- /mentor


async def test_mentor_join_and_profile_open_the_profile_form(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime
) -> None:
    joined = await harness.slash("mentor", "join", user=people.cy)
    assert callback_of(joined).type == 9
    assert callback_of(joined).data["title"] == "Become a mentor (1/2)"
    world.mentors(runtime, fake, people)
    edit = await harness.slash("mentor", "profile", user=people.maria)
    modal = callback_of(edit).data
    assert modal["title"] == "Your mentor profile (1/2)"
    values = {c["component"]["custom_id"]: c["component"].get("value") for c in
              modal["components"] if c["type"] == 18}
    assert values["headline"] == "Product manager in climate tech"
    assert len(values) == 5
    assert fake.violations == []


async def test_mentor_help(fake: FakeDiscord, harness: DiscordHarness, people: People) -> None:
    sent = await harness.slash("mentor", "help", user=people.ben)
    assert "/mentor join" in ephemeral_text(fake, sent)
    assert fake.violations == []


async def test_mentor_availability_commands_and_refusals_for_non_mentors(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime
) -> None:
    world.mentors(runtime, fake, people)
    off = await harness.slash("mentor", "off", user=people.maria)
    assert "You're now unavailable" in ephemeral_text(fake, off)
    on = await harness.slash("mentor", "on", user=people.maria)
    assert "You're available again" in ephemeral_text(fake, on)
    away = await harness.slash("mentor", "away", string("until", "2025-04-01"),
                               user=people.maria)
    assert "You're away until Tue 1 Apr 2025" in ephemeral_text(fake, away)
    bad_date = await harness.slash("mentor", "away", string("until", "someday maybe"),
                                   user=people.maria)
    assert "couldn't read “someday maybe” as a date" in ephemeral_text(fake, bad_date)
    capacity = await harness.slash("mentor", "capacity", integer("intros", 5),
                                   user=people.maria)
    assert "up to 5 intros a month" in ephemeral_text(fake, capacity)
    for sub, options in (("on", ()), ("off", ()), ("requests", ()), ("leave", ()),
                         ("capacity", (integer("intros", 2),)),
                         ("away", (string("until", "2025-04-01"),))):
        refused = await harness.slash("mentor", sub, *options, user=people.ben)
        text = ephemeral_text(fake, refused)
        assert "not a mentor" in text, (sub, text)
    assert fake.violations == []


async def test_mentor_requests_shows_buttons_and_leave_declines_kindly(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime
) -> None:
    request_id = world.base(runtime, fake, people)
    pending = await harness.slash("mentor", "requests", user=people.maria)
    ephemeral_text(fake, pending)
    message = fake.interaction_messages(pending)[0]
    assert {f"ib:{fake.guild.id}:intro:{verb}:{request_id}"
            for verb in ("accept", "decline", "notnow")} <= set(message.custom_ids())
    left = await harness.slash("mentor", "leave", user=people.maria)
    assert "You've left the mentor program" in ephemeral_text(fake, left)
    await harness.settle()
    told = fake.dm_messages(people.ben)[-1]
    assert "stepped back from mentoring" in told.content + str(told.embeds)
    assert fake.violations == []


async def test_admin_import_reads_the_uploaded_csv(
    fake: FakeDiscord, harness: DiscordHarness, people: People
) -> None:
    csv_text = (
        "handle,display_name,headline,industries,company\n"
        "dev.patel,Dev Patel,Climate founder,Climate,Sunward\n"
        "ana.ruiz,Ana Ruiz,Data lead,Data & AI,Numbers Co\n"
    )
    sent = await _import(fake, people.ada, csv_text.encode())
    messages = await harness.answer(sent)
    text = "\n".join(text_of(m) for m in messages)
    assert "Invited 2 mentors" in text
    refused = await _import(fake, people.ben, csv_text.encode())
    await harness.answer(refused)
    assert "That's for program admins" in reply_text(refused, fake)
    usage = await harness.slash("intro", "admin import", user=people.ada)
    assert "upload the file with the command" in ephemeral_text(fake, usage)
    assert fake.violations == []


async def _import(fake: FakeDiscord, who: FakeUser, data: bytes) -> FakeInteraction:
    """`/intro admin import file:<upload>`: Discord sends the upload in data.resolved."""
    upload = FakeAttachment(snowflake_at(fake.now()), "mentors.csv", data, "text/csv")
    holder = FakeMessage(snowflake_at(fake.now()), fake.general.id, fake.now(), who,
                         attachments=[upload])
    fake.messages[holder.id] = holder  # the fake serves files of messages it knows
    command = fake.synced_command("intro", guild=fake.guild)
    assert command is not None
    option = group("admin", subcommand("import", {"name": "file", "type": 11,
                                                  "value": str(upload.id)}))
    data_ = {"id": command["id"], "name": "intro", "type": 1, "guild_id": str(fake.guild.id),
             "options": [option],
             "resolved": {"attachments": {str(upload.id): upload.payload(fake.base_url)}}}
    sent = await fake.send_interaction(2, data_, user=who, channel=fake.general)
    await fake.wait_callback(sent)
    return sent


# --------------------------------------------------------------------------- where


async def test_commands_in_dms_are_refused_politely(
    fake: FakeDiscord, runtime: Runtime, people: People
) -> None:
    running = DiscordHarness(fake, runtime, DiscordOptions(dev_guild=None))
    await running.start()
    try:
        sent = await running.slash("intro", "list", user=people.ben, in_dm=True)
        text = ephemeral_text(fake, sent)
        assert "inside your community's server" in text
        intro = next(c for c in fake.commands[None] if c["name"] == "intro")
        assert intro["contexts"] == [0]  # offered in servers only
    finally:
        await running.stop()
    assert fake.violations == []


async def test_replies_with_buttons_leave_no_view_behind(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime
) -> None:
    """The buttons are routed by their custom_id alone, so no reply keeps a view (and its
    15-minute timeout task) alive in the client; the buttons still work."""

    def view_timeouts() -> int:
        return sum(1 for task in asyncio.all_tasks()
                   if "timeout_task" in getattr(task.get_coro(), "__qualname__", ""))

    world.mentors(runtime, fake, people)
    for _ in range(3):
        sent = await harness.slash("intro", "find", string("keywords", "climate"),
                                   user=people.ben)
        assert fake.interaction_messages(sent)[0].custom_ids()

    assert view_timeouts() == 0
    assert harness.client is not None
    assert harness.client._connection._view_store.persistent_views == []
    assert fake.violations == []
