"""Who is acting, and where: the input every use case starts from."""

from __future__ import annotations

import re
from collections.abc import Callable
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


class Actor:
    """The resolved actor of one use case, inside one unit of work. The community's program
    settings are read on first use, from that unit of work (a search needs none)."""

    def __init__(
        self,
        community: Community,
        member: Member,
        is_admin: bool,
        load_settings: Callable[[], ProgramSettings],
    ) -> None:
        self.community = community
        self.member = member
        self.is_admin = is_admin
        self._load_settings = load_settings
        self._settings: ProgramSettings | None = None

    @property
    def settings(self) -> ProgramSettings:
        if self._settings is None:
            self._settings = self._load_settings()
        return self._settings

    @settings.setter
    def settings(self, value: ProgramSettings) -> None:
        self._settings = value

    @property
    def community_id(self) -> int:
        assert self.community.id is not None
        return self.community.id

    @property
    def member_id(self) -> int:
        assert self.member.id is not None
        return self.member.id

    def __repr__(self) -> str:
        return (f"Actor(community={self.community_id}, member={self.member_id}, "
                f"is_admin={self.is_admin})")


_SLUG = re.compile(r"[^a-z0-9._-]+")


def slug_handle(text: str) -> str:
    """``Maria Chen`` -> ``maria.chen``."""
    slug = _SLUG.sub(".", text.strip().lower()).strip(".")
    return slug or "member"
