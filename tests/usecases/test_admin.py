"""Admin use cases against real storage: stats, CSV export, settings, blocking."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from bot.domain import (
    FollowUp,
    FollowUpStatus,
    MentorQuery,
    RequestStatus,
    SearchEvent,
)
from bot.errors import InvalidInput, NotAllowed
from bot.messages import Message
from bot.usecases import admin, requests
from tests.usecases.conftest import ADMIN, NOW, Ref, World


def fields_of(message: Message | None) -> dict[str, str]:
    assert message is not None
    return {f.label: f.value for f in message.fields}


def parse_csv(message: Message | None) -> list[dict[str, str]]:
    assert message is not None
    (attachment,) = message.attachments
    assert attachment.mime_type == "text/csv"
    return list(csv.DictReader(io.StringIO(attachment.content.decode("utf-8-sig"))))


# ---------------------------------------------------------------- who may


@pytest.mark.parametrize(
    "call",
    [
        lambda w: w.run("sam", admin.program_stats, 30, NOW),
        lambda w: w.run("sam", admin.export_csv, "requests", NOW),
        lambda w: w.run("sam", admin.show_config),
        lambda w: w.run("sam", admin.set_config, "lint_mode", "block", NOW),
    ],
    ids=["stats", "export", "show-config", "set-config"],
)
def test_members_who_are_not_admins_are_refused(world: World, call: object) -> None:
    with pytest.raises(NotAllowed, match="program admins"):
        call(world)  # type: ignore[operator]


# ---------------------------------------------------------------- stats


def seed_program(world: World) -> None:
    """Three mentors, two seekers, requests in every state; one request is older."""
    sam = world.person("sam")
    kim = world.person("kim")
    world.mentor("ana", "Software, Fintech")
    world.mentor("bo", "Finance")
    world.mentor("cy", "Healthcare", available=False)
    ana_m, bo_m = world.person("ana"), world.person("bo")
    day = timedelta(days=1)
    hour = timedelta(hours=1)
    world.request(sam, ana_m, RequestStatus.PENDING, NOW - 2 * day, industry="Software")
    world.request(kim, ana_m, RequestStatus.ACCEPTED, NOW - 5 * day, industry="Software",
                  responded_at=NOW - 5 * day + 2 * hour)
    done = world.request(sam, bo_m, RequestStatus.COMPLETED, NOW - 20 * day, industry="Finance",
                         responded_at=NOW - 20 * day + 6 * hour,
                         completed_at=NOW - 10 * day, thanked_at=NOW - 10 * day)
    world.request(kim, bo_m, RequestStatus.DECLINED, NOW - 8 * day, industry="Finance",
                  responded_at=NOW - 8 * day + 30 * timedelta(minutes=1))
    world.request(kim, bo_m, RequestStatus.EXPIRED, NOW - 15 * day, industry="Finance")
    world.request(sam, bo_m, RequestStatus.COMPLETED, NOW - 60 * day, industry="Finance",
                  responded_at=NOW - 60 * day + hour)
    with world.uow_factory() as uow:
        cid = sam.community_id
        assert done.id is not None
        uow.followups.add(FollowUp(community_id=cid, request_id=done.id, seeker_id=sam.id,
                                   text="Read the book she named", created_at=NOW - 9 * day,
                                   status=FollowUpStatus.DONE))
        for terms, industry, results in (("", "banking", 1), ("nurse", "healthcare", 0),
                                         ("", "Healthcare", 0)):
            uow.searches.add(SearchEvent(community_id=cid, at=NOW - 3 * day, terms=terms,
                                         industry=industry, results=results))
        uow.commit()


def test_stats_on_a_seeded_program(world: World) -> None:
    seed_program(world)
    outcome = world.run(ADMIN, admin.program_stats, 30, NOW, admin=True)
    values = fields_of(outcome.reply)
    assert values["Requests"] == "5"
    assert values["By status"] == "pending 1, accepted 1, completed 1, declined 1, expired 1"
    assert values["Acceptance rate"] == "67% (2 of 3 answered)"
    assert values["Median time to reply"] == "2 h"
    assert values["Meetings held"] == "1"
    assert values["Thank-you rate"] == "100% (1 of 1)"
    assert values["Follow-ups done"] == "1 of 1"
    assert values["Searches"] == "3 (2 found nobody)"
    assert outcome.reply is not None
    table = outcome.reply.text.split("```")[1].strip().splitlines()
    rows = {line.rsplit(None, 3)[0]: line.split()[-3:] for line in table[1:]}
    # Finance: 3 requests + "banking"; bo and ana (Fintech). Healthcare: 2 searches, cy is off.
    assert rows["Finance"] == ["4", "2", "+2"]
    assert rows["Healthcare"] == ["2", "0", "+2"]
    assert rows["Software"] == ["2", "1", "+1"]
    assert table[1].startswith("Finance")


def test_a_blocked_mentor_is_no_supply(world: World) -> None:
    seed_program(world)
    world.run(ADMIN, admin.block_member, Ref("bo"), NOW, admin=True)
    outcome = world.run(ADMIN, admin.program_stats, 30, NOW, admin=True)
    assert outcome.reply is not None
    table = outcome.reply.text.split("```")[1].strip().splitlines()
    finance = next(line for line in table if line.startswith("Finance"))
    assert finance.split()[1:] == ["4", "1", "+3"]


def test_stats_window_must_be_sensible(world: World) -> None:
    with pytest.raises(InvalidInput, match="1 to 3650 days"):
        world.run(ADMIN, admin.program_stats, 0, NOW, admin=True)


# ---------------------------------------------------------------- export


def test_export_requests_parses_back(world: World) -> None:
    seed_program(world)
    outcome = world.run(ADMIN, admin.export_csv, "requests", NOW, admin=True)
    assert outcome.reply is not None
    assert outcome.reply.attachments[0].filename == "introbot-requests-2026-11-26.csv"
    assert "6 requests" in outcome.reply.text
    rows = parse_csv(outcome.reply)
    assert list(rows[0]) == list(admin.REQUEST_COLUMNS)
    assert len(rows) == 6
    assert [r["status"] for r in rows] == [
        "pending", "accepted", "completed", "declined", "expired", "completed",
    ]
    first = rows[0]
    assert (first["seeker_handle"], first["mentor_handle"]) == ("sam", "ana")
    assert first["created_at"] == (NOW - timedelta(days=2)).isoformat()
    assert first["responded_at"] == ""
    assert rows[2]["thanked_at"] == (NOW - timedelta(days=10)).isoformat()
    assert first["lint_flagged"] == "no"
    assert "How" not in outcome.reply.attachments[0].content.decode()  # no request texts


def test_export_leaves_erased_members_handles_blank(world: World) -> None:
    seed_program(world)
    sam = world.person("sam")
    with world.uow_factory() as uow:
        assert sam.id is not None
        uow.erase_member(sam.community_id, sam.id)
        uow.commit()
    rows = parse_csv(world.run(ADMIN, admin.export_csv, "requests", NOW, admin=True).reply)
    assert [r["seeker_handle"] for r in rows] == ["", "kim", "", "kim", "kim", ""]
    assert {r["mentor_handle"] for r in rows} == {"ana", "bo"}


def test_export_escapes_spreadsheet_formulas(world: World) -> None:
    world.mentor("eve", "=HYPERLINK(\"http://x\")", headline="+1 555 0100",
                 company="@corp", role="-cmd", bio="=bio stays out of the export")
    outcome = world.run(ADMIN, admin.export_csv, "mentors", NOW, admin=True)
    (row,) = parse_csv(outcome.reply)
    assert row["industries"] == "'=HYPERLINK(\"http://x\")"
    assert row["headline"] == "'+1 555 0100"
    assert row["company"] == "'@corp"
    assert row["role"] == "'-cmd"
    assert row["handle"] == "eve"
    assert row["status"] == "active"
    assert row["available"] == "yes"


def test_export_mentors_lists_every_profile(world: World) -> None:
    world.mentor("ana", "Software", away_until=NOW + timedelta(days=3), capacity=4)
    world.mentor("bo", "Law", active=False, available=False)
    outcome = world.run(ADMIN, admin.export_csv, " Mentors ", NOW, admin=True)
    assert outcome.reply is not None
    assert outcome.reply.attachments[0].filename == "introbot-mentors-2026-11-26.csv"
    rows = parse_csv(outcome.reply)
    assert list(rows[0]) == list(admin.MENTOR_COLUMNS)
    by_handle = {r["handle"]: r for r in rows}
    assert by_handle["ana"]["away_until"] == (NOW + timedelta(days=3)).isoformat()
    assert by_handle["ana"]["capacity"] == "4"
    assert by_handle["ana"]["timezone"] == "Europe/Berlin"
    assert by_handle["bo"]["status"] == "left"


def test_export_of_something_else_is_refused(world: World) -> None:
    with pytest.raises(InvalidInput, match="'requests' or 'mentors'"):
        world.run(ADMIN, admin.export_csv, "members", NOW, admin=True)


# ---------------------------------------------------------------- config


def test_config_shows_every_setting_with_its_default(world: World) -> None:
    values = fields_of(world.run(ADMIN, admin.show_config, admin=True).reply)
    assert set(values) == set(admin.SPECS)
    assert values["request_expiry_days"].startswith("7 (default)")


def test_config_change_is_stored_audited_and_shown(world: World) -> None:
    outcome = world.run(ADMIN, admin.set_config, "Request_Expiry_Days", " 10 ", NOW, admin=True)
    assert outcome.reply is not None
    assert outcome.reply.text.startswith("request_expiry_days: 7 → 10.")
    values = fields_of(world.run(ADMIN, admin.show_config, admin=True).reply)
    assert values["request_expiry_days"].startswith("10 (default 7)")
    with world.uow_factory() as uow:
        actor = world.actor(uow, ADMIN, admin=True)
        assert actor.settings.request_expiry_days == 10
        entries = [(e.action, e.detail)
                   for e in uow.audit.for_actor(actor.community_id, actor.member_id)]
    assert entries == [("config.changed", "request_expiry_days: 7 → 10")]


def test_config_same_value_changes_nothing(world: World) -> None:
    outcome = world.run(ADMIN, admin.set_config, "lint_mode", "WARN", NOW, admin=True)
    assert outcome.reply is not None
    assert "already warn" in outcome.reply.text
    with world.uow_factory() as uow:
        actor = world.actor(uow, ADMIN, admin=True)
        assert uow.audit.for_actor(actor.community_id, actor.member_id) == []


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("request_expiry_days", "0", "whole number from 1 to 60"),
        ("lint_mode", "shout", "one of: warn, block"),
        ("quiet_hours", "late", "21:00-08:00"),
        ("colour", "blue", "no setting called 'colour'"),
    ],
)
def test_config_invalid_values_are_refused(
    world: World, key: str, value: str, expected: str
) -> None:
    with pytest.raises(InvalidInput, match=expected):
        world.run(ADMIN, admin.set_config, key, value, NOW, admin=True)
    values = fields_of(world.run(ADMIN, admin.show_config, admin=True).reply)
    assert all("(default)" in v for v in values.values())


# ---------------------------------------------------------------- block


def test_block_stops_requests_and_search_until_unblocked(world: World) -> None:
    world.person("sam")
    ana = world.mentor("ana", "Software")

    outcome = world.run(ADMIN, admin.block_member, Ref("sam"), NOW, admin=True)
    assert outcome.reply is not None and "sam" in outcome.reply.text.lower()
    with pytest.raises(NotAllowed, match="paused by the program admins"):
        world.run("sam", requests.open_request_form, Ref("ana"), "", NOW)

    world.run(ADMIN, admin.block_member, Ref("ana"), NOW, admin=True)
    with world.uow_factory() as uow:
        assert uow.mentors.search(ana.community_id, MentorQuery(), NOW) == []

    again = world.run(ADMIN, admin.block_member, Ref("sam"), NOW, admin=True)
    assert again.reply is not None and "already blocked" in again.reply.text

    world.run(ADMIN, admin.unblock_member, Ref("sam"), NOW, admin=True)
    world.run(ADMIN, admin.unblock_member, Ref("ana"), NOW, admin=True)
    form = world.run("sam", requests.open_request_form, Ref("ana"), "", NOW)
    assert form.form is not None
    with world.uow_factory() as uow:
        hits = uow.mentors.search(ana.community_id, MentorQuery(), NOW)
        assert [h.member.handle for h in hits] == ["ana"]
        admin_actor = world.actor(uow, ADMIN, admin=True)
        actions = [e.action for e in uow.audit.for_actor(admin_actor.community_id,
                                                         admin_actor.member_id)]
    assert actions == ["member.blocked", "member.blocked", "member.unblocked",
                       "member.unblocked"]


def test_unblocking_someone_not_blocked_says_so(world: World) -> None:
    sam = world.person("sam")
    outcome = world.run(ADMIN, admin.unblock_member, sam, NOW, admin=True)
    assert outcome.reply is not None and "isn't blocked" in outcome.reply.text


def test_admins_cannot_block_themselves_or_other_admins(world: World) -> None:
    me = world.person(ADMIN, admin=True)
    other = world.person("grace", admin=True)
    configured = world.person("linus")
    world.admin_ids = frozenset({"linus"})
    with pytest.raises(NotAllowed, match="block yourself"):
        world.run(ADMIN, admin.block_member, me, NOW, admin=True)
    with pytest.raises(NotAllowed, match="is a program admin"):
        world.run(ADMIN, admin.block_member, other, NOW, admin=True)
    with pytest.raises(NotAllowed, match="is a program admin"):
        world.run(ADMIN, admin.block_member, configured, NOW, world.admin_ids, admin=True)
    with world.uow_factory() as uow:
        assert uow.blocks.get(me.community_id, other.id or 0) is None


def test_members_cannot_block(world: World) -> None:
    kim = world.person("kim")
    with pytest.raises(NotAllowed, match="program admins"):
        world.run("sam", admin.block_member, kim, NOW)
    with pytest.raises(NotAllowed, match="program admins"):
        world.run("sam", admin.unblock_member, kim, NOW)
