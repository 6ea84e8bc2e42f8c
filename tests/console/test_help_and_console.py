"""Help, the command language's refusals, and the console's own commands."""

from __future__ import annotations

import pytest

from tests.console.conftest import SEEKER, ConsoleWorld, one_line


def test_bare_intro_and_intro_help_show_the_etiquette_and_every_command(
    world: ConsoleWorld,
) -> None:
    out = world.run(f"""
        /as @{SEEKER}
        /intro
        /intro help
        /intro ?
    """)
    bare, help_, alias = out.split("@jordan.reyes> ")[1:4]
    assert bare.split("\n", 1)[1] == help_.split("\n", 1)[1] == alias.split("\n", 1)[1]
    text = one_line(help_)
    assert "never for a job" in text
    assert "Etiquette that makes mentors say yes" in text
    for command in ("/intro find", "/intro request @mentor", "/intro list", "/intro cancel ID",
                    "/intro connect @seeker @mentor", "/intro my-data", "/intro forget-me",
                    "/mentor join", "/mentor capacity N", "/intro admin stats"):
        assert command in text, command


def test_mentor_help_and_help_topics(world: ConsoleWorld) -> None:
    out = world.run(f"""
        /as @{SEEKER}
        /mentor help
        /mentor
        /intro help find
        /intro help admin
        /intro help mentor
    """)
    text = one_line(out)
    assert "Thank you for mentoring!" in text
    assert text.count("/mentor away UNTIL — pause until a date") == 3  # help, bare, topic
    assert "/intro find [KEYWORDS] [industry:X] [company:Y] — available mentors" in text
    assert "/intro admin export requests|mentors — a CSV file." in text
    assert "/intro admin block @member" in text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/intro fnd climate", "I don't know /intro fnd. Did you mean /intro find?"),
        ("/mentor jion", "I don't know /mentor jion. Did you mean /mentor join?"),
        ("/intro capacity 3", "Did you mean /mentor capacity?"),
        ("/intro admin stast", "There's no /intro admin stast. Did you mean /intro admin stats?"),
        ("/intro xyzzy", "I don't know /intro xyzzy. Type /intro help to see every command."),
        ("/intro cancel", "Which request? Usage: /intro cancel ID"),
        ("/intro cancel 1 2", "/intro cancel needs nothing more, but got '2'."),
        ("/intro cancel abc", "'abc' isn't a request number."),
        ("/intro request", "Who is the mentor you'd like to meet? Mention them with @."),
        ("/intro request maria", "'maria' isn't a mention of a member."),
        ("/intro @daniel.mensah", "To ask @daniel.mensah for an intro, type /intro request "
                                  "@daniel.mensah"),
        ("/intro my-data please", "/intro my-data needs nothing more"),
        ("/intro forget-me now", "To erase your data, add the word confirm, not 'now'."),
        ("/intro connect @daniel.mensah", "Usage: /intro connect"),
        ("/mentor off extra", "/mentor off needs nothing more, but got 'extra'."),
        ("/mentor away", "Until when? Usage: /mentor away UNTIL"),
        ("/mentor capacity", "How many intros a month?"),
        ("/intro admin export", "Export what?"),
        ("/intro admin export everything", "I can export requests or mentors, not "
                                           "'everything'."),
    ],
)
def test_unknown_words_and_wrong_arguments_say_what_to_type_and_change_nothing(
    world: ConsoleWorld, line: str, expected: str
) -> None:
    world.run(f"/as @{SEEKER}\n/intro list")  # the member exists before the snapshot
    before = world.snapshot()
    out = world.run(line)
    assert expected in one_line(out)
    assert world.snapshot() == before


def test_over_long_text_is_refused_before_anything_happens(world: ConsoleWorld) -> None:
    world.run(f"/as @{SEEKER}\n/intro list")
    before = world.snapshot()
    out = world.run("/intro find " + "x" * 2500)
    assert "That is too long for me to read. Keep what you write to 1000 characters" in \
        one_line(out)
    assert world.snapshot() == before


def test_commands_need_someone_to_act_as_first(world: ConsoleWorld) -> None:
    before = world.snapshot()
    out = world.run("/intro find fintech\n/press 1\n/whoami")
    assert out.count("First choose who you are: /as @handle") == 1
    assert "There's no button [1] on screen." in out
    assert "You're nobody yet: /as @handle" in out
    assert world.snapshot() == before


def test_as_a_known_member_and_as_a_new_handle(world: ConsoleWorld) -> None:
    out = world.run("""
        /as @daniel.mensah
        /whoami
        /as @sam.rivera "Sam Rivera"
        /whoami
        /intro list
    """)
    assert "You are now @daniel.mensah (Daniel Mensah)." in out
    assert "You are @daniel.mensah (Daniel Mensah)." in out
    assert "(@sam.rivera is new here: joining as Sam Rivera)" in out
    assert "You are @sam.rivera (Sam Rivera)." in out
    assert "You have no intro requests yet." in out
    sam = world.member("sam.rivera")
    assert sam["display_name"] == "Sam Rivera"
    assert sam["platform_user_id"] == "sam.rivera"
    # A new member is known from then on: /as finds them instead of creating them again.
    again = world.run("/as @sam.rivera\n/whoami")
    assert "is new here" not in again
    assert len(world.rows("members", handle="sam.rivera")) == 1


def test_console_refusals(world: ConsoleWorld) -> None:
    out = world.run(f"""
        /as nobody
        /as @Bad!Handle
        /as @{SEEKER}
        /press 99
        /press x
        /clock tomorrow
        /bogus
        /help
    """)
    assert "Usage: /as @handle [Display Name]" in out
    assert "Handles use letters, digits, dots, dashes and underscores" in out
    assert "There's no button [99] on screen." in out
    assert "Usage: /press N — N is the number in [brackets] next to a button." in out
    assert "Usage: /clock +30m | +2h | +3d | +1w" in out
    assert "I don't know “/bogus”. Bot commands start with /intro or /mentor" in out
    assert "Console commands:" in out and "/press N" in out


def test_quit_stops_reading_the_script(world: ConsoleWorld) -> None:
    out = world.run(f"""
        /as @{SEEKER}
        /quit
        /intro list
    """)
    assert "/quit" in out
    assert "/intro list" not in out
    assert "no intro requests" not in out


def test_clock_moves_the_demo_time(world: ConsoleWorld) -> None:
    out = world.run(f"/as @{SEEKER}\n/clock +1d\n/clock +90m")
    assert "(the clock moves forward to Fri 27 Nov 2026 14:00 UTC)" in out
    assert "(the clock moves forward to Fri 27 Nov 2026 15:30 UTC)" in out
    assert world.clock.now().isoformat() == "2026-11-27T15:30:00+00:00"


def test_cancel_inside_a_form_abandons_it(world: ConsoleWorld) -> None:
    world.run(f"/as @{SEEKER}\n/intro list")
    before = world.snapshot()
    out = world.run("""
        /intro request @daniel.mensah
        How fintech strategy works
        /cancel
        /whoami
    """)
    assert "└ (form abandoned; nothing was sent)" in out
    assert "You are @jordan.reyes (Jordan Reyes)." in out
    assert world.snapshot() == before
