"""The Web API method list the fake checks calls against (vendored in tests/fixtures/slack)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "slack"


@dataclass(frozen=True)
class MethodSpec:
    name: str
    http: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    newer_than_spec: bool


def _read(path: Path, *, newer: bool) -> dict[str, MethodSpec]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        name: MethodSpec(
            name=name,
            http=entry["http"],
            required=tuple(entry["required"]),
            optional=tuple(entry["optional"]),
            newer_than_spec=newer,
        )
        for name, entry in data["methods"].items()
    }


@cache
def web_api_methods() -> dict[str, MethodSpec]:
    """Every method of Slack's 2020 Web API spec, plus the few newer ones the fake serves."""
    methods = _read(FIXTURES / "web_api_methods.json", newer=False)
    methods.update(_read(FIXTURES / "web_api_methods_added.json", newer=True))
    return methods
