"""The reminder outbox: rows that the dispatcher claims, sends and marks (RELIABILITY.md).

A row is pending until sent, failed (given up), dropped (moot) or cancelled. `visible_at` is
when it may next be claimed: its due time while pending, the lease end while claimed, NULL once
finished.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.domain import ClaimedReminder, OutboxStatus, ReminderSpec
from storage import tables
from storage.upsert import dialect_insert

OB = tables.reminder_outbox.c
PENDING = str(OutboxStatus.PENDING)

REMINDER_COLUMNS = (
    OB.id,
    OB.community_id,
    OB.recipient_id,
    OB.kind,
    OB.due_at,
    OB.dedupe_key,
    OB.request_id,
    OB.payload,
    OB.attempts,
    OB.lease_owner,
    OB.lease_until,
)


def to_reminder(row: Any) -> ClaimedReminder:
    """A row as the core sees it; an unclaimed row has an empty owner and its due time as
    lease end."""
    return ClaimedReminder(
        id=row.id,
        community_id=row.community_id,
        recipient_id=row.recipient_id,
        kind=row.kind,
        due_at=row.due_at,
        dedupe_key=row.dedupe_key,
        request_id=row.request_id,
        payload=row.payload,
        attempts=row.attempts,
        lease_owner=row.lease_owner or "",
        lease_until=row.lease_until or row.due_at,
    )


class SqlReminderOutbox:
    def __init__(self, session: Session) -> None:
        self._session = session

    def schedule(self, spec: ReminderSpec) -> bool:
        """Insert unless a row with the same dedupe key exists; True when inserted."""
        statement = (
            dialect_insert(self._session, tables.reminder_outbox)
            .values(
                community_id=spec.community_id,
                recipient_id=spec.recipient_id,
                kind=str(spec.kind),
                due_at=spec.due_at,
                dedupe_key=spec.dedupe_key,
                request_id=spec.request_id,
                payload=spec.payload,
                status=PENDING,
                attempts=0,
                visible_at=spec.due_at,
                last_error="",
            )
            .on_conflict_do_nothing(index_elements=["community_id", "dedupe_key"])
            .returning(OB.id)
        )
        return self._session.execute(statement).first() is not None

    def reschedule(self, dedupe_key: str, community_id: int, due_at: datetime) -> bool:
        """Move a pending row to `due_at`; a lease on it ends (its holder can't mark it)."""
        statement = (
            update(tables.reminder_outbox)
            .where(
                OB.community_id == community_id,
                OB.dedupe_key == dedupe_key,
                OB.status == PENDING,
            )
            .values(due_at=due_at, visible_at=due_at, lease_owner=None, lease_until=None)
        )
        return _count(self._session.execute(statement)) > 0

    def cancel(
        self, community_id: int, request_id: int, kinds: Sequence[str] | None = None
    ) -> int:
        """Cancel the pending reminders of a request (all kinds, or only `kinds`)."""
        where = [OB.community_id == community_id, OB.request_id == request_id, OB.status == PENDING]
        if kinds is not None:
            where.append(OB.kind.in_([str(kind) for kind in kinds]))
        return _count(self._session.execute(_finish(*where, status=OutboxStatus.CANCELLED)))

    def cancel_key(self, community_id: int, dedupe_key: str) -> bool:
        statement = _finish(
            OB.community_id == community_id,
            OB.dedupe_key == dedupe_key,
            OB.status == PENDING,
            status=OutboxStatus.CANCELLED,
        )
        return _count(self._session.execute(statement)) > 0

    def pending_for(self, community_id: int, request_id: int) -> list[ClaimedReminder]:
        """Pending rows of a request, earliest due first."""
        return self._pending(OB.community_id == community_id, OB.request_id == request_id)

    def for_recipient(self, community_id: int, member_id: int) -> list[ClaimedReminder]:
        """Pending rows addressed to this member, earliest due first."""
        return self._pending(OB.community_id == community_id, OB.recipient_id == member_id)

    def _pending(self, *where: Any) -> list[ClaimedReminder]:
        statement = (
            select(*REMINDER_COLUMNS).where(*where, OB.status == PENDING).order_by(OB.due_at, OB.id)
        )
        return [to_reminder(row) for row in self._session.execute(statement)]


def _finish(*where: Any, status: OutboxStatus) -> Any:
    return (
        update(tables.reminder_outbox)
        .where(*where)
        .values(status=str(status), visible_at=None, lease_owner=None, lease_until=None)
    )


def _count(result: Any) -> int:
    return int(result.rowcount or 0)
