"""Slack users as members: users.info, cached and refreshed; admins and owners; each
workspace its own community; @mentions of people who never used the bot."""

from __future__ import annotations

import asyncio

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.app import retry_handlers
from adapters.slack.people import SlackPeople
from bot.context import CommunityKey, PlatformUser
from tests.fakes.slack import FakeSlack
from tests.slack import world
from tests.slack.harness import MARIA, SAM, SlackHarness


class Seconds:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_users_info_is_cached_and_refreshed(slack: FakeSlack) -> None:
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    clock = Seconds()
    people = SlackPeople(ttl=600, clock=clock)
    sam = await people.user(client, slack.team_id, SAM)
    assert sam == PlatformUser(SAM, "Sam Rivera", "sam", "America/New_York", False)
    await people.user(client, slack.team_id, SAM)
    assert len(slack.calls_to("users.info")) == 1

    slack.users[SAM]["tz"] = "Europe/Madrid"
    clock.now = 601
    assert (await people.user(client, slack.team_id, SAM)).timezone == "Europe/Madrid"
    assert len(slack.calls_to("users.info")) == 2


async def test_concurrent_lookups_share_one_call(slack: FakeSlack) -> None:
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    people = SlackPeople()
    found = await asyncio.gather(*(people.user(client, slack.team_id, MARIA) for _ in range(5)))
    assert {p.display_name for p in found} == {"Maria Chen"}
    assert len(slack.calls_to("users.info")) == 1


async def test_admins_and_owners_are_platform_admins(slack: FakeSlack) -> None:
    slack.add_user("U0OWNER01", "owner", real_name="Olu Owner", display_name="", is_owner=True)
    slack.add_user("U0PLAIN01", "plain", real_name="Pia Plain", display_name="")
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    people = SlackPeople()
    owner = await people.user(client, slack.team_id, "U0OWNER01")
    plain = await people.user(client, slack.team_id, "U0PLAIN01")
    assert owner.is_platform_admin and not plain.is_platform_admin
    assert owner.display_name == "Olu Owner"  # real name when no display name is set


async def test_a_failed_lookup_falls_back_and_is_retried_later(slack: FakeSlack) -> None:
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    clock = Seconds()
    people = SlackPeople(retry_after_failure=60, clock=clock)
    slack.fail("users.info", "internal_error")
    fallback = await people.user(client, slack.team_id, SAM, "sam")
    assert fallback == PlatformUser(SAM, "", "sam", None, False)
    await people.user(client, slack.team_id, SAM, "sam")
    assert len(slack.calls_to("users.info")) == 1
    clock.now = 61
    assert (await people.user(client, slack.team_id, SAM)).display_name == "Sam Rivera"


async def test_a_failed_lookup_keeps_the_members_name(harness: SlackHarness) -> None:
    world.base(harness.program, harness.slack)
    assert harness.bot is not None
    harness.bot.listeners.people.forget(harness.slack.team_id, SAM)
    harness.slack.fail("users.info", "internal_error")
    sent = await harness.command(SAM, "/intro", "list")
    assert "#1 to Maria Chen" in await harness.reply_text(sent)
    member = harness.program.find_member(CommunityKey("slack", harness.slack.team_id, ""), "sam")
    assert member is not None and member.display_name == "Sam Rivera"


async def test_a_workspace_admin_runs_admin_commands(harness: SlackHarness) -> None:
    harness.slack.users[SAM]["is_admin"] = True
    sent = await harness.command(SAM, "/intro", "admin stats 7")
    assert "How the program went over the last 7 days" in await harness.reply_text(sent)
    harness.slack.assert_no_violations()


async def test_a_mentioned_newcomer_becomes_a_member(harness: SlackHarness) -> None:
    """Someone who never used the bot can be @mentioned: the adapter looks them up first."""
    world.make_mentor(harness.program, harness.slack, MARIA, "PM in climate tech", "Software")
    harness.slack.add_user("U0LATER01", "lee", real_name="Lee Later", display_name="Lee Later",
                           tz="Asia/Tokyo")
    sent = await harness.command(SAM, "/intro", f"connect <@U0LATER01|lee> <@{MARIA}> ask her")
    assert "I've asked Maria Chen first" in await harness.reply_text(sent)
    lee = harness.program.find_member(CommunityKey("slack", harness.slack.team_id, ""), "lee")
    assert lee is not None
    assert (lee.platform_user_id, lee.display_name, lee.timezone) == (
        "U0LATER01", "Lee Later", "Asia/Tokyo")

    sent = await harness.command(SAM, "/intro", "connect <@U0NOBODY1> <@U0MARIA01>")
    assert "I don't know" in await harness.reply_text(sent)
    harness.slack.assert_no_violations()


async def test_each_workspace_is_its_own_community(harness: SlackHarness) -> None:
    world.base(harness.program, harness.slack)
    here = await harness.command(SAM, "/intro", "list")
    assert "#1 to Maria Chen" in await harness.reply_text(here)
    elsewhere = await harness.command(SAM, "/intro", "list", team_id="T0OTHERTEAM")
    assert "You have no intro requests yet" in await harness.reply_text(elsewhere)
    found = await harness.command(SAM, "/intro", "find", team_id="T0OTHERTEAM")
    assert "No available mentors" in await harness.reply_text(found)
    harness.slack.assert_no_violations()


async def test_a_slow_lookup_gives_up_in_time(slack: FakeSlack) -> None:
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url,
                            retry_handlers=retry_handlers())
    people = SlackPeople(lookup_timeout=0.3)
    slack.rate_limit("users.info", times=1, retry_after=5)  # the client would wait 5 s
    found = await people.user(client, slack.team_id, SAM, "sam")
    # Waiting out Retry-After would have found Sam Rivera: the lookup gave up instead.
    assert found == PlatformUser(SAM, "", "sam", None, False)
    assert [c.status for c in slack.calls_to("users.info")] == [429]
