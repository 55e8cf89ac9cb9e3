"""Exposure fairness of ranked suggestions, and counting scores a counterfactual moved.

A BKK officer looks at the first screen of suggestions, and the top of it most: a candidate's
**exposure** at rank ``r`` is the position discount ``1 / log2(r + 1)`` of nDCG (Singh and
Joachims 2018, "Fairness of Exposure in Rankings"). A group's **exposure share** is its part of
all exposure handed out over the queries. The yardstick is what it would get if every query
spread its exposure in proportion to the group's share of that query's *eligible* candidates
(those passing the hard requirements; nobody else can be shown): the **expected share**. The
**disparity ratio** is exposure share / expected share: 1 is proportional, 0.5 means the group
gets half the attention its presence in the eligible pools would give it.

The same yardstick restricted to eligible candidates who also *fit* the query (where a truth is
known, as in the demo data) separates "the group is under-exposed" from "the group holds fewer
fitting candidates".
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

__all__ = [
    "GroupExposure",
    "disparity_summary",
    "exposure_report",
    "position_weight",
    "scores_moved",
]

UNKNOWN = "(tidak diisi)"


def position_weight(rank: int) -> float:
    """Attention at 1-based ``rank``: the nDCG discount ``1 / log2(rank + 1)``."""
    if rank < 1:
        raise ValueError(f"rank must be at least 1, got {rank}.")
    return 1.0 / math.log2(rank + 1)


@dataclass(frozen=True)
class GroupExposure:
    """One group's exposure against its share of the eligible (and fitting) pools."""

    group: str
    appearances: int  # times a member was shown in a top-k
    exposure_share: float
    expected_share: float  # share of eligible candidates, averaged with each query's weight
    ratio: float  # exposure_share / expected_share (nan when expected is 0)
    fitting_share: float | None = None  # the same over eligible candidates who fit
    fitting_ratio: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _shares(
    rankings: Mapping[str, Sequence[str]],
    pools: Mapping[str, Collection[str]],
    group_of: Mapping[str, str],
    k: int,
) -> dict[str, float]:
    """Each group's expected exposure mass when every query shares it out by pool membership."""
    expected: dict[str, float] = defaultdict(float)
    for query, ranking in rankings.items():
        pool = pools.get(query, ())
        shown = min(k, len(ranking))
        if not pool or not shown:
            continue
        mass = sum(position_weight(r) for r in range(1, shown + 1))
        counts: dict[str, int] = defaultdict(int)
        for item in pool:
            counts[group_of.get(item, UNKNOWN)] += 1
        for group, n in counts.items():
            expected[group] += mass * n / len(pool)
    return expected


def exposure_report(
    rankings: Mapping[str, Sequence[str]],
    eligible: Mapping[str, Collection[str]],
    group_of: Mapping[str, str],
    *,
    k: int = 10,
    fitting: Mapping[str, Collection[str]] | None = None,
) -> list[GroupExposure]:
    """Exposure per group over the top ``k`` of every query, largest expected share first.

    ``rankings`` maps a query to the items shown, best first; ``eligible`` maps it to every item
    that could have been shown; ``group_of`` maps an item to its group (missing → "(tidak diisi)",
    so records with the field left blank are visible too); ``fitting`` optionally maps a query to
    the eligible items that truly fit it.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}.")
    shown: dict[str, float] = defaultdict(float)
    appearances: dict[str, int] = defaultdict(int)
    for ranking in rankings.values():
        for rank, item in enumerate(ranking[:k], start=1):
            group = group_of.get(item, UNKNOWN)
            shown[group] += position_weight(rank)
            appearances[group] += 1
    expected = _shares(rankings, eligible, group_of, k)
    fit = _shares(rankings, fitting, group_of, k) if fitting is not None else None
    total_shown = sum(shown.values())
    total_expected = sum(expected.values())
    total_fit = sum(fit.values()) if fit else 0.0
    groups = set(shown) | set(expected) | (set(fit) if fit else set())

    def share(part: float, whole: float) -> float:
        return part / whole if whole > 0 else 0.0

    def ratio(a: float, b: float) -> float:
        return a / b if b > 0 else float("nan")

    out = []
    for group in groups:
        exp = share(expected.get(group, 0.0), total_expected)
        got = share(shown.get(group, 0.0), total_shown)
        fit_share = share(fit.get(group, 0.0), total_fit) if fit is not None else None
        out.append(
            GroupExposure(
                group=group,
                appearances=appearances.get(group, 0),
                exposure_share=got,
                expected_share=exp,
                ratio=ratio(got, exp),
                fitting_share=fit_share,
                fitting_ratio=ratio(got, fit_share) if fit_share is not None else None,
            )
        )
    return sorted(out, key=lambda g: (-g.expected_share, g.group))


def disparity_summary(
    report: Sequence[GroupExposure], *, min_expected_share: float = 0.01
) -> dict[str, Any]:
    """Lowest and highest ratio among groups with a meaningful expected share.

    Groups whose expected share is below ``min_expected_share`` are left out of the extremes:
    a kecamatan with two eligible students swings between 0 and 5 on one suggestion. Groups
    outside [0.8, 1.25] (the four-fifths rule of thumb, both ways) are listed.
    """
    judged = [g for g in report if g.expected_share >= min_expected_share and g.ratio == g.ratio]
    if not judged:
        return {"groups": 0}
    low = min(judged, key=lambda g: g.ratio)
    high = max(judged, key=lambda g: g.ratio)
    return {
        "groups": len(judged),
        "min_ratio": low.ratio,
        "min_group": low.group,
        "max_ratio": high.ratio,
        "max_group": high.group,
        "outside_four_fifths": sorted(g.group for g in judged if not 0.8 <= g.ratio <= 1.25),
    }


def scores_moved(
    before: Mapping[tuple[str, str], float],
    after: Mapping[tuple[str, str], float],
    *,
    tolerance: float = 1e-9,
) -> tuple[int, float]:
    """How many pairs' scores differ by more than ``tolerance``, and the largest difference.

    A pair present on one side only counts as moved (it entered or left a ranking).
    """
    moved, largest = 0, 0.0
    for pair in set(before) | set(after):
        if pair not in before or pair not in after:
            moved += 1
            largest = max(largest, 1.0)
            continue
        diff = abs(before[pair] - after[pair])
        if diff > tolerance:
            moved += 1
            largest = max(largest, diff)
    return moved, largest
