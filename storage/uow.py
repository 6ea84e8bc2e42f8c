"""The unit of work: one session, one transaction, every repository."""

from __future__ import annotations

from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.ports import (
    AuditRepository,
    BlockRepository,
    CommunityRepository,
    FollowUpRepository,
    IntroRequestRepository,
    MemberRepository,
    MentorRepository,
    ReminderOutbox,
    SearchLogRepository,
    SettingsRepository,
    UnitOfWork,
    WarmIntroRepository,
)
from storage.engine import READ_ONLY
from storage.erase import erase_member
from storage.orm import start_mappers
from storage.outbox import SqlReminderOutbox
from storage.repositories import (
    SqlAuditRepository,
    SqlBlockRepository,
    SqlCommunityRepository,
    SqlFollowUpRepository,
    SqlIntroRequestRepository,
    SqlMemberRepository,
    SqlMentorRepository,
    SqlSearchLogRepository,
    SqlSettingsRepository,
    SqlWarmIntroRepository,
)


class SqlUnitOfWork:
    """`with uow: ...; uow.commit()` — leaving the block without commit rolls back.
    Entities stay readable after the block, committed or not (nothing is expired on the way
    out); an explicit `rollback()` inside the block expires them, so they reload."""

    communities: CommunityRepository
    members: MemberRepository
    mentors: MentorRepository
    requests: IntroRequestRepository
    warm_intros: WarmIntroRepository
    settings: SettingsRepository
    blocks: BlockRepository
    audit: AuditRepository
    searches: SearchLogRepository
    followups: FollowUpRepository
    outbox: ReminderOutbox

    def __init__(
        self, session_factory: sessionmaker[Session], *, read_only: bool = False
    ) -> None:
        self._session_factory = session_factory
        self._session: Session | None = None
        self.read_only = read_only

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("use the unit of work inside a `with` block")
        return self._session

    def __enter__(self) -> SqlUnitOfWork:
        if self._session is not None:
            raise RuntimeError("this unit of work is already open")
        session = self._session_factory()
        self._session = session
        self.communities = SqlCommunityRepository(session)
        self.members = SqlMemberRepository(session)
        self.mentors = SqlMentorRepository(session)
        self.requests = SqlIntroRequestRepository(session)
        self.warm_intros = SqlWarmIntroRepository(session)
        self.settings = SqlSettingsRepository(session)
        self.blocks = SqlBlockRepository(session)
        self.audit = SqlAuditRepository(session)
        self.searches = SqlSearchLogRepository(session)
        self.followups = SqlFollowUpRepository(session)
        self.outbox = SqlReminderOutbox(session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self.session, None
        try:
            # Detach first: entities read in the block stay readable (a rollback would expire
            # them), and whatever was not committed is undone.
            session.expunge_all()
            session.rollback()
        finally:
            session.close()

    def commit(self) -> None:
        if self.read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()

    def flush(self) -> None:
        self.session.flush()

    def erase_member(
        self, community_id: int, member_id: int, now: datetime | None = None
    ) -> None:
        """See storage.erase; `erased_at` is `now` (the system clock when not given)."""
        erase_member(self.session, community_id, member_id, now or datetime.now(UTC))


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    start_mappers()
    return sessionmaker(bind=engine, expire_on_commit=False)


class SqlUnitOfWorkFactory:
    """Fresh units of work on one engine. `read_only=True` gives one whose transaction only
    reads: on SQLite it does not take the write lock (see storage.engine.READ_ONLY), so
    searches and reminder rendering run beside writers; it refuses to commit."""

    def __init__(self, engine: Engine) -> None:
        self._writes = make_session_factory(engine)
        self._reads = make_session_factory(engine.execution_options(**{READ_ONLY: True}))

    def __call__(self, *, read_only: bool = False) -> SqlUnitOfWork:
        if read_only:
            return SqlUnitOfWork(self._reads, read_only=True)
        return SqlUnitOfWork(self._writes)


def make_uow_factory(engine: Engine) -> SqlUnitOfWorkFactory:
    """A factory of fresh units of work on `engine` (maps the entities first)."""
    return SqlUnitOfWorkFactory(engine)


if TYPE_CHECKING:

    def _is_a_unit_of_work(uow: SqlUnitOfWork) -> UnitOfWork:
        return uow  # mypy proves that SqlUnitOfWork satisfies the port
