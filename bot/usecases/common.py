"""Pieces shared by several use cases: resolving people, rendering mentors, alternatives."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.commands import Mention
from bot.context import Actor, Invocation, PlatformUser, slug_handle
from bot.domain import (
    FORMAT_LABELS,
    AuditEntry,
    Community,
    IntroRequest,
    MeetingFormat,
    Member,
    MentorHit,
    MentorProfile,
    MentorQuery,
    month_key,
)
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.messages import Button, ButtonStyle, Card, Field, Recipient
from bot.ports import UnitOfWork
from bot.program_settings import ProgramSettings

MAX_NAME = 80
IMPORTED_ID_PREFIX = "imported:"  # platform id of a member imported by handle only


def valid_tz(tz: str | None) -> str | None:
    if not tz:
        return None
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return tz


def resolve_actor(
    uow: UnitOfWork, inv: Invocation, now: datetime, admin_ids: frozenset[str]
) -> Actor:
    """Find or create the community and the member behind an invocation."""
    key = inv.community
    community = uow.communities.get_or_create(key.platform, key.external_id, key.name, now)
    assert community.id is not None
    user = inv.user
    member = uow.members.by_platform_id(community.id, user.user_id)
    if member is None and user.handle:
        # An admin may have imported this person by handle before they ever used the bot.
        placeholder = f"{IMPORTED_ID_PREFIX}{user.handle.strip().lstrip('@').lower()}"
        member = uow.members.by_platform_id(community.id, placeholder)
        if member is not None and member.erased_at is None:
            member.platform_user_id = user.user_id
        else:
            member = None
    if member is None:
        name = _shown_name(user)
        member = uow.members.add(
            Member(
                community_id=community.id,
                platform_user_id=user.user_id,
                display_name=name,
                handle=slug_handle(user.handle or name),
                created_at=now,
                timezone=valid_tz(user.timezone) or "UTC",
            )
        )
        uow.flush()
    else:
        for field, value in _changes(member, user).items():
            setattr(member, field, value)
    return _actor(uow, community, member, user, admin_ids)


def lookup_actor(
    uow: UnitOfWork,
    inv: Invocation,
    admin_ids: frozenset[str],
    known: dict[tuple[str, str], Community] | None = None,
) -> Actor | None:
    """The actor behind `inv` when `resolve_actor` would change nothing: the community and
    the member exist and are stored as the invocation shows them. None: run `resolve_actor`
    in a unit of work that writes. Lets read-only commands run in a read-only unit.

    `known` remembers communities by platform key between calls (a community's id never
    changes and no community is ever deleted); one whose name differs from the invocation's
    is read again, so a rename is seen. An invocation without a community name (the platform
    did not say) renames nothing."""
    key = inv.community

    def as_shown(found: Community | None) -> bool:
        return found is not None and found.id is not None and (
            not key.name or found.name == key.name)

    community = known.get((key.platform, key.external_id)) if known is not None else None
    if not as_shown(community):
        community = uow.communities.by_key(key.platform, key.external_id)
        if not as_shown(community):
            return None
        if known is not None and community is not None:
            known[key.platform, key.external_id] = community
    assert community is not None and community.id is not None
    member = uow.members.by_platform_id(community.id, inv.user.user_id)
    if member is None or _changes(member, inv.user):
        return None
    return _actor(uow, community, member, inv.user, admin_ids)


def _shown_name(user: PlatformUser) -> str:
    return (user.display_name or user.handle or user.user_id)[:MAX_NAME]


def _changes(member: Member, user: PlatformUser) -> dict[str, str]:
    """What `resolve_actor` updates on a stored member: a changed display name (when the
    platform gave one) and a changed valid timezone."""
    changes = {}
    if user.display_name and member.display_name != _shown_name(user):
        changes["display_name"] = _shown_name(user)
    tz = valid_tz(user.timezone)
    if tz and member.timezone != tz:
        changes["timezone"] = tz
    return changes


def _actor(
    uow: UnitOfWork, community: Community, member: Member, user: PlatformUser,
    admin_ids: frozenset[str],
) -> Actor:
    assert community.id is not None
    is_admin = (
        user.is_platform_admin
        or user.user_id in admin_ids
        or member.handle in admin_ids
        or member.is_admin
    )
    community_id = community.id
    return Actor(community=community, member=member, is_admin=is_admin,
                 load_settings=lambda: ProgramSettings(uow.settings.get_all(community_id)))


def resolve_mention(uow: UnitOfWork, community_id: int, mention: Mention) -> Member:
    member: Member | None = None
    if mention.platform_user_id:
        member = uow.members.by_platform_id(community_id, mention.platform_user_id)
    if member is None and mention.name:
        member = uow.members.by_handle(community_id, mention.name)
    if member is None or member.erased_at is not None:
        shown = mention.name or mention.raw
        raise NotFound(
            f"I don't know {shown} in this community. Check the spelling "
            "(try /intro find to see mentors), or ask them to say hello to the bot once."
        )
    return member


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise NotAllowed("That's for program admins. Ask your career services team if you need it.")


def require_not_blocked(uow: UnitOfWork, actor: Actor) -> None:
    if uow.blocks.get(actor.community_id, actor.member_id) is not None:
        raise NotAllowed(
            "Your access to intro requests is paused by the program admins. "
            "Please reach out to them if you think this is a mistake."
        )


def recipient(member: Member) -> Recipient:
    assert member.id is not None
    return Recipient(
        member_id=member.id,
        platform_user_id=member.platform_user_id,
        display_name=member.display_name,
    )


def audit(
    uow: UnitOfWork,
    actor: Actor | None,
    community_id: int,
    action: str,
    now: datetime,
    entity: str = "",
    entity_id: int | None = None,
    detail: str = "",
) -> None:
    uow.audit.record(
        AuditEntry(
            community_id=community_id,
            action=action,
            at=now,
            actor_id=actor.member_id if actor else None,
            entity=entity,
            entity_id=entity_id,
            detail=detail,
        )
    )


def check_text(value: str, label: str, limit: int, field: str, required: bool = False) -> str:
    text = " ".join(value.split()) if "\n" not in value else value.strip()
    if required and not text:
        raise InvalidInput(f"Please fill in “{label}”.", field=field)
    if len(text) > limit:
        raise InvalidInput(
            f"“{label}” is {len(text)} characters; please keep it under {limit}.", field=field
        )
    return text


def format_labels(formats: Iterable[str]) -> str:
    labels = []
    for value in formats:
        try:
            labels.append(FORMAT_LABELS[MeetingFormat(value)])
        except ValueError:
            continue
    return ", ".join(labels)


def mentor_subtitle(profile: MentorProfile) -> str:
    parts = []
    if profile.role and profile.company:
        parts.append(f"{profile.role} at {profile.company}")
    elif profile.role or profile.company:
        parts.append(profile.role or profile.company)
    if profile.cohort:
        parts.append(f"Class of {profile.cohort}")
    return " · ".join(parts)


def remaining_capacity(profile: MentorProfile, now: datetime) -> int:
    used = profile.accepted_count if profile.accepted_month == month_key(now) else 0
    return max(profile.capacity - used, 0)


def mentor_card(profile: MentorProfile, member: Member, request_button: bool = True) -> Card:
    fields = []
    if profile.industries:
        fields.append(Field("Industries", profile.industries))
    if profile.expertise:
        fields.append(Field("Knows about", profile.expertise))
    if profile.formats:
        fields.append(Field("Meets by", format_labels(profile.format_list())))
    buttons: tuple[Button, ...] = ()
    if request_button:
        buttons = (
            Button(
                "Request intro", f"intro:request:{member.id}", ButtonStyle.PRIMARY
            ),
        )
    return Card(
        title=member.display_name,
        subtitle=mentor_subtitle(profile),
        text=profile.headline,
        fields=tuple(fields),
        buttons=buttons,
    )


def find_alternatives(
    uow: UnitOfWork,
    community_id: int,
    request: IntroRequest,
    now: datetime,
    limit: int = 3,
) -> list[MentorHit]:
    """Up to `limit` other findable mentors for the seeker of `request`, similar first."""
    if request.seeker_id is None:
        return []
    exclude = {request.seeker_id}
    if request.mentor_id is not None:
        exclude.add(request.mentor_id)
    for other in uow.requests.for_seeker(community_id, request.seeker_id):
        if other.mentor_id is not None and other.status in {"pending", "accepted", "scheduled"}:
            exclude.add(other.mentor_id)
    hits: list[MentorHit] = []
    seen: set[int] = set()
    queries = []
    if request.industry:
        queries.append(MentorQuery(industry=request.industry))
    queries.append(MentorQuery())
    for query in queries:
        query.exclude_member_ids = frozenset(exclude | seen)
        query.limit = limit - len(hits)
        for hit in uow.mentors.search(community_id, query, now):
            if hit.member.id is not None and hit.member.id not in seen:
                seen.add(hit.member.id)
                hits.append(hit)
        if len(hits) >= limit:
            break
    return hits[:limit]


def alternative_cards(hits: list[MentorHit]) -> tuple[Card, ...]:
    return tuple(mentor_card(hit.profile, hit.member) for hit in hits)


def settings_of(uow: UnitOfWork, community_id: int) -> ProgramSettings:
    return ProgramSettings(uow.settings.get_all(community_id))
