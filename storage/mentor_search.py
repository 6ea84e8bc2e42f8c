"""Mentor search: which mentors can be found right now, and in what order.

Who is findable: see storage.findable.

Order: fit first, then fewer recent requests, then more remaining capacity, then id.
Fit is how many of the query's words a profile matches (words are stemmed, stop words
ignored, any word may match); `MentorHit.score` is that count over the number of words, or 0
without words. Without words the order is by load alone.

How it stays fast on large communities: results are found tier by tier (profiles matching all
words, then all but one, ...). In each tier the full-text index says how many profiles match:
* few (at most SMALL_SET): exactly those are ranked in SQL;
* some (up to about KNOWN_SET, judged from how densely the first matches fill the community's
  id range): the load index is walked in load order, keeping rows in the set of matching ids
  (which the database computes once);
* many: the load index is walked while the full-text index confirms each row.
A walk stops as soon as no later row can beat the rows found, so it reads a handful of rows
when matches are common. The industry and company filters narrow the same way (SQLite's
trigram index), and are always checked exactly in SQL.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from bot.domain import Member, MentorHit, MentorProfile, MentorQuery
from storage import tables
from storage.findable import Condition, findable, remaining_capacity
from storage.search_backends import FullText, full_text_for
from storage.search_words import query_words

P = tables.mentor_profiles.c
M = tables.members.c

SMALL_SET = 1_000
KNOWN_SET = 8_000
# Rows fetched at a time while walking: SQLite runs in-process, so one at a time costs nothing
# and never evaluates rows that are not needed; PostgreSQL pays a round trip per batch.
STREAM_BATCH = {"sqlite": 1, "postgresql": 16}


@dataclass
class _Narrowing:
    """What is known about the ids a tier may return: complete id sets (`known`, their
    intersection) and SQL conditions for what could only be tested row by row."""

    known: set[int] | None = None
    conditions: list[Condition] = field(default_factory=list)

    def add_ids(self, ids: Collection[int]) -> None:
        self.known = set(ids) if self.known is None else self.known & set(ids)

    def copy(self) -> _Narrowing:
        known = None if self.known is None else set(self.known)
        return _Narrowing(known, list(self.conditions))


def _rank_known(
    session: Session,
    community_id: int,
    query: MentorQuery,
    now: datetime,
    narrowing: _Narrowing,
    need: int,
) -> list[int]:
    """The best `need` of a small, complete set of candidate ids, ranked in SQL."""
    ids = sorted(narrowing.known or ())
    if not ids:
        return []
    remaining = remaining_capacity(now)
    statement = (
        select(P.id)
        .where(
            *findable(community_id, query, now, by_id=True),
            *narrowing.conditions,
            P.id.in_(ids),
        )
        .order_by(P.recent_requests, remaining.desc(), P.id)
        .limit(need)
    )
    return list(session.scalars(statement))


def _walk_by_load(
    session: Session,
    community_id: int,
    query: MentorQuery,
    now: datetime,
    narrowing: _Narrowing,
    need: int,
) -> list[int]:
    """The best `need` rows by load, walking ix_mentor_profiles_load in order.

    Rows arrive by (recent requests, capacity desc, id). Remaining capacity never exceeds
    capacity, so (recent, -capacity, id) is the best key a row could have; once that is
    worse than the worst of `need` rows already held, no later row can enter.
    """
    remaining = remaining_capacity(now)
    statement = (
        select(P.id, P.recent_requests, P.capacity, remaining)
        .where(*findable(community_id, query, now), *narrowing.conditions)
        .order_by(P.recent_requests, P.capacity.desc(), P.id)
    )
    allowed = narrowing.known
    best: list[tuple[int, int, int]] = []  # (recent, -remaining, id), sorted
    batch = STREAM_BATCH.get(session.get_bind().dialect.name, 16)
    result = session.execute(statement.execution_options(yield_per=batch))
    try:
        for profile_id, recent, capacity, left in result:
            if len(best) >= need and (recent, -capacity, profile_id) > best[need - 1]:
                break
            if allowed is None or profile_id in allowed:
                bisect.insort(best, (recent, -left, profile_id))
                del best[need:]
    finally:
        result.close()
    return [key[2] for key in best]


def _best(
    session: Session,
    community_id: int,
    query: MentorQuery,
    now: datetime,
    narrowing: _Narrowing,
    need: int,
) -> list[int]:
    if narrowing.known is not None and len(narrowing.known) <= SMALL_SET:
        return _rank_known(session, community_id, query, now, narrowing, need)
    return _walk_by_load(session, community_id, query, now, narrowing, need)


def _facets(session: Session, full_text: FullText, query: MentorQuery) -> _Narrowing:
    narrowing = _Narrowing()
    for column, value in (("industries", query.industry), ("company", query.company)):
        if value.strip():
            ids = full_text.facet_ids(session, column, value.strip(), SMALL_SET + 1)
            if ids is not None and len(ids) <= SMALL_SET:
                narrowing.add_ids(ids)
    return narrowing


def _id_range(session: Session, community_id: int) -> tuple[int, int] | None:
    """The community's lowest and highest profile id: both ends of the (community_id, id)
    index, read in that index's order so that every database seeks instead of scanning."""
    in_community = P.community_id == community_id
    ends = []
    for order in ((P.community_id, P.id), (P.community_id.desc(), P.id.desc())):
        ends.append(session.scalar(select(P.id).where(in_community).order_by(*order).limit(1)))
    low, high = ends
    return None if low is None or high is None else (int(low), int(high))


def _looks_common(ids: Sequence[int], id_range: tuple[int, int]) -> bool:
    """Judge from the first matches in id order whether more than KNOWN_SET match: if
    they fill a tenth of the community's id range, about ten times as many match."""
    low, high = id_range
    covered = max(max(ids) - low + 1, 1)
    return len(ids) * (high - low + 1) / covered > KNOWN_SET


def _narrow_by_words(
    session: Session,
    full_text: FullText,
    words: Sequence[str],
    at_least: int,
    id_range: tuple[int, int],
    narrowing: _Narrowing,
) -> None:
    ids = full_text.matching_ids(session, words, at_least, id_range, SMALL_SET + 1)
    if len(ids) <= SMALL_SET:
        narrowing.add_ids(ids)
    elif _looks_common(ids, id_range):
        narrowing.conditions.append(full_text.match_condition(words, at_least))
    else:
        narrowing.conditions.append(full_text.in_matches_condition(words, at_least, id_range))


def ranked_profile_ids(
    session: Session, community_id: int, query: MentorQuery, now: datetime
) -> list[tuple[int, int]]:
    """(profile id, words matched) of the best `query.limit` findable profiles, best first."""
    if query.limit <= 0:
        return []
    full_text = full_text_for(session)
    facets = _facets(session, full_text, query)
    words = query_words(query.terms)
    if not words:
        found = _best(session, community_id, query, now, facets, query.limit)
        return [(profile_id, 0) for profile_id in found]
    id_range = _id_range(session, community_id)
    if id_range is None:
        return []
    ranked: list[tuple[int, int]] = []
    for at_least in range(len(words), 0, -1):
        narrowing = facets.copy()
        if ranked:
            narrowing.conditions.append(P.id.not_in([profile_id for profile_id, _ in ranked]))
        _narrow_by_words(session, full_text, words, at_least, id_range, narrowing)
        found = _best(session, community_id, query, now, narrowing, query.limit - len(ranked))
        ranked.extend((profile_id, at_least) for profile_id in found)
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
        # `+ 0`: the id list, not the community, must choose the index (see `findable`).
        .where(P.community_id + 0 == community_id, P.id.in_([pid for pid, _ in ranked]))
    )
    loaded = {profile.id: (profile, member) for profile, member in session.execute(statement)}
    words = len(query_words(query.terms))
    hits: list[MentorHit] = []
    for profile_id, matched in ranked:
        profile, member = loaded[profile_id]
        hits.append(MentorHit(profile, member, matched / words if words else 0.0))
    return hits
