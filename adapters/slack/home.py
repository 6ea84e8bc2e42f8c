"""The App Home tab: the core's home page (`IntroProgram.home`) published with views.publish.

Published when a member opens the tab, and again after anything they do (or anything done to
them, such as a new request) changes it — for members who have opened the tab since the
process started; the others get a fresh page when they next open it.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.people import SlackPeople
from adapters.slack.render import home_view
from bot.app import IntroProgram
from bot.context import CommunityKey, Invocation, PlatformUser
from bot.messages import Message

log = logging.getLogger(__name__)


class HomeTabs:
    def __init__(
        self,
        program: IntroProgram,
        people: SlackPeople,
        run: Callable[..., Awaitable[Any]] | None = None,
        max_viewers: int = 50_000,
    ) -> None:
        self._program = program
        self._people = people
        self._run = run or asyncio.to_thread
        self._viewers: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._max_viewers = max_viewers

    def viewing(self, team_id: str, user_id: str) -> bool:
        return (team_id, user_id) in self._viewers

    async def publish(self, client: AsyncWebClient, inv: Invocation) -> None:
        """Build the member's page and publish it (Slack API errors propagate)."""
        key = (inv.community.external_id, inv.user.user_id)
        self._viewers[key] = None
        self._viewers.move_to_end(key)
        while len(self._viewers) > self._max_viewers:
            self._viewers.popitem(last=False)
        page: Message = await self._run(self._program.home, inv)
        await client.views_publish(user_id=inv.user.user_id, view=home_view(page))

    async def refresh(
        self,
        client: AsyncWebClient,
        community: CommunityKey,
        user_ids: Iterable[str],
        actor: PlatformUser | None = None,
    ) -> None:
        """Republish the tab of each of `user_ids` who has it open; failures are logged."""
        for user_id in dict.fromkeys(user_ids):
            if not self.viewing(community.external_id, user_id):
                continue
            try:
                user = actor if actor is not None and actor.user_id == user_id else (
                    await self._people.user(client, community.external_id, user_id))
                await self.publish(client, Invocation(community, user))
            except Exception:
                log.exception("could not refresh the home tab of %s", user_id)
