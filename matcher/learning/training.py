"""Train the learned scorer on outcomes and judge it against the default on a time holdout.

One function, used by ``cocok train`` and by ``benchmarks/learning.py`` alike, so the figures a
model card reports are the figures the benchmark reproduces.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np

from matcher.engine import Matcher
from matcher.features import FEATURES
from matcher.learning.dataset import TrainingSet, build_training_set, ranking_metrics, time_split
from matcher.learning.outcomes import OutcomeEvent
from matcher.learning.scorer import LearnedScorer
from matcher.scoring import DEFAULT_WEIGHTS, WeightedScorer

METRIC = "ndcg@10"


@dataclass
class TrainingReport:
    model: LearnedScorer
    learned: dict[str, float]  # holdout metrics of the learned scorer
    default: dict[str, float]  # holdout metrics of the default scorer, same pairs
    n_events: int
    n_train_pairs: int
    n_test_pairs: int
    window: tuple[datetime, datetime] | None  # first and last time a labelled pair was shown
    holdout_from: datetime | None  # when the held-out vacancies begin

    @property
    def gain(self) -> float:
        """Relative nDCG@10 gain of the learned scorer over the default on the holdout."""
        base = self.default[METRIC]
        return (self.learned[METRIC] - base) / base if base > 0 else 0.0

    @property
    def beats_default(self) -> bool:
        return self.learned[METRIC] > self.default[METRIC]


class NotEnoughOutcomesError(ValueError):
    """Too few labelled pairs, or no graded outcome on one side of the split, to train."""


def fit_and_compare(
    train: TrainingSet, test: TrainingSet, params: Mapping[str, Any] | None = None
) -> tuple[LearnedScorer, dict[str, float], dict[str, float]]:
    """Fit on ``train``; nDCG@10 and MAP on ``test`` for the learned and the default scorer."""
    model = LearnedScorer(feature_names=FEATURES, prior_weights=DEFAULT_WEIGHTS, **(params or {}))
    model.fit(train.X, train.target, sample_weight=train.weight)
    learned = ranking_metrics(test, model.predict(test.X))
    default = ranking_metrics(test, WeightedScorer().score(test.X, test.measured))
    return model, learned, default


def relative_gain(learned: dict[str, float], default: dict[str, float]) -> float:
    """Relative gain of the mean metric over the vacancies both have."""
    keys = sorted(set(learned) & set(default))
    base = float(np.mean([default[k] for k in keys]))
    return float(np.mean([learned[k] for k in keys])) / base - 1.0 if base > 0 else 0.0


def bootstrap_gain(
    per_seed: list[tuple[dict[str, float], dict[str, float]]],
    *,
    n_resamples: int = 10_000,
    seed: int = 2026,
) -> tuple[float, float, float]:
    """Pooled relative gain and its 95% percentile interval.

    Held-out vacancies are pooled across seeds and resampled within each seed (stratified), so
    every resample keeps each seed's share; learned and default stay paired per vacancy.
    """
    rng = np.random.default_rng(seed)
    blocks = []
    for learned, default in per_seed:
        keys = sorted(set(learned) & set(default))
        blocks.append(np.asarray([[learned[k], default[k]] for k in keys], dtype=np.float64))
    pooled = np.concatenate(blocks)
    point = pooled[:, 0].mean() / pooled[:, 1].mean() - 1.0
    sums = np.zeros((n_resamples, 2))
    for block in blocks:
        idx = rng.integers(0, len(block), size=(n_resamples, len(block)))
        sums += block[idx].sum(axis=1)
    gains = sums[:, 0] / sums[:, 1] - 1.0
    low, high = np.quantile(gains, [0.025, 0.975])
    return float(point), float(low), float(high)


def train_scorer(
    events: Iterable[OutcomeEvent],
    matcher: Matcher,
    *,
    as_of: date | None = None,
    holdout: float = 0.25,
    min_pairs: int = 50,
    params: Mapping[str, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> TrainingReport:
    """Build features for every labelled pair, split by time, fit, and compare on the holdout."""
    events = list(events)
    data = build_training_set(events, matcher, as_of=as_of, progress=progress)
    train, test = time_split(data, holdout)
    if len(train) < min_pairs or not (train.grade > 0).any() or not (test.grade > 0).any():
        raise NotEnoughOutcomesError(
            f"{len(train)} training pairs and {int((test.grade > 0).sum())} held-out positives: "
            f"need at least {min_pairs} pairs and positives on both sides of the split"
        )
    model, learned, default = fit_and_compare(train, test, params)
    window = data.window()
    test_window = test.window()
    return TrainingReport(
        model=model,
        learned=learned,
        default=default,
        n_events=len(events),
        n_train_pairs=len(train),
        n_test_pairs=len(test),
        window=window,
        holdout_from=test_window[0] if test_window else None,
    )
