"""Candidate generation reads posting lists instead of scanning every record, and the result is
exactly what the full scans gave.

The reference (tests/candidate_pool_reference.py) is the engine's earlier computation, kept
verbatim in spirit: a dense BM25 array over every slot, program fit over every alive record,
and, when a caller's scope left fewer than ``k`` in the pool, a re-rank of every alive record.
The pool is forced on a small demo by lowering ``EXHAUSTIVE_LIMIT`` and ``pool_size`` so that
each signal is cut (the BM25 top, the program-fit re-rank) and scoped queries fall back.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from candidate_pool_reference import AS_OF, PATHS, K, old_lexical_top, old_rank, old_recommend

from matcher import engine
from matcher.candidate_pool import LexicalHits
from matcher.demo import generate_demo
from matcher.encoder import HashingEncoder
from matcher.engine import Matcher
from matcher.scopes import ConsentScope, SchoolScope

POOL = 15  # a pool of 15 + 15 + 60 of ~1,500 records: every cut matters


# -- the world: a demo big enough for the pooled path, changed while it is queried ------------


#: the unrounded score of every match the engine built (a Match carries it rounded to 4 places)
_RAW: list[float] = []


def _recording_build_match(*args: Any) -> Any:
    _RAW.append(args[3])
    return _build_match(*args)


_build_match = engine.build_match


def _triples(matches: list[Any]) -> list[tuple[str, str, float]]:
    raw, _RAW[:] = _RAW[-len(matches) :] if matches else [], []
    assert [round(r, 4) for r in raw] == [x.score for x in matches]
    return [(x.candidate_id, x.vacancy_id, r) for x, r in zip(matches, raw, strict=True)]


@pytest.fixture(scope="module")
def demo() -> Any:
    return generate_demo(seed=5, n_schools=12, n_candidates=1500, n_vacancies=160, as_of=AS_OF)


@pytest.fixture
def world(demo: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[Matcher, Any]:
    monkeypatch.setattr(engine, "EXHAUSTIVE_LIMIT", 100)
    monkeypatch.setattr(engine, "build_match", _recording_build_match)
    cands, vacs = demo.candidates, demo.vacancies
    matcher = Matcher(encoder=HashingEncoder(128), pool_size=POOL)
    return matcher.fit(cands[:1200], vacs[:130]), demo


def _churn(matcher: Matcher, demo: Any, rng: random.Random) -> None:
    """Adds, removes and replaces records so that programs move between posting lists."""
    cands, vacs = demo.candidates, demo.vacancies
    present = sorted(matcher.candidates_)
    matcher.remove_candidates(rng.sample(present, 40))
    matcher.upsert_candidates(rng.sample(cands[1200:], 30))  # some new, some already back
    majors = sorted({c.major for c in cands if c.major})
    schools = sorted({c.school_id for c in cands if c.school_id})
    moved = [
        c.model_copy(update={"major": rng.choice(majors), "school_id": rng.choice(schools)})
        for c in (matcher.candidates_[i] for i in rng.sample(sorted(matcher.candidates_), 25))
    ]
    matcher.upsert_candidates(moved)
    matcher.remove_vacancies(rng.sample(sorted(matcher.vacancies_), 6))
    matcher.upsert_vacancies(rng.sample(vacs[130:], 6))
    donors = rng.sample(vacs, 5)
    retitled = [
        matcher.vacancies_[vid].model_copy(
            update={"title": d.title, "majors": d.majors, "description": d.description}
        )
        for vid, d in zip(rng.sample(sorted(matcher.vacancies_), 5), donors, strict=True)
    ]
    matcher.upsert_vacancies(retitled)


def _queries(matcher: Matcher, rng: random.Random, n: int) -> tuple[list[str], list[str]]:
    open_v = sorted(i for i, v in matcher.vacancies_.items() if v.status == "open")
    seeking = sorted(i for i, c in matcher.candidates_.items() if c.status == "seeking")
    return rng.sample(open_v, min(n, len(open_v))), rng.sample(seeking, n)


def _assert_same_as_reference(matcher: Matcher, rng: random.Random, n: int) -> dict[str, int]:
    """Both directions, unscoped and scoped; returns how often each path was taken."""
    schools = sorted({c.school_id for c in matcher.candidates_.values() if c.school_id})
    employers = sorted({v.employer_id for v in matcher.vacancies_.values() if v.employer_id})
    taken = {"queries": 0}
    v_ids, c_ids = _queries(matcher, rng, n)
    for vid in v_ids:
        school = rng.choice(schools)
        owned = frozenset(rng.sample(sorted(matcher.candidates_), 30))  # a portal's own
        # the same scope as a plain predicate and as the column the engine answers it from;
        # the reference reads a ConsentScope as a predicate, the engine as its mask
        scopes = (None, lambda c, s=school: c.school_id == s, SchoolScope(school))
        for include in (*scopes, ConsentScope(AS_OF), ConsentScope(AS_OF, owned)):
            got = _triples(matcher.recommend_candidates(vid, K, include=include, as_of=AS_OF))
            assert got == old_recommend(matcher, "candidate", vid, include), vid
            taken["queries"] += 1
    for cid in c_ids:
        employer = rng.choice(employers)
        for include in (None, lambda v, e=employer: v.employer_id == e):
            got = _triples(matcher.recommend_vacancies(cid, K, include=include, as_of=AS_OF))
            assert got == old_recommend(matcher, "vacancy", cid, include), cid
            taken["queries"] += 1
    return taken


def _assert_postings_current(matcher: Matcher) -> None:
    """Every program's posting list is exactly the alive records that hold that program."""
    c, v = matcher.candidate_columns_, matcher.vacancy_columns_
    for p in range(len(matcher.program_codes_)):
        a = c.arrays
        alive = c.alive_slots()
        holds = alive[(a["prog1"][alive] == p) | (a["prog2"][alive] == p)]
        assert c.postings.slots([p]).tolist() == holds.tolist()
        alive = v.alive_slots()
        holds = alive[v.arrays["programs"][alive, p] > 0]
        assert v.postings.slots([p]).tolist() == holds.tolist()
    assert c.postings.max_weight >= float(c.arrays["conf1"][c.alive_slots()].max())
    assert v.postings.max_weight >= float(v.arrays["programs"][v.alive_slots()].max())


# -- the tests --------------------------------------------------------------------------------


def test_pools_rank_exactly_as_the_full_scans_did_through_upserts_and_removes(
    world: tuple[Matcher, Any],
) -> None:
    matcher, demo = world
    rng = random.Random(42)
    assert len(matcher.candidates_) > engine.EXHAUSTIVE_LIMIT  # the pooled path is taken
    PATHS.clear()
    taken = _assert_same_as_reference(matcher, rng, 15)
    for _ in range(3):
        _churn(matcher, demo, rng)
        _assert_postings_current(matcher)
        more = _assert_same_as_reference(matcher, rng, 12)
        taken = {key: taken[key] + more[key] for key in taken}
    assert taken["queries"] >= 200
    paths = ("lexical cut", "fit cut", "candidate scope fallback", "vacancy scope fallback")
    for path in (*paths, "candidate requirements fallback", "vacancy requirements fallback"):
        assert PATHS[path] >= 10, PATHS


def test_a_pool_drawn_from_the_qualifying_records_ranks_as_the_full_scans_do(
    world: tuple[Matcher, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the records a query may see are many (here: more than 30), the fallback draws a
    pool from them alone instead of ranking them all."""
    matcher, _ = world
    monkeypatch.setattr(engine, "EXHAUSTIVE_LIMIT", 30)
    PATHS.clear()
    _assert_same_as_reference(matcher, random.Random(11), 15)
    assert PATHS["candidate pool of the qualifying"] >= 10, PATHS


def test_a_small_scope_ranks_only_its_records_and_still_fills_k(
    world: tuple[Matcher, Any],
) -> None:
    """A school's students rarely fill k from a pool of the whole population: the engine then
    ranks the school's own records, and returns k of them whenever k eligible ones exist."""
    matcher, _ = world
    rng = random.Random(7)
    by_school: dict[str, int] = {}
    for c in matcher.candidates_.values():
        if c.school_id:
            by_school[c.school_id] = by_school.get(c.school_id, 0) + 1
    school = min(by_school, key=lambda s: by_school[s])
    v_ids, _ = _queries(matcher, rng, 20)
    fell_back = 0
    for vid in v_ids:
        include = lambda c: c.school_id == school  # noqa: E731
        got = _triples(matcher.recommend_candidates(vid, K, include=include, as_of=AS_OF))
        assert got == old_recommend(matcher, "candidate", vid, include)
        by_column = matcher.recommend_candidates(vid, K, include=SchoolScope(school), as_of=AS_OF)
        assert _triples(by_column) == got
        everyone = old_rank(
            matcher,
            "candidate",
            matcher.vacancy_columns_.slot_of[vid],
            matcher.candidate_columns_.alive_slots(),
            matcher.candidate_lexical_.score_array(
                matcher.vacancy_profiles_[vid].tokens, matcher.candidate_columns_.size
            ),
            include,
        )
        assert len(got) == min(K, len(everyone))
        assert all(matcher.candidates_[cid].school_id == school for cid, _, _ in got)
        fell_back += got == everyone and len(everyone) < K
    assert fell_back > 0  # the scope was small enough to leave the pool short


def test_lexical_hits_are_the_dense_scores_where_they_are_not_zero(
    world: tuple[Matcher, Any],
) -> None:
    matcher, demo = world
    _churn(matcher, demo, random.Random(3))
    lex, size = matcher.candidate_lexical_, matcher.candidate_columns_.size
    for vid in sorted(matcher.vacancies_)[:30]:
        tokens = matcher.vacancy_profiles_[vid].tokens
        dense = lex.score_array(tokens, size)
        hits = LexicalHits.of(lex, tokens, size)
        assert hits.slots.tolist() == np.flatnonzero(dense > 0).tolist()
        assert np.array_equal(hits.at(np.arange(size)), dense)
        assert hits.top == float(dense.max())
        assert lex.top(tokens, POOL, size).tolist() == old_lexical_top(dense, POOL).tolist()


def test_saved_and_loaded_engine_pools_the_same(world: tuple[Matcher, Any], tmp_path: Path) -> None:
    matcher, demo = world
    rng = random.Random(11)
    _churn(matcher, demo, rng)
    matcher.save(tmp_path / "snap")
    loaded = Matcher.load(tmp_path / "snap", encoder=HashingEncoder(128), pool_size=POOL)
    _assert_postings_current(loaded)
    v_ids, c_ids = _queries(matcher, rng, 15)
    for vid in v_ids:
        assert _triples(loaded.recommend_candidates(vid, K, as_of=AS_OF)) == _triples(
            matcher.recommend_candidates(vid, K, as_of=AS_OF)
        )
    for cid in c_ids:
        assert _triples(loaded.recommend_vacancies(cid, K, as_of=AS_OF)) == _triples(
            matcher.recommend_vacancies(cid, K, as_of=AS_OF)
        )
    _churn(loaded, demo, rng)  # the restored postings keep up with later changes
    _assert_postings_current(loaded)
    _assert_same_as_reference(loaded, rng, 5)


def test_the_blocked_cheap_product_equals_the_whole_one() -> None:
    """The cheap re-rank gathers fitting rows a block at a time; each value must be the one a
    single product over all rows gives, to float32 rounding (BLAS's own last bits vary)."""
    from matcher.candidate_pool import GATHER_BLOCK, dense_at

    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(9000, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    query = vectors[17].copy()
    edges = [0, 1, 2, 3, 5, GATHER_BLOCK - 1, GATHER_BLOCK, GATHER_BLOCK + 1, 4 * GATHER_BLOCK + 1]
    for n_rows in [*edges, *rng.integers(1, 9000, size=40).tolist()]:
        rows = np.sort(rng.choice(9000, size=n_rows, replace=False))
        whole = np.take(vectors, rows, axis=0) @ query
        blocked = dense_at(vectors, rows, query)
        assert blocked.dtype == whole.dtype and blocked.shape == whole.shape
        np.testing.assert_allclose(blocked, whole, rtol=0, atol=1e-6, err_msg=str(n_rows))


def test_the_cheap_cut_reads_only_records_that_can_make_it(monkeypatch: Any) -> None:
    """``best_fitting`` keeps exactly the records scoring every fitting one would keep, while
    reading far fewer vectors when the fits spread out, as they do for a broad vacancy."""
    from matcher import candidate_pool
    from matcher.candidate_pool import CHEAP_DENSE_WEIGHT, best_fitting

    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(20_000, 64)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    read: list[int] = []
    real_dense_at = candidate_pool.dense_at

    def counting(v: np.ndarray, rows: np.ndarray, q: np.ndarray) -> np.ndarray:
        read.append(len(rows))
        return real_dense_at(v, rows, q)

    monkeypatch.setattr(candidate_pool, "dense_at", counting)
    for trial in range(30):
        query = vectors[trial] + 0.5 * rng.normal(size=64).astype(np.float32)
        query /= np.linalg.norm(query)
        slots = np.sort(rng.choice(20_000, size=int(rng.integers(500, 15_000)), replace=False))
        # fits as the taxonomy gives them: a few levels (one program, its neighbours), noisy
        fit = rng.choice([1.0, 0.8, 0.55, 0.35], size=len(slots), p=[0.1, 0.2, 0.3, 0.4])
        fit = (fit * rng.uniform(0.9, 1.0, size=len(slots))).astype(np.float32)
        keep = int(rng.integers(1, 400))
        cheap = fit + CHEAP_DENSE_WEIGHT * (vectors[slots] @ query)
        expected = set(slots[np.argsort(-cheap, kind="stable")[:keep]].tolist())
        bound = float((vectors[slots] @ query).max())
        read.clear()
        kept = best_fitting(vectors, slots, fit, query, keep, bound + 1e-5)
        assert len(kept) == min(keep, len(slots))
        assert set(kept.tolist()) == expected, trial
        assert sum(read) - min(keep, len(slots)) < len(slots) / 2, (trial, read, len(slots))
        # a bound of 1 (unit vectors) is looser, reads more, and keeps the same records
        assert set(best_fitting(vectors, slots, fit, query, keep, 1.0).tolist()) == expected
