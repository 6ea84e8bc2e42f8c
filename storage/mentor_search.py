"""Mentor search: which mentors can be found right now, and in what order.

Findable: active, available, not away at `now`, under this month's capacity, not blocked, not
erased, not excluded by the query, and matching the industry and company filters
(case-insensitive substrings).

Order: fit first, then fewer recent requests, then more remaining capacity, then id.
Fit is how many of the query's words a profile matches (words are stemmed, stop words
ignored, any word may match); `MentorHit.score` is that count over the number of words, or 0
without words. Without words the order is by load alone.

How it stays fast on large communities: results are found tier by tier (profiles matching all
words, then all but one, ...). In each tier the full-text index first says whether few
profiles match (at most CANDIDATE_CAP): then exactly those are ranked in SQL. Otherwise
matches are common, and the load index is walked in load order while the full-text index
confirms each row; the walk stops as soon as no later row can beat the ones found.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    TextClause,
    and_,
    case,
    exists,
    func,
    literal,
    not_,
    or_,
    select,
)
from sqlalchemy.orm import Session

from bot.domain import Member, MentorHit, MentorProfile, MentorQuery, month_key
from storage import tables
from storage.search_backends import FullText, full_text_for
from storage.search_words import query_words

P = tables.mentor_profiles.c
M = tables.members.c
B = tables.blocks.c

CANDIDATE_CAP = 1000
STREAM_BATCH = 32

Condition = ColumnElement[bool] | TextClause


def _like_pattern(value: str) -> str:
    escaped = value.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"%{escaped}%"


def _contains(column: ColumnElement[str], value: str) -> ColumnElement[bool]:
    """Case-insensitive substring test."""
    return func.lower(column).like(func.lower(literal(_like_pattern(value))), escape="/")


def findable(community_id: int, query: MentorQuery, now: datetime) -> list[Condition]:
    """What a `mentor_profiles` row must meet to be found (words aside)."""
    conditions: list[Condition] = [
        P.community_id == community_id,
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


def _rank_candidates(
    session: Session,
    conditions: Sequence[Condition],
    candidates: Iterable[int],
    need: int,
    now: datetime,
) -> list[int]:
    """The best `need` of a known, small set of profile ids, ranked in SQL."""
    ids = sorted(set(candidates))
    if not ids:
        return []
    remaining = remaining_capacity(now)
    statement = (
        select(P.id)
        .where(*conditions, P.id.in_(ids))
        .order_by(P.recent_requests, remaining.desc(), P.id)
        .limit(need)
    )
    return list(session.scalars(statement))


def _walk_by_load(
    session: Session, conditions: Sequence[Condition], need: int, now: datetime
) -> list[int]:
    """The best `need` rows by load, walking ix_mentor_profiles_load in order.

    Rows arrive by (recent requests, capacity desc, id). Remaining capacity never exceeds
    capacity, so (recent, -capacity, id) is the best key a row could have; once that is
    worse than the worst of `need` rows already held, no later row can enter.
    """
    remaining = remaining_capacity(now)
    statement = (
        select(P.id, P.recent_requests, P.capacity, remaining)
        .where(*conditions)
        .order_by(P.recent_requests, P.capacity.desc(), P.id)
    )
    best: list[tuple[int, int, int]] = []  # (recent, -remaining, id), sorted
    result = session.execute(statement.execution_options(yield_per=STREAM_BATCH))
    try:
        for profile_id, recent, capacity, left in result:
            if len(best) >= need and (recent, -capacity, profile_id) > best[need - 1]:
                break
            bisect.insort(best, (recent, -left, profile_id))
            del best[need:]
    finally:
        result.close()
    return [key[2] for key in best]


def _best(
    session: Session,
    conditions: Sequence[Condition],
    candidates: set[int] | None,
    need: int,
    now: datetime,
) -> list[int]:
    if candidates is not None:
        return _rank_candidates(session, conditions, candidates, need, now)
    return _walk_by_load(session, conditions, need, now)


def _narrow(current: set[int] | None, ids: list[int] | None) -> set[int] | None:
    """Intersect with a candidate list that is complete (at most CANDIDATE_CAP long)."""
    if ids is None or len(ids) > CANDIDATE_CAP:
        return current
    return set(ids) if current is None else current & set(ids)


def _facet_candidates(session: Session, full_text: FullText, query: MentorQuery) -> set[int] | None:
    candidates: set[int] | None = None
    for column, value in (("industries", query.industry), ("company", query.company)):
        if value.strip():
            ids = full_text.facet_ids(session, column, value.strip(), CANDIDATE_CAP + 1)
            candidates = _narrow(candidates, ids)
    return candidates


def ranked_profile_ids(
    session: Session, community_id: int, query: MentorQuery, now: datetime
) -> list[tuple[int, int]]:
    """(profile id, words matched) of the best `query.limit` findable profiles, best first."""
    if query.limit <= 0:
        return []
    full_text = full_text_for(session)
    base = findable(community_id, query, now)
    facets = _facet_candidates(session, full_text, query)
    words = query_words(query.terms)
    if not words:
        return [(pid, 0) for pid in _best(session, base, facets, query.limit, now)]
    ranked: list[tuple[int, int]] = []
    for at_least in range(len(words), 0, -1):
        need = query.limit - len(ranked)
        conditions = list(base)
        if ranked:
            conditions.append(P.id.not_in([pid for pid, _ in ranked]))
        matching = full_text.matching_ids(
            session, community_id, words, at_least, CANDIDATE_CAP + 1
        )
        candidates = _narrow(facets, matching)
        if len(matching) > CANDIDATE_CAP:
            conditions.append(full_text.match_condition(words, at_least))
        found = _best(session, conditions, candidates, need, now)
        ranked.extend((pid, at_least) for pid in found)
        if len(ranked) >= query.limit:
            break
    return ranked


def search_mentors(
    session: Session, community_id: int, query: MentorQuery, now: datetime
) -> list[MentorHit]:
    ranked = ranked_profile_ids(session, community_id, query, now)
    if not ranked:
        return []
    statement = (
        select(MentorProfile, Member)
        .join(Member, and_(M.id == P.member_id, M.community_id == P.community_id))
        .where(P.community_id == community_id, P.id.in_([pid for pid, _ in ranked]))
    )
    loaded = {profile.id: (profile, member) for profile, member in session.execute(statement)}
    words = len(query_words(query.terms))
    hits: list[MentorHit] = []
    for profile_id, matched in ranked:
        profile, member = loaded[profile_id]
        hits.append(MentorHit(profile, member, matched / words if words else 0.0))
    return hits
