"""Which trainings close which gaps: the engine's rankings joined with the training register.

The rankings come from the API's own use cases and gateway calls, so a person's suggestions are
built only from vacancies the caller may see (``matching.vacancies_for_candidate`` scopes them
before ``k`` is cut) and the admin's table only from what an admin sees (everything).
The arithmetic (what counts as near, fitting, short) lives in ``matcher.skill_gaps``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.errors import UnknownRecordError
from matcher.records import Candidate, Vacancy
from matcher.skill_gaps import (
    RankedCandidate,
    SkillProfiles,
    TrainingImpact,
    TrainingSuggestion,
    VacancyGap,
    rank_for_admin,
    skills_that_open_more,
    suggest_for_candidate,
    vacancy_demand,
)
from service import trainings
from service.auth import Principal
from service.db import repository
from service.db.models import VacancyRow
from service.engine_gateway import EngineGateway

#: how many of a person's best vacancies are read for their gaps
SUGGESTION_DEPTH = 30
SUGGESTIONS_SHOWN = 3
#: how deep into each open vacancy's ranking the admin table looks (at least its openings)
DEMAND_DEPTH = 20
MAX_DEPTH = 1000


@dataclass(frozen=True)
class Suggestion:
    """A training for one person, worded for the page."""

    training: trainings.TrainingView
    skills: list[str]  # labels of the missing skills it teaches
    vacancies: list[str]  # titles of the nearby vacancies it helps


@dataclass(frozen=True)
class Advice:
    """What a student's page says about growing: skills that open more vacancies, and trainings."""

    skills: list[tuple[str, int]]  # (Indonesian label, nearby vacancies that ask for it)
    trainings: list[Suggestion]


@dataclass(frozen=True)
class Impact:
    """A row of the admin's "which training opens the most vacancies" table."""

    training: trainings.TrainingView
    vacancies: int
    short_by: int
    skills: list[str]
    vacancy_titles: list[str]


def _labels(keys: tuple[str, ...]) -> list[str]:
    tax = trainings.taxonomy()
    return [tax.skill_label(k) for k in keys]


def depth(k_max: int) -> int:
    """How deep into a person's ranking the advice looks (the caller asks the engine once)."""
    return min(SUGGESTION_DEPTH, k_max)


def for_candidate(
    gateway: EngineGateway,
    session: Session,
    p: Principal,
    candidate_id: str,
    found: dict[str, Any],
) -> Advice:
    """The skills and trainings that would open more of the vacancies near this person.

    ``found`` is the person's ranking as ``matching.vacancies_for_candidate`` answered ``p``,
    read ``depth()`` deep: the same scoped list the page shows, so nothing out of scope counts.
    """
    today = repository.today()
    row = repository.get_row(session, "candidate", candidate_id)
    if row is None or not found["items"]:
        return Advice([], [])
    person = Candidate.model_validate(row.data)
    vac_rows = repository.get_rows(session, "vacancy", [i["vacancy_id"] for i in found["items"]])
    profiles = SkillProfiles(trainings.taxonomy(), trainings.gazetteer(), gateway.matcher)
    gaps = []
    titles: dict[str, str] = {}
    for item in found["items"]:
        vrow = vac_rows.get(item["vacancy_id"])
        if vrow is None:
            continue
        vacancy = Vacancy.model_validate(vrow.data)
        titles[vacancy.id] = vacancy.title
        gaps.append(VacancyGap(vacancy, float(item["score"]), profiles.missing(person, vacancy)))
    offered = trainings.current(session, p, today)
    ranked: list[TrainingSuggestion] = suggest_for_candidate(
        person.location, gaps, offered, trainings.gazetteer(), k=SUGGESTIONS_SHOWN
    )
    by_id = {r.id: r for r in trainings.rows(session, p)}
    suggestions = [
        Suggestion(
            training=trainings.view(by_id[int(s.training.id)], today),
            skills=_labels(s.skills),
            vacancies=[titles[v] for v in s.vacancy_ids],
        )
        for s in ranked
        if int(s.training.id) in by_id
    ]
    skills = skills_that_open_more(person.location, gaps, trainings.gazetteer())
    labels = _labels(tuple(key for key, _ in skills))
    return Advice([(label, n) for label, (_, n) in zip(labels, skills, strict=True)], suggestions)


def _people(session: Session, ids: set[str], batch: int = 500) -> dict[str, Candidate]:
    """The stored records of these people, read in batches (one query each, not one per use)."""
    ordered = sorted(ids)
    out: dict[str, Candidate] = {}
    for start in range(0, len(ordered), batch):
        rows = repository.get_rows(session, "candidate", ordered[start : start + batch])
        out.update({cid: Candidate.model_validate(row.data) for cid, row in rows.items()})
    return out


def for_admin(gateway: EngineGateway, session: Session, p: Principal) -> list[Impact]:
    """Trainings by how many unfilled open vacancies they would help fill (admin only)."""
    trainings.require_admin(p)
    today = repository.today()
    offered = trainings.current(session, p, today)
    if not offered:
        return []
    open_rows = session.scalars(select(VacancyRow).where(VacancyRow.status == "open"))
    vacancies = [Vacancy.model_validate(r.data) for r in open_rows]
    session.commit()  # end the read transaction before waiting on the engine (see matching)
    ranked_by_vacancy: list[tuple[Vacancy, list[Any]]] = []
    for vacancy in vacancies:
        depth = min(max(DEMAND_DEPTH, vacancy.headcount or 1), MAX_DEPTH)
        try:
            matches = gateway.recommend_candidates(vacancy.id, depth, as_of=today)
        except UnknownRecordError:  # stored but not yet in the engine: the next sync adds it
            continue
        ranked_by_vacancy.append((vacancy, matches))
    people = _people(session, {m.candidate_id for _, ms in ranked_by_vacancy for m in ms})
    profiles = SkillProfiles(trainings.taxonomy(), trainings.gazetteer(), gateway.matcher)
    demands = []
    for vacancy, matches in ranked_by_vacancy:
        ranked = [
            RankedCandidate(float(m.score), profiles.missing(people[m.candidate_id], vacancy))
            for m in matches
            if m.candidate_id in people
        ]
        demands.append(vacancy_demand(vacancy, profiles.of_vacancy(vacancy), ranked))
    impacts: list[TrainingImpact] = rank_for_admin(demands, offered)
    titles = {v.id: v.title for v in vacancies}
    by_id = {r.id: r for r in trainings.rows(session, p)}
    return [
        Impact(
            training=trainings.view(by_id[int(t.training.id)], today),
            vacancies=len(t.vacancy_ids),
            short_by=t.short_by,
            skills=_labels(t.skills),
            vacancy_titles=[titles[v] for v in t.vacancy_ids],
        )
        for t in impacts
        if int(t.training.id) in by_id
    ]
