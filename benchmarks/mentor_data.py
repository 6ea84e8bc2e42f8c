"""Generated mentor communities for benchmarks, inserted in bulk (not through the core)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, insert, select

from bot.domain import month_key
from bot.guidance import INDUSTRIES
from storage import tables

NOW = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)

ROLES = ("Software Engineer", "Product Manager", "Data Scientist", "Designer", "Consultant",
         "Analyst", "Founder", "Director", "Researcher", "Teacher", "Lawyer", "Physician",
         "Nurse", "Architect", "Marketing Manager", "Sales Lead", "Recruiter", "Journalist",
         "Editor", "Policy Advisor", "Investment Banker", "Portfolio Manager", "Scientist",
         "Professor", "Operations Manager", "Program Manager", "UX Researcher", "Economist")
TOPICS = ("machine learning", "python", "startups", "fundraising", "strategy", "climate policy",
          "product management", "design research", "writing", "career change", "interviewing",
          "networking", "leadership", "growth", "sales", "marketing", "accounting", "investing",
          "public health", "teaching", "data analytics", "cloud", "security", "robotics",
          "supply chain", "operations", "venture capital", "private equity", "grant writing",
          "film", "music", "gaming", "nutrition", "psychology", "genetics", "chemistry")
_SYLLABLES = ("ka", "lo", "mi", "ra", "tor", "ven", "sa", "li", "qu", "ber", "dan", "fel",
              "gro", "hal", "jin", "kor", "lum", "mar", "nor", "pex", "ros", "sil", "tam")


def _vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    """Real topic words first, then invented ones, with Zipf-like weights: a few words
    appear in most bios, most words in few."""
    real = " ".join(TOPICS).split()
    invented = {"".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
                for _ in range(5000)}
    words = real + sorted(invented)[:3000]
    weights = [1 / (rank + 1) ** 1.05 for rank in range(len(words))]
    return words, weights


def populate(engine: Engine, size: int, platform: str, external_id: str,
             seed: int = 7) -> int:
    """`size` mentors (about 85% findable) in a new community; returns its id."""
    rng = random.Random(seed)
    words, weights = _vocabulary(rng)
    companies = [f"{rng.choice(_SYLLABLES).title()}{rng.choice(_SYLLABLES)}"
                 f"{rng.choice(['', ' Labs', ' Health', ' Capital', ' Systems'])}"
                 for _ in range(500)]
    created = NOW - timedelta(days=400)
    with engine.begin() as connection:
        community_id = int(connection.execute(
            insert(tables.communities).values(platform=platform, external_id=external_id,
                                              name="benchmark", created_at=created)
            .returning(tables.communities.c.id)).scalar_one())
    batch = 5_000
    for start in range(0, size, batch):
        stop = min(start + batch, size)
        with engine.begin() as connection:
            connection.execute(insert(tables.members), [{
                "community_id": community_id, "platform_user_id": f"B{n}",
                "display_name": f"Mentor {n}", "handle": f"mentor.{n}", "timezone": "UTC",
                "is_admin": False, "created_at": created,
            } for n in range(start, stop)])
            ids = connection.execute(
                select(tables.members.c.id)
                .where(tables.members.c.community_id == community_id)
                .order_by(tables.members.c.id.desc()).limit(stop - start)
            ).scalars().all()
            rows = []
            for member_id in sorted(ids):
                industries = ", ".join(dict.fromkeys(rng.choices(INDUSTRIES, k=rng.randint(1, 2))))
                role = rng.choice(ROLES)
                expertise = ", ".join(rng.sample(TOPICS, rng.randint(2, 4)))
                company = rng.choice(companies)
                headline = f"{role} at {company}"
                bio = " ".join(rng.choices(words, weights=weights, k=rng.randint(10, 40)))
                capacity = rng.randint(1, 4)
                roll = rng.random()
                rows.append({
                    "community_id": community_id, "member_id": member_id,
                    "created_at": created, "updated_at": created, "headline": headline,
                    "industries": industries, "expertise": expertise, "company": company,
                    "role": role, "cohort": str(rng.randint(1990, 2022)), "bio": bio,
                    "formats": "call,video", "capacity": capacity,
                    "available": roll >= 0.05,
                    "away_until": NOW + timedelta(days=9) if 0.05 <= roll < 0.10 else None,
                    "active": True, "consecutive_expiries": 0,
                    "accepted_month": month_key(NOW),
                    "accepted_count": capacity if 0.10 <= roll < 0.15 else 0,
                    "last_requested_at": None, "recent_requests": rng.randint(0, 6),
                    "search_text": " ".join([headline, industries, expertise, company, role,
                                             bio]).replace(",", " "),
                })
            connection.execute(insert(tables.mentor_profiles), rows)
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    return community_id
