"""How search terms become query words: the same rules for SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Sequence

# Words matched by more profiles than they tell apart. This is PostgreSQL's `english` stop list,
# so both databases ignore the same words.
_STOP_LIST = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did
    doing a an the and but if or because as until while of at by for with about against
    between into through during before after above below to from up down in out on off over
    under again further then once here there when where why how all any both each few more
    most other some such no nor not only own same so than too very s t can will just don
    should now
"""
STOPWORDS = frozenset(_STOP_LIST.split())

# At most this many words count; more would make the fit tiers too many to query.
MAX_WORDS = 6

# Letters and digits only: the characters both full-text tokenizers keep inside a word.
_WORD = re.compile(r"[^\W_]+")


def query_words(terms: Sequence[str]) -> list[str]:
    """The distinct lower-case words of `terms` in order, stop words left out, at most
    MAX_WORDS."""
    words: list[str] = []
    for term in terms:
        for word in _WORD.findall(term.lower()):
            if word not in STOPWORDS and word not in words:
                words.append(word)
    return words[:MAX_WORDS]
