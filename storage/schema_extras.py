"""Full-text search objects that the migrations create by hand, outside the MetaData.

SQLite: FTS5 external-content tables over ``mentor_profiles`` kept in sync by triggers —
``mentor_fts`` (search_text, porter stemming) and ``mentor_facets``
(industries and company, trigram, for substring filters).
PostgreSQL: a stored generated ``tsvector`` column with a GIN index.
Autogenerate must not report them as differences: `include_object` hides them.
"""

from __future__ import annotations

from typing import Any

FTS_TABLE = "mentor_fts"
FACETS_TABLE = "mentor_facets"
PG_SEARCH_COLUMN = "search_vector"
PG_SEARCH_INDEX = "ix_mentor_profiles_search_vector"
PG_TEXT_SEARCH_CONFIG = "english"

_HIDDEN_TABLE_PREFIXES = (FTS_TABLE, FACETS_TABLE)


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic hook: leave the hand-made search objects out of schema comparisons."""
    if type_ == "table" and name is not None and name.startswith(_HIDDEN_TABLE_PREFIXES):
        return False
    if type_ == "column" and name == PG_SEARCH_COLUMN:
        return False
    return not (type_ == "index" and name == PG_SEARCH_INDEX)
