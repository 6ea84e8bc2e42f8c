"""Every kind of button the core puts on a message, pressed through Bolt (HTTP and Socket
Mode): the press reaches the core with its action id, and the answer is an ephemeral reply,
a modal, or DMs to the people concerned."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from bot.app import IntroProgram
from bot.clock import ManualClock
from bot.messages import Button, Message
from tests.fakes.slack import FakeSlack
from tests.slack import world
from tests.slack.harness import MARIA, OLIVIA, PAT, SAM, SlackHarness, invocation

Setup = Callable[[IntroProgram, FakeSlack, ManualClock], object]


def _base(p: IntroProgram, s: FakeSlack, c: ManualClock) -> object:
    return world.base(p, s)


def _warm(p: IntroProgram, s: FakeSlack, c: ManualClock) -> object:
    world.base(p, s)
    assert p.command(invocation(s, OLIVIA), "intro", f"connect <@{SAM}> <@{PAT}> chat").ok
    return None


def _warm_yes(p: IntroProgram, s: FakeSlack, c: ManualClock) -> object:
    _warm(p, s, c)
    assert p.action(invocation(s, PAT), "warm:yes:1").ok
    return None


def _scheduled(p: IntroProgram, s: FakeSlack, c: ManualClock) -> object:
    return world.scheduled(p, s)


def _met(p: IntroProgram, s: FakeSlack, c: ManualClock) -> object:
    return world.met(p, s, c)


def _completed(p: IntroProgram, s: FakeSlack, c: ManualClock) -> object:
    return world.completed(p, s, c)


def _with_followup(p: IntroProgram, s: FakeSlack, c: ManualClock) -> object:
    world.completed(p, s, c)
    assert p.command(invocation(s, SAM), "intro", "followup 1 read the book in 3 days").ok
    return None


def _invited(p: IntroProgram, s: FakeSlack, c: ManualClock) -> object:
    csv = f"platform_user_id,display_name,headline,industries\n{PAT},Pat Okafor,Founder,Finance\n"
    outcome = p.import_text(invocation(s, OLIVIA), csv)
    assert outcome.ok and [dm.kind for dm in outcome.dms], outcome
    return None


@dataclass(frozen=True)
class Press:
    setup: Setup
    user: str
    core_id: str
    expect: str  # a piece of the ephemeral reply, or "form:<form id>"
    dm_to: tuple[str, ...] = ()  # a DM (or group DM) the press sends

    def __str__(self) -> str:
        return self.core_id


PRESSES = [
    Press(_base, SAM, "intro:request:2", "form:request:2"),
    Press(_base, MARIA, "intro:accept:1", "I've introduced you both", dm_to=(SAM, MARIA)),
    Press(_base, MARIA, "intro:decline:1", "form:decline:1"),
    Press(_base, MARIA, "intro:notnow:1", "form:notnow:1"),
    Press(_base, SAM, "intro:cancel:1", "Request #1 is withdrawn", dm_to=(MARIA,)),
    Press(_warm, PAT, "warm:yes:1", "I've asked Sam Rivera", dm_to=(SAM,)),
    Press(_warm, PAT, "warm:no:1", "nobody else is told", dm_to=(OLIVIA,)),
    Press(_warm_yes, SAM, "warm:join:1", "you're introduced", dm_to=(SAM, PAT)),
    Press(_warm_yes, SAM, "warm:skip:1", "/intro find is there", dm_to=(PAT,)),
    Press(_met, SAM, "meeting:done:1", "form:done:1"),
    Press(_scheduled, SAM, "meeting:snooze:1", "I'll ask again"),
    Press(_met, SAM, "meeting:noshow:1", "didn't happen"),
    Press(_scheduled, SAM, "meeting:prep:1", "Getting ready for your conversation"),
    Press(_completed, SAM, "followup:log:1", "form:followup:1"),
    Press(_with_followup, SAM, "followup:done:1", "Done: “read the book”"),
    Press(_completed, SAM, "thanks:draft:1", "Here's a draft"),
    Press(_completed, SAM, "thanks:send:1", "form:thanks:1"),
    Press(_completed, SAM, "thanks:mark:1", "Marked as thanked"),
    Press(_invited, PAT, "mentor:join:1", "form:mentor:profile"),
]


@pytest.mark.parametrize("press", PRESSES, ids=str)
async def test_button(press: Press, harness: SlackHarness, clock: ManualClock) -> None:
    slack = harness.slack
    press.setup(harness.program, slack, clock)
    assert harness.bot is not None
    channel = await harness.bot.notifier.send(
        harness.bot.client, slack.team_id, [press.user],
        Message(text="A message with a button", buttons=(Button("Press me", press.core_id),)))
    message = slack.messages_in(channel)[-1]
    posted_before = len(slack.messages)

    sent = await harness.press(press.user, press.core_id, message=message)

    assert sent.status == 200
    assert sent.ack is None  # buttons are acked empty, then answered
    if press.expect.startswith("form:"):
        view = harness.last_view()
        assert view["callback_id"] == "form|" + press.expect.removeprefix("form:")
    else:
        assert press.expect in await harness.reply_text(sent)
    if press.dm_to:
        await slack.wait_until(lambda: bool(harness.dms(*press.dm_to)), what="the DM")
    else:
        assert slack.messages[posted_before:] == []
    slack.assert_no_violations()


async def test_repeated_action_ids_in_one_message_stay_unique(harness: SlackHarness) -> None:
    world.base(harness.program, harness.slack)
    assert harness.bot is not None
    same = Button("Accept", "intro:accept:1")
    channel = await harness.bot.notifier.send(
        harness.bot.client, harness.slack.team_id, [MARIA],
        Message(text="Twice the same button", buttons=(same, same)))
    message = harness.slack.messages_in(channel)[-1]
    ids = [e["action_id"] for b in message.blocks or [] if b["type"] == "actions"
           for e in b["elements"]]
    assert ids == ["intro:accept:1", "intro:accept:1~2"]

    from tests.fakes.slack import block_actions_payload
    from tests.slack.harness import message_dict

    payload = block_actions_payload(
        "intro:accept:1~2", value="intro:accept:1", user_id=MARIA, channel_id=channel,
        message=message_dict(message), response_url=harness.slack.response_url(),
        trigger_id=harness.slack.new_trigger_id())
    sent = await harness.interactive(payload)
    await harness.settled()
    assert "I've introduced you both" in await harness.reply_text(sent)
    harness.slack.assert_no_violations()
