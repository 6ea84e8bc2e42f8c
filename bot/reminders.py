"""Reminder policy: when each reminder of DESIGN.md §2 falls due, its dedupe key, and when a
late one has lost its point.

Pure functions over entities and program settings; they return `ReminderSpec`s that a use case
puts in the outbox (`uow.outbox.schedule`). Nothing here touches storage or a clock.

Timing (all settings per community, all in the recipient's timezone):

* mentor nudge: half-way between the request's creation and its expiry;
* expired: at the expiry;
* schedule nudge (to both people): `schedule_nudge_days` after acceptance;
* prep: `prep_hours_before` the start, or at scheduling when that is already past;
* time-box: `timebox_minutes_before_end` before the end (never before the start);
* check-in: `checkin_minutes_after_end` after the end (a snooze adds a day);
* thank-you: `thanks_hours_after_end` after the end, then once a day, at most
  `thanks_max_reminders` in all, until marked sent;
* follow-up: the local morning (09:00) of the day the seeker chose;
* away ended: when `away_until` passes;
* weekly digest: 09:00 local on `digest_weekday`.

Quiet hours (`quiet_hours`, default 21:00-08:00 local, may wrap midnight, or `off`) hold every
reminder to the end of the quiet window, except the time-box and the check-in, which only make
sense at their moment. A prep kit that quiet hours would hold until after the meeting has begun
is sent at its own time instead.

Dedupe keys. A key names one reminder for one recipient; scheduling it again (a retried
transaction, a second sweep) keeps the one row. Meeting reminders (prep, time-box, check-in,
thank-you) carry the meeting's *schedule version* (0 for the first time set, +1 for every
re-schedule). Re-scheduling cancels the pending meeting reminders of the request and arms
fresh ones under the new version, so a moved meeting never collides with the rows it
replaces; the payload records the version and the start, and a row whose version is no longer
the request's is moot when it comes up for sending.

Formats:

=================  =====================================================
mentor nudge       ``mentor_nudge:{request}:{recipient}``
expired            ``expired:{request}:{recipient}``
schedule nudge     ``schedule_nudge:{request}:{recipient}``
prep               ``prep:{request}:{recipient}:v{version}``
time-box           ``timebox:{request}:{recipient}:v{version}``
check-in           ``checkin:{request}:{recipient}:v{version}`` (snoozed: ``…:s{YYYYMMDD}``)
thank-you          ``thanks:{request}:{recipient}:v{version}:{n}`` (n from 1)
follow-up          ``followup:{followup}:{recipient}``
away ended         ``away_ended:{recipient}:{away_until as YYYYMMDDTHHMMZ}``
digest             ``digest:{role}:{recipient}:{ISO year}-W{ISO week}``
notice             ``notice:{topic}:{entity}:{recipient}``
=================  =====================================================

Payloads carry ids, times and versions only, never names or texts: the renderer reads the
current state when the reminder is sent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain import (
    ClaimedReminder,
    FollowUp,
    IntroRequest,
    Member,
    MentorProfile,
    ReminderKind,
    ReminderSpec,
)
from bot.program_settings import ProgramSettings

QuietHours = tuple[time, time] | None

QUIET_EXEMPT: frozenset[str] = frozenset({ReminderKind.TIMEBOX, ReminderKind.CHECKIN})
MEETING_KINDS: tuple[str, ...] = (
    ReminderKind.PREP,
    ReminderKind.TIMEBOX,
    ReminderKind.CHECKIN,
    ReminderKind.THANKS,
)
MORNING = time(9, 0)  # follow-ups and digests arrive at this local time
THANKS_INTERVAL = timedelta(days=1)
SNOOZE = timedelta(days=1)
DEFAULT_FOLLOWUP_DAYS = 7
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# How late a reminder may still be sent, measured from when it was first due.
MAX_LATENESS: dict[str, timedelta] = {
    ReminderKind.MENTOR_NUDGE: timedelta(days=2),
    ReminderKind.EXPIRED: timedelta(days=7),
    ReminderKind.SCHEDULE_NUDGE: timedelta(days=2),
    ReminderKind.PREP: timedelta(days=7),  # and never once the meeting has begun
    ReminderKind.TIMEBOX: timedelta(minutes=10),
    ReminderKind.CHECKIN: timedelta(hours=6),
    ReminderKind.THANKS: timedelta(days=2),
    ReminderKind.FOLLOWUP: timedelta(days=30),
    ReminderKind.AWAY_ENDED: timedelta(days=2),
    ReminderKind.DIGEST: timedelta(days=1),
    ReminderKind.NOTICE: timedelta(days=7),
}
DEFAULT_MAX_LATENESS = timedelta(days=1)


# --------------------------------------------------------------------------- time zones


def _zone(tz: str) -> ZoneInfo:
    """The member's zone; an unknown name falls back to UTC rather than losing a reminder."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("reminder times must be timezone-aware")
    return value.astimezone(UTC)


def local_at(day: date, at: time, tz: str) -> datetime:
    """The instant (aware UTC) of wall-clock `at` on `day` in `tz`.

    A repeated hour means its first occurrence; a wall time the clocks skip lands just as far
    after the jump (02:30 on a spring-forward night is 03:30).
    """
    return datetime.combine(day, at).replace(tzinfo=_zone(tz), fold=0).astimezone(UTC)


# --------------------------------------------------------------------------- quiet hours


def in_quiet_hours(instant: datetime, tz: str, quiet: QuietHours) -> bool:
    """True when `instant` falls inside the quiet window in the recipient's local time."""
    return quiet_until(instant, tz, quiet) != _utc(instant)


def quiet_until(instant: datetime, tz: str, quiet: QuietHours) -> datetime:
    """`instant` itself outside quiet hours; inside, the end of that quiet window (aware UTC).

    The window [start, end) is in local wall-clock time; start > end wraps midnight
    (21:00-08:00); start == end means no quiet hours.
    """
    instant = _utc(instant)
    if quiet is None:
        return instant
    start, end = quiet
    if start == end:
        return instant
    local = instant.astimezone(_zone(tz))
    clock = local.time().replace(tzinfo=None)
    day = local.date()
    if start < end:  # e.g. 01:00-06:00, within one day
        inside = start <= clock < end
        end_day = day
    elif clock >= start:  # evening part of a window that wraps midnight
        inside, end_day = True, day + timedelta(days=1)
    else:  # morning part
        inside, end_day = clock < end, day
    if not inside:
        return instant
    released = local_at(end_day, end, tz)
    return max(released, instant)


def hold_for_quiet_hours(kind: str, due: datetime, tz: str, quiet: QuietHours) -> datetime:
    """The due time after quiet hours: held to the window's end, except time-box and check-in."""
    if kind in QUIET_EXEMPT:
        return _utc(due)
    return quiet_until(due, tz, quiet)


HELD = "held until "  # how a reason says "not now: at this time" (see `held_until`)


def send_time_hold(
    kind: str, now: datetime, tz: str, quiet: QuietHours,
    meeting_start: datetime | None = None,
) -> datetime | None:
    """When a reminder that is due and still useful may go, if not now: the end of the
    recipient's quiet hours when `now` falls inside them. Reminders are held there when
    they are queued; this catches the ones that fall due inside quiet hours all the same
    (sent late after downtime, or the member moved to another timezone). Time-box and
    check-in are never held, and neither is a prep kit that would then arrive after the
    meeting has begun."""
    if kind in QUIET_EXEMPT:
        return None
    until = quiet_until(now, tz, quiet)
    if until == _utc(now):
        return None
    if kind == ReminderKind.PREP and meeting_start is not None and until >= _utc(meeting_start):
        return None
    return until


def held_reason(until: datetime, why: str = "quiet hours") -> str:
    return f"{HELD}{_utc(until).isoformat()} ({why})"


def held_until(reason: str) -> datetime | None:
    """The time in a reason made by `held_reason`; None for any other reason."""
    if not reason.startswith(HELD):
        return None
    stamp = reason[len(HELD):].split(" ", 1)[0]
    try:
        found = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return found if found.tzinfo is not None else None


# --------------------------------------------------------------------------- keys and payloads


def request_key(kind: str, request_id: int, recipient_id: int) -> str:
    return f"{kind}:{request_id}:{recipient_id}"


def meeting_key(
    kind: str, request_id: int, recipient_id: int, version: int, n: int | None = None
) -> str:
    key = f"{kind}:{request_id}:{recipient_id}:v{version}"
    return key if n is None else f"{key}:{n}"


def followup_key(followup_id: int, recipient_id: int) -> str:
    return f"{ReminderKind.FOLLOWUP}:{followup_id}:{recipient_id}"


def away_key(recipient_id: int, away_until: datetime) -> str:
    return f"{ReminderKind.AWAY_ENDED}:{recipient_id}:{_utc(away_until):%Y%m%dT%H%MZ}"


def digest_key(role: str, recipient_id: int, week: tuple[int, int]) -> str:
    year, number = week
    return f"{ReminderKind.DIGEST}:{role}:{recipient_id}:{year}-W{number:02d}"


def notice_key(topic: str, entity_id: int, recipient_id: int) -> str:
    return f"{ReminderKind.NOTICE}:{topic}:{entity_id}:{recipient_id}"


def make_payload(**values: object) -> str:
    return json.dumps(values, sort_keys=True, separators=(",", ":"), default=str)


def read_payload(raw: str) -> dict[str, object]:
    """A row's payload as a dict; anything unreadable reads as empty."""
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def payload_int(payload: Mapping[str, object], key: str) -> int | None:
    value = payload.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def payload_time(payload: Mapping[str, object], key: str) -> datetime | None:
    value = payload.get(key)
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _iso(value: datetime) -> str:
    return _utc(value).isoformat()


def _spec(
    kind: str,
    request_id: int | None,
    recipient: Member,
    due: datetime,
    key: str,
    settings: ProgramSettings,
    payload: Mapping[str, object] | None = None,
    *,
    hold: bool = True,
) -> ReminderSpec:
    assert recipient.id is not None
    if hold:
        due = hold_for_quiet_hours(kind, due, recipient.timezone, settings.quiet_hours)
    return ReminderSpec(
        community_id=recipient.community_id,
        recipient_id=recipient.id,
        kind=str(kind),
        due_at=_utc(due),
        dedupe_key=key,
        request_id=request_id,
        payload=make_payload(**{**(payload or {}), "due": _iso(due)}),
    )


# --------------------------------------------------------------------------- request reminders


def mentor_nudge(request: IntroRequest, mentor: Member, settings: ProgramSettings) -> ReminderSpec:
    """The nudge to the mentor when a pending request is half-way to its expiry."""
    assert request.id is not None and mentor.id is not None
    created, expires = _utc(request.created_at), _utc(request.expires_at)
    due = created + (expires - created) / 2
    key = request_key(ReminderKind.MENTOR_NUDGE, request.id, mentor.id)
    return _spec(ReminderKind.MENTOR_NUDGE, request.id, mentor, due, key, settings)


def expired_notice(
    request: IntroRequest, seeker: Member, settings: ProgramSettings
) -> ReminderSpec:
    """The seeker's note, with alternatives, when their request expired unanswered."""
    assert request.id is not None and seeker.id is not None
    key = request_key(ReminderKind.EXPIRED, request.id, seeker.id)
    return _spec(ReminderKind.EXPIRED, request.id, seeker, request.expires_at, key, settings)


def schedule_nudges(
    request: IntroRequest,
    people: list[Member],
    accepted_at: datetime,
    settings: ProgramSettings,
) -> list[ReminderSpec]:
    """A nudge to each person if no time is set `schedule_nudge_days` after acceptance."""
    assert request.id is not None
    due = _utc(accepted_at) + timedelta(days=settings.int_setting("schedule_nudge_days"))
    specs = []
    for person in people:
        assert person.id is not None
        key = request_key(ReminderKind.SCHEDULE_NUDGE, request.id, person.id)
        specs.append(_spec(ReminderKind.SCHEDULE_NUDGE, request.id, person, due, key, settings))
    return specs


# --------------------------------------------------------------------------- meeting reminders


def meeting_end(start: datetime, minutes: int) -> datetime:
    return _utc(start) + timedelta(minutes=minutes)


def prep_due(start: datetime, now: datetime, settings: ProgramSettings) -> datetime:
    """`prep_hours_before` the start, or now when that moment has already passed."""
    due = _utc(start) - timedelta(hours=settings.int_setting("prep_hours_before"))
    return max(due, _utc(now))


def timebox_due(start: datetime, minutes: int, settings: ProgramSettings) -> datetime:
    before = timedelta(minutes=settings.int_setting("timebox_minutes_before_end"))
    return max(meeting_end(start, minutes) - before, _utc(start))


def checkin_due(start: datetime, minutes: int, settings: ProgramSettings) -> datetime:
    after = timedelta(minutes=settings.int_setting("checkin_minutes_after_end"))
    return meeting_end(start, minutes) + after


def thanks_dues(end: datetime, settings: ProgramSettings) -> list[datetime]:
    first = _utc(end) + timedelta(hours=settings.int_setting("thanks_hours_after_end"))
    count = settings.int_setting("thanks_max_reminders")
    return [first + THANKS_INTERVAL * n for n in range(count)]


def meeting_reminders(
    request: IntroRequest,
    seeker: Member,
    version: int,
    now: datetime,
    settings: ProgramSettings,
) -> list[ReminderSpec]:
    """Prep, time-box, check-in and thank-you reminders for the request's scheduled meeting."""
    assert request.id is not None and seeker.id is not None
    if request.scheduled_at is None:
        raise ValueError("the request has no meeting time")
    start = _utc(request.scheduled_at)
    minutes = request.duration_minutes or settings.meeting_minutes
    rid, sid = request.id, seeker.id
    meta: dict[str, object] = {"v": version, "start": _iso(start)}

    prep_at = prep_due(start, now, settings)
    prep_key = meeting_key(ReminderKind.PREP, rid, sid, version)
    prep = _spec(ReminderKind.PREP, rid, seeker, prep_at, prep_key, settings, meta)
    if prep.due_at >= start:  # quiet hours would hold it past the start: send it on time
        prep = _spec(ReminderKind.PREP, rid, seeker, prep_at, prep_key, settings, meta,
                     hold=False)
    specs = [
        prep,
        _spec(ReminderKind.TIMEBOX, rid, seeker, timebox_due(start, minutes, settings),
              meeting_key(ReminderKind.TIMEBOX, rid, sid, version), settings, meta),
        _spec(ReminderKind.CHECKIN, rid, seeker, checkin_due(start, minutes, settings),
              meeting_key(ReminderKind.CHECKIN, rid, sid, version), settings, meta),
    ]
    specs.extend(thanks_reminders(request, seeker, meeting_end(start, minutes), version,
                                  settings))
    return specs


def thanks_reminders(
    request: IntroRequest,
    seeker: Member,
    end: datetime,
    version: int,
    settings: ProgramSettings,
) -> list[ReminderSpec]:
    """The thank-you reminders after a meeting that ended at `end`."""
    assert request.id is not None and seeker.id is not None
    return [
        _spec(ReminderKind.THANKS, request.id, seeker, due,
              meeting_key(ReminderKind.THANKS, request.id, seeker.id, version, n), settings,
              {"v": version, "n": n})
        for n, due in enumerate(thanks_dues(end, settings), start=1)
    ]


def checkin_snooze(
    request: IntroRequest, seeker: Member, version: int, now: datetime, settings: ProgramSettings
) -> ReminderSpec:
    """The check-in again a day from `now` (one per day: pressing twice keeps one)."""
    assert request.id is not None and seeker.id is not None
    due = _utc(now) + SNOOZE
    base = meeting_key(ReminderKind.CHECKIN, request.id, seeker.id, version)
    return _spec(ReminderKind.CHECKIN, request.id, seeker, due, f"{base}:s{due:%Y%m%d}",
                 settings, {"v": version, "snoozed": True})


# --------------------------------------------------------------------------- other reminders


def followup_due(now: datetime, days: int, tz: str) -> datetime:
    """09:00 local, `days` local days after today."""
    today = _utc(now).astimezone(_zone(tz)).date()
    return local_at(today + timedelta(days=days), MORNING, tz)


def followup_reminder(
    followup: FollowUp, seeker: Member, settings: ProgramSettings
) -> ReminderSpec:
    assert followup.id is not None and seeker.id is not None
    if followup.due_at is None:
        raise ValueError("the follow-up has no date")
    key = followup_key(followup.id, seeker.id)
    return _spec(ReminderKind.FOLLOWUP, followup.request_id, seeker, followup.due_at, key,
                 settings, {"followup_id": followup.id})


def away_ended(
    profile: MentorProfile, mentor: Member, settings: ProgramSettings
) -> ReminderSpec:
    """"You're back": due when the away period ended; one per away period."""
    assert mentor.id is not None
    if profile.away_until is None:
        raise ValueError("the mentor is not away")
    key = away_key(mentor.id, profile.away_until)
    return _spec(ReminderKind.AWAY_ENDED, None, mentor, profile.away_until, key, settings)


def digest_weekday(settings: ProgramSettings) -> int:
    raw = settings.raw().get("digest_weekday", "mon")
    return WEEKDAYS.index(raw) if raw in WEEKDAYS else 0


def digest(
    role: str, recipient: Member, now: datetime, settings: ProgramSettings
) -> ReminderSpec | None:
    """This week's digest for `recipient` when it is the digest day in their timezone
    (due 09:00 local that day), else None. One per ISO week per role and recipient."""
    assert recipient.id is not None
    local = _utc(now).astimezone(_zone(recipient.timezone))
    if local.weekday() != digest_weekday(settings):
        return None
    iso = local.date().isocalendar()
    key = digest_key(role, recipient.id, (iso.year, iso.week))
    due = local_at(local.date(), MORNING, recipient.timezone)
    return _spec(ReminderKind.DIGEST, None, recipient, due, key, settings, {"role": role})


def notice(
    topic: str,
    entity_id: int,
    recipient: Member,
    now: datetime,
    settings: ProgramSettings,
    request: IntroRequest | None = None,
    **payload: object,
) -> ReminderSpec:
    """An immediate DM queued for reliable delivery (held only by quiet hours)."""
    assert recipient.id is not None
    key = notice_key(topic, entity_id, recipient.id)
    request_id = request.id if request is not None else None
    return _spec(ReminderKind.NOTICE, request_id, recipient, now, key, settings,
                 {**payload, "topic": topic})


# --------------------------------------------------------------------------- staleness


@dataclass(frozen=True)
class SendContext:
    """What the state says at send time, for the checks that need more than the row."""

    meeting_start: datetime | None = None


def max_lateness(kind: str) -> timedelta:
    """How long after it fell due a reminder of `kind` is still worth sending."""
    return MAX_LATENESS.get(kind, DEFAULT_MAX_LATENESS)


def first_due(reminder: ClaimedReminder) -> datetime:
    """When the reminder was first due: the payload's record, or the row's due time when the
    row has none (a dispatcher that backs off may move the row's due time later)."""
    recorded = payload_time(read_payload(reminder.payload), "due")
    due = _utc(reminder.due_at)
    return min(recorded, due) if recorded is not None else due


def stale_reason(
    reminder: ClaimedReminder, now: datetime, context: SendContext | None = None
) -> str | None:
    """Why sending `reminder` at `now` would be pointless, or None when it is still useful."""
    now = _utc(now)
    start = context.meeting_start if context is not None else None
    if reminder.kind == ReminderKind.PREP and start is not None and now >= _utc(start):
        return "stale: the meeting has already begun"
    late = now - first_due(reminder)
    limit = max_lateness(reminder.kind)
    if late > limit:
        return f"stale: {_duration(late)} late, more than {_duration(limit)} for {reminder.kind}"
    return None


def is_stale(
    reminder: ClaimedReminder, now: datetime, context: SendContext | None = None
) -> bool:
    return stale_reason(reminder, now, context) is not None


def _duration(value: timedelta) -> str:
    minutes = int(value.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} min"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h"
    return f"{hours // 24} days"


def iso_week(instant: datetime, tz: str) -> tuple[int, int]:
    local = _utc(instant).astimezone(_zone(tz)).date().isocalendar()
    return local.year, local.week
