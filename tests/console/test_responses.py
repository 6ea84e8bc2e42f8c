"""A mentor answers from the DM: accept, decline (with a reason), not now; and who may."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.console.conftest import (
    NOW,
    SEEKER,
    ConsoleWorld,
    button,
    dms,
    dms_to,
    one_line,
)

TOPIC = "How you moved from banking into fintech"


def _asked(world: ConsoleWorld, mentor: str = "daniel.mensah", seeker: str = SEEKER) -> str:
    """Send a request and return the transcript holding the mentor's DM."""
    out = world.request(seeker, mentor, TOPIC, free="Weekdays after 4pm CT")
    assert "└ sent" in out
    return out


def test_accept_from_the_dm_introduces_both_and_only_now_shares_contact_details(
    world: ConsoleWorld,
) -> None:
    asked = _asked(world)
    (request_dm,) = dms_to(asked, "Daniel Mensah")
    assert "@jordan.reyes" not in request_dm.text and "America/Chicago" not in request_dm.text

    out = world.run(f"/as @daniel.mensah\n/press {button(asked, 'Accept')}")
    assert "(pressed “Accept”)" in out
    assert "Thank you! I've introduced you both for request #1." in out
    (group,) = dms(out)
    assert group.recipients == ("Jordan Reyes", "Daniel Mensah")
    text = one_line(group.text)
    assert "Intro #1: Daniel Mensah × Jordan Reyes" in text
    assert ("Daniel Mensah (@daniel.mensah, Europe/London) meet Jordan Reyes (@jordan.reyes, "
            "America/Chicago).") in text
    assert "/intro schedule 1 WHEN" in text
    assert f"Wants to learn: {TOPIC}" in text
    assert "Jordan Reyes is free: Weekdays after 4pm CT" in text

    (request,) = world.requests()
    assert request["status"] == "accepted"
    assert request["responded_at"] is not None
    assert world.profile("daniel.mensah")["accepted_count"] == 1
    listed = world.run(f"/as @{SEEKER}\n/intro list")
    assert "#1 to Daniel Mensah — accepted" in listed
    assert "Next: agree a time, then /intro schedule 1 WHEN" in one_line(listed)


def test_a_second_click_on_accept_says_already_answered_and_sends_nothing(
    world: ConsoleWorld,
) -> None:
    asked = _asked(world)
    accept = button(asked, "Accept")
    world.run(f"/as @daniel.mensah\n/press {accept}")
    before = world.snapshot()
    out = world.run(f"/press {accept}\n/press {button(asked, 'Decline')}")
    assert out.count("Request #1 was already answered: it's accepted.") == 2
    assert dms(out) == []
    assert "┌" not in out  # no decline form either
    assert world.snapshot() == before


def test_only_the_mentor_may_answer(world: ConsoleWorld) -> None:
    asked = _asked(world)
    before = world.snapshot()
    out = world.run(f"""
        /as @{SEEKER}
        /press {button(asked, 'Accept')}
        /press {button(asked, 'Not now')}
        /as @lena.hoffmann
        /press {button(asked, 'Accept')}
        /press {button(asked, 'Decline')}
    """)
    assert out.count("Only the mentor this request was sent to can answer it.") == 4
    assert dms(out) == [] and "┌" not in out
    assert world.snapshot() == before


def test_decline_with_a_reason_gives_the_seeker_up_to_three_alternatives_at_once(
    world: ConsoleWorld,
) -> None:
    asked = _asked(world)
    world.request(SEEKER, "sofia.alvarez", "How credit risk teams work")  # still pending
    out = world.run(f"""
        /as @daniel.mensah
        /press {button(asked, 'Decline')}
        I'm travelling for work all month, sorry!
    """)
    assert "┌ Decline kindly" in out
    assert "Declined #1 kindly. The seeker gets other matches right away." in one_line(out)
    (dm,) = dms(out)
    assert dm.recipients == ("Jordan Reyes",)
    text = one_line(dm.text)
    assert ("Daniel Mensah can't take request #1 right now — mentors are busy people, and "
            "that's fine.") in text
    assert "They said: “I'm travelling for work all month, sorry!”" in text
    assert "here are other mentors who could help:" in text
    names = re.findall(r"^  • (.+?) — ", dm.text, flags=re.MULTILINE)
    assert 1 <= len(names) <= 3
    assert "Daniel Mensah" not in names
    assert "Sofía Álvarez" not in names  # already asked: not offered again
    assert dm.text.count("Request intro") == len(names)

    request = world.requests()[0]
    assert request["status"] == "declined"
    assert request["decline_reason"] == "I'm travelling for work all month, sorry!"
    assert world.profile("daniel.mensah")["accepted_count"] == 0

    # An alternative can be requested straight from the DM.
    pick = world.run(f"/as @{SEEKER}\n/press {button(out, 'Request intro', nth=0)}\n"
                     "How your field works\n⏎\n⏎\n⏎")
    assert f"┌ Ask {names[0]}"[:26] in pick
    assert "└ sent" in pick


def test_decline_without_a_reason_and_a_too_long_reason(world: ConsoleWorld) -> None:
    asked = _asked(world)
    world.run("/as @daniel.mensah\n/intro list")
    before = world.snapshot()
    refused = world.run(f"/press {button(asked, 'Decline')}\n{'no ' * 120}")
    assert "⚠ “Reason” is 359 characters; please keep it under 300." in one_line(refused)
    assert world.snapshot() == before

    out = world.run(f"/press {button(asked, 'Decline')}\n⏎")
    (dm,) = dms_to(out, "Jordan Reyes")
    assert "They said" not in dm.text
    request = world.requests()[0]
    assert (request["status"], request["decline_reason"]) == ("declined", "")


def test_not_now_declines_and_pauses_the_mentor_until_the_time_passes(
    world: ConsoleWorld,
) -> None:
    asked = _asked(world)
    out = world.run(f"""
        /as @daniel.mensah
        /press {button(asked, 'Not now')}
        7
    """)
    assert "┌ Not now" in out
    assert "│ Pause for* [14]: 7" in out
    text = one_line(out)
    assert "Declined #1 kindly." in text
    assert "You're paused for 7 days and come back by itself" in text
    (dm,) = dms_to(out, "Jordan Reyes")
    assert "here are other mentors who could help:" in one_line(dm.text)
    assert world.requests()[0]["status"] == "declined"
    away = world.profile("daniel.mensah")["away_until"]
    assert away is not None and away.replace(tzinfo=NOW.tzinfo) == NOW + timedelta(days=7)

    hidden = world.run(f"/as @{SEEKER}\n/intro find fintech")
    assert "Daniel Mensah —" not in hidden
    back = world.run("/clock +7d\n/intro find fintech")
    assert "Daniel Mensah —" in back


def test_not_now_keeps_the_offered_default_and_refuses_other_lengths(
    world: ConsoleWorld,
) -> None:
    asked = _asked(world)
    world.run("/as @daniel.mensah\n/intro list")
    before = world.snapshot()
    refused = world.run(f"/press {button(asked, 'Not now')}\n5")
    assert "⚠ Pick one of the offered lengths." in refused
    assert world.snapshot() == before
    out = world.run(f"/press {button(asked, 'Not now')}\n⏎")
    assert "You're paused for 14 days" in one_line(out)


def test_a_mentor_at_capacity_cannot_accept_more(world: ConsoleWorld) -> None:
    world.run("/as @daniel.mensah\n/mentor capacity 1")
    first = _asked(world)
    second = _asked(world, seeker="lena.hoffmann")
    world.run(f"/as @daniel.mensah\n/press {button(first, 'Accept')}")
    before = world.snapshot()
    out = world.run(f"/press {button(second, 'Accept')}")
    assert ("You've reached your intros for this month. Raise it with /mentor capacity N, or "
            "decline kindly") in one_line(out)
    assert dms(out) == []
    assert world.snapshot() == before
    assert "Thank you! I've introduced you both for request #2." in one_line(
        world.run(f"/mentor capacity 2\n/press {button(second, 'Accept')}"))


def test_a_seeker_who_cancelled_cannot_be_accepted(world: ConsoleWorld) -> None:
    asked = _asked(world)
    world.run("/intro cancel 1")
    out = world.run(f"/as @daniel.mensah\n/press {button(asked, 'Accept')}")
    assert "Request #1 was already answered: it's cancelled." in out
    assert dms(out) == []
