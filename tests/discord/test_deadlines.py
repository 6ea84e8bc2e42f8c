"""Discord's clocks: a first response within 3 s (defer when the core is slow, then edit
the original), followups only within the 15-minute token (after that, a DM), and the one
error handler that turns a failure into a friendly ephemeral message.

A slow or failing core is a test double around the real program (the adapter is what is
under test): it waits for the test's signal, or raises, before doing the real work.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.bootstrap import Runtime
from adapters.discord.client import DiscordOptions
from adapters.discord.interactions import FAILED, LATE_NOTE
from bot.app import IntroProgram
from bot.context import Invocation, PlatformUser
from bot.messages import Outcome
from storage.uow import make_uow_factory
from tests.discord import world
from tests.discord.harness import DiscordHarness, People, callback_of, reply_text, text_of
from tests.fakes.discord import FakeDiscord
from tests.fakes.discord_interactions import user
from tests.fakes.discord_models import EPHEMERAL


class GatedProgram(IntroProgram):
    """The real program, whose commands wait until the test opens the gate (or fail)."""

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(make_uow_factory(runtime.engine), runtime.clock)
        self.gate = threading.Event()
        self.failure: Exception | None = None

    def command(self, inv: Invocation, root: str, text: str) -> Outcome:
        assert self.gate.wait(10), "the test never opened the gate"
        if self.failure is not None:
            raise self.failure
        return super().command(inv, root, text)


@pytest.fixture
def gated(runtime: Runtime) -> GatedProgram:
    return GatedProgram(runtime)


@pytest.fixture
async def slow(
    fake: FakeDiscord, runtime: Runtime, gated: GatedProgram
) -> AsyncIterator[DiscordHarness]:
    double = Runtime(engine=runtime.engine, program=gated, clock=runtime.clock)
    running = DiscordHarness(fake, double, DiscordOptions(dev_guild=fake.guild.id,
                                                          defer_after=0.2))
    await running.start()
    try:
        yield running
    finally:
        gated.gate.set()
        await running.stop()


async def test_a_slow_command_is_deferred_then_the_original_is_edited(
    fake: FakeDiscord, slow: DiscordHarness, gated: GatedProgram, people: People,
    runtime: Runtime,
) -> None:
    world.base(runtime, fake, people)
    sent = await fake.send_slash("intro", [{"name": "list", "type": 1, "options": []}],
                                 user=people.ben)
    callback = await fake.wait_callback(sent)
    assert callback.accepted and callback.type == 5 and callback.flags & EPHEMERAL
    assert fake.loading_responses()  # "thinking…" until the core is done
    gated.gate.set()
    (original,) = await slow.answer(sent)
    assert "to Maria Chen — pending" in text_of(original)
    assert original.ephemeral and fake.loading_responses() == []
    assert fake.violations == []


async def test_a_form_after_deferring_is_offered_as_a_button(
    fake: FakeDiscord, slow: DiscordHarness, gated: GatedProgram, people: People,
    runtime: Runtime,
) -> None:
    world.mentors(runtime, fake, people)
    sent = await fake.send_slash(
        "intro", [{"name": "request", "type": 1,
                   "options": [user("mentor", people.maria)]}], user=people.ben)
    assert callback_of(await _deferred(fake, sent)).type == 5
    gated.gate.set()
    (original,) = await slow.answer(sent)
    (opener,) = original.custom_ids()
    assert opener.startswith(f"ibf:{fake.guild.id}:0:request:")
    pressed = await slow.click(opener, user=people.ben, message=original)
    assert callback_of(pressed).type == 9
    assert callback_of(pressed).data["title"] == "Ask Maria Chen"
    assert fake.violations == []


async def test_after_fifteen_minutes_the_answer_comes_by_dm(
    fake: FakeDiscord, slow: DiscordHarness, gated: GatedProgram, people: People,
    runtime: Runtime,
) -> None:
    world.base(runtime, fake, people)
    sent = await fake.send_slash("intro", [{"name": "list", "type": 1, "options": []}],
                                 user=people.ben)
    await _deferred(fake, sent)
    fake.advance(15 * 60 + 1)  # the token is dead by the time the core answers
    gated.gate.set()
    await fake.wait_for(lambda: len(fake.dm_messages(people.ben)) >= 2)
    late, answer = fake.dm_messages(people.ben)[-2:]
    assert late.content == LATE_NOTE
    assert "to Maria Chen — pending" in text_of(answer)
    assert fake.calls_to("PATCH", r"/webhooks/.*") == []  # no edit with a dead token
    assert fake.calls_to("POST", r"/webhooks/.*") == []
    assert fake.violations == []


async def test_a_long_answer_continues_in_followups_within_the_token(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime
) -> None:
    world.mentors(runtime, fake, people)
    for n in range(12):
        seeker = Invocation(world.invocation(fake, people.ben).community,
                            PlatformUser(user_id=str(900 + n), display_name=f"Seeker {n}"))
        opened = runtime.program.command(seeker, "intro", f"request <@{people.maria.id}>")
        assert opened.form is not None
        sent = runtime.program.submit(seeker, opened.form.form_id,
                                      {"topic": f"question {n} " + "detail " * 65,
                                       "format": "call"})
        assert sent.ok, sent
    sent = await harness.slash("mentor", "requests", user=people.maria)
    messages = await harness.answer(sent)
    assert len(messages) >= 3
    assert [m.kind for m in messages] == ["response"] + ["followup"] * (len(messages) - 1)
    assert all(m.ephemeral and len(m.embeds) <= 10 and len(m.components) <= 5
               for m in messages)
    assert sum(len(m.embeds) for m in messages) == 12
    followups = fake.calls_to("POST", r"/webhooks/\d+/[^/]+")
    assert followups and all(c.status == 200 for c in followups)
    assert fake.violations == []


async def test_a_failure_is_reported_kindly_in_one_place(
    fake: FakeDiscord, slow: DiscordHarness, gated: GatedProgram, people: People
) -> None:
    slow.allow_errors = True
    gated.failure = RuntimeError("the database went away")
    gated.gate.set()
    quick = await slow.slash("intro", "list", user=people.ben)
    assert reply_text(quick, fake) == FAILED
    assert callback_of(quick).flags & EPHEMERAL
    gated.gate.clear()
    sent = await fake.send_slash("intro", [{"name": "list", "type": 1, "options": []}],
                                 user=people.ben)
    await _deferred(fake, sent)
    gated.gate.set()
    (original,) = await slow.answer(sent)
    assert original.content == FAILED and fake.loading_responses() == []
    logged = [r for r in slow.errors.records if r.name == "adapters.discord.interactions"]
    assert len(logged) == 2 and all("database went away" in str(r.exc_info) for r in logged)
    assert fake.violations == []


async def _deferred(fake: FakeDiscord, sent: Any) -> Any:
    callback = await fake.wait_callback(sent)
    assert callback.accepted and callback.type == 5
    return sent
