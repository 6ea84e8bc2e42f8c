"""Importing a list of alumni as mentor invitations (`/intro admin import`).

The file is CSV, UTF-8 (a byte-order mark is fine), with a header on line 1. Columns, in any
order (names are case-insensitive; spaces and dashes count as underscores)::

    handle,platform_user_id,display_name,headline,industries,expertise,company,role,
    cohort,formats,capacity,timezone,bio

* `handle` or `platform_user_id` is required (at least one column, and a value in every row);
  every other column is optional and may be left out. A column not in this list is an error.
* `industries`, `expertise` are comma-separated inside the cell (quote the cell);
  `formats` any of call, video, coffee, async; `capacity` intros per month, 1 to 50 (default:
  the program's `default_capacity`); `timezone` an IANA name such as Europe/Berlin.
* At most 5,000 rows and 2 MB per file.

Every row is checked first; problems are reported by line number as in the file (header =
line 1). Good rows are imported even when others have errors, and importing the same file
again changes nothing, so an admin fixes the listed lines and imports again.

An import never makes anyone findable: mentors opt in themselves. A good row becomes

* a member, if the community doesn't know the person yet, and
* an *invitation*: a `MentorProfile` with ``active=False`` and ``available=False`` holding the
  imported details, plus an audit entry ``mentor.invited`` on that profile. `/mentor join`
  opens the profile form prefilled from it; saving the form opts them in (``mentor.joined``).

The invitee gets a DM pointing to `/mentor join`, with a button whose action id is
``mentor:join:{profile_id}`` (it means the same as typing `/mentor join`).
People already invited, already mentors, or who were mentors and left, are counted and left
alone: no second DM, no changes to a former mentor's profile.

How a row finds its person:

* `platform_user_id` given: that exact account (Slack user id, Discord user id, console id).
* Only `handle`: an existing member with that handle. Otherwise, on the console platform the
  handle is the platform user id. On Slack and Discord, the member is created with the
  placeholder id ``imported:<handle>`` and can't get a DM yet; when someone with that handle
  first uses the bot, `claim_imported_member` hands the placeholder (and its invitation) over
  to their real account.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime

from bot.context import Actor
from bot.domain import Member, MentorProfile, Platform
from bot.errors import InvalidInput
from bot.messages import Button, ButtonStyle, Field, Message, Outcome
from bot.ports import UnitOfWork
from bot.usecases.admin import mentor_status
from bot.usecases.common import (
    IMPORTED_ID_PREFIX,
    MAX_NAME,
    audit,
    recipient,
    require_admin,
    valid_tz,
)
from bot.usecases.mentors import PROFILE_LIMITS, _parse_formats, search_text_of

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_ERRORS_SHOWN = 50
DEFAULT_FORMATS = "call,video"

COLUMNS = (
    "handle", "platform_user_id", "display_name", "headline", "industries", "expertise",
    "company", "role", "cohort", "formats", "capacity", "timezone", "bio",
)
_TEXT_COLUMNS = ("headline", "industries", "expertise", "company", "role", "cohort", "bio")
_HANDLE = re.compile(r"^[A-Za-z0-9._-]{1,80}$")
_PLATFORM_ID = re.compile(r"^\S{1,64}$")


@dataclass(frozen=True)
class MentorRow:
    """One checked row of the file."""

    line: int
    handle: str  # lower case, without '@'; may be empty when platform_user_id is given
    platform_user_id: str
    display_name: str
    texts: dict[str, str]  # headline, industries, ... as given (only non-empty cells)
    formats: str | None
    capacity: int | None
    timezone: str | None

    @property
    def key(self) -> str:
        return f"id:{self.platform_user_id}" if self.platform_user_id else f"@{self.handle}"


@dataclass
class ParsedFile:
    rows: list[MentorRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "line 4: ..."


def _column_name(raw: str) -> str:
    return re.sub(r"[\s-]+", "_", raw.strip().lower())


def _header(cells: list[str]) -> list[str]:
    names = [_column_name(cell) for cell in cells]
    unknown = [cells[i].strip() or f"(column {i + 1} has no name)"
               for i, name in enumerate(names) if name not in COLUMNS]
    if unknown:
        raise InvalidInput(
            f"Line 1 names column(s) I don't know: {', '.join(unknown)}. "
            f"Use only: {', '.join(COLUMNS)}."
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise InvalidInput(f"Line 1 names {', '.join(repeated)} more than once; keep one of each.")
    if "handle" not in names and "platform_user_id" not in names:
        raise InvalidInput(
            "Line 1 needs a 'handle' column (or 'platform_user_id') so I know who each "
            f"row is. The columns I read: {', '.join(COLUMNS)}."
        )
    return names


def _single_line(value: str) -> str:
    return " ".join(value.split())


def _check_row(line: int, values: dict[str, str]) -> tuple[MentorRow | None, list[str]]:
    problems: list[str] = []
    handle = values.get("handle", "").strip().lstrip("@")
    platform_user_id = values.get("platform_user_id", "").strip()
    if not handle and not platform_user_id:
        problems.append("needs a handle (or platform_user_id)")
    if handle and not _HANDLE.match(handle):
        problems.append(
            f"handle “{handle[:40]}” should look like maria.chen (letters, digits, dots, "
            "dashes or underscores)"
        )
    if platform_user_id and (
        not _PLATFORM_ID.match(platform_user_id)
        or platform_user_id.startswith(IMPORTED_ID_PREFIX)
    ):
        problems.append("platform_user_id must be the platform's user id, without spaces")
    display_name = _single_line(values.get("display_name", ""))
    if len(display_name) > MAX_NAME:
        problems.append(f"display_name is {len(display_name)} characters; the most is {MAX_NAME}")
    texts: dict[str, str] = {}
    for column in _TEXT_COLUMNS:
        raw = values.get(column, "")
        text = raw.strip() if column == "bio" else _single_line(raw)
        limit = PROFILE_LIMITS[column][1]
        if len(text) > limit:
            problems.append(f"{column} is {len(text)} characters; the most is {limit}")
        elif text:
            texts[column] = text
    formats: str | None = None
    if values.get("formats", "").strip():
        try:
            formats = _parse_formats(values["formats"])
        except InvalidInput as exc:
            problems.append(exc.message.rstrip("."))
    capacity: int | None = None
    raw_capacity = values.get("capacity", "").strip()
    if raw_capacity:
        if raw_capacity.isdigit() and 1 <= int(raw_capacity) <= 50:
            capacity = int(raw_capacity)
        else:
            problems.append("capacity must be a whole number from 1 to 50")
    timezone = values.get("timezone", "").strip() or None
    if timezone is not None and valid_tz(timezone) is None:
        problems.append(
            f"timezone “{timezone[:40]}” isn't one I know; use a name like Europe/Berlin"
        )
    if problems:
        return None, problems
    return (
        MentorRow(
            line=line,
            handle=handle.lower(),
            platform_user_id=platform_user_id,
            display_name=display_name,
            texts=texts,
            formats=formats,
            capacity=capacity,
            timezone=timezone,
        ),
        [],
    )


def parse_mentor_csv(csv_text: str) -> ParsedFile:
    """Check a whole file. File-level problems (size, header) raise InvalidInput; row
    problems are collected as ``line N: ...``."""
    size = len(csv_text.encode("utf-8"))
    if size > MAX_BYTES:
        raise InvalidInput(
            f"That file is {size / (1024 * 1024):.1f} MB; I take up to 2 MB "
            f"(about {MAX_ROWS:,} mentors) at a time. Split it and import each part."
        )
    text = csv_text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    parsed = ParsedFile()
    line = 1  # where the record being read starts
    try:
        header_cells = next(reader, None)
        while header_cells is not None and not any(c.strip() for c in header_cells):
            header_cells = next(reader, None)
        if header_cells is None:
            raise InvalidInput(
                "That file is empty. Line 1 should be the header, e.g. "
                "handle,display_name,headline,industries."
            )
        if reader.line_num != 1:
            raise InvalidInput("Line 1 should be the header, e.g. handle,display_name,headline.")
        names = _header(header_cells)
        seen: dict[str, int] = {}
        count = 0
        while True:
            line = reader.line_num + 1
            cells = next(reader, None)
            if cells is None:
                break
            if not any(cell.strip() for cell in cells):
                continue
            count += 1
            if count > MAX_ROWS:
                raise InvalidInput(
                    f"That file has more than {MAX_ROWS:,} mentors; I take up to {MAX_ROWS:,} "
                    "at a time. Split it and import each part."
                )
            if len(cells) > len(names) and any(c.strip() for c in cells[len(names):]):
                parsed.errors.append(
                    f"line {line}: has {len(cells)} values but the header names "
                    f"{len(names)} columns (a value with a comma needs quotes)"
                )
                continue
            values = dict(zip(names, cells, strict=False))
            row, problems = _check_row(line, values)
            if row is not None and row.key in seen:
                who = row.platform_user_id or f"@{row.handle}"
                problems = [f"{who} is already on line {seen[row.key]}"]
                row = None
            if row is None:
                parsed.errors.append(f"line {line}: {'; '.join(problems)}")
                continue
            seen[row.key] = line
            parsed.rows.append(row)
    except csv.Error as exc:
        raise InvalidInput(
            f"I can't read that file as CSV (line {line}: {exc}). Check the quotes there, "
            "or save it as CSV UTF-8 from your spreadsheet, and try again."
        ) from None
    return parsed


# ---------------------------------------------------------------- people


def _placeholder_id(handle: str) -> str:
    return f"{IMPORTED_ID_PREFIX}{handle.lower()}"


def is_reachable(member: Member) -> bool:
    """False while an imported member has no real platform account yet."""
    return not member.platform_user_id.startswith(IMPORTED_ID_PREFIX)


def claim_imported_member(
    uow: UnitOfWork, community_id: int, handle: str, platform_user_id: str
) -> Member | None:
    """Give an imported placeholder member with this handle to the real account.

    Call when `platform_user_id` is not known yet; returns the claimed member (now carrying
    the real id) or None when nobody with that handle was imported.
    """
    handle = handle.strip().lstrip("@")
    if not handle:
        return None
    member = uow.members.by_platform_id(community_id, _placeholder_id(handle))
    if member is None or member.erased_at is not None:
        return None
    member.platform_user_id = platform_user_id
    return member


def _member_for(uow: UnitOfWork, actor: Actor, row: MentorRow, now: datetime) -> Member:
    cid = actor.community_id
    platform_id = row.platform_user_id
    if not platform_id and actor.community.platform == Platform.CONSOLE.value:
        platform_id = row.handle
    member: Member | None = None
    if platform_id:
        member = uow.members.by_platform_id(cid, platform_id)
    if member is None and row.handle and not row.platform_user_id:
        found = uow.members.by_handle(cid, row.handle)
        if found is not None and found.handle.lower() == row.handle:
            member = found
    if member is None and row.handle:
        member = uow.members.by_platform_id(cid, _placeholder_id(row.handle))
        if member is not None and platform_id:
            member.platform_user_id = platform_id
    if member is not None:
        return member
    member = uow.members.add(
        Member(
            community_id=cid,
            platform_user_id=platform_id or _placeholder_id(row.handle),
            display_name=(row.display_name or row.handle or row.platform_user_id)[:MAX_NAME],
            handle=row.handle or row.platform_user_id.lower(),
            created_at=now,
            timezone=row.timezone or "UTC",
        )
    )
    uow.flush()
    return member


# ---------------------------------------------------------------- invitations


def join_action_id(profile: MentorProfile) -> str:
    """The invitation button: opens the prefilled profile form, like `/mentor join`."""
    return f"mentor:join:{profile.id}"


def invitation_message(
    profile: MentorProfile, community_name: str, inviter_name: str, minutes: int
) -> Message:
    """The DM an invitee gets: what mentoring asks of them and how to opt in."""
    fields = [
        Field(label, value)
        for label, value in (
            ("Headline", profile.headline),
            ("Industries", profile.industries),
            ("Knows about", profile.expertise),
            ("Company", profile.company),
            ("Role", profile.role),
        )
        if value
    ]
    fields.append(Field("Intros per month", str(profile.capacity)))
    where = f" in {community_name}" if community_name else ""
    return Message(
        title="You're invited to mentor",
        text=(
            f"{inviter_name} invited you to be a mentor{where}: students and young alumni ask "
            f"for about {minutes} minutes of advice about your field — never for a job. You "
            "choose which requests to accept, how many a month, and when to pause. We've "
            "drafted your profile from the alumni list; type /mentor join to check it and "
            "opt in. Until you do, nobody can find you."
        ),
        fields=tuple(fields),
        buttons=(Button("Review and join", join_action_id(profile), ButtonStyle.PRIMARY),),
    )


def _apply(profile: MentorProfile, row: MentorRow) -> None:
    for column, text in row.texts.items():
        setattr(profile, column, text)
    if row.formats is not None:
        profile.formats = row.formats
    if row.capacity is not None:
        profile.capacity = row.capacity
    profile.search_text = search_text_of(profile)


@dataclass
class _Tally:
    invited: int = 0
    waiting: int = 0  # invited, but no platform account to DM yet
    already: int = 0


def _import_row(
    uow: UnitOfWork, actor: Actor, row: MentorRow, now: datetime, tally: _Tally,
    outcome: Outcome,
) -> str | None:
    """Invite one person; returns an error text when the row can't be used."""
    member = _member_for(uow, actor, row, now)
    if member.erased_at is not None:
        return ("this person asked to have their data erased; they can still join by "
                "themselves with /mentor join")
    assert member.id is not None
    cid = actor.community_id
    profile = uow.mentors.by_member(cid, member.id)
    if profile is not None:
        tally.already += 1
        if mentor_status(uow, profile) == "invited":
            _apply(profile, row)  # a corrected file refreshes the draft, nothing more
            profile.updated_at = now
        return None
    profile = MentorProfile(
        community_id=cid,
        member_id=member.id,
        created_at=now,
        updated_at=now,
        capacity=actor.settings.default_capacity,
        formats=DEFAULT_FORMATS,
        available=False,
        active=False,
    )
    _apply(profile, row)
    profile = uow.mentors.add(profile)
    uow.flush()
    audit(uow, actor, cid, "mentor.invited", now, "mentor_profile", profile.id,
          f"line {row.line}")
    tally.invited += 1
    if is_reachable(member):
        outcome.add_dm(
            (recipient(member),),
            invitation_message(profile, actor.community.name, actor.member.display_name,
                               actor.settings.meeting_minutes),
            kind="mentor.invited",
        )
    else:
        tally.waiting += 1
    return None


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def import_mentors_csv(uow: UnitOfWork, actor: Actor, csv_text: str, now: datetime) -> Outcome:
    require_admin(actor)
    parsed = parse_mentor_csv(csv_text)
    outcome = Outcome()
    tally = _Tally()
    errors = list(parsed.errors)
    for row in parsed.rows:
        problem = _import_row(uow, actor, row, now, tally, outcome)
        if problem is not None:
            errors.append(f"line {row.line}: {problem}")
    errors.sort(key=lambda text: int(text.split(":", 1)[0].removeprefix("line ")))
    audit(uow, actor, actor.community_id, "mentors.imported", now,
          detail=f"invited {tally.invited}, already {tally.already}, errors {len(errors)}")

    parts = [f"Invited {_plural(tally.invited, 'mentor')}"]
    if tally.waiting:
        parts[0] += (f" ({tally.waiting} will see the invitation when they first use the bot:"
                     " they aren't on this platform yet)")
    parts[0] += "; nobody is findable until they opt in with /mentor join."
    if tally.already:
        people = "1 person" if tally.already == 1 else f"{tally.already} people"
        parts.append(f"{people} already invited or mentoring (left as they are).")
    if errors:
        parts.append(f"{_plural(len(errors), 'row')} with errors:")
        shown = errors[:MAX_ERRORS_SHOWN]
        if len(errors) > len(shown):
            shown.append(f"… and {len(errors) - len(shown)} more")
        parts.append("\n".join(shown))
        parts.append("Fix those lines and import the file again: rows already done are "
                     "skipped.")
    elif not parsed.rows:
        parts = ["That file has a header but no mentors in it. Add one row per person "
                 "below the header."]
    outcome.reply = Message(title="Mentor import", text="\n".join(parts))
    return outcome
