"""Learning from outcomes: a scorer trained on what employers did with the shortlists.

``outcomes`` turns recorded events into labels, ``dataset`` gives each labelled pair the engine's
features and splits by time, ``scorer`` holds the estimator and the ``Scorer`` adapter,
``training`` fits and compares with the default, ``artifact`` saves, loads and chooses versions,
and ``simulator`` plays out BKK outcomes on the demo data to show that it learns.
"""

from matcher.learning.artifact import ModelRegistry, load_artifact, save_artifact
from matcher.learning.dataset import TrainingSet, build_training_set, ranking_metrics, time_split
from matcher.learning.outcomes import OutcomeEvent, PairLabel, label_pairs
from matcher.learning.scorer import LearnedScorer, OutcomeScorer, TreeEnsemble
from matcher.learning.training import NotEnoughOutcomesError, TrainingReport, train_scorer

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
