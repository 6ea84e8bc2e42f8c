"""Builders for the ``options`` of slash-command and autocomplete interactions.

    fake.send_slash("intro", options=[subcommand("request", user("mentor", alice))])

Each builder returns the option as Discord sends it in ``data.options``. User options only
carry the id; the fake adds ``data.resolved`` (users, and members in a guild) itself.
"""

from __future__ import annotations

from typing import Any

from tests.fakes.discord_models import FakeUser

SUB_COMMAND = 1
SUB_COMMAND_GROUP = 2
STRING = 3
INTEGER = 4
BOOLEAN = 5
USER = 6
CHANNEL = 7
ROLE = 8
MENTIONABLE = 9
NUMBER = 10
ATTACHMENT = 11


def _value(name: str, type_: int, value: Any, focused: bool) -> dict[str, Any]:
    option: dict[str, Any] = {"name": name, "type": type_, "value": value}
    if focused:
        option["focused"] = True
    return option


def string(name: str, value: str, *, focused: bool = False) -> dict[str, Any]:
    return _value(name, STRING, value, focused)


def integer(name: str, value: int, *, focused: bool = False) -> dict[str, Any]:
    # While typing (autocomplete) Discord sends the raw text; otherwise a number.
    return _value(name, INTEGER, value, focused)


def number(name: str, value: float, *, focused: bool = False) -> dict[str, Any]:
    return _value(name, NUMBER, value, focused)


def boolean(name: str, value: bool) -> dict[str, Any]:
    return _value(name, BOOLEAN, value, False)


def user(name: str, who: FakeUser | int) -> dict[str, Any]:
    user_id = who.id if isinstance(who, FakeUser) else who
    return _value(name, USER, str(user_id), False)


def channel(name: str, channel_id: int) -> dict[str, Any]:
    return _value(name, CHANNEL, str(channel_id), False)


def subcommand(name: str, *options: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "type": SUB_COMMAND, "options": list(options)}


def group(name: str, *subcommands: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "type": SUB_COMMAND_GROUP, "options": list(subcommands)}


def user_ids(options: list[dict[str, Any]]) -> list[int]:
    """Ids of every user option, at any depth."""
    found: list[int] = []
    for option in options:
        if option.get("type") == USER:
            found.append(int(option["value"]))
        found.extend(user_ids(option.get("options", [])))
    return found


def check_against_command(
    command_name: str, declared: list[dict[str, Any]], given: list[dict[str, Any]]
) -> None:
    """Raise ValueError when ``given`` options could not come from the synced command.

    Discord only sends options the command declares, with the declared types, and every
    required one; a test that builds something else is mis-wired.
    """
    by_name = {o["name"]: o for o in declared}
    for option in given:
        spec = by_name.get(option["name"])
        if spec is None:
            known = ", ".join(sorted(by_name)) or "none"
            raise ValueError(
                f"/{command_name} has no option {option['name']!r} (declared: {known})"
            )
        if int(spec.get("type", 0)) != option["type"]:
            raise ValueError(
                f"/{command_name} option {option['name']!r} is type {spec.get('type')},"
                f" the test sent type {option['type']}"
            )
        if option["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP):
            check_against_command(
                f"{command_name} {option['name']}",
                spec.get("options") or [],
                option.get("options", []),
            )
    if any(o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP) for o in declared):
        if len(given) != 1:
            raise ValueError(f"/{command_name} needs exactly one subcommand, got {len(given)}")
        return
    if any(o.get("focused") for o in given):
        return  # autocomplete: the user is still typing, required options may be missing
    sent = {o["name"] for o in given}
    missing = [o["name"] for o in declared if o.get("required") and o["name"] not in sent]
    if missing:
        raise ValueError(f"/{command_name} is missing required options {missing}")
