"""The database itself refuses duplicates and dangling references."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, insert
from sqlalchemy.exc import IntegrityError

from bot.domain import Block, MentorProfile, ReminderSpec
from storage import tables
from storage.uow import SqlUnitOfWorkFactory
from tests.storage.builders import NOW, builder

Factory = SqlUnitOfWorkFactory


def test_one_community_per_platform_key(engine: Engine) -> None:
    row = {"platform": "slack", "external_id": "T9", "name": "x", "created_at": NOW}
    with engine.begin() as connection:
        connection.execute(insert(tables.communities).values(**row))
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert(tables.communities).values(**row))


def test_one_member_per_platform_user(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        b = builder(uow)
        b.member("ann")
        with pytest.raises(IntegrityError):
            b.member("ann")


def test_the_same_platform_user_may_join_two_communities(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        in_a = builder(uow, "A").member("ann")
        in_b = builder(uow, "B").member("ann")
        uow.commit()
    assert in_a.platform_user_id == in_b.platform_user_id
    assert in_a.community_id != in_b.community_id
    assert in_a.id != in_b.id


def test_one_profile_per_member(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        b = builder(uow)
        member, _ = b.mentor("mia")
        with pytest.raises(IntegrityError):
            uow.mentors.add(MentorProfile(b.cid, member.id or 0, NOW, NOW))


def test_one_value_per_setting(engine: Engine, uow_factory: Factory) -> None:
    with uow_factory() as uow:
        cid = builder(uow).cid
        uow.commit()
    row = {"community_id": cid, "key": "lint_mode", "value": "warn", "updated_at": NOW}
    with engine.begin() as connection:
        connection.execute(insert(tables.program_settings).values(**row))
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert(tables.program_settings).values(**row))


def test_one_block_per_member(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        b = builder(uow)
        troll, admin = b.member("troll"), b.member("admin")
        b.block(troll, admin)
        with pytest.raises(IntegrityError):
            uow.blocks.add(Block(b.cid, troll.id or 0, None, NOW))


def test_references_must_exist(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        b = builder(uow)
        with pytest.raises(IntegrityError):
            uow.mentors.add(MentorProfile(b.cid, 424242, NOW, NOW))


def test_one_reminder_per_dedupe_key(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        b = builder(uow)
        member = b.member("ann")
        spec = ReminderSpec(b.cid, member.id or 0, "digest", NOW, "digest-2026-20")
        assert uow.outbox.schedule(spec) is True
        assert uow.outbox.schedule(spec) is False
        assert len(uow.outbox.for_recipient(b.cid, member.id or 0)) == 1
