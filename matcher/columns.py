"""Per-record numbers in columns, so a query scores thousands of pairs with numpy, not loops.

Each side (candidates, vacancies) keeps one slot per record; a removed record's slot is marked
dead and reused later. Columns grow by doubling. ``gather(slots)`` returns a view of plain arrays
that the eligibility and feature functions broadcast against the other side. ``postings`` lists
the slots per program, so candidate generation reads only the records a program can reach.
Vectors are held in bfloat16 (``matcher.held_vectors``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from matcher.held_vectors import HELD_DTYPE, as_held, widen
from matcher.profiles import CandidateProfile, VacancyProfile
from matcher.program_postings import ProgramPostings
from matcher.records import Candidate, EducationLevel, Vacancy

LEVELS: tuple[EducationLevel, ...] = tuple(EducationLevel)
LEVEL_INDEX = {level: i for i, level in enumerate(LEVELS)}


def accepted_levels_mask(levels: Sequence[EducationLevel]) -> np.ndarray:
    """Levels a vacancy accepts; SMA and SMK stand in for each other (both upper secondary)."""
    mask = np.zeros(len(LEVELS), dtype=bool)
    if not levels:
        mask[:] = True
        return mask
    ranks = {level.rank for level in levels}
    for i, level in enumerate(LEVELS):
        if level in levels or (level.rank == 2 and 2 in ranks):
            mask[i] = True
    return mask


class _Columns:
    """Slot bookkeeping shared by both sides."""

    def __init__(self, dim: int, programs: int, capacity: int = 1024) -> None:
        self.dim = dim
        self.n_programs = programs
        self.ids: list[str | None] = []
        self.slot_of: dict[str, int] = {}
        self._free: list[int] = []
        self.capacity = 0
        self.arrays: dict[str, np.ndarray] = {}
        #: each slot's skill keys, sorted: a tuple takes ~100 bytes where a frozenset of five
        #: or more takes 728 (at a million candidates, most of a gigabyte); see ``skills_of``
        self.skills: list[tuple[str, ...]] = []
        self.postings = ProgramPostings(programs)
        self._grow(capacity)

    def _specs(self) -> dict[str, tuple[tuple[int, ...], np.dtype, object]]:
        raise NotImplementedError

    def _programs_of(self, slot: int) -> tuple[list[int], float]:
        """The programs ``slot`` is posted under and its largest weight among them."""
        raise NotImplementedError

    def _all_postings(self) -> tuple[np.ndarray, np.ndarray, float]:
        """(programs, slots, largest weight) of every alive slot, as ``_programs_of`` gives."""
        raise NotImplementedError

    def _post(self, slot: int) -> None:
        programs, weight = self._programs_of(slot)
        self.postings.add(slot, programs, weight)

    def _unpost(self, slot: int) -> None:
        self.postings.discard(slot, self._programs_of(slot)[0])

    def _grow(self, capacity: int) -> None:
        for name, (tail, dtype, fill) in self._specs().items():
            fresh = np.full((capacity, *tail), fill, dtype=dtype)
            old = self.arrays.get(name)
            if old is not None:
                fresh[: len(old)] = old
            self.arrays[name] = fresh
        self.capacity = capacity

    def __len__(self) -> int:
        return len(self.slot_of)

    @property
    def size(self) -> int:
        """One past the highest slot ever used: arrays are valid on ``[:size]``."""
        return len(self.ids)

    def slot_for(self, record_id: str) -> int:
        """The slot of ``record_id``, allocating one for a new id."""
        slot = self.slot_of.get(record_id)
        if slot is not None:
            return slot
        if self._free:
            slot = self._free.pop()
            self.ids[slot] = record_id
        else:
            slot = len(self.ids)
            if slot >= self.capacity:
                self._grow(self.capacity * 2)
            self.ids.append(record_id)
            self.skills.append(())
        self.slot_of[record_id] = slot
        return slot

    def release(self, record_id: str) -> int | None:
        slot = self.slot_of.pop(record_id, None)
        if slot is None:
            return None
        self._unpost(slot)
        self.ids[slot] = None
        self.skills[slot] = ()
        self.arrays["alive"][slot] = False
        self._free.append(slot)
        return slot

    def skills_of(self, slots: np.ndarray) -> list[frozenset[str]] | list[tuple[str, ...]]:
        """Each slot's skills for a query's pairs: where every slot is the one query record, its
        set, built once; for a pool, the sorted tuples as held (no set built per record, see
        ``features.shared_skills``)."""
        if len(slots) and bool((slots == slots[0]).all()):
            return [frozenset(self.skills[int(slots[0])])] * len(slots)
        return [self.skills[slot] for slot in slots.tolist()]

    def alive_slots(self) -> np.ndarray:
        return np.flatnonzero(self.arrays["alive"][: self.size])

    def gather(self, slots: np.ndarray) -> dict[str, np.ndarray]:
        return {name: array[slots] for name, array in self.arrays.items() if name != "vectors"}

    @property
    def vectors(self) -> np.ndarray:
        """Every slot's vector as held (bfloat16 bits, ``matcher.held_vectors``); read them
        with ``vectors_at`` or ``candidate_pool.dense_at``."""
        return self.arrays["vectors"]

    def vectors_at(self, slots: np.ndarray | Sequence[int] | int) -> np.ndarray:
        """The vectors of ``slots`` (or of one slot) in float32."""
        return widen(self.arrays["vectors"][slots])

    def put_vectors(self, slots: np.ndarray | Sequence[int] | slice, vectors: np.ndarray) -> None:
        """Set the vectors of ``slots`` from float32 (narrowed) or already held bits."""
        self.arrays["vectors"][slots] = as_held(vectors)

    # -- snapshot form: the slot table as saved, so a restart keeps every slot where it was --

    def export(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """Arrays cut at ``size`` and the slot bookkeeping; the vectors are left out because
        the vector index already holds them."""
        arrays = {n: a[: self.size] for n, a in self.arrays.items() if n != "vectors"}
        return arrays, {"ids": self.ids, "free": self._free, "capacity": self.capacity}

    def restore(
        self,
        arrays: Mapping[str, np.ndarray],
        meta: Mapping[str, Any],
        skills: Mapping[str, frozenset[str]],
    ) -> None:
        """Take back what ``export`` gave (``skills`` by record id); vectors are filled by the
        caller. Raises ValueError when the arrays do not fit this side's columns."""
        ids: list[str | None] = list(meta["ids"])
        size, capacity = len(ids), int(meta["capacity"])
        specs = self._specs()
        if set(arrays) != set(specs) - {"vectors"} or capacity < size:
            raise ValueError("saved columns do not match this engine's columns")
        self._grow(max(capacity, self.capacity))
        for name, saved in arrays.items():
            tail, dtype, _ = specs[name]
            if saved.dtype != dtype or saved.shape != (size, *tail):
                raise ValueError(f"saved column {name!r} has the wrong shape or type")
            self.arrays[name][:size] = saved
        self.ids = ids
        self.slot_of = {rid: s for s, rid in enumerate(ids) if rid is not None}
        self._free = [int(s) for s in meta["free"]]
        self.skills = [() if rid is None else tuple(sorted(skills[rid])) for rid in ids]
        self.postings = ProgramPostings.from_pairs(self.n_programs, *self._all_postings())


class CandidateColumns(_Columns):
    def __init__(self, dim: int, programs: int, capacity: int = 1024) -> None:
        #: school id -> the small integer the ``school`` column holds (never shrinks)
        self.school_codes: dict[str, int] = {}
        super().__init__(dim, programs, capacity)

    def export(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        arrays, meta = super().export()
        return arrays, {**meta, "schools": list(self.school_codes)}

    def restore(
        self,
        arrays: Mapping[str, np.ndarray],
        meta: Mapping[str, Any],
        skills: Mapping[str, frozenset[str]],
    ) -> None:
        super().restore(arrays, meta, skills)
        self.school_codes = {str(school): code for code, school in enumerate(meta["schools"])}

    def _specs(self) -> dict[str, tuple[tuple[int, ...], np.dtype, object]]:
        f32, i32 = np.dtype(np.float32), np.dtype(np.int32)
        return {
            "alive": ((), np.dtype(bool), False),
            "seeking": ((), np.dtype(bool), False),
            "prog1": ((), i32, -1),
            "conf1": ((), f32, 0.0),
            "prog2": ((), i32, -1),
            "conf2": ((), f32, 0.0),
            "lat": ((), f32, np.nan),
            "lon": ((), f32, np.nan),
            "edu": ((), np.dtype(np.int8), -1),
            "birth_year": ((), i32, 0),
            "birth_md": ((), i32, 0),
            "exp_months": ((), f32, 0.0),
            "max_commute": ((), f32, np.nan),
            "relocate": ((), np.dtype(bool), False),
            "school": ((), i32, -1),
            # consent to be shown to employers, and a guardian's (``matcher.scopes``)
            "share": ((), np.dtype(bool), False),
            "guardian": ((), np.dtype(bool), False),
            "vectors": ((self.dim,), HELD_DTYPE, 0),
        }

    def _school_code(self, school_id: str) -> int:
        code = self.school_codes.get(school_id)
        if code is None:
            code = self.school_codes[school_id] = len(self.school_codes)
        return code

    def school_mask(self, school_id: str) -> np.ndarray:
        """Slots on ``[:size]`` whose record names ``school_id`` (dead slots included)."""
        code = self.school_codes.get(school_id)
        if code is None:
            return np.zeros(self.size, dtype=bool)
        return np.asarray(self.arrays["school"][: self.size] == code)

    def put(
        self, c: Candidate, p: CandidateProfile, program_index: dict[str, int], vector: np.ndarray
    ) -> int:
        slot = self.slot_for(c.id)
        self._unpost(slot)  # a replaced record may have changed program
        a = self.arrays
        a["alive"][slot] = True
        a["seeking"][slot] = c.status == "seeking"
        progs = [(program_index[code], conf) for code, conf in p.programs if code in program_index]
        (a["prog1"][slot], a["conf1"][slot]) = progs[0] if progs else (-1, 0.0)
        (a["prog2"][slot], a["conf2"][slot]) = progs[1] if len(progs) > 1 else (-1, 0.0)
        a["lat"][slot], a["lon"][slot] = p.coordinates or (np.nan, np.nan)
        a["edu"][slot] = LEVEL_INDEX[c.education_level] if c.education_level else -1
        if c.birth_date:
            a["birth_year"][slot] = c.birth_date.year
            a["birth_md"][slot] = c.birth_date.month * 100 + c.birth_date.day
        else:
            a["birth_year"][slot] = 0
        a["exp_months"][slot] = c.experience_months
        a["max_commute"][slot] = np.nan if c.max_commute_km is None else c.max_commute_km
        a["relocate"][slot] = bool(c.willing_to_relocate)
        a["school"][slot] = -1 if c.school_id is None else self._school_code(c.school_id)
        a["share"][slot] = c.consent.share_with_employers
        a["guardian"][slot] = c.consent.guardian_consent is True
        a["vectors"][slot] = as_held(vector)
        self.skills[slot] = tuple(sorted(p.skills))
        self._post(slot)
        return slot

    def _programs_of(self, slot: int) -> tuple[list[int], float]:
        a = self.arrays
        pairs = [
            (int(a[p][slot]), float(a[c][slot]))
            for p, c in (("prog1", "conf1"), ("prog2", "conf2"))
        ]
        known = [(p, c) for p, c in pairs if p >= 0]
        return [p for p, _ in known], max((c for _, c in known), default=0.0)

    def _all_postings(self) -> tuple[np.ndarray, np.ndarray, float]:
        a, alive = self.arrays, self.alive_slots()
        progs, slots, weight = [], [], 0.0
        for p, c in (("prog1", "conf1"), ("prog2", "conf2")):
            known = alive[a[p][alive] >= 0]
            progs.append(a[p][known].astype(np.int64))
            slots.append(known)
            if len(known):
                weight = max(weight, float(a[c][known].max()))
        return np.concatenate(progs), np.concatenate(slots), weight


class VacancyColumns(_Columns):
    def _specs(self) -> dict[str, tuple[tuple[int, ...], np.dtype, object]]:
        f32 = np.dtype(np.float32)
        return {
            "alive": ((), np.dtype(bool), False),
            "open": ((), np.dtype(bool), False),
            "deadline": ((), np.dtype(np.int64), 0),
            "programs": ((self.n_programs,), f32, 0.0),
            "has_programs": ((), np.dtype(bool), False),
            "majors_required": ((), np.dtype(bool), False),
            "major_ok": ((self.n_programs + 1,), np.dtype(bool), True),
            "edu_mask": ((len(LEVELS) + 1,), np.dtype(bool), True),
            "age_min": ((), f32, np.nan),
            "age_max": ((), f32, np.nan),
            "lat": ((), f32, np.nan),
            "lon": ((), f32, np.nan),
            "min_exp_months": ((), f32, 0.0),
            "salary": ((), f32, np.nan),
            "vectors": ((self.dim,), HELD_DTYPE, 0),
        }

    def put(
        self,
        v: Vacancy,
        p: VacancyProfile,
        program_index: dict[str, int],
        similarity: np.ndarray,
        vector: np.ndarray,
    ) -> int:
        slot = self.slot_for(v.id)
        self._unpost(slot)  # a replaced record may have changed programs
        a = self.arrays
        a["alive"][slot] = True
        a["open"][slot] = v.status == "open"
        a["deadline"][slot] = v.deadline.toordinal() if v.deadline else 0
        row = np.zeros(self.n_programs, dtype=np.float32)
        for code, conf in p.programs.items():
            if code in program_index:
                row[program_index[code]] = conf
        a["programs"][slot] = row
        a["has_programs"][slot] = bool(row.any())
        a["majors_required"][slot] = p.majors_required
        ok = np.ones(self.n_programs + 1, dtype=bool)  # last column: "major unknown"
        majors = [program_index[c] for c in p.major_programs if c in program_index]
        if p.majors_required and majors:
            ok[:-1] = similarity[:, majors].max(axis=1) >= 0.5
            ok[-1] = False
        a["major_ok"][slot] = ok
        edu = np.ones(len(LEVELS) + 1, dtype=bool)  # last column: "level unknown" passes
        edu[:-1] = accepted_levels_mask(p.education_levels)
        a["edu_mask"][slot] = edu
        a["age_min"][slot] = np.nan if p.age_min is None else p.age_min
        a["age_max"][slot] = np.nan if p.age_max is None else p.age_max
        a["lat"][slot], a["lon"][slot] = p.coordinates or (np.nan, np.nan)
        a["min_exp_months"][slot] = (v.min_experience_years or 0.0) * 12
        pay = v.salary_max if v.salary_max is not None else v.salary_min
        a["salary"][slot] = np.nan if pay is None else pay
        a["vectors"][slot] = as_held(vector)
        self.skills[slot] = tuple(sorted(p.skills))
        self._post(slot)
        return slot

    def _programs_of(self, slot: int) -> tuple[list[int], float]:
        row = self.arrays["programs"][slot]
        nonzero = np.flatnonzero(row > 0)
        return nonzero.tolist(), float(row[nonzero].max()) if len(nonzero) else 0.0

    def _all_postings(self) -> tuple[np.ndarray, np.ndarray, float]:
        alive = self.alive_slots()
        rows = self.arrays["programs"][alive]
        at, progs = np.nonzero(rows > 0)
        weight = float(rows[at, progs].max()) if len(at) else 0.0
        return progs.astype(np.int64), alive[at], weight


@dataclass(frozen=True)
class Today:
    """The reference day for ages and deadlines, split for vectorised comparisons."""

    year: int
    md: int
    ordinal: int

    @classmethod
    def of(cls, day: date) -> Today:
        return cls(day.year, day.month * 100 + day.day, day.toordinal())
