"""Structured logs for `introbot run`.

* JSON, one object a line, in production (`INTROBOT_LOG_FORMAT=json`, or `auto` when the
  output is not a terminal); `key=value` text for people in a terminal.
* Fields given with ``extra={"fields": {...}}`` become keys of the JSON object (or
  ``key=value`` pairs in text): the one line per command uses them (see adapters/metrics.py).
* `RedactingFilter` guards every record: tokens and secrets are masked wherever they appear
  (message, arguments, exception text), and the chat libraries' DEBUG records — which carry
  whole request and response bodies, so members' messages — are never written.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import IO, Any

COMMAND_LOGGER = "introbot.commands"

# Slack tokens, Discord bot tokens, bearer headers, secrets in URLs.
TOKEN_PATTERNS = (
    re.compile(r"\bxox[abposer]-[A-Za-z0-9-]{6,}"),
    re.compile(r"\bxapp-[A-Za-z0-9-]{6,}"),
    re.compile(r"\b[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,40}\b"),
    re.compile(r"(?i)\b(bearer|bot)\s+[A-Za-z0-9._~+/=-]{12,}"),
    re.compile(r"(?i)(://[^:/@\s]+:)[^@\s]+(@)"),
)
MASK = "[redacted]"

# Loggers whose DEBUG output carries request/response bodies (members' text).
CHATTY_LIBRARIES = ("slack_bolt", "slack_sdk", "discord", "aiohttp.client", "urllib3")

_RESERVED = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "fields"}


def _redact_text(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    for pattern in TOKEN_PATTERNS:
        if pattern.groups == 2:
            text = pattern.sub(lambda m: f"{m.group(1)}{MASK}{m.group(2)}", text)
        else:
            text = pattern.sub(MASK, text)
    return text


class RedactingFilter(logging.Filter):
    """Masks tokens and the given secret values; drops the chat libraries' DEBUG records."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        # Short values would mask ordinary words; real tokens and secrets are long.
        self.secrets = tuple(sorted({s for s in secrets if len(s) >= 8}, key=len,
                                    reverse=True))

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.INFO and record.name.startswith(CHATTY_LIBRARIES):
            return False
        message = record.getMessage()
        clean = _redact_text(message, self.secrets)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None:
            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_text = _redact_text(formatted, self.secrets)
            record.exc_info = None
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            record.fields = {key: _redact_text(value, self.secrets) if isinstance(value, str)
                             else value for key, value in fields.items()}
        return True


def cancelled_job(record: logging.LogRecord) -> bool:
    """False for APScheduler's report of a job cancelled at shutdown (its executor cancels
    the jobs still running when the scheduler shuts down): not an error, and no traceback."""
    exc = record.exc_info[1] if record.exc_info else None
    return not (record.name.startswith("apscheduler.executors")
                and isinstance(exc, asyncio.CancelledError))


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    fields = getattr(record, "fields", None)
    found = dict(fields) if isinstance(fields, dict) else {}
    for key, value in vars(record).items():
        if key not in _RESERVED and not key.startswith("_"):
            found.setdefault(key, value)
    return found


class JsonFormatter(logging.Formatter):
    def __init__(self, replica: str = "") -> None:
        super().__init__()
        self.replica = replica

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if self.replica:
            entry["replica"] = self.replica
        entry.update(_fields(record))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["error"] = record.exc_text
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = _fields(record)
        if fields:
            pairs = " ".join(f"{key}={value}" for key, value in fields.items())
            head, sep, rest = line.partition("\n")
            line = f"{head} {pairs}{sep}{rest}"
        return line


def wants_json(log_format: str, stream: IO[str]) -> bool:
    choice = log_format.strip().lower()
    if choice == "json":
        return True
    if choice == "text":
        return False
    isatty = getattr(stream, "isatty", None)
    return not (callable(isatty) and isatty())


def configure(
    level: str = "INFO",
    log_format: str = "auto",
    *,
    secrets: Iterable[str] = (),
    replica: str = "",
    stream: IO[str] | None = None,
) -> logging.Handler:
    """Route every log record to `stream` (stderr) as JSON or text, redacted. Replaces the
    root logger's handlers; returns the handler."""
    out = stream if stream is not None else sys.stderr
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter(replica) if wants_json(log_format, out)
                         else TextFormatter())
    handler.addFilter(cancelled_job)
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # aiohttp's access log repeats every Slack request; the command line says more.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    # APScheduler logs every run of every job at INFO; the dispatcher says what matters.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.captureWarnings(True)
    return handler
