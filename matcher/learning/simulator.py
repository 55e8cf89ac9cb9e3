"""A seeded simulator of BKK placement outcomes on the demo data, to show the scorer learns.

Real outcomes take months to collect, so this plays them out: every employer has hidden tastes
(some want a competency certificate such as K3, SIO or BNSP, some will not take anyone who lives
far away, some want months of work behind a candidate) on top of what every employer wants, a
graduate of a fitting program. Week by week, vacancies are posted; the BKK shortlists the
engine's default ranking (the shown list); the employer looks down the list (less often lower
down), and contacts, interviews, hires, or rejects with a reason, by its hidden utility plus
noise. The events come out in the shape the service stores, with timestamps.

The tastes are read from the raw records (the demo's own truth for programs, the certificate
strings, the gazetteer distance, the months worked), never from the engine's features, so what
a scorer learns from the events it has to recover through its own, imperfect features.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from matcher.demo.model import DemoData
from matcher.engine import Matcher
from matcher.geo import Gazetteer, haversine_km
from matcher.learning.outcomes import OutcomeEvent
from matcher.records import Candidate, Vacancy

#: Certificates anyone can get (licences, police record, vaccination): not a competency.
EVERYDAY_CERTIFICATES = frozenset(
    {"sim a", "sim c", "skck", "sertifikat vaksin", "toeic 450", "sertifikat pelatihan blk"}
)
#: Distance assumed where either place is unknown (a typical commute within the kabupaten).
UNKNOWN_DISTANCE_KM = 15.0
#: Hidden utility at which a reviewing employer contacts a candidate who fits the program.
CONTACT_AT = 1.6
#: Interviews an employer holds beyond its openings.
EXTRA_INTERVIEWS = 3


@dataclass(frozen=True)
class EmployerTaste:
    """What one employer wants beyond the right program; hidden from the engine."""

    employer_id: str
    certificate: float  # utility of holding a competency certificate (0: indifferent)
    distance: float  # utility lost per 10 km between home and workplace
    experience_months: int  # months of work wanted (0: indifferent)
    experience: float  # utility of having them all


@dataclass
class Simulation:
    events: list[OutcomeEvent]
    tastes: dict[str, EmployerTaste]
    #: vacancy id → the week (0-based) it was posted and shortlisted
    week_of: dict[str, int] = field(default_factory=dict)
    #: (vacancy id, candidate id) → the hidden utility without noise, for tests and diagnosis
    utility: dict[tuple[str, str], float] = field(default_factory=dict)
    world: _World | None = None

    def judge(self, vacancy_id: str, candidate_ids: list[str]) -> dict[str, int]:
        """The employer's own verdict on every given candidate, graded 0-3 like outcome labels.

        The shown lists only ever hold the default ranking's top, and the employer looks at
        them with a position bias, so outcomes on them judge any other ranking unfairly. Here
        the employer looks at everyone, without noise, by the rules ``simulate`` plays: a
        fitting candidate at or above the contact utility is wanted (1); the best of those, as
        many as the interviews it would hold, are interviewed (2), and the best of all, as many
        as its openings, hired (3).
        """
        if self.world is None:
            raise ValueError("this simulation has no hidden world to judge with")
        v = self.world.vacancies[vacancy_id]
        wanted = []
        grades = dict.fromkeys(candidate_ids, 0)
        for cid in candidate_ids:
            parts = self.world.parts(v, self.world.candidates[cid])
            utility = sum(parts.values())
            if parts["fit"] > 0.0 and utility >= CONTACT_AT:
                wanted.append((utility, cid))
        wanted.sort(reverse=True)
        openings = _openings(v)
        for rank, (_, cid) in enumerate(wanted):
            grades[cid] = 3 if rank < openings else 2 if rank < openings + EXTRA_INTERVIEWS else 1
        return grades


def draw_tastes(employer_ids: list[str], rng: random.Random) -> dict[str, EmployerTaste]:
    """A mix of employers: about 40% want certificates, half mind distance, 40% want experience."""
    tastes = {}
    for eid in employer_ids:
        tastes[eid] = EmployerTaste(
            employer_id=eid,
            certificate=rng.uniform(1.0, 2.0) if rng.random() < 0.4 else 0.0,
            distance=rng.uniform(0.5, 1.2) if rng.random() < 0.5 else 0.1,
            experience_months=rng.choice([6, 12, 24]) if rng.random() < 0.4 else 0,
            experience=rng.uniform(1.0, 2.0),
        )
    return tastes


def has_competency_certificate(candidate: Candidate) -> bool:
    return any(c.strip().lower() not in EVERYDAY_CERTIFICATES for c in candidate.certifications)


class _World:
    """The hidden utility of a pair, from the demo's truth and the raw records."""

    def __init__(self, demo: DemoData, gazetteer: Gazetteer, tastes: dict[str, EmployerTaste]):
        self.demo = demo
        self.tastes = tastes
        self.gazetteer = gazetteer
        self.candidates = {c.id: c for c in demo.candidates}
        self.vacancies = {v.id: v for v in demo.vacancies}

    def parts(self, v: Vacancy, c: Candidate) -> dict[str, float]:
        taste = self.tastes[v.employer_id or ""]
        programs = self.demo.vacancy_programs.get(v.id, [])
        program = self.demo.candidate_program.get(c.id)
        if program is not None and programs and program == programs[0]:
            fit = 2.0
        elif program is not None and program in programs:
            fit = 1.5
        elif program is None and not programs:
            fit = 1.0
        else:
            fit = 0.0
        a, b = self.gazetteer.resolve(c.location), self.gazetteer.resolve(v.location)
        km = float(haversine_km(a[0], a[1], b[0], b[1])) if a and b else UNKNOWN_DISTANCE_KM
        parts = {"fit": fit, "distance": -taste.distance * km / 10.0, "certificate": 0.0}
        if taste.certificate and has_competency_certificate(c):
            parts["certificate"] = taste.certificate
        parts["experience"] = 0.0
        if taste.experience_months:
            share = min(c.experience_months / taste.experience_months, 1.0)
            parts["experience"] = taste.experience * share
        return parts


def simulate(
    demo: DemoData,
    matcher: Matcher,
    *,
    seed: int = 0,
    weeks: int = 12,
    shown: int = 30,
    noise: float = 0.5,
    attention: float = 30.0,
    start: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Simulation:
    """Play out ``weeks`` of shortlists and employer decisions; the same arguments, same events.

    ``matcher`` must be fitted on ``demo``'s records with the default scorer: its ranking is what
    BKK staff are shown. ``noise`` is the spread of the employer's judgement around its hidden
    utility; the candidate at position p of the list is looked at with probability
    ``1 / (1 + p / attention)``. Events start at ``start`` (default: ``weeks`` weeks before the
    demo's ``as_of``), in UTC.
    """
    if weeks < 1 or shown < 1:
        raise ValueError("weeks and shown must be at least 1")
    rng = random.Random(f"cocok-outcomes/{seed}")
    tastes = draw_tastes(sorted({v.employer_id or "" for v in demo.vacancies}), rng)
    world = _World(demo, getattr(matcher, "gazetteer_", None) or Gazetteer.load(), tastes)
    begin = start or datetime.combine(demo.as_of, time(8), tzinfo=UTC) - timedelta(weeks=weeks)
    sim = Simulation(events=[], tastes=tastes, world=world)
    order = list(demo.vacancies)
    for v in order:
        sim.week_of[v.id] = rng.randrange(weeks)
    order.sort(key=lambda v: (sim.week_of[v.id], v.id))
    for done, v in enumerate(order, start=1):
        posted = begin + timedelta(weeks=sim.week_of[v.id], hours=rng.randrange(0, 96))
        matches = matcher.recommend_candidates(v.id, k=shown, as_of=demo.as_of)
        _play(sim, world, v, [m.candidate_id for m in matches], posted, rng, noise, attention)
        if progress is not None:
            progress(done, len(order))
    sim.events.sort(key=lambda e: (e.at, e.vacancy_id, e.candidate_id))
    return sim


def _play(
    sim: Simulation,
    world: _World,
    v: Vacancy,
    shown: list[str],
    posted: datetime,
    rng: random.Random,
    noise: float,
    attention: float,
) -> None:
    def event(cid: str, status: str, days: float, reason: str | None = None) -> None:
        at = posted + timedelta(days=days, minutes=rng.randrange(0, 600))
        sim.events.append(OutcomeEvent(v.id, cid, status, at, reason))

    reviewed: list[tuple[float, str, dict[str, float]]] = []
    for position, cid in enumerate(shown):
        event(cid, "shortlisted", 0)
        parts = world.parts(v, world.candidates[cid])
        sim.utility[(v.id, cid)] = sum(parts.values())
        if rng.random() < 1.0 / (1.0 + position / attention):  # lower down, looked at less
            reviewed.append((sum(parts.values()) + rng.gauss(0.0, noise), cid, parts))
    reviewed.sort(reverse=True)
    openings = _openings(v)
    interviews = 0
    for utility, cid, parts in reviewed:
        if parts["fit"] == 0.0:
            if rng.random() < 0.7:
                reason = "education_mismatch" if rng.random() < 0.3 else "skill_mismatch"
                event(cid, "rejected", 3, reason)
            continue
        if utility >= CONTACT_AT and interviews < openings + EXTRA_INTERVIEWS:
            event(cid, "contacted", 2)
            if rng.random() < 0.1:
                event(cid, "rejected", 5, "no_response")
                continue
            event(cid, "interviewed", 7)
            interviews += 1
            if openings > 0:
                openings -= 1
                event(cid, "hired", 14)
            else:
                event(cid, "rejected", 14, "hired_other")
            continue
        shortfall = _shortfall(parts, world.tastes[v.employer_id or ""])
        if shortfall is not None and rng.random() < 0.6:
            event(cid, "rejected", 4, shortfall)


def _openings(v: Vacancy) -> int:
    return max(1, min(v.headcount or 1, 3))


def _shortfall(parts: dict[str, float], taste: EmployerTaste) -> str | None:
    """The reason an employer would give: the largest thing it wanted and did not get."""
    gaps = {
        "location": -parts["distance"],
        "experience": taste.experience - parts["experience"] if taste.experience_months else 0.0,
        "skill_mismatch": taste.certificate - parts["certificate"],
    }
    reason, gap = max(gaps.items(), key=lambda item: item[1])
    return reason if gap >= 0.6 else None
