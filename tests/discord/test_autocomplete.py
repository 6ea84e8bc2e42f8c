"""Autocomplete: industries (the program's list and those mentors use), companies, the
member's own request numbers, help topics; scoped to the guild and within Discord's limits."""

from __future__ import annotations

from typing import Any

from adapters.bootstrap import Runtime
from tests.discord import world
from tests.discord.harness import DiscordHarness, People, invocation
from tests.fakes.discord import FakeDiscord
from tests.fakes.discord_interactions import integer, string, subcommand
from tests.fakes.discord_models import FakeChannel, FakeUser


async def choices(harness: DiscordHarness, sub: str, option: dict[str, Any], *,
                  who: FakeUser, channel: FakeChannel | None = None) -> list[dict[str, Any]]:
    fake = harness.fake
    sent = await fake.send_autocomplete("intro", [subcommand(sub, option)], user=who,
                                        channel=channel)
    callback = await fake.wait_callback(sent)
    assert callback.accepted and callback.type == 8
    found: list[dict[str, Any]] = callback.data["choices"]
    return found


async def test_industries_include_the_programs_list_and_those_in_use(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime
) -> None:
    world.mentors(runtime, fake, people)
    world.make_mentor(runtime, fake, people.cy, "Fintech product lead", "Fintech")
    found = await choices(harness, "find", string("industry", "fin", focused=True),
                          who=people.ben)
    assert [c["value"] for c in found] == ["Finance", "Fintech"]
    climate = await choices(harness, "find", string("industry", "clim", focused=True),
                            who=people.ben)
    assert [c["value"] for c in climate] == ["Climate & Energy"]
    everything = await choices(harness, "find", string("industry", "", focused=True),
                               who=people.ben)
    assert 14 <= len(everything) <= 25
    assert fake.violations == []


async def test_companies_come_from_findable_mentors_of_this_guild_only(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime
) -> None:
    world.mentors(runtime, fake, people)
    found = await choices(harness, "find", string("company", "led", focused=True),
                          who=people.ben)
    assert found == [{"name": "Ledger Bank", "value": "Ledger Bank"}]
    runtime.program.command(invocation(fake, people.pat), "mentor", "off")
    assert await choices(harness, "find", string("company", "led", focused=True),
                         who=people.ben) == []
    assert fake.violations == []


async def test_request_numbers_are_the_members_own(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime
) -> None:
    request_id = world.base(runtime, fake, people)
    mine = await choices(harness, "cancel", integer("request", "", focused=True),
                         who=people.ben)
    assert mine == [{"name": f"#{request_id} to Maria Chen · pending · how you moved from "
                             "research into product", "value": request_id}]
    as_mentor = await choices(harness, "schedule", integer("request", "", focused=True),
                              who=people.maria)
    assert [c["value"] for c in as_mentor] == [request_id]
    assert await choices(harness, "cancel", integer("request", "", focused=True),
                         who=people.pat) == []
    assert await choices(harness, "cancel", integer("request", "9", focused=True),
                         who=people.ben) == []
    assert fake.violations == []


async def test_suggestions_stay_within_discords_limits(
    fake: FakeDiscord, harness: DiscordHarness, people: People, runtime: Runtime
) -> None:
    world.make_mentor(runtime, fake, people.maria, "Lead", "Zymurgy " + "z" * 120)
    world.make_mentor(runtime, fake, people.pat, "Lead", "Zoology")
    found = await choices(harness, "find", string("industry", "z", focused=True),
                          who=people.ben)
    assert [c["value"] for c in found] == ["Zoology"]  # a value over 100 can't be offered
    topics = await choices(harness, "help", string("topic", "admin", focused=True),
                           who=people.ben)
    assert "admin stats" in [c["value"] for c in topics]
    assert fake.violations == []


def test_the_core_suggests_nothing_for_an_unknown_kind(
    fake: FakeDiscord, people: People, runtime: Runtime
) -> None:
    world.mentors(runtime, fake, people)
    assert runtime.program.suggest(invocation(fake, people.ben), "planets", "") == []
    assert runtime.program.suggest(invocation(fake, people.ben), "company", "acme") == [
        ("Acme Climate", "Acme Climate")]
