"""The Socket Mode side of the Slack fake: a WebSocket endpoint that pushes envelopes.

Slack's protocol, as slack_sdk's aiohttp `SocketModeClient` speaks it: the client asks
`apps.connections.open` for a URL, connects, and gets `{"type": "hello", ...}`. Slack then pushes
envelopes `{envelope_id, type, payload, accepts_response_payload}` and expects, within 3 seconds,
an ack `{envelope_id, payload?}` on the same socket. `{"type": "disconnect"}` asks the client to
fetch a new URL and reconnect.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.slack_clock import Seconds

ACK_DEADLINE_SECONDS = 3.0


class SocketAckTimeout(AssertionError):
    """The client did not ack an envelope before the test's timeout."""


@dataclass
class SocketConnection:
    """One WebSocket connection that a client opened with a ticket from apps.connections.open."""

    number: int
    ticket: str
    opened_at: float
    ws: web.WebSocketResponse = field(repr=False)
    closed_at: float | None = None
    received: list[dict[str, Any]] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return self.closed_at is None and not self.ws.closed


@dataclass(frozen=True)
class SocketAck:
    """The client's answer to one envelope."""

    envelope: dict[str, Any]
    payload: dict[str, Any] | None
    elapsed: float
    connection: int

    @property
    def envelope_id(self) -> str:
        return str(self.envelope["envelope_id"])

    @property
    def in_time(self) -> bool:
        """Whether the ack came within Slack's 3 s, by the fake's clock."""
        return self.elapsed <= ACK_DEADLINE_SECONDS


@dataclass
class _Pending:
    envelope: dict[str, Any]
    sent_at: float
    connection: int
    future: asyncio.Future[tuple[dict[str, Any], float]]


class SocketModeServer:
    def __init__(
        self,
        *,
        clock: Seconds,
        app_id: str,
        violations: list[str],
        on_change: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._clock = clock
        self._on_change = on_change
        self._app_id = app_id
        self._violations = violations
        self._tickets: set[str] = set()
        self._pending: dict[str, _Pending] = {}
        self._changed: asyncio.Condition | None = None
        self.connections: list[SocketConnection] = []
        self.acks: list[SocketAck] = []
        self.envelopes: list[dict[str, Any]] = []

    # ----- issuing URLs and accepting connections

    def issue_url(self, base_ws_url: str) -> str:
        ticket = secrets.token_hex(16)
        self._tickets.add(ticket)
        return f"{base_ws_url}socket?ticket={ticket}&app_id={self._app_id}"

    def _condition(self) -> asyncio.Condition:
        if self._changed is None:
            self._changed = asyncio.Condition()
        return self._changed

    async def _notify(self) -> None:
        condition = self._condition()
        async with condition:
            condition.notify_all()
        if self._on_change is not None:
            await self._on_change()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:
            self._violations.append(
                f"socket connection with a ticket the fake never issued: {ticket!r}"
            )
            return web.Response(status=401, text="invalid ticket")
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        connection = SocketConnection(
            number=len(self.connections) + 1, ticket=ticket, opened_at=self._clock(), ws=ws
        )
        self.connections.append(connection)
        await ws.send_str(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": sum(1 for c in self.connections if c.open),
                    "debug_info": {
                        "host": "fake-socket-mode",
                        "build_number": 1,
                        "approximate_connection_time": 18060,
                    },
                    "connection_info": {"app_id": self._app_id},
                }
            )
        )
        await self._notify()
        try:
            async for message in ws:
                if message.type != WSMsgType.TEXT:
                    continue
                self._receive(connection, message.data)
                await self._notify()
        finally:
            connection.closed_at = self._clock()
            await self._notify()
        return ws

    def _receive(self, connection: SocketConnection, raw: str) -> None:
        try:
            data = json.loads(raw)
        except json.JSONDecodeError:
            self._violations.append(f"socket message that is not JSON: {raw[:200]!r}")
            return
        if not isinstance(data, dict):
            self._violations.append(f"socket message that is not an object: {raw[:200]!r}")
            return
        connection.received.append(data)
        envelope_id = data.get("envelope_id")
        pending = self._pending.get(str(envelope_id)) if envelope_id is not None else None
        if pending is None:
            self._violations.append(f"ack for an unknown or already acked envelope: {raw[:200]!r}")
            return
        del self._pending[str(envelope_id)]
        if not pending.future.done():
            pending.future.set_result((data, self._clock()))

    # ----- what the test drives

    @property
    def open_connections(self) -> list[SocketConnection]:
        return [c for c in self.connections if c.open]

    async def wait_for_connections(self, count: int, timeout: float) -> SocketConnection:
        """Wait until `count` connections have been opened in all; return the newest open one."""
        condition = self._condition()

        def ready() -> bool:
            return len(self.connections) >= count and bool(self.open_connections)

        async with condition:
            try:
                await asyncio.wait_for(condition.wait_for(ready), timeout)
            except TimeoutError:
                raise AssertionError(
                    f"expected {count} Socket Mode connection(s) within {timeout} s, "
                    f"saw {len(self.connections)}"
                ) from None
        return self.open_connections[-1]

    async def send(
        self,
        envelope_type: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool | None = None,
        retry_attempt: int | None = None,
        retry_reason: str | None = None,
        timeout: float = 5.0,
    ) -> SocketAck:
        connection = await self.wait_for_connections(1, timeout)
        if accepts_response_payload is None:
            accepts_response_payload = envelope_type != "events_api"
        envelope: dict[str, Any] = {
            "envelope_id": str(uuid.uuid4()),
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        if envelope_type == "events_api":
            envelope["retry_attempt"] = retry_attempt or 0
            envelope["retry_reason"] = retry_reason or ""
        future: asyncio.Future[tuple[dict[str, Any], float]] = (
            asyncio.get_running_loop().create_future()
        )
        sent_at = self._clock()
        self._pending[envelope["envelope_id"]] = _Pending(
            envelope=envelope, sent_at=sent_at, connection=connection.number, future=future
        )
        self.envelopes.append(envelope)
        await connection.ws.send_str(json.dumps(envelope))
        try:
            data, acked_at = await asyncio.wait_for(future, timeout)
        except TimeoutError:
            self._pending.pop(envelope["envelope_id"], None)
            self._violations.append(
                f"no ack for {envelope_type} envelope {envelope['envelope_id']} within {timeout} s"
            )
            raise SocketAckTimeout(
                f"the client did not ack the {envelope_type} envelope within {timeout} s"
            ) from None
        payload_back = data.get("payload")
        ack = SocketAck(
            envelope=envelope,
            payload=payload_back if isinstance(payload_back, dict) else None,
            elapsed=acked_at - sent_at,
            connection=connection.number,
        )
        self.acks.append(ack)
        if not ack.in_time:
            self._violations.append(
                f"ack for {envelope_type} envelope {ack.envelope_id} came after "
                f"{ack.elapsed:.2f} s (Slack gives up after {ACK_DEADLINE_SECONDS:.0f} s)"
            )
        return ack

    async def disconnect(self, reason: str = "refresh_requested") -> None:
        """Send Slack's disconnect message on every open connection."""
        for connection in self.open_connections:
            await connection.ws.send_str(
                json.dumps(
                    {
                        "type": "disconnect",
                        "reason": reason,
                        "debug_info": {"host": "fake-socket-mode"},
                    }
                )
            )

    async def drop(self) -> None:
        """Close every open connection without warning, as a network failure would."""
        for connection in self.open_connections:
            await connection.ws.close()

    async def close_all(self) -> None:
        for connection in self.open_connections:
            await connection.ws.close()
        for pending in self._pending.values():
            if not pending.future.done():
                pending.future.cancel()
        self._pending.clear()
