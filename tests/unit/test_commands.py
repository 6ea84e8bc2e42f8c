"""The command language: every command and alias, the mistakes people make, and properties."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.commands import (
    MAX_TEXT,
    USAGE,
    AddFollowUp,
    AdminBlock,
    AdminConfig,
    AdminExport,
    AdminImport,
    AdminStats,
    CancelRequest,
    Command,
    ConnectPeople,
    EditMentorProfile,
    FindMentors,
    ForgetMe,
    Help,
    JoinAsMentor,
    ListRequests,
    LogMeetingDone,
    MarkThanked,
    Mention,
    MentorAway,
    MentorCapacity,
    MentorLeave,
    MentorOff,
    MentorOn,
    MentorRequests,
    RequestIntro,
    ScheduleMeeting,
    ShowMyData,
    ShowPrep,
    mentions_in,
    parse_command,
    usage_lines,
)
from bot.errors import IntrobotError, InvalidInput, UsageError

MARIA = Mention(raw="@maria", platform_user_id=None, name="maria")
SLACK_MARIA = Mention(raw="<@U123ABC>", platform_user_id="U123ABC", name=None)
SAM = Mention(raw="@sam", platform_user_id=None, name="sam")

COMMAND_TYPES = (
    Help,
    FindMentors,
    RequestIntro,
    ListRequests,
    CancelRequest,
    ScheduleMeeting,
    LogMeetingDone,
    AddFollowUp,
    MarkThanked,
    ShowPrep,
    ConnectPeople,
    ShowMyData,
    ForgetMe,
    AdminStats,
    AdminExport,
    AdminImport,
    AdminConfig,
    AdminBlock,
    JoinAsMentor,
    EditMentorProfile,
    MentorOn,
    MentorOff,
    MentorAway,
    MentorCapacity,
    MentorRequests,
    MentorLeave,
)


# --------------------------------------------------------------------------- happy paths

PARSES: list[tuple[str, str, Command]] = [
    # help
    ("intro", "", Help(None)),
    ("/intro", "   ", Help(None)),
    ("intro", "help", Help(None)),
    ("intro", "HELP", Help(None)),
    ("intro", "?", Help(None)),
    ("intro", "--help", Help(None)),
    ("intro", "help find", Help("intro find")),
    ("intro", "help search", Help("intro find")),
    ("intro", "help follow-up", Help("intro followup")),
    ("intro", "help admin", Help("intro admin")),
    ("intro", "help admin stats", Help("intro admin stats")),
    ("intro", "help admin ban", Help("intro admin block")),
    ("intro", "help mentor", Help("mentor")),
    ("intro", "help mentor away", Help("mentor away")),
    ("intro", "help /mentor on", Help("mentor on")),
    ("mentor", "", Help("mentor")),
    ("/mentor", "help", Help("mentor")),
    ("mentor", "help capacity", Help("mentor capacity")),
    ("mentor", "help pause", Help("mentor away")),
    ("mentor", "help intro find", Help("intro find")),
    ("intro", "admin", Help("intro admin")),
    ("intro", "mentor", Help("mentor")),
    # find
    ("intro", "find", FindMentors((), "", "")),
    ("intro", "find data science", FindMentors(("data", "science"), "", "")),
    (
        "intro",
        'find data science industry:fintech company:"Acme Corp"',
        FindMentors(("data", "science"), "fintech", "Acme Corp"),
    ),
    ("intro", "search INDUSTRY:Fintech", FindMentors((), "Fintech", "")),
    ("intro", "find Company:Acme", FindMentors((), "", "Acme")),
    ("intro", "find industry: fintech ml", FindMentors(("ml",), "fintech", "")),
    ("intro", "find industry:“climate tech” solar", FindMentors(("solar",), "climate tech", "")),
    ("intro", 'find "product management" ux', FindMentors(("product management", "ux"), "", "")),
    ("intro", "find data, ml; ai", FindMentors(("data", "ml", "ai"), "", "")),
    ("intro", "find sector:health employer:NHS", FindMentors((), "health", "NHS")),
    ("intro", "browse c++ rust", FindMentors(("c++", "rust"), "", "")),
    ("intro", "find ml:ops", FindMentors(("ml:ops",), "", "")),
    # request
    (
        "intro",
        "request @maria what it's like to work in climate tech",
        RequestIntro(MARIA, "what it's like to work in climate tech"),
    ),
    ("intro", "request @maria", RequestIntro(MARIA, "")),
    (
        "intro",
        "ask <@U123ABC> careers   in\tpolicy",
        RequestIntro(SLACK_MARIA, "careers in policy"),
    ),
    (
        "intro",
        "request <@U123ABC|maria> design",
        RequestIntro(Mention("<@U123ABC|maria>", "U123ABC", None), "design"),
    ),
    (
        "intro",
        "request <@U123ABC|Maria Chen> design",
        RequestIntro(Mention("<@U123ABC|Maria Chen>", "U123ABC", None), "design"),
    ),
    (
        "intro",
        "request <@80351110224678912> x",
        RequestIntro(Mention("<@80351110224678912>", "80351110224678912", None), "x"),
    ),
    (
        "intro",
        "request <@!80351110224678912> x",
        RequestIntro(Mention("<@!80351110224678912>", "80351110224678912", None), "x"),
    ),
    (
        "intro",
        'request @"Maria Chen" growth',
        RequestIntro(Mention('@"Maria Chen"', None, "Maria Chen"), "growth"),
    ),
    (
        "intro",
        "request @“Maria Chen” growth",
        RequestIntro(Mention("@“Maria Chen”", None, "Maria Chen"), "growth"),
    ),
    ("intro", "request @maria.chen", RequestIntro(Mention("@maria.chen", None, "maria.chen"), "")),
    ("intro", 'request @maria "climate tech"', RequestIntro(MARIA, "climate tech")),
    (
        "intro",
        'request @maria the "hard" parts of it',
        RequestIntro(MARIA, 'the "hard" parts of it'),
    ),
    (
        "intro",
        "request @maria line one\n\n\n\nline   two",
        RequestIntro(MARIA, "line one\n\nline two"),
    ),
    ("intro", "REQ @maria  ", RequestIntro(MARIA, "")),
    # list
    ("intro", "list", ListRequests()),
    ("intro", "ls", ListRequests()),
    ("intro", "mine", ListRequests()),
    ("intro", "status", ListRequests()),
    # cancel
    ("intro", "cancel 12", CancelRequest(12)),
    ("intro", "cancel #12", CancelRequest(12)),
    ("intro", "withdraw #7", CancelRequest(7)),
    ("intro", "cancel 007", CancelRequest(7)),
    # schedule
    ("intro", "schedule 12 tomorrow 15:00 30", ScheduleMeeting(12, "tomorrow 15:00", 30)),
    ("intro", "schedule 12 2026-12-01T15:00 20", ScheduleMeeting(12, "2026-12-01T15:00", 20)),
    ("intro", "schedule 12 next tuesday 9am", ScheduleMeeting(12, "next tuesday 9am", None)),
    ("intro", "schedule #12 tomorrow 15:00", ScheduleMeeting(12, "tomorrow 15:00", None)),
    ("intro", "schedule 12 tomorrow 3pm 45", ScheduleMeeting(12, "tomorrow 3pm", 45)),
    ("intro", "schedule 12 tomorrow 3 pm 15", ScheduleMeeting(12, "tomorrow 3 pm", 15)),
    ("intro", "schedule 12 june 30", ScheduleMeeting(12, "june 30", None)),
    ("intro", "schedule 12 on the 15", ScheduleMeeting(12, "on the 15", None)),
    ("intro", "schedule 12 tomorrow at 10", ScheduleMeeting(12, "tomorrow at 10", None)),
    ("intro", "schedule 12 tomorrow 10", ScheduleMeeting(12, "tomorrow 10", None)),
    ("intro", "schedule 12 tomorrow 45", ScheduleMeeting(12, "tomorrow", 45)),
    ("intro", "schedule 12 tomorrow 15:00 300", ScheduleMeeting(12, "tomorrow 15:00 300", None)),
    ("intro", "schedule 12 tomorrow 15:00 3", ScheduleMeeting(12, "tomorrow 15:00 3", None)),
    ("intro", "schedule 12 1 dec 2026", ScheduleMeeting(12, "1 dec 2026", None)),
    ("intro", "schedule 12 30", ScheduleMeeting(12, "30", None)),
    ("intro", "schedule 12 tomorrow 15h", ScheduleMeeting(12, "tomorrow 15h", None)),
    ("intro", "schedule 12 tomorrow 15:00 30min", ScheduleMeeting(12, "tomorrow 15:00", 30)),
    ("intro", "schedule 12 tomorrow 15:00 20 minutes", ScheduleMeeting(12, "tomorrow 15:00", 20)),
    ("intro", "schedule 12 friday 3pm for 1 hour", ScheduleMeeting(12, "friday 3pm", 60)),
    ("intro", "schedule 12 friday 10 for 25", ScheduleMeeting(12, "friday 10", 25)),
    ("intro", "schedule 12 in 30 minutes", ScheduleMeeting(12, "in 30 minutes", None)),
    ("intro", "schedule 12 in 2 hours", ScheduleMeeting(12, "in 2 hours", None)),
    ("intro", "book 3 Tue  9:30", ScheduleMeeting(3, "Tue 9:30", None)),
    # done
    ("intro", "done 12", LogMeetingDone(12, "")),
    (
        "intro",
        "done #12 policy work is mostly writing",
        LogMeetingDone(12, "policy work is mostly writing"),
    ),
    ("intro", "met 4 it's not for me", LogMeetingDone(4, "it's not for me")),
    # follow-up
    (
        "intro",
        'followup 12 read "Designing Data-Intensive Applications" in 14 days',
        AddFollowUp(12, 'read "Designing Data-Intensive Applications"', 14),
    ),
    ("intro", "follow-up 12 email Sam", AddFollowUp(12, "email Sam", None)),
    ("intro", "followup 12 email Sam in 2 weeks", AddFollowUp(12, "email Sam", 14)),
    ("intro", "followup 12 email Sam in 1 day", AddFollowUp(12, "email Sam", 1)),
    ("intro", "followup 12 email Sam in a week", AddFollowUp(12, "email Sam", 7)),
    ("intro", "followup 12 email Sam in 3d", AddFollowUp(12, "email Sam", 3)),
    ("intro", "fu #12 email Sam in 10 days.", AddFollowUp(12, "email Sam", 10)),
    ("intro", 'followup 12 "in 3 days"', AddFollowUp(12, "in 3 days", None)),
    (
        "intro",
        "followup 12 join the guild in person",
        AddFollowUp(12, "join the guild in person", None),
    ),
    # thanks
    ("intro", "thanks 12", MarkThanked(12)),
    ("intro", "thank #12", MarkThanked(12)),
    ("intro", "thankyou 12", MarkThanked(12)),
    ("intro", "thank-you 12", MarkThanked(12)),
    ("intro", "ty 12", MarkThanked(12)),
    # prep
    ("intro", "prep", ShowPrep(None)),
    ("intro", "prep 12", ShowPrep(12)),
    ("intro", "prepare #12", ShowPrep(12)),
    # connect
    ("intro", "connect @sam @maria", ConnectPeople(SAM, MARIA, "")),
    (
        "intro",
        "connect @sam <@U123ABC> Sam is moving into climate policy",
        ConnectPeople(SAM, SLACK_MARIA, "Sam is moving into climate policy"),
    ),
    (
        "intro",
        "introduce @sam, @maria, you two should talk",
        ConnectPeople(Mention("@sam", None, "sam"), MARIA, "you two should talk"),
    ),
    # my data
    ("intro", "my-data", ShowMyData()),
    ("intro", "mydata", ShowMyData()),
    ("intro", "forget-me", ForgetMe(False)),
    ("intro", "forget-me confirm", ForgetMe(True)),
    ("intro", "forgetme CONFIRM", ForgetMe(True)),
    ("intro", "delete-me yes", ForgetMe(True)),
    # admin
    ("intro", "admin stats", AdminStats(30)),
    ("intro", "admin stats 90", AdminStats(90)),
    ("intro", "admin stats 7d", AdminStats(7)),
    ("intro", "admin stats 14 days", AdminStats(14)),
    ("intro", "admin stats 3650", AdminStats(3650)),
    ("intro", "ADMIN Stats 1", AdminStats(1)),
    ("intro", "admin export requests", AdminExport("requests")),
    ("intro", "admin export Mentors", AdminExport("mentors")),
    ("intro", "admin export mentor", AdminExport("mentors")),
    ("intro", "admin import", AdminImport(None)),
    ("intro", "admin import mentors.csv", AdminImport("mentors.csv")),
    ("intro", 'admin import "/data/alumni list.csv"', AdminImport("/data/alumni list.csv")),
    ("intro", "admin config", AdminConfig(None, None)),
    ("intro", "admin config lint_mode", AdminConfig("lint_mode", None)),
    ("intro", "admin config lint_mode block", AdminConfig("lint_mode", "block")),
    ("intro", "admin config quiet_hours 21:00-08:00", AdminConfig("quiet_hours", "21:00-08:00")),
    (
        "intro",
        "admin config quiet_hours 21:00 - 08:00",
        AdminConfig("quiet_hours", "21:00 - 08:00"),
    ),
    ("intro", "admin config Quiet-Hours off", AdminConfig("quiet_hours", "off")),
    ("intro", "admin config meeting_minutes=20", AdminConfig("meeting_minutes", "20")),
    ("intro", "admin settings", AdminConfig(None, None)),
    ("intro", "admin block @maria", AdminBlock(MARIA, True)),
    ("intro", "admin unblock <@U123ABC>", AdminBlock(SLACK_MARIA, False)),
    ("intro", "admin ban @maria", AdminBlock(MARIA, True)),
    # /mentor
    ("mentor", "join", JoinAsMentor()),
    ("mentor", "signup", JoinAsMentor()),
    ("mentor", "profile", EditMentorProfile()),
    ("mentor", "edit", EditMentorProfile()),
    ("mentor", "on", MentorOn()),
    ("mentor", "available", MentorOn()),
    ("mentor", "ON", MentorOn()),
    ("mentor", "off", MentorOff()),
    ("mentor", "unavailable", MentorOff()),
    ("mentor", "pause", MentorOff()),
    ("mentor", "away 2026-08-01", MentorAway("2026-08-01")),
    ("mentor", "away until August 1", MentorAway("August 1")),
    ("mentor", "pause until next monday", MentorAway("next monday")),
    ("mentor", "vacation 1 Sept", MentorAway("1 Sept")),
    ("mentor", "capacity 3", MentorCapacity(3)),
    ("mentor", "capacity 50", MentorCapacity(50)),
    ("mentor", "cap 2 per month", MentorCapacity(2)),
    ("mentor", "capacity 4/month", MentorCapacity(4)),
    ("mentor", "requests", MentorRequests()),
    ("mentor", "pending", MentorRequests()),
    ("mentor", "leave", MentorLeave()),
    ("mentor", "opt-out", MentorLeave()),
    ("intro", "mentor on", MentorOn()),
    ("intro", "mentor capacity 2", MentorCapacity(2)),
]


@pytest.mark.parametrize(("root", "text", "expected"), PARSES)
def test_parses(root: str, text: str, expected: Command) -> None:
    assert parse_command(root, text) == expected


def test_every_command_type_is_reachable() -> None:
    produced = {type(expected) for _, _, expected in PARSES}
    assert produced == set(COMMAND_TYPES)


def test_commands_are_frozen() -> None:
    command = parse_command("intro", "cancel 12")
    with pytest.raises(dataclasses.FrozenInstanceError):
        command.request_id = 13  # type: ignore[misc,union-attr]


# --------------------------------------------------------------------------- mistakes

USAGE_ERRORS: list[tuple[str, str, list[str]]] = [
    # unknown sub-commands, with a suggestion and a pointer to help
    ("intro", "fnd data", ["/intro fnd", "Did you mean /intro find?", "/intro help"]),
    ("intro", "cancl 12", ["Did you mean /intro cancel?", "/intro help"]),
    ("intro", "xyzzy", ["I don't know /intro xyzzy", "/intro help"]),
    ("mentor", "find data", ["Did you mean /intro find?"]),
    ("mentor", "capcity 3", ["Did you mean /mentor capacity?", "/mentor help"]),
    ("intro", "join", ["Did you mean /mentor join?"]),
    ("intro", "@maria climate", ["/intro request @maria"]),
    ("intro", "help fnd", ["Did you mean /intro find?", "/intro help"]),
    ("intro", "help a b c d", ["one command at a time"]),
    ("intro", "admin statz", ["Did you mean /intro admin stats?", "/intro help admin"]),
    # missing arguments
    ("intro", "cancel", ["Which request?", "Usage: /intro cancel ID", "/intro list"]),
    ("intro", "thanks", ["Which request?", "Usage: /intro thanks ID"]),
    ("intro", "done", ["Which request?", "Usage: /intro done ID"]),
    ("intro", "schedule", ["Which request?", "Usage: /intro schedule ID WHEN"]),
    ("intro", "schedule 12", ["When will you meet?", "Usage: /intro schedule"]),
    ("intro", "schedule 12 30min", ["When will you meet?"]),
    ("intro", "schedule 12 for 30 minutes", ["When will you meet?"]),
    ("intro", "followup 12", ["What is the follow-up?", "Usage: /intro followup ID TEXT"]),
    ("intro", "followup 12 in 3 days", ["What is the follow-up?"]),
    ("intro", "request", ["Mention them with @", "Usage: /intro request @mentor"]),
    ("intro", "connect @sam", ["Who is the mentor?", "Usage: /intro connect @seeker @mentor"]),
    ("intro", "connect", ["Who is the seeker?"]),
    ("intro", "admin export", ["Export what?", "requests|mentors"]),
    ("intro", "admin block", ["Usage: /intro admin block @member"]),
    ("mentor", "away", ["Until when?", "Usage: /mentor away UNTIL"]),
    ("mentor", "away until", ["Until when?"]),
    ("mentor", "capacity", ["How many intros a month?", "Usage: /mentor capacity N"]),
    # extra arguments where none are allowed
    (
        "intro",
        "list pending",
        ["/intro list needs nothing more", "'pending'", "Usage: /intro list"],
    ),
    ("intro", "cancel 12 13", ["/intro cancel needs nothing more", "'13'"]),
    ("intro", "thanks 12 sent it", ["needs nothing more", "'sent it'"]),
    ("intro", "prep 12 now", ["needs nothing more"]),
    ("intro", "my-data please", ["/intro my-data needs nothing more"]),
    ("intro", "forget-me now", ["add the word confirm", "Usage: /intro forget-me"]),
    ("intro", "forget-me confirm now", ["needs nothing more"]),
    ("intro", "admin export mentors now", ["needs nothing more"]),
    ("intro", "admin block @maria spam", ["needs nothing more"]),
    ("intro", "admin stats 30 60", ["one number of days"]),
    ("mentor", "on now", ["/mentor on needs nothing more", "Usage: /mentor on"]),
    ("mentor", "join me", ["/mentor join needs nothing more"]),
    ("mentor", "leave today", ["/mentor leave needs nothing more"]),
    ("mentor", "capacity 3 4", ["Give one number"]),
    # non-numeric ids and numbers
    (
        "intro",
        "cancel abc",
        ["'abc' isn't a request number", "Usage: /intro cancel ID", "/intro list"],
    ),
    ("intro", "thanks twelve", ["'twelve' isn't a request number"]),
    ("intro", "done 12abc", ["'12abc' isn't a request number"]),
    ("intro", "schedule tomorrow 15:00", ["'tomorrow' isn't a request number"]),
    ("intro", "prep maria", ["'maria' isn't a request number", "Usage: /intro prep [ID]"]),
    ("intro", "admin stats month", ["'month' isn't a whole number", "Usage: /intro admin stats"]),
    ("mentor", "capacity lots", ["'lots' isn't a whole number", "Usage: /mentor capacity N"]),
    ("intro", "admin export users", ["requests or mentors", "'users'"]),
    # a mention expected, a plain word given
    (
        "intro",
        "request maria climate",
        ["'maria' isn't a mention", "Type @", "Usage: /intro request"],
    ),
    ("intro", "connect sam @maria", ["'sam' isn't a mention", "Usage: /intro connect"]),
    ("intro", "connect @sam maria", ["'maria' isn't a mention"]),
    ("intro", "admin block maria", ["'maria' isn't a mention", "Usage: /intro admin block"]),
    ("intro", "request <@&123456> hi", ["isn't a mention of a member"]),
    ("intro", "request <#C123|general> hi", ["isn't a mention of a member"]),
    ("intro", "request @ hi", ["isn't a mention"]),
    ("intro", 'request @"" hi', ["isn't a mention"]),
    # filters
    ("intro", "find industy:fintech", ["Did you mean industry:", "Usage: /intro find"]),
    ("intro", "find industry:a industry:b", ["Give industry: once"]),
    ("intro", "find company:", ["company: needs a value"]),
    # other roots
    ("mentors", "on", ["/intro and /mentor"]),
]


@pytest.mark.parametrize(("root", "text", "needles"), USAGE_ERRORS)
def test_usage_errors_say_what_to_type(root: str, text: str, needles: list[str]) -> None:
    with pytest.raises(UsageError) as caught:
        parse_command(root, text)
    for needle in needles:
        assert needle in caught.value.message
    assert caught.value.message == str(caught.value)


INVALID_INPUTS: list[tuple[str, str, list[str]]] = [
    ("intro", "cancel 0", ["from 1 up", "/intro list"]),
    ("intro", "cancel -3", ["from 1 up"]),
    ("intro", "thanks #-3", ["from 1 up"]),
    ("intro", "cancel 99999999999999999999", ["from 1 up"]),
    ("intro", "cancel " + "9" * 1500, ["from 1 up"]),
    ("intro", "admin stats 0", ["from 1 to 3650", "you gave 0"]),
    ("intro", "admin stats 3651", ["from 1 to 3650"]),
    ("intro", "admin stats 99999999999999", ["from 1 to 3650"]),
    ("intro", "admin stats -5", ["from 1 to 3650"]),
    ("mentor", "capacity 0", ["from 1 to 50"]),
    ("mentor", "capacity 51", ["from 1 to 50", "you gave 51"]),
    ("intro", "schedule 12 tomorrow 15:00 300 minutes", ["from 5 to 240"]),
    ("intro", "schedule 12 tomorrow 15:00 2min", ["from 5 to 240"]),
    ("intro", "schedule 12 tomorrow 15:00 for 3", ["from 5 to 240"]),
    ("intro", "followup 12 email Sam in 0 days", ["from 1 to 365"]),
    ("intro", "followup 12 email Sam in 60 weeks", ["from 1 to 365"]),
    # over-long text
    ("intro", "request @maria " + "x" * (MAX_TEXT + 1), ["1000 or fewer"]),
    ("intro", "done 12 " + "word " * 300, ["1000 or fewer"]),
    ("intro", "followup 12 " + "y" * (MAX_TEXT + 1), ["1000 or fewer"]),
    ("intro", "connect @sam @maria " + "z" * (MAX_TEXT + 1), ["1000 or fewer"]),
    ("intro", "find " + "term " * 250, ["1000 or fewer"]),
    ("intro", "admin config quiet_hours " + "1" * (MAX_TEXT + 1), ["1000 or fewer"]),
    ("mentor", "away " + "q" * (MAX_TEXT + 1), ["1000 or fewer"]),
    ("intro", "x" * 5000, ["1000 characters or fewer"]),
    # unbalanced quotes
    ("intro", 'request @maria "climate tech', ["quote is left open", "Close it"]),
    ("intro", 'find company:"Acme Corp', ["quote is left open"]),
    ("intro", 'request @"Maria Chen hi', ["quote is left open"]),
    ("intro", "followup 12 read “Deep Work in 3 days", ["quote is left open"]),
]


@pytest.mark.parametrize(("root", "text", "needles"), INVALID_INPUTS)
def test_invalid_inputs_say_the_limit(root: str, text: str, needles: list[str]) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_command(root, text)
    for needle in needles:
        assert needle in caught.value.message


def test_free_text_of_exactly_max_text_is_accepted() -> None:
    topic = "x" * MAX_TEXT
    assert parse_command("intro", f"request @maria {topic}") == RequestIntro(MARIA, topic)


def test_apostrophes_and_inner_quotes_are_plain_characters() -> None:
    command = parse_command("intro", "done 3 it's 6\" wide, isn't it? 'really'")
    assert command == LogMeetingDone(3, "it's 6\" wide, isn't it? 'really'")


def test_control_and_zero_width_characters_are_dropped() -> None:
    assert parse_command("intro", "can\x00cel\u200b 12\x07") == CancelRequest(12)
    assert parse_command("intro", "done 1 a\r\nb") == LogMeetingDone(1, "a\nb")


# --------------------------------------------------------------------------- usage text


def test_usage_has_one_line_per_sub_command() -> None:
    expected = {
        "intro help",
        "intro find",
        "intro request",
        "intro list",
        "intro cancel",
        "intro schedule",
        "intro done",
        "intro followup",
        "intro thanks",
        "intro prep",
        "intro connect",
        "intro my-data",
        "intro forget-me",
        "intro admin stats",
        "intro admin export",
        "intro admin import",
        "intro admin config",
        "intro admin block",
        "intro admin unblock",
        "mentor help",
        "mentor join",
        "mentor profile",
        "mentor on",
        "mentor off",
        "mentor away",
        "mentor capacity",
        "mentor requests",
        "mentor leave",
    }
    assert set(USAGE) == expected
    for key, line in USAGE.items():
        assert line.startswith("/" + key), key
        assert "\n" not in line


def test_every_usage_line_parses_in_its_example_form() -> None:
    # Each key, typed bare, is either a command or a usage error that quotes its own line.
    for key, line in USAGE.items():
        root, _, rest = key.partition(" ")
        try:
            parse_command(root, rest)
        except UsageError as error:
            assert line in error.message, key


def test_usage_lines_for_help_topics() -> None:
    assert usage_lines(None) == list(USAGE.values())
    assert usage_lines("intro cancel") == [USAGE["intro cancel"]]
    admin = usage_lines("intro admin")
    assert len(admin) == 6
    assert all(line.startswith("/intro admin") for line in admin)
    assert len(usage_lines("mentor")) == 9
    # every topic that Help can carry has lines to show
    for _, _, expected in PARSES:
        if isinstance(expected, Help):
            assert usage_lines(expected.topic)


# --------------------------------------------------------------------------- mentions

MENTION_FORMS = [
    ("<@U123ABC>", Mention("<@U123ABC>", "U123ABC", None)),
    ("<@U123ABC|maria>", Mention("<@U123ABC|maria>", "U123ABC", None)),
    ("<@W0ENTERPRISE>", Mention("<@W0ENTERPRISE>", "W0ENTERPRISE", None)),
    ("<@123456789012345678>", Mention("<@123456789012345678>", "123456789012345678", None)),
    ("<@!123456789012345678>", Mention("<@!123456789012345678>", "123456789012345678", None)),
    ("@maria.chen", Mention("@maria.chen", None, "maria.chen")),
    ("@o'brien", Mention("@o'brien", None, "o'brien")),
    ("@josé", Mention("@josé", None, "josé")),
    ('@"Maria Chen"', Mention('@"Maria Chen"', None, "Maria Chen")),
    ("@“Maria  Chen”", Mention("@“Maria  Chen”", None, "Maria Chen")),
]


@pytest.mark.parametrize(("typed", "expected"), MENTION_FORMS)
def test_mention_forms_in_commands(typed: str, expected: Mention) -> None:
    assert parse_command("intro", f"admin block {typed}") == AdminBlock(expected, True)


@pytest.mark.parametrize(("typed", "expected"), MENTION_FORMS)
def test_mention_forms_in_text(typed: str, expected: Mention) -> None:
    assert mentions_in(f"please meet {typed}, thanks") == [expected]


def test_mentions_in_finds_all_in_order_once_each() -> None:
    text = 'connect @sam <@U123ABC> and <@!42>, cc @sam and @"Jo Lee". Mail sam@example.com.'
    assert mentions_in(text) == [
        Mention("@sam", None, "sam"),
        SLACK_MARIA,
        Mention("<@!42>", "42", None),
        Mention('@"Jo Lee"', None, "Jo Lee"),
    ]


def test_mentions_in_ignores_what_is_not_a_person() -> None:
    assert mentions_in("a@b.c <@&123> <#C1|general> <!here> @ @@ @-") == []


def test_trailing_punctuation_is_not_part_of_a_name() -> None:
    assert mentions_in("thanks @maria.") == [MARIA]
    assert parse_command("intro", "admin block @maria.") == AdminBlock(MARIA, True)
    assert parse_command("intro", "request @maria: hi") == RequestIntro(MARIA, "hi")
    assert parse_command("intro", "request <@U123ABC>, hi") == RequestIntro(SLACK_MARIA, "hi")


@pytest.mark.parametrize("crowd", ["@here", "@channel", "@everyone", "@All"])
def test_a_crowd_is_not_a_member(crowd: str) -> None:
    assert mentions_in(f"hello {crowd}") == []
    with pytest.raises(UsageError) as caught:
        parse_command("intro", f"request {crowd} hi")
    assert "isn't a mention of a member" in caught.value.message


def test_huge_text_is_refused_without_reading_it_all() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_command("intro", "find " + "\x00" * 1_000_000 + "x" * 10)
    assert f"{MAX_TEXT} characters or fewer" in caught.value.message


# --------------------------------------------------------------------------- properties

ALIAS_WORDS = sorted(
    {
        "help",
        "find",
        "search",
        "request",
        "ask",
        "list",
        "ls",
        "mine",
        "cancel",
        "withdraw",
        "schedule",
        "done",
        "followup",
        "follow-up",
        "thanks",
        "thank",
        "thankyou",
        "prep",
        "connect",
        "my-data",
        "forget-me",
        "admin",
        "admin stats",
        "admin export",
        "admin import",
        "admin config",
        "admin block",
        "admin unblock",
        "mentor",
        "join",
        "profile",
        "on",
        "off",
        "away",
        "pause",
        "capacity",
        "requests",
        "leave",
    }
)
ROOTS = st.sampled_from(["intro", "mentor", "/intro", "/mentor", "INTRO"])
NASTY = st.lists(
    st.sampled_from(
        [
            *"ab12#@<>|!&:-=\"'“”„ \t\n\r\x00\x1b\u200b\u2028é😀",
            *["15:00", "U123", "in", "days", "for", "min", "industry:", "company:", "confirm"],
        ]
    ),
    max_size=40,
).map("".join)


def assert_parses_or_refuses_kindly(root: str, text: str) -> None:
    try:
        result = parse_command(root, text)
    except IntrobotError as error:
        assert isinstance(error.message, str)
        assert error.message
        return
    assert isinstance(result, COMMAND_TYPES)


@settings(max_examples=400)
@given(root=ROOTS, text=st.text())
def test_any_text_parses_or_is_refused_kindly(root: str, text: str) -> None:
    assert_parses_or_refuses_kindly(root, text)


@settings(max_examples=600)
@given(root=ROOTS, word=st.sampled_from(ALIAS_WORDS), rest=st.one_of(st.text(), NASTY))
def test_any_arguments_parse_or_are_refused_kindly(root: str, word: str, rest: str) -> None:
    assert_parses_or_refuses_kindly(root, f"{word} {rest}")


@settings(max_examples=30)
@given(
    word=st.sampled_from(ALIAS_WORDS),
    chunk=st.text(min_size=1, max_size=8),
    times=st.integers(min_value=100, max_value=600),
)
def test_very_long_text_parses_or_is_refused_kindly(word: str, chunk: str, times: int) -> None:
    assert_parses_or_refuses_kindly("intro", f"{word} {chunk * times}")


@given(request_id=st.integers(min_value=1, max_value=2**63 - 1), hash_sign=st.booleans())
def test_request_ids_survive(request_id: int, hash_sign: bool) -> None:
    typed = f"#{request_id}" if hash_sign else str(request_id)
    assert parse_command("intro", f"cancel {typed}") == CancelRequest(request_id)
    assert parse_command("intro", f"thanks {typed}") == MarkThanked(request_id)
    assert parse_command("intro", f"prep {typed}") == ShowPrep(request_id)
    assert parse_command("intro", f"done {typed} ok") == LogMeetingDone(request_id, "ok")
    assert parse_command("intro", f"schedule {typed} tomorrow 9am") == ScheduleMeeting(
        request_id, "tomorrow 9am", None
    )


WORD = st.text(
    alphabet=st.characters(categories=["Lu", "Ll", "Nd"], include_characters="'-+.#"),
    min_size=1,
    max_size=12,
).filter(lambda w: w[0].isalnum() and w[-1].isalnum())


@given(terms=st.lists(WORD, max_size=8))
def test_find_terms_are_preserved(terms: list[str]) -> None:
    assert parse_command("intro", "find " + " ".join(terms)) == FindMentors(tuple(terms), "", "")


@given(
    terms=st.lists(WORD, max_size=4),
    industry=st.lists(WORD, min_size=1, max_size=3).map(" ".join),
    company=st.lists(WORD, min_size=1, max_size=3).map(" ".join),
)
def test_find_filters_are_preserved(terms: list[str], industry: str, company: str) -> None:
    text = f'find {" ".join(terms)} industry:"{industry}" COMPANY:“{company}”'
    assert parse_command("intro", text) == FindMentors(tuple(terms), industry, company)


@given(words=st.lists(WORD, min_size=1, max_size=20))
def test_free_text_is_preserved(words: list[str]) -> None:
    text = " ".join(words)
    assert parse_command("intro", f"request @maria {text}") == RequestIntro(MARIA, text)
    assert parse_command("intro", f"connect @sam @maria {text}").note == text  # type: ignore[union-attr]
    assert parse_command("intro", f"done 5 {text}") == LogMeetingDone(5, text)


@given(
    when=st.sampled_from(["tomorrow 15:00", "2026-12-01T15:00", "friday 3pm", "next mon 9:30"]),
    minutes=st.integers(min_value=5, max_value=240),
)
def test_meeting_length_survives(when: str, minutes: int) -> None:
    assert parse_command("intro", f"schedule 9 {when} {minutes}") == ScheduleMeeting(
        9, when, minutes
    )
    assert parse_command("intro", f"schedule 9 {when} {minutes}min") == ScheduleMeeting(
        9, when, minutes
    )


@given(
    words=st.lists(WORD, min_size=1, max_size=6),
    days=st.integers(min_value=1, max_value=365),
)
def test_follow_up_days_survive(words: list[str], days: int) -> None:
    text = " ".join(words)
    assert parse_command("intro", f"followup 4 {text} in {days} days") == AddFollowUp(4, text, days)


@given(capacity=st.integers(min_value=1, max_value=50), days=st.integers(1, 3650))
def test_numbers_in_range_survive(capacity: int, days: int) -> None:
    assert parse_command("mentor", f"capacity {capacity}") == MentorCapacity(capacity)
    assert parse_command("intro", f"admin stats {days}") == AdminStats(days)


@given(user_id=st.from_regex(r"[UW][A-Z0-9]{2,12}", fullmatch=True), label=st.booleans())
def test_slack_mentions_survive(user_id: str, label: bool) -> None:
    typed = f"<@{user_id}|someone>" if label else f"<@{user_id}>"
    expected = Mention(typed, user_id, None)
    assert parse_command("intro", f"request {typed} hi") == RequestIntro(expected, "hi")
    assert mentions_in(f"hi {typed}!") == [expected]


@given(snowflake=st.integers(min_value=1, max_value=2**64), bang=st.booleans())
def test_discord_mentions_survive(snowflake: int, bang: bool) -> None:
    typed = f"<@!{snowflake}>" if bang else f"<@{snowflake}>"
    expected = Mention(typed, str(snowflake), None)
    assert parse_command("intro", f"admin unblock {typed}") == AdminBlock(expected, False)


@given(name=st.lists(WORD, min_size=1, max_size=3).map(" ".join))
def test_console_names_survive(name: str) -> None:
    quoted = parse_command("intro", f'request @"{name}" hi')
    assert quoted == RequestIntro(Mention(f'@"{name}"', None, name), "hi")
    # the plain form is handle-like: letters, digits, '.', '-', "'" and '_'
    if all(ch.isalnum() or ch in ".-'_" for ch in name):
        plain = parse_command("intro", f"request @{name} hi")
        assert plain == RequestIntro(Mention(f"@{name}", None, name), "hi")


@given(text=st.text())
def test_mentions_in_never_fails(text: str) -> None:
    for mention in mentions_in(text):
        assert (mention.platform_user_id is None) != (mention.name is None)
        assert mention.raw
