"""Unexpected failures end in one friendly ephemeral message, whether they happen before the
ack, after it, or in a Slack API call; a slow core answers after an empty ack."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from sqlalchemy import text

from adapters.bootstrap import Runtime
from adapters.slack.app import FRIENDLY_ERROR, TRIGGER_EXPIRED
from tests.fakes.slack import FakeSlack
from tests.slack import world
from tests.slack.harness import MARIA, SAM, SlackHarness


def break_table(runtime: Runtime, table: str) -> None:
    """A failure the core can't turn into a friendly refusal (the database lost a table)."""
    with runtime.engine.begin() as connection:
        connection.execute(text(f"DROP TABLE {table}"))


async def test_a_failing_command_answers_kindly(harness: SlackHarness) -> None:
    world.base(harness.program, harness.slack)
    break_table(harness.runtime, "blocks")  # the search can't run without it
    sent = await harness.command(SAM, "/intro", "find climate")
    assert sent.status == 200
    reply = await harness.reply(sent)
    assert reply["text"] == FRIENDLY_ERROR
    assert reply.get("response_type") == "ephemeral"
    harness.slack.assert_no_violations()


async def test_a_failing_button_answers_kindly(harness: SlackHarness) -> None:
    world.base(harness.program, harness.slack)
    assert harness.bot is not None
    from bot.messages import Message
    from bot.usecases.mentors import response_buttons

    channel = await harness.bot.notifier.send(
        harness.bot.client, harness.slack.team_id, [MARIA],
        Message(text="Request #1", buttons=response_buttons(1)))
    break_table(harness.runtime, "audit_log")
    sent = await harness.press(MARIA, "intro:accept:1",
                               message=harness.slack.messages_in(channel)[-1])
    assert sent.status == 200
    answer = await harness.slack.wait_for_response_post(sent.response_url)
    assert answer["text"] == FRIENDLY_ERROR
    assert answer["response_type"] == "ephemeral"
    harness.slack.assert_no_violations()


async def test_a_failing_form_shows_the_problem_in_the_modal(harness: SlackHarness) -> None:
    await harness.command(MARIA, "/mentor", "join")
    form = harness.last_view()
    break_table(harness.runtime, "mentor_profiles")
    sent = await harness.submit(MARIA, form, {"headline": "PM", "industries": "Software"})
    assert sent.ack == {"response_action": "errors", "errors": {"headline": FRIENDLY_ERROR}}
    harness.slack.assert_no_violations()


async def test_a_slack_api_error_in_a_listener_answers_kindly(harness: SlackHarness) -> None:
    harness.slack.fail("views.open", "internal_error")
    sent = await harness.command(MARIA, "/mentor", "join")
    assert sent.status == 200
    answer = await harness.slack.wait_for_response_post(sent.response_url)
    assert answer["text"] == FRIENDLY_ERROR
    harness.slack.assert_no_violations()


async def test_an_expired_trigger_says_to_try_again(harness: SlackHarness) -> None:
    sent = await harness.command(MARIA, "/mentor", "join", trigger_age=3.5)
    answer = await harness.slack.wait_for_response_post(sent.response_url)
    assert answer["text"] == TRIGGER_EXPIRED
    assert harness.slack.last_call("views.open").error == "expired_trigger_id"
    harness.slack.assert_no_violations()


@pytest.fixture(params=["http", "socket"])
async def slow(
    request: pytest.FixtureRequest, slack: FakeSlack, runtime: Runtime
) -> AsyncIterator[SlackHarness]:
    """The app with no time to answer inside the ack: every answer comes afterwards."""
    running = SlackHarness(slack, runtime, request.param, ack_budget=0.0)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


async def test_a_slow_answer_comes_after_an_empty_ack(slow: SlackHarness) -> None:
    world.base(slow.program, slow.slack)
    sent = await slow.command(SAM, "/intro", "find climate")
    assert sent.ack is None
    answer = await slow.slack.wait_for_response_post(sent.response_url)
    assert "Maria Chen" in str(answer["blocks"])
    assert answer["response_type"] == "ephemeral"

    await slow.command(SAM, "/intro", "request <@U0PAT0001>")
    form = slow.last_view()
    sent = await slow.submit(SAM, form, {"topic": "x" * 600, "format": "call"})
    assert sent.ack is None  # too late for inline errors: the modal closed
    url = form["private_metadata"].split('"r":"')[1].rstrip('"}')
    told = await slow.slack.wait_for_response_post(url)
    assert told["text"].startswith("Your form wasn't saved:")

    sent = await slow.submit(SAM, form, {"topic": "Are you hiring? Please refer me.",
                                         "format": "call"})
    assert sent.ack is None  # no modal update any more: the person is told instead
    await slow.slack.wait_until(lambda: len(slow.slack.posts_to(url)) == 2, what="the answer")
    assert "Please start again" in slow.slack.posts_to(url)[1]["text"]
    slow.slack.assert_no_violations()


async def test_an_error_outside_the_listeners_reaches_the_one_error_handler(
    harness: SlackHarness,
) -> None:
    """Bolt hands errors raised outside our listeners (here, in a middleware) to `app.error`,
    which answers with the same friendly message."""
    assert harness.bot is not None

    async def failing(body: dict[str, object], next: Callable[[], Awaitable[None]]) -> None:
        if body.get("text") == "break":
            raise RuntimeError("a middleware broke")
        await next()

    harness.bot.app.middleware(failing)
    sent = await harness.command(SAM, "/intro", "break")
    assert sent.status == 200  # acknowledged (in Socket Mode: the envelope was acked)
    answer = await harness.slack.wait_for_response_post(sent.response_url)
    assert answer["text"] == FRIENDLY_ERROR
    assert answer["response_type"] == "ephemeral"
    fine = await harness.command(SAM, "/intro", "help")
    assert "/intro" in await harness.reply_text(fine)


async def test_rate_limited_calls_inside_listeners_are_retried(harness: SlackHarness) -> None:
    harness.slack.rate_limit("views.open", times=1, retry_after=0)
    await harness.command(MARIA, "/mentor", "join")
    assert [c.status for c in harness.slack.calls_to("views.open")] == [429, 200]
    assert harness.last_view()["callback_id"] == "form|mentor:profile"
    harness.slack.assert_no_violations()
