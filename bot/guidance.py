"""Preparation kits for informational interviews.

Before a meeting the seeker gets a research checklist (the industry, the company, the person's
path), a question bank tailored to the mentor's field, and the etiquette that keeps the meeting
short and respectful. After it, a thank-you note they can edit and send the same day.

Everything here is plain text in the program's own words; adapters show it as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# --------------------------------------------------------------------------------------------
# Industries
# --------------------------------------------------------------------------------------------

INDUSTRIES: tuple[str, ...] = (
    "Software",
    "Data & AI",
    "Finance",
    "Consulting",
    "Healthcare",
    "Biotech",
    "Education",
    "Nonprofit",
    "Climate & Energy",
    "Media & Entertainment",
    "Government & Policy",
    "Law",
    "Marketing",
    "Design",
)

# Free text -> canonical industry. Keys are compared after `_normalise`, so case, "&"/"and",
# hyphens and punctuation don't matter. The canonical names match themselves.
# fmt: off
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "Software": (
        "tech", "technology", "software engineering", "software development",
        "software engineer", "software developer", "swe", "programming", "coding",
        "web development", "web dev", "saas", "it", "information technology", "devops",
        "cloud", "cybersecurity", "cyber security", "security engineering", "startups",
        "startup", "product management", "product manager", "big tech", "open source",
    ),
    "Data & AI": (
        "data", "ai", "ml", "machine learning", "artificial intelligence", "data science",
        "data scientist", "analytics", "data analytics", "data analysis", "data analyst",
        "data engineering", "big data", "deep learning", "llm", "llms", "genai",
        "generative ai", "statistics", "business intelligence",
    ),
    "Finance": (
        "fintech", "fin tech", "banking", "bank", "investment banking", "ib", "private equity",
        "pe", "venture capital", "vc", "asset management", "hedge fund", "hedge funds",
        "accounting", "audit", "insurance", "financial services", "wealth management",
        "trading", "investing", "investment", "investments", "corporate finance",
        "financial planning", "real estate", "payments", "quant", "quantitative finance",
    ),
    "Consulting": (
        "management consulting", "strategy consulting", "strategy", "advisory", "mbb",
        "consultant", "consultancy", "operations consulting", "tech consulting",
    ),
    "Healthcare": (
        "health", "health care", "medicine", "medical", "hospital", "hospitals", "nursing",
        "public health", "health tech", "healthtech", "digital health", "clinical",
        "physician", "doctor", "mental health", "global health", "health policy",
        "pharmacy", "dentistry",
    ),
    "Biotech": (
        "biotechnology", "pharma", "pharmaceutical", "pharmaceuticals", "life sciences",
        "life science", "biopharma", "medical devices", "medtech", "med tech", "genomics",
        "drug discovery", "biology", "bioinformatics", "clinical research", "clinical trials",
    ),
    "Education": (
        "edtech", "ed tech", "teaching", "teacher", "higher education", "higher ed", "k 12",
        "k12", "academia", "academic", "school", "schools", "tutoring", "university",
        "learning", "instructional design", "student affairs", "admissions",
    ),
    "Nonprofit": (
        "non profit", "not for profit", "ngo", "ngos", "charity", "charities",
        "philanthropy", "social impact", "social sector", "foundation", "foundations",
        "fundraising", "community organizing", "international development", "humanitarian",
    ),
    "Climate & Energy": (
        "climate", "energy", "cleantech", "clean tech", "climate tech", "climatetech",
        "sustainability", "renewable", "renewables", "renewable energy", "clean energy",
        "solar", "wind", "oil and gas", "utilities", "utility", "environment",
        "environmental", "esg", "carbon", "electric vehicles", "ev", "energy transition",
    ),
    "Media & Entertainment": (
        "media", "entertainment", "journalism", "journalist", "film", "tv", "television",
        "music", "publishing", "gaming", "games", "video games", "game development", "news",
        "broadcasting", "creator economy", "podcasting", "streaming", "sports", "theater",
        "theatre", "arts",
    ),
    "Government & Policy": (
        "government", "policy", "public policy", "public sector", "politics", "political",
        "civil service", "public service", "think tank", "think tanks",
        "international relations", "diplomacy", "foreign service", "defense", "defence",
        "military", "public administration", "urban planning", "city government",
    ),
    "Law": (
        "legal", "lawyer", "lawyers", "attorney", "law firm", "big law", "biglaw",
        "legal tech", "legaltech", "paralegal", "compliance", "litigation",
        "corporate law", "public interest law", "law school", "intellectual property",
    ),
    "Marketing": (
        "advertising", "ads", "ad tech", "adtech", "brand", "branding", "brand management",
        "growth", "growth marketing", "digital marketing", "pr", "public relations",
        "communications", "comms", "social media", "seo", "content marketing",
        "product marketing", "market research", "sales", "sales and marketing",
    ),
    "Design": (
        "ux", "ui", "ux design", "ui design", "ux ui", "ui ux", "product design",
        "graphic design", "user experience", "user research", "ux research",
        "industrial design", "interaction design", "visual design", "service design",
        "architecture", "fashion", "fashion design", "illustration",
    ),
}

# Synonyms that only count when they are the whole text: inside a longer phrase they mean
# too many other things ("it", "data", "growth", "learning" ...).
_EXACT_ONLY: frozenset[str] = frozenset(
    {
        "it", "pe", "ib", "vc", "pr", "ev", "mbb", "swe", "ads", "comms", "data", "growth",
        "strategy", "brand", "school", "schools", "learning", "foundation", "foundations",
        "environment", "news", "games", "sports", "arts", "cloud", "wind", "utility",
        "academic", "political", "bank", "investment", "biology", "statistics", "carbon",
        "fashion", "architecture", "startup", "startups", "sales", "audit",
    }
)
# fmt: on


def _normalise(text: str) -> str:
    text = text.lower().replace("&", " and ")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


def _build_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for industry in INDUSTRIES:
        lookup[_normalise(industry)] = industry
        for synonym in _SYNONYMS.get(industry, ()):
            key = _normalise(synonym)
            if key in lookup and lookup[key] != industry:
                raise ValueError(f"synonym {synonym!r} is given to two industries")
            lookup[key] = industry
    return lookup


_LOOKUP: dict[str, str] = _build_lookup()
_PHRASES: tuple[tuple[tuple[str, ...], str], ...] = tuple(
    sorted(
        (
            (tuple(key.split()), industry)
            for key, industry in _LOOKUP.items()
            if key not in _EXACT_ONLY
        ),
        key=lambda item: -len(item[0]),
    )
)


def canonical_industry(text: str) -> str | None:
    """The canonical industry that `text` names, or None when it names none we know.

    Exact names and synonyms win ("banking" -> "Finance"); otherwise the longest known phrase
    inside the text decides ("software engineering at a bank" -> "Software").
    """
    key = _normalise(text)
    if not key:
        return None
    if key in _LOOKUP:
        return _LOOKUP[key]
    if key.endswith("s") and key[:-1] in _LOOKUP:
        return _LOOKUP[key[:-1]]
    words = key.split()
    best: tuple[int, int, str] | None = None  # (-length, position, industry)
    for phrase, industry in _PHRASES:
        size = len(phrase)
        for start in range(len(words) - size + 1):
            if tuple(words[start : start + size]) == phrase:
                candidate = (-size, start, industry)
                if best is None or candidate < best:
                    best = candidate
                break
    return best[2] if best else None


# --------------------------------------------------------------------------------------------
# Content per industry
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _IndustryGuide:
    field: str  # how the field reads inside a sentence: "What drew you to {field}?"
    research: str  # one research tip of the field's own
    questions: tuple[str, ...]


_GUIDES: dict[str, _IndustryGuide] = {
    "Software": _IndustryGuide(
        field="software",
        research=(
            "Skim a tech newsletter or two for where software is heading, then try the "
            "product and read its release notes if you can."
        ),
        questions=(
            "How do engineering, product and design share decisions on your team?",
            "What do code review, on-call and shipping look like where you work?",
            "For a first role, how much does the tech stack matter compared with the team "
            "and the mentoring?",
            "What did a startup teach you that a large company didn't, or the other way round?",
            "How are people without a computer-science degree getting into software now?",
        ),
    ),
    "Data & AI": _IndustryGuide(
        field="data and AI",
        research=(
            "Read a few recent stories on how data and AI are used in the mentor's sector, "
            "and look for talks or blog posts by their team."
        ),
        questions=(
            "How do analyst, data scientist, data engineer and ML engineer roles differ "
            "where you work?",
            "Which matters most in your job: statistics, software skills or knowing the business?",
            "How do you decide when a problem needs machine learning and when a simple "
            "analysis will do?",
            "How do you handle data quality, privacy and model risk in practice?",
            "What kind of project would best show someone like me can do this work?",
        ),
    ),
    "Finance": _IndustryGuide(
        field="finance",
        research=(
            "Read one recent market or deal story in the business press and look up any "
            "terms you didn't know."
        ),
        questions=(
            "How do front, middle and back office differ, and where do newcomers usually start?",
            "Which licences or certifications actually matter in your corner of finance?",
            "How have automation and fintech changed the work you do?",
            "How early do people start preparing for recruiting cycles in your area?",
            "How do regulation and compliance show up in your day-to-day work?",
        ),
    ),
    "Consulting": _IndustryGuide(
        field="consulting",
        research=(
            "Read a published report or case study from a consulting firm and note the "
            "industries and problems it focuses on."
        ),
        questions=(
            "How are projects staffed, and how much say do you have in the clients and "
            "industries you work on?",
            "What do case interviews test, and what makes someone good at the job after that?",
            "How do you balance travel, client time and the rest of your life?",
            "Generalist or specialist practice: how did you decide?",
            "Where do people usually go after a few years in consulting?",
        ),
    ),
    "Healthcare": _IndustryGuide(
        field="healthcare",
        research=(
            "Learn who the organization serves (patients, providers, payers) and how care "
            "gets paid for in its corner of healthcare."
        ),
        questions=(
            "How much of your day is with patients, and how much on systems, paperwork or "
            "operations?",
            "Which clinical or non-clinical roles do people overlook when they think of "
            "healthcare?",
            "How do regulation, insurance and reimbursement shape decisions where you work?",
            "Which credentials are worth the time for someone coming from outside medicine?",
            "How are telehealth, health records and AI changing your work?",
        ),
    ),
    "Biotech": _IndustryGuide(
        field="biotech",
        research=(
            "Learn the basic stages of drug development, then look at the company's "
            "pipeline and any recent trial news."
        ),
        questions=(
            "Where does your team sit on the path from the lab to patients?",
            "How much does a PhD matter for the roles you see, and where do people with a "
            "bachelor's or master's start?",
            "How do people move into non-lab roles such as regulatory affairs, clinical "
            "operations or business development?",
            "How do funding rounds and trial results affect life inside a biotech company?",
            "How does working at a small biotech differ from a large pharmaceutical company?",
        ),
    ),
    "Education": _IndustryGuide(
        field="education",
        research=(
            "Learn who the learners are (age, setting, goals) and how the organization is funded."
        ),
        questions=(
            "How do classroom, administration and education-technology roles differ?",
            "Which teaching credentials or licences matter, and how much do they vary by place?",
            "How does your school or organization measure whether students are learning?",
            "How do funding and budget cycles affect what you can do each year?",
            "What keeps good educators in the field, and what drives them out?",
        ),
    ),
    "Nonprofit": _IndustryGuide(
        field="nonprofit work",
        research="Read the organization's mission, its latest annual report and who funds it.",
        questions=(
            "How is your organization funded, and how does fundraising shape the work?",
            "How do you measure impact, and who do you report it to?",
            "How do pay and growth compare with the private sector, and how do people plan "
            "for that?",
            "What role do the board and volunteers play in your day-to-day work?",
            "Which skills from business transfer best to a mission-driven organization?",
        ),
    ),
    "Climate & Energy": _IndustryGuide(
        field="climate and energy",
        research=(
            "Find out which part of the transition the company works on (power, grid, "
            "buildings, transport, policy) and which policies or incentives it depends on."
        ),
        questions=(
            "Which part of the energy transition do you work on, and how did you pick it?",
            "How much do policy and incentives drive the projects you work on?",
            "Do I need an engineering or science background, or where do other backgrounds fit?",
            "How do financing and permitting timelines shape your work?",
            "Which climate newsletters or communities do people in your field actually read?",
        ),
    ),
    "Media & Entertainment": _IndustryGuide(
        field="media and entertainment",
        research=(
            "Watch, read or listen to something the company made recently, and form one "
            "honest opinion about it."
        ),
        questions=(
            "How do people build a body of work before their first paid role?",
            "How have streaming and the creator economy changed how work gets made and paid for?",
            "How common is freelance or project-based work, and how do people manage the "
            "uncertainty?",
            "How much do unions or guilds matter in your part of the industry?",
            "How can I tell which entry-level or assistant roles actually lead somewhere?",
        ),
    ),
    "Government & Policy": _IndustryGuide(
        field="government and policy",
        research=(
            "Read one recent policy paper, bill or program the office worked on, and note "
            "who it affects."
        ),
        questions=(
            "How does work differ between elected offices, agencies, think tanks and "
            "advocacy groups?",
            "How long do public-sector hiring and security clearances take, and how do "
            "people plan around them?",
            "How have you seen an idea travel from research to an actual law or regulation?",
            "How do election cycles affect your work and your job security?",
            "Which fellowships or public-service programs are good first steps?",
        ),
    ),
    "Law": _IndustryGuide(
        field="law",
        research=(
            "Learn the firm's or office's main practice areas and read about one recent "
            "case or deal it handled."
        ),
        questions=(
            "What does your practice area look like day to day, and how did you choose it?",
            "How do big firms, small firms, in-house teams and public-interest work differ "
            "for a young lawyer?",
            "What would you do differently in law school, or before deciding to go?",
            "How do billable hours shape your week?",
            "What can someone learn as a paralegal or in legal operations before law school?",
        ),
    ),
    "Marketing": _IndustryGuide(
        field="marketing",
        research=(
            "Look at the company's recent campaigns, website and social channels, and note "
            "who they seem to be speaking to."
        ),
        questions=(
            "How is the work split between brand, growth and product marketing where you are?",
            "Which numbers do you own, and how do you show that a campaign worked?",
            "Agency or in-house: what did each teach you?",
            "Which tools and analytics skills do you wish newcomers already had?",
            "How are privacy rules and AI changing how marketing is done?",
        ),
    ),
    "Design": _IndustryGuide(
        field="design",
        research=(
            "Use the product or look at the team's published work, and note one thing you "
            "admire and one you'd question."
        ),
        questions=(
            "What should a portfolio show for the kind of design you do, and what do "
            "reviewers skip?",
            "How do you work through disagreements with engineers and product managers?",
            "How much user research do you do yourself, and how does it reach decisions?",
            "Generalist or specialist (UX, visual, service design): which opens more doors "
            "early on?",
            "How is AI changing design tools and what designers are asked to do?",
        ),
    ),
}

# How many of a second industry's questions join the bank.
_SECOND_INDUSTRY_QUESTIONS = 2
# Long profile fields are shortened so a kit always fits in one chat message.
_FIELD_LIMIT = 80
RENDER_LIMIT = 3500


# --------------------------------------------------------------------------------------------
# The kit
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrepKit:
    """What a seeker reads before an informational interview."""

    industry: str | None
    checklist: tuple[str, ...]
    questions: tuple[str, ...]
    etiquette: tuple[str, ...]
    mentor_name: str = ""
    minutes: int = 15


def _clip(text: str, limit: int = _FIELD_LIMIT) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def _recognised(industries: list[str]) -> list[str]:
    found: list[str] = []
    for entry in industries:
        for part in entry.split(","):
            industry = canonical_industry(part)
            if industry is not None and industry not in found:
                found.append(industry)
    return found


def _general_questions(field: str, company: str) -> tuple[str, ...]:
    where = company or "your company"
    return (
        f"Why did you choose {field}, and what drew you to it in the first place?",
        "How did you break in? What was your first step into the field?",
        "What do you like most about your work, and what would you change if you could?",
        f"What kinds of roles are there in {field}, and how do they differ?",
        "What do typical career paths look like from where I am today?",
        "What are the biggest challenges in the field right now, and what will they be "
        "in five years?",
        "Which professional groups, associations or communities would you suggest I join?",
        "What does a typical day or week look like for you?",
        f"What makes {where} different from other places in the field?",
        "What do you wish you had known when you were where I am now?",
    )


def _company_questions(company: str) -> tuple[str, ...]:
    if not company:
        return ()
    return (
        f"What is {company} working on now that you're most excited about?",
        f"How would you describe the culture at {company}, and who does well there?",
    )


def _checklist(
    guide: _IndustryGuide | None,
    company: str,
    role: str,
    mentor: str,
    headline: str,
    cohort: str,
) -> tuple[str, ...]:
    items: list[str] = []
    if guide is not None:
        items.append(f"The industry: {guide.research}")
    else:
        items.append(
            "The industry: read two or three recent stories about the field and note the "
            "words insiders use."
        )
    if company:
        items.append(
            f"The company: read {company}'s website and recent news: what it does, who it "
            "serves, and what has changed lately."
        )
    else:
        items.append(
            f"The company: find out where {mentor} works now, what it does and who it serves."
        )
    path_parts: list[str] = []
    if role and company:
        path_parts.append(f"{role} at {company}")
    elif role or company:
        path_parts.append(role or f"works at {company}")
    if cohort:
        path_parts.append(f"class of {cohort}")
    path = f" ({', '.join(path_parts)})" if path_parts else ""
    person = f"The person: read {mentor}'s profile{path}"
    person += f' and headline, "{headline}".' if headline else "."
    person += " Pick one step of their path you'd like to hear more about."
    items.append(person)
    items.append(
        "Yourself: write one sentence on what you want to learn, and a 30-second "
        "introduction: who you are, what you're exploring, why them."
    )
    items.append("Logistics: check the time in both timezones and test your link or route.")
    return tuple(items)


def _etiquette(minutes: int) -> tuple[str, ...]:
    return (
        f"Keep to {minutes} minutes. Watch the clock and wrap up on time yourself, unless "
        "they offer to keep going.",
        "You're asking for advice, not a job: no requests for jobs, internships or "
        "referrals. If they offer help, thank them.",
        "Ask, then listen. Let them do most of the talking and take short notes.",
        "Before you finish, ask if there's anyone else you should talk to, and if you may "
        "keep in touch.",
        "Send a thank-you the same day, naming one thing you learned.",
    )


def prep_kit(
    *,
    industries: list[str],
    company: str,
    role: str,
    mentor_name: str,
    headline: str = "",
    cohort: str = "",
    minutes: int = 15,
) -> PrepKit:
    """Build the kit for a meeting with `mentor_name`.

    `industries` are the mentor's industries as typed (free text, comma-separated items are
    fine). The first one we recognise shapes the kit; a second adds a couple of its questions.
    Unknown industries give the general questions only.
    """
    if minutes < 1:
        raise ValueError("minutes must be at least 1")
    company = _clip(company)
    role = _clip(role)
    mentor = _clip(mentor_name) or "your mentor"
    headline = _clip(headline)
    cohort = _clip(cohort, 20)

    recognised = _recognised(industries)
    industry = recognised[0] if recognised else None
    guide = _GUIDES.get(industry) if industry is not None else None
    field = guide.field if guide is not None else "your field"

    questions = list(_general_questions(field, company))
    if guide is not None:
        questions.extend(guide.questions)
    for other in recognised[1:2]:
        other_guide = _GUIDES.get(other)
        if other_guide is not None:
            questions.extend(other_guide.questions[:_SECOND_INDUSTRY_QUESTIONS])
    questions.extend(_company_questions(company))

    return PrepKit(
        industry=industry,
        checklist=_checklist(guide, company, role, mentor, headline, cohort),
        questions=tuple(questions),
        etiquette=_etiquette(minutes),
        mentor_name=mentor,
        minutes=minutes,
    )


def render_prep_kit(kit: PrepKit) -> str:
    """The kit as plain text with short headings and bullet lists (under 3500 characters)."""
    who = kit.mentor_name or "your mentor"
    title = f"Getting ready for your conversation with {who}"
    if kit.industry:
        title += f" ({kit.industry})"

    def compose(questions: tuple[str, ...]) -> str:
        lines = [title, "", "Do your research"]
        lines += [f"- {item}" for item in kit.checklist]
        lines += [
            "",
            "Questions to choose from",
            f"Pick the three to five you care about most: {kit.minutes} minutes go fast.",
        ]
        lines += [f"- {item}" for item in questions]
        lines += ["", "On the day"]
        lines += [f"- {item}" for item in kit.etiquette]
        return "\n".join(lines)

    questions = kit.questions
    text = compose(questions)
    # Inputs are clipped in `prep_kit`, so this only trims kits built by hand.
    while len(text) > RENDER_LIMIT and len(questions) > 1:
        questions = questions[:-1]
        text = compose(questions)
    if len(text) > RENDER_LIMIT:
        text = text[: RENDER_LIMIT - 1] + "…"
    return text


# --------------------------------------------------------------------------------------------
# Thank-you note
# --------------------------------------------------------------------------------------------


def _phrase(text: str) -> str:
    """A free-text fragment ready to sit inside a sentence."""
    return " ".join(text.split()).rstrip(" .!;,")


def draft_thank_you(
    *,
    mentor_name: str,
    seeker_name: str,
    topic: str,
    learned: str = "",
    doors: list[str] | None = None,
) -> str:
    """A short thank-you note the seeker can edit before sending."""
    mentor = _phrase(mentor_name) or "there"
    seeker = _phrase(seeker_name)
    subject = _phrase(topic)
    about = f" about {subject}" if subject else ""

    lines = [f"Hi {mentor},", ""]
    body = f"Thank you for taking the time to talk with me today{about}."
    lesson = _phrase(learned)
    if lesson:
        body += f" What stayed with me most: {lesson}."
    else:
        body += " Hearing how you found your way gave me a much clearer picture of the path."
    lines.append(body)

    offered = [_phrase(door) for door in (doors or []) if _phrase(door)]
    if len(offered) == 1:
        lines += ["", f"Thank you as well for offering this: {offered[0]}. I'll follow up soon."]
    elif offered:
        lines += ["", "Thank you as well for what you offered. I'll follow up on:"]
        lines += [f"- {door}" for door in offered]

    lines += [
        "",
        "I really appreciate your time and advice, and I'll let you know how things go.",
        "",
        "With thanks,",
    ]
    if seeker:
        lines.append(seeker)
    return "\n".join(lines)
