"""Exposure metrics with hand-checked answers, and the fairness report on small demo data."""

from __future__ import annotations

import math

import pytest

from matcher.evaluation.fairness import (
    UNKNOWN,
    disparity_summary,
    exposure_report,
    position_weight,
    scores_moved,
)


def test_position_weight_is_the_ndcg_discount() -> None:
    assert position_weight(1) == 1.0
    assert position_weight(3) == pytest.approx(0.5)
    assert position_weight(2) == pytest.approx(1 / math.log2(3))
    with pytest.raises(ValueError, match="at least 1"):
        position_weight(0)


def _by_group(report):
    return {g.group: g for g in report}


def test_exposure_against_eligible_share_by_hand() -> None:
    group_of = {"a1": "A", "a2": "A", "b1": "B", "b2": "B"}
    # q1 shows A first, then B; both pools are half A, half B, so A is over-exposed.
    rankings = {"q1": ["a1", "b1"], "q2": ["a2", "b2"]}
    eligible = {"q1": {"a1", "a2", "b1", "b2"}, "q2": {"a1", "a2", "b1", "b2"}}
    report = _by_group(exposure_report(rankings, eligible, group_of, k=2))
    w1, w2 = 1.0, 1 / math.log2(3)
    assert report["A"].exposure_share == pytest.approx(w1 / (w1 + w2))
    assert report["A"].expected_share == pytest.approx(0.5)
    assert report["A"].ratio == pytest.approx(2 * w1 / (w1 + w2))
    assert report["B"].ratio == pytest.approx(2 * w2 / (w1 + w2))
    assert report["A"].appearances == report["B"].appearances == 2


def test_alternating_rankings_are_proportional() -> None:
    group_of = {"a": "A", "b": "B"}
    rankings = {"q1": ["a", "b"], "q2": ["b", "a"]}
    eligible = {q: {"a", "b"} for q in rankings}
    for g in exposure_report(rankings, eligible, group_of, k=2):
        assert g.ratio == pytest.approx(1.0)


def test_cut_at_k_pools_weight_queries_and_unknown_group_is_reported() -> None:
    group_of = {"a": "A", "b": "B"}  # "x" has no group
    rankings = {"q1": ["x", "a", "b"], "q2": ["b"]}
    eligible = {"q1": {"a", "b", "x"}, "q2": {"b"}}
    report = _by_group(exposure_report(rankings, eligible, group_of, k=2))
    assert report[UNKNOWN].appearances == 1
    assert report["B"].appearances == 1  # b at rank 3 of q1 is past k
    # q1 hands out 1 + 1/log2(3) and splits it in thirds; q2 hands out 1, all to B.
    m1 = 1 + 1 / math.log2(3)
    assert report["B"].expected_share == pytest.approx((m1 / 3 + 1) / (m1 + 1))
    assert sum(g.exposure_share for g in report.values()) == pytest.approx(1.0)
    assert sum(g.expected_share for g in report.values()) == pytest.approx(1.0)


def test_fitting_share_separates_merit_from_exposure() -> None:
    group_of = {"a1": "A", "a2": "A", "b1": "B", "b2": "B"}
    rankings = {"q": ["a1", "a2"]}
    eligible = {"q": {"a1", "a2", "b1", "b2"}}
    fitting = {"q": {"a1", "a2"}}  # only A fits this query
    report = _by_group(exposure_report(rankings, eligible, group_of, k=2, fitting=fitting))
    assert report["A"].ratio == pytest.approx(2.0)
    assert report["A"].fitting_ratio == pytest.approx(1.0)
    assert report["B"].exposure_share == 0.0
    assert math.isnan(report["B"].fitting_ratio)


def test_disparity_summary_ignores_tiny_groups() -> None:
    group_of = {f"a{i}": "A" for i in range(10)} | {f"b{i}": "B" for i in range(190)}
    group_of["t"] = "tiny"  # 1 of 201 eligible: under the 1% floor
    rankings = {"q": ["t", "a0"]}  # tiny gets the top slot: a huge but meaningless ratio
    summary = disparity_summary(exposure_report(rankings, {"q": set(group_of)}, group_of, k=2))
    assert summary["groups"] == 2
    assert summary["max_group"] == "A"
    assert summary["min_group"] == "B" and summary["min_ratio"] == 0.0
    assert summary["outside_four_fifths"] == ["A", "B"]
    assert disparity_summary([]) == {"groups": 0}


def test_scores_moved_counts_differences_and_missing_pairs() -> None:
    before = {("c1", "v"): 0.5, ("c2", "v"): 0.4, ("c3", "v"): 0.3}
    after = {("c1", "v"): 0.5, ("c2", "v"): 0.41, ("c4", "v"): 0.3}
    moved, largest = scores_moved(before, after)
    assert moved == 3
    assert largest == 1.0
    assert scores_moved(before, dict(before)) == (0, 0.0)


def test_exposure_rejects_bad_k() -> None:
    with pytest.raises(ValueError, match="k must be"):
        exposure_report({}, {}, {}, k=0)


# -- scrubbing leaves exactly the text a person without the wording would have written ----------


@pytest.mark.parametrize(
    ("base", "added"),
    [
        ("Siap bekerja shift.", " Beragama Islam, belum menikah."),
        ("Siap bekerja shift.", " Agama Kristen, sudah menikah."),
        ("Siap bekerja shift.", " Muslimah berhijab, lajang."),
        ("Siap bekerja shift.", "\nAgama: Islam\nStatus: lajang"),
        ("Lulusan TKJ. Siap kerja.", ""),
    ],
)
def test_a_protected_sentence_scrubs_to_the_text_without_it(base: str, added: str) -> None:
    from matcher.language import scrub_protected

    assert scrub_protected(base + added) == base
    assert scrub_protected("Jenis kelamin: Pria. " + base) == base


def test_a_protected_list_item_scrubs_to_nothing_and_other_labels_stay() -> None:
    from matcher.language import scrub_protected

    assert scrub_protected("Status: belum menikah") == ""
    assert scrub_protected("Bisa mengaji") == ""
    assert scrub_protected("Status: karyawan tetap") == "Status: karyawan tetap"


# -- the report on demo data -------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_report():
    from benchmarks.fairness import run

    return run(seed=3, n_candidates=150, n_vacancies=24, encoder="hashing")


def test_report_covers_every_attribute_and_open_vacancy(small_report) -> None:
    e = small_report["exposure"]
    assert set(e["by"]) == {"school", "kecamatan", "gender"}
    assert e["vacancies"] > 0 and e["shown"] <= 10 * e["vacancies"]
    genders = {g["group"] for g in e["by"]["gender"]["groups"]}
    assert genders <= {"laki-laki (L)", "perempuan (P)", UNKNOWN}
    for entry in e["by"].values():
        assert sum(g["exposure_share"] for g in entry["groups"]) == pytest.approx(1.0)


def test_protected_facts_in_gender_summary_and_vacancy_prose_move_no_score(small_report) -> None:
    cf = small_report["counterfactual"]
    assert cf["pairs"] > 0
    assert cf["restored_exactly"]
    for name, variant in cf["variants"].items():
        if "keahlian" in name:
            continue  # the structured skills lists: see the test below
        assert variant["moved"] == 0, name
    assert all(cf["rejected_fields"].values())


def test_protected_wording_in_skills_lists_moves_no_score(small_report) -> None:
    for name, variant in small_report["counterfactual"]["variants"].items():
        assert variant["moved"] == 0, name


def test_markdown_states_every_variant(small_report) -> None:
    from benchmarks.fairness import CANDIDATE_VARIANTS, VACANCY_VARIANTS, markdown

    text = markdown(small_report)
    for name in [*CANDIDATE_VARIANTS, *VACANCY_VARIANTS]:
        assert f"| {name} |" in text
    assert "encoder `hashing-256`" in text
    assert "| gender |" in text
