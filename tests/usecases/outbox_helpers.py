"""Reading the reminder outbox in use-case tests, and sending what is due the way the
dispatcher does (render, then mark), without its claim and lease machinery."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from bot.app import IntroProgram
from bot.clock import Clock
from bot.domain import ClaimedReminder, OutboxStatus
from bot.messages import DirectMessage
from storage import tables
from storage.outbox import to_reminder
from storage.uow import SqlUnitOfWorkFactory

OB = tables.reminder_outbox.c


def outbox_rows(uow_factory: SqlUnitOfWorkFactory) -> list[dict[str, Any]]:
    """Every outbox row, in insertion order."""
    with uow_factory() as uow:
        result = uow.session.execute(select(tables.reminder_outbox).order_by(OB.id))
        return [dict(row._mapping) for row in result]


def by_key(uow_factory: SqlUnitOfWorkFactory) -> dict[str, dict[str, Any]]:
    return {row["dedupe_key"]: row for row in outbox_rows(uow_factory)}


def pending_keys(uow_factory: SqlUnitOfWorkFactory) -> set[str]:
    return {row["dedupe_key"] for row in outbox_rows(uow_factory)
            if row["status"] == OutboxStatus.PENDING.value}


def reminder(uow_factory: SqlUnitOfWorkFactory, key: str) -> ClaimedReminder:
    """The row with `key` as the dispatcher would see it (whatever its status)."""
    with uow_factory() as uow:
        statement = select(tables.reminder_outbox).where(OB.dedupe_key == key)
        row = uow.session.execute(statement).one()
        return to_reminder(row)


@dataclass(frozen=True)
class Delivery:
    key: str
    kind: str
    dm: DirectMessage | None
    reason: str


def send_due(
    program: IntroProgram, uow_factory: SqlUnitOfWorkFactory, clock: Clock
) -> list[Delivery]:
    """Render every pending row due by the program's clock, earliest first, and mark it sent
    or dropped."""
    now = clock.now()
    with uow_factory() as uow:
        statement = (
            select(tables.reminder_outbox)
            .where(OB.status == OutboxStatus.PENDING.value, OB.due_at <= now)
            .order_by(OB.due_at, OB.id)
        )
        items = [to_reminder(row) for row in uow.session.execute(statement)]
    done = []
    for item in items:
        dm, reason = program.render_reminder(item)
        status = OutboxStatus.SENT if dm is not None else OutboxStatus.DROPPED
        with uow_factory() as uow:
            uow.session.execute(
                update(tables.reminder_outbox)
                .where(OB.id == item.id)
                .values(status=status.value, visible_at=None, last_error=reason[:200])
            )
            uow.commit()
        done.append(Delivery(item.dedupe_key, item.kind, dm, reason))
    return done
