"""Calendar invites (.ics, RFC 5545) for scheduled meetings.

One request has one event: its UID stays the same for the life of the request, so a
rescheduled invite (SEQUENCE bumped) replaces the earlier one in the member's calendar and a
cancellation (METHOD:CANCEL, STATUS:CANCELLED) removes it.

Members are named, never addressed: chat members have no e-mail address here, so ORGANIZER and
ATTENDEE carry the name (CN) and an opaque `urn:uuid:` address that is stable per request and
name. Calendar apps show the names and have nobody to e-mail replies to.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Calendar, Event, vCalAddress

PRODID = "-//Introbot//Meeting invite 1.0//EN"
_TIMEZONE_MARGIN = timedelta(days=366)  # VTIMEZONE rules cover the event with room to spare
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # keeps \t and \n
_UID_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class MeetingInvite:
    """Everything an .ics for one meeting says. Times are aware; `tz` is an IANA name."""

    uid: str  # stable per request, see `meeting_uid`
    sequence: int  # 0 for the first invite; +1 for every reschedule or cancellation
    start: datetime  # aware UTC
    minutes: int
    summary: str
    description: str  # includes the prep hint text
    organizer_name: str
    attendee_names: tuple[str, ...]
    tz: str  # the zone of DTSTART;TZID=… and its VTIMEZONE (UTC in a repeated hour's 2nd run)
    stamp: datetime  # DTSTAMP: when this invite was made, aware UTC, from the clock
    cancelled: bool = False  # METHOD:CANCEL and STATUS:CANCELLED

    def __post_init__(self) -> None:
        if not self.uid.strip():
            raise ValueError("an invite needs a UID")
        if self.sequence < 0:
            raise ValueError("SEQUENCE can't be negative")
        if self.minutes <= 0:
            raise ValueError("a meeting lasts at least one minute")
        for name, value in (("start", self.start), ("stamp", self.stamp)):
            if value.tzinfo is None or value.utcoffset() is None:
                raise ValueError(f"{name} must be timezone-aware")
        _zone(self.tz)


def meeting_uid(request_id: int, community_key: str) -> str:
    """The UID of a request's meeting: "intro-12@T0123ABC" (same for every re-send)."""
    domain = _UID_UNSAFE.sub("-", community_key).strip("-") or "introbot"
    return f"intro-{request_id}@{domain}"


def invite_filename(request_id: int) -> str:
    """ "introbot-meeting-12.ics"."""
    return f"introbot-meeting-{request_id}.ics"


def build_invite(invite: MeetingInvite) -> bytes:
    """The invite as an iCalendar file: one VEVENT plus the VTIMEZONE its times use."""
    zone = _zone(invite.tz)
    start = invite.start.astimezone(zone)
    end = (invite.start + timedelta(minutes=invite.minutes)).astimezone(zone)
    if not (_writable_as_local(start) and _writable_as_local(end)):
        # RFC 5545 reads a repeated local time as its first occurrence: a meeting in the
        # second one (clocks going back) is written in UTC so that no client moves it.
        start, end = start.astimezone(UTC), end.astimezone(UTC)

    event = Event()
    event.add("uid", invite.uid)
    event.add("dtstamp", invite.stamp.astimezone(UTC))
    event.add("sequence", invite.sequence)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", _text(invite.summary))
    event.add("description", _text(invite.description))
    event.add("status", "CANCELLED" if invite.cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if invite.cancelled else "OPAQUE")
    event.add("organizer", _address(invite.uid, invite.organizer_name))
    seen: set[str] = set()
    for name in invite.attendee_names:
        address = _address(invite.uid, name, role="REQ-PARTICIPANT")
        if str(address) not in seen:
            seen.add(str(address))
            event.add("attendee", address)

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if invite.cancelled else "REQUEST")
    calendar.add_component(event)
    calendar.add_missing_timezones(
        first_date=(start - _TIMEZONE_MARGIN).date(),
        last_date=(end + _TIMEZONE_MARGIN).date(),
    )
    data: bytes = calendar.to_ical()
    return data


def _writable_as_local(instant: datetime) -> bool:
    """True when the wall-clock time alone (first occurrence) names this instant."""
    return instant.replace(fold=0).astimezone(UTC) == instant.astimezone(UTC)


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timezone {tz!r}") from None


def _text(value: str) -> str:
    """TEXT values: one kind of line break, no control characters (escaping is icalendar's)."""
    return _TEXT_CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def _address(uid: str, name: str, *, role: str | None = None) -> vCalAddress:
    # A parameter value can't hold a double quote or a line break.
    cn = " ".join(_TEXT_CONTROL.sub("", name).replace('"', "'").split()) or "Member"
    key = uuid.uuid5(uuid.NAMESPACE_URL, f"{uid}/{cn}")
    address = vCalAddress(f"urn:uuid:{key}")
    address.params["CN"] = cn
    if role is not None:
        address.params["ROLE"] = role
        address.params["RSVP"] = "FALSE"
    return address
