"""Serving the Slack app: Socket Mode when SLACK_APP_TOKEN is set (no public URL needed),
otherwise HTTP at `/slack/events` on INTROBOT_HTTP_HOST:INTROBOT_HTTP_PORT (default
127.0.0.1:3000; put a TLS-terminating proxy in front). With OAuth, the HTTP server also serves
`/slack/install` and `/slack/oauth_redirect`.
"""

from __future__ import annotations

import logging

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_server import AsyncSlackAppServer

from adapters.slack.app import SlackBot

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"


class SlackRunner:
    def __init__(
        self, bot: SlackBot, *, app_token: str = "", host: str = "127.0.0.1", port: int = 3000
    ) -> None:
        self.bot = bot
        self.app_token = app_token
        self.host = host
        self.port = port
        self._socket: AsyncSocketModeHandler | None = None
        self._http: web.AppRunner | None = None
        self.bound_port: int | None = None

    @property
    def mode(self) -> str:
        return "socket" if self.app_token else "http"

    @property
    def events_url(self) -> str:
        """Where Slack (or a test) posts in HTTP mode."""
        if self.bound_port is None:
            raise RuntimeError("the HTTP server is not running")
        return f"http://{self.host}:{self.bound_port}{EVENTS_PATH}"

    async def start(self) -> None:
        if self.app_token:
            self._socket = AsyncSocketModeHandler(self.bot.app, app_token=self.app_token)
            await self._socket.connect_async()  # type: ignore[no-untyped-call]
            log.info("Slack: connected in Socket Mode")
            return
        server = AsyncSlackAppServer(port=self.port, path=EVENTS_PATH, app=self.bot.app,
                                     host=self.host)
        self._http = web.AppRunner(server.web_app, handle_signals=False)
        await self._http.setup()
        await web.TCPSite(self._http, self.host, self.port).start()
        self.bound_port = int(self._http.addresses[0][1])
        log.info("Slack: listening on http://%s:%s%s", self.host, self.bound_port, EVENTS_PATH)

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
        if self._http is not None:
            await self._http.cleanup()
            self._http = None
            self.bound_port = None
        await self.bot.close()
