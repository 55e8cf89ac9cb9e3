"""Scorers turn a feature matrix into one number per pair.

The default scorer is a weighted sum chosen from how BKK officers shortlist: the program fit
first, then concrete skills, then what the texts share, with distance and experience as
tie-breakers. It needs no training data, so cocok is useful on day one; a learned scorer trained
on recorded outcomes (see ``matcher.learning``) can replace it and falls back to it.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from matcher.features import FEATURES


@runtime_checkable
class Scorer(Protocol):
    """Anything that scores rows of the feature matrix (columns in ``FEATURES`` order)."""

    def score(self, features: np.ndarray) -> np.ndarray: ...


#: The features the default weights were chosen for; later ones start at weight 0.
DAY_ONE_FEATURES = FEATURES[:7]

DEFAULT_WEIGHTS: dict[str, float] = {
    "program_fit": 0.40,
    "skill_coverage": 0.15,
    "lexical": 0.15,
    "dense": 0.15,
    "proximity": 0.08,
    "experience_fit": 0.05,
    "salary_fit": 0.02,
    # known to the learned scorer only: weight 0 keeps the day-one ranking as it was
    "certificate_match": 0.0,
    "work_experience": 0.0,
}


class WeightedScorer:
    """A fixed convex combination of features; scores stay in [0, 1]."""

    def __init__(self, weights: dict[str, float] | None = None) -> None:
        self.weights = dict(DEFAULT_WEIGHTS if weights is None else weights)

    def _vector(self) -> np.ndarray:
        unknown = set(self.weights) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown feature weights: {sorted(unknown)}")
        w = np.asarray([self.weights.get(name, 0.0) for name in FEATURES], dtype=np.float32)
        total = float(w.sum())
        if total <= 0:
            raise ValueError("at least one feature weight must be positive")
        return w / total

    def score(self, features: np.ndarray) -> np.ndarray:
        w = self._vector()
        # The day-one columns are summed exactly as before later features existed, so a feature
        # added with weight 0 changes no default score, not even in the last bit (nor any tie).
        head = len(DAY_ONE_FEATURES)
        out = np.ascontiguousarray(features[:, :head]) @ w[:head]
        if w[head:].any():
            out = out + features[:, head:] @ w[head:]
        return np.asarray(out, dtype=np.float32)

    def without(self, *names: str) -> WeightedScorer:
        """The same scorer with some signals switched off (for ablations)."""
        return WeightedScorer({k: (0.0 if k in names else w) for k, w in self.weights.items()})
