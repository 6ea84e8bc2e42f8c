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
        self,
        session: Session,
        words: Sequence[str],
        at_least: int,
        id_range: tuple[int, int],
        cap: int,
    ) -> list[int]:
        """Ids within `id_range` (a community's lowest and highest profile id) of profiles
        matching at least `at_least` of `words`, lowest first, at most `cap` of them. Other
        communities' ids in that range may be among them: callers filter by community."""
        ...

    def match_condition(
        self, words: Sequence[str], at_least: int
    ) -> ColumnElement[bool] | TextClause:
        """The same test as a condition on a `mentor_profiles` row, checked row by row."""
        ...

    def in_matches_condition(
        self, words: Sequence[str], at_least: int, id_range: tuple[int, int]
    ) -> TextClause:
        """The same test as "id in the set of matching ids", the set computed once per query
        (for a walk that reads many rows of a set too large to pass as a list)."""
        ...

    def facet_ids(self, session: Session, column: str, value: str, cap: int) -> list[int] | None:
        """Ids of profiles (any community) whose `column` contains `value` case-insensitively,
        at most `cap`; None when the index can't answer and the caller must scan."""
        ...

    def purge_deleted(self, session: Session) -> None:
        """Rewrite the search index so no trace of deleted profiles' words remains."""
        ...


def _groups(words: Sequence[str], at_least: int) -> list[tuple[str, ...]]:
    return list(combinations(words, at_least))


def _split_ids(joined: str | None) -> list[int]:
    return [int(part) for part in joined.split(",")] if joined else []


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
        self,
        session: Session,
        words: Sequence[str],
        at_least: int,
        id_range: tuple[int, int],
        cap: int,
    ) -> list[int]:
        # The community is left to the caller's SQL (a community token in the match would make
        # every query merge the community's whole doclist); the rowid range narrows cheaply.
        statement = text(
            f"SELECT group_concat(rowid) FROM (SELECT rowid FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH :match AND rowid BETWEEN :low AND :high "
            "ORDER BY rowid LIMIT :cap)"
        )
        params = {
            "match": self._expression(words, at_least),
            "low": id_range[0],
            "high": id_range[1],
            "cap": cap,
        }
        return _split_ids(session.scalar(statement, params))

    def match_condition(self, words: Sequence[str], at_least: int) -> TextClause:
        return text(
            f"EXISTS (SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :fts_match "
            f"AND {FTS_TABLE}.rowid = mentor_profiles.id)"
        ).bindparams(fts_match=self._expression(words, at_least))

    def in_matches_condition(
        self, words: Sequence[str], at_least: int, id_range: tuple[int, int]
    ) -> TextClause:
        # `+ 0` keeps SQLite walking the load index instead of fetching rows by these ids.
        return text(
            f"mentor_profiles.id + 0 IN (SELECT rowid FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH :fts_set_match AND rowid BETWEEN :fts_low AND :fts_high)"
        ).bindparams(
            fts_set_match=self._expression(words, at_least),
            fts_low=id_range[0],
            fts_high=id_range[1],
        )

    def facet_ids(self, session: Session, column: str, value: str, cap: int) -> list[int] | None:
        # A trigram phrase matches exactly the texts containing `value` (ignoring case),
        # straight from the index; LIKE would re-read every candidate row.
        if column not in {"industries", "company"}:
            raise ValueError(f"no facet index for {column!r}")
        if len(value) < _MIN_FACET_LENGTH:
            return None
        phrase = '"' + value.replace('"', '""') + '"'
        statement = text(
            f"SELECT group_concat(rowid) FROM (SELECT rowid FROM {FACETS_TABLE} "
            f"WHERE {FACETS_TABLE} MATCH :match LIMIT :cap)"
        )
        return _split_ids(session.scalar(statement, {"match": f"{column} : {phrase}", "cap": cap}))


    def purge_deleted(self, session: Session) -> None:
        # FTS5 keeps a deleted row's terms in older index segments until they are merged;
        # 'optimize' merges everything now (about a third of a second per 100,000 profiles).
        for table in (FTS_TABLE, FACETS_TABLE):
            session.execute(text(f"INSERT INTO {table}({table}) VALUES ('optimize')"))


class PostgresFullText:
    """A stored `tsvector` column (english configuration) with a GIN index."""

    def matching_ids(
        self,
        session: Session,
        words: Sequence[str],
        at_least: int,
        id_range: tuple[int, int],
        cap: int,
    ) -> list[int]:
        statement = text(
            "SELECT array_agg(id ORDER BY id) FROM (SELECT id FROM mentor_profiles "
            # `+ 0`: a range on the primary key would be ANDed in as a second bitmap.
            "WHERE id + 0 BETWEEN :low AND :high "
            f"AND {PG_SEARCH_COLUMN} @@ to_tsquery('{PG_TEXT_SEARCH_CONFIG}'::regconfig, :q) "
            "LIMIT :cap) AS matches"
        )
        params = {
            "low": id_range[0],
            "high": id_range[1],
            "q": _tsquery_source(words, at_least),
            "cap": cap,
        }
        return list(session.scalar(statement, params) or [])

    def match_condition(self, words: Sequence[str], at_least: int) -> TextClause:
        return text(
            f"mentor_profiles.{PG_SEARCH_COLUMN} @@ "
            f"to_tsquery('{PG_TEXT_SEARCH_CONFIG}'::regconfig, :pg_match)"
        ).bindparams(pg_match=_tsquery_source(words, at_least))

    def in_matches_condition(
        self, words: Sequence[str], at_least: int, id_range: tuple[int, int]
    ) -> TextClause:
        return text(
            "mentor_profiles.id IN (SELECT matches.id FROM mentor_profiles AS matches "
            "WHERE matches.id + 0 BETWEEN :pg_low AND :pg_high AND "
            f"matches.{PG_SEARCH_COLUMN} @@ "
            f"to_tsquery('{PG_TEXT_SEARCH_CONFIG}'::regconfig, :pg_set_match))"
        ).bindparams(
            pg_set_match=_tsquery_source(words, at_least),
            pg_low=id_range[0],
            pg_high=id_range[1],
        )

    def facet_ids(self, session: Session, column: str, value: str, cap: int) -> list[int] | None:
        return None

    def purge_deleted(self, session: Session) -> None:
        """Nothing to do: the vector lives in the deleted row (gone at the next VACUUM)."""


def full_text_for(session: Session) -> FullText:
    name = session.get_bind().dialect.name
    if name == "sqlite":
        return SqliteFullText()
    if name == "postgresql":
        return PostgresFullText()
    raise ValueError(f"mentor search runs on SQLite and PostgreSQL, not {name!r}")
