"""Seconds clocks for the Slack fake: deadlines (trigger ids, acks, response_url) use them."""

from __future__ import annotations

import time
from collections.abc import Callable

Seconds = Callable[[], float]


def monotonic_seconds() -> float:
    return time.monotonic()


class SteppedSeconds:
    """A seconds clock that moves only when told to: `clock.advance(3.5)`."""

    def __init__(self, start: float = 1_000.0) -> None:
        self._now = start

    def __call__(self) -> float:
        return self._now

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("time only moves forward")
        self._now += seconds
        return self._now
