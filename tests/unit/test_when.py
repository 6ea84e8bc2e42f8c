"""Reading meeting times, away-until dates and meeting lengths (bot/when.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import InvalidInput
from bot.when import (
    local_time_label,
    parse_duration_minutes,
    parse_meeting_time,
    parse_until,
    valid_timezone,
)

# Thursday 26 November 2026, 10:00 UTC: 11:00 in Berlin, 05:00 in New York, 15:30 in Kolkata.
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"
KOLKATA = "Asia/Kolkata"
ADELAIDE = "Australia/Adelaide"  # UTC+10:30 in summer: a half-hour offset with DST


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def refused(text: str, tz: str = BERLIN, now: datetime = NOW) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        parse_meeting_time(text, tz=tz, now=now)
    return caught.value


def refused_until(text: str, tz: str = BERLIN, now: datetime = NOW) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        parse_until(text, tz=tz, now=now)
    return caught.value


# --------------------------------------------------------------------------- meeting times


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01 15:00", utc(2026, 12, 1, 14, 0)),
        ("2026-12-01T15:00", utc(2026, 12, 1, 14, 0)),
        ("2026-12-01t15:00:45", utc(2026, 12, 1, 14, 0)),  # seconds dropped
        ("2026-12-01T15:00Z", utc(2026, 12, 1, 15, 0)),  # an explicit offset wins
        ("2026-12-01 15:00+05:30", utc(2026, 12, 1, 9, 30)),
        ("  2026-12-01   15:00 ", utc(2026, 12, 1, 14, 0)),
    ],
)
def test_iso_forms_are_read_in_the_members_timezone(text: str, expected: datetime) -> None:
    assert parse_meeting_time(text, tz=BERLIN, now=NOW) == expected


@pytest.mark.parametrize(
    ("text", "tz", "expected"),
    [
        ("tomorrow 15:00", BERLIN, utc(2026, 11, 27, 14, 0)),
        ("next tuesday 9am", BERLIN, utc(2026, 12, 1, 8, 0)),
        ("friday at 3pm", BERLIN, utc(2026, 11, 27, 14, 0)),
        ("in 2 hours", BERLIN, utc(2026, 11, 26, 12, 0)),
        ("in 1 hour and 30 minutes", BERLIN, utc(2026, 11, 26, 11, 30)),
        ("in an hour", BERLIN, utc(2026, 11, 26, 11, 0)),
        ("dec 3 10:30", BERLIN, utc(2026, 12, 3, 9, 30)),
        ("3 dec 10:30", BERLIN, utc(2026, 12, 3, 9, 30)),
        ("Friday, Dec 4, 3:00 PM", BERLIN, utc(2026, 12, 4, 14, 0)),
        ("TOMORROW 15:00", BERLIN, utc(2026, 11, 27, 14, 0)),
        ("tomorrow 15:00", NEW_YORK, utc(2026, 11, 27, 20, 0)),
        ("next tuesday 9am", NEW_YORK, utc(2026, 12, 1, 14, 0)),
        ("friday at 3pm", NEW_YORK, utc(2026, 11, 27, 20, 0)),
        ("dec 3 10:30", NEW_YORK, utc(2026, 12, 3, 15, 30)),
        ("tomorrow 15:00", KOLKATA, utc(2026, 11, 27, 9, 30)),
        ("next tuesday 9am", KOLKATA, utc(2026, 12, 1, 3, 30)),
        ("friday at 3pm", KOLKATA, utc(2026, 11, 27, 9, 30)),
        ("in 2 hours", KOLKATA, utc(2026, 11, 26, 12, 0)),
        ("dec 3 10:30", KOLKATA, utc(2026, 12, 3, 5, 0)),
        ("2026-12-01 15:00", KOLKATA, utc(2026, 12, 1, 9, 30)),
        ("tomorrow 15:00", ADELAIDE, utc(2026, 11, 27, 4, 30)),
        ("tomorrow 15:00", "UTC", utc(2026, 11, 27, 15, 0)),
    ],
)
def test_natural_forms_relative_to_now(text: str, tz: str, expected: datetime) -> None:
    assert parse_meeting_time(text, tz=tz, now=NOW) == expected


def test_the_result_is_aware_utc() -> None:
    result = parse_meeting_time("tomorrow 15:00", tz=KOLKATA, now=NOW)
    assert result.tzinfo is UTC


def test_a_time_alone_means_its_next_occurrence() -> None:
    # 11:00 in Berlin now: 15:00 is later today, 09:00 has passed so it means tomorrow.
    assert parse_meeting_time("15:00", tz=BERLIN, now=NOW) == utc(2026, 11, 26, 14, 0)
    assert parse_meeting_time("9am", tz=BERLIN, now=NOW) == utc(2026, 11, 27, 8, 0)


def test_a_weekday_means_the_next_one_never_today() -> None:
    # NOW is a Thursday in every zone used here: "thursday" is a week ahead.
    assert parse_meeting_time("thursday 15:00", tz=BERLIN, now=NOW) == utc(2026, 12, 3, 14, 0)
    # And "next tuesday" on a Monday is tomorrow, not the Tuesday of the week after.
    monday = utc(2026, 11, 30, 8, 0)
    assert parse_meeting_time("next tuesday 9am", tz=BERLIN, now=monday) == utc(2026, 12, 1, 8, 0)


def test_in_hours_counts_real_time_across_a_clock_change() -> None:
    # 01:30 in Berlin on the night the clocks go forward: two hours later it's 04:30.
    now = utc(2026, 3, 29, 0, 30)
    result = parse_meeting_time("in 2 hours", tz=BERLIN, now=now)
    assert result == utc(2026, 3, 29, 2, 30)
    assert local_time_label(result, BERLIN) == "Sun 29 Mar 2026, 04:30 (Europe/Berlin)"


def test_a_day_on_the_far_side_of_a_clock_change_gets_that_days_offset() -> None:
    # Friday 30 Oct 2026 in New York (EDT, -4); clocks go back on Sunday 1 Nov.
    now = utc(2026, 10, 30, 14, 0)
    assert parse_meeting_time("tomorrow 15:00", tz=NEW_YORK, now=now) == utc(2026, 10, 31, 19, 0)
    assert parse_meeting_time("sunday 9am", tz=NEW_YORK, now=now) == utc(2026, 11, 1, 14, 0)
    assert parse_meeting_time("2026-11-02 09:00", tz=NEW_YORK, now=now) == utc(2026, 11, 2, 14, 0)


def test_a_repeated_hour_means_its_first_occurrence() -> None:
    now = utc(2026, 10, 30, 14, 0)
    # 01:30 happens twice in New York on 1 Nov 2026; the first is still on daylight time.
    assert parse_meeting_time("2026-11-01 01:30", tz=NEW_YORK, now=now) == utc(2026, 11, 1, 5, 30)


def test_a_skipped_hour_is_refused_with_the_time_to_use_instead() -> None:
    now = utc(2026, 3, 1, 12, 0)
    error = refused("2026-03-29 02:30", now=now)
    assert "02:30 doesn't exist on Sun 29 Mar 2026" in error.message
    assert "03:30" in error.message
    assert error.field == "when"
    # The hour either side of the jump is fine.
    assert parse_meeting_time("2026-03-29 01:30", tz=BERLIN, now=now) == utc(2026, 3, 29, 0, 30)
    assert parse_meeting_time("2026-03-29 03:30", tz=BERLIN, now=now) == utc(2026, 3, 29, 1, 30)


def test_the_past_is_refused_with_a_way_forward() -> None:
    error = refused("2026-11-25 10:00")
    assert "Wed 25 Nov 2026, 10:00 (Europe/Berlin) has already passed" in error.message
    assert "`tomorrow 10:00`" in error.message
    assert error.field == "when"
    assert "already passed" in refused("today 9am").message
    assert "already passed" in refused("yesterday 15:00").message


def test_less_than_a_minute_ago_still_counts_as_now() -> None:
    # 10:59:30 Berlin is 30 s before NOW: accepted (and cut to the minute).
    assert parse_meeting_time("2026-11-26T10:59:30", tz=BERLIN, now=NOW) == utc(2026, 11, 26, 9, 59)
    assert parse_meeting_time("now", tz=BERLIN, now=NOW) == NOW
    error = refused("2026-11-26T10:58:30")
    assert "already passed" in error.message


def test_seconds_of_now_do_not_leak_into_the_meeting() -> None:
    now = utc(2026, 11, 26, 10, 0, 37)
    assert parse_meeting_time("in 90 minutes", tz=BERLIN, now=now) == utc(2026, 11, 26, 11, 30)


def test_more_than_a_year_ahead_is_refused() -> None:
    assert parse_meeting_time("2027-11-25 10:00", tz=BERLIN, now=NOW) == utc(2027, 11, 25, 9, 0)
    error = refused("2027-11-27 10:00")
    assert "more than a year away" in error.message
    assert "within the next 12 months" in error.message


@pytest.mark.parametrize(
    "text",
    [
        "garbage",
        "soonish, maybe",
        "tuesday 9",  # read by the library as a day in September: must not get through
        "at 9 on tuesday",
        "1700000000",  # not a unix timestamp
        "9",
        "2027",
        "2026-02-30 10:00",  # not a real day
        "2026-13-01 10:00",
        "2026-12-01 25:00",
        "monday dec 3 10:00",  # 3 Dec 2026 is a Thursday
    ],
)
def test_unreadable_text_is_refused_with_examples(text: str) -> None:
    error = refused(text)
    assert f"couldn't read “{text}”" in error.message
    assert "`tomorrow 15:00`" in error.message
    assert error.field == "when"


def test_empty_and_overlong_text_is_refused() -> None:
    assert "Tell me when to meet" in refused("   ").message
    assert "too long" in refused("tomorrow " * 20).message


def test_an_ambiguous_numeric_date_asks_for_the_month_as_a_word() -> None:
    error = refused("3/4 10:00")
    assert "3 Apr or 4 Mar" in error.message
    assert "`3 apr`" in error.message


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("friday", "Fri 27 Nov 2026"),
        ("tomorrow", "Fri 27 Nov 2026"),
        ("2026-12-01", "Tue 1 Dec 2026"),
        ("dec 3", "Thu 3 Dec 2026"),
        ("next monday", "Mon 30 Nov 2026"),
        ("in 2 weeks", "Thu 10 Dec 2026"),
        ("tomorrow at 9", "Fri 27 Nov 2026"),  # a bare "9" is not read as a time
        ("tomorrow morning", "Fri 27 Nov 2026"),
    ],
)
def test_a_day_without_a_time_asks_for_the_time(text: str, day: str) -> None:
    error = refused(text)
    assert f"At what time on {day}?" in error.message
    assert "`15:00` or `3pm`" in error.message
    assert error.field == "when"


def test_a_month_alone_asks_for_day_and_time() -> None:
    assert "needs a day and a time" in refused("next month").message


def test_an_unknown_timezone_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_meeting_time("tomorrow 15:00", tz="Mars/Olympus_Mons", now=NOW)
    assert "Mars/Olympus_Mons" in caught.value.message
    assert "Europe/Berlin" in caught.value.message
    assert caught.value.field == "timezone"


def test_a_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        parse_meeting_time("tomorrow 15:00", tz=BERLIN, now=datetime(2026, 11, 26, 10, 0))


ZONES = [BERLIN, NEW_YORK, KOLKATA, ADELAIDE, "America/St_Johns", "Asia/Kathmandu", "UTC"]


@settings(max_examples=60, deadline=None)
@given(
    tz=st.sampled_from(ZONES),
    minutes_ahead=st.integers(min_value=0, max_value=364 * 24 * 60),
)
def test_an_iso_local_time_means_that_wall_clock_time(tz: str, minutes_ahead: int) -> None:
    zone = ZoneInfo(tz)
    local = (NOW + timedelta(minutes=minutes_ahead)).astimezone(zone).replace(tzinfo=None)
    text = local.strftime("%Y-%m-%d %H:%M")
    result = parse_meeting_time(text, tz=tz, now=NOW)
    shown = result.astimezone(zone)
    assert shown.replace(tzinfo=None) == local
    assert shown.fold == 0 or shown.replace(fold=0).astimezone(UTC) == result


@settings(max_examples=40, deadline=None)
@given(tz=st.sampled_from(ZONES), minutes=st.integers(min_value=1, max_value=5000))
def test_in_minutes_is_exact(tz: str, minutes: int) -> None:
    assert parse_meeting_time(f"in {minutes} minutes", tz=tz, now=NOW) == NOW + timedelta(
        minutes=minutes
    )


# --------------------------------------------------------------------------- away until


@pytest.mark.parametrize(
    ("text", "tz", "expected"),
    [
        ("2026-12-24", BERLIN, utc(2026, 12, 23, 23, 0)),
        ("dec 24", BERLIN, utc(2026, 12, 23, 23, 0)),
        ("next monday", BERLIN, utc(2026, 11, 29, 23, 0)),
        ("in 2 weeks", BERLIN, utc(2026, 12, 9, 23, 0)),
        ("3 weeks", BERLIN, utc(2026, 12, 16, 23, 0)),
        ("tomorrow", BERLIN, utc(2026, 11, 26, 23, 0)),
        ("december", BERLIN, utc(2026, 11, 30, 23, 0)),  # a month alone: its first day
        ("next month", BERLIN, utc(2026, 12, 25, 23, 0)),
        ("2026-12-24", KOLKATA, utc(2026, 12, 23, 18, 30)),
        ("dec 24", KOLKATA, utc(2026, 12, 23, 18, 30)),
        ("in 2 weeks", KOLKATA, utc(2026, 12, 9, 18, 30)),
        ("dec 24", NEW_YORK, utc(2026, 12, 24, 5, 0)),
        ("next monday", NEW_YORK, utc(2026, 11, 30, 5, 0)),
        ("dec 24", ADELAIDE, utc(2026, 12, 23, 13, 30)),
    ],
)
def test_until_a_date_means_the_start_of_that_local_day(
    text: str, tz: str, expected: datetime
) -> None:
    result = parse_until(text, tz=tz, now=NOW)
    assert result == expected
    assert result.tzinfo is UTC
    local = result.astimezone(ZoneInfo(tz))
    assert (local.hour, local.minute) == (0, 0)


def test_until_keeps_a_time_when_one_is_given() -> None:
    assert parse_until("tomorrow 15:00", tz=BERLIN, now=NOW) == utc(2026, 11, 27, 14, 0)
    assert parse_until("in 3 hours", tz=BERLIN, now=NOW) == utc(2026, 11, 26, 13, 0)


def test_until_uses_the_offset_of_the_day_it_names() -> None:
    # From Friday 30 Oct (EDT) two weeks ahead lands after the clocks went back (EST).
    now = utc(2026, 10, 30, 14, 0)
    assert parse_until("in 2 weeks", tz=NEW_YORK, now=now) == utc(2026, 11, 13, 5, 0)


def test_until_a_day_that_starts_in_a_skipped_hour_starts_when_the_clocks_jump() -> None:
    # Chile moves its clocks from 00:00 to 01:00 on Sunday 6 Sep 2026.
    now = utc(2026, 9, 1, 12, 0)
    result = parse_until("2026-09-06", tz="America/Santiago", now=now)
    assert result == utc(2026, 9, 6, 4, 0)
    assert local_time_label(result, "America/Santiago") == (
        "Sun 6 Sep 2026, 01:00 (America/Santiago)"
    )


@pytest.mark.parametrize("text", ["today", "yesterday", "2026-11-01", "2026-11-26 10:00"])
def test_until_must_be_in_the_future(text: str) -> None:
    error = refused_until(text)
    assert "is not in the future" in error.message
    assert "`next monday`" in error.message
    assert error.field == "until"


def test_until_more_than_a_year_ahead_is_refused() -> None:
    assert parse_until("2027-11-26", tz=BERLIN, now=NOW) == utc(2027, 11, 25, 23, 0)
    error = refused_until("2028-01-01")
    assert "more than a year away" in error.message
    assert "/mentor off" in error.message


@pytest.mark.parametrize("text", ["garbage", "9", "2027", "2026-02-30", "tuesday 9"])
def test_until_unreadable_text_is_refused_with_examples(text: str) -> None:
    error = refused_until(text)
    assert "couldn't read" in error.message
    assert "`dec 24`" in error.message
    assert error.field == "until"


def test_until_empty_text_is_refused() -> None:
    assert "the day you'll be back" in refused_until("").message


# --------------------------------------------------------------------------- durations


def test_duration_defaults_when_not_given() -> None:
    assert parse_duration_minutes(None, default=15) == 15


@pytest.mark.parametrize("value", [5, 15, 30, 240])
def test_sensible_durations_are_kept(value: int) -> None:
    assert parse_duration_minutes(value, default=15) == value


@pytest.mark.parametrize("value", [-15, 0, 4, 241, 10_000])
def test_absurd_durations_are_refused(value: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_duration_minutes(value, default=15)
    assert "5 to 240 minutes" in caught.value.message
    assert caught.value.field == "minutes"


# --------------------------------------------------------------------------- labels and zones


@pytest.mark.parametrize(
    ("tz", "label"),
    [
        (BERLIN, "Tue 1 Dec 2026, 15:00 (Europe/Berlin)"),
        (KOLKATA, "Tue 1 Dec 2026, 19:30 (Asia/Kolkata)"),
        (NEW_YORK, "Tue 1 Dec 2026, 09:00 (America/New_York)"),
        ("Pacific/Kiritimati", "Wed 2 Dec 2026, 04:00 (Pacific/Kiritimati)"),
        ("UTC", "Tue 1 Dec 2026, 14:00 (UTC)"),
    ],
)
def test_local_time_label(tz: str, label: str) -> None:
    assert local_time_label(utc(2026, 12, 1, 14, 0), tz) == label


def test_local_time_label_accepts_any_aware_instant() -> None:
    instant = datetime(2026, 12, 1, 19, 30, tzinfo=ZoneInfo(KOLKATA))
    assert local_time_label(instant, BERLIN) == "Tue 1 Dec 2026, 15:00 (Europe/Berlin)"


def test_local_time_label_needs_an_aware_instant() -> None:
    with pytest.raises(ValueError):
        local_time_label(datetime(2026, 12, 1, 14, 0), BERLIN)


@pytest.mark.parametrize("tz", [BERLIN, KOLKATA, "UTC", "America/Argentina/Buenos_Aires"])
def test_known_timezones_are_valid(tz: str) -> None:
    assert valid_timezone(tz)


@pytest.mark.parametrize(
    "tz", ["", "Mars/Olympus_Mons", "europe/berlin", "Berlin", "../etc/passwd", "/etc/localtime"]
)
def test_unknown_timezones_are_not_valid(tz: str) -> None:
    assert not valid_timezone(tz)
