"""Erasing a member: every personal datum goes, anonymous rows stay for the program's counts.

The search index is rewritten when a profile goes, so its words leave no trace there either.

Audit entries "about" a member are those on entity `member` (their id), `mentor_profile`
(their profile), `intro_request`, `warm_intro` and `follow_up` (ones involving them).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.orm import Session

from bot.domain import (
    AuditEntry,
    Block,
    FollowUp,
    IntroRequest,
    Member,
    MentorProfile,
    WarmIntro,
)
from storage import tables
from storage.search_backends import full_text_for

ERASED_NAME = "erased member"
ERASED_PREFIX = "erased-"

M = tables.members.c
P = tables.mentor_profiles.c
R = tables.intro_requests.c
W = tables.warm_intros.c
F = tables.follow_ups.c
B = tables.blocks.c
A = tables.audit_log.c
OB = tables.reminder_outbox.c

_REQUEST_TEXT_FIELDS = ("topic", "why_you", "availability", "learned", "decline_reason")
_REQUEST_TEXTS = dict.fromkeys(_REQUEST_TEXT_FIELDS, "")


def _ids(session: Session, column: ColumnElement[int], *where: ColumnElement[bool]) -> list[int]:
    return list(session.scalars(select(column).where(*where)))


def erase_member(session: Session, community_id: int, member_id: int, now: datetime) -> None:
    """Blank the member's row and remove or anonymise everything that names them."""
    session.flush()
    cid, mid = community_id, member_id
    profiles = _ids(session, P.id, P.community_id == cid, P.member_id == mid)
    requests = _ids(
        session, R.id, R.community_id == cid, or_(R.seeker_id == mid, R.mentor_id == mid)
    )
    intros = _ids(
        session,
        W.id,
        W.community_id == cid,
        or_(W.connector_id == mid, W.seeker_id == mid, W.mentor_id == mid),
    )
    followups = _ids(
        session,
        F.id,
        F.community_id == cid,
        or_(F.seeker_id == mid, F.request_id.in_(requests)),
    )

    session.execute(
        update(Member)
        .where(M.community_id == cid, M.id == mid)
        .values(
            display_name=ERASED_NAME,
            handle=f"{ERASED_PREFIX}{mid}",
            platform_user_id=f"{ERASED_PREFIX}{mid}",
            timezone="UTC",
            is_admin=False,
            dm_channel_id=None,
            erased_at=now,
        )
    )
    session.execute(delete(MentorProfile).where(P.community_id == cid, P.member_id == mid))
    if profiles:
        full_text_for(session).purge_deleted(session)
    for column in (R.seeker_id, R.mentor_id):
        session.execute(
            update(IntroRequest)
            .where(R.community_id == cid, column == mid)
            .values({column.key: None, **_REQUEST_TEXTS})
        )
    for column in (W.connector_id, W.seeker_id, W.mentor_id):
        session.execute(
            update(WarmIntro)
            .where(W.community_id == cid, column == mid)
            .values({column.key: None, "note": ""})
        )
    _anonymise_followups(session, cid, mid, followups)
    session.execute(delete(Block).where(B.community_id == cid, B.member_id == mid))
    session.execute(
        update(Block)
        .where(B.community_id == cid, B.blocked_by_id == mid)
        .values(blocked_by_id=None)
    )
    _anonymise_audit(session, cid, mid, profiles, requests, intros, followups)
    _clear_reminders(session, cid, mid, requests)


def _anonymise_followups(
    session: Session, cid: int, mid: int, followups: Collection[int]
) -> None:
    if followups:
        session.execute(
            update(FollowUp).where(F.community_id == cid, F.id.in_(followups)).values(text="")
        )
    session.execute(
        update(FollowUp)
        .where(F.community_id == cid, F.seeker_id == mid)
        .values(seeker_id=None)
    )


def _anonymise_audit(
    session: Session,
    cid: int,
    mid: int,
    profiles: Collection[int],
    requests: Collection[int],
    intros: Collection[int],
    followups: Collection[int],
) -> None:
    about = [(A.entity == "member") & (A.entity_id == mid)]
    for entity, ids in (
        ("mentor_profile", profiles),
        ("intro_request", requests),
        ("warm_intro", intros),
        ("follow_up", followups),
    ):
        if ids:
            about.append((A.entity == entity) & A.entity_id.in_(ids))
    session.execute(
        update(AuditEntry).where(A.community_id == cid, or_(*about)).values(detail="")
    )
    session.execute(
        update(AuditEntry).where(A.community_id == cid, A.actor_id == mid).values(actor_id=None)
    )


def _clear_reminders(session: Session, cid: int, mid: int, requests: Collection[int]) -> None:
    """Reminders to them go; reminders about their requests keep no payload."""
    outbox = tables.reminder_outbox
    session.execute(delete(outbox).where(OB.community_id == cid, OB.recipient_id == mid))
    if requests:
        session.execute(
            update(outbox)
            .where(OB.community_id == cid, OB.request_id.in_(requests))
            .values(payload="{}", last_error="")
        )
