"""Reading the times people type: meeting times, "away until" dates, meeting lengths.

Every reading happens in the member's own IANA timezone and relative to an injected `now`
(aware). Results are aware UTC. Text that can't be read safely is refused with an
`InvalidInput` whose message shows an example of what works.

Notes on the natural-language reader (dateparser):

* Weekdays mean the *next* such day, never today: on a Monday, "monday 15:00" and
  "next monday 15:00" are both a week ahead, and "next tuesday" is tomorrow.
* A date with no time ("friday", "tomorrow", "in 2 weeks") comes back with a made-up time
  (midnight or the current time); the reported period tells us no time was given.
* Some inputs are misread rather than refused ("tuesday 9" becomes a September date), so a
  named weekday must match the date that comes back, and bare numbers are refused.
* Relative offsets are applied to the local wall clock; "in N hours/minutes" is therefore
  computed here, exactly, so that it stays right across a daylight-saving change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from dateparser.date import DateDataParser

from bot.errors import InvalidInput

MIN_MEETING_MINUTES = 5
MAX_MEETING_MINUTES = 240
MAX_DAYS_AHEAD = 365
PAST_GRACE = timedelta(minutes=1)
MAX_TEXT_LENGTH = 80

_MEETING_EXAMPLES = "`tomorrow 15:00`, `friday at 3pm` or `2026-12-01 15:00`"
_UNTIL_EXAMPLES = "`2026-12-24`, `dec 24`, `next monday` or `in 2 weeks`"

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_ISO = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[Tt ](?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)"
    r"(?P<offset>[Zz]|[+-]\d{2}:?\d{2})?)?$"
)
_IN_HOURS_MINUTES = re.compile(
    r"^in\s+(?:(?P<h>\d{1,4}|an?|one)\s*(?:h|hrs?|hours?)\b)?\s*(?:and\s+)?"
    r"(?:(?P<m>\d{1,5})\s*(?:m|mins?|minutes?)\b)?$",
    re.IGNORECASE,
)
_WEEKDAY_WORD = re.compile(
    r"\b(mon|monday|tue|tues|tuesday|wed|weds|wednesday|thu|thur|thurs|thursday|"
    r"fri|friday|sat|saturday|sun|sunday)\b",
    re.IGNORECASE,
)
_WEEKDAY_INDEX = {name.lower(): index for index, name in enumerate(_WEEKDAYS)}
_SLASH_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})\b")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class _Reading:
    """What the text said: either an exact instant, or a local wall-clock time."""

    instant: datetime | None  # aware; the text named an offset or an exact "in N hours"
    local: datetime | None  # naive local wall clock, when `instant` is None
    has_time: bool  # False: only a day (or coarser) was given
    period: str  # dateparser's period: time, day, week, month, year, part_of_day


# --------------------------------------------------------------------------- public API


def valid_timezone(tz: str) -> bool:
    """True for an IANA timezone name this system knows ("Europe/Berlin", "UTC")."""
    return isinstance(tz, str) and tz in _known_timezones()


def parse_meeting_time(text: str, *, tz: str, now: datetime) -> datetime:
    """The meeting start that `text` names, read in timezone `tz`, as aware UTC.

    Accepts ISO ("2026-12-01 15:00", "2026-12-01T15:00", with or without an offset) and
    natural forms ("tomorrow 15:00", "next tuesday 9am", "friday at 3pm", "in 2 hours",
    "dec 3 10:30"). Refuses unreadable text, a day without a time, a time more than a
    minute in the past, a time that the clocks skip, and anything over a year ahead.
    Seconds are dropped.
    """
    zone = _zone(tz)
    now = _aware_utc(now)
    cleaned = _clean(text, ask="Tell me when to meet", examples=_MEETING_EXAMPLES, field="when")
    reading = _read(cleaned, zone=zone, now=now, first_of_month=False, field="when")
    if reading is None:
        raise InvalidInput(
            f"I couldn't read “{cleaned}” as a time. Try {_MEETING_EXAMPLES}.", field="when"
        )
    if not reading.has_time:
        raise InvalidInput(_ask_for_time(reading), field="when")
    if reading.instant is not None:
        instant = reading.instant
    else:
        assert reading.local is not None
        instant = _localise(reading.local, zone)
        if _skipped(reading.local, zone):
            later = _localise(reading.local + timedelta(hours=1), zone)
            raise InvalidInput(
                f"{_clock(reading.local)} doesn't exist on {_day_label(reading.local.date())} "
                f"in {tz}: the clocks skip that hour. Try "
                f"{_clock(later.astimezone(zone).replace(tzinfo=None))} instead.",
                field="when",
            )
    instant = instant.astimezone(UTC).replace(second=0, microsecond=0)
    if instant < now - PAST_GRACE:
        raise InvalidInput(
            f"{local_time_label(instant, tz)} has already passed. Pick a time ahead, "
            f"e.g. `tomorrow {_clock(instant.astimezone(zone))}`.",
            field="when",
        )
    if instant > now + timedelta(days=MAX_DAYS_AHEAD):
        raise InvalidInput(
            f"{local_time_label(instant, tz)} is more than a year away. "
            "Pick a time within the next 12 months.",
            field="when",
        )
    return instant


def parse_until(text: str, *, tz: str, now: datetime) -> datetime:
    """The end of a mentor's time away, read in timezone `tz`, as aware UTC.

    A date alone ("2026-12-24", "dec 24", "next monday", "in 2 weeks", "3 weeks", "december")
    means the start of that local day (a month alone, its first day); a date with a time
    keeps the time. Must be in the future and at most a year ahead.
    """
    zone = _zone(tz)
    now = _aware_utc(now)
    cleaned = _clean(
        text, ask="Tell me the day you'll be back", examples=_UNTIL_EXAMPLES, field="until"
    )
    first_of_month = "month" not in cleaned.lower()
    reading = _read(cleaned, zone=zone, now=now, first_of_month=first_of_month, field="until")
    if reading is None or reading.period == "year":
        raise InvalidInput(
            f"I couldn't read “{cleaned}” as a date. Try {_UNTIL_EXAMPLES}.", field="until"
        )
    if reading.instant is not None:
        instant = reading.instant
    else:
        assert reading.local is not None
        local = reading.local
        if not reading.has_time:
            local = datetime.combine(local.date(), datetime.min.time())
        # A day that begins inside a skipped hour begins when the clocks jump.
        instant = _localise(local, zone)
    instant = instant.astimezone(UTC)
    if instant <= now:
        raise InvalidInput(
            f"{local_time_label(instant, tz)} is not in the future. Give the day you'll be "
            "back, e.g. `next monday` or `in 2 weeks`.",
            field="until",
        )
    if instant > now + timedelta(days=MAX_DAYS_AHEAD):
        raise InvalidInput(
            f"{local_time_label(instant, tz)} is more than a year away. Pick a date within "
            "the next 12 months, or use `/mentor off` to pause with no end date.",
            field="until",
        )
    return instant


def parse_duration_minutes(value: int | None, *, default: int) -> int:
    """The meeting length in minutes: `default` when not given; 5 to 240 otherwise."""
    if value is None:
        return default
    if isinstance(value, bool) or not MIN_MEETING_MINUTES <= value <= MAX_MEETING_MINUTES:
        raise InvalidInput(
            f"A meeting can last {MIN_MEETING_MINUTES} to {MAX_MEETING_MINUTES} minutes; "
            f"{default} is the usual. Give the length in minutes, e.g. `30`.",
            field="minutes",
        )
    return value


def local_time_label(instant: datetime, tz: str) -> str:
    """ "Tue 1 Dec 2026, 15:00 (Europe/Berlin)": an instant as a member in `tz` reads it."""
    local = _aware_utc(instant).astimezone(_zone(tz))
    return f"{_day_label(local.date())}, {_clock(local)} ({tz})"


# --------------------------------------------------------------------------- reading


def _read(
    text: str, *, zone: ZoneInfo, now: datetime, first_of_month: bool, field: str
) -> _Reading | None:
    iso = _ISO.match(text)
    if iso:
        return _read_iso(text, iso)
    exact = _IN_HOURS_MINUTES.match(text)
    if exact and (exact.group("h") or exact.group("m")):
        hours = _count(exact.group("h"))
        minutes = _count(exact.group("m"))
        return _Reading(now + timedelta(hours=hours, minutes=minutes), None, True, "time")
    if text.isdigit():
        return None
    _refuse_ambiguous_slash_date(text, field=field)
    base = now.astimezone(zone).replace(tzinfo=None)
    parser = DateDataParser(
        languages=["en"],
        settings={
            "RELATIVE_BASE": base,
            "PREFER_DATES_FROM": "future",
            "PREFER_DAY_OF_MONTH": "first" if first_of_month else "current",
            "RETURN_TIME_AS_PERIOD": True,
            "PARSERS": ["relative-time", "absolute-time"],
        },
    )
    data = parser.get_date_data(text)
    found = data.date_obj
    period = str(data.period or "day")
    if found is None or not _weekday_agrees(text, found):
        return None
    has_time = period == "time"
    if found.tzinfo is not None and found.utcoffset() is not None:
        # The text named its own zone or offset ("15:00 UTC"): that wins over `zone`.
        return _Reading(found.astimezone(UTC), None, has_time, period)
    return _Reading(None, found.replace(tzinfo=None), has_time, period)


def _read_iso(text: str, match: re.Match[str]) -> _Reading | None:
    try:
        value = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        return None
    has_time = match.group("time") is not None
    if value.tzinfo is not None:
        return _Reading(value.astimezone(UTC), None, has_time, "time")
    return _Reading(None, value, has_time, "time" if has_time else "day")


def _count(raw: str | None) -> int:
    if raw is None:
        return 0
    return 1 if raw.lower() in {"a", "an", "one"} else int(raw)


def _weekday_agrees(text: str, found: datetime) -> bool:
    named = {_WEEKDAY_INDEX[w.lower()[:3]] for w in _WEEKDAY_WORD.findall(text)}
    return not named or named == {found.weekday()}


def _refuse_ambiguous_slash_date(text: str, *, field: str) -> None:
    """ "3/4" is 3 April to some and 4 March to others: ask for the month as a word."""
    for first, second in _SLASH_DATE.findall(text):
        if first != second and 1 <= int(first) <= 12 and 1 <= int(second) <= 12:
            day, month = int(first), int(second)
            raise InvalidInput(
                f"“{first}/{second}” could be {day} {_MONTHS[month - 1]} or "
                f"{month} {_MONTHS[day - 1]}. Write the month as a word, e.g. "
                f"`{day} {_MONTHS[month - 1].lower()}`, or use the `YYYY-MM-DD` form.",
                field=field,
            )


def _ask_for_time(reading: _Reading) -> str:
    if reading.period in {"day", "week", "part_of_day"} and reading.local is not None:
        day = reading.local.date()
        return (
            f"At what time on {_day_label(day)}? A meeting needs a time too, written like "
            f"`15:00` or `3pm`, e.g. `{day.isoformat()} 15:00`."
        )
    return f"A meeting needs a day and a time, e.g. {_MEETING_EXAMPLES}."


# --------------------------------------------------------------------------- time zones


@lru_cache(maxsize=1)
def _known_timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def _zone(tz: str) -> ZoneInfo:
    if not valid_timezone(tz):
        raise InvalidInput(
            f"I don't know the timezone “{tz}”. Use a name like `Europe/Berlin`, "
            "`America/New_York` or `Asia/Kolkata`.",
            field="timezone",
        )
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):  # listed but unreadable: treat as unknown
        raise InvalidInput(
            f"I don't know the timezone “{tz}”. Use a name like `Europe/Berlin`.",
            field="timezone",
        ) from None


def _localise(local: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time in `zone` as aware UTC.

    A repeated hour (clocks going back) means its first occurrence; a skipped hour is
    read with the offset from before the jump, which lands that far after the jump.
    """
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def _skipped(local: datetime, zone: ZoneInfo) -> bool:
    """True when the clocks in `zone` jump over this wall-clock time."""
    back = _localise(local, zone).astimezone(zone).replace(tzinfo=None)
    return back != local.replace(tzinfo=None, fold=0)


def _aware_utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("expected a timezone-aware datetime")
    return value.astimezone(UTC)


# --------------------------------------------------------------------------- wording


def _clean(text: str, *, ask: str, examples: str, field: str) -> str:
    cleaned = " ".join(_CONTROL.sub(" ", text or "").split())
    if not cleaned:
        raise InvalidInput(f"{ask}, e.g. {examples}.", field=field)
    if len(cleaned) > MAX_TEXT_LENGTH:
        raise InvalidInput(f"That's too long to be a date. Try {examples}.", field=field)
    return cleaned


def _day_label(day: date) -> str:
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def _clock(value: datetime) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"
