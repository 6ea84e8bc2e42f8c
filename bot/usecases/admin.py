"""Running the program: stats, CSV export, settings, blocking (`/intro admin ...`).

Every use case here is for admins only (`require_admin`).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.clock import as_utc
from bot.context import Actor
from bot.domain import (
    Block,
    FollowUp,
    FollowUpStatus,
    IntroRequest,
    Member,
    MentorProfile,
    RequestStatus,
    SearchEvent,
)
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.guidance import canonical_industry
from bot.messages import Attachment, Field, Message, Outcome
from bot.ports import UnitOfWork
from bot.program_settings import SPECS, ProgramSettings, validate_setting
from bot.usecases.common import audit, remaining_capacity, require_admin

MAX_STATS_DAYS = 3650
INDUSTRY_ROWS_SHOWN = 15

# Once a mentor said yes, the request counts as accepted whatever happened next.
_ACCEPTED_OR_LATER = frozenset(
    {
        RequestStatus.ACCEPTED.value,
        RequestStatus.SCHEDULED.value,
        RequestStatus.COMPLETED.value,
        RequestStatus.NO_SHOW.value,
    }
)


# ---------------------------------------------------------------- stats


@dataclass(frozen=True)
class IndustryBalance:
    """Demand (searches and requests naming the industry) against findable mentors."""

    industry: str
    demand: int
    supply: int

    @property
    def gap(self) -> int:
        return self.demand - self.supply


@dataclass(frozen=True)
class ProgramStats:
    days: int
    since: datetime
    requests: int
    by_status: dict[str, int]
    answered: int  # accepted (or later) plus declined
    accepted: int  # accepted or later, including accepted-then-cancelled
    acceptance_rate: float | None  # accepted / answered; None when nothing was answered
    median_reply: timedelta | None  # responded_at - created_at over answered requests
    meetings_held: int  # completed
    thanked: int  # completed with thanked_at set
    thank_you_rate: float | None  # thanked / meetings_held
    lint_flagged: int
    searches: int
    searches_without_results: int
    followups: int  # follow-ups logged on the window's requests (not cancelled)
    followups_done: int
    industries: tuple[IndustryBalance, ...] = field(default_factory=tuple)


def is_findable(profile: MentorProfile, now: datetime, blocked: frozenset[int]) -> bool:
    """The findability rule of DESIGN.md §2, as the storage search applies it."""
    away_until = as_utc(profile.away_until)
    return (
        profile.active
        and profile.available
        and (away_until is None or away_until <= now)
        and remaining_capacity(profile, now) > 0
        and profile.member_id not in blocked
    )


class _IndustryNames:
    """Maps free-text industries onto one key per industry.

    Known industries (and their synonyms) become the canonical name of `bot.guidance`;
    anything else is matched case-insensitively and shown as first written.
    """

    def __init__(self) -> None:
        self._labels: dict[str, str] = {}

    def key(self, text: str) -> str | None:
        cleaned = " ".join(text.split())
        if not cleaned:
            return None
        canonical = canonical_industry(cleaned)
        if canonical is not None:
            return canonical
        return self._labels.setdefault(cleaned.casefold(), cleaned)

    def from_terms(self, terms: str) -> str | None:
        """The industry a keyword search asks for, if it names one."""
        cleaned = " ".join(terms.split())
        if not cleaned:
            return None
        canonical = canonical_industry(cleaned)
        if canonical is not None:
            return canonical
        folded = cleaned.casefold()
        words = set(folded.split())
        for label_key, label in self._labels.items():
            if label_key == folded or label_key in words:
                return label
        return None


def _median(values: list[timedelta]) -> timedelta | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def compute_stats(
    requests: Iterable[IntroRequest],
    searches: Iterable[SearchEvent],
    mentors: Iterable[MentorProfile],
    now: datetime,
    days: int,
    blocked_member_ids: frozenset[int] = frozenset(),
    followups: Iterable[FollowUp] = (),
) -> ProgramStats:
    """Program numbers over requests created and searches made in the last `days`.

    Pure: callers hand in whatever storage returned; rows older than the window are ignored.
    Supply is counted at `now` over findable mentors, once per mentor and industry.
    """
    since = now - timedelta(days=days)
    window = [r for r in requests if (as_utc(r.created_at) or now) >= since]
    by_status = {status.value: 0 for status in RequestStatus}
    for request in window:
        by_status[request.status] = by_status.get(request.status, 0) + 1

    accepted = [
        r
        for r in window
        if r.status in _ACCEPTED_OR_LATER
        or (r.status == RequestStatus.CANCELLED.value and r.responded_at is not None)
    ]
    declined = [r for r in window if r.status == RequestStatus.DECLINED.value]
    answered = accepted + declined
    waits = [
        responded - created
        for r in answered
        if (responded := as_utc(r.responded_at)) is not None
        and (created := as_utc(r.created_at)) is not None
    ]
    median_reply = _median(waits)
    completed = [r for r in window if r.status == RequestStatus.COMPLETED.value]
    thanked = sum(1 for r in completed if r.thanked_at is not None)

    window_ids = {r.id for r in window if r.id is not None}
    tracked = [
        f for f in followups
        if f.request_id in window_ids and f.status != FollowUpStatus.CANCELLED.value
    ]

    names = _IndustryNames()
    supply: Counter[str] = Counter()
    for profile in mentors:
        keys = {k for text in profile.industry_list() if (k := names.key(text))}
        if is_findable(profile, now, blocked_member_ids):
            supply.update(keys)
    demand: Counter[str] = Counter()
    window_searches = [s for s in searches if (as_utc(s.at) or now) >= since]
    for search in window_searches:
        wanted = names.key(search.industry) if search.industry.strip() else None
        if wanted is None:
            wanted = names.from_terms(search.terms)
        if wanted is not None:
            demand[wanted] += 1
    for request in window:
        wanted = names.key(request.industry)
        if wanted is not None:
            demand[wanted] += 1
    balances = [
        IndustryBalance(industry=name, demand=demand[name], supply=supply[name])
        for name in set(demand) | set(supply)
    ]
    balances.sort(key=lambda b: (-b.gap, -b.demand, b.industry.casefold()))

    return ProgramStats(
        days=days,
        since=since,
        requests=len(window),
        by_status=by_status,
        answered=len(answered),
        accepted=len(accepted),
        acceptance_rate=_rate(len(accepted), len(answered)),
        median_reply=median_reply,
        meetings_held=len(completed),
        thanked=thanked,
        thank_you_rate=_rate(thanked, len(completed)),
        lint_flagged=sum(1 for r in window if r.lint_flagged),
        searches=len(window_searches),
        searches_without_results=sum(1 for s in window_searches if s.results == 0),
        followups=len(tracked),
        followups_done=sum(1 for f in tracked if f.status == FollowUpStatus.DONE.value),
        industries=tuple(balances),
    )


def human_duration(delta: timedelta) -> str:
    """``3 h 20 min``, ``2 days 4 h``, ``45 min``, ``under a minute``."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return "under a minute"
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        text = f"{days} day{'s' if days != 1 else ''}"
        return f"{text} {hours} h" if hours else text
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{mins} min"


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{round(rate * 100)}%"


def industry_table(balances: Sequence[IndustryBalance], limit: int = INDUSTRY_ROWS_SHOWN) -> str:
    """A fixed-width table, largest gap first (the caller sorts)."""
    rows = list(balances[:limit])
    width = max([len("Industry"), *(len(b.industry[:30]) for b in rows)])
    lines = [f"{'Industry':<{width}}  Demand  Supply    Gap"]
    for b in rows:
        lines.append(f"{b.industry[:30]:<{width}}  {b.demand:>6}  {b.supply:>6}  {b.gap:>+5}")
    if len(balances) > limit:
        lines.append(f"… and {len(balances) - limit} more")
    return "\n".join(lines)


def render_stats(stats: ProgramStats) -> Message:
    period = "the last day" if stats.days == 1 else f"the last {stats.days} days"
    statuses = ", ".join(f"{name} {count}" for name, count in stats.by_status.items() if count)
    fields = [
        Field("Requests", str(stats.requests)),
        Field("By status", statuses or "—"),
        Field(
            "Acceptance rate",
            f"{_percent(stats.acceptance_rate)} ({stats.accepted} of {stats.answered} answered)",
        ),
        Field(
            "Median time to reply",
            human_duration(stats.median_reply) if stats.median_reply is not None else "—",
        ),
        Field("Meetings held", str(stats.meetings_held)),
        Field(
            "Thank-you rate",
            f"{_percent(stats.thank_you_rate)} ({stats.thanked} of {stats.meetings_held})",
        ),
        Field("Follow-ups done", f"{stats.followups_done} of {stats.followups}"),
        Field("Flagged as job-seeking", str(stats.lint_flagged)),
        Field(
            "Searches",
            f"{stats.searches} ({stats.searches_without_results} found nobody)",
        ),
    ]
    if stats.industries:
        text = (
            f"How the program went over {period}. Supply and demand by industry "
            "(demand = searches and requests, supply = mentors findable now, "
            "largest gap first):\n```\n" + industry_table(stats.industries) + "\n```"
        )
    else:
        text = (
            f"How the program went over {period}. No searches, requests or findable "
            "mentors yet, so there is no industry picture to show."
        )
    return Message(title="Program stats", text=text, fields=tuple(fields))


def program_stats(uow: UnitOfWork, actor: Actor, days: int, now: datetime) -> Outcome:
    require_admin(actor)
    if not 1 <= days <= MAX_STATS_DAYS:
        raise InvalidInput(
            f"Stats cover 1 to {MAX_STATS_DAYS} days; try /intro admin stats 30."
        )
    since = now - timedelta(days=days)
    cid = actor.community_id
    mentors = uow.mentors.all(cid)
    blocked = frozenset(
        p.member_id for p in mentors if uow.blocks.get(cid, p.member_id) is not None
    )
    window = uow.requests.all(cid, since=since)
    # Follow-ups are logged once a mentor said yes; only those requests can carry any.
    followups = [
        f
        for r in window
        if r.id is not None and r.status in _ACCEPTED_OR_LATER
        for f in uow.followups.for_request(cid, r.id)
    ]
    stats = compute_stats(
        window,
        uow.searches.since(cid, since),
        mentors,
        now,
        days,
        blocked_member_ids=blocked,
        followups=followups,
    )
    return Outcome(reply=render_stats(stats))


# ---------------------------------------------------------------- export

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

REQUEST_COLUMNS = (
    "id", "created_at", "status", "industry", "format", "responded_at", "scheduled_at",
    "completed_at", "thanked_at", "lint_flagged", "seeker_handle", "mentor_handle",
)
MENTOR_COLUMNS = (
    "handle", "display_name", "headline", "industries", "expertise", "company", "role",
    "cohort", "formats", "capacity", "available", "away_until", "timezone", "status",
)


def csv_cell(value: object) -> str:
    """Text for one CSV cell; a leading = + - @ gets a quote so spreadsheets don't run it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        aware = as_utc(value)
        assert aware is not None
        return aware.isoformat()
    text = str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read accents right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def _handle(people: dict[int, Member], member_id: int | None) -> str:
    if member_id is None:
        return ""
    member = people.get(member_id)
    if member is None or member.erased_at is not None:
        return ""
    return member.handle


def _request_rows(uow: UnitOfWork, cid: int) -> list[list[object]]:
    requests = sorted(uow.requests.all(cid), key=lambda r: r.id or 0)
    ids = {i for r in requests for i in (r.seeker_id, r.mentor_id) if i is not None}
    people = uow.members.many(cid, sorted(ids))
    return [
        [
            r.id, r.created_at, r.status, r.industry, r.format, r.responded_at,
            r.scheduled_at, r.completed_at, r.thanked_at, r.lint_flagged,
            _handle(people, r.seeker_id), _handle(people, r.mentor_id),
        ]
        for r in requests
    ]


def mentor_status(uow: UnitOfWork, profile: MentorProfile) -> str:
    """``active``, ``invited`` (imported, not yet opted in) or ``left``."""
    if profile.active:
        return "active"
    if profile.id is None:
        return "left"
    actions = {e.action for e in uow.audit.for_entity(profile.community_id, "mentor_profile",
                                                      profile.id)}
    if "mentor.invited" in actions and not actions & {"mentor.joined", "mentor.left"}:
        return "invited"
    return "left"


def _mentor_rows(uow: UnitOfWork, cid: int) -> list[list[object]]:
    profiles = sorted(uow.mentors.all(cid), key=lambda p: p.id or 0)
    people = uow.members.many(cid, [p.member_id for p in profiles])
    rows: list[list[object]] = []
    for p in profiles:
        member = people.get(p.member_id)
        if member is None or member.erased_at is not None:
            continue
        rows.append([
            member.handle, member.display_name, p.headline, p.industries, p.expertise,
            p.company, p.role, p.cohort, p.formats, p.capacity, p.available, p.away_until,
            member.timezone, mentor_status(uow, p),
        ])
    return rows


def export_csv(uow: UnitOfWork, actor: Actor, what: str, now: datetime) -> Outcome:
    require_admin(actor)
    kind = what.strip().lower()
    cid = actor.community_id
    header: Sequence[str]
    if kind == "requests":
        header, rows = REQUEST_COLUMNS, _request_rows(uow, cid)
    elif kind == "mentors":
        header, rows = MENTOR_COLUMNS, _mentor_rows(uow, cid)
    else:
        raise InvalidInput(
            "I can export 'requests' or 'mentors': try /intro admin export requests."
        )
    filename = f"introbot-{kind}-{now:%Y-%m-%d}.csv"
    noun = "request" if kind == "requests" else "mentor"
    count = f"{len(rows)} {noun}{'s' if len(rows) != 1 else ''}"
    audit(uow, actor, cid, "export.csv", now, detail=f"{kind}: {len(rows)} rows")
    return Outcome(
        reply=Message(
            text=f"Here is the {kind} export: {count}.",
            attachments=(
                Attachment(
                    filename=filename,
                    content=to_csv(header, rows),
                    mime_type="text/csv",
                    title=f"Introbot {kind}",
                ),
            ),
        )
    )


# ---------------------------------------------------------------- settings


def show_config(uow: UnitOfWork, actor: Actor) -> Outcome:
    require_admin(actor)
    current = ProgramSettings(uow.settings.get_all(actor.community_id)).raw()
    fields = []
    for key, spec in SPECS.items():
        value = current[key]
        marker = " (default)" if value == spec.default else f" (default {spec.default})"
        fields.append(Field(key, f"{value}{marker} — {spec.help}"))
    return Outcome(
        reply=Message(
            title="Program settings",
            text="Change one with /intro admin config KEY VALUE, e.g. "
            "/intro admin config request_expiry_days 10.",
            fields=tuple(fields),
        )
    )


def set_config(uow: UnitOfWork, actor: Actor, key: str, value: str, now: datetime) -> Outcome:
    require_admin(actor)
    key = key.strip().lower()
    new = validate_setting(key, value)
    cid = actor.community_id
    stored = uow.settings.get_all(cid)
    old = ProgramSettings(stored).raw()[key]
    if new == old:
        return Outcome(reply=Message(text=f"{key} is already {old}; nothing changed."))
    uow.settings.set(cid, key, new, now)
    actor.settings = ProgramSettings({**stored, key: new})
    audit(uow, actor, cid, "config.changed", now, "setting", detail=f"{key}: {old} → {new}")
    return Outcome(reply=Message(text=f"{key}: {old} → {new}. {SPECS[key].help.capitalize()}."))


# ---------------------------------------------------------------- block


def _is_admin(member: Member, admin_ids: frozenset[str]) -> bool:
    return member.is_admin or member.platform_user_id in admin_ids or member.handle in admin_ids


def block_member(
    uow: UnitOfWork,
    actor: Actor,
    target: Member,
    now: datetime,
    admin_ids: frozenset[str] = frozenset(),
    reason: str = "",
) -> Outcome:
    """Stop a member from requesting intros and from being found.

    Nothing in flight is cancelled; `admin_ids` are the configured admin platform ids or
    handles (as `resolve_actor` gets them), so those admins can't be blocked either.
    """
    require_admin(actor)
    if target.erased_at is not None or target.id is None:
        raise NotFound("That member is no longer in this community.")
    if target.id == actor.member_id:
        raise NotAllowed("You can't block yourself. Ask another admin if something's wrong.")
    if _is_admin(target, admin_ids):
        raise NotAllowed(
            f"{target.display_name} is a program admin, so they can't be blocked. "
            "Remove their admin role first."
        )
    cid = actor.community_id
    if uow.blocks.get(cid, target.id) is not None:
        return Outcome(reply=Message(text=f"{target.display_name} is already blocked."))
    uow.blocks.add(
        Block(
            community_id=cid,
            member_id=target.id,
            blocked_by_id=actor.member_id,
            created_at=now,
            reason=reason.strip()[:300],
        )
    )
    audit(uow, actor, cid, "member.blocked", now, "member", target.id, reason.strip()[:300])
    return Outcome(
        reply=Message(
            text=(
                f"{target.display_name} is blocked: they can't request intros and won't show "
                "up in searches. Requests already under way carry on. Undo with "
                f"/intro admin unblock @{target.handle}."
            )
        )
    )


def unblock_member(uow: UnitOfWork, actor: Actor, target: Member, now: datetime) -> Outcome:
    require_admin(actor)
    if target.erased_at is not None or target.id is None:
        raise NotFound("That member is no longer in this community.")
    cid = actor.community_id
    block = uow.blocks.get(cid, target.id)
    if block is None:
        return Outcome(reply=Message(text=f"{target.display_name} isn't blocked."))
    uow.blocks.remove(block)
    audit(uow, actor, cid, "member.unblocked", now, "member", target.id)
    return Outcome(
        reply=Message(
            text=f"{target.display_name} is unblocked and can request and be found again."
        )
    )
