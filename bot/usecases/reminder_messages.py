"""Turning an outbox row into the DM to send now.

A reminder is rendered at send time from the current state, so its text is current and a
reminder that has lost its point is recognised: the request was cancelled or answered, the
thank-you marked, the meeting moved, the recipient erased, or the reminder is simply too late
(`bot.reminders.stale_reason`). Those come back as `(None, reason)` for the dispatcher to
record as dropped. One that is useful but falls in the recipient's quiet hours comes back as
`(None, reminders.held_reason(until))`: the dispatcher hands it back until then.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from bot import reminders
from bot.clock import as_utc
from bot.domain import (
    ClaimedReminder,
    FollowUpStatus,
    IntroRequest,
    Member,
    MentorProfile,
    ReminderKind,
    RequestStatus,
)
from bot.messages import Button, ButtonStyle, DirectMessage, Message
from bot.ports import UnitOfWork
from bot.program_settings import ProgramSettings
from bot.usecases.common import (
    alternative_cards,
    find_alternatives,
    recipient,
    remaining_capacity,
    settings_of,
)
from bot.usecases.meetings import current_version, minutes_of, prep_text
from bot.usecases.mentors import request_card
from bot.when import local_time_label

SENT = "ok"
T = TypeVar("T")


class _Lookups:
    """What the reminders of one batch read over and over — recipients, requests, the
    parties' names, mentor profiles, community settings — loaded in a few queries for the
    whole batch instead of several per reminder. Anything not preloaded is read on demand."""

    def __init__(self, uow: UnitOfWork, items: Sequence[ClaimedReminder]) -> None:
        self.uow = uow
        self._members: dict[tuple[int, int], Member | None] = {}
        self._requests: dict[tuple[int, int], IntroRequest | None] = {}
        self._profiles: dict[tuple[int, int], MentorProfile | None] = {}
        self._settings: dict[int, ProgramSettings] = {}
        by_community: dict[int, list[ClaimedReminder]] = {}
        for item in items:
            by_community.setdefault(item.community_id, []).append(item)
        for cid, group in by_community.items():
            request_ids = sorted({i.request_id for i in group if i.request_id is not None})
            requests = uow.requests.many(cid, request_ids)
            for request_id in request_ids:
                self._requests[cid, request_id] = requests.get(request_id)
            people = {i.recipient_id for i in group}
            for request in requests.values():
                people.update(p for p in (request.seeker_id, request.mentor_id) if p is not None)
            members = uow.members.many(cid, sorted(people))
            for member_id in people:
                self._members[cid, member_id] = members.get(member_id)
            recipients = sorted({i.recipient_id for i in group})
            profiles = uow.mentors.many_by_member(cid, recipients)
            for member_id in recipients:
                self._profiles[cid, member_id] = profiles.get(member_id)

    def member(self, cid: int, member_id: int) -> Member | None:
        return _memo(self._members, (cid, member_id), self.uow.members.get)

    def request(self, cid: int, request_id: int) -> IntroRequest | None:
        return _memo(self._requests, (cid, request_id), self.uow.requests.get)

    def profile(self, cid: int, member_id: int) -> MentorProfile | None:
        return _memo(self._profiles, (cid, member_id), self.uow.mentors.by_member)

    def settings(self, cid: int) -> ProgramSettings:
        if cid not in self._settings:
            self._settings[cid] = settings_of(self.uow, cid)
        return self._settings[cid]


def _memo(found: dict[tuple[int, int], T], key: tuple[int, int],
          load: Callable[[int, int], T]) -> T:
    """`found[key]`, read with `load(*key)` the first time."""
    if key not in found:
        found[key] = load(*key)
    return found[key]


@dataclass
class _Ctx:
    lookups: _Lookups
    item: ClaimedReminder
    member: Member
    settings: ProgramSettings
    payload: dict[str, object]
    request: IntroRequest | None
    now: datetime

    @property
    def uow(self) -> UnitOfWork:
        return self.lookups.uow

    @property
    def cid(self) -> int:
        return self.item.community_id

    @property
    def tz(self) -> str:
        return self.member.timezone

    def person(self, member_id: int | None) -> Member | None:
        if member_id is None:
            return None
        found = self.lookups.member(self.cid, member_id)
        return found if found is not None and found.erased_at is None else None

    def name(self, member_id: int | None, fallback: str) -> str:
        found = self.person(member_id)
        return found.display_name if found is not None else fallback

    def profile(self) -> MentorProfile | None:
        """The recipient's mentor profile, if any."""
        assert self.member.id is not None
        return self.lookups.profile(self.cid, self.member.id)


# A renderer returns the message, or a string: why the reminder is moot.
_Renderer = Callable[[_Ctx], Message | str]


def render_reminder(
    uow: UnitOfWork, item: ClaimedReminder, now: datetime
) -> tuple[DirectMessage | None, str]:
    """The DM for `item` as things stand at `now`, or (None, why it is dropped)."""
    return render_reminders(uow, [item], now)[0]


def render_reminders(
    uow: UnitOfWork, items: Sequence[ClaimedReminder], now: datetime
) -> list[tuple[DirectMessage | None, str]]:
    """`render_reminder` for each of `items`, reading what they share once."""
    lookups = _Lookups(uow, items)
    return [_render(lookups, item, now) for item in items]


def _render(
    lookups: _Lookups, item: ClaimedReminder, now: datetime
) -> tuple[DirectMessage | None, str]:
    cid = item.community_id
    member = lookups.member(cid, item.recipient_id)
    if member is None or member.erased_at is not None:
        return None, "moot: the recipient is no longer a member"
    renderer = _RENDERERS.get(item.kind)
    if renderer is None:
        return None, f"moot: unknown reminder kind {item.kind!r}"
    request = lookups.request(cid, item.request_id) if item.request_id is not None else None
    if item.request_id is not None and request is None:
        return None, "moot: the request is gone"
    ctx = _Ctx(lookups=lookups, item=item, member=member,
               settings=lookups.settings(cid), payload=reminders.read_payload(item.payload),
               request=request, now=now)
    result = renderer(ctx)
    if isinstance(result, str):
        return None, f"moot: {result}"
    start = as_utc(request.scheduled_at) if request is not None else None
    stale = reminders.stale_reason(item, now, reminders.SendContext(meeting_start=start))
    if stale is not None:
        return None, stale
    hold = reminders.send_time_hold(item.kind, now, member.timezone,
                                    ctx.settings.quiet_hours, start)
    if hold is not None:
        return None, reminders.held_reason(hold)
    dm = DirectMessage(recipients=(recipient(member),), message=result,
                       kind=f"reminder.{item.kind}")
    return dm, SENT


# ---------------------------------------------------------------- checks


def _seeker_request(ctx: _Ctx, statuses: set[RequestStatus]) -> IntroRequest | str:
    request = ctx.request
    if request is None:
        return "no request"
    if request.seeker_id != ctx.member.id:
        return "the recipient is no longer the seeker"
    if request.status not in {s.value for s in statuses}:
        return f"the request is {request.status}"
    return request


def _same_meeting(ctx: _Ctx, request: IntroRequest) -> str | None:
    """Why the row belongs to an earlier schedule of the meeting, or None if it is current."""
    assert request.id is not None
    version = reminders.payload_int(ctx.payload, "v")
    if version is not None and version != current_version(ctx.uow, ctx.cid, request.id):
        return "the meeting was moved"
    start = reminders.payload_time(ctx.payload, "start")
    if start is not None and start != as_utc(request.scheduled_at):
        return "the meeting was moved"
    return None


def _meeting(ctx: _Ctx) -> IntroRequest | str:
    request = _seeker_request(ctx, {RequestStatus.SCHEDULED})
    if isinstance(request, str):
        return request
    moved = _same_meeting(ctx, request)
    return moved if moved is not None else request


# ---------------------------------------------------------------- renderers


def _mentor_nudge(ctx: _Ctx) -> Message | str:
    request = ctx.request
    if request is None or request.mentor_id != ctx.member.id:
        return "the recipient is no longer the mentor"
    if request.status != RequestStatus.PENDING.value:
        return f"the request is {request.status}"
    expires = as_utc(request.expires_at)
    if expires is not None and expires <= ctx.now:
        return "the request has expired"
    seeker = ctx.name(request.seeker_id, "a member")
    closes = local_time_label(request.expires_at, ctx.tz)
    return Message(
        title="A request is waiting for you",
        text=(f"{seeker} is still hoping to hear from you about request #{request.id}. It "
              f"closes {closes}. A quick answer either way helps them move on — declining "
              "kindly is completely fine."),
        cards=(request_card(request, seeker, buttons=True),),
    )


def _expired(ctx: _Ctx) -> Message | str:
    request = _seeker_request(ctx, {RequestStatus.EXPIRED})
    if isinstance(request, str):
        return request
    mentor = ctx.name(request.mentor_id, "your mentor")
    hits = find_alternatives(ctx.uow, ctx.cid, request, ctx.now)
    text = (f"Request #{request.id} to {mentor} closed without an answer. Busy inboxes happen, "
            "and it says nothing about you. ")
    text += ("Here are other mentors who could help:" if hits
             else "Try /intro find with other words, or ask someone for a warm intro with "
                  "/intro connect.")
    return Message(title="Let's try someone else", text=text, cards=alternative_cards(hits))


def _schedule_nudge(ctx: _Ctx) -> Message | str:
    request = ctx.request
    if request is None:
        return "no request"
    if request.status != RequestStatus.ACCEPTED.value:
        return f"the request is {request.status}"
    if ctx.member.id == request.seeker_id:
        mentor = ctx.name(request.mentor_id, "your mentor")
        text = (f"{mentor} said yes to intro #{request.id}, but no time is set yet. Suggest two "
                f"or three times that suit {mentor}'s schedule, then record the one you agree "
                f"with /intro schedule {request.id} WHEN.")
    elif ctx.member.id == request.mentor_id:
        seeker = ctx.name(request.seeker_id, "the seeker")
        text = (f"You and {seeker} haven't set a time for intro #{request.id} yet. If it "
                f"slipped, a short note with a couple of times that suit you works; either of "
                f"you can record it with /intro schedule {request.id} WHEN.")
    else:
        return "the recipient is no longer part of the intro"
    return Message(title="Time to pick a time", text=text)


def _prep(ctx: _Ctx) -> Message | str:
    request = _meeting(ctx)
    if isinstance(request, str):
        return request
    assert request.scheduled_at is not None
    when = local_time_label(request.scheduled_at, ctx.tz)
    return Message(title=f"Get ready: you meet {ctx.name(request.mentor_id, 'your mentor')} "
                         f"{when}",
                   text=prep_text(ctx.uow, request, ctx.settings))


def _timebox(ctx: _Ctx) -> Message | str:
    request = _meeting(ctx)
    if isinstance(request, str):
        return request
    start = as_utc(request.scheduled_at)
    assert start is not None
    end = start + timedelta(minutes=minutes_of(request, ctx.settings))
    left = max(int((end - ctx.now).total_seconds() // 60), 0)
    mentor = ctx.name(request.mentor_id, "your mentor")
    lead = f"About {left} minute{'s' if left != 1 else ''} left" if left else "Time's up"
    return Message(text=(f"{lead} with {mentor}. Start wrapping up: ask who else you should "
                         "talk to, thank them, and end on time — unless they offer more."))


def _checkin(ctx: _Ctx) -> Message | str:
    request = _meeting(ctx)
    if isinstance(request, str):
        return request
    mentor = ctx.name(request.mentor_id, "your mentor")
    return Message(
        title="How did it go?",
        text=(f"How did it go with {mentor}? Log the meeting and what you learned, then note "
              "any doors they opened."),
        buttons=(
            Button("Log meeting", f"meeting:done:{request.id}", ButtonStyle.PRIMARY),
            Button("Snooze 1 day", f"meeting:snooze:{request.id}"),
            Button("We didn't meet", f"meeting:noshow:{request.id}"),
        ),
    )


def _thanks(ctx: _Ctx) -> Message | str:
    request = _seeker_request(ctx, {RequestStatus.SCHEDULED, RequestStatus.COMPLETED})
    if isinstance(request, str):
        return request
    if request.thanked_at is not None:
        return "the thank-you is marked sent"
    moved = _same_meeting(ctx, request)
    if moved is not None:
        return moved
    mentor = ctx.name(request.mentor_id, "your mentor")
    return Message(
        title="A thank-you goes a long way",
        text=(f"Have you thanked {mentor} for intro #{request.id}? A short note the same day "
              "means a lot. I can draft one for you to edit."),
        buttons=(
            Button("Draft a note", f"thanks:draft:{request.id}", ButtonStyle.PRIMARY),
            Button("Mark thanked", f"thanks:mark:{request.id}"),
        ),
    )


def _followup(ctx: _Ctx) -> Message | str:
    followup_id = reminders.payload_int(ctx.payload, "followup_id")
    if followup_id is None:
        return "no follow-up named"
    item = ctx.uow.followups.get(ctx.cid, followup_id)
    if item is None or item.seeker_id != ctx.member.id:
        return "the follow-up is gone"
    if item.status != FollowUpStatus.OPEN.value:
        return f"the follow-up is {item.status}"
    mentor = ctx.name(ctx.request.mentor_id if ctx.request else None, "your mentor")
    return Message(
        title="A follow-up is due",
        text=f"From your intro #{item.request_id} with {mentor}: {item.text}",
        buttons=(Button("Mark done", f"followup:done:{item.id}", ButtonStyle.PRIMARY),),
    )


def _away_ended(ctx: _Ctx) -> Message | str:
    assert ctx.member.id is not None
    profile = ctx.profile()
    if profile is None or not profile.active:
        return "no longer a mentor"
    if not profile.available:
        return "the mentor is unavailable"
    away = as_utc(profile.away_until)
    if away is not None and away > ctx.now:
        return "the mentor is away again"
    left = remaining_capacity(profile, ctx.now)
    return Message(
        title="Welcome back",
        text=(f"Your time away is over, so seekers can find you again — room for {left} more "
              f"intro{'s' if left != 1 else ''} this month. Need longer? /mentor away UNTIL "
              "or /mentor off."),
    )


def _digest(ctx: _Ctx) -> Message | str:
    role = ctx.payload.get("role")
    assert ctx.member.id is not None
    if role == "mentor":
        pending = ctx.uow.requests.for_mentor(ctx.cid, ctx.member.id,
                                              [RequestStatus.PENDING.value])
        if not pending:
            return "no requests are waiting"
        people = ctx.uow.members.many(ctx.cid, [r.seeker_id for r in pending
                                                if r.seeker_id is not None])
        cards = tuple(
            request_card(r, people[r.seeker_id].display_name
                         if r.seeker_id in people and people[r.seeker_id].erased_at is None
                         else "a member", buttons=True)
            for r in pending[:10]
        )
        count = len(pending)
        return Message(
            title="Your week in the intro program",
            text=(f"{count} request{'s are' if count != 1 else ' is'} waiting for your answer. "
                  "Yes, no or not now — each takes one click."),
            cards=cards,
        )
    if role == "admin":
        if not ctx.member.is_admin:
            return "no longer an admin"
        return Message(title="This week in the intro program", text=_admin_summary(ctx))
    return "unknown digest"


def _admin_summary(ctx: _Ctx) -> str:
    week = ctx.uow.requests.all(ctx.cid, since=ctx.now - timedelta(days=7))
    def count(*statuses: RequestStatus) -> int:
        values = {s.value for s in statuses}
        return sum(1 for r in week if r.status in values)
    yes = count(RequestStatus.ACCEPTED, RequestStatus.SCHEDULED, RequestStatus.COMPLETED,
                RequestStatus.NO_SHOW)
    return (f"In the last 7 days: {len(week)} new request{'s' if len(week) != 1 else ''}, "
            f"{yes} accepted, {count(RequestStatus.DECLINED)} declined, "
            f"{count(RequestStatus.EXPIRED)} expired, {count(RequestStatus.PENDING)} still "
            f"waiting, {count(RequestStatus.COMPLETED)} meetings held so far. "
            "/intro admin stats has the full picture.")


def _notice(ctx: _Ctx) -> Message | str:
    topic = ctx.payload.get("topic")
    assert ctx.member.id is not None
    if topic == "frozen":
        profile = ctx.profile()
        if profile is None or not profile.active:
            return "no longer a mentor"
        if profile.available:
            return "the mentor is available again"
        expiries = reminders.payload_int(ctx.payload, "expiries") or 2
        return Message(
            title="I've paused new requests to you",
            text=(f"{expiries} requests in a row closed without an answer, so I've paused new "
                  "ones — no harm done, the seekers got other suggestions. When you have time "
                  "again, type /mentor on. /mentor capacity N lets you take fewer, and "
                  "/mentor away UNTIL pauses you until a date."),
        )
    return "unknown notice"


_RENDERERS: dict[str, _Renderer] = {
    ReminderKind.MENTOR_NUDGE: _mentor_nudge,
    ReminderKind.EXPIRED: _expired,
    ReminderKind.SCHEDULE_NUDGE: _schedule_nudge,
    ReminderKind.PREP: _prep,
    ReminderKind.TIMEBOX: _timebox,
    ReminderKind.CHECKIN: _checkin,
    ReminderKind.THANKS: _thanks,
    ReminderKind.FOLLOWUP: _followup,
    ReminderKind.AWAY_ENDED: _away_ended,
    ReminderKind.DIGEST: _digest,
    ReminderKind.NOTICE: _notice,
}
