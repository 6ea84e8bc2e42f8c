"""The request lint: job-seeking phrasing is flagged with a hint; learning questions are clean."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.lint import RULES, LintFinding, LintResult, lint_request

HIRING = "asks whether they are hiring"
OPENINGS = "asks about job openings"
JOB = "asks for a job"
INTERNSHIP = "asks for an internship"
HUNTING = "reads as job hunting"
REFERRAL = "asks for a referral"
SEND_RESUME = "offers your resume"
REVIEW_RESUME = "asks them to review your resume"
VOUCH = "asks them to vouch for you"
PUT_FORWARD = "asks them to put you forward for a job"
FAVOUR = "asks a favour"
JOIN = "asks to work for them"

# (text, expected reason, expected phrase exactly as written)
FLAGGED = [
    ("Are you hiring right now?", HIRING, "Are you hiring"),
    ("Hi! ARE YOU HIRING???", HIRING, "ARE YOU HIRING"),
    ("r u hiring", HIRING, "r u hiring"),
    ("Are y'all still hiring?", HIRING, "Are y'all still hiring"),
    ("Is your team hiring?", HIRING, "Is your team hiring"),
    ("If you’re hiring, I'd love to chat.", HIRING, "If you’re hiring"),
    ("I heard your company is hiring.", HIRING, "heard your company is hiring"),
    ("Also—are you hiring?", HIRING, "are you hiring"),
    ("Do you know anyone who's hiring?", HIRING, "anyone who's hiring"),
    ("Do you have any openings for junior analysts?", OPENINGS, "Do you have any openings"),
    ("I saw a job opening on your careers page.", OPENINGS, "a job opening on"),
    ("Are there open positions on your team?", OPENINGS, "open positions"),
    ("Any open roles?", OPENINGS, "Any open roles"),
    ("Any openings for juniors on your team?", OPENINGS, "Any openings"),
    ("What openings do you have?", OPENINGS, "openings"),
    ("Could you tell me if there are any openings?", OPENINGS, "any openings"),
    ("Does your company offer internships?", OPENINGS, "Does your company offer internships"),
    ("Can you get me a job?", JOB, "get me a job"),
    ("Could you get me an interview with your manager?", JOB, "get me an interview"),
    ("Please hire me!", JOB, "hire me"),
    ("I'd love a job at your company.", JOB, "a job at your company"),
    ("Is there a position on your team?", JOB, "a position on your team"),
    ("Is there a job for me?", JOB, "job for me"),
    ("Can you get me in?", JOB, "get me in"),
    ("Can I get an internship?", INTERNSHIP, "Can I get an internship"),
    ("I'm looking for an internship this summer.", INTERNSHIP, "looking for an internship"),
    ("Internship at your company?", INTERNSHIP, "Internship at your company"),
    ("I'm currently looking for a full-time job in data science.", HUNTING,
     "looking for a full-time job"),
    ("Could you refer me?", REFERRAL, "refer me"),
    ("I’d really appreciate a referral.", REFERRAL, "referral"),
    ("Would you be willing to give me a referral?", REFERRAL, "referral"),
    ("How can I get a referral from you?", REFERRAL, "referral"),
    ("How do referrals work at your company?", REFERRAL, "referrals"),
    ("Could you pass my name along to your recruiter?", REFERRAL, "pass my name along"),
    ("Can I send you my résumé?", SEND_RESUME, "send you my résumé"),
    ("I'll forward my CV.", SEND_RESUME, "forward my CV"),
    ("Could you pass my CV along to HR?", SEND_RESUME, "pass my CV"),
    ("My CV is attached.", SEND_RESUME, "My CV is attached"),
    ("Could you share my resume with your recruiter?", SEND_RESUME, "share my resume"),
    ("Would you mind looking over my resume?", REVIEW_RESUME, "looking over my resume"),
    ("Could you take a look at my CV?", REVIEW_RESUME, "take a look at my CV"),
    ("I'd love your feedback on my résumé.", REVIEW_RESUME, "your feedback on my résumé"),
    ("Could you put in a good word for me?", VOUCH, "put in a good word"),
    ("Would you recommend me for the analyst role?", VOUCH, "recommend me for"),
    ("Could you be a reference for me?", VOUCH, "be a reference"),
    ("Could you introduce me to the hiring manager?", PUT_FORWARD,
     "introduce me to the hiring manager"),
    ("Can I ask you a quick favour?", FAVOUR, "ask you a quick favour"),
    ("Can you do me a favor?", FAVOUR, "do me a favor"),
    ("I would love to work for you.", JOIN, "I would love to work for you"),
    ("I’m interested in working at your company.", JOIN,
     "I’m interested in working at your company"),
    ("I'd love to join your team.", JOIN, "join your team"),
]

CLEAN = [
    # the tricky ones: the topic is jobs, the question is about learning
    "How did you get your first job in this field?",
    "What do you look for when hiring junior engineers?",
    "What was your internship like?",
    "How do referrals work in your industry?",
    "What roles exist in product management?",
    "How should I prepare my resume for this industry?",
    "What does a typical day look like?",
    "How is the job market for data scientists right now?",
    "Have you used the jobs to be done framework?",
    "Where should I look for job openings in biotech?",
    "What kinds of open roles are common for new graduates in UX?",
    "I'm curious how job openings get filled in your industry.",
    "Could you explain how referrals work?",
    "Could you tell me about referrals in your industry?",
    "I'd love to learn about referrals in your industry.",
    "How can I get a referral?",
    "What should I know when looking for a job in biotech?",
    "What's the best way to share my resume with recruiters?",
    "What makes a resume stand out in consulting?",
    "What does your team look for in a portfolio?",
    "What's an internship at your company like?",
    "Why do internships matter so much in finance?",
    "If you're hiring juniors, what do you look for?",
    "What's it like to work at your company?",
    "How did you decide to join your company?",
    # the seeker's own background
    "I did an internship at a startup last summer.",
    "I did an internship at your company in 2022.",
    "I was referred to you by Priya.",
    "I found you through a referral from Sam.",
    # "openings" in the mentor's calendar (the availability field)
    "Do you have any openings in your calendar next week?",
    "Any open spots on Tuesday for a 15-minute call?",
    "Do you have any openings at 3pm?",
    # ordinary words near the trigger words
    "What skills helped you get started in design?",
    "What time would work for you next week?",
    "Does 3pm work for you?",
    "Could you recommend some books about product management?",
    "Could you give me a few interview tips?",
    "I'm looking for advice on breaking into climate tech.",
    "I'm looking for a role model in this field.",
    "I've read job descriptions in UX and want to understand the roles.",
    "I love how your company approaches design.",
    "What are the biggest challenges in your role?",
]


@pytest.mark.parametrize(("text", "reason", "phrase"), FLAGGED)
def test_job_seeking_phrasing_is_flagged(text: str, reason: str, phrase: str) -> None:
    result = lint_request(text)
    assert result.flagged
    assert (phrase, reason) in [(f.phrase, f.reason) for f in result.findings]


@pytest.mark.parametrize("text", CLEAN)
def test_learning_questions_are_clean(text: str) -> None:
    result = lint_request(text)
    assert not result.flagged, result.findings
    assert result.findings == ()


def test_the_tables_are_big_enough() -> None:
    assert len(FLAGGED) >= 15
    assert len(CLEAN) >= 15


@pytest.mark.parametrize(("text", "reason", "phrase"), FLAGGED)
def test_every_finding_has_a_reason_and_a_hint(text: str, reason: str, phrase: str) -> None:
    for finding in lint_request(text).findings:
        assert finding.reason.strip()
        assert finding.hint.strip()
        assert finding.hint != finding.reason
        assert finding.phrase and finding.phrase in text


def test_every_rule_has_a_unique_name_a_reason_and_a_hint() -> None:
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))
    for rule in RULES:
        assert rule.reason.strip() and rule.hint.strip()
        assert rule.hint.rstrip().endswith((".", '"'))


def test_the_same_topic_is_clean_as_a_question_and_flagged_as_an_ask() -> None:
    assert not lint_request("How do referrals work in your industry?").flagged
    assert lint_request("Could you give me a referral?").flagged
    assert not lint_request("Where do people find open roles in UX?").flagged
    assert lint_request("What open roles do you have?").flagged
    assert not lint_request("What was your internship like?").flagged
    assert lint_request("Could I get an internship on your team?").flagged


def test_summary_names_every_finding_and_its_hint() -> None:
    result = lint_request("Are you hiring? If not, could you refer me? I can send you my CV.")
    assert [f.reason for f in result.findings] == [HIRING, REFERRAL, SEND_RESUME]
    summary = result.summary()
    assert "\n" not in summary
    for finding in result.findings:
        assert f'"{finding.phrase}"' in summary
        assert finding.reason in summary
        assert finding.hint in summary
    assert "advice, not jobs" in summary


def test_summary_of_a_single_finding_reads_in_the_singular() -> None:
    summary = lint_request("Could you refer me?").summary()
    assert "One phrase" in summary
    assert '"refer me"' in summary


def test_summary_puts_a_phrase_that_spans_lines_on_one_line() -> None:
    result = lint_request("are you\nhiring?")
    assert result.findings[0].phrase == "are you\nhiring"
    assert '"are you hiring"' in result.summary()


def test_a_clean_request_has_an_empty_summary() -> None:
    result = lint_request("What does a typical day look like?")
    assert not result.flagged
    assert result.summary() == ""


def test_every_text_field_is_checked_in_order() -> None:
    result = lint_request(
        "I want to learn how you moved into product.",
        "Are you hiring?",
        "Mornings work best for me.",
        "Could you refer me?",
    )
    assert [f.reason for f in result.findings] == [HIRING, REFERRAL]


def test_empty_and_missing_fields_are_clean() -> None:
    assert not lint_request().flagged
    assert not lint_request("").flagged
    assert not lint_request("", None, "   \n").flagged
    assert lint_request(None, "refer me").flagged


def test_a_phrase_repeated_is_reported_once() -> None:
    result = lint_request("Are you hiring? ARE YOU HIRING?", "are  you hiring")
    assert len(result.findings) == 1


def test_different_reasons_in_one_sentence_are_all_reported() -> None:
    result = lint_request("Please hire me, refer me, or put in a good word.")
    assert {f.reason for f in result.findings} == {JOB, REFERRAL, VOUCH}


def test_very_long_text_works_and_keeps_the_phrase_as_written() -> None:
    filler = "I would love to hear how you got started in climate policy. " * 170
    text = filler + "Also, could you Refer Me to your team lead?"
    assert len(text) > 10_000
    result = lint_request(text)
    assert [f.phrase for f in result.findings] == ["Refer Me"]
    assert not lint_request(filler).flagged


def test_findings_and_results_are_frozen_values() -> None:
    finding = LintFinding(phrase="refer me", reason=REFERRAL, hint="Ask to learn.")
    result = LintResult(findings=(finding,))
    assert result.flagged
    with pytest.raises(AttributeError):
        finding.phrase = "x"  # type: ignore[misc]
    assert LintResult(findings=()).flagged is False


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=400), max_size=4))
def test_lint_never_raises_and_phrases_come_from_the_input(texts: list[str]) -> None:
    result = lint_request(*texts)
    assert isinstance(result.summary(), str)
    for finding in result.findings:
        assert any(finding.phrase in text for text in texts)


_WORDS = st.sampled_from(
    ["are", "you", "hiring", "refer", "me", "my", "resume", "CV", "résumé", "internship",
     "job", "openings", "your", "team", "how", "what", "?", ".", "—", "’", "\n", "for", "a"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, max_size=40))
def test_lint_never_raises_on_near_miss_word_salad(words: list[str]) -> None:
    text = " ".join(words)
    result = lint_request(text)
    for finding in result.findings:
        assert finding.phrase in text
