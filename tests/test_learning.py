"""The learned scorer: labels, simulator, estimator checks, that it learns, artifacts, registry."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sklearn.utils.estimator_checks import check_estimator

from matcher.demo import generate_demo
from matcher.encoder import HashingEncoder
from matcher.engine import Matcher
from matcher.errors import ArtifactError, ModelIntegrityError
from matcher.features import FEATURES
from matcher.learning import (
    LearnedScorer,
    ModelRegistry,
    OutcomeEvent,
    OutcomeScorer,
    build_training_set,
    label_pairs,
    load_artifact,
    ranking_metrics,
    save_artifact,
    time_split,
    train_scorer,
)
from matcher.learning.dataset import judged_pool, per_vacancy
from matcher.learning.simulator import has_competency_certificate, simulate
from matcher.learning.training import bootstrap_gain, fit_and_compare
from matcher.pair_features import pair_features
from matcher.scoring import DEFAULT_WEIGHTS, WeightedScorer

T0 = datetime(2026, 8, 1, 8, tzinfo=UTC)


@pytest.fixture(scope="module")
def world():
    demo = generate_demo(seed=3, n_schools=10, n_candidates=1000, n_vacancies=300)
    matcher = Matcher(encoder=HashingEncoder(64)).fit(demo.candidates, demo.vacancies)
    return demo, matcher


@pytest.fixture(scope="module")
def simulation(world):
    demo, matcher = world
    return simulate(demo, matcher, seed=0, weeks=8)


@pytest.fixture(scope="module")
def report(world, simulation):
    demo, matcher = world
    return train_scorer(simulation.events, matcher, as_of=demo.as_of)


def _ev(status: str, day: int, reason: str | None = None, cid: str = "C1") -> OutcomeEvent:
    return OutcomeEvent("V1", cid, status, T0 + timedelta(days=day), reason)


def test_labels_follow_how_far_a_pair_got_and_why_it_was_rejected() -> None:
    cases = {
        "hired": [_ev("shortlisted", 0), _ev("interviewed", 3), _ev("hired", 9)],
        "interviewed_then_other": [
            _ev("shortlisted", 0),
            _ev("interviewed", 3),
            _ev("rejected", 9, "hired_other"),
        ],
        "shown_only": [_ev("shortlisted", 0)],
        "location": [_ev("shortlisted", 0), _ev("rejected", 2, "location")],
        "mismatch_after_interview": [_ev("interviewed", 3), _ev("rejected", 4, "skill_mismatch")],
        "withdrawn": [_ev("shortlisted", 0), _ev("withdrawn", 1)],
    }
    got = {}
    for name, events in cases.items():
        labels = label_pairs(events)
        got[name] = (labels[0].target, labels[0].grade, labels[0].weight) if labels else None
    assert got["hired"] == (1.0, 3, 1.0)
    assert got["interviewed_then_other"][1] == 2
    assert got["shown_only"][2] < 1.0  # a weak negative counts less
    assert got["location"][0] < got["shown_only"][0]  # a named shortfall is below "not picked"
    assert got["mismatch_after_interview"][0] == 0.0
    assert got["withdrawn"] is None
    with pytest.raises(ValueError, match="status"):
        OutcomeEvent("V1", "C1", "lost", T0)


def test_simulator_is_deterministic_and_shaped_like_stored_outcomes(world, simulation) -> None:
    demo, matcher = world
    again = simulate(demo, matcher, seed=0, weeks=8)
    assert [e.to_json() for e in again.events] == [e.to_json() for e in simulation.events]
    other = simulate(demo, matcher, seed=1, weeks=8)
    assert [e.to_json() for e in other.events] != [e.to_json() for e in simulation.events]
    doc = simulation.events[0].to_json()
    assert set(doc) <= {"vacancy_id", "candidate_id", "status", "reason", "at"}
    assert OutcomeEvent.from_json(doc) == simulation.events[0]
    times = [e.at for e in simulation.events]
    assert times == sorted(times) and times[-1] - times[0] > timedelta(weeks=6)
    statuses = {e.status for e in simulation.events}
    assert {"shortlisted", "interviewed", "hired", "rejected"} <= statuses


def test_hidden_preferences_show_in_the_outcomes(world, simulation) -> None:
    demo, _ = world
    candidates = {c.id: c for c in demo.candidates}
    employer = {v.id: v.employer_id for v in demo.vacancies}
    hired = {(e.vacancy_id, e.candidate_id) for e in simulation.events if e.status == "hired"}
    shown = {(e.vacancy_id, e.candidate_id) for e in simulation.events if e.status == "shortlisted"}

    def hire_rate(wants: bool, certified: bool) -> float:
        pairs = [
            p
            for p in shown
            if (simulation.tastes[employer[p[0]]].certificate > 0) == wants
            and has_competency_certificate(candidates[p[1]]) == certified
        ]
        return sum(p in hired for p in pairs) / len(pairs)

    lift_wanting = hire_rate(True, True) - hire_rate(True, False)
    lift_indifferent = hire_rate(False, True) - hire_rate(False, False)
    assert lift_wanting > lift_indifferent + 0.03
    location = [e for e in simulation.events if e.reason == "location"]
    assert location and all(
        simulation.tastes[employer[e.vacancy_id]].distance > 0 for e in location
    )


def test_learned_scorer_passes_sklearn_estimator_checks() -> None:
    check_estimator(LearnedScorer(n_estimators=20))


def test_pair_features_equal_the_features_a_ranked_query_sees(world) -> None:
    demo, matcher = world
    vid = demo.vacancies[0].id
    matches = matcher.recommend_candidates(vid, k=5, as_of=demo.as_of)
    rows = pair_features(matcher, [(vid, m.candidate_id) for m in matches] + [(vid, "nobody")])
    for i, m in enumerate(matches):
        assert rows.matrix[i] == pytest.approx([m.features[f] for f in FEATURES], abs=1e-6)
        assert rows.score[i] == pytest.approx(m.score, abs=1e-4)
    assert rows.known.tolist() == [True] * len(matches) + [False]


def test_new_features_do_not_change_the_default_ranking() -> None:
    X = np.random.default_rng(0).random((500, len(FEATURES)), dtype=np.float32)
    day_one = np.ascontiguousarray(X[:, :7]) @ WeightedScorer()._vector()[:7]
    assert np.array_equal(WeightedScorer().score(X), day_one)
    moved = X.copy()
    moved[:, FEATURES.index("certificate_match")] = 1.0
    moved[:, FEATURES.index("work_experience")] = 0.0
    assert np.array_equal(WeightedScorer().score(moved), day_one)


#: Simulator seeds for the claim, fixed before any result; the claim is on their pooled mean.
CLAIM_SEEDS = (0, 1, 2)


def test_learned_scorer_beats_the_default_on_held_out_simulated_outcomes(world) -> None:
    """Pooled over fixed seeds, the learned scorer ranks held-out vacancies' eligible candidates
    ≥ 5% better (nDCG@10) by the simulated employers' hidden verdict, and beats the default on
    the shown lists too. Measured at this size: +12% to +33% per seed (hidden verdict)."""
    demo, matcher = world
    hidden, shown = [], []
    for seed in CLAIM_SEEDS:
        sim = simulate(demo, matcher, seed=seed, weeks=8)
        data = build_training_set(sim.events, matcher, as_of=demo.as_of)
        train, test = time_split(data, 0.25)
        model, _, _ = fit_and_compare(train, test)
        pool = judged_pool(matcher, sorted(set(test.vacancy_ids)), sim.judge, as_of=demo.as_of)
        assert len(per_vacancy(pool, pool.grade.astype(float))) >= 25
        for data_, out in ((pool, hidden), (test, shown)):
            out.append(
                (
                    per_vacancy(data_, model.predict(data_.X)),
                    per_vacancy(data_, WeightedScorer().score(data_.X)),
                )
            )
    gain, low, _ = bootstrap_gain(hidden, n_resamples=2000)
    assert gain >= 0.05 and low > 0.0
    assert bootstrap_gain(shown, n_resamples=2000)[0] > 0.0


def test_the_hidden_verdict_grades_like_the_simulated_employer(world, simulation) -> None:
    demo, matcher = world
    vid = demo.vacancies[0].id
    pool = judged_pool(matcher, [vid], simulation.judge, as_of=demo.as_of)
    rows = pair_features(matcher, [(vid, c.id) for c in demo.candidates], as_of=demo.as_of)
    assert len(pool) == int((rows.known & rows.eligible).sum())  # everyone eligible is judged
    world_ = simulation.world
    vacancy = world_.vacancies[vid]
    parts = [world_.parts(vacancy, world_.candidates[cid]) for cid in pool.candidate_ids]
    utility = np.asarray([sum(p.values()) for p in parts])
    wanted = np.asarray([p["fit"] > 0 for p in parts]) & (utility >= 1.6)
    assert wanted.any()
    assert np.array_equal(pool.grade > 0, wanted)  # wanted: fits and clears the contact bar
    for grade in (2, 3):  # a higher grade is always a higher hidden utility
        if (pool.grade == grade).any():
            assert utility[pool.grade == grade].min() >= utility[pool.grade == grade - 1].max()
    openings = max(1, min(vacancy.headcount or 1, 3))
    assert (pool.grade == 3).sum() == min(openings, int(wanted.sum()))


def test_holdout_is_later_than_training_and_never_splits_a_vacancy(world, simulation) -> None:
    demo, matcher = world
    data = build_training_set(simulation.events, matcher, as_of=demo.as_of)
    train, test = time_split(data, 0.25)
    assert len(train) + len(test) == len(data)
    assert not set(train.vacancy_ids) & set(test.vacancy_ids)
    first = {}
    for vid, at in zip(data.vacancy_ids, data.first_at, strict=True):
        first[vid] = min(first.get(vid, at), at)
    assert max(first[v] for v in train.vacancy_ids) <= min(first[v] for v in test.vacancy_ids)
    perfect = ranking_metrics(test, test.grade.astype(float))
    assert perfect["ndcg@10"] == pytest.approx(1.0)


def test_outcome_scorer_falls_back_to_the_default() -> None:
    X = np.random.default_rng(1).random((40, len(FEATURES)), dtype=np.float32)
    default = WeightedScorer().score(X)
    assert np.array_equal(OutcomeScorer(None).score(X), default)
    assert np.array_equal(OutcomeScorer(LearnedScorer()).score(X), default)  # untrained
    model = LearnedScorer(n_estimators=10).fit(X, X[:, 0])
    assert not OutcomeScorer(model, (*FEATURES, "retired_feature")).active
    scorer = OutcomeScorer(model)
    X[3, 2] = np.nan
    out = scorer.score(X)
    # the default weighs the row's other features only: a value nobody measured moves nothing
    w = np.asarray([DEFAULT_WEIGHTS[name] for name in FEATURES])
    others = np.arange(len(FEATURES)) != 2
    assert out[3] == pytest.approx(float(X[3, others] @ w[others] / w[others].sum()), rel=1e-5)
    assert not np.allclose(out, default) and ((out >= 0) & (out <= 1)).all()


def test_matcher_ranks_with_the_learned_scorer(world, report) -> None:
    demo, _ = world
    scorer = OutcomeScorer(report.model)
    learned = Matcher(encoder=HashingEncoder(64), scorer=scorer).fit(
        demo.candidates, demo.vacancies
    )
    vid = demo.vacancies[1].id
    matches = learned.recommend_candidates(vid, k=10, as_of=demo.as_of)
    X = np.asarray([[m.features[f] for f in FEATURES] for m in matches], dtype=np.float32)
    assert [m.score for m in matches] == pytest.approx(scorer.score(X).tolist(), abs=1e-4)


def test_artifact_round_trip_and_tamper_check(report, tmp_path: Path) -> None:
    path = save_artifact(report, tmp_path)
    model, card = load_artifact(path)
    X = np.random.default_rng(2).random((200, len(FEATURES))).astype(np.float32)
    assert np.allclose(model.predict(X), report.model.predict(X), rtol=0, atol=1e-12)
    assert card["features"] == list(FEATURES)
    assert card["metrics"]["learned"]["ndcg@10"] == report.learned["ndcg@10"]
    assert card["data"]["n_events"] == report.n_events
    assert "ndcg@10" in (path / "MODEL_CARD.md").read_text(encoding="utf-8")
    doc = json.loads((path / "model.json").read_text(encoding="utf-8"))
    doc["trees"][0]["value"][1] += 0.5
    (path / "model.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ModelIntegrityError):
        load_artifact(path)


def test_registry_serves_newest_that_beats_default_and_rolls_back(report, tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path)
    assert registry.chosen() is None and not registry.scorer().active
    old = save_artifact(report, tmp_path, now=T0)
    new = save_artifact(report, tmp_path, now=T0 + timedelta(days=7))
    worse = save_artifact(report, tmp_path, now=T0 + timedelta(days=14))
    card = json.loads((worse / "card.json").read_text(encoding="utf-8"))
    card["beats_default"] = False  # a later model that lost to the default is never served
    (worse / "card.json").write_text(json.dumps(card), encoding="utf-8")
    assert registry.chosen().name == new.name
    assert registry.scorer().name == new.name and registry.scorer().active
    assert registry.rollback().name == old.name
    assert registry.pin(new.name).name == new.name
    assert registry.rollback().name == old.name
    assert registry.rollback() is None and registry.scorer().name == "default"
    with pytest.raises(ArtifactError):
        registry.rollback()
