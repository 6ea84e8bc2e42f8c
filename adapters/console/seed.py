"""The demo community: sample alumni loaded through the same use cases members use."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from bot.app import IntroProgram
from bot.context import CommunityKey, Invocation, PlatformUser


@dataclass(frozen=True)
class SamplePerson:
    handle: str
    display_name: str
    timezone: str
    record: dict[str, Any]
    kind: str  # mentor | seeker | admin


def load_sample_people() -> list[SamplePerson]:
    raw = json.loads(
        resources.files("adapters.console").joinpath("sample_alumni.json").read_text("utf-8")
    )
    people: list[SamplePerson] = []
    groups: list[tuple[str, list[dict[str, Any]]]]
    if isinstance(raw, dict):
        groups = [(kind.rstrip("s"), raw.get(kind, [])) for kind in ("mentors", "seekers",
                                                                    "admins")]
    else:
        groups = [("", raw)]
    for default_kind, records in groups:
        for record in records:
            kind = default_kind or (
                "admin" if record.get("admin") else "seeker" if record.get("seeker")
                else "mentor"
            )
            people.append(SamplePerson(record["handle"], record["display_name"],
                                       record.get("timezone", "UTC"), record, kind))
    return people


def _as_list(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value or "")


def seed_demo(program: IntroProgram, community: CommunityKey) -> list[SamplePerson]:
    """Create every sample member; mentors fill in their profile like any mentor would."""
    people = load_sample_people()
    for person in people:
        inv = Invocation(community, PlatformUser(user_id=person.handle,
                                                 display_name=person.display_name,
                                                 handle=person.handle,
                                                 timezone=person.timezone))
        if person.kind != "mentor":
            program.command(inv, "intro", "help")
            continue
        r = person.record
        outcome = program.submit(inv, "mentor:profile", {
            "headline": str(r.get("headline", "")),
            "industries": _as_list(r.get("industries")),
            "expertise": _as_list(r.get("expertise")),
            "company": str(r.get("company", "")),
            "role": str(r.get("role", "")),
            "cohort": str(r.get("cohort", "")),
            "bio": str(r.get("bio", "")),
            "formats": _as_list(r.get("formats") or ["call", "video"]),
            "timezone": person.timezone,
            "capacity": str(r.get("capacity", 2)),
        })
        if not outcome.ok:
            raise RuntimeError(f"sample mentor {person.handle} was refused: "
                               f"{outcome.field_errors or outcome.reply}")
        if r.get("available") is False:
            program.command(inv, "mentor", "off")
        elif r.get("away_days"):
            program.command(inv, "mentor", f"away in {int(r['away_days'])} days")
    return people
