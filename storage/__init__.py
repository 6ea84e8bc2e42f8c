"""Storage: SQLAlchemy tables, the unit of work and repositories, Alembic migrations.

Typical start-up: ``engine = create_engine_for(url); upgrade(engine);
uow_factory = make_uow_factory(engine)``.
"""

from storage.engine import create_engine_for
from storage.migrate import upgrade
from storage.orm import start_mappers
from storage.uow import SqlUnitOfWork, make_uow_factory

__all__ = [
    "SqlUnitOfWork",
    "create_engine_for",
    "make_uow_factory",
    "start_mappers",
    "upgrade",
]
