"""The learned scorer: gradient-boosted trees that start from the default scorer.

``LearnedScorer`` is a plain scikit-learn regressor (it passes ``check_estimator``). Given the
engine's feature names and the default weights, it appends the default score as an input column
and begins boosting from that score, calibrated to the outcome scale (``CalibratedPrior``): with
no trees it ranks exactly as the default does, and each tree is a correction learned from
outcomes. That is the sense in which the default is the prior.

``TreeEnsemble`` is the same model as plain arrays, for saving without pickle and predicting with
numpy; ``OutcomeScorer`` makes either a ``matcher.scoring.Scorer`` that falls back to the default
scorer when it has no model or the engine lacks a feature the model needs. Both live in
``matcher.learning.outcome_scorer``, without scikit-learn, so serving never imports it; they are
re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from matcher.learning.outcome_scorer import OutcomeScorer, Predictor, TreeEnsemble

__all__ = [
    "CalibratedPrior",
    "LearnedScorer",
    "OutcomeScorer",
    "Predictor",
    "TreeEnsemble",
    "prior_vector",
]


def prior_vector(feature_names: Sequence[str], weights: Mapping[str, float]) -> np.ndarray:
    """The default scorer's weights in ``feature_names`` order, summing to 1."""
    w = np.asarray([float(weights.get(name, 0.0)) for name in feature_names], dtype=np.float64)
    if w.sum() <= 0:
        raise ValueError("prior_weights must give some feature a positive weight")
    return w / w.sum()


class CalibratedPrior(RegressorMixin, BaseEstimator):
    """``intercept + slope * X[:, column]`` with ``slope >= 0``: a score mapped onto the target.

    Boosting starts here; a non-negative slope keeps the prior's order of candidates.
    """

    def __init__(self, column: int = -1) -> None:
        self.column = column

    def fit(
        self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None
    ) -> CalibratedPrior:
        X, y = validate_data(self, X, y, y_numeric=True)
        w = _check_sample_weight(sample_weight, X)
        x = np.asarray(X[:, self.column], dtype=np.float64)
        total = w.sum()
        mx, my = (w @ x) / total, (w @ y) / total
        var = w @ (x - mx) ** 2
        slope = float(w @ ((x - mx) * (y - my)) / var) if var > 0 else 0.0
        self.slope_ = max(slope, 0.0)
        self.intercept_ = float(my - self.slope_ * mx)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return self.intercept_ + self.slope_ * np.asarray(X[:, self.column], dtype=np.float64)


class LearnedScorer(RegressorMixin, BaseEstimator):
    """Predicts an outcome target in [0, 1] (see ``matcher.learning.outcomes``) from features.

    With ``feature_names`` and ``prior_weights`` (the engine's ``FEATURES`` and
    ``DEFAULT_WEIGHTS``) the default score is an extra input and the starting point; without them
    it is an ordinary boosted regressor on whatever columns it is given.
    """

    def __init__(
        self,
        feature_names: Sequence[str] | None = None,
        prior_weights: Mapping[str, float] | None = None,
        n_estimators: int = 100,
        learning_rate: float = 0.05,
        max_depth: int = 3,
        min_samples_leaf: int = 40,
        random_state: int = 0,
    ) -> None:
        self.feature_names = feature_names
        self.prior_weights = prior_weights
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.random_state = random_state

    def _prior(self, n_features: int) -> np.ndarray | None:
        if self.feature_names is None or self.prior_weights is None:
            return None
        if len(self.feature_names) != n_features:
            raise ValueError(
                f"X has {n_features} columns but feature_names names {len(self.feature_names)}"
            )
        return prior_vector(self.feature_names, self.prior_weights)

    def _inputs(self, X: np.ndarray) -> np.ndarray:
        if self.prior_ is None:
            return X
        return np.column_stack([X, np.asarray(X, dtype=np.float64) @ self.prior_])

    def fit(
        self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None
    ) -> LearnedScorer:
        X, y = validate_data(self, X, y, y_numeric=True)
        sample_weight = _check_sample_weight(sample_weight, X)
        self.prior_ = self._prior(X.shape[1])
        self.model_ = GradientBoostingRegressor(
            n_estimators=self.n_estimators,
            learning_rate=self.learning_rate,
            max_depth=self.max_depth,
            min_samples_leaf=self.min_samples_leaf,
            random_state=self.random_state,
            init=CalibratedPrior(column=-1) if self.prior_ is not None else None,
        )
        self.model_.fit(self._inputs(X), y, sample_weight=sample_weight)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return np.asarray(self.model_.predict(self._inputs(X)), dtype=np.float64)

    def to_ensemble(self) -> TreeEnsemble:
        """The fitted model as plain arrays (what an artifact stores)."""
        check_is_fitted(self)
        init = self.model_.init_
        if isinstance(init, CalibratedPrior):
            start = {"intercept": init.intercept_, "slope": init.slope_}
        else:
            start = {"intercept": float(np.ravel(init.constant_)[0]), "slope": 0.0}
        trees = []
        for est in self.model_.estimators_[:, 0]:
            t = est.tree_
            trees.append(
                {
                    "feature": t.feature.tolist(),
                    "threshold": t.threshold.tolist(),
                    "left": t.children_left.tolist(),
                    "right": t.children_right.tolist(),
                    "value": t.value[:, 0, 0].tolist(),
                }
            )
        names = list(self.feature_names or [f"x{i}" for i in range(self.n_features_in_)])
        return TreeEnsemble(
            {
                "format": TreeEnsemble.FORMAT,
                "features": names,
                "prior": None if self.prior_ is None else self.prior_.tolist(),
                "init": start,
                "learning_rate": float(self.learning_rate),
                "trees": trees,
            }
        )
