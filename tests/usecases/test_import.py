"""Importing alumni as mentor invitations: checking the file, inviting, re-importing."""

from __future__ import annotations

import pytest

from bot.domain import MentorQuery
from bot.errors import InvalidInput, NotAllowed
from bot.usecases import admin, mentors
from bot.usecases.mentor_import import (
    IMPORTED_ID_PREFIX,
    MAX_ROWS,
    claim_imported_member,
    import_mentors_csv,
    parse_mentor_csv,
)
from tests.usecases.conftest import ADMIN, NOW, World

GOOD = (
    "handle,display_name,headline,industries,expertise,company,role,cohort,formats,"
    "capacity,timezone,bio\n"
    "maria.chen,Maria Chen,Risk lead at a small bank,\"Finance, Fintech\",risk,Copperline,"
    "Head of Risk,2009,\"call, video\",3,Europe/Berlin,Loves mentoring\n"
    "@Dev.Patel,Dev Patel,Climate founder,Climate,,Sunward,Founder,2015,coffee,,,\n"
)


# ---------------------------------------------------------------- checking the file


def test_good_rows_are_read() -> None:
    parsed = parse_mentor_csv(GOOD)
    assert parsed.errors == []
    maria, dev = parsed.rows
    assert (maria.line, maria.handle, maria.display_name) == (2, "maria.chen", "Maria Chen")
    assert maria.texts["industries"] == "Finance, Fintech"
    assert maria.formats == "call,video"
    assert maria.capacity == 3
    assert maria.timezone == "Europe/Berlin"
    assert (dev.line, dev.handle, dev.capacity, dev.timezone) == (3, "dev.patel", None, None)
    assert "expertise" not in dev.texts


def test_errors_name_the_line_as_in_the_file() -> None:
    text = (
        "\ufeffHandle,Display Name,bio,capacity,timezone,formats\n"
        "ok.one,One,\"a bio\nover two lines\",2,,\n"  # lines 2-3
        "\n"  # line 4, blank: skipped
        "bad.cap,Bad,,fifty,,\n"  # line 5
        "bad.tz,Bad,,2,Mars/Olympus,\n"  # line 6
        ",No Handle,,,,\n"  # line 7
        "ok.one,Again,,,,\n"  # line 8
        "has space,X,,,,telepathy\n"  # line 9
        "too.many,X,,1,,,surprise\n"  # line 10
        "ok.two,Two,,,,\n"  # line 11
    )
    parsed = parse_mentor_csv(text)
    assert [(r.line, r.handle) for r in parsed.rows] == [(2, "ok.one"), (11, "ok.two")]
    assert parsed.rows[0].texts["bio"] == "a bio\nover two lines"
    assert parsed.errors[0] == "line 5: capacity must be a whole number from 1 to 50"
    assert parsed.errors[1].startswith("line 6: timezone “Mars/Olympus” isn't one I know")
    assert parsed.errors[2] == "line 7: needs a handle (or platform_user_id)"
    assert parsed.errors[3] == "line 8: @ok.one is already on line 2"
    assert parsed.errors[4].startswith("line 9: handle “has space” should look like")
    assert "telepathy" in parsed.errors[4]
    assert parsed.errors[5].startswith("line 10: has 7 values but the header names 6 columns")
    assert len(parsed.errors) == 6


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "empty"),
        ("handle,phone\nx,1\n", "don't know: phone"),
        ("handle,Handle\nx,y\n", "handle more than once"),
        ("display_name,headline\nX,Y\n", "needs a 'handle' column"),
        ("\nhandle\nx\n", "Line 1 should be the header"),
        ("handle\nok\n\"unclosed\nmore\nlines\n", "line 3: unexpected end of data"),
    ],
)
def test_file_level_problems_are_refused(text: str, expected: str) -> None:
    with pytest.raises(InvalidInput, match=expected):
        parse_mentor_csv(text)


def test_a_header_only_file_imports_nobody(world: World) -> None:
    outcome = world.run(ADMIN, import_mentors_csv, "handle,headline\n", NOW, admin=True)
    assert outcome.reply is not None
    assert "no mentors in it" in outcome.reply.text
    assert outcome.dms == []


def test_size_caps() -> None:
    big = "handle,bio\n" + "x,\"" + "b" * (2 * 1024 * 1024) + "\"\n"
    with pytest.raises(InvalidInput, match="I take up to 2 MB"):
        parse_mentor_csv(big)
    many = "handle\n" + "".join(f"m{i}\n" for i in range(MAX_ROWS + 1))
    with pytest.raises(InvalidInput, match="more than 5,000 mentors"):
        parse_mentor_csv(many)
    just_enough = "handle\n" + "".join(f"m{i}\n" for i in range(MAX_ROWS))
    assert len(parse_mentor_csv(just_enough).rows) == MAX_ROWS


# ---------------------------------------------------------------- importing


def test_import_invites_without_making_anyone_findable(world: World) -> None:
    outcome = world.run(ADMIN, import_mentors_csv, GOOD, NOW, admin=True)
    assert outcome.reply is not None
    assert outcome.reply.text.startswith("Invited 2 mentors;")
    assert [dm.recipients[0].platform_user_id for dm in outcome.dms] == [
        "maria.chen", "dev.patel",
    ]
    invite = outcome.dms[0].message
    assert "/mentor join" in invite.text
    assert invite.buttons[0].action_id.startswith("mentor:join:")
    assert {f.label: f.value for f in invite.fields}["Industries"] == "Finance, Fintech"
    with world.uow_factory() as uow:
        cid = world.actor(uow, ADMIN, admin=True).community_id
        profiles = uow.mentors.all(cid)
        assert [(p.active, p.available) for p in profiles] == [(False, False), (False, False)]
        assert profiles[1].capacity == 2  # the program's default capacity
        assert profiles[1].formats == "coffee"
        assert uow.mentors.search(cid, MentorQuery(), NOW) == []
        maria = uow.members.by_platform_id(cid, "maria.chen")
        assert maria is not None and maria.timezone == "Europe/Berlin"
        assert maria.display_name == "Maria Chen"
        assert [admin.mentor_status(uow, p) for p in profiles] == ["invited", "invited"]


def test_reimporting_the_same_file_changes_nothing(world: World) -> None:
    world.run(ADMIN, import_mentors_csv, GOOD, NOW, admin=True)
    again = world.run(ADMIN, import_mentors_csv, GOOD, NOW, admin=True)
    assert again.dms == []
    assert again.reply is not None
    assert again.reply.text.startswith("Invited 0 mentors;")
    assert "2 people already invited or mentoring" in again.reply.text
    rows = world.rows()
    assert len(rows["members"]) == 3  # the admin and two invitees
    assert len(rows["mentor_profiles"]) == 2


def test_existing_mentors_and_members_are_matched_not_duplicated(world: World) -> None:
    world.mentor("maria.chen", "Banking", headline="My own words")
    world.person("dev.patel", name="Dev P.")
    outcome = world.run(ADMIN, import_mentors_csv, GOOD, NOW, admin=True)
    assert [dm.recipients[0].display_name for dm in outcome.dms] == ["Dev P."]
    assert outcome.reply is not None
    assert "Invited 1 mentor;" in outcome.reply.text
    assert "1 person already invited or mentoring" in outcome.reply.text
    rows = world.rows()
    assert len(rows["members"]) == 3
    maria = next(p for p in rows["mentor_profiles"] if p["headline"] == "My own words")
    assert maria["active"] and maria["industries"] == "Banking"


def test_good_rows_go_in_and_bad_rows_are_listed(world: World) -> None:
    text = GOOD + "bad,Bad,,,,,,,,99,,\n"
    outcome = world.run(ADMIN, import_mentors_csv, text, NOW, admin=True)
    assert outcome.reply is not None
    assert "Invited 2 mentors" in outcome.reply.text
    assert "1 row with errors:\nline 4: capacity must be a whole number from 1 to 50" in (
        outcome.reply.text
    )
    assert "import the file again" in outcome.reply.text


def test_an_invited_mentor_opts_in_and_is_not_invited_again(world: World) -> None:
    world.run(ADMIN, import_mentors_csv, GOOD, NOW, admin=True)
    joined = world.run(
        "maria.chen", mentors.submit_profile,
        {"headline": "Risk lead at a small bank", "industries": "Finance, Fintech"}, NOW,
    )
    assert joined.reply is not None and "findable" in joined.reply.text
    again = world.run(ADMIN, import_mentors_csv, GOOD, NOW, admin=True)
    assert again.dms == []
    with world.uow_factory() as uow:
        cid = world.actor(uow, ADMIN, admin=True).community_id
        hits = uow.mentors.search(cid, MentorQuery(), NOW)
        assert [h.member.handle for h in hits] == ["maria.chen"]
        statuses = sorted(admin.mentor_status(uow, p) for p in uow.mentors.all(cid))
    assert statuses == ["active", "invited"]


def test_a_corrected_file_refreshes_a_pending_invitation(world: World) -> None:
    world.run(ADMIN, import_mentors_csv, GOOD, NOW, admin=True)
    fixed = GOOD.replace("Climate founder", "Founder of a solar start-up")
    outcome = world.run(ADMIN, import_mentors_csv, fixed, NOW, admin=True)
    assert outcome.dms == []
    headlines = {p["headline"] for p in world.rows()["mentor_profiles"]}
    assert "Founder of a solar start-up" in headlines


def test_a_former_mentor_is_left_alone(world: World) -> None:
    world.run(ADMIN, import_mentors_csv, GOOD, NOW, admin=True)
    world.run("maria.chen", mentors.submit_profile,
              {"headline": "Risk lead", "industries": "Finance"}, NOW)
    from bot.usecases.requests import leave_program

    world.run("maria.chen", leave_program, NOW)
    outcome = world.run(ADMIN, import_mentors_csv, GOOD.replace("Risk lead at", "X at"), NOW,
                        admin=True)
    assert outcome.dms == []
    maria = next(p for p in world.rows()["mentor_profiles"] if p["headline"].startswith("Risk"))
    assert not maria["active"]


def test_on_slack_a_handle_only_row_waits_for_the_person(slack_world: World) -> None:
    world = slack_world
    text = "handle,platform_user_id,headline\nmaria.chen,,Risk\n,U777,Design lead\n"
    outcome = world.run(ADMIN, import_mentors_csv, text, NOW, admin=True)
    assert [dm.recipients[0].platform_user_id for dm in outcome.dms] == ["U777"]
    assert outcome.reply is not None
    assert "1 will see the invitation when they first use the bot" in outcome.reply.text
    with world.uow_factory() as uow:
        cid = world.actor(uow, ADMIN, admin=True).community_id
        placeholder = uow.members.by_platform_id(cid, f"{IMPORTED_ID_PREFIX}maria.chen")
        assert placeholder is not None
        claimed = claim_imported_member(uow, cid, "@Maria.Chen", "U123")
        assert claimed is not None and claimed.id == placeholder.id
        assert claim_imported_member(uow, cid, "nobody", "U999") is None
        uow.commit()
    with world.uow_factory() as uow:
        real = uow.members.by_platform_id(cid, "U123")
        assert real is not None and real.handle == "maria.chen"
        assert uow.mentors.by_member(cid, real.id or 0) is not None
    again = world.run(ADMIN, import_mentors_csv, text, NOW, admin=True)
    assert again.dms == []
    assert len(world.rows()["members"]) == 3


def test_members_cannot_import(world: World) -> None:
    with pytest.raises(NotAllowed, match="program admins"):
        world.run("sam", import_mentors_csv, GOOD, NOW)
    assert world.rows()["mentor_profiles"] == []
