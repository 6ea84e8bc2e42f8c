"""Program state for the Slack tests, set up through the core's own entry points (the same
calls the adapter makes), so each test starts where it needs to."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.app import IntroProgram
from bot.clock import ManualClock
from tests.fakes.slack import FakeSlack
from tests.slack.harness import MARIA, PAT, SAM, invocation


def make_mentor(program: IntroProgram, slack: FakeSlack, user_id: str, headline: str,
                industries: str, capacity: str = "3") -> None:
    outcome = program.submit(invocation(slack, user_id), "mentor:profile", {
        "headline": headline, "industries": industries, "capacity": capacity,
        "formats": "call, video",
    })
    assert outcome.ok, outcome


def make_request(program: IntroProgram, slack: FakeSlack, seeker: str, mentor: str,
                 topic: str = "how you moved from research into product") -> int:
    inv = invocation(slack, seeker)
    opened = program.command(inv, "intro", f"request <@{mentor}>")
    assert opened.form is not None, opened
    sent = program.submit(inv, opened.form.form_id, {"topic": topic, "format": "call"})
    assert sent.ok and sent.reply is not None, sent
    found = re.search(r"#(\d+)", sent.reply.text)
    assert found, sent.reply.text
    return int(found[1])


def base(program: IntroProgram, slack: FakeSlack) -> int:
    """Maria (software, climate) and Pat (finance) mentor; Sam asked Maria: request id."""
    make_mentor(program, slack, MARIA, "Product manager in climate tech", "Software, Climate")
    make_mentor(program, slack, PAT, "Analyst turned founder", "Finance")
    return make_request(program, slack, SAM, MARIA)


def accepted(program: IntroProgram, slack: FakeSlack) -> int:
    request_id = base(program, slack)
    outcome = program.action(invocation(slack, MARIA), f"intro:accept:{request_id}")
    assert outcome.ok, outcome
    return request_id


def scheduled(program: IntroProgram, slack: FakeSlack) -> int:
    request_id = accepted(program, slack)
    outcome = program.command(invocation(slack, SAM), "intro",
                              f"schedule {request_id} tomorrow 15:00")
    assert outcome.ok, outcome
    return request_id


def met(program: IntroProgram, slack: FakeSlack, clock: ManualClock) -> int:
    """Scheduled, and the meeting has begun and ended."""
    request_id = scheduled(program, slack)
    clock.advance(timedelta(days=2))
    return request_id


def completed(program: IntroProgram, slack: FakeSlack, clock: ManualClock) -> int:
    request_id = met(program, slack, clock)
    outcome = program.command(invocation(slack, SAM), "intro", f"done {request_id}")
    assert outcome.ok, outcome
    return request_id
