"""Every setting is read from the environment and validated; a bad one stops `introbot run`
with one message naming the variable and what it should look like — never a traceback, never
a secret's value. Missing credentials and an unreachable database are said just as plainly."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from adapters.run import Plan, StartupError, plan_for, secrets_of
from adapters.settings import IntrobotSettings
from adapters.settings_errors import HEADER, expected, explain
from tests.production.support import run_cli

# alias: (a good value as typed, what it parses to, a bad value or None when any text goes)
CASES: dict[str, tuple[str, Any, str | None]] = {
    "INTROBOT_DATABASE_URL": ("postgresql://u:p@db:5432/x", "postgresql://u:p@db:5432/x",
                              "mysql://db/x"),
    "INTROBOT_ADMINS": ("U1, @maria.chen", "U1, @maria.chen", None),
    "INTROBOT_LOG_LEVEL": ("debug", "debug", "loud"),
    "SLACK_BOT_TOKEN": ("xoxb-1-2", "xoxb-1-2", None),
    "SLACK_SIGNING_SECRET": ("abc123", "abc123", None),
    "SLACK_APP_TOKEN": ("xapp-1-2", "xapp-1-2", None),
    "SLACK_CLIENT_ID": ("123.456", "123.456", None),
    "SLACK_CLIENT_SECRET": ("s3cret", "s3cret", None),
    "INTROBOT_SLACK_API_URL": ("http://127.0.0.1:9/api", "http://127.0.0.1:9/api/",
                               "slack.com/api"),
    "INTROBOT_HTTP_HOST": ("0.0.0.0", "0.0.0.0", None),
    "INTROBOT_HTTP_PORT": ("8080", 8080, "eighty"),
    "DISCORD_TOKEN": ("abc.def.ghi", "abc.def.ghi", None),
    "INTROBOT_DISCORD_API_URL": ("http://127.0.0.1:9/api/v10", "http://127.0.0.1:9/api/v10",
                                 "ftp://x"),
    "INTROBOT_DISCORD_GATEWAY_URL": ("ws://127.0.0.1:9/gw", "ws://127.0.0.1:9/gw",
                                     "http://x"),
    "INTROBOT_DISCORD_DEV_GUILD": ("123456789012345678", 123456789012345678, "my-server"),
    "INTROBOT_DISCORD_SHARDED": ("true", True, "maybe"),
    "INTROBOT_DISCORD_INTRO_CHANNEL": ("42", 42, "#intros"),
    "INTROBOT_DISCORD_FALLBACK_CHANNEL": ("", None, "#general"),
    "INTROBOT_LOG_FORMAT": ("json", "json", "yaml"),
    "INTROBOT_REPLICA_ID": ("pod-7", "pod-7", "x" * 101),
    "INTROBOT_OUTBOX_LEASE_SECONDS": ("30", 30, "1"),
    "INTROBOT_OUTBOX_BATCH_SIZE": ("10", 10, "0"),
    "INTROBOT_OUTBOX_POLL_SECONDS": ("2.5", 2.5, "0"),
    "INTROBOT_SWEEP_SECONDS": ("120", 120.0, "soon"),
    "INTROBOT_SHUTDOWN_TIMEOUT_SECONDS": ("5", 5.0, "-1"),
}
FIELDS = {info.alias or name: name for name, info in IntrobotSettings.model_fields.items()}


def _settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> IntrobotSettings:
    for alias in FIELDS:
        monkeypatch.delenv(alias, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return IntrobotSettings(_env_file=None)  # type: ignore[call-arg]


def test_every_setting_has_a_case() -> None:
    assert set(CASES) == set(FIELDS)


@pytest.mark.parametrize("alias", sorted(CASES))
def test_each_setting_is_read_from_the_environment(alias: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    raw, parsed, _ = CASES[alias]
    settings = _settings(monkeypatch, **{alias: raw})
    assert getattr(settings, FIELDS[alias]) == parsed


@pytest.mark.parametrize("alias", sorted(a for a, case in CASES.items() if case[2] is not None))
def test_each_bad_value_is_named_with_what_it_should_look_like(
    alias: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    bad = CASES[alias][2]
    assert bad is not None
    with pytest.raises(Exception) as caught:
        _settings(monkeypatch, **{alias: bad})
    message = explain(caught.value)  # type: ignore[arg-type]
    lines = message.splitlines()
    assert lines[0] == HEADER and len(lines) == 2
    assert alias in lines[1]
    assert "should" in lines[1] or "must" in lines[1]
    assert "pydantic" not in message and "errors.pydantic.dev" not in message


def test_several_bad_values_give_one_message_with_a_line_each(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(Exception) as caught:
        _settings(monkeypatch, INTROBOT_HTTP_PORT="99999", INTROBOT_LOG_FORMAT="xml")
    lines = explain(caught.value).splitlines()  # type: ignore[arg-type]
    assert lines[1:] == [
        "  INTROBOT_HTTP_PORT (it is '99999') should be a port number from 0 to 65535, "
        "such as 3000.",
        "  INTROBOT_LOG_FORMAT (it is 'xml') should be one of auto, json, text.",
    ]


def test_expected_values_come_from_the_field_when_no_example_is_written() -> None:
    assert expected("INTROBOT_OUTBOX_BATCH_SIZE") == \
        "a whole number from 1 to 500, such as 100"
    assert expected("INTROBOT_OUTBOX_POLL_SECONDS") == "a number from 0.2 to 3600, such as 60"


def test_adapters_run_only_with_complete_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    assert plan_for(_settings(monkeypatch, SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s")) \
        == Plan(slack="http", discord=False)
    assert plan_for(_settings(monkeypatch, SLACK_BOT_TOKEN="xoxb-1", SLACK_APP_TOKEN="xapp-1",
                              DISCORD_TOKEN="d")) == Plan(slack="socket", discord=True)
    assert plan_for(_settings(monkeypatch, SLACK_CLIENT_ID="1", SLACK_CLIENT_SECRET="2",
                              SLACK_SIGNING_SECRET="s")) == Plan(slack="http", discord=False)
    for env, named in [
        ({}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_SIGNING_SECRET": "s"}, "SLACK_CLIENT_ID"),
        ({"SLACK_BOT_TOKEN": "xoxp-user", "SLACK_SIGNING_SECRET": "s"}, "xoxb-"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"}, "xapp-"),
    ]:
        with pytest.raises(StartupError) as caught:
            plan_for(_settings(monkeypatch, **env))
        assert named in caught.value.message and caught.value.code == 2


def test_the_logs_are_told_every_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(monkeypatch, SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="sign",
                         DISCORD_TOKEN="disc",
                         INTROBOT_DATABASE_URL="postgresql://u:hunter2@db/x")
    assert set(secrets_of(settings)) == {"xoxb-1", "sign", "disc", "hunter2"}


# ---------------------------------------------------------------- through the CLI


def test_bad_settings_stop_introbot_run_with_one_message(tmp_path: Path) -> None:
    result = run_cli(["run"], {"INTROBOT_HTTP_PORT": "eighty",
                               "INTROBOT_DATABASE_URL": "mysql://root:hunter2@db/x",
                               "SLACK_BOT_TOKEN": "xoxb-leak-me-not"}, tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        HEADER,
        "  INTROBOT_DATABASE_URL must look like sqlite:///introbot.db or "
        "postgresql://user@host:5432/dbname",
        "  INTROBOT_HTTP_PORT (it is 'eighty') should be a port number from 0 to 65535, "
        "such as 3000.",
    ]
    assert "hunter2" not in result.stderr and "Traceback" not in result.stderr


def test_a_dotenv_file_is_read_and_checked_too(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("INTROBOT_OUTBOX_LEASE_SECONDS=forever\n")
    result = run_cli(["run"], {}, tmp_path)
    assert result.returncode == 2
    assert "INTROBOT_OUTBOX_LEASE_SECONDS (it is 'forever') should be a whole number from 2 " \
        "to 3600, such as 120." in result.stderr


def test_nothing_to_run_says_which_variables_to_set(tmp_path: Path) -> None:
    result = run_cli(["run"], {}, tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Nothing to run: set SLACK_BOT_TOKEN")
    assert "DISCORD_TOKEN" in lines[0]


def test_slack_without_a_signing_secret_or_app_token_is_refused(tmp_path: Path) -> None:
    result = run_cli(["run"], {"SLACK_BOT_TOKEN": "xoxb-123"}, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "Slack needs SLACK_SIGNING_SECRET (HTTP mode: Slack posts to /slack/events) or "
        "SLACK_APP_TOKEN (Socket Mode: an xapp-… token), next to SLACK_BOT_TOKEN.")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_database_is_one_message_without_the_password(tmp_path: Path) -> None:
    port = _closed_port()
    result = run_cli(["run"], {
        "INTROBOT_DATABASE_URL": f"postgresql://introbot:hunter2@127.0.0.1:{port}/introbot",
        "SLACK_BOT_TOKEN": "xoxb-123", "SLACK_SIGNING_SECRET": "secret"}, tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(
        f"Could not open the database at postgresql://introbot:***@127.0.0.1:{port}/"
        "introbot (INTROBOT_DATABASE_URL):")
    assert "hunter2" not in result.stderr and "Traceback" not in result.stderr


def test_a_port_in_use_is_one_message(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        result = run_cli(["run"], {
            "INTROBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
            "INTROBOT_HTTP_PORT": str(port), "INTROBOT_LOG_FORMAT": "json",
            "SLACK_BOT_TOKEN": "xoxb-123", "SLACK_SIGNING_SECRET": "secret"}, tmp_path)
    assert result.returncode == 1
    problem = [line for line in result.stderr.splitlines() if not line.startswith("{")]
    assert problem == [
        f"Could not listen on 127.0.0.1:{port} (INTROBOT_HTTP_HOST / INTROBOT_HTTP_PORT): "
        "Address already in use. Pick a free port, or stop what is using it."]
    assert "Traceback" not in result.stderr
