"""Skill gaps, and the training programmes (BLK, LPK, BBPLK) that would close them.

A gap is what the engine already calls a missing skill: the canonical taxonomy keys a vacancy
asks for that the candidate's profile lacks (``PairFeatures.missing_skills``, worded by
``reasons`` as "Keahlian yang diminta tetapi belum dimiliki"). :class:`SkillProfiles` reads both
sets through the engine's own ``Profiler``, so nothing here is a second skill matcher.

Two questions are answered from plain values (no database, no web):

* for one person, which trainings teach what they most often miss for the open vacancies near
  them, weighted by how well those vacancies otherwise fit (:func:`suggest_for_candidate`);
* for the labour office, which trainings teach a skill that is short for the most *unfilled*
  vacancies (:func:`vacancy_demand`, :func:`rank_for_admin`).

A vacancy is unfilled when fewer candidates *fit* it than it has openings. A candidate fits when
the engine ranks them eligible for the vacancy with a score of at least :data:`FIT_SCORE`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from matcher.geo import Gazetteer
from matcher.profiles import Profiler
from matcher.records import Candidate, Location, Vacancy

if TYPE_CHECKING:
    from matcher.engine import Matcher
    from matcher.taxonomy import Taxonomy

#: A vacancy within this many km of a person (or in their kecamatan) is "near them".
NEARBY_KM = 25.0
#: The score from which an eligible candidate counts as fitting a vacancy. Measured on the
#: Kabupaten Serang demo (600 people, 120 vacancies, default scorer): the top 20 eligible
#: candidates of each open vacancy score 0.61 / 0.74 / 0.81 at the quartiles, so 0.6 keeps
#: roughly the best three quarters of a vacancy's top list and drops the weak tail.
FIT_SCORE = 0.6
#: A skill is short for a vacancy when at least this share of the candidates the engine ranks
#: for it lack it: the people nearest to the job mostly do not have it.
SHORT_SHARE = 0.5

_LIST_SPLIT = re.compile(r"[,;\n]+")


@dataclass(frozen=True)
class Training:
    """A training programme as the engine sees it: what it teaches and where."""

    id: str
    title: str
    provider: str
    skills: frozenset[str]  # canonical taxonomy skill keys
    location: Location | None = None


@dataclass(frozen=True)
class VacancyGap:
    """One open vacancy the engine ranked for a person, and the skills they miss for it."""

    vacancy: Vacancy
    score: float
    missing: frozenset[str]


@dataclass(frozen=True)
class TrainingSuggestion:
    """A training for one person: the missing skills it teaches and the vacancies it helps."""

    training: Training
    weight: float  # sum over helped vacancies of fit score × share of the gap it closes
    skills: tuple[str, ...]  # missing skills it teaches, most often missing first
    vacancy_ids: tuple[str, ...]  # nearby vacancies whose gap it (partly) closes, best fit first
    distance_km: float | None  # from the person to the training, when both are known


@dataclass(frozen=True)
class RankedCandidate:
    """One candidate the engine ranked (eligible) for a vacancy: score and missing skills."""

    score: float
    missing: frozenset[str]


@dataclass(frozen=True)
class VacancyDemand:
    """How well a vacancy's openings can be filled from the people the engine ranks for it."""

    vacancy_id: str
    openings: int
    fitting: int
    short_skills: frozenset[str]  # asked-for skills most of its ranked candidates lack

    @property
    def unfilled(self) -> bool:
        return self.fitting < self.openings

    @property
    def short_by(self) -> int:
        return max(self.openings - self.fitting, 0)


@dataclass(frozen=True)
class TrainingImpact:
    """A training for the labour office: the unfilled vacancies whose short skill it teaches."""

    training: Training
    vacancy_ids: tuple[str, ...]
    short_by: int  # people still needed across those vacancies
    skills: tuple[str, ...]  # short skills it teaches, those short for most vacancies first


class SkillProfiles:
    """Skill sets of records exactly as the engine derives them on upsert.

    Gaps computed here are ``vacancy skills - candidate skills`` over the same sets the engine
    stores for ranking, so a suggestion never names a skill the engine would not call missing.
    Given a fitted ``engine``, a record it holds unchanged (equal field by field) is read from
    its profiles, since deriving one costs about 1 ms for a person and 5 ms for a vacancy; any
    other is derived with the engine's ``Profiler``. Cached by record id: one per request.
    """

    def __init__(
        self, taxonomy: Taxonomy, gazetteer: Gazetteer, engine: Matcher | None = None
    ) -> None:
        self._profiler = Profiler(taxonomy, gazetteer)
        self._engine = engine
        self._candidates: dict[str, frozenset[str]] = {}
        self._vacancies: dict[str, frozenset[str]] = {}

    def of_candidate(self, candidate: Candidate) -> frozenset[str]:
        if candidate.id not in self._candidates:
            engine, cid = self._engine, candidate.id
            held = None
            if engine is not None and engine.candidates_.get(cid) == candidate:
                held = engine.candidate_profiles_.get(cid)
            profile = held or self._profiler.candidate(candidate)
            self._candidates[cid] = profile.skills
        return self._candidates[candidate.id]

    def of_vacancy(self, vacancy: Vacancy) -> frozenset[str]:
        if vacancy.id not in self._vacancies:
            engine, vid = self._engine, vacancy.id
            held = None
            if engine is not None and engine.vacancies_.get(vid) == vacancy:
                held = engine.vacancy_profiles_.get(vid)
            profile = held or self._profiler.vacancy(vacancy)
            self._vacancies[vid] = profile.skills
        return self._vacancies[vacancy.id]

    def missing(self, candidate: Candidate, vacancy: Vacancy) -> frozenset[str]:
        return self.of_vacancy(vacancy) - self.of_candidate(candidate)


def read_skills(taxonomy: Taxonomy, text: str) -> tuple[list[str], list[str]]:
    """A typed list ("las listrik, K3; ms excel") → (canonical keys, items that name none).

    Each comma, semicolon or line separated item is read on its own, with the same synonym
    table the engine uses for records, so "las listrik" and "SMAW" are one skill.
    """
    keys: list[str] = []
    unknown: list[str] = []
    for item in (part.strip() for part in _LIST_SPLIT.split(text)):
        if not item:
            continue
        found = sorted(taxonomy.extract_skills(item))
        if found:
            keys.extend(k for k in found if k not in keys)
        elif item not in unknown:
            unknown.append(item)
    return keys, unknown


def is_nearby(
    gazetteer: Gazetteer, home: Location | None, place: Location | None, max_km: float
) -> bool:
    """Same kecamatan, or within ``max_km``; an unknown distance counts as near, because the
    engine already applied the person's own commute limit to every vacancy it returned."""
    code = home.kecamatan_code if home is not None else None
    if code and place is not None and place.kecamatan_code == code:
        return True
    km = gazetteer.distance_km(home, place)
    return km is None or km <= max_km


def skills_that_open_more(
    home: Location | None,
    gaps: Iterable[VacancyGap],
    gazetteer: Gazetteer,
    *,
    nearby_km: float = NEARBY_KM,
    k: int = 5,
) -> list[tuple[str, int]]:
    """The missing skills that stand between this person and the most nearby vacancies.

    Each skill is counted once per nearby vacancy that asks for it and the person lacks; ties go
    to the skill missing at better-fitting vacancies, then to its key. What a BKK officer can tell
    a student: "learn this and these many more vacancies near you fit better".
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k!r}")
    count: Counter[str] = Counter()
    weight: dict[str, float] = {}
    for g in gaps:
        if g.missing and is_nearby(gazetteer, home, g.vacancy.location, nearby_km):
            for skill in g.missing:
                count[skill] += 1
                weight[skill] = weight.get(skill, 0.0) + g.score
    ranked = sorted(count, key=lambda s: (-count[s], -weight[s], s))
    return [(skill, count[skill]) for skill in ranked[:k]]


def suggest_for_candidate(
    home: Location | None,
    gaps: Iterable[VacancyGap],
    trainings: Iterable[Training],
    gazetteer: Gazetteer,
    *,
    nearby_km: float = NEARBY_KM,
    k: int = 3,
) -> list[TrainingSuggestion]:
    """Trainings that teach what this person misses for the open vacancies near them, best first.

    A training earns, for each nearby vacancy, the vacancy's fit score times the share of that
    vacancy's missing skills it teaches: closing a whole gap at a well-fitting vacancy counts
    most. Ties go to the training that helps more vacancies, then to the nearer one.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k!r}")
    near = [
        g for g in gaps if g.missing and is_nearby(gazetteer, home, g.vacancy.location, nearby_km)
    ]
    how_often = Counter(skill for g in near for skill in g.missing)
    out: list[TrainingSuggestion] = []
    for training in trainings:
        weight = 0.0
        helped: list[tuple[float, str]] = []
        taught: set[str] = set()
        for g in near:
            closes = training.skills & g.missing
            if closes:
                weight += g.score * len(closes) / len(g.missing)
                helped.append((g.score, g.vacancy.id))
                taught |= closes
        if not helped:
            continue
        helped.sort(key=lambda pair: (-pair[0], pair[1]))
        out.append(
            TrainingSuggestion(
                training=training,
                weight=round(weight, 6),
                skills=tuple(sorted(taught, key=lambda s: (-how_often[s], s))),
                vacancy_ids=tuple(vid for _, vid in helped),
                distance_km=gazetteer.distance_km(home, training.location),
            )
        )
    far = float("inf")
    out.sort(
        key=lambda s: (
            -s.weight,
            -len(s.vacancy_ids),
            s.distance_km if s.distance_km is not None else far,
            s.training.id,
        )
    )
    return out[:k]


def vacancy_demand(
    vacancy: Vacancy,
    vacancy_skills: frozenset[str],
    ranked: Sequence[RankedCandidate],
    *,
    fit_score: float = FIT_SCORE,
    short_share: float = SHORT_SHARE,
) -> VacancyDemand:
    """Openings against fitting candidates, and which asked-for skills its candidates lack.

    ``ranked`` is the engine's eligible top list for the vacancy (deep enough to hold at least
    its openings). A skill most of them lack is short for this vacancy whether or not they
    already fit: an unfilled vacancy needs more people, and people holding a skill that its
    nearest candidates mostly lack are what a training adds. Where nobody is ranked at all,
    every skill the vacancy asks for is short.
    """
    openings = vacancy.headcount or 1
    fitting = sum(1 for r in ranked if r.score >= fit_score)
    if not ranked:
        short = vacancy_skills
    else:
        lacking = Counter(skill for r in ranked for skill in r.missing & vacancy_skills)
        need = short_share * len(ranked)
        short = frozenset(skill for skill, n in lacking.items() if n >= need)
    return VacancyDemand(vacancy.id, openings, fitting, short)


def rank_for_admin(
    demands: Iterable[VacancyDemand], trainings: Iterable[Training], *, k: int | None = None
) -> list[TrainingImpact]:
    """Trainings by how many unfilled vacancies they would help fill, most first.

    A training helps an unfilled vacancy when it teaches at least one of its short skills. Ties
    go to the training that covers more missing people (openings not yet fitted), then by id.
    Trainings that help no unfilled vacancy are left out.
    """
    unfilled = [d for d in demands if d.unfilled and d.short_skills]
    how_often = Counter(skill for d in unfilled for skill in d.short_skills)
    out: list[TrainingImpact] = []
    for training in trainings:
        helped = [d for d in unfilled if training.skills & d.short_skills]
        if not helped:
            continue
        taught = set().union(*(training.skills & d.short_skills for d in helped))
        out.append(
            TrainingImpact(
                training=training,
                vacancy_ids=tuple(sorted(d.vacancy_id for d in helped)),
                short_by=sum(d.short_by for d in helped),
                skills=tuple(sorted(taught, key=lambda s: (-how_often[s], s))),
            )
        )
    out.sort(key=lambda t: (-len(t.vacancy_ids), -t.short_by, t.training.id))
    return out if k is None else out[:k]
