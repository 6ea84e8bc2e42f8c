"""Program stats computed from plain entities, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.domain import (
    FollowUp,
    FollowUpStatus,
    IntroRequest,
    MentorProfile,
    RequestStatus,
    SearchEvent,
    month_key,
)
from bot.usecases.admin import (
    IndustryBalance,
    compute_stats,
    human_duration,
    industry_table,
    is_findable,
    render_stats,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
DAYS = 30


def req(
    rid: int,
    status: RequestStatus,
    days_ago: float,
    industry: str = "",
    reply_after: timedelta | None = None,
    thanked: bool = False,
    lint_flagged: bool = False,
) -> IntroRequest:
    created = NOW - timedelta(days=days_ago)
    return IntroRequest(
        id=rid,
        community_id=1,
        seeker_id=100 + rid,
        mentor_id=200 + rid,
        created_at=created,
        expires_at=created + timedelta(days=7),
        topic=f"topic {rid}",
        status=status,
        industry=industry,
        responded_at=created + reply_after if reply_after is not None else None,
        thanked_at=created + timedelta(days=1) if thanked else None,
        lint_flagged=lint_flagged,
    )


def search(days_ago: float, terms: str = "", industry: str = "", results: int = 1) -> SearchEvent:
    return SearchEvent(
        community_id=1,
        at=NOW - timedelta(days=days_ago),
        terms=terms,
        industry=industry,
        results=results,
    )


def mentor(member_id: int, industries: str, **changes: object) -> MentorProfile:
    profile = MentorProfile(
        community_id=1,
        member_id=member_id,
        created_at=NOW - timedelta(days=100),
        updated_at=NOW - timedelta(days=100),
        industries=industries,
        capacity=2,
    )
    for key, value in changes.items():
        setattr(profile, key, value)
    return profile


def followup(request_id: int, status: FollowUpStatus) -> FollowUp:
    return FollowUp(
        community_id=1,
        request_id=request_id,
        seeker_id=1,
        text="read the book",
        created_at=NOW - timedelta(days=1),
        status=status,
    )


REQUESTS = [
    req(1, RequestStatus.PENDING, 2, "Software"),
    req(2, RequestStatus.ACCEPTED, 10, "Finance", timedelta(hours=2)),
    req(3, RequestStatus.COMPLETED, 20, "Fintech", timedelta(hours=4), thanked=True),
    req(4, RequestStatus.COMPLETED, 15, "Software", timedelta(days=1), lint_flagged=True),
    req(5, RequestStatus.DECLINED, 5, "software", timedelta(hours=6)),
    req(6, RequestStatus.EXPIRED, 12, "Aerospace"),
    req(7, RequestStatus.CANCELLED, 3, "Healthcare"),  # withdrawn before any answer
    req(8, RequestStatus.CANCELLED, 4, "health care", timedelta(minutes=30)),  # after a yes
    req(9, RequestStatus.COMPLETED, 40, "Software", timedelta(hours=1), thanked=True),  # old
]
SEARCHES = [
    search(1, industry="banking"),
    search(2, terms="machine learning"),
    search(3, terms="aerospace", results=0),
    search(4, terms="hello world", results=0),
    search(31, industry="Software"),  # outside the window
]
MENTORS = [
    mentor(1, "Software, Fintech"),
    mentor(2, "Software", away_until=NOW + timedelta(days=3)),
    mentor(3, "Finance", active=False, available=False),
    mentor(4, "Software", capacity=1, accepted_month=month_key(NOW), accepted_count=1),
    mentor(5, "Aerospace, software engineering, Software"),
    mentor(6, "Healthcare"),  # blocked
    mentor(7, "Machine Learning", away_until=NOW - timedelta(days=1)),
    mentor(8, "Law", available=False),
]
FOLLOWUPS = [
    followup(3, FollowUpStatus.DONE),
    followup(3, FollowUpStatus.OPEN),
    followup(4, FollowUpStatus.CANCELLED),
    followup(9, FollowUpStatus.DONE),  # its request is outside the window
]


def test_counts_requests_in_the_window_by_status() -> None:
    stats = compute_stats(REQUESTS, SEARCHES, MENTORS, NOW, DAYS)
    assert stats.requests == 8
    assert stats.since == NOW - timedelta(days=30)
    assert stats.by_status["completed"] == 2
    assert stats.by_status["cancelled"] == 2
    assert stats.by_status["pending"] == 1
    assert stats.by_status["no_show"] == 0
    assert sum(stats.by_status.values()) == 8
    assert stats.lint_flagged == 1


def test_acceptance_counts_yes_answers_even_when_cancelled_later() -> None:
    stats = compute_stats(REQUESTS, SEARCHES, MENTORS, NOW, DAYS)
    # accepted #2, completed #3 #4, cancelled-after-yes #8; declined #5
    assert stats.accepted == 4
    assert stats.answered == 5
    assert stats.acceptance_rate == 0.8


def test_median_time_to_reply_over_answered_requests() -> None:
    stats = compute_stats(REQUESTS, SEARCHES, MENTORS, NOW, DAYS)
    # 30 min, 2 h, 4 h, 6 h, 1 day
    assert stats.median_reply == timedelta(hours=4)


def test_median_of_an_even_number_is_the_middle_of_the_two() -> None:
    two = [
        req(1, RequestStatus.ACCEPTED, 1, reply_after=timedelta(hours=1)),
        req(2, RequestStatus.DECLINED, 1, reply_after=timedelta(hours=3)),
    ]
    assert compute_stats(two, [], [], NOW, 7).median_reply == timedelta(hours=2)


def test_meetings_and_thank_you_rate() -> None:
    stats = compute_stats(REQUESTS, SEARCHES, MENTORS, NOW, DAYS)
    assert stats.meetings_held == 2
    assert stats.thanked == 1
    assert stats.thank_you_rate == 0.5


def test_follow_ups_of_the_windows_requests() -> None:
    stats = compute_stats(REQUESTS, SEARCHES, MENTORS, NOW, DAYS, followups=FOLLOWUPS)
    assert stats.followups == 2
    assert stats.followups_done == 1


def test_searches_in_the_window() -> None:
    stats = compute_stats(REQUESTS, SEARCHES, MENTORS, NOW, DAYS)
    assert stats.searches == 4
    assert stats.searches_without_results == 2


def test_supply_and_demand_by_industry_largest_gap_first() -> None:
    stats = compute_stats(
        REQUESTS, SEARCHES, MENTORS, NOW, DAYS, blocked_member_ids=frozenset({6})
    )
    table = {b.industry: (b.demand, b.supply, b.gap) for b in stats.industries}
    assert table == {
        # requests #2 #3 (Fintech) + search "banking"; mentor 1 (Fintech)
        "Finance": (3, 1, 2),
        # requests #7 #8 ("health care"); mentor 6 is blocked
        "Healthcare": (2, 0, 2),
        # requests #1 #4 #5; mentors 1 and 5 (5 counted once); 2 away, 4 full
        "Software": (3, 2, 1),
        # request #6 + keyword search; mentor 5
        "Aerospace": (2, 1, 1),
        # keyword search; mentor 7 whose away time has passed
        "Data & AI": (1, 1, 0),
        # mentor 8 is unavailable: no supply, no demand
    }
    assert [b.industry for b in stats.industries] == [
        "Finance", "Healthcare", "Software", "Aerospace", "Data & AI",
    ]


def test_unblocked_mentor_counts_as_supply() -> None:
    stats = compute_stats(REQUESTS, SEARCHES, MENTORS, NOW, DAYS)
    healthcare = next(b for b in stats.industries if b.industry == "Healthcare")
    assert healthcare.supply == 1


def test_naive_datetimes_from_storage_are_read_as_utc() -> None:
    naive = req(1, RequestStatus.ACCEPTED, 1, "Software", timedelta(hours=5))
    naive.created_at = naive.created_at.replace(tzinfo=None)
    assert naive.responded_at is not None
    naive.responded_at = naive.responded_at.replace(tzinfo=None)
    old = req(2, RequestStatus.PENDING, 8, "Software")
    old.created_at = old.created_at.replace(tzinfo=None)
    stats = compute_stats([naive, old], [], [], NOW, 7)
    assert stats.requests == 1
    assert stats.median_reply == timedelta(hours=5)


def test_nothing_yet_gives_no_rates() -> None:
    stats = compute_stats([], [], [], NOW, 30)
    assert stats.requests == 0
    assert stats.acceptance_rate is None
    assert stats.thank_you_rate is None
    assert stats.median_reply is None
    assert stats.industries == ()
    message = render_stats(stats)
    values = {f.label: f.value for f in message.fields}
    assert values["Acceptance rate"].startswith("—")
    assert values["Median time to reply"] == "—"
    assert "no industry picture" in message.text


def test_findability_rules() -> None:
    assert is_findable(mentor(1, "Law"), NOW, frozenset())
    assert not is_findable(mentor(1, "Law"), NOW, frozenset({1}))
    assert not is_findable(mentor(1, "Law", active=False), NOW, frozenset())
    assert not is_findable(mentor(1, "Law", available=False), NOW, frozenset())
    assert not is_findable(mentor(1, "Law", away_until=NOW + timedelta(minutes=1)), NOW,
                           frozenset())
    assert is_findable(mentor(1, "Law", away_until=NOW), NOW, frozenset())
    full = mentor(1, "Law", capacity=2, accepted_month=month_key(NOW), accepted_count=2)
    assert not is_findable(full, NOW, frozenset())
    last_month = mentor(1, "Law", capacity=2, accepted_month="2026-10", accepted_count=2)
    assert is_findable(last_month, NOW, frozenset())


def test_human_durations() -> None:
    assert human_duration(timedelta(seconds=20)) == "under a minute"
    assert human_duration(timedelta(minutes=45)) == "45 min"
    assert human_duration(timedelta(hours=3)) == "3 h"
    assert human_duration(timedelta(hours=3, minutes=20)) == "3 h 20 min"
    assert human_duration(timedelta(days=1)) == "1 day"
    assert human_duration(timedelta(days=2, hours=4, minutes=10)) == "2 days 4 h"


def test_rendered_stats_show_the_numbers_and_the_table() -> None:
    stats = compute_stats(
        REQUESTS, SEARCHES, MENTORS, NOW, DAYS,
        blocked_member_ids=frozenset({6}), followups=FOLLOWUPS,
    )
    message = render_stats(stats)
    values = {f.label: f.value for f in message.fields}
    assert values["Requests"] == "8"
    assert values["Acceptance rate"] == "80% (4 of 5 answered)"
    assert values["Median time to reply"] == "4 h"
    assert values["Meetings held"] == "2"
    assert values["Thank-you rate"] == "50% (1 of 2)"
    assert values["Follow-ups done"] == "1 of 2"
    assert "last 30 days" in message.text
    lines = message.text.split("```")[1].strip().splitlines()
    assert lines[0].split() == ["Industry", "Demand", "Supply", "Gap"]
    assert lines[1].split() == ["Finance", "3", "1", "+2"]
    assert lines[-1].split() == ["Data", "&", "AI", "1", "1", "+0"]


def test_industry_table_is_cut_after_the_limit() -> None:
    balances = [IndustryBalance(f"Field {i}", demand=20 - i, supply=0) for i in range(20)]
    table = industry_table(balances, limit=5)
    assert len(table.splitlines()) == 1 + 5 + 1
    assert table.splitlines()[-1] == "… and 15 more"


@given(
    st.lists(
        st.tuples(
            st.sampled_from(list(RequestStatus)),
            st.booleans(),
            st.integers(min_value=0, max_value=60),
        ),
        max_size=40,
    )
)
def test_rates_stay_between_zero_and_one(rows: list[tuple[RequestStatus, bool, int]]) -> None:
    requests = [
        req(i, status, days_ago, "Software", timedelta(hours=1) if answered else None,
            thanked=answered)
        for i, (status, answered, days_ago) in enumerate(rows)
    ]
    stats = compute_stats(requests, [], [], NOW, DAYS)
    assert stats.accepted <= stats.answered <= stats.requests
    assert stats.thanked <= stats.meetings_held
    for rate in (stats.acceptance_rate, stats.thank_you_rate):
        assert rate is None or 0 <= rate <= 1
    assert sum(stats.by_status.values()) == stats.requests
