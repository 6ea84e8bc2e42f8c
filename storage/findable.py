"""Who can be found: active, available, not away at `now`, under this month's capacity, not
blocked, not erased, not excluded by the query, and matching the industry and company filters
(case-insensitive substrings). Also the remaining capacity that ranks equally good fits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, TextClause, case, exists, func, literal, not_, or_

from bot.domain import MentorQuery, month_key
from storage import tables

P = tables.mentor_profiles.c
M = tables.members.c
B = tables.blocks.c

Condition = ColumnElement[bool] | TextClause


def _like_pattern(value: str) -> str:
    escaped = value.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"%{escaped}%"


def _contains(column: ColumnElement[str], value: str) -> ColumnElement[bool]:
    """Case-insensitive substring test."""
    return func.lower(column).like(func.lower(literal(_like_pattern(value))), escape="/")


def findable(
    community_id: int, query: MentorQuery, now: datetime, by_id: bool = False
) -> list[Condition]:
    """What a `mentor_profiles` row must meet to be found (words aside). With `by_id` the
    community test is written so that no index is chosen for it: the caller's id list must
    drive the query (SQLite would otherwise walk the whole community)."""
    community = (P.community_id + 0) if by_id else P.community_id
    conditions: list[Condition] = [
        community == community_id,
        P.active.is_(True),
        P.available.is_(True),
        or_(P.away_until.is_(None), P.away_until <= now),
        or_(P.accepted_month != month_key(now), P.accepted_count < P.capacity),
        not_(exists().where(B.community_id == community_id, B.member_id == P.member_id)),
        exists().where(
            M.community_id == community_id, M.id == P.member_id, M.erased_at.is_(None)
        ),
    ]
    if query.exclude_member_ids:
        conditions.append(P.member_id.not_in(sorted(query.exclude_member_ids)))
    if query.industry.strip():
        conditions.append(_contains(P.industries, query.industry.strip()))
    if query.company.strip():
        conditions.append(_contains(P.company, query.company.strip()))
    return conditions


def remaining_capacity(now: datetime) -> ColumnElement[int]:
    return case(
        (P.accepted_month == month_key(now), P.capacity - P.accepted_count),
        else_=P.capacity,
    )


