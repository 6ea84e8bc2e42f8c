"""Mentor opt-in, profile and availability (`/mentor ...`)."""

from __future__ import annotations

from datetime import datetime

from bot.context import Actor
from bot.domain import (
    FORMAT_LABELS,
    IntroRequest,
    MeetingFormat,
    MentorProfile,
    RequestStatus,
    month_key,
    split_list,
)
from bot.errors import Conflict, InvalidInput, NotFound
from bot.messages import (
    Button,
    ButtonStyle,
    Card,
    FieldKind,
    Form,
    FormField,
    Message,
    Outcome,
)
from bot.ports import UnitOfWork
from bot.usecases.common import (
    audit,
    check_text,
    mentor_card,
    remaining_capacity,
    valid_tz,
)
from bot.when import local_time_label, parse_until

PROFILE_FORM_ID = "mentor:profile"

PROFILE_LIMITS: dict[str, tuple[str, int]] = {
    "headline": ("Headline", 150),
    "industries": ("Industries", 200),
    "expertise": ("What you can talk about", 300),
    "company": ("Company", 100),
    "role": ("Role", 100),
    "cohort": ("Class year or cohort", 20),
    "bio": ("Short bio", 1000),
    "formats": ("How you like to meet", 100),
    "timezone": ("Timezone", 64),
    "capacity": ("Intros per month", 3),
}


def profile_form(profile: MentorProfile | None, timezone: str, default_capacity: int) -> Form:
    p = profile
    formats_initial = ", ".join(p.format_list()) if p else "call, video"
    return Form(
        form_id=PROFILE_FORM_ID,
        title="Your mentor profile" if p and p.active else "Become a mentor",
        intro=(
            "Seekers find you by these words. Contact details stay private until you "
            "accept a request."
        ),
        submit_label="Save",
        fields=(
            FormField("headline", "Headline", required=True, max_length=150,
                      placeholder="Product manager who moved from engineering",
                      initial=p.headline if p else ""),
            FormField("industries", "Industries", required=True, max_length=200,
                      placeholder="Software, Fintech", initial=p.industries if p else ""),
            FormField("expertise", "What you can talk about", max_length=300,
                      placeholder="career change, product strategy, hiring",
                      initial=p.expertise if p else ""),
            FormField("company", "Company", max_length=100, initial=p.company if p else ""),
            FormField("role", "Role", max_length=100, initial=p.role if p else ""),
            FormField("cohort", "Class year or cohort", max_length=20,
                      initial=p.cohort if p else ""),
            FormField("bio", "Short bio", kind=FieldKind.PARAGRAPH, max_length=1000,
                      initial=p.bio if p else ""),
            FormField("formats", "How you like to meet", max_length=100,
                      hint="Any of: call, video, coffee, async", initial=formats_initial),
            FormField("timezone", "Timezone", max_length=64, placeholder="Europe/Berlin",
                      initial=timezone),
            FormField("capacity", "Intros per month", kind=FieldKind.NUMBER, max_length=3,
                      initial=str(p.capacity if p else default_capacity)),
        ),
    )


def open_profile_form(uow: UnitOfWork, actor: Actor, joining: bool) -> Outcome:
    profile = uow.mentors.by_member(actor.community_id, actor.member_id)
    form = profile_form(profile, actor.member.timezone, actor.settings.default_capacity)
    return Outcome(form=form)


def _parse_formats(raw: str) -> str:
    values = []
    for part in split_list(raw.replace(";", ",").replace("/", ",").lower()):
        token = part.split()[0] if part.split() else part
        matches = [f.value for f in MeetingFormat if f.value == token]
        if not matches:
            known = ", ".join(f.value for f in MeetingFormat)
            raise InvalidInput(f"“{part}” isn't a meeting format I know. Use any of: {known}.",
                               field="formats")
        if matches[0] not in values:
            values.append(matches[0])
    if not values:
        raise InvalidInput("Pick at least one way to meet: call, video, coffee or async.",
                           field="formats")
    return ",".join(values)


def _parse_capacity(raw: str, field: str = "capacity") -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise InvalidInput("Intros per month must be a whole number from 1 to 50.",
                           field=field) from None
    if not 1 <= value <= 50:
        raise InvalidInput("Intros per month must be a whole number from 1 to 50.", field=field)
    return value


def search_text_of(profile: MentorProfile) -> str:
    parts = [profile.headline, profile.industries, profile.expertise, profile.company,
             profile.role, profile.cohort, profile.bio]
    return " ".join(part.replace(",", " ") for part in parts if part)


def submit_profile(
    uow: UnitOfWork, actor: Actor, values: dict[str, str], now: datetime
) -> Outcome:
    """Create or update the actor's profile from submitted form values.

    Only the fields present in `values` change, so a platform may split the form.
    """
    clean: dict[str, str] = {}
    errors: dict[str, str] = {}
    for key, raw in values.items():
        if key not in PROFILE_LIMITS:
            continue
        label, limit = PROFILE_LIMITS[key]
        try:
            clean[key] = check_text(raw or "", label, limit, key)
        except InvalidInput as exc:
            errors[key] = exc.message
    profile = uow.mentors.by_member(actor.community_id, actor.member_id)
    creating = profile is None or not profile.active
    for required in ("headline", "industries"):
        current = getattr(profile, required) if profile is not None and not creating else ""
        if not clean.get(required, current) and required not in errors:
            errors[required] = f"Please fill in “{PROFILE_LIMITS[required][0]}”."
    capacity = None
    if "capacity" in clean and clean["capacity"] and "capacity" not in errors:
        try:
            capacity = _parse_capacity(clean["capacity"])
        except InvalidInput as exc:
            errors["capacity"] = exc.message
    formats = None
    if clean.get("formats") and "formats" not in errors:
        try:
            formats = _parse_formats(clean["formats"])
        except InvalidInput as exc:
            errors["formats"] = exc.message
    if clean.get("timezone") and not valid_tz(clean["timezone"]):
        errors["timezone"] = (
            f"“{clean['timezone']}” isn't a timezone I know. Use a name like "
            "America/New_York or Europe/Berlin."
        )
    if errors:
        return Outcome(field_errors=errors)

    if profile is None:
        profile = uow.mentors.add(
            MentorProfile(
                community_id=actor.community_id,
                member_id=actor.member_id,
                created_at=now,
                updated_at=now,
                capacity=actor.settings.default_capacity,
            )
        )
    elif creating:
        profile.active = True
        profile.available = True
        profile.away_until = None
        profile.consecutive_expiries = 0
    for key in ("headline", "industries", "expertise", "company", "role", "cohort", "bio"):
        if key in clean:
            setattr(profile, key, clean[key])
    if formats is not None:
        profile.formats = formats
    if capacity is not None:
        profile.capacity = capacity
    if clean.get("timezone"):
        actor.member.timezone = clean["timezone"]
    profile.updated_at = now
    profile.search_text = search_text_of(profile)
    audit(uow, actor, actor.community_id, "mentor.joined" if creating else "mentor.updated",
          now, "mentor_profile", profile.id)
    text = (
        "Welcome aboard — you're now findable by seekers. You'll get a DM for each request "
        "and can accept or decline with one click."
        if creating
        else "Your mentor profile is saved."
    )
    return Outcome(
        reply=Message(
            text=text,
            cards=(mentor_card(profile, actor.member, request_button=False),),
        )
    )


def _own_profile(uow: UnitOfWork, actor: Actor) -> MentorProfile:
    profile = uow.mentors.by_member(actor.community_id, actor.member_id)
    if profile is None or not profile.active:
        raise NotFound("You're not a mentor yet. Type /mentor join to create your profile.")
    return profile


def set_available(uow: UnitOfWork, actor: Actor, available: bool, now: datetime) -> Outcome:
    profile = _own_profile(uow, actor)
    profile.available = available
    profile.away_until = None
    profile.consecutive_expiries = 0
    profile.updated_at = now
    audit(uow, actor, actor.community_id, "mentor.on" if available else "mentor.off", now,
          "mentor_profile", profile.id)
    if available:
        left = remaining_capacity(profile, now)
        text = (f"You're available again. You have room for {left} more intro"
                f"{'s' if left != 1 else ''} this month.")
    else:
        text = "You're now unavailable: no new requests reach you. Type /mentor on to come back."
    return Outcome(reply=Message(text=text))


def set_away(uow: UnitOfWork, actor: Actor, until_text: str, now: datetime) -> Outcome:
    profile = _own_profile(uow, actor)
    until = parse_until(until_text, tz=actor.member.timezone, now=now)
    profile.away_until = until
    profile.updated_at = now
    audit(uow, actor, actor.community_id, "mentor.away", now, "mentor_profile", profile.id)
    label = local_time_label(until, actor.member.timezone)
    return Outcome(
        reply=Message(
            text=(f"Enjoy the break. You're away until {label}; you'll be findable again "
                  "by itself then. Type /mentor on to come back sooner.")
        )
    )


def set_capacity(uow: UnitOfWork, actor: Actor, capacity: int, now: datetime) -> Outcome:
    profile = _own_profile(uow, actor)
    profile.capacity = _parse_capacity(str(capacity))
    profile.updated_at = now
    audit(uow, actor, actor.community_id, "mentor.capacity", now, "mentor_profile", profile.id,
          str(capacity))
    left = remaining_capacity(profile, now)
    return Outcome(
        reply=Message(
            text=(f"You'll take up to {profile.capacity} intro"
                  f"{'s' if profile.capacity != 1 else ''} a month "
                  f"({left} left this month).")
        )
    )


def response_buttons(request_id: int) -> tuple[Button, ...]:
    return (
        Button("Accept", f"intro:accept:{request_id}", ButtonStyle.PRIMARY),
        Button("Decline", f"intro:decline:{request_id}", ButtonStyle.DANGER),
        Button("Not now", f"intro:notnow:{request_id}"),
    )


def request_card(request: IntroRequest, seeker_name: str, buttons: bool) -> Card:
    from bot.messages import Field

    fields = [Field("Wants to learn", request.topic)]
    if request.why_you:
        fields.append(Field("Why you", request.why_you))
    try:
        fmt = FORMAT_LABELS[MeetingFormat(request.format)]
    except ValueError:
        fmt = request.format
    fields.append(Field("Format", fmt))
    if request.availability:
        fields.append(Field("Free", request.availability))
    assert request.id is not None
    return Card(
        title=f"#{request.id} from {seeker_name}",
        subtitle=f"Waiting since {request.created_at:%d %b}",
        fields=tuple(fields),
        buttons=response_buttons(request.id) if buttons else (),
    )


def pending_requests(uow: UnitOfWork, actor: Actor, now: datetime) -> Outcome:
    profile = _own_profile(uow, actor)
    pending = uow.requests.for_mentor(
        actor.community_id, actor.member_id, [RequestStatus.PENDING.value]
    )
    left = remaining_capacity(profile, now)
    status = "available" if profile.available else "unavailable"
    if profile.away_until and profile.away_until > now:
        status = f"away until {local_time_label(profile.away_until, actor.member.timezone)}"
    header = f"You're {status}, with room for {left} more intro{'s' if left != 1 else ''} " \
             "this month."
    if not pending:
        return Outcome(reply=Message(text=f"{header} No requests are waiting for you."))
    seekers = uow.members.many(
        actor.community_id, [r.seeker_id for r in pending if r.seeker_id is not None]
    )
    cards = tuple(
        request_card(r, seekers[r.seeker_id].display_name if r.seeker_id in seekers
                     else "a former member", buttons=True)
        for r in pending
    )
    return Outcome(
        reply=Message(text=f"{header} {len(pending)} waiting for your answer:", cards=cards)
    )


def check_month_rollover(profile: MentorProfile, now: datetime) -> None:
    key = month_key(now)
    if profile.accepted_month != key:
        profile.accepted_month = key
        profile.accepted_count = 0
        profile.recent_requests = 0


def ensure_capacity(profile: MentorProfile, now: datetime) -> None:
    if remaining_capacity(profile, now) <= 0:
        raise Conflict(
            "You've reached your intros for this month. Raise it with /mentor capacity N, "
            "or decline kindly and the seeker will get other matches."
        )
