"""How a DM reached a member when the usual way failed, kept in the audit log.

Adapters call it when they had to deliver another way (a mention in a fallback channel, a
private thread) or could not deliver at all, so admins can see who misses messages and why.
"""

from __future__ import annotations

from datetime import datetime

from bot.domain import AuditEntry
from bot.ports import UnitOfWork

DELIVERY_ACTION_PREFIX = "delivery."
_MAX_WORD = 40


def record_delivery(
    uow: UnitOfWork, community_id: int, member_id: int, kind: str, how: str, now: datetime
) -> None:
    """One audit entry ``delivery.<how>`` about `member_id`; the detail is the DM's kind."""
    uow.audit.record(
        AuditEntry(
            community_id=community_id,
            action=DELIVERY_ACTION_PREFIX + how[:_MAX_WORD],
            at=now,
            entity="member",
            entity_id=member_id,
            detail=kind[:_MAX_WORD * 2],
        )
    )
