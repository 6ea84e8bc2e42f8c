"""Bad requests: forged, unsigned or stale ones are refused with 401 before anything is
stored; buttons are only honoured in their own workspace and for the right person; over-long
modal input comes back as inline errors."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from adapters.bootstrap import Runtime
from tests.fakes.slack import (
    FakeSlack,
    HttpReply,
    PostedMessage,
    SignedRequest,
    block_actions_payload,
    view_submission_payload,
)
from tests.slack import world
from tests.slack.harness import (
    GENERAL,
    MARIA,
    PAT,
    SAM,
    SlackHarness,
    message_dict,
    state_values,
)

OTHER_TEAM = "T0OTHERTEAM"


def rows(runtime: Runtime, table: str) -> int:
    with runtime.engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def request_status(runtime: Runtime, request_id: int) -> str:
    with runtime.engine.connect() as connection:
        return str(connection.execute(
            text("SELECT status FROM intro_requests WHERE id = :id"), {"id": request_id}
        ).scalar_one())


async def post_unsigned(url: str, request: SignedRequest) -> HttpReply:
    headers = {k: v for k, v in request.headers.items() if not k.startswith("X-Slack")}
    return await SignedRequest(request.body, headers, request.payload).post(url)


@pytest.mark.parametrize("how", ["forged", "stale", "unsigned"])
async def test_bad_signatures_are_refused_and_nothing_is_stored(
    how: str, http: SlackHarness, slack: FakeSlack
) -> None:
    signer = http.signer
    trigger = slack.new_trigger_id()
    requests = [
        signer.slash_command("/intro", "find", user_id=SAM, channel_id=GENERAL,
                             trigger_id=trigger, forged=how == "forged", stale=how == "stale"),
        signer.slash_command("/mentor", "join", user_id=MARIA, channel_id=GENERAL,
                             trigger_id=trigger, forged=how == "forged", stale=how == "stale"),
        signer.block_actions("intro:request:1", value="intro:request:1", user_id=SAM,
                             channel_id=GENERAL, message={"ts": "1.000001", "text": "x"},
                             forged=how == "forged", stale=how == "stale"),
        signer.event({"type": "app_home_opened", "user": SAM, "tab": "home"},
                     forged=how == "forged", stale=how == "stale"),
    ]
    for request in requests:
        if how == "unsigned":
            reply = await post_unsigned(http.url, request)
        else:
            reply = await request.post(http.url)
        assert reply.status == 401
    await http.settled()
    assert slack.calls == []
    for table in ("communities", "members", "search_events", "audit_log"):
        assert rows(http.runtime, table) == 0, table

    honest = signer.slash_command("/intro", "help", user_id=SAM, channel_id=GENERAL)
    assert (await honest.post(http.url)).status == 200
    await http.settled()
    assert rows(http.runtime, "members") == 1


async def test_a_button_from_another_workspace_is_refused(harness: SlackHarness) -> None:
    world.base(harness.program, harness.slack)
    request_dm = await _request_dm(harness)

    refused = await harness.press(MARIA, "intro:accept:1", message=request_dm,
                                  team_id=OTHER_TEAM)
    assert "I can't find request #1" in await harness.reply_text(refused)
    assert request_status(harness.runtime, 1) == "pending"
    assert harness.dms(SAM, MARIA) == []
    harness.slack.assert_no_violations()


@pytest.mark.parametrize("who", [SAM, PAT])
async def test_only_the_mentor_answers_a_request(harness: SlackHarness, who: str) -> None:
    world.base(harness.program, harness.slack)
    request_dm = await _request_dm(harness)

    for core_id in ("intro:accept:1", "intro:decline:1", "intro:notnow:1"):
        refused = await harness.press(who, core_id, message=request_dm)
        text_shown = await harness.reply_text(refused)
        assert "Only the mentor this request was sent to can answer it" in text_shown
    assert harness.slack.calls_to("views.open") == []
    assert request_status(harness.runtime, 1) == "pending"
    assert harness.dms(SAM, MARIA) == []
    harness.slack.assert_no_violations()


async def test_a_decline_form_from_another_workspace_is_refused(harness: SlackHarness) -> None:
    world.base(harness.program, harness.slack)
    request_dm = await _request_dm(harness)
    await harness.press(MARIA, "intro:decline:1", message=request_dm)
    form = harness.last_view()

    sent = await harness.submit(MARIA, form, {"reason": "busy"}, team_id=OTHER_TEAM)
    assert sent.ack is None
    private = json.loads(form["private_metadata"])
    answer = await harness.slack.wait_for_response_post(private["r"])
    assert "I can't find request #1" in answer["text"]
    assert request_status(harness.runtime, 1) == "pending"
    harness.slack.assert_no_violations()


async def test_over_long_modal_input_gets_inline_errors(harness: SlackHarness) -> None:
    world.make_mentor(harness.program, harness.slack, MARIA, "PM in climate tech", "Software")
    await harness.command(SAM, "/intro", f"request <@{MARIA}>")
    form = harness.last_view()
    topic = next(b for b in form["blocks"] if b.get("block_id") == "topic")
    assert topic["element"]["max_length"] == 500  # Slack's client stops typing there

    sent = await harness.submit(SAM, form, {"topic": "x" * 5000, "why_you": "y" * 800,
                                            "format": "call"})
    assert sent.ack is not None
    assert sent.ack["response_action"] == "errors"
    assert set(sent.ack["errors"]) == {"topic", "why_you"}
    assert "500" in sent.ack["errors"]["topic"]
    assert rows(harness.runtime, "intro_requests") == 0
    assert harness.dms(MARIA) == []

    await harness.command(PAT, "/mentor", "join")
    profile = harness.last_view()
    sent = await harness.submit(PAT, profile, {"headline": "h" * 151, "industries": "Finance",
                                               "capacity": "9999"})
    assert sent.ack is not None and sent.ack["response_action"] == "errors"
    assert set(sent.ack["errors"]) == {"headline", "capacity"}
    harness.slack.assert_no_violations()


async def test_a_form_the_app_never_made_is_answered_kindly(harness: SlackHarness) -> None:
    view = {"id": "V0FORGED", "type": "modal", "callback_id": "form|nonsense:1",
            "private_metadata": "not json", "blocks": [
                {"type": "input", "block_id": "note",
                 "element": {"type": "plain_text_input", "action_id": "note"},
                 "label": {"type": "plain_text", "text": "Note"}}]}
    payload = view_submission_payload(view, user_id=SAM,
                                      values=state_values(view, {"note": "hello"}))
    await harness.interactive(payload)
    await harness.settled()
    assert "older version of the bot" in harness.last_dm(SAM).text
    harness.slack.assert_no_violations()


async def test_unknown_buttons_are_not_ours(http: SlackHarness, slack: FakeSlack) -> None:
    payload = block_actions_payload("someone-elses-button", value="x", user_id=SAM,
                                    channel_id=GENERAL, message={"ts": "1.000001", "text": "x"})
    reply = await http.signer.interactive(payload).post(http.url)
    assert reply.status == 404  # no listener: Bolt says so, nothing runs
    assert rows(http.runtime, "members") == 0


async def _request_dm(harness: SlackHarness) -> PostedMessage:
    """Maria's DM for request #1, as the app would post it (seeded state, app's renderer)."""
    from bot.messages import Message
    from bot.usecases.mentors import response_buttons

    assert harness.bot is not None
    message = Message(text="A new intro request: #1 from Sam Rivera",
                      buttons=response_buttons(1))
    channel = await harness.bot.notifier.send(harness.bot.client, harness.slack.team_id,
                                              [MARIA], message)
    posted = harness.slack.messages_in(channel)[-1]
    assert message_dict(posted)["ts"] == posted.ts
    return posted


async def test_the_events_url_answers_slacks_handshake(http: SlackHarness) -> None:
    reply = await http.signer.url_verification("challenge-123").post(http.url)
    assert reply.status == 200
    assert reply.json() == {"challenge": "challenge-123"}
    http.slack.assert_no_violations()
