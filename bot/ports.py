"""What the core needs from storage. `storage/` implements these; tests use the real one.

Every method takes the community id: no query crosses communities.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol

from bot.context import CommunityKey
from bot.domain import (
    AuditEntry,
    Block,
    ClaimedReminder,
    Community,
    FollowUp,
    IntroRequest,
    Member,
    MentorHit,
    MentorProfile,
    MentorQuery,
    ReminderSpec,
    SearchEvent,
    WarmIntro,
)
from bot.messages import DirectMessage


class CommunityRepository(Protocol):
    def get_or_create(
        self, platform: str, external_id: str, name: str, now: datetime
    ) -> Community: ...

    def get(self, community_id: int) -> Community | None: ...

    def by_key(self, platform: str, external_id: str) -> Community | None:
        """The community with this platform key, if it exists (no creating)."""
        ...

    def all(self) -> list[Community]:
        """Every community, oldest first (periodic jobs visit each in turn)."""
        ...


class MemberRepository(Protocol):
    def add(self, member: Member) -> Member: ...

    def get(self, community_id: int, member_id: int) -> Member | None: ...

    def by_platform_id(self, community_id: int, platform_user_id: str) -> Member | None: ...

    def by_handle(self, community_id: int, handle: str) -> Member | None:
        """Case-insensitive match on handle, then on display name."""
        ...

    def many(self, community_id: int, member_ids: Sequence[int]) -> dict[int, Member]: ...

    def admins(self, community_id: int) -> list[Member]: ...


class MentorRepository(Protocol):
    def add(self, profile: MentorProfile) -> MentorProfile: ...

    def by_member(self, community_id: int, member_id: int) -> MentorProfile | None: ...

    def many_by_member(
        self, community_id: int, member_ids: Sequence[int]
    ) -> dict[int, MentorProfile]:
        """The profiles of those of `member_ids` who have one, by member id."""
        ...

    def search(self, community_id: int, query: MentorQuery, now: datetime) -> list[MentorHit]:
        """Findable mentors (active, available, not away at `now`, under capacity this
        month, not blocked), best fit first, then fewer recent requests, then more
        remaining capacity."""
        ...

    def all(self, community_id: int) -> list[MentorProfile]: ...

    def away_ended(self, community_id: int, now: datetime) -> list[MentorProfile]:
        """Profiles whose `away_until` has passed (for the away-ended reminder)."""
        ...

    def delete(self, profile: MentorProfile) -> None: ...


class IntroRequestRepository(Protocol):
    def add(self, request: IntroRequest) -> IntroRequest: ...

    def get(self, community_id: int, request_id: int) -> IntroRequest | None: ...

    def many(self, community_id: int, request_ids: Sequence[int]) -> dict[int, IntroRequest]:
        """Those of `request_ids` that exist in the community, by id."""
        ...

    def for_seeker(self, community_id: int, seeker_id: int) -> list[IntroRequest]: ...

    def for_mentor(
        self, community_id: int, mentor_id: int, statuses: Sequence[str] | None = None
    ) -> list[IntroRequest]: ...

    def count_pending_for_seeker(self, community_id: int, seeker_id: int) -> int: ...

    def open_between(
        self, community_id: int, seeker_id: int, mentor_id: int
    ) -> IntroRequest | None:
        """A pending, accepted or scheduled request from this seeker to this mentor."""
        ...

    def all(self, community_id: int, since: datetime | None = None) -> list[IntroRequest]: ...

    def involving(self, community_id: int, member_id: int) -> list[IntroRequest]: ...

    def due_to_expire(self, community_id: int, now: datetime) -> list[IntroRequest]: ...


class WarmIntroRepository(Protocol):
    def add(self, intro: WarmIntro) -> WarmIntro: ...

    def get(self, community_id: int, intro_id: int) -> WarmIntro | None: ...

    def involving(self, community_id: int, member_id: int) -> list[WarmIntro]: ...


class SettingsRepository(Protocol):
    def get_all(self, community_id: int) -> dict[str, str]: ...

    def set(self, community_id: int, key: str, value: str, now: datetime) -> None: ...


class BlockRepository(Protocol):
    def get(self, community_id: int, member_id: int) -> Block | None: ...

    def add(self, block: Block) -> Block: ...

    def remove(self, block: Block) -> None: ...

    def involving(self, community_id: int, member_id: int) -> list[Block]: ...


class AuditRepository(Protocol):
    def record(self, entry: AuditEntry) -> None: ...

    def for_actor(self, community_id: int, member_id: int) -> list[AuditEntry]: ...

    def for_entity(self, community_id: int, entity: str, entity_id: int) -> list[AuditEntry]: ...


class SearchLogRepository(Protocol):
    def add(self, event: SearchEvent) -> None: ...

    def add_many(self, events: Sequence[SearchEvent]) -> None:
        """Several records in one statement (the buffered searches of bot.demand)."""
        ...

    def since(self, community_id: int, since: datetime) -> list[SearchEvent]: ...


class FollowUpRepository(Protocol):
    def add(self, followup: FollowUp) -> FollowUp: ...

    def get(self, community_id: int, followup_id: int) -> FollowUp | None: ...

    def for_request(self, community_id: int, request_id: int) -> list[FollowUp]: ...

    def for_seeker(self, community_id: int, seeker_id: int) -> list[FollowUp]: ...


class UnitOfWork(Protocol):
    """One transaction. Use as a context manager; `commit()` makes changes stick,
    leaving the block without it rolls back."""

    communities: CommunityRepository
    members: MemberRepository
    mentors: MentorRepository
    requests: IntroRequestRepository
    warm_intros: WarmIntroRepository
    settings: SettingsRepository
    blocks: BlockRepository
    audit: AuditRepository
    searches: SearchLogRepository
    followups: FollowUpRepository
    outbox: ReminderOutbox

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def flush(self) -> None:
        """Assign ids to added entities without committing."""
        ...

    def erase_member(
        self, community_id: int, member_id: int, now: datetime | None = None
    ) -> None:
        """Remove every personal datum of this member, in every table; keep anonymous
        rows (requests without names or texts) for the program's counts. `now` stamps
        the erasure (the core passes its clock)."""
        ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, read_only: bool = False) -> UnitOfWork:
        """A fresh unit of work; `read_only=True`: one that only reads (it cannot commit,
        and on SQLite it does not wait for writers)."""
        ...


class ReminderOutbox(Protocol):
    """The durable outbox of reminders (RELIABILITY.md): rows, claimed atomically."""

    def schedule(self, spec: ReminderSpec) -> bool:
        """Insert unless a row with the same dedupe key exists; True when inserted."""
        ...

    def reschedule(self, dedupe_key: str, community_id: int, due_at: datetime) -> bool:
        """Move a pending row to a new due time (re-scheduled meeting)."""
        ...

    def cancel(
        self, community_id: int, request_id: int, kinds: Sequence[str] | None = None
    ) -> int:
        """Cancel pending reminders of a request (all kinds, or only `kinds`)."""
        ...

    def cancel_key(self, community_id: int, dedupe_key: str) -> bool: ...

    def pending_for(self, community_id: int, request_id: int) -> list[ClaimedReminder]:
        """Pending rows of a request (lease fields may be empty)."""
        ...

    def for_recipient(self, community_id: int, member_id: int) -> list[ClaimedReminder]: ...


class DeliveryError(Exception):
    """A platform refused or failed a delivery.

    `permanent` means retrying can't help (the member closed their DMs, left the workspace);
    otherwise the dispatcher retries, not before `retry_after` seconds when the platform said so.
    """

    def __init__(
        self, reason: str, *, permanent: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after


class Notifier(Protocol):
    """Delivers DMs on one platform. Adapters implement it; the dispatcher calls it."""

    async def deliver(self, community: CommunityKey, dm: DirectMessage) -> None:
        """Send `dm` now, or raise DeliveryError."""
        ...
