"""The Discord fake's gateway: a WebSocket that speaks enough of gateway v10 for discord.py.

HELLO on connect; HEARTBEAT (op 1) answered with HEARTBEAT_ACK (op 11); IDENTIFY (op 2) checked
(token, shard, privileged intents) and answered with READY then one GUILD_CREATE per guild of the
shard; RESUME (op 6) replays what the session missed, then RESUMED. Frames are plain JSON text,
never compressed (discord.py only decompresses binary frames, so it accepts text).

Events go to the latest session that IDENTIFYed for the event's shard. While that session is
disconnected they are kept and replayed when it resumes, as Discord does.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSCloseCode, WSMsgType, web

if TYPE_CHECKING:
    from tests.fakes.discord import FakeDiscord

HELLO = 10
HEARTBEAT = 1
HEARTBEAT_ACK = 11
IDENTIFY = 2
RESUME = 6
RECONNECT = 7
INVALID_SESSION = 9
DISPATCH = 0

# Intents Discord only grants when enabled for the application in the developer portal.
GUILD_MEMBERS = 1 << 1
GUILD_PRESENCES = 1 << 8
MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT

# Close codes (https://discord.com/developers/docs/topics/opcodes-and-status-codes).
AUTHENTICATION_FAILED = 4004
INVALID_SHARD = 4010
DISALLOWED_INTENTS = 4014


@dataclass
class GatewaySession:
    """One IDENTIFYed session; it survives disconnects until the client gives it up."""

    id: str
    shard: tuple[int, int] | None
    identify: dict[str, Any]
    seq: int = 0
    ws: web.WebSocketResponse | None = None
    sent: list[dict[str, Any]] = field(default_factory=list)
    resumes: int = 0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def shard_id(self) -> int:
        return 0 if self.shard is None else self.shard[0]

    @property
    def connected(self) -> bool:
        return self.ws is not None and not self.ws.closed


class FakeGateway:
    def __init__(self, fake: FakeDiscord) -> None:
        self._fake = fake
        self.sessions: list[GatewaySession] = []
        self.connections: list[dict[str, str]] = []
        """Query string of every WebSocket connection (v, encoding, compress)."""
        self.received: list[dict[str, Any]] = []
        """Every frame clients sent, tokens masked."""
        self._sockets: set[web.WebSocketResponse] = set()

    # --- sending ---------------------------------------------------------------------------

    async def _send(
        self, session: GatewaySession | None, ws: web.WebSocketResponse, frame: dict[str, Any]
    ) -> None:
        if ws.closed:
            return
        text = json.dumps(frame)
        if session is None:
            await ws.send_str(text)
            return
        async with session.lock:
            await ws.send_str(text)

    async def _dispatch_to(self, session: GatewaySession, event: str, data: Any) -> None:
        session.seq += 1
        frame = {"op": DISPATCH, "t": event, "s": session.seq, "d": data}
        session.sent.append(frame)
        if session.ws is not None and session.connected:
            await self._send(session, session.ws, frame)

    def session_for(self, guild_id: int | None) -> GatewaySession | None:
        """The session that receives events of ``guild_id`` (DM events go to shard 0)."""
        for session in reversed(self.sessions):
            if session.shard is None:
                return session
            shard_id, count = session.shard
            wanted = 0 if guild_id is None else (guild_id >> 22) % count
            if shard_id == wanted:
                return session
        return None

    async def dispatch(self, event: str, data: Any, *, guild_id: int | None = None) -> None:
        session = self.session_for(guild_id)
        if session is None:
            raise RuntimeError(
                "no gateway session yet: start the discord.py client and wait until it is ready"
            )
        await self._dispatch_to(session, event, data)

    # --- connection handling ---------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(compress=False, max_msg_size=0, autoping=True)
        await ws.prepare(request)
        self.connections.append(dict(request.query))
        self._sockets.add(ws)
        session: GatewaySession | None = None
        fake = self._fake
        try:
            await self._send(
                None,
                ws,
                {
                    "op": HELLO,
                    "d": {"heartbeat_interval": fake.heartbeat_interval_ms},
                    "s": None,
                    "t": None,
                },
            )
            async for message in ws:
                if message.type is not WSMsgType.TEXT:
                    continue
                frame = json.loads(message.data)
                self.received.append(_masked(frame))
                op = frame.get("op")
                if op == HEARTBEAT:
                    await self._send(
                        session, ws, {"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None}
                    )
                elif op == IDENTIFY:
                    session = await self._identify(ws, frame.get("d") or {})
                elif op == RESUME:
                    session = await self._resume(ws, frame.get("d") or {})
                fake.notify()
        finally:
            self._sockets.discard(ws)
            fake.notify()
        return ws

    async def _identify(
        self, ws: web.WebSocketResponse, data: dict[str, Any]
    ) -> GatewaySession | None:
        fake = self._fake
        if data.get("token") != fake.token:
            await ws.close(code=AUTHENTICATION_FAILED, message=b"Authentication failed.")
            return None
        intents = int(data.get("intents", 0))
        if intents & PRIVILEGED_INTENTS & ~fake.privileged_intents:
            await ws.close(code=DISALLOWED_INTENTS, message=b"Disallowed intent(s).")
            return None
        shard: tuple[int, int] | None = None
        if data.get("shard") is not None:
            shard_id, count = (int(x) for x in data["shard"])
            if not 0 <= shard_id < count:
                await ws.close(code=INVALID_SHARD, message=b"Invalid shard.")
                return None
            shard = (shard_id, count)
        session = GatewaySession(
            id=secrets.token_hex(16), shard=shard, identify=_masked(data), ws=ws
        )
        self.sessions.append(session)
        guilds = [g for g in fake.guilds.values() if self._in_shard(g.id, shard)]
        ready: dict[str, Any] = {
            "v": 10,
            "user": {**fake.bot.payload(), "verified": True, "mfa_enabled": False, "flags": 0},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": fake.gateway_url,
            "application": {"id": str(fake.application_id), "flags": fake.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
        }
        if shard is not None:
            ready["shard"] = list(shard)
        await self._dispatch_to(session, "READY", ready)
        for guild in guilds:
            await self._dispatch_to(
                session, "GUILD_CREATE", guild.create_payload(fake.bot, joined_at=fake.now())
            )
        return session

    async def _resume(
        self, ws: web.WebSocketResponse, data: dict[str, Any]
    ) -> GatewaySession | None:
        fake = self._fake
        session = next((s for s in self.sessions if s.id == data.get("session_id")), None)
        if session is None or data.get("token") != fake.token:
            await self._send(None, ws, {"op": INVALID_SESSION, "d": False, "s": None, "t": None})
            return None
        old = session.ws
        session.ws = ws
        session.resumes += 1
        if old is not None and old is not ws and not old.closed:
            await old.close(code=WSCloseCode.GOING_AWAY)
        seen = data.get("seq") or 0
        for frame in [f for f in session.sent if f["s"] > seen]:
            await self._send(session, ws, frame)
        await self._dispatch_to(session, "RESUMED", {})
        return session

    @staticmethod
    def _in_shard(guild_id: int, shard: tuple[int, int] | None) -> bool:
        return shard is None or (guild_id >> 22) % shard[1] == shard[0]

    # --- test controls ---------------------------------------------------------------------

    def _targets(self, shard_id: int | None) -> Iterable[GatewaySession]:
        latest: dict[int, GatewaySession] = {}
        for session in self.sessions:
            latest[session.shard_id] = session
        return [s for sid, s in latest.items() if shard_id is None or sid == shard_id]

    async def drop_connection(self, code: int = 4000, shard_id: int | None = None) -> None:
        """Close the live socket(s) the way a network drop or Discord restart would."""
        for session in self._targets(shard_id):
            if session.ws is not None and not session.ws.closed:
                ws = session.ws
                session.ws = None
                await ws.close(code=code, message=b"dropped by the test")

    async def request_reconnect(self, shard_id: int | None = None) -> None:
        """Send RECONNECT (op 7): the client closes and resumes."""
        for session in self._targets(shard_id):
            if session.ws is not None:
                await self._send(
                    session, session.ws, {"op": RECONNECT, "d": None, "s": None, "t": None}
                )

    async def invalidate_session(
        self, *, resumable: bool = False, shard_id: int | None = None
    ) -> None:
        """Send INVALID_SESSION (op 9); with resumable=False the client must IDENTIFY again."""
        for session in self._targets(shard_id):
            if session.ws is not None:
                await self._send(
                    session,
                    session.ws,
                    {"op": INVALID_SESSION, "d": resumable, "s": None, "t": None},
                )
            if not resumable:
                self.sessions.remove(session)

    async def close_all(self) -> None:
        for ws in list(self._sockets):
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"fake shutting down")


def _masked(data: dict[str, Any]) -> dict[str, Any]:
    masked: dict[str, Any] = json.loads(json.dumps(data))
    inner = masked.get("d") if isinstance(masked.get("d"), dict) else masked
    if isinstance(inner, dict) and "token" in inner:
        inner["token"] = "***"
    return masked
