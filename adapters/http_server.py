"""The HTTP server of `introbot run`, on INTROBOT_HTTP_HOST:INTROBOT_HTTP_PORT:

* ``GET /healthz`` — 200 while the process and its event loop are alive (liveness);
* ``GET /readyz`` — 200 when the database answers and every adapter is connected, else 503
  with what is not ready (readiness: a load balancer sends Slack requests only to ready
  replicas, and a stopping replica stops being ready first);
* ``GET /metrics`` — Prometheus text (adapters/metrics.py);
* Slack in HTTP mode: ``POST /slack/events`` (and, with OAuth, ``/slack/install`` and
  ``/slack/oauth_redirect``), served by the Bolt app on the same port.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from adapters.metrics import Metrics

log = logging.getLogger(__name__)

SLACK_EVENTS_PATH = "/slack/events"
CHECK_TIMEOUT = 3.0

Check = Callable[[], Awaitable[bool]]


class HttpServer:
    def __init__(
        self,
        host: str,
        port: int,
        metrics: Metrics,
        *,
        checks: Mapping[str, Check] | None = None,
        before_scrape: Callable[[], Awaitable[None]] | None = None,
        shutdown_timeout: float = 10.0,
    ) -> None:
        self.host = host
        self.port = port
        self.metrics = metrics
        self.checks: dict[str, Check] = dict(checks or {})
        self.before_scrape = before_scrape
        self.shutdown_timeout = shutdown_timeout
        self.stopping = False
        self.app = web.Application()
        self.app.router.add_get("/healthz", self._healthz)
        self.app.router.add_get("/readyz", self._readyz)
        self.app.router.add_get("/metrics", self._metrics)
        self._runner: web.AppRunner | None = None
        self.bound_port: int | None = None

    def mount_slack(self, bolt_app: Any) -> None:
        """Serve a Bolt `AsyncApp` in HTTP mode at /slack/events (and its OAuth paths) on this
        server. Call before `start`."""
        from slack_bolt.app.async_server import AsyncSlackAppServer

        slack = AsyncSlackAppServer(port=self.port, path=SLACK_EVENTS_PATH, app=bolt_app,
                                    host=self.host)
        for route in slack.web_app.router.routes():
            path = route.resource.canonical if route.resource is not None else None
            if path is None or route.method == "HEAD":
                continue
            self.app.router.add_route(route.method, path, route.handler)

    async def start(self) -> int:
        """Listen; returns the port (the one the OS picked when the setting is 0)."""
        self._runner = web.AppRunner(self.app, handle_signals=False, access_log=None,
                                     shutdown_timeout=self.shutdown_timeout)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self.bound_port = int(self._runner.addresses[0][1])
        return self.bound_port

    async def stop(self) -> None:
        """Stop listening; requests under way get `shutdown_timeout` seconds to finish."""
        self.stopping = True
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ------------------------------------------------------------ handlers

    async def _healthz(self, _request: web.Request) -> web.Response:
        return web.json_response({"status": "alive"})

    async def readiness(self) -> dict[str, bool]:
        """Each check's answer (a check that fails or hangs counts as not ready)."""
        names = list(self.checks)

        async def run(name: str) -> bool:
            try:
                return bool(await asyncio.wait_for(self.checks[name](), CHECK_TIMEOUT))
            except Exception as exc:
                log.warning("readiness check %s failed: %s", name, type(exc).__name__)
                return False

        results = await asyncio.gather(*(run(name) for name in names))
        return dict(zip(names, results, strict=True))

    async def _readyz(self, _request: web.Request) -> web.Response:
        checks = await self.readiness()
        ready = all(checks.values()) and not self.stopping
        body = {"status": "ready" if ready else "not ready", "stopping": self.stopping,
                "checks": checks}
        return web.json_response(body, status=200 if ready else 503)

    async def _metrics(self, _request: web.Request) -> web.Response:
        if self.before_scrape is not None:
            try:
                await asyncio.wait_for(self.before_scrape(), CHECK_TIMEOUT)
            except Exception as exc:
                log.warning("could not refresh the outbox metrics: %s", type(exc).__name__)
        response = web.Response(body=self.metrics.render())
        response.content_type = CONTENT_TYPE_LATEST.split(";")[0]
        response.charset = "utf-8"
        return response
