"""Hard requirements that employers state only in the free text of a vacancy.

Portals often fill just title and description; "usia maks. 25 tahun" or "pendidikan minimal S1"
then lives in prose. A requirement read here is applied exactly like a structured one, but only
where the structured field is empty: what the employer typed into a field always wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from matcher.records import EducationLevel

_NUM = r"(\d{2})"
_AGE_WORD = r"(?:usia|umur|age)"
_MAX_WORD = r"(?:maks(?:imal|imum)?|max(?:imum|imal)?|tidak lebih dari|di ?bawah|paling tinggi)"
_MIN_WORD = r"(?:min(?:imal|imum)?|paling rendah|sekurang-kurangnya)"

_AGE_RANGE = re.compile(
    rf"{_AGE_WORD}\s*(?:antara\s*)?:?\s*{_NUM}\s*(?:-|–|s\.?d\.?|sampai|hingga|to)\s*{_NUM}\s*(?:th|thn|tahun|years)?",
    re.IGNORECASE,
)
_AGE_MAX = re.compile(
    rf"{_AGE_WORD}\s*(?:\w+\s+)?{_MAX_WORD}\.?\s*:?\s*{_NUM}|{_MAX_WORD}\.?\s*{_AGE_WORD}\s*:?\s*{_NUM}",
    re.IGNORECASE,
)
_AGE_MIN = re.compile(
    rf"{_AGE_WORD}\s*(?:\w+\s+)?{_MIN_WORD}\.?\s*:?\s*{_NUM}|{_MIN_WORD}\.?\s*{_AGE_WORD}\s*:?\s*{_NUM}",
    re.IGNORECASE,
)
_EDU_TOKEN = r"(SMA|SMK|STM|SLTA|D1|D2|D3|D4|S1|S2|S3|Sarjana|Diploma\s*(?:III|3|IV|4)?)"
_EDU_MIN = re.compile(
    rf"(?:pendidikan|lulusan|education)?\s*{_MIN_WORD}\.?\s*(?:pendidikan\s*)?:?\s*{_EDU_TOKEN}\b",
    re.IGNORECASE,
)
_MAJOR_INSIST = re.compile(
    r"\b(?:wajib|harus|khusus|hanya)\s+(?:lulusan\s+)?(?:dari\s+)?(?:jurusan|program studi|prodi)",
    re.IGNORECASE,
)

_EDU_ALIASES = {
    "stm": EducationLevel.SMK,
    "slta": EducationLevel.SMA,
    "sarjana": EducationLevel.S1,
    "diploma": EducationLevel.D3,
    "diploma iii": EducationLevel.D3,
    "diploma 3": EducationLevel.D3,
    "diploma iv": EducationLevel.D4,
    "diploma 4": EducationLevel.D4,
}


@dataclass(frozen=True)
class StatedRequirements:
    """Requirements read from prose; ``None`` where the text states nothing."""

    age_min: int | None = None
    age_max: int | None = None
    education_min: EducationLevel | None = None
    majors_insisted: bool = False


def _level(word: str) -> EducationLevel | None:
    key = re.sub(r"\s+", " ", word.strip().lower())
    if key in _EDU_ALIASES:
        return _EDU_ALIASES[key]
    try:
        return EducationLevel(key.upper())
    except ValueError:
        return None


def _plausible_age(value: int) -> bool:
    return 15 <= value <= 65


def read_requirements(text: str) -> StatedRequirements:
    """Find age limits, a minimum education and "majors only" wording in vacancy prose."""
    age_min = age_max = None
    if m := _AGE_RANGE.search(text):
        low, high = int(m.group(1)), int(m.group(2))
        if _plausible_age(low) and _plausible_age(high) and low <= high:
            age_min, age_max = low, high
    if age_max is None and (m := _AGE_MAX.search(text)):
        value = int(m.group(1) or m.group(2))
        age_max = value if _plausible_age(value) else None
    if age_min is None and (m := _AGE_MIN.search(text)):
        value = int(m.group(1) or m.group(2))
        age_min = value if _plausible_age(value) else None
    if age_min is not None and age_max is not None and age_min > age_max:
        age_min = None
    education_min = None
    if m := _EDU_MIN.search(text):
        education_min = _level(m.group(1))
    return StatedRequirements(
        age_min=age_min,
        age_max=age_max,
        education_min=education_min,
        majors_insisted=bool(_MAJOR_INSIST.search(text)),
    )


def levels_from_minimum(minimum: EducationLevel) -> list[EducationLevel]:
    """Every level at or above ``minimum`` ("minimal SMA" also admits SMK and D3 holders)."""
    return [level for level in EducationLevel if level.rank >= minimum.rank]
