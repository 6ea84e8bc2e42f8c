"""The claim statement: concurrent claimers never take a row twice (with a negative control
that must double-claim), leases, marks that apply only while the claim is ours, release,
next due time and counts. Against a SQLite file and, when configured, PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text, update
from sqlalchemy.exc import OperationalError

from bot.domain import ReminderSpec
from storage import tables
from storage.outbox_claims import OutboxClaims
from storage.uow import SqlUnitOfWorkFactory, make_uow_factory
from tests.dispatcher.world import NOW, OB, People
from tests.support.db import make_test_engine, postgres_url

Factory = SqlUnitOfWorkFactory
Claimer = Callable[[str, datetime], list[int]]

needs_postgres = pytest.mark.skipif(postgres_url() is None,
                                    reason="set INTROBOT_TEST_POSTGRES_URL")


def race(make_claimer: Callable[[], Claimer], workers: int) -> dict[str, list[int]]:
    """`workers` threads released together by a barrier, each claiming until nothing is left;
    the ids each one got."""
    barrier = threading.Barrier(workers)
    got: dict[str, list[int]] = {}
    errors: list[BaseException] = []

    def work(owner: str) -> None:
        claim = make_claimer()
        mine: list[int] = []
        try:
            barrier.wait(timeout=30)
            while batch := claim(owner, NOW):
                mine.extend(batch)
        except BaseException as exc:  # reported below
            errors.append(exc)
        got[owner] = mine

    threads = [threading.Thread(target=work, args=(f"worker-{n}",)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return got


def double_claims(got: dict[str, list[int]]) -> int:
    counts = Counter(row_id for ids in got.values() for row_id in ids)
    return sum(count - 1 for count in counts.values() if count > 1)


def atomic(engine: Engine) -> Callable[[], Claimer]:
    def make() -> Claimer:
        claims = OutboxClaims(engine)
        return lambda owner, now: [item.id for item in claims.claim(
            owner, now, limit=7, lease=timedelta(hours=1))]
    return make


def naive(engine: Engine) -> Callable[[], Claimer]:
    """SELECT the due ids, then UPDATE them: the claim RELIABILITY.md warns about."""
    def make() -> Claimer:
        def claim(owner: str, now: datetime) -> list[int]:
            for _ in range(100):
                try:
                    return once(owner, now)
                except OperationalError as exc:  # it can also deadlock: try again
                    if "deadlock" not in str(exc):
                        raise
            raise AssertionError("deadlocked 100 times in a row")

        def once(owner: str, now: datetime) -> list[int]:
            with engine.begin() as connection:
                ids = list(connection.execute(
                    select(OB.id).where(OB.visible_at <= now, OB.status == "pending")
                    .order_by(OB.visible_at).limit(7)
                ).scalars())
                if ids:
                    until = now + timedelta(hours=1)
                    connection.execute(
                        update(tables.reminder_outbox).where(OB.id.in_(ids))
                        .values(lease_owner=owner, lease_until=until, visible_at=until,
                                attempts=OB.attempts + 1)
                    )
            return ids
        return claim
    return make


def queued(uow_factory: Factory, count: int) -> list[int]:
    people = People(uow_factory)
    keys = set(people.welcome_backs(count, NOW - timedelta(minutes=1)))
    return [row["id"] for key, row in people.rows().items() if key in keys]


def test_concurrent_claimers_never_take_a_row_twice(
    engine: Engine, uow_factory: Factory
) -> None:
    ids = queued(uow_factory, 700)

    got = race(atomic(engine), workers=6)

    assert double_claims(got) == 0
    assert sorted(i for mine in got.values() for i in mine) == sorted(ids)
    with engine.connect() as connection:
        owners = dict(connection.execute(select(OB.id, OB.lease_owner)).all())
        attempts = set(connection.execute(select(OB.attempts)).scalars())
    for owner, mine in got.items():
        assert {owners[i] for i in mine} <= {owner}
    assert attempts == {1}


@needs_postgres
def test_negative_control_a_select_then_update_claim_double_claims_on_postgres(
    tmp_path: Path,
) -> None:
    """The same race with a naive claimer must catch double claims, or the test above
    proves nothing. (On SQLite the engine's BEGIN IMMEDIATE serialises even this one.)"""
    with make_test_engine("postgresql", tmp_path) as engine:
        queued(make_uow_factory(engine), 700)

        got = race(naive(engine), workers=6)

    assert double_claims(got) > 0


@pytest.mark.parametrize("platforms", [None, {"console"}])
def test_the_claim_walks_the_visible_at_index(engine: Engine, platforms: set[str] | None) -> None:
    """Claim cost must not grow with the finished history nor with a community's pending
    rows: the subselect reads the visible_at index, with the platform filter too (the
    dispatcher always passes one)."""
    claims = OutboxClaims(engine)
    statement = claims._claimable(NOW, 25, platforms)
    compiled = statement.compile(engine, compile_kwargs={"literal_binds": True})
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            plan = " ".join(str(row[-1]) for row in connection.execute(
                text(f"EXPLAIN QUERY PLAN {compiled}")))
        else:
            connection.execute(text("SET enable_seqscan = off"))  # an empty table
            plan = " ".join(row[0] for row in connection.execute(text(f"EXPLAIN {compiled}")))
    assert "ix_reminder_outbox_visible_at" in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # no sort: the index gives the order
    claims.close()


def test_a_dead_dispatcher_s_rows_come_back_only_after_its_lease(
    uow_factory: Factory, claims: OutboxClaims
) -> None:
    ids = sorted(queued(uow_factory, 3))
    dead = claims.claim("dead", NOW, limit=10, lease=timedelta(minutes=2))
    assert sorted(item.id for item in dead) == ids
    assert all(item.lease_until == NOW + timedelta(minutes=2) for item in dead)
    assert claims.next_due_at() == NOW + timedelta(minutes=2)

    assert claims.claim("alive", NOW + timedelta(seconds=119), limit=10) == []
    taken = claims.claim("alive", NOW + timedelta(seconds=121), limit=10)

    assert sorted(item.id for item in taken) == ids
    assert {item.attempts for item in taken} == {2}
    # The dead dispatcher's late marks change nothing.
    later = NOW + timedelta(minutes=3)
    assert [claims.mark_sent(item, later) for item in dead] == [False] * 3
    assert claims.mark_dropped(dead[0], later, "moot") is False
    assert claims.mark_failed(dead[1], later, "boom") is None
    assert [claims.mark_sent(item, later) for item in taken] == [True] * 3
    assert claims.next_due_at() is None


def test_marking_twice_changes_nothing_the_second_time(
    uow_factory: Factory, claims: OutboxClaims, engine: Engine
) -> None:
    queued(uow_factory, 1)
    (item,) = claims.claim("me", NOW)
    assert claims.mark_sent(item, NOW) is True
    with engine.connect() as connection:
        before = connection.execute(select(tables.reminder_outbox)).one()
    assert claims.mark_sent(item, NOW + timedelta(seconds=5)) is False
    assert claims.mark_dropped(item, NOW + timedelta(seconds=5), "late") is False
    with engine.connect() as connection:
        assert connection.execute(select(tables.reminder_outbox)).one() == before
    assert before.status == "sent" and before.finished_at == NOW


def test_a_meeting_moved_while_claimed_cannot_be_marked_by_the_old_claim(
    uow_factory: Factory, claims: OutboxClaims
) -> None:
    people = People(uow_factory)
    (key,) = people.welcome_backs(1, NOW)
    (item,) = claims.claim("me", NOW)
    with uow_factory() as uow:
        assert uow.outbox.reschedule(key, people.community_id, NOW + timedelta(hours=5))
        uow.commit()

    assert claims.mark_sent(item, NOW) is False
    row = people.rows()[key]
    assert row["status"] == "pending" and row["visible_at"] == NOW + timedelta(hours=5)


def test_release_hands_back_only_the_owner_s_pending_claims_uncounted(
    uow_factory: Factory, claims: OutboxClaims
) -> None:
    queued(uow_factory, 5)
    mine = claims.claim("me", NOW, limit=3)
    theirs = claims.claim("them", NOW, limit=2)
    assert claims.mark_sent(mine[0], NOW)

    later = NOW + timedelta(seconds=10)
    assert claims.release("me", later) == 2

    again = claims.claim("next", later, limit=10)
    assert sorted(item.id for item in again) == sorted(item.id for item in mine[1:])
    assert {item.attempts for item in again} == {1}  # the released claim did not count
    assert claims.release("nobody", later) == 0
    assert all(claims.mark_sent(item, later) for item in theirs)


def test_racing_inserts_of_one_dedupe_key_keep_one_row(
    uow_factory: Factory, engine: Engine
) -> None:
    people = People(uow_factory)
    spec = ReminderSpec(community_id=people.community_id, recipient_id=people.seeker_id,
                        kind="followup", due_at=NOW, dedupe_key="one-key")
    barrier = threading.Barrier(5)
    inserted: list[bool] = []

    def insert() -> None:
        barrier.wait(timeout=30)
        with uow_factory() as uow:
            inserted.append(uow.outbox.schedule(spec))
            uow.commit()

    threads = [threading.Thread(target=insert) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(inserted) == [False] * 4 + [True]
    assert [key for key in people.rows() if key == "one-key"] == ["one-key"]


def test_stats_count_the_outbox(uow_factory: Factory, claims: OutboxClaims) -> None:
    people = People(uow_factory)
    people.welcome_backs(4, NOW - timedelta(minutes=10))
    people.welcome_backs(2, NOW + timedelta(hours=1), start=10)
    sent, dropped, held = claims.claim("me", NOW, limit=3)
    claims.mark_sent(sent, NOW)
    claims.mark_dropped(dropped, NOW, "moot")

    stats = claims.stats(NOW)

    assert stats.by_status == {"pending": 4, "sent": 1, "dropped": 1}
    assert stats.pending == 4
    assert (stats.due, stats.leased) == (1, 1)
    assert stats.oldest_due_at == NOW - timedelta(minutes=10)
    assert held.lease_owner == "me"
