"""Pair features, computed for many aligned (candidate, vacancy) pairs at once.

Each feature lies in [0, 1], so a scorer can weigh them without knowing their units. Where a
record does not say (a vacancy naming no skills, no salary, no place) the value is 0.5 and the pair
marks it as not measured: the default scorer then weighs only what was measured, so a record with
missing fields is neither rewarded nor punished for them. A fixed 0.5 alone did reward them: skill
coverage of a vacancy that names skills is mostly 0.05–0.2, so a vacancy naming none (0.5) beat
the vacancies a candidate's program fits, and one generic posting reached two thirds of all
candidates' top ten on the Loker.id benchmark.
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

import numpy as np

from matcher.geo import haversine_km

#: Features a scorer sees, in this order (the learned scorer's columns).
FEATURES = (
    "program_fit",
    "skill_coverage",
    "lexical",
    "dense",
    "proximity",
    "experience_fit",
    "salary_fit",
    "certificate_match",
    "work_experience",
)

#: Skill keys that are certificates or licences (K3, SIO forklift, welder, SIM, STR, BST):
#: employers ask for them by name, and a candidate either holds one or does not.
CERTIFICATE_SKILLS = frozenset(
    {
        "k3",
        "k3_listrik",
        "k3_lab",
        "k3_tambang",
        "welding_certificate",
        "forklift",
        "sim_a",
        "sim_b1",
        "sim_b2",
        "sim_c",
        "str",
        "bst",
        "iwcf",
        "ant_att",
    }
)
#: Months of work (PKL included) at which work_experience reaches 1 - 1/e.
EXPERIENCE_SCALE_MONTHS = 12.0

#: UMK Kabupaten Serang 2025 (Rp/month), the reference for "pays well" in this labour market.
REFERENCE_WAGE = 4_900_000.0
#: Distance at which proximity has fallen to 1/e: a daily commute by motorbike in Serang.
COMMUTE_SCALE_KM = 25.0
#: Cosine values the bundled encoder gives to unrelated and to near-identical vocational texts.
DENSE_FLOOR, DENSE_CEIL = 0.15, 0.75


#: a record's skill keys: a set, or the sorted tuple the engine's columns hold
Skills = AbstractSet[str] | tuple[str, ...]


def shared_skills(a: Skills, b: Skills) -> AbstractSet[str]:
    """The skills in both. A query's pool pairs one record's set with the pool's tuples, and
    intersecting a set with a tuple walks the tuple without building a set for every record
    (building them was ~5 ms of a query over a pool of ~1,800)."""
    if isinstance(a, frozenset | set):
        return a.intersection(b)
    if isinstance(b, frozenset | set):
        return b.intersection(a)
    return frozenset(a).intersection(b)


@dataclass(frozen=True)
class PairFeatures:
    values: dict[str, np.ndarray]  # each (n,) float32 in [0, 1]
    distance_km: np.ndarray  # NaN where either place is unknown
    candidate_skills: Sequence[Skills]
    vacancy_skills: Sequence[Skills]
    #: False where the feature's value is the 0.5 put in for what a record does not say;
    #: features absent here are always measured
    measured: dict[str, np.ndarray] = field(default_factory=dict)

    # Named skills are wanted only for the k pairs a page explains, not for the whole pool
    # scored to find them (a quarter of a query's time went into sorting them for every pair).
    def matched_skills(self, i: int) -> list[str]:
        return sorted(shared_skills(self.candidate_skills[i], self.vacancy_skills[i]))

    def missing_skills(self, i: int) -> list[str]:
        return sorted(frozenset(self.vacancy_skills[i]).difference(self.candidate_skills[i]))

    def matrix(self) -> np.ndarray:
        return np.column_stack([self.values[name] for name in FEATURES]).astype(np.float32)

    def measured_matrix(self) -> np.ndarray:
        """(n, len(FEATURES)) bool, in ``matrix()``'s column order."""
        n = len(self.distance_km)
        out = np.ones((n, len(FEATURES)), dtype=bool)
        for name, known in self.measured.items():
            out[:, FEATURES.index(name)] = known
        return out


def distances(c: dict[str, np.ndarray], v: dict[str, np.ndarray]) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.asarray(haversine_km(c["lat"], c["lon"], v["lat"], v["lon"]), dtype=np.float32)


def program_fit(
    c: dict[str, np.ndarray], v: dict[str, np.ndarray], similarity: np.ndarray
) -> np.ndarray:
    """How well the candidate's program fits what the vacancy needs, credit for related ones.

    fit = max over the candidate's programs p (confidence c_p) and the vacancy's programs q
    (confidence v_q) of c_p * S[p, q] * v_q.
    """
    fit = np.zeros(len(c["prog1"]), dtype=np.float32)
    for prog, conf in (("prog1", "conf1"), ("prog2", "conf2")):
        known = c[prog] >= 0
        if not known.any():
            continue
        rows = similarity[c[prog][known]] * v["programs"][known]
        fit[known] = np.maximum(fit[known], rows.max(axis=1) * c[conf][known])
    no_need = ~v["has_programs"]
    fit[no_need] = 0.5  # a vacancy open to any program: not measured (PairFeatures.measured)
    fit[(c["prog1"] < 0) & ~no_need] = 0.25  # no major given: cannot be shown to fit
    return fit


def skill_coverage(
    candidate_skills: Sequence[Skills], vacancy_skills: Sequence[Skills]
) -> np.ndarray:
    """The share of the vacancy's skills the candidate has; 0.5 where it names none."""
    coverage = np.full(len(candidate_skills), 0.5, dtype=np.float32)
    for i, (have, need) in enumerate(zip(candidate_skills, vacancy_skills, strict=True)):
        if need:  # a vacancy naming no skills stays at the neutral 0.5
            coverage[i] = len(shared_skills(have, need)) / len(need)
    return coverage


def certificate_match(
    candidate_skills: Sequence[Skills], vacancy_skills: Sequence[Skills]
) -> np.ndarray:
    """Certificates the vacancy names that the candidate holds.

    The share held where the vacancy names any; where it names none, 0.5 (unknown) or 0.75 for a
    candidate who holds one anyway, since many employers prefer certified applicants unasked.
    """
    out = np.full(len(candidate_skills), 0.5, dtype=np.float32)
    for i, (have, need) in enumerate(zip(candidate_skills, vacancy_skills, strict=True)):
        asked = CERTIFICATE_SKILLS.intersection(need)
        held = CERTIFICATE_SKILLS.intersection(have)
        if asked:
            out[i] = len(asked & held) / len(asked)
        elif held:
            out[i] = 0.75
    return out


def compute(
    c: dict[str, np.ndarray],
    v: dict[str, np.ndarray],
    *,
    candidate_vectors: np.ndarray,
    vacancy_vectors: np.ndarray,
    candidate_skills: Sequence[Skills],
    vacancy_skills: Sequence[Skills],
    lexical: np.ndarray,
    similarity: np.ndarray,
    distance_km: np.ndarray | None = None,
) -> PairFeatures:
    """All features for aligned pairs; ``lexical`` is BM25 already scaled to [0, 1]."""
    dist = distances(c, v) if distance_km is None else distance_km
    proximity = np.where(np.isnan(dist), 0.5, np.exp(-np.nan_to_num(dist) / COMMUTE_SCALE_KM))
    cosine = np.einsum("ij,ij->i", candidate_vectors, vacancy_vectors)
    dense = np.clip((cosine - DENSE_FLOOR) / (DENSE_CEIL - DENSE_FLOOR), 0.0, 1.0)
    coverage = skill_coverage(candidate_skills, vacancy_skills)
    need = v["min_exp_months"]
    experience = np.where(need > 0, np.minimum(c["exp_months"] / np.maximum(need, 1), 1.0), 1.0)
    salary = np.where(
        np.isnan(v["salary"]), 0.5, np.clip(np.nan_to_num(v["salary"]) / REFERENCE_WAGE - 0.5, 0, 1)
    )
    values = {
        "program_fit": program_fit(c, v, similarity),
        "skill_coverage": coverage,
        "lexical": np.clip(lexical, 0.0, 1.0),
        "dense": dense,
        "proximity": proximity,
        "experience_fit": experience,
        "salary_fit": salary,
        "certificate_match": certificate_match(candidate_skills, vacancy_skills),
        # how much work the candidate has done, whether or not the vacancy states a minimum
        "work_experience": 1.0 - np.exp(-c["exp_months"] / EXPERIENCE_SCALE_MONTHS),
    }
    measured = {
        "program_fit": np.asarray(v["has_programs"], dtype=bool),
        "skill_coverage": np.fromiter((len(need) > 0 for need in vacancy_skills), bool),
        "proximity": ~np.isnan(dist),
        "salary_fit": ~np.isnan(v["salary"]),
    }
    return PairFeatures(
        values={k: np.asarray(x, dtype=np.float32) for k, x in values.items()},
        distance_km=dist,
        candidate_skills=candidate_skills,
        vacancy_skills=vacancy_skills,
        measured=measured,
    )
