"""Searches and help by a member the program already knows run in a read-only unit of work
(no write lock on SQLite, nothing to commit); anyone else, or a member whose name or timezone
changed, goes through the writing path first, which stores them."""

from __future__ import annotations

from sqlalchemy import text

from bot.app import IntroProgram
from bot.clock import ManualClock
from bot.context import CommunityKey, Invocation
from bot.ports import UnitOfWork
from storage.uow import SqlUnitOfWorkFactory
from tests.usecases.conftest import World


class Counting:
    """The unit-of-work factory, noting which kind each unit was."""

    def __init__(self, inner: SqlUnitOfWorkFactory) -> None:
        self.inner = inner
        self.kinds: list[str] = []

    def __call__(self, *, read_only: bool = False) -> UnitOfWork:
        self.kinds.append("read" if read_only else "write")
        return self.inner(read_only=read_only)

    def take(self) -> list[str]:
        kinds, self.kinds = self.kinds, []
        return kinds


def test_a_known_member_s_find_reads_only_and_answers_the_same(
    world: World, uow_factory: SqlUnitOfWorkFactory, clock: ManualClock
) -> None:
    world.mentor("maria", "Climate, Energy", company="Sunward")
    units = Counting(uow_factory)
    program = IntroProgram(units, clock)
    sam = world.invocation("sam")

    first = program.command(sam, "intro", "find climate")  # sam is new: stored first
    assert first.ok and len(first.reply.cards) == 1
    assert units.take() == ["read", "write"]
    assert program.find_member(world.community, "sam") is not None
    units.take()

    again = program.command(sam, "intro", "find climate")
    assert units.take() == ["read"]
    assert again == first
    assert program.command(sam, "intro", "help").ok
    assert units.take() == ["read"]


def test_a_changed_name_or_timezone_is_stored_before_the_search(
    world: World, uow_factory: SqlUnitOfWorkFactory, clock: ManualClock
) -> None:
    units = Counting(uow_factory)
    program = IntroProgram(units, clock)
    assert program.command(world.invocation("sam"), "intro", "find climate").ok
    units.take()

    renamed = world.invocation("sam", name="Sam Quinn")
    assert program.command(renamed, "intro", "find climate").ok

    assert units.take() == ["read", "write"]
    member = program.find_member(world.community, "sam")
    assert member is not None and member.display_name == "Sam Quinn"


def test_commands_that_write_and_mistakes_take_the_writing_path(
    world: World, uow_factory: SqlUnitOfWorkFactory, clock: ManualClock
) -> None:
    units = Counting(uow_factory)
    program = IntroProgram(units, clock)
    sam = world.invocation("sam")
    assert program.command(sam, "intro", "help").ok
    units.take()

    assert program.command(sam, "mentor", "off").ok is False  # not a mentor: refused
    assert units.take() == ["write"]
    unknown = program.command(sam, "intro", "frobnicate")
    assert not unknown.ok and "frobnicate" in unknown.reply.text
    assert units.take() == ["write"]


def test_a_find_answers_while_a_writer_holds_the_database(
    world: World, uow_factory: SqlUnitOfWorkFactory, clock: ManualClock
) -> None:
    """On SQLite a writing unit takes the write lock up front (BEGIN IMMEDIATE) and would
    wait for it here; the reading unit reads its snapshot beside the writer."""
    world.mentor("maria", "Climate")
    program = IntroProgram(uow_factory, clock)
    sam = world.invocation("sam")
    assert program.command(sam, "intro", "find climate").ok

    with uow_factory() as writer:
        writer.session.execute(text("SELECT 1"))  # the writer's transaction is open
        found = program.command(sam, "intro", "find climate")

    assert found.ok and [card.title for card in found.reply.cards] == ["Maria"]


def test_a_renamed_community_is_stored_then_read_only_again(
    world: World, uow_factory: SqlUnitOfWorkFactory, clock: ManualClock
) -> None:
    """The program remembers communities by platform key; a name that differs from the
    invocation's sends the command through the writing path once, which stores it."""
    units = Counting(uow_factory)
    program = IntroProgram(units, clock)
    sam = world.invocation("sam")
    assert program.command(sam, "intro", "find climate").ok
    assert program.command(sam, "intro", "find climate").ok
    units.take()
    key = world.community
    renamed = Invocation(CommunityKey(key.platform, key.external_id, "Alumni Club"), sam.user)

    assert program.command(renamed, "intro", "find climate").ok
    assert units.take() == ["read", "write"]
    assert program.command(renamed, "intro", "find climate").ok
    assert units.take() == ["read"]
    with uow_factory(read_only=True) as uow:
        stored = uow.communities.by_key(key.platform, key.external_id)
    assert stored is not None and stored.name == "Alumni Club"


def test_an_invocation_without_a_community_name_renames_nothing(
    world: World, uow_factory: SqlUnitOfWorkFactory, clock: ManualClock
) -> None:
    """Some platform events do not carry the server's name (a Discord DM, some Slack
    payloads): such a command neither renames the community to its id nor leaves the
    read-only path."""
    units = Counting(uow_factory)
    program = IntroProgram(units, clock)
    sam = world.invocation("sam")
    assert program.command(sam, "intro", "find climate").ok
    units.take()
    key = world.community
    unnamed = Invocation(CommunityKey(key.platform, key.external_id, ""), sam.user)

    assert program.command(unnamed, "intro", "find climate").ok
    assert units.take() == ["read"]
    assert program.command(unnamed, "intro", "list").ok
    assert units.take() == ["write"]
    with uow_factory(read_only=True) as uow:
        stored = uow.communities.by_key(key.platform, key.external_id)
    assert stored is not None and stored.name == "Alumni"
