"""The health server on 127.0.0.1 (port 0): liveness always, readiness from its checks (a
failing or broken check, or a shutdown under way, is 503 and says which), Prometheus text, and
Slack's /slack/events mounted beside them."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.http_server import SLACK_EVENTS_PATH, HttpServer
from adapters.metrics import Metrics
from tests.fakes.slack import FakeSlack, SlackRequestSigner
from tests.production.support import get, metric


class Flags:
    def __init__(self) -> None:
        self.database = True
        self.slack = True
        self.refreshed = 0

    async def database_ok(self) -> bool:
        return self.database

    async def slack_ok(self) -> bool:
        if not self.slack:
            raise ConnectionError("socket closed")
        return True

    async def refresh(self) -> None:
        self.refreshed += 1


@pytest.fixture
async def served() -> AsyncIterator[tuple[HttpServer, Flags]]:
    flags = Flags()
    server = HttpServer("127.0.0.1", 0, Metrics(),
                        checks={"database": flags.database_ok, "slack": flags.slack_ok},
                        before_scrape=flags.refresh, shutdown_timeout=1)
    await server.start()
    try:
        yield server, flags
    finally:
        await server.stop()


def _url(server: HttpServer, path: str) -> str:
    return f"http://127.0.0.1:{server.bound_port}{path}"


async def test_healthz_is_alive_and_readyz_follows_the_checks(
    served: tuple[HttpServer, Flags],
) -> None:
    server, flags = served
    assert server.bound_port not in (None, 0)
    assert await get(_url(server, "/healthz")) == (200, json.dumps({"status": "alive"}))

    status, body = await get(_url(server, "/readyz"))
    assert status == 200
    assert json.loads(body) == {"status": "ready", "stopping": False,
                                "checks": {"database": True, "slack": True}}

    flags.database = False
    status, body = await get(_url(server, "/readyz"))
    assert status == 503 and json.loads(body)["checks"] == {"database": False, "slack": True}

    flags.database, flags.slack = True, False  # a check that raises counts as not ready
    status, body = await get(_url(server, "/readyz"))
    assert status == 503 and json.loads(body)["checks"]["slack"] is False
    assert (await get(_url(server, "/healthz")))[0] == 200  # alive all the same


async def test_a_stopping_server_is_not_ready(served: tuple[HttpServer, Flags]) -> None:
    server, _ = served
    server.stopping = True
    status, body = await get(_url(server, "/readyz"))
    assert status == 503 and json.loads(body)["stopping"] is True


async def test_metrics_are_prometheus_text_refreshed_on_each_scrape(
    served: tuple[HttpServer, Flags],
) -> None:
    server, flags = served
    server.metrics.commands.labels("command", "intro find", "ok").inc(3)
    status, body = await get(_url(server, "/metrics"))
    assert status == 200
    assert metric(body, "introbot_commands_total", command="intro find") == 3
    assert "# TYPE introbot_command_latency_seconds histogram" in body
    assert "# TYPE introbot_outbox_rows gauge" in body
    await get(_url(server, "/metrics"))
    assert flags.refreshed == 2


async def test_slack_events_are_served_on_the_same_port() -> None:
    signing = "mounted-slack-secret"
    async with FakeSlack() as slack:
        bolt = AsyncApp(client=AsyncWebClient(token=slack.bot_token, base_url=slack.api_url),
                        signing_secret=signing)
        heard: list[str] = []

        @bolt.command("/intro")
        async def intro(ack, body) -> None:  # type: ignore[no-untyped-def]
            heard.append(body["text"])
            await ack(text="hello")

        server = HttpServer("127.0.0.1", 0, Metrics())
        server.mount_slack(bolt)
        await server.start()
        try:
            signer = SlackRequestSigner(signing)
            url = _url(server, SLACK_EVENTS_PATH)
            reply = await signer.slash_command("/intro", "help", user_id="U1",
                                               channel_id="C1").post(url)
            assert (reply.status, reply.text) == (200, "hello")
            forged = await signer.slash_command("/intro", "help", user_id="U1",
                                                channel_id="C1", forged=True).post(url)
            assert forged.status == 401
            assert heard == ["help"]
            assert (await get(_url(server, "/healthz")))[0] == 200
        finally:
            await server.stop()
