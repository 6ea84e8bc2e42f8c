"""Structured logs: JSON a line for collectors, key=value text for people, and a filter that
never lets a token, a secret or a member's message text through."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from adapters.logging_setup import (
    MASK,
    JsonFormatter,
    RedactingFilter,
    TextFormatter,
    configure,
    wants_json,
)

SLACK_TOKEN = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"
APP_TOKEN = "xapp-1-A0123456789-1234567890123-abcdef0123456789"
DISCORD_TOKEN = "MTA5ODc2NTQzMjEwOTg3NjU0.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB"


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


def _record(msg: str, *args: object, name: str = "introbot.test",
            level: int = logging.INFO, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord(name, level, __file__, 1, msg, args or None, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_tokens_are_masked_in_messages_arguments_and_fields() -> None:
    guard = RedactingFilter(secrets=["the-signing-secret-value"])
    record = _record("posting with %s and %s; secret=%s", SLACK_TOKEN, DISCORD_TOKEN,
                     "the-signing-secret-value",
                     fields={"header": f"Bearer {APP_TOKEN}", "n": 3})
    assert guard.filter(record)
    shown = record.getMessage()
    for secret in (SLACK_TOKEN, DISCORD_TOKEN, "the-signing-secret-value"):
        assert secret not in shown
    assert shown.count(MASK) == 3
    assert APP_TOKEN not in json.dumps(record.fields)  # type: ignore[attr-defined]
    assert record.fields["n"] == 3  # type: ignore[attr-defined]


def test_database_passwords_in_urls_are_masked() -> None:
    record = _record("cannot reach postgresql://introbot:hunter2@db:5432/introbot")
    RedactingFilter().filter(record)
    assert record.getMessage() == f"cannot reach postgresql://introbot:{MASK}@db:5432/introbot"


def test_exception_text_is_masked_too() -> None:
    try:
        raise RuntimeError(f"invalid_auth for {SLACK_TOKEN}")
    except RuntimeError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None,
                                   sys.exc_info())
    RedactingFilter().filter(record)
    out = JsonFormatter().format(record)
    assert SLACK_TOKEN not in out and "invalid_auth" in out and "RuntimeError" in out


def test_chat_libraries_debug_output_never_gets_through() -> None:
    guard = RedactingFilter()
    for name in ("slack_bolt.App", "slack_sdk.web.async_base_client", "discord.http",
                 "discord.gateway"):
        assert not guard.filter(_record("Received: {'text': 'my private words'}", name=name,
                                        level=logging.DEBUG))
        assert guard.filter(_record("connected", name=name, level=logging.INFO))
    assert guard.filter(_record("our own debug", name="introbot.run", level=logging.DEBUG))


def test_json_lines_carry_the_fields_as_keys() -> None:
    record = _record("command ok", fields={"community": "slack:T1", "command": "intro find",
                                           "outcome": "ok", "latency_ms": 12.5})
    entry = json.loads(JsonFormatter(replica="pod-1").format(record))
    assert entry["msg"] == "command ok" and entry["level"] == "info"
    assert entry["replica"] == "pod-1"
    assert {k: entry[k] for k in ("community", "command", "outcome", "latency_ms")} == {
        "community": "slack:T1", "command": "intro find", "outcome": "ok", "latency_ms": 12.5}
    assert entry["ts"].endswith("+00:00")


def test_text_lines_are_for_people() -> None:
    record = _record("command ok", fields={"command": "intro find", "outcome": "ok"})
    line = TextFormatter().format(record)
    assert line.endswith("introbot.test: command ok command=intro find outcome=ok")
    assert not line.startswith("{")


def test_auto_is_json_unless_a_terminal() -> None:
    assert wants_json("auto", io.StringIO()) is True
    assert wants_json("auto", Tty()) is False
    assert wants_json("JSON", Tty()) is True
    assert wants_json("text", io.StringIO()) is False


@pytest.mark.usefixtures("restore_logging")
def test_configure_routes_every_logger_through_the_filter() -> None:
    stream = io.StringIO()
    configure("INFO", "json", secrets=["a-very-secret-value"], replica="r1", stream=stream)
    logging.getLogger("anything.at.all").warning("leaking %s", "a-very-secret-value")
    logging.getLogger("apscheduler.scheduler").info("Running job ...")  # too chatty: off
    logging.getLogger("slack_sdk.web").debug("body with member text")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["msg"] for line in lines] == [f"leaking {MASK}"]
    assert lines[0]["replica"] == "r1" and lines[0]["logger"] == "anything.at.all"


def test_a_scheduler_job_cancelled_at_shutdown_is_not_reported_as_an_error() -> None:
    import asyncio
    import sys

    from adapters.logging_setup import cancelled_job

    def failing(exc: BaseException) -> logging.LogRecord:
        try:
            raise exc
        except BaseException:
            return logging.LogRecord("apscheduler.executors.default", logging.ERROR, __file__,
                                     1, "Job raised an exception", None, sys.exc_info())

    assert not cancelled_job(failing(asyncio.CancelledError()))
    assert cancelled_job(failing(RuntimeError("a real failure")))
    assert cancelled_job(_record("anything"))
