"""Per program, the alive slots posted under it: the taxonomy's part of candidate generation.

Kept apart from the columns it indexes (``matcher.columns``), which maintain it on put/release.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


class ProgramPostings:
    """The alive slots per program (a candidate's one or two, a vacancy's non-zero ones).

    Without it the taxonomy part of candidate generation scored every alive record to find the
    few whose program fits; with it a query reads the lists of the programs that can fit. Kept
    current by ``put``/``release``; sorted arrays are cached per program until it changes.
    """

    def __init__(self, n_programs: int) -> None:
        self._members: list[set[int]] = [set() for _ in range(n_programs)]
        self._sorted: dict[int, np.ndarray] = {}
        #: an upper bound on any weight ever posted (a confidence), so a query can skip the
        #: programs that cannot reach a threshold even at full confidence
        self.max_weight = 0.0

    @classmethod
    def from_pairs(
        cls, n_programs: int, programs: np.ndarray, slots: np.ndarray, max_weight: float
    ) -> ProgramPostings:
        """Postings for many (program, slot) pairs at once (restoring a snapshot)."""
        postings = cls(n_programs)
        order = np.argsort(programs, kind="stable")
        programs, slots = programs[order], slots[order]
        bounds = np.searchsorted(programs, np.arange(n_programs + 1))
        for p in range(n_programs):
            postings._members[p] = set(slots[bounds[p] : bounds[p + 1]].tolist())
        postings.max_weight = max_weight
        return postings

    def add(self, slot: int, programs: Iterable[int], weight: float) -> None:
        for p in programs:
            self._members[p].add(slot)
            self._sorted.pop(p, None)
        self.max_weight = max(self.max_weight, weight)

    def discard(self, slot: int, programs: Iterable[int]) -> None:
        for p in programs:
            if slot in self._members[p]:
                self._members[p].discard(slot)
                self._sorted.pop(p, None)

    def slots(self, programs: Iterable[int]) -> np.ndarray:
        """Sorted, distinct alive slots posted under any of ``programs``."""
        parts = []
        for p in programs:
            cached = self._sorted.get(p)
            if cached is None:
                members = self._members[p]
                cached = np.sort(np.fromiter(members, dtype=np.int64, count=len(members)))
                self._sorted[p] = cached
            parts.append(cached)
        parts = [a for a in parts if len(a)]
        if len(parts) <= 1:
            return parts[0] if parts else np.zeros(0, dtype=np.int64)
        # a mark per slot, then its positions: sorted and distinct, cheaper than np.unique's sort
        marked = np.zeros(1 + max(int(a[-1]) for a in parts), dtype=bool)
        for a in parts:
            marked[a] = True
        return np.flatnonzero(marked)
