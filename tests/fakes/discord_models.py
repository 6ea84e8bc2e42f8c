"""What the Discord fake knows about: users, guilds, channels, messages, and what it recorded.

Payload builders here produce the JSON shapes Discord sends (and discord.py 2.7 parses):
users, members, guild text channels, DM channels, threads, GUILD_CREATE, messages.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000

# Permission bits (https://discord.com/developers/docs/topics/permissions).
ADMINISTRATOR = 1 << 3
MANAGE_GUILD = 1 << 5  # "Manage Server"
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
USE_APPLICATION_COMMANDS = 1 << 31
CREATE_PRIVATE_THREADS = 1 << 36
SEND_MESSAGES_IN_THREADS = 1 << 38

MEMBER_PERMISSIONS = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_APPLICATION_COMMANDS
    | SEND_MESSAGES_IN_THREADS
)
ADMIN_PERMISSIONS = MEMBER_PERMISSIONS | MANAGE_GUILD
BOT_PERMISSIONS = MEMBER_PERMISSIONS | CREATE_PRIVATE_THREADS

# Channel types.
GUILD_TEXT = 0
DM = 1
PUBLIC_THREAD = 11
PRIVATE_THREAD = 12

# Message flags.
EPHEMERAL = 1 << 6
LOADING = 1 << 7

_increment = itertools.count(1)


def snowflake_at(unix_seconds: float) -> int:
    """A snowflake whose timestamp is ``unix_seconds`` (discord.py derives times from it)."""
    millis = int(unix_seconds * 1000) - DISCORD_EPOCH_MS
    return (millis << 22) | (next(_increment) & 0x3FFFFF)


def snowflake_seconds(snowflake: int) -> float:
    """The unix time encoded in a snowflake."""
    return ((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000


def iso(unix_seconds: float) -> str:
    return datetime.fromtimestamp(unix_seconds, tz=UTC).isoformat()


@dataclass
class FakeUser:
    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    dms_closed: bool = False
    """When set, messages to this user's DM channel fail with 403 / 50007."""

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "public_flags": 0,
        }
        if self.bot:
            data["bot"] = True
        return data


@dataclass
class FakeMember:
    user: FakeUser
    permissions: int = MEMBER_PERMISSIONS
    """Permissions in the interaction's channel, sent as ``member.permissions``."""
    nick: str | None = None
    joined_at: float = 1_700_000_000.0

    def payload(self, *, with_user: bool = True, with_permissions: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "roles": [],
            "nick": self.nick,
            "avatar": None,
            "joined_at": iso(self.joined_at),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user.payload()
        if with_permissions:
            data["permissions"] = str(self.permissions)
        return data


@dataclass
class FakeChannel:
    id: int
    name: str
    type: int = GUILD_TEXT
    guild_id: int | None = None
    parent_id: int | None = None
    owner_id: int | None = None
    recipient: FakeUser | None = None
    """The other person of a DM channel."""
    member_ids: set[int] = field(default_factory=set)
    """Users added to a thread."""
    created_at: float = 0.0

    @property
    def is_thread(self) -> bool:
        return self.type in (PUBLIC_THREAD, PRIVATE_THREAD)

    def payload(self) -> dict[str, Any]:
        if self.type == DM:
            assert self.recipient is not None
            return {
                "id": str(self.id),
                "type": DM,
                "last_message_id": None,
                "flags": 0,
                "recipients": [self.recipient.payload()],
            }
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "parent_id": None if self.parent_id is None else str(self.parent_id),
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }
        if self.is_thread:
            data.update(
                owner_id=str(self.owner_id),
                message_count=0,
                member_count=len(self.member_ids),
                total_message_sent=0,
                thread_metadata={
                    "archived": False,
                    "auto_archive_duration": 10080,
                    "archive_timestamp": iso(self.created_at),
                    "locked": False,
                    "invitable": False,
                    "create_timestamp": iso(self.created_at),
                },
            )
        else:
            data.update(position=0, permission_overwrites=[], nsfw=False, topic=None)
        return data


@dataclass
class FakeGuild:
    id: int
    name: str
    owner_id: int
    channels: list[FakeChannel] = field(default_factory=list)
    members: list[FakeMember] = field(default_factory=list)

    def member(self, user_id: int) -> FakeMember | None:
        return next((m for m in self.members if m.user.id == user_id), None)

    def channel(self, channel_id: int) -> FakeChannel | None:
        return next((c for c in self.channels if c.id == channel_id), None)

    def everyone_role(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": "@everyone",
            "permissions": str(MEMBER_PERMISSIONS),
            "position": 0,
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }

    def create_payload(self, bot: FakeUser, joined_at: float) -> dict[str, Any]:
        """GUILD_CREATE as sent after READY (members: the bot and the configured ones)."""
        members = [FakeMember(bot, BOT_PERMISSIONS, joined_at=joined_at), *self.members]
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "owner_id": str(self.owner_id),
            "unavailable": False,
            "member_count": len(members),
            "large": False,
            "features": [],
            "preferred_locale": "en-US",
            "roles": [self.everyone_role()],
            "emojis": [],
            "stickers": [],
            "channels": [c.payload() for c in self.channels if not c.is_thread],
            "threads": [],
            "members": [m.payload() for m in members],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "joined_at": iso(joined_at),
        }


@dataclass
class FakeAttachment:
    id: int
    filename: str
    data: bytes
    content_type: str | None = None
    description: str | None = None

    def payload(self, base_url: str) -> dict[str, Any]:
        url = f"{base_url}/attachments/{self.id}/{self.filename}"
        data: dict[str, Any] = {
            "id": str(self.id),
            "filename": self.filename,
            "size": len(self.data),
            "url": url,
            "proxy_url": url,
        }
        if self.content_type:
            data["content_type"] = self.content_type
        if self.description:
            data["description"] = self.description
        return data


@dataclass
class FakeMessage:
    """A message the bot made: in a channel, as an interaction response, or as a followup."""

    id: int
    channel_id: int
    created_at: float
    author: FakeUser
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    flags: int = 0
    attachments: list[FakeAttachment] = field(default_factory=list)
    guild_id: int | None = None
    interaction_id: int | None = None
    kind: str = "channel"
    """"channel", "response" (the interaction's original response) or "followup"."""
    edited_at: float | None = None
    deleted: bool = False
    payloads: list[dict[str, Any]] = field(default_factory=list)
    """Every request body that created or edited this message, in order."""

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    def custom_ids(self) -> list[str]:
        """custom_id of every component, depth first."""
        return self.custom_ids_of(self.components)

    @staticmethod
    def custom_ids_of(components: Any) -> list[str]:
        found: list[str] = []

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                if isinstance(node.get("custom_id"), str):
                    found.append(node["custom_id"])
                for key in ("components", "accessory", "component"):
                    walk(node.get(key))
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(components)
        return found

    def apply(self, body: dict[str, Any]) -> None:
        """Take the fields a create or edit request sets."""
        if "content" in body:
            self.content = body["content"] or ""
        if "embeds" in body:
            self.embeds = list(body["embeds"] or [])
        if "components" in body:
            self.components = list(body["components"] or [])
        if body.get("flags") is not None:
            # Only EPHEMERAL/SUPPRESS_EMBEDS/... may be set by a request; LOADING is ours.
            self.flags = (self.flags & EPHEMERAL) | int(body["flags"])
        self.payloads.append(body)

    def payload(self, base_url: str, application_id: int) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "channel_id": str(self.channel_id),
            "type": 0 if self.kind == "channel" else 20,
            "content": self.content,
            "author": self.author.payload(),
            "timestamp": iso(self.created_at),
            "edited_timestamp": None if self.edited_at is None else iso(self.edited_at),
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [a.payload(base_url) for a in self.attachments],
            "embeds": self.embeds,
            "components": self.components,
            "pinned": False,
            "flags": self.flags,
        }
        if self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        if self.kind != "channel":
            data["application_id"] = str(application_id)
            data["webhook_id"] = str(application_id)
        return data


@dataclass
class FakePart:
    """One part of a multipart request."""

    name: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class FakeCall:
    """One REST request as the fake saw it."""

    method: str
    path: str
    """Below the API base, without the query: ``/channels/123/messages``."""
    query: dict[str, str]
    json: Any
    """The JSON body, or the ``payload_json`` part of a multipart body; None without one."""
    parts: list[FakePart]
    at: float
    """The fake's clock when the request arrived."""
    status: int = 0
    response: Any = None

    @property
    def files(self) -> list[FakePart]:
        return [p for p in self.parts if p.filename is not None]


@dataclass
class FakeCallback:
    """A request to ``POST /interactions/{id}/{token}/callback``."""

    interaction_id: int
    body: dict[str, Any]
    at: float
    accepted: bool
    error_code: int | None = None
    """Discord's error code when refused (10062 late or unknown, 40060 second response)."""
    files: list[FakePart] = field(default_factory=list)

    @property
    def type(self) -> int:
        return int(self.body.get("type", 0))

    @property
    def data(self) -> dict[str, Any]:
        return self.body.get("data") or {}

    @property
    def content(self) -> str | None:
        return self.data.get("content")

    @property
    def flags(self) -> int:
        return int(self.data.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)


@dataclass
class FakeInteraction:
    """An interaction the fake dispatched, and what became of it."""

    id: int
    token: str
    type: int
    payload: dict[str, Any]
    dispatched_at: float
    callbacks: list[FakeCallback] = field(default_factory=list)
    message_ids: list[int] = field(default_factory=list)
    """The original response (first, when there is one) and followups."""
    original_id: int | None = None

    @property
    def acknowledged(self) -> bool:
        return any(c.accepted for c in self.callbacks)

    @property
    def callback(self) -> FakeCallback | None:
        """The first callback attempt, accepted or not."""
        return self.callbacks[0] if self.callbacks else None
