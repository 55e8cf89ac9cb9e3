"""Half a year of placement history for the demo, so its charts, reports and tracer show something.

The history is played by the same BKK outcome simulator the learned scorer is evaluated on
(``matcher.learning.simulator``): each demo vacancy is posted in some week, its top candidates
are shortlisted, and employers with hidden tastes contact, interview, hire or reject them. The
ranking those simulated officers saw comes from a cheap hashing-encoder engine, which is enough
for a plausible history and keeps ``make demo`` fast; the served ranking is the real encoder's.
Outcomes are stored with the school and employer of their records, as the API stores them, and
recorded by ``demo`` so they can be told apart from real ones.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matcher.demo import DemoData
from matcher.encoder import HashingEncoder
from matcher.engine import Matcher
from matcher.learning.simulator import simulate
from service.db.models import OutcomeRow

#: weeks of history before the demo's date; the office's chart shows the last 12 months
HISTORY_WEEKS = 26
#: how many of a vacancy's top candidates the simulated officers shortlist
SHORTLIST = 15
RECORDED_BY = "demo"


def count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(OutcomeRow)) or 0)


def seed(
    session: Session,
    data: DemoData,
    *,
    seed: int = 7,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Store a simulated history once (never over existing outcomes); the number stored."""
    if count(session):
        return 0
    matcher = Matcher(encoder=HashingEncoder(64)).fit(data.candidates, data.vacancies)
    events = simulate(
        data, matcher, seed=seed, weeks=HISTORY_WEEKS, shown=SHORTLIST, progress=progress
    ).events
    now = datetime.now(UTC)
    # the simulation plays every shortlist to its end; steps after today have not happened yet
    events = [e for e in events if e.at <= now]
    school = {c.id: c.school_id for c in data.candidates}
    employer = {v.id: v.employer_id for v in data.vacancies}
    session.add_all(
        OutcomeRow(
            vacancy_id=e.vacancy_id,
            candidate_id=e.candidate_id,
            status=e.status,
            reason=e.reason,
            at=e.at.astimezone(UTC),
            school_id=school.get(e.candidate_id),
            employer_id=employer.get(e.vacancy_id),
            recorded_by=RECORDED_BY,
            created_at=now,
        )
        for e in events
    )
    return len(events)
