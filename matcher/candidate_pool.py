"""Candidate generation: the few hundred records of one side worth scoring for a query.

Above ``EXHAUSTIVE_LIMIT`` alive records (see ``matcher.engine``) a query does not score every
record. It scores the union of three cheap signals, so no single weak one can hide a good
match: the nearest neighbours in the vector index, the best BM25 documents, and the records
whose program fits the query's (the taxonomy), cut to the best ``4 × pool_size`` of those by
program fit plus a little of the dense similarity.

Each signal reads only what it needs, so a query's cost follows the size of the pool rather
than the number of records: BM25 reads the postings of the query's own terms
(``BM25Index.hits``), and program fit reads the posting lists of the programs that can reach
``FIT_THRESHOLD`` (``ProgramPostings``) instead of scoring every alive record. The dense side
depends on the index: an exact one gives every record's similarity from one scan, which both
the nearest and the cut read (``matcher.slot_scan``); an approximate or remote one is searched,
and the cut reads the vectors of only the fitting records that can still make it
(``best_fitting``). The pool is the same set the earlier full scans produced
(tests/test_candidate_pool.py holds them side by side).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from matcher.columns import CandidateColumns, VacancyColumns
from matcher.held_vectors import HELD_DTYPE, widen
from matcher.lexical import BM25Index, best_of
from matcher.slot_scan import SlotScan
from matcher.vector_backends import VectorIndex

#: Program fit at which a record joins the pool on the taxonomy's word alone.
FIT_THRESHOLD = 0.3
#: How many times ``pool_size`` program-fitting records are kept after the cheap re-rank.
FIT_POOL_FACTOR = 4
#: Weight of the dense similarity in that cheap re-rank (program fit counts in full).
CHEAP_DENSE_WEIGHT = 0.3
#: rows gathered at a time for the cheap re-rank: 1.5 MB at 384 dims, so the block stays in cache
GATHER_BLOCK = 1024
#: added to the best dense score the index found before it bounds every record's similarity:
#: covers float rounding between faiss and numpy, and an SQ8 index's coarser scores
DENSE_SLACK = 0.02


@dataclass(frozen=True)
class LexicalHits:
    """One query's BM25 scores where they are not 0: slots ascending, with their scores.

    Computed once per query and used three times: for the lexical part of the pool, for the
    scale (the best score of any document, as ``explain`` uses) and for each pooled pair.
    """

    slots: np.ndarray
    scores: np.ndarray

    @classmethod
    def of(cls, index: BM25Index, tokens: tuple[str, ...], size: int) -> LexicalHits:
        return cls(*index.hits(tokens, size))

    @property
    def top(self) -> float:
        """The best score of any document (0 when none shares a term)."""
        return float(self.scores.max()) if len(self.scores) else 0.0

    def at(self, slots: np.ndarray) -> np.ndarray:
        """Raw BM25 of ``slots`` (float32, 0 where no term is shared)."""
        out = np.zeros(len(slots), dtype=np.float32)
        if len(self.slots) == 0 or len(slots) == 0:
            return out
        where = np.minimum(np.searchsorted(self.slots, slots), len(self.slots) - 1)
        found = self.slots[where] == slots
        out[found] = self.scores[where[found]]
        return out

    def scaled_at(self, slots: np.ndarray) -> np.ndarray:
        """BM25 of ``slots`` relative to the best document for this query, in [0, 1]."""
        raw, top = self.at(slots), self.top
        return raw / top if top > 0 else raw


@dataclass(frozen=True)
class ProgramFit:
    """How well each record of the other side fits one query's programs.

    ``fit(slots)`` is the exact formula; ``reachable`` are the only slots where it can reach
    ``FIT_THRESHOLD`` (every other alive record scores below it), ascending.
    """

    fit: Callable[[np.ndarray], np.ndarray]
    reachable: np.ndarray

    def fitting(self) -> tuple[np.ndarray, np.ndarray]:
        """(slots, fit) of the records at or above ``FIT_THRESHOLD``, slots ascending."""
        fit = self.fit(self.reachable)
        keep = fit >= FIT_THRESHOLD
        return self.reachable[keep], fit[keep]


def fit_for_vacancy(
    vacancies: VacancyColumns,
    candidates: CandidateColumns,
    similarity: np.ndarray,
    vac_slot: int,
) -> ProgramFit:
    """Candidates' program fit for one vacancy: their best program's confidence times its
    best similarity to any program the vacancy needs (weighted by how surely it needs it)."""
    need = vacancies.arrays["programs"][vac_slot]
    u = np.append((similarity * need[None, :]).max(axis=1), 0.0)  # -1 → 0
    a = candidates.arrays

    def fit(s: np.ndarray) -> np.ndarray:
        return np.asarray(
            np.maximum(a["conf1"][s] * u[a["prog1"][s]], a["conf2"][s] * u[a["prog2"][s]])
        )

    # conf ≤ max_weight, and rounding keeps order, so conf × u[p] < threshold wherever
    # max_weight × u[p] is: no candidate posted only under such programs can fit
    bound = np.asarray(candidates.postings.max_weight, dtype=u.dtype) * u[:-1]
    programs = np.flatnonzero(bound >= FIT_THRESHOLD).tolist()
    return ProgramFit(fit, candidates.postings.slots(programs))


def fit_for_candidate(
    candidates: CandidateColumns,
    vacancies: VacancyColumns,
    similarity: np.ndarray,
    cand_slot: int,
) -> ProgramFit:
    """Vacancies' program fit for one candidate: the best (need × similarity × confidence)
    over the vacancy's programs and the candidate's one or two."""
    a = candidates.arrays
    w = np.zeros(similarity.shape[0], dtype=np.float32)
    for prog, conf in (("prog1", "conf1"), ("prog2", "conf2")):
        if a[prog][cand_slot] >= 0:
            w = np.maximum(w, similarity[a[prog][cand_slot]] * a[conf][cand_slot])
    programs_of = vacancies.arrays["programs"]

    def fit(s: np.ndarray) -> np.ndarray:
        return np.asarray((programs_of[s] * w[None, :]).max(axis=1))

    bound = np.asarray(vacancies.postings.max_weight, dtype=w.dtype) * w
    programs = np.flatnonzero(bound >= FIT_THRESHOLD).tolist()
    return ProgramFit(fit, vacancies.postings.slots(programs))


def generate(
    columns: CandidateColumns | VacancyColumns,
    index: VectorIndex,
    query_vec: np.ndarray,
    lexical: LexicalHits,
    program_fit: ProgramFit,
    pool_size: int,
    exhaustive_limit: int,
    scan: SlotScan | None = None,
) -> np.ndarray:
    """Slots to score for one query: dense ∪ lexical ∪ taxonomy, ascending (or every alive
    slot when there are at most ``exhaustive_limit``).

    With ``scan`` and an exact index, one scan gives every record's similarity: the nearest
    and the program-fit cut both read it (``matcher.slot_scan``). Otherwise the index is
    searched and the cut reads the vectors it needs (``best_fitting``). The two give the same
    pool, up to ties and the last bits of float32 sums.
    """
    if len(columns) <= exhaustive_limit:
        return columns.alive_slots()
    m = pool_size
    lex = best_of(lexical.slots, lexical.scores, m)
    fitting, fit = program_fit.fitting()
    scanned = scan.similarities(index, columns, query_vec) if scan is not None else None
    if scanned is not None:
        slots, similarity = scanned
        dense = best_of(slots, similarity, m)
        by_slot = np.zeros(columns.size, dtype=np.float32)
        by_slot[slots] = similarity
        cheap = fit + CHEAP_DENSE_WEIGHT * by_slot[fitting]
        fitting = best_of(fitting, cheap, FIT_POOL_FACTOR * m)
    else:
        found = index.search(query_vec[None, :], m)[0]
        dense = np.fromiter((columns.slot_of[i] for i, _ in found), dtype=np.int64)
        # the most similar record the index found bounds every record's similarity (see
        # best_fitting); with nothing found, unit vectors still bound it by 1
        bound = max(score for _, score in found) + DENSE_SLACK if found else 1.0
        fitting = best_fitting(columns.vectors, fitting, fit, query_vec, FIT_POOL_FACTOR * m, bound)
    return np.unique(np.concatenate([dense, lex, fitting]))


def within_scope(
    columns: CandidateColumns | VacancyColumns,
    members: np.ndarray,
    query_vec: np.ndarray,
    lexical: LexicalHits,
    program_fit: ProgramFit,
    pool_size: int,
) -> np.ndarray:
    """A pool drawn from ``members`` (a caller's scope, slots ascending) alone: the same three
    signals as ``generate``, each cut to the same size, over the scope's records only.

    A BKK officer asks for one school's students. The whole population's pool holds few of
    them, so such a query used to rank every member instead; at a million candidates a school
    has ~16,000, and ranking them all took ~84 ms. Here the dense part is exact (one product
    over the members' vectors, which also feeds the program-fit cut), so no index is asked.
    """
    m = pool_size
    dense = dense_at(columns.vectors, members, query_vec)
    nearest = best_of(members, dense, m)
    scores = lexical.at(members)
    hit = scores > 0
    lex = best_of(members[hit], scores[hit], m)
    fit = program_fit.fit(members)
    ok = fit >= FIT_THRESHOLD
    fitting = best_of(members[ok], fit[ok] + CHEAP_DENSE_WEIGHT * dense[ok], FIT_POOL_FACTOR * m)
    return np.unique(np.concatenate([nearest, lex, fitting]))


def best_fitting(
    vectors: np.ndarray,
    slots: np.ndarray,
    fit: np.ndarray,
    query: np.ndarray,
    keep: int,
    dense_bound: float,
) -> np.ndarray:
    """The ``keep`` of ``slots`` with the best cheap score, fit + ``CHEAP_DENSE_WEIGHT`` ×
    dense similarity, reading the vectors of only those that can still make the cut.

    At a million candidates a broad vacancy fits ~300,000 of them, and reading every one's
    vector was most of a query's time. The ``keep`` best by fit alone are scored first; the
    worst of their cheap scores is a floor the final ``keep`` all reach, so a record whose fit
    plus the weight times ``dense_bound`` (no record is more similar than that) stays below it
    cannot enter, and its vector is never read. The set is the one scoring every record gives
    whenever ``dense_bound`` holds: always with an exact index, whose best hit is the most
    similar record; with an approximate one, a record above its best hit is one the index
    missed at rank one. Ties at the cut may fall either way, as they did before.
    """
    if len(slots) <= keep:
        return slots
    first = np.argpartition(-fit, keep - 1)[:keep]
    floor = float(np.min(fit[first] + CHEAP_DENSE_WEIGHT * dense_at(vectors, slots[first], query)))
    contenders = np.flatnonzero(fit >= floor - CHEAP_DENSE_WEIGHT * dense_bound)
    cheap = fit[contenders] + CHEAP_DENSE_WEIGHT * dense_at(vectors, slots[contenders], query)
    if len(contenders) > keep:
        contenders = contenders[np.argpartition(-cheap, keep - 1)[:keep]]
    return slots[contenders]


def dense_at(vectors: np.ndarray, rows: np.ndarray, query: np.ndarray) -> np.ndarray:
    """``vectors[rows] @ query``, a block of ``GATHER_BLOCK`` rows at a time through one small
    buffer, so a query no longer allocates and faults in a copy of every fitting row: at a
    million candidates ~310,000 rows, 470 MB a query (55 ms instead of 65–115 ms, measured on
    this machine).

    ``vectors`` may be float32 or held bfloat16 bits (``matcher.held_vectors``), which are
    widened a block at a time. The values agree with one product over all rows to float32
    rounding, not always to the last bit: BLAS groups and splits rows across threads by the
    matrix's height, so even one big product's last bits already varied with the thread count.
    These scores only choose which fitting records enter the pool; the ranked scores are
    computed afresh from the features.
    """
    n = len(rows)
    query = np.asarray(query, dtype=np.float32)
    out = np.empty(n, dtype=np.float32)
    block = np.empty((min(GATHER_BLOCK, n), vectors.shape[1]), dtype=vectors.dtype)
    held = vectors.dtype == HELD_DTYPE  # bfloat16 bits: widened a block at a time
    bits = np.empty(block.shape, dtype=np.uint32) if held else None
    for start in range(0, n, GATHER_BLOCK):
        part = rows[start : start + GATHER_BLOCK]
        view = block[: len(part)]
        np.take(vectors, part, axis=0, out=view)  # faster than fancy indexing
        wide = widen(view, bits[: len(part)]) if bits is not None else view
        out[start : start + len(part)] = wide @ query
    return out


def scope_mask(columns: CandidateColumns | VacancyColumns, include: Any) -> np.ndarray | None:
    """The scope as a boolean over ``[:columns.size]`` when it can say so from the columns
    (``matcher.scopes``), else None: then only the predicate itself can tell."""
    mask = getattr(include, "mask", None)
    if mask is None or not isinstance(columns, CandidateColumns):
        return None
    return np.asarray(mask(columns), dtype=bool)


def scoped_slots(
    columns: CandidateColumns | VacancyColumns,
    records: Mapping[str, Any],
    include: Callable[[Any], bool],
) -> np.ndarray:
    """The alive slots whose record ``include`` accepts, ascending; rank them with ``include``.

    When a caller's scope (one school's students, one employer's vacancies) leaves fewer than
    ``k`` in the pool, ranking exactly these finds the same best ``k`` as ranking every record
    and filtering, at the cost of one cheap predicate call per record instead of full scoring
    (none at all for a scope the columns answer, see ``scope_mask``).
    """
    slot_of = columns.slot_of
    mask = scope_mask(columns, include)
    if mask is not None:
        picked = np.flatnonzero(mask & columns.arrays["alive"][: columns.size]).tolist()
    else:
        picked = [slot_of[rid] for rid, record in records.items() if include(record)]
    return np.sort(np.asarray(picked, dtype=np.int64))


def with_companion(columns: CandidateColumns | VacancyColumns, slots: np.ndarray) -> np.ndarray:
    """``slots``, and a second slot beside a lone one (rank with ``include``, which drops it):
    numpy scores a single row as a dot product whose last bit can differ from the same row
    scored within a matrix, as it was when every record was ranked."""
    if len(slots) != 1 or len(columns) < 2:
        return slots
    other = next(s for s in columns.slot_of.values() if s != int(slots[0]))
    return np.sort(np.append(slots, other))
