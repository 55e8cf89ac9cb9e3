"""The exact index's scan, mapped to column slots, gives every record's similarity, and the pool
built from it is the pool the search-then-gather path builds.

The label → slot table is learned once per label, so the tests churn records (removals, new
records reusing freed slots, records re-upserted under new labels) between scans and check each
slot's similarity against its own vector in the columns.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import numpy as np
import pytest

from matcher import candidate_pool
from matcher.candidate_pool import LexicalHits
from matcher.demo import generate_demo
from matcher.encoder import HashingEncoder
from matcher.engine import Matcher
from matcher.held_vectors import widen
from matcher.index import FaissIndex
from matcher.slot_scan import SlotScan

AS_OF = date(2026, 11, 1)


def _unit(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    x = rng.standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_flat_scan_gives_every_live_vector_and_its_product() -> None:
    rng = np.random.default_rng(1)
    index = FaissIndex(16)
    index.add([f"r{i}" for i in range(50)], _unit(rng, 50, 16))
    index.remove([f"r{i}" for i in range(0, 50, 3)])
    index.add(["r1", "new"], _unit(rng, 2, 16))  # r1 replaced: a new label
    query = _unit(rng, 1, 16)[0]
    scanned = index.scan(query)
    assert scanned is not None
    labels, scores = scanned
    ids = [i or "" for i in index.ids_of(labels)]  # every scanned label is alive
    assert sorted(ids) == sorted(i for i in [f"r{i}" for i in range(50)] + ["new"] if i in index)
    expected = index.get(ids) @ query
    np.testing.assert_allclose(scores, expected, rtol=0, atol=1e-6)


def test_an_inverted_file_cannot_scan() -> None:
    rng = np.random.default_rng(2)
    index = FaissIndex(8, exact_limit=100)
    index.add([f"a{i}" for i in range(101)], _unit(rng, 101, 8))
    assert index.index_type == "ivf-flat"
    assert index.scan(_unit(rng, 1, 8)[0]) is None
    assert SlotScan().similarities(index, None, _unit(rng, 1, 8)[0]) is None  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def demo() -> Any:
    return generate_demo(seed=9, n_schools=8, n_candidates=700, n_vacancies=80, as_of=AS_OF)


def _check_slots(m: Matcher, scan: SlotScan, query: np.ndarray) -> None:
    cols = m.candidate_columns_
    got = scan.similarities(m.candidate_index_, cols, query)
    assert got is not None
    slots, similarity = got
    assert sorted(slots.tolist()) == cols.alive_slots().tolist()
    own = widen(cols.vectors[slots]) @ query  # each slot's own held vector
    np.testing.assert_allclose(similarity, own, rtol=0, atol=1e-5)


def test_slots_follow_removals_reused_slots_and_new_labels(demo: Any) -> None:
    m = Matcher(encoder=HashingEncoder(64)).fit(demo.candidates[:500], demo.vacancies)
    scan, rng = SlotScan(), random.Random(3)
    query = m.vacancy_columns_.vectors_at(0)
    _check_slots(m, scan, query)
    for _ in range(3):
        m.remove_candidates(rng.sample(sorted(m.candidates_), 60))  # frees slots
        m.upsert_candidates(rng.sample(demo.candidates[500:], 40))  # may reuse them
        renamed = [  # the same ids again: new labels, and a changed text, so a changed vector
            c.model_copy(update={"skills": [*c.skills, "las listrik"]})
            for c in (m.candidates_[i] for i in rng.sample(sorted(m.candidates_), 30))
        ]
        m.upsert_candidates(renamed)
        _check_slots(m, scan, query)


def test_a_new_index_starts_a_new_table(demo: Any) -> None:
    cands = demo.candidates
    first = Matcher(encoder=HashingEncoder(64)).fit(cands[:300], [])
    first.remove_candidates([c.id for c in cands[:100]])
    first.upsert_candidates(cands[300:400])  # labels 300…399 in freed slots
    second = Matcher(encoder=HashingEncoder(64)).fit(cands[:400], [])  # 300…399 in slots 300…399
    scan, query = SlotScan(), first.candidate_columns_.vectors_at(150)
    _check_slots(first, scan, query)
    _check_slots(second, scan, query)  # a table kept from the first would put them in 0…99


def test_pool_from_the_scan_is_the_pool_from_search_and_gather(demo: Any) -> None:
    m = Matcher(encoder=HashingEncoder(64), pool_size=12).fit(demo.candidates, demo.vacancies)
    cols, vcols = m.candidate_columns_, m.vacancy_columns_
    fit_cut = 0
    for vid in sorted(m.vacancies_):
        slot = m._slot("vacancy", vid)
        lexical = LexicalHits.of(m.candidate_lexical_, m.vacancy_profiles_[vid].tokens, cols.size)
        fit = candidate_pool.fit_for_vacancy(vcols, cols, m.similarity_, slot)
        fit_cut += int(len(fit.fitting()[0]) > 4 * 12)
        query = vcols.vectors_at(slot)
        args = (cols, m.candidate_index_, query, lexical, fit, 12, 100)
        scanned = candidate_pool.generate(*args, SlotScan())
        searched = candidate_pool.generate(*args, None)
        assert scanned.tolist() == searched.tolist(), vid
    assert fit_cut > 10  # the program-fit cut, where the two paths differ most, was exercised
