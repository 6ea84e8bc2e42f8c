"""A full search-record buffer is written after the command that filled it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from adapters.bootstrap import build_runtime
from bot.clock import ManualClock
from bot.context import CommunityKey, Invocation, PlatformUser
from bot.demand import FLUSH_AT

AT = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)


def test_a_full_buffer_is_written_after_the_command_without_deadlocking(tmp_path: Path) -> None:
    runtime = build_runtime(f"sqlite:///{tmp_path}/demand.db", clock=ManualClock(AT))
    try:
        inv = Invocation(CommunityKey("console", "c"), PlatformUser(user_id="s", handle="s"))
        for _ in range(FLUSH_AT):
            assert runtime.program.command(inv, "intro", "find python").ok
        with runtime.engine.connect() as conn:
            written = conn.exec_driver_sql("SELECT COUNT(*) FROM search_events").scalar_one()
        assert written == FLUSH_AT
    finally:
        runtime.close()
