"""The reminder policy: due times, quiet hours (wrapping, DST), dedupe keys, staleness."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import reminders as r
from bot.domain import (
    ClaimedReminder,
    FollowUp,
    IntroRequest,
    Member,
    MentorProfile,
    ReminderKind,
    RequestStatus,
)
from bot.program_settings import ProgramSettings

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"
QUIET = (time(21, 0), time(8, 0))


def at(tz: str, year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    """A local wall-clock time in `tz`, as aware UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def local(instant: datetime, tz: str) -> datetime:
    return instant.astimezone(ZoneInfo(tz))


def member(member_id: int, tz: str = BERLIN) -> Member:
    return Member(community_id=1, platform_user_id=f"U{member_id}", display_name=f"M{member_id}",
                  handle=f"m{member_id}", created_at=datetime(2026, 1, 1, tzinfo=UTC),
                  timezone=tz, id=member_id)


def request(
    request_id: int = 12,
    created: datetime | None = None,
    scheduled: datetime | None = None,
    minutes: int | None = 15,
) -> IntroRequest:
    created = created or datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    return IntroRequest(community_id=1, seeker_id=1, mentor_id=2, created_at=created,
                        expires_at=created + timedelta(days=7), topic="t",
                        status=RequestStatus.SCHEDULED if scheduled else RequestStatus.PENDING,
                        scheduled_at=scheduled, duration_minutes=minutes, id=request_id)


def claimed(kind: str, due: datetime, payload: str = "{}") -> ClaimedReminder:
    return ClaimedReminder(id=1, community_id=1, recipient_id=1, kind=kind, due_at=due,
                           dedupe_key=f"{kind}:x", request_id=12, payload=payload, attempts=1,
                           lease_owner="w", lease_until=due + timedelta(minutes=1))


DEFAULTS = ProgramSettings({})


# --------------------------------------------------------------------------- quiet hours


class TestQuietHours:
    def test_evening_is_held_to_next_morning(self) -> None:
        due = at(BERLIN, 2026, 3, 10, 22, 30)
        assert local(r.quiet_until(due, BERLIN, QUIET), BERLIN) == datetime(
            2026, 3, 11, 8, 0, tzinfo=ZoneInfo(BERLIN))

    def test_after_midnight_is_held_to_same_morning(self) -> None:
        due = at(BERLIN, 2026, 3, 11, 2, 15)
        assert local(r.quiet_until(due, BERLIN, QUIET), BERLIN).replace(tzinfo=None) == \
            datetime(2026, 3, 11, 8, 0)

    def test_daytime_is_untouched(self) -> None:
        due = at(BERLIN, 2026, 3, 11, 14, 0)
        assert r.quiet_until(due, BERLIN, QUIET) == due
        assert not r.in_quiet_hours(due, BERLIN, QUIET)

    def test_window_edges(self) -> None:
        assert r.in_quiet_hours(at(BERLIN, 2026, 3, 11, 21, 0), BERLIN, QUIET)
        assert r.in_quiet_hours(at(BERLIN, 2026, 3, 11, 7, 59), BERLIN, QUIET)
        assert not r.in_quiet_hours(at(BERLIN, 2026, 3, 11, 8, 0), BERLIN, QUIET)
        assert not r.in_quiet_hours(at(BERLIN, 2026, 3, 11, 20, 59), BERLIN, QUIET)

    def test_non_wrapping_window(self) -> None:
        window = (time(1, 0), time(6, 30))
        assert local(r.quiet_until(at(BERLIN, 2026, 5, 5, 3, 0), BERLIN, window),
                     BERLIN).time() == time(6, 30)
        late = at(BERLIN, 2026, 5, 5, 23, 0)
        assert r.quiet_until(late, BERLIN, window) == late

    def test_off_and_empty_window_hold_nothing(self) -> None:
        due = at(BERLIN, 2026, 3, 10, 23, 0)
        assert r.quiet_until(due, BERLIN, None) == due
        assert r.quiet_until(due, BERLIN, (time(8, 0), time(8, 0))) == due

    def test_measured_in_the_recipients_timezone(self) -> None:
        # 03:00 UTC is 04:00 in Berlin (quiet) and 23:00 the evening before in New York.
        due = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
        assert local(r.quiet_until(due, BERLIN, QUIET), BERLIN).time() == time(8, 0)
        assert local(r.quiet_until(due, NEW_YORK, QUIET), NEW_YORK).replace(tzinfo=None) == \
            datetime(2026, 3, 2, 8, 0)

    def test_spring_forward_night_ends_at_local_eight(self) -> None:
        # Berlin moves from 02:00 to 03:00 on 29 March 2026: the night is an hour shorter.
        due = at(BERLIN, 2026, 3, 28, 23, 0)
        released = r.quiet_until(due, BERLIN, QUIET)
        assert local(released, BERLIN).replace(tzinfo=None) == datetime(2026, 3, 29, 8, 0)
        assert released - due == timedelta(hours=8)

    def test_fall_back_night_ends_at_local_eight(self) -> None:
        due = at(NEW_YORK, 2026, 10, 31, 22, 0)  # clocks go back on 1 Nov 2026
        released = r.quiet_until(due, NEW_YORK, QUIET)
        assert local(released, NEW_YORK).replace(tzinfo=None) == datetime(2026, 11, 1, 8, 0)
        assert released - due == timedelta(hours=11)

    def test_window_ending_in_a_skipped_hour(self) -> None:
        window = (time(22, 0), time(2, 30))  # 02:30 doesn't exist on 29 March in Berlin
        released = r.quiet_until(at(BERLIN, 2026, 3, 29, 1, 0), BERLIN, window)
        assert local(released, BERLIN).replace(tzinfo=None) == datetime(2026, 3, 29, 3, 30)

    def test_timebox_and_checkin_ignore_quiet_hours(self) -> None:
        due = at(BERLIN, 2026, 3, 10, 23, 0)
        assert r.hold_for_quiet_hours(ReminderKind.TIMEBOX, due, BERLIN, QUIET) == due
        assert r.hold_for_quiet_hours(ReminderKind.CHECKIN, due, BERLIN, QUIET) == due
        for kind in ReminderKind:
            if kind not in {ReminderKind.TIMEBOX, ReminderKind.CHECKIN}:
                assert r.hold_for_quiet_hours(kind, due, BERLIN, QUIET) > due, kind

    @given(
        st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 1, 1),
                     timezones=st.just(UTC)),
        st.sampled_from([BERLIN, NEW_YORK, "Asia/Kolkata", "Australia/Sydney", "UTC"]),
        st.integers(0, 23), st.integers(0, 23),
    )
    def test_held_time_is_never_earlier_and_never_quiet(
        self, due: datetime, tz: str, start: int, end: int
    ) -> None:
        window = (time(start), time(end))
        held = r.quiet_until(due, tz, window)
        assert held >= due
        assert held - due <= timedelta(hours=25)
        if held != due:
            assert not r.in_quiet_hours(held, tz, window)


# --------------------------------------------------------------------------- due times


class TestDueTimes:
    def test_mentor_nudge_at_half_the_expiry(self) -> None:
        req = request(created=at(BERLIN, 2026, 3, 2, 8, 0))  # half-time is 20:00 local
        spec = r.mentor_nudge(req, member(2), DEFAULTS)
        assert spec.due_at == req.created_at + timedelta(days=3, hours=12)
        assert spec.kind == ReminderKind.MENTOR_NUDGE
        assert spec.recipient_id == 2 and spec.request_id == 12

    def test_mentor_nudge_held_out_of_the_night(self) -> None:
        req = request(created=at(BERLIN, 2026, 3, 2, 11, 0))  # half-time is 23:00 local
        spec = r.mentor_nudge(req, member(2), DEFAULTS)
        assert local(spec.due_at, BERLIN).replace(tzinfo=None) == datetime(2026, 3, 6, 8, 0)

    def test_schedule_nudge_to_both_after_configured_days(self) -> None:
        accepted = at(BERLIN, 2026, 3, 2, 10, 0)
        settings = ProgramSettings({"schedule_nudge_days": "5"})
        specs = r.schedule_nudges(request(), [member(1), member(2, NEW_YORK)], accepted, settings)
        assert [s.recipient_id for s in specs] == [1, 2]
        assert specs[0].due_at == accepted + timedelta(days=5)
        # 10:00 Berlin is 04:00 in New York: held to 08:00 there.
        assert local(specs[1].due_at, NEW_YORK).time() == time(8, 0)

    def test_meeting_reminders_default_offsets(self) -> None:
        start = at(BERLIN, 2026, 3, 10, 15, 0)
        specs = r.meeting_reminders(request(scheduled=start, minutes=15), member(1), 0,
                                    at(BERLIN, 2026, 3, 2, 12, 0), DEFAULTS)
        by_kind: dict[str, list[datetime]] = {}
        for spec in specs:
            by_kind.setdefault(spec.kind, []).append(spec.due_at)
        assert by_kind[ReminderKind.PREP] == [start - timedelta(hours=24)]
        assert by_kind[ReminderKind.TIMEBOX] == [start + timedelta(minutes=13)]
        assert by_kind[ReminderKind.CHECKIN] == [start + timedelta(minutes=45)]
        end = start + timedelta(minutes=15)
        assert by_kind[ReminderKind.THANKS] == [end + timedelta(hours=4),
                                                end + timedelta(hours=28)]

    def test_prep_at_scheduling_when_the_meeting_is_sooner(self) -> None:
        now = at(BERLIN, 2026, 3, 10, 11, 0)
        start = now + timedelta(hours=3)
        specs = r.meeting_reminders(request(scheduled=start), member(1), 0, now, DEFAULTS)
        prep = next(s for s in specs if s.kind == ReminderKind.PREP)
        assert prep.due_at == now

    def test_prep_held_by_quiet_hours_but_not_past_the_start(self) -> None:
        now = at(BERLIN, 2026, 3, 10, 22, 0)
        morning = r.meeting_reminders(request(scheduled=at(BERLIN, 2026, 3, 11, 10, 0)),
                                      member(1), 0, now, DEFAULTS)
        prep = next(s for s in morning if s.kind == ReminderKind.PREP)
        assert local(prep.due_at, BERLIN).replace(tzinfo=None) == datetime(2026, 3, 11, 8, 0)
        early = r.meeting_reminders(request(scheduled=at(BERLIN, 2026, 3, 11, 7, 0)),
                                    member(1), 0, now, DEFAULTS)
        prep = next(s for s in early if s.kind == ReminderKind.PREP)
        assert prep.due_at == now  # holding it to 08:00 would be after the 07:00 meeting

    def test_timebox_and_checkin_in_the_night_stay_put(self) -> None:
        start = at(BERLIN, 2026, 3, 10, 22, 0)
        specs = r.meeting_reminders(request(scheduled=start, minutes=30), member(1), 0,
                                    at(BERLIN, 2026, 3, 1, 12, 0), DEFAULTS)
        kinds = {s.kind: s.due_at for s in specs}
        assert kinds[ReminderKind.TIMEBOX] == start + timedelta(minutes=28)
        assert kinds[ReminderKind.CHECKIN] == start + timedelta(minutes=60)
        # the thank-you at 02:30 local is held to 08:00
        first_thanks = min(s.due_at for s in specs if s.kind == ReminderKind.THANKS)
        assert local(first_thanks, BERLIN).time() == time(8, 0)

    def test_settings_change_offsets(self) -> None:
        settings = ProgramSettings({"prep_hours_before": "2", "timebox_minutes_before_end": "5",
                                    "checkin_minutes_after_end": "60",
                                    "thanks_hours_after_end": "1", "thanks_max_reminders": "3",
                                    "quiet_hours": "off"})
        start = at(BERLIN, 2026, 3, 10, 15, 0)
        specs = r.meeting_reminders(request(scheduled=start, minutes=20), member(1), 0,
                                    at(BERLIN, 2026, 3, 1, 12, 0), settings)
        due = sorted((s.kind, s.due_at) for s in specs)
        end = start + timedelta(minutes=20)
        assert due == sorted([
            (ReminderKind.PREP, start - timedelta(hours=2)),
            (ReminderKind.TIMEBOX, end - timedelta(minutes=5)),
            (ReminderKind.CHECKIN, end + timedelta(minutes=60)),
            (ReminderKind.THANKS, end + timedelta(hours=1)),
            (ReminderKind.THANKS, end + timedelta(hours=25)),
            (ReminderKind.THANKS, end + timedelta(hours=49)),
        ])

    def test_no_thanks_reminders_when_max_is_zero(self) -> None:
        settings = ProgramSettings({"thanks_max_reminders": "0"})
        specs = r.meeting_reminders(request(scheduled=at(BERLIN, 2026, 3, 10, 15, 0)),
                                    member(1), 0, at(BERLIN, 2026, 3, 1, 12, 0), settings)
        assert not [s for s in specs if s.kind == ReminderKind.THANKS]

    def test_timebox_never_before_start(self) -> None:
        settings = ProgramSettings({"timebox_minutes_before_end": "10"})
        start = at(BERLIN, 2026, 3, 10, 15, 0)
        assert r.timebox_due(start, 5, settings) == start

    def test_prep_24_hours_across_dst(self) -> None:
        # Clocks jump on 29 March: 24 elapsed hours before 15:00 that day is 14:00 the day
        # before.
        start = at(BERLIN, 2026, 3, 29, 15, 0)
        due = r.prep_due(start, at(BERLIN, 2026, 3, 1, 0, 0), DEFAULTS)
        assert local(due, BERLIN).replace(tzinfo=None) == datetime(2026, 3, 28, 14, 0)

    def test_followup_on_the_local_morning(self) -> None:
        now = at(NEW_YORK, 2026, 10, 28, 22, 30)
        due = r.followup_due(now, 7, NEW_YORK)  # across the fall-back weekend
        assert local(due, NEW_YORK).replace(tzinfo=None) == datetime(2026, 11, 4, 9, 0)

    def test_followup_spec(self) -> None:
        due = at(BERLIN, 2026, 3, 20, 9, 0)
        item = FollowUp(community_id=1, request_id=12, seeker_id=1, text="read",
                        created_at=at(BERLIN, 2026, 3, 13, 9, 0), due_at=due, id=5)
        spec = r.followup_reminder(item, member(1), DEFAULTS)
        assert (spec.kind, spec.due_at, spec.request_id) == (ReminderKind.FOLLOWUP, due, 12)
        assert r.read_payload(spec.payload)["followup_id"] == 5

    def test_expired_notice_at_expiry_held_to_morning(self) -> None:
        req = request(created=at(BERLIN, 2026, 3, 2, 23, 30))
        spec = r.expired_notice(req, member(1), DEFAULTS)
        assert local(spec.due_at, BERLIN).replace(tzinfo=None) == datetime(2026, 3, 10, 8, 0)

    def test_away_ended_due_when_away_ends(self) -> None:
        until = at(BERLIN, 2026, 4, 6, 0, 0)  # midnight local: held to 08:00
        profile = MentorProfile(community_id=1, member_id=2, created_at=until,
                                updated_at=until, away_until=until)
        spec = r.away_ended(profile, member(2), DEFAULTS)
        assert local(spec.due_at, BERLIN).replace(tzinfo=None) == datetime(2026, 4, 6, 8, 0)

    def test_digest_only_on_the_local_weekday(self) -> None:
        settings = ProgramSettings({"digest_weekday": "tue"})
        monday_night_utc = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)  # Tue 00:30 in Berlin
        assert r.digest("mentor", member(2, NEW_YORK), monday_night_utc, settings) is None
        spec = r.digest("mentor", member(2, BERLIN), monday_night_utc, settings)
        assert spec is not None
        assert local(spec.due_at, BERLIN).replace(tzinfo=None) == datetime(2026, 3, 3, 9, 0)
        assert spec.dedupe_key == "digest:mentor:2:2026-W10"

    def test_notice_due_now_unless_quiet(self) -> None:
        now = at(BERLIN, 2026, 3, 2, 12, 0)
        assert r.notice("frozen", 12, member(2), now, DEFAULTS).due_at == now
        night = at(BERLIN, 2026, 3, 2, 22, 0)
        assert r.notice("frozen", 12, member(2), night, DEFAULTS).due_at > night

    def test_times_must_be_aware(self) -> None:
        with pytest.raises(ValueError):
            r.quiet_until(datetime(2026, 3, 2, 12, 0), BERLIN, QUIET)


# --------------------------------------------------------------------------- dedupe keys


class TestDedupeKeys:
    def test_same_scheduling_gives_same_keys(self) -> None:
        start = at(BERLIN, 2026, 3, 10, 15, 0)
        now = at(BERLIN, 2026, 3, 2, 12, 0)
        first = r.meeting_reminders(request(scheduled=start), member(1), 0, now, DEFAULTS)
        again = r.meeting_reminders(request(scheduled=start), member(1), 0,
                                    now + timedelta(seconds=5), DEFAULTS)
        assert [s.dedupe_key for s in first] == [s.dedupe_key for s in again]
        assert len({s.dedupe_key for s in first}) == len(first)

    def test_reschedule_gives_fresh_keys(self) -> None:
        now = at(BERLIN, 2026, 3, 2, 12, 0)
        v0 = r.meeting_reminders(request(scheduled=at(BERLIN, 2026, 3, 10, 15, 0)), member(1),
                                 0, now, DEFAULTS)
        v1 = r.meeting_reminders(request(scheduled=at(BERLIN, 2026, 3, 10, 15, 0)), member(1),
                                 1, now, DEFAULTS)
        assert not {s.dedupe_key for s in v0} & {s.dedupe_key for s in v1}
        assert {r.read_payload(s.payload)["v"] for s in v1} == {1}

    def test_key_formats(self) -> None:
        assert r.request_key(ReminderKind.MENTOR_NUDGE, 12, 2) == "mentor_nudge:12:2"
        assert r.meeting_key(ReminderKind.PREP, 12, 1, 3) == "prep:12:1:v3"
        assert r.meeting_key(ReminderKind.THANKS, 12, 1, 0, 2) == "thanks:12:1:v0:2"
        assert r.followup_key(5, 1) == "followup:5:1"
        until = datetime(2026, 4, 6, 7, 0, tzinfo=UTC)
        assert r.away_key(2, until) == "away_ended:2:20260406T0700Z"
        assert r.digest_key("admin", 3, (2026, 2)) == "digest:admin:3:2026-W02"
        assert r.notice_key("frozen", 12, 2) == "notice:frozen:12:2"

    def test_away_keys_differ_per_away_period(self) -> None:
        one = datetime(2026, 4, 6, 7, 0, tzinfo=UTC)
        assert r.away_key(2, one) != r.away_key(2, one + timedelta(days=14))

    def test_snooze_one_per_day(self) -> None:
        now = at(BERLIN, 2026, 3, 10, 16, 0)
        req = request(scheduled=at(BERLIN, 2026, 3, 10, 15, 0))
        a = r.checkin_snooze(req, member(1), 0, now, DEFAULTS)
        b = r.checkin_snooze(req, member(1), 0, now + timedelta(minutes=3), DEFAULTS)
        c = r.checkin_snooze(req, member(1), 0, now + timedelta(days=1), DEFAULTS)
        assert a.dedupe_key == b.dedupe_key != c.dedupe_key
        assert a.due_at == now + timedelta(days=1)

    def test_payloads_carry_nothing_personal(self) -> None:
        req = request(scheduled=at(BERLIN, 2026, 3, 10, 15, 0))
        req.topic = "secret topic"
        specs = r.meeting_reminders(req, member(1), 0, at(BERLIN, 2026, 3, 1, 9, 0), DEFAULTS)
        specs += [r.expired_notice(req, member(1), DEFAULTS),
                  r.mentor_nudge(req, member(2), DEFAULTS)]
        for spec in specs:
            assert set(r.read_payload(spec.payload)) <= {"due", "v", "start", "n"}
            assert "secret" not in spec.payload and "M1" not in spec.payload


# --------------------------------------------------------------------------- staleness


class TestStaleness:
    def test_max_lateness_per_kind(self) -> None:
        assert r.max_lateness(ReminderKind.TIMEBOX) == timedelta(minutes=10)
        assert r.max_lateness(ReminderKind.CHECKIN) == timedelta(hours=6)
        assert r.max_lateness(ReminderKind.THANKS) == timedelta(days=2)
        assert r.max_lateness(ReminderKind.FOLLOWUP) == timedelta(days=30)
        assert r.max_lateness(ReminderKind.DIGEST) == timedelta(days=1)
        assert r.max_lateness("something-new") == r.DEFAULT_MAX_LATENESS
        for kind in ReminderKind:
            assert r.max_lateness(kind) > timedelta(0)

    def test_timebox_hours_late_is_dropped(self) -> None:
        due = datetime(2026, 3, 10, 15, 13, tzinfo=UTC)
        item = claimed(ReminderKind.TIMEBOX, due)
        assert not r.is_stale(item, due + timedelta(minutes=9))
        reason = r.stale_reason(item, due + timedelta(hours=3))
        assert reason is not None and "timebox" in reason

    def test_three_days_of_downtime(self) -> None:
        due = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
        later = due + timedelta(days=3)
        stale = {kind for kind in ReminderKind if r.is_stale(claimed(kind, due), later)}
        assert stale == {ReminderKind.MENTOR_NUDGE, ReminderKind.SCHEDULE_NUDGE,
                         ReminderKind.TIMEBOX, ReminderKind.CHECKIN, ReminderKind.THANKS,
                         ReminderKind.AWAY_ENDED, ReminderKind.DIGEST}

    def test_prep_is_stale_once_the_meeting_began(self) -> None:
        due = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
        start = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
        item = claimed(ReminderKind.PREP, due)
        context = r.SendContext(meeting_start=start)
        assert not r.is_stale(item, start - timedelta(minutes=1), context)
        assert r.is_stale(item, start, context)

    def test_lateness_counts_from_first_due_even_if_the_row_moved(self) -> None:
        first = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
        moved = first + timedelta(minutes=8)  # a dispatcher backed off after a failure
        item = claimed(ReminderKind.TIMEBOX, moved, r.make_payload(due=first.isoformat()))
        assert r.first_due(item) == first
        assert r.is_stale(item, first + timedelta(minutes=11))

    def test_unreadable_payload_falls_back_to_row(self) -> None:
        due = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
        assert r.first_due(claimed(ReminderKind.THANKS, due, "not json")) == due
        assert r.read_payload("[1, 2]") == {}


class TestHeldAtSendTime:
    """A reminder that falls due inside quiet hours all the same (sent late after downtime,
    or its recipient moved to another zone) is held to the end of them when it is sent."""

    def test_inside_quiet_hours_it_waits_for_the_morning(self) -> None:
        night = at(BERLIN, 2026, 3, 11, 23, 30)
        until = r.send_time_hold(ReminderKind.THANKS, night, BERLIN, QUIET)
        assert until == at(BERLIN, 2026, 3, 12, 8, 0)
        assert r.send_time_hold(ReminderKind.THANKS, at(BERLIN, 2026, 3, 12, 8, 0), BERLIN,
                                QUIET) is None
        assert r.send_time_hold(ReminderKind.THANKS, night, BERLIN, None) is None

    def test_time_box_and_check_in_are_never_held(self) -> None:
        night = at(BERLIN, 2026, 3, 11, 23, 30)
        for kind in (ReminderKind.TIMEBOX, ReminderKind.CHECKIN):
            assert r.send_time_hold(kind, night, BERLIN, QUIET) is None

    def test_a_prep_kit_goes_at_night_rather_than_after_the_meeting_began(self) -> None:
        night = at(BERLIN, 2026, 3, 11, 23, 30)
        early = at(BERLIN, 2026, 3, 12, 7, 30)
        assert r.send_time_hold(ReminderKind.PREP, night, BERLIN, QUIET, early) is None
        later = at(BERLIN, 2026, 3, 12, 10, 0)
        assert r.send_time_hold(ReminderKind.PREP, night, BERLIN, QUIET, later) == \
            at(BERLIN, 2026, 3, 12, 8, 0)

    def test_the_reason_carries_the_time_and_nothing_else_is_read_as_one(self) -> None:
        until = at(BERLIN, 2026, 3, 12, 8, 0)
        reason = r.held_reason(until)
        assert reason.startswith("held until ") and "quiet hours" in reason
        assert r.held_until(reason) == until
        for other in ("ok", "moot: the request is cancelled", "held until tomorrow",
                      "stale: 3 days late", "held until 2026-03-12T08:00:00 (naive)"):
            assert r.held_until(other) is None
