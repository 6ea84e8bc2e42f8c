"""From "yes" to thank-you, through the program facade on real storage: schedule (and
re-schedule) with invites and reminders, prep, done, follow-ups, thanks, and the reminders as
they are rendered when due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.app import IntroProgram
from bot.clock import ManualClock
from bot.context import Invocation, PlatformUser
from bot.domain import (
    FollowUpStatus,
    IntroRequest,
    OutboxStatus,
    ReminderKind,
    RequestStatus,
    WarmIntro,
    WarmIntroStatus,
)
from bot.messages import Outcome
from storage.uow import SqlUnitOfWorkFactory
from tests.usecases.conftest import NOW, World
from tests.usecases.outbox_helpers import (
    by_key,
    outbox_rows,
    pending_keys,
    reminder,
    send_due,
)

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"
Factory = SqlUnitOfWorkFactory


class People:
    """Sam (Berlin) asks Maria (New York, Software at Acme) for advice."""

    def __init__(self, world: World, program: IntroProgram, clock: ManualClock) -> None:
        self.world, self.program, self.clock = world, program, clock
        world.mentor("maria", "Software, Fintech", company="Acme", role="Product manager")
        self.maria = self.invocation("maria", NEW_YORK)
        self.sam = self.invocation("sam", BERLIN)
        self.kim = self.invocation("kim", BERLIN)
        for inv in (self.maria, self.sam, self.kim):
            program.command(inv, "intro", "help")  # says hello: member and timezone stored
        self.sam_id = self.member_id("sam")
        self.maria_id = self.member_id("maria")

    def member_id(self, handle: str) -> int:
        member = self.program.find_member(self.world.community, handle)
        assert member is not None and member.id is not None
        return member.id

    def invocation(self, handle: str, tz: str) -> Invocation:
        return Invocation(self.world.community,
                          PlatformUser(user_id=handle, display_name=handle.title(),
                                       handle=handle, timezone=tz))

    def ask(self) -> int:
        outcome = self.program.submit(self.sam, f"request:{self.maria_id}",
                                      {"topic": "How you moved into product", "format": "call"})
        assert outcome.ok, outcome.reply
        return self.latest_request().id or 0

    def accepted(self) -> int:
        rid = self.ask()
        assert self.program.action(self.maria, f"intro:accept:{rid}").ok
        return rid

    def scheduled(self, when: str = "tomorrow 15:00") -> int:
        rid = self.accepted()
        outcome = self.program.command(self.sam, "intro", f"schedule {rid} {when}")
        assert outcome.ok, outcome.reply
        return rid

    def latest_request(self) -> IntroRequest:
        cid = self.world.community_id()
        with self.world.uow_factory() as uow:
            requests = uow.requests.all(cid)
            uow.commit()  # keeps the loaded entities readable
        return requests[-1]

    def request(self, rid: int) -> IntroRequest:
        cid = self.world.community_id()
        with self.world.uow_factory() as uow:
            found = uow.requests.get(cid, rid)
            uow.commit()
        assert found is not None
        return found


@pytest.fixture
def people(world: World, program: IntroProgram, clock: ManualClock) -> People:
    return People(world, program, clock)


def berlin(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(BERLIN)).astimezone(UTC)


def invite_of(outcome: Outcome, member_id: int | None) -> Calendar:
    (dm,) = [dm for dm in outcome.dms if dm.recipients[0].member_id == member_id]
    (attachment,) = dm.message.attachments
    assert attachment.mime_type == "text/calendar"
    assert attachment.filename.endswith(".ics")
    return Calendar.from_ical(attachment.content)


def event_of(calendar: Calendar) -> dict[str, object]:
    (event,) = calendar.walk("VEVENT")
    return {"uid": str(event["UID"]), "sequence": int(str(event["SEQUENCE"])),
            "start": event.decoded("DTSTART"), "end": event.decoded("DTEND"),
            "tzid": event["DTSTART"].params.get("TZID")}


def kinds(keys: set[str]) -> list[str]:
    return sorted(key.split(":")[0] for key in keys)


# ---------------------------------------------------------------- request lifecycle hooks


def test_a_new_request_arms_the_mentor_nudge_at_half_time(
    people: People, uow_factory: Factory
) -> None:
    rid = people.ask()
    row = by_key(uow_factory)[f"mentor_nudge:{rid}:{people.maria_id}"]
    # 3.5 days after 12:00 UTC is Mon 00:00 UTC = Sun 19:00 in New York: outside quiet hours.
    assert row["due_at"] == NOW + timedelta(days=3, hours=12)
    assert row["status"] == OutboxStatus.PENDING.value


def test_accepting_swaps_the_mentor_nudge_for_schedule_nudges(
    people: People, uow_factory: Factory
) -> None:
    rid = people.accepted()
    rows = by_key(uow_factory)
    assert rows[f"mentor_nudge:{rid}:{people.maria_id}"]["status"] == "cancelled"
    assert pending_keys(uow_factory) == {f"schedule_nudge:{rid}:{people.sam_id}",
                                         f"schedule_nudge:{rid}:{people.maria_id}"}
    assert rows[f"schedule_nudge:{rid}:{people.sam_id}"]["due_at"] == NOW + timedelta(days=3)


def test_cancelling_or_declining_cancels_every_reminder_of_the_request(
    people: People, uow_factory: Factory
) -> None:
    declined = people.ask()
    assert people.program.submit(people.maria, f"decline:{declined}", {"reason": ""}).ok
    withdrawn = people.accepted()
    assert people.program.command(people.sam, "intro", f"cancel {withdrawn}").ok
    assert pending_keys(uow_factory) == set()
    assert {row["status"] for row in outbox_rows(uow_factory)} == {"cancelled"}


def test_warm_intro_acceptance_arms_schedule_nudges(
    people: People, world: World, uow_factory: Factory
) -> None:
    with uow_factory() as uow:
        intro = uow.warm_intros.add(WarmIntro(
            community_id=world.community_id(), connector_id=None, seeker_id=people.sam_id,
            mentor_id=people.maria_id, created_at=NOW,
            status=WarmIntroStatus.MENTOR_ACCEPTED))
        uow.commit()
    assert people.program.action(people.sam, f"warm:join:{intro.id}").ok
    rid = people.latest_request().id
    assert kinds(pending_keys(uow_factory)) == ["schedule_nudge", "schedule_nudge"]
    assert f"schedule_nudge:{rid}:{people.sam_id}" in pending_keys(uow_factory)


# ---------------------------------------------------------------- schedule


def test_seeker_schedules_in_their_timezone_and_both_get_invites(
    people: People, uow_factory: Factory
) -> None:
    rid = people.accepted()
    outcome = people.program.command(people.sam, "intro", f"schedule {rid} tomorrow 15:00")
    assert outcome.ok and outcome.reply is not None
    assert "Fri 27 Nov 2026, 15:00 (Europe/Berlin)" in outcome.reply.text
    request = people.request(rid)
    start = berlin(2026, 11, 27, 15, 0)
    assert request.status == RequestStatus.SCHEDULED.value
    assert request.scheduled_at == start and request.duration_minutes == 15

    assert {dm.recipients[0].member_id for dm in outcome.dms} == {people.sam_id,
                                                                   people.maria_id}
    mine, theirs = (event_of(invite_of(outcome, people.sam_id)),
                    event_of(invite_of(outcome, people.maria_id)))
    assert mine["uid"] == theirs["uid"] == f"intro-{rid}@T1"
    assert mine["sequence"] == theirs["sequence"] == 0
    assert (mine["tzid"], theirs["tzid"]) == (BERLIN, NEW_YORK)
    assert mine["start"] == theirs["start"] == start
    assert mine["end"] == start + timedelta(minutes=15)
    maria_dm = next(dm for dm in outcome.dms if dm.recipients[0].member_id == people.maria_id)
    assert "Fri 27 Nov 2026, 09:00 (America/New_York)" in maria_dm.message.text

    rows = by_key(uow_factory)
    sid = people.sam_id
    assert {key: rows[key]["due_at"] for key in pending_keys(uow_factory)} == {
        f"prep:{rid}:{sid}:v0": start - timedelta(hours=24),
        f"timebox:{rid}:{sid}:v0": start + timedelta(minutes=13),
        f"checkin:{rid}:{sid}:v0": start + timedelta(minutes=45),
        f"thanks:{rid}:{sid}:v0:1": start + timedelta(minutes=15, hours=4),
        f"thanks:{rid}:{sid}:v0:2": start + timedelta(minutes=15, hours=28),
    }
    assert rows[f"schedule_nudge:{rid}:{sid}"]["status"] == "cancelled"


def test_mentor_may_schedule_with_a_length_and_a_stranger_may_not(
    people: People, uow_factory: Factory
) -> None:
    rid = people.accepted()
    stranger = people.program.command(people.kim, "intro", f"schedule {rid} tomorrow 15:00")
    assert not stranger.ok and stranger.reply is not None
    assert "can't find request" in stranger.reply.text
    outcome = people.program.command(people.maria, "intro",
                                     f"schedule {rid} 2026-11-30 10:00 30")
    assert outcome.ok
    request = people.request(rid)
    # read in Maria's timezone: 10:00 in New York
    assert request.scheduled_at == datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
    assert request.duration_minutes == 30


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-01 10:00", "already passed"),
        ("tomorrow", "At what time"),
        ("tomorrow 15:00 500 minutes", "from 5 to 240"),
        ("someday maybe", "couldn't read"),
    ],
)
def test_bad_times_and_lengths_are_refused(
    people: People, uow_factory: Factory, text: str, expected: str
) -> None:
    rid = people.accepted()
    before = outbox_rows(uow_factory)
    outcome = people.program.command(people.sam, "intro", f"schedule {rid} {text}")
    assert not outcome.ok and outcome.reply is not None
    assert expected in outcome.reply.text
    assert people.request(rid).status == RequestStatus.ACCEPTED.value
    assert outbox_rows(uow_factory) == before


def test_a_pending_request_cannot_be_scheduled(people: People) -> None:
    rid = people.ask()
    outcome = people.program.command(people.maria, "intro", f"schedule {rid} tomorrow 15:00")
    assert not outcome.ok and outcome.reply is not None
    assert "hasn't been accepted yet" in outcome.reply.text


def test_rescheduling_moves_every_reminder_and_bumps_the_invite(
    people: People, uow_factory: Factory
) -> None:
    rid = people.scheduled()
    old = pending_keys(uow_factory)
    outcome = people.program.command(people.maria, "intro", f"schedule {rid} 2026-12-01 9:00")
    assert outcome.ok and outcome.reply is not None
    assert outcome.reply.text.startswith("Moved")
    event = event_of(invite_of(outcome, people.sam_id))
    assert (event["uid"], event["sequence"]) == (f"intro-{rid}@T1", 1)
    start = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
    assert event["start"] == start

    rows = by_key(uow_factory)
    assert all(rows[key]["status"] == "cancelled" for key in old)
    new = pending_keys(uow_factory)
    assert kinds(new) == ["checkin", "prep", "thanks", "thanks", "timebox"]
    assert all(":v1" in key for key in new)
    assert rows[f"timebox:{rid}:{people.sam_id}:v1"]["due_at"] == start + timedelta(minutes=13)

    # A row of the old schedule that a dispatcher still held is moot when it comes up.
    dm, reason = people.program.render_reminder(
        reminder(uow_factory, f"checkin:{rid}:{people.sam_id}:v0"))
    assert dm is None and "moved" in reason

    # a third time: SEQUENCE 2
    third = people.program.command(people.sam, "intro", f"schedule {rid} 2026-12-02 9:00")
    assert event_of(invite_of(third, people.maria_id))["sequence"] == 2


def test_scheduling_the_same_time_again_changes_nothing(
    people: People, uow_factory: Factory
) -> None:
    rid = people.scheduled("2026-11-30 10:00")
    before = outbox_rows(uow_factory)
    outcome = people.program.command(people.sam, "intro", f"schedule {rid} 2026-11-30 10:00")
    assert outcome.ok and outcome.reply is not None
    assert "already set" in outcome.reply.text and outcome.dms == []
    assert outbox_rows(uow_factory) == before


def test_arming_the_same_meeting_twice_keeps_one_row_each(
    people: People, uow_factory: Factory
) -> None:
    from bot import reminders
    from bot.program_settings import ProgramSettings

    rid = people.scheduled()
    cid = people.world.community_id()
    with uow_factory() as uow:
        request = uow.requests.get(cid, rid)
        seeker = uow.members.get(cid, people.sam_id or 0)
        assert request is not None and seeker is not None
        specs = reminders.meeting_reminders(request, seeker, 0, NOW, ProgramSettings({}))
        assert [uow.outbox.schedule(spec) for spec in specs] == [False] * len(specs)
        uow.commit()
    assert len(outbox_rows(uow_factory)) == 3 + len(specs)  # nudge + 2 schedule nudges + these


# ---------------------------------------------------------------- prep


def test_prep_without_id_picks_the_next_meeting(people: People) -> None:
    rid = people.scheduled()
    outcome = people.program.command(people.sam, "intro", "prep")
    assert outcome.ok and outcome.reply is not None
    assert outcome.reply.title.startswith(f"Prep for intro #{rid}")
    assert "Maria" in outcome.reply.text and "Acme" in outcome.reply.text
    assert "(Software)" in outcome.reply.text


def test_prep_is_for_the_seeker(people: People) -> None:
    rid = people.scheduled()
    outcome = people.program.command(people.maria, "intro", f"prep {rid}")
    assert not outcome.ok and outcome.reply is not None
    assert "bring your story" in outcome.reply.text
    nothing = people.program.command(people.kim, "intro", "prep")
    assert not nothing.ok and nothing.reply is not None
    assert "/intro find" in nothing.reply.text


# ---------------------------------------------------------------- reminders as sent


def test_meeting_reminders_arrive_on_time_with_their_buttons(
    people: People, uow_factory: Factory, clock: ManualClock
) -> None:
    rid = people.scheduled()
    start = berlin(2026, 11, 27, 15, 0)
    clock.set(start - timedelta(hours=24))
    sent = send_due(people.program, uow_factory, clock)
    assert [(d.kind, d.reason) for d in sent] == [(ReminderKind.PREP, "ok")]
    prep = sent[0].dm
    assert prep is not None and prep.recipients[0].member_id == people.sam_id
    assert "Acme" in prep.message.text

    clock.set(start + timedelta(minutes=13))
    (timebox,) = send_due(people.program, uow_factory, clock)
    assert timebox.dm is not None and "2 minutes left" in timebox.dm.message.text

    clock.set(start + timedelta(minutes=45))
    (checkin,) = send_due(people.program, uow_factory, clock)
    assert checkin.dm is not None
    assert [b.action_id for b in checkin.dm.message.buttons] == [
        f"meeting:done:{rid}", f"meeting:snooze:{rid}", f"meeting:noshow:{rid}"]

    clock.set(start + timedelta(hours=4, minutes=15))
    (thanks,) = send_due(people.program, uow_factory, clock)
    assert thanks.dm is not None
    assert [b.action_id for b in thanks.dm.message.buttons] == [
        f"thanks:draft:{rid}", f"thanks:mark:{rid}"]


def test_late_reminders_are_dropped_with_a_reason(
    people: People, uow_factory: Factory, clock: ManualClock
) -> None:
    people.scheduled()
    clock.set(berlin(2026, 11, 27, 15, 0) + timedelta(hours=3))
    sent = {d.kind: d for d in send_due(people.program, uow_factory, clock)}
    assert sent[ReminderKind.TIMEBOX].dm is None
    assert "stale" in sent[ReminderKind.TIMEBOX].reason
    assert sent[ReminderKind.PREP].dm is None
    assert "meeting has already begun" in sent[ReminderKind.PREP].reason
    assert sent[ReminderKind.CHECKIN].dm is not None  # within its 6 hours


def test_erased_recipient_gets_nothing(people: People, uow_factory: Factory) -> None:
    rid = people.scheduled()
    item = reminder(uow_factory, f"prep:{rid}:{people.sam_id}:v0")
    assert people.program.command(people.sam, "intro", "forget-me confirm").ok
    dm, reason = people.program.render_reminder(item)
    assert dm is None and reason.startswith("moot")


def test_snooze_and_no_show_from_the_checkin(
    people: People, uow_factory: Factory, clock: ManualClock
) -> None:
    rid = people.scheduled()
    clock.set(berlin(2026, 11, 27, 16, 0))
    snoozed = people.program.action(people.sam, f"meeting:snooze:{rid}")
    assert snoozed.ok
    again = [k for k in pending_keys(uow_factory) if k.startswith("checkin") and ":s" in k]
    assert len(again) == 1
    assert by_key(uow_factory)[again[0]]["due_at"] == clock.now() + timedelta(days=1)
    assert people.program.action(people.sam, f"meeting:snooze:{rid}").ok
    assert len([k for k in pending_keys(uow_factory) if ":s" in k]) == 1  # once a day

    missed = people.program.action(people.maria, f"meeting:noshow:{rid}")
    assert missed.ok
    assert people.request(rid).status == RequestStatus.NO_SHOW.value
    assert pending_keys(uow_factory) == set()


# ---------------------------------------------------------------- done and follow-ups


def test_done_before_the_meeting_is_refused(people: People) -> None:
    rid = people.scheduled()
    outcome = people.program.command(people.sam, "intro", f"done {rid}")
    assert not outcome.ok and outcome.reply is not None
    assert "once you've met" in outcome.reply.text


def test_done_completes_asks_for_doors_and_stops_meeting_reminders(
    people: People, uow_factory: Factory, clock: ManualClock
) -> None:
    rid = people.scheduled()
    clock.set(berlin(2026, 11, 27, 15, 10))
    outcome = people.program.command(people.sam, "intro",
                                     f"done {rid} product is mostly listening")
    assert outcome.ok and outcome.reply is not None
    assert "doors" in outcome.reply.text
    assert [b.action_id for b in outcome.reply.buttons] == [f"followup:log:{rid}",
                                                            f"thanks:draft:{rid}"]
    request = people.request(rid)
    assert request.status == RequestStatus.COMPLETED.value
    assert request.learned == "product is mostly listening"
    assert request.completed_at == clock.now()
    assert kinds(pending_keys(uow_factory)) == ["thanks", "thanks"]

    not_seeker = people.program.command(people.maria, "intro", f"done {rid}")
    assert not not_seeker.ok


def test_done_from_the_checkin_button_opens_a_form(
    people: People, uow_factory: Factory, clock: ManualClock
) -> None:
    rid = people.scheduled()
    clock.set(berlin(2026, 11, 27, 16, 0))
    form = people.program.action(people.sam, f"meeting:done:{rid}").form
    assert form is not None and form.form_id == f"done:{rid}"
    outcome = people.program.submit(people.sam, form.form_id, {"learned": "ask early"})
    assert outcome.ok
    assert people.request(rid).learned == "ask early"


def test_done_without_a_recorded_time_arms_thank_you_reminders(
    people: People, uow_factory: Factory
) -> None:
    rid = people.accepted()
    assert people.program.command(people.sam, "intro", f"done {rid}").ok
    assert people.request(rid).status == RequestStatus.COMPLETED.value
    rows = by_key(uow_factory)
    first = rows[f"thanks:{rid}:{people.sam_id}:v0:1"]
    assert first["status"] == "pending"
    assert first["due_at"] == NOW + timedelta(hours=4)
    assert rows[f"schedule_nudge:{rid}:{people.sam_id}"]["status"] == "cancelled"


def test_followups_from_the_form_and_the_command(
    people: People, uow_factory: Factory, clock: ManualClock
) -> None:
    rid = people.accepted()
    assert people.program.command(people.sam, "intro", f"done {rid}").ok
    form = people.program.action(people.sam, f"followup:log:{rid}").form
    assert form is not None and form.form_id == f"followup:{rid}"
    bad = people.program.submit(people.sam, form.form_id, {"text": "x", "days": "999"})
    assert not bad.ok and "days" in bad.field_errors
    assert people.program.submit(people.sam, form.form_id,
                                 {"text": "Read Inspired", "days": "3"}).ok
    said = people.program.command(people.sam, "intro",
                                  f"followup {rid} Write to Dana in 2 weeks")
    assert said.ok and said.reply is not None
    cid = people.world.community_id()
    with uow_factory() as uow:
        items = uow.followups.for_request(cid, rid)
        uow.commit()
    assert [(f.text, f.due_at) for f in items] == [
        ("Read Inspired", berlin(2026, 11, 29, 9, 0)),
        ("Write to Dana", berlin(2026, 12, 10, 9, 0)),
    ]
    assert said.reply.buttons[0].action_id == f"followup:done:{items[1].id}"

    clock.set(berlin(2026, 11, 29, 9, 0))
    sent = [d for d in send_due(people.program, uow_factory, clock)
            if d.kind == ReminderKind.FOLLOWUP]
    assert len(sent) == 1 and sent[0].dm is not None
    assert "Read Inspired" in sent[0].dm.message.text
    assert sent[0].dm.message.buttons[0].action_id == f"followup:done:{items[0].id}"

    assert people.program.action(people.sam, f"followup:done:{items[1].id}").ok
    with uow_factory() as uow:
        done = uow.followups.get(cid, items[1].id or 0)
        uow.commit()
    assert done is not None and done.status == FollowUpStatus.DONE.value
    assert by_key(uow_factory)[f"followup:{items[1].id}:{people.sam_id}"]["status"] == \
        "cancelled"


def test_followup_on_a_pending_request_is_refused(people: People) -> None:
    rid = people.ask()
    outcome = people.program.command(people.sam, "intro", f"followup {rid} read a book")
    assert not outcome.ok and outcome.reply is not None
    assert "pending" in outcome.reply.text


# ---------------------------------------------------------------- thanks


def test_thanks_drafts_a_note_and_sends_it_as_a_dm(
    people: People, uow_factory: Factory, clock: ManualClock
) -> None:
    rid = people.accepted()
    assert people.program.command(people.sam, "intro", f"done {rid} listen more").ok
    assert people.program.command(people.sam, "intro", f"followup {rid} Meet Dana").ok
    drafted = people.program.command(people.sam, "intro", f"thanks {rid}")
    assert drafted.ok and drafted.reply is not None
    assert "Hi Maria" in drafted.reply.text and "listen more" in drafted.reply.text
    assert "Meet Dana" in drafted.reply.text
    assert [b.action_id for b in drafted.reply.buttons] == [f"thanks:send:{rid}",
                                                            f"thanks:mark:{rid}"]
    form = people.program.action(people.sam, f"thanks:send:{rid}").form
    assert form is not None and form.fields[0].initial.startswith("Hi Maria")
    sent = people.program.submit(people.sam, form.form_id, {"note": "Thank you, Maria!"})
    assert sent.ok
    (dm,) = sent.dms
    assert dm.recipients[0].member_id == people.maria_id
    assert dm.message.text == "Thank you, Maria!"
    assert people.request(rid).thanked_at == NOW
    assert not [k for k in pending_keys(uow_factory) if k.startswith("thanks")]

    item = reminder(uow_factory, f"thanks:{rid}:{people.sam_id}:v0:1")
    clock.advance(timedelta(hours=5))
    dm_after, reason = people.program.render_reminder(item)
    assert dm_after is None and "marked sent" in reason


def test_thanks_waits_until_a_time_is_set(people: People) -> None:
    rid = people.accepted()
    outcome = people.program.command(people.sam, "intro", f"thanks {rid}")
    assert not outcome.ok and outcome.reply is not None
    assert "once you've met" in outcome.reply.text


def test_marking_thanked_stops_the_reminders(
    people: People, uow_factory: Factory, clock: ManualClock
) -> None:
    rid = people.scheduled()
    early = people.program.action(people.sam, f"thanks:mark:{rid}")
    assert not early.ok and early.reply is not None
    assert "after the conversation" in early.reply.text
    clock.set(berlin(2026, 11, 27, 15, 20))
    assert people.program.action(people.sam, f"thanks:mark:{rid}").ok
    assert people.request(rid).thanked_at == clock.now()
    assert not [k for k in pending_keys(uow_factory) if k.startswith("thanks")]
    again = people.program.command(people.sam, "intro", f"thanks {rid}")
    assert again.ok and again.reply is not None and "already thanked" in again.reply.text


def test_a_batch_renders_exactly_as_one_by_one(
    people: People, uow_factory: Factory, clock: ManualClock
) -> None:
    """The dispatcher renders a claimed batch in one read-only transaction that reads the
    shared state once; every reminder must come out as it would alone, moot ones included."""
    people.scheduled()
    asked = people.program.submit(people.kim, f"request:{people.maria_id}",
                                  {"topic": "Moving from finance to product", "format": "call"})
    assert asked.ok, asked.reply
    cancelled = people.latest_request().id
    assert people.program.command(people.kim, "intro", f"cancel {cancelled}").ok
    clock.set(berlin(2026, 11, 27, 15, 0) + timedelta(hours=3))
    items = [reminder(uow_factory, row["dedupe_key"]) for row in outbox_rows(uow_factory)]
    assert len({item.kind for item in items}) >= 4, [item.kind for item in items]

    alone = [people.program.render_reminder(item) for item in items]
    together = people.program.render_reminders(items)

    assert together == alone
    assert {dm is None for dm, _ in alone} == {True, False}  # sent and dropped alike
    assert people.program.render_reminders([]) == []
