"""Who is acting, and where: the input every use case starts from."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain import Community, Member
from bot.program_settings import ProgramSettings


@dataclass(frozen=True)
class CommunityKey:
    platform: str
    external_id: str
    name: str = ""


@dataclass(frozen=True)
class PlatformUser:
    """What an adapter knows about the person pressing the button."""

    user_id: str
    display_name: str = ""
    handle: str = ""
    timezone: str | None = None
    is_platform_admin: bool = False


@dataclass(frozen=True)
class Invocation:
    community: CommunityKey
    user: PlatformUser


@dataclass
class Actor:
    """The resolved actor of one use case, inside one unit of work."""

    community: Community
    member: Member
    settings: ProgramSettings
    is_admin: bool

    @property
    def community_id(self) -> int:
        assert self.community.id is not None
        return self.community.id

    @property
    def member_id(self) -> int:
        assert self.member.id is not None
        return self.member.id


_SLUG = re.compile(r"[^a-z0-9._-]+")


def slug_handle(text: str) -> str:
    """``Maria Chen`` -> ``maria.chen``."""
    slug = _SLUG.sub(".", text.strip().lower()).strip(".")
    return slug or "member"
