"""A fake Slack for tests: Web API, file uploads, response_url and Socket Mode on 127.0.0.1.

Start it, point slack_sdk at it, and read what the code under test did:

    async with FakeSlack() as slack:
        slack.add_user("U1", "ana", tz="Europe/Berlin")
        client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
        await client.chat_postMessage(channel="U1", text="hi")
        assert slack.calls_to("chat.postMessage")[0].params["text"] == "hi"

Every call is checked against Slack's method list (tests/fixtures/slack), answered the way Slack
answers (same field names, same error codes) and recorded in `calls`. Things Slack would hold
against the app without an error code (a late ack, a method the fake does not serve, an unknown
ack) go to `violations`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import mimetypes
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from tests.fakes.slack_blocks import MESSAGE_TEXT_LIMIT, block_problems, view_problems
from tests.fakes.slack_clock import Seconds, monotonic_seconds
from tests.fakes.slack_socket import SocketAck, SocketConnection, SocketModeServer
from tests.fakes.slack_spec import MethodSpec, web_api_methods

TRIGGER_LIFETIME_SECONDS = 3.0
RESPONSE_URL_USES = 5
RESPONSE_URL_LIFETIME_SECONDS = 30 * 60
MPIM_MAX_USERS = 8

JSON_FIELDS = ("blocks", "attachments", "view", "files", "metadata")
APP_TOKEN_METHODS = frozenset({"apps.connections.open"})

Answer = dict[str, Any]
Handler = Callable[["SlackCall"], Answer]


@dataclass
class SlackCall:
    """One Web API request as the fake received and answered it."""

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    token: str | None
    at: float
    status: int = 200
    response: Answer = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.response.get("ok") is True

    @property
    def error(self) -> str | None:
        error = self.response.get("error")
        return error if isinstance(error, str) else None


@dataclass
class PostedMessage:
    """A message the app posted (chat.postMessage / chat.postEphemeral), as updated since."""

    channel: str
    ts: str
    text: str
    blocks: list[Any] | None
    thread_ts: str | None = None
    ephemeral_user: str | None = None
    edits: int = 0


@dataclass
class UploadedFile:
    """A file sent by files.getUploadURLExternal, the upload URL, files.completeUploadExternal."""

    file_id: str
    filename: str
    length: int
    alt_txt: str | None = None
    snippet_type: str | None = None
    title: str | None = None
    content: bytes | None = None
    completed: bool = False
    channel_id: str | None = None
    initial_comment: str | None = None
    thread_ts: str | None = None


@dataclass
class ResponseUrlPost:
    url: str
    body: Any
    at: float
    status: int


@dataclass
class _Trigger:
    issued_at: float
    used: bool = False


@dataclass
class _ResponseUrl:
    label: str
    issued_at: float
    uses: int = 0


class _SlackError(Exception):
    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.answer: Answer = {"ok": False, "error": error, **extra}


def _fake_id(prefix: str, length: int = 10) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return prefix + "".join(secrets.choice(alphabet) for _ in range(length))


def _stable_id(prefix: str, key: str) -> str:
    return prefix + hashlib.sha1(key.encode()).hexdigest()[:10].upper()


class FakeSlack:
    """Fake Slack Web API + Socket Mode server on 127.0.0.1 (port picked by the OS)."""

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-fake-bot-token",
        app_token: str = "xapp-1-fake-app-token",
        team_id: str = "T0FAKETEAM",
        team_name: str = "Fake Alumni",
        bot_user_id: str = "U0FAKEBOT",
        bot_name: str = "introbot",
        bot_id: str = "B0FAKEBOT",
        app_id: str = "A0FAKEAPP",
        clock: Seconds = monotonic_seconds,
    ) -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.team_id = team_id
        self.team_name = team_name
        self.bot_user_id = bot_user_id
        self.bot_name = bot_name
        self.bot_id = bot_id
        self.app_id = app_id
        self.clock = clock

        self.calls: list[SlackCall] = []
        self.violations: list[str] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.messages: list[PostedMessage] = []
        self.views: dict[str, dict[str, Any]] = {}
        self.home_views: dict[str, dict[str, Any]] = {}
        self.uploads: dict[str, UploadedFile] = {}
        self.response_posts: list[ResponseUrlPost] = []

        self._methods: dict[str, MethodSpec] = web_api_methods()
        self._handlers: dict[str, Handler] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "conversations.open": self._conversations_open,
            "users.info": self._users_info,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
            "apps.connections.open": self._apps_connections_open,
            "files.upload": self._files_upload_retired,
        }
        self._overrides: dict[str, Handler] = {}
        self._failures: dict[str, list[Answer]] = {}
        self._rate_limits: dict[str, list[int]] = {}
        self._triggers: dict[str, _Trigger] = {}
        self._response_urls: dict[str, _ResponseUrl] = {}
        self._upload_keys: dict[str, str] = {}
        self._ts_base = int(time.time())
        self._ts_counter = 0
        self._activity: asyncio.Condition | None = None
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self.socket = SocketModeServer(
            clock=clock, app_id=app_id, violations=self.violations, on_change=self._notify
        )
        self.add_user(bot_user_id, bot_name, is_bot=True)

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> FakeSlack:
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/upload/v1/{key}", self._handle_upload)
        app.router.add_post("/response/{key}", self._handle_response_url)
        app.router.add_get("/socket", self.socket.handle)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        await self.socket.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeSlack:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeSlack is not started: use `async with FakeSlack()` or start()")
        return self._port

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def api_url(self) -> str:
        """The `base_url` for AsyncWebClient (ends with '/', as slack_sdk wants)."""
        return f"{self.root_url}api/"

    # ------------------------------------------------------------------ seeding

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        real_name: str | None = None,
        display_name: str | None = None,
        tz: str = "UTC",
        is_admin: bool = False,
        is_owner: bool = False,
        is_bot: bool = False,
        deleted: bool = False,
        email: str | None = None,
    ) -> dict[str, Any]:
        """Add a workspace member that users.info, conversations.open and DMs know about."""
        real = real_name if real_name is not None else name
        shown = display_name if display_name is not None else name
        profile: dict[str, Any] = {
            "real_name": real,
            "display_name": shown,
            "real_name_normalized": real,
            "display_name_normalized": shown,
            "team": self.team_id,
        }
        if email is not None:
            profile["email"] = email
        user: dict[str, Any] = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "deleted": deleted,
            "real_name": real,
            "tz": tz,
            "is_admin": is_admin,
            "is_owner": is_owner,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": is_bot,
            "is_app_user": False,
            "profile": profile,
        }
        self.users[user_id] = user
        return user

    def add_channel(self, channel_id: str, name: str, *, is_private: bool = False) -> None:
        """Register a public or private channel the app may post in."""
        self.channels[channel_id] = {
            "id": channel_id,
            "name": name,
            "is_channel": not is_private,
            "is_private": is_private,
            "is_im": False,
            "is_mpim": False,
        }

    # ------------------------------------------------------------------ test controls

    def new_trigger_id(self, *, age: float = 0.0) -> str:
        """A trigger id as Slack puts in interactive payloads; it lives 3 s from issue."""
        trigger_id = (
            f"{secrets.randbelow(10**11)}.{secrets.randbelow(10**11)}.{secrets.token_hex(16)}"
        )
        self._triggers[trigger_id] = _Trigger(issued_at=self.clock() - age)
        return trigger_id

    def response_url(self, label: str = "") -> str:
        """A fresh response_url under the fake (5 uses within 30 minutes, as Slack allows)."""
        key = secrets.token_hex(12)
        self._response_urls[key] = _ResponseUrl(label=label, issued_at=self.clock())
        return f"{self.root_url}response/{key}"

    def rate_limit(self, method: str, *, times: int = 1, retry_after: int = 1) -> None:
        """Answer the next `times` calls of `method` with HTTP 429 and `Retry-After`."""
        self._rate_limits[method] = [times, retry_after]

    def fail(self, method: str, error: str, *, times: int = 1, **extra: Any) -> None:
        """Answer the next `times` calls of `method` with `{"ok": false, "error": error}`."""
        self._failures.setdefault(method, []).extend(
            [{"ok": False, "error": error, **extra}] * times
        )

    def set_response(self, method: str, answer: Answer | Handler) -> None:
        """Serve a spec method the fake does not implement (or replace one) with a fixed answer."""
        if method not in self._methods:
            raise ValueError(f"{method} is not a Slack Web API method")
        self._overrides[method] = answer if callable(answer) else (lambda _call: dict(answer))

    # ------------------------------------------------------------------ inspection

    def calls_to(self, method: str) -> list[SlackCall]:
        return [call for call in self.calls if call.method == method]

    def last_call(self, method: str) -> SlackCall:
        calls = self.calls_to(method)
        if not calls:
            seen = sorted({call.method for call in self.calls})
            raise AssertionError(f"no call to {method}; calls seen: {seen}")
        return calls[-1]

    def messages_in(self, channel: str) -> list[PostedMessage]:
        return [m for m in self.messages if m.channel == channel]

    def dm_channel(self, *user_ids: str) -> str:
        """The DM (one user) or group DM (several users) id that conversations.open gives."""
        users = sorted(set(user_ids))
        if len(users) == 1:
            return _stable_id("D", users[0])
        return _stable_id("G", ",".join(users))

    def posts_to(self, url: str) -> list[Any]:
        return [post.body for post in self.response_posts if post.url == url]

    async def wait_until(
        self, predicate: Callable[[], bool], *, timeout: float = 5.0, what: str = "it"
    ) -> None:
        """Wait until `predicate()` holds, checking again after every request the fake serves
        and every Socket Mode message or connection change.

        For work an app does after its ack (Bolt runs that in the background in HTTP mode)."""
        condition = self._condition()
        async with condition:
            try:
                await asyncio.wait_for(condition.wait_for(predicate), timeout)
            except TimeoutError:
                seen = [call.method for call in self.calls]
                raise AssertionError(
                    f"waited {timeout} s for {what}; Web API calls seen: {seen}"
                ) from None

    async def wait_for_call(
        self, method: str, *, count: int = 1, timeout: float = 5.0
    ) -> SlackCall:
        """Wait for the `count`-th call of `method` and return it."""
        await self.wait_until(
            lambda: len(self.calls_to(method)) >= count,
            timeout=timeout,
            what=f"{count} call(s) to {method}",
        )
        return self.calls_to(method)[count - 1]

    async def wait_for_response_post(self, url: str, *, timeout: float = 5.0) -> Any:
        """Wait for a post to `url` (a response_url) and return the first body posted."""
        await self.wait_until(
            lambda: bool(self.posts_to(url)), timeout=timeout, what=f"a post to {url}"
        )
        return self.posts_to(url)[0]

    def _condition(self) -> asyncio.Condition:
        if self._activity is None:
            self._activity = asyncio.Condition()
        return self._activity

    async def _notify(self) -> None:
        condition = self._condition()
        async with condition:
            condition.notify_all()

    def assert_no_violations(self) -> None:
        assert not self.violations, "Slack fake saw violations:\n" + "\n".join(self.violations)

    # ------------------------------------------------------------------ Socket Mode

    @property
    def socket_connections(self) -> list[SocketConnection]:
        return self.socket.connections

    async def socket_send(
        self,
        envelope_type: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool | None = None,
        retry_attempt: int | None = None,
        retry_reason: str | None = None,
        timeout: float = 5.0,
    ) -> SocketAck:
        """Push an envelope to the newest connection and wait for the client's ack."""
        return await self.socket.send(
            envelope_type,
            payload,
            accepts_response_payload=accepts_response_payload,
            retry_attempt=retry_attempt,
            retry_reason=retry_reason,
            timeout=timeout,
        )

    async def wait_for_socket(self, connections: int = 1, timeout: float = 5.0) -> SocketConnection:
        """Wait until `connections` WebSocket connections were opened in all."""
        return await self.socket.wait_for_connections(connections, timeout)

    async def disconnect_socket(self, reason: str = "refresh_requested") -> None:
        """Send `{"type": "disconnect"}`: the client should fetch a new URL and reconnect."""
        await self.socket.disconnect(reason)

    async def drop_socket(self) -> None:
        """Close the connections without a disconnect message."""
        await self.socket.drop()

    # ------------------------------------------------------------------ HTTP plumbing

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
                if isinstance(body, dict):
                    params.update(body)
            else:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        params[key] = value.file.read()
                    else:
                        params[key] = value
        token = params.pop("token", None)
        authorization = request.headers.get("Authorization", "")
        if authorization.startswith("Bearer "):
            token = authorization.removeprefix("Bearer ").strip()
        for key in JSON_FIELDS:
            text = params.get(key)
            if isinstance(text, str):
                # Left as text when it is not JSON: the checks below report it.
                with contextlib.suppress(json.JSONDecodeError):
                    params[key] = json.loads(text)
        call = SlackCall(
            method=method,
            params=params,
            headers=dict(request.headers),
            token=token if isinstance(token, str) else None,
            at=self.clock(),
        )
        self.calls.append(call)
        headers: dict[str, str] = {}
        try:
            call.response = self._answer(call, headers)
        except _SlackError as error:
            call.response = error.answer
        await self._notify()
        return web.json_response(call.response, status=call.status, headers=headers)

    def _answer(self, call: SlackCall, headers: dict[str, str]) -> Answer:
        spec = self._methods.get(call.method)
        if spec is None:
            self.violations.append(f"call to {call.method!r}, which is not a Slack Web API method")
            raise _SlackError("unknown_method", req_method=call.method)
        limit = self._rate_limits.get(call.method)
        if limit is not None and limit[0] > 0:
            limit[0] -= 1
            call.status = 429
            headers["Retry-After"] = str(limit[1])
            raise _SlackError("ratelimited")
        self._check_token(call)
        failures = self._failures.get(call.method)
        if failures:
            return failures.pop(0)
        missing = [name for name in spec.required if call.params.get(name) in (None, "")]
        if missing:
            raise _SlackError(
                "invalid_arguments",
                response_metadata={
                    "messages": [f"[ERROR] missing required field: {name}" for name in missing]
                },
            )
        handler = self._overrides.get(call.method) or self._handlers.get(call.method)
        if handler is None:
            self.violations.append(
                f"call to {call.method}, which the fake does not serve: use fake.set_response()"
            )
            raise _SlackError("fake_method_not_served")
        return handler(call)

    def _check_token(self, call: SlackCall) -> None:
        if not call.token:
            raise _SlackError("not_authed")
        wants_app_token = call.method in APP_TOKEN_METHODS
        if call.token == (self.app_token if wants_app_token else self.bot_token):
            return
        if call.token in (self.app_token, self.bot_token):
            raise _SlackError("not_allowed_token_type")
        raise _SlackError("invalid_auth")

    async def _handle_upload(self, request: web.Request) -> web.Response:
        file_id = self._upload_keys.get(request.match_info["key"])
        if file_id is None:
            return web.Response(status=404, text="not found")
        upload = self.uploads[file_id]
        upload.content = await request.read()
        if len(upload.content) != upload.length:
            self.violations.append(
                f"upload of {upload.filename!r} sent {len(upload.content)} bytes, "
                f"files.getUploadURLExternal announced {upload.length}"
            )
        await self._notify()
        return web.Response(text=f"OK - {len(upload.content)}")

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        key = request.match_info["key"]
        url = f"{self.root_url}response/{key}"
        raw = await request.read()
        try:
            body: Any = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            body = raw.decode("utf-8", "replace")
        entry = self._response_urls.get(key)
        now = self.clock()
        if entry is None:
            status, answer = 404, "no_service"
        elif now - entry.issued_at > RESPONSE_URL_LIFETIME_SECONDS:
            status, answer = 404, "expired_url"
        elif entry.uses >= RESPONSE_URL_USES:
            status, answer = 404, "used_url"
        else:
            entry.uses += 1
            status, answer = 200, "ok"
        if status != 200:
            self.violations.append(f"response_url post refused ({answer}): {url}")
        self.response_posts.append(ResponseUrlPost(url=url, body=body, at=now, status=status))
        await self._notify()
        return web.Response(status=status, text=answer)

    # ------------------------------------------------------------------ helpers for handlers

    def _next_ts(self) -> str:
        self._ts_counter += 1
        return f"{self._ts_base}.{self._ts_counter:06d}"

    def _user(self, user_id: Any) -> dict[str, Any]:
        user = self.users.get(str(user_id))
        if user is None:
            raise _SlackError("user_not_found")
        return user

    def _open_dm(self, users: list[str]) -> tuple[str, bool]:
        channel_id = self.dm_channel(*users)
        existed = channel_id in self.channels
        if not existed:
            self.channels[channel_id] = {
                "id": channel_id,
                "is_im": len(users) == 1,
                "is_mpim": len(users) > 1,
                "is_private": True,
                "members": sorted({*users, self.bot_user_id}),
            }
            if len(users) == 1:
                self.channels[channel_id]["user"] = users[0]
        return channel_id, existed

    def _channel(self, value: Any) -> str:
        channel = str(value)
        if channel in self.channels:
            return channel
        named = [c for c in self.channels.values() if c.get("name") == channel.lstrip("#")]
        if named:
            return str(named[0]["id"])
        if channel[:1] in ("U", "W") and channel in self.users:
            return self._open_dm([channel])[0]
        raise _SlackError("channel_not_found")

    def _message_checks(self, call: SlackCall, *, need_content: bool = True) -> None:
        text = call.params.get("text")
        blocks = call.params.get("blocks")
        if need_content and not text and not blocks and not call.params.get("attachments"):
            raise _SlackError("no_text")
        if isinstance(text, str) and len(text) > MESSAGE_TEXT_LIMIT:
            raise _SlackError("msg_too_long")
        problems = block_problems(blocks, surface="message")
        if problems:
            raise _SlackError(
                "invalid_blocks", errors=problems, response_metadata={"messages": problems}
            )

    def _message_body(self, posted: PostedMessage) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": "message",
            "text": posted.text,
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "ts": posted.ts,
        }
        if posted.blocks is not None:
            body["blocks"] = posted.blocks
        if posted.thread_ts:
            body["thread_ts"] = posted.thread_ts
        if posted.edits:
            body["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return body

    def _store_view(self, view: Any, *, previous: dict[str, Any] | None = None) -> dict[str, Any]:
        problems = view_problems(view)
        if problems:
            raise _SlackError("invalid_arguments", response_metadata={"messages": problems})
        view_id = previous["id"] if previous else _fake_id("V")
        stored = {
            "id": view_id,
            "team_id": self.team_id,
            "type": view["type"],
            "title": view.get("title"),
            "submit": view.get("submit"),
            "close": view.get("close"),
            "blocks": view["blocks"],
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "external_id": view.get("external_id", ""),
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "root_view_id": previous["root_view_id"] if previous else view_id,
            "previous_view_id": previous.get("previous_view_id") if previous else None,
            "app_id": self.app_id,
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        self.views[view_id] = stored
        return stored

    def _exchange_trigger(self, call: SlackCall) -> None:
        trigger = self._triggers.get(str(call.params.get("trigger_id")))
        if trigger is None:
            raise _SlackError("invalid_trigger_id")
        if trigger.used:
            raise _SlackError("exchanged_trigger_id")
        if self.clock() - trigger.issued_at > TRIGGER_LIFETIME_SECONDS:
            raise _SlackError("expired_trigger_id")
        trigger.used = True

    # ------------------------------------------------------------------ method handlers

    def _auth_test(self, call: SlackCall) -> Answer:
        return {
            "ok": True,
            "url": "https://fake-alumni.example.invalid/",
            "team": self.team_name,
            "user": self.bot_name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _chat_post_message(self, call: SlackCall) -> Answer:
        channel = self._channel(call.params["channel"])
        self._message_checks(call)
        posted = PostedMessage(
            channel=channel,
            ts=self._next_ts(),
            text=str(call.params.get("text") or ""),
            blocks=call.params.get("blocks"),
            thread_ts=call.params.get("thread_ts"),
        )
        self.messages.append(posted)
        return {
            "ok": True,
            "channel": channel,
            "ts": posted.ts,
            "message": self._message_body(posted),
        }

    def _chat_post_ephemeral(self, call: SlackCall) -> Answer:
        channel = self._channel(call.params["channel"])
        user = self._user(call.params["user"])
        self._message_checks(call)
        posted = PostedMessage(
            channel=channel,
            ts=self._next_ts(),
            text=str(call.params.get("text") or ""),
            blocks=call.params.get("blocks"),
            thread_ts=call.params.get("thread_ts"),
            ephemeral_user=user["id"],
        )
        self.messages.append(posted)
        return {"ok": True, "message_ts": posted.ts}

    def _chat_update(self, call: SlackCall) -> Answer:
        channel = str(call.params["channel"])
        ts = str(call.params["ts"])
        found = [
            m for m in self.messages if m.channel == channel and m.ts == ts and not m.ephemeral_user
        ]
        if not found:
            raise _SlackError("message_not_found")
        self._message_checks(call, need_content=False)
        posted = found[0]
        if "text" in call.params:
            posted.text = str(call.params["text"] or "")
        if "blocks" in call.params:
            posted.blocks = call.params["blocks"]
        posted.edits += 1
        return {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "text": posted.text,
            "message": self._message_body(posted),
        }

    def _conversations_open(self, call: SlackCall) -> Answer:
        channel = call.params.get("channel")
        users_param = call.params.get("users")
        if channel:
            channel_id = self._channel(channel)
            return {"ok": True, "no_op": True, "already_open": True, "channel": {"id": channel_id}}
        if not users_param:
            raise _SlackError("users_list_not_supplied")
        users = sorted({u.strip() for u in str(users_param).split(",") if u.strip()})
        if len(users) > MPIM_MAX_USERS:
            raise _SlackError("too_many_users")
        for user_id in users:
            self._user(user_id)
        channel_id, existed = self._open_dm(users)
        answer: Answer = {"ok": True, "channel": {"id": channel_id}}
        if existed:
            answer.update(no_op=True, already_open=True)
        return answer

    def _users_info(self, call: SlackCall) -> Answer:
        user = dict(self._user(call.params.get("user")))
        zone = ZoneInfo(user["tz"])
        offset = datetime.now(UTC).astimezone(zone).utcoffset()
        user["tz_offset"] = int(offset.total_seconds()) if offset is not None else 0
        user["tz_label"] = datetime.now(UTC).astimezone(zone).tzname()
        return {"ok": True, "user": user}

    def _views_open(self, call: SlackCall) -> Answer:
        self._exchange_trigger(call)
        return {"ok": True, "view": self._store_view(call.params["view"])}

    def _views_push(self, call: SlackCall) -> Answer:
        self._exchange_trigger(call)
        view = self._store_view(call.params["view"])
        return {"ok": True, "view": view}

    def _views_update(self, call: SlackCall) -> Answer:
        view_id = call.params.get("view_id")
        external_id = call.params.get("external_id")
        if view_id:
            previous = self.views.get(str(view_id))
        elif external_id:
            matches = [v for v in self.views.values() if v["external_id"] == external_id]
            previous = matches[-1] if matches else None
        else:
            raise _SlackError("invalid_arguments")
        if previous is None:
            raise _SlackError("not_found")
        wanted_hash = call.params.get("hash")
        if wanted_hash and wanted_hash != previous["hash"]:
            raise _SlackError("hash_conflict")
        return {"ok": True, "view": self._store_view(call.params.get("view"), previous=previous)}

    def _views_publish(self, call: SlackCall) -> Answer:
        user = self._user(call.params["user_id"])
        view = call.params["view"]
        if not isinstance(view, dict) or view.get("type") != "home":
            raise _SlackError(
                "invalid_arguments",
                response_metadata={"messages": ["[ERROR] must be home [json-pointer:/view/type]"]},
            )
        previous = self.home_views.get(user["id"])
        wanted_hash = call.params.get("hash")
        if wanted_hash and previous is not None and wanted_hash != previous["hash"]:
            raise _SlackError("hash_conflict")
        stored = self._store_view(view, previous=previous)
        self.home_views[user["id"]] = stored
        return {"ok": True, "view": stored}

    def _files_get_upload_url(self, call: SlackCall) -> Answer:
        try:
            length = int(call.params["length"])
        except (TypeError, ValueError):
            raise _SlackError("invalid_arguments") from None
        if length <= 0:
            raise _SlackError("invalid_arguments")
        file_id = _fake_id("F")
        key = secrets.token_hex(12)
        self._upload_keys[key] = file_id
        self.uploads[file_id] = UploadedFile(
            file_id=file_id,
            filename=str(call.params["filename"]),
            length=length,
            alt_txt=call.params.get("alt_txt"),
            snippet_type=call.params.get("snippet_type"),
        )
        return {"ok": True, "upload_url": f"{self.root_url}upload/v1/{key}", "file_id": file_id}

    def _files_complete_upload(self, call: SlackCall) -> Answer:
        files = call.params["files"]
        if not isinstance(files, list) or not files:
            raise _SlackError("invalid_arguments")
        channel_id = call.params.get("channel_id")
        if channel_id:
            channel_id = self._channel(channel_id)
        done = []
        for entry in files:
            upload = self.uploads.get(str(entry.get("id"))) if isinstance(entry, dict) else None
            if upload is None or upload.content is None or upload.completed:
                raise _SlackError("file_not_found")
            done.append((upload, entry))
        answered = []
        for upload, entry in done:
            upload.completed = True
            upload.title = entry.get("title") or upload.filename
            upload.channel_id = channel_id
            upload.initial_comment = call.params.get("initial_comment")
            upload.thread_ts = call.params.get("thread_ts")
            mimetype = mimetypes.guess_type(upload.filename)[0] or "application/octet-stream"
            answered.append(
                {
                    "id": upload.file_id,
                    "created": int(time.time()),
                    "timestamp": int(time.time()),
                    "name": upload.filename,
                    "title": upload.title,
                    "mimetype": mimetype,
                    "filetype": upload.filename.rsplit(".", 1)[-1]
                    if "." in upload.filename
                    else "",
                    "user": self.bot_user_id,
                    "size": len(upload.content or b""),
                    "is_external": False,
                }
            )
        return {"ok": True, "files": answered}

    def _files_upload_retired(self, call: SlackCall) -> Answer:
        # Slack retired files.upload in 2025; slack_sdk's files_upload_v2 is the way now.
        self.violations.append("call to files.upload, which Slack retired: use files_upload_v2")
        raise _SlackError("method_deprecated")

    def _apps_connections_open(self, call: SlackCall) -> Answer:
        return {"ok": True, "url": self.socket.issue_url(f"ws://127.0.0.1:{self.port}/")}
