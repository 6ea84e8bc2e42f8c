"""Settings problems as one message a person can act on: which variable, what it holds, and
what it should look like. Never a traceback, never a secret's value."""

from __future__ import annotations

import re
import types
from typing import Any, Union, get_args, get_origin

from pydantic import ValidationError
from pydantic.fields import FieldInfo

from adapters.settings import IntrobotSettings

# Values of these are never repeated back (they may be real credentials, mistyped).
_SECRET = re.compile(r"TOKEN|SECRET|PASSWORD|DATABASE_URL", re.IGNORECASE)

# What a good value looks like, where the type alone does not say it well.
EXAMPLES: dict[str, str] = {
    "INTROBOT_DATABASE_URL": "sqlite:///introbot.db or postgresql://user:password@host:5432/db",
    "INTROBOT_LOG_LEVEL": "one of DEBUG, INFO, WARNING, ERROR",
    "INTROBOT_LOG_FORMAT": "one of auto, json, text",
    "INTROBOT_HTTP_PORT": "a port number from 0 to 65535, such as 3000",
    "INTROBOT_SLACK_API_URL": "an http(s) URL such as https://slack.com/api/",
    "INTROBOT_DISCORD_API_URL": "an http(s) URL such as https://discord.com/api/v10",
    "INTROBOT_DISCORD_GATEWAY_URL": "a ws(s) URL such as wss://gateway.discord.gg/",
    "INTROBOT_DISCORD_DEV_GUILD": "a Discord server id (a long number), or empty",
    "INTROBOT_DISCORD_INTRO_CHANNEL": "a Discord channel id (a long number), or empty",
    "INTROBOT_DISCORD_FALLBACK_CHANNEL": "a Discord channel id (a long number), or empty",
    "INTROBOT_DISCORD_SHARDED": "true or false",
}

HEADER = "Introbot can't start: fix these settings (environment variables or .env):"


def _fields_by_alias() -> dict[str, FieldInfo]:
    return {(info.alias or name): info for name, info in IntrobotSettings.model_fields.items()}


def _bounds(info: FieldInfo) -> tuple[object | None, object | None]:
    low = high = None
    for item in info.metadata:
        low = getattr(item, "ge", None) if getattr(item, "ge", None) is not None else low
        high = getattr(item, "le", None) if getattr(item, "le", None) is not None else high
    return low, high


def _base_type(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [arg for arg in get_args(annotation) if arg is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def expected(alias: str) -> str:
    """What a good value of setting `alias` looks like, in words."""
    if alias in EXAMPLES:
        return EXAMPLES[alias]
    info = _fields_by_alias().get(alias)
    if info is None:
        return "a valid value"
    kind = _base_type(info.annotation)
    low, high = _bounds(info)
    if kind is bool:
        return "true or false"
    if kind in (int, float):
        word = "a whole number" if kind is int else "a number"
        if low is not None and high is not None:
            return f"{word} from {_number(low)} to {_number(high)}, such as " \
                   f"{_number(info.default)}"
        return f"{word}, such as {_number(info.default)}"
    if info.default:
        return f"text such as {info.default}"
    return "text"


def _shown(alias: str, value: object) -> str:
    if _SECRET.search(alias):
        return ""
    text = str(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f" (it is {text!r})"


def explain(error: ValidationError) -> str:
    """One message for every bad setting in `error`, each naming its variable."""
    lines = [HEADER]
    for problem in error.errors():
        alias = str(problem["loc"][0]) if problem["loc"] else "a setting"
        message = str(problem.get("msg", ""))
        if problem.get("type") == "value_error":
            # Our own validators already say what to do, naming the variable.
            text = message.removeprefix("Value error, ")
            lines.append(f"  {text}")
            continue
        shown = _shown(alias, problem.get("input", ""))
        lines.append(f"  {alias}{shown} should be {expected(alias)}.")
    return "\n".join(lines)
