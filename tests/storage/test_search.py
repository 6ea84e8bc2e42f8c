"""Mentor search: who can be found, filters, and the order of results."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from bot.domain import Member, MentorHit, MentorProfile, MentorQuery, month_key
from storage import mentor_search
from storage.uow import SqlUnitOfWorkFactory
from tests.storage.builders import NOW, Builder, builder

Factory = SqlUnitOfWorkFactory
THIS_MONTH = month_key(NOW)


@pytest.fixture
def world(uow_factory: Factory) -> Iterator[Builder]:
    """A community to fill; committed when the test is done with it."""
    with uow_factory() as uow:
        yield builder(uow)


def _search(b: Builder, *terms: str, **fields: Any) -> list[MentorHit]:
    b.uow.flush()
    return b.uow.mentors.search(b.cid, MentorQuery(terms=list(terms), **fields), NOW)


def _handles(hits: list[MentorHit]) -> list[str]:
    return [hit.member.handle for hit in hits]


# ------------------------------------------------------------------ findability


def test_available_mentor_is_found(world: Builder) -> None:
    world.mentor("ok", text="python")
    assert _handles(_search(world, "python")) == ["ok"]
    assert _handles(_search(world)) == ["ok"]


@pytest.mark.parametrize(
    "fields",
    [
        {"active": False},
        {"available": False},
        {"away_until": NOW + timedelta(minutes=1)},
        {"accepted_month": THIS_MONTH, "accepted_count": 3, "capacity": 3},
        {"accepted_month": THIS_MONTH, "accepted_count": 4, "capacity": 3},
    ],
    ids=["inactive", "unavailable", "away", "at-capacity", "over-capacity"],
)
def test_unfindable_mentors(world: Builder, fields: dict[str, Any]) -> None:
    world.mentor("hidden", text="python", **fields)
    world.mentor("shown", text="python")
    assert _handles(_search(world, "python")) == ["shown"]
    assert _handles(_search(world)) == ["shown"]
    assert _handles(_search(world, industry="soft")) == ["shown"]


@pytest.mark.parametrize(
    "fields",
    [
        {"away_until": NOW},
        {"away_until": NOW - timedelta(days=1)},
        {"accepted_month": "2026-04", "accepted_count": 3, "capacity": 3},
        {"accepted_month": THIS_MONTH, "accepted_count": 2, "capacity": 3},
    ],
    ids=["away-ends-now", "away-ended", "full-last-month", "room-this-month"],
)
def test_findable_edge_cases(world: Builder, fields: dict[str, Any]) -> None:
    world.mentor("edge", text="python", **fields)
    assert _handles(_search(world, "python")) == ["edge"]


def test_blocked_mentor_is_not_found(world: Builder) -> None:
    admin = world.member("admin")
    blocked, _ = world.mentor("blocked", text="python")
    world.mentor("fine", text="python")
    world.block(blocked, admin)
    assert _handles(_search(world, "python")) == ["fine"]
    assert _handles(_search(world)) == ["fine"]


def test_a_block_by_the_mentor_does_not_hide_them(world: Builder) -> None:
    mentor, _ = world.mentor("blocker", text="python")
    world.block(world.member("troll"), mentor)
    assert _handles(_search(world, "python")) == ["blocker"]


def test_erased_mentor_is_not_found(world: Builder) -> None:
    gone, _ = world.mentor("gone", text="python")
    marked, _ = world.mentor("marked", text="python")
    world.mentor("here", text="python")
    world.uow.erase_member(world.cid, gone.id or 0, NOW)
    marked.erased_at = NOW  # erased without its profile removed: still never found
    assert _handles(_search(world, "python")) == ["here"]
    assert _handles(_search(world)) == ["here"]


def test_excluded_members_are_not_found(world: Builder) -> None:
    me, _ = world.mentor("me", text="python")
    current, _ = world.mentor("current", text="python")
    world.mentor("new", text="python")
    exclude = frozenset({me.id or 0, current.id or 0})
    assert _handles(_search(world, "python", exclude_member_ids=exclude)) == ["new"]
    assert _handles(_search(world, exclude_member_ids=exclude)) == ["new"]


def test_non_matching_words_find_nobody(world: Builder) -> None:
    world.mentor("m", text="python")
    assert _search(world, "cobol") == []


def test_empty_community_finds_nobody(world: Builder) -> None:
    assert _search(world) == []
    assert _search(world, "python") == []


# ------------------------------------------------------------------ filters


def test_industry_filter_is_a_case_insensitive_substring(world: Builder) -> None:
    world.mentor("fin", industries="Software, Fintech")
    world.mentor("law", industries="Law")
    for value in ("fintech", "FIN", "tech", "Software, Fin", "soft"):
        assert _handles(_search(world, industry=value)) == ["fin"], value
    assert _handles(_search(world, industry="aw")) == ["law"]
    assert _search(world, industry="medicine") == []


def test_company_filter_is_a_case_insensitive_substring(world: Builder) -> None:
    world.mentor("g", company="Google Cloud")
    world.mentor("a", company="Acme")
    assert _handles(_search(world, company="google")) == ["g"]
    assert _handles(_search(world, company="CLOUD")) == ["g"]
    assert _handles(_search(world, company="me")) == ["a"]
    assert _search(world, company="Stripe") == []


def test_filter_wildcards_are_literal(world: Builder) -> None:
    world.mentor("pct", company="100% Pure")
    world.mentor("digits", company="1000 Labs")
    world.mentor("under", company="x_y corp")
    world.mentor("plain", company="xay corp")
    assert _handles(_search(world, company="100%")) == ["pct"]
    assert _handles(_search(world, company="x_y")) == ["under"]
    assert _handles(_search(world, company='"')) == []


def test_filters_combine_with_words(world: Builder) -> None:
    world.mentor("a", text="python", industries="Fintech", company="Stripe")
    world.mentor("b", text="python", industries="Fintech", company="Bank")
    world.mentor("c", text="python", industries="Health", company="Stripe")
    world.mentor("d", text="golang", industries="Fintech", company="Stripe")
    assert _handles(_search(world, "python", industry="fin", company="stripe")) == ["a"]


def test_filter_changes_are_seen(world: Builder) -> None:
    _, profile = world.mentor("mover", industries="Law", company="Firm")
    assert _handles(_search(world, industry="law")) == ["mover"]
    profile.industries = "Medicine"
    profile.company = "Clinic"
    assert _search(world, industry="law") == []
    assert _handles(_search(world, industry="medic", company="clinic")) == ["mover"]


# ------------------------------------------------------------------ words


def test_words_are_stemmed_and_case_insensitive(world: Builder) -> None:
    world.mentor("eng", text="Engineering manager")
    assert _handles(_search(world, "engineer")) == ["eng"]
    assert _handles(_search(world, "ENGINEERS")) == ["eng"]


def test_stop_words_and_punctuation_are_ignored(world: Builder) -> None:
    world.mentor("pm", text="product management")
    world.mentor("other", text="the and of to")
    hits = _search(world, "How do I do product-management?")
    assert _handles(hits) == ["pm"]
    assert hits[0].score == 1.0


def test_text_changes_are_seen(world: Builder) -> None:
    _, profile = world.mentor("changer", text="python")
    assert _handles(_search(world, "python")) == ["changer"]
    profile.search_text = "rust"
    assert _search(world, "python") == []
    assert _handles(_search(world, "rust")) == ["changer"]


def test_deleted_profiles_are_gone(world: Builder) -> None:
    _, profile = world.mentor("leaver", text="python")
    world.uow.mentors.delete(profile)
    assert _search(world, "python") == []
    assert _search(world) == []


# ------------------------------------------------------------------ order


def test_fit_comes_before_load(world: Builder) -> None:
    world.mentor("both-busy", text="python data", recent_requests=9)
    world.mentor("one-free", text="python", recent_requests=0)
    world.mentor("other-free", text="data", recent_requests=1)
    hits = _search(world, "python", "data")
    assert _handles(hits) == ["both-busy", "one-free", "other-free"]
    assert [hit.score for hit in hits] == [1.0, 0.5, 0.5]


def test_equal_fit_goes_to_fewer_recent_requests(world: Builder) -> None:
    world.mentor("busy", text="python", recent_requests=3)
    world.mentor("free", text="python", recent_requests=0)
    world.mentor("some", text="python", recent_requests=1)
    assert _handles(_search(world, "python")) == ["free", "some", "busy"]


def test_then_more_remaining_capacity(world: Builder) -> None:
    world.mentor("one-left", text="python", capacity=5, accepted_month=THIS_MONTH, accepted_count=4)
    world.mentor("three", text="python", capacity=3)
    world.mentor("old-month", text="python", capacity=4, accepted_month="2026-04", accepted_count=4)
    world.mentor("two-left", text="python", capacity=4, accepted_month=THIS_MONTH, accepted_count=2)
    expected = ["old-month", "three", "two-left", "one-left"]
    assert _handles(_search(world, "python")) == expected
    assert _handles(_search(world)) == expected


def test_without_words_only_load_counts(world: Builder) -> None:
    world.mentor("c", text="python data", recent_requests=2)
    world.mentor("a", text="", recent_requests=0, capacity=1)
    world.mentor("b", text="python", recent_requests=0, capacity=2)
    hits = _search(world)
    assert _handles(hits) == ["b", "a", "c"]
    assert {hit.score for hit in hits} == {0.0}


def test_limit(world: Builder) -> None:
    for n in range(8):
        world.mentor(f"m{n}", text="python", recent_requests=n)
    assert _handles(_search(world, "python", limit=3)) == ["m0", "m1", "m2"]
    assert _handles(_search(world, limit=2)) == ["m0", "m1"]
    assert _search(world, "python", limit=0) == []


def test_hits_carry_profile_and_member(world: Builder) -> None:
    member, profile = world.mentor("full", text="python", headline="Backend lead")
    [hit] = _search(world, "python")
    assert hit.member == member
    assert hit.profile == profile
    assert hit.profile.headline == "Backend lead"


# ------------------------------------------------------------------ every strategy agrees


@dataclass
class _Spec:
    handle: str
    words: set[str]
    fields: dict[str, Any]


VOCABULARY = [f"k{n}x" for n in range(10)]  # untouched by stemming


def _random_specs(rng: random.Random, count: int) -> list[_Spec]:
    specs = []
    for n in range(count):
        fields: dict[str, Any] = {
            "recent_requests": rng.choice([0, 0, 0, 1, 1, 2, 5]),
            "capacity": rng.randint(1, 4),
            "available": rng.random() > 0.1,
            "active": rng.random() > 0.05,
            "industries": rng.choice(["Software", "Fintech", "Health", "Software, Health"]),
            "company": rng.choice(["Acme", "Globex", "Initech", "Acme Labs"]),
        }
        if rng.random() < 0.5:
            fields["accepted_month"] = THIS_MONTH if rng.random() < 0.7 else "2026-04"
            fields["accepted_count"] = rng.randint(0, fields["capacity"])
        if rng.random() < 0.1:
            fields["away_until"] = NOW + timedelta(days=rng.choice([-2, 2]))
        words = set(rng.sample(VOCABULARY, rng.randint(0, 4)))
        specs.append(_Spec(f"p{n:03d}", words, fields))
    return specs


def _expected(
    specs: list[_Spec],
    profiles: dict[str, tuple[Member, MentorProfile]],
    query: MentorQuery,
    blocked: set[str],
) -> list[tuple[str, float]]:
    words = list(dict.fromkeys(query.terms))
    rows = []
    for spec in specs:
        member, p = profiles[spec.handle]
        if not (p.active and p.available) or spec.handle in blocked:
            continue
        if p.away_until is not None and p.away_until > NOW:
            continue
        this_month = p.accepted_month == THIS_MONTH
        if this_month and p.accepted_count >= p.capacity:
            continue
        if member.id in query.exclude_member_ids:
            continue
        if query.industry.lower() not in p.industries.lower():
            continue
        if query.company.lower() not in p.company.lower():
            continue
        matched = len(spec.words & set(words))
        if words and matched == 0:
            continue
        remaining = p.capacity - p.accepted_count if this_month else p.capacity
        rows.append((-matched, p.recent_requests, -remaining, p.id or 0, spec.handle, matched))
    rows.sort()
    return [(row[4], row[5] / len(words) if words else 0.0) for row in rows[: query.limit]]


@pytest.mark.parametrize(
    ("small", "known"),
    [(1000, 8000), (0, 10**9), (0, 0), (3, 10**9), (3, 0)],
    ids=["rank-known-ids", "walk-with-id-set", "walk-with-probes", "mixed-set", "mixed-probes"],
)
def test_every_search_strategy_gives_the_reference_answer(
    uow_factory: Factory, monkeypatch: pytest.MonkeyPatch, small: int, known: int
) -> None:
    monkeypatch.setattr(mentor_search, "SMALL_SET", small)
    monkeypatch.setattr(mentor_search, "KNOWN_SET", known)
    rng = random.Random(20260515)
    specs = _random_specs(rng, 90)
    with uow_factory() as uow:
        b = builder(uow)
        profiles = {
            spec.handle: b.mentor(spec.handle, text=" ".join(sorted(spec.words)), **spec.fields)
            for spec in specs
        }
        admin = b.member("admin")
        blocked = set(rng.sample(sorted(profiles), 6))
        for handle in blocked:
            b.block(profiles[handle][0], admin)
        uow.commit()
    member_ids = [member.id or 0 for member, _ in profiles.values()]
    with uow_factory() as uow:
        for _ in range(40):
            query = MentorQuery(
                terms=rng.sample(VOCABULARY, rng.choice([0, 1, 1, 2, 3])),
                industry=rng.choice(["", "", "soft", "HEALTH", "tech"]),
                company=rng.choice(["", "", "", "acme", "lab"]),
                exclude_member_ids=frozenset(rng.sample(member_ids, rng.choice([0, 3]))),
                limit=rng.choice([1, 3, 5, 10]),
            )
            hits = uow.mentors.search(b.cid, query, NOW)
            got = [(hit.member.handle, hit.score) for hit in hits]
            assert got == _expected(specs, profiles, query, blocked), query
