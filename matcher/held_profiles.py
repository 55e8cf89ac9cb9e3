"""Candidate profiles as the engine holds them: read back from its columns and BM25, not stored.

Everything a query needs of a candidate's profile already lives elsewhere in the engine: its
programs and confidences and its coordinates in the columns, its skills beside them, its tokens
as the BM25 document. Keeping a ``CandidateProfile`` object per candidate as well cost about
1.1 KB each (the tuples, the frozen dataclass, the float objects): a quarter of what a million
candidates may take. So the engine rebuilds one on demand, for the few candidates a query
explains or searches with.

What comes back differs from what ``Profiler.candidate`` made in three harmless ways: only the
(at most two) programs the columns keep, the coordinates as float32, and the tokens grouped by
term (the BM25 query counts them, so their order never mattered).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import numpy as np

from matcher.columns import CandidateColumns
from matcher.lexical import BM25Index
from matcher.profiles import CandidateProfile


class HeldCandidateProfiles(Mapping[str, CandidateProfile]):
    """``Mapping[candidate id, CandidateProfile]`` over the engine's own candidate state."""

    def __init__(
        self, columns: CandidateColumns, lexical: BM25Index, program_codes: Sequence[str]
    ) -> None:
        self.columns = columns
        self.lexical = lexical
        self.program_codes = program_codes

    def __getitem__(self, record_id: str) -> CandidateProfile:
        slot = self.columns.slot_of[record_id]
        a = self.columns.arrays
        programs = tuple(
            (self.program_codes[int(a[p][slot])], float(a[c][slot]))
            for p, c in (("prog1", "conf1"), ("prog2", "conf2"))
            if a[p][slot] >= 0
        )
        lat, lon = float(a["lat"][slot]), float(a["lon"][slot])
        return CandidateProfile(
            programs=programs,
            skills=frozenset(self.columns.skills[slot]),
            tokens=self.lexical.doc_tokens(slot),
            text="",
            coordinates=None if np.isnan(lat) or np.isnan(lon) else (lat, lon),
        )

    def __contains__(self, record_id: object) -> bool:
        return record_id in self.columns.slot_of

    def __iter__(self) -> Iterator[str]:
        """In slot order: the same before and after a snapshot round trip."""
        ids = self.columns.ids
        return (ids[s] or "" for s in self.columns.alive_slots().tolist())

    def __len__(self) -> int:
        return len(self.columns.slot_of)
