"""Prometheus metrics and the one log line per command.

* `Metrics`: a registry of its own (not the process-wide default) with every series.
* `InstrumentedProgram`: the core program as the adapters get it from `introbot run`; each
  command, button press and form submission is timed, counted by its name and outcome, and
  logged in one line (community, command name, outcome, latency — never the text typed).
* `MeteredClaims`: the outbox claims as the reminder dispatcher uses them; what it claims and
  how each claimed reminder ended (sent, dropped, failed, retried, deferred) are counted, and
  each sent reminder's lateness is observed.
* `OutboxGauges`: outbox depth, read from the database when /metrics is scraped.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest

from adapters.logging_setup import COMMAND_LOGGER
from bot.app import IntroProgram
from bot.clock import as_utc
from bot.commands import AdminBlock, Help, parse_command
from bot.context import Invocation
from bot.domain import ClaimedReminder
from bot.messages import Outcome
from storage.outbox_claims import Mark, OutboxClaims, OutboxStats
from storage.outbox_claims import Outcome as MarkOutcome

command_log = logging.getLogger(COMMAND_LOGGER)

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0)
LATENESS_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 900.0, 1800.0, 3600.0,
                    4 * 3600.0, 12 * 3600.0, 86400.0, 3 * 86400.0)

# The command each parsed command stands for (aliases resolve through the core's parser).
COMMAND_NAMES: dict[str, str] = {
    "FindMentors": "intro find", "RequestIntro": "intro request", "ListRequests": "intro list",
    "CancelRequest": "intro cancel", "ScheduleMeeting": "intro schedule",
    "LogMeetingDone": "intro done", "AddFollowUp": "intro followup",
    "MarkThanked": "intro thanks", "ShowPrep": "intro prep", "ConnectPeople": "intro connect",
    "ShowMyData": "intro my-data", "ForgetMe": "intro forget-me",
    "AdminStats": "intro admin stats", "AdminExport": "intro admin export",
    "AdminImport": "intro admin import", "AdminConfig": "intro admin config",
    "JoinAsMentor": "mentor join", "EditMentorProfile": "mentor profile",
    "MentorOn": "mentor on", "MentorOff": "mentor off", "MentorAway": "mentor away",
    "MentorCapacity": "mentor capacity", "MentorRequests": "mentor requests",
    "MentorLeave": "mentor leave",
}
_ACTION = re.compile(r"^([a-z]+):([a-z-]+)(?::\d+)?$")
_FORM = re.compile(r"^([a-z]+)(?::|$)")
_ROOTS = ("intro", "mentor")


def command_name(root: str, text: str) -> str:
    """``intro find`` for ``/intro search climate``: the command, never the rest of the text;
    ``intro ?`` when the words are no command."""
    clean_root = root.strip().lstrip("/").lower()
    if clean_root not in _ROOTS:
        return "other"
    try:
        parsed = parse_command(clean_root, text)
    except Exception:
        return f"{clean_root} ?"
    if isinstance(parsed, Help):
        return f"{clean_root} help"
    if isinstance(parsed, AdminBlock):
        return "intro admin block" if parsed.block else "intro admin unblock"
    return COMMAND_NAMES.get(type(parsed).__name__, f"{clean_root} other")


def action_name(action_id: str) -> str:
    """``intro:accept`` for ``intro:accept:12`` (the entity id is left out)."""
    found = _ACTION.match(action_id)
    return f"{found[1]}:{found[2]}" if found else "other"


def form_name(form_id: str) -> str:
    found = _FORM.match(form_id)
    return found[1] if found else "other"


class Metrics:
    """Every series `introbot run` exports, in a registry of its own."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        r = self.registry
        self.commands = Counter(
            "introbot_commands", "Commands, button presses and form submissions handled.",
            ["kind", "command", "outcome"], registry=r)
        self.command_latency = Histogram(
            "introbot_command_latency_seconds", "Time the core took to answer.",
            ["kind"], buckets=LATENCY_BUCKETS, registry=r)
        self.reminders_claimed = Counter(
            "introbot_reminders_due", "Reminders that fell due and were claimed for sending.",
            registry=r)
        self.reminders = Counter(
            "introbot_reminders", "What became of claimed reminders.", ["outcome"], registry=r)
        self.lateness = Histogram(
            "introbot_reminder_lateness_seconds",
            "How long after its due time a reminder was sent.", buckets=LATENESS_BUCKETS,
            registry=r)
        self.outbox_rows = Gauge(
            "introbot_outbox_rows", "Reminder outbox rows by status.", ["status"], registry=r)
        self.outbox_due = Gauge(
            "introbot_outbox_due", "Pending reminders that can be claimed now.", registry=r)
        self.outbox_leased = Gauge(
            "introbot_outbox_leased", "Pending reminders held by a dispatcher.", registry=r)
        self.outbox_oldest_due = Gauge(
            "introbot_outbox_oldest_due_age_seconds",
            "How long the oldest claimable reminder has been waiting (0: none).", registry=r)
        self.adapter_up = Gauge(
            "introbot_adapter_connected", "1 when the adapter is connected and serving.",
            ["adapter"], registry=r)
        for outcome in ("sent", "dropped", "failed", "retried", "deferred", "released", "lost"):
            self.reminders.labels(outcome)

    def render(self) -> bytes:
        return generate_latest(self.registry)

    def observe_outbox(self, stats: OutboxStats, now: datetime) -> None:
        for status in ("pending", "sent", "failed", "dropped", "cancelled"):
            self.outbox_rows.labels(status).set(stats.by_status.get(status, 0))
        self.outbox_due.set(stats.due)
        self.outbox_leased.set(stats.leased)
        oldest = stats.oldest_due_at
        self.outbox_oldest_due.set(max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)


def _community(inv: Invocation) -> str:
    return f"{inv.community.platform}:{inv.community.external_id}"


class InstrumentedProgram(IntroProgram):
    """`IntroProgram` with every entry point counted, timed and logged. `after_work` is
    called (from the worker thread) after each call that may have queued a reminder."""

    metrics: Metrics
    after_work: Callable[[], None] | None

    def attach(self, metrics: Metrics, after_work: Callable[[], None] | None = None) -> None:
        self.metrics = metrics
        self.after_work = after_work

    def command(self, inv: Invocation, root: str, text: str) -> Outcome:
        return self._measured(inv, "command", lambda: command_name(root, text),
                              lambda: super(InstrumentedProgram, self).command(inv, root, text))

    def action(self, inv: Invocation, action_id: str) -> Outcome:
        return self._measured(inv, "action", lambda: action_name(action_id),
                              lambda: super(InstrumentedProgram, self).action(inv, action_id))

    def home_action(self, inv: Invocation, action_id: str) -> Outcome:
        return self._measured(
            inv, "action", lambda: action_name(action_id),
            lambda: super(InstrumentedProgram, self).home_action(inv, action_id))

    def submit(self, inv: Invocation, form_id: str, values: dict[str, str]) -> Outcome:
        return self._measured(
            inv, "form", lambda: form_name(form_id),
            lambda: super(InstrumentedProgram, self).submit(inv, form_id, values))

    def import_text(self, inv: Invocation, content: str) -> Outcome:
        return self._measured(
            inv, "form", lambda: "import",
            lambda: super(InstrumentedProgram, self).import_text(inv, content))

    def _measured(self, inv: Invocation, kind: str, name: Callable[[], str],
                  call: Callable[[], Outcome]) -> Outcome:
        started = time.perf_counter()
        outcome_label = "error"
        try:
            outcome = call()
            if outcome.field_errors:
                outcome_label = "invalid"
            elif not outcome.ok:
                outcome_label = "refused"
            elif outcome.form is not None:
                outcome_label = "form"
            else:
                outcome_label = "ok"
            return outcome
        finally:
            elapsed = time.perf_counter() - started
            command = name()
            metrics = getattr(self, "metrics", None)
            if metrics is not None:
                metrics.commands.labels(kind, command, outcome_label).inc()
                metrics.command_latency.labels(kind).observe(elapsed)
            command_log.info(
                "%s %s", kind, outcome_label,
                extra={"fields": {"community": _community(inv), "kind": kind,
                                  "command": command, "outcome": outcome_label,
                                  "latency_ms": round(elapsed * 1000, 1)}})
            hook = getattr(self, "after_work", None)
            if hook is not None and outcome_label != "error":
                try:
                    hook()
                except Exception:  # the answer matters more than an early reminder
                    command_log.exception("waking the reminder dispatcher failed")


_MARK_LABELS = {
    MarkOutcome.SENT: "sent",
    MarkOutcome.DROPPED: "dropped",
    MarkOutcome.FAILED: "failed",
    MarkOutcome.RETRY: "retried",
    MarkOutcome.DEFERRED: "deferred",
}


class MeteredClaims(OutboxClaims):
    """`OutboxClaims` that counts what the dispatcher claims and how each claim ended."""

    metrics: Metrics | None = None
    released: int = 0  # rows handed back by `release`, in all

    def attach(self, metrics: Metrics) -> MeteredClaims:
        self.metrics = metrics
        return self

    def release(self, owner: str, now: datetime, ids: Iterable[int] | None = None) -> int:
        count = super().release(owner, now, ids)
        self.released += count
        if self.metrics is not None and count:
            self.metrics.reminders.labels("released").inc(count)
        return count

    def claim(self, owner: str, now: datetime, **options: object) -> list[ClaimedReminder]:
        claimed = super().claim(owner, now, **options)  # type: ignore[arg-type]
        if self.metrics is not None and claimed:
            self.metrics.reminders_claimed.inc(len(claimed))
        return claimed

    def settle(self, marks: Sequence[Mark], now: datetime) -> list[bool]:
        applied = super().settle(marks, now)
        if self.metrics is not None:
            for mark, ok in zip(marks, applied, strict=True):
                if not ok:
                    self.metrics.reminders.labels("lost").inc()
                    continue
                self.metrics.reminders.labels(_MARK_LABELS.get(mark.outcome, "other")).inc()
                if mark.outcome is MarkOutcome.SENT:
                    due = as_utc(mark.item.due_at)
                    if due is not None:
                        self.metrics.lateness.observe(max(0.0, (now - due).total_seconds()))
        return applied
