"""The demo's simulated history: stored once, in the records' own scopes, and placements in it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from service import demo_outcomes
from service.db.models import CandidateRow, OutcomeRow, VacancyRow
from service.db.session import build_engine, session_factory, upgrade
from service.demo import load_demo


def test_the_demo_comes_with_half_a_year_of_outcomes_stored_once(tmp_path: Path) -> None:
    engine = build_engine(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    upgrade(engine)
    sessions = session_factory(engine)
    try:
        with sessions() as session:
            first = load_demo(session, n_schools=5, n_candidates=200, n_vacancies=30)
            rows = list(session.scalars(select(OutcomeRow)))
            assert first.counts["outcome"] == len(rows) > 0
            assert {r.recorded_by for r in rows} == {demo_outcomes.RECORDED_BY}
            assert any(r.status == "hired" for r in rows), "some demo people were placed"
            school = dict(session.execute(select(CandidateRow.id, CandidateRow.school_id)).all())
            employer = dict(session.execute(select(VacancyRow.id, VacancyRow.employer_id)).all())
            for r in rows:  # stored in the records' own scopes, as the API stores outcomes
                assert r.school_id == school[r.candidate_id]
                assert r.employer_id == employer[r.vacancy_id]
            now = datetime.now(UTC).replace(tzinfo=None)  # SQLite hands back naive UTC
            assert all(r.at.replace(tzinfo=None) <= now for r in rows), "no outcome from the future"
            months = {(r.at.year, r.at.month) for r in rows}
            assert len(months) >= 3, "the history spreads over months, for the office's chart"

            again = load_demo(session, n_schools=5, n_candidates=200, n_vacancies=30)
            assert again.counts["outcome"] == len(rows)  # nothing added the second time
    finally:
        engine.dispose()


def test_load_benchmarks_can_leave_the_history_out(tmp_path: Path) -> None:
    engine = build_engine(f"sqlite:///{tmp_path / 'bare.sqlite3'}")
    upgrade(engine)
    try:
        with session_factory(engine)() as session:
            result = load_demo(
                session, n_schools=5, n_candidates=100, n_vacancies=10, history=False
            )
            assert result.counts["outcome"] == 0
    finally:
        engine.dispose()
