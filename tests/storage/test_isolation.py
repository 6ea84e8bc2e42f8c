"""A community never sees another community's rows, through any repository method."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from bot.domain import FollowUp, IntroRequest, Member, MentorQuery, ReminderSpec, SearchEvent
from storage.uow import SqlUnitOfWork, SqlUnitOfWorkFactory
from tests.storage.builders import NOW, builder

Factory = SqlUnitOfWorkFactory


@dataclass
class Side:
    """Ids of one community's rows. Both communities get the same-looking data."""

    cid: int
    name: str
    seeker: int
    mentor: int
    admin: int
    profile: int
    request: int
    intro: int
    block: int
    followup: int


def _fill(uow: SqlUnitOfWork, external_id: str) -> Side:
    b = builder(uow, external_id)
    seeker = b.member("sam", "Sam Seeker", is_admin=False)
    admin = b.member("ada", "Ada Admin", is_admin=True)
    mentor, profile = b.mentor(
        "mo", text="python", industries="Software", company="Acme", away_until=NOW
    )
    troll = b.member("troll")
    request = b.request(seeker, mentor, expires_at=NOW - timedelta(hours=1))
    intro = b.warm_intro(admin, seeker, mentor)
    block = b.block(troll, admin)
    b.audit("request.created", seeker, "intro_request", request.id)
    uow.settings.set(b.cid, "lint_mode", f"mode-{external_id}", NOW)
    uow.searches.add(SearchEvent(b.cid, NOW, terms="python"))
    followup = uow.followups.add(FollowUp(b.cid, request.id or 0, seeker.id, "read", NOW))
    uow.outbox.schedule(
        ReminderSpec(b.cid, seeker.id or 0, "prep", NOW, "prep-1", request_id=request.id)
    )
    ids = (seeker, mentor, admin, profile, request, intro, block, followup)
    assert all(item.id is not None for item in ids)
    return Side(
        b.cid,
        external_id,
        seeker.id or 0,
        mentor.id or 0,
        admin.id or 0,
        profile.id or 0,
        request.id or 0,
        intro.id or 0,
        block.id or 0,
        followup.id or 0,
    )


@pytest.fixture
def sides(uow_factory: Factory) -> tuple[Side, Side]:
    with uow_factory() as uow:
        a, b = _fill(uow, "A"), _fill(uow, "B")
        uow.commit()
    return a, b


def test_each_community_sees_only_its_own_rows(
    uow_factory: Factory, sides: tuple[Side, Side]
) -> None:
    for me, them in (sides, sides[::-1]):
        with uow_factory() as uow:
            assert_sees_only_its_own(uow, me, them)


def _only_mine(rows: list[object] | dict[int, object], me: Side) -> None:
    values = list(rows.values()) if isinstance(rows, dict) else rows
    assert values, "the community's own row is found"
    assert all(getattr(row, "community_id", me.cid) == me.cid for row in values)


def assert_sees_only_its_own(uow: SqlUnitOfWork, me: Side, them: Side) -> None:
    cid = me.cid
    # Members: by id, platform id, handle, many, admins.
    assert uow.members.get(cid, them.seeker) is None
    found = uow.members.by_platform_id(cid, "U-sam")
    assert found is not None
    assert found.id == me.seeker
    found = uow.members.by_handle(cid, "@sam")
    assert found is not None
    assert found.id == me.seeker
    assert set(uow.members.many(cid, [me.seeker, them.seeker, them.mentor])) == {me.seeker}
    assert [m.id for m in uow.members.admins(cid)] == [me.admin]
    # Mentors.
    assert uow.mentors.by_member(cid, them.mentor) is None
    assert set(uow.mentors.many_by_member(cid, [me.mentor, them.mentor])) == {me.mentor}
    _only_mine(list(uow.mentors.all(cid)), me)
    _only_mine(list(uow.mentors.away_ended(cid, NOW)), me)
    for query in (MentorQuery(), MentorQuery(terms=["python"]), MentorQuery(company="acme")):
        hits = uow.mentors.search(cid, query, NOW)
        assert [hit.member.id for hit in hits] == [me.mentor]
    # Requests.
    assert uow.requests.get(cid, them.request) is None
    assert set(uow.requests.many(cid, [me.request, them.request])) == {me.request}
    _only_mine(list(uow.requests.for_seeker(cid, me.seeker)), me)
    assert uow.requests.for_seeker(cid, them.seeker) == []
    assert uow.requests.for_mentor(cid, them.mentor) == []
    assert uow.requests.count_pending_for_seeker(cid, them.seeker) == 0
    assert uow.requests.open_between(cid, them.seeker, them.mentor) is None
    _only_mine(list(uow.requests.all(cid)), me)
    _only_mine(list(uow.requests.all(cid, since=NOW - timedelta(days=30))), me)
    assert uow.requests.involving(cid, them.mentor) == []
    _only_mine(list(uow.requests.due_to_expire(cid, NOW)), me)
    # Warm intros.
    assert uow.warm_intros.get(cid, them.intro) is None
    assert uow.warm_intros.involving(cid, them.seeker) == []
    _only_mine(list(uow.warm_intros.involving(cid, me.seeker)), me)
    # Settings.
    assert uow.settings.get_all(cid) == {"lint_mode": f"mode-{me.name}"}
    # Blocks.
    assert uow.blocks.get(cid, them.admin) is None
    assert uow.blocks.involving(cid, them.admin) == []
    _only_mine(list(uow.blocks.involving(cid, me.admin)), me)
    # Audit and search log.
    assert uow.audit.for_actor(cid, them.seeker) == []
    assert uow.audit.for_entity(cid, "intro_request", them.request) == []
    _only_mine(list(uow.audit.for_entity(cid, "intro_request", me.request)), me)
    _only_mine(list(uow.searches.since(cid, NOW - timedelta(days=1))), me)
    # Follow-ups and reminders.
    assert uow.followups.get(cid, them.followup) is None
    assert uow.followups.for_request(cid, them.request) == []
    assert uow.followups.for_seeker(cid, them.seeker) == []
    _only_mine(list(uow.followups.for_seeker(cid, me.seeker)), me)
    assert uow.outbox.pending_for(cid, them.request) == []
    assert uow.outbox.for_recipient(cid, them.seeker) == []
    _only_mine(list(uow.outbox.for_recipient(cid, me.seeker)), me)
    assert uow.outbox.cancel(cid, them.request) == 0
    assert not uow.outbox.cancel_key(cid, "nope")


def test_writes_through_one_community_leave_the_other_alone(
    uow_factory: Factory, sides: tuple[Side, Side]
) -> None:
    a, b = sides
    with uow_factory() as uow:
        uow.erase_member(a.cid, a.seeker, NOW)
        assert uow.outbox.cancel(a.cid, a.request) == 0  # erased with the seeker
        uow.settings.set(a.cid, "lint_mode", "block", NOW)
        uow.commit()
    with uow_factory() as uow:
        seeker = uow.members.get(b.cid, b.seeker)
        assert seeker is not None
        assert seeker.display_name == "Sam Seeker"
        assert uow.settings.get_all(b.cid) == {"lint_mode": "mode-B"}
        assert len(uow.outbox.for_recipient(b.cid, b.seeker)) == 1
        request = uow.requests.get(b.cid, b.request)
        assert request is not None
        assert request.topic == "how to start"
    with uow_factory() as uow:
        assert uow.outbox.reschedule("prep-1", a.cid, NOW + timedelta(days=1)) is False
        assert uow.outbox.cancel_key(a.cid, "prep-1") is False
        uow.commit()
    with uow_factory() as uow:
        [pending] = uow.outbox.pending_for(b.cid, b.request)
        assert pending.due_at == NOW


def test_the_database_refuses_references_across_communities(
    uow_factory: Factory, sides: tuple[Side, Side]
) -> None:
    a, b = sides
    with uow_factory() as uow, pytest.raises(IntegrityError):
        uow.requests.add(IntroRequest(a.cid, a.seeker, b.mentor, NOW, NOW, "cross"))
    with uow_factory() as uow, pytest.raises(IntegrityError):
        uow.members.add(Member(a.cid, "U-sam", "Twin", "twin", NOW))
