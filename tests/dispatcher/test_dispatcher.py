"""The dispatcher against real storage and the real core renderer, with a manual clock and
recording notifiers: sends, drops, failures with backoff, rate limits, permanent refusals,
per-platform routing, leases and stopping."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, text

from adapters.dispatcher import DispatchSettings, ReminderDispatcher
from bot.app import IntroProgram
from bot.clock import ManualClock
from bot.context import CommunityKey
from bot.domain import ClaimedReminder, OutboxStatus
from bot.messages import DirectMessage
from bot.ports import DeliveryError, Notifier
from storage.outbox_claims import Mark, OutboxClaims, RetryPolicy
from storage.uow import SqlUnitOfWorkFactory
from tests.dispatcher.world import NOW, People, RecordingNotifier, rate_limited

Factory = SqlUnitOfWorkFactory


def dispatcher(
    program: IntroProgram,
    claims: OutboxClaims,
    clock: ManualClock,
    notifier: Notifier,
    **settings: object,
) -> ReminderDispatcher:
    return ReminderDispatcher(program, claims, {"console": notifier}, clock,
                              owner="test-dispatcher",
                              settings=DispatchSettings(**settings))  # type: ignore[arg-type]


async def test_due_reminders_are_sent_once_in_due_order_and_marked_sent(
    uow_factory: Factory, program: IntroProgram, claims: OutboxClaims, clock: ManualClock
) -> None:
    people = People(uow_factory)
    later = people.followups(3, NOW - timedelta(minutes=5))
    earlier = people.welcome_backs(2, NOW - timedelta(minutes=30))
    not_yet = people.welcome_backs(1, NOW + timedelta(minutes=1), start=10)
    notifier = RecordingNotifier()
    send = dispatcher(program, claims, clock, notifier, batch_size=2)

    result = await send.drain()

    assert result.sent == 5 and result.claimed == 5
    assert notifier.kinds() == ["reminder.away_ended"] * 2 + ["reminder.followup"] * 3
    assert [text.rsplit(": ", 1)[-1] for text in notifier.texts()[2:]] == [
        "door 0", "door 1", "door 2"]
    assert all(community == people.community for community, _ in notifier.sent)
    rows = people.rows()
    for key in earlier + later:
        assert rows[key]["status"] == OutboxStatus.SENT.value
        assert rows[key]["visible_at"] is None and rows[key]["lease_owner"] is None
        assert rows[key]["attempts"] == 1
    assert rows[not_yet[0]]["status"] == OutboxStatus.PENDING.value

    again = await send.drain()
    assert again.claimed == 0 and notifier.calls == 5

    clock.advance(timedelta(minutes=1))
    assert (await send.drain()).sent == 1
    assert notifier.calls == 6


async def test_a_moot_reminder_is_dropped_with_the_core_s_reason(
    uow_factory: Factory, program: IntroProgram, claims: OutboxClaims, clock: ManualClock
) -> None:
    people = People(uow_factory)
    (key,) = people.followups(1, NOW - timedelta(minutes=1))
    with uow_factory() as uow:  # the seeker marked the follow-up done meanwhile
        (item,) = uow.followups.for_request(people.community_id, people.request_id)
        item.status = "done"
        uow.commit()
    notifier = RecordingNotifier()

    result = await dispatcher(program, claims, clock, notifier).drain()

    assert result.dropped == 1 and notifier.calls == 0
    row = people.rows()[key]
    assert row["status"] == OutboxStatus.DROPPED.value
    assert row["last_error"] == "moot: the follow-up is done"
    assert row["visible_at"] is None


async def test_an_exception_and_a_rate_limit_are_retried_with_backoff_never_in_a_loop(
    uow_factory: Factory, program: IntroProgram, engine: object, clock: ManualClock
) -> None:
    people = People(uow_factory)
    (key,) = people.welcome_backs(1, NOW - timedelta(minutes=1))
    policy = RetryPolicy(max_attempts=5, base=timedelta(seconds=30), jitter=0.25)
    claims = OutboxClaims(engine, retry=policy)  # type: ignore[arg-type]
    notifier = RecordingNotifier([ConnectionResetError("peer reset"), rate_limited(600)])
    send = dispatcher(program, claims, clock, notifier)

    first = await send.drain()
    assert (first.retried, notifier.calls) == (1, 1)
    row = people.rows()[key]
    assert row["status"] == OutboxStatus.PENDING.value
    assert "peer reset" in row["last_error"]
    assert row["attempts"] == 1 and row["lease_owner"] is None
    wait = row["visible_at"] - clock.now()
    assert policy.backoff(1) <= wait <= policy.backoff(1) * 1.25

    # Asking again before the backoff is over does nothing: no tight loop.
    for _ in range(5):
        assert (await send.drain()).claimed == 0
    clock.advance(wait - timedelta(seconds=1))
    assert (await send.drain()).claimed == 0
    assert notifier.calls == 1

    clock.advance(timedelta(seconds=1))
    second = await send.drain()
    assert (second.retried, notifier.calls) == (1, 2)
    row = people.rows()[key]
    assert row["attempts"] == 2 and row["last_error"] == "rate limited"
    wait = row["visible_at"] - clock.now()
    assert wait >= timedelta(seconds=600)  # the platform's retry-after beats the 60 s backoff
    clock.advance(timedelta(seconds=599))
    assert (await send.drain()).claimed == 0

    clock.advance(wait - timedelta(seconds=599))
    third = await send.drain()
    assert (third.sent, notifier.calls) == (1, 3)
    row = people.rows()[key]
    assert row["status"] == OutboxStatus.SENT.value and row["attempts"] == 3
    assert row["last_error"] == ""


async def test_backoff_doubles_and_the_last_attempt_fails_the_row_with_its_reason(
    uow_factory: Factory, program: IntroProgram, engine: object, clock: ManualClock
) -> None:
    people = People(uow_factory)
    (key,) = people.welcome_backs(1, NOW - timedelta(minutes=1))
    policy = RetryPolicy(max_attempts=4, base=timedelta(seconds=10), cap=timedelta(seconds=60),
                         jitter=0.0)
    claims = OutboxClaims(engine, retry=policy)  # type: ignore[arg-type]
    notifier = RecordingNotifier([RuntimeError(f"boom {n}") for n in range(10)])
    send = dispatcher(program, claims, clock, notifier)

    waits = []
    for _ in range(3):
        assert (await send.drain()).retried == 1
        wait = people.rows()[key]["visible_at"] - clock.now()
        waits.append(wait)
        clock.advance(wait)
    assert waits == [timedelta(seconds=10), timedelta(seconds=20), timedelta(seconds=40)]
    last = await send.drain()

    assert last.failed == 1 and notifier.calls == 4
    row = people.rows()[key]
    assert row["status"] == OutboxStatus.FAILED.value
    assert row["last_error"].startswith("gave up after 4 attempts: error: RuntimeError('boom 3')")
    assert row["visible_at"] is None and row["finished_at"] == clock.now()
    clock.advance(timedelta(days=1))
    assert (await send.drain()).claimed == 0


async def test_a_permanent_refusal_fails_at_once_and_the_others_still_go(
    uow_factory: Factory, program: IntroProgram, claims: OutboxClaims, clock: ManualClock
) -> None:
    people = People(uow_factory)
    keys = people.welcome_backs(2, NOW - timedelta(minutes=1))
    notifier = RecordingNotifier([DeliveryError("the member closed their DMs", permanent=True)])

    result = await dispatcher(program, claims, clock, notifier).drain()

    assert (result.failed, result.sent, notifier.calls) == (1, 1, 2)
    rows = people.rows()
    assert rows[keys[0]]["status"] == OutboxStatus.FAILED.value
    assert rows[keys[0]]["last_error"] == "the member closed their DMs"
    assert rows[keys[0]]["attempts"] == 1
    assert rows[keys[1]]["status"] == OutboxStatus.SENT.value


async def test_a_rate_limit_holds_back_the_community_s_other_reminders_unattempted(
    uow_factory: Factory, program: IntroProgram, claims: OutboxClaims, clock: ManualClock
) -> None:
    people = People(uow_factory)
    keys = people.welcome_backs(4, NOW - timedelta(minutes=1))
    notifier = RecordingNotifier([rate_limited(120)])
    send = dispatcher(program, claims, clock, notifier)

    result = await send.drain()

    assert (result.retried, result.deferred, notifier.calls) == (1, 3, 1)
    rows = people.rows()
    for key in keys[1:]:
        assert rows[key]["visible_at"] == clock.now() + timedelta(seconds=120)
        assert rows[key]["attempts"] == 0  # handed back, not attempted
    assert rows[keys[0]]["visible_at"] >= clock.now() + timedelta(seconds=120)
    assert rows[keys[0]]["attempts"] == 1
    clock.advance(timedelta(seconds=119))
    assert (await send.drain()).claimed == 0
    clock.advance(timedelta(seconds=31))  # past the retry-after and any jittered backoff
    assert (await send.drain()).sent == 4
    assert notifier.calls == 5


async def test_each_platform_s_reminders_go_to_its_own_notifier_and_others_are_left(
    uow_factory: Factory, program: IntroProgram, claims: OutboxClaims, clock: ManualClock
) -> None:
    console = People(uow_factory)
    slack = People(uow_factory, community=CommunityKey("slack", "T9", "Slack alumni"))
    discord = People(uow_factory, community=CommunityKey("discord", "G1", "Discord alumni"))
    console.welcome_backs(2, NOW)
    slack.welcome_backs(3, NOW)
    (discord_key,) = discord.welcome_backs(1, NOW)
    to_console, to_slack = RecordingNotifier(), RecordingNotifier()
    send = ReminderDispatcher(program, claims, {"console": to_console, "slack": to_slack},
                              clock)

    result = await send.drain()

    assert result.sent == 5
    assert [c for c, _ in to_console.sent] == [console.community] * 2
    assert [c for c, _ in to_slack.sent] == [slack.community] * 3
    row = discord.rows()[discord_key]
    assert row["status"] == OutboxStatus.PENDING.value and row["attempts"] == 0
    assert await send.next_due_at() is None  # nothing more for this dispatcher's platforms
    assert claims.next_due_at() == NOW  # the Discord row waits for a Discord dispatcher
    assert claims.next_due_at(["discord"]) == NOW


async def test_a_send_never_starts_near_the_end_of_the_lease(
    uow_factory: Factory, program: IntroProgram, claims: OutboxClaims, clock: ManualClock
) -> None:
    people = People(uow_factory)
    keys = people.welcome_backs(3, NOW)

    class SlowNotifier(RecordingNotifier):
        async def deliver(self, community: CommunityKey, dm: object) -> None:
            await super().deliver(community, dm)  # type: ignore[arg-type]
            clock.advance(timedelta(seconds=50))  # each send takes 50 s

    notifier = SlowNotifier()
    send = dispatcher(program, claims, clock, notifier, lease=timedelta(minutes=2),
                      lease_margin=timedelta(seconds=30))

    first = await send.run_once()

    # 0 s and 50 s left 120 s and 70 s of lease; at 100 s only 20 s were left.
    assert (first.sent, first.released, notifier.calls) == (2, 1, 2)
    row = people.rows()[keys[2]]
    assert row["status"] == OutboxStatus.PENDING.value
    assert row["lease_owner"] is None and row["attempts"] == 0
    assert row["visible_at"] == clock.now()
    assert (await send.run_once()).sent == 1


async def test_stopping_hands_back_claims_and_claims_nothing_more(
    uow_factory: Factory, program: IntroProgram, claims: OutboxClaims, clock: ManualClock
) -> None:
    people = People(uow_factory)
    keys = people.welcome_backs(4, NOW)
    send = dispatcher(program, claims, clock, RecordingNotifier())

    class StopAfterFirst(RecordingNotifier):
        async def deliver(self, community: CommunityKey, dm: object) -> None:
            await super().deliver(community, dm)  # type: ignore[arg-type]
            send.stop_claiming()

    send.notifiers["console"] = notifier = StopAfterFirst()
    result = await send.run_once()

    assert (result.sent, result.released, notifier.calls) == (1, 3, 1)
    assert await send.stop() == 0  # nothing left to hand back
    assert (await send.run_once()).claimed == 0
    rows = people.rows()
    assert [rows[key]["status"] for key in keys] == ["sent"] + ["pending"] * 3
    assert all(rows[key]["lease_owner"] is None for key in keys[1:])


async def test_stop_releases_what_a_dead_pass_left_claimed(
    uow_factory: Factory, program: IntroProgram, claims: OutboxClaims, clock: ManualClock
) -> None:
    people = People(uow_factory)
    keys = people.welcome_backs(3, NOW)
    send = dispatcher(program, claims, clock, RecordingNotifier())
    held = claims.claim(send.owner, clock.now(), limit=2)
    assert len(held) == 2

    assert await send.stop() == 2

    rows = people.rows()
    assert all(rows[key]["lease_owner"] is None for key in keys)
    assert all(rows[key]["attempts"] == 0 for key in keys)


@pytest.mark.parametrize("in_flight", [1, 3])
async def test_sends_in_flight_are_recorded_before_more_go_out(
    uow_factory: Factory, program: IntroProgram, claims: OutboxClaims, clock: ManualClock,
    in_flight: int,
) -> None:
    """With `in_flight` DMs out at once, at most that many are ever delivered but not yet
    recorded as sent: what a crash could duplicate."""
    people = People(uow_factory)
    keys = people.welcome_backs(7, NOW)
    unrecorded: list[int] = []

    class Watching(RecordingNotifier):
        async def deliver(self, community: CommunityKey, dm: object) -> None:
            rows = people.rows()
            sent = sum(1 for key in keys if rows[key]["status"] == "sent")
            unrecorded.append(len(self.sent) - sent)
            await super().deliver(community, dm)  # type: ignore[arg-type]

    notifier = Watching()
    result = await dispatcher(program, claims, clock, notifier, in_flight=in_flight).drain()

    assert result.sent == 7
    assert max(unrecorded) == in_flight - 1  # others out when a send starts


async def test_a_dm_rendered_too_long_ago_is_rendered_again_before_it_goes(
    uow_factory: Factory, program: IntroProgram, claims: OutboxClaims, clock: ManualClock
) -> None:
    """A batch is rendered at once; on a slow platform the rest is rendered again once
    `render_ttl` has passed, so a follow-up marked done meanwhile is not sent."""
    people = People(uow_factory)
    keys = people.followups(3, NOW - timedelta(minutes=1))

    class SlowNotifier(RecordingNotifier):
        async def deliver(self, community: CommunityKey, dm: object) -> None:
            await super().deliver(community, dm)  # type: ignore[arg-type]
            clock.advance(timedelta(seconds=6))
            if self.calls == 1:  # the seeker marks the other follow-ups done meanwhile
                with uow_factory() as uow:
                    for item in uow.followups.for_request(people.community_id,
                                                          people.request_id)[1:]:
                        item.status = "done"
                    uow.commit()

    notifier = SlowNotifier()
    result = await dispatcher(program, claims, clock, notifier,
                              render_ttl=timedelta(seconds=5)).drain()

    assert (result.sent, result.dropped, notifier.calls) == (1, 2, 1)
    rows = people.rows()
    assert [rows[key]["status"] for key in keys] == ["sent", "dropped", "dropped"]
    assert rows[keys[1]]["last_error"] == "moot: the follow-up is done"


async def test_a_batch_that_cannot_be_rendered_together_is_rendered_one_by_one(
    uow_factory: Factory, program: IntroProgram, claims: OutboxClaims, clock: ManualClock
) -> None:
    """One bad row must not hold back the others: when rendering the batch raises, each
    row is rendered alone; the bad one is retried later with the error, the rest go."""
    people = People(uow_factory)
    keys = people.welcome_backs(3, NOW)
    bad = people.rows()[keys[1]]["id"]

    class Fussy:
        def render_reminder(self, item: ClaimedReminder) -> tuple[DirectMessage | None, str]:
            if item.id == bad:
                raise ValueError("cannot read this payload")
            return program.render_reminder(item)

        def render_reminders(
            self, items: Sequence[ClaimedReminder]
        ) -> list[tuple[DirectMessage | None, str]]:
            return [self.render_reminder(item) for item in items]

    notifier = RecordingNotifier()
    send = ReminderDispatcher(Fussy(), claims, {"console": notifier}, clock, owner="t")

    result = await send.drain()

    assert (result.sent, result.retried, notifier.calls) == (2, 1, 2)
    row = people.rows()[keys[1]]
    assert row["status"] == OutboxStatus.PENDING.value
    assert "render error" in row["last_error"] and "cannot read" in row["last_error"]
    assert row["visible_at"] > NOW


async def test_an_outcome_is_recorded_even_when_the_database_is_busy_at_that_moment(
    uow_factory: Factory, program: IntroProgram, claims: OutboxClaims, clock: ManualClock,
    engine: Engine,
) -> None:
    """Right after each send another connection holds the write lock for a moment: the
    quick in-place record declines, and the worker thread waits for the lock and records."""
    people = People(uow_factory)
    keys = people.welcome_backs(3, NOW)
    through_worker: list[int] = []
    settle = claims.settle

    def counted(marks: Sequence[Mark], now: datetime) -> list[bool]:
        through_worker.append(len(marks))
        return settle(marks, now)

    claims.settle = counted  # type: ignore[method-assign]

    class BusyAfterSend(RecordingNotifier):
        async def deliver(self, community: CommunityKey, dm: object) -> None:
            await super().deliver(community, dm)  # type: ignore[arg-type]
            writer = engine.connect()
            writer.execute(text("SELECT 1"))  # SQLite: BEGIN IMMEDIATE takes the lock

            def let_go() -> None:
                writer.rollback()
                writer.close()

            asyncio.get_running_loop().call_later(0.2, let_go)

    result = await dispatcher(program, claims, clock, BusyAfterSend()).drain()

    assert result.sent == 3 and result.lost == 0
    assert through_worker == [1, 1, 1]
    rows = people.rows()
    assert [rows[key]["status"] for key in keys] == ["sent"] * 3


async def test_a_slow_batch_is_rendered_again_a_few_at_a_time(
    uow_factory: Factory, program: IntroProgram, claims: OutboxClaims, clock: ManualClock
) -> None:
    """The whole batch is rendered in one trip; once that rendering is too old, only about
    as many as go out in that time are rendered again, not everything still waiting."""
    people = People(uow_factory)
    people.welcome_backs(30, NOW)
    sizes: list[int] = []
    render = program.render_reminders

    def counted(items: Sequence[ClaimedReminder]) -> list[tuple[DirectMessage | None, str]]:
        sizes.append(len(items))
        return render(items)

    program.render_reminders = counted  # type: ignore[method-assign]

    class SlowNotifier(RecordingNotifier):
        async def deliver(self, community: CommunityKey, dm: object) -> None:
            await super().deliver(community, dm)  # type: ignore[arg-type]
            clock.advance(timedelta(seconds=2))

    result = await dispatcher(program, claims, clock, SlowNotifier(), lease=timedelta(hours=1),
                              render_ttl=timedelta(seconds=5)).drain()

    assert result.sent == 30
    # 2 s a send, 5 s of freshness: 3 went out between renderings, so 6 at a time.
    assert sizes[0] == 30 and len(sizes) > 1 and set(sizes[1:-1]) == {6}
    assert sum(sizes) < 30 * 3  # far from rendering all that is left each time


async def test_a_reminder_that_falls_due_in_quiet_hours_waits_for_the_morning(
    uow_factory: Factory, program: IntroProgram, claims: OutboxClaims, clock: ManualClock
) -> None:
    """Back at 23:00 after downtime (recipients in UTC, quiet 21:00-08:00): the welcome-back
    due at 20:30 is handed back unattempted until 08:00, then sent."""
    people = People(uow_factory)
    with uow_factory() as uow:
        uow.settings.set(people.community_id, "quiet_hours", "21:00-08:00", NOW)
        uow.commit()
    evening = NOW.replace(hour=20, minute=30)
    (key,) = people.welcome_backs(1, evening)
    clock.set(NOW.replace(hour=23))
    notifier = RecordingNotifier()
    send = dispatcher(program, claims, clock, notifier)

    night = await send.drain()

    assert (night.deferred, night.sent, notifier.calls) == (1, 0, 0)
    row = people.rows()[key]
    morning = NOW.replace(hour=8) + timedelta(days=1)
    assert row["status"] == "pending" and row["attempts"] == 0
    assert row["visible_at"] == morning
    assert claims.next_due_at() == morning

    clock.set(morning)
    assert (await send.drain()).sent == 1
    assert notifier.kinds() == ["reminder.away_ended"]
    assert people.rows()[key]["status"] == "sent"
