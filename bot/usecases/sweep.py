"""Periodic work for one community (the dispatcher runs it every minute for every community):

* pending requests past `expires_at` expire; the seeker is queued an EXPIRED reminder with
  alternatives; the mentor's run of consecutive expiries grows, and at `freeze_after_expiries`
  the mentor is set unavailable and queued a NOTICE on how to come back;
* mentors whose `away_until` has passed are back: it is cleared and AWAY_ENDED queued
  (one per away period);
* on the digest weekday (the recipient's local day), weekly digests are queued for mentors
  with pending requests and for admins (one per ISO week each).

Everything it queues goes through the outbox with a dedupe key, so two sweeps racing over the
same community queue each reminder once.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot import reminders
from bot.domain import ReminderSpec, RequestStatus
from bot.ports import UnitOfWork
from bot.program_settings import ProgramSettings
from bot.usecases.common import audit, settings_of
from bot.usecases.requests import transition

# Every pending request expires within the longest allowed expiry (60 days), so pending
# requests "due to expire" before this horizon are all pending requests.
_ALL_PENDING = timedelta(days=3650)


@dataclass
class SweepResult:
    expired: int = 0
    frozen: int = 0
    back_from_away: int = 0
    queued: int = 0  # outbox rows inserted
    digest_keys: list[str] = field(default_factory=list)  # digest keys now in the outbox

    @property
    def total(self) -> int:
        return self.expired + self.back_from_away + self.queued


def _queue(uow: UnitOfWork, spec: ReminderSpec, result: SweepResult) -> None:
    if uow.outbox.schedule(spec):
        result.queued += 1


def sweep_community(
    uow: UnitOfWork,
    community_id: int,
    now: datetime,
    known_digest_keys: Collection[str] = (),
) -> SweepResult:
    """Do one community's periodic work at `now`. `known_digest_keys` are digests known to be
    queued already (skipped without touching the outbox)."""
    result = SweepResult()
    settings = settings_of(uow, community_id)
    _expire(uow, community_id, now, settings, result)
    _away_ended(uow, community_id, now, settings, result)
    _digests(uow, community_id, now, settings, known_digest_keys, result)
    return result


def _expire(uow: UnitOfWork, cid: int, now: datetime, settings: ProgramSettings,
            result: SweepResult) -> None:
    freeze_after = settings.freeze_after_expiries
    for request in uow.requests.due_to_expire(cid, now):
        assert request.id is not None
        transition(request, RequestStatus.EXPIRED, now)
        uow.outbox.cancel(cid, request.id)
        audit(uow, None, cid, "request.expired", now, "intro_request", request.id)
        result.expired += 1
        seeker = uow.members.get(cid, request.seeker_id) if request.seeker_id else None
        if seeker is not None and seeker.erased_at is None:
            _queue(uow, reminders.expired_notice(request, seeker, settings), result)
        if request.mentor_id is None:
            continue
        profile = uow.mentors.by_member(cid, request.mentor_id)
        if profile is None:
            continue
        profile.consecutive_expiries += 1
        profile.updated_at = now
        if profile.consecutive_expiries < freeze_after or not profile.available:
            continue
        profile.available = False
        result.frozen += 1
        audit(uow, None, cid, "mentor.frozen", now, "mentor_profile", profile.id,
              f"{profile.consecutive_expiries} expiries in a row")
        mentor = uow.members.get(cid, request.mentor_id)
        if mentor is not None and mentor.erased_at is None and profile.active:
            _queue(uow, reminders.notice("frozen", request.id, mentor, now, settings,
                                         request=None,
                                         expiries=profile.consecutive_expiries), result)


def _away_ended(uow: UnitOfWork, cid: int, now: datetime,
                settings: ProgramSettings, result: SweepResult) -> None:
    for profile in uow.mentors.away_ended(cid, now):
        if profile.away_until is None:
            continue
        mentor = uow.members.get(cid, profile.member_id)
        if mentor is not None and mentor.erased_at is None and profile.active:
            _queue(uow, reminders.away_ended(profile, mentor, settings), result)
        profile.away_until = None
        profile.updated_at = now
        result.back_from_away += 1


def _digests(uow: UnitOfWork, cid: int, now: datetime, settings: ProgramSettings,
             known: Collection[str], result: SweepResult) -> None:
    pending = uow.requests.due_to_expire(cid, now + _ALL_PENDING)
    mentor_ids = sorted({r.mentor_id for r in pending if r.mentor_id is not None})
    recipients = [("mentor", m) for m in uow.members.many(cid, mentor_ids).values()]
    recipients += [("admin", m) for m in uow.members.admins(cid)]
    for role, member in recipients:
        if member.erased_at is not None:
            continue
        spec = reminders.digest(role, member, now, settings)
        if spec is None:
            continue
        if spec.dedupe_key not in known:
            _queue(uow, spec, result)
        result.digest_keys.append(spec.dedupe_key)

