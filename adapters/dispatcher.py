"""The reminder dispatcher: claim due outbox rows, let the core render each one, deliver it
through the platform's notifier, record the outcome.

One pass claims a batch (storage/outbox_claims.py) and works through it in due order:

* the core renders the batch from the current state in one read-only transaction
  (`IntroProgram.render_reminders`; one by one if that fails, to isolate the culprit); a moot
  or too-late reminder comes back with a reason and is recorded as DROPPED, one that falls in
  the recipient's quiet hours is handed back until they end (DEFERRED); a DM not sent
  within `render_ttl` of its rendering (a slow platform) is rendered again first;
* the DM goes to the notifier of the row's platform (`CommunityKey.platform`);
* accepted → SENT. `DeliveryError(permanent=True)` → FAILED with the reason. A retryable
  `DeliveryError` or any other exception → pending again after the retry policy's backoff and
  never before the platform's `retry_after`; the community's other rows in the batch wait as
  long; after the last attempt → FAILED.

Sends are one at a time (`DispatchSettings.in_flight`) and each is recorded before the next
one starts, so a crash leaves at most one DM delivered but not marked: never lost, at most one
duplicate per crash. A send never starts when the lease is about to run out (another
dispatcher could take the row); the rest of the batch is handed back instead. Database work
runs in a worker thread, so the event loop (Slack, Discord) stays responsive — except
recording an outcome when the database is free: on SQLite that is a few dozen microseconds,
cheaper than the trip to a worker, and it never waits (`OutboxClaims.try_settle`); when it
would wait, it goes to the worker like the rest.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from bot.clock import Clock
from bot.context import CommunityKey
from bot.domain import ClaimedReminder
from bot.messages import DirectMessage
from bot.ports import DeliveryError, Notifier
from bot.reminders import held_until
from storage.outbox_claims import Mark, OutboxClaims, Outcome

log = logging.getLogger(__name__)

T = TypeVar("T")


class ReminderRenderer(Protocol):
    """The core's side (`bot.app.IntroProgram`)."""

    def render_reminder(self, item: ClaimedReminder) -> tuple[DirectMessage | None, str]: ...

    def render_reminders(
        self, items: Sequence[ClaimedReminder]
    ) -> list[tuple[DirectMessage | None, str]]: ...


@dataclass(frozen=True)
class DispatchSettings:
    batch_size: int = 100
    lease: timedelta = timedelta(minutes=2)
    # Never start a send with less than this left on the lease.
    lease_margin: timedelta = timedelta(seconds=20)
    # DMs out at once. Their outcomes are recorded together before the next ones go, so a
    # crash can duplicate at most this many: 1 keeps the promise of one duplicate per crash.
    in_flight: int = 1
    # Run database work in a worker thread (False: inline, for synchronous callers).
    offload: bool = True
    # A DM rendered longer ago than this is rendered again before it is sent.
    render_ttl: timedelta = timedelta(seconds=5)


@dataclass
class PassResult:
    """What one or more passes did."""

    claimed: int = 0
    sent: int = 0
    dropped: int = 0
    retried: int = 0
    failed: int = 0
    deferred: int = 0
    released: int = 0
    lost: int = 0  # marks that found the claim no longer ours
    drop_reasons: list[str] = field(default_factory=list)

    @property
    def finished(self) -> int:
        return self.sent + self.dropped + self.failed

    def add(self, other: PassResult) -> None:
        for name in ("claimed", "sent", "dropped", "retried", "failed", "deferred",
                     "released", "lost"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.drop_reasons.extend(other.drop_reasons)


def default_owner() -> str:
    """A lease owner id unique to this process run: host, pid, random suffix."""
    return f"{socket.gethostname()[:64]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class ReminderDispatcher:
    def __init__(
        self,
        renderer: ReminderRenderer,
        claims: OutboxClaims,
        notifiers: Mapping[str, Notifier],
        clock: Clock,
        *,
        owner: str | None = None,
        settings: DispatchSettings | None = None,
    ) -> None:
        if not notifiers:
            raise ValueError("the dispatcher needs a notifier for at least one platform")
        self.renderer = renderer
        self.claims = claims
        self.notifiers = dict(notifiers)
        self.clock = clock
        self.owner = owner or default_owner()
        self.settings = settings or DispatchSettings()
        self._communities: dict[int, CommunityKey] = {}
        self._held: dict[int, datetime] = {}  # community id -> rate limited until
        self._stopping = False
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def platforms(self) -> frozenset[str]:
        return frozenset(self.notifiers)

    @property
    def stopping(self) -> bool:
        return self._stopping

    # ------------------------------------------------------------ passes

    async def run_once(self) -> PassResult:
        """Claim one batch and work through it."""
        result = PassResult()
        if self._stopping:
            return result
        self._idle.clear()
        try:
            now = self.clock.now()
            batch = await self._db(
                self.claims.claim,
                self.owner,
                now,
                limit=self.settings.batch_size,
                lease=self.settings.lease,
                platforms=self.platforms,
            )
            result.claimed = len(batch)
            if batch:
                await self._work(batch, result)
        finally:
            self._idle.set()
        return result

    async def drain(self, max_batches: int | None = None) -> PassResult:
        """Passes until a batch comes back short (nothing more is due), the dispatcher is
        stopping, or `max_batches` were run."""
        total = PassResult()
        batches = 0
        while not self._stopping and (max_batches is None or batches < max_batches):
            result = await self.run_once()
            batches += 1
            total.add(result)
            if result.claimed < self.settings.batch_size:
                break
            await asyncio.sleep(0)  # let the event loop breathe between batches
        return total

    async def next_due_at(self) -> datetime | None:
        return await self._db(self.claims.next_due_at, self.platforms)

    # ------------------------------------------------------------ stopping

    def stop_claiming(self) -> None:
        """No new batches; a pass in progress finishes its current send, then hands back the
        rest of its batch."""
        self._stopping = True

    async def stop(self, timeout: float | None = None) -> int:
        """Stop claiming, wait for the send in flight, and release every claim still held.
        Returns how many rows were handed back."""
        self.stop_claiming()
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            log.warning("a reminder send did not finish in time; its lease will expire")
        return int(await self._db(self.claims.release, self.owner, self.clock.now()))

    # ------------------------------------------------------------ one batch

    async def _work(self, batch: list[ClaimedReminder], result: PassResult) -> None:
        unknown = {item.community_id for item in batch} - set(self._communities)
        if unknown:
            self._communities.update(await self._db(self.claims.communities, unknown))
        marks: list[Mark] = []  # recorded before the next send starts
        queue = list(batch)
        rendered: dict[int, DirectMessage | Mark] = {}
        rendered_at: dict[int, datetime] = {}
        taken = 0  # reminders taken from the queue since the last rendering
        while queue:
            now = self.clock.now()
            if self._stopping or queue[0].lease_until - now < self.settings.lease_margin:
                await self._record(marks, result)
                rest = [item.id for item in queue]
                result.released += await self._db(self.claims.release, self.owner, now, rest)
                return
            first = queue[0].id
            if first not in rendered or now - rendered_at[first] > self.settings.render_ttl:
                # The whole batch in one trip at first. On a slow platform DMs older than
                # `render_ttl` are rendered again, so that none goes out on stale state:
                # twice as many as went out since the last rendering, not all that is left.
                todo = (queue if not rendered
                        else queue[:max(self.settings.in_flight, 2 * taken, 1)])
                rendered.update(await self._db(self._render_all, todo))
                stamp = self.clock.now()
                rendered_at.update((item.id, stamp) for item in todo)
                taken = 0
            window: list[tuple[ClaimedReminder, DirectMessage]] = []
            while queue and len(window) < self.settings.in_flight:
                item = queue.pop(0)
                taken += 1
                held = self._held.get(item.community_id)
                if held is not None and held > now:
                    marks.append(Mark(item, Outcome.DEFERRED, "", held))
                    continue
                self._held.pop(item.community_id, None)
                found = rendered[item.id]
                if isinstance(found, Mark):
                    marks.append(found)  # dropped or failed to render: nothing to send
                else:
                    window.append((item, found))
            if not window:
                continue
            if len(window) == 1:
                marks.append(await self._deliver(*window[0]))
            else:
                marks.extend(await asyncio.gather(*(self._deliver(*send) for send in window)))
            await self._record(marks, result)
            marks = []
        await self._record(marks, result)

    def _render_all(self, items: list[ClaimedReminder]) -> dict[int, DirectMessage | Mark]:
        """The DM for each of `items`, or the mark that says why there is none: all in one
        transaction, or one by one when that fails (to isolate the one that cannot be
        rendered)."""
        try:
            found = self.renderer.render_reminders(items)
        except Exception:
            log.exception("could not render %d reminders together; rendering one by one",
                          len(items))
            return {item.id: self._render(item) for item in items}
        return {item.id: _sent_or_not(item, dm, reason)
                for item, (dm, reason) in zip(items, found, strict=True)}

    def _render(self, item: ClaimedReminder) -> DirectMessage | Mark:
        try:
            dm, reason = self.renderer.render_reminder(item)
        except Exception as exc:
            log.exception("could not render reminder %s (%s)", item.id, item.kind)
            return self.claims.failure(item, self.clock.now(), f"render error: {exc!r}")
        return _sent_or_not(item, dm, reason)

    async def _deliver(self, item: ClaimedReminder, dm: DirectMessage) -> Mark:
        now = self.clock.now()
        community = self._communities.get(item.community_id)
        if community is None:
            return Mark(item, Outcome.DROPPED, "moot: the community is gone")
        notifier = self.notifiers.get(community.platform)
        if notifier is None:
            return self.claims.failure(item, now, f"no notifier for {community.platform}")
        try:
            await notifier.deliver(community, dm)
        except DeliveryError as exc:
            now = self.clock.now()
            if exc.retry_after is not None and not exc.permanent:
                until = now + timedelta(seconds=exc.retry_after)
                self._held[item.community_id] = max(until, self._held.get(item.community_id,
                                                                          until))
            log.warning("delivery of reminder %s failed: %s", item.id, exc.reason)
            return self.claims.failure(item, now, exc.reason, retry_after=exc.retry_after,
                                       permanent=exc.permanent)
        except Exception as exc:
            log.exception("delivery of reminder %s failed unexpectedly", item.id)
            return self.claims.failure(item, self.clock.now(), f"error: {exc!r}")
        return Mark(item, Outcome.SENT)

    async def _record(self, marks: list[Mark], result: PassResult) -> None:
        """Record `marks` before anything else is sent. A short write that finds the
        database free runs right here (no trip to a worker thread: at a few dozen
        microseconds it is cheaper than the trip); one that would wait goes to the worker."""
        if not marks:
            return
        if self.settings.offload:
            applied = self.claims.try_settle(marks, self.clock.now())
            if applied is not None:
                self._count(marks, applied, result)
                return
        await self._db(self._settle_now, marks, result)

    def _settle_now(self, marks: list[Mark], result: PassResult) -> None:
        """Record `marks`, retrying a failed write a few times: a send that is not recorded
        is a duplicate waiting to happen."""
        if not marks:
            return
        applied: list[bool] = []
        for attempt in range(3):
            try:
                applied = self.claims.settle(marks, self.clock.now())
                break
            except Exception:
                if attempt == 2:
                    raise
                log.exception("recording %d reminder outcomes failed; trying again",
                              len(marks))
        self._count(marks, applied, result)

    @staticmethod
    def _count(marks: list[Mark], applied: list[bool], result: PassResult) -> None:
        for mark, ok in zip(marks, applied, strict=True):
            if not ok:
                result.lost += 1
                log.warning("reminder %s was no longer ours when marked %s", mark.item.id,
                            mark.outcome.value)
                continue
            if mark.outcome is Outcome.SENT:
                result.sent += 1
            elif mark.outcome is Outcome.DROPPED:
                result.dropped += 1
                result.drop_reasons.append(f"{mark.item.kind}: {mark.reason}")
            elif mark.outcome is Outcome.RETRY:
                result.retried += 1
            elif mark.outcome is Outcome.FAILED:
                result.failed += 1
            elif mark.outcome is Outcome.DEFERRED:
                result.deferred += 1

    async def _db(self, work: Callable[..., T], *args: object, **kwargs: object) -> T:
        if self.settings.offload:
            return await asyncio.to_thread(work, *args, **kwargs)
        return work(*args, **kwargs)


def _sent_or_not(item: ClaimedReminder, dm: DirectMessage | None,
                 reason: str) -> DirectMessage | Mark:
    """The DM to send; or, without one, the reminder handed back until the time the core
    gave (quiet hours), or dropped with the core's reason."""
    if dm is not None:
        return dm
    until = held_until(reason)
    if until is not None:
        return Mark(item, Outcome.DEFERRED, reason, until)
    return Mark(item, Outcome.DROPPED, reason)
