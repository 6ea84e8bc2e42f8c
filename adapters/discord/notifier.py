"""Delivering the core's DMs on Discord (`bot.ports.Notifier`).

* One recipient: a DM. Bots can't open group DMs, so a DM to several people (an
  introduction) goes to each of them, and, when an intro channel is configured for the guild,
  also into a private thread there with everyone added.
* Closed DMs (403 / 50007) are final — retrying only counts towards Discord's invalid-request
  ban — so the member is mentioned in the fallback channel instead (without the message's
  content, which is private) and the core records that it happened. Without a fallback
  channel it is a permanent `DeliveryError`.
* 429s are waited out and retried by discord.py itself; any other failure becomes a
  `DeliveryError` with `retry_after` when Discord said how long to wait, so the dispatcher
  tries again later and a reminder is never dropped. A re-sent DM carries the same nonce, so
  Discord returns the message it already has instead of posting a duplicate.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Sequence
from typing import Any

import aiohttp
import discord

from adapters.discord import limits as L
from adapters.discord.limits import clip
from adapters.discord.render import Outgoing, render_message
from bot.app import IntroProgram
from bot.context import CommunityKey
from bot.messages import DirectMessage, Recipient
from bot.ports import DeliveryError

log = logging.getLogger(__name__)

PLATFORM = "discord"
CANNOT_DM_USER = 50007
GONE_CODES = frozenset({10003, 10007, 10013, 50033})
"""Unknown channel, member or user; invalid recipient: the person can't be reached at all."""

FALLBACK_TEXT = (
    "{mention} I have a message for you from the intro program, but I can't send you direct "
    "messages. To get requests and reminders, allow direct messages from members of this "
    "server (server menu → Privacy Settings). /intro list shows where your requests stand."
)


def _snowflake(value: str) -> int | None:
    return int(value) if value.isdigit() and 0 < len(value) <= 20 else None


def _nonce(*parts: object) -> str:
    """Discord nonces are at most 25 characters."""
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:25]


def _retry_after(exc: discord.HTTPException) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    raw = headers.get("Retry-After")
    try:
        return float(raw) if raw is not None else None
    except ValueError:
        return None


def _closed(exc: discord.HTTPException) -> bool:
    return isinstance(exc, discord.Forbidden) and exc.code == CANNOT_DM_USER


def _gone(exc: discord.HTTPException) -> bool:
    return isinstance(exc, discord.NotFound) or exc.code in GONE_CODES


class _Closed(Exception):
    """The recipient's DMs are closed."""


class DiscordNotifier:
    """Sends DMs for one bot; see the module docstring."""

    def __init__(
        self,
        client: discord.Client,
        program: IntroProgram,
        *,
        intro_channel: int | None = None,
        fallback_channel: int | None = None,
    ) -> None:
        self._client = client
        self._program = program
        self._intro_channel = intro_channel
        self._fallback_channel = fallback_channel

    # ------------------------------------------------------------------ the port

    async def deliver(self, community: CommunityKey, dm: DirectMessage) -> None:
        """Send `dm` now, or raise DeliveryError (see the module docstring)."""
        guild_id = _snowflake(community.external_id)
        if community.platform != PLATFORM or guild_id is None:
            raise DeliveryError(f"{community.platform}:{community.external_id} is not a "
                                "Discord server", permanent=True)
        outgoing = render_message(dm.message, guild_id)
        if len(dm.recipients) == 1:
            await self._deliver_one(community, guild_id, dm, dm.recipients[0], outgoing)
        else:
            await self._deliver_group(community, guild_id, dm, outgoing)

    async def send_to_user(self, user_id: int, outgoing: Sequence[Outgoing]) -> bool:
        """Best effort: DM a reply that could no longer be given in the interaction.
        False when it could not be sent."""
        try:
            await self._dm(user_id, outgoing, "reply")
        except (_Closed, DeliveryError) as exc:
            log.warning("could not DM a late reply to %s: %s", user_id, exc)
            return False
        return True

    # ------------------------------------------------------------------ one person

    async def _deliver_one(
        self,
        community: CommunityKey,
        guild_id: int,
        dm: DirectMessage,
        recipient: Recipient,
        outgoing: list[Outgoing],
    ) -> None:
        user_id = self._user_id(recipient)
        try:
            await self._dm(user_id, outgoing, dm.kind)
        except _Closed:
            await self._fall_back(community, guild_id, recipient, dm.kind)

    def _user_id(self, recipient: Recipient) -> int:
        user_id = _snowflake(recipient.platform_user_id)
        if user_id is None:
            raise DeliveryError(f"member {recipient.member_id} has no Discord account yet",
                                permanent=True)
        return user_id

    async def _dm(self, user_id: int, outgoing: Sequence[Outgoing], kind: str) -> None:
        """DM `outgoing` to a user. Raises _Closed for closed DMs, DeliveryError otherwise."""
        try:
            channel = await self._client.create_dm(discord.Object(id=user_id))
            for index, item in enumerate(outgoing):
                await self._send(channel, item, _nonce(kind, user_id, index, _text_of(item)))
        except discord.HTTPException as exc:
            if _closed(exc):
                raise _Closed(str(exc)) from exc
            if _gone(exc):
                raise DeliveryError(f"Discord user {user_id} can't be reached ({exc.code})",
                                    permanent=True) from exc
            raise DeliveryError(f"Discord refused the DM: {exc.status} {exc.code}",
                                retry_after=_retry_after(exc)) from exc
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise DeliveryError(f"Discord could not be reached: {exc!r}") from exc

    @staticmethod
    async def _send(
        channel: discord.abc.Messageable,
        item: Outgoing,
        nonce: str | None,
        allowed: discord.AllowedMentions | None = None,
    ) -> discord.Message:
        kwargs: dict[str, Any] = {"allowed_mentions": allowed or discord.AllowedMentions.none()}
        if item.content:
            kwargs["content"] = clip(item.content, L.CONTENT)
        if item.embeds:
            kwargs["embeds"] = item.embeds
        view = item.view()
        if view is not None:
            kwargs["view"] = view
        if item.attachments:
            kwargs["files"] = item.files()
        if nonce is not None:
            kwargs["nonce"] = nonce
        return await channel.send(**kwargs)

    # ------------------------------------------------------------------ several people

    async def _deliver_group(
        self, community: CommunityKey, guild_id: int, dm: DirectMessage,
        outgoing: list[Outgoing],
    ) -> None:
        reached: list[Recipient] = []
        closed: list[Recipient] = []
        for recipient in dm.recipients:
            try:
                await self._dm(self._user_id(recipient), outgoing, dm.kind)
            except _Closed:
                closed.append(recipient)
            except DeliveryError as exc:
                if not exc.permanent:
                    raise
                log.warning("intro DM to member %s failed: %s", recipient.member_id, exc)
                await self._record(community, recipient, dm.kind, "undeliverable")
            else:
                reached.append(recipient)
        in_thread = await self._thread(guild_id, dm, outgoing)
        for recipient in closed:
            if recipient.platform_user_id in in_thread:
                await self._record(community, recipient, dm.kind, "thread")
                reached.append(recipient)
                continue
            try:
                await self._fall_back(community, guild_id, recipient, dm.kind)
            except DeliveryError as exc:
                if not exc.permanent:
                    raise
            else:
                reached.append(recipient)
        if not reached:
            raise DeliveryError("nobody could be reached for this introduction", permanent=True)

    async def _thread(
        self, guild_id: int, dm: DirectMessage, outgoing: list[Outgoing]
    ) -> set[str]:
        """A private thread with the recipients in the intro channel, when one is set for
        this guild. Returns the platform ids of those added (empty without a thread)."""
        channel = self._channel(self._intro_channel, guild_id)
        if not isinstance(channel, discord.TextChannel):
            return set()
        title = dm.message.title.strip() or "Your introduction"
        added: set[str] = set()
        try:
            thread = await channel.create_thread(
                name=clip(title, L.THREAD_NAME),
                type=discord.ChannelType.private_thread,
                invitable=False,
            )
            for recipient in dm.recipients:
                user_id = _snowflake(recipient.platform_user_id)
                if user_id is None:
                    continue
                try:
                    await thread.add_user(discord.Object(id=user_id))
                except discord.HTTPException as exc:
                    log.warning("could not add %s to intro thread: %s", user_id, exc)
                    continue
                added.add(recipient.platform_user_id)
            mentions = " ".join(f"<@{uid}>" for uid in sorted(added))
            users = [discord.Object(id=int(uid)) for uid in added]
            for index, item in enumerate(outgoing):
                if index == 0 and mentions:
                    item = Outgoing(content=clip(f"{mentions} {item.content}".strip(),
                                                 L.CONTENT),
                                    embeds=item.embeds, rows=item.rows,
                                    attachments=item.attachments)
                await self._send(thread, item, None, discord.AllowedMentions(users=users))
        except (discord.HTTPException, aiohttp.ClientError, OSError, TimeoutError) as exc:
            log.warning("could not open an intro thread in %s: %s", self._intro_channel, exc)
        return added

    # ------------------------------------------------------------------ closed DMs

    def _channel(self, channel_id: int | None, guild_id: int) -> Any:
        """A configured channel, only when it belongs to this guild."""
        if channel_id is None:
            return None
        channel = self._client.get_channel(channel_id)
        guild = getattr(channel, "guild", None)
        if channel is None or guild is None or guild.id != guild_id:
            return None
        return channel

    async def _fall_back(
        self, community: CommunityKey, guild_id: int, recipient: Recipient, kind: str
    ) -> None:
        channel = self._channel(self._fallback_channel, guild_id)
        if not isinstance(channel, discord.abc.Messageable):
            await self._record(community, recipient, kind, "undeliverable")
            raise DeliveryError(
                f"member {recipient.member_id} has closed their DMs and this server has no "
                "fallback channel", permanent=True,
            )
        user_id = self._user_id(recipient)
        text = FALLBACK_TEXT.format(mention=f"<@{user_id}>")
        try:
            await self._send(channel, Outgoing(content=clip(text, L.CONTENT)),
                             _nonce("fallback", kind, user_id),
                             discord.AllowedMentions(users=[discord.Object(id=user_id)]))
        except discord.HTTPException as exc:
            if isinstance(exc, discord.Forbidden | discord.NotFound):
                await self._record(community, recipient, kind, "undeliverable")
                raise DeliveryError(f"the fallback channel refused the mention: {exc.code}",
                                    permanent=True) from exc
            raise DeliveryError(f"the fallback mention failed: {exc.status} {exc.code}",
                                retry_after=_retry_after(exc)) from exc
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise DeliveryError(f"Discord could not be reached: {exc!r}") from exc
        await self._record(community, recipient, kind, "fallback_channel")

    async def _record(
        self, community: CommunityKey, recipient: Recipient, kind: str, how: str
    ) -> None:
        try:
            await asyncio.to_thread(self._program.record_delivery, community,
                                    recipient.member_id, kind, how)
        except Exception:
            log.exception("could not record how a DM reached member %s", recipient.member_id)


def _text_of(item: Outgoing) -> str:
    parts = [item.content, *(e.description or "" for e in item.embeds),
             *(e.title or "" for e in item.embeds)]
    return "\n".join(parts)
