"""The scorer the service serves with: a trained tree ensemble as plain arrays, behind the default.

``TreeEnsemble`` predicts exactly like the fitted ``LearnedScorer`` it was exported from, with
numpy alone; ``OutcomeScorer`` makes it (or any estimator) a ``matcher.scoring.Scorer`` that falls
back to the default scorer. Training lives in ``matcher.learning.scorer`` and
``matcher.learning.training``; this module is kept free of scikit-learn because every start of
the service loads a scorer, and importing scikit-learn (scipy and pandas with it) cost about a
second of that start.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np

from matcher.features import FEATURES
from matcher.scoring import Scorer, WeightedScorer


class TreeEnsemble:
    """A boosted-tree model as JSON-able arrays; predicts exactly like the fitted estimator."""

    FORMAT = "cocok-tree-ensemble/1"

    def __init__(self, doc: Mapping[str, Any]) -> None:
        if doc.get("format") != self.FORMAT:
            raise ValueError(f"not a {self.FORMAT} document: {doc.get('format')!r}")
        self.doc = dict(doc)
        self.features: list[str] = list(doc["features"])
        self.prior = None if doc["prior"] is None else np.asarray(doc["prior"], dtype=np.float64)
        self.trees = [
            {
                "feature": np.asarray(t["feature"], dtype=np.int64),
                "threshold": np.asarray(t["threshold"], dtype=np.float64),
                "left": np.asarray(t["left"], dtype=np.int64),
                "right": np.asarray(t["right"], dtype=np.int64),
                "value": np.asarray(t["value"], dtype=np.float64),
            }
            for t in doc["trees"]
        ]

    def predict(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != len(self.features):
            raise ValueError(f"expected {len(self.features)} feature columns, got {X.shape}")
        if self.prior is not None:
            X = np.column_stack([X, X @ self.prior])
        X32 = X.astype(np.float32)  # the trees were grown on float32 inputs
        init = self.doc["init"]
        if self.prior is None:
            out = np.full(len(X32), float(init["intercept"]))
        else:
            out = init["intercept"] + init["slope"] * X32[:, -1].astype(np.float64)
        lr = float(self.doc["learning_rate"])
        rows = np.arange(len(X32))
        for t in self.trees:
            node = np.zeros(len(X32), dtype=np.int64)
            while True:
                inner = t["left"][node] >= 0
                if not inner.any():
                    break
                idx = rows[inner]
                at = node[idx]
                go_left = X32[idx, t["feature"][at]] <= t["threshold"][at]
                node[idx] = np.where(go_left, t["left"][at], t["right"][at])
            out = out + lr * t["value"][node]
        return out

    def to_json(self) -> dict[str, Any]:
        return self.doc


class Predictor(Protocol):
    def predict(self, X: np.ndarray) -> np.ndarray: ...


class OutcomeScorer:
    """A ``Scorer`` over a trained model, with the default scorer behind it.

    Falls back to ``fallback`` (the default) for every row when there is no model or the engine
    lacks a feature the model was trained on, and for single rows with a missing value (NaN, which
    the default leaves out of its weighted mean like any value not measured). Scores are clipped
    to [0, 1] like every scorer's.
    """

    def __init__(
        self,
        model: Predictor | None,
        features: Sequence[str] = FEATURES,
        fallback: Scorer | None = None,
        name: str = "",
    ) -> None:
        self.model = model
        self.features = tuple(features)
        self.fallback = fallback or WeightedScorer()
        self.name = name

    @property
    def active(self) -> bool:
        """True when the model, not the fallback, scores."""
        if self.model is None or not set(self.features) <= set(FEATURES):
            return False
        return not _unfitted_estimator(self.model)

    def score(self, features: np.ndarray, measured: np.ndarray | None = None) -> np.ndarray:
        known = np.isfinite(features)
        if not known.all():  # a missing value is "unknown", 0.5, to the default scorer too
            features = np.where(known, features, np.float32(0.5)).astype(np.float32)
            measured = known if measured is None else measured & known
        base = np.asarray(self.fallback.score(features, measured), dtype=np.float32)
        model = self.model
        if model is None or not self.active or len(features) == 0:
            return base
        cols = [FEATURES.index(name) for name in self.features]
        X = np.asarray(features, dtype=np.float64)[:, cols]
        missing = ~known[:, cols].all(axis=1)
        out = np.asarray(model.predict(X), dtype=np.float32)
        out[missing] = base[missing]
        return np.clip(out, 0.0, 1.0)


def _unfitted_estimator(model: object) -> bool:
    """True for a scikit-learn estimator that has not been fitted yet.

    scikit-learn is looked up only where something already imported it: no estimator can exist
    before ``sklearn.base`` is loaded, and a served ``TreeEnsemble`` must not pay for the import.
    """
    base = sys.modules.get("sklearn.base")
    if base is None or not isinstance(model, base.BaseEstimator):
        return False
    from sklearn.utils.validation import check_is_fitted

    try:
        check_is_fitted(model)
    except Exception:
        return True
    return False
