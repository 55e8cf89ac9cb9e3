"""Ranking metrics against answers worked out by hand, plus TREC io and the paired tests.

The main example: ranking [a, b, c, d] against grades {b: 2, d: 1, e: 1}.
Relevant docs are b, d, e (three); hits at ranks 2 and 4; e is never retrieved.
"""

from __future__ import annotations

import math
from math import log2

import numpy as np
import pytest
from scipy import stats

from matcher.evaluation import (
    average_precision,
    compare_paired,
    evaluate,
    mean_average_precision,
    ndcg_at_k,
    normalise_ranking,
    per_query,
    precision_at_k,
    read_qrels,
    read_run,
    recall_at_k,
    reciprocal_rank,
    write_qrels,
    write_run,
)

RANKING = ["a", "b", "c", "d"]
JUDGED = {"b": 2, "d": 1, "e": 1}


def test_ndcg_exponential_gain_by_hand() -> None:
    # gains 2^g - 1: b = 3, d = 1; ideal order b, d, e = 3, 1, 1
    dcg = 3 / log2(3) + 1 / log2(5)
    idcg = 3 / log2(2) + 1 / log2(3) + 1 / log2(4)
    assert ndcg_at_k(RANKING, JUDGED, k=4) == pytest.approx(dcg / idcg)
    assert ndcg_at_k(RANKING, JUDGED, k=4) == pytest.approx(0.562455, abs=1e-6)


def test_ndcg_linear_gain_by_hand() -> None:
    dcg = 2 / log2(3) + 1 / log2(5)
    idcg = 2 + 1 / log2(3) + 1 / log2(4)
    assert ndcg_at_k(RANKING, JUDGED, k=4, gain="linear") == pytest.approx(dcg / idcg)


def test_ndcg_cutoff_and_perfect_ranking() -> None:
    assert ndcg_at_k(RANKING, JUDGED, k=1) == 0.0
    # at k=2 the ideal list is only b, d
    assert ndcg_at_k(RANKING, JUDGED, k=2) == pytest.approx((3 / log2(3)) / (3 + 1 / log2(3)))
    assert ndcg_at_k(["b", "d", "e"], JUDGED, k=10) == pytest.approx(1.0)
    assert ndcg_at_k(["b", "e", "d", "x"], JUDGED, k=10) == pytest.approx(1.0)


def test_binary_metrics_by_hand() -> None:
    assert average_precision(RANKING, JUDGED) == pytest.approx((1 / 2 + 2 / 4) / 3)
    assert average_precision(RANKING, JUDGED, k=2) == pytest.approx((1 / 2) / 3)
    assert reciprocal_rank(RANKING, JUDGED) == pytest.approx(1 / 2)
    assert reciprocal_rank(RANKING, JUDGED, k=1) == 0.0
    assert recall_at_k(RANKING, JUDGED, k=2) == pytest.approx(1 / 3)
    assert recall_at_k(RANKING, JUDGED, k=4) == pytest.approx(2 / 3)
    assert precision_at_k(RANKING, JUDGED, k=2) == pytest.approx(1 / 2)
    assert precision_at_k(RANKING, JUDGED, k=10) == pytest.approx(2 / 10)  # divides by k


def test_scored_run_sorted_with_deterministic_ties() -> None:
    scored = {"d": 0.1, "c": 0.8, "b": 0.8, "a": 0.9}
    assert normalise_ranking(scored) == ["a", "b", "c", "d"]
    assert average_precision(scored, JUDGED) == pytest.approx(1 / 3)


def test_duplicates_count_once() -> None:
    assert normalise_ranking(["b", "b", "d"]) == ["b", "d"]
    assert precision_at_k(["b", "b"], JUDGED, k=2) == pytest.approx(1 / 2)


def test_query_without_relevant_docs_is_left_out() -> None:
    qrels = {"q1": JUDGED, "q2": {"x": 0}, "q3": {}}
    run = {"q1": RANKING, "q2": ["x"], "q3": ["y"]}
    assert math.isnan(ndcg_at_k(["x"], {"x": 0}))
    assert math.isnan(recall_at_k(["x"], {}))
    assert per_query("map", run, qrels) == pytest.approx({"q1": 1 / 3})
    result = evaluate(run, qrels, ["map", "mrr"])
    assert result["map"] == pytest.approx(1 / 3)
    assert result["n_queries"] == 1
    assert result["n_queries_without_relevant"] == 2


def test_query_missing_from_run_scores_zero() -> None:
    qrels = {"q1": JUDGED, "q2": {"z": 1}}
    run = {"q1": RANKING}
    assert per_query("recall@10", run, qrels) == pytest.approx({"q1": 2 / 3, "q2": 0.0})
    assert mean_average_precision(run, qrels) == pytest.approx((1 / 3 + 0) / 2)


def test_metric_names_and_bad_arguments() -> None:
    run, qrels = {"q": RANKING}, {"q": JUDGED}
    assert evaluate(run, qrels, ["ndcg@4"])["ndcg@4"] == pytest.approx(0.562455, abs=1e-6)
    assert evaluate(run, qrels, ["precision@2"])["precision@2"] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="unknown metric"):
        evaluate(run, qrels, ["bleu"])
    with pytest.raises(ValueError, match="k must be"):
        ndcg_at_k(RANKING, JUDGED, k=0)
    with pytest.raises(ValueError, match="gain"):
        ndcg_at_k(RANKING, JUDGED, gain="cubic")  # type: ignore[arg-type]


def test_trec_round_trip(tmp_path) -> None:
    run = {"q2": {"b": 0.5, "a": 0.9}, "q1": ["c", "a"]}
    write_run(run, tmp_path / "run.txt", tag="test")
    back = read_run(tmp_path / "run.txt")
    assert normalise_ranking(back["q2"]) == ["a", "b"]
    assert normalise_ranking(back["q1"]) == ["c", "a"]
    assert (tmp_path / "run.txt").read_text().splitlines()[0] == "q1 Q0 c 1 2 test"
    qrels = {"q1": {"b": 2, "a": 0}}
    write_qrels(qrels, tmp_path / "qrels.txt")
    assert (tmp_path / "qrels.txt").read_text() == "q1 0 a 0\nq1 0 b 2\n"
    assert read_qrels(tmp_path / "qrels.txt") == qrels
    with pytest.raises(ValueError, match="whitespace"):
        write_qrels({"q 1": {"a": 1}}, tmp_path / "bad.txt")


def test_paired_identical_systems() -> None:
    a = {f"q{i}": i / 10 for i in range(10)}
    result = compare_paired(a, dict(a))
    assert result.n == 10 and result.mean_diff == 0.0
    assert result.p_randomisation == 1.0 and result.p_ttest == 1.0
    assert result.ci_low == result.ci_high == 0.0


def test_paired_constant_improvement_is_significant() -> None:
    b = {f"q{i}": i / 20 for i in range(10)}
    a = {q: v + 0.1 for q, v in b.items()}
    result = compare_paired(a, b, n_resamples=20_000)
    assert result.mean_diff == pytest.approx(0.1)
    # exact sign-flip p for 10 equal differences is 2 / 2**10 ≈ 0.002
    assert result.p_randomisation < 0.01
    assert result.ci_low == pytest.approx(0.1) and result.ci_high == pytest.approx(0.1)


def test_paired_matches_scipy_and_drops_unpaired() -> None:
    rng = np.random.default_rng(0)
    x, y = rng.random(30), rng.random(30)
    a = {f"q{i}": float(v) for i, v in enumerate(x)}
    b = {f"q{i}": float(v) for i, v in enumerate(y)}
    a["only_a"] = 1.0
    b["nan"], a["nan"] = float("nan"), 0.5
    result = compare_paired(a, b, seed=1)
    assert result.n == 30
    assert result.p_ttest == pytest.approx(stats.ttest_rel(x, y).pvalue)
    assert result.ci_low <= result.mean_diff <= result.ci_high
    assert abs(result.p_randomisation - result.p_ttest) < 0.1
    assert compare_paired(a, b, seed=1) == result  # seeded
