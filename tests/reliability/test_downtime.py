"""Downtime: the dispatcher is stopped for three days, then started. Each reminder that still
helps goes out exactly once; those that lost their point (a time-box nudge days late) are
recorded as dropped, per kind, by the core's staleness policy."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from adapters.dispatcher import ReminderDispatcher
from adapters.scheduler import ReminderScheduler
from bot.app import IntroProgram
from bot.clock import ManualClock
from bot.context import Invocation, PlatformUser
from storage.outbox_claims import OutboxClaims
from storage.uow import SqlUnitOfWorkFactory
from tests.dispatcher.world import People, RecordingNotifier

Factory = SqlUnitOfWorkFactory


def kind_of(key: str) -> str:
    return key.split(":")[0] + (f"#{key.rsplit(':', 1)[-1]}" if key.startswith("thanks") else "")


async def test_after_three_days_down_useful_reminders_go_once_and_stale_ones_are_dropped(
    uow_factory: Factory, program: IntroProgram, claims: OutboxClaims, clock: ManualClock
) -> None:
    people = People(uow_factory, count=3)
    cid = people.community

    def me(handle: str) -> Invocation:
        return Invocation(cid, PlatformUser(user_id=handle, display_name=handle.title(),
                                            handle=handle, timezone="UTC"))

    sam, kim = me("sam"), me("kim")
    mentor_1 = people.mentor_ids[1]
    # Wednesday 10:00 UTC: Sam meets mentor 1 at 16:00 and tracks a follow-up for tomorrow;
    # mentor 2 is away until Friday; Kim's request to mentor 0 is waiting.
    assert program.submit(sam, f"request:{mentor_1}", {"topic": "How you got started",
                                                        "format": "call"}).ok
    with uow_factory() as uow:
        request_id = max(r.id or 0 for r in uow.requests.for_seeker(people.community_id,
                                                                     people.seeker_id))
    assert program.action(me("m1"), f"intro:accept:{request_id}").ok
    booked = program.command(sam, "intro", f"schedule {request_id} 2026-06-03 16:00")
    assert booked.ok, booked.reply
    assert program.command(sam, "intro", f"followup {request_id} Read the report in 1 days").ok
    assert program.command(me("m2"), "mentor", "away 2026-06-05").ok
    assert program.submit(kim, f"request:{people.mentor_ids[0]}",
                          {"topic": "What a day looks like", "format": "call"}).ok

    notifier = RecordingNotifier()
    dispatcher = ReminderDispatcher(program, claims, {"console": notifier}, clock)
    program.sweep()
    before = await dispatcher.drain()  # what was due on Wednesday morning went out then
    assert notifier.kinds() == ["reminder.prep"] and before.dropped == 0
    pending_before = {key for key, row in people.rows().items() if row["status"] == "pending"}

    clock.advance(timedelta(days=3))  # down until Saturday 10:00
    scheduler = ReminderScheduler(dispatcher, program)
    await scheduler.start()  # one catch-up run at start: the sweep and a dispatch
    try:
        def busy() -> bool:  # the sweep's reminder not yet queued and sent, or rows due
            rows = people.rows().items()
            return not any(key.startswith("away_ended") and row["status"] != "pending"
                           for key, row in rows) or any(
                row["status"] == "pending" and row["visible_at"] <= clock.now()
                for _, row in rows)

        async def settled() -> None:
            while busy():
                await asyncio.sleep(0.02)
        await asyncio.wait_for(settled(), timeout=30)
    finally:
        await scheduler.stop()

    rows = people.rows()
    outcome = {kind_of(key): (row["status"], row["last_error"]) for key, row in rows.items()
               if key in pending_before or key.startswith("away_ended")}
    assert {kind: status for kind, (status, _) in outcome.items()} == {
        "timebox": "dropped",  # 16:13 Wednesday: useless 10 minutes after
        "checkin": "dropped",  # 16:45 Wednesday: useless after 6 hours
        "thanks#1": "dropped",  # 20:15 Wednesday: more than 2 days late
        "thanks#2": "sent",  # 20:15 Thursday: still within 2 days
        "followup": "sent",  # 09:00 Thursday: within 30 days
        "away_ended": "sent",  # queued by the sweep, due Friday: within 2 days
        "mentor_nudge": "pending",  # Kim's request: half-time is not yet here
    }
    for kind in ("timebox", "checkin", "thanks#1"):
        assert outcome[kind][1].startswith("stale: "), outcome[kind]
    assert sorted(notifier.kinds()) == sorted([
        "reminder.prep", "reminder.thanks", "reminder.followup", "reminder.away_ended"])

    # Started again (another restart, or the next poll): nothing goes twice.
    again = ReminderDispatcher(program, claims, {"console": notifier}, clock)
    program.sweep()
    assert (await again.drain()).claimed == 0
    assert len(notifier.sent) == 4
