"""Finding mentors and the intro request lifecycle (DESIGN.md §2)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from bot import reminders
from bot.context import Actor
from bot.domain import (
    ACTIVE_STATUSES,
    FORMAT_LABELS,
    TRANSITIONS,
    IntroRequest,
    MeetingFormat,
    Member,
    MentorProfile,
    MentorQuery,
    ReminderKind,
    RequestStatus,
    SearchEvent,
)
from bot.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bot.lint import lint_request
from bot.messages import (
    Button,
    ButtonStyle,
    Card,
    Field,
    FieldKind,
    Form,
    FormField,
    Message,
    Outcome,
)
from bot.ports import UnitOfWork
from bot.texts import REQUEST_FORM_INTRO
from bot.usecases.common import (
    alternative_cards,
    audit,
    check_text,
    find_alternatives,
    mentor_card,
    recipient,
    remaining_capacity,
    require_not_blocked,
)
from bot.usecases.mentors import (
    check_month_rollover,
    ensure_capacity,
    request_card,
)
from bot.when import local_time_label

TOPIC_LIMIT = 500
WHY_LIMIT = 500
AVAILABILITY_LIMIT = 200
REASON_LIMIT = 300
NOT_NOW_CHOICES = (("7", "1 week"), ("14", "2 weeks"), ("30", "1 month"), ("90", "3 months"))


# ---------------------------------------------------------------- find


def find_mentors(
    uow: UnitOfWork,
    actor: Actor,
    terms: list[str],
    industry: str,
    company: str,
    now: datetime,
    limit: int = 5,
    record_search: Callable[[SearchEvent], None] | None = None,
) -> Outcome:
    """Findable mentors for the seeker. The anonymous search record goes to
    `record_search` (a buffer) when given, else into this unit of work."""
    query = MentorQuery(
        terms=[t for t in terms if t.strip()],
        industry=industry.strip(),
        company=company.strip(),
        exclude_member_ids=frozenset({actor.member_id}),
        limit=limit,
    )
    hits = uow.mentors.search(actor.community_id, query, now)
    (record_search or uow.searches.add)(
        SearchEvent(
            community_id=actor.community_id,
            at=now,
            terms=" ".join(query.terms)[:200],
            industry=query.industry[:100],
            company=query.company[:100],
            results=len(hits),
        )
    )
    described = " ".join(
        part
        for part in (
            " ".join(query.terms),
            f"industry:{query.industry}" if query.industry else "",
            f"company:{query.company}" if query.company else "",
        )
        if part
    )
    if not hits:
        return Outcome(
            reply=Message(
                text=(
                    f"No available mentors match {described or 'that'} right now. "
                    "Try fewer or broader words, drop a filter, or ask someone you know "
                    "for a warm intro with /intro connect."
                )
            )
        )
    cards = tuple(mentor_card(hit.profile, hit.member) for hit in hits)
    head = f"Mentors for {described}:" if described else "Mentors with room for an intro:"
    return Outcome(
        reply=Message(
            text=f"{head} Ask to learn, not for a job — press *Request intro* to write to one.",
            cards=cards,
        )
    )


# ---------------------------------------------------------------- request


def _findable_mentor(
    uow: UnitOfWork, actor: Actor, mentor: Member, now: datetime
) -> MentorProfile:
    assert mentor.id is not None
    if mentor.id == actor.member_id:
        raise InvalidInput("That's you! Pick another mentor — /intro find shows who's available.")
    profile = uow.mentors.by_member(actor.community_id, mentor.id)
    if profile is None or not profile.active:
        raise NotFound(
            f"{mentor.display_name} isn't a mentor here. /intro find shows who is, or try a "
            "warm intro with /intro connect."
        )
    unavailable = (
        not profile.available
        or (profile.away_until is not None and profile.away_until > now)
        or uow.blocks.get(actor.community_id, mentor.id) is not None
    )
    if unavailable:
        raise Conflict(
            f"{mentor.display_name} isn't taking requests right now. /intro find shows mentors "
            "who are."
        )
    if remaining_capacity(profile, now) <= 0:
        raise Conflict(
            f"{mentor.display_name} has taken all the intros they can this month. "
            "/intro find shows mentors with room."
        )
    return profile


def _check_seeker_limits(uow: UnitOfWork, actor: Actor, mentor: Member) -> None:
    assert mentor.id is not None
    existing = uow.requests.open_between(actor.community_id, actor.member_id, mentor.id)
    if existing is not None:
        raise Conflict(
            f"You already have request #{existing.id} open with {mentor.display_name}. "
            "One at a time per mentor — see /intro list."
        )
    limit = actor.settings.max_open_requests
    if uow.requests.count_pending_for_seeker(actor.community_id, actor.member_id) >= limit:
        raise Conflict(
            f"You have {limit} requests waiting for an answer, the most at once. Give mentors "
            "a few days, or withdraw one with /intro cancel ID."
        )


def request_form(mentor: Member, topic: str = "", warning: str = "", values:
                 dict[str, str] | None = None, confirm: bool = False) -> Form:
    values = values or {}
    form_id = f"request:{mentor.id}" + (":confirm" if confirm else "")
    return Form(
        form_id=form_id,
        title=f"Ask {mentor.display_name}"[:24],
        intro=warning or REQUEST_FORM_INTRO,
        submit_label="Send anyway" if confirm else "Send request",
        fields=(
            FormField("topic", "What I want to learn", kind=FieldKind.PARAGRAPH, required=True,
                      max_length=TOPIC_LIMIT, initial=values.get("topic", topic),
                      placeholder="How you moved from research into product, and what "
                                  "you'd do differently"),
            FormField("why_you", "Why you", kind=FieldKind.PARAGRAPH, max_length=WHY_LIMIT,
                      initial=values.get("why_you", ""),
                      placeholder="Your path from our program into climate tech"),
            FormField("format", "Format", kind=FieldKind.CHOICE, required=True,
                      initial=values.get("format", MeetingFormat.CALL.value),
                      choices=tuple((f.value, FORMAT_LABELS[f]) for f in MeetingFormat)),
            FormField("availability", "When I'm free", max_length=AVAILABILITY_LIMIT,
                      initial=values.get("availability", ""),
                      placeholder="Weekdays after 4pm ET"),
        ),
    )


def open_request_form(
    uow: UnitOfWork, actor: Actor, mentor: Member, topic: str, now: datetime
) -> Outcome:
    require_not_blocked(uow, actor)
    _findable_mentor(uow, actor, mentor, now)
    _check_seeker_limits(uow, actor, mentor)
    if len(topic) > TOPIC_LIMIT:
        raise InvalidInput(
            f"What you want to learn is {len(topic)} characters; please keep it under "
            f"{TOPIC_LIMIT} — a short, specific question gets more yeses."
        )
    return Outcome(form=request_form(mentor, topic))


def submit_request(
    uow: UnitOfWork,
    actor: Actor,
    mentor: Member,
    values: dict[str, str],
    confirmed: bool,
    now: datetime,
) -> Outcome:
    require_not_blocked(uow, actor)
    errors: dict[str, str] = {}
    clean: dict[str, str] = {}
    for key, label, limit, required in (
        ("topic", "What I want to learn", TOPIC_LIMIT, True),
        ("why_you", "Why you", WHY_LIMIT, False),
        ("availability", "When I'm free", AVAILABILITY_LIMIT, False),
    ):
        try:
            clean[key] = check_text(values.get(key, ""), label, limit, key, required)
        except InvalidInput as exc:
            errors[key] = exc.message
    fmt = (values.get("format") or MeetingFormat.CALL.value).strip().lower()
    if fmt not in {f.value for f in MeetingFormat}:
        errors["format"] = "Pick one of: call, video, coffee, async."
    if errors:
        return Outcome(field_errors=errors)
    profile = _findable_mentor(uow, actor, mentor, now)
    _check_seeker_limits(uow, actor, mentor)

    lint = lint_request(clean["topic"], clean["why_you"], clean["availability"])
    if lint.flagged:
        if actor.settings.lint_mode == "block":
            return Outcome(field_errors={"topic": lint.summary()})
        if not confirmed:
            warning = (
                f"{lint.summary()}\n\nEdit your request, or send it as it is."
            )
            return Outcome(
                form=request_form(mentor, warning=warning, values={**clean, "format": fmt},
                                  confirm=True)
            )

    expiry_days = actor.settings.request_expiry_days
    assert mentor.id is not None
    request = uow.requests.add(
        IntroRequest(
            community_id=actor.community_id,
            seeker_id=actor.member_id,
            mentor_id=mentor.id,
            created_at=now,
            updated_at=now,
            expires_at=now + timedelta(days=expiry_days),
            topic=clean["topic"],
            why_you=clean["why_you"],
            availability=clean["availability"],
            format=fmt,
            industry=(profile.industry_list() or [""])[0],
            lint_flagged=lint.flagged,
        )
    )
    check_month_rollover(profile, now)
    profile.recent_requests += 1
    profile.last_requested_at = now
    uow.flush()
    assert request.id is not None
    uow.outbox.schedule(reminders.mentor_nudge(request, mentor, actor.settings))
    audit(uow, actor, actor.community_id, "request.created", now, "intro_request", request.id)
    outcome = Outcome(
        reply=Message(
            text=(
                f"Request #{request.id} is on its way to {mentor.display_name}. They have "
                f"{expiry_days} days to answer; if it's a no, I'll suggest other mentors "
                "right away. Meanwhile: /intro prep "
                f"{request.id} helps you get ready."
            )
        )
    )
    outcome.add_dm(
        (recipient(mentor),),
        Message(
            title="A new intro request",
            text=(
                f"{actor.member.display_name} would like about "
                f"{actor.settings.meeting_minutes} minutes of your advice. Their contact "
                "details are shared only if you accept."
            ),
            cards=(request_card(request, actor.member.display_name, buttons=True),),
        ),
        kind="request.new",
    )
    return outcome


# ---------------------------------------------------------------- list / cancel


NEXT_STEP_SEEKER = {
    RequestStatus.PENDING: "waiting for their answer (/intro cancel {id} to withdraw)",
    RequestStatus.ACCEPTED: "agree a time, then /intro schedule {id} WHEN",
    RequestStatus.SCHEDULED: "prepare with /intro prep {id}; afterwards /intro done {id}",
    RequestStatus.COMPLETED: "thank them (/intro thanks {id}) and follow up",
    RequestStatus.DECLINED: "try /intro find for other mentors",
    RequestStatus.EXPIRED: "try /intro find for other mentors",
    RequestStatus.CANCELLED: "nothing to do",
    RequestStatus.NO_SHOW: "nothing to do",
}
NEXT_STEP_MENTOR = {
    RequestStatus.PENDING: "accept or decline (/mentor requests)",
    RequestStatus.ACCEPTED: "agree a time with them (/intro schedule {id} WHEN)",
    RequestStatus.SCHEDULED: "meet at the agreed time",
}


def _when_label(request: IntroRequest, tz: str) -> str:
    if request.scheduled_at is not None:
        return f" · meeting {local_time_label(request.scheduled_at, tz)}"
    return ""


def list_requests(uow: UnitOfWork, actor: Actor) -> Outcome:
    as_seeker = uow.requests.for_seeker(actor.community_id, actor.member_id)
    as_mentor = uow.requests.for_mentor(actor.community_id, actor.member_id)
    if not as_seeker and not as_mentor:
        return Outcome(
            reply=Message(
                text="You have no intro requests yet. /intro find shows mentors who fit."
            )
        )
    ids = {r.mentor_id for r in as_seeker} | {r.seeker_id for r in as_mentor}
    people = uow.members.many(actor.community_id, [i for i in ids if i is not None])
    tz = actor.member.timezone
    cards: list[Card] = []
    for r in as_seeker:
        name = people[r.mentor_id].display_name if r.mentor_id in people else "a former mentor"
        status = RequestStatus(r.status)
        buttons: tuple[Button, ...] = ()
        if status is RequestStatus.PENDING:
            buttons = (Button("Cancel", f"intro:cancel:{r.id}", ButtonStyle.DANGER),)
        cards.append(Card(
            title=f"#{r.id} to {name} — {status.value}",
            subtitle=f"You asked {r.created_at:%d %b}{_when_label(r, tz)}",
            text=r.topic,
            fields=(Field("Next", NEXT_STEP_SEEKER[status].format(id=r.id)),),
            buttons=buttons,
        ))
    for r in as_mentor:
        name = people[r.seeker_id].display_name if r.seeker_id in people else "a former member"
        status = RequestStatus(r.status)
        step = NEXT_STEP_MENTOR.get(status)
        cards.append(Card(
            title=f"#{r.id} from {name} — {status.value}",
            subtitle=f"Asked {r.created_at:%d %b}{_when_label(r, tz)}",
            text=r.topic,
            fields=(Field("Next", step.format(id=r.id)),) if step else (),
            buttons=(
                (Button("Accept", f"intro:accept:{r.id}", ButtonStyle.PRIMARY),
                 Button("Decline", f"intro:decline:{r.id}", ButtonStyle.DANGER),
                 Button("Not now", f"intro:notnow:{r.id}"))
                if status is RequestStatus.PENDING else ()
            ),
        ))
    return Outcome(reply=Message(text="Your intro requests:", cards=tuple(cards)))


def get_request(uow: UnitOfWork, actor: Actor, request_id: int) -> IntroRequest:
    request = uow.requests.get(actor.community_id, request_id)
    if request is None or actor.member_id not in (request.seeker_id, request.mentor_id):
        raise NotFound(
            f"I can't find request #{request_id} among yours. /intro list shows your requests."
        )
    return request


def transition(request: IntroRequest, target: RequestStatus, now: datetime) -> None:
    current = RequestStatus(request.status)
    if target not in TRANSITIONS[current]:
        raise Conflict(
            f"Request #{request.id} is already {current.value}, so it can't be "
            f"{target.value} now."
        )
    request.status = target.value
    request.updated_at = now


def cancel_request(uow: UnitOfWork, actor: Actor, request_id: int, now: datetime) -> Outcome:
    request = get_request(uow, actor, request_id)
    if request.seeker_id != actor.member_id:
        raise NotAllowed("Only the person who asked can withdraw a request.")
    transition(request, RequestStatus.CANCELLED, now)
    assert request.id is not None
    uow.outbox.cancel(actor.community_id, request.id)
    audit(uow, actor, actor.community_id, "request.cancelled", now, "intro_request", request.id)
    outcome = Outcome(reply=Message(text=f"Request #{request.id} is withdrawn."))
    if request.mentor_id is not None:
        mentor = uow.members.get(actor.community_id, request.mentor_id)
        if mentor is not None and mentor.erased_at is None:
            outcome.add_dm(
                (recipient(mentor),),
                Message(text=(f"{actor.member.display_name} withdrew request #{request.id}. "
                              "Nothing for you to do.")),
                kind="request.cancelled",
            )
    return outcome


# ---------------------------------------------------------------- mentor responses


def _mentor_request(uow: UnitOfWork, actor: Actor, request_id: int) -> IntroRequest:
    request = uow.requests.get(actor.community_id, request_id)
    if request is None:
        raise NotFound(f"I can't find request #{request_id}. /mentor requests shows yours.")
    if request.mentor_id != actor.member_id:
        raise NotAllowed("Only the mentor this request was sent to can answer it.")
    if request.status != RequestStatus.PENDING.value:
        raise Conflict(f"Request #{request.id} was already answered: it's {request.status}.")
    return request


def accept_request(uow: UnitOfWork, actor: Actor, request_id: int, now: datetime) -> Outcome:
    request = _mentor_request(uow, actor, request_id)
    profile = uow.mentors.by_member(actor.community_id, actor.member_id)
    if profile is not None:
        check_month_rollover(profile, now)
        ensure_capacity(profile, now)
    transition(request, RequestStatus.ACCEPTED, now)
    request.responded_at = now
    if profile is not None:
        profile.accepted_count += 1
        profile.consecutive_expiries = 0
    audit(uow, actor, actor.community_id, "request.accepted", now, "intro_request", request.id)
    outcome = Outcome(
        reply=Message(text=f"Thank you! I've introduced you both for request #{request.id}.")
    )
    seeker = uow.members.get(actor.community_id, request.seeker_id) if request.seeker_id else None
    arm_schedule_nudges(uow, actor, request, seeker, now)
    if seeker is None:
        return outcome
    mentor = actor.member
    contact = (
        f"{mentor.display_name} (@{mentor.handle}, {mentor.timezone}) meet "
        f"{seeker.display_name} (@{seeker.handle}, {seeker.timezone})."
    )
    fields = [Field("Wants to learn", request.topic)]
    if request.availability:
        fields.append(Field(f"{seeker.display_name} is free", request.availability))
    outcome.add_dm(
        (recipient(seeker), recipient(mentor)),
        Message(
            title=f"Intro #{request.id}: {mentor.display_name} × {seeker.display_name}",
            text=(
                f"{contact} {mentor.display_name} said yes to "
                f"{actor.settings.meeting_minutes} minutes of advice. "
                f"{seeker.display_name}: suggest a couple of times that suit "
                f"{mentor.display_name}'s schedule, then record it with "
                f"/intro schedule {request.id} WHEN (either of you can)."
            ),
            fields=tuple(fields),
        ),
        kind="request.accepted",
    )
    return outcome


def arm_schedule_nudges(
    uow: UnitOfWork, actor: Actor, request: IntroRequest, seeker: Member | None, now: datetime
) -> None:
    """Accepted: the mentor nudge is moot; both get a nudge if no time is set in time."""
    assert request.id is not None
    uow.outbox.cancel(actor.community_id, request.id, [ReminderKind.MENTOR_NUDGE])
    mentor = uow.members.get(actor.community_id, request.mentor_id) if request.mentor_id else None
    people = [p for p in (seeker, mentor) if p is not None and p.erased_at is None]
    for spec in reminders.schedule_nudges(request, people, now, actor.settings):
        uow.outbox.schedule(spec)


def decline_form(request_id: int) -> Form:
    return Form(
        form_id=f"decline:{request_id}",
        title="Decline kindly",
        intro="The seeker gets a kind note and other mentors to try. A reason is optional.",
        submit_label="Decline",
        fields=(FormField("reason", "Reason (optional, shared with them)",
                          kind=FieldKind.PARAGRAPH, max_length=REASON_LIMIT),),
    )


def not_now_form(request_id: int) -> Form:
    return Form(
        form_id=f"notnow:{request_id}",
        title="Not now",
        intro=("I'll decline this one kindly and pause new requests to you for a while. "
               "You come back by itself."),
        submit_label="Pause",
        fields=(FormField("days", "Pause for", kind=FieldKind.CHOICE, required=True,
                          initial="14", choices=NOT_NOW_CHOICES),),
    )


def open_decline_form(uow: UnitOfWork, actor: Actor, request_id: int, not_now: bool) -> Outcome:
    _mentor_request(uow, actor, request_id)
    return Outcome(form=not_now_form(request_id) if not_now else decline_form(request_id))


def _seeker_told_no(
    uow: UnitOfWork, community_id: int, request: IntroRequest, mentor_name: str,
    reason: str, now: datetime, kind: str, opener: str,
) -> Outcome:
    outcome = Outcome()
    if request.seeker_id is None:
        return outcome
    seeker = uow.members.get(community_id, request.seeker_id)
    if seeker is None or seeker.erased_at is not None:
        return outcome
    alternatives = find_alternatives(uow, community_id, request, now)
    text = opener
    if reason:
        text += f" They said: “{reason}”"
    if alternatives:
        text += " It's not a dead end — here are other mentors who could help:"
    else:
        text += " It's not a dead end — try /intro find with other words, or ask for a warm intro."
    outcome.add_dm(
        (recipient(seeker),),
        Message(text=text, cards=alternative_cards(alternatives)),
        kind=kind,
    )
    return outcome


def decline_request(
    uow: UnitOfWork, actor: Actor, request_id: int, reason: str, now: datetime,
    pause_days: int | None = None,
) -> Outcome:
    request = _mentor_request(uow, actor, request_id)
    reason = check_text(reason, "Reason", REASON_LIMIT, "reason")
    transition(request, RequestStatus.DECLINED, now)
    request.responded_at = now
    request.decline_reason = reason
    assert request.id is not None
    uow.outbox.cancel(actor.community_id, request.id)
    profile = uow.mentors.by_member(actor.community_id, actor.member_id)
    if profile is not None:
        profile.consecutive_expiries = 0
    text = f"Declined #{request.id} kindly. The seeker gets other matches right away."
    if pause_days is not None and profile is not None:
        profile.away_until = now + timedelta(days=pause_days)
        text += (f" You're paused for {pause_days} days and come back by itself "
                 "(or /mentor on sooner).")
    audit(uow, actor, actor.community_id, "request.declined", now, "intro_request", request.id)
    opener = (f"{actor.member.display_name} can't take request #{request.id} right now — "
              "mentors are busy people, and that's fine.")
    outcome = _seeker_told_no(uow, actor.community_id, request, actor.member.display_name,
                              reason, now, "request.declined", opener)
    outcome.reply = Message(text=text)
    return outcome


def submit_not_now(
    uow: UnitOfWork, actor: Actor, request_id: int, days_raw: str, now: datetime
) -> Outcome:
    valid = {value for value, _ in NOT_NOW_CHOICES}
    if days_raw.strip() not in valid:
        return Outcome(field_errors={"days": "Pick one of the offered lengths."})
    return decline_request(uow, actor, request_id, "", now, pause_days=int(days_raw))


# ---------------------------------------------------------------- leave


def leave_program(uow: UnitOfWork, actor: Actor, now: datetime) -> Outcome:
    profile = uow.mentors.by_member(actor.community_id, actor.member_id)
    if profile is None or not profile.active:
        raise NotFound("You're not a mentor here, so there's nothing to leave.")
    profile.active = False
    profile.available = False
    profile.updated_at = now
    pending = uow.requests.for_mentor(
        actor.community_id, actor.member_id, [RequestStatus.PENDING.value]
    )
    outcome = Outcome()
    for request in pending:
        transition(request, RequestStatus.DECLINED, now)
        request.responded_at = now
        request.decline_reason = "The mentor has stepped back from the program."
        assert request.id is not None
        uow.outbox.cancel(actor.community_id, request.id)
        opener = (f"{actor.member.display_name} has stepped back from mentoring, so request "
                  f"#{request.id} won't go ahead.")
        told = _seeker_told_no(uow, actor.community_id, request, actor.member.display_name,
                               "", now, "request.declined", opener)
        outcome.dms.extend(told.dms)
    audit(uow, actor, actor.community_id, "mentor.left", now, "mentor_profile", profile.id)
    active = [r for r in uow.requests.for_mentor(actor.community_id, actor.member_id)
              if r.status in {s.value for s in ACTIVE_STATUSES}]
    text = "You've left the mentor program — thank you for everything you gave."
    if pending:
        text += f" {len(pending)} pending request(s) were declined kindly; the seekers got " \
                "other matches."
    if active:
        text += f" You still have {len(active)} accepted intro(s): see /intro list."
    text += " Type /mentor join any time to come back."
    outcome.reply = Message(text=text)
    return outcome
