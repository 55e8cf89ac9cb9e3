"""Feature rows for given (vacancy, candidate) pairs, exactly as a ranked query computes them.

Training a scorer on recorded outcomes needs the features the live ranking saw for each pair,
not a re-implementation: rows here come from the same columns, BM25 scaling and feature code
as ``Matcher.recommend_candidates`` (lexical similarity relative to the vacancy's best-matching
candidate), so a scorer trained on them ranks live queries on the same scale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from matcher.columns import Today
from matcher.features import FEATURES

if TYPE_CHECKING:
    from matcher.engine import Matcher


@dataclass(frozen=True)
class PairRows:
    """One row per requested pair; rows of unknown records are NaN with ``known`` False."""

    matrix: np.ndarray  # (n, len(FEATURES)) float32
    known: np.ndarray  # (n,) bool: both records are indexed
    eligible: np.ndarray  # (n,) bool: no hard requirement blocks the pair
    score: np.ndarray  # (n,) float32: what the matcher's own scorer gives the row (NaN if unknown)
    measured: np.ndarray  # (n, len(FEATURES)) bool: False where a value is the 0.5 for "not said"


def pair_features(
    matcher: Matcher, pairs: Sequence[tuple[str, str]], *, as_of: date | None = None
) -> PairRows:
    """Features of each ``(vacancy_id, candidate_id)`` pair, grouped by vacancy for speed."""
    n = len(pairs)
    matrix = np.full((n, len(FEATURES)), np.nan, dtype=np.float32)
    known = np.zeros(n, dtype=bool)
    eligible = np.zeros(n, dtype=bool)
    scores = np.full(n, np.nan, dtype=np.float32)
    measured = np.ones((n, len(FEATURES)), dtype=bool)
    if n == 0:
        return PairRows(matrix, known, eligible, scores, measured)
    matcher._require_fitted()
    today = Today.of(as_of or date.today())
    cand_slots = matcher.candidate_columns_.slot_of
    vac_slots = matcher.vacancy_columns_.slot_of
    by_vacancy: dict[str, list[int]] = {}
    for i, (vid, cid) in enumerate(pairs):
        if vid in vac_slots and cid in cand_slots:
            by_vacancy.setdefault(vid, []).append(i)
    size = matcher.candidate_columns_.size
    for vid, rows in by_vacancy.items():
        raw = matcher.candidate_lexical_.score_array(matcher.vacancy_profiles_[vid].tokens, size)
        top = float(raw.max()) if raw.size else 0.0
        cs = np.asarray([cand_slots[pairs[i][1]] for i in rows], dtype=np.int64)
        vs = np.full(len(rows), vac_slots[vid], dtype=np.int64)
        lexical = raw[cs] / top if top > 0 else raw[cs]
        score, ok, _, feats = matcher._score(cs, vs, lexical, today)
        idx = np.asarray(rows)
        matrix[idx] = feats.matrix()
        measured[idx] = feats.measured_matrix()
        known[idx] = True
        eligible[idx] = ok
        scores[idx] = score
    return PairRows(matrix, known, eligible, scores, measured)
