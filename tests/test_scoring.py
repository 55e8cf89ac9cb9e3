"""The default scorer weighs what was measured: a field a record leaves empty moves nothing."""

from __future__ import annotations

import numpy as np
import pytest
from known_answer import AS_OF, candidate, vacancy

from matcher.encoder import HashingEncoder
from matcher.engine import Matcher
from matcher.features import FEATURES
from matcher.scoring import WeightedScorer

COL = {name: i for i, name in enumerate(FEATURES)}


def _rows(n: int = 50, seed: int = 3) -> np.ndarray:
    return np.random.default_rng(seed).random((n, len(FEATURES)), dtype=np.float32)


def test_fully_measured_rows_score_exactly_as_the_plain_weighted_sum() -> None:
    X = _rows()
    plain = WeightedScorer().score(X)
    assert np.array_equal(WeightedScorer().score(X, np.ones(X.shape, dtype=bool)), plain)
    assert np.array_equal(WeightedScorer().score(X, None), plain)


def test_an_unmeasured_feature_gives_its_weight_to_the_measured_ones() -> None:
    X = _rows()
    measured = np.ones(X.shape, dtype=bool)
    missing = ["skill_coverage", "salary_fit"]
    for name in missing:
        X[:, COL[name]] = 0.5  # what features.compute puts in for a field nobody filled
        measured[::2, COL[name]] = False
    out = WeightedScorer().score(X, measured)
    without = WeightedScorer().without(*missing).score(X)
    # rows with the fields empty score as if the scorer never had those features ...
    np.testing.assert_allclose(out[::2], without[::2], rtol=1e-6)
    # ... which is not what the 0.5 stand-in gave, so this test could tell the two apart
    assert not np.allclose(out[::2], WeightedScorer().score(X)[::2])
    # rows where they were measured are untouched
    assert np.array_equal(out[1::2], WeightedScorer().score(X)[1::2])


def test_features_the_scorer_gives_no_weight_do_not_count_as_missing() -> None:
    X = _rows()
    measured = np.ones(X.shape, dtype=bool)
    measured[:, COL["certificate_match"]] = False  # weight 0 in the default
    assert np.array_equal(WeightedScorer().score(X, measured), WeightedScorer().score(X))


def test_a_row_with_nothing_weighted_measured_keeps_the_plain_sum() -> None:
    X = np.full((1, len(FEATURES)), 0.5, dtype=np.float32)
    measured = np.zeros(X.shape, dtype=bool)
    assert WeightedScorer().score(X, measured)[0] == pytest.approx(0.5)


def test_a_vacancy_naming_no_skills_or_program_is_scored_on_what_it_does_say() -> None:
    welder = vacancy(0, id="welder")
    generic = vacancy(
        0,
        id="crew",
        title="Crew Area",
        description="Dibutuhkan crew untuk menjaga ketertiban area pengunjung. Jujur, disiplin.",
    )
    m = Matcher(encoder=HashingEncoder(64)).fit([candidate(0)], [welder, generic])
    why = m.explain("c0", "crew", as_of=AS_OF)
    f = np.asarray([[why.features[name] for name in FEATURES]], dtype=np.float32)
    assert why.features["program_fit"] == 0.5 and why.features["skill_coverage"] == 0.5
    expected = WeightedScorer().without("program_fit", "skill_coverage", "salary_fit").score(f)
    assert why.score == pytest.approx(float(expected[0]), abs=1e-4)  # Match rounds to 4 places
    assert why.score != pytest.approx(float(WeightedScorer().score(f)[0]), abs=1e-3)
