"""The reminder outbox as the core uses it: schedule once, move, cancel, list."""

from __future__ import annotations

from datetime import timedelta

from bot.domain import ReminderKind, ReminderSpec
from storage.uow import SqlUnitOfWorkFactory
from tests.storage.builders import NOW, builder

Factory = SqlUnitOfWorkFactory


def test_schedule_reschedule_cancel(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        b = builder(uow)
        seeker, mentor = b.member("s"), b.member("m")
        request = b.request(seeker, mentor)
        rid = request.id or 0

        def spec(kind: str, minutes: int, to: int) -> ReminderSpec:
            return ReminderSpec(
                b.cid, to, kind, NOW + timedelta(minutes=minutes), f"{kind}-{rid}", rid, '{"a":1}'
            )

        assert uow.outbox.schedule(spec(ReminderKind.PREP, 60, seeker.id or 0))
        assert uow.outbox.schedule(spec(ReminderKind.TIMEBOX, 30, seeker.id or 0))
        assert uow.outbox.schedule(spec(ReminderKind.MENTOR_NUDGE, 90, mentor.id or 0))
        assert not uow.outbox.schedule(spec(ReminderKind.PREP, 5, seeker.id or 0))
        uow.commit()

    with uow_factory() as uow:
        pending = uow.outbox.pending_for(b.cid, rid)
        assert [r.kind for r in pending] == ["timebox", "prep", "mentor_nudge"]
        first = pending[0]
        assert first.due_at == NOW + timedelta(minutes=30)
        assert first.due_at.tzinfo is not None
        assert (first.payload, first.attempts, first.lease_owner) == ('{"a":1}', 0, "")
        assert first.lease_until == first.due_at
        assert first.request_id == rid
        assert [r.kind for r in uow.outbox.for_recipient(b.cid, seeker.id or 0)] == [
            "timebox",
            "prep",
        ]

        assert uow.outbox.reschedule(f"prep-{rid}", b.cid, NOW + timedelta(minutes=10))
        assert not uow.outbox.reschedule("no-such-key", b.cid, NOW)
        moved = [r.kind for r in uow.outbox.pending_for(b.cid, rid)]
        assert moved == ["prep", "timebox", "mentor_nudge"]

        assert uow.outbox.cancel(b.cid, rid, [ReminderKind.TIMEBOX]) == 1
        assert uow.outbox.cancel_key(b.cid, f"mentor_nudge-{rid}")
        assert not uow.outbox.cancel_key(b.cid, f"mentor_nudge-{rid}")
        assert not uow.outbox.reschedule(f"timebox-{rid}", b.cid, NOW)  # cancelled stays so
        assert [r.kind for r in uow.outbox.pending_for(b.cid, rid)] == ["prep"]
        assert uow.outbox.cancel(b.cid, rid) == 1
        assert uow.outbox.pending_for(b.cid, rid) == []
        uow.commit()


def test_a_reminder_without_request(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        b = builder(uow)
        admin = b.member("admin")
        assert uow.outbox.schedule(
            ReminderSpec(b.cid, admin.id or 0, ReminderKind.DIGEST, NOW, "digest-w20")
        )
        [digest] = uow.outbox.for_recipient(b.cid, admin.id or 0)
        assert (digest.request_id, digest.payload) == (None, "{}")
