"""`/intro connect @seeker @mentor [note]`: double opt-in, the mentor first."""

from __future__ import annotations

from tests.console.conftest import SEEKER, ConsoleWorld, button, dms, dms_to, one_line

CONNECTOR = "lena.hoffmann"
NOTE = "Jordan is weighing fintech against banking; you've done both."


def _connect(world: ConsoleWorld) -> str:
    return world.run(f"/as @{CONNECTOR}\n/intro connect @{SEEKER} @daniel.mensah {NOTE}")


def test_the_mentor_is_asked_first_and_the_seeker_hears_nothing_yet(world: ConsoleWorld) -> None:
    out = _connect(world)
    assert ("Thanks for connecting people! I've asked Daniel Mensah first; Jordan Reyes hears "
            "about it only if they say yes.") in one_line(out)
    (dm,) = dms(out)
    assert dm.recipients == ("Daniel Mensah",)
    text = one_line(dm.text)
    assert "Lena Hoffmann thinks you could give Jordan Reyes some useful advice" in text
    assert "Jordan Reyes won't know you were asked unless you say yes." in text
    assert f"Note: {NOTE}" in text
    assert "Yes, introduce us" in dm.text and "Not this time" in dm.text
    (intro,) = world.rows("warm_intros")
    assert (intro["status"], intro["note"]) == ("pending", NOTE)
    assert intro["connector_id"] == world.member(CONNECTOR)["id"]
    assert world.requests() == []


def test_mentor_yes_then_seeker_yes_makes_an_accepted_intro(world: ConsoleWorld) -> None:
    asked = _connect(world)
    mentor_yes = world.run(f"/as @daniel.mensah\n/press {button(asked, 'Yes, introduce us')}")
    assert "Lovely. I've asked Jordan Reyes if they'd like the intro too." in one_line(mentor_yes)
    (offer,) = dms(mentor_yes)
    assert offer.recipients == ("Jordan Reyes",)
    assert ("Lena Hoffmann suggested you talk with Daniel Mensah, and they've said yes"
            in one_line(offer.text))
    assert world.one("warm_intros")["status"] == "mentor_accepted"
    assert world.requests() == []

    out = world.run(f"/as @{SEEKER}\n/press {button(mentor_yes, 'Yes, introduce us')}")
    assert "Wonderful — you're introduced (intro #1)." in out
    group = dms_to(out, "Daniel Mensah")[0]
    assert group.recipients == ("Jordan Reyes", "Daniel Mensah")
    assert ("Daniel Mensah (@daniel.mensah) meet Jordan Reyes (@jordan.reyes) thanks to Lena "
            "Hoffmann.") in one_line(group.text)
    (thanks,) = dms_to(out, "Lena Hoffmann")
    assert "Your warm intro worked" in thanks.text
    (request,) = world.requests()
    assert request["status"] == "accepted"
    assert request["topic"] == NOTE
    assert request["via_warm_intro_id"] == world.one("warm_intros")["id"]
    assert world.one("warm_intros")["status"] == "accepted"
    assert "#1 to Daniel Mensah — accepted" in world.run("/intro list")


def test_mentor_no_tells_the_connector_and_never_the_seeker(world: ConsoleWorld) -> None:
    asked = _connect(world)
    out = world.run(f"/as @daniel.mensah\n/press {button(asked, 'Not this time')}")
    assert "No problem — nobody else is told you were asked." in out
    (dm,) = dms(out)
    assert dm.recipients == ("Lena Hoffmann",)
    assert "Daniel Mensah can't take the warm intro right now." in one_line(dm.text)
    assert world.one("warm_intros")["status"] == "declined"
    assert world.requests() == []
    again = world.run(f"/press {button(asked, 'Yes, introduce us')}")
    assert "You've already answered this warm intro." in again
    assert dms(again) == []


def test_seeker_no_thanks_tells_the_mentor(world: ConsoleWorld) -> None:
    asked = _connect(world)
    mentor_yes = world.run(f"/as @daniel.mensah\n/press {button(asked, 'Yes, introduce us')}")
    out = world.run(f"/as @{SEEKER}\n/press {button(mentor_yes, 'No thanks')}")
    assert "No problem. /intro find is there whenever you want it." in one_line(out)
    (dm,) = dms(out)
    assert dm.recipients == ("Daniel Mensah",)
    assert "Jordan Reyes won't need the intro after all." in one_line(dm.text)
    assert world.one("warm_intros")["status"] == "declined"
    assert world.requests() == []


def test_only_the_people_introduced_may_answer(world: ConsoleWorld) -> None:
    asked = _connect(world)
    before = world.snapshot()
    out = world.run(f"""
        /as @{SEEKER}
        /press {button(asked, 'Yes, introduce us')}
        /as @{CONNECTOR}
        /press {button(asked, 'Yes, introduce us')}
    """)
    assert out.count("Only the person being introduced can answer this.") == 2
    assert dms(out) == []
    assert world.snapshot() == before


def test_connect_refusals_change_nothing(world: ConsoleWorld) -> None:
    world.run(f"/as @{CONNECTOR}\n/intro list")
    before = world.snapshot()
    out = one_line(world.run(f"""
        /intro connect @{SEEKER} @{SEEKER}
        /intro connect @{SEEKER} @nobody.here
        /intro connect @{SEEKER}
        /as @daniel.mensah
        /intro connect @{SEEKER} @daniel.mensah
    """))
    assert "A warm intro needs two different people: /intro connect @seeker @mentor [note]." \
        in out
    assert "I don't know nobody.here in this community." in out
    assert "Usage: /intro connect" in out
    assert "You can't warm-intro yourself as the mentor" in out
    world.run("/as @daniel.mensah\n/intro list")  # the mentor exists already; nothing else
    assert world.snapshot() == before


def test_a_second_warm_intro_of_the_same_pair_waits_for_the_first(world: ConsoleWorld) -> None:
    _connect(world)
    before = world.snapshot()
    out = world.run(f"/as @{CONNECTOR}\n/intro connect @{SEEKER} @daniel.mensah again")
    assert ("A warm intro of Jordan Reyes to Daniel Mensah is already waiting for an answer."
            in one_line(out))
    assert world.snapshot() == before


def test_an_intro_made_warmly_counts_toward_the_mentors_monthly_capacity(
    world: ConsoleWorld,
) -> None:
    world.run("/as @daniel.mensah\n/mentor capacity 1")
    asked = _connect(world)
    mentor_yes = world.run(f"/as @daniel.mensah\n/press {button(asked, 'Yes, introduce us')}")
    world.run(f"/as @{SEEKER}\n/press {button(mentor_yes, 'Yes, introduce us')}")
    assert world.requests()[0]["status"] == "accepted"
    # One intro a month, and this month's is taken: Daniel is at capacity now.
    status = one_line(world.run("/as @daniel.mensah\n/mentor requests"))
    assert "with room for 0 more intros this month" in status
    found = world.run("/as @kofi.boateng\n/intro find fintech")
    assert "Daniel Mensah —" not in found


def test_a_blocked_member_cannot_be_warm_introduced(world: ConsoleWorld) -> None:
    world.run(f"/as @ruth.abernathy\n/intro admin block @{SEEKER}")
    world.run(f"/as @{CONNECTOR}\n/intro list")
    before = world.snapshot()
    out = world.run(f"/intro connect @{SEEKER} @daniel.mensah {NOTE}")
    assert "Jordan Reyes can't take part in intros right now." in one_line(out)
    assert dms(out) == []
    assert world.snapshot() == before
