"""`/mentor join|profile|on|off|away|capacity|requests|leave` through the console."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.console.conftest import SEEKER, ConsoleWorld, button, buttons, dms, dms_to, one_line

JOIN_ANSWERS = """\
Climate data nerd who left academia
Climate & Energy, Data & AI
carbon accounting, leaving a PhD
Carbonly
Analyst
2019
Left a PhD for climate tech.\\nHappy to talk about it.
call, async
Europe/Berlin
4
"""


def test_join_opens_the_form_and_saving_it_makes_a_findable_mentor(world: ConsoleWorld) -> None:
    out = world.run("/as @pat.new Pat New\n/mentor join\n" + JOIN_ANSWERS)
    assert "┌ Become a mentor" in out
    assert "│ Intros per month [2]: 4" in out  # the program's default capacity is offered
    assert "└ sent" in out
    assert "Welcome aboard — you're now findable by seekers." in one_line(out)
    assert "Pat New — Analyst at Carbonly · Class of 2019" in out

    profile = world.profile("pat.new")
    assert profile["headline"] == "Climate data nerd who left academia"
    assert profile["industries"] == "Climate & Energy, Data & AI"
    assert profile["expertise"] == "carbon accounting, leaving a PhD"
    assert profile["bio"] == "Left a PhD for climate tech.\nHappy to talk about it."
    assert profile["formats"] == "call,async"
    assert profile["capacity"] == 4
    assert profile["active"] and profile["available"]
    assert world.member("pat.new")["timezone"] == "Europe/Berlin"

    found = world.run(f"/as @{SEEKER}\n/intro find carbon accounting")
    assert "Pat New" in found


def test_join_form_errors_are_asked_again_and_nothing_is_saved_until_they_are_fixed(
    world: ConsoleWorld,
) -> None:
    world.run("/as @pat.new Pat New\n/intro list")
    before = world.snapshot()
    out = world.run("""
        /mentor join



        Carbonly
        Analyst
        2019
        Bio
        call, telepathy
        Mars/Base
        0
    """)
    assert "⚠ Please fill in “Headline”." in out
    assert "└ sent" not in out
    # The script ended inside the form (at the second asking): abandoned, nothing stored.
    assert "(form abandoned; nothing was sent)" in out
    assert world.snapshot() == before

    fixed = world.run("""
        /mentor join



        Carbonly
        Analyst
        2019
        Bio
        call, telepathy
        Mars/Base
        0
        A headline
        Design
        video
        UTC
        3
    """)
    # Only the fields with a problem are asked again, each after its warning.
    text = one_line(fixed)
    assert fixed.count("⚠") == 5
    assert "⚠ Please fill in “Headline”." in text
    assert "⚠ Please fill in “Industries”." in text
    assert "⚠ “telepathy” isn't a meeting format I know. Use any of: call, video, coffee, async." \
        in text
    assert "⚠ “Mars/Base” isn't a timezone I know." in text
    assert "⚠ Intros per month must be a whole number from 1 to 50." in text
    assert "│ How you like to meet [call, telepathy]: video" in fixed
    assert "└ sent" in fixed
    profile = world.profile("pat.new")
    assert (profile["headline"], profile["industries"], profile["formats"],
            profile["capacity"], profile["company"]) == ("A headline", "Design", "video", 3,
                                                         "Carbonly")


def test_a_command_typed_inside_a_form_abandons_it(world: ConsoleWorld) -> None:
    world.run("/as @pat.new Pat New\n/intro list")
    before = world.snapshot()
    out = world.run("""
        /mentor join
        A headline
        /intro list
    """)
    assert "└ (form abandoned; nothing was sent)" in out
    assert "You have no intro requests yet." in out
    assert world.snapshot() == before


def test_profile_edit_keeps_what_is_left_empty(world: ConsoleWorld) -> None:
    out = world.run("""
        /as @daniel.mensah
        /mentor profile
        Fintech strategist and former banker









    """)
    assert "┌ Your mentor profile" in out
    assert "│ Company [Thistlegate Capital]: " in out
    assert "Your mentor profile is saved." in out
    profile = world.profile("daniel.mensah")
    assert profile["headline"] == "Fintech strategist and former banker"
    assert profile["company"] == "Thistlegate Capital"
    assert profile["expertise"] == "investment banking, fintech, financial modeling"
    assert profile["capacity"] == 2
    found = world.run(f"/as @{SEEKER}\n/intro find former banker")
    assert "Fintech strategist and former banker" in found


def test_mentor_commands_for_someone_who_is_not_a_mentor(world: ConsoleWorld) -> None:
    world.run(f"/as @{SEEKER}\n/intro list")
    before = world.snapshot()
    out = world.run("""
        /mentor on
        /mentor off
        /mentor away until dec 24
        /mentor capacity 3
        /mentor requests
        /mentor leave
    """)
    assert out.count("You're not a mentor yet. Type /mentor join to create your profile.") == 5
    assert "You're not a mentor here, so there's nothing to leave." in out
    assert world.snapshot() == before


def test_off_hides_a_mentor_and_on_brings_them_back(world: ConsoleWorld) -> None:
    out = world.run(f"""
        /as @daniel.mensah
        /mentor off
        /as @{SEEKER}
        /intro find fintech
        /intro request @daniel.mensah How fintech strategy works
    """)
    assert "You're now unavailable: no new requests reach you." in one_line(out)
    assert "No available mentors match fintech right now." in one_line(out)
    assert "Daniel Mensah isn't taking requests right now." in one_line(out)
    assert not world.profile("daniel.mensah")["available"]

    back = world.run(f"""
        /as @daniel.mensah
        /mentor on
        /as @{SEEKER}
        /intro find fintech
    """)
    assert "You're available again. You have room for 2 more intros this month." in \
        one_line(back)
    assert "Daniel Mensah — Vice President, Strategy" in back
    assert world.profile("daniel.mensah")["available"]


def test_away_until_a_date_comes_back_by_itself_when_the_clock_passes_it(
    world: ConsoleWorld,
) -> None:
    out = world.run(f"""
        /as @daniel.mensah
        /mentor away until dec 1
        /mentor requests
        /as @{SEEKER}
        /intro find fintech
    """)
    text = one_line(out)
    assert "You're away until Tue 1 Dec 2026, 00:00 (Europe/London)" in text
    assert "You're away until Tue 1 Dec 2026, 00:00 (Europe/London), with room for 2" in text
    assert "No available mentors match fintech right now." in text
    assert world.profile("daniel.mensah")["away_until"] is not None

    world.clock.advance(timedelta(days=4, hours=9))  # 30 Nov 23:00 UTC: still away
    assert "No available mentors match fintech" in one_line(world.run("/intro find fintech"))

    later = world.run("""
        /clock +2h
        /intro find fintech
        /as @daniel.mensah
        /mentor requests
    """)
    assert "Daniel Mensah — Vice President, Strategy" in later
    assert "You're available, with room for 2 more intros this month." in one_line(later)


def test_away_with_a_date_that_cannot_be_read_changes_nothing(world: ConsoleWorld) -> None:
    world.run("/as @daniel.mensah\n/intro list")
    before = world.snapshot()
    out = world.run("/mentor away until banana")
    assert "I couldn't read “banana” as a date." in out
    assert world.snapshot() == before


def test_seeded_away_mentor_returns_after_their_days(world: ConsoleWorld) -> None:
    # Tyler Jackson is seeded away for 3 days.
    assert "Tyler Jackson" not in world.run(f"/as @{SEEKER}\n/intro find industrial design")
    assert "Tyler Jackson" in world.run("/clock +4d\n/intro find industrial design")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "The number of intros a month must be from 1 to 50; you gave 0."),
        ("51", "The number of intros a month must be from 1 to 50; you gave 51."),
        ("-3", "from 1 to 50"),
        ("lots", "'lots' isn't a whole number."),
        ("3 extra", "Give one number, not '3 extra'."),
    ],
)
def test_invalid_capacity_is_refused_and_changes_nothing(
    world: ConsoleWorld, value: str, message: str
) -> None:
    world.run("/as @daniel.mensah\n/intro list")
    before = world.snapshot()
    out = world.run(f"/mentor capacity {value}")
    assert message in one_line(out)
    assert world.snapshot() == before


def test_capacity_is_stored_and_reported(world: ConsoleWorld) -> None:
    out = world.run("/as @daniel.mensah\n/mentor capacity 5 per month\n/mentor cap 1")
    assert "You'll take up to 5 intros a month (5 left this month)." in out
    assert "You'll take up to 1 intro a month (1 left this month)." in out
    assert world.profile("daniel.mensah")["capacity"] == 1


def test_mentor_requests_lists_pending_requests_with_answer_buttons(world: ConsoleWorld) -> None:
    empty = world.run("/as @daniel.mensah\n/mentor requests")
    assert "You're available, with room for 2 more intros this month. No requests are " \
           "waiting for you." in one_line(empty)
    world.request(SEEKER, "daniel.mensah", "How you moved from banking into fintech")
    world.request("lena.hoffmann", "daniel.mensah", "What strategy work is like")
    out = world.run("/as @daniel.mensah\n/mentor requests")
    assert "2 waiting for your answer:" in one_line(out)
    assert "#1 from Jordan Reyes" in out and "#2 from Lena Hoffmann" in out
    labels = [label for _, label in buttons(out)]
    assert labels == ["Accept", "Decline", "Not now"] * 2


def test_leave_declines_pending_requests_kindly_and_seekers_get_alternatives(
    world: ConsoleWorld,
) -> None:
    world.request(SEEKER, "daniel.mensah", "How you moved from banking into fintech")
    world.request("lena.hoffmann", "daniel.mensah", "What strategy work is like")
    out = world.run("/as @daniel.mensah\n/mentor leave")
    text = one_line(out)
    assert "You've left the mentor program" in text
    assert "2 pending request(s) were declined kindly" in text
    for seeker, rid in (("Jordan Reyes", 1), ("Lena Hoffmann", 2)):
        (dm,) = dms_to(out, seeker)
        assert (f"Daniel Mensah has stepped back from mentoring, so request #{rid} won't go "
                "ahead.") in one_line(dm.text)
        cards = [line for line in dm.text.splitlines() if line.startswith("  • ")]
        assert 1 <= len(cards) <= 3
        assert not any("Daniel Mensah" in card for card in cards)
        assert dm.text.count("Request intro") == len(cards)
    assert [r["status"] for r in world.requests()] == ["declined", "declined"]
    profile = world.profile("daniel.mensah")
    assert not profile["active"] and not profile["available"]
    after = world.run(f"/as @{SEEKER}\n/intro find fintech\n/intro request @daniel.mensah hi")
    assert "Daniel Mensah —" not in after
    assert "Daniel Mensah isn't a mentor here." in one_line(after)


def test_alternative_from_a_leave_dm_can_be_requested(world: ConsoleWorld) -> None:
    world.request(SEEKER, "daniel.mensah", "How you moved from banking into fintech")
    out = world.run("/as @daniel.mensah\n/mentor leave")
    number = button(out, "Request intro", nth=0)
    form = world.run(f"/as @{SEEKER}\n/press {number}\nHow credit risk teams work\n\n\n\n")
    assert "└ sent" in form
    assert world.requests()[-1]["status"] == "pending"


def test_leave_keeps_accepted_intros_and_join_brings_the_mentor_back(
    world: ConsoleWorld,
) -> None:
    asked = world.request(SEEKER, "daniel.mensah", "How you moved from banking into fintech")
    world.run(f"/as @daniel.mensah\n/press {button(asked, 'Accept')}")
    out = world.run("/mentor leave")
    assert "You still have 1 accepted intro(s): see /intro list." in one_line(out)
    assert dms(out) == []
    assert world.requests()[0]["status"] == "accepted"

    back = world.run("/mentor join\n" + "⏎\n" * 10)
    assert "│ Headline* [Investment banker turned fintech strategist]: " in back
    assert "Welcome aboard — you're now findable by seekers." in one_line(back)
    profile = world.profile("daniel.mensah")
    assert (profile["active"], profile["available"]) == (True, True)
    assert "Daniel Mensah —" in world.run("/as @lena.hoffmann\n/intro find fintech")
