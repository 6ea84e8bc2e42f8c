"""The buffer of anonymous search records: nothing lost between flushes."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.demand import FLUSH_AT, DemandLog
from bot.domain import SearchEvent

AT = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)


def _event(terms: str) -> SearchEvent:
    return SearchEvent(community_id=1, at=AT, terms=terms)


def test_drain_hands_over_everything_once_in_order() -> None:
    log = DemandLog()
    for terms in ("a", "b", "c"):
        log.record(_event(terms))
    assert [e.terms for e in log.drain()] == ["a", "b", "c"]
    assert log.drain() == []


def test_a_failed_write_puts_the_records_back_before_newer_ones() -> None:
    log = DemandLog()
    log.record(_event("old"))
    taken = log.drain()
    log.record(_event("new"))
    log.restore(taken)
    assert [e.terms for e in log.drain()] == ["old", "new"]


def test_full_once_the_flush_threshold_is_reached() -> None:
    log = DemandLog()
    for n in range(FLUSH_AT - 1):
        log.record(_event(str(n)))
    assert not log.full
    log.record(_event("last"))
    assert log.full

