"""Explanations in the words a BKK officer uses: why this pair, and what is missing.

Reasons are built from the same features the scorer saw, so they never claim a fit the score did
not count. Indonesian is the default; English exists for developers and portals that ask for it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

_TEXT = {
    "id": {
        "program_same": "Jurusan {major} sesuai dengan kebutuhan lowongan ({program})",
        "program_related": "Jurusan {major} berkaitan dengan kebutuhan lowongan ({program})",
        "program_weak": "Jurusan {major} kurang sesuai dengan kebutuhan lowongan ({program})",
        "program_unknown": "Jurusan kandidat belum diisi atau tidak dikenali",
        "program_any": "Lowongan terbuka untuk semua jurusan",
        "skills_matched": "Keahlian yang cocok: {skills}",
        "skills_missing": "Keahlian yang diminta tetapi belum dimiliki: {skills}",
        "distance": "Jarak sekitar {km:.0f} km dari domisili kandidat",
        "distance_unknown": "Jarak belum dapat dihitung (lokasi belum lengkap)",
        "experience_short": "Pengalaman {have} bulan; lowongan meminta minimal {need} bulan",
        "experience_ok": "Pengalaman kerja memenuhi syarat lowongan ({have} bulan)",
        "age_limit": "Batas usia lowongan diterapkan ({limit})",
        "age_unknown": "Tanggal lahir belum diisi, batas usia lowongan ({limit}) belum bisa dicek",
        "text_similar": "Isi profil mirip dengan deskripsi pekerjaan",
        "education_unknown": "Tingkat pendidikan kandidat belum diisi",
        "flag_protected": (
            "Perhatian: lowongan mencantumkan syarat {words}; syarat ini tidak dipakai dalam "
            "pemeringkatan. Periksa kesesuaiannya dengan aturan ketenagakerjaan."
        ),
    },
    "en": {
        "program_same": "Major {major} matches what the vacancy needs ({program})",
        "program_related": "Major {major} is related to what the vacancy needs ({program})",
        "program_weak": "Major {major} fits the vacancy poorly ({program})",
        "program_unknown": "The candidate's major is missing or not recognised",
        "program_any": "The vacancy is open to all majors",
        "skills_matched": "Matching skills: {skills}",
        "skills_missing": "Skills asked for but missing: {skills}",
        "distance": "About {km:.0f} km from the candidate's home",
        "distance_unknown": "Distance unknown (location incomplete)",
        "experience_short": "{have} months of experience; the vacancy asks for at least {need}",
        "experience_ok": "Work experience meets the vacancy's requirement ({have} months)",
        "age_limit": "The vacancy's age limit was applied ({limit})",
        "age_unknown": "Birth date missing, the age limit ({limit}) could not be checked",
        "text_similar": "The profile reads like the job description",
        "education_unknown": "The candidate's education level is missing",
        "flag_protected": (
            "Note: the vacancy states {words}; this is not used for ranking. Check it against "
            "employment regulations."
        ),
    },
}


@dataclass(frozen=True)
class PairFacts:
    """Everything about one pair that an explanation may mention."""

    features: dict[str, float]
    candidate_major: str | None
    candidate_program: str | None  # display name of the candidate's resolved program
    vacancy_program: str | None  # display name of the vacancy's best-fitting program
    vacancy_has_programs: bool
    matched_skills: Sequence[str]
    missing_skills: Sequence[str]
    distance_km: float | None
    experience_months: int
    required_experience_months: int
    age_limit: str | None
    age_known: bool
    education_known: bool


def _language(language: str) -> dict[str, str]:
    if language not in _TEXT:
        raise ValueError(f"language must be one of {sorted(_TEXT)}, got {language!r}")
    return _TEXT[language]


#: reasons that say what a candidate lacks, rather than why they fit
GAP_KEYS = (
    "skills_missing",
    "experience_short",
    "program_weak",
    "program_unknown",
    "age_unknown",
    "education_unknown",
)


@cache
def _gap_patterns(language: str) -> tuple[re.Pattern[str], ...]:
    t = _language(language)
    return tuple(
        re.compile(".*".join(re.escape(p) for p in re.split(r"\{[^}]*\}", t[key])), re.S)
        for key in GAP_KEYS
    )


def is_gap(reason: str, language: str = "id") -> bool:
    """Whether a reason names something missing, so a page can show it apart from the fit."""
    return any(p.fullmatch(reason) for p in _gap_patterns(language))


def explain_pair(facts: PairFacts, language: str = "id", max_skills: int = 5) -> list[str]:
    """Reasons, most decisive first."""
    t = _language(language)
    f = facts.features
    out: list[str] = []
    major = facts.candidate_major or facts.candidate_program or "-"
    if not facts.vacancy_has_programs:
        out.append(t["program_any"])
    elif facts.candidate_program is None:
        out.append(t["program_unknown"])
    else:
        fit = f["program_fit"]
        key = "program_same" if fit >= 0.8 else "program_related" if fit >= 0.3 else "program_weak"
        out.append(t[key].format(major=major, program=facts.vacancy_program or "-"))
    if facts.matched_skills:
        out.append(t["skills_matched"].format(skills=", ".join(facts.matched_skills[:max_skills])))
    if facts.missing_skills:
        out.append(t["skills_missing"].format(skills=", ".join(facts.missing_skills[:max_skills])))
    if facts.distance_km is None:
        out.append(t["distance_unknown"])
    else:
        out.append(t["distance"].format(km=facts.distance_km))
    need, have = facts.required_experience_months, facts.experience_months
    if need > 0:
        key = "experience_ok" if have >= need else "experience_short"
        out.append(t[key].format(have=have, need=need))
    if facts.age_limit:
        key = "age_limit" if facts.age_known else "age_unknown"
        out.append(t[key].format(limit=facts.age_limit))
    if not facts.education_known:
        out.append(t["education_unknown"])
    if f.get("dense", 0.0) >= 0.6 or f.get("lexical", 0.0) >= 0.6:
        out.append(t["text_similar"])
    return out


def protected_flag(words: Sequence[str], language: str = "id") -> str:
    quoted = ", ".join(f"'{w}'" for w in words)
    return _language(language)["flag_protected"].format(words=quoted)


def age_limit_text(age_min: float, age_max: float, language: str = "id") -> str | None:
    """'18–25 tahun', 'maks. 25 tahun', 'min. 18 tahun', or None without a limit."""
    unit = "tahun" if language == "id" else "years"
    has_min, has_max = age_min == age_min, age_max == age_max  # NaN check
    if has_min and has_max:
        return f"{int(age_min)}–{int(age_max)} {unit}"
    if has_max:
        return f"{'maks.' if language == 'id' else 'max.'} {int(age_max)} {unit}"
    if has_min:
        return f"min. {int(age_min)} {unit}"
    return None
