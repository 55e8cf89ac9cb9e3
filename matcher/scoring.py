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
    """Anything that scores rows of the feature matrix (columns in ``FEATURES`` order).

    ``measured`` (same shape, bool) says which values were measured rather than put in as 0.5
    for what a record does not say (``PairFeatures.measured_matrix``); None means all were. A
    scorer may ignore it: a learned one has seen the 0.5s in training and learned what they mean.
    """

    def score(self, features: np.ndarray, measured: np.ndarray | None = None) -> np.ndarray: ...


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

    def score(self, features: np.ndarray, measured: np.ndarray | None = None) -> np.ndarray:
        """The weighted mean of the measured features: a feature a pair's records do not speak
        to gives its weight to the others instead of a fixed 0.5, which would rank a vacancy that
        names nothing above ones whose stated needs a candidate meets in part."""
        w = self._vector()
        # The day-one columns are summed exactly as before later features existed, so a feature
        # added with weight 0 changes no default score, not even in the last bit (nor any tie).
        head = len(DAY_ONE_FEATURES)
        out = np.ascontiguousarray(features[:, :head]) @ w[:head]
        if w[head:].any():
            out = out + features[:, head:] @ w[head:]
        out = np.asarray(out, dtype=np.float32)
        if measured is None:
            return out
        partial = np.flatnonzero(~measured[:, w > 0].all(axis=1))
        if len(partial):
            weights = measured[partial] * w  # (rows, features): the weights of what was measured
            total = weights.sum(axis=1)
            has_any = total > 0  # nothing weighted measured at all: the plain sum, 0.5s and all
            rows = partial[has_any]
            mean = (features[rows] * weights[has_any]).sum(axis=1) / total[has_any]
            out[rows] = mean.astype(np.float32)
        return out

    def without(self, *names: str) -> WeightedScorer:
        """The same scorer with some signals switched off (for ablations)."""
        return WeightedScorer({k: (0.0 if k in names else w) for k, w in self.weights.items()})
