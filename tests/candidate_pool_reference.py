"""The reference tests/test_candidate_pool.py holds the engine to: how it generated and ranked
pools before posting lists, with full scans (a dense BM25 array over every slot, program fit over
every alive record, and, when a caller's scope left fewer than ``K`` in the pool, a re-rank of
every qualifying record). Kept apart so the tests read as tests.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np

from matcher import engine
from matcher.columns import CandidateColumns, Today, VacancyColumns
from matcher.engine import Matcher
from matcher.scopes import SchoolScope

AS_OF = date(2026, 11, 1)
K = 20
#: which cuts and fallbacks the reference went through, so the tests can show they were covered
PATHS: Counter[str] = Counter()


def _old_fit_for_vacancy(m: Matcher, vac_slot: int) -> Callable[[np.ndarray], np.ndarray]:
    need = m.vacancy_columns_.arrays["programs"][vac_slot]
    u = np.append((m.similarity_ * need[None, :]).max(axis=1), 0.0)
    a = m.candidate_columns_.arrays
    return lambda s: np.maximum(a["conf1"][s] * u[a["prog1"][s]], a["conf2"][s] * u[a["prog2"][s]])


def _old_fit_for_candidate(m: Matcher, cand_slot: int) -> Callable[[np.ndarray], np.ndarray]:
    a = m.candidate_columns_.arrays
    w = np.zeros(len(m.program_codes_), dtype=np.float32)
    for prog, conf in (("prog1", "conf1"), ("prog2", "conf2")):
        if a[prog][cand_slot] >= 0:
            w = np.maximum(w, m.similarity_[a[prog][cand_slot]] * a[conf][cand_slot])
    programs = m.vacancy_columns_.arrays["programs"]
    return lambda s: (programs[s] * w[None, :]).max(axis=1)


def old_lexical_top(raw: np.ndarray, k: int) -> np.ndarray:
    hit = np.flatnonzero(raw > 0)
    if len(hit) > k:
        hit = hit[np.argpartition(-raw[hit], k)[:k]]
    return hit[np.argsort(-raw[hit], kind="stable")]


def _old_pool(m: Matcher, side: str, vec: np.ndarray, raw: np.ndarray, fit_all: Any) -> Any:
    cols = m.candidate_columns_ if side == "candidate" else m.vacancy_columns_
    index = m.candidate_index_ if side == "candidate" else m.vacancy_index_
    alive = cols.alive_slots()
    if len(alive) <= engine.EXHAUSTIVE_LIMIT:
        return alive
    dense = np.fromiter(
        (cols.slot_of[i] for i, _ in index.search(vec[None, :], m.pool_size)[0]), dtype=np.int64
    )
    lex = old_lexical_top(raw, m.pool_size)
    PATHS["lexical cut"] += int((raw > 0).sum() > m.pool_size)
    fit = fit_all(alive)
    fitting = alive[fit >= 0.3]
    PATHS["some fit"] += int(len(fitting) > 0)
    if len(fitting) > 4 * m.pool_size:
        PATHS["fit cut"] += 1
        cheap = fit[fit >= 0.3] + 0.3 * (cols.vectors_at(fitting) @ vec)
        fitting = fitting[np.argpartition(-cheap, 4 * m.pool_size)[: 4 * m.pool_size]]
    return np.unique(np.concatenate([dense, lex, fitting]))


def old_rank(
    m: Matcher, side: str, slot: int, pool: np.ndarray, raw: np.ndarray, include: Any
) -> list[tuple[str, str, float]]:
    query = np.full(len(pool), slot, dtype=np.int64)
    cand_slots, vac_slots = (pool, query) if side == "candidate" else (query, pool)
    top = float(raw.max()) if raw.size else 0.0
    lexical = raw[pool] / top if top > 0 else raw[pool]
    scores, ok, _, _ = m._score(cand_slots, vac_slots, lexical, Today.of(AS_OF))
    order = np.flatnonzero(ok)
    out = []
    for i in order[np.argsort(-scores[order], kind="stable")]:
        cid = m.candidate_columns_.ids[int(cand_slots[i])] or ""
        vid = m.vacancy_columns_.ids[int(vac_slots[i])] or ""
        record = m.candidates_[cid] if side == "candidate" else m.vacancies_[vid]
        if include is None or include(record):
            out.append((cid, vid, float(scores[i])))
            if len(out) == K:
                break
    return out


def old_recommend(m: Matcher, side: str, query_id: str, include: Any) -> list[Any]:
    """``side`` is what is ranked: "candidate" answers a vacancy, "vacancy" a candidate."""
    cols: CandidateColumns | VacancyColumns
    if side == "candidate":
        slot = m.vacancy_columns_.slot_of[query_id]
        vec = m.vacancy_columns_.vectors_at(slot)
        tokens = m.vacancy_profiles_[query_id].tokens
        raw = m.candidate_lexical_.score_array(tokens, m.candidate_columns_.size)
        fit_all, cols, n = _old_fit_for_vacancy(m, slot), m.candidate_columns_, len(m.candidates_)
    else:
        slot = m.candidate_columns_.slot_of[query_id]
        vec = m.candidate_columns_.vectors_at(slot)
        tokens = m.candidate_profiles_[query_id].tokens
        raw = m.vacancy_lexical_.score_array(tokens, m.vacancy_columns_.size)
        fit_all, cols, n = _old_fit_for_candidate(m, slot), m.vacancy_columns_, len(m.vacancies_)
    pool = _old_pool(m, side, vec, raw, fit_all)
    found = old_rank(m, side, slot, pool, raw, include)
    at_once = isinstance(include, SchoolScope)  # a school is ranked within itself at once
    if at_once or (len(found) < K and len(pool) < n):
        PATHS[f"{side} {'scope' if include else 'requirements'} fallback"] += 1
        alive = cols.alive_slots()
        records = m.candidates_ if side == "candidate" else m.vacancies_
        members = np.asarray(
            [s for s in alive if include is None or include(records[cols.ids[s]])], dtype=np.int64
        )
        members = members[_eligible(m, side, slot, members)]
        if len(members) > engine.EXHAUSTIVE_LIMIT:
            PATHS[f"{side} pool of the qualifying"] += 1
            scope_pool = _scope_pool(m, cols, members, vec, raw, fit_all)
            found = old_rank(m, side, slot, scope_pool, raw, include)
            if len(found) == K:
                return found
        found = old_rank(m, side, slot, alive, raw, include)
    return found


def _eligible(m: Matcher, side: str, slot: int, members: np.ndarray) -> np.ndarray:
    query = np.full(len(members), slot, dtype=np.int64)
    cand_slots, vac_slots = (members, query) if side == "candidate" else (query, members)
    return m._score(cand_slots, vac_slots, np.zeros(len(members)), Today.of(AS_OF))[1]


def _scope_pool(
    m: Matcher, cols: Any, members: np.ndarray, vec: np.ndarray, raw: np.ndarray, fit_all: Any
) -> np.ndarray:
    """The three signals over the scope's members only, each a full scan of them."""
    dense = cols.vectors_at(members) @ vec
    nearest = members[np.argsort(-dense, kind="stable")[: m.pool_size]]
    lex = members[old_lexical_top(raw[members], m.pool_size)]
    fit = fit_all(members)
    ok = fit >= 0.3
    cheap = fit[ok] + 0.3 * dense[ok]
    fitting = members[ok][np.argsort(-cheap, kind="stable")[: 4 * m.pool_size]]
    return np.unique(np.concatenate([nearest, lex, fitting]))
