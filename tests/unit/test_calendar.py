"""Calendar invites for scheduled meetings (bot/calendar.py), read back with icalendar."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event

from bot.calendar import (
    PRODID,
    MeetingInvite,
    build_invite,
    invite_filename,
    meeting_uid,
)

START = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
STAMP = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def make_invite(**changes: Any) -> MeetingInvite:
    invite = MeetingInvite(
        uid=meeting_uid(12, "T0123ABC"),
        sequence=0,
        start=START,
        minutes=15,
        summary="Informational interview: Ana Silva and Bo Chen",
        description="15 minutes of advice. Prepare: read about the field and Bo's path.",
        organizer_name="Introbot",
        attendee_names=("Ana Silva", "Bo Chen"),
        tz="Europe/Berlin",
        stamp=STAMP,
    )
    return replace(invite, **changes)


def read_back(data: bytes) -> tuple[Calendar, Event]:
    calendar = Calendar.from_ical(data)
    events = calendar.events
    assert len(events) == 1
    return calendar, events[0]


def start_of(event: Event) -> datetime:
    value = event.start
    assert isinstance(value, datetime)
    return value


def physical_lines(data: bytes) -> list[bytes]:
    assert data.endswith(b"\r\n")
    return data[:-2].split(b"\r\n")


def unfolded(data: bytes) -> list[str]:
    """Content lines with RFC 5545 folding undone, decoded."""
    return data.replace(b"\r\n ", b"").decode("utf-8").split("\r\n")


def test_a_request_has_the_calendar_headers() -> None:
    calendar, _ = read_back(build_invite(make_invite()))
    assert str(calendar["PRODID"]) == PRODID
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "REQUEST"
    calendar.validate()


def test_the_event_carries_uid_sequence_status_summary_and_description() -> None:
    invite = make_invite(sequence=3)
    _, event = read_back(build_invite(invite))
    assert str(event["UID"]) == "intro-12@T0123ABC"
    assert event.sequence == 3
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["SUMMARY"]) == invite.summary
    assert str(event["DESCRIPTION"]) == invite.description
    assert event.stamp == STAMP
    assert "DTSTAMP:20261126T100000Z" in unfolded(build_invite(invite))


@pytest.mark.parametrize(
    ("tz", "local_start"),
    [
        ("Europe/Berlin", "20261201T150000"),
        ("Asia/Kolkata", "20261201T193000"),
        ("America/New_York", "20261201T090000"),
        ("America/St_Johns", "20261201T103000"),
        ("Australia/Adelaide", "20261202T003000"),
    ],
)
def test_start_and_end_are_shown_in_the_members_timezone(tz: str, local_start: str) -> None:
    data = build_invite(make_invite(tz=tz, minutes=30))
    assert f"DTSTART;TZID={tz}:{local_start}" in unfolded(data)
    calendar, event = read_back(data)
    assert event["DTSTART"].params["TZID"] == tz
    assert event["DTEND"].params["TZID"] == tz
    assert event.start == START
    assert start_of(event).astimezone(UTC) == START
    assert event.end - event.start == timedelta(minutes=30)
    assert [str(zone["TZID"]) for zone in calendar.timezones] == [tz]


@pytest.mark.parametrize(
    ("tz", "start"),
    [
        ("Europe/Berlin", datetime(2026, 12, 1, 14, 0, tzinfo=UTC)),  # winter, +01:00
        ("Europe/Berlin", datetime(2026, 7, 1, 14, 0, tzinfo=UTC)),  # summer, +02:00
        ("Europe/Berlin", datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),  # 03:30, just after the jump
        ("Europe/Berlin", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),  # 02:30, first of two
        ("Asia/Kolkata", datetime(2026, 12, 1, 14, 0, tzinfo=UTC)),
        ("America/New_York", datetime(2026, 11, 1, 14, 0, tzinfo=UTC)),  # day the clocks go back
    ],
)
def test_the_vtimezone_alone_gives_the_right_offset(tz: str, start: datetime) -> None:
    """A client that only has the VTIMEZONE in the file places the meeting correctly."""
    data = build_invite(make_invite(tz=tz, start=start))
    calendar, event = read_back(data)
    (vtimezone,) = calendar.timezones
    from_file = vtimezone.to_tz(lookup_tzid=False)
    expected_offset = start.astimezone(ZoneInfo(tz)).utcoffset()
    local = start_of(event).replace(tzinfo=None)
    assert local == start.astimezone(ZoneInfo(tz)).replace(tzinfo=None)
    # A client reads a wall-clock DTSTART with the file's rules, taking a repeated time's
    # first occurrence (fold=0).
    assert from_file.utcoffset(local) == expected_offset


@pytest.mark.parametrize(
    ("start", "minutes"),
    [
        (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), 15),  # starts at the second 02:30
        (datetime(2026, 10, 25, 0, 50, tzinfo=UTC), 30),  # ends at the second 02:20
    ],
)
def test_a_meeting_in_the_repeated_hour_s_second_run_is_written_in_utc(
    start: datetime, minutes: int
) -> None:
    """A TZID time in a repeated hour means its first run, an hour early: UTC avoids that."""
    data = build_invite(make_invite(start=start, minutes=minutes))
    lines = unfolded(data)
    assert f"DTSTART:{start:%Y%m%dT%H%M%S}Z" in lines
    _, event = read_back(data)
    assert event.start == start
    assert event.end == start + timedelta(minutes=minutes)


def test_a_meeting_in_the_repeated_hour_s_first_run_keeps_its_tzid() -> None:
    data = build_invite(make_invite(start=datetime(2026, 10, 25, 0, 30, tzinfo=UTC)))
    assert "DTSTART;TZID=Europe/Berlin:20261025T023000" in unfolded(data)


def test_kolkata_has_its_half_hour_offset_in_the_vtimezone() -> None:
    lines = unfolded(build_invite(make_invite(tz="Asia/Kolkata")))
    assert "TZID:Asia/Kolkata" in lines
    assert "TZOFFSETTO:+0530" in lines


def test_a_utc_meeting_needs_no_vtimezone() -> None:
    data = build_invite(make_invite(tz="UTC"))
    assert "DTSTART:20261201T140000Z" in unfolded(data)
    calendar, event = read_back(data)
    assert calendar.timezones == []
    assert event.start == START


def test_a_cancellation_keeps_the_uid_and_says_cancel() -> None:
    first = make_invite(sequence=0)
    cancel = replace(first, sequence=1, cancelled=True, stamp=STAMP + timedelta(hours=1))
    calendar, event = read_back(build_invite(cancel))
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == first.uid
    assert event.sequence == 1


def test_a_reschedule_keeps_uid_and_attendees_and_moves_the_time() -> None:
    first = make_invite(sequence=0)
    moved = replace(first, sequence=1, start=START + timedelta(days=2))
    _, before = read_back(build_invite(first))
    _, after = read_back(build_invite(moved))
    assert str(before["UID"]) == str(after["UID"])
    assert (before.sequence, after.sequence) == (0, 1)
    assert after.start == START + timedelta(days=2)
    assert [str(a) for a in before.get("ATTENDEE")] == [str(a) for a in after.get("ATTENDEE")]


def test_the_same_invite_builds_the_same_bytes() -> None:
    assert build_invite(make_invite()) == build_invite(make_invite())


def test_people_are_named_without_email_addresses() -> None:
    data = build_invite(make_invite())
    _, event = read_back(data)
    attendees = event.get("ATTENDEE")
    assert [a.params["CN"] for a in attendees] == ["Ana Silva", "Bo Chen"]
    assert event["ORGANIZER"].params["CN"] == "Introbot"
    for address in [*attendees, event["ORGANIZER"]]:
        assert str(address).startswith("urn:uuid:")
    assert b"mailto:" not in data


def test_names_with_quotes_commas_and_line_breaks_stay_valid_parameters() -> None:
    names = ('Ana "Nana" Silva', "Chen, Bo; PhD", "Line\nBreak", 'Ana "Nana" Silva')
    _, event = read_back(build_invite(make_invite(attendee_names=names)))
    assert [a.params["CN"] for a in event.get("ATTENDEE")] == [
        "Ana 'Nana' Silva",
        "Chen, Bo; PhD",
        "Line Break",
    ]


def test_text_with_commas_semicolons_backslashes_and_newlines_is_escaped() -> None:
    summary = "Advice chat; Ana, Bo"
    description = "Prepare:\n- the field, the company; their path\n- C:\\notes"
    data = build_invite(make_invite(summary=summary, description=description))
    lines = unfolded(data)
    assert "SUMMARY:Advice chat\\; Ana\\, Bo" in lines
    assert (
        "DESCRIPTION:Prepare:\\n- the field\\, the company\\; their path\\n- C:\\\\notes" in lines
    )
    _, event = read_back(data)
    assert str(event["SUMMARY"]) == summary
    assert str(event["DESCRIPTION"]) == description


def test_carriage_returns_and_control_characters_are_cleaned() -> None:
    _, event = read_back(build_invite(make_invite(description="one\r\ntwo\rthree\x07\x00 four")))
    assert str(event["DESCRIPTION"]) == "one\ntwo\nthree four"


def test_long_lines_are_folded_at_75_octets_without_splitting_characters() -> None:
    description = (
        "Préparez-vous : " + "questions à poser sur le métier, " * 20 + "日本語のメモ" * 10
    )
    data = build_invite(make_invite(description=description, summary="Café ☕ " * 20))
    lines = physical_lines(data)
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # something was folded
    for line in lines:
        line.decode("utf-8")  # no multi-byte character cut in half
    _, event = read_back(data)
    assert str(event["DESCRIPTION"]) == description
    assert str(event["SUMMARY"]) == "Café ☕ " * 20


def test_meeting_uid_is_stable_and_safe() -> None:
    assert meeting_uid(12, "T0123ABC") == "intro-12@T0123ABC"
    assert meeting_uid(12, "T0123ABC") == meeting_uid(12, "T0123ABC")
    assert meeting_uid(7, "slack:T01 23/x") == "intro-7@slack-T01-23-x"
    assert meeting_uid(7, "") == "intro-7@introbot"


def test_invite_filename() -> None:
    assert invite_filename(12) == "introbot-meeting-12.ics"


@pytest.mark.parametrize(
    "changes",
    [
        {"start": datetime(2026, 12, 1, 14, 0)},
        {"stamp": datetime(2026, 11, 26, 10, 0)},
        {"minutes": 0},
        {"sequence": -1},
        {"uid": "  "},
        {"tz": "Mars/Olympus_Mons"},
    ],
)
def test_an_inconsistent_invite_is_a_programming_error(changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        make_invite(**changes)
