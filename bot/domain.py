"""Entities of the program. Plain dataclasses; `storage/` maps them onto tables.

All datetimes are timezone-aware UTC in the core (storage hands back naive UTC from SQLite;
`bot.clock.as_utc` normalises).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Platform(StrEnum):
    SLACK = "slack"
    DISCORD = "discord"
    CONSOLE = "console"


class RequestStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    DECLINED = "declined"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


OPEN_STATUSES = frozenset({RequestStatus.PENDING})
ACTIVE_STATUSES = frozenset(
    {RequestStatus.PENDING, RequestStatus.ACCEPTED, RequestStatus.SCHEDULED}
)

# The state machine of DESIGN.md §2: from -> allowed targets.
TRANSITIONS: dict[RequestStatus, frozenset[RequestStatus]] = {
    RequestStatus.PENDING: frozenset(
        {
            RequestStatus.ACCEPTED,
            RequestStatus.DECLINED,
            RequestStatus.EXPIRED,
            RequestStatus.CANCELLED,
        }
    ),
    # accepted → completed: the seeker logs a meeting whose time was never recorded.
    RequestStatus.ACCEPTED: frozenset(
        {RequestStatus.SCHEDULED, RequestStatus.COMPLETED, RequestStatus.CANCELLED}
    ),
    RequestStatus.SCHEDULED: frozenset(
        {
            RequestStatus.SCHEDULED,
            RequestStatus.COMPLETED,
            RequestStatus.CANCELLED,
            RequestStatus.NO_SHOW,
        }
    ),
    RequestStatus.COMPLETED: frozenset(),
    RequestStatus.DECLINED: frozenset(),
    RequestStatus.EXPIRED: frozenset(),
    RequestStatus.CANCELLED: frozenset(),
    RequestStatus.NO_SHOW: frozenset(),
}


class MeetingFormat(StrEnum):
    CALL = "call"
    VIDEO = "video"
    COFFEE = "coffee"
    ASYNC = "async"


FORMAT_LABELS: dict[MeetingFormat, str] = {
    MeetingFormat.CALL: "15-minute call",
    MeetingFormat.VIDEO: "Video chat",
    MeetingFormat.COFFEE: "Coffee in person",
    MeetingFormat.ASYNC: "Async questions in writing",
}


class WarmIntroStatus(StrEnum):
    PENDING = "pending"  # the mentor is asked first
    MENTOR_ACCEPTED = "mentor_accepted"  # now the seeker is asked
    ACCEPTED = "accepted"  # both said yes: an accepted intro request exists
    DECLINED = "declined"


@dataclass
class Community:
    """The tenant: a Slack team, a Discord guild or a console community."""

    platform: str
    external_id: str
    name: str
    created_at: datetime
    id: int | None = None


@dataclass
class Member:
    community_id: int
    platform_user_id: str
    display_name: str
    handle: str
    created_at: datetime
    timezone: str = "UTC"
    is_admin: bool = False
    dm_channel_id: str | None = None
    erased_at: datetime | None = None
    id: int | None = None


@dataclass
class MentorProfile:
    community_id: int
    member_id: int
    created_at: datetime
    updated_at: datetime
    headline: str = ""
    industries: str = ""  # comma-separated, as typed ("Software, Fintech")
    expertise: str = ""  # comma-separated tags
    company: str = ""
    role: str = ""
    cohort: str = ""  # class year or cohort, e.g. "2015"
    bio: str = ""
    formats: str = "call,video"  # comma-separated MeetingFormat values
    capacity: int = 2  # intros per month
    available: bool = True
    away_until: datetime | None = None
    active: bool = True  # False once the mentor leaves
    consecutive_expiries: int = 0
    accepted_month: str = ""  # "YYYY-MM" that accepted_count counts
    accepted_count: int = 0
    last_requested_at: datetime | None = None
    recent_requests: int = 0  # requests received in the current month
    search_text: str = ""  # denormalised text for full-text search
    id: int | None = None

    def industry_list(self) -> list[str]:
        return split_list(self.industries)

    def expertise_list(self) -> list[str]:
        return split_list(self.expertise)

    def format_list(self) -> list[str]:
        return split_list(self.formats)


@dataclass
class IntroRequest:
    community_id: int
    seeker_id: int | None  # None once the seeker's data is erased
    mentor_id: int | None  # member id of the mentor; None once erased
    created_at: datetime
    expires_at: datetime
    topic: str  # what I want to learn
    status: str = RequestStatus.PENDING
    why_you: str = ""
    format: str = MeetingFormat.CALL
    availability: str = ""
    industry: str = ""  # the mentor's first industry at request time (for stats)
    lint_flagged: bool = False
    via_warm_intro_id: int | None = None
    responded_at: datetime | None = None
    decline_reason: str = ""
    scheduled_at: datetime | None = None
    duration_minutes: int | None = None
    completed_at: datetime | None = None
    learned: str = ""
    thanked_at: datetime | None = None
    mentor_nudged: bool = False
    updated_at: datetime | None = None
    id: int | None = None


@dataclass
class WarmIntro:
    community_id: int
    connector_id: int | None
    seeker_id: int | None
    mentor_id: int | None
    created_at: datetime
    note: str = ""
    status: str = WarmIntroStatus.PENDING
    responded_at: datetime | None = None
    id: int | None = None


@dataclass
class ProgramSetting:
    community_id: int
    key: str
    value: str
    updated_at: datetime
    id: int | None = None


@dataclass
class Block:
    community_id: int
    member_id: int
    blocked_by_id: int | None
    created_at: datetime
    reason: str = ""
    id: int | None = None


@dataclass
class AuditEntry:
    """Who did what to which entity. Actor ids are cleared when that actor is forgotten."""

    community_id: int
    action: str
    at: datetime
    actor_id: int | None = None
    entity: str = ""
    entity_id: int | None = None
    detail: str = ""
    id: int | None = None


@dataclass
class SearchEvent:
    """An anonymous record of what seekers look for (demand side of the stats)."""

    community_id: int
    at: datetime
    terms: str = ""
    industry: str = ""
    company: str = ""
    results: int = 0
    id: int | None = None


@dataclass
class MentorHit:
    """A search result: the profile, its member, and how well it fits."""

    profile: MentorProfile
    member: Member
    score: float


@dataclass
class MentorQuery:
    terms: list[str] = field(default_factory=list)
    industry: str = ""
    company: str = ""
    exclude_member_ids: frozenset[int] = frozenset()
    limit: int = 5


def split_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def month_key(instant: datetime) -> str:
    return instant.strftime("%Y-%m")


class FollowUpStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


@dataclass
class FollowUp:
    """A door the mentor opened (an intro to someone, reading, other) with a reminder."""

    community_id: int
    request_id: int
    seeker_id: int | None
    text: str
    created_at: datetime
    due_at: datetime | None = None
    status: str = FollowUpStatus.OPEN
    done_at: datetime | None = None
    id: int | None = None


class ReminderKind(StrEnum):
    MENTOR_NUDGE = "mentor_nudge"
    EXPIRED = "expired"
    SCHEDULE_NUDGE = "schedule_nudge"
    PREP = "prep"
    TIMEBOX = "timebox"
    CHECKIN = "checkin"
    THANKS = "thanks"
    FOLLOWUP = "followup"
    AWAY_ENDED = "away_ended"
    DIGEST = "digest"
    NOTICE = "notice"  # an immediate DM queued for reliable delivery


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt
    DROPPED = "dropped"  # moot or too late to be useful
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class ReminderSpec:
    """A reminder to put in the outbox. `dedupe_key` is unique: scheduling the same
    reminder twice keeps one row."""

    community_id: int
    recipient_id: int
    kind: str
    due_at: datetime
    dedupe_key: str
    request_id: int | None = None
    payload: str = "{}"  # JSON: what the renderer needs beyond the entity ids


@dataclass(frozen=True)
class ClaimedReminder:
    """An outbox row claimed by one dispatcher under a lease."""

    id: int
    community_id: int
    recipient_id: int
    kind: str
    due_at: datetime
    dedupe_key: str
    request_id: int | None
    payload: str
    attempts: int
    lease_owner: str
    lease_until: datetime
