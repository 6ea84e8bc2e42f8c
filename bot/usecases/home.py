"""A member's home page (Slack's App Home tab): where they stand and what to do next.

Mentors see their availability with a toggle, their capacity and the requests waiting for
them (with Accept / Decline / Not now); seekers see their own requests with the next step;
admins also see a summary of the program. The page is read-only: its buttons are ordinary
actions (`intro:accept:42`) or `home:*` actions handled by `home_action`.
"""

from __future__ import annotations

import re
from datetime import datetime

from bot.clock import as_utc
from bot.context import Actor
from bot.domain import IntroRequest, MentorProfile, RequestStatus
from bot.errors import NotAllowed, UsageError
from bot.messages import Button, ButtonStyle, Card, Field, Message, Outcome
from bot.ports import UnitOfWork
from bot.usecases import admin, mentors
from bot.usecases.common import remaining_capacity
from bot.usecases.requests import NEXT_STEP_SEEKER
from bot.when import local_time_label

HOME_ACTION = re.compile(r"^home:(?P<verb>on|off|join):(?P<member>\d{1,18})$")
PENDING_SHOWN = 10
OWN_REQUESTS_SHOWN = 8
STATS_DAYS = 30

# What a seeker still has to do something about, newest first.
_SEEKER_SHOWN = frozenset(
    {
        RequestStatus.PENDING.value,
        RequestStatus.ACCEPTED.value,
        RequestStatus.SCHEDULED.value,
        RequestStatus.COMPLETED.value,
    }
)

WELCOME = (
    "Ask an alumnus for 15 minutes of advice — to learn, never for a job. "
    "Type /intro find to meet mentors who fit, /intro help for everything I can do."
)


def home_page(uow: UnitOfWork, actor: Actor, now: datetime) -> Message:
    cards: list[Card] = []
    profile = uow.mentors.by_member(actor.community_id, actor.member_id)
    if profile is not None and profile.active:
        cards.append(_mentor_card(profile, actor, now))
        cards.extend(_pending_cards(uow, actor))
    else:
        cards.append(
            Card(
                title="Share what you know",
                text=("Alumni who mentor give 15 minutes of advice now and then, and choose "
                      "how many intros a month they take."),
                buttons=(Button("Become a mentor", f"home:join:{actor.member_id}",
                                ButtonStyle.PRIMARY),),
            )
        )
    cards.extend(_own_request_cards(uow, actor))
    if actor.is_admin:
        cards.append(_stats_card(uow, actor, now))
    return Message(title=f"Hello, {actor.member.display_name}", text=WELCOME, cards=tuple(cards))


def _mentor_card(profile: MentorProfile, actor: Actor, now: datetime) -> Card:
    left = remaining_capacity(profile, now)
    away_until = as_utc(profile.away_until)
    toggle: Button
    if away_until is not None and away_until > now:
        status = f"away until {local_time_label(away_until, actor.member.timezone)}"
        toggle = Button("Come back now", f"home:on:{actor.member_id}", ButtonStyle.PRIMARY)
    elif profile.available:
        status = "available"
        toggle = Button("Pause new requests", f"home:off:{actor.member_id}")
    else:
        status = "not taking requests"
        toggle = Button("I'm available", f"home:on:{actor.member_id}", ButtonStyle.PRIMARY)
    plural = "s" if profile.capacity != 1 else ""
    return Card(
        title=f"Mentoring: you're {status}",
        fields=(
            Field("Capacity", f"{profile.capacity} intro{plural} a month, {left} left this "
                              "month (/mentor capacity N)"),
        ),
        buttons=(toggle,),
    )


def _pending_cards(uow: UnitOfWork, actor: Actor) -> list[Card]:
    pending = uow.requests.for_mentor(
        actor.community_id, actor.member_id, [RequestStatus.PENDING.value]
    )
    if not pending:
        return [Card(title="No requests are waiting for you.")]
    shown = pending[:PENDING_SHOWN]
    seekers = uow.members.many(
        actor.community_id, [r.seeker_id for r in shown if r.seeker_id is not None]
    )
    cards = [
        mentors.request_card(
            r,
            seekers[r.seeker_id].display_name if r.seeker_id in seekers else "a former member",
            buttons=True,
        )
        for r in shown
    ]
    if len(pending) > len(shown):
        cards.append(Card(title=f"… and {len(pending) - len(shown)} more: /mentor requests"))
    return cards


def _own_request_cards(uow: UnitOfWork, actor: Actor) -> list[Card]:
    mine = [
        r for r in uow.requests.for_seeker(actor.community_id, actor.member_id)
        if r.status in _SEEKER_SHOWN
        and not (r.status == RequestStatus.COMPLETED.value and r.thanked_at is not None)
    ]
    mine.sort(key=lambda r: (as_utc(r.created_at), r.id or 0), reverse=True)
    if not mine:
        return []
    shown = mine[:OWN_REQUESTS_SHOWN]
    people = uow.members.many(
        actor.community_id, [r.mentor_id for r in shown if r.mentor_id is not None]
    )
    cards = [_own_request_card(r, people[r.mentor_id].display_name
                               if r.mentor_id in people else "a former mentor", actor)
             for r in shown]
    if len(mine) > len(shown):
        cards.append(Card(title=f"… and {len(mine) - len(shown)} more: /intro list"))
    return cards


def _own_request_card(request: IntroRequest, mentor_name: str, actor: Actor) -> Card:
    status = RequestStatus(request.status)
    subtitle = f"You asked {request.created_at:%d %b}"
    scheduled = as_utc(request.scheduled_at)
    if scheduled is not None:
        subtitle += f" · meeting {local_time_label(scheduled, actor.member.timezone)}"
    buttons: tuple[Button, ...] = ()
    if status is RequestStatus.PENDING:
        buttons = (Button("Cancel", f"intro:cancel:{request.id}", ButtonStyle.DANGER),)
    elif status is RequestStatus.SCHEDULED:
        buttons = (Button("Prep kit", f"meeting:prep:{request.id}"),)
    return Card(
        title=f"#{request.id} to {mentor_name} — {status.value}",
        subtitle=subtitle,
        text=request.topic,
        fields=(Field("Next", NEXT_STEP_SEEKER[status].format(id=request.id)),),
        buttons=buttons,
    )


def _stats_card(uow: UnitOfWork, actor: Actor, now: datetime) -> Card:
    stats = admin.program_stats(uow, actor, STATS_DAYS, now).reply
    wanted = {"Requests", "Acceptance rate", "Median time to reply", "Meetings held",
              "Thank-you rate", "Follow-ups done"}
    fields = tuple(f for f in stats.fields if f.label in wanted) if stats else ()
    return Card(
        title=f"Program, last {STATS_DAYS} days",
        subtitle="For admins: /intro admin stats for the full picture",
        fields=fields,
    )


def home_action(uow: UnitOfWork, actor: Actor, action_id: str, now: datetime) -> Outcome:
    """A button of the home page: `home:on|off|join:{member id}`, only for that member."""
    match = HOME_ACTION.match(action_id)
    if match is None:
        raise UsageError("That button is from an older version of the bot. Please open the "
                         "home tab again.")
    if int(match["member"]) != actor.member_id:
        raise NotAllowed("That button belongs to someone else's home page.")
    verb = match["verb"]
    if verb == "join":
        return mentors.open_profile_form(uow, actor, joining=True)
    return mentors.set_available(uow, actor, verb == "on", now)
