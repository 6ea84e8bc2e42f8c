"""Repositories store and give back the core's entities, with timezone-aware datetimes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, text

from bot.domain import (
    AuditEntry,
    FollowUp,
    IntroRequest,
    MentorProfile,
    RequestStatus,
    SearchEvent,
    WarmIntroStatus,
)
from storage.uow import SqlUnitOfWorkFactory
from tests.storage.builders import NOW, builder

Factory = SqlUnitOfWorkFactory


def _aware_utc(value: datetime | None) -> None:
    assert value is not None
    assert value.tzinfo is not None
    assert value.utcoffset() == timedelta(0)


def test_community_get_or_create_is_idempotent(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        first = uow.communities.get_or_create("slack", "T1", "Alumni", NOW)
        again = uow.communities.get_or_create("slack", "T1", "Alumni", NOW)
        other = uow.communities.get_or_create("discord", "T1", "Alumni", NOW)
        uow.commit()
    assert first.id == again.id
    assert other.id != first.id
    with uow_factory() as uow:
        renamed = uow.communities.get_or_create("slack", "T1", "Alumni Club", NOW)
        uow.commit()
    with uow_factory() as uow:
        stored = uow.communities.get(renamed.id or 0)
        assert stored is not None
        assert stored.name == "Alumni Club"
        _aware_utc(stored.created_at)
        assert [c.external_id for c in uow.communities.all()] == ["T1", "T1"]
        found = uow.communities.by_key("discord", "T1")
        assert found is not None and found.id == other.id
        unnamed = uow.communities.get_or_create("slack", "T1", "", NOW)  # name not given
        assert unnamed.id == renamed.id and unnamed.name == "Alumni Club"
        fresh = uow.communities.get_or_create("slack", "T9", "", NOW)
        assert fresh.name == "T9"
        assert uow.communities.by_key("discord", "T2") is None
        assert uow.communities.by_key("console", "T1") is None


def test_member_round_trip(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        b = builder(uow)
        ann = b.member("ann", "Ann Lee", timezone="Europe/Berlin", dm_channel_id="D1")
        uow.commit()
    assert ann.id is not None
    with uow_factory() as uow:
        stored = uow.members.get(b.cid, ann.id)
        assert stored is not None
        assert (stored.display_name, stored.handle, stored.timezone) == (
            "Ann Lee",
            "ann",
            "Europe/Berlin",
        )
        assert stored.dm_channel_id == "D1"
        assert stored.created_at == ann.created_at
        _aware_utc(stored.created_at)
        assert uow.members.by_platform_id(b.cid, "U-ann") == stored
        assert uow.members.by_platform_id(b.cid, "U-nobody") is None


def test_datetimes_in_other_zones_are_stored_as_the_same_instant(uow_factory: Factory) -> None:
    berlin = timezone(timedelta(hours=2))
    local = datetime(2026, 5, 15, 14, 30, tzinfo=berlin)
    with uow_factory() as uow:
        b = builder(uow)
        member = b.member("tz", created_at=local)
        uow.commit()
    with uow_factory() as uow:
        stored = uow.members.get(b.cid, member.id or 0)
        assert stored is not None
        assert stored.created_at == local
        assert stored.created_at.tzinfo == UTC
        assert stored.created_at.hour == 12


def test_naive_datetimes_are_refused(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        b = builder(uow)
        with pytest.raises(Exception, match="naive datetime"):
            b.member("naive", created_at=datetime(2026, 1, 1))


def test_by_handle_is_case_insensitive_and_ignores_at(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        b = builder(uow)
        sam = b.member("sam.rivera", "Sam Rivera")
        b.member("jo", "Sam.Rivera")  # a display name equal to sam's handle
        uow.commit()
    with uow_factory() as uow:
        for typed in ("sam.rivera", "@Sam.Rivera", "  @SAM.RIVERA "):
            found = uow.members.by_handle(b.cid, typed)
            assert found is not None
            assert found.id == sam.id, typed
        by_name = uow.members.by_handle(b.cid, "sam rivera")
        assert by_name is not None
        assert by_name.id == sam.id
        assert uow.members.by_handle(b.cid, "@nobody") is None
        assert uow.members.by_handle(b.cid, "@") is None


def test_by_handle_skips_erased_members(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        b = builder(uow)
        gone = b.member("gone")
        uow.erase_member(b.cid, gone.id or 0, NOW)
        uow.commit()
    with uow_factory() as uow:
        assert uow.members.by_handle(b.cid, f"erased-{gone.id}") is None
        assert uow.members.by_handle(b.cid, "erased member") is None


def test_many_and_admins(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        b = builder(uow)
        a = b.member("a", is_admin=True)
        c = b.member("c")
        d = b.member("d", is_admin=True)
        uow.commit()
    with uow_factory() as uow:
        found = uow.members.many(b.cid, [a.id or 0, c.id or 0, 999_999])
        assert set(found) == {a.id, c.id}
        assert found[a.id or 0].handle == "a"
        assert uow.members.many(b.cid, []) == {}
        assert [m.handle for m in uow.members.admins(b.cid)] == ["a", "d"]
        uow.erase_member(b.cid, d.id or 0, NOW)
        assert [m.handle for m in uow.members.admins(b.cid)] == ["a"]


def test_mentor_profile_round_trip(uow_factory: Factory) -> None:
    away = NOW + timedelta(days=3)
    with uow_factory() as uow:
        b = builder(uow)
        member, profile = b.mentor(
            "mia",
            headline="Data scientist",
            industries="Software, Health",
            expertise="ml, statistics",
            company="Acme",
            role="Lead",
            cohort="2012",
            bio="I like teaching.",
            formats="call,coffee",
            capacity=4,
            available=False,
            away_until=away,
            accepted_month="2026-05",
            accepted_count=1,
            last_requested_at=NOW,
            recent_requests=2,
            consecutive_expiries=1,
        )
        seeker = b.member("not-a-mentor")
        uow.commit()
    with uow_factory() as uow:
        stored = uow.mentors.by_member(b.cid, member.id or 0)
        assert stored is not None
        assert stored == profile
        _aware_utc(stored.away_until)
        _aware_utc(stored.last_requested_at)
        _aware_utc(stored.updated_at)
        assert stored.search_text  # filled in when the core left it empty
        assert "Data scientist" in stored.search_text
        assert uow.mentors.all(b.cid) == [stored]
        found = uow.mentors.many_by_member(b.cid, [member.id or 0, seeker.id or 0])
        assert found == {member.id: stored}
        assert uow.mentors.many_by_member(b.cid, []) == {}


def test_profile_changes_are_saved(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        b = builder(uow)
        member, profile = b.mentor("kim", text="kim text")
        uow.commit()
    profile.capacity = 5
    profile.headline = "Changed"
    with uow_factory() as uow:
        stored = uow.mentors.by_member(b.cid, member.id or 0)
        assert stored is not None
        stored.capacity = 5
        stored.search_text = "new words"
        uow.commit()
    with uow_factory() as uow:
        stored = uow.mentors.by_member(b.cid, member.id or 0)
        assert stored is not None
        assert stored.capacity == 5
        assert stored.search_text == "new words"


def test_away_ended_and_delete(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        b = builder(uow)
        _, back = b.mentor("back", away_until=NOW - timedelta(hours=1))
        b.mentor("still", away_until=NOW + timedelta(hours=1))
        b.mentor("never")
        _, exact = b.mentor("exact", away_until=NOW)
        uow.commit()
    with uow_factory() as uow:
        ended = uow.mentors.away_ended(b.cid, NOW)
        assert [p.id for p in ended] == [back.id, exact.id]
        uow.mentors.delete(ended[0])
        uow.commit()
    with uow_factory() as uow:
        assert [p.id for p in uow.mentors.all(b.cid)] != []
        assert back.id not in [p.id for p in uow.mentors.all(b.cid)]


def test_intro_request_round_trip_and_queries(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        b = builder(uow)
        seeker = b.member("seeker")
        other = b.member("other")
        mentor, _ = b.mentor("mentor")
        mentor2, _ = b.mentor("mentor2")
        first = b.request(
            seeker,
            mentor,
            created_at=NOW - timedelta(days=3),
            expires_at=NOW - timedelta(minutes=1),
            why_you="you know things",
            format="video",
            availability="evenings",
            industry="Software",
            lint_flagged=True,
            scheduled_at=NOW + timedelta(days=1),
            duration_minutes=20,
        )
        second = b.request(seeker, mentor2, status=RequestStatus.ACCEPTED)
        done = b.request(
            seeker, mentor, status=RequestStatus.COMPLETED, created_at=NOW - timedelta(days=9)
        )
        theirs = b.request(other, mentor, expires_at=NOW)
        uow.commit()
    with uow_factory() as uow:
        stored = uow.requests.get(b.cid, first.id or 0)
        assert stored == first
        _aware_utc(stored.expires_at if stored else None)
        _aware_utc(stored.scheduled_at if stored else None)
        assert [r.id for r in uow.requests.for_seeker(b.cid, seeker.id or 0)] == [
            done.id,
            first.id,
            second.id,
        ]
        assert [r.id for r in uow.requests.for_mentor(b.cid, mentor.id or 0)] == [
            done.id,
            first.id,
            theirs.id,
        ]
        pending = uow.requests.for_mentor(b.cid, mentor.id or 0, [RequestStatus.PENDING])
        assert [r.id for r in pending] == [first.id, theirs.id]
        assert uow.requests.count_pending_for_seeker(b.cid, seeker.id or 0) == 1
        between = uow.requests.open_between(b.cid, seeker.id or 0, mentor.id or 0)
        assert between is not None
        assert between.id == first.id
        assert uow.requests.open_between(b.cid, other.id or 0, mentor2.id or 0) is None
        assert len(uow.requests.all(b.cid)) == 4
        assert [r.id for r in uow.requests.all(b.cid, since=NOW - timedelta(days=5))] == [
            first.id,
            second.id,
            theirs.id,
        ]
        assert {r.id for r in uow.requests.involving(b.cid, mentor.id or 0)} == {
            first.id,
            done.id,
            theirs.id,
        }
        assert [r.id for r in uow.requests.due_to_expire(b.cid, NOW)] == [first.id, theirs.id]
        assert uow.requests.due_to_expire(b.cid, NOW - timedelta(hours=1)) == []
        found = uow.requests.many(b.cid, [first.id or 0, done.id or 0, 999_999])
        assert set(found) == {first.id, done.id}
        assert found[first.id or 0] == stored
        assert uow.requests.many(b.cid, []) == {}


def test_request_status_changes_are_saved(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        b = builder(uow)
        request = b.request(b.member("s"), b.member("m"))
        uow.commit()
    with uow_factory() as uow:
        stored = uow.requests.get(b.cid, request.id or 0)
        assert stored is not None
        stored.status = RequestStatus.DECLINED
        stored.decline_reason = "busy"
        stored.responded_at = NOW
        uow.commit()
    with uow_factory() as uow:
        stored = uow.requests.get(b.cid, request.id or 0)
        assert stored is not None
        assert (stored.status, stored.decline_reason) == ("declined", "busy")
        _aware_utc(stored.responded_at)


def test_warm_intros(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        b = builder(uow)
        connector, seeker, mentor, bystander = (b.member(h) for h in ("c", "s", "m", "x"))
        intro = b.warm_intro(connector, seeker, mentor, note="you two should talk")
        request = b.request(seeker, mentor, via_warm_intro_id=intro.id)
        uow.commit()
    with uow_factory() as uow:
        assert uow.warm_intros.get(b.cid, intro.id or 0) == intro
        for person in (connector, seeker, mentor):
            assert [w.id for w in uow.warm_intros.involving(b.cid, person.id or 0)] == [intro.id]
        assert uow.warm_intros.involving(b.cid, bystander.id or 0) == []
        stored = uow.warm_intros.get(b.cid, intro.id or 0)
        assert stored is not None
        stored.status = WarmIntroStatus.MENTOR_ACCEPTED
        stored.responded_at = NOW
        via = uow.requests.get(b.cid, request.id or 0)
        assert via is not None
        assert via.via_warm_intro_id == intro.id
        uow.commit()
    with uow_factory() as uow:
        stored = uow.warm_intros.get(b.cid, intro.id or 0)
        assert stored is not None
        assert stored.status == "mentor_accepted"
        _aware_utc(stored.responded_at)


def test_settings_upsert(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        b = builder(uow)
        assert uow.settings.get_all(b.cid) == {}
        uow.settings.set(b.cid, "lint_mode", "block", NOW)
        uow.settings.set(b.cid, "max_open_requests", "4", NOW)
        uow.settings.set(b.cid, "lint_mode", "warn", NOW + timedelta(minutes=1))
        uow.commit()
    with uow_factory() as uow:
        assert uow.settings.get_all(b.cid) == {"lint_mode": "warn", "max_open_requests": "4"}


def test_blocks(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        b = builder(uow)
        admin, troll, other = b.member("admin"), b.member("troll"), b.member("other")
        block = b.block(troll, admin, reason="spam")
        uow.commit()
    with uow_factory() as uow:
        stored = uow.blocks.get(b.cid, troll.id or 0)
        assert stored == block
        assert uow.blocks.get(b.cid, other.id or 0) is None
        assert [x.id for x in uow.blocks.involving(b.cid, troll.id or 0)] == [block.id]
        assert [x.id for x in uow.blocks.involving(b.cid, admin.id or 0)] == [block.id]
        assert uow.blocks.involving(b.cid, other.id or 0) == []
        assert stored is not None
        uow.blocks.remove(stored)
        uow.commit()
    with uow_factory() as uow:
        assert uow.blocks.get(b.cid, troll.id or 0) is None


def test_audit_log(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        b = builder(uow)
        actor = b.member("actor")
        b.audit("mentor.joined", actor, "mentor_profile", 7, "hello")
        b.audit("config.changed", actor, "setting", None, "lint_mode")
        b.audit("request.expired", None, "mentor_profile", 7)
        uow.commit()
    with uow_factory() as uow:
        mine = uow.audit.for_actor(b.cid, actor.id or 0)
        assert [e.action for e in mine] == ["mentor.joined", "config.changed"]
        _aware_utc(mine[0].at)
        about = uow.audit.for_entity(b.cid, "mentor_profile", 7)
        assert [e.action for e in about] == ["mentor.joined", "request.expired"]
        assert isinstance(about[0], AuditEntry)


def test_search_log(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        b = builder(uow)
        for days, terms in ((10, "old"), (2, "recent"), (0, "now")):
            uow.searches.add(
                SearchEvent(b.cid, NOW - timedelta(days=days), terms=terms, results=days)
            )
        uow.commit()
    with uow_factory() as uow:
        events = uow.searches.since(b.cid, NOW - timedelta(days=3))
        assert [e.terms for e in events] == ["recent", "now"]
        _aware_utc(events[0].at)
        uow.searches.add_many([
            SearchEvent(b.cid, NOW - timedelta(hours=1), terms="many", industry="Climate",
                        company="Acme", results=3),
            SearchEvent(b.cid, NOW + timedelta(hours=1), terms="more"),
        ])
        uow.searches.add_many([])
        uow.commit()
    with uow_factory() as uow:
        events = uow.searches.since(b.cid, NOW - timedelta(days=3))
        assert [(e.terms, e.industry, e.company, e.results) for e in events] == [
            ("recent", "", "", 2), ("many", "Climate", "Acme", 3), ("now", "", "", 0),
            ("more", "", "", 0)]
        assert events[1].at == NOW - timedelta(hours=1)


def test_follow_ups(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        b = builder(uow)
        seeker, mentor = b.member("s"), b.member("m")
        request = b.request(seeker, mentor)
        followup = uow.followups.add(
            FollowUp(b.cid, request.id or 0, seeker.id, "read the book", NOW, NOW + timedelta(3))
        )
        uow.commit()
    with uow_factory() as uow:
        assert uow.followups.get(b.cid, followup.id or 0) == followup
        assert uow.followups.for_request(b.cid, request.id or 0) == [followup]
        assert uow.followups.for_seeker(b.cid, seeker.id or 0) == [followup]
        assert uow.followups.for_seeker(b.cid, mentor.id or 0) == []


def test_leaving_without_commit_rolls_back(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        b = builder(uow)
        uow.commit()
    with uow_factory() as uow:
        b.uow = uow
        b.member("ghost")
    with uow_factory() as uow:
        assert uow.members.by_handle(b.cid, "ghost") is None


def test_rollback_discards_and_the_unit_continues(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        b = builder(uow)
        uow.commit()
        b.member("temp")
        uow.rollback()
        assert uow.members.by_handle(b.cid, "temp") is None
        b.member("kept")
        uow.commit()
    with uow_factory() as uow:
        assert uow.members.by_handle(b.cid, "kept") is not None


def test_an_error_inside_the_block_rolls_back(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        b = builder(uow)
        uow.commit()
    with pytest.raises(RuntimeError), uow_factory() as uow:
        b.uow = uow
        b.member("half")
        raise RuntimeError("boom")
    with uow_factory() as uow:
        assert uow.members.by_handle(b.cid, "half") is None


def test_entities_stay_usable_after_the_block(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        b = builder(uow)
        member = b.member("after")
        uow.commit()
    assert member.display_name == "After"
    assert member.id is not None
    _aware_utc(member.created_at)


def test_entities_read_without_commit_stay_usable(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        b = builder(uow)
        b.member("reader")
        uow.commit()
    with uow_factory() as uow:
        member = uow.members.by_handle(b.cid, "reader")
        community = uow.communities.get(b.cid)
    assert member is not None
    assert community is not None
    assert (member.handle, community.external_id) == ("reader", "T1")


def test_flush_assigns_ids(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        b = builder(uow)
        seeker, mentor = b.member("s"), b.member("m")
        request = IntroRequest(b.cid, seeker.id, mentor.id, NOW, NOW, "topic")
        uow.requests.add(request)
        uow.flush()
        assert request.id is not None


def test_a_unit_of_work_is_not_entered_twice(uow_factory: Factory) -> None:
    uow = uow_factory()
    with uow, pytest.raises(RuntimeError), uow:
        pass
    with uow:  # usable again once closed
        assert uow.communities.all() == []


def test_profile_without_search_text_gets_one(uow_factory: Factory, engine: Engine) -> None:
    with uow_factory() as uow:
        b = builder(uow)
        member = b.member("plain")
        uow.mentors.add(
            MentorProfile(
                b.cid, member.id or 0, NOW, NOW, headline="Chef", industries="Food, Travel"
            )
        )
        uow.commit()
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT search_text FROM mentor_profiles")).scalar()
    assert stored == "Chef Food  Travel"


def test_a_read_only_unit_reads_and_refuses_to_commit(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        b = builder(uow)
        b.member("reader")
        uow.commit()
    with uow_factory(read_only=True) as uow:  # type: ignore[call-arg]
        assert uow.members.by_handle(b.cid, "reader") is not None
        with pytest.raises(RuntimeError, match="read-only"):
            uow.commit()


def test_a_read_only_unit_does_not_wait_for_a_writer(
    uow_factory: Factory, engine: Engine
) -> None:
    """On SQLite every writing transaction takes the write lock up front (BEGIN IMMEDIATE);
    a read-only one reads its snapshot beside a writer that holds the lock."""
    with uow_factory() as uow:
        b = builder(uow)
        b.member("reader")
        uow.commit()
    with engine.connect() as writer:
        writer.execute(text("UPDATE members SET display_name = 'Changing' WHERE handle = 'reader'"))
        with uow_factory(read_only=True) as uow:  # type: ignore[call-arg]
            found = uow.members.by_handle(b.cid, "reader")
            assert found is not None and found.display_name == "Reader"
        writer.rollback()
