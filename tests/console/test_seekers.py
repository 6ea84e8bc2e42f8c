"""`/intro find|request|list|cancel` through the console, with every refusal."""

from __future__ import annotations

import re

from tests.console.conftest import (
    ADMIN,
    SEEKER,
    ConsoleWorld,
    button,
    buttons,
    dms_to,
    one_line,
)


def _names(transcript: str) -> list[str]:
    """The mentors' names on the cards of a find result."""
    return re.findall(r"^  • (.+?) — ", transcript, flags=re.MULTILINE)


# ---------------------------------------------------------------- find


def test_find_by_keywords_shows_cards_with_a_request_button(world: ConsoleWorld) -> None:
    out = world.run(f"/as @{SEEKER}\n/intro find fintech")
    assert "Mentors for fintech: Ask to learn, not for a job" in one_line(out)
    assert _names(out) == ["Daniel Mensah"]
    assert "Investment banker turned fintech strategist" in out
    assert "Knows about: investment banking, fintech, financial modeling" in out
    assert "[1] Request intro" in out
    # The anonymous search record waits in memory until the next flush (bot.demand).
    assert world.rows("search_events") == []
    assert world.runtime.program.flush_searches() == 1
    (event,) = world.rows("search_events")
    assert (event["terms"], event["results"]) == ("fintech", 1)


def test_find_by_industry_never_shows_away_or_unavailable_mentors(world: ConsoleWorld) -> None:
    out = world.run(f"/as @{SEEKER}\n/intro find industry:Finance")
    names = _names(out)
    assert set(names) == {"Sofía Álvarez", "Lucas Ferreira", "Daniel Mensah", "Arjun Mehta"}
    # Seeded: Rachel Goldberg is away, Ben Adeyemi unavailable; both work in finance.
    assert "Rachel Goldberg" not in out and "Ben Adeyemi" not in out


def test_find_by_company_and_with_keywords_and_filters_together(world: ConsoleWorld) -> None:
    out = world.run(f"""
        /as @{SEEKER}
        /intro find company:Kestrelware
        /intro find privacy company:Kestrelware
        /intro find industry:"Data & AI" python
    """)
    first, second, third = out.split(f"@{SEEKER}> ")[1:4]
    assert set(_names(first)) == {"Hana Sato", "Amelia Osei"}
    assert _names(second) == ["Amelia Osei"]
    assert set(_names(third)) <= {"Priya Raman", "Arjun Mehta", "Jessica Park"}
    assert "Priya Raman" in third and "Tomasz Nowak" not in third


def test_find_with_nothing_found_says_what_to_try(world: ConsoleWorld) -> None:
    out = world.run(f"/as @{SEEKER}\n/intro find underwater basket weaving company:Nowhere")
    assert ("No available mentors match underwater basket weaving company:Nowhere right now. "
            "Try fewer or broader words") in one_line(out)
    assert "Request intro" not in out


def test_find_without_words_lists_at_most_five_mentors_with_room(world: ConsoleWorld) -> None:
    out = world.run(f"/as @{SEEKER}\n/intro find")
    assert "Mentors with room for an intro:" in out
    assert 1 <= len(_names(out)) <= 5


def test_find_never_shows_the_seeker_themself(world: ConsoleWorld) -> None:
    out = world.run("/as @daniel.mensah\n/intro find fintech\n/intro find industry:Finance")
    assert "Daniel Mensah —" not in out
    assert "No available mentors match fintech" in one_line(out)


def test_find_never_shows_a_blocked_mentor_and_they_cannot_be_requested(
    world: ConsoleWorld,
) -> None:
    out = world.run(f"""
        /as @{ADMIN}
        /intro admin block @daniel.mensah
        /as @{SEEKER}
        /intro find fintech
        /intro request @daniel.mensah How fintech strategy works
    """)
    assert "Daniel Mensah is blocked" in out
    assert "No available mentors match fintech" in one_line(out)
    assert "Daniel Mensah isn't taking requests right now." in one_line(out)
    assert world.requests() == []


def test_a_mentor_at_capacity_is_not_found_and_cannot_be_requested(world: ConsoleWorld) -> None:
    world.run("/as @daniel.mensah\n/mentor capacity 1")
    world.request(SEEKER, "daniel.mensah", "How you moved from banking into fintech")
    accepted = world.run("/as @daniel.mensah\n/mentor requests")
    world.run(f"/press {button(accepted, 'Accept')}")
    assert world.requests()[0]["status"] == "accepted"

    world.run("/as @lena.hoffmann\n/intro list")
    before = world.snapshot()
    out = world.run("""
        /intro find fintech
        /intro request @daniel.mensah What strategy work is like
    """)
    assert "No available mentors match fintech" in one_line(out)
    assert ("Daniel Mensah has taken all the intros they can this month. /intro find shows "
            "mentors with room.") in one_line(out)
    # The search is recorded (once the buffered records are written); nothing else changed.
    world.runtime.program.flush_searches()
    after = world.snapshot()
    assert len(after.pop("search_events")) == len(before.pop("search_events")) + 1
    assert after == before


# ---------------------------------------------------------------- request


def test_request_from_a_find_card_sends_the_mentor_a_dm_with_answer_buttons(
    world: ConsoleWorld,
) -> None:
    found = world.run(f"/as @{SEEKER}\n/intro find fintech")
    out = world.run(f"""
        /press {button(found, "Request intro")}
        How you moved from banking into fintech strategy
        You made the same jump I want to make
        video
        Weekdays after 4pm CT
    """)
    assert "┌ Ask Daniel Mensah" in out
    assert "│ Format* [call]: video" in out
    assert "└ sent" in out
    assert ("Request #1 is on its way to Daniel Mensah. They have 7 days to answer"
            in one_line(out))
    (dm,) = dms_to(out, "Daniel Mensah")
    text = one_line(dm.text)
    assert "Jordan Reyes would like about 15 minutes of your advice." in text
    assert "Their contact details are shared only if you accept." in text
    assert "@jordan.reyes" not in dm.text  # no contact details before a yes
    assert "Wants to learn: How you moved from banking into fintech strategy" in text
    assert "Why you: You made the same jump I want to make" in text
    assert "Format: Video chat" in text and "Free: Weekdays after 4pm CT" in text
    assert [label for label in ("Accept", "Decline", "Not now") if label in dm.text] == [
        "Accept", "Decline", "Not now"]

    (request,) = world.requests()
    assert request["status"] == "pending"
    assert request["seeker_id"] == world.member(SEEKER)["id"]
    assert request["mentor_id"] == world.member("daniel.mensah")["id"]
    assert (request["topic"], request["why_you"], request["format"], request["availability"]) \
        == ("How you moved from banking into fintech strategy",
            "You made the same jump I want to make", "video", "Weekdays after 4pm CT")
    assert request["industry"] == "Finance"
    assert not request["lint_flagged"]


def test_request_with_the_topic_on_the_command_line_prefills_the_form(
    world: ConsoleWorld,
) -> None:
    out = world.run(f"""
        /as @{SEEKER}
        /intro request @arjun.mehta How quant research works day to day
        ⏎
        ⏎
        ⏎
        ⏎
    """)
    assert "│ What I want to learn* [How quant research works day to day]: " in out
    assert "└ sent" in out
    assert world.requests()[0]["topic"] == "How quant research works day to day"


def test_request_form_refuses_an_empty_topic_a_too_long_text_and_an_unknown_format(
    world: ConsoleWorld,
) -> None:
    world.run(f"/as @{SEEKER}\n/intro list")
    before = world.snapshot()
    long_why = "because " * 80  # 640 characters
    out = world.run(f"""
        /intro request @arjun.mehta
        ⏎
        {long_why}
        telepathy
        ⏎
    """)
    assert "⚠ Please fill in “What I want to learn”." in out
    assert "(form abandoned; nothing was sent)" in out  # the script ended at the second asking
    assert world.snapshot() == before

    fixed = world.run(f"""
        /intro request @arjun.mehta
        ⏎
        {long_why}
        telepathy
        ⏎
        How quant research works
        You moved from physics
        async
    """)
    text = one_line(fixed)
    assert "⚠ Please fill in “What I want to learn”." in text
    assert "⚠ “Why you” is 639 characters; please keep it under 500." in text
    assert "⚠ Pick one of: call, video, coffee, async." in text
    assert "└ sent" in fixed
    (request,) = world.requests()
    assert (request["topic"], request["why_you"], request["format"]) == (
        "How quant research works", "You moved from physics", "async")


def test_request_refusals_change_nothing(world: ConsoleWorld) -> None:
    world.run(f"/as @{SEEKER}\n/intro list")
    before = world.snapshot()
    out = one_line(world.run(f"""
        /intro request @nobody.here How it works
        /intro request @{SEEKER} How it works
        /intro request @{ADMIN} How it works
        /intro request @rachel.goldberg How wealth advice works
        /intro request @noah.lindqvist How security works
    """))
    assert ("I don't know nobody.here in this community. Check the spelling (try /intro find "
            "to see mentors)") in out
    assert "That's you! Pick another mentor — /intro find shows who's available." in out
    assert "Ruth Abernathy isn't a mentor here." in out
    assert "Rachel Goldberg isn't taking requests right now." in out  # away
    assert "Noah Lindqvist isn't taking requests right now." in out  # unavailable
    assert world.snapshot() == before


def test_a_second_request_to_the_same_mentor_is_refused(world: ConsoleWorld) -> None:
    world.request(SEEKER, "daniel.mensah", "How you moved from banking into fintech")
    before = world.snapshot()
    out = world.run("/intro request @daniel.mensah Something else")
    assert ("You already have request #1 open with Daniel Mensah. One at a time per mentor"
            in one_line(out))
    assert "┌" not in out
    assert world.snapshot() == before


def test_max_open_requests_limits_pending_requests(world: ConsoleWorld) -> None:
    for mentor in ("daniel.mensah", "sofia.alvarez", "arjun.mehta"):
        assert "└ sent" in world.request(SEEKER, mentor, "How your field works")
    before = world.snapshot()
    out = world.run("/intro request @priya.raman How forecasting works")
    assert ("You have 3 requests waiting for an answer, the most at once. Give mentors a few "
            "days, or withdraw one with /intro cancel ID.") in one_line(out)
    assert world.snapshot() == before
    # Withdrawing one makes room again.
    assert "└ sent" in world.run("/intro cancel 1\n/intro request @priya.raman\n"
                                 "How forecasting works\n\n\n\n")


def test_a_blocked_seeker_cannot_request(world: ConsoleWorld) -> None:
    world.run(f"/as @{ADMIN}\n/intro admin block @{SEEKER}")
    world.run(f"/as @{SEEKER}\n/intro list")
    before = world.snapshot()
    out = world.run("/intro request @daniel.mensah How fintech works")
    assert "Your access to intro requests is paused by the program admins." in one_line(out)
    assert world.snapshot() == before


def test_job_seeking_request_in_warn_mode_is_flagged_and_can_be_sent_anyway(
    world: ConsoleWorld,
) -> None:
    out = world.run(f"""
        /as @{SEEKER}
        /intro request @daniel.mensah
        Can you refer me for a job at your company?
        ⏎
        ⏎
        ⏎
        ⏎
        ⏎
        ⏎
        ⏎
        /intro list
    """)
    text = one_line(out)
    assert '"refer me" asks for a referral.' in text
    assert "Edit your request, or send it as it is." in text
    assert "│ What I want to learn* [Can you refer me for a job at your company?]: " in out
    assert "└ sent" in out
    (request,) = world.requests()
    assert request["lint_flagged"]
    assert request["topic"] == "Can you refer me for a job at your company?"
    assert "#1 to Daniel Mensah — pending" in out


def test_job_seeking_request_can_be_reworded_after_the_warning(world: ConsoleWorld) -> None:
    out = world.run(f"""
        /as @{SEEKER}
        /intro request @daniel.mensah
        Please hire me
        ⏎
        ⏎
        ⏎
        How did you get your first job in this field?
        ⏎
        ⏎
        ⏎
    """)
    assert '"hire me" asks for a job.' in one_line(out)
    assert "└ sent" in out
    (request,) = world.requests()
    assert request["topic"] == "How did you get your first job in this field?"
    assert not request["lint_flagged"]


def test_job_seeking_request_in_block_mode_cannot_be_sent(world: ConsoleWorld) -> None:
    config = world.run(f"/as @{ADMIN}\n/intro admin config lint_mode block")
    assert "lint_mode: warn → block." in config
    world.run(f"/as @{SEEKER}\n/intro list")
    before = world.snapshot()
    out = world.run("""
        /intro request @daniel.mensah
        Can you refer me for a job at your company?
        ⏎
        ⏎
        ⏎
        Could you refer me, please?
    """)
    assert out.count('"refer me" asks for a referral.') == 2
    assert "Send anyway" not in out and "Edit your request, or send it as it is." not in out
    assert "└ sent" not in out
    assert world.snapshot() == before
    clean = world.run("/intro request @daniel.mensah\nHow did you get your first job in "
                      "this field?\n\n\n\n")
    assert "└ sent" in clean


# ---------------------------------------------------------------- list and cancel


def test_list_shows_requests_as_seeker_and_as_mentor_with_next_steps(
    world: ConsoleWorld,
) -> None:
    empty = world.run(f"/as @{SEEKER}\n/intro list")
    assert "You have no intro requests yet. /intro find shows mentors who fit." in one_line(empty)
    world.request(SEEKER, "daniel.mensah", "How you moved from banking into fintech")
    world.request("daniel.mensah", "sofia.alvarez", "How credit risk works")
    world.request("lena.hoffmann", "daniel.mensah", "What strategy work is like")
    out = world.run("/as @daniel.mensah\n/intro list")
    text = one_line(out)
    assert "#2 to Sofía Álvarez — pending" in text
    assert "Next: waiting for their answer (/intro cancel 2 to withdraw)" in text
    assert "#1 from Jordan Reyes — pending" in text
    assert "#3 from Lena Hoffmann — pending" in text
    assert "Next: accept or decline (/mentor requests)" in text
    seeker = world.run(f"/as @{SEEKER}\n/intro list")
    assert "#1 to Daniel Mensah — pending" in seeker
    assert [label for _, label in buttons(seeker)] == ["Cancel"]


def test_cancel_withdraws_a_pending_request_and_tells_the_mentor(world: ConsoleWorld) -> None:
    world.request(SEEKER, "daniel.mensah", "How you moved from banking into fintech")
    out = world.run("/intro cancel 1")
    assert "Request #1 is withdrawn." in out
    (dm,) = dms_to(out, "Daniel Mensah")
    assert "Jordan Reyes withdrew request #1. Nothing for you to do." in one_line(dm.text)
    assert world.requests()[0]["status"] == "cancelled"

    before = world.snapshot()
    again = world.run("/intro cancel 1")
    assert "Request #1 is already cancelled, so it can't be cancelled now." in one_line(again)
    assert world.snapshot() == before


def test_cancel_by_the_button_in_the_list(world: ConsoleWorld) -> None:
    world.request(SEEKER, "daniel.mensah", "How you moved from banking into fintech")
    listed = world.run("/intro list")
    out = world.run(f"/press {button(listed, 'Cancel')}")
    assert "Request #1 is withdrawn." in out
    assert world.requests()[0]["status"] == "cancelled"


def test_someone_elses_request_cannot_be_cancelled(world: ConsoleWorld) -> None:
    world.request(SEEKER, "daniel.mensah", "How you moved from banking into fintech")
    listed = world.run("/intro list")
    cancel = button(listed, "Cancel")
    before = world.snapshot()
    out = one_line(world.run(f"""
        /as @lena.hoffmann
        /intro cancel 1
        /press {cancel}
        /as @daniel.mensah
        /intro cancel 1
        /intro cancel 99
    """))
    assert out.count("I can't find request #1 among yours. /intro list shows your requests.") \
        == 2
    assert "Only the person who asked can withdraw a request." in out
    assert "I can't find request #99 among yours." in out
    assert world.snapshot() == before


def test_a_mentor_can_be_named_by_quoted_display_name_and_filters_ignore_case(
    world: ConsoleWorld,
) -> None:
    out = world.run(f"""
        /as @{SEEKER}
        /intro find INDUSTRY:finance company:banco
        /intro request @"Sofía Álvarez" How credit risk works
        ⏎
        ⏎
        ⏎
        ⏎
    """)
    found, asked = out.split("/intro request", 1)
    assert _names(found) == ["Sofía Álvarez"]
    assert "└ sent" in asked
    assert world.requests()[0]["mentor_id"] == world.member("sofia.alvarez")["id"]


def test_after_cancelling_the_same_mentor_can_be_asked_again(world: ConsoleWorld) -> None:
    world.request(SEEKER, "daniel.mensah", "How you moved from banking into fintech")
    world.run("/intro cancel 1")
    again = world.request(SEEKER, "daniel.mensah", "How strategy teams work")
    assert "Request #2 is on its way to Daniel Mensah." in one_line(again)
    assert [r["status"] for r in world.requests()] == ["cancelled", "pending"]


def test_a_stale_find_card_refuses_a_mentor_who_has_gone_unavailable(
    world: ConsoleWorld,
) -> None:
    found = world.run(f"/as @{SEEKER}\n/intro find fintech")
    world.run("/as @daniel.mensah\n/mentor off")
    world.run(f"/as @{SEEKER}")
    before = world.snapshot()
    out = world.run(f"/press {button(found, 'Request intro')}")
    assert "Daniel Mensah isn't taking requests right now." in one_line(out)
    assert "┌" not in out
    assert world.snapshot() == before


def test_an_over_long_topic_on_the_command_line_is_never_cut_silently(
    world: ConsoleWorld,
) -> None:
    typed = " ".join(["how"] * 150)  # 599 characters; the topic holds 500
    out = world.run(f"""
        /as @{SEEKER}
        /intro request @daniel.mensah {typed}
        ⏎
        ⏎
        ⏎
        ⏎
    """)
    # Either refused with the limit named, or sent as typed: never sent cut short unasked.
    assert all(r["topic"] == typed for r in world.requests()), "the topic was cut silently"
    assert "500" in one_line(out)


def test_a_mentor_at_capacity_is_findable_again_next_month(world: ConsoleWorld) -> None:
    world.run("/as @daniel.mensah\n/mentor capacity 1")
    asked = world.request(SEEKER, "daniel.mensah", "How you moved from banking into fintech")
    world.run(f"/as @daniel.mensah\n/press {button(asked, 'Accept')}")
    assert "Daniel Mensah —" not in world.run("/as @lena.hoffmann\n/intro find fintech")
    out = world.run("/clock +5d\n/intro find fintech")  # Tue 1 Dec 2026
    assert "Daniel Mensah —" in out
