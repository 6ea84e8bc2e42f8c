"""`introbot run` in a child process, against the Slack and Discord fakes on 127.0.0.1: both
adapters in one process, /healthz, /readyz and /metrics on one port with Slack's /slack/events,
one log line per command (without the text typed, without tokens), a clean SIGTERM."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from tests.fakes.discord import FakeDiscord
from tests.fakes.discord_interactions import subcommand
from tests.fakes.slack import FakeSlack, SlackRequestSigner, slash_command_payload
from tests.production.support import IntrobotProcess, get, metric, started, wait_ready

SIGNING_SECRET = "production-test-signing-secret"
SECRET_TOPIC = "my-very-private-topic-words"


async def test_run_serves_slack_and_discord_with_health_metrics_and_logs(tmp_path: Path) -> None:
    async with FakeSlack() as slack, FakeDiscord() as discord_fake:
        slack.add_user("U0SAM0001", "sam", real_name="Sam Rivera")
        env = {
            "INTROBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}",
            "SLACK_BOT_TOKEN": slack.bot_token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "INTROBOT_SLACK_API_URL": slack.api_url,
            "DISCORD_TOKEN": discord_fake.token,
            "INTROBOT_DISCORD_API_URL": discord_fake.api_url,
            "INTROBOT_DISCORD_GATEWAY_URL": discord_fake.gateway_url,
            "INTROBOT_DISCORD_DEV_GUILD": str(discord_fake.guild.id),
        }
        with IntrobotProcess(env, tmp_path) as bot:
            port = await started(bot)
            base = f"http://127.0.0.1:{port}"
            assert (await get(base + "/healthz"))[0] == 200

            ready = await wait_ready(bot)
            assert ready["checks"] == {"database": True, "slack": True, "discord": True}

            # Slack, in HTTP mode on the same port.
            signer = SlackRequestSigner(SIGNING_SECRET)
            response_url = slack.response_url("find")
            reply = await signer.slash_command(
                "/intro", f"search {SECRET_TOPIC}", user_id="U0SAM0001",
                user_name="sam", channel_id="C0GENERAL", response_url=response_url,
                trigger_id=slack.new_trigger_id(), team_id=slack.team_id,
            ).post(base + "/slack/events")
            assert reply.status == 200
            forged = await signer.slash_command(
                "/intro", "help", user_id="U0SAM0001", channel_id="C0GENERAL", forged=True,
            ).post(base + "/slack/events")
            assert forged.status == 401

            # Discord, through the gateway.
            await discord_fake.wait_for(lambda: discord_fake.commands.get(discord_fake.guild.id))
            sent = await discord_fake.send_slash("intro", [subcommand("help")])
            callback = await discord_fake.wait_callback(sent)
            assert callback.accepted

            status, body = await get(base + "/metrics")
            assert status == 200
            assert metric(body, "introbot_commands_total", kind="command",
                          command="intro find") == 1
            assert metric(body, "introbot_commands_total", kind="command",
                          command="intro help", outcome="ok") == 1
            assert metric(body, "introbot_command_latency_seconds_count", kind="command") == 2
            assert "introbot_outbox_rows" in body and "introbot_reminder_lateness_seconds" in body
            assert metric(body, "introbot_adapter_connected", adapter="discord") == 1

            line = await _command_line(bot, "slack:")
            assert line["command"] == "intro find" and line["outcome"] == "ok"
            assert line["community"] == f"slack:{slack.team_id}"
            assert isinstance(line["latency_ms"], float | int)
            discord_line = await _command_line(bot, "discord:")
            assert discord_line["command"] == "intro help"

            assert bot.terminate() == 0
        output = bot.output()
        assert SECRET_TOPIC not in output
        assert slack.bot_token not in output and discord_fake.token not in output
        assert SIGNING_SECRET not in output
        assert "Traceback" not in output
        stopped = [json.loads(x) for x in bot.lines if '"stopped"' in x]
        assert stopped and stopped[-1]["released"] == 0
        slack.assert_no_violations()
        assert discord_fake.violations == []


async def _command_line(bot: IntrobotProcess, community: str) -> dict[str, object]:
    return await asyncio.to_thread(
        bot.wait_for_record,
        lambda r: r.get("logger") == "introbot.commands"
        and str(r.get("community", "")).startswith(community), 10)


async def test_run_in_socket_mode_is_ready_once_connected(tmp_path: Path) -> None:
    async with FakeSlack() as slack:
        slack.add_user("U0SAM0001", "sam", real_name="Sam Rivera")
        env = {
            "INTROBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'socket.db'}",
            "SLACK_BOT_TOKEN": slack.bot_token,
            "SLACK_APP_TOKEN": slack.app_token,
            "INTROBOT_SLACK_API_URL": slack.api_url,
        }
        with IntrobotProcess(env, tmp_path, "socket") as bot:
            ready = await wait_ready(bot)
            assert ready["checks"] == {"database": True, "slack": True}
            await slack.wait_for_socket(1)
            ack = await slack.socket_send("slash_commands", slash_command_payload(
                "/intro", "help", user_id="U0SAM0001", channel_id="C0GENERAL",
                response_url=slack.response_url("help"), trigger_id=slack.new_trigger_id()))
            assert ack.payload is not None and "intro" in json.dumps(ack.payload).lower()
            port = await started(bot)
            status, _ = await get(f"http://127.0.0.1:{port}/slack/events")
            assert status in (404, 405)  # no HTTP endpoint for Slack in Socket Mode

            await slack.drop_socket()  # connection lost: the client reconnects, ready again
            await slack.wait_for_socket(2, timeout=20)
            await wait_ready(bot)
            assert bot.terminate() == 0
        slack.assert_no_violations()


async def test_a_refused_discord_token_stops_run_with_one_message(tmp_path: Path) -> None:
    async with FakeDiscord() as discord_fake:
        env = {
            "INTROBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'refused.db'}",
            "DISCORD_TOKEN": "not-the-token",
            "INTROBOT_DISCORD_API_URL": discord_fake.api_url,
            "INTROBOT_DISCORD_GATEWAY_URL": discord_fake.gateway_url,
        }
        with IntrobotProcess(env, tmp_path, "refused") as bot:
            code = await asyncio.to_thread(bot.proc.wait, 30)
            await asyncio.to_thread(bot.terminate)
        assert code == 1
        plain = [line for line in bot.lines if not line.startswith("{")]
        assert plain == ["Discord refused DISCORD_TOKEN. Copy the bot token again from the "
                         "developer portal (Bot → Reset Token)."]
        assert "not-the-token" not in bot.output() and "Traceback" not in bot.output()


async def test_a_refused_slack_token_stops_run_with_one_message(tmp_path: Path) -> None:
    async with FakeSlack() as slack:
        env = {
            "INTROBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'refused.db'}",
            "SLACK_BOT_TOKEN": "xoxb-not-the-right-one",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "INTROBOT_SLACK_API_URL": slack.api_url,
        }
        with IntrobotProcess(env, tmp_path, "refused") as bot:
            code = await asyncio.to_thread(bot.proc.wait, 30)
            await asyncio.to_thread(bot.terminate)
        assert code == 1
        plain = [line for line in bot.lines if not line.startswith("{")]
        assert plain == ["Slack refused SLACK_BOT_TOKEN (invalid_auth). Copy the Bot User OAuth "
                         "Token (xoxb-…) again from OAuth & Permissions, or reinstall the app."]
        assert "xoxb-not-the-right-one" not in bot.output()
        assert [call.method for call in slack.calls] == ["auth.test"]


async def test_a_refused_slack_app_token_stops_run_with_one_message(tmp_path: Path) -> None:
    async with FakeSlack() as slack:
        env = {
            "INTROBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'refused.db'}",
            "SLACK_BOT_TOKEN": slack.bot_token,
            "SLACK_APP_TOKEN": "xapp-1-not-the-right-one",
            "INTROBOT_SLACK_API_URL": slack.api_url,
        }
        with IntrobotProcess(env, tmp_path, "refused") as bot:
            code = await asyncio.to_thread(bot.proc.wait, 30)
            await asyncio.to_thread(bot.terminate)
        assert code == 1
        plain = [line for line in bot.lines if not line.startswith("{")]
        assert len(plain) == 1 and plain[0].startswith("Slack refused SLACK_APP_TOKEN (")
        assert "xapp-1-not-the-right-one" not in bot.output()
        assert "Traceback" not in bot.output()
