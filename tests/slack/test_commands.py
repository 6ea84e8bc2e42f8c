"""Every command of DESIGN.md through Bolt's dispatch, over HTTP and Socket Mode: a happy use
and a refusal each. Replies are ephemeral; forms open as modals; files go to the DM."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from bot.app import IntroProgram
from bot.clock import ManualClock
from tests.fakes.slack import FakeSlack
from tests.slack import world
from tests.slack.harness import MARIA, OLIVIA, PAT, SAM, SlackHarness, texts_in

Setup = Callable[[IntroProgram, FakeSlack, ManualClock], object]


def _base(p: IntroProgram, s: FakeSlack, c: ManualClock) -> object:
    return world.base(p, s)


def _accepted(p: IntroProgram, s: FakeSlack, c: ManualClock) -> object:
    return world.accepted(p, s)


def _scheduled(p: IntroProgram, s: FakeSlack, c: ManualClock) -> object:
    return world.scheduled(p, s)


def _met(p: IntroProgram, s: FakeSlack, c: ManualClock) -> object:
    return world.met(p, s, c)


def _completed(p: IntroProgram, s: FakeSlack, c: ManualClock) -> object:
    return world.completed(p, s, c)


@dataclass(frozen=True)
class Case:
    setup: Setup
    user: str
    command: str
    text: str
    expect: str  # a piece of the ephemeral reply, or "form:<form id prefix>"
    refused: bool = False
    file: str = ""  # a file the actor gets in their DM

    def __str__(self) -> str:
        verdict = "refused" if self.refused else "ok"
        return f"{self.command} {self.text or '(bare)'} [{verdict}]"


A = "<@" + MARIA + ">"
CASES = [
    Case(_base, SAM, "/intro", "", "ask an alumnus for 15 minutes"),
    Case(_base, SAM, "/intro", "help", "ask an alumnus for 15 minutes"),
    Case(_base, SAM, "/intro", "frobnicate", "I don't know /intro frobnicate", refused=True),
    Case(_base, SAM, "/intro", "find climate", "Maria Chen"),
    Case(_base, SAM, "/intro", 'find industry:"unclosed', "A quote is left open", refused=True),
    Case(_base, SAM, "/intro", f"request <@{PAT}> how you fund a start-up", "form:request:"),
    Case(_base, SAM, "/intro", f"request {A}", "You already have request #1 open",
         refused=True),
    Case(_base, SAM, "/intro", "list", "#1 to Maria Chen — pending"),
    Case(_base, SAM, "/intro", "list everything", "needs nothing more", refused=True),
    Case(_base, SAM, "/intro", "cancel 1", "Request #1 is withdrawn"),
    Case(_base, SAM, "/intro", "cancel 99", "I can't find request #99", refused=True),
    Case(_accepted, SAM, "/intro", "schedule 1 tomorrow 15:00", "Booked: intro #1"),
    Case(_base, SAM, "/intro", "schedule 1 tomorrow 15:00", "hasn't been accepted yet",
         refused=True),
    Case(_scheduled, SAM, "/intro", "prep 1", "Getting ready for your conversation"),
    Case(_base, SAM, "/intro", "prep 99", "I can't find request #99", refused=True),
    Case(_met, SAM, "/intro", "done 1 learned plenty", "well done on intro #1"),
    Case(_scheduled, SAM, "/intro", "done 1", "Log it once you've met", refused=True),
    Case(_completed, SAM, "/intro", "followup 1 read the book in 3 days", "Tracking it"),
    Case(_base, SAM, "/intro", "followup 1 read the book in 3 days",
         "nothing to follow up on", refused=True),
    Case(_completed, SAM, "/intro", "thanks 1", "Here's a draft"),
    Case(_base, SAM, "/intro", "thanks 1", "no thank-you to send", refused=True),
    Case(_base, OLIVIA, "/intro", f"connect <@{SAM}> <@{PAT}> worth a chat",
         "I've asked Pat Okafor first"),
    Case(_base, OLIVIA, "/intro", f"connect <@{SAM}> <@{SAM}>", "needs two different people",
         refused=True),
    Case(_base, SAM, "/intro", "my-data", "everything this community's Introbot stores",
         file="introbot-my-data.json"),
    Case(_base, SAM, "/intro", "my-data now", "needs nothing more", refused=True),
    Case(_base, SAM, "/intro", "forget-me", "This erases your profile"),
    Case(_base, SAM, "/intro", "forget-me confirm", "your personal data is erased"),
    Case(_base, SAM, "/intro", "forget-me please", "forget-me", refused=True),
    Case(_base, OLIVIA, "/intro", "admin stats", "How the program went"),
    Case(_base, SAM, "/intro", "admin stats", "That's for program admins", refused=True),
    Case(_base, OLIVIA, "/intro", "admin export requests", "Here is the requests export",
         file="introbot-requests-2025-03-03.csv"),
    Case(_base, OLIVIA, "/intro", "admin export cats", "I can export requests or mentors",
         refused=True),
    Case(_base, OLIVIA, "/intro", "admin import", "form:slack:import"),
    Case(_base, OLIVIA, "/intro", "admin config", "Change one with /intro admin config"),
    Case(_base, OLIVIA, "/intro", "admin config max_open_requests 5", "max_open_requests: 3 → 5"),
    Case(_base, OLIVIA, "/intro", "admin config nope 3", "There is no setting called",
         refused=True),
    Case(_base, OLIVIA, "/intro", f"admin block <@{SAM}>", "Sam Rivera is blocked"),
    Case(_base, SAM, "/intro", f"admin block <@{PAT}>", "That's for program admins",
         refused=True),
    Case(_base, OLIVIA, "/intro", f"admin unblock <@{SAM}>", "Sam Rivera isn't blocked"),
    Case(_base, SAM, "/intro", f"admin unblock <@{PAT}>", "That's for program admins",
         refused=True),
    Case(_base, SAM, "/mentor", "", "Thank you for mentoring"),
    Case(_base, SAM, "/mentor", "help", "Thank you for mentoring"),
    Case(_base, SAM, "/mentor", "join", "form:mentor:profile"),
    Case(_base, SAM, "/mentor", "join now", "needs nothing more", refused=True),
    Case(_base, MARIA, "/mentor", "profile", "form:mentor:profile"),
    Case(_base, MARIA, "/mentor", "profile please", "needs nothing more", refused=True),
    Case(_base, MARIA, "/mentor", "off", "You're now unavailable"),
    Case(_base, SAM, "/mentor", "off", "You're not a mentor yet", refused=True),
    Case(_base, MARIA, "/mentor", "on", "You're available again"),
    Case(_base, SAM, "/mentor", "on", "You're not a mentor yet", refused=True),
    Case(_base, MARIA, "/mentor", "away 2025-04-01", "You're away until Tue 1 Apr 2025"),
    Case(_base, MARIA, "/mentor", "away 2020-01-01", "is not in the future", refused=True),
    Case(_base, MARIA, "/mentor", "capacity 4", "You'll take up to 4 intros a month"),
    Case(_base, MARIA, "/mentor", "capacity 99", "must be from 1 to 50", refused=True),
    Case(_base, MARIA, "/mentor", "requests", "1 waiting for your answer"),
    Case(_base, SAM, "/mentor", "requests", "You're not a mentor yet", refused=True),
    Case(_base, PAT, "/mentor", "leave", "You've left the mentor program"),
    Case(_base, SAM, "/mentor", "leave", "nothing to leave", refused=True),
]


@pytest.mark.parametrize("case", CASES, ids=str)
async def test_command(case: Case, harness: SlackHarness, clock: ManualClock) -> None:
    slack = harness.slack
    case.setup(harness.program, slack, clock)
    posted_before = len(slack.messages)

    sent = await harness.command(case.user, case.command, case.text)

    assert sent.status == 200
    if case.expect.startswith("form:"):
        view = harness.last_view()
        assert view["callback_id"].startswith("form|" + case.expect.removeprefix("form:"))
        assert view["type"] == "modal"
        assert [p for p in slack.response_posts if p.url == sent.response_url] == []
    else:
        text = await harness.reply_text(sent)
        assert case.expect.lower() in text.lower(), text
        assert slack.calls_to("views.open") == []
    if case.refused:
        assert slack.messages[posted_before:] == [], "a refused command sent a message"
    if case.file:
        await slack.wait_until(lambda: any(u.filename == case.file and u.completed
                                           for u in slack.uploads.values()),
                               what=f"the upload of {case.file}")
        (upload,) = [u for u in slack.uploads.values() if u.filename == case.file]
        assert upload.channel_id == slack.dm_channel(case.user)
        assert upload.content
    slack.assert_no_violations()


async def test_search_results_are_cards_with_request_buttons(harness: SlackHarness) -> None:
    world.base(harness.program, harness.slack)
    sent = await harness.command(SAM, "/intro", "find")
    reply = await harness.reply(sent)
    values = [e["value"] for b in reply["blocks"] if b["type"] == "actions"
              for e in b["elements"]]
    assert sorted(values) == ["intro:request:1", "intro:request:2"]
    shown = texts_in(reply["blocks"])
    assert "Maria Chen" in shown and "Pat Okafor" in shown
    assert reply["response_type"] == "ephemeral"
    harness.slack.assert_no_violations()
