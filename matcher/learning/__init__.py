"""Learning from outcomes: a scorer trained on what employers did with the shortlists.

``outcomes`` turns recorded events into labels, ``dataset`` gives each labelled pair the engine's
features and splits by time, ``scorer`` holds the estimator, ``outcome_scorer`` the ``Scorer``
adapter and the tree ensemble it serves, ``training`` fits and compares with the default,
``artifact`` saves, loads and chooses versions, and ``simulator`` plays out BKK outcomes on the
demo data to show that it learns.

The names below are imported on first use (PEP 562), each from its own module: the service loads
a scorer on every start through ``ModelRegistry`` and ``OutcomeScorer``, which need numpy only,
while training needs scikit-learn, whose import (scipy and pandas with it) took about a second.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matcher.learning.artifact import ModelRegistry, load_artifact, save_artifact
    from matcher.learning.dataset import (
        TrainingSet,
        build_training_set,
        ranking_metrics,
        time_split,
    )
    from matcher.learning.outcome_scorer import OutcomeScorer, TreeEnsemble
    from matcher.learning.outcomes import OutcomeEvent, PairLabel, label_pairs
    from matcher.learning.scorer import LearnedScorer
    from matcher.learning.training import NotEnoughOutcomesError, TrainingReport, train_scorer

#: public name -> the module that defines it
_HOMES = {
    "LearnedScorer": "matcher.learning.scorer",
    "ModelRegistry": "matcher.learning.artifact",
    "NotEnoughOutcomesError": "matcher.learning.training",
    "OutcomeEvent": "matcher.learning.outcomes",
    "OutcomeScorer": "matcher.learning.outcome_scorer",
    "PairLabel": "matcher.learning.outcomes",
    "TrainingReport": "matcher.learning.training",
    "TrainingSet": "matcher.learning.dataset",
    "TreeEnsemble": "matcher.learning.outcome_scorer",
    "build_training_set": "matcher.learning.dataset",
    "label_pairs": "matcher.learning.outcomes",
    "load_artifact": "matcher.learning.artifact",
    "ranking_metrics": "matcher.learning.dataset",
    "save_artifact": "matcher.learning.artifact",
    "time_split": "matcher.learning.dataset",
    "train_scorer": "matcher.learning.training",
}

__all__ = [
    "LearnedScorer",
    "ModelRegistry",
    "NotEnoughOutcomesError",
    "OutcomeEvent",
    "OutcomeScorer",
    "PairLabel",
    "TrainingReport",
    "TrainingSet",
    "TreeEnsemble",
    "build_training_set",
    "label_pairs",
    "load_artifact",
    "ranking_metrics",
    "save_artifact",
    "time_split",
    "train_scorer",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
