"""`/intro my-data` and `/intro forget-me` through the console."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sqlalchemy import text

from tests.console.conftest import (
    ADMIN,
    SEEKER,
    ConsoleWorld,
    button,
    dms,
    dms_to,
    one_line,
)

TOPIC = "How a marmalade-loving economist ends up in fintech"
WHY = "Your zigzag from banking into strategy"
FREE = "Tuesdays after the quince harvest"
NOTE = "A persimmon-flavoured warm intro note"


def _history(world: ConsoleWorld) -> None:
    """Jordan asks Daniel (accepted), asks Sofía (pending), and is warm-introduced."""
    asked = world.request(SEEKER, "daniel.mensah", TOPIC, why=WHY, free=FREE)
    world.run(f"/as @daniel.mensah\n/press {button(asked, 'Accept')}")
    world.request(SEEKER, "sofia.alvarez", "How credit risk teams work")
    world.run(f"/as @lena.hoffmann\n/intro connect @{SEEKER} @arjun.mehta {NOTE}")


def _every_stored_text(world: ConsoleWorld) -> str:
    """Every cell of every table in the database file (search index tables included)."""
    cells: list[str] = []
    with world.engine.connect() as connection:
        names = connection.execute(
            text("SELECT name FROM sqlite_master WHERE type = 'table'")).scalars().all()
        for name in names:
            for row in connection.execute(text(f'SELECT * FROM "{name}"')):
                for value in row:
                    if isinstance(value, bytes):
                        cells.append(value.decode("utf-8", "ignore"))
                    elif value is not None:
                        cells.append(str(value))
    return "\n".join(cells).lower()


def test_my_data_shows_everything_stored_and_attaches_it_in_full(world: ConsoleWorld) -> None:
    _history(world)
    out = world.run(f"/as @{SEEKER}\n/intro my-data")
    text_ = one_line(out)
    assert "Your data" in out
    assert "Here is everything this community's Introbot stores about you." in text_
    for expected in ("Name: Jordan Reyes", "Handle: @jordan.reyes", "Timezone: America/Chicago",
                     "You have no mentor profile.", "Requests you sent (2)",
                     f"#1 to Daniel Mensah — accepted, 26 Nov 2026: “{TOPIC}”",
                     "#2 to Sofía Álvarez — pending", "Requests you received (0)",
                     "Warm intros (1)", "Lena Hoffmann introduced you to Arjun Mehta — pending",
                     "Things you did, newest first"):
        assert expected in text_, expected
    match = re.search(r"📎 introbot-my-data.json saved to (\S+)", out)
    assert match
    document = json.loads(Path(match[1]).read_text(encoding="utf-8"))
    assert document["member"]["handle"] == SEEKER
    sent = {r["id"]: r for r in document["requests_sent"]}
    assert (sent[1]["topic"], sent[1]["why_you"], sent[1]["availability"]) == (TOPIC, WHY, FREE)
    assert sent[1]["mentor_name"] == "Daniel Mensah"
    assert document["warm_intros"][0]["note"] == NOTE


def test_my_data_of_a_mentor_shows_the_profile(world: ConsoleWorld) -> None:
    _history(world)
    out = one_line(world.run("/as @daniel.mensah\n/intro my-data"))
    assert "Status: active, available" in out
    assert "Headline: Investment banker turned fintech strategist" in out
    assert "Company: Thistlegate Capital" in out
    assert "Intros per month: 2" in out
    assert f"#1 from Jordan Reyes — accepted, 26 Nov 2026: “{TOPIC}”" in out


def test_forget_me_needs_the_word_confirm(world: ConsoleWorld) -> None:
    _history(world)
    before = world.snapshot()
    out = one_line(world.run(f"/as @{SEEKER}\n/intro forget-me"))
    assert "This erases your profile, your requests' texts and your name" in out
    assert "To go ahead, type /intro forget-me confirm." in out
    assert world.snapshot() == before


def test_forget_me_erases_a_seeker_and_tells_the_people_waiting(world: ConsoleWorld) -> None:
    _history(world)
    stats_before = one_line(world.run(f"/as @{ADMIN}\n/intro admin stats"))
    assert "Requests: 2" in stats_before
    seeker_id = world.member(SEEKER)["id"]

    out = world.run(f"/as @{SEEKER}\n/intro forget-me confirm")
    text_ = one_line(out)
    assert "Done: your personal data is erased from this community's records." in text_
    assert "2 open request(s) were cancelled and the other people told" in text_
    assert "Anonymous counts stay for the program's statistics." in text_
    for mentor, rid in (("Daniel Mensah", 1), ("Sofía Álvarez", 2)):
        (dm,) = dms_to(out, mentor)
        assert f"Request #{rid} from Jordan Reyes is cancelled: they have left the program." \
            in one_line(dm.text)
        assert TOPIC not in dm.text

    # Nothing personal remains anywhere in the database.
    stored = _every_stored_text(world)
    for personal in ("jordan reyes", "jordan.reyes", "marmalade", "zigzag",
                     "quince", "persimmon", "credit risk teams"):
        assert personal not in stored, personal
    member = world.one("members", id=seeker_id)
    assert member["erased_at"] is not None
    # Stamped with the program's clock (the demo's, here), not the machine's.
    assert str(member["erased_at"]).startswith(world.clock.now().strftime("%Y-%m-%d %H:%M"))
    assert (member["display_name"], member["timezone"]) == ("erased member", "UTC")
    for request in world.requests():
        assert request["seeker_id"] is None
        assert request["status"] == "cancelled"
        assert (request["topic"], request["why_you"], request["availability"]) == ("", "", "")
    assert all(row["actor_id"] != seeker_id for row in world.rows("audit_log"))
    assert world.rows("reminder_outbox", recipient_id=seeker_id) == []
    intro = world.one("warm_intros")
    assert (intro["seeker_id"], intro["note"]) == (None, "")

    # Anonymous counts stay.
    stats_after = one_line(world.run(f"/as @{ADMIN}\n/intro admin stats"))
    assert "Requests: 2" in stats_after
    assert "Acceptance rate: 100% (1 of 1 answered)" in stats_after

    # Coming back starts afresh.
    again = world.run(f"/as @{SEEKER}\n/intro list\n/intro my-data")
    assert "(@jordan.reyes is new here" in again
    assert "You have no intro requests yet." in one_line(again)
    assert "Requests you sent (0)" in one_line(again)


def test_forget_me_erases_a_mentor_and_their_seekers_get_alternatives(
    world: ConsoleWorld,
) -> None:
    world.request(SEEKER, "daniel.mensah", TOPIC)
    out = world.run("/as @daniel.mensah\n/intro forget-me confirm")
    assert "1 open request(s) were cancelled" in one_line(out)
    (dm,) = dms(out)
    assert dm.recipients == ("Jordan Reyes",)
    text_ = one_line(dm.text)
    assert "Request #1 to Daniel Mensah is cancelled: they have left the program." in text_
    assert "here are other mentors who could help:" in text_
    assert "Daniel Mensah —" not in dm.text

    stored = _every_stored_text(world)
    for personal in ("daniel mensah", "daniel.mensah", "thistlegate",
                     "investment banker turned fintech strategist", "financial modeling"):
        assert personal not in stored, personal
    with world.engine.connect() as connection:
        hits = connection.execute(
            text("SELECT rowid FROM mentor_fts WHERE mentor_fts MATCH 'thistlegate'")).all()
    assert hits == []
    assert world.rows("mentor_profiles", member_id=world.one(
        "members", display_name="erased member")["id"]) == []
    found = world.run(f"/as @{SEEKER}\n/intro find fintech\n/intro find company:Thistlegate")
    assert "Daniel Mensah" not in found.split("/intro find fintech", 1)[1]
    assert "No available mentors match company:Thistlegate" in one_line(found)
