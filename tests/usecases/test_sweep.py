"""The periodic sweep on real storage: expiry with alternatives, freezing silent mentors,
away-ended, weekly digests, and catching up after downtime."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.app import IntroProgram
from bot.clock import ManualClock
from bot.context import Invocation, PlatformUser
from bot.domain import MentorProfile, ReminderKind, RequestStatus
from storage.uow import SqlUnitOfWorkFactory
from tests.usecases.conftest import ADMIN, NOW, World
from tests.usecases.outbox_helpers import by_key, outbox_rows, pending_keys, send_due

BERLIN = ZoneInfo("Europe/Berlin")
Factory = SqlUnitOfWorkFactory
WEEK = timedelta(days=7)


def berlin(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


class Program:
    """People in one community (all in Berlin), acting through the facade."""

    def __init__(self, world: World, program: IntroProgram) -> None:
        self.world, self.program = world, program

    def inv(self, handle: str) -> Invocation:
        user_id = handle if self.world.community.platform == "console" else f"U-{handle}"
        return Invocation(self.world.community,
                          PlatformUser(user_id=user_id, display_name=handle.title(),
                                       handle=handle, timezone="Europe/Berlin"))

    def id_of(self, handle: str) -> int:
        member = self.program.find_member(self.world.community, handle)
        assert member is not None and member.id is not None
        return member.id

    def ask(self, seeker: str, mentor: str) -> int:
        outcome = self.program.submit(self.inv(seeker), f"request:{self.id_of(mentor)}",
                                      {"topic": "How did you get started?", "format": "call"})
        assert outcome.ok, outcome.reply
        text = outcome.reply.text if outcome.reply else ""
        return int(text.split("#", 1)[1].split()[0])

    def status(self, request_id: int) -> str:
        cid = self.world.community_id()
        with self.world.uow_factory() as uow:
            request = uow.requests.get(cid, request_id)
            assert request is not None
            return request.status

    def profile(self, handle: str) -> MentorProfile:
        cid = self.world.community_id()
        with self.world.uow_factory() as uow:
            profile = uow.mentors.by_member(cid, self.id_of(handle))
            uow.commit()
        assert profile is not None
        return profile


@pytest.fixture
def town(world: World, program: IntroProgram) -> Program:
    world.mentor("maria", "Software", company="Acme")
    world.mentor("ana", "Software")
    for handle in ("sam", "kim"):
        world.person(handle)
    world.person(ADMIN, admin=True)
    return Program(world, program)


# ---------------------------------------------------------------- expiry and freeze


def test_expired_request_gets_alternatives_once(
    town: Program, program: IntroProgram, clock: ManualClock, uow_factory: Factory
) -> None:
    rid = town.ask("sam", "maria")
    clock.set(NOW + WEEK - timedelta(minutes=1))
    assert program.sweep() == 0
    assert town.status(rid) == RequestStatus.PENDING.value

    clock.set(NOW + WEEK + timedelta(minutes=1))
    assert program.sweep() > 0
    assert town.status(rid) == RequestStatus.EXPIRED.value
    assert program.sweep() == 0  # nothing left to do

    rows = by_key(uow_factory)
    sam, maria = town.id_of("sam"), town.id_of("maria")
    assert rows[f"mentor_nudge:{rid}:{maria}"]["status"] == "cancelled"
    expired = rows[f"expired:{rid}:{sam}"]
    assert expired["status"] == "pending"
    assert expired["due_at"] == NOW + WEEK  # 13:00 in Berlin: no need to wait
    assert expired["payload"] == '{"due":"' + (NOW + WEEK).isoformat() + '"}'
    profile = town.profile("maria")
    assert profile.consecutive_expiries == 1 and profile.available

    sent = [d for d in send_due(program, uow_factory, clock) if d.kind == ReminderKind.EXPIRED]
    assert len(sent) == 1 and sent[0].dm is not None
    message = sent[0].dm.message
    assert sent[0].dm.recipients[0].member_id == sam
    assert "closed without an answer" in message.text
    assert [card.title for card in message.cards] == ["Ana"]
    assert message.cards[0].buttons[0].action_id == f"intro:request:{town.id_of('ana')}"


def test_mentor_is_frozen_after_consecutive_expiries_and_told_how_to_come_back(
    town: Program, program: IntroProgram, clock: ManualClock, uow_factory: Factory
) -> None:
    first, second = town.ask("sam", "maria"), town.ask("kim", "maria")
    clock.set(NOW + WEEK + timedelta(hours=1))
    program.sweep()
    assert {town.status(first), town.status(second)} == {RequestStatus.EXPIRED.value}
    profile = town.profile("maria")
    assert profile.consecutive_expiries == 2 and not profile.available

    maria = town.id_of("maria")
    notices = [row for row in outbox_rows(uow_factory) if row["kind"] == ReminderKind.NOTICE]
    assert [(row["recipient_id"], row["status"]) for row in notices] == [(maria, "pending")]
    assert "frozen" in notices[0]["payload"] and "maria" not in notices[0]["payload"].lower()

    sent = {d.kind: d for d in send_due(program, uow_factory, clock)}
    notice = sent[ReminderKind.NOTICE].dm
    assert notice is not None and "/mentor on" in notice.message.text
    found = program.command(town.inv("kim"), "intro", "find software")
    assert found.reply is not None
    assert [card.title for card in found.reply.cards] == ["Ana"]


def test_freeze_threshold_is_a_setting_and_a_reply_resets_the_run(
    town: Program, program: IntroProgram, clock: ManualClock, uow_factory: Factory
) -> None:
    with uow_factory() as uow:
        uow.settings.set(town.world.community_id(), "freeze_after_expiries", "3", NOW)
        uow.commit()
    town.ask("sam", "maria")
    town.ask("kim", "maria")
    clock.set(NOW + WEEK + timedelta(hours=1))
    program.sweep()
    assert town.profile("maria").available
    assert not [row for row in outbox_rows(uow_factory) if row["kind"] == ReminderKind.NOTICE]
    answered = town.ask("sam", "maria")
    assert program.action(town.inv("maria"), f"intro:accept:{answered}").ok
    assert town.profile("maria").consecutive_expiries == 0


def test_a_notice_is_moot_once_the_mentor_is_back(
    town: Program, program: IntroProgram, clock: ManualClock, uow_factory: Factory
) -> None:
    town.ask("sam", "maria")
    town.ask("kim", "maria")
    clock.set(berlin(2026, 12, 3, 22, 0))  # expiry noticed late in the evening
    program.sweep()
    notice = next(r for r in outbox_rows(uow_factory) if r["kind"] == ReminderKind.NOTICE)
    assert notice["due_at"] == berlin(2026, 12, 4, 8, 0)  # held out of quiet hours
    assert program.command(town.inv("maria"), "mentor", "on").ok
    clock.set(berlin(2026, 12, 4, 8, 0))
    (delivery,) = [d for d in send_due(program, uow_factory, clock)
                   if d.kind == ReminderKind.NOTICE]
    assert delivery.dm is None and "available again" in delivery.reason


# ---------------------------------------------------------------- away ended


def test_away_ended_is_queued_once_per_away_period(
    town: Program, program: IntroProgram, clock: ManualClock, uow_factory: Factory
) -> None:
    maria = town.id_of("maria")
    assert program.command(town.inv("maria"), "mentor", "away 2026-12-01").ok
    clock.set(berlin(2026, 11, 30, 23, 59))
    program.sweep()
    assert not [k for k in pending_keys(uow_factory) if k.startswith("away_ended")]
    clock.set(berlin(2026, 12, 1, 6, 0))  # a Tuesday: no digests
    assert program.sweep() == 2  # back, and the reminder queued
    assert program.sweep() == 0
    assert town.profile("maria").away_until is None
    key = f"away_ended:{maria}:20261130T2300Z"
    assert by_key(uow_factory)[key]["due_at"] == berlin(2026, 12, 1, 8, 0)

    clock.set(berlin(2026, 12, 1, 8, 0))
    (back,) = [d for d in send_due(program, uow_factory, clock)
               if d.kind == ReminderKind.AWAY_ENDED]
    assert back.dm is not None and "Welcome back" in (back.dm.message.title or "")
    assert "room for 3 more intros" in back.dm.message.text

    assert program.command(town.inv("maria"), "mentor", "away 2026-12-10").ok
    clock.set(berlin(2026, 12, 10, 9, 0))
    program.sweep()
    assert f"away_ended:{maria}:20261209T2300Z" in pending_keys(uow_factory)


# ---------------------------------------------------------------- digests


def test_weekly_digests_for_mentors_with_requests_and_admins(
    town: Program, program: IntroProgram, clock: ManualClock, uow_factory: Factory
) -> None:
    rid = town.ask("sam", "maria")
    program.sweep()  # a Thursday: no digests
    assert not [k for k in pending_keys(uow_factory) if k.startswith("digest")]

    clock.set(berlin(2026, 11, 30, 7, 0))  # Monday morning
    program.sweep()
    program.sweep()
    fresh = IntroProgram(town.world.uow_factory, clock)  # another replica, no memory
    fresh.sweep()
    maria, ada = town.id_of("maria"), town.id_of(ADMIN)
    digests = {row["dedupe_key"]: row for row in outbox_rows(uow_factory)
               if row["kind"] == ReminderKind.DIGEST}
    assert set(digests) == {f"digest:mentor:{maria}:2026-W49", f"digest:admin:{ada}:2026-W49"}
    assert {row["due_at"] for row in digests.values()} == {berlin(2026, 11, 30, 9, 0)}

    clock.set(berlin(2026, 11, 30, 9, 0))
    sent = {d.key: d for d in send_due(program, uow_factory, clock)
            if d.kind == ReminderKind.DIGEST}
    mentor = sent[f"digest:mentor:{maria}:2026-W49"].dm
    assert mentor is not None and "1 request is waiting" in mentor.message.text
    assert mentor.message.cards[0].buttons[0].action_id == f"intro:accept:{rid}"
    admin = sent[f"digest:admin:{ada}:2026-W49"].dm
    assert admin is not None and "1 new request" in admin.message.text

    clock.set(berlin(2026, 12, 7, 9, 30))  # the next Monday: expired, so only the admin
    program.sweep()
    week50 = {k for k in pending_keys(uow_factory) if k.startswith("digest")}
    assert week50 == {f"digest:admin:{ada}:2026-W50"}


def test_digest_day_is_a_setting(
    town: Program, program: IntroProgram, clock: ManualClock, uow_factory: Factory
) -> None:
    with uow_factory() as uow:
        uow.settings.set(town.world.community_id(), "digest_weekday", "thu", NOW)
        uow.commit()
    program.sweep()
    assert {k.split(":")[1] for k in pending_keys(uow_factory) if k.startswith("digest")} == \
        {"admin"}


# ---------------------------------------------------------------- several communities, downtime


def test_one_sweep_visits_every_community(
    town: Program, slack_world: World, program: IntroProgram, clock: ManualClock
) -> None:
    slack_world.mentor("lee", "Finance")
    slack_world.person("max")
    elsewhere = Program(slack_world, program)
    here, there = town.ask("sam", "maria"), elsewhere.ask("max", "lee")
    clock.set(NOW + WEEK + timedelta(minutes=5))
    program.sweep()
    assert town.status(here) == elsewhere.status(there) == RequestStatus.EXPIRED.value


def test_after_three_days_down_useful_reminders_go_once_and_stale_ones_are_dropped(
    town: Program, program: IntroProgram, clock: ManualClock, uow_factory: Factory
) -> None:
    rid = town.ask("sam", "maria")
    assert program.action(town.inv("maria"), f"intro:accept:{rid}").ok
    assert program.command(town.inv("sam"), "intro", f"schedule {rid} tomorrow 15:00").ok
    clock.set(berlin(2026, 11, 30, 15, 0))  # down from before the meeting until Monday
    program.sweep()
    first = {d.key: d for d in send_due(program, uow_factory, clock)}
    sam, ada = town.id_of("sam"), town.id_of(ADMIN)
    sent = {key for key, d in first.items() if d.dm is not None}
    dropped = {key: d.reason for key, d in first.items() if d.dm is None}
    # the second thank-you (a day after the first) and Monday's digest are still useful
    assert sent == {f"thanks:{rid}:{sam}:v0:2", f"digest:admin:{ada}:2026-W49"}
    assert set(dropped) == {f"prep:{rid}:{sam}:v0", f"timebox:{rid}:{sam}:v0",
                            f"checkin:{rid}:{sam}:v0", f"thanks:{rid}:{sam}:v0:1"}
    assert all(reason.startswith("stale") for reason in dropped.values())
    assert send_due(program, uow_factory, clock) == []
    statuses = {row["dedupe_key"]: row["status"] for row in outbox_rows(uow_factory)}
    assert statuses[f"thanks:{rid}:{sam}:v0:2"] == "sent"
    assert statuses[f"timebox:{rid}:{sam}:v0"] == "dropped"
