"""The App Home tab: published on app_home_opened, its buttons, refreshed after changes, and
redelivered events ignored."""

from __future__ import annotations

from tests.slack import world
from tests.slack.harness import MARIA, OLIVIA, SAM, SlackHarness, buttons_in, texts_in


def values(view: dict[str, object]) -> list[str]:
    return [str(b["value"]) for b in buttons_in(view["blocks"])]


async def test_mentor_home_shows_availability_capacity_and_requests(
    harness: SlackHarness,
) -> None:
    world.base(harness.program, harness.slack)
    home = await harness.open_home(MARIA)
    assert home["type"] == "home"
    shown = texts_in(home["blocks"])
    assert "Mentoring: you're available" in shown
    assert "3 intros a month, 3 left this month" in shown
    assert "#1 from Sam Rivera" in shown
    assert values(home) == ["home:off:1", "intro:accept:1", "intro:decline:1", "intro:notnow:1"]

    await harness.press(MARIA, "home:off:1", home_of=MARIA)
    await harness.slack.wait_for_call("views.publish", count=2)
    home = harness.slack.home_views[MARIA]
    assert "Mentoring: you're not taking requests" in texts_in(home["blocks"])
    assert values(home)[0] == "home:on:1"
    assert "You're now unavailable" in harness.last_dm(MARIA).text

    await harness.press(MARIA, "home:on:1", home_of=MARIA)
    assert "Mentoring: you're available" in texts_in(harness.slack.home_views[MARIA]["blocks"])
    harness.slack.assert_no_violations()


async def test_accepting_from_the_home_tab(harness: SlackHarness) -> None:
    world.base(harness.program, harness.slack)
    await harness.open_home(MARIA)
    await harness.press(MARIA, "intro:accept:1", home_of=MARIA)
    await harness.slack.wait_until(lambda: bool(harness.dms(SAM, MARIA)), what="the group DM")
    assert "I've introduced you both" in harness.last_dm(MARIA).text
    home = harness.slack.home_views[MARIA]
    assert "No requests are waiting for you" in texts_in(home["blocks"])
    harness.slack.assert_no_violations()


async def test_seeker_home_shows_requests_and_next_steps(harness: SlackHarness) -> None:
    world.base(harness.program, harness.slack)
    home = await harness.open_home(SAM)
    shown = texts_in(home["blocks"])
    assert "#1 to Maria Chen — pending" in shown
    assert "waiting for their answer" in shown
    assert values(home) == ["home:join:3", "intro:cancel:1"]

    await harness.press(SAM, "home:join:3", home_of=SAM)
    assert harness.last_view()["callback_id"] == "form|mentor:profile"
    harness.slack.assert_no_violations()


async def test_admin_home_has_a_program_summary(harness: SlackHarness) -> None:
    world.base(harness.program, harness.slack)
    home = await harness.open_home(OLIVIA)
    shown = texts_in(home["blocks"])
    assert "Program, last 30 days" in shown
    assert "Requests" in shown and "Acceptance rate" in shown
    sam_home = await harness.open_home(SAM)
    assert "Program, last 30 days" not in texts_in(sam_home["blocks"])
    harness.slack.assert_no_violations()


async def test_a_new_request_refreshes_the_mentors_open_home_tab(harness: SlackHarness) -> None:
    world.make_mentor(harness.program, harness.slack, MARIA, "PM in climate tech", "Software")
    home = await harness.open_home(MARIA)
    assert "No requests are waiting for you" in texts_in(home["blocks"])
    published = len(harness.slack.calls_to("views.publish"))

    await harness.command(SAM, "/intro", f"request <@{MARIA}>")
    await harness.submit(SAM, harness.last_view(), {"topic": "Product in climate tech",
                                                    "format": "call"})
    await harness.slack.wait_for_call("views.publish", count=published + 1)
    assert "#1 from Sam Rivera" in texts_in(harness.slack.home_views[MARIA]["blocks"])
    # Sam never opened the tab: nothing is published for him.
    assert SAM not in harness.slack.home_views
    harness.slack.assert_no_violations()


async def test_someone_elses_home_button_is_refused(harness: SlackHarness) -> None:
    world.base(harness.program, harness.slack)
    await harness.open_home(MARIA)
    await harness.press(SAM, "home:off:1", home_of=MARIA)
    assert "belongs to someone else's home page" in harness.last_dm(SAM).text
    assert "Mentoring: you're available" in texts_in(harness.slack.home_views[MARIA]["blocks"])
    harness.slack.assert_no_violations()


async def test_a_redelivered_event_publishes_once(harness: SlackHarness) -> None:
    event = {"type": "app_home_opened", "user": SAM, "tab": "home",
             "channel": harness.slack.dm_channel(SAM)}
    first = await harness.event(event, event_id="Ev0RETRY01")
    assert first.status == 200
    await harness.slack.wait_for_call("views.publish")
    again = await harness.event(event, event_id="Ev0RETRY01", retry_num=1)
    assert again.status == 200
    await harness.event(event, event_id="Ev0RETRY01", retry_num=2)
    assert len(harness.slack.calls_to("views.publish")) == 1

    await harness.event(event, event_id="Ev0FRESH02")
    await harness.slack.wait_for_call("views.publish", count=2)
    harness.slack.assert_no_violations()


async def test_the_messages_tab_publishes_nothing(harness: SlackHarness) -> None:
    await harness.event({"type": "app_home_opened", "user": SAM, "tab": "messages"},
                        event_id="Ev0MESSAGES")
    assert harness.slack.calls_to("views.publish") == []
    harness.slack.assert_no_violations()
