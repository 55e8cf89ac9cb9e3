"""``generate_demo``: the one entry point; each part draws from its own seeded stream."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from matcher.demo.model import DemoData, Employer, School
from matcher.demo.people import CandidateFactory, make_schools
from matcher.demo.postings import VacancyFactory, make_employers
from matcher.demo.tables import Tables
from matcher.geo import Gazetteer
from matcher.records import Candidate


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
    w = _World.make(seed, n_schools, n_candidates, n_vacancies, gazetteer)
    tables, gaz, stream, schools, employers = w.tables, w.gaz, w.stream, w.schools, w.employers

    people = CandidateFactory(stream("candidates"), tables, gaz, as_of, schools, employers)
    candidates = []
    candidate_program: dict[str, str | None] = {}
    for candidate, program in _people(people, n_candidates):
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


def _people(factory: CandidateFactory, n: int) -> Iterator[tuple[Candidate, str | None]]:
    for i in range(n):
        yield factory.make(i)


def stream_demo_candidates(
    seed: int = 7,
    n_schools: int = 30,
    n_candidates: int = 3000,
    n_vacancies: int = 300,
    as_of: date = date(2026, 11, 1),
    *,
    gazetteer: Gazetteer | None = None,
) -> Iterator[Candidate]:
    """The candidates ``generate_demo`` would give for the same arguments, one at a time: a
    million of them as a list would take more memory than the engine that indexes them."""
    w = _World.make(seed, n_schools, n_candidates, n_vacancies, gazetteer)
    people = CandidateFactory(
        w.stream("candidates"), w.tables, w.gaz, as_of, w.schools, w.employers
    )
    for candidate, _ in _people(people, n_candidates):
        yield candidate


@dataclass
class _World:
    """What candidates and vacancies are drawn against: tables, places, schools, employers."""

    seed: int
    tables: Tables
    gaz: Gazetteer
    schools: list[School]
    employers: list[Employer]

    def stream(self, part: str) -> random.Random:
        return random.Random(f"cocok-demo/{self.seed}/{part}")

    @classmethod
    def make(
        cls,
        seed: int,
        n_schools: int,
        n_candidates: int,
        n_vacancies: int,
        gazetteer: Gazetteer | None,
    ) -> _World:
        for name, value in (
            ("n_schools", n_schools),
            ("n_candidates", n_candidates),
            ("n_vacancies", n_vacancies),
        ):
            if value < 0:
                raise ValueError(f"{name} must be >= 0, got {value}.")
        if n_candidates and n_schools < 1:
            raise ValueError("n_schools must be >= 1 when candidates are generated.")
        tables, gaz = Tables.load(), gazetteer or Gazetteer.load()
        world = cls(seed, tables, gaz, [], [])
        world.schools = make_schools(world.stream("schools"), tables, gaz, n_schools)
        world.employers = make_employers(
            world.stream("employers"), tables, gaz, max(12, n_vacancies // 3)
        )
        return world
