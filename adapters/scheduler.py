"""The timer around the reminder dispatcher and the periodic sweep: APScheduler 3.x on the
running asyncio loop, used only as a timer (RELIABILITY.md): the outbox table is the truth.

Jobs, all with fixed ids, in an in-memory job store (`replace_existing=True`,
`max_instances=1`, `coalesce=True`, no misfire grace limit — a late run still runs):

* ``outbox-dispatch``: a one-shot ('date') job that drains what is due, then re-arms itself
  at the next due time of the outbox (a due time, a retry time, or the end of a lease a dead
  dispatcher left behind), so a reminder goes out seconds after it falls due, not at the next
  poll. It runs at start-up first: the catch-up after downtime.
* ``outbox-peek``: every few seconds (default 5 s), one indexed read of the outbox's next
  due time, re-arming the one-shot job if something is due sooner than it is armed for: how
  reminders queued by commands (on any replica) are noticed without anyone calling `wake()`.
* ``outbox-poll``: a coarse interval (default 60 s), the safety net should the chain of
  one-shot runs ever break.
* ``program-sweep``: `IntroProgram.sweep` every minute (expiries, away-ended, digests), then
  a dispatch check, since the sweep may queue reminders that are due at once.

`wake()` checks at once (e.g. after a command queued a reminder that is due now); it is
cheap and never starts a second pass.

`stop()` is graceful: no new claims, the send in flight finishes, every claim still held is
handed back for another replica, then the scheduler shuts down.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from adapters.dispatcher import ReminderDispatcher

log = logging.getLogger(__name__)

DISPATCH_JOB = "outbox-dispatch"
POLL_JOB = "outbox-poll"
PEEK_JOB = "outbox-peek"
SWEEP_JOB = "program-sweep"


class Sweeper(Protocol):
    """The core's periodic work (`bot.app.IntroProgram.sweep`)."""

    def sweep(self, now: datetime | None = None) -> int: ...


@dataclass(frozen=True)
class SchedulerSettings:
    poll_interval: timedelta = timedelta(seconds=60)
    peek_interval: timedelta = timedelta(seconds=5)
    sweep_interval: timedelta = timedelta(seconds=60)
    # The soonest a re-armed run may come: keeps the one-shot job from racing its own
    # still-running instance, and keeps a run that found nothing to do from spinning.
    min_delay: timedelta = timedelta(milliseconds=20)
    idle_delay: timedelta = timedelta(seconds=1)  # after a run that made no progress
    error_delay: timedelta = timedelta(seconds=5)  # after a run that failed, doubling
    max_error_delay: timedelta = timedelta(minutes=5)
    stop_timeout: float = 60.0  # seconds to wait for a send in flight when stopping


def _job_options() -> dict[str, Any]:
    return {"replace_existing": True, "max_instances": 1, "coalesce": True,
            "misfire_grace_time": None}


class ReminderScheduler:
    def __init__(
        self,
        dispatcher: ReminderDispatcher,
        sweeper: Sweeper | None = None,
        settings: SchedulerSettings | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        """`now` is the wall clock that APScheduler runs on (the system's by default); due
        times come from the dispatcher's own clock."""
        self.dispatcher = dispatcher
        self.sweeper = sweeper
        self.settings = settings or SchedulerSettings()
        self._wall = now or (lambda: datetime.now(UTC))
        self._scheduler: AsyncIOScheduler | None = None
        self._running = False  # a drain is in progress
        self._again = False  # something asked for a drain while one was running
        self._errors = 0
        self._armed_for: datetime | None = None
        self._sweeping: asyncio.Task[None] | None = None
        self.runs = 0  # dispatch runs finished, re-arming included (for tests and metrics)
        self.skipped_runs = 0  # runs APScheduler skipped, each re-armed

    @property
    def started(self) -> bool:
        return self._scheduler is not None and self._scheduler.running

    @property
    def apscheduler(self) -> AsyncIOScheduler | None:
        """The underlying scheduler while started (to list its jobs)."""
        return self._scheduler

    @property
    def armed_for(self) -> datetime | None:
        """When the one-shot dispatch job will next run (wall clock)."""
        return self._armed_for

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Start on the running loop; the first dispatch (and sweep) run at once."""
        if self._scheduler is not None:
            raise RuntimeError("the reminder scheduler is already started")
        scheduler = AsyncIOScheduler(timezone=UTC)
        self._scheduler = scheduler
        now = self._wall()
        scheduler.add_job(self._dispatch_job, "date", run_date=now, id=DISPATCH_JOB,
                          **_job_options())
        self._armed_for = now
        scheduler.add_job(self._poll_job, "interval",
                          seconds=self.settings.poll_interval.total_seconds(),
                          id=POLL_JOB, **_job_options())
        scheduler.add_job(self._peek_job, "interval",
                          seconds=self.settings.peek_interval.total_seconds(),
                          id=PEEK_JOB, **_job_options())
        if self.sweeper is not None:
            scheduler.add_job(self._sweep_job, "interval",
                              seconds=self.settings.sweep_interval.total_seconds(),
                              next_run_time=now, id=SWEEP_JOB, **_job_options())
        scheduler.add_listener(self._on_skipped, EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED)
        scheduler.start()

    def _on_skipped(self, event: JobEvent) -> None:
        """APScheduler skipped a dispatch run. It happens when the loop stalls right after a
        run re-armed itself: the new run falls due while the old one still counts as
        running (max_instances=1). The one-shot job is then gone; arm it again, once the
        scheduler is done with it."""
        if event.job_id != DISPATCH_JOB or self._scheduler is None:
            return
        self.skipped_runs += 1
        loop = asyncio.get_running_loop()
        loop.call_soon(self.wake)

    async def stop(self) -> int:
        """Graceful stop; returns how many claims were handed back."""
        scheduler, self._scheduler = self._scheduler, None
        self.dispatcher.stop_claiming()
        if scheduler is not None and scheduler.running:
            scheduler.pause()
        released = await self.dispatcher.stop(timeout=self.settings.stop_timeout)
        if self._sweeping is not None and not self._sweeping.done():
            await asyncio.wait([self._sweeping], timeout=self.settings.stop_timeout)
        if scheduler is not None and scheduler.running:
            scheduler.shutdown(wait=False)
        self._armed_for = None
        return released

    def wake(self) -> None:
        """Something may be due sooner than the armed time: check now. Call on the loop."""
        if self._scheduler is None or self.dispatcher.stopping:
            return
        if self._running:
            self._again = True
            return
        self._arm(self.settings.min_delay)

    # ------------------------------------------------------------ jobs

    async def _dispatch_job(self) -> None:
        await self._drain_and_rearm()

    async def _poll_job(self) -> None:
        await self._drain_and_rearm()

    async def _peek_job(self) -> None:
        if self._running or self.dispatcher.stopping:
            return  # the run in progress re-arms from what it finds
        try:
            due = await self.dispatcher.next_due_at()
        except Exception:
            log.exception("reading the outbox's next due time failed")
            return
        if due is not None and not self._running:
            self._arm(due - self.dispatcher.clock.now())

    async def _sweep_job(self) -> None:
        assert self.sweeper is not None
        sweeper = self.sweeper
        self._sweeping = asyncio.ensure_future(asyncio.to_thread(self._sweep_now, sweeper))
        await self._sweeping
        self.wake()

    @staticmethod
    def _sweep_now(sweeper: Sweeper) -> None:
        try:
            sweeper.sweep()
        except Exception:
            log.exception("the periodic sweep failed; it runs again at the next interval")

    async def _drain_and_rearm(self) -> None:
        if self._running:
            self._again = True
            return
        if self.dispatcher.stopping:
            return
        self._running = True
        delay: timedelta | None = None
        try:
            progressed = False
            while True:
                self._again = False
                result = await self.dispatcher.drain()
                progressed = progressed or result.claimed > 0
                if not self._again or self.dispatcher.stopping:
                    break
            self._errors = 0
            if self.dispatcher.stopping:
                return
            delay = await self._delay_to_next_due(progressed)
        except Exception:
            self._errors += 1
            delay = min(self.settings.error_delay * (2 ** (self._errors - 1)),
                        self.settings.max_error_delay)
            log.exception("dispatching reminders failed; trying again in %s", delay)
        finally:
            self._running = False
        if delay is not None and not self.dispatcher.stopping:
            self._arm(delay)
        self.runs += 1

    async def _delay_to_next_due(self, progressed: bool) -> timedelta:
        """How long until the outbox next has something to claim, within the poll interval."""
        due = await self.dispatcher.next_due_at()
        if due is None:
            return self.settings.poll_interval
        wait = due - self.dispatcher.clock.now()
        if wait <= timedelta(0):  # claimable already: again soon, but never spin idly
            wait = self.settings.min_delay if progressed else self.settings.idle_delay
        return min(max(wait, self.settings.min_delay), self.settings.poll_interval)

    def _arm(self, delay: timedelta) -> None:
        """(Re-)arm the one-shot dispatch job `delay` from now, unless it is armed sooner."""
        scheduler = self._scheduler
        if scheduler is None:
            return
        run_at = self._wall() + max(delay, self.settings.min_delay)
        job = scheduler.get_job(DISPATCH_JOB)
        if job is not None and job.next_run_time is not None and job.next_run_time <= run_at:
            return
        scheduler.add_job(self._dispatch_job, "date", run_date=run_at, id=DISPATCH_JOB,
                          **_job_options())
        self._armed_for = run_at
