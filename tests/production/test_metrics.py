"""What the metrics count, measured on the real core and the real dispatcher (SQLite, a
controlled clock): commands by name and outcome with their latency and one log line each,
reminders claimed, sent, failed and how late, outbox depth."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from adapters.bootstrap import Runtime, build_runtime
from adapters.dispatcher import DispatchSettings, ReminderDispatcher
from adapters.logging_setup import COMMAND_LOGGER
from adapters.metrics import (
    InstrumentedProgram,
    MeteredClaims,
    Metrics,
    action_name,
    command_name,
    form_name,
)
from bot.clock import ManualClock, as_utc
from bot.context import CommunityKey
from bot.messages import DirectMessage
from bot.ports import DeliveryError
from storage.tables import members
from storage.tables import reminder_outbox as outbox
from tests.fakes.slack import FakeSlack
from tests.production.support import no_quiet_hours
from tests.slack import world
from tests.slack.harness import MARIA, PAT, SAM, invocation

START = datetime(2025, 3, 3, 14, 0, tzinfo=UTC)


def sample(metrics: Metrics, name: str, **labels: str) -> float:
    total = 0.0
    for family in text_string_to_metric_families(metrics.render().decode()):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                total += found.value
    return total


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def runtime(tmp_path: Path, clock: ManualClock) -> Iterator[Runtime]:
    built = build_runtime(f"sqlite:///{tmp_path / 'metrics.db'}", clock=clock,
                          program_class=InstrumentedProgram)
    try:
        yield built
    finally:
        built.close()


@pytest.fixture
def metrics(runtime: Runtime) -> Metrics:
    found = Metrics()
    assert isinstance(runtime.program, InstrumentedProgram)
    runtime.program.attach(found)
    return found


def test_command_names_never_carry_what_was_typed() -> None:
    assert command_name("intro", "search climate tech at Acme") == "intro find"
    assert command_name("/intro", "ask <@U123> how you got into product") == "intro request"
    assert command_name("intro", "mentor vacation 2025-04-01") == "mentor away"
    assert command_name("intro", "admin unblock @someone") == "intro admin unblock"
    assert command_name("intro", "") == "intro help"
    assert command_name("intro", "please find me a job") == "intro ?"
    assert command_name("weird", "find") == "other"
    assert action_name("intro:accept:12") == "intro:accept"
    assert action_name("home:toggle") == "home:toggle"
    assert action_name("<script>") == "other"
    assert form_name("request:5:confirm") == "request" and form_name("mentor:profile") == "mentor"


def test_commands_are_counted_timed_and_logged_once(
    runtime: Runtime, metrics: Metrics, caplog: pytest.LogCaptureFixture,
) -> None:
    slack = FakeSlack()
    program = runtime.program
    caplog.set_level(logging.INFO, logger=COMMAND_LOGGER)
    world.make_mentor(program, slack, MARIA, "PM in climate tech", "Software")
    program.command(invocation(slack, SAM), "intro", "search private-words-here")
    program.command(invocation(slack, SAM), "intro", "cancel 999")
    program.submit(invocation(slack, SAM), "request:1", {"topic": "", "format": "call"})
    program.action(invocation(slack, SAM), "intro:accept:1")

    assert sample(metrics, "introbot_commands_total", kind="form", command="mentor",
                  outcome="ok") == 1
    assert sample(metrics, "introbot_commands_total", kind="command", command="intro find",
                  outcome="ok") == 1
    assert sample(metrics, "introbot_commands_total", kind="command", command="intro cancel",
                  outcome="refused") == 1
    assert sample(metrics, "introbot_commands_total", kind="form", command="request",
                  outcome="invalid") == 1
    assert sample(metrics, "introbot_commands_total", kind="action", command="intro:accept",
                  outcome="refused") == 1
    assert sample(metrics, "introbot_command_latency_seconds_count", kind="command") == 2
    assert sample(metrics, "introbot_command_latency_seconds_sum") > 0

    lines = [r for r in caplog.records if r.name == COMMAND_LOGGER]
    assert len(lines) == 5
    fields = lines[1].fields  # type: ignore[attr-defined]
    assert fields["community"] == f"slack:{slack.team_id}"
    assert (fields["command"], fields["outcome"]) == ("intro find", "ok")
    assert fields["latency_ms"] >= 0
    assert "private-words-here" not in caplog.text


def test_an_error_in_the_core_is_counted_and_the_error_still_raised(
    runtime: Runtime, metrics: Metrics, monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_: object) -> object:
        raise RuntimeError("database went away")

    monkeypatch.setattr(runtime.program, "_run", broken)
    with pytest.raises(RuntimeError):
        runtime.program.command(invocation(FakeSlack(), SAM), "intro", "list")
    assert sample(metrics, "introbot_commands_total", command="intro list",
                  outcome="error") == 1


class Recording:
    """A notifier that delivers every DM but Pat's (whose DMs are closed: permanent)."""

    def __init__(self) -> None:
        self.delivered: list[DirectMessage] = []

    async def deliver(self, community: CommunityKey, dm: DirectMessage) -> None:
        if any(r.platform_user_id == PAT for r in dm.recipients):
            raise DeliveryError("cannot_dm_bot", permanent=True)
        self.delivered.append(dm)


async def test_reminders_are_counted_by_outcome_with_their_lateness(
    runtime: Runtime, metrics: Metrics, clock: ManualClock,
) -> None:
    slack = FakeSlack()
    program = runtime.program
    world.make_mentor(program, slack, MARIA, "PM in climate tech", "Software")
    world.make_mentor(program, slack, PAT, "Analyst turned founder", "Finance")
    world.make_request(program, slack, SAM, MARIA)
    world.make_request(program, slack, SAM, PAT)
    claims = MeteredClaims(runtime.engine).attach(metrics)
    with runtime.engine.begin() as connection:  # the two mentors live in different zones
        no_quiet_hours(connection, clock.now())
    with runtime.engine.connect() as connection:
        dues = dict(connection.execute(
            select(members.c.platform_user_id, outbox.c.due_at)
            .join(members, members.c.id == outbox.c.recipient_id)
            .where(outbox.c.kind == "mentor_nudge")).all())
    assert set(dues) == {MARIA, PAT}
    clock.set(max(map(as_utc, dues.values())) + timedelta(minutes=10))  # both due
    expected_lateness = (clock.now() - as_utc(dues[MARIA])).total_seconds()
    notifier = Recording()
    dispatcher = ReminderDispatcher(program, claims, {"slack": notifier}, clock,
                                    owner="metrics-test",
                                    settings=DispatchSettings(offload=False))
    await dispatcher.drain()

    assert len(notifier.delivered) == 1
    assert sample(metrics, "introbot_reminders_due_total") == 2
    assert sample(metrics, "introbot_reminders_total", outcome="sent") == 1
    assert sample(metrics, "introbot_reminders_total", outcome="failed") == 1
    assert sample(metrics, "introbot_reminders_total", outcome="dropped") == 0
    assert sample(metrics, "introbot_reminder_lateness_seconds_count") == 1
    late = sample(metrics, "introbot_reminder_lateness_seconds_sum")
    assert late == pytest.approx(expected_lateness)
    assert sample(metrics, "introbot_reminder_lateness_seconds_bucket", le="300.0") == 0

    metrics.observe_outbox(claims.stats(clock.now()), clock.now())
    assert sample(metrics, "introbot_outbox_rows", status="sent") == 1
    assert sample(metrics, "introbot_outbox_rows", status="failed") == 1
    assert sample(metrics, "introbot_outbox_due") == 0


async def test_handed_back_claims_are_counted(
    runtime: Runtime, metrics: Metrics, clock: ManualClock,
) -> None:
    slack = FakeSlack()
    world.base(runtime.program, slack)
    claims = MeteredClaims(runtime.engine).attach(metrics)
    due = claims.next_due_at()
    assert due is not None
    clock.set(due)
    claimed = claims.claim("someone", clock.now())
    assert claimed
    assert claims.release("someone", clock.now()) == len(claimed)
    assert claims.released == len(claimed)
    assert sample(metrics, "introbot_reminders_total", outcome="released") == len(claimed)
    metrics.observe_outbox(claims.stats(clock.now()), clock.now())
    assert sample(metrics, "introbot_outbox_due") == len(claimed)
