"""Modals: the request form with the core's lint (a second look before sending), a refused
submit and its fix, the mentor profile split over two modals (also across a restart), and a
form nobody remembers any more."""

from __future__ import annotations

from typing import Any

from adapters.bootstrap import Runtime
from tests.discord import world
from tests.discord.harness import DiscordHarness, People, callback_of, reply_text
from tests.fakes.discord import FakeDiscord
from tests.fakes.discord_interactions import integer, user
from tests.fakes.discord_models import FakeInteraction, FakeMessage


def inputs(modal: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The text inputs of a shown modal by custom_id (inside their labels)."""
    return {c["component"]["custom_id"]: c["component"] for c in modal["components"]
            if c["type"] == 18}


def only_message(fake: FakeDiscord, sent: FakeInteraction) -> FakeMessage:
    messages = fake.interaction_messages(sent)
    assert len(messages) == 1, messages
    return messages[0]


async def open_request_form(harness: DiscordHarness, people: People) -> dict[str, Any]:
    sent = await harness.slash("intro", "request", user("mentor", people.maria),
                               user=people.ben)
    callback = callback_of(sent)
    assert callback.type == 9
    return callback.data


async def test_a_flagged_request_gets_a_second_look_before_it_is_sent(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime
) -> None:
    world.mentors(runtime, fake, people)
    modal = await open_request_form(harness, people)
    assert modal["components"][0]["type"] == 10  # the form's intro, as text
    flagged = await harness.submit(modal["custom_id"], {
        "topic": "Are you hiring? I'd love a referral for an internship",
        "format": "call",
    })
    message = only_message(fake, flagged)
    assert message.ephemeral
    assert "Edit your request, or send it as it is" in reply_text(flagged, fake)
    (review,) = message.custom_ids()
    assert review.startswith(f"ibf:{fake.guild.id}:0:request:") and review.endswith(":confirm")
    reopened = await harness.click(review, user=people.ben, message=message)
    again = callback_of(reopened).data
    assert again["custom_id"].endswith(":confirm")
    assert inputs(again)["topic"]["value"].startswith("Are you hiring?")
    sent = await harness.submit(again["custom_id"], {
        "topic": "How did you choose between research and industry?", "format": "call",
    })
    assert "is on its way to Maria Chen" in reply_text(sent, fake)
    assert fake.violations == []


async def test_a_refused_submit_says_why_and_reopens_with_what_was_typed(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime
) -> None:
    world.mentors(runtime, fake, people)
    modal = await open_request_form(harness, people)
    assert "call, video, coffee, async" in next(
        c for c in modal["components"] if c.get("type") == 18
        and c["component"]["custom_id"] == "format")["description"]
    refused = await harness.submit(modal["custom_id"], {
        "topic": "How product managers work with research", "format": "telepathy",
    })
    text = reply_text(refused, fake)
    assert "Format: Pick one of: call, video, coffee, async." in text
    message = only_message(fake, refused)
    (fix,) = message.custom_ids()
    assert fix == f"ibf:{fake.guild.id}:0:{modal['custom_id'].split(':', 3)[3]}"
    reopened = await harness.click(fix, user=people.ben, message=message)
    again = inputs(callback_of(reopened).data)
    assert again["topic"]["value"] == "How product managers work with research"
    assert again["format"]["value"] == "telepathy"
    sent = await harness.submit(callback_of(reopened).data["custom_id"],
                                {"format": "Video chat"})  # a choice's label is understood
    assert "is on its way to Maria Chen" in reply_text(sent, fake)
    assert fake.violations == []


async def test_the_mentor_profile_is_two_modals_chained_by_a_continue_button(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime
) -> None:
    joined = await harness.slash("mentor", "join", user=people.pat)
    first = callback_of(joined).data
    assert first["title"] == "Become a mentor (1/2)"
    assert list(inputs(first)) == ["headline", "industries", "expertise", "company", "role"]
    assert all(len(c.get("label") or "") <= 45 for c in first["components"])
    saved = await harness.submit(first["custom_id"], {
        "headline": "Analyst turned founder", "industries": "Finance, Fintech",
        "company": "Ledger Bank",
    })
    assert "Welcome aboard" in reply_text(saved, fake)
    message = only_message(fake, saved)
    (proceed,) = message.custom_ids()
    assert proceed == f"ibf:{fake.guild.id}:1:mentor:profile"
    labels = [c["label"] for row in message.components for c in row["components"]]
    assert labels == ["Continue (2/2)"]
    opened = await harness.click(proceed, user=people.pat, message=message)
    second = callback_of(opened).data
    assert second["title"] == "Become a mentor (2/2)"
    assert list(inputs(second)) == ["cohort", "bio", "formats", "timezone", "capacity"]
    assert inputs(second)["capacity"]["max_length"] == 3
    done = await harness.submit(second["custom_id"], {
        "cohort": "2012", "bio": "Ask me about fintech.", "formats": "coffee, async",
        "timezone": "Europe/Berlin", "capacity": "4",
    })
    assert "Your mentor profile is saved" in reply_text(done, fake)
    assert fake.interaction_messages(done)[0].custom_ids() == []  # nothing more to fill
    edit = await harness.slash("mentor", "profile", user=people.pat)
    values = {k: v.get("value") for k, v in inputs(callback_of(edit).data).items()}
    assert values["headline"] == "Analyst turned founder" and values["company"] == "Ledger Bank"
    assert fake.violations == []


async def test_continue_works_after_a_restart(
    fake: FakeDiscord, harness: DiscordHarness, people: People
) -> None:
    joined = await harness.slash("mentor", "join", user=people.pat)
    saved = await harness.submit(callback_of(joined).data["custom_id"], {
        "headline": "Analyst turned founder", "industries": "Finance",
    })
    message = only_message(fake, saved)
    await harness.restart()
    opened = await harness.click(message.custom_ids()[0], user=people.pat, message=message)
    second = callback_of(opened).data
    assert second["title"] == "Your mentor profile (2/2)"
    assert inputs(second)["capacity"]["value"] == "2"  # fetched afresh from the core
    done = await harness.submit(second["custom_id"], {"capacity": "5", "formats": "video"})
    assert "Your mentor profile is saved" in reply_text(done, fake)
    assert fake.violations == []


async def test_a_fix_button_from_before_a_restart_asks_to_start_again(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime
) -> None:
    world.mentors(runtime, fake, people)
    modal = await open_request_form(harness, people)
    refused = await harness.submit(modal["custom_id"], {"topic": "Product", "format": "x"})
    message = only_message(fake, refused)
    await harness.restart()
    pressed = await harness.click(message.custom_ids()[0], user=people.ben, message=message)
    assert callback_of(pressed).type == 4
    assert "That form has expired" in reply_text(pressed, fake)
    assert fake.violations == []


async def test_schedule_without_a_time_opens_a_form_and_a_bad_time_can_be_retried(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime
) -> None:
    request_id = world.accepted(runtime, fake, people)
    opened = await harness.slash("intro", "schedule", integer("request", request_id),
                                 user=people.ben)
    modal = callback_of(opened).data
    assert modal["title"] == f"Schedule intro #{request_id}"
    assert list(inputs(modal)) == ["when", "minutes"]
    refused = await harness.submit(modal["custom_id"], {"when": "whenever suits"})
    assert "whenever suits" in reply_text(refused, fake)
    message = only_message(fake, refused)
    (retry,) = message.custom_ids()
    reopened = await harness.click(retry, user=people.ben, message=message)
    again = callback_of(reopened).data
    assert inputs(again)["when"]["value"] == "whenever suits"
    booked = await harness.submit(again["custom_id"], {"when": "tomorrow 15:00",
                                                       "minutes": "30"})
    await harness.answer(booked)
    assert "Tue 4 Mar 2025, 15:00 (UTC), 30 minutes" in reply_text(booked, fake)
    invite = fake.dm_messages(people.maria)[-1].attachments
    assert [a.filename for a in invite] == [f"introbot-meeting-{request_id}.ics"]
    assert fake.violations == []


async def test_a_profile_page_open_across_a_restart_still_leads_to_the_next(
    fake: FakeDiscord, harness: DiscordHarness, people: People
) -> None:
    joined = await harness.slash("mentor", "join", user=people.pat)
    first = callback_of(joined).data
    await harness.restart()  # the modal is open while the bot restarts
    saved = await harness.submit(first["custom_id"], {
        "headline": "Analyst turned founder", "industries": "Finance"})
    assert "Welcome aboard" in reply_text(saved, fake)
    message = only_message(fake, saved)
    assert message.custom_ids() == [f"ibf:{fake.guild.id}:1:mentor:profile"]
    opened = await harness.click(message.custom_ids()[0], user=people.pat, message=message)
    assert callback_of(opened).data["title"] == "Your mentor profile (2/2)"
