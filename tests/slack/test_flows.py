"""Whole flows through the Slack app, with the messages the core really sends: a request from
search to calendar invite, the decline and not-now modals, the lint warning that updates the
modal, each form's submission, reminders as DMs with buttons, and a restart between a DM and
the press of its button."""

from __future__ import annotations

from typing import Any

from adapters.bootstrap import build_runtime
from bot.clock import ManualClock, as_utc
from bot.context import CommunityKey
from bot.messages import DirectMessage
from storage.uow import make_uow_factory
from tests.fakes.slack import PostedMessage
from tests.slack import world
from tests.slack.harness import (
    GENERAL,
    MARIA,
    OLIVIA,
    PAT,
    SAM,
    SlackHarness,
    button,
    buttons_in,
    texts_in,
)


def as_message(reply: dict[str, Any], channel: str = GENERAL) -> PostedMessage:
    """An ephemeral reply as the message a button on it belongs to."""
    return PostedMessage(channel=channel, ts="1700000000.000100", text=reply.get("text", ""),
                         blocks=reply.get("blocks"), ephemeral_user=SAM)


def seed_mentors(harness: SlackHarness) -> None:
    world.make_mentor(harness.program, harness.slack, MARIA, "Product manager in climate tech",
                      "Software, Climate")
    world.make_mentor(harness.program, harness.slack, PAT, "Analyst turned founder", "Finance")


async def test_from_search_to_calendar_invite(harness: SlackHarness) -> None:
    slack = harness.slack
    seed_mentors(harness)

    found = await harness.reply(await harness.command(SAM, "/intro", "find climate"))
    assert "Maria Chen" in texts_in(found["blocks"])
    await harness.press(SAM, "intro:request:1", message=as_message(found))
    form = harness.last_view()
    assert form["callback_id"] == "form|request:1"
    assert [b["block_id"] for b in form["blocks"] if b["type"] == "input"] == [
        "topic", "why_you", "format", "availability"]

    submitted = await harness.submit(SAM, form, {
        "topic": "How you moved from research into product <and back>",
        "why_you": "Your path from our lab into climate tech",
        "format": "video",
        "availability": "Weekdays after 4pm ET",
    })
    assert submitted.ack is None  # the modal closes
    context = form["private_metadata"]
    confirmation = await slack.wait_for_response_post(
        context.split('"r":"')[1].rstrip('"}'))
    assert "Request #1 is on its way to Maria Chen" in confirmation["text"]

    request_dm = harness.last_dm(MARIA)
    assert "A new intro request" in request_dm.text
    assert [b["value"] for b in buttons_in(request_dm.blocks)] == [
        "intro:accept:1", "intro:decline:1", "intro:notnow:1"]
    shown = texts_in(request_dm.blocks)
    assert "&lt;and back&gt;" in shown  # a member's words are escaped, never markup

    accepted = await harness.press(MARIA, "intro:accept:1", message=request_dm)
    assert "I've introduced you both" in await harness.reply_text(accepted)
    group = harness.dms(SAM, MARIA)
    assert len(group) == 1 and "Intro #1: Maria Chen × Sam Rivera" in group[0].text
    opened = [c.params["users"] for c in slack.calls_to("conversations.open")]
    assert any(set(users.split(",")) == {SAM, MARIA} for users in opened)

    again = await harness.press(MARIA, "intro:accept:1", message=request_dm)
    assert "already answered: it's accepted" in await harness.reply_text(again)
    assert len(harness.dms(SAM, MARIA)) == 1

    booked = await harness.command(SAM, "/intro", "schedule 1 tomorrow 15:00")
    assert "Booked: intro #1 with Maria Chen" in await harness.reply_text(booked)
    await slack.wait_until(lambda: sum(u.completed for u in slack.uploads.values()) == 2,
                           what="two calendar invites")
    invites = {u.channel_id: u for u in slack.uploads.values()}
    assert set(invites) == {slack.dm_channel(SAM), slack.dm_channel(MARIA)}
    for upload in invites.values():
        assert upload.filename.endswith(".ics")
        assert upload.content is not None and upload.content.startswith(b"BEGIN:VCALENDAR")
    assert button(harness.last_dm(SAM).blocks, "meeting:prep:1")["text"]["text"] == "Prep kit"
    slack.assert_no_violations()


async def test_decline_modal_sends_alternatives(harness: SlackHarness) -> None:
    seed_mentors(harness)
    request_dm = await _request_dm_of(harness)

    await harness.press(MARIA, "intro:decline:1", message=request_dm)
    form = harness.last_view()
    assert form["callback_id"] == "form|decline:1"
    submitted = await harness.submit(MARIA, form, {"reason": "Travelling all month"})
    assert submitted.ack is None

    await harness.slack.wait_until(lambda: bool(harness.dms(SAM)), what="the seeker's DM")
    told = harness.last_dm(SAM)
    assert "They said: “Travelling all month”" in told.text or \
        "Travelling all month" in texts_in(told.blocks)
    assert button(told.blocks, "intro:request:2")  # Pat, as an alternative
    harness.slack.assert_no_violations()


async def test_not_now_modal_pauses_the_mentor(harness: SlackHarness) -> None:
    seed_mentors(harness)
    request_dm = await _request_dm_of(harness)

    pressed = await harness.press(MARIA, "intro:notnow:1", message=request_dm)
    form = harness.last_view()
    (select,) = [b["element"] for b in form["blocks"] if b["type"] == "input"]
    assert select["type"] == "static_select"
    assert select["initial_option"]["value"] == "14"
    await harness.submit(MARIA, form, {"days": "30"})

    reply = await harness.slack.wait_for_response_post(pressed.response_url)
    assert "paused for 30 days" in reply["text"]
    assert reply["response_type"] == "ephemeral"
    harness.slack.assert_no_violations()


async def test_job_seeking_request_updates_the_modal(harness: SlackHarness) -> None:
    seed_mentors(harness)
    await harness.command(SAM, "/intro", f"request <@{MARIA}>")
    form = harness.last_view()

    warned = await harness.submit(SAM, form, {
        "topic": "Are you hiring? Could you refer me for an internship?", "format": "call"})
    assert warned.ack is not None and warned.ack["response_action"] == "update"
    updated = warned.ack["view"]
    assert updated["callback_id"] == "form|request:1:confirm"
    assert updated["submit"]["text"] == "Send anyway"
    assert updated["private_metadata"] == form["private_metadata"]
    assert harness.dms(MARIA) == []

    resent = await harness.submit(SAM, {**form, **updated}, {
        "topic": "How did you choose product management?", "format": "call"})
    assert resent.ack is None
    await harness.slack.wait_until(lambda: bool(harness.dms(MARIA)), what="the request DM")
    harness.slack.assert_no_violations()


async def test_after_meeting_modals(harness: SlackHarness, clock: ManualClock) -> None:
    slack = harness.slack
    world.scheduled(harness.program, slack)
    dm = await _deliver_reminder(harness, clock, "checkin")

    pressed = await harness.press(SAM, "meeting:done:1", message=dm)
    await harness.submit(SAM, harness.last_view(), {"learned": "Product is about people"})
    logged = await slack.wait_for_response_post(pressed.response_url)
    assert "well done on intro #1" in logged["text"]
    doors = as_message(logged, channel=dm.channel)

    pressed = await harness.press(SAM, "followup:log:1", message=doors)
    followup = harness.last_view()
    assert followup["callback_id"] == "form|followup:1"
    await harness.submit(SAM, followup, {"text": "Read Inspired by Marty Cagan", "days": "5"})
    tracked = await slack.wait_for_response_post(pressed.response_url)
    assert "Tracking it" in tracked["text"]

    pressed = await harness.press(SAM, "thanks:draft:1", message=doors)
    draft = await slack.wait_for_response_post(pressed.response_url)
    pressed = await harness.press(SAM, "thanks:send:1", message=as_message(draft, dm.channel))
    note_form = harness.last_view()
    assert note_form["callback_id"] == "form|thanks:1"
    await harness.submit(SAM, note_form, {"note": "Thank you, Maria — that helped a lot."})
    await slack.wait_until(lambda: any("that helped a lot" in (m.text + texts_in(m.blocks))
                                       for m in harness.dms(MARIA)), what="the thank-you DM")
    slack.assert_no_violations()


async def test_mentor_profile_modal(harness: SlackHarness) -> None:
    sent = await harness.command(PAT, "/mentor", "join")
    form = harness.last_view()
    assert form["title"]["text"] == "Become a mentor"
    capacity = next(b for b in form["blocks"] if b.get("block_id") == "capacity")
    assert capacity["element"]["type"] == "number_input"
    await harness.submit(PAT, form, {"headline": "Analyst turned founder",
                                     "industries": "Finance", "capacity": "4"})
    reply = await harness.slack.wait_for_response_post(sent.response_url)
    assert "Welcome aboard" in reply["text"]

    found = await harness.reply(await harness.command(SAM, "/intro", "find finance"))
    assert "Pat Okafor" in texts_in(found["blocks"])
    harness.slack.assert_no_violations()


async def test_admin_import_modal(harness: SlackHarness) -> None:
    sent = await harness.command(OLIVIA, "/intro", "admin import")
    form = harness.last_view()
    assert form["callback_id"] == "form|slack:import"
    csv = ("platform_user_id,display_name,headline,industries\n"
           f"{PAT},Pat Okafor,Analyst turned founder,Finance\n")
    await harness.submit(OLIVIA, form, {"csv": csv})
    reply = await harness.slack.wait_for_response_post(sent.response_url)
    assert "1" in reply["text"]
    await harness.slack.wait_until(lambda: bool(harness.dms(PAT)), what="the invitation")
    invitation = harness.last_dm(PAT)
    assert "/mentor join" in invitation.text + texts_in(invitation.blocks)
    await harness.press(PAT, "mentor:join:1", message=invitation)
    profile = harness.last_view()
    assert profile["callback_id"] == "form|mentor:profile"
    headline = next(b for b in profile["blocks"] if b.get("block_id") == "headline")
    assert headline["element"]["initial_value"] == "Analyst turned founder"

    refused = await harness.command(SAM, "/intro", "admin import")
    await harness.submit(SAM, harness.last_view(), {"csv": csv})
    answer = await harness.slack.wait_for_response_post(refused.response_url)
    assert "That's for program admins" in answer["text"]
    harness.slack.assert_no_violations()


async def test_reminders_are_dms_with_buttons(harness: SlackHarness, clock: ManualClock) -> None:
    """The dispatcher's path: a due outbox row → IntroProgram.render_reminder →
    SlackNotifier.deliver; then the reminder's buttons work."""
    slack = harness.slack
    world.scheduled(harness.program, slack)

    dm = await _deliver_reminder(harness, clock, "checkin")
    assert {b["value"] for b in buttons_in(dm.blocks)} == {
        "meeting:done:1", "meeting:snooze:1", "meeting:noshow:1"}
    snoozed = await harness.press(SAM, "meeting:snooze:1", message=dm)
    assert "I'll ask again" in await harness.reply_text(snoozed)

    dm = await _deliver_reminder(harness, clock, "thanks")
    assert "thanks:mark:1" in {b["value"] for b in buttons_in(dm.blocks)}
    marked = await harness.press(SAM, "thanks:mark:1", message=dm)
    assert "Marked as thanked" in await harness.reply_text(marked)
    slack.assert_no_violations()


async def test_a_button_still_works_after_a_restart(
    harness: SlackHarness, database_url: str, clock: ManualClock
) -> None:
    seed_mentors(harness)
    request_dm = await _request_dm_of(harness)
    await harness.stop()
    harness.runtime.close()

    again = build_runtime(database_url, clock=clock)
    try:
        await harness.start(runtime=again)
        accepted = await harness.press(MARIA, "intro:accept:1", message=request_dm)
        assert "I've introduced you both" in await harness.reply_text(accepted)
        assert len(harness.dms(SAM, MARIA)) == 1
        harness.slack.assert_no_violations()
    finally:
        await harness.stop()
        again.close()


# ---------------------------------------------------------------- helpers


async def _request_dm_of(harness: SlackHarness) -> PostedMessage:
    """Sam asks Maria through Slack; the request DM as the app sent it to her."""
    await harness.command(SAM, "/intro", f"request <@{MARIA}>")
    await harness.submit(SAM, harness.last_view(),
                         {"topic": "How you moved from research into product", "format": "call"})
    await harness.slack.wait_until(lambda: bool(harness.dms(MARIA)), what="the request DM")
    return harness.last_dm(MARIA)


async def _deliver_reminder(harness: SlackHarness, clock: ManualClock, kind: str,
                            request_id: int = 1) -> PostedMessage:
    """The dispatcher's path for a due outbox row: render it now, deliver it through
    SlackNotifier.deliver; returns the DM as posted."""
    with make_uow_factory(harness.runtime.engine)() as uow:
        (community,) = uow.communities.all()
        assert community.id is not None
        due = {item.kind: item for item in uow.outbox.pending_for(community.id, request_id)}
    assert kind in due, sorted(due)
    item = due[kind]
    due_at = as_utc(item.due_at)
    assert due_at is not None
    if clock.now() < due_at:
        clock.set(due_at)
    dm, reason = harness.program.render_reminder(item)
    assert isinstance(dm, DirectMessage), reason
    assert harness.bot is not None
    await harness.bot.notifier.deliver(CommunityKey("slack", harness.slack.team_id, ""), dm)
    (user_id,) = [r.platform_user_id for r in dm.recipients]
    return harness.last_dm(user_id)
