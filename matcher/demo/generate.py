"""``generate_demo``: the one entry point; each part draws from its own seeded stream."""

from __future__ import annotations

import random
from datetime import date

from matcher.demo.model import DemoData
from matcher.demo.people import CandidateFactory, make_schools
from matcher.demo.postings import VacancyFactory, make_employers
from matcher.demo.tables import Tables
from matcher.geo import Gazetteer


def generate_demo(
    seed: int = 7,
    n_schools: int = 30,
    n_candidates: int = 3000,
    n_vacancies: int = 300,
    as_of: date = date(2026, 11, 1),
    *,
    gazetteer: Gazetteer | None = None,
) -> DemoData:
    """A realistic Kabupaten Serang data set, identical for the same arguments.

    Schools, employers, candidates and vacancies each use their own random stream (derived from
    ``seed``), so asking for more candidates does not change the vacancies. ``as_of`` fixes ages,
    graduation cohorts (class XII now graduates next June) and deadlines.
    """
    for name, value in (
        ("n_schools", n_schools),
        ("n_candidates", n_candidates),
        ("n_vacancies", n_vacancies),
    ):
        if value < 0:
            raise ValueError(f"{name} must be >= 0, got {value}.")
    if n_candidates and n_schools < 1:
        raise ValueError("n_schools must be >= 1 when candidates are generated.")
    tables = Tables.load()
    gaz = gazetteer or Gazetteer.load()

    def stream(part: str) -> random.Random:
        return random.Random(f"cocok-demo/{seed}/{part}")

    schools = make_schools(stream("schools"), tables, gaz, n_schools)
    employers = make_employers(stream("employers"), tables, gaz, max(12, n_vacancies // 3))

    people = CandidateFactory(stream("candidates"), tables, gaz, as_of, schools, employers)
    candidates = []
    candidate_program: dict[str, str | None] = {}
    for i in range(n_candidates):
        candidate, program = people.make(i)
        candidates.append(candidate)
        candidate_program[candidate.id] = program

    postings = VacancyFactory(stream("vacancies"), tables, gaz, as_of, employers)
    vacancies = []
    vacancy_programs: dict[str, list[str]] = {}
    vacancy_occupation: dict[str, str] = {}
    for i in range(n_vacancies):
        vacancy, occupation, programs = postings.make(i)
        vacancies.append(vacancy)
        vacancy_programs[vacancy.id] = programs
        vacancy_occupation[vacancy.id] = occupation

    return DemoData(
        seed=seed,
        as_of=as_of,
        schools=schools,
        employers=employers,
        candidates=candidates,
        vacancies=vacancies,
        candidate_program=candidate_program,
        vacancy_programs=vacancy_programs,
        vacancy_occupation=vacancy_occupation,
    )
