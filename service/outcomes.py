"""Outcomes (shortlisted … hired / rejected): what reports count and the learned scorer trains on.

A BKK key records them for its own students, an employer key for its own vacancies (and only for
candidates it may see), a portal for records it owns.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from service import access
from service.auth import Principal
from service.db import repository
from service.db.models import CandidateRow, OutcomeRow, VacancyRow
from service.problems import not_found


def _allowed(p: Principal, cand: CandidateRow, vac: VacancyRow | None) -> bool:
    return access.may_record_outcome(p, cand, vac, repository.today())


def record(
    session: Session,
    p: Principal,
    vacancy_id: str,
    candidate_id: str,
    status: str,
    reason: str | None,
    at: datetime | None,
) -> dict[str, Any]:
    cand = repository.get_row(session, "candidate", candidate_id)
    vac = repository.get_row(session, "vacancy", vacancy_id)
    if cand is None or not _allowed(p, cand, vac):  # type: ignore[arg-type]
        raise not_found("candidate", candidate_id)
    if vac is None:
        raise not_found("vacancy", vacancy_id)
    now = datetime.now(UTC)
    row = OutcomeRow(
        vacancy_id=vacancy_id,
        candidate_id=candidate_id,
        status=status,
        reason=reason,
        at=(at.astimezone(UTC) if at and at.tzinfo else at) or now,
        school_id=cand.school_id,  # type: ignore[union-attr]
        employer_id=vac.employer_id,  # type: ignore[union-attr]
        recorded_by=p.key_id,
        created_at=now,
    )
    session.add(row)
    repository.audit(session, p.key_id, "outcome.create", "candidate", candidate_id, status)
    session.commit()
    return to_json(row)


def to_json(row: OutcomeRow) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": str(row.id),
        "vacancy_id": row.vacancy_id,
        "candidate_id": row.candidate_id,
        "status": row.status,
        # SQLite hands back naive datetimes: every stored time is UTC, so say so
        "at": (row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)).isoformat(),
    }
    if row.reason:
        out["reason"] = row.reason
    return out


def list_outcomes(
    session: Session,
    p: Principal,
    vacancy_id: str | None,
    candidate_id: str | None,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int | None]:
    conditions: list[ColumnElement[bool]] = []
    if p.role == "bkk":
        conditions.append(OutcomeRow.school_id == p.school_id)
    elif p.role == "employer":
        conditions.append(OutcomeRow.employer_id == p.employer_id)
    elif p.role == "portal":
        conditions.append(OutcomeRow.recorded_by.in_(_portal_key_ids(session, p)))
    if vacancy_id is not None:
        conditions.append(OutcomeRow.vacancy_id == vacancy_id)
    if candidate_id is not None:
        conditions.append(OutcomeRow.candidate_id == candidate_id)
    stmt = (
        select(OutcomeRow)
        .where(*conditions)
        .order_by(OutcomeRow.id)
        .limit(limit + 1)
        .offset(offset)
    )
    rows = list(session.scalars(stmt))
    return [to_json(r) for r in rows[:limit]], (offset + limit if len(rows) > limit else None)


def _portal_key_ids(session: Session, p: Principal) -> list[str]:
    """A portal sees the outcomes any of its keys recorded (keys rotate, the label stays)."""
    from service.db.models import ApiKeyRow

    if not p.label:
        return [p.key_id]
    ids = session.scalars(
        select(ApiKeyRow.id).where(ApiKeyRow.role == "portal", ApiKeyRow.label == p.label)
    )
    return [*ids, p.key_id]
