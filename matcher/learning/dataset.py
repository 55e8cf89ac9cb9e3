"""From outcome events to a training set of engine features, and its time-ordered holdout.

Each labelled pair gets the feature row the live ranking computes for it
(``matcher.pair_features``). The holdout is the latest share of vacancies by when they were
first shown, so the scorer is judged on outcomes that happened after everything it learned from,
as it will be in use; a vacancy is never split between the two sides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

from matcher.engine import Matcher
from matcher.evaluation import evaluate, per_query
from matcher.features import FEATURES
from matcher.learning.outcomes import OutcomeEvent, label_pairs
from matcher.pair_features import pair_features

#: pairs per call to the engine, so progress can be shown on large outcome tables
CHUNK = 2000


@dataclass(frozen=True)
class TrainingSet:
    vacancy_ids: list[str]
    candidate_ids: list[str]
    X: np.ndarray  # (n, len(features)) float32
    target: np.ndarray  # (n,) in [0, 1]
    weight: np.ndarray  # (n,)
    grade: np.ndarray  # (n,) int, 0-3
    first_at: list[datetime]
    features: tuple[str, ...] = FEATURES
    #: (n, len(features)) bool, False where X holds the 0.5 for what a record does not say;
    #: None: every value measured. The default scorer weighs only measured values.
    measured: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.vacancy_ids)

    def subset(self, mask: np.ndarray) -> TrainingSet:
        idx = np.flatnonzero(mask)
        return TrainingSet(
            vacancy_ids=[self.vacancy_ids[i] for i in idx],
            candidate_ids=[self.candidate_ids[i] for i in idx],
            X=self.X[idx],
            target=self.target[idx],
            weight=self.weight[idx],
            grade=self.grade[idx],
            first_at=[self.first_at[i] for i in idx],
            features=self.features,
            measured=None if self.measured is None else self.measured[idx],
        )

    def window(self) -> tuple[datetime, datetime] | None:
        return (min(self.first_at), max(self.first_at)) if self.first_at else None


def build_training_set(
    events: Iterable[OutcomeEvent],
    matcher: Matcher,
    *,
    as_of: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> TrainingSet:
    """Label every pair and give it the engine's features; pairs the engine no longer holds
    (a deleted candidate or vacancy) are dropped."""
    labels = label_pairs(events)
    pairs = [(lab.vacancy_id, lab.candidate_id) for lab in labels]
    n = len(pairs)
    X = np.full((n, len(FEATURES)), np.nan, dtype=np.float32)
    known = np.zeros(n, dtype=bool)
    measured = np.ones((n, len(FEATURES)), dtype=bool)
    for start in range(0, n, CHUNK):
        rows = pair_features(matcher, pairs[start : start + CHUNK], as_of=as_of)
        X[start : start + CHUNK] = rows.matrix
        known[start : start + CHUNK] = rows.known
        measured[start : start + CHUNK] = rows.measured
        if progress is not None:
            progress(min(start + CHUNK, n), n)
    full = TrainingSet(
        vacancy_ids=[p[0] for p in pairs],
        candidate_ids=[p[1] for p in pairs],
        X=X,
        target=np.asarray([lab.target for lab in labels], dtype=np.float64),
        weight=np.asarray([lab.weight for lab in labels], dtype=np.float64),
        grade=np.asarray([lab.grade for lab in labels], dtype=np.int64),
        first_at=[lab.first_at for lab in labels],
        measured=measured,
    )
    return full.subset(known)


def time_split(data: TrainingSet, holdout: float = 0.25) -> tuple[TrainingSet, TrainingSet]:
    """Train on the earlier vacancies, hold out the latest ``holdout`` share of them."""
    if not 0.0 < holdout < 1.0:
        raise ValueError(f"holdout must be between 0 and 1, got {holdout!r}")
    first: dict[str, datetime] = {}
    for vid, at in zip(data.vacancy_ids, data.first_at, strict=True):
        first[vid] = min(first.get(vid, at), at)
    ordered = sorted(first, key=lambda vid: (first[vid], vid))
    n_test = max(1, round(len(ordered) * holdout)) if len(ordered) > 1 else 0
    test_vacancies = set(ordered[len(ordered) - n_test :])
    in_test = np.asarray([vid in test_vacancies for vid in data.vacancy_ids], dtype=bool)
    return data.subset(~in_test), data.subset(in_test)


def judged_pool(
    matcher: Matcher,
    vacancy_ids: Iterable[str],
    judge: Callable[[str, list[str]], Mapping[str, int]],
    *,
    as_of: date | None = None,
) -> TrainingSet:
    """Every eligible candidate for each vacancy, with its features and ``judge``'s grade.

    For judging a ranking against a full verdict (the simulator's hidden utility) rather than
    against outcomes on lists that another ranking chose. The pool is every indexed candidate
    no hard requirement blocks, so neither scorer decides who is judged.
    """
    candidate_ids = [cid for cid in matcher.candidate_columns_.ids if cid]
    parts: list[TrainingSet] = []
    for vid in vacancy_ids:
        rows = pair_features(matcher, [(vid, cid) for cid in candidate_ids], as_of=as_of)
        keep = np.flatnonzero(rows.known & rows.eligible)
        cids = [candidate_ids[i] for i in keep]
        grades = judge(vid, cids)
        grade = np.asarray([grades[c] for c in cids], dtype=np.int64)
        parts.append(
            TrainingSet(
                vacancy_ids=[vid] * len(cids),
                candidate_ids=cids,
                X=rows.matrix[keep],
                target=grade / 3.0,
                weight=np.ones(len(cids)),
                grade=grade,
                first_at=[datetime.min] * len(cids),
                measured=rows.measured[keep],
            )
        )
    return TrainingSet(
        vacancy_ids=[v for p in parts for v in p.vacancy_ids],
        candidate_ids=[c for p in parts for c in p.candidate_ids],
        X=np.concatenate([p.X for p in parts]) if parts else np.zeros((0, len(FEATURES))),
        target=np.concatenate([p.target for p in parts]) if parts else np.zeros(0),
        weight=np.concatenate([p.weight for p in parts]) if parts else np.zeros(0),
        grade=np.concatenate([p.grade for p in parts]) if parts else np.zeros(0, np.int64),
        first_at=[t for p in parts for t in p.first_at],
        measured=(
            np.concatenate([p.measured for p in parts if p.measured is not None])
            if parts
            else np.zeros((0, len(FEATURES)), dtype=bool)
        ),
    )


def per_vacancy(data: TrainingSet, scores: np.ndarray, metric: str = "ndcg@10") -> dict[str, float]:
    """``metric`` of each vacancy with a graded candidate, for paired comparisons."""
    run: dict[str, dict[str, float]] = {}
    qrels: dict[str, dict[str, int]] = {}
    rows = zip(data.vacancy_ids, data.candidate_ids, scores, data.grade, strict=True)
    for vid, cid, score, grade in rows:
        run.setdefault(vid, {})[cid] = float(score)
        qrels.setdefault(vid, {})[cid] = int(grade)
    return per_query(metric, run, qrels)


def ranking_metrics(data: TrainingSet, scores: np.ndarray, k: int = 10) -> dict[str, float]:
    """nDCG@k and MAP of re-ranking each vacancy's shown candidates by ``scores``.

    Queries are vacancies; judged documents are the candidates shown for them, graded by how far
    each got (hired 3, interviewed 2, contacted 1). A vacancy with no graded candidate is skipped.
    """
    run: dict[str, dict[str, float]] = {}
    qrels: dict[str, dict[str, int]] = {}
    rows = zip(data.vacancy_ids, data.candidate_ids, scores, data.grade, strict=True)
    for vid, cid, score, grade in rows:
        run.setdefault(vid, {})[cid] = float(score)
        qrels.setdefault(vid, {})[cid] = int(grade)
    result = evaluate(run, qrels, [f"ndcg@{k}", "map"])
    return {
        f"ndcg@{k}": result[f"ndcg@{k}"],
        "map": result["map"],
        "n_vacancies": result["n_queries"],
        "n_pairs": float(len(data)),
    }
