"""Preparation kits, industry names and thank-you drafts."""

from __future__ import annotations

import itertools

import pytest

from bot.guidance import (
    INDUSTRIES,
    PrepKit,
    canonical_industry,
    draft_thank_you,
    prep_kit,
    render_prep_kit,
)

LIMIT = 3500


def kit_for(industries: list[str], **overrides: str) -> PrepKit:
    fields = {
        "company": "Copperline Bank",
        "role": "Head of Risk",
        "mentor_name": "Maria Chen",
        "headline": "Helping small banks manage risk with data",
        "cohort": "2009",
    }
    fields.update(overrides)
    return prep_kit(industries=industries, **fields)


def general_questions() -> tuple[str, ...]:
    return kit_for(["underwater basket weaving"]).questions


# --- industries ----------------------------------------------------------------------------


def test_there_are_at_least_ten_distinct_industries() -> None:
    assert len(INDUSTRIES) >= 10
    assert len(set(INDUSTRIES)) == len(INDUSTRIES)


@pytest.mark.parametrize("industry", INDUSTRIES)
def test_canonical_names_map_to_themselves_in_any_case(industry: str) -> None:
    assert canonical_industry(industry) == industry
    assert canonical_industry(f"  {industry.upper()} ") == industry
    assert canonical_industry(industry.replace("&", "and")) == industry


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fintech", "Finance"),
        ("banking", "Finance"),
        ("Investment Banking", "Finance"),
        ("private equity", "Finance"),
        ("software engineering", "Software"),
        ("tech", "Software"),
        ("Tech", "Software"),
        ("management consulting", "Consulting"),
        ("health tech", "Healthcare"),
        ("public health", "Healthcare"),
        ("pharma", "Biotech"),
        ("K-12", "Education"),
        ("edtech", "Education"),
        ("non-profit", "Nonprofit"),
        ("NGO", "Nonprofit"),
        ("renewables", "Climate & Energy"),
        ("clean energy", "Climate & Energy"),
        ("journalism", "Media & Entertainment"),
        ("video games", "Media & Entertainment"),
        ("public policy", "Government & Policy"),
        ("legal", "Law"),
        ("advertising", "Marketing"),
        ("UX/UI", "Design"),
        ("product design", "Design"),
        ("machine learning", "Data & AI"),
        ("AI", "Data & AI"),
    ],
)
def test_synonyms_map_to_the_canonical_name(text: str, expected: str) -> None:
    assert canonical_industry(text) == expected


def test_a_phrase_inside_longer_text_is_recognised_longest_first() -> None:
    assert canonical_industry("investment banking analyst") == "Finance"
    assert canonical_industry("software engineering at a bank") == "Software"
    assert canonical_industry("I'd like to learn about machine learning") == "Data & AI"


@pytest.mark.parametrize("text", ["", "   ", "underwater basket weaving", "I love it", "?!"])
def test_unknown_text_has_no_industry(text: str) -> None:
    assert canonical_industry(text) is None


# --- prep kit: questions -------------------------------------------------------------------

# Each theme of a good informational interview, with words that show a question covers it.
THEMES: dict[str, tuple[str, ...]] = {
    "why they chose the field": ("why did you choose",),
    "how they broke in": ("break in",),
    "what they like": ("like most",),
    "what they would change": ("would you change",),
    "kinds of roles": ("kinds of roles",),
    "typical career paths": ("career paths",),
    "biggest challenges now": ("biggest challenges", "right now"),
    "challenges in five years": ("five years",),
    "professional groups": ("professional groups",),
    "a typical day": ("typical day",),
    "what makes the company different": ("different from other",),
}


@pytest.mark.parametrize("theme", THEMES)
def test_general_questions_cover_every_theme(theme: str) -> None:
    words = THEMES[theme]
    questions = [q.lower() for q in general_questions()]
    assert any(all(word in q for word in words) for q in questions), theme


@pytest.mark.parametrize("industry", INDUSTRIES)
def test_every_industry_adds_at_least_four_questions_of_its_own(industry: str) -> None:
    general = kit_for(["underwater basket weaving"], company="")
    kit = kit_for([industry], company="")
    assert kit.industry == industry
    general_lower = {q.lower() for q in general.questions}
    own = [q for q in kit.questions if q.lower() not in general_lower]
    # The general set names the field, so compare on the shared tail too.
    own = [q for q in own if "why did you choose" not in q.lower()]
    own = [q for q in own if "kinds of roles" not in q.lower()]
    assert len(own) >= 4, own


def test_industry_questions_are_not_shared_between_industries() -> None:
    own_sets = {}
    general = set(kit_for([], company="").questions)
    for industry in INDUSTRIES:
        kit = kit_for([industry], company="")
        own_sets[industry] = {q for q in kit.questions if q not in general} - {
            q for q in kit.questions if "why did you choose" in q.lower()
        }
    for first, second in itertools.combinations(INDUSTRIES, 2):
        shared = {q for q in own_sets[first] & own_sets[second] if "kinds of roles" not in q}
        assert not shared, (first, second, shared)


def test_the_field_is_named_in_the_general_questions() -> None:
    kit = kit_for(["Law"])
    assert any("choose law" in q for q in kit.questions)


def test_unknown_industry_gets_the_general_set_only() -> None:
    kit = kit_for(["underwater basket weaving"], company="")
    assert kit.industry is None
    assert kit.questions == kit_for([], company="").questions
    assert len(kit.questions) >= 9
    assert any("your field" in q for q in kit.questions)


def test_free_text_industries_are_recognised() -> None:
    kit = kit_for(["fintech, data"])
    assert kit.industry == "Finance"


def test_second_industry_adds_some_of_its_questions() -> None:
    finance_only = kit_for(["Finance"])
    with_data = kit_for(["Finance", "Data & AI"])
    data_only = kit_for(["Data & AI"])
    extra = set(with_data.questions) - set(finance_only.questions)
    assert extra
    assert extra <= set(data_only.questions)
    assert with_data.industry == "Finance"


def test_company_name_appears_in_questions_and_checklist() -> None:
    kit = kit_for(["Finance"], company="Larkspur Analytics")
    company_questions = [q for q in kit.questions if "Larkspur Analytics" in q]
    assert len(company_questions) >= 2
    assert any("Larkspur Analytics" in item for item in kit.checklist)


def test_without_a_company_the_kit_still_reads_well() -> None:
    kit = kit_for(["Finance"], company="")
    text = render_prep_kit(kit)
    assert "your company" in text
    assert " at ." not in text
    assert "''" not in text


# --- prep kit: checklist and etiquette -----------------------------------------------------


def test_checklist_covers_industry_company_and_the_persons_path() -> None:
    kit = kit_for(["Climate & Energy"], company="Solvane Energy", role="Grid Analyst")
    text = "\n".join(kit.checklist)
    assert "industry" in text.lower()
    assert "Solvane Energy" in text
    assert "Maria Chen" in text
    assert "Grid Analyst" in text
    assert "2009" in text
    assert "Helping small banks manage risk with data" in text


def test_etiquette_keeps_to_time_and_asks_for_advice_not_a_job() -> None:
    kit = prep_kit(
        industries=["Law"],
        company="Harrow & Pike",
        role="Associate",
        mentor_name="Ines",
        minutes=20,
    )
    text = " ".join(kit.etiquette).lower()
    assert "20 minutes" in text
    assert "advice, not a job" in text
    assert "unless they offer" in text
    assert "same day" in text
    assert "thank" in text


def test_minutes_must_be_positive() -> None:
    with pytest.raises(ValueError):
        prep_kit(industries=[], company="", role="", mentor_name="Ines", minutes=0)


# --- rendering ----------------------------------------------------------------------------


def test_render_shows_every_part_of_the_kit() -> None:
    kit = kit_for(["Design"])
    text = render_prep_kit(kit)
    assert "Maria Chen" in text
    assert "Copperline Bank" in text
    assert "Design" in text
    for item in (*kit.checklist, *kit.questions, *kit.etiquette):
        assert f"- {item}" in text


@pytest.mark.parametrize(("first", "second"), list(itertools.permutations(INDUSTRIES, 2)))
def test_render_stays_under_the_limit_even_with_long_fields(first: str, second: str) -> None:
    kit = prep_kit(
        industries=[first, second],
        company="Company " * 40,
        role="Role " * 40,
        mentor_name="Name " * 40,
        headline="Headline " * 60,
        cohort="2" * 50,
        minutes=120,
    )
    text = render_prep_kit(kit)
    assert len(text) <= LIMIT
    lowered = text.lower()
    for words in THEMES.values():
        assert all(word in lowered for word in words)


def test_render_of_a_hand_built_oversized_kit_is_trimmed() -> None:
    kit = PrepKit(
        industry=None,
        checklist=("check",),
        questions=tuple(f"Question number {n} about something long enough?" for n in range(200)),
        etiquette=("be kind",),
        mentor_name="Ines",
    )
    text = render_prep_kit(kit)
    assert len(text) <= LIMIT
    assert "Question number 0 " in text


# --- thank-you ----------------------------------------------------------------------------


def test_thank_you_names_mentor_topic_and_seeker() -> None:
    note = draft_thank_you(
        mentor_name="Maria Chen", seeker_name="Sam Ortiz", topic="careers in risk"
    )
    assert note.startswith("Hi Maria Chen,")
    assert "careers in risk" in note
    assert note.rstrip().endswith("Sam Ortiz")
    assert "thank you" in note.lower()


def test_thank_you_mentions_what_was_learned_and_every_door() -> None:
    note = draft_thank_you(
        mentor_name="Maria Chen",
        seeker_name="Sam Ortiz",
        topic="careers in risk.",
        learned="start in operations, then move to risk.",
        doors=["an introduction to Priya at Larkspur", "reading the regulator's annual report"],
    )
    assert "start in operations, then move to risk." in note
    assert "careers in risk." in note
    assert ".." not in note
    assert "- an introduction to Priya at Larkspur" in note
    assert "- reading the regulator's annual report" in note


def test_thank_you_with_one_door_and_no_topic_reads_well() -> None:
    note = draft_thank_you(
        mentor_name="Maria Chen", seeker_name="Sam Ortiz", topic="", doors=["  ", "a book tip"]
    )
    assert "a book tip" in note
    assert "about ." not in note
    assert "today." in note


def test_thank_you_is_short() -> None:
    note = draft_thank_you(
        mentor_name="Maria Chen",
        seeker_name="Sam Ortiz",
        topic="careers in risk",
        learned="start in operations",
        doors=["an intro to Priya"],
    )
    assert len(note) < 700
