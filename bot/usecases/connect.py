"""Warm intros with double opt-in: the mentor is asked first, the seeker only on yes."""

from __future__ import annotations

from datetime import datetime

from bot.context import Actor
from bot.domain import IntroRequest, Member, RequestStatus, WarmIntro, WarmIntroStatus
from bot.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bot.messages import Button, ButtonStyle, Field, Message, Outcome
from bot.ports import UnitOfWork
from bot.usecases.common import audit, check_text, recipient
from bot.usecases.mentors import check_month_rollover
from bot.usecases.requests import arm_schedule_nudges

NOTE_LIMIT = 500


def connect_people(
    uow: UnitOfWork, actor: Actor, seeker: Member, mentor: Member, note: str, now: datetime
) -> Outcome:
    note = check_text(note, "Note", NOTE_LIMIT, "note")
    if seeker.id == mentor.id:
        raise InvalidInput("A warm intro needs two different people: /intro connect @seeker "
                           "@mentor [note].")
    if actor.member_id == mentor.id:
        raise InvalidInput("You can't warm-intro yourself as the mentor — just say yes when "
                           "they ask, or ask them to /intro request you.")
    assert seeker.id is not None and mentor.id is not None
    for person in (seeker, mentor):
        assert person.id is not None
        if uow.blocks.get(actor.community_id, person.id) is not None:
            raise NotAllowed(f"{person.display_name} can't take part in intros right now.")
    if uow.blocks.get(actor.community_id, actor.member_id) is not None:
        raise NotAllowed("Your access to intros is paused by the program admins.")
    open_request = uow.requests.open_between(actor.community_id, seeker.id, mentor.id)
    if open_request is not None:
        raise Conflict(f"{seeker.display_name} and {mentor.display_name} already have an intro "
                       "under way.")
    for existing in uow.warm_intros.involving(actor.community_id, mentor.id):
        if (existing.seeker_id == seeker.id and existing.mentor_id == mentor.id
                and existing.status in {WarmIntroStatus.PENDING.value,
                                        WarmIntroStatus.MENTOR_ACCEPTED.value}):
            raise Conflict(f"A warm intro of {seeker.display_name} to {mentor.display_name} is "
                           "already waiting for an answer.")
    intro = uow.warm_intros.add(
        WarmIntro(community_id=actor.community_id, connector_id=actor.member_id,
                  seeker_id=seeker.id, mentor_id=mentor.id, created_at=now, note=note)
    )
    uow.flush()
    assert intro.id is not None
    audit(uow, actor, actor.community_id, "warm_intro.created", now, "warm_intro", intro.id)
    outcome = Outcome(
        reply=Message(
            text=(f"Thanks for connecting people! I've asked {mentor.display_name} first; "
                  f"{seeker.display_name} hears about it only if they say yes.")
        )
    )
    fields = (Field("Note", note),) if note else ()
    outcome.add_dm(
        (recipient(mentor),),
        Message(
            title="A warm intro",
            text=(f"{actor.member.display_name} thinks you could give {seeker.display_name} "
                  "some useful advice (about 15 minutes). Would you be open to an intro? "
                  f"{seeker.display_name} won't know you were asked unless you say yes."),
            fields=fields,
            buttons=(Button("Yes, introduce us", f"warm:yes:{intro.id}", ButtonStyle.PRIMARY),
                     Button("Not this time", f"warm:no:{intro.id}")),
        ),
        kind="warm.asked",
    )
    return outcome


def _intro_for(uow: UnitOfWork, actor: Actor, intro_id: int) -> WarmIntro:
    intro = uow.warm_intros.get(actor.community_id, intro_id)
    if intro is None:
        raise NotFound(f"I can't find warm intro #{intro_id}.")
    return intro


def _member(uow: UnitOfWork, actor: Actor, member_id: int | None) -> Member | None:
    if member_id is None:
        return None
    member = uow.members.get(actor.community_id, member_id)
    return member if member is not None and member.erased_at is None else None


def mentor_answers(
    uow: UnitOfWork, actor: Actor, intro_id: int, yes: bool, now: datetime
) -> Outcome:
    intro = _intro_for(uow, actor, intro_id)
    if intro.mentor_id != actor.member_id:
        raise NotAllowed("Only the person being introduced can answer this.")
    if intro.status != WarmIntroStatus.PENDING.value:
        raise Conflict("You've already answered this warm intro.")
    intro.responded_at = now
    seeker = _member(uow, actor, intro.seeker_id)
    connector = _member(uow, actor, intro.connector_id)
    outcome = Outcome()
    if not yes or seeker is None:
        intro.status = WarmIntroStatus.DECLINED.value
        audit(uow, actor, actor.community_id, "warm_intro.declined", now, "warm_intro", intro.id)
        outcome.reply = Message(text="No problem — nobody else is told you were asked.")
        if connector is not None:
            outcome.add_dm((recipient(connector),),
                           Message(text=f"{actor.member.display_name} can't take the warm intro "
                                        "right now. Thanks for thinking of them!"),
                           kind="warm.declined")
        return outcome
    intro.status = WarmIntroStatus.MENTOR_ACCEPTED.value
    audit(uow, actor, actor.community_id, "warm_intro.mentor_yes", now, "warm_intro", intro.id)
    outcome.reply = Message(text=f"Lovely. I've asked {seeker.display_name} if they'd like the "
                                 "intro too.")
    via = f"{connector.display_name} suggested" if connector else "Someone suggested"
    fields = (Field("Note", intro.note),) if intro.note else ()
    outcome.add_dm(
        (recipient(seeker),),
        Message(
            title="A warm intro for you",
            text=(f"{via} you talk with {actor.member.display_name}, and they've said yes to "
                  "about 15 minutes of advice. Would you like the intro?"),
            fields=fields,
            buttons=(Button("Yes, introduce us", f"warm:join:{intro.id}", ButtonStyle.PRIMARY),
                     Button("No thanks", f"warm:skip:{intro.id}")),
        ),
        kind="warm.offered",
    )
    return outcome


def seeker_answers(
    uow: UnitOfWork, actor: Actor, intro_id: int, yes: bool, now: datetime
) -> Outcome:
    intro = _intro_for(uow, actor, intro_id)
    if intro.seeker_id != actor.member_id:
        raise NotAllowed("Only the person this intro is for can answer it.")
    if intro.status != WarmIntroStatus.MENTOR_ACCEPTED.value:
        raise Conflict("This warm intro has already been answered.")
    mentor = _member(uow, actor, intro.mentor_id)
    connector = _member(uow, actor, intro.connector_id)
    if not yes or mentor is None:
        intro.status = WarmIntroStatus.DECLINED.value
        audit(uow, actor, actor.community_id, "warm_intro.declined", now, "warm_intro", intro.id)
        outcome = Outcome(reply=Message(text="No problem. /intro find is there whenever you "
                                             "want it."))
        if mentor is not None:
            outcome.add_dm((recipient(mentor),),
                           Message(text=f"{actor.member.display_name} won't need the intro after "
                                        "all. Thank you for being open to it!"),
                           kind="warm.declined")
        return outcome
    assert mentor.id is not None and intro.id is not None
    intro.status = WarmIntroStatus.ACCEPTED.value
    topic = intro.note or "Advice, through a warm intro"
    request = uow.requests.add(
        IntroRequest(
            community_id=actor.community_id, seeker_id=actor.member_id, mentor_id=mentor.id,
            created_at=now, updated_at=now, expires_at=now, topic=topic,
            status=RequestStatus.ACCEPTED.value, responded_at=now,
            via_warm_intro_id=intro.id,
        )
    )
    profile = uow.mentors.by_member(actor.community_id, mentor.id)
    if profile is not None:
        request.industry = (profile.industry_list() or [""])[0]
        # A warm intro is an intro like any other: it uses this month's capacity.
        check_month_rollover(profile, now)
        profile.accepted_count += 1
    uow.flush()
    arm_schedule_nudges(uow, actor, request, actor.member, now)
    audit(uow, actor, actor.community_id, "warm_intro.accepted", now, "warm_intro", intro.id)
    outcome = Outcome(reply=Message(text=f"Wonderful — you're introduced (intro #{request.id})."))
    seeker = actor.member
    via = f" thanks to {connector.display_name}" if connector else ""
    outcome.add_dm(
        (recipient(seeker), recipient(mentor)),
        Message(
            title=f"Intro #{request.id}: {mentor.display_name} × {seeker.display_name}",
            text=(f"{mentor.display_name} (@{mentor.handle}) meet {seeker.display_name} "
                  f"(@{seeker.handle}){via}. {seeker.display_name}: suggest a time that suits "
                  f"{mentor.display_name}, then record it with /intro schedule {request.id} "
                  "WHEN."),
        ),
        kind="request.accepted",
    )
    if connector is not None:
        outcome.add_dm((recipient(connector),),
                       Message(text=f"Your warm intro worked: {mentor.display_name} and "
                                    f"{seeker.display_name} are connected. Thank you!"),
                       kind="warm.done")
    return outcome
