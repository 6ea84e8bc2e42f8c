"""Request lint: "advice, not a job".

A request to a mentor asks to learn, never for a job, an internship, a referral or a favour.
`lint_request` reads every text field of a request and returns a `LintResult` whose findings
name each job-seeking phrase, why it reads that way, and a friendly rewrite hint. The program's
``lint_mode`` decides what happens next (warn or block); this module only finds.

The table `RULES` is the contract. How to read it:

* Text is compared after normalising: lower case, accents dropped (``résumé`` reads as
  ``resume``), curly apostrophes made straight, dashes made plain. A finding's ``phrase`` is
  still the text as the user wrote it.
* In a pattern, a space stands for any run of spaces, line breaks or hyphens, so ``full time``
  also matches ``full-time``. ``<ORG>`` is a word for the mentor's workplace (company, team,
  firm …), ``<RESUME>`` is resume, CV or portfolio, ``<NOT_ADVICE>`` stops a match when the
  noun is followed by an advice word (``interview tips``, ``job search``, ``role model``), and
  ``<NOT_TIME>`` when "openings" are about the calendar (``any openings on Tuesday?``).
* A rule marked ``learning_ok`` names a *topic* rather than an ask ("referrals", "job
  openings", "open roles"). Its match is clean inside a **learning question**: a clause that
  opens with how / what / why / where / when / which / who (optionally after a polite lead-in
  such as "I'm curious" or "could you tell me about") and points at no one as the giver: no
  "for me", "me a …", "from you", "do you have / offer / know of", "I could get …", and no "your
  company / team / firm …" outside the matched words. So "How do referrals work in your
  industry?" is clean, while "How do referrals work at your company?" and "What openings do you
  have?" are flagged: the first learns about the field, the others fish at the mentor's door.
* A rule without ``learning_ok`` is a direct ask ("refer me", "hire me", "are you hiring",
  "send you my resume", "put in a good word") and is flagged wherever it appears.

Decisions worth knowing:

* Resumes: offering or attaching one ("send you my resume", "pass my CV along", "my CV is
  attached") is flagged, and so is asking the mentor to review it ("could you look over my
  resume"): reviewing is a favour, and the first message asks none. Asking *about* resumes is
  advice and clean ("How should I prepare my resume for this industry?", "What makes a resume
  stand out?").
* Saying you are job hunting ("I'm looking for an internship", "looking for a new role") is
  flagged as a soft signal; asking how to look is clean ("What should I know when looking for a
  job in biotech?").
* Talking about the seeker's own past ("I did an internship at your company", "I was referred to
  you by Priya", "what was your internship like?") is clean.
* Hiring as a topic is clean ("What do you look for when hiring junior engineers?", "the job
  market", "jobs to be done"); asking whether *they* hire is not ("are you hiring", "is your
  team hiring", "if you're hiring").

The lint is a heuristic that errs toward gentle: a finding is a hint for the seeker, and the
mentor never sees it.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class LintFinding:
    """One job-seeking phrase in a request."""

    phrase: str  # the matched text as the user wrote it
    reason: str  # a short verb phrase, e.g. "asks for a referral"
    hint: str  # a friendly rewrite hint, one or two sentences


@dataclass(frozen=True)
class LintResult:
    """All findings of one request, in the order they appear (fields in the order given)."""

    findings: tuple[LintFinding, ...]

    @property
    def flagged(self) -> bool:
        return bool(self.findings)

    def summary(self) -> str:
        """One friendly paragraph for the seeker naming each finding with its hint; "" if clean."""
        if not self.findings:
            return ""
        parts = [
            "Mentors here give advice, not jobs, so a request works best when it asks to learn.",
            "A few phrases may read as job-seeking:"
            if len(self.findings) > 1
            else "One phrase may read as job-seeking:",
        ]
        for finding in self.findings:
            phrase = " ".join(finding.phrase.split())
            parts.append(f'"{phrase}" {finding.reason}. {finding.hint}')
        parts.append("Rewording keeps the focus on what you want to learn.")
        return " ".join(parts)


@dataclass(frozen=True)
class LintRule:
    """One row of the table: a pattern, what it means, and how to say it instead."""

    name: str
    pattern: re.Pattern[str]
    reason: str
    hint: str
    learning_ok: bool = False  # clean inside a learning question (see the module docstring)


# ---------------------------------------------------------------------------------------------
# Words shared by several patterns.

_ORG = (
    r"(?:company|companies|team|teams|firm|org|organi[sz]ation|group|department|dept|startup"
    r"|lab|office|agency|employer|business|studio|practice|division|unit)"
)
_RESUME = r"(?:resume|resumes|cv|cvs|c\.v\.?|curriculum vitae|portfolio)"
_NOT_ADVICE = (
    r"(?! (?:tips?|advice|prep|preparation|questions?|practice|skills?|experiences?|stor(?:y|ies)"
    r"|ideas?|pointers?|search|searching|hunt|hunting|market|descriptions?|titles?|models?"
    r"|process|guidance|insights?|boards?|fairs?|sites?)\b)"
)
# Stops an "openings" match that is about the mentor's calendar ("any openings on Tuesday?").
_NOT_TIME = (
    r"(?! (?:(?:at|around|by|before|after) \d"
    r"|(?:(?:in|on|for|during|this|next|later|from) )?"
    r"(?:(?:your|my|the|a|an|this|next|quick|short|brief) ){0,2}(?:\d+ )?"
    r"(?:\d{1,2}(?::\d\d)?(?:-\d{1,2})?\s*(?:am|pm|a\.m|p\.m)\b|\d{1,2}:\d\d"
    r"|(?:calendar|schedule|diary|agenda|week|weekend|days?|today|tomorrow|tonight|mornings?"
    r"|afternoons?|evenings?|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|mondays?|tuesdays?"
    r"|wednesdays?|thursdays?|fridays?|saturdays?|sundays?|time|times|slots?|calls?|chats?"
    r"|meetings?|coffee|minutes?|mins?|hours?)\b)))"
)
_GAP = r"[\s\-]+"  # what a space in a pattern stands for


def _compile(pattern: str) -> re.Pattern[str]:
    expanded = (
        pattern.replace("<ORG>", _ORG)
        .replace("<RESUME>", _RESUME)
        .replace("<NOT_ADVICE>", _NOT_ADVICE)
        .replace("<NOT_TIME>", _NOT_TIME)
    )
    return re.compile(expanded.replace(" ", _GAP))


def _rule(
    name: str, pattern: str, reason: str, hint: str, *, learning_ok: bool = False
) -> LintRule:
    return LintRule(name, _compile(pattern), reason, hint, learning_ok)


# ---------------------------------------------------------------------------------------------
# Reasons and hints (user-facing text).

_HIRING = "asks whether they are hiring"
_HIRING_HINT = (
    'Try "What skills helped you get started in this field?" instead of asking whether they '
    "are hiring."
)
_OPENINGS = "asks about job openings"
_OPENINGS_HINT = (
    'Try "What kinds of roles exist in your field, and how do people usually find them?" '
    "instead of asking about openings."
)
_JOB = "asks for a job"
_JOB_HINT = (
    'Try "How did you get your first role in this field?" If they want to help further, '
    "they will offer."
)
_INTERNSHIP = "asks for an internship"
_INTERNSHIP_HINT = (
    'Try "What made an internship in this field worth it for you?" instead of asking for one.'
)
_HUNTING = "reads as job hunting"
_HUNTING_HINT = (
    "Say what you want to learn rather than what you are looking for, e.g. "
    '"I\'m exploring this field and would love to hear how you got started."'
)
_REFERRAL = "asks for a referral"
_REFERRAL_HINT = (
    'Try "How do people usually get noticed in your industry?" A referral is theirs to offer, '
    "not yours to ask for."
)
_SEND_RESUME = "offers your resume"
_SEND_RESUME_HINT = (
    "Leave your resume out of a first message; try "
    '"What makes a resume stand out in this field?" instead.'
)
_REVIEW_RESUME = "asks them to review your resume"
_REVIEW_RESUME_HINT = (
    'A review is a favour that can wait; try "What do you look for in a resume?" for now.'
)
_GOOD_WORD = "asks them to vouch for you"
_GOOD_WORD_HINT = (
    'Try "What do people on your team value in a newcomer?" Recommendations come later, '
    "if they offer."
)
_PUT_FORWARD = "asks them to put you forward for a job"
_PUT_FORWARD_HINT = (
    'Try "Who else would be good to learn from?" Introductions to hiring managers are theirs '
    "to offer."
)
_FAVOUR = "asks a favour"
_FAVOUR_HINT = (
    "Keep a first message to what you want to learn; favours can wait until you know each other."
)
_JOIN = "asks to work for them"
_JOIN_HINT = 'Try "What is it like to work on your team?" instead of asking to join it.'


# fmt: off
RULES: tuple[LintRule, ...] = (
    # --- Are you hiring? -----------------------------------------------------------------
    _rule("are-you-hiring",
          r"\b(?:are|r) (?:you|u|y'?all|you guys|you all|ya|they) (?:\w+ )?hiring\b",
          _HIRING, _HIRING_HINT),
    _rule("is-your-org-hiring",
          r"\b(?:is|isn'?t|are|aren'?t) (?:your|ur) <ORG> (?:\w+ )?hiring\b",
          _HIRING, _HIRING_HINT),
    _rule("if-you-are-hiring",
          r"\b(?:if|whether) (?:you'?re|you are|your <ORG> is|your <ORG>'?s|they'?re|they are)"
          r" (?:\w+ )?hiring"
          r"(?=[\s\-]*(?:$|[^\w\s\-]|(?:right now|now|currently|at the moment|at all|soon"
          r"|anyone|any|for)\b))",
          _HIRING, _HIRING_HINT),
    _rule("heard-you-are-hiring",
          r"\b(?:saw|see|heard|hear|noticed|read) (?:that )?(?:you'?re|you are|your <ORG> is"
          r"|your <ORG>'?s) (?:\w+ )?hiring\b",
          _HIRING, _HIRING_HINT),
    _rule("who-is-hiring",
          r"\b(?:anyone|anybody|someone|somebody|companies|teams|places|people|firms)"
          r" (?:who|that)(?:'?s| is| are)? (?:\w+ )?hiring\b",
          _HIRING, _HIRING_HINT, learning_ok=True),
    # --- Openings ------------------------------------------------------------------------
    _rule("any-openings",
          r"\bany (?:job |open |current |new )?(?:openings?|vacanc(?:y|ies)"
          r"|open (?:roles?|positions?|spots?|reqs?))\b<NOT_TIME>",
          _OPENINGS, _OPENINGS_HINT, learning_ok=True),
    _rule("job-openings",
          r"\bjob (?:openings?|vacanc(?:y|ies)|opportunit(?:y|ies)|leads?)\b",
          _OPENINGS, _OPENINGS_HINT, learning_ok=True),
    _rule("openings",
          r"\bopenings\b<NOT_TIME>|\b(?:an?|any) (?:job |open )?opening (?:at|on|in|with|for)\b"
          r"<NOT_TIME>",
          _OPENINGS, _OPENINGS_HINT, learning_ok=True),
    _rule("open-roles",
          r"\bopen (?:roles?|positions?|reqs?|requisitions?|headcount|spots?|vacanc(?:y|ies))\b"
          r"<NOT_TIME>",
          _OPENINGS, _OPENINGS_HINT, learning_ok=True),
    _rule("roles-available",
          r"\b(?:jobs?|positions?|roles?|spots?|internships?) (?:available|opening up)\b",
          _OPENINGS, _OPENINGS_HINT, learning_ok=True),
    _rule("do-you-have-roles",
          r"\b(?:do|does) (?:you|your <ORG>) (?:\w+ )?(?:have|need|want|take|offer|run|hire)"
          r"(?: any)? (?:\w+ )?(?:interns?|internships?|openings?|jobs?|positions?|roles"
          r"|vacanc(?:y|ies))\b<NOT_ADVICE><NOT_TIME>",
          _OPENINGS, _OPENINGS_HINT, learning_ok=True),
    # --- A job, an interview, a place on the team ----------------------------------------
    _rule("get-me-a-job",
          r"\b(?:get|find|give|offer|land|secure|line up) me (?:a |an |some |any )?(?:\w+ ){0,2}"
          r"(?:job|position|role|gig|interview|offer|internship)s?\b<NOT_ADVICE>",
          _JOB, _JOB_HINT),
    _rule("help-me-get-a-job",
          r"\bhelp me (?:get|find|land|secure) (?:a |an |some |any )?(?:\w+ ){0,2}"
          r"(?:job|position|role|gig|interview|offer|internship)s?\b<NOT_ADVICE>",
          _JOB, _JOB_HINT),
    _rule("hire-me",
          r"\bhire me\b|\b(?:take|bring) me on (?:board|as)\b|\bonboard me\b",
          _JOB, _JOB_HINT),
    _rule("job-at-your-org",
          r"(?<!did\x20)(?<!had\x20)(?<!held\x20)(?<!done\x20)(?<!completed\x20)"
          r"\b(?:an?|any|some) (?:\w+ )?(?:jobs?|positions?|roles?|openings?|spots?|seats?"
          r"|vacanc(?:y|ies)|internships?|places?) (?:at|on|in|with|within) (?:your|ur) <ORG>\b",
          _JOB, _JOB_HINT, learning_ok=True),
    _rule("jobs-at-your-org",
          r"(?<!my\x20)\bjobs? (?:at|with|on) (?:your|ur) <ORG>\b",
          _JOB, _JOB_HINT, learning_ok=True),
    _rule("job-for-me",
          r"\b(?:jobs?|positions?|roles?|spots?|openings?|internships?|places?) for me\b",
          _JOB, _JOB_HINT, learning_ok=True),
    _rule("get-me-in",
          r"\b(?:get|sneak) me (?:in|into|through)\b|\bhelp me get (?:in|into)\b"
          r"|\bfast track (?:me|my application)\b",
          _JOB, _JOB_HINT),
    # --- Internships ---------------------------------------------------------------------
    _rule("can-i-get-an-internship",
          r"\b(?:can|could|may|might) i (?:get|have|do|land|join|apply for|apply to)"
          r" (?:an? |any |the |your |one of your )?(?:\w+ )?internships?\b<NOT_ADVICE>",
          _INTERNSHIP, _INTERNSHIP_HINT, learning_ok=True),
    _rule("internship-at-your-org",
          r"(?<!did\x20an\x20)(?<!had\x20an\x20)(?<!my\x20)(?<!did\x20my\x20)"
          r"(?<!my\x20summer\x20)(?<!did\x20a\x20summer\x20)"
          r"\binternships? (?:at|on|in|with|within) (?:your|ur) <ORG>\b",
          _INTERNSHIP, _INTERNSHIP_HINT, learning_ok=True),
    _rule("looking-for-an-internship",
          r"\b(?:looking|searching|hoping|applying|trying) (?:for|to get|to land|to find|to secure)"
          r" (?:an? |any |the |my |some )?(?:\w+ ){0,2}?(?:internships?|co op|placement)\b"
          r"<NOT_ADVICE>",
          _INTERNSHIP, _INTERNSHIP_HINT, learning_ok=True),
    # --- Saying you are job hunting --------------------------------------------------------
    _rule("looking-for-a-job",
          r"\b(?:looking|searching|hoping|applying|trying) (?:for|to get|to land|to find|to secure)"
          r" (?:an? |any |the |my |some )?(?:\w+ ){0,2}?(?:jobs?|positions?|roles?|gigs?)\b"
          r"<NOT_ADVICE>",
          _HUNTING, _HUNTING_HINT, learning_ok=True),
    # --- Referrals -----------------------------------------------------------------------
    _rule("refer-me",
          r"\brefer(?:ring)? me\b",
          _REFERRAL, _REFERRAL_HINT),
    _rule("referral",
          r"(?<!through\x20a\x20)(?<!via\x20a\x20)(?<!by\x20)(?<!from\x20a\x20)\breferrals?\b",
          _REFERRAL, _REFERRAL_HINT, learning_ok=True),
    _rule("pass-my-name-along",
          r"\b(?:put|pass|submit|send) (?:along |forward |on )?my name"
          r" (?:forward|along|on|in|up|to)\b",
          _REFERRAL, _REFERRAL_HINT, learning_ok=True),
    # --- Resumes -------------------------------------------------------------------------
    _rule("send-my-resume",
          r"\b(?:send|sent|sending|forward|forwarded|forwarding|pass|passing|share|sharing"
          r"|attach|attached|attaching|email|emailed|emailing|submit|submitting|drop|dropping)"
          r" (?:you |along |on |over )?(?:my|a copy of my) <RESUME>\b",
          _SEND_RESUME, _SEND_RESUME_HINT, learning_ok=True),
    _rule("resume-attached",
          r"\b(?:my )?<RESUME> (?:is |are )?(?:attached|enclosed|below)\b"
          r"|\b(?:attached|enclosed) (?:is|are|please find) my <RESUME>\b"
          r"|\bhere(?:'?s| is) my <RESUME>\b",
          _SEND_RESUME, _SEND_RESUME_HINT),
    _rule("review-my-resume",
          r"\b(?:you|u)(?:'d|'ll|'re)?(?: \w+){0,4}? (?P<phrase>(?:take a (?:quick )?look at"
          r"|have a look at|look at|looking at|look over|looking over|glance at|glance over"
          r"|review|reviewing|check|checking|critique|critiquing|go over|going over|read"
          r"|proofread|give me (?:some )?feedback on|tear apart) my <RESUME>)\b"
          r"|\byour (?:honest )?(?:feedback|thoughts|input|eyes|opinion|take) on my <RESUME>\b"
          r"|\b<RESUME> (?:review|critique)\b",
          _REVIEW_RESUME, _REVIEW_RESUME_HINT),
    # --- Vouching, recommending, putting forward --------------------------------------------
    _rule("good-word",
          r"\bput (?:in )?a good word\b|\bgood word for me\b|\bvouch for me\b"
          r"|\bspeak up for me\b",
          _GOOD_WORD, _GOOD_WORD_HINT),
    _rule("recommend-me",
          r"\brecommend(?:ing)? me (?:for|to)\b"
          r"|\b(?:write|give|send) me (?:a )?(?:letter of )?recommendation\b"
          r"|\b(?:be|serve as|act as) (?:a |my )(?:job |professional |character )?reference\b",
          _GOOD_WORD, _GOOD_WORD_HINT),
    _rule("hiring-manager-intro",
          r"\b(?:connect|introduce|intro|put) me (?:in touch )?(?:to|with) (?:the|your|a|an)"
          r" (?:hiring managers?|recruiters?|recruiting team|hr|talent team|talent acquisition)\b",
          _PUT_FORWARD, _PUT_FORWARD_HINT),
    # --- Favours and joining -------------------------------------------------------------
    _rule("favour",
          r"\b(?:ask|asking) (?:you )?(?:for )?a (?:small |quick |big |huge |little )?favou?r\b"
          r"|\bdo me a (?:small |quick |big |huge |little )?favou?r\b",
          _FAVOUR, _FAVOUR_HINT),
    _rule("work-for-you",
          r"\b(?:i'?d|i would|i'?m|i am|i) (?:really |also |very |so |truly )?"
          r"(?:love|like|want|hope|hoping|eager|keen|interested|excited|dream|dreaming)"
          r"(?: in| of| about)? (?:to )?work(?:ing)? (?:for|under|with|at|on|in)"
          r" (?:you\b|(?:your|ur) <ORG>\b)",
          _JOIN, _JOIN_HINT),
    _rule("join-your-team",
          r"\b(?:join|joining|be part of|be on) (?:your|ur) <ORG>\b",
          _JOIN, _JOIN_HINT, learning_ok=True),
)
# fmt: on


# ---------------------------------------------------------------------------------------------
# Learning questions.

_LEAD_IN = (
    r"(?:(?:and|also|so|but|plus|ok|okay|hi|hello|hey|finally|lastly|first|firstly|second"
    r"|secondly|next|then|one more thing|out of curiosity|just curious|quick question)[\s,]+)*"
)
_FIRST_PERSON = (
    r"(?:i'?m|i am|i was|i'?d|i would|i'?ve|i have|i) (?:\w+ ){0,2}?"
    r"(?:curious|wondering|wondered|interested|love to|like to|keen to|eager to|hoping to"
    r"|want to)"
)
_LEARN = (
    r"(?: (?:to |in )?(?:know|knowing|learn|learning|hear|hearing|understand|understanding"
    r"|find out|finding out|ask|asking))"
)
_TELL_ME = (
    r"(?:(?:could|can|would|will) you (?:please )?)?(?:tell me|explain|describe"
    r"|walk me through|help me understand|share(?= (?:a bit|a little|more|about)\b))"
    r"(?: a bit| a little| more)*(?: about)?(?! (?:if|whether)\b)"
)
_QUESTION_WORD = r"(?:how|what|what'?s|why|where|when|which|who|whom)\b"
# "How …", "I'm curious how …", "Could you tell me (about) …", "I'd love to learn about …"
_OPENER = _compile(
    rf"{_LEAD_IN}(?:"
    rf"(?:{_FIRST_PERSON}{_LEARN}?(?: about| in)? )?{_QUESTION_WORD}"
    rf"|{_TELL_ME}\b"
    rf"|{_FIRST_PERSON}{_LEARN} about\b)"
)
# Signs that a clause points at someone as the giver, not at the field.
_ASK_MARKER = _compile(
    r"\bfor me\b|\bme (?:a|an|any|some|in|into|on|one)\b|\bfrom (?:you|u)\b"
    r"|\b(?:you|u) (?:have|'?ve got|got|offer|know of|could give|can give)\b"
    r"(?! (?:been|worked|seen|found|done|had|learned|learnt|noticed|made|taken|chosen))"
    r"|\bi (?:could|can|might) (?:get|have|land|join)\b"
    r"|\b(?:your|ur) <ORG>\b"
)
_CLAUSE_BREAK = re.compile(r"[.?!;:\n]|\s-\s")


def _is_learning_question(clause: str, start: int, end: int) -> bool:
    """True when `clause` asks to learn; [start, end) is the rule's match, ignored as a marker."""
    rest = (clause[:start] + " ~ " + clause[end:]).lstrip(" \t,\"'(")
    opener = _OPENER.match(rest)
    if opener is None:
        return False
    return _ASK_MARKER.search(rest, opener.end()) is None


# ---------------------------------------------------------------------------------------------
# Normalising.

_CHAR_MAP = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201b": "'",
    "\u02bc": "'",
    "\u2032": "'",
    "`": "'",
    "\u00b4": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": " - ",
    "\u2014": " - ",
    "\u2015": " - ",
}


def _normalise(text: str) -> tuple[str, list[int]]:
    """The text to match on, and for each of its characters the index it came from."""
    out: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        mapped = _CHAR_MAP.get(char)
        if mapped is None:
            if char.isascii():
                mapped = char.lower()
            else:
                decomposed = unicodedata.normalize("NFKD", char)
                mapped = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
        out.extend(mapped)
        origin.extend([index] * len(mapped))
    return "".join(out), origin


def _clause_bounds(breaks: list[tuple[int, int]], length: int, position: int) -> tuple[int, int]:
    """The clause around `position`, given the (start, end) of every clause break in order."""
    index = bisect.bisect_right(breaks, (position, length + 1))
    start = breaks[index - 1][1] if index else 0
    end = breaks[index][0] if index < len(breaks) else length
    return start, end


def _reported_span(match: re.Match[str]) -> tuple[int, int]:
    """The whole match, or its ``phrase`` group when the pattern has one and it took part."""
    if "phrase" in match.re.groupindex and match.group("phrase") is not None:
        return match.span("phrase")
    return match.span()


def _lint_text(text: str) -> list[LintFinding]:
    norm, origin = _normalise(text)
    breaks = [brk.span() for brk in _CLAUSE_BREAK.finditer(norm)]
    hits: list[tuple[int, int, LintRule]] = []
    for rule in RULES:
        for match in rule.pattern.finditer(norm):
            start, end = _reported_span(match)
            if start == end:
                continue
            if rule.learning_ok:
                c_start, c_end = _clause_bounds(breaks, len(norm), start)
                clause = norm[c_start:c_end]
                if _is_learning_question(clause, start - c_start, min(end, c_end) - c_start):
                    continue
            hits.append((start, end, rule))
    hits.sort(key=lambda hit: (hit[0], hit[0] - hit[1]))
    findings: list[LintFinding] = []
    covered_to = -1
    for start, end, rule in hits:
        if start < covered_to:
            continue  # overlaps a finding already taken (earlier or longer wins)
        covered_to = end
        phrase = text[origin[start] : origin[end - 1] + 1]
        findings.append(LintFinding(phrase=phrase, reason=rule.reason, hint=rule.hint))
    return findings


def lint_request(*texts: str | None) -> LintResult:
    """Check every text field of a request (topic, why this person, availability …).

    Empty and missing (None) fields are skipped. The same phrase with the same reason is
    reported once, however often it appears.
    """
    findings: list[LintFinding] = []
    seen: set[tuple[str, str]] = set()
    for text in texts:
        if not text:
            continue
        for finding in _lint_text(text):
            key = (" ".join(_normalise(finding.phrase)[0].split()), finding.reason)
            if key in seen:
                continue
            seen.add(key)
            findings.append(finding)
    return LintResult(findings=tuple(findings))
