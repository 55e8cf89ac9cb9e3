"""Every record's similarity to one query, by column slot, from an exact index's own scan.

Candidate generation wants two things from the dense side: the nearest few hundred records and
the similarity of every program-fitting record (the cheap re-rank in ``matcher.candidate_pool``).
With an exact index both come from the same full scan. Asking the index for its nearest and then
reading the fitting records' vectors again cost a query at 100k candidates about 9 ms (a 6 ms
search and ~3 ms of gathering); one product over the index's store costs about 4 ms and answers
both. An approximate or remote index cannot scan; the engine then searches as before.

The index hands out int64 labels; the engine's columns speak slots. The label of a live record
never changes while it lives (an upsert gives the record a new label), so each label's slot is
looked up once, when it is first seen, and kept in an array: a query maps 100k labels to slots
with one gather.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from matcher.columns import CandidateColumns, VacancyColumns


class SlotScan:
    """Maps an exact index's scan to slots for one side's columns; keeps the label → slot table."""

    def __init__(self) -> None:
        self._index: Any = None
        self._slot_of_label = np.zeros(0, dtype=np.int64)

    def similarities(
        self,
        index: Any,
        columns: CandidateColumns | VacancyColumns,
        query: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """(slots, similarity) of every record in ``index``, in the index's order; None when the
        index cannot scan (approximate, remote, or a backend without ``scan``)."""
        scan = getattr(index, "scan", None)
        scanned = scan(query) if scan is not None else None
        if scanned is None:
            return None
        labels, scores = scanned
        if index is not self._index:  # a restore or a new backend: its labels are its own
            self._index, self._slot_of_label = index, np.zeros(0, dtype=np.int64)
        slots = self._slots(index, columns, labels)
        return slots, np.asarray(scores, dtype=np.float32)

    def _slots(
        self, index: Any, columns: CandidateColumns | VacancyColumns, labels: np.ndarray
    ) -> np.ndarray:
        if len(labels) == 0:
            return labels.astype(np.int64)
        top = int(labels.max()) + 1
        if top > len(self._slot_of_label):
            grown = np.full(max(top, 2 * len(self._slot_of_label)), -1, dtype=np.int64)
            grown[: len(self._slot_of_label)] = self._slot_of_label
            self._slot_of_label = grown
        slots = self._slot_of_label[labels]
        unknown = slots < 0
        if unknown.any():
            new = labels[unknown]
            slot_of = columns.slot_of
            looked_up = [slot_of[record_id] for record_id in index.ids_of(new)]
            self._slot_of_label[new] = looked_up
            slots[unknown] = looked_up
        return slots
