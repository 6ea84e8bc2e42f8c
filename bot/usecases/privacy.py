"""A member's own data: see all of it (`/intro my-data`), erase it (`/intro forget-me`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from bot.clock import as_utc
from bot.context import Actor
from bot.domain import ACTIVE_STATUSES, IntroRequest, Member, RequestStatus
from bot.messages import Attachment, Message, Outcome
from bot.ports import UnitOfWork
from bot.texts import FORGET_ME_CONFIRM
from bot.usecases.common import (
    alternative_cards,
    audit,
    find_alternatives,
    format_labels,
    recipient,
)

MY_DATA_FILENAME = "introbot-my-data.json"
ITEMS_SHOWN = 20
SNIPPET = 120


# ---------------------------------------------------------------- my data


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        aware = as_utc(value)
        assert aware is not None
        return aware.isoformat()
    return str(value)


def _snippet(text: str, limit: int = SNIPPET) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _day(value: datetime | None) -> str:
    aware = as_utc(value)
    return f"{aware:%d %b %Y}" if aware is not None else "—"


def _name(people: dict[int, Member], member_id: int | None, fallback: str) -> str:
    if member_id is None or member_id not in people:
        return fallback
    member = people[member_id]
    return fallback if member.erased_at is not None else member.display_name


def _section(title: str, lines: Sequence[str], empty: str) -> str:
    if not lines:
        return f"*{title}*\n{empty}"
    shown = list(lines[:ITEMS_SHOWN])
    if len(lines) > ITEMS_SHOWN:
        shown.append(f"… and {len(lines) - ITEMS_SHOWN} more (all of them are in the file)")
    return f"*{title}*\n" + "\n".join(f"• {line}" for line in shown)


def _request_data(request: IntroRequest, people: dict[int, Member]) -> dict[str, Any]:
    data = asdict(request)
    data["seeker_name"] = _name(people, request.seeker_id, "")
    data["mentor_name"] = _name(people, request.mentor_id, "")
    return data


def my_data(uow: UnitOfWork, actor: Actor, now: datetime) -> Outcome:
    """Everything stored about the actor: readable sections plus the full JSON file."""
    cid, mid = actor.community_id, actor.member_id
    member = actor.member
    profile = uow.mentors.by_member(cid, mid)
    sent = uow.requests.for_seeker(cid, mid)
    received = uow.requests.for_mentor(cid, mid)
    intros = uow.warm_intros.involving(cid, mid)
    blocks = uow.blocks.involving(cid, mid)
    entries = uow.audit.for_actor(cid, mid)
    followups = uow.followups.for_seeker(cid, mid)
    reminders = uow.outbox.for_recipient(cid, mid)
    ids = {i for r in [*sent, *received] for i in (r.seeker_id, r.mentor_id) if i is not None}
    ids |= {i for w in intros for i in (w.connector_id, w.seeker_id, w.mentor_id)
            if i is not None}
    ids.discard(mid)
    people = uow.members.many(cid, sorted(ids))

    document: dict[str, Any] = {
        "exported_at": now,
        "community": {"name": actor.community.name, "platform": actor.community.platform},
        "member": asdict(member),
        "mentor_profile": asdict(profile) if profile is not None else None,
        "requests_sent": [_request_data(r, people) for r in sent],
        "requests_received": [_request_data(r, people) for r in received],
        "warm_intros": [
            {
                **asdict(w),
                "connector_name": _name(people, w.connector_id, "") if w.connector_id != mid
                else member.display_name,
                "seeker_name": _name(people, w.seeker_id, "") if w.seeker_id != mid
                else member.display_name,
                "mentor_name": _name(people, w.mentor_id, "") if w.mentor_id != mid
                else member.display_name,
            }
            for w in intros
        ],
        "follow_ups": [asdict(f) for f in followups],
        "reminders": [asdict(r) for r in reminders],
        "blocks": [asdict(b) for b in blocks],
        "audit": [asdict(e) for e in entries],
    }
    content = json.dumps(document, default=_json_default, ensure_ascii=False, indent=2)

    about = [
        f"Name: {member.display_name}",
        f"Handle: @{member.handle}",
        f"Platform id: {member.platform_user_id} ({actor.community.platform})",
        f"Timezone: {member.timezone}",
        f"First seen: {_day(member.created_at)}",
    ]
    if member.is_admin:
        about.append("Program admin: yes")
    if profile is not None:
        state = "active" if profile.active else "not active"
        mentor_lines = [f"Status: {state}, {'available' if profile.available else 'unavailable'}"]
        for label, value in (
            ("Headline", profile.headline), ("Industries", profile.industries),
            ("Knows about", profile.expertise), ("Company", profile.company),
            ("Role", profile.role), ("Cohort", profile.cohort),
            ("Meets by", format_labels(profile.format_list())),
            ("Bio", _snippet(profile.bio)),
        ):
            if value:
                mentor_lines.append(f"{label}: {value}")
        mentor_lines.append(f"Intros per month: {profile.capacity}")
    else:
        mentor_lines = []
    sent_lines = [
        f"#{r.id} to {_name(people, r.mentor_id, 'a former member')} — {r.status}, "
        f"{_day(r.created_at)}: “{_snippet(r.topic)}”"
        for r in sent
    ]
    received_lines = [
        f"#{r.id} from {_name(people, r.seeker_id, 'a former member')} — {r.status}, "
        f"{_day(r.created_at)}: “{_snippet(r.topic)}”"
        for r in received
    ]
    intro_lines = []
    for w in intros:
        if w.connector_id == mid:
            role = (f"you introduced {_name(people, w.seeker_id, 'a former member')} to "
                    f"{_name(people, w.mentor_id, 'a former member')}")
        elif w.mentor_id == mid:
            role = (f"{_name(people, w.connector_id, 'a former member')} introduced "
                    f"{_name(people, w.seeker_id, 'a former member')} to you")
        else:
            role = (f"{_name(people, w.connector_id, 'a former member')} introduced you to "
                    f"{_name(people, w.mentor_id, 'a former member')}")
        note = f": “{_snippet(w.note)}”" if w.note else ""
        intro_lines.append(f"{_day(w.created_at)}, {role} — {w.status}{note}")
    followup_lines = [
        f"#{f.request_id}: “{_snippet(f.text)}” — {f.status}"
        + (f", due {_day(f.due_at)}" if f.due_at and f.status == "open" else "")
        for f in followups
    ]
    reminder_lines = [f"{r.kind}, due {_day(r.due_at)}" for r in reminders]
    block_lines = [
        (f"Your access has been paused by the admins since {_day(b.created_at)}"
         if b.member_id == mid else f"You blocked member #{b.member_id} on {_day(b.created_at)}")
        for b in blocks
    ]
    audit_lines = [
        f"{_day(e.at)} {e.action}" + (f" {e.entity} #{e.entity_id}" if e.entity_id else "")
        for e in sorted(entries, key=lambda e: as_utc(e.at) or now, reverse=True)
    ]
    text = "\n\n".join(
        [
            "Here is everything this community's Introbot stores about you. The attached "
            "file has all of it in full; /intro forget-me erases it.",
            _section("About you", about, "—"),
            _section("Mentor profile", mentor_lines, "You have no mentor profile."),
            _section(f"Requests you sent ({len(sent)})", sent_lines, "None."),
            _section(f"Requests you received ({len(received)})", received_lines, "None."),
            _section(f"Warm intros ({len(intros)})", intro_lines, "None."),
            _section(f"Follow-ups ({len(followups)})", followup_lines, "None."),
            _section(f"Reminders for you ({len(reminders)})", reminder_lines, "None."),
            _section("Blocks", block_lines, "None."),
            _section(f"Things you did, newest first ({len(entries)})", audit_lines, "None."),
        ]
    )
    return Outcome(
        reply=Message(
            title="Your data",
            text=text,
            attachments=(
                Attachment(
                    filename=MY_DATA_FILENAME,
                    content=content.encode("utf-8"),
                    mime_type="application/json",
                    title="Everything stored about you",
                ),
            ),
        )
    )


# ---------------------------------------------------------------- forget me


def _cancel_for_forgotten(
    uow: UnitOfWork, actor: Actor, request: IntroRequest, now: datetime, outcome: Outcome
) -> None:
    """Cancel one open request of the leaving member and tell the other person, without
    the leaver's texts. A seeker whose mentor leaves gets other matches."""
    cid, mid = actor.community_id, actor.member_id
    was_mentor = request.mentor_id == mid
    was = RequestStatus(request.status)
    request.status = RequestStatus.CANCELLED.value
    request.updated_at = now
    if request.id is not None:
        uow.outbox.cancel(cid, request.id)
    audit(uow, None, cid, "request.cancelled", now, "intro_request", request.id,
          "a participant erased their data")
    other_id = request.seeker_id if was_mentor else request.mentor_id
    if other_id is None:
        return
    other = uow.members.get(cid, other_id)
    if other is None or other.erased_at is not None:
        return
    name = actor.member.display_name
    meeting = " The planned meeting is off." if was is RequestStatus.SCHEDULED else ""
    if was_mentor:
        hits = find_alternatives(uow, cid, request, now)
        text = (f"Request #{request.id} to {name} is cancelled: they have left the program."
                f"{meeting} It's not a dead end — ")
        text += ("here are other mentors who could help:" if hits
                 else "try /intro find for other mentors.")
        message = Message(text=text, cards=alternative_cards(hits))
    else:
        message = Message(
            text=(f"Request #{request.id} from {name} is cancelled: they have left the "
                  f"program.{meeting} Nothing for you to do.")
        )
    outcome.add_dm((recipient(other),), message, kind="request.cancelled")


def forget_me(uow: UnitOfWork, actor: Actor, confirmed: bool, now: datetime) -> Outcome:
    """Unconfirmed: explain and change nothing. Confirmed: cancel the member's open requests
    (telling the other people), erase every personal datum, keep anonymous counts."""
    if not confirmed:
        return Outcome(reply=Message(title="Erase my data", text=FORGET_ME_CONFIRM))
    cid, mid = actor.community_id, actor.member_id
    outcome = Outcome()
    open_requests = [
        r for r in uow.requests.involving(cid, mid)
        if r.status in {s.value for s in ACTIVE_STATUSES}
    ]
    for request in open_requests:
        _cancel_for_forgotten(uow, actor, request, now, outcome)
    uow.flush()
    uow.erase_member(cid, mid, now)
    audit(uow, None, cid, "member.forgotten", now, "member",
          detail=f"{len(open_requests)} open request(s) cancelled")
    text = "Done: your personal data is erased from this community's records."
    if open_requests:
        text += (f" {len(open_requests)} open request(s) were cancelled and the other people "
                 "told, without your messages.")
    text += (" Anonymous counts stay for the program's statistics. If you use Introbot again, "
             "you start afresh.")
    return Outcome(reply=Message(text=text), dms=outcome.dms)
