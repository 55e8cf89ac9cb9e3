"""Paired comparison of two systems on the same queries: is the difference more than luck?

Queries differ far more from each other than systems do, so the tests are *paired* (per query
differences). Three views, because each answers a slightly different question:

* the paired **randomisation** (sign-flip permutation) test: under H0 the sign of each query's
  difference is a coin toss; two-sided p with the +1 correction, so p is never exactly 0;
* the paired **t-test** (scipy ``ttest_rel``), the usual reference in IR papers;
* a percentile **bootstrap** 95% CI of the mean difference, which says how big, not just whether.

All randomness comes from one ``numpy.random.Generator`` seeded by ``seed``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats

__all__ = ["PairedComparison", "compare_paired"]


@dataclass(frozen=True)
class PairedComparison:
    """Result of :func:`compare_paired`; ``mean_diff`` is ``mean(a) - mean(b)``."""

    n: int
    mean_a: float
    mean_b: float
    mean_diff: float
    p_randomisation: float
    p_ttest: float
    ci_low: float
    ci_high: float

    def as_dict(self) -> dict[str, float]:
        return {key: float(value) for key, value in asdict(self).items()}


def compare_paired(
    a: Mapping[str, float],
    b: Mapping[str, float],
    *,
    n_resamples: int = 10_000,
    seed: int = 2026,
    confidence: float = 0.95,
) -> PairedComparison:
    """Compare per-query scores of system ``a`` and ``b`` over the queries both have.

    Queries present in only one mapping, or NaN in either, are dropped (they cannot be paired).
    With fewer than two pairs the p-values and CI are NaN.
    """
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be positive, got {n_resamples}")
    common = sorted(q for q in set(a) & set(b) if np.isfinite(a[q]) and np.isfinite(b[q]))
    x = np.array([a[q] for q in common], dtype=float)
    y = np.array([b[q] for q in common], dtype=float)
    n = len(common)
    if n == 0:
        nan = float("nan")
        return PairedComparison(0, nan, nan, nan, nan, nan, nan, nan)
    diff = x - y
    observed = float(diff.mean())
    if n < 2:
        nan = float("nan")
        return PairedComparison(n, float(x.mean()), float(y.mean()), observed, nan, nan, nan, nan)
    rng = np.random.default_rng(seed)
    signs = rng.choice(np.array([-1.0, 1.0]), size=(n_resamples, n))
    null = (signs * diff).mean(axis=1)
    extreme = int(np.sum(np.abs(null) >= abs(observed) - 1e-12))
    p_rand = (extreme + 1) / (n_resamples + 1)
    if np.allclose(diff, diff[0]):
        p_t = 1.0 if diff[0] == 0 else 0.0  # no variance: t is undefined, the answer is not
    else:
        p_t = float(stats.ttest_rel(x, y).pvalue)
    boot = diff[rng.integers(0, n, size=(n_resamples, n))].mean(axis=1)
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(boot, [alpha, 1.0 - alpha])
    return PairedComparison(
        n, float(x.mean()), float(y.mean()), observed, float(p_rand), p_t, float(low), float(high)
    )
