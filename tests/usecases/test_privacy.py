"""A member sees everything stored about them, and can have it erased."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from bot.domain import (
    FollowUp,
    ReminderSpec,
    RequestStatus,
    WarmIntro,
    WarmIntroStatus,
)
from bot.texts import FORGET_ME_CONFIRM
from bot.usecases import admin, mentors
from bot.usecases.privacy import MY_DATA_FILENAME, forget_me, my_data
from tests.usecases.conftest import ADMIN, NOW, Ref, World

NAME = "Samira Quinn"
HANDLE = "samira.q"
SECRETS = (
    "SECRET-TOPIC", "SECRET-WHY", "SECRET-LEARNED", "SECRET-FOLLOWUP", "SECRET-NOTE",
    "SECRET-HEADLINE", "SECRET-BIO", "SECRET-PAYLOAD", "SECRET-AVAILABILITY",
)


@pytest.fixture
def people(world: World) -> dict[str, Any]:
    """Samira asks, mentors and was introduced; Kim asked her; an admin blocked her."""
    day = timedelta(days=1)
    world.mentor("ana", "Software")
    world.mentor("bo", "Finance")
    world.mentor("cy", "Software, Finance")
    world.mentor(HANDLE, "Climate", headline="SECRET-HEADLINE", bio="SECRET-BIO")
    sam = world.person(HANDLE, name=NAME)
    ana, bo, kim = world.person("ana"), world.person("bo"), world.person("kim")
    pending = world.request(sam, ana, RequestStatus.PENDING, NOW - 2 * day,
                            topic="SECRET-TOPIC one", why_you="SECRET-WHY")
    scheduled = world.request(sam, bo, RequestStatus.SCHEDULED, NOW - 5 * day,
                              topic="SECRET-TOPIC two", availability="SECRET-AVAILABILITY",
                              responded_at=NOW - 4 * day, scheduled_at=NOW + day)
    done = world.request(sam, ana, RequestStatus.COMPLETED, NOW - 30 * day,
                         topic="SECRET-TOPIC three", learned="SECRET-LEARNED",
                         responded_at=NOW - 29 * day, completed_at=NOW - 20 * day)
    asked_her = world.request(kim, sam, RequestStatus.PENDING, NOW - day,
                              topic="Kim's question about climate", industry="Software")
    with world.uow_factory() as uow:
        cid = sam.community_id
        assert done.id is not None and sam.id is not None and scheduled.id is not None
        uow.followups.add(FollowUp(community_id=cid, request_id=done.id, seeker_id=sam.id,
                                   text="SECRET-FOLLOWUP read the book",
                                   created_at=NOW - 19 * day))
        uow.warm_intros.add(WarmIntro(community_id=cid, connector_id=kim.id, seeker_id=sam.id,
                                      mentor_id=bo.id, created_at=NOW - 6 * day,
                                      note="SECRET-NOTE you two should talk",
                                      status=WarmIntroStatus.ACCEPTED))
        uow.outbox.schedule(ReminderSpec(community_id=cid, recipient_id=sam.id, kind="prep",
                                         due_at=NOW + timedelta(hours=2),
                                         dedupe_key=f"prep:{scheduled.id}",
                                         request_id=scheduled.id,
                                         payload='{"note": "SECRET-PAYLOAD"}'))
        uow.commit()
    world.run(HANDLE, mentors.set_available, False, NOW)
    world.run(ADMIN, admin.block_member, Ref(HANDLE), NOW, admin=True)
    return {"sam": sam, "pending": pending, "scheduled": scheduled, "done": done,
            "asked_her": asked_her}


def test_my_data_shows_everything_with_the_texts(world: World, people: dict[str, Any]) -> None:
    outcome = world.run(HANDLE, my_data, NOW)
    message = outcome.reply
    assert message is not None
    for expected in (
        f"Name: {NAME}", f"Handle: @{HANDLE}", "SECRET-HEADLINE", "SECRET-TOPIC one",
        "Kim's question about climate", "SECRET-NOTE", "SECRET-FOLLOWUP",
        "paused by the admins", "mentor.off", "*Requests you sent (3)*",
        "*Requests you received (1)*",
    ):
        assert expected in message.text, expected
    (attachment,) = message.attachments
    assert attachment.filename == MY_DATA_FILENAME
    assert attachment.mime_type == "application/json"
    data = json.loads(attachment.content)
    assert data["member"]["handle"] == HANDLE
    assert data["member"]["display_name"] == NAME
    assert data["mentor_profile"]["bio"] == "SECRET-BIO"
    sent = {r["topic"]: r for r in data["requests_sent"]}
    assert sent["SECRET-TOPIC one"]["why_you"] == "SECRET-WHY"
    assert sent["SECRET-TOPIC one"]["mentor_name"] == "Ana"
    assert sent["SECRET-TOPIC three"]["learned"] == "SECRET-LEARNED"
    assert [r["seeker_name"] for r in data["requests_received"]] == ["Kim"]
    assert data["warm_intros"][0]["note"] == "SECRET-NOTE you two should talk"
    assert data["warm_intros"][0]["connector_name"] == "Kim"
    assert data["follow_ups"][0]["text"] == "SECRET-FOLLOWUP read the book"
    assert "SECRET-PAYLOAD" in data["reminders"][0]["payload"]
    assert len(data["blocks"]) == 1
    assert [e["action"] for e in data["audit"]] == ["mentor.off"]
    assert data["exported_at"] == NOW.isoformat()


def test_my_data_for_a_newcomer_is_short(world: World) -> None:
    outcome = world.run("newbie", my_data, NOW)
    assert outcome.reply is not None
    assert "You have no mentor profile." in outcome.reply.text
    data = json.loads(outcome.reply.attachments[0].content)
    assert data["requests_sent"] == [] and data["mentor_profile"] is None


def test_forget_me_unconfirmed_changes_nothing(world: World, people: dict[str, Any]) -> None:
    before = world.rows()
    outcome = world.run(HANDLE, forget_me, False, NOW)
    assert outcome.reply is not None
    assert outcome.reply.text == FORGET_ME_CONFIRM
    assert outcome.dms == []
    assert world.rows() == before


def test_forget_me_leaves_nothing_personal(world: World, people: dict[str, Any]) -> None:
    sam = people["sam"]
    needles = (NAME, HANDLE, *SECRETS)
    stored = repr(world.rows()).lower()
    assert all(needle.lower() in stored for needle in needles)  # the scan below can fail

    outcome = world.run(HANDLE, forget_me, True, NOW)
    assert outcome.reply is not None
    assert outcome.reply.text.startswith("Done: your personal data is erased")
    assert "3 open request(s) were cancelled" in outcome.reply.text

    # The other people are told, by name of the request, without her texts.
    told = {dm.recipients[0].display_name: dm for dm in outcome.dms}
    assert set(told) == {"Ana", "Bo", "Kim"}
    assert "planned meeting is off" in told["Bo"].message.text
    assert "Nothing for you to do" in told["Ana"].message.text
    assert {c.title for c in told["Kim"].message.cards} == {"Ana", "Bo", "Cy"}  # other mentors
    for dm in outcome.dms:
        assert "SECRET" not in repr(dm)

    rows = world.rows()
    statuses = {r["id"]: r["status"] for r in rows["intro_requests"]}
    assert statuses[people["pending"].id] == "cancelled"
    assert statuses[people["scheduled"].id] == "cancelled"
    assert statuses[people["asked_her"].id] == "cancelled"
    assert statuses[people["done"].id] == "completed"  # the anonymous count stays
    assert len(rows["intro_requests"]) == 4

    # Nothing anywhere names her or holds her words.
    needles = (*needles, "Samira")
    for table, table_rows in rows.items():
        for row in table_rows:
            for column, value in row.items():
                for needle in needles:
                    assert needle.lower() not in str(value).lower(), (table, column, needle)
    assert all(r["actor_id"] != sam.id for r in rows["audit_log"])
    forgotten = [r for r in rows["audit_log"] if r["action"] == "member.forgotten"]
    assert len(forgotten) == 1
    assert forgotten[0]["actor_id"] is None and forgotten[0]["entity_id"] is None
    assert rows["mentor_profiles"] and all(
        p["member_id"] != sam.id for p in rows["mentor_profiles"]
    )
    assert all(b["member_id"] != sam.id for b in rows["blocks"])
    pending_reminders = [r for r in rows["reminder_outbox"] if r["status"] == "pending"]
    assert all(r["recipient_id"] != sam.id for r in pending_reminders)


def test_after_forget_me_the_same_person_starts_afresh(
    world: World, people: dict[str, Any]
) -> None:
    world.run(HANDLE, forget_me, True, NOW)
    outcome = world.run(HANDLE, my_data, NOW)
    assert outcome.reply is not None
    data = json.loads(outcome.reply.attachments[0].content)
    assert data["requests_sent"] == [] and data["requests_received"] == []
    assert data["member"]["id"] != people["sam"].id
    assert data["blocks"] == []
