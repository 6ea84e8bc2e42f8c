"""`/intro admin stats|export|import|config|block|unblock` through the console."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.bootstrap import build_runtime
from tests.console.conftest import (
    ADMIN,
    SEEKER,
    ConsoleWorld,
    button,
    dms,
    dms_to,
    one_line,
)


def _read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a byte-order mark, for spreadsheets
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def _saved_file(transcript: str) -> Path:
    match = re.search(r"📎 \S+ saved to (\S+)", transcript)
    assert match, transcript
    return Path(match[1])


# ---------------------------------------------------------------- stats


def test_stats_show_requests_acceptance_reply_time_and_supply_against_demand(
    world: ConsoleWorld,
) -> None:
    world.run(f"/as @{SEEKER}\n/intro find fintech\n/intro find underwater welding")
    first = world.request(SEEKER, "daniel.mensah", "How you moved from banking into fintech")
    second = world.request("lena.hoffmann", "sofia.alvarez", "How credit risk teams work")
    world.request("kofi.boateng", "david.kim", "What litigation is like")
    world.clock.advance(timedelta(hours=2))
    world.run(f"/as @daniel.mensah\n/press {button(first, 'Accept')}")
    world.clock.advance(timedelta(hours=2))
    world.run(f"/as @sofia.alvarez\n/press {button(second, 'Decline')}\n⏎")

    out = world.run(f"/as @{ADMIN}\n/intro admin stats")
    text = one_line(out)
    assert "Program stats" in out
    assert "How the program went over the last 30 days." in text
    assert "Requests: 3" in text
    assert "By status: pending 1, accepted 1, declined 1" in text
    assert "Acceptance rate: 50% (1 of 2 answered)" in text
    assert "Median time to reply: 3 h" in text  # 2 h and 4 h
    assert "Searches: 2 (1 found nobody)" in text
    rows = {m[1].strip(): (int(m[2]), int(m[3]))
            for m in re.finditer(r"^(\S[^\d\n]*?)\s+(\d+)\s+(\d+)\s+[+-]\d+$", out,
                                 flags=re.MULTILINE)}
    # Demand: the search for "fintech" and two requests in Finance, one request in Law.
    # Supply: findable finance mentors now (Daniel is still findable: 1 of 2 taken).
    assert rows["Finance"] == (3, 4)
    assert rows["Law"] == (1, 3)
    assert rows["Software"][0] == 0


def test_stats_for_a_number_of_days_and_bad_numbers(world: ConsoleWorld) -> None:
    world.run(f"/as @{ADMIN}\n/intro list")
    before = world.snapshot()
    out = one_line(world.run("""
        /intro admin stats 7 days
        /intro admin stats 0
        /intro admin stats lots
        /intro admin stats 3 4
    """))
    assert "How the program went over the last 7 days." in out
    assert "The number of days must be from 1 to 3650; you gave 0." in out
    assert "'lots' isn't a whole number" in out
    assert "Give one number of days, not '3 4'." in out
    assert world.snapshot() == before


# ---------------------------------------------------------------- export


def test_export_requests_writes_a_csv_file(world: ConsoleWorld) -> None:
    asked = world.request(SEEKER, "daniel.mensah", "How you moved from banking into fintech")
    world.run(f"/as @daniel.mensah\n/press {button(asked, 'Accept')}")
    world.request("lena.hoffmann", "sofia.alvarez", "=HYPERLINK(\"x\") credit risk")
    out = world.run(f"/as @{ADMIN}\n/intro admin export requests")
    assert "Here is the requests export: 2 requests." in out
    path = _saved_file(out)
    assert path.parent == world.files_dir
    assert path.name == "introbot-requests-2026-11-26.csv"
    rows = _read_csv(path)
    assert [(r["id"], r["status"], r["seeker_handle"], r["mentor_handle"], r["industry"])
            for r in rows] == [
        ("1", "accepted", "jordan.reyes", "daniel.mensah", "Finance"),
        ("2", "pending", "lena.hoffmann", "sofia.alvarez", "Finance"),
    ]
    assert rows[0]["responded_at"].startswith("2026-11-26T14:00:00")
    assert "topic" not in rows[0]  # the texts people wrote stay out of the export


def test_export_mentors_writes_every_mentor_with_status(world: ConsoleWorld) -> None:
    world.run("/as @daniel.mensah\n/mentor leave")
    out = world.run(f"/as @{ADMIN}\n/intro admin export mentors")
    assert "Here is the mentors export: 44 mentors." in out
    rows = _read_csv(_saved_file(out))
    assert len(rows) == 44
    by_handle = {r["handle"]: r for r in rows}
    assert by_handle["daniel.mensah"]["status"] == "left"
    assert by_handle["sofia.alvarez"]["status"] == "active"
    assert by_handle["noah.lindqvist"]["available"] == "no"
    assert by_handle["rachel.goldberg"]["away_until"].startswith("2026-12-06")
    assert by_handle["amelia.osei"]["company"] == "Kestrelware"
    assert by_handle["amelia.osei"]["timezone"] == "Europe/Dublin"


# ---------------------------------------------------------------- import

IMPORT_CSV = """\
handle,display_name,headline,industries,expertise,company,formats,capacity,timezone
ines.garcia,Inés García,Marine biologist turned science writer,"Media & Entertainment, Science",\
"science writing, marine biology",Tidewater Press,"video, async",2,Europe/Madrid
bad handle!,Someone,Headline,Law,,,,,
tom.reed,Tom Reed,Airline pilot,Aviation,,Skyline Air,teleport,2,UTC
sara.lee,Sara Lee,Bakery owner,Food,,,call,99,Mars/Olympus
daniel.mensah,Daniel Mensah,Already a mentor,Finance,,,,,
"""


def test_import_invites_the_valid_rows_and_reports_errors_by_line(
    world: ConsoleWorld, tmp_path: Path
) -> None:
    path = tmp_path / "alumni.csv"
    path.write_text(IMPORT_CSV, encoding="utf-8")
    out = world.run(f"/as @{ADMIN}\n/intro admin import {path}")
    text = one_line(out)
    assert "Mentor import" in out
    assert "Invited 1 mentor; nobody is findable until they opt in with /mentor join." in text
    assert "1 person already invited or mentoring (left as they are)." in text
    assert "3 rows with errors:" in text
    assert "line 3: handle “bad handle!” should look like maria.chen" in text
    assert "line 4: “teleport” isn't a meeting format I know" in text
    assert "line 5: capacity must be a whole number from 1 to 50" in text
    assert "timezone “Mars/Olympus” isn't one I know" in text
    assert "Fix those lines and import the file again" in text

    (invite,) = dms(out)
    assert invite.recipients == ("Inés García",)
    assert "You're invited to mentor" in invite.text
    assert "type /mentor join to check it and opt in" in one_line(invite.text)
    ines = world.profile("ines.garcia")
    assert (ines["active"], ines["available"]) == (False, False)
    assert ines["headline"] == "Marine biologist turned science writer"
    assert ines["formats"] == "video,async"
    assert world.profile("daniel.mensah")["headline"] == "Investment banker turned fintech " \
                                                         "strategist"
    assert world.rows("members", handle="tom.reed") == []

    # Invited is not findable.
    assert "Inés García" not in world.run(f"/as @{SEEKER}\n/intro find marine biology")


def test_importing_the_same_file_again_changes_nothing(
    world: ConsoleWorld, tmp_path: Path
) -> None:
    path = tmp_path / "alumni.csv"
    path.write_text(IMPORT_CSV, encoding="utf-8")
    world.run(f"/as @{ADMIN}\n/intro admin import {path}")
    before = world.snapshot()
    out = world.run(f"/intro admin import {path}")
    text = one_line(out)
    assert "Invited 0 mentors" in text
    assert "2 people already invited or mentoring (left as they are)." in text
    assert "3 rows with errors:" in text
    assert dms(out) == []
    after = world.snapshot()
    # Only the audit trail records that an import ran.
    assert after.pop("audit_log")[:-1] == before.pop("audit_log")
    assert after == before


def test_an_invited_mentor_opts_in_with_mentor_join(world: ConsoleWorld, tmp_path: Path) -> None:
    path = tmp_path / "alumni.csv"
    path.write_text(IMPORT_CSV, encoding="utf-8")
    world.run(f"/as @{ADMIN}\n/intro admin import {path}")
    out = world.run("/as @ines.garcia\n/mentor join\n" + "⏎\n" * 10)
    assert "│ Headline* [Marine biologist turned science writer]: " in out
    assert "Welcome aboard — you're now findable by seekers." in one_line(out)
    profile = world.profile("ines.garcia")
    assert (profile["active"], profile["available"]) == (True, True)
    assert world.member("ines.garcia")["timezone"] == "Europe/Madrid"
    assert "Inés García" in world.run(f"/as @{SEEKER}\n/intro find marine biology")


def test_the_invitation_button_opens_the_join_form(world: ConsoleWorld, tmp_path: Path) -> None:
    path = tmp_path / "alumni.csv"
    path.write_text(IMPORT_CSV, encoding="utf-8")
    invited = world.run(f"/as @{ADMIN}\n/intro admin import {path}")
    (invite,) = dms_to(invited, "Inés García")
    out = world.run(f"/as @ines.garcia\n/press {button(invite.text, 'Review and join')}\n"
                    + "⏎\n" * 10)
    assert "That button is from an older version of the bot." not in out
    assert "│ Headline* [Marine biologist turned science writer]: " in out
    assert "└ sent" in out
    assert world.profile("ines.garcia")["active"]


def test_import_refusals_for_the_file_itself(world: ConsoleWorld, tmp_path: Path) -> None:
    bad_header = tmp_path / "bad.csv"
    bad_header.write_text("handle,shoe_size\nx.y,42\n", encoding="utf-8")
    no_rows = tmp_path / "empty.csv"
    no_rows.write_text("handle,headline\n", encoding="utf-8")
    world.run(f"/as @{ADMIN}\n/intro list")
    before = world.snapshot()
    out = one_line(world.run(f"""
        /intro admin import
        /intro admin import {tmp_path / "missing.csv"}
        /intro admin import {bad_header}
    """))
    assert "Usage: /intro admin import FILE — a CSV of mentors" in out
    assert "I couldn't read" in out
    assert str(tmp_path / "missing.csv") in "".join(out.split())  # wrapped at its dashes
    assert "Line 1 names column(s) I don't know: shoe_size." in out
    assert world.snapshot() == before
    empty = world.run(f"/intro admin import {no_rows}")
    assert "That file has a header but no mentors in it." in one_line(empty)


# ---------------------------------------------------------------- config


def test_config_shows_every_setting_with_its_default(world: ConsoleWorld) -> None:
    out = world.run(f"/as @{ADMIN}\n/intro admin config")
    text = one_line(out)
    assert "Program settings" in out
    for line in ("max_open_requests: 3 (default)", "request_expiry_days: 7 (default)",
                 "freeze_after_expiries: 2 (default)", "default_capacity: 2 (default)",
                 "meeting_minutes: 15 (default)", "lint_mode: warn (default)",
                 "quiet_hours: 21:00-08:00 (default)"):
        assert line in text, line


def test_config_set_changes_the_rule_at_once(world: ConsoleWorld) -> None:
    out = world.run(f"""
        /as @{ADMIN}
        /intro admin config max_open_requests 1
        /intro admin config max_open_requests=1
        /intro admin config
    """)
    text = one_line(out)
    assert "max_open_requests: 3 → 1. Pending requests a seeker may have at once." in text
    assert "max_open_requests is already 1; nothing changed." in text
    assert "max_open_requests: 1 (default 3)" in text
    (setting,) = world.rows("program_settings")
    assert (setting["key"], setting["value"]) == ("max_open_requests", "1")

    world.request(SEEKER, "daniel.mensah", "How you moved from banking into fintech")
    refused = world.run("/intro request @sofia.alvarez How credit risk works")
    assert "You have 1 requests waiting for an answer, the most at once." in one_line(refused)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("lint_mode maybe", "Can't set lint_mode to 'maybe': Expected one of: warn, block."),
        ("max_open_requests 0", "Can't set max_open_requests to '0': Expected a whole number "
                                "from 1 to 20."),
        ("quiet_hours 25:00-08:00", "Expected quiet hours like 21:00-08:00, or 'off'."),
        ("shoe_size 42", "There is no setting called 'shoe_size'. Settings:"),
        ("max_open_requests", "Usage: /intro admin config max_open_requests VALUE"),
    ],
)
def test_config_refuses_invalid_values_and_changes_nothing(
    world: ConsoleWorld, line: str, message: str
) -> None:
    world.run(f"/as @{ADMIN}\n/intro list")
    before = world.snapshot()
    assert message in one_line(world.run(f"/intro admin config {line}"))
    assert world.snapshot() == before


# ---------------------------------------------------------------- block


def test_block_and_unblock(world: ConsoleWorld) -> None:
    out = world.run(f"""
        /as @{ADMIN}
        /intro admin block @{SEEKER}
        /intro admin block @{SEEKER}
    """)
    text = one_line(out)
    assert ("Jordan Reyes is blocked: they can't request intros and won't show up in searches."
            in text)
    assert "Jordan Reyes is already blocked." in text
    (block,) = world.rows("blocks")
    assert block["member_id"] == world.member(SEEKER)["id"]
    assert block["blocked_by_id"] == world.member(ADMIN)["id"]

    refused = world.run(f"/as @{SEEKER}\n/intro request @daniel.mensah How fintech works")
    assert "Your access to intro requests is paused" in one_line(refused)

    back = world.run(f"""
        /as @{ADMIN}
        /intro admin unblock @{SEEKER}
        /intro admin unblock @{SEEKER}
    """)
    assert "Jordan Reyes is unblocked and can request and be found again." in one_line(back)
    assert "Jordan Reyes isn't blocked." in back
    assert world.rows("blocks") == []
    assert "└ sent" in world.request(SEEKER, "daniel.mensah", "How fintech works")


def test_block_refusals_change_nothing(world: ConsoleWorld) -> None:
    world.run(f"/as @{ADMIN}\n/intro list")
    before = world.snapshot()
    out = one_line(world.run(f"""
        /intro admin block @{ADMIN}
        /intro admin block @nobody.here
        /intro admin block
        /intro admin block @{SEEKER} @daniel.mensah
    """))
    assert "You can't block yourself." in out
    assert "I don't know nobody.here in this community." in out
    assert "Usage: /intro admin block @member" in out
    assert "/intro admin block needs nothing more" in out
    assert world.snapshot() == before


def test_a_configured_admin_cannot_be_blocked_by_another_admin(
    world: ConsoleWorld, tmp_path: Path
) -> None:
    # Two admins from the settings (as INTROBOT_ADMINS or `introbot console --admin` give them).
    runtime = build_runtime(str(world.engine.url), clock=world.clock,
                            admin_ids=frozenset({ADMIN, "kofi.boateng"}))
    try:
        other = ConsoleWorld(runtime, world.clock, tmp_path / "files2", world.people)
        other.run("/as @kofi.boateng\n/intro admin config")  # kofi is an admin here
        other.run(f"/as @{ADMIN}\n/intro list")
        before = other.snapshot()
        out = other.run("/intro admin block @kofi.boateng")
        assert "Kofi Boateng is a program admin, so they can't be blocked." in one_line(out)
        assert other.snapshot() == before
    finally:
        runtime.close()


# ---------------------------------------------------------------- only for admins


@pytest.mark.parametrize(
    "line",
    [
        "stats",
        "stats 7",
        "export requests",
        "export mentors",
        "import {csv}",
        "config",
        "config lint_mode block",
        "block @lena.hoffmann",
        "unblock @lena.hoffmann",
    ],
)
def test_admin_commands_are_refused_for_everyone_else(
    world: ConsoleWorld, tmp_path: Path, line: str
) -> None:
    path = tmp_path / "alumni.csv"
    path.write_text(IMPORT_CSV, encoding="utf-8")
    world.run(f"/as @{SEEKER}\n/intro list")
    before = world.snapshot()
    out = world.run(f"/intro admin {line.format(csv=path)}")
    assert "That's for program admins. Ask your career services team if you need it." in \
        one_line(out)
    assert "📎" not in out and dms(out) == []
    assert not world.files_dir.exists() or not any(world.files_dir.iterdir())
    assert world.snapshot() == before
