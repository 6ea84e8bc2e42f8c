"""deploy/slack/manifest.yml: valid by Slack's own manifest schema, asking for exactly the
scopes the adapter uses (each explained in the README), and every command in it answered."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from adapters.slack.app import COMMANDS
from adapters.slack.oauth import BOT_SCOPES
from tests.fakes.slack_spec import FIXTURES
from tests.slack.harness import SAM, SlackHarness

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "deploy" / "slack" / "manifest.yml"
SCHEMAS = sorted(FIXTURES.glob("manifest.schema.*.json"))


def manifest() -> dict[str, Any]:
    loaded = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def problems(document: dict[str, Any], schema_path: Path) -> list[str]:
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(document)]


def test_both_schema_versions_are_vendored() -> None:
    assert [p.name for p in SCHEMAS] == ["manifest.schema.1.0.0.json",
                                         "manifest.schema.2.0.0.json"]


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda p: p.name)
def test_the_manifest_is_valid(schema: Path) -> None:
    assert problems(manifest(), schema) == []


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda p: p.name)
def test_the_schema_check_catches_mistakes(schema: Path) -> None:
    broken = copy.deepcopy(manifest())
    broken["features"]["slash_commands"][0]["command"] = "intro"  # no leading slash
    broken["settings"]["interactivity"] = {"request_url": "https://x.example/slack/events"}
    broken["display_information"]["long_description"] = "Too short."
    broken["features"]["app_home"]["home_tab"] = True  # not a manifest key
    found = problems(broken, schema)
    assert any("features/slash_commands/0/command" in p for p in found)
    assert any("is_enabled" in p for p in found)
    assert any("long_description" in p for p in found)
    assert any("home_tab" in p for p in found)


def test_the_colour_is_a_hex_colour() -> None:
    colour = manifest()["display_information"]["background_color"]
    assert re.fullmatch(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?", colour)


def test_commands_are_the_ones_the_app_handles() -> None:
    commands = manifest()["features"]["slash_commands"]
    assert tuple(c["command"] for c in commands) == COMMANDS
    # Mentions must arrive as <@U…> ids, not as typed names.
    assert all(c["should_escape"] is True for c in commands)


def test_features_events_and_modes() -> None:
    m = manifest()
    assert m["features"]["app_home"]["home_tab_enabled"] is True
    assert m["settings"]["event_subscriptions"]["bot_events"] == ["app_home_opened"]
    assert m["settings"]["interactivity"]["is_enabled"] is True
    assert m["settings"]["socket_mode_enabled"] is True


def test_scopes_are_least_privilege_and_explained() -> None:
    scopes = manifest()["oauth_config"]["scopes"]
    assert scopes == {"bot": list(BOT_SCOPES)}  # no user scopes
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Slack\n", 1)[1].split("\n## ", 1)[0]
    for scope in BOT_SCOPES:
        assert f"`{scope}`" in section, f"README's Slack section doesn't explain {scope}"


async def test_every_manifest_command_is_answered(harness: SlackHarness) -> None:
    for entry in manifest()["features"]["slash_commands"]:
        sent = await harness.command(SAM, entry["command"], "help")
        assert sent.status == 200
        assert entry["command"] in await harness.reply_text(sent)
    harness.slack.assert_no_violations()
