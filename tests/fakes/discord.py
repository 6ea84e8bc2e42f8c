"""A fake Discord for driving the real discord.py client over real HTTP and WebSocket.

    async with FakeDiscord() as fake, fake.patch_discord():
        client = discord.Client(intents=..., guild_ready_timeout=0.1)
        ...  # start the client; it logs in, connects to the fake gateway, gets READY
        sent = await fake.send_slash("intro", [subcommand("request", user("mentor", fake.admin))])
        callback = await fake.wait_callback(sent)
        assert callback.ephemeral and fake.violations == []

Serves, on 127.0.0.1 and a port the OS picks:

* REST under ``fake.api_url`` (``http://127.0.0.1:PORT/api/v10``): the start-up calls, command
  sync, DMs, channel messages (JSON or multipart with files), private threads, members,
  interaction callbacks and the interaction webhooks (followups, ``@original``). JSON answers
  carry ``Content-Type: application/json`` exactly, as Discord does (discord.py treats anything
  else as text). Request bodies are checked against Discord's OpenAPI description
  (``tests/fixtures/discord``); a body Discord would refuse is answered 400/50035 and recorded
  in ``fake.violations``.
* the gateway at ``fake.gateway_url`` (see ``discord_gateway``).

Discord's interaction rules are enforced on the fake's clock (``fake.now()``, moved by
``fake.advance(seconds)``): the first callback within ``response_deadline`` (3 s) of the
interaction or 404/10062, one callback only (400/40060), webhook calls within
``token_lifetime`` (15 min) or 401/50027. Breaking the first two is a violation.

Every REST request is in ``fake.calls``; ``fake.rate_limit(...)`` makes the next matching
requests answer 429 the way Discord does, so discord.py waits and retries.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import math
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import yarl
from aiohttp import BodyPartReader, web

from tests.fakes.discord_gateway import FakeGateway
from tests.fakes.discord_interactions import check_against_command, user_ids
from tests.fakes.discord_models import (
    ADMIN_PERMISSIONS,
    BOT_PERMISSIONS,
    DM,
    EPHEMERAL,
    GUILD_TEXT,
    LOADING,
    MEMBER_PERMISSIONS,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    FakeAttachment,
    FakeCall,
    FakeCallback,
    FakeChannel,
    FakeGuild,
    FakeInteraction,
    FakeMember,
    FakeMessage,
    FakePart,
    FakeUser,
    iso,
    snowflake_at,
)
from tests.fakes.discord_openapi import JSON, MULTIPART, OpenApiRequests, default_requests

API_PREFIX = "/api/v10"

# Interaction types and callback types.
APPLICATION_COMMAND = 2
MESSAGE_COMPONENT = 3
AUTOCOMPLETE = 4
MODAL_SUBMIT = 5
CHANNEL_MESSAGE = 4
DEFERRED_CHANNEL_MESSAGE = 5
DEFERRED_UPDATE_MESSAGE = 6
UPDATE_MESSAGE = 7
AUTOCOMPLETE_RESULT = 8
MODAL = 9
ALLOWED_CALLBACKS: dict[int, frozenset[int]] = {
    APPLICATION_COMMAND: frozenset({CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, MODAL}),
    MESSAGE_COMPONENT: frozenset(
        {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE, MODAL}
    ),
    AUTOCOMPLETE: frozenset({AUTOCOMPLETE_RESULT}),
    MODAL_SUBMIT: frozenset(
        {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE}
    ),
}

# Discord error codes the fake answers with.
UNKNOWN_CHANNEL = 10003
UNKNOWN_MEMBER = 10007
UNKNOWN_MESSAGE = 10008
UNKNOWN_USER = 10013
UNKNOWN_WEBHOOK = 10015
UNKNOWN_INTERACTION = 10062
EMPTY_MESSAGE = 50006
ALREADY_ACKNOWLEDGED = 40060
CANNOT_DM_USER = 50007
INVALID_WEBHOOK_TOKEN = 50027
INVALID_RECIPIENT = 50033
INVALID_FORM_BODY = 50035

_DEFAULT = object()


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


def _error(status: int, code: int, message: str, **extra: Any) -> Reply:
    return Reply(status, {"message": message, "code": code, **extra})


@dataclass
class _Route:
    method: str
    pattern: re.Pattern[str]
    handler: Callable[..., Awaitable[Reply]]
    auth: bool


@dataclass
class _RateLimit:
    method: str
    pattern: re.Pattern[str]
    remaining: int
    retry_after: float
    is_global: bool


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
    """A response whose Content-Type is exactly ``application/json`` (no charset)."""
    headers = dict(headers or {})
    if body is None:
        return web.Response(status=status, headers=headers)
    headers["Content-Type"] = "application/json"
    return web.Response(status=status, body=json.dumps(body).encode(), headers=headers)


class FakeDiscord:
    """Fake Discord REST API and gateway; see the module docstring."""

    def __init__(
        self,
        *,
        token: str = "fake-bot-token",
        shard_count: int = 1,
        heartbeat_interval_ms: int = 41_250,
        response_deadline: float = 3.0,
        token_lifetime: float = 15 * 60.0,
        privileged_intents: int = 0,
        strict_commands: bool = True,
    ) -> None:
        self.token = token
        self.shard_count = shard_count
        """What ``GET /gateway/bot`` recommends (AutoShardedClient uses it)."""
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.response_deadline = response_deadline
        """Seconds from dispatch to the first callback (Discord: 3)."""
        self.token_lifetime = token_lifetime
        """Seconds an interaction token works for followups and edits (Discord: 15 min)."""
        self.privileged_intents = privileged_intents
        """Privileged intents "enabled in the portal"; asking for others closes with 4014."""
        self.strict_commands = strict_commands
        """Refuse to send interactions for commands that were never synced."""
        self.application_flags = 0
        self._offset = 0.0
        self._spec: OpenApiRequests = default_requests()

        created = self.now() - 400 * 86_400
        self.bot = FakeUser(snowflake_at(created), "Introbot", bot=True)
        self.application_id = self.bot.id
        self.owner = FakeUser(snowflake_at(created), "owner")
        self.users: dict[int, FakeUser] = {self.bot.id: self.bot, self.owner.id: self.owner}
        self.guilds: dict[int, FakeGuild] = {}
        self.channels: dict[int, FakeChannel] = {}
        self.admin = self.add_user("ada", global_name="Ada")
        self.member = self.add_user("ben", global_name="Ben")
        self.guild = self.add_guild("Alumni Network", owner=self.admin)
        self.general = self.add_channel("general")
        self.add_member(self.admin, permissions=ADMIN_PERMISSIONS)
        self.add_member(self.member)

        self.calls: list[FakeCall] = []
        self.messages: dict[int, FakeMessage] = {}
        self.interactions: dict[int, FakeInteraction] = {}
        self._interactions_by_token: dict[str, FakeInteraction] = {}
        self.commands: dict[int | None, list[dict[str, Any]]] = {}
        """Synced application commands by guild id (None: global), as the fake returned them."""
        self.modals: dict[str, tuple[dict[str, Any], FakeInteraction]] = {}
        """Modals shown (type 9 callbacks) by custom_id, with the interaction that opened them."""
        self._violations: list[str] = []
        self._rate_limits: list[_RateLimit] = []
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._port = 0
        self.gateway = FakeGateway(self)
        self._routes = self._make_routes()

    # --- lifecycle -------------------------------------------------------------------------

    async def start(self) -> FakeDiscord:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/attachments/{id}/{filename}", self._attachment)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self.gateway.close_all()
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_url(self) -> str:
        """Value for ``discord.http.Route.BASE``."""
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        """Value for ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`` (as a yarl.URL)."""
        return f"ws://127.0.0.1:{self._port}/gateway"

    @contextlib.contextmanager
    def patch_discord(self) -> Iterator[None]:
        """Point discord.py's REST base and default gateway at this fake; restore on exit."""
        import discord.gateway
        import discord.http

        old_base = discord.http.Route.BASE
        old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        discord.http.Route.BASE = self.api_url
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        try:
            yield
        finally:
            discord.http.Route.BASE = old_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway

    # --- clock -----------------------------------------------------------------------------

    def now(self) -> float:
        """The fake's unix time: the real one plus everything ``advance`` added."""
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the fake's clock forward (e.g. 15 minutes) without sleeping."""
        self._offset += seconds

    # --- world -----------------------------------------------------------------------------

    def add_user(
        self,
        username: str,
        *,
        global_name: str | None = None,
        dms_closed: bool = False,
        bot: bool = False,
    ) -> FakeUser:
        user = FakeUser(
            snowflake_at(self.now() - 100 * 86_400),
            username,
            global_name=global_name,
            bot=bot,
            dms_closed=dms_closed,
        )
        self.users[user.id] = user
        return user

    def add_guild(self, name: str, *, owner: FakeUser | None = None) -> FakeGuild:
        """A guild the bot is in (add before the client connects: it comes with READY)."""
        guild = FakeGuild(
            snowflake_at(self.now() - 200 * 86_400), name, owner_id=(owner or self.owner).id
        )
        self.guilds[guild.id] = guild
        return guild

    def add_channel(self, name: str, *, guild: FakeGuild | None = None) -> FakeChannel:
        guild = guild or self.guild
        channel = FakeChannel(
            snowflake_at(self.now() - 150 * 86_400), name, GUILD_TEXT, guild_id=guild.id
        )
        guild.channels.append(channel)
        self.channels[channel.id] = channel
        return channel

    def add_member(
        self,
        user: FakeUser,
        *,
        guild: FakeGuild | None = None,
        permissions: int = MEMBER_PERMISSIONS,
    ) -> FakeMember:
        guild = guild or self.guild
        member = FakeMember(user, permissions)
        guild.members.append(member)
        return member

    def dm_channel(self, user: FakeUser) -> FakeChannel:
        """The bot's DM channel with ``user`` (what ``POST /users/@me/channels`` returns)."""
        for channel in self.channels.values():
            if channel.type == DM and channel.recipient is user:
                return channel
        channel = FakeChannel(snowflake_at(self.now()), "", DM, recipient=user)
        self.channels[channel.id] = channel
        return channel

    def _guild_of(self, channel: FakeChannel) -> FakeGuild | None:
        return None if channel.guild_id is None else self.guilds[channel.guild_id]

    # --- recording and waiting -------------------------------------------------------------

    def notify(self) -> None:
        """Wake everything waiting in ``wait_for``."""
        self._changed.set()

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until ``predicate()`` is truthy (re-checked whenever the fake sees traffic)."""
        async with asyncio.timeout(timeout):
            while True:
                self._changed.clear()
                if result := predicate():
                    return result
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), 0.05)

    def record_violation(self, text: str) -> None:
        self._violations.append(text)

    @property
    def violations(self) -> list[str]:
        """Everything Discord would have refused or counted as failed; tests assert it is []."""
        late = [
            f"interaction {i.id} ({_describe(i)}) got no response within"
            f" {self.response_deadline:g} s"
            for i in self.interactions.values()
            if not i.callbacks and self.now() - i.dispatched_at > self.response_deadline
        ]
        return [*self._violations, *late]

    def calls_to(self, method: str | None = None, path: str | None = None) -> list[FakeCall]:
        """Recorded REST calls; ``path`` is a regex matched in full against e.g.
        ``/channels/123/messages``."""
        return [
            c
            for c in self.calls
            if (method is None or c.method == method.upper())
            and (path is None or re.fullmatch(path, c.path))
        ]

    def last_call(self, method: str | None = None, path: str | None = None) -> FakeCall:
        calls = self.calls_to(method, path)
        if not calls:
            raise LookupError(f"no {method or 'call'} to {path or 'anything'} was made")
        return calls[-1]

    def messages_in(self, channel: FakeChannel | int) -> list[FakeMessage]:
        channel_id = channel if isinstance(channel, int) else channel.id
        return [m for m in self.messages.values() if m.channel_id == channel_id and not m.deleted]

    def dm_messages(self, user: FakeUser) -> list[FakeMessage]:
        """Messages the bot delivered to ``user``'s DMs (refused ones are not messages)."""
        return self.messages_in(self.dm_channel(user))

    def interaction_messages(self, interaction: FakeInteraction | int) -> list[FakeMessage]:
        """The original response (if any) and the followups of an interaction."""
        inter = self._interaction(interaction)
        return [self.messages[m] for m in inter.message_ids if not self.messages[m].deleted]

    def original_response(self, interaction: FakeInteraction | int) -> FakeMessage | None:
        inter = self._interaction(interaction)
        return None if inter.original_id is None else self.messages.get(inter.original_id)

    def loading_responses(self) -> list[FakeMessage]:
        """Deferred responses still showing "thinking" (never edited)."""
        return [m for m in self.messages.values() if m.flags & LOADING and not m.deleted]

    def thread_members(self, thread: FakeChannel | int) -> set[int]:
        thread_id = thread if isinstance(thread, int) else thread.id
        return set(self.channels[thread_id].member_ids)

    # --- rate limits -----------------------------------------------------------------------

    def rate_limit(
        self,
        method: str,
        path_regex: str,
        times: int = 1,
        retry_after: float = 0.5,
        *,
        is_global: bool = False,
    ) -> None:
        """Answer the next ``times`` matching requests with 429 (``path_regex`` is searched in
        the path below the API base, e.g. ``r"/channels/\\d+/messages$"``)."""
        self._rate_limits.append(
            _RateLimit(method.upper(), re.compile(path_regex), times, retry_after, is_global)
        )

    def _take_rate_limit(self, method: str, path: str) -> Reply | None:
        for rule in self._rate_limits:
            if rule.remaining > 0 and rule.method == method and rule.pattern.search(path):
                rule.remaining -= 1
                bucket = hashlib.sha1(rule.pattern.pattern.encode()).hexdigest()[:16]
                headers = {
                    "Retry-After": str(math.ceil(rule.retry_after)),
                    "X-RateLimit-Limit": "5",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": f"{self.now() + rule.retry_after:.3f}",
                    "X-RateLimit-Reset-After": f"{rule.retry_after:.3f}",
                    "X-RateLimit-Bucket": bucket,
                    "X-RateLimit-Scope": "global" if rule.is_global else "user",
                    "Via": "1.1 google",
                }
                if rule.is_global:
                    headers["X-RateLimit-Global"] = "true"
                body = {
                    "message": "You are being rate limited.",
                    "retry_after": rule.retry_after,
                    "global": rule.is_global,
                }
                return Reply(429, body, headers)
        return None

    # --- HTTP plumbing ---------------------------------------------------------------------

    def _make_routes(self) -> list[_Route]:
        app = r"(?P<app>\d+)"
        tok = r"(?P<token>[^/]+)"
        table: list[tuple[str, str, Callable[..., Awaitable[Reply]], bool]] = [
            ("GET", r"/users/@me", self._get_me, True),
            ("GET", r"/oauth2/applications/@me", self._get_application, True),
            ("GET", r"/gateway", self._get_gateway, False),
            ("GET", r"/gateway/bot", self._get_gateway_bot, True),
            ("PUT", rf"/applications/{app}/commands", self._put_commands, True),
            ("GET", rf"/applications/{app}/commands", self._get_commands, True),
            (
                "PUT",
                rf"/applications/{app}/guilds/(?P<guild>\d+)/commands",
                self._put_commands,
                True,
            ),
            (
                "GET",
                rf"/applications/{app}/guilds/(?P<guild>\d+)/commands",
                self._get_commands,
                True,
            ),
            ("POST", r"/users/@me/channels", self._open_dm, True),
            ("POST", r"/channels/(?P<channel>\d+)/messages", self._create_message, True),
            (
                "PATCH",
                r"/channels/(?P<channel>\d+)/messages/(?P<message>\d+)",
                self._edit_channel_message,
                True,
            ),
            ("POST", r"/channels/(?P<channel>\d+)/threads", self._create_thread, True),
            (
                "PUT",
                r"/channels/(?P<channel>\d+)/thread-members/(?P<user>\d+)",
                self._add_thread_member,
                True,
            ),
            ("GET", r"/guilds/(?P<guild>\d+)/members/(?P<user>\d+)", self._get_member, True),
            (
                "POST",
                r"/interactions/(?P<interaction>\d+)/(?P<token>[^/]+)/callback",
                self._callback,
                False,
            ),
            ("GET", rf"/webhooks/{app}/{tok}", self._get_webhook, False),
            ("PATCH", rf"/webhooks/{app}/{tok}", self._edit_webhook, False),
            ("POST", rf"/webhooks/{app}/{tok}", self._followup, False),
            (
                "GET",
                rf"/webhooks/{app}/{tok}/messages/(?P<message>@original|\d+)",
                self._get_webhook_message,
                False,
            ),
            (
                "PATCH",
                rf"/webhooks/{app}/{tok}/messages/(?P<message>@original|\d+)",
                self._edit_webhook_message,
                False,
            ),
            (
                "DELETE",
                rf"/webhooks/{app}/{tok}/messages/(?P<message>@original|\d+)",
                self._delete_webhook_message,
                False,
            ),
        ]
        return [_Route(m, re.compile(p), h, a) for m, p, h, a in table]

    async def _read_body(self, request: web.Request, call: FakeCall) -> None:
        if request.content_type == MULTIPART:
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader):
                    continue
                data = bytes(await part.read())
                call.parts.append(
                    FakePart(part.name or "", part.filename, part.headers.get("Content-Type"), data)
                )
                if part.name == "payload_json":
                    call.json = json.loads(data)
            return
        raw = await request.read()
        if raw:
            try:
                call.json = json.loads(raw)
            except ValueError:
                call.json = raw.decode("utf-8", "replace")

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        method = request.method.upper()
        call = FakeCall(method, path, dict(request.query), None, [], self.now())
        self.calls.append(call)
        try:
            await self._read_body(request, call)
            reply = await self._answer(request, call)
        except Exception as exc:  # a bug in the fake must show up, not hang the client
            self.record_violation(f"{method} {path}: the fake failed: {exc!r}")
            # 400, not 500: discord.py retries 5xx with growing sleeps.
            reply = _error(400, 0, f"fake error: {exc!r}")
        call.status, call.response = reply.status, reply.body
        self.notify()
        return json_response(reply.status, reply.body, reply.headers)

    async def _answer(self, request: web.Request, call: FakeCall) -> Reply:
        limited = self._take_rate_limit(call.method, call.path)
        if limited is not None:
            return limited
        for route in self._routes:
            match = route.pattern.fullmatch(call.path)
            if match is None or route.method != call.method:
                continue
            if route.auth and request.headers.get("Authorization") != f"Bot {self.token}":
                return _error(401, 0, "401: Unauthorized")
            problems = self._check_body(call, request.content_type)
            if problems:
                self.record_violation(f"{call.method} {call.path}: " + "; ".join(problems))
                return _error(
                    400,
                    INVALID_FORM_BODY,
                    "Invalid Form Body",
                    errors={"_errors": [{"code": "INVALID", "message": p} for p in problems]},
                )
            return await route.handler(call, **match.groupdict())
        self.record_violation(f"{call.method} {call.path}: the fake does not serve this endpoint")
        return _error(404, 0, "404: Not Found")

    def _check_body(self, call: FakeCall, content_type: str) -> list[str]:
        if not self._spec.has_request_body(call.method, call.path):
            return []
        kind = MULTIPART if content_type == MULTIPART else JSON
        problems = self._spec.errors(call.method, call.path, call.json, kind)
        body = call.json if isinstance(call.json, dict) else {}
        message = body.get("data") if "/interactions/" in call.path else body
        if isinstance(message, dict):
            duplicates = _duplicates(FakeMessage.custom_ids_of(message.get("components")))
            problems += [f"custom_id {d!r} is used twice in one message" for d in duplicates]
        return problems

    async def _attachment(self, request: web.Request) -> web.Response:
        attachment_id = int(request.match_info["id"])
        for message in self.messages.values():
            for attachment in message.attachments:
                if attachment.id == attachment_id:
                    return web.Response(
                        body=attachment.data,
                        content_type=attachment.content_type or "application/octet-stream",
                    )
        return web.Response(status=404)

    # --- start-up endpoints ----------------------------------------------------------------

    async def _get_me(self, call: FakeCall) -> Reply:
        return Reply(
            200,
            {
                **self.bot.payload(),
                "verified": True,
                "mfa_enabled": False,
                "flags": 0,
                "locale": "en-US",
            },
        )

    async def _get_application(self, call: FakeCall) -> Reply:
        return Reply(
            200,
            {
                "id": str(self.application_id),
                "name": self.bot.username,
                "description": "",
                "icon": None,
                "summary": "",
                "bot_public": False,
                "bot_require_code_grant": False,
                "owner": self.owner.payload(),
                "team": None,
                "verify_key": "0" * 64,
                "flags": self.application_flags,
                "bot": self.bot.payload(),
                "rpc_origins": [],
                "redirect_uris": [],
                "tags": [],
                "interactions_endpoint_url": None,
                "approximate_guild_count": len(self.guilds),
            },
        )

    async def _get_gateway(self, call: FakeCall) -> Reply:
        return Reply(200, {"url": self.gateway_url})

    async def _get_gateway_bot(self, call: FakeCall) -> Reply:
        return Reply(
            200,
            {
                "url": self.gateway_url,
                "shards": self.shard_count,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 14_400_000,
                    "max_concurrency": 1,
                },
            },
        )

    # --- application commands --------------------------------------------------------------

    async def _put_commands(self, call: FakeCall, app: str, guild: str | None = None) -> Reply:
        if int(app) != self.application_id:
            return _error(403, 50001, "Missing Access")
        guild_id = None if guild is None else int(guild)
        if guild_id is not None and guild_id not in self.guilds:
            return _error(403, 50001, "Missing Access")
        body = call.json or []
        seen: set[tuple[str, int]] = set()
        for item in body:
            key = (item["name"], int(item.get("type") or 1))
            if key in seen:
                self.record_violation(f"{call.method} {call.path}: duplicate command {key}")
                return _error(
                    400,
                    INVALID_FORM_BODY,
                    "Invalid Form Body",
                    errors={
                        "_errors": [
                            {
                                "code": "APPLICATION_COMMANDS_DUPLICATE_NAME",
                                "message": "Application command names must be unique",
                            }
                        ]
                    },
                )
            seen.add(key)
        previous = {(c["name"], c["type"]): c for c in self.commands.get(guild_id, [])}
        stored = []
        for item in body:
            type_ = int(item.get("type") or 1)
            old = previous.get((item["name"], type_))
            permissions = item.get("default_member_permissions")
            command: dict[str, Any] = {
                "id": old["id"] if old else str(snowflake_at(self.now())),
                "application_id": str(self.application_id),
                "version": str(snowflake_at(self.now())),
                "type": type_,
                "name": item["name"],
                "name_localizations": item.get("name_localizations"),
                "description": item.get("description") or "",
                "description_localizations": item.get("description_localizations"),
                "options": item.get("options") or [],
                "default_member_permissions": None if permissions is None else str(permissions),
                "nsfw": bool(item.get("nsfw", False)),
                "contexts": item.get("contexts"),
                "integration_types": item.get("integration_types") or [0],
            }
            if guild_id is not None:
                command["guild_id"] = str(guild_id)
            else:
                command["dm_permission"] = item.get("dm_permission", True)
            stored.append(command)
        self.commands[guild_id] = stored
        return Reply(200, stored)

    async def _get_commands(self, call: FakeCall, app: str, guild: str | None = None) -> Reply:
        return Reply(200, self.commands.get(None if guild is None else int(guild), []))

    def synced_command(
        self, name: str, *, guild: FakeGuild | None = None, type_: int = 1
    ) -> dict[str, Any] | None:
        """The synced command Discord would run for ``/name`` in ``guild`` (None: DMs)."""
        scopes: list[int | None] = [guild.id] if guild is not None else []
        scopes.append(None)
        for scope in scopes:
            for command in self.commands.get(scope, []):
                if command["name"] == name and command["type"] == type_:
                    return command
        return None

    # --- DMs, channel messages, threads, members -------------------------------------------

    async def _open_dm(self, call: FakeCall) -> Reply:
        recipient = self.users.get(int((call.json or {}).get("recipient_id") or 0))
        if recipient is None or recipient is self.bot:
            return _error(400, INVALID_RECIPIENT, "Invalid Recipient(s)")
        return Reply(200, self.dm_channel(recipient).payload())

    def _new_message(
        self,
        channel: FakeChannel,
        body: dict[str, Any],
        parts: list[FakePart],
        *,
        kind: str = "channel",
        interaction: FakeInteraction | None = None,
        flags: int = 0,
    ) -> FakeMessage:
        message = FakeMessage(
            id=snowflake_at(self.now()),
            channel_id=channel.id,
            created_at=self.now(),
            author=self.bot,
            guild_id=channel.guild_id,
            interaction_id=None if interaction is None else interaction.id,
            kind=kind,
            flags=flags,
        )
        message.apply(body)
        self._attach(message, body, parts)
        self.messages[message.id] = message
        if interaction is not None:
            interaction.message_ids.append(message.id)
        return message

    def _attach(self, message: FakeMessage, body: dict[str, Any], parts: list[FakePart]) -> None:
        files = {p.name: p for p in parts if p.filename is not None}
        if not files:
            if "attachments" in body:
                keep = {str(a.get("id")) for a in body["attachments"] or []}
                message.attachments = [a for a in message.attachments if str(a.id) in keep]
            return
        described = {str(a.get("id")): a for a in body.get("attachments") or []}
        kept = [a for a in message.attachments if str(a.id) in described]
        for name, part in files.items():
            index = name.removeprefix("files[").removesuffix("]")
            meta = described.get(index, {})
            kept.append(
                FakeAttachment(
                    id=snowflake_at(self.now()),
                    filename=meta.get("filename") or part.filename or "file",
                    data=part.data,
                    content_type=part.content_type,
                    description=meta.get("description"),
                )
            )
        message.attachments = kept

    def _message_reply(self, message: FakeMessage) -> Reply:
        return Reply(200, message.payload(self.base_url, self.application_id))

    async def _create_message(self, call: FakeCall, channel: str) -> Reply:
        target = self.channels.get(int(channel))
        if target is None:
            return _error(404, UNKNOWN_CHANNEL, "Unknown Channel")
        if target.type == DM and target.recipient is not None and target.recipient.dms_closed:
            return _error(403, CANNOT_DM_USER, "Cannot send messages to this user")
        body = call.json or {}
        if _is_empty(body, call.files):
            self.record_violation(f"{call.method} {call.path}: empty message")
            return _error(400, EMPTY_MESSAGE, "Cannot send an empty message")
        flags = int(body.get("flags") or 0)
        if flags & EPHEMERAL:
            self.record_violation(
                f"{call.method} {call.path}: channel messages cannot be ephemeral"
            )
            return _error(400, INVALID_FORM_BODY, "Invalid Form Body")
        message = self._new_message(target, body, call.parts)
        return self._message_reply(message)

    async def _edit_channel_message(self, call: FakeCall, channel: str, message: str) -> Reply:
        found = self.messages.get(int(message))
        if found is None or found.channel_id != int(channel) or found.deleted:
            return _error(404, UNKNOWN_MESSAGE, "Unknown Message")
        body = call.json or {}
        found.apply(body)
        self._attach(found, body, call.parts)
        found.edited_at = self.now()
        return self._message_reply(found)

    async def _create_thread(self, call: FakeCall, channel: str) -> Reply:
        parent = self.channels.get(int(channel))
        if parent is None or parent.type != GUILD_TEXT:
            return _error(404, UNKNOWN_CHANNEL, "Unknown Channel")
        body = call.json or {}
        type_ = int(body.get("type") or PRIVATE_THREAD)
        if type_ not in (PUBLIC_THREAD, PRIVATE_THREAD):
            return _error(400, INVALID_FORM_BODY, "Invalid Form Body")
        thread = FakeChannel(
            snowflake_at(self.now()),
            body["name"],
            type_,
            guild_id=parent.guild_id,
            parent_id=parent.id,
            owner_id=self.bot.id,
            member_ids={self.bot.id},
            created_at=self.now(),
        )
        self.channels[thread.id] = thread
        payload = {
            **thread.payload(),
            "member": {
                "id": str(thread.id),
                "user_id": str(self.bot.id),
                "join_timestamp": iso(self.now()),
                "flags": 0,
            },
        }
        if self.gateway.session_for(parent.guild_id) is not None:
            await self.gateway.dispatch(
                "THREAD_CREATE", {**payload, "newly_created": True}, guild_id=parent.guild_id
            )
        return Reply(201, payload)

    async def _add_thread_member(self, call: FakeCall, channel: str, user: str) -> Reply:
        thread = self.channels.get(int(channel))
        if thread is None or not thread.is_thread:
            return _error(404, UNKNOWN_CHANNEL, "Unknown Channel")
        guild = self._guild_of(thread)
        if guild is None or guild.member(int(user)) is None:
            return _error(404, UNKNOWN_MEMBER, "Unknown Member")
        thread.member_ids.add(int(user))
        return Reply(204)

    async def _get_member(self, call: FakeCall, guild: str, user: str) -> Reply:
        found = self.guilds.get(int(guild))
        if found is None:
            return _error(404, 10004, "Unknown Guild")
        member = found.member(int(user))
        if member is None:
            return _error(404, UNKNOWN_MEMBER, "Unknown Member")
        return Reply(200, member.payload())

    # --- interactions: sending -------------------------------------------------------------

    def _interaction(self, interaction: FakeInteraction | int) -> FakeInteraction:
        if isinstance(interaction, FakeInteraction):
            return interaction
        return self.interactions[interaction]

    async def send_interaction(
        self,
        type_: int,
        data: dict[str, Any],
        *,
        user: FakeUser | None = None,
        channel: FakeChannel | None = None,
        in_dm: bool = False,
        message: FakeMessage | None = None,
    ) -> FakeInteraction:
        """Dispatch INTERACTION_CREATE; ``user`` defaults to ``fake.member``, the channel to
        ``fake.general`` (or the user's DM channel with ``in_dm``)."""
        user = user or self.member
        if channel is None:
            channel = self.dm_channel(user) if in_dm else self.general
        guild = self._guild_of(channel)
        now = self.now()
        interaction_id = snowflake_at(now)
        token = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(48)
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": type_,
            "data": data,
            "token": token,
            "version": 1,
            "locale": "en-US",
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
            "app_permissions": str(BOT_PERMISSIONS),
            "channel_id": str(channel.id),
            "channel": channel.payload(),
        }
        if guild is not None:
            member = guild.member(user.id)
            if member is None:
                raise ValueError(f"{user.username} is not a member of {guild.name}")
            payload.update(
                guild_id=str(guild.id),
                guild={"id": str(guild.id), "locale": "en-US", "features": []},
                guild_locale="en-US",
                member=member.payload(with_permissions=True),
                authorizing_integration_owners={"0": str(guild.id)},
                context=0,
            )
        else:
            payload.update(
                user=user.payload(), authorizing_integration_owners={"0": "0"}, context=1
            )
        if message is not None:
            payload["message"] = message.payload(self.base_url, self.application_id)
        interaction = FakeInteraction(interaction_id, token, type_, payload, now)
        self.interactions[interaction_id] = interaction
        self._interactions_by_token[token] = interaction
        await self.gateway.dispatch(
            "INTERACTION_CREATE", payload, guild_id=None if guild is None else guild.id
        )
        return interaction

    def _command_data(
        self, name: str, options: Sequence[dict[str, Any]], guild: FakeGuild | None, type_: int = 1
    ) -> dict[str, Any]:
        command = self.synced_command(name, guild=guild, type_=type_)
        data: dict[str, Any] = {"name": name, "type": type_, "options": list(options)}
        if command is None:
            if self.strict_commands:
                where = f"guild {guild.name}" if guild else "DMs"
                raise LookupError(
                    f"/{name} was never synced for {where}; Discord would not"
                    " offer it (sync the command tree first)"
                )
            data["id"] = str(snowflake_at(self.now()))
        else:
            data["id"] = command["id"]
            if "guild_id" in command:
                data["guild_id"] = command["guild_id"]
            check_against_command(name, command.get("options") or [], list(options))
        resolved = self._resolve_users(user_ids(list(options)), guild)
        if resolved:
            data["resolved"] = resolved
        return data

    def _resolve_users(self, ids: list[int], guild: FakeGuild | None) -> dict[str, Any]:
        if not ids:
            return {}
        users: dict[str, Any] = {}
        members: dict[str, Any] = {}
        for user_id in ids:
            user = self.users.get(user_id)
            if user is None:
                raise ValueError(f"user option refers to unknown user {user_id}")
            users[str(user_id)] = user.payload()
            member = guild.member(user_id) if guild is not None else None
            if member is not None:
                members[str(user_id)] = member.payload(with_user=False, with_permissions=True)
        resolved: dict[str, Any] = {"users": users}
        if members:
            resolved["members"] = members
        return resolved

    async def send_slash(
        self,
        name: str,
        options: Sequence[dict[str, Any]] = (),
        *,
        user: FakeUser | None = None,
        channel: FakeChannel | None = None,
        in_dm: bool = False,
    ) -> FakeInteraction:
        """A user runs ``/name`` (options from ``discord_interactions``: subcommand, user...)."""
        user = user or self.member
        target = channel or (self.dm_channel(user) if in_dm else self.general)
        data = self._command_data(name, options, self._guild_of(target))
        return await self.send_interaction(APPLICATION_COMMAND, data, user=user, channel=target)

    async def send_autocomplete(
        self,
        name: str,
        options: Sequence[dict[str, Any]],
        *,
        user: FakeUser | None = None,
        channel: FakeChannel | None = None,
        in_dm: bool = False,
    ) -> FakeInteraction:
        """A user types into an option marked ``focused=True``."""
        if not _has_focused(list(options)):
            raise ValueError("autocomplete needs one option built with focused=True")
        user = user or self.member
        target = channel or (self.dm_channel(user) if in_dm else self.general)
        data = self._command_data(name, options, self._guild_of(target))
        data.pop("resolved", None)
        return await self.send_interaction(AUTOCOMPLETE, data, user=user, channel=target)

    def find_message_with(self, custom_id: str) -> FakeMessage | None:
        """The latest message the bot made that has a component with ``custom_id``."""
        for message in reversed(list(self.messages.values())):
            if not message.deleted and custom_id in message.custom_ids():
                return message
        return None

    async def send_click(
        self,
        custom_id: str,
        *,
        message: FakeMessage | None = None,
        user: FakeUser | None = None,
        component_type: int = 2,
        values: Sequence[str] | None = None,
    ) -> FakeInteraction:
        """A user clicks a button (or picks ``values`` in a select) on a bot message.

        The message defaults to the latest one carrying ``custom_id``; discord.py's
        DynamicItem only fires when the interaction's message holds that component.
        """
        message = message or self.find_message_with(custom_id)
        if message is None:
            raise LookupError(f"no message from the bot has a component {custom_id!r}")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = list(values)
        channel = self.channels[message.channel_id]
        return await self.send_interaction(
            MESSAGE_COMPONENT, data, user=user, channel=channel, message=message
        )

    async def send_modal_submit(
        self, custom_id: str, values: dict[str, str], *, user: FakeUser | None = None
    ) -> FakeInteraction:
        """A user submits the modal ``custom_id`` (shown earlier by a type 9 callback) with
        ``values`` by text-input custom_id. Inputs a person could not submit (missing required
        value, too long or short) raise ValueError."""
        shown = self.modals.get(custom_id)
        if shown is None:
            raise LookupError(f"no modal {custom_id!r} was shown; Discord only submits shown ones")
        modal, opener = shown
        unused = dict(values)
        components = [_submitted(c, unused) for c in modal.get("components") or []]
        if unused:
            raise ValueError(f"modal {custom_id!r} has no inputs {sorted(unused)}")
        opener_user_id = int((opener.payload.get("member") or opener.payload)["user"]["id"])
        user = user or self.users[opener_user_id]
        channel = self.channels[int(opener.payload["channel_id"])]
        message = None
        if opener.type == MESSAGE_COMPONENT and "message" in opener.payload:
            message = self.messages.get(int(opener.payload["message"]["id"]))
        data = {"custom_id": custom_id, "components": components}
        return await self.send_interaction(
            MODAL_SUBMIT, data, user=user, channel=channel, message=message
        )

    async def wait_callback(
        self, interaction: FakeInteraction | int, timeout: float = 5.0
    ) -> FakeCallback:
        """The first callback attempt for the interaction (check ``.accepted``)."""
        inter = self._interaction(interaction)
        try:
            await self.wait_for(lambda: inter.callbacks, timeout)
        except TimeoutError:
            raise AssertionError(
                f"interaction {inter.id} ({_describe(inter)}) got no callback in {timeout:g} s"
            ) from None
        return inter.callbacks[0]

    # --- interactions: callbacks -----------------------------------------------------------

    async def _callback(self, call: FakeCall, interaction: str, token: str) -> Reply:
        inter = self.interactions.get(int(interaction))
        if inter is None or inter.token != token:
            self.record_violation(f"callback for unknown interaction {interaction}")
            return _error(404, UNKNOWN_INTERACTION, "Unknown interaction")
        body = call.json if isinstance(call.json, dict) else {}
        callback = FakeCallback(inter.id, body, call.at, accepted=False, files=call.files)
        inter.callbacks.append(callback)
        elapsed = call.at - inter.dispatched_at
        if len(inter.callbacks) > 1 and any(c.accepted for c in inter.callbacks[:-1]):
            callback.error_code = ALREADY_ACKNOWLEDGED
            self.record_violation(f"interaction {inter.id} ({_describe(inter)}) answered twice")
            return _error(400, ALREADY_ACKNOWLEDGED, "Interaction has already been acknowledged.")
        if elapsed > self.response_deadline:
            callback.error_code = UNKNOWN_INTERACTION
            self.record_violation(
                f"interaction {inter.id} ({_describe(inter)}) answered after {elapsed:.2f} s;"
                f" Discord allows {self.response_deadline:g} s"
            )
            return _error(404, UNKNOWN_INTERACTION, "Unknown interaction")
        if callback.type not in ALLOWED_CALLBACKS.get(inter.type, frozenset()):
            callback.error_code = INVALID_FORM_BODY
            self.record_violation(
                f"interaction {inter.id} ({_describe(inter)}): callback type"
                f" {callback.type} is not allowed for interaction type"
                f" {inter.type}"
            )
            return _error(400, INVALID_FORM_BODY, "Invalid Form Body")
        if callback.type == CHANNEL_MESSAGE and _is_empty(callback.data, call.files):
            callback.error_code = EMPTY_MESSAGE
            self.record_violation(f"interaction {inter.id} ({_describe(inter)}): empty message")
            return _error(400, EMPTY_MESSAGE, "Cannot send an empty message")
        callback.accepted = True
        return Reply(200, self._apply_callback(inter, callback, call.parts))

    def _apply_callback(
        self, inter: FakeInteraction, callback: FakeCallback, parts: list[FakePart]
    ) -> dict[str, Any]:
        channel = self.channels[int(inter.payload["channel_id"])]
        data = callback.data
        resource: dict[str, Any] | None = {"type": callback.type}
        message: FakeMessage | None = None
        if callback.type == CHANNEL_MESSAGE:
            message = self._new_message(channel, data, parts, kind="response", interaction=inter)
        elif callback.type == DEFERRED_CHANNEL_MESSAGE:
            flags = LOADING | (int(data.get("flags") or 0) & EPHEMERAL)
            message = self._new_message(
                channel, {}, [], kind="response", interaction=inter, flags=flags
            )
        elif callback.type in (DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE):
            message = self._component_message(inter)
            if message is not None and callback.type == UPDATE_MESSAGE:
                message.apply(data)
                self._attach(message, data, parts)
                message.edited_at = self.now()
        elif callback.type == MODAL:
            self.modals[data["custom_id"]] = (data, inter)
            resource = None
        else:
            resource = None
        if message is not None:
            inter.original_id = message.id
            assert resource is not None
            resource["message"] = message.payload(self.base_url, self.application_id)
        reply: dict[str, Any] = {
            "interaction": {
                "id": str(inter.id),
                "type": inter.type,
                "response_message_loading": callback.type == DEFERRED_CHANNEL_MESSAGE,
                "response_message_ephemeral": bool(message is not None and message.ephemeral),
            },
        }
        if message is not None:
            reply["interaction"]["response_message_id"] = str(message.id)
        if resource is not None:
            reply["resource"] = resource
        return reply

    def _component_message(self, inter: FakeInteraction) -> FakeMessage | None:
        raw = inter.payload.get("message")
        return None if raw is None else self.messages.get(int(raw["id"]))

    # --- interactions: webhooks (followups and @original) ----------------------------------

    def _webhook_interaction(self, call: FakeCall, app: str, token: str) -> FakeInteraction | Reply:
        inter = self._interactions_by_token.get(token)
        if inter is None or int(app) != self.application_id:
            return _error(404, UNKNOWN_WEBHOOK, "Unknown Webhook")
        if call.at - inter.dispatched_at > self.token_lifetime:
            return _error(401, INVALID_WEBHOOK_TOKEN, "Invalid Webhook Token")
        if not inter.acknowledged:
            return _error(404, UNKNOWN_WEBHOOK, "Unknown Webhook")
        return inter

    def _webhook_message(self, inter: FakeInteraction, message: str) -> FakeMessage | None:
        message_id = inter.original_id if message == "@original" else int(message)
        if message_id is None:
            return None
        found = self.messages.get(message_id)
        if found is None or found.deleted:
            return None
        mine = message_id in inter.message_ids or message_id == inter.original_id
        return found if mine else None

    async def _get_webhook(self, call: FakeCall, app: str, token: str) -> Reply:
        inter = self._webhook_interaction(call, app, token)
        if isinstance(inter, Reply):
            return inter
        return Reply(
            200,
            {
                "id": str(self.application_id),
                "type": 3,
                "application_id": str(self.application_id),
                "name": self.bot.username,
                "avatar": None,
                "token": token,
            },
        )

    async def _edit_webhook(self, call: FakeCall, app: str, token: str) -> Reply:
        return await self._get_webhook(call, app, token)

    async def _followup(self, call: FakeCall, app: str, token: str) -> Reply:
        inter = self._webhook_interaction(call, app, token)
        if isinstance(inter, Reply):
            return inter
        channel = self.channels[int(inter.payload["channel_id"])]
        body = call.json or {}
        if _is_empty(body, call.files):
            self.record_violation(f"{call.method} {call.path}: empty message")
            return _error(400, EMPTY_MESSAGE, "Cannot send an empty message")
        message = self._new_message(
            channel,
            body,
            call.parts,
            kind="followup",
            interaction=inter,
            flags=int(body.get("flags") or 0),
        )
        if call.query.get("wait", "").lower() not in ("1", "true"):
            return Reply(204)
        return self._message_reply(message)

    async def _get_webhook_message(
        self, call: FakeCall, app: str, token: str, message: str
    ) -> Reply:
        inter = self._webhook_interaction(call, app, token)
        if isinstance(inter, Reply):
            return inter
        found = self._webhook_message(inter, message)
        if found is None:
            return _error(404, UNKNOWN_MESSAGE, "Unknown Message")
        return self._message_reply(found)

    async def _edit_webhook_message(
        self, call: FakeCall, app: str, token: str, message: str
    ) -> Reply:
        inter = self._webhook_interaction(call, app, token)
        if isinstance(inter, Reply):
            return inter
        found = self._webhook_message(inter, message)
        if found is None:
            return _error(404, UNKNOWN_MESSAGE, "Unknown Message")
        body = call.json or {}
        was_loading = bool(found.flags & LOADING)
        found.flags &= ~LOADING
        found.apply({k: v for k, v in body.items() if k != "flags"})
        self._attach(found, body, call.parts)
        if not was_loading:
            found.edited_at = self.now()
        return self._message_reply(found)

    async def _delete_webhook_message(
        self, call: FakeCall, app: str, token: str, message: str
    ) -> Reply:
        inter = self._webhook_interaction(call, app, token)
        if isinstance(inter, Reply):
            return inter
        found = self._webhook_message(inter, message)
        if found is None:
            return _error(404, UNKNOWN_MESSAGE, "Unknown Message")
        found.deleted = True
        return Reply(204)


def _describe(inter: FakeInteraction) -> str:
    data = inter.payload.get("data") or {}
    if inter.type in (APPLICATION_COMMAND, AUTOCOMPLETE):
        return f"/{data.get('name')}"
    return str(data.get("custom_id"))


def _is_empty(body: dict[str, Any], files: list[FakePart]) -> bool:
    keys = ("content", "embeds", "components", "sticker_ids", "poll", "attachments")
    return not (files or any(body.get(k) for k in keys))


def _duplicates(items: list[str]) -> list[str]:
    seen: set[str] = set()
    repeated: list[str] = []
    for item in items:
        if item in seen:
            repeated.append(item)
        seen.add(item)
    return repeated


def _has_focused(options: list[dict[str, Any]]) -> bool:
    return any(o.get("focused") or _has_focused(o.get("options", [])) for o in options)


def _submitted(component: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    """What Discord sends back for one component of a shown modal, given the typed values."""
    kind = component.get("type")
    if kind == 1:  # action row (the older layout)
        return {"type": 1, "components": [_submitted(c, values) for c in component["components"]]}
    if kind == 18:  # label wrapping one input
        out: dict[str, Any] = {"type": 18, "component": _submitted(component["component"], values)}
        if "id" in component:
            out["id"] = component["id"]
        return out
    if kind == 4:  # text input
        custom_id = component["custom_id"]
        value = values.pop(custom_id, component.get("value") or "")
        if component.get("required", True) and not value:
            raise ValueError(f"text input {custom_id!r} is required")
        if value and len(value) < int(component.get("min_length") or 0):
            raise ValueError(f"text input {custom_id!r} needs {component['min_length']}+ chars")
        if len(value) > int(component.get("max_length") or 4000):
            raise ValueError(
                f"text input {custom_id!r} takes at most"
                f" {component.get('max_length') or 4000} chars"
            )
        out = {"type": 4, "custom_id": custom_id, "value": value}
        if "id" in component:
            out["id"] = component["id"]
        return out
    return {k: v for k, v in component.items() if k in ("type", "id")}
