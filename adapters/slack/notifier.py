"""Direct messages on Slack: the `Notifier` port (bot/ports.py) for the outbox dispatcher, and
the same delivery for the DMs a command, button or form produces.

One DM = `conversations.open` with the recipients (one person: their DM with the bot; several:
a group DM with the bot, as an introduction), then `chat.postMessage` with blocks and fallback
text, then one `files_upload_v2` per attachment (.ics invites, CSV exports). Channel ids are
cached per set of people. Failures become `DeliveryError`: permanent when retrying can't help
(the person left, the bot can't DM them, the token is gone), with `retry_after` on a 429 that
outlasted the client's own rate-limit retries.

A retried DM whose message went out but whose file upload failed doesn't repeat the message:
finished parts are remembered for a while and skipped on the retry.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Protocol

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.render import fallback_text, message_blocks
from bot.context import CommunityKey
from bot.messages import DirectMessage, Message
from bot.ports import DeliveryError

log = logging.getLogger(__name__)

SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,30}$")
GROUP_DM_MAX_PEOPLE = 8  # conversations.open takes at most 8 users besides the bot

# Slack answers that retrying the same call can't fix.
PERMANENT_ERRORS = frozenset(
    {
        "user_not_found",
        "users_not_found",
        "user_disabled",
        "user_is_bot",
        "cannot_dm_bot",
        "account_inactive",
        "channel_not_found",
        "is_archived",
        "not_in_channel",
        "too_many_users",
        "not_enough_users",
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "missing_scope",
        "not_allowed_token_type",
        "no_permission",
        "restricted_action",
        "team_access_not_granted",
        "ekm_access_denied",
        "invalid_blocks",
        "msg_too_long",
        "invalid_arguments",
        "method_deprecated",
    }
)


class SlackClients(Protocol):
    """The Web API client holding a workspace's bot token."""

    async def for_team(self, team_id: str) -> AsyncWebClient: ...


class SingleWorkspace:
    """One bot token for every team (a single-workspace app)."""

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client

    async def for_team(self, team_id: str) -> AsyncWebClient:
        return self._client


def delivery_error(exc: Exception) -> DeliveryError:
    """A Slack or network failure as the dispatcher understands it."""
    if isinstance(exc, DeliveryError):
        return exc
    if isinstance(exc, SlackApiError):
        response = exc.response
        error = str(response.get("error") or "unknown_error")
        if response.status_code == 429 or error == "ratelimited":
            retry_after = _retry_after(response.headers)
            return DeliveryError(f"Slack rate limit ({error})", retry_after=retry_after)
        return DeliveryError(f"Slack refused: {error}", permanent=error in PERMANENT_ERRORS)
    return DeliveryError(f"Slack unreachable: {type(exc).__name__}: {exc}")


def _retry_after(headers: object) -> float:
    value = None
    if isinstance(headers, dict):
        value = headers.get("Retry-After") or headers.get("retry-after")
    elif headers is not None and hasattr(headers, "get"):
        value = headers.get("Retry-After")
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return max(0.0, float(value)) if value is not None else 1.0
    except (TypeError, ValueError):
        return 1.0


class SlackNotifier:
    def __init__(
        self,
        clients: SlackClients,
        *,
        max_channels: int = 50_000,
        memo_seconds: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clients = clients
        self._channels: OrderedDict[tuple[str, frozenset[str]], str] = OrderedDict()
        self._max_channels = max_channels
        self._memo_seconds = memo_seconds
        self._clock = clock
        self._done: dict[str, tuple[float, set[str]]] = {}

    async def deliver(self, community: CommunityKey, dm: DirectMessage) -> None:
        """Send `dm` in `community`'s workspace now, or raise DeliveryError."""
        if community.platform != "slack":
            raise DeliveryError(f"not a Slack community: {community.platform}", permanent=True)
        try:
            client = await self._clients.for_team(community.external_id)
        except DeliveryError:
            raise
        except Exception as exc:
            raise delivery_error(exc) from exc
        await self.send(client, community.external_id,
                        [r.platform_user_id for r in dm.recipients], dm.message)

    async def send(
        self, client: AsyncWebClient, team_id: str, user_ids: Sequence[str], message: Message
    ) -> str:
        """Post `message` (and its attachments) to the DM or group DM of `user_ids`; returns
        the conversation id. Raises DeliveryError."""
        people = list(dict.fromkeys(user_ids))
        if not people:
            raise DeliveryError("a DM needs at least one recipient", permanent=True)
        strangers = [u for u in people if not SLACK_USER_ID.match(u)]
        if strangers:
            raise DeliveryError(
                f"not Slack users (yet): {', '.join(strangers)}", permanent=True
            )
        if len(people) > GROUP_DM_MAX_PEOPLE:
            raise DeliveryError("a group DM takes at most 8 people", permanent=True)
        memo_key = self._memo_key(team_id, people, message)
        done = self._parts_done(memo_key)
        try:
            channel = await self._conversation(client, team_id, people)
            if "post" not in done:
                await client.chat_postMessage(
                    channel=channel,
                    text=fallback_text(message),
                    blocks=message_blocks(message),
                    unfurl_links=False,
                    unfurl_media=False,
                )
                done.add("post")
            for number, attachment in enumerate(message.attachments):
                part = f"file:{number}"
                if part in done:
                    continue
                await client.files_upload_v2(
                    channel=channel,
                    content=attachment.content,
                    filename=attachment.filename,
                    title=attachment.title or attachment.filename,
                )
                done.add(part)
        except (SlackApiError, ClientError, TimeoutError) as exc:
            if done:
                self._done[memo_key] = (self._clock() + self._memo_seconds, done)
            if isinstance(exc, SlackApiError) and exc.response.get("error") in {
                "channel_not_found", "is_archived"
            }:
                self._channels.pop((team_id, frozenset(people)), None)
            raise delivery_error(exc) from exc
        self._done.pop(memo_key, None)
        return channel

    async def _conversation(self, client: AsyncWebClient, team_id: str, people: list[str]) -> str:
        key = (team_id, frozenset(people))
        channel = self._channels.get(key)
        if channel is not None:
            self._channels.move_to_end(key)
            return channel
        answer = await client.conversations_open(users=",".join(people))
        channel = str(answer["channel"]["id"])
        self._channels[key] = channel
        while len(self._channels) > self._max_channels:
            self._channels.popitem(last=False)
        return channel

    def _memo_key(self, team_id: str, people: list[str], message: Message) -> str:
        digest = hashlib.sha256()
        digest.update(team_id.encode())
        digest.update(",".join(sorted(people)).encode())
        digest.update(repr(message).encode())
        return digest.hexdigest()

    def _parts_done(self, key: str) -> set[str]:
        now = self._clock()
        for stale in [k for k, (until, _) in self._done.items() if until <= now]:
            del self._done[stale]
        entry = self._done.pop(key, None)
        return set(entry[1]) if entry else set()
