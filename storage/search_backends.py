"""Full-text matching for mentor search, one backend per database.

Both answer the same questions about "profiles matching at least `m` of these words":
which ids (up to a cap), and a SQL condition on `mentor_profiles` for use inside a query.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations
from typing import Protocol

from sqlalchemy import ColumnElement, TextClause, text
from sqlalchemy.orm import Session

from storage.schema_extras import (
    FACETS_TABLE,
    FTS_TABLE,
    PG_SEARCH_COLUMN,
    PG_TEXT_SEARCH_CONFIG,
)

# The trigram index answers LIKE only for patterns of at least three characters.
_MIN_FACET_LENGTH = 3


class FullText(Protocol):
    def matching_ids(
        self, session: Session, community_id: int, words: Sequence[str], at_least: int, cap: int
    ) -> list[int]:
        """Ids of the community's profiles matching at least `at_least` of `words`; at most
        `cap` of them."""
        ...

    def match_condition(
        self, words: Sequence[str], at_least: int
    ) -> ColumnElement[bool] | TextClause:
        """The same test as a condition on a `mentor_profiles` row."""
        ...

    def facet_ids(self, session: Session, column: str, value: str, cap: int) -> list[int] | None:
        """Ids of profiles (any community) whose `column` contains `value` case-insensitively,
        at most `cap`; None when the index can't answer and the caller must scan."""
        ...


def _groups(words: Sequence[str], at_least: int) -> list[tuple[str, ...]]:
    return list(combinations(words, at_least))


def _tsquery_source(words: Sequence[str], at_least: int) -> str:
    """`(a & b) | (a & c) | (b & c)`. Words hold letters and digits only (search_words), so
    they are safe in tsquery syntax."""
    return " | ".join("(" + " & ".join(group) + ")" for group in _groups(words, at_least))


class SqliteFullText:
    """FTS5: `mentor_fts` (porter stemming) for words, `mentor_facets` (trigram) for
    industry and company substrings."""

    @staticmethod
    def _expression(words: Sequence[str], at_least: int) -> str:
        groups = [
            " AND ".join('"' + word.replace('"', '""') + '"' for word in group)
            for group in _groups(words, at_least)
        ]
        return "search_text : (" + " OR ".join(f"({group})" for group in groups) + ")"

    def matching_ids(
        self, session: Session, community_id: int, words: Sequence[str], at_least: int, cap: int
    ) -> list[int]:
        match = f'community_id : "{int(community_id)}" AND ' + self._expression(words, at_least)
        statement = text(
            f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match LIMIT :cap"
        )
        return list(session.scalars(statement, {"match": match, "cap": cap}))

    def match_condition(self, words: Sequence[str], at_least: int) -> TextClause:
        return text(
            f"EXISTS (SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :fts_match "
            f"AND {FTS_TABLE}.rowid = mentor_profiles.id)"
        ).bindparams(fts_match=self._expression(words, at_least))

    def facet_ids(self, session: Session, column: str, value: str, cap: int) -> list[int] | None:
        if column not in {"industries", "company"}:
            raise ValueError(f"no facet index for {column!r}")
        if len(value) < _MIN_FACET_LENGTH or any(char in value for char in "%_"):
            return None
        statement = text(
            f"SELECT rowid FROM {FACETS_TABLE} WHERE {column} LIKE :pattern LIMIT :cap"
        )
        return list(session.scalars(statement, {"pattern": f"%{value}%", "cap": cap}))


class PostgresFullText:
    """A stored `tsvector` column (english configuration) with a GIN index."""

    def matching_ids(
        self, session: Session, community_id: int, words: Sequence[str], at_least: int, cap: int
    ) -> list[int]:
        statement = text(
            f"SELECT id FROM mentor_profiles WHERE community_id = :community_id "
            f"AND {PG_SEARCH_COLUMN} @@ to_tsquery('{PG_TEXT_SEARCH_CONFIG}'::regconfig, :q) "
            "LIMIT :cap"
        )
        params = {"community_id": community_id, "q": _tsquery_source(words, at_least), "cap": cap}
        return list(session.scalars(statement, params))

    def match_condition(self, words: Sequence[str], at_least: int) -> TextClause:
        return text(
            f"mentor_profiles.{PG_SEARCH_COLUMN} @@ "
            f"to_tsquery('{PG_TEXT_SEARCH_CONFIG}'::regconfig, :pg_match)"
        ).bindparams(pg_match=_tsquery_source(words, at_least))

    def facet_ids(self, session: Session, column: str, value: str, cap: int) -> list[int] | None:
        return None


def full_text_for(session: Session) -> FullText:
    name = session.get_bind().dialect.name
    if name == "sqlite":
        return SqliteFullText()
    if name == "postgresql":
        return PostgresFullText()
    raise NotImplementedError(f"mentor search does not support {name!r}")
