"""End to end through the console adapter: after a meeting is booked, `/clock` moves time
and the reminders arrive as DMs in the session — prep, time-box, check-in — each once."""

from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import Engine

from adapters.bootstrap import Runtime
from adapters.console.clock_hook import console_clock_hook
from adapters.console.session import ConsoleSession, ConsoleUser
from bot.app import IntroProgram
from bot.clock import ManualClock
from storage.uow import SqlUnitOfWorkFactory
from tests.dispatcher.world import People

Factory = SqlUnitOfWorkFactory

SCRIPT = """\
/as @sam
/intro request @m1 How you got started
How you moved from research into product work



/as @m1
/press 1
/as @sam
/intro schedule {request} in 3 hours
/clock +2h
/clock +1h
/clock +15m
/clock +1h
/clock +3d
/quit
"""


def test_clock_moves_deliver_meeting_reminders_in_the_console(
    uow_factory: Factory, engine: Engine, program: IntroProgram, clock: ManualClock,
    tmp_path: Path,
) -> None:
    people = People(uow_factory)

    def lookup(handle: str) -> ConsoleUser | None:
        member = program.find_member(people.community, handle)
        return ConsoleUser(member.handle, member.display_name, member.timezone) if member else None

    out = io.StringIO()
    session = ConsoleSession(
        program, clock, out, tmp_path / "files", community=people.community,
        lookup_user=lookup, on_clock_moved=console_clock_hook(Runtime(engine, program, clock)),
        echo=True,
    )
    session.run(io.StringIO(SCRIPT.format(request=people.request_id + 1)))
    text = out.getvalue()

    booked = text.index("Booked: intro #")
    after = text.split("/clock ")
    assert len(after) == 6, text
    plus_2h, plus_1h, plus_15m, plus_1h_more, plus_3d = after[1:]
    # Two hours on, an hour before the meeting: the prep kit.
    assert "── DM to Sam Seeker" in plus_2h
    assert "Get ready: you meet Mentor 1" in plus_2h
    assert "Questions to choose from" in plus_2h
    # The meeting has begun: nothing is due yet.
    assert "── DM to" not in plus_1h
    # 13 minutes into the 15: the time-box nudge.
    assert "── DM to Sam Seeker" in plus_15m and "Start wrapping up" in plus_15m
    # Half an hour after the end: the check-in, with its buttons.
    assert "How did it go with Mentor 1?" in plus_1h_more
    assert "Log meeting" in plus_1h_more
    # Three days later the first thank-you nudge is too late and is skipped; the second,
    # a day after it, still goes out.
    assert "(skipped, no longer useful:" in plus_3d
    assert "thanks: stale:" in plus_3d
    assert plus_3d.count("A thank-you goes a long way") == 1
    # Each went out once.
    assert text.count("Get ready: you meet") == 1
    assert text.count("Start wrapping up") == 1
    assert text.count("How did it go with") == 1
    assert booked < text.index("Get ready: you meet")
