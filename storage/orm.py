"""Maps the core's dataclasses onto the tables, imperatively: `bot/` knows nothing of this."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Mapper, registry

from bot.domain import (
    AuditEntry,
    Block,
    Community,
    FollowUp,
    IntroRequest,
    Member,
    MentorProfile,
    ProgramSetting,
    SearchEvent,
    WarmIntro,
)
from storage import tables

mapper_registry = registry(metadata=tables.metadata)
_lock = threading.Lock()

_MAPPINGS = (
    (Community, tables.communities),
    (Member, tables.members),
    (MentorProfile, tables.mentor_profiles),
    (IntroRequest, tables.intro_requests),
    (WarmIntro, tables.warm_intros),
    (ProgramSetting, tables.program_settings),
    (Block, tables.blocks),
    (AuditEntry, tables.audit_log),
    (SearchEvent, tables.search_events),
    (FollowUp, tables.follow_ups),
)


def _is_mapped(cls: type) -> bool:
    return inspect(cls, raiseerr=False) is not None


def default_search_text(profile: MentorProfile) -> str:
    """The profile's searchable words: headline, industries, expertise, company, role, cohort
    and bio, as the core joins them."""
    parts = (
        profile.headline,
        profile.industries,
        profile.expertise,
        profile.company,
        profile.role,
        profile.cohort,
        profile.bio,
    )
    return " ".join(part.replace(",", " ") for part in parts if part)


def _fill_search_text(_mapper: Mapper[Any], _connection: Any, profile: MentorProfile) -> None:
    """The core sets `search_text`; a profile saved without one is still findable."""
    if not profile.search_text:
        profile.search_text = default_search_text(profile)


def start_mappers() -> None:
    """Map every entity once; later calls do nothing. Safe from several threads."""
    with _lock:
        for cls, table in _MAPPINGS:
            if not _is_mapped(cls):
                mapper_registry.map_imperatively(cls, table)
        if not event.contains(MentorProfile, "before_insert", _fill_search_text):
            event.listen(MentorProfile, "before_insert", _fill_search_text)
            event.listen(MentorProfile, "before_update", _fill_search_text)
