"""The command language: the Slack text form of `/intro` and `/mentor`, parsed into commands.

`parse_command("intro", "cancel #12")` returns `CancelRequest(request_id=12)`. Every platform
speaks this language: Slack and the console pass the typed text, Discord builds the same
commands from its typed options. Nothing here looks anything up: a `Mention` is only what was
typed, and the core resolves it; `ScheduleMeeting.when` is the raw text, and the core parses it.

Errors: `UsageError` when the words don't fit a command (unknown sub-command, missing or extra
arguments, a plain word where an @mention belongs); `InvalidInput` when a value is out of range,
a text is too long, or a quote is left open. Each message names the usage to type instead.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeAlias

from bot.errors import InvalidInput, UsageError

MAX_TEXT = 1000
"""The longest free text (topic, note, follow-up …) accepted, in characters."""

# A whole command may carry a free text of MAX_TEXT plus the words around it.
_MAX_COMMAND = 2 * MAX_TEXT
_MAX_ID = 2**63 - 1
_MINUTES_RANGE = (5, 240)
_FOLLOW_UP_DAYS_RANGE = (1, 365)
_STATS_DAYS_RANGE = (1, 3650)
_CAPACITY_RANGE = (1, 50)


# --------------------------------------------------------------------------- mentions


@dataclass(frozen=True)
class Mention:
    """A member as typed. Exactly one of `platform_user_id` and `name` is set.

    `platform_user_id` comes from a platform mention (Slack ``<@U123ABC>`` or
    ``<@U123ABC|name>``, Discord ``<@123>`` or ``<@!123>``); `name` from the console/plain
    form (``@maria.chen`` or ``@"Maria Chen"``), as typed, without the ``@`` and quotes.
    """

    raw: str
    platform_user_id: str | None
    name: str | None


_OPEN_QUOTES = '"\u201c\u201d\u201e'  # " “ ” „
_CLOSE_QUOTES = '"\u201d\u201c'  # " ” “
_NAME_BODY = r"\w(?:[\w.'\-]*\w)?"
_DISCORD_USER = re.compile(r"<@!?([0-9]{1,25})>")
_SLACK_USER = re.compile(r"<@([A-Z][A-Z0-9]{1,30})(?:\|[^<>\n]*)?>")
_PLAIN_NAME = re.compile(rf"@({_NAME_BODY})")
_QUOTED_NAME = re.compile(r'@["\u201c\u201d\u201e]([^"\u201c\u201d\u201e\n]{1,100})["\u201d\u201c]')
_ANY_MENTION = re.compile(
    r"<@!?(?P<discord>[0-9]{1,25})>"
    r"|<@(?P<slack>[A-Z][A-Z0-9]{1,30})(?:\|[^<>\n]*)?>"
    r"|(?<![\w@])@(?:"
    r'["\u201c\u201d\u201e](?P<quoted>[^"\u201c\u201d\u201e\n]{1,100})["\u201d\u201c]'
    rf"|(?P<plain>{_NAME_BODY}))"
)


# Plain names that address a crowd, not one member.
_CROWDS = frozenset({"here", "channel", "everyone", "all"})


def _mention_from_raw(raw: str) -> Mention | None:
    """The mention that `raw` is as a whole (trailing ``,;.:!?`` allowed), or None."""
    trimmed = raw.rstrip(",;.:!?")
    if match := _DISCORD_USER.fullmatch(trimmed):
        return Mention(raw=trimmed, platform_user_id=match.group(1), name=None)
    if match := _SLACK_USER.fullmatch(trimmed):
        return Mention(raw=trimmed, platform_user_id=match.group(1), name=None)
    if match := _QUOTED_NAME.fullmatch(trimmed):
        name = " ".join(match.group(1).split())
        return Mention(raw=trimmed, platform_user_id=None, name=name) if name else None
    if (match := _PLAIN_NAME.fullmatch(trimmed)) and match.group(1).lower() not in _CROWDS:
        return Mention(raw=trimmed, platform_user_id=None, name=match.group(1))
    return None


def mentions_in(text: str) -> list[Mention]:
    """Every member mentioned anywhere in `text`, in order, each person once.

    Adapters use it to resolve users before parsing. An ``@`` inside a word (an e-mail
    address) is not a mention.
    """
    found: list[Mention] = []
    seen: set[tuple[str | None, str | None]] = set()
    for match in _ANY_MENTION.finditer(_clean(text)):
        user_id = match.group("discord") or match.group("slack")
        if user_id:
            mention = Mention(raw=match.group(0), platform_user_id=user_id, name=None)
        else:
            plain = match.group("plain")
            name = " ".join((match.group("quoted") or plain or "").split())
            if not name or (plain and plain.lower() in _CROWDS):
                continue
            mention = Mention(raw=match.group(0), platform_user_id=None, name=name)
        identity = (mention.platform_user_id, mention.name)
        if identity not in seen:
            seen.add(identity)
            found.append(mention)
    return found


# --------------------------------------------------------------------------- commands


@dataclass(frozen=True)
class Help:
    """Show help. `topic` is None (everything), a group (``"intro admin"``, ``"mentor"``) or
    a key of USAGE (``"intro find"``); see `usage_lines`."""

    topic: str | None


@dataclass(frozen=True)
class FindMentors:
    terms: tuple[str, ...]
    industry: str
    company: str


@dataclass(frozen=True)
class RequestIntro:
    mentor: Mention
    topic: str


@dataclass(frozen=True)
class ListRequests:
    pass


@dataclass(frozen=True)
class CancelRequest:
    request_id: int


@dataclass(frozen=True)
class ScheduleMeeting:
    """`when` is the time as typed (the core parses it in the user's timezone)."""

    request_id: int
    when: str
    minutes: int | None


@dataclass(frozen=True)
class LogMeetingDone:
    request_id: int
    learned: str


@dataclass(frozen=True)
class AddFollowUp:
    request_id: int
    text: str
    in_days: int | None


@dataclass(frozen=True)
class MarkThanked:
    request_id: int


@dataclass(frozen=True)
class ShowPrep:
    request_id: int | None


@dataclass(frozen=True)
class ConnectPeople:
    seeker: Mention
    mentor: Mention
    note: str


@dataclass(frozen=True)
class ShowMyData:
    pass


@dataclass(frozen=True)
class ForgetMe:
    confirmed: bool


@dataclass(frozen=True)
class AdminStats:
    days: int = 30


@dataclass(frozen=True)
class AdminExport:
    what: Literal["requests", "mentors"]


@dataclass(frozen=True)
class AdminImport:
    path: str | None


@dataclass(frozen=True)
class AdminConfig:
    """No key: show all settings. Key only: show one. Key and value: change it."""

    key: str | None
    value: str | None


@dataclass(frozen=True)
class AdminBlock:
    member: Mention
    block: bool


@dataclass(frozen=True)
class JoinAsMentor:
    pass


@dataclass(frozen=True)
class EditMentorProfile:
    pass


@dataclass(frozen=True)
class MentorOn:
    pass


@dataclass(frozen=True)
class MentorOff:
    pass


@dataclass(frozen=True)
class MentorAway:
    """`until` is the date as typed (the core parses it)."""

    until: str


@dataclass(frozen=True)
class MentorCapacity:
    capacity: int


@dataclass(frozen=True)
class MentorRequests:
    pass


@dataclass(frozen=True)
class MentorLeave:
    pass


Command: TypeAlias = (
    Help
    | FindMentors
    | RequestIntro
    | ListRequests
    | CancelRequest
    | ScheduleMeeting
    | LogMeetingDone
    | AddFollowUp
    | MarkThanked
    | ShowPrep
    | ConnectPeople
    | ShowMyData
    | ForgetMe
    | AdminStats
    | AdminExport
    | AdminImport
    | AdminConfig
    | AdminBlock
    | JoinAsMentor
    | EditMentorProfile
    | MentorOn
    | MentorOff
    | MentorAway
    | MentorCapacity
    | MentorRequests
    | MentorLeave
)


# --------------------------------------------------------------------------- usage

_LIST_HINT = "the ID is the number shown in /intro list."

USAGE: dict[str, str] = {
    "intro help": "/intro help [COMMAND] — what I do, the etiquette, and every command.",
    "intro find": "/intro find [KEYWORDS] [industry:X] [company:Y] — available mentors, best "
    'fit first. Quote a phrase: industry:"financial services".',
    "intro request": "/intro request @mentor [TOPIC] — ask a mentor for a short advice "
    "conversation; a form opens to finish the request.",
    "intro list": "/intro list — your requests, as seeker and as mentor, with the next step.",
    "intro cancel": f"/intro cancel ID — withdraw a request; {_LIST_HINT}",
    "intro schedule": "/intro schedule ID WHEN [MINUTES] — record the agreed time, e.g. "
    "/intro schedule 12 tomorrow 15:00 30; " + _LIST_HINT,
    "intro done": "/intro done ID [WHAT YOU LEARNED] — log that the meeting happened; "
    + _LIST_HINT,
    "intro followup": "/intro followup ID TEXT [in N days] — track a follow-up with a reminder, "
    'e.g. /intro followup 12 read "Deep Work" in 14 days; ' + _LIST_HINT,
    "intro thanks": f"/intro thanks ID — mark your thank-you as sent; {_LIST_HINT}",
    "intro prep": "/intro prep [ID] — a research checklist and questions for your meeting; "
    + _LIST_HINT,
    "intro connect": "/intro connect @seeker @mentor [NOTE] — a warm intro: the mentor is "
    "asked first, then the seeker is told.",
    "intro my-data": "/intro my-data — everything the program keeps about you.",
    "intro forget-me": "/intro forget-me [confirm] — erase your personal data; add confirm "
    "once you are sure.",
    "intro admin stats": "/intro admin stats [DAYS] — program numbers for the last DAYS days "
    "(30 unless you say, up to 3650).",
    "intro admin export": "/intro admin export requests|mentors — a CSV file.",
    "intro admin import": "/intro admin import [PATH] — invite mentors from a CSV file.",
    "intro admin config": "/intro admin config [KEY [VALUE]] — show or change a program "
    "setting, e.g. /intro admin config quiet_hours 21:00-08:00.",
    "intro admin block": "/intro admin block @member — stop a member from using the program.",
    "intro admin unblock": "/intro admin unblock @member — let a blocked member back in.",
    "mentor help": "/mentor help [COMMAND] — the mentor commands.",
    "mentor join": "/mentor join — become a mentor: a form opens for your profile.",
    "mentor profile": "/mentor profile — edit your mentor profile.",
    "mentor on": "/mentor on — take new requests again.",
    "mentor off": "/mentor off — stop taking new requests until you turn them back on.",
    "mentor away": "/mentor away UNTIL — pause until a date, e.g. /mentor away 2026-08-01; "
    "you come back by yourself.",
    "mentor capacity": "/mentor capacity N — how many intros you take a month (1 to 50).",
    "mentor requests": "/mentor requests — requests waiting for your answer.",
    "mentor leave": "/mentor leave — stop being a mentor; pending requests are declined kindly.",
}


def usage_lines(topic: str | None) -> list[str]:
    """The USAGE lines for a Help topic: all of them, one group's, or one command's."""
    if topic is None:
        return list(USAGE.values())
    return [line for key, line in USAGE.items() if key == topic or key.startswith(topic + " ")]


# --------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class _Token:
    value: str  # quotes removed
    start: int  # slice of the cleaned text, quotes included
    end: int
    quoted: bool


_QUOTE_PREFIX = re.compile(r"(?:@|[^\W\d][\w\-]{0,30}:)(?=[\"\u201c\u201d\u201e])")
_ANGLE = re.compile(r"<[@#!][^<>\n]{0,200}>")
_LINE_BREAKS = str.maketrans({"\r": "\n", "\v": "\n", "\f": "\n", "\x85": "\n",
                              "\u2028": "\n", "\u2029": "\n"})
_INVISIBLE = frozenset("\u200b\u2060\ufeff")


def _clean(text: str) -> str:
    """Line breaks made plain; control and zero-width characters dropped."""
    text = text.replace("\r\n", "\n").translate(_LINE_BREAKS)
    return "".join(
        ch
        for ch in text
        if ch in "\n\t"
        or (ch not in _INVISIBLE and unicodedata.category(ch) not in ("Cc", "Cs"))
    )


def _tokenize(text: str) -> list[_Token]:
    """Split on whitespace. A word that starts with a double quote (straight or curly),
    optionally after ``@`` or ``key:``, runs to the next closing quote. Apostrophes and
    quotes inside a word are plain characters, so "what it's like" stays three words."""
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        prefix = _QUOTE_PREFIX.match(text, i)
        quote_at = prefix.end() if prefix else i
        if text[quote_at] in _OPEN_QUOTES:
            close = _find_close_quote(text, quote_at + 1)
            if close < 0:
                raise InvalidInput(
                    f"A quote is left open near {_show(text[quote_at:])}. "
                    "Close it with a matching \" or leave the quotes out."
                )
            end = _word_end(text, close + 1)
            value = text[start:quote_at] + text[quote_at + 1 : close] + text[close + 1 : end]
            tokens.append(_Token(value, start, end, quoted=True))
        else:
            angle = _ANGLE.match(text, i)
            end = _word_end(text, angle.end() if angle else i)
            tokens.append(_Token(text[start:end], start, end, quoted=False))
        i = end
    return tokens


def _find_close_quote(text: str, start: int) -> int:
    for j in range(start, len(text)):
        if text[j] in _CLOSE_QUOTES:
            return j
    return -1


def _word_end(text: str, i: int) -> int:
    n = len(text)
    while i < n and not text[i].isspace():
        i += 1
    return i


def _show(fragment: str, limit: int = 30) -> str:
    """A piece of the user's text, short enough to quote back in a message."""
    fragment = " ".join(fragment.split())
    if len(fragment) > limit:
        fragment = fragment[: limit - 1] + "…"
    return f"'{fragment}'"


def _tidy(text: str) -> str:
    """Free text with runs of spaces collapsed and at most one blank line in a row."""
    lines = [" ".join(line.split()) for line in text.split("\n")]
    tidy = "\n".join(lines).strip()
    return re.sub(r"\n{3,}", "\n\n", tidy)


# --------------------------------------------------------------------------- arguments


class _Args:
    """The words after a sub-command, consumed left to right."""

    def __init__(self, key: str, text: str, tokens: list[_Token]) -> None:
        self.key = key
        self.text = text
        self.tokens = tokens
        self.pos = 0

    def usage(self, problem: str) -> UsageError:
        return UsageError(f"{problem} Usage: {USAGE[self.key]}")

    @property
    def command(self) -> str:
        return "/" + self.key

    def remaining(self) -> list[_Token]:
        return self.tokens[self.pos :]

    def has_more(self) -> bool:
        return self.pos < len(self.tokens)

    def raw(self, token: _Token) -> str:
        return self.text[token.start : token.end]

    def next(self) -> _Token | None:
        if self.pos >= len(self.tokens):
            return None
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def finish(self) -> None:
        """No words may be left."""
        if self.has_more():
            extra = self.text[self.tokens[self.pos].start :]
            raise self.usage(f"{self.command} needs nothing more, but got {_show(extra)}.")

    def request_id(self, *, required: bool = True) -> int | None:
        token = self.next()
        if token is None:
            if required:
                raise self.usage("Which request?")
            return None
        return _parse_id(token.value, self)

    def mention(self, role: str) -> Mention:
        token = self.next()
        if token is None:
            raise self.usage(f"Who is the {role}? Mention them with @.")
        mention = _mention_from_raw(self.raw(token))
        if mention is None:
            raise self.usage(
                f"{_show(self.raw(token))} isn't a mention of a member. "
                "Type @ and pick the person from the list."
            )
        return mention

    def free_text(self, what: str, count: int | None = None) -> str:
        """The next `count` words (all the rest by default) as typed, spacing tidied; a text
        that is one quoted phrase loses its quotes. Consumes them."""
        end = len(self.tokens) if count is None else self.pos + count
        span = self.tokens[self.pos : end]
        self.pos = end
        if not span:
            return ""
        if len(span) == 1 and span[0].quoted and self.raw(span[0])[0] in _OPEN_QUOTES:
            text = _tidy(span[0].value)
        else:
            text = _tidy(self.text[span[0].start : span[-1].end])
        _check_length(text, what)
        return text


def _check_length(text: str, what: str) -> None:
    if len(text) > MAX_TEXT:
        raise InvalidInput(
            f"The {what} is {len(text)} characters long; keep it to {MAX_TEXT} or fewer."
        )


_ID = re.compile(r"#?([0-9]+)[.,;:]?")
_NEGATIVE_ID = re.compile(r"#?-[0-9]+")


def _parse_id(word: str, args: _Args) -> int:
    if match := _ID.fullmatch(word):
        digits = match.group(1).lstrip("0")
        if len(digits) <= 19 and 1 <= int(digits or "0") <= _MAX_ID:
            return int(digits)
    elif not _NEGATIVE_ID.fullmatch(word):
        raise args.usage(f"{_show(word)} isn't a request number.")
    raise InvalidInput(
        f"There is no request {_show(word)}: request numbers are whole numbers from 1 up. "
        "See /intro list for yours."
    )


_INTEGER = re.compile(r"[+-]?[0-9]+")


def _parse_int(word: str, low: int, high: int, what: str, args: _Args) -> int:
    if not _INTEGER.fullmatch(word):
        raise args.usage(f"{_show(word)} isn't a whole number.")
    if len(word.lstrip("+-").lstrip("0")) > 9:
        raise InvalidInput(f"The {what} must be from {low} to {high}; you gave {_show(word)}.")
    return _in_range(int(word), low, high, what)


def _in_range(value: int, low: int, high: int, what: str) -> int:
    if not low <= value <= high:
        raise InvalidInput(f"The {what} must be from {low} to {high}; you gave {value}.")
    return value


# --------------------------------------------------------------------------- /intro


def _help(root: str) -> Callable[[_Args], Command]:
    def parse(args: _Args) -> Command:
        words = [t.value.lower().lstrip("/") for t in args.remaining()]
        if not words:
            return Help(topic="mentor" if root == "mentor" else None)
        if words[0] in _ROOTS:
            topic_root, words = words[0], words[1:]
        else:
            topic_root = root
        if not words:
            return Help(topic=topic_root)
        if len(words) > 3:
            raise args.usage(f"I can explain one command at a time, not {_show(' '.join(words))}.")
        path = _canonical_path(topic_root, words)
        if path is None:
            raise UsageError(
                f"There's no /{topic_root} {' '.join(words)[:40]} to explain."
                f"{_suggestion(topic_root, words[0])} Type /{topic_root} help for every command."
            )
        return Help(topic=path)

    return parse


def _canonical_path(root: str, words: list[str]) -> str | None:
    aliases = _INTRO_ALIASES if root == "intro" else _MENTOR_ALIASES
    first = aliases.get(words[0])
    if first is None:
        return None
    if first == "admin" and len(words) > 1:
        second = _ADMIN_ALIASES.get(words[1])
        return None if second is None else f"intro admin {second}"
    path = f"{root} {first}"
    return _USAGE_KEY.get(path, path)


_INDUSTRY_KEYS = ("industry", "field", "sector")
_COMPANY_KEYS = ("company", "employer", "org", "organisation", "organization")
_FILTER_KEYS = {**dict.fromkeys(_INDUSTRY_KEYS, "industry"),
                **dict.fromkeys(_COMPANY_KEYS, "company")}
_FILTER = re.compile(r"([^\W\d][\w\-]{0,30}):(.*)", re.DOTALL)


def _find(args: _Args) -> Command:
    terms: list[str] = []
    filters: dict[str, str] = {}
    while (token := args.next()) is not None:
        match = _FILTER.fullmatch(token.value)
        key = match.group(1).lower() if match else ""
        if match and key in _FILTER_KEYS:
            name = _FILTER_KEYS[key]
            value = match.group(2).strip()
            if not value:
                following = args.next()
                if following is None:
                    raise args.usage(f"{key}: needs a value, like {name}:fintech.")
                value = following.value.strip()
            if name in filters:
                raise args.usage(f"Give {name}: once.")
            value = " ".join(value.split())
            _check_length(value, name)
            filters[name] = value
            continue
        if match and not token.quoted:
            close = difflib.get_close_matches(key, list(_FILTER_KEYS), n=1, cutoff=0.75)
            if close:
                raise args.usage(f"Did you mean {_FILTER_KEYS[close[0]]}: instead of {key}:?")
        term = token.value if token.quoted else token.value.strip(",;'\u2018\u2019")
        term = " ".join(term.split())
        if term:
            terms.append(term)
    _check_length(" ".join(terms), "search")
    return FindMentors(
        terms=tuple(terms), industry=filters.get("industry", ""),
        company=filters.get("company", ""),
    )


def _request(args: _Args) -> Command:
    mentor = args.mention("mentor you'd like to meet")
    return RequestIntro(mentor=mentor, topic=args.free_text("topic"))


def _list(args: _Args) -> Command:
    args.finish()
    return ListRequests()


def _cancel(args: _Args) -> Command:
    request_id = _required_id(args)
    args.finish()
    return CancelRequest(request_id=request_id)


def _required_id(args: _Args) -> int:
    request_id = args.request_id(required=True)
    assert request_id is not None
    return request_id


_MONTHS = frozenset({
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
})
# Words after which a number is a day or an hour, not a length.
_DATE_WORDS = _MONTHS | frozenset({
    "at", "@", "on", "the", "around", "about", "by", "before", "after", "from", "till",
    "until", "to", "of", "between", "and", "in",
})
_TIME_LIKE = re.compile(
    r".*\d:\d\d.*|\d{1,2}(?:[:.]\d\d)?(?:am|pm|a\.m\.|p\.m\.|h)|\d{1,2}h\d\d|noon|midnight|"
    r"am|pm|a\.m\.|p\.m\."
)
_DURATION_UNITS = {
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 1),
    **dict.fromkeys(("hr", "hrs", "hour", "hours"), 60),
}
# No bare "h": "15h" is a clock time in much of the world.
_DURATION = re.compile(r"([0-9]{1,4})(m|min|mins|minute|minutes|hr|hrs|hour|hours)")
_BARE_NUMBER = re.compile(r"[0-9]{1,4}")


def _split_minutes(words: list[str]) -> tuple[int, int | None]:
    """How many of `words` are the time, and the meeting length in minutes if one trails.

    A length is explicit (``30min``, ``30 minutes``, ``1h``, ``for 30``) or a bare number that
    can't be part of the time: it follows a clock time (``15:00 30``) or is too big to be an
    hour (``tomorrow 45``), and is 5..240; ``june 30``, ``at 10`` and ``in 30 minutes`` stay
    part of the time.
    """
    lower = [w.lower() for w in words]
    count = len(lower)
    explicit = False
    if count >= 1 and (match := _DURATION.fullmatch(lower[-1])):
        number, unit, cut = int(match.group(1)), match.group(2), count - 1
        explicit = True
    elif count >= 2 and lower[-1] in _DURATION_UNITS and _BARE_NUMBER.fullmatch(lower[-2]):
        number, unit, cut = int(lower[-2]), lower[-1], count - 2
        explicit = True
    elif count >= 2 and _BARE_NUMBER.fullmatch(lower[-1]):
        number, unit, cut = int(lower[-1]), "min", count - 1
    else:
        return count, None
    previous = lower[cut - 1] if cut else ""
    if previous == "for":
        explicit, cut = True, cut - 1
    elif previous in _DATE_WORDS:
        return count, None
    minutes = number * _DURATION_UNITS[unit]
    if not explicit:
        plausible = _MINUTES_RANGE[0] <= minutes <= _MINUTES_RANGE[1]
        if not plausible or not (number > 24 or _TIME_LIKE.fullmatch(previous)):
            return count, None
    if cut == 0:
        return 0, minutes
    return cut, _in_range(minutes, *_MINUTES_RANGE, "meeting length in minutes")


def _schedule(args: _Args) -> Command:
    request_id = _required_id(args)
    rest = args.remaining()
    cut, minutes = _split_minutes([t.value for t in rest])
    if cut == 0:
        raise args.usage("When will you meet?")
    when = args.free_text("time", cut)
    args.pos = len(args.tokens)
    return ScheduleMeeting(request_id=request_id, when=when, minutes=minutes)


def _done(args: _Args) -> Command:
    request_id = _required_id(args)
    return LogMeetingDone(request_id=request_id, learned=args.free_text("note"))


_SMALL_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}
_DAY_UNITS = {
    **dict.fromkeys(("d", "day", "days"), 1),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), 7),
    **dict.fromkeys(("month", "months"), 30),
}
_COUNT_AND_UNIT = re.compile(r"([0-9]{1,4})(d|w|wk|wks|day|days|week|weeks)")


def _trailing_days(words: list[str]) -> tuple[int, int | None]:
    """`(cut, days)` for a trailing ``in N day(s)|week(s)|month(s)`` (or ``in 2w``)."""
    lower = [w.lower().rstrip(".!") for w in words]
    count = len(lower)
    if count >= 3 and lower[-3] == "in" and lower[-1] in _DAY_UNITS:
        word = lower[-2]
        number = int(word) if _BARE_NUMBER.fullmatch(word) else _SMALL_NUMBERS.get(word)
        if number is not None:
            return count - 3, number * _DAY_UNITS[lower[-1]]
    if count >= 2 and lower[-2] == "in" and (match := _COUNT_AND_UNIT.fullmatch(lower[-1])):
        return count - 2, int(match.group(1)) * _DAY_UNITS[match.group(2)]
    return count, None


def _followup(args: _Args) -> Command:
    request_id = _required_id(args)
    rest = args.remaining()
    cut, days = _trailing_days([t.value for t in rest])
    if cut == 0:
        raise args.usage("What is the follow-up?")
    if days is not None:
        _in_range(days, *_FOLLOW_UP_DAYS_RANGE, "number of days until the reminder")
    text = args.free_text("follow-up", cut)
    args.pos = len(args.tokens)
    return AddFollowUp(request_id=request_id, text=text, in_days=days)


def _thanks(args: _Args) -> Command:
    request_id = _required_id(args)
    args.finish()
    return MarkThanked(request_id=request_id)


def _prep(args: _Args) -> Command:
    request_id = args.request_id(required=False)
    args.finish()
    return ShowPrep(request_id=request_id)


def _connect(args: _Args) -> Command:
    seeker = args.mention("seeker")
    mentor = args.mention("mentor")
    return ConnectPeople(seeker=seeker, mentor=mentor, note=args.free_text("note"))


def _my_data(args: _Args) -> Command:
    args.finish()
    return ShowMyData()


_CONFIRM_WORDS = frozenset({"confirm", "--confirm", "yes", "confirmed"})


def _forget_me(args: _Args) -> Command:
    token = args.next()
    if token is None:
        return ForgetMe(confirmed=False)
    if token.value.lower().rstrip(".!") not in _CONFIRM_WORDS:
        raise args.usage(f"To erase your data, add the word confirm, not {_show(token.value)}.")
    args.finish()
    return ForgetMe(confirmed=True)


# --------------------------------------------------------------------------- /intro admin


def _admin(args: _Args) -> Command:
    token = args.next()
    if token is None:
        return Help(topic="intro admin")
    word = token.value.lower()
    name = _ADMIN_ALIASES.get(word)
    if name is None:
        close = _closest(word, _ADMIN_ALIASES)
        hint = f" Did you mean /intro admin {close}?" if close else ""
        raise UsageError(
            f"There's no /intro admin {word[:30]}.{hint} "
            "Type /intro help admin for the admin commands."
        )
    sub = _Args(f"intro admin {name}", args.text, args.tokens)
    sub.pos = args.pos
    return _ADMIN_PARSERS[name](sub)


def _admin_stats(args: _Args) -> Command:
    words = [t.value.lower() for t in args.remaining()]
    args.pos = len(args.tokens)
    if not words:
        return AdminStats()
    if len(words) == 2 and words[1] in ("day", "days", "d"):
        words = [words[0]]
    if len(words) != 1:
        raise args.usage(f"Give one number of days, not {_show(' '.join(words))}.")
    word = words[0].removesuffix("days").removesuffix("d")
    return AdminStats(days=_parse_int(word, *_STATS_DAYS_RANGE, "number of days", args))


def _admin_export(args: _Args) -> Command:
    token = args.next()
    if token is None:
        raise args.usage("Export what?")
    word = token.value.lower()
    what: Literal["requests", "mentors"]
    if word in ("requests", "request"):
        what = "requests"
    elif word in ("mentors", "mentor"):
        what = "mentors"
    else:
        raise args.usage(f"I can export requests or mentors, not {_show(token.value)}.")
    args.finish()
    return AdminExport(what=what)


def _admin_import(args: _Args) -> Command:
    path = args.free_text("file path")
    return AdminImport(path=path or None)


_SETTING_KEY = re.compile(r"[A-Za-z][\w\-]{0,60}")


def _admin_config(args: _Args) -> Command:
    token = args.next()
    if token is None:
        return AdminConfig(key=None, value=None)
    word, equals, inline_value = token.value.partition("=")
    if not _SETTING_KEY.fullmatch(word):
        raise args.usage(f"{_show(word)} isn't a setting name.")
    key = word.lower().replace("-", "_")
    rest = args.free_text("setting value")
    value = _tidy(f"{inline_value} {rest}") if equals else rest
    _check_length(value, "setting value")
    return AdminConfig(key=key, value=value or None)


def _admin_block(args: _Args) -> Command:
    member = args.mention("member to block")
    args.finish()
    return AdminBlock(member=member, block=True)


def _admin_unblock(args: _Args) -> Command:
    member = args.mention("member to unblock")
    args.finish()
    return AdminBlock(member=member, block=False)


_ADMIN_PARSERS: dict[str, Callable[[_Args], Command]] = {
    "stats": _admin_stats,
    "export": _admin_export,
    "import": _admin_import,
    "config": _admin_config,
    "block": _admin_block,
    "unblock": _admin_unblock,
}
_ADMIN_ALIASES: dict[str, str] = {
    **{name: name for name in _ADMIN_PARSERS},
    "stat": "stats", "statistics": "stats", "report": "stats",
    "csv": "export",
    "settings": "config", "setting": "config", "set": "config", "configure": "config",
    "ban": "block", "unban": "unblock",
}


# --------------------------------------------------------------------------- /mentor


def _no_args(command: Command) -> Callable[[_Args], Command]:
    def parse(args: _Args) -> Command:
        args.finish()
        return command

    return parse


def _mentor_away(args: _Args) -> Command:
    tokens = args.remaining()
    if tokens and tokens[0].value.lower() in ("until", "till", "til", "to"):
        args.pos += 1
    until = args.free_text("date")
    if not until:
        raise args.usage("Until when?")
    return MentorAway(until=until)


def _mentor_pause(args: _Args) -> Command:
    """``pause UNTIL`` is away; a bare ``pause`` is off."""
    if not args.has_more():
        return MentorOff()
    return _mentor_away(_Args("mentor away", args.text, args.tokens[args.pos :]))


_PER_MONTH = frozenset({"per month", "a month", "each month", "monthly", "/month", "/mo"})


def _mentor_capacity(args: _Args) -> Command:
    token = args.next()
    if token is None:
        raise args.usage("How many intros a month?")
    word = token.value.lower()
    for suffix in ("/month", "/mo"):
        word = word.removesuffix(suffix)
    rest = " ".join(t.value.lower() for t in args.remaining())
    if rest and rest not in _PER_MONTH:
        raise args.usage(f"Give one number, not {_show(token.value + ' ' + rest)}.")
    args.pos = len(args.tokens)
    capacity = _parse_int(word, *_CAPACITY_RANGE, "number of intros a month", args)
    return MentorCapacity(capacity=capacity)


# --------------------------------------------------------------------------- dispatch

_INTRO_PARSERS: dict[str, Callable[[_Args], Command]] = {
    "help": _help("intro"),
    "find": _find,
    "request": _request,
    "list": _list,
    "cancel": _cancel,
    "schedule": _schedule,
    "done": _done,
    "followup": _followup,
    "thanks": _thanks,
    "prep": _prep,
    "connect": _connect,
    "my-data": _my_data,
    "forget-me": _forget_me,
    "admin": _admin,
}
_INTRO_ALIASES: dict[str, str] = {
    **{name: name for name in _INTRO_PARSERS},
    "?": "help", "h": "help", "-h": "help", "--help": "help", "commands": "help",
    "search": "find", "browse": "find", "mentors": "find", "lookup": "find",
    "ask": "request", "req": "request", "intro": "request",
    "ls": "list", "mine": "list", "requests": "list", "status": "list",
    "withdraw": "cancel", "retract": "cancel",
    "sched": "schedule", "book": "schedule", "when": "schedule", "meet": "schedule",
    "complete": "done", "completed": "done", "met": "done", "log": "done",
    "follow-up": "followup", "follow_up": "followup", "follow": "followup", "fu": "followup",
    "thank": "thanks", "thankyou": "thanks", "thank-you": "thanks", "thanked": "thanks",
    "ty": "thanks",
    "prepare": "prep",
    "introduce": "connect", "warm-intro": "connect",
    "mydata": "my-data", "my_data": "my-data", "data": "my-data", "export-my-data": "my-data",
    "forgetme": "forget-me", "forget_me": "forget-me", "delete-me": "forget-me",
    "erase-me": "forget-me", "delete-my-data": "forget-me",
}
_MENTOR_PARSERS: dict[str, Callable[[_Args], Command]] = {
    "help": _help("mentor"),
    "join": _no_args(JoinAsMentor()),
    "profile": _no_args(EditMentorProfile()),
    "on": _no_args(MentorOn()),
    "off": _no_args(MentorOff()),
    "away": _mentor_away,
    "pause": _mentor_pause,
    "capacity": _mentor_capacity,
    "requests": _no_args(MentorRequests()),
    "leave": _no_args(MentorLeave()),
}
_MENTOR_ALIASES: dict[str, str] = {
    **{name: name for name in _MENTOR_PARSERS},
    "?": "help", "h": "help", "-h": "help", "--help": "help", "commands": "help",
    "signup": "join", "sign-up": "join", "register": "join", "opt-in": "join",
    "edit": "profile", "edit-profile": "profile",
    "available": "on", "resume": "on", "online": "on",
    "unavailable": "off", "offline": "off",
    "vacation": "away", "holiday": "away",
    "cap": "capacity", "limit": "capacity",
    "pending": "requests", "inbox": "requests", "queue": "requests",
    "quit": "leave", "opt-out": "leave", "retire": "leave",
}
# Where a group-level alias lands in USAGE (`pause` is documented under away).
_USAGE_KEY = {"mentor pause": "mentor away"}

_ROOTS: dict[str, tuple[dict[str, str], dict[str, Callable[[_Args], Command]]]] = {
    "intro": (_INTRO_ALIASES, _INTRO_PARSERS),
    "mentor": (_MENTOR_ALIASES, _MENTOR_PARSERS),
}


def _closest(word: str, choices: dict[str, str]) -> str | None:
    close = difflib.get_close_matches(word[:40], list(choices), n=1, cutoff=0.6)
    return choices[close[0]] if close else None


def _suggestion(root: str, word: str) -> str:
    """' Did you mean /intro find?' for a near miss, in this root first, then the other."""
    for candidate in (root, *(other for other in _ROOTS if other != root)):
        aliases = _ROOTS[candidate][0]
        if candidate != root and word in aliases:
            return f" Did you mean /{candidate} {aliases[word]}?"
        close = _closest(word, aliases)
        if close:
            return f" Did you mean /{candidate} {close}?"
    return ""


def parse_command(root: str, text: str) -> Command:
    """Parse the text typed after ``/intro`` or ``/mentor`` (`root`, with or without ``/``).

    Raises UsageError when the words don't fit a command and InvalidInput when a value is
    out of range, too long or a quote is left open; both messages say what to type instead.
    """
    root_name = root.strip().lstrip("/").lower()
    if root_name not in _ROOTS:
        raise UsageError(f"I answer /intro and /mentor, not /{root_name[:30]}. Try /intro help.")
    cleaned = _clean(text[: 2 * _MAX_COMMAND + 1])
    if len(cleaned) > _MAX_COMMAND or len(text) > 2 * _MAX_COMMAND:
        raise InvalidInput(
            "That is too long for me to read. "
            f"Keep what you write to {MAX_TEXT} characters or fewer."
        )
    tokens = _tokenize(cleaned)
    if root_name == "intro" and tokens and tokens[0].value.lower() == "mentor":
        root_name, tokens = "mentor", tokens[1:]
    aliases, parsers = _ROOTS[root_name]
    if not tokens:
        return parsers["help"](_Args(f"{root_name} help", cleaned, []))
    first = tokens[0]
    word = first.value.lower().lstrip("/")
    name = aliases.get(word)
    if name is None:
        if _mention_from_raw(cleaned[first.start : first.end]) is not None and root_name == "intro":
            raise UsageError(
                f"To ask {cleaned[first.start : first.end]} for an intro, type "
                f"/intro request {cleaned[first.start : first.end]} and what you'd like to learn."
            )
        raise UsageError(
            f"I don't know /{root_name} {' '.join(word.split())[:30]}."
            f"{_suggestion(root_name, word)} Type /{root_name} help to see every command."
        )
    key = f"{root_name} {name}"
    args = _Args(_USAGE_KEY.get(key, key), cleaned, tokens[1:])
    return parsers[name](args)
