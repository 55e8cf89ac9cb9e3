"""A ranked match as callers see it, and how it is explained.

Kept apart from the engine's ranking code: this is where features become Indonesian sentences
and flags for staff, using the same numbers the scorer saw.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from matcher import features
from matcher.reasons import PairFacts, age_limit_text, explain_pair, protected_flag

if TYPE_CHECKING:
    from matcher.engine import Matcher


@dataclass(frozen=True)
class Match:
    candidate_id: str
    vacancy_id: str
    score: float
    reasons: list[str]
    eligible: bool = True
    blocked_by: list[str] = field(default_factory=list)
    features: dict[str, float] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)


def build_match(
    m: Matcher,
    cid: str,
    vid: str,
    score: float,
    feats: features.PairFeatures,
    i: int,
    is_eligible: bool,
    blocked: list[str],
) -> Match:
    c = m.candidates_[cid]
    cp, vp = m.candidate_profiles_[cid], m.vacancy_profiles_[vid]
    values = {name: float(feats.values[name][i]) for name in features.FEATURES}
    cand_code = cp.programs[0][0] if cp.programs else None
    names = m.taxonomy_.programs
    vac_code = None
    if vp.programs:

        def fit_to(code: str) -> float:
            if cand_code is None or cand_code not in m.program_index_:
                return vp.programs[code]
            sim = m.similarity_[m.program_index_[cand_code], m.program_index_[code]]
            return vp.programs[code] * float(sim)

        vac_code = max(vp.programs, key=fit_to)
    dist = float(feats.distance_km[i])
    vslot = m.vacancy_columns_.slot_of[vid]
    va = m.vacancy_columns_.arrays
    facts = PairFacts(
        features=values,
        candidate_major=c.major,
        candidate_program=names[cand_code].name if cand_code else None,
        vacancy_program=names[vac_code].name if vac_code else None,
        vacancy_has_programs=bool(vp.programs),
        matched_skills=[_skill_label(m, key) for key in feats.matched_skills(i)],
        missing_skills=[_skill_label(m, key) for key in feats.missing_skills(i)],
        distance_km=None if np.isnan(dist) else dist,
        experience_months=c.experience_months,
        required_experience_months=int(va["min_exp_months"][vslot]),
        age_limit=age_limit_text(
            float(va["age_min"][vslot]), float(va["age_max"][vslot]), m.language
        ),
        age_known=c.birth_date is not None,
        education_known=c.education_level is not None,
    )
    flags = [protected_flag(vp.protected_wording, m.language)] if vp.protected_wording else []
    return Match(
        candidate_id=cid,
        vacancy_id=vid,
        score=round(score, 4),
        reasons=explain_pair(facts, m.language),
        eligible=is_eligible,
        blocked_by=blocked,
        features=values,
        flags=flags,
    )


def _skill_label(m: Matcher, key: str) -> str:
    try:
        return m.taxonomy_.skill_label(key, m.language)
    except KeyError:
        return key
