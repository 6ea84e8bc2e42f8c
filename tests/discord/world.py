"""Program state for the Discord tests, set up through the core's own entry points (the
calls the adapter makes), so each test starts where it needs to."""

from __future__ import annotations

import re
from datetime import timedelta

from adapters.bootstrap import Runtime
from bot.clock import ManualClock
from tests.discord.harness import People, invocation
from tests.fakes.discord import FakeDiscord
from tests.fakes.discord_models import FakeUser


def make_mentor(runtime: Runtime, fake: FakeDiscord, user: FakeUser, headline: str,
                industries: str, company: str = "", capacity: str = "3") -> None:
    outcome = runtime.program.submit(invocation(fake, user), "mentor:profile", {
        "headline": headline, "industries": industries, "company": company,
        "capacity": capacity, "formats": "call, video",
    })
    assert outcome.ok, outcome


def make_request(runtime: Runtime, fake: FakeDiscord, seeker: FakeUser, mentor: FakeUser,
                 topic: str = "how you moved from research into product") -> int:
    inv = invocation(fake, seeker)
    opened = runtime.program.command(inv, "intro", f"request <@{mentor.id}>")
    assert opened.form is not None, opened
    sent = runtime.program.submit(inv, opened.form.form_id, {"topic": topic, "format": "call"})
    assert sent.ok and sent.reply is not None, sent
    found = re.search(r"#(\d+)", sent.reply.text)
    assert found, sent.reply.text
    return int(found[1])


def mentors(runtime: Runtime, fake: FakeDiscord, people: People) -> None:
    """Maria (software, climate; at Acme) and Pat (finance; at Ledger Bank) mentor."""
    make_mentor(runtime, fake, people.maria, "Product manager in climate tech",
                "Software, Climate & Energy", company="Acme Climate")
    make_mentor(runtime, fake, people.pat, "Analyst turned founder", "Finance",
                company="Ledger Bank")


def base(runtime: Runtime, fake: FakeDiscord, people: People) -> int:
    """The mentors, and Ben asked Maria: the request id."""
    mentors(runtime, fake, people)
    return make_request(runtime, fake, people.ben, people.maria)


def accepted(runtime: Runtime, fake: FakeDiscord, people: People) -> int:
    request_id = base(runtime, fake, people)
    outcome = runtime.program.action(invocation(fake, people.maria),
                                     f"intro:accept:{request_id}")
    assert outcome.ok, outcome
    return request_id


def scheduled(runtime: Runtime, fake: FakeDiscord, people: People) -> int:
    request_id = accepted(runtime, fake, people)
    outcome = runtime.program.command(invocation(fake, people.ben), "intro",
                                      f"schedule {request_id} tomorrow 15:00")
    assert outcome.ok, outcome
    return request_id


def completed(runtime: Runtime, fake: FakeDiscord, people: People, clock: ManualClock) -> int:
    request_id = scheduled(runtime, fake, people)
    clock.advance(timedelta(days=2))
    outcome = runtime.program.command(invocation(fake, people.ben), "intro",
                                      f"done {request_id}")
    assert outcome.ok, outcome
    return request_id
