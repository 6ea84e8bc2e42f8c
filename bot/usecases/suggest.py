"""Suggestions while a member types (autocomplete): industries, companies, their own requests.

Read-only. Each answer is a list of ``(value, label)`` pairs, best first, at most
`SUGGESTION_LIMIT`: the value is what the command receives, the label what the member sees.
Industries and companies come from the mentors a member could find right now, so a
suggestion never leads to an empty search; industries also include the program's own list.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.context import Actor
from bot.domain import ACTIVE_STATUSES, IntroRequest, MentorQuery, RequestStatus
from bot.errors import InvalidInput
from bot.guidance import INDUSTRIES
from bot.ports import UnitOfWork

SUGGESTION_LIMIT = 25
KINDS = ("industry", "company", "request")
# How many findable mentors are looked at for industry and company names.
_SAMPLE = 200
_MAX_PREFIX = 100


def _ranked(names: Iterable[str], prefix: str) -> list[tuple[str, str]]:
    """Names containing `prefix` (any case), those starting with it first; each name once."""
    wanted = prefix.strip().casefold()
    starts: list[str] = []
    contains: list[str] = []
    seen: set[str] = set()
    for name in names:
        key = name.casefold()
        if not name or key in seen:
            continue
        seen.add(key)
        if key.startswith(wanted):
            starts.append(name)
        elif wanted in key:
            contains.append(name)
    return [(name, name) for name in (starts + contains)[:SUGGESTION_LIMIT]]


def industries(uow: UnitOfWork, actor: Actor, prefix: str, now: datetime) -> list[tuple[str, str]]:
    query = MentorQuery(industry=prefix.strip(), limit=_SAMPLE,
                        exclude_member_ids=frozenset({actor.member_id}))
    in_use = (name for hit in uow.mentors.search(actor.community_id, query, now)
              for name in hit.profile.industry_list())
    return _ranked([*INDUSTRIES, *in_use], prefix)


def companies(uow: UnitOfWork, actor: Actor, prefix: str, now: datetime) -> list[tuple[str, str]]:
    query = MentorQuery(company=prefix.strip(), limit=_SAMPLE,
                        exclude_member_ids=frozenset({actor.member_id}))
    hits = uow.mentors.search(actor.community_id, query, now)
    return _ranked(sorted((hit.profile.company.strip() for hit in hits), key=str.casefold),
                   prefix)


def _request_order(request: IntroRequest) -> tuple[bool, float]:
    active = RequestStatus(request.status) in ACTIVE_STATUSES
    return (not active, -request.created_at.timestamp())


def own_requests(uow: UnitOfWork, actor: Actor, prefix: str) -> list[tuple[str, str]]:
    """The member's requests (as seeker or mentor), open ones first, newest first. `prefix`
    matches the start of the number or any part of the other person's name or the topic."""
    mine = sorted(uow.requests.involving(actor.community_id, actor.member_id),
                  key=_request_order)
    others = {r.mentor_id if r.seeker_id == actor.member_id else r.seeker_id for r in mine}
    people = uow.members.many(actor.community_id, [i for i in others if i is not None])
    wanted = prefix.strip().lstrip("#").casefold()
    found: list[tuple[str, str]] = []
    for request in mine:
        assert request.id is not None
        as_seeker = request.seeker_id == actor.member_id
        other_id = request.mentor_id if as_seeker else request.seeker_id
        other = people.get(other_id) if other_id is not None else None
        name = other.display_name if other is not None and other.erased_at is None else ""
        topic = " ".join(request.topic.split())
        number = str(request.id)
        if wanted and not (number.startswith(wanted) or wanted in name.casefold()
                           or wanted in topic.casefold()):
            continue
        who = f"{'to' if as_seeker else 'from'} {name or 'a former member'}"
        short_topic = topic if len(topic) <= 40 else topic[:39] + "…"
        label = f"#{number} {who} · {request.status}"
        if short_topic:
            label += f" · {short_topic}"
        found.append((number, label))
        if len(found) == SUGGESTION_LIMIT:
            break
    return found


def suggest(
    uow: UnitOfWork, actor: Actor, kind: str, prefix: str, now: datetime
) -> list[tuple[str, str]]:
    prefix = prefix[:_MAX_PREFIX]
    if kind == "industry":
        return industries(uow, actor, prefix, now)
    if kind == "company":
        return companies(uow, actor, prefix, now)
    if kind == "request":
        return own_requests(uow, actor, prefix)
    raise InvalidInput(f"I can suggest {', '.join(KINDS)}, not {kind[:30]}.")

