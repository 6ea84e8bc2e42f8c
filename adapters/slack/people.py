"""Slack users as the core sees them: `users.info` → `PlatformUser`, cached for a while.

Display name, timezone and whether the person is a workspace admin or owner come from
`users.info` (scope `users:read`). Answers are kept for `ttl` seconds per (team, user), so a
busy member costs one lookup per ttl; a failed lookup falls back to what the payload said
(id and user name, no admin rights) and is retried after `retry_after_failure` seconds. A
lookup never takes more than `lookup_timeout` seconds (a rate-limited users.info must not cost
a command its 3-second ack).
Concurrent lookups of one person share one call.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.context import PlatformUser

log = logging.getLogger(__name__)


def platform_user(user: Mapping[str, Any]) -> PlatformUser:
    """A `users.info` user object as a PlatformUser."""
    profile = user.get("profile") or {}
    name = str(user.get("name") or "")
    shown = (
        str(profile.get("display_name") or "")
        or str(profile.get("real_name") or "")
        or str(user.get("real_name") or "")
        or name
    )
    tz = user.get("tz")
    return PlatformUser(
        user_id=str(user["id"]),
        display_name=shown,
        handle=name,
        timezone=tz if isinstance(tz, str) and tz else None,
        is_platform_admin=bool(
            user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")
        ),
    )


class SlackPeople:
    def __init__(
        self,
        *,
        ttl: float = 600.0,
        retry_after_failure: float = 60.0,
        lookup_timeout: float = 1.5,
        max_entries: int = 20_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl
        self._retry_after_failure = retry_after_failure
        self._lookup_timeout = lookup_timeout
        self._max = max_entries
        self._clock = clock
        self._cache: OrderedDict[tuple[str, str], tuple[float, PlatformUser]] = OrderedDict()
        self._inflight: dict[tuple[str, str], asyncio.Future[PlatformUser]] = {}

    async def user(
        self, client: AsyncWebClient, team_id: str, user_id: str, fallback_name: str = ""
    ) -> PlatformUser:
        key = (team_id, user_id)
        cached = self._cache.get(key)
        if cached is not None and cached[0] > self._clock():
            self._cache.move_to_end(key)
            return cached[1]
        running = self._inflight.get(key)
        if running is not None:
            return await asyncio.shield(running)
        future: asyncio.Future[PlatformUser] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            found = await self._look_up(client, user_id, fallback_name)
            future.set_result(found[0])
            self._remember(key, found[0], self._ttl if found[1] else self._retry_after_failure)
            return found[0]
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # nobody else may be waiting: mark it retrieved
            raise
        finally:
            del self._inflight[key]

    def forget(self, team_id: str, user_id: str) -> None:
        self._cache.pop((team_id, user_id), None)

    async def _look_up(
        self, client: AsyncWebClient, user_id: str, fallback_name: str
    ) -> tuple[PlatformUser, bool]:
        try:
            answer = await asyncio.wait_for(client.users_info(user=user_id),
                                            self._lookup_timeout)
        except (SlackApiError, ClientError, TimeoutError) as exc:
            log.warning("users.info for %s failed: %s", user_id, exc)
            # No display name: a member's known name is not overwritten by a user name.
            return PlatformUser(user_id=user_id, handle=fallback_name.strip()), False
        return platform_user(answer["user"]), True

    def _remember(self, key: tuple[str, str], user: PlatformUser, ttl: float) -> None:
        self._cache[key] = (self._clock() + ttl, user)
        self._cache.move_to_end(key)
        while len(self._cache) > self._max:
            self._cache.popitem(last=False)
