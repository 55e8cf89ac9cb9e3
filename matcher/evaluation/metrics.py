"""Ranking metrics with graded relevance, written out so every number can be checked by hand.

Conventions (the same for every metric, so numbers from different benchmarks compare):

* A **run** maps a query id to its ranking: either a list of document ids, best first, or a
  mapping ``{doc_id: score}`` (sorted by score descending, ties broken by doc id ascending, so a
  run is deterministic whatever order the dict was built in). A repeated doc id counts once, at
  its first (best) position.
* **qrels** map a query id to ``{doc_id: grade}``. Grades are integers; ``grade >= 1`` is
  relevant for the binary metrics (AP, MRR, recall, precision); nDCG uses the grade itself.
* **Gain** for nDCG is exponential, ``2**grade - 1`` (Burges et al.): a direct fit (grade 2)
  is worth three acceptable ones (grade 1), which is what a BKK officer feels when the first
  screen shows a welder vacancy to a welding graduate rather than a generic operator job.
  ``gain="linear"`` (``grade`` itself, trec_eval's choice) is available for comparison.
* A query **with no relevant judgement** (no doc with grade >= 1) has no defined recall, AP or
  nDCG; it is left out of the per-query scores and the means (trec_eval would score it 0, which
  only dilutes a mean with queries that say nothing about ranking). :func:`evaluate` reports how
  many were left out.
* A query with judgements but **missing from the run** scores 0 on everything: a system that
  returns nothing for a query is wrong for it, not excused.
* Queries in the run without qrels are ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Literal

import numpy as np

Ranking = Sequence[str] | Mapping[str, float]
Run = Mapping[str, Ranking]
Qrels = Mapping[str, Mapping[str, int]]
Gain = Literal["exponential", "linear"]

__all__ = [
    "METRICS",
    "average_precision",
    "evaluate",
    "mean_average_precision",
    "mean_metric",
    "ndcg_at_k",
    "normalise_ranking",
    "per_query",
    "precision_at_k",
    "recall_at_k",
    "reciprocal_rank",
]


def normalise_ranking(ranking: Ranking) -> list[str]:
    """Turn a list or a ``{doc: score}`` mapping into a duplicate-free list, best first."""
    if isinstance(ranking, Mapping):
        items = sorted(ranking.items(), key=lambda item: (-float(item[1]), str(item[0])))
        ordered: Iterable[str] = (str(doc) for doc, _ in items)
    else:
        ordered = (str(doc) for doc in ranking)
    return list(dict.fromkeys(ordered))


def _check_k(k: int | None) -> None:
    if k is not None and k < 1:
        raise ValueError(f"k must be a positive integer or None, got {k!r}")


def _gain(grades: np.ndarray, gain: Gain) -> np.ndarray:
    if gain == "exponential":
        return np.power(2.0, grades) - 1.0
    if gain == "linear":
        return grades.astype(float)
    raise ValueError(f"gain must be 'exponential' or 'linear', got {gain!r}")


def _relevant(judged: Mapping[str, int]) -> set[str]:
    return {doc for doc, grade in judged.items() if grade >= 1}


def ndcg_at_k(
    ranking: Ranking, judged: Mapping[str, int], k: int | None = 10, gain: Gain = "exponential"
) -> float:
    """nDCG@k of one ranking: DCG with ``log2(rank + 1)`` discount over the ideal DCG.

    Negative grades count as 0 (no penalty), so the score stays in [0, 1].
    """
    _check_k(k)
    docs = normalise_ranking(ranking)[:k]
    grades = np.array([max(judged.get(d, 0), 0) for d in docs], dtype=float)
    ideal = np.sort(np.array([max(g, 0) for g in judged.values()], dtype=float))[::-1][:k]
    if ideal.size == 0 or ideal[0] <= 0:
        return float("nan")
    discounts = 1.0 / np.log2(np.arange(2, max(len(docs), len(ideal)) + 2))
    dcg = float(np.sum(_gain(grades, gain) * discounts[: len(grades)]))
    idcg = float(np.sum(_gain(ideal, gain) * discounts[: len(ideal)]))
    return dcg / idcg


def average_precision(ranking: Ranking, judged: Mapping[str, int], k: int | None = None) -> float:
    """AP: mean of precision at each relevant hit, over *all* relevant docs (missed ones add 0)."""
    _check_k(k)
    relevant = _relevant(judged)
    if not relevant:
        return float("nan")
    hits, total = 0, 0.0
    for rank, doc in enumerate(normalise_ranking(ranking)[:k], start=1):
        if doc in relevant:
            hits += 1
            total += hits / rank
    return total / len(relevant)


def reciprocal_rank(ranking: Ranking, judged: Mapping[str, int], k: int | None = None) -> float:
    """1 / rank of the first relevant doc (within k); 0 when none is found."""
    _check_k(k)
    relevant = _relevant(judged)
    if not relevant:
        return float("nan")
    for rank, doc in enumerate(normalise_ranking(ranking)[:k], start=1):
        if doc in relevant:
            return 1.0 / rank
    return 0.0


def recall_at_k(ranking: Ranking, judged: Mapping[str, int], k: int | None = 10) -> float:
    """Share of the relevant docs found in the top k."""
    _check_k(k)
    relevant = _relevant(judged)
    if not relevant:
        return float("nan")
    found = sum(1 for doc in normalise_ranking(ranking)[:k] if doc in relevant)
    return found / len(relevant)


def precision_at_k(ranking: Ranking, judged: Mapping[str, int], k: int = 10) -> float:
    """Relevant docs in the top k divided by k (a short list is not rewarded for being short)."""
    if k is None or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    if not _relevant(judged):
        return float("nan")
    relevant = _relevant(judged)
    return sum(1 for doc in normalise_ranking(ranking)[:k] if doc in relevant) / k


PerQuery = Callable[[Ranking, Mapping[str, int]], float]

#: Metric names understood by :func:`evaluate`, e.g. ``"ndcg@10"``, ``"map"``, ``"recall@50"``.
METRICS: dict[str, Callable[[int | None], PerQuery]] = {
    "ndcg": lambda k: lambda r, j: ndcg_at_k(r, j, k),
    "ndcg_linear": lambda k: lambda r, j: ndcg_at_k(r, j, k, gain="linear"),
    "map": lambda k: lambda r, j: average_precision(r, j, k),
    "mrr": lambda k: lambda r, j: reciprocal_rank(r, j, k),
    "recall": lambda k: lambda r, j: recall_at_k(r, j, k),
    "precision": lambda k: lambda r, j: precision_at_k(r, j, k if k is not None else 10),
}


def _parse(name: str) -> PerQuery:
    base, _, cut = name.partition("@")
    if base not in METRICS:
        raise ValueError(f"unknown metric {name!r}; known: {sorted(METRICS)} with optional @k")
    return METRICS[base](int(cut) if cut else None)


def per_query(metric: str, run: Run, qrels: Qrels) -> dict[str, float]:
    """Score of every judged query that has a relevant doc, in sorted query-id order.

    The per-query dict is what a paired test needs; both systems must be scored on the same qrels.
    """
    fn = _parse(metric)
    scores: dict[str, float] = {}
    for qid in sorted(qrels):
        judged = qrels[qid]
        if not _relevant(judged):
            continue
        scores[qid] = fn(run.get(qid, []), judged)
    return scores


def mean_metric(metric: str, run: Run, qrels: Qrels) -> float:
    """Mean of :func:`per_query` (NaN when no query has a relevant doc)."""
    values = list(per_query(metric, run, qrels).values())
    return float(np.mean(values)) if values else float("nan")


def mean_average_precision(run: Run, qrels: Qrels, k: int | None = None) -> float:
    """MAP over the judged queries with at least one relevant doc."""
    return mean_metric("map" if k is None else f"map@{k}", run, qrels)


def evaluate(run: Run, qrels: Qrels, metrics: Sequence[str]) -> dict[str, float]:
    """Means of several metrics plus ``n_queries`` and ``n_queries_without_relevant``."""
    result = {m: mean_metric(m, run, qrels) for m in metrics}
    result["n_queries"] = float(sum(1 for j in qrels.values() if _relevant(j)))
    result["n_queries_without_relevant"] = float(sum(1 for j in qrels.values() if not _relevant(j)))
    return result
