"""Hard requirements: a pair that breaks one is never shown, whatever its score.

Checked in both directions with the same code: the vacancy's requirements (education level,
majors where it insists, age range) and the candidate's own limits (seeking work, accepted commute
distance). Unknown facts pass (an empty birth date cannot break an age limit) and surface as a
reason instead, so staff can complete the record.
"""

from __future__ import annotations

import numpy as np

from matcher.columns import Today

#: Requirement keys, in the order explanations list them.
REQUIREMENTS = ("status", "education", "major", "age", "distance")

BLOCKED_TEXT = {
    "status": "Lowongan sudah ditutup atau kandidat tidak sedang mencari kerja",
    "education": "Tingkat pendidikan tidak diterima oleh lowongan",
    "major": "Lowongan hanya menerima jurusan tertentu dan jurusan kandidat tidak termasuk",
    "age": "Usia kandidat di luar batas usia lowongan",
    "distance": "Jarak melebihi jarak tempuh maksimal yang diterima kandidat",
}


def ages(c: dict[str, np.ndarray], today: Today) -> np.ndarray:
    """Whole years on ``today``; NaN where the birth date is unknown."""
    years = today.year - c["birth_year"] - (today.md < c["birth_md"]).astype(np.int32)
    return np.where(c["birth_year"] > 0, years, np.nan).astype(np.float32)


def check(
    c: dict[str, np.ndarray],
    v: dict[str, np.ndarray],
    distance_km: np.ndarray,
    today: Today,
) -> dict[str, np.ndarray]:
    """One boolean array per requirement (True = satisfied) over ``n`` aligned pairs.

    ``c`` and ``v`` are column views of equal length: row ``i`` of each describes pair ``i``.
    """
    rows = np.arange(len(c["edu"]))
    unknown_level = v["edu_mask"].shape[1] - 1
    edu_col = np.where(c["edu"] >= 0, c["edu"], unknown_level)
    unknown_program = v["major_ok"].shape[1] - 1
    prog_col = np.where(c["prog1"] >= 0, c["prog1"], unknown_program)
    age = ages(c, today)
    with np.errstate(invalid="ignore"):
        too_young = age < v["age_min"]
        too_old = age > v["age_max"]
        too_far = (distance_km > c["max_commute"]) & ~c["relocate"]
    deadline_ok = (v["deadline"] == 0) | (v["deadline"] >= today.ordinal)
    return {
        "status": c["seeking"] & v["open"] & deadline_ok,
        "education": v["edu_mask"][rows, edu_col],
        "major": ~v["majors_required"] | v["major_ok"][rows, prog_col],
        "age": ~(too_young | too_old),
        "distance": ~too_far,
    }


def eligible(checks: dict[str, np.ndarray]) -> np.ndarray:
    out = np.ones_like(next(iter(checks.values())), dtype=bool)
    for passed in checks.values():
        out &= passed
    return out
