"""What seekers search for, buffered in memory and written in batches.

A search is a read; writing its anonymous demand record in the same transaction would make
every `/intro find` pay for a durable write. Records wait here and are written by the
periodic sweep (every minute), before stats are computed, when the buffer fills, and at
shutdown. A crash loses at most the last minute of anonymous search counts.
"""

from __future__ import annotations

import threading

from bot.domain import SearchEvent

FLUSH_AT = 500


class DemandLog:
    def __init__(self) -> None:
        self._events: list[SearchEvent] = []
        self._lock = threading.Lock()

    def record(self, event: SearchEvent) -> None:
        with self._lock:
            self._events.append(event)

    @property
    def full(self) -> bool:
        return len(self._events) >= FLUSH_AT

    def drain(self) -> list[SearchEvent]:
        with self._lock:
            events, self._events = self._events, []
        return events

    def restore(self, events: list[SearchEvent]) -> None:
        with self._lock:
            self._events[:0] = events
