"""Erasing a member leaves nothing personal about them in any table."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, select

from bot.domain import FollowUp, MentorQuery, ReminderSpec, RequestStatus, SearchEvent
from storage.tables import metadata
from storage.uow import SqlUnitOfWorkFactory, make_uow_factory
from tests.storage.builders import NOW, Builder, builder
from tests.support.db import make_test_engine

Factory = SqlUnitOfWorkFactory

# Everything that identifies Zed or that Zed wrote. Rare strings, so a match means a leak.
PERSONAL = [
    "Zedekiah Quorn",
    "zedq.handle",
    "U-zedq.handle",
    "DM-ZEDQ",
    "Europe/Zedland",
    "zedtopic",
    "zedwhy",
    "zedslots",
    "zedlearned",
    "zeddecline",
    "zednote",
    "zedheadline",
    "zedbio",
    "zedcompany",
    "zedfollow",
    "zedpayload",
    "zeddetail",
]


def _fill(b: Builder) -> tuple[int, dict[str, int]]:
    uow = b.uow
    zed, profile = b.mentor(
        "zedq.handle",
        text="zedheadline zedbio",
        headline="zedheadline",
        bio="zedbio",
        company="zedcompany",
    )
    zed.display_name = "Zedekiah Quorn"
    zed.dm_channel_id = "DM-ZEDQ"
    zed.timezone = "Europe/Zedland"
    zed.is_admin = True
    other = b.member("olive", "Olive Other")
    mentor, _ = b.mentor("mona", text="python")
    as_seeker = b.request(
        zed,
        mentor,
        topic="zedtopic",
        why_you="zedwhy",
        availability="zedslots",
        learned="zedlearned",
        status=RequestStatus.COMPLETED,
        industry="Software",
    )
    as_mentor = b.request(
        other, zed, topic="olive asks zedq", decline_reason="zeddecline", status="declined"
    )
    untouched = b.request(other, mentor, topic="olive topic")
    b.warm_intro(zed, other, mentor, note="zednote as connector")
    b.warm_intro(other, zed, mentor, note="zednote as seeker")
    b.warm_intro(other, other, zed, note="zednote as mentor")
    b.block(zed, other, reason="zedq misbehaved")  # a block of zed goes
    kept_block = b.block(b.member("troll"), zed, reason="spam")  # a block by zed stays
    b.audit("mentor.joined", zed, "mentor_profile", profile.id, "zeddetail joined")
    b.audit("member.blocked", other, "member", zed.id, "zeddetail blocked")
    b.audit("request.created", other, "intro_request", as_mentor.id, "zeddetail request")
    b.audit("config.changed", zed, "setting", None, "lint_mode: warn -> block")
    uow.followups.add(FollowUp(b.cid, as_seeker.id or 0, zed.id, "zedfollow", NOW))
    uow.followups.add(FollowUp(b.cid, as_mentor.id or 0, other.id, "zedfollow via olive", NOW))
    uow.outbox.schedule(
        ReminderSpec(b.cid, zed.id or 0, "prep", NOW, "to-zed", as_seeker.id, '"zedpayload"')
    )
    uow.outbox.schedule(
        ReminderSpec(b.cid, other.id or 0, "thanks", NOW, "about-zed", as_mentor.id, '"zedpayload"')
    )
    uow.searches.add(SearchEvent(b.cid, NOW, terms="python"))
    ids = {
        "as_seeker": as_seeker.id or 0,
        "as_mentor": as_mentor.id or 0,
        "untouched": untouched.id or 0,
        "kept_block": kept_block.id or 0,
        "other": other.id or 0,
    }
    return zed.id or 0, ids


def _leaks(engine: Engine) -> list[str]:
    found = []
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)):
                for column, value in row._mapping.items():
                    text = str(value).lower()
                    found += [
                        f"{table.name}.{column}: {needle}"
                        for needle in PERSONAL
                        if needle.lower() in text
                    ]
    return found


def test_erase_leaves_nothing_personal(uow_factory: Factory, engine: Engine) -> None:
    with uow_factory() as uow:
        b = builder(uow)
        zed_id, ids = _fill(b)
        uow.commit()
    assert _leaks(engine)  # the check sees the data before erasing
    with uow_factory() as uow:
        uow.erase_member(b.cid, zed_id, NOW)
        uow.commit()
    assert _leaks(engine) == []

    with uow_factory() as uow:
        zed = uow.members.get(b.cid, zed_id)
        assert zed is not None
        assert zed.display_name == "erased member"
        assert zed.handle == zed.platform_user_id == f"erased-{zed_id}"
        assert (zed.timezone, zed.dm_channel_id, zed.is_admin) == ("UTC", None, False)
        assert zed.erased_at == NOW
        assert uow.mentors.by_member(b.cid, zed_id) is None
        assert uow.mentors.search(b.cid, MentorQuery(terms=["zedbio"]), NOW) == []
        # Anonymous rows stay for the counts: status, dates, industry.
        seeker_side = uow.requests.get(b.cid, ids["as_seeker"])
        assert seeker_side is not None
        assert (seeker_side.seeker_id, seeker_side.status, seeker_side.industry) == (
            None,
            "completed",
            "Software",
        )
        assert seeker_side.created_at == NOW - timedelta(days=2)
        mentor_side = uow.requests.get(b.cid, ids["as_mentor"])
        assert mentor_side is not None
        assert (mentor_side.mentor_id, mentor_side.seeker_id) == (None, ids["other"])
        assert mentor_side.status == "declined"
        assert uow.requests.involving(b.cid, zed_id) == []
        untouched = uow.requests.get(b.cid, ids["untouched"])
        assert untouched is not None
        assert untouched.topic == "olive topic"
        assert uow.warm_intros.involving(b.cid, zed_id) == []
        assert len(uow.warm_intros.involving(b.cid, ids["other"])) == 3
        assert uow.blocks.involving(b.cid, zed_id) == []
        assert uow.blocks.involving(b.cid, ids["other"]) == []  # olive's block of zed went
        assert uow.audit.for_actor(b.cid, zed_id) == []
        assert uow.outbox.for_recipient(b.cid, zed_id) == []
        assert [r.payload for r in uow.outbox.pending_for(b.cid, ids["as_mentor"])] == ["{}"]
        assert uow.followups.for_seeker(b.cid, zed_id) == []
        assert len(uow.searches.since(b.cid, NOW)) == 1


def test_a_block_made_by_the_erased_member_stays_without_them(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        b = builder(uow)
        zed_id, ids = _fill(b)
        uow.erase_member(b.cid, zed_id, NOW)
        uow.commit()
    with uow_factory() as uow:
        troll = uow.members.by_handle(b.cid, "troll")
        assert troll is not None
        block = uow.blocks.get(b.cid, troll.id or 0)
        assert block is not None
        assert (block.id, block.blocked_by_id, block.reason) == (ids["kept_block"], None, "spam")


def test_entities_in_memory_see_the_erasure(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        b = builder(uow)
        zed_id, ids = _fill(b)
        request = uow.requests.get(b.cid, ids["as_seeker"])
        zed = uow.members.get(b.cid, zed_id)
        uow.erase_member(b.cid, zed_id, NOW)
        assert zed is not None
        assert request is not None
        assert zed.display_name == "erased member"
        assert (request.seeker_id, request.topic) == (None, "")
        uow.commit()
    assert zed.handle == f"erased-{zed_id}"


def test_erased_text_is_gone_from_the_sqlite_file(tmp_path: Path) -> None:
    """Not even deleted pages or old search-index segments keep it (secure_delete, and the
    index is rewritten)."""
    with make_test_engine("sqlite", tmp_path) as engine:
        uow_factory = make_uow_factory(engine)
        with uow_factory() as uow:
            b = builder(uow)
            zed_id, _ = _fill(b)
            uow.commit()
        with uow_factory() as uow:
            uow.erase_member(b.cid, zed_id, NOW)
            uow.commit()
    raw = sqlite3.connect(tmp_path / "introbot.db")
    try:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
    content = b"".join(path.read_bytes() for path in tmp_path.glob("introbot.db*")).lower()
    leaked = [needle for needle in PERSONAL if needle.lower().encode() in content]
    assert leaked == []
