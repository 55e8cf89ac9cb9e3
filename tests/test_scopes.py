"""Column-answered scopes select exactly the records their predicate accepts.

The engine trusts a scope's ``mask`` instead of reading records, so the mask must agree with the
rule for every record, including the edges of the consent rule: an 18th birthday today or
tomorrow, an unknown birth date, a guardian's consent given, refused or not asked.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from matcher.demo import generate_demo
from matcher.encoder import HashingEncoder
from matcher.engine import Matcher
from matcher.records import Candidate
from matcher.scopes import ADULT_AGE, ConsentScope, SchoolScope, employer_may_see

TODAY = date(2026, 11, 28)


def _edge_cases(base: list[Candidate]) -> list[Candidate]:
    turns_18_today = TODAY.replace(year=TODAY.year - ADULT_AGE)
    births = [turns_18_today, turns_18_today + timedelta(days=1), None, date(1990, 2, 28)]
    out = []
    for i, c in enumerate(base):
        consent = c.consent.model_copy(
            update={
                "share_with_employers": i % 4 != 3,
                "guardian_consent": (True, False, None)[i % 3],
            }
        )
        out.append(c.model_copy(update={"birth_date": births[i % 4], "consent": consent}))
    return out


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    demo = generate_demo(seed=4, n_schools=6, n_candidates=300, n_vacancies=20, as_of=TODAY)
    cands = demo.candidates
    m = Matcher(encoder=HashingEncoder(64)).fit(cands[:200] + _edge_cases(cands[200:]), [])
    m.remove_candidates([c.id for c in cands[:20]])  # dead slots stay in the columns
    return m


def _agrees(m: Matcher, scope: ConsentScope | SchoolScope) -> int:
    mask = scope.mask(m.candidate_columns_)
    assert len(mask) == m.candidate_columns_.size
    for record_id, slot in m.candidate_columns_.slot_of.items():
        assert bool(mask[slot]) == scope(m.candidates_[record_id]), record_id
    return int(sum(mask[s] for s in m.candidate_columns_.slot_of.values()))


def _branch(c: Candidate, day: date) -> tuple[bool, bool, bool, bool]:
    age = c.age_on(day)
    adult = age is not None and age >= ADULT_AGE
    guardian = c.consent.guardian_consent is True
    return c.consent.share_with_employers, adult, guardian, employer_may_see(c, day)


@pytest.mark.parametrize("day", [TODAY, TODAY + timedelta(days=1), date(2030, 1, 1)])
def test_consent_mask_is_the_consent_rule(matcher: Matcher, day: date) -> None:
    inside = _agrees(matcher, ConsentScope(day))
    edge = [matcher.candidates_[c] for c in list(matcher.candidates_)[-100:]]
    # every branch of the rule was met: adults alone, minors and unknown ages with and without
    # a guardian's consent, and refusals
    seen = {_branch(c, day) for c in edge}
    assert (True, True, False, True) in seen and (True, False, True, True) in seen
    assert (True, False, False, False) in seen and (False, True, False, False) in seen
    assert 0 < inside < len(matcher.candidates_)


def test_owned_records_are_in_a_portals_scope(matcher: Matcher) -> None:
    refused = [
        c for c in matcher.candidates_ if not employer_may_see(matcher.candidates_[c], TODAY)
    ]
    owned = frozenset([*refused[:5], "not-stored"])
    assert _agrees(matcher, ConsentScope(TODAY, owned)) == _agrees(matcher, ConsentScope(TODAY)) + 5


def test_school_mask_is_the_school(matcher: Matcher) -> None:
    school = next(c.school_id for c in matcher.candidates_.values() if c.school_id)
    assert _agrees(matcher, SchoolScope(school)) > 0
