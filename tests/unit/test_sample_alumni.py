"""The seeded demo community is well formed and shows off the program's rules."""

from __future__ import annotations

import json
import re
from importlib.resources import files
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.domain import MeetingFormat
from bot.guidance import INDUSTRIES, canonical_industry

HANDLE = re.compile(r"^[a-z]+(\.[a-z]+)+$")
FORMATS = {fmt.value for fmt in MeetingFormat}
MENTOR_FIELDS = {
    "handle",
    "display_name",
    "timezone",
    "headline",
    "industries",
    "expertise",
    "company",
    "role",
    "cohort",
    "bio",
    "formats",
    "capacity",
}
OPTIONAL_MENTOR_FIELDS = {"available", "away_days"}


def load() -> dict[str, Any]:
    text = files("adapters.console").joinpath("sample_alumni.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert isinstance(data, dict)
    return data


DATA = load()
MENTORS: list[dict[str, Any]] = DATA["mentors"]
SEEKERS: list[dict[str, Any]] = DATA["seekers"]
ADMINS: list[dict[str, Any]] = DATA["admins"]
EVERYONE = [*MENTORS, *SEEKERS, *ADMINS]


def ids(people: list[dict[str, Any]]) -> list[str]:
    return [person.get("handle", "?") for person in people]


def test_community_size() -> None:
    assert len(MENTORS) >= 40
    assert len(SEEKERS) == 4
    assert len(ADMINS) == 1


def test_handles_are_unique_and_dotted_lowercase() -> None:
    handles = [person["handle"] for person in EVERYONE]
    assert len(handles) == len(set(handles))
    for handle in handles:
        assert HANDLE.fullmatch(handle), handle


def test_display_names_are_unique() -> None:
    names = [person["display_name"] for person in EVERYONE]
    assert len(names) == len(set(names))
    assert all(name.strip() for name in names)


@pytest.mark.parametrize("person", EVERYONE, ids=ids(EVERYONE))
def test_timezone_is_a_real_zone(person: dict[str, Any]) -> None:
    assert ZoneInfo(person["timezone"]).key == person["timezone"]


def test_timezones_are_varied_and_mostly_americas_or_europe() -> None:
    zones = [person["timezone"] for person in EVERYONE]
    assert len(set(zones)) >= 15
    western = [zone for zone in zones if zone.startswith(("America/", "Europe/"))]
    assert len(western) > 0.75 * len(zones)


@pytest.mark.parametrize("mentor", MENTORS, ids=ids(MENTORS))
def test_mentor_has_every_field_with_the_right_type(mentor: dict[str, Any]) -> None:
    assert set(mentor) >= MENTOR_FIELDS
    assert set(mentor) <= MENTOR_FIELDS | OPTIONAL_MENTOR_FIELDS
    for key in ("display_name", "headline", "company", "role", "bio"):
        assert isinstance(mentor[key], str) and mentor[key].strip(), key
    assert isinstance(mentor["cohort"], str)
    assert 1995 <= int(mentor["cohort"]) <= 2022
    assert mentor["bio"].count(".") <= 3


@pytest.mark.parametrize("mentor", MENTORS, ids=ids(MENTORS))
def test_mentor_industries_are_canonical(mentor: dict[str, Any]) -> None:
    industries = mentor["industries"]
    assert 1 <= len(industries) <= 2
    assert len(set(industries)) == len(industries)
    for industry in industries:
        assert industry in INDUSTRIES
        assert canonical_industry(industry) == industry


@pytest.mark.parametrize("mentor", MENTORS, ids=ids(MENTORS))
def test_mentor_expertise_formats_and_capacity(mentor: dict[str, Any]) -> None:
    expertise = mentor["expertise"]
    assert 2 <= len(expertise) <= 5
    assert all(isinstance(tag, str) and tag == tag.strip().lower() and tag for tag in expertise)
    formats = mentor["formats"]
    assert formats and set(formats) <= FORMATS
    assert len(set(formats)) == len(formats)
    capacity = mentor["capacity"]
    assert isinstance(capacity, int) and not isinstance(capacity, bool)
    assert 1 <= capacity <= 4


def test_at_least_eight_industries_are_covered() -> None:
    covered = {industry for mentor in MENTORS for industry in mentor["industries"]}
    assert len(covered) >= 8


def test_every_covered_industry_has_an_available_mentor() -> None:
    covered = {industry for mentor in MENTORS for industry in mentor["industries"]}
    reachable = {
        industry
        for mentor in MENTORS
        if mentor.get("available", True) and not mentor.get("away_days")
        for industry in mentor["industries"]
    }
    assert covered == reachable


def test_some_mentors_are_unavailable_or_away() -> None:
    unavailable = [m for m in MENTORS if m.get("available", True) is False]
    away = [m for m in MENTORS if "away_days" in m]
    assert unavailable
    assert away
    assert len(unavailable) + len(away) <= len(MENTORS) // 4
    for mentor in away:
        assert isinstance(mentor["away_days"], int) and mentor["away_days"] >= 1
    for mentor in MENTORS:
        if "available" in mentor:
            assert isinstance(mentor["available"], bool)


def test_companies_are_shared_by_at_most_a_few_mentors() -> None:
    companies = [mentor["company"] for mentor in MENTORS]
    assert len(set(companies)) >= len(companies) - 3


@pytest.mark.parametrize("seeker", SEEKERS, ids=ids(SEEKERS))
def test_seekers_say_what_they_want(seeker: dict[str, Any]) -> None:
    assert seeker["seeker"] is True
    assert isinstance(seeker["note"], str) and seeker["note"].strip()
    assert "industries" not in seeker


def test_admin_is_marked() -> None:
    (admin,) = ADMINS
    assert admin["admin"] is True
    assert admin["display_name"].strip()
