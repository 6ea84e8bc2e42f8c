"""Meetings through the console: schedule (with its .ics), prep, done, follow-ups, thanks."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from icalendar import Calendar

from tests.console.conftest import SEEKER, ConsoleWorld, button, dms, dms_to, one_line

TOPIC = "How you moved from banking into fintech"


def _accepted(world: ConsoleWorld) -> None:
    asked = world.request(SEEKER, "daniel.mensah", TOPIC)
    world.run(f"/as @daniel.mensah\n/press {button(asked, 'Accept')}\n/as @{SEEKER}")
    assert world.requests()[0]["status"] == "accepted"


def _stored_utc(value: datetime | None) -> datetime:
    assert value is not None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def test_schedule_in_natural_language_books_it_and_sends_both_an_invite(
    world: ConsoleWorld,
) -> None:
    _accepted(world)
    out = world.run("/intro schedule 1 tomorrow 15:00")
    text = one_line(out)
    # Jordan lives in Chicago: tomorrow 15:00 there is 21:00 UTC.
    assert ("Booked: intro #1 with Daniel Mensah, Fri 27 Nov 2026, 15:00 (America/Chicago), "
            "15 minutes. You both have a calendar invite.") in text
    seeker_dm = dms_to(out, "Jordan Reyes")[0]
    mentor_dm = dms_to(out, "Daniel Mensah")[0]
    assert "You meet Daniel Mensah on Fri 27 Nov 2026, 15:00 (America/Chicago)" in \
        one_line(seeker_dm.text)
    assert "Jordan Reyes will meet you on Fri 27 Nov 2026, 21:00 (Europe/London)" in \
        one_line(mentor_dm.text)
    assert "Prep kit" in seeker_dm.text

    request = world.requests()[0]
    assert request["status"] == "scheduled"
    assert _stored_utc(request["scheduled_at"]) == datetime(2026, 11, 27, 21, 0, tzinfo=UTC)
    assert request["duration_minutes"] == 15

    # Each person's invite is in their own timezone, so both copies are kept.
    paths = sorted(set(re.findall(r"📎 introbot-meeting-1(?:-2)?.ics saved to (\S+)", out)))
    assert len(paths) == 2
    events = [Calendar.from_ical(Path(p).read_bytes()).walk("VEVENT")[0] for p in paths]
    assert events[0].decoded("dtstart") == events[1].decoded("dtstart")
    assert str(events[0]["uid"]) == str(events[1]["uid"])
    event = events[0]
    assert event.decoded("dtstart").astimezone(UTC) == datetime(2026, 11, 27, 21, 0,
                                                                tzinfo=UTC)
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=15)
    assert str(event["uid"]).startswith("intro-1@")
    assert {str(a.params["CN"]) for a in event.get("attendee")} >= {"Jordan Reyes",
                                                                   "Daniel Mensah"}

    listed = world.run("/intro list")
    assert "#1 to Daniel Mensah — scheduled" in listed
    assert "meeting Fri 27 Nov 2026, 15:00 (America/Chicago)" in listed


def test_the_mentor_can_reschedule_with_a_length(world: ConsoleWorld) -> None:
    _accepted(world)
    world.run("/intro schedule 1 tomorrow 15:00")
    out = world.run("/as @daniel.mensah\n/intro schedule 1 friday at 3pm 30")
    assert ("Fri 27 Nov 2026, 15:00 (Europe/London), 30 minutes" in one_line(out))
    request = world.requests()[0]
    assert _stored_utc(request["scheduled_at"]) == datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
    assert request["duration_minutes"] == 30
    assert {dm.recipients for dm in dms(out)} == {("Jordan Reyes",), ("Daniel Mensah",)}


def test_schedule_refusals_change_nothing(world: ConsoleWorld) -> None:
    world.request(SEEKER, "daniel.mensah", TOPIC)
    before = world.snapshot()
    pending = world.run("/intro schedule 1 tomorrow 15:00")
    assert "Request #1 hasn't been accepted yet." in one_line(pending)
    assert world.snapshot() == before

    world.run("/as @daniel.mensah\n/mentor requests")
    world.run("/press 1")  # accept
    world.run(f"/as @{SEEKER}")
    before = world.snapshot()
    out = one_line(world.run("""
        /intro schedule 1 someday maybe
        /intro schedule 1
        /intro schedule 1 tomorrow 15:00 999
        /as @lena.hoffmann
        /intro schedule 1 tomorrow 15:00
    """))
    assert "I couldn't read “someday maybe” as a time." in out
    assert "When will you meet?" in out
    assert "I can't find request #1 among yours." in out
    assert world.snapshot() == before


def test_prep_gives_a_kit_for_the_mentors_field(world: ConsoleWorld) -> None:
    _accepted(world)
    out = one_line(world.run("/intro prep 1"))
    assert "Getting ready for your conversation with Daniel Mensah (Finance)" in out
    assert "read Thistlegate Capital's website" in out
    assert "Questions to choose from" in out
    assert "You're asking for advice, not a job" in out
    bare = one_line(world.run("/intro prep"))
    assert "Getting ready for your conversation with Daniel Mensah" in bare
    nothing = one_line(world.run("/as @lena.hoffmann\n/intro prep\n/intro prep 1"))
    assert "You have no intro to prepare for yet." in nothing
    assert "I can't find request #1 among yours." in nothing


def test_done_follow_ups_and_thanks_after_the_meeting(world: ConsoleWorld) -> None:
    _accepted(world)
    world.run("/intro schedule 1 tomorrow 15:00")
    before = world.snapshot()
    early = one_line(world.run("""
        /intro done 1 Too early
        /intro thanks 1
    """))
    assert "Your meeting for intro #1 is Fri 27 Nov 2026, 15:00 (America/Chicago). Log it " \
           "once you've met" in early
    assert "thank them after the conversation" in early
    assert world.snapshot() == before

    world.clock.advance(timedelta(days=1, hours=8))  # Fri 22:00 UTC, after the meeting
    out = world.run("/intro done 1 Strategy roles value modelling skills")
    assert "Logged — well done on intro #1!" in one_line(out)
    request = world.requests()[0]
    assert request["status"] == "completed"
    assert request["learned"] == "Strategy roles value modelling skills"

    follow = world.run("""
        /intro followup 1 Read the book he mentioned in 3 days
        /intro followup 1 Meet his colleague Ana
        /intro followup 1 Something in 999 days
    """)
    text = one_line(follow)
    assert "Tracking it: “Read the book he mentioned”. I'll remind you Mon 30 Nov 2026" in text
    assert "Tracking it: “Meet his colleague Ana”." in text
    assert "The number of days until the reminder must be from 1 to 365; you gave 999." in text
    items = world.rows("follow_ups")
    assert [(f["text"], f["status"]) for f in items] == [
        ("Read the book he mentioned", "open"), ("Meet his colleague Ana", "open")]
    done = world.run(f"/press {button(follow, 'Mark done', nth=0)}")
    assert "Done: “Read the book he mentioned”." in one_line(done)
    assert world.rows("follow_ups")[0]["status"] == "done"

    draft = world.run("/intro thanks 1")
    assert "Here's a draft — make it sound like you, and send it today." in one_line(draft)
    assert "What stayed with me most: Strategy roles value modelling skills." in \
        one_line(draft)
    assert "- Meet his colleague Ana" in draft
    sent = world.run(f"/press {button(draft, 'Send as DM')}\n⏎")
    assert "┌ Send your thank-you" in sent
    assert "Sent to Daniel Mensah." in one_line(sent)
    (note,) = dms(sent)
    assert note.recipients == ("Daniel Mensah",)
    assert "A thank-you from Jordan Reyes (intro #1)" in note.text
    assert "Thank you for taking the time to talk with me" in one_line(note.text)
    assert world.requests()[0]["thanked_at"] is not None

    again = world.run(f"/press {button(draft, 'Send as DM')}")
    assert "You already thanked Daniel Mensah for intro #1" in one_line(again)
    assert dms(again) == []


def test_meeting_commands_are_only_for_the_people_in_the_intro(world: ConsoleWorld) -> None:
    _accepted(world)
    world.run("/intro schedule 1 tomorrow 15:00")
    world.clock.advance(timedelta(days=2))
    world.run("/as @lena.hoffmann\n/intro list")
    before = world.snapshot()
    out = one_line(world.run("""
        /intro done 1 Not mine
        /intro followup 1 Not mine either
        /intro thanks 1
        /as @daniel.mensah
        /intro done 1 I am the mentor
    """))
    assert out.count("I can't find request #1 among yours.") == 3
    assert "Only the person who asked for the intro can" in out
    assert world.snapshot() == before
