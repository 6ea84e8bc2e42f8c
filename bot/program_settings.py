"""Per-community program settings: names, defaults, validation (DESIGN.md §2)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import time

from bot.errors import InvalidInput


@dataclass(frozen=True)
class SettingSpec:
    key: str
    default: str
    help: str
    parse: Callable[[str], object]


def _int_between(low: int, high: int) -> Callable[[str], object]:
    def parse(raw: str) -> int:
        try:
            value = int(raw.strip())
        except ValueError:
            raise InvalidInput(f"Expected a whole number from {low} to {high}.") from None
        if not low <= value <= high:
            raise InvalidInput(f"Expected a whole number from {low} to {high}.")
        return value

    return parse


def _choice(*options: str) -> Callable[[str], object]:
    def parse(raw: str) -> str:
        value = raw.strip().lower()
        if value not in options:
            raise InvalidInput(f"Expected one of: {', '.join(options)}.")
        return value

    return parse


_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def parse_quiet_hours(raw: str) -> tuple[time, time] | None:
    """``21:00-08:00`` -> (21:00, 08:00); ``off`` -> None."""
    if raw.strip().lower() in {"off", "none", ""}:
        return None
    match = _HOURS.match(raw)
    if not match:
        raise InvalidInput("Expected quiet hours like 21:00-08:00, or 'off'.")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise InvalidInput("Expected quiet hours like 21:00-08:00, or 'off'.")
    return time(h1, m1), time(h2, m2)


SPECS: dict[str, SettingSpec] = {
    spec.key: spec
    for spec in [
        SettingSpec("max_open_requests", "3", "pending requests a seeker may have at once",
                    _int_between(1, 20)),
        SettingSpec("request_expiry_days", "7", "a pending request expires after this many days",
                    _int_between(1, 60)),
        SettingSpec("freeze_after_expiries", "2",
                    "consecutive expiries that set a mentor unavailable", _int_between(1, 20)),
        SettingSpec("default_capacity", "2", "intros per month for a new mentor",
                    _int_between(1, 50)),
        SettingSpec("meeting_minutes", "15", "default meeting length in minutes",
                    _int_between(5, 120)),
        SettingSpec("lint_mode", "warn", "warn or block job-seeking requests",
                    _choice("warn", "block")),
        SettingSpec("quiet_hours", "21:00-08:00", "local hours with no DMs, or 'off'",
                    parse_quiet_hours),
        SettingSpec("schedule_nudge_days", "3", "days after acceptance with no time set",
                    _int_between(1, 30)),
        SettingSpec("prep_hours_before", "24", "hours before the meeting for the prep kit",
                    _int_between(1, 168)),
        SettingSpec("timebox_minutes_before_end", "2", "minutes before the end for the nudge",
                    _int_between(1, 30)),
        SettingSpec("checkin_minutes_after_end", "30", "minutes after the end for the check-in",
                    _int_between(5, 1440)),
        SettingSpec("thanks_hours_after_end", "4", "hours after the end for the thank-you",
                    _int_between(1, 72)),
        SettingSpec("thanks_max_reminders", "2", "thank-you reminders at most",
                    _int_between(0, 10)),
        SettingSpec("digest_weekday", "mon", "day of the weekly digest",
                    _choice("mon", "tue", "wed", "thu", "fri", "sat", "sun")),
    ]
}


class ProgramSettings:
    """Typed view of one community's settings (stored values over defaults)."""

    def __init__(self, stored: Mapping[str, str]) -> None:
        self._raw = {key: stored.get(key, spec.default) for key, spec in SPECS.items()}

    def raw(self) -> dict[str, str]:
        return dict(self._raw)

    def _int(self, key: str) -> int:
        try:
            value = SPECS[key].parse(self._raw[key])
        except InvalidInput:
            value = SPECS[key].parse(SPECS[key].default)
        assert isinstance(value, int)
        return value

    @property
    def max_open_requests(self) -> int:
        return self._int("max_open_requests")

    @property
    def request_expiry_days(self) -> int:
        return self._int("request_expiry_days")

    @property
    def freeze_after_expiries(self) -> int:
        return self._int("freeze_after_expiries")

    @property
    def default_capacity(self) -> int:
        return self._int("default_capacity")

    @property
    def meeting_minutes(self) -> int:
        return self._int("meeting_minutes")

    @property
    def lint_mode(self) -> str:
        return self._raw["lint_mode"]

    @property
    def quiet_hours(self) -> tuple[time, time] | None:
        try:
            return parse_quiet_hours(self._raw["quiet_hours"])
        except InvalidInput:
            return parse_quiet_hours(SPECS["quiet_hours"].default)

    def int_setting(self, key: str) -> int:
        return self._int(key)


def validate_setting(key: str, raw: str) -> str:
    """Check a proposed value; returns its normalised text or raises InvalidInput."""
    spec = SPECS.get(key)
    if spec is None:
        known = ", ".join(sorted(SPECS))
        raise InvalidInput(f"There is no setting called '{key}'. Settings: {known}.")
    try:
        spec.parse(raw)
    except InvalidInput as exc:
        raise InvalidInput(f"Can't set {key} to '{raw}': {exc.message}") from None
    return raw.strip().lower() if key in {"lint_mode", "digest_weekday"} else raw.strip()
