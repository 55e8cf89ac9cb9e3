"""Scopes a caller can hand the engine as ``include=`` that it can answer from its columns.

Any ``Callable[[record], bool]`` works as ``include``, but the engine must then read each record
it considers, and when a scope leaves too few in the pool, every stored record. Candidates are
kept packed (``matcher.record_shelf``), so that full pass costs ~25 µs a record: seconds at a
million. The commonest scope, a BKK officer's own school, is a column instead: the engine selects
its slots with one vectorised comparison and never unpacks a record to decide.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.columns import CandidateColumns
from matcher.records import Candidate


@dataclass(frozen=True)
class SchoolScope:
    """Only the students and alumni of one school (by its id, e.g. the NPSN)."""

    school_id: str

    def __call__(self, candidate: Candidate) -> bool:
        return candidate.school_id is not None and candidate.school_id == self.school_id

    def mask(self, columns: CandidateColumns) -> np.ndarray:
        """Which slots (alive or not) hold this school's records, over ``[:columns.size]``."""
        return columns.school_mask(self.school_id)
