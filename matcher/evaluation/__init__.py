"""Offline evaluation of rankings: metrics, TREC files and paired significance tests.

Used by ``benchmarks/quality.py`` (``make eval``); conventions are in :mod:`.metrics`.
"""

from matcher.evaluation.metrics import (
    METRICS,
    average_precision,
    evaluate,
    mean_average_precision,
    mean_metric,
    ndcg_at_k,
    normalise_ranking,
    per_query,
    precision_at_k,
    recall_at_k,
    reciprocal_rank,
)
from matcher.evaluation.significance import PairedComparison, compare_paired
from matcher.evaluation.trec import read_qrels, read_run, write_qrels, write_run

__all__ = [
    "METRICS",
    "PairedComparison",
    "average_precision",
    "compare_paired",
    "evaluate",
    "mean_average_precision",
    "mean_metric",
    "ndcg_at_k",
    "normalise_ranking",
    "per_query",
    "precision_at_k",
    "read_qrels",
    "read_run",
    "recall_at_k",
    "reciprocal_rank",
    "write_qrels",
    "write_run",
]
