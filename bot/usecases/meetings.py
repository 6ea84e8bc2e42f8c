"""From "yes" to thank-you: scheduling, prep, done, follow-ups, thanks (DESIGN.md §1, §2).

Every change of a meeting arms or cancels its reminders in the outbox (see `bot.reminders`
for their timing and keys). The meeting's *schedule version* counts the earlier
`meeting.scheduled` audit entries of the request: 0 for the first time set, +1 for each
re-schedule. It is the invite's SEQUENCE and part of the meeting reminders' dedupe keys.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot import reminders
from bot.calendar import MeetingInvite, build_invite, invite_filename, meeting_uid
from bot.clock import as_utc
from bot.context import Actor
from bot.domain import (
    FollowUp,
    FollowUpStatus,
    IntroRequest,
    Member,
    ReminderKind,
    ReminderSpec,
    RequestStatus,
)
from bot.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bot.guidance import draft_thank_you, prep_kit, render_prep_kit
from bot.messages import (
    Attachment,
    Button,
    ButtonStyle,
    FieldKind,
    Form,
    FormField,
    Message,
    Outcome,
)
from bot.ports import UnitOfWork
from bot.program_settings import ProgramSettings
from bot.usecases.common import audit, check_text, recipient
from bot.usecases.requests import get_request, transition
from bot.when import local_time_label, parse_duration_minutes, parse_meeting_time

SCHEDULED_ACTION = "meeting.scheduled"
LEARNED_LIMIT = 1000
FOLLOWUP_LIMIT = 300
NOTE_LIMIT = 3000
FOLLOWUP_DAYS = (1, 365)
ICS_MIME = "text/calendar"

# Reminders that lose their point once the meeting is logged or moved.
BEFORE_MEETING = (
    ReminderKind.SCHEDULE_NUDGE,
    ReminderKind.PREP,
    ReminderKind.TIMEBOX,
    ReminderKind.CHECKIN,
)


# ---------------------------------------------------------------- shared


def schedule_version(uow: UnitOfWork, community_id: int, request_id: int) -> int:
    """How many times this request's meeting was set before (0: never)."""
    entries = uow.audit.for_entity(community_id, "intro_request", request_id)
    return sum(1 for entry in entries if entry.action == SCHEDULED_ACTION)


def current_version(uow: UnitOfWork, community_id: int, request_id: int) -> int:
    """The version of the meeting as it stands (the last one set; 0 if never set)."""
    return max(schedule_version(uow, community_id, request_id) - 1, 0)


def _person(uow: UnitOfWork, community_id: int, member_id: int | None) -> Member | None:
    if member_id is None:
        return None
    member = uow.members.get(community_id, member_id)
    return member if member is not None and member.erased_at is None else None


def _name(member: Member | None, fallback: str = "a former member") -> str:
    return member.display_name if member is not None else fallback


def _seeker_request(uow: UnitOfWork, actor: Actor, request_id: int, doing: str) -> IntroRequest:
    request = get_request(uow, actor, request_id)
    if request.seeker_id != actor.member_id:
        raise NotAllowed(f"Only the person who asked for the intro can {doing}.")
    return request


def _schedule_all(uow: UnitOfWork, specs: list[ReminderSpec]) -> int:
    return sum(1 for spec in specs if uow.outbox.schedule(spec))


def minutes_of(request: IntroRequest, settings: ProgramSettings) -> int:
    return request.duration_minutes or settings.meeting_minutes


# ---------------------------------------------------------------- schedule


def _invite(
    request: IntroRequest,
    community_key: str,
    version: int,
    seeker: Member,
    mentor: Member,
    tz: str,
    now: datetime,
    settings: ProgramSettings,
) -> Attachment:
    assert request.id is not None and request.scheduled_at is not None
    minutes = minutes_of(request, settings)
    description = (
        f"Informational interview: {request.topic}\n\n"
        f"{seeker.display_name} asked for {minutes} minutes of advice — not a job. "
        f"Prepare with /intro prep {request.id}; afterwards log it with "
        f"/intro done {request.id}."
    )
    invite = MeetingInvite(
        uid=meeting_uid(request.id, community_key),
        sequence=version,
        start=request.scheduled_at,
        minutes=minutes,
        summary=f"Intro: {mentor.display_name} × {seeker.display_name}",
        description=description,
        organizer_name=mentor.display_name,
        attendee_names=(seeker.display_name, mentor.display_name),
        tz=tz,
        stamp=now,
    )
    return Attachment(
        filename=invite_filename(request.id),
        content=build_invite(invite),
        mime_type=ICS_MIME,
        title="Calendar invite",
    )


def schedule_meeting(
    uow: UnitOfWork,
    actor: Actor,
    request_id: int,
    when: str,
    minutes: int | None,
    now: datetime,
) -> Outcome:
    """Record the agreed time (either party): accepted → scheduled, or move a scheduled one."""
    cid = actor.community_id
    request = get_request(uow, actor, request_id)
    status = RequestStatus(request.status)
    if status is RequestStatus.PENDING:
        raise Conflict(
            f"Request #{request.id} hasn't been accepted yet. Once the mentor says yes, "
            f"agree a time and record it with /intro schedule {request.id} WHEN."
        )
    if status not in {RequestStatus.ACCEPTED, RequestStatus.SCHEDULED}:
        raise Conflict(
            f"Request #{request.id} is {status.value}, so there's no meeting to schedule. "
            "/intro list shows your intros."
        )
    seeker = _person(uow, cid, request.seeker_id)
    mentor = _person(uow, cid, request.mentor_id)
    if seeker is None or mentor is None:
        raise Conflict(f"The other person of intro #{request.id} has left the program, so "
                       "there's no meeting to schedule.")
    start = parse_meeting_time(when, tz=actor.member.timezone, now=now)
    length = parse_duration_minutes(minutes, default=actor.settings.meeting_minutes)
    if (status is RequestStatus.SCHEDULED and request.scheduled_at == start
            and request.duration_minutes == length):
        return Outcome(reply=Message(
            text=(f"Intro #{request.id} is already set for "
                  f"{local_time_label(start, actor.member.timezone)} ({length} minutes). "
                  "Nothing to change.")
        ))
    rescheduling = status is RequestStatus.SCHEDULED
    version = schedule_version(uow, cid, request_id)
    assert request.id is not None

    transition(request, RequestStatus.SCHEDULED, now)
    request.scheduled_at = start
    request.duration_minutes = length
    uow.outbox.cancel(cid, request.id, [*BEFORE_MEETING, ReminderKind.THANKS])
    _schedule_all(uow, reminders.meeting_reminders(request, seeker, version, now,
                                                   actor.settings))
    audit(uow, actor, cid, SCHEDULED_ACTION, now, "intro_request", request.id,
          f"v{version}" + (" rescheduled" if rescheduling else ""))

    key = actor.community.external_id
    other = mentor if actor.member_id == seeker.id else seeker
    verb = "Moved" if rescheduling else "Booked"
    outcome = Outcome(reply=Message(
        text=(f"{verb}: intro #{request.id} with {other.display_name}, "
              f"{local_time_label(start, actor.member.timezone)}, {length} minutes. "
              "You both have a calendar invite"
              + (" that replaces the old one." if rescheduling else ".")),
    ))
    title = f"Meeting {'moved' if rescheduling else 'set'}: intro #{request.id}"
    prep_hours = actor.settings.int_setting("prep_hours_before")
    outcome.add_dm(
        (recipient(seeker),),
        Message(
            title=title,
            text=(f"You meet {mentor.display_name} on "
                  f"{local_time_label(start, seeker.timezone)} for {length} minutes — "
                  "add the invite to your calendar. Their time is the gift: I'll send a prep "
                  f"kit about {prep_hours} hours before and a nudge near the end so you "
                  "finish on time."),
            buttons=(Button("Prep kit", f"meeting:prep:{request.id}", ButtonStyle.PRIMARY),),
            attachments=(_invite(request, key, version, seeker, mentor, seeker.timezone,
                                 now, actor.settings),),
        ),
        kind="meeting.scheduled",
    )
    outcome.add_dm(
        (recipient(mentor),),
        Message(
            title=title,
            text=(f"{seeker.display_name} will meet you on "
                  f"{local_time_label(start, mentor.timezone)} for {length} minutes. "
                  "Thank you for giving your time! The invite is attached."),
            attachments=(_invite(request, key, version, seeker, mentor, mentor.timezone,
                                 now, actor.settings),),
        ),
        kind="meeting.scheduled",
    )
    return outcome


# ---------------------------------------------------------------- prep


def prep_text(uow: UnitOfWork, request: IntroRequest, settings: ProgramSettings) -> str:
    """The prep kit for `request`, from the mentor's profile as it is now."""
    cid = request.community_id
    mentor = _person(uow, cid, request.mentor_id)
    profile = (uow.mentors.by_member(cid, mentor.id)
               if mentor is not None and mentor.id is not None else None)
    industries = profile.industry_list() if profile is not None else []
    if not industries and request.industry:
        industries = [request.industry]
    kit = prep_kit(
        industries=industries,
        company=profile.company if profile is not None else "",
        role=profile.role if profile is not None else "",
        mentor_name=_name(mentor, "your mentor"),
        headline=profile.headline if profile is not None else "",
        cohort=profile.cohort if profile is not None else "",
        minutes=minutes_of(request, settings),
    )
    return render_prep_kit(kit)


_PREP_ORDER = {RequestStatus.SCHEDULED: 0, RequestStatus.ACCEPTED: 1, RequestStatus.PENDING: 2}


def _next_request(uow: UnitOfWork, actor: Actor, now: datetime) -> IntroRequest | None:
    """The seeker's next meeting: the soonest scheduled one ahead, else an accepted one,
    else a pending one."""
    candidates = []
    for request in uow.requests.for_seeker(actor.community_id, actor.member_id):
        try:
            status = RequestStatus(request.status)
        except ValueError:
            continue
        if status not in _PREP_ORDER:
            continue
        start = request.scheduled_at
        ahead = start is not None and start >= now - timedelta(hours=1)
        if status is RequestStatus.SCHEDULED and not ahead:
            continue
        rank = (_PREP_ORDER[status], start or request.created_at, request.id or 0)
        candidates.append((rank, request))
    if not candidates:
        return None
    return min(candidates, key=lambda pair: pair[0])[1]


def show_prep(
    uow: UnitOfWork, actor: Actor, request_id: int | None, now: datetime
) -> Outcome:
    if request_id is None:
        found = _next_request(uow, actor, now)
        if found is None:
            raise NotFound(
                "You have no intro to prepare for yet. Find a mentor with /intro find; once "
                "you've asked, /intro prep ID gives you a kit for their field."
            )
        request = found
    else:
        request = get_request(uow, actor, request_id)
        if request.seeker_id != actor.member_id:
            raise NotAllowed(
                "Prep kits are for the person asking for advice. As the mentor, just bring "
                "your story — they'll have their questions ready."
            )
    assert request.id is not None
    text = prep_text(uow, request, actor.settings)
    head = f"Prep for intro #{request.id}"
    if request.status == RequestStatus.SCHEDULED.value and request.scheduled_at is not None:
        head += f" — you meet {local_time_label(request.scheduled_at, actor.member.timezone)}"
    return Outcome(reply=Message(title=head, text=text))


# ---------------------------------------------------------------- done


def done_form(request_id: int, learned: str = "") -> Form:
    return Form(
        form_id=f"done:{request_id}",
        title="Log your meeting",
        intro="Nice work. A line on what you learned helps you later (only you see it).",
        submit_label="Log it",
        fields=(FormField("learned", "What I learned (optional)", kind=FieldKind.PARAGRAPH,
                          max_length=LEARNED_LIMIT, initial=learned,
                          placeholder="Product roles value customer research more than I "
                                      "thought"),),
    )


def open_done_form(uow: UnitOfWork, actor: Actor, request_id: int) -> Outcome:
    request = _seeker_request(uow, actor, request_id, "log the meeting")
    return Outcome(form=done_form(request_id, request.learned))


def _after_meeting_buttons(request: IntroRequest) -> tuple[Button, ...]:
    assert request.id is not None
    buttons = [Button("Log a follow-up", f"followup:log:{request.id}", ButtonStyle.PRIMARY)]
    if request.thanked_at is None:
        buttons.append(Button("Draft a thank-you", f"thanks:draft:{request.id}"))
    return tuple(buttons)


def log_done(
    uow: UnitOfWork, actor: Actor, request_id: int, learned: str, now: datetime
) -> Outcome:
    """The seeker logs that the meeting happened: scheduled or accepted → completed."""
    cid = actor.community_id
    request = _seeker_request(uow, actor, request_id, "log the meeting")
    learned = check_text(learned, "What I learned", LEARNED_LIMIT, "learned")
    assert request.id is not None
    if request.status == RequestStatus.COMPLETED.value:
        if not learned:
            raise Conflict(f"Intro #{request.id} is already logged. Add what you learned with "
                           f"/intro done {request.id} WHAT YOU LEARNED.")
        request.learned = learned
        request.updated_at = now
        return Outcome(reply=Message(text=f"Noted what you learned from intro #{request.id}.",
                                     buttons=_after_meeting_buttons(request)))
    if request.status == RequestStatus.PENDING.value:
        raise Conflict(f"Request #{request.id} is still waiting for the mentor's answer, so "
                       "there's no meeting to log yet.")
    start = as_utc(request.scheduled_at)
    if request.status == RequestStatus.SCHEDULED.value and start is not None and now < start:
        raise Conflict(
            f"Your meeting for intro #{request.id} is "
            f"{local_time_label(start, actor.member.timezone)}. Log it once you've met; if "
            f"the time changed, record the new one with /intro schedule {request.id} WHEN."
        )
    transition(request, RequestStatus.COMPLETED, now)
    request.completed_at = now
    if learned:
        request.learned = learned
    uow.outbox.cancel(cid, request.id, list(BEFORE_MEETING))
    seeker = actor.member
    pending_thanks = [row for row in uow.outbox.pending_for(cid, request.id)
                      if row.kind == ReminderKind.THANKS]
    if request.thanked_at is None and not pending_thanks:
        # Never scheduled (or its reminders are spent): remind from now on.
        version = current_version(uow, cid, request.id)
        _schedule_all(uow, reminders.thanks_reminders(request, seeker, now, version,
                                                      actor.settings))
    audit(uow, actor, cid, "meeting.done", now, "intro_request", request.id)
    mentor = _person(uow, cid, request.mentor_id)
    who = _name(mentor, "your mentor")
    text = (f"Logged — well done on intro #{request.id}! Which doors did {who} open? An "
            "introduction to someone, something to read, a next step: log each one as a "
            "follow-up and I'll remind you when it's due.")
    if request.thanked_at is None:
        text += f" And thank {who} today — I can draft the note."
    return Outcome(reply=Message(text=text, buttons=_after_meeting_buttons(request)))


def record_no_show(uow: UnitOfWork, actor: Actor, request_id: int, now: datetime) -> Outcome:
    """Either party records that the scheduled meeting didn't happen."""
    cid = actor.community_id
    request = get_request(uow, actor, request_id)
    if request.status != RequestStatus.SCHEDULED.value:
        raise Conflict(f"Intro #{request.id} is {request.status}; only a scheduled meeting can "
                       "be recorded as missed.")
    transition(request, RequestStatus.NO_SHOW, now)
    assert request.id is not None
    uow.outbox.cancel(cid, request.id)
    audit(uow, actor, cid, "meeting.no_show", now, "intro_request", request.id)
    text = (f"Noted: the meeting for intro #{request.id} didn't happen. Plans fall through — "
            "if you'd both still like to talk, a new request is fine.")
    if request.seeker_id == actor.member_id:
        text += " /intro find shows other mentors too."
    return Outcome(reply=Message(text=text))


def snooze_checkin(uow: UnitOfWork, actor: Actor, request_id: int, now: datetime) -> Outcome:
    cid = actor.community_id
    request = _seeker_request(uow, actor, request_id, "snooze this")
    if request.status != RequestStatus.SCHEDULED.value:
        raise Conflict(f"Intro #{request.id} is {request.status}: nothing to snooze.")
    version = current_version(uow, cid, request_id)
    spec = reminders.checkin_snooze(request, actor.member, version, now, actor.settings)
    uow.outbox.schedule(spec)
    return Outcome(reply=Message(
        text=f"Sure — I'll ask again {local_time_label(spec.due_at, actor.member.timezone)}."
    ))


# ---------------------------------------------------------------- follow-ups


FOLLOWUP_STATUSES = frozenset(
    {RequestStatus.ACCEPTED.value, RequestStatus.SCHEDULED.value, RequestStatus.COMPLETED.value}
)


def followup_form(request_id: int) -> Form:
    return Form(
        form_id=f"followup:{request_id}",
        title="Log a follow-up",
        intro="A door they opened: someone to meet, something to read, a next step.",
        submit_label="Track it",
        fields=(
            FormField("text", "Follow-up", required=True, max_length=FOLLOWUP_LIMIT,
                      placeholder="Ask Dana (their colleague) for 15 minutes about UX research"),
            FormField("days", "Remind me in (days)", kind=FieldKind.NUMBER, required=True,
                      max_length=3, initial=str(reminders.DEFAULT_FOLLOWUP_DAYS)),
        ),
    )


def open_followup_form(uow: UnitOfWork, actor: Actor, request_id: int) -> Outcome:
    _followup_request(uow, actor, request_id)
    return Outcome(form=followup_form(request_id))


def _followup_request(uow: UnitOfWork, actor: Actor, request_id: int) -> IntroRequest:
    request = _seeker_request(uow, actor, request_id, "track follow-ups")
    if request.status not in FOLLOWUP_STATUSES:
        raise Conflict(f"Intro #{request.id} is {request.status}, so there's nothing to follow "
                       "up on. /intro list shows your intros.")
    return request


def add_followup(
    uow: UnitOfWork,
    actor: Actor,
    request_id: int,
    text: str,
    in_days: int | None,
    now: datetime,
) -> Outcome:
    cid = actor.community_id
    request = _followup_request(uow, actor, request_id)
    text = check_text(text, "Follow-up", FOLLOWUP_LIMIT, "text", required=True)
    days = reminders.DEFAULT_FOLLOWUP_DAYS if in_days is None else in_days
    low, high = FOLLOWUP_DAYS
    if not low <= days <= high:
        raise InvalidInput(f"Pick a reminder {low} to {high} days ahead, e.g. `in 7 days`.",
                           field="days")
    assert request.id is not None
    tz = actor.member.timezone
    item = uow.followups.add(FollowUp(
        community_id=cid, request_id=request.id, seeker_id=actor.member_id, text=text,
        created_at=now, due_at=reminders.followup_due(now, days, tz),
    ))
    uow.flush()
    assert item.id is not None
    spec = reminders.followup_reminder(item, actor.member, actor.settings)
    uow.outbox.schedule(spec)
    audit(uow, actor, cid, "followup.created", now, "follow_up", item.id)
    return Outcome(reply=Message(
        text=(f"Tracking it: “{text}”. I'll remind you "
              f"{local_time_label(spec.due_at, tz)}."),
        buttons=(Button("Mark done", f"followup:done:{item.id}"),),
    ))


def submit_followup(
    uow: UnitOfWork, actor: Actor, request_id: int, values: dict[str, str], now: datetime
) -> Outcome:
    raw_days = (values.get("days") or "").strip() or str(reminders.DEFAULT_FOLLOWUP_DAYS)
    low, high = FOLLOWUP_DAYS
    if not raw_days.isdigit() or not low <= int(raw_days) <= high:
        return Outcome(field_errors={"days": f"A whole number of days from {low} to {high}."})
    try:
        text = check_text(values.get("text", ""), "Follow-up", FOLLOWUP_LIMIT, "text",
                          required=True)
    except InvalidInput as exc:
        return Outcome(field_errors={"text": exc.message})
    return add_followup(uow, actor, request_id, text, int(raw_days), now)


def followup_done(uow: UnitOfWork, actor: Actor, followup_id: int, now: datetime) -> Outcome:
    cid = actor.community_id
    item = uow.followups.get(cid, followup_id)
    if item is None or item.seeker_id != actor.member_id:
        raise NotFound("I can't find that follow-up among yours. /intro list shows your "
                       "intros.")
    if item.status != FollowUpStatus.OPEN.value:
        return Outcome(reply=Message(text=f"That follow-up is already {item.status}."))
    item.status = FollowUpStatus.DONE.value
    item.done_at = now
    uow.outbox.cancel_key(cid, reminders.followup_key(followup_id, actor.member_id))
    audit(uow, actor, cid, "followup.done", now, "follow_up", item.id)
    return Outcome(reply=Message(text=f"Done: “{item.text}”. Every door you walk through "
                                      "counts."))


# ---------------------------------------------------------------- thanks


THANKS_STATUSES = frozenset({RequestStatus.SCHEDULED.value, RequestStatus.COMPLETED.value})


def _thanks_request(
    uow: UnitOfWork, actor: Actor, request_id: int, now: datetime
) -> IntroRequest:
    request = _seeker_request(uow, actor, request_id, "send the thank-you")
    start = as_utc(request.scheduled_at)
    if request.status == RequestStatus.SCHEDULED.value and start is not None and now < start:
        raise Conflict(f"You meet on {local_time_label(start, actor.member.timezone)} — "
                       "thank them after the conversation, ideally the same day.")
    if request.status not in THANKS_STATUSES:
        if request.status == RequestStatus.ACCEPTED.value:
            raise Conflict(f"Thank them once you've met: schedule with /intro schedule "
                           f"{request.id} WHEN, and after the meeting /intro done "
                           f"{request.id}.")
        raise Conflict(f"Intro #{request.id} is {request.status}, so there's no thank-you "
                       "to send.")
    return request


def _draft(uow: UnitOfWork, request: IntroRequest, seeker: Member) -> str:
    mentor = _person(uow, request.community_id, request.mentor_id)
    doors = []
    if request.id is not None:
        doors = [f.text for f in uow.followups.for_request(request.community_id, request.id)
                 if f.status != FollowUpStatus.CANCELLED.value]
    return draft_thank_you(mentor_name=_name(mentor, ""), seeker_name=seeker.display_name,
                           topic=request.topic, learned=request.learned, doors=doors)


def thanks(uow: UnitOfWork, actor: Actor, request_id: int, now: datetime) -> Outcome:
    """A drafted note with two ways on: send it as a DM (editable first) or mark it sent."""
    request = _thanks_request(uow, actor, request_id, now)
    assert request.id is not None
    mentor = _person(uow, actor.community_id, request.mentor_id)
    if request.thanked_at is not None:
        return Outcome(reply=Message(
            text=(f"You already thanked {_name(mentor, 'them')} for intro #{request.id} — "
                  "lovely. Keep them posted on how things go.")
        ))
    draft = _draft(uow, request, actor.member)
    return Outcome(reply=Message(
        title=f"A thank-you for {_name(mentor, 'your mentor')}",
        text=(f"Here's a draft — make it sound like you, and send it today.\n\n{draft}"),
        buttons=(
            Button("Send as DM", f"thanks:send:{request.id}", ButtonStyle.PRIMARY),
            Button("I sent it another way", f"thanks:mark:{request.id}"),
        ),
    ))


def thanks_form(request_id: int, draft: str) -> Form:
    return Form(
        form_id=f"thanks:{request_id}",
        title="Send your thank-you",
        intro="Edit the note as you like; it goes to them as a DM from the bot, signed by you.",
        submit_label="Send",
        fields=(FormField("note", "Note", kind=FieldKind.PARAGRAPH, required=True,
                          max_length=NOTE_LIMIT, initial=draft),),
    )


def open_thanks_form(
    uow: UnitOfWork, actor: Actor, request_id: int, now: datetime
) -> Outcome:
    request = _thanks_request(uow, actor, request_id, now)
    if request.thanked_at is not None:
        return thanks(uow, actor, request_id, now)
    return Outcome(form=thanks_form(request_id, _draft(uow, request, actor.member)))


def _mark(uow: UnitOfWork, actor: Actor, request: IntroRequest, now: datetime, how: str) -> None:
    assert request.id is not None
    request.thanked_at = now
    request.updated_at = now
    uow.outbox.cancel(actor.community_id, request.id, [ReminderKind.THANKS])
    audit(uow, actor, actor.community_id, "thanks.marked", now, "intro_request", request.id,
          how)


def send_thanks(
    uow: UnitOfWork, actor: Actor, request_id: int, note: str, now: datetime
) -> Outcome:
    request = _thanks_request(uow, actor, request_id, now)
    assert request.id is not None
    note = check_text(note, "Note", NOTE_LIMIT, "note", required=True)
    mentor = _person(uow, actor.community_id, request.mentor_id)
    if mentor is None:
        raise Conflict("Your mentor has left the program, so I can't pass the note on. "
                       "Press “I sent it another way” if you thanked them elsewhere.")
    if request.thanked_at is not None:
        return thanks(uow, actor, request_id, now)
    _mark(uow, actor, request, now, "dm")
    outcome = Outcome(reply=Message(
        text=(f"Sent to {mentor.display_name}. Thank-yous like this are why mentors keep "
              "saying yes. Log any doors they opened with /intro followup "
              f"{request.id} TEXT.")
    ))
    outcome.add_dm(
        (recipient(mentor),),
        Message(title=f"A thank-you from {actor.member.display_name} (intro #{request.id})",
                text=note),
        kind="thanks.sent",
    )
    return outcome


def mark_thanked(uow: UnitOfWork, actor: Actor, request_id: int, now: datetime) -> Outcome:
    request = _thanks_request(uow, actor, request_id, now)
    assert request.id is not None
    if request.thanked_at is None:
        _mark(uow, actor, request, now, "elsewhere")
    return Outcome(reply=Message(
        text=(f"Marked as thanked for intro #{request.id} — no more reminders about it. "
              "Keep them posted on how things go.")
    ))
