"""APScheduler on the running event loop around the dispatcher, in real (short) time: it
wakes at the next due time instead of the coarse poll, `wake()` brings a new reminder forward,
failures back off, and stopping finishes the send in flight and hands back the rest."""

from __future__ import annotations

import asyncio
import itertools
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from adapters.dispatcher import DispatchSettings, ReminderDispatcher
from adapters.scheduler import (
    DISPATCH_JOB,
    PEEK_JOB,
    POLL_JOB,
    SWEEP_JOB,
    ReminderScheduler,
    SchedulerSettings,
)
from bot.app import IntroProgram
from bot.clock import SystemClock
from bot.context import CommunityKey
from bot.domain import ClaimedReminder
from bot.messages import DirectMessage
from storage.outbox_claims import OutboxClaims
from storage.uow import SqlUnitOfWorkFactory
from tests.dispatcher.world import People, RecordingNotifier

Factory = SqlUnitOfWorkFactory
POLL = timedelta(seconds=60)


def real_time(
    uow_factory: Factory, claims: OutboxClaims, notifier: RecordingNotifier
) -> tuple[IntroProgram, ReminderDispatcher]:
    clock = SystemClock()
    program = IntroProgram(uow_factory, clock)
    return program, ReminderDispatcher(program, claims, {"console": notifier}, clock)


async def test_a_reminder_due_shortly_arrives_at_its_time_not_at_the_next_poll(
    uow_factory: Factory, claims: OutboxClaims
) -> None:
    people = People(uow_factory, now=datetime.now(UTC))
    notifier = RecordingNotifier()
    program, dispatcher = real_time(uow_factory, claims, notifier)
    due = datetime.now(UTC) + timedelta(seconds=0.5)
    (key,) = people.welcome_backs(1, due)
    scheduler = ReminderScheduler(dispatcher, program, SchedulerSettings(poll_interval=POLL))
    started = datetime.now(UTC)
    await scheduler.start()
    try:
        await asyncio.wait_for(notifier.arrived.wait(), timeout=20)
        arrived, runs_before = datetime.now(UTC), scheduler.runs
    finally:
        await scheduler.stop()

    assert notifier.kinds() == ["reminder.away_ended"]
    assert people.rows()[key]["status"] == "sent"
    assert arrived >= due
    # The poll could not have fired yet: the one-shot job, re-armed for the due time, sent it.
    assert scheduler.settings.poll_interval == POLL
    assert arrived - started < POLL
    assert runs_before >= 1  # the catch-up run at start had re-armed for the due time


async def test_wake_brings_a_new_reminder_forward(
    uow_factory: Factory, claims: OutboxClaims
) -> None:
    people = People(uow_factory, now=datetime.now(UTC))
    notifier = RecordingNotifier()
    _, dispatcher = real_time(uow_factory, claims, notifier)
    scheduler = ReminderScheduler(dispatcher, None, SchedulerSettings(
        poll_interval=POLL, peek_interval=POLL))
    await scheduler.start()
    try:
        while scheduler.runs < 1:  # the catch-up run found nothing and armed for the poll
            await asyncio.sleep(0.01)
        armed = scheduler.armed_for
        assert armed is not None and armed - datetime.now(UTC) > POLL / 2
        people.welcome_backs(1, datetime.now(UTC))  # a command queued a reminder due now
        scheduler.wake()
        await asyncio.wait_for(notifier.arrived.wait(), timeout=20)
    finally:
        await scheduler.stop()
    assert len(notifier.sent) == 1


async def test_the_peek_notices_a_reminder_queued_elsewhere(
    uow_factory: Factory, claims: OutboxClaims
) -> None:
    """A command on another replica queued a reminder due now and nobody called wake()."""
    people = People(uow_factory, now=datetime.now(UTC))
    notifier = RecordingNotifier()
    _, dispatcher = real_time(uow_factory, claims, notifier)
    scheduler = ReminderScheduler(dispatcher, None, SchedulerSettings(
        poll_interval=POLL, peek_interval=timedelta(seconds=0.2)))
    await scheduler.start()
    try:
        while scheduler.runs < 1:
            await asyncio.sleep(0.01)
        people.welcome_backs(1, datetime.now(UTC))
        await asyncio.wait_for(notifier.arrived.wait(), timeout=20)
    finally:
        await scheduler.stop()
    assert len(notifier.sent) == 1


async def test_jobs_have_fixed_ids_and_run_however_late(
    uow_factory: Factory, claims: OutboxClaims
) -> None:
    program, dispatcher = real_time(uow_factory, claims, RecordingNotifier())
    scheduler = ReminderScheduler(dispatcher, program)
    await scheduler.start()
    try:
        assert scheduler.apscheduler is not None
        jobs = {job.id: job for job in scheduler.apscheduler.get_jobs()}
        assert set(jobs) <= {DISPATCH_JOB, PEEK_JOB, POLL_JOB, SWEEP_JOB}
        assert {PEEK_JOB, POLL_JOB, SWEEP_JOB} <= set(jobs)
        for job in jobs.values():
            assert (job.max_instances, job.coalesce, job.misfire_grace_time) == (1, True, None)
    finally:
        await scheduler.stop()
    assert not scheduler.started


async def test_a_failing_outbox_backs_off_instead_of_spinning(
    uow_factory: Factory, engine: Engine
) -> None:
    failures: list[datetime] = []

    class Broken(OutboxClaims):
        def claim(self, *args: object, **kwargs: object) -> list[ClaimedReminder]:
            failures.append(datetime.now(UTC))
            raise RuntimeError("the database is unreachable")

    notifier = RecordingNotifier()
    _, dispatcher = real_time(uow_factory, Broken(engine), notifier)
    settings = SchedulerSettings(poll_interval=POLL, error_delay=timedelta(seconds=0.2))
    scheduler = ReminderScheduler(dispatcher, None, settings)
    await scheduler.start()
    try:
        while scheduler.runs < 3:  # three failed runs, each re-armed
            await asyncio.sleep(0.01)
        armed = scheduler.armed_for
    finally:
        await scheduler.stop()
    gaps = [later - earlier for earlier, later in itertools.pairwise(failures)]
    assert gaps[0] >= timedelta(seconds=0.2) and gaps[1] >= timedelta(seconds=0.4)  # doubling
    assert armed is not None and armed - failures[2] >= timedelta(seconds=0.8)


async def test_stop_finishes_the_send_in_flight_and_hands_back_the_rest(
    uow_factory: Factory, claims: OutboxClaims
) -> None:
    people = People(uow_factory, now=datetime.now(UTC))
    keys = people.welcome_backs(5, datetime.now(UTC))
    sending, finish = asyncio.Event(), asyncio.Event()

    class Slow(RecordingNotifier):
        async def deliver(self, community: CommunityKey, dm: DirectMessage) -> None:
            sending.set()
            await finish.wait()
            await super().deliver(community, dm)

    notifier = Slow()
    clock = SystemClock()
    program = IntroProgram(uow_factory, clock)
    dispatcher = ReminderDispatcher(program, claims, {"console": notifier}, clock,
                                    settings=DispatchSettings(batch_size=5))
    scheduler = ReminderScheduler(dispatcher, None)
    await scheduler.start()
    await asyncio.wait_for(sending.wait(), timeout=20)
    stopping = asyncio.ensure_future(scheduler.stop())
    await asyncio.sleep(0.05)
    assert not stopping.done()  # waits for the send in flight
    finish.set()
    await asyncio.wait_for(stopping, timeout=20)

    rows = people.rows()
    assert [rows[key]["status"] for key in keys] == ["sent"] + ["pending"] * 4
    assert all(rows[key]["lease_owner"] is None and rows[key]["attempts"] == 0
               for key in keys[1:])
    assert notifier.calls == 1 and not scheduler.started


async def test_a_starved_event_loop_does_not_break_the_chain_of_runs(
    uow_factory: Factory, claims: OutboxClaims
) -> None:
    """When the loop stalls right after a run re-armed itself, APScheduler can find the next
    run due while the previous one still counts as running, and skips it (max_instances=1).
    The scheduler notices and re-arms, instead of waiting for the poll."""

    class Starved(ReminderScheduler):
        stalled = False

        def _arm(self, delay: timedelta) -> None:
            super()._arm(delay)
            if not self.stalled and delay < timedelta(seconds=5):
                self.stalled = True
                time.sleep(delay.total_seconds() + 0.05)  # not scheduled for a while

    people = People(uow_factory, now=datetime.now(UTC))
    notifier = RecordingNotifier()
    _, dispatcher = real_time(uow_factory, claims, notifier)
    people.welcome_backs(2, datetime.now(UTC) + timedelta(seconds=1))
    scheduler = Starved(dispatcher, None, SchedulerSettings(poll_interval=POLL,
                                                            peek_interval=POLL))
    await scheduler.start()
    try:
        await asyncio.wait_for(notifier.arrived.wait(), timeout=20)
        while len(notifier.sent) < 2:
            await asyncio.sleep(0.01)
    finally:
        await scheduler.stop()
    assert scheduler.stalled
    assert scheduler.skipped_runs >= 1  # the stall did make APScheduler skip a run
    assert len(notifier.sent) == 2
