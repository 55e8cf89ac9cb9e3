"""Record use cases: validate, check the caller's scope, store, index, audit.

Routes call these and translate the results; nothing here knows about HTTP beyond raising
``Problem``. Writes happen inside ``EngineGateway.writing`` so that a returned value means the
record is both stored and indexed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from matcher.errors import RecordValidationError
from matcher.records import Candidate, Consent, Vacancy
from service import access
from service.auth import Principal
from service.db import repository
from service.db.models import CandidateRow, VacancyRow
from service.engine_gateway import EngineGateway
from service.problems import Problem, clean_errors, not_found


def _validate(kind: str, record_id: str | None, body: Any) -> Candidate | Vacancy:
    """Parse one body; ``record_id`` (from the path) must agree with any ``id`` in it."""
    if not isinstance(body, dict):
        raise RecordValidationError(
            f"invalid {kind}", [{"loc": [], "msg": "Input should be a JSON object"}]
        )
    data = dict(body)
    if record_id is not None:
        if "id" in data and data["id"] != record_id:
            raise RecordValidationError(
                f"invalid {kind}", [{"loc": ["id"], "msg": "id must equal the id in the path"}]
            )
        data["id"] = record_id
    return repository.to_record(kind, data)


def put_record(
    gateway: EngineGateway, session: Session, p: Principal, kind: str, record_id: str, body: Any
) -> tuple[bool, dict[str, Any]]:
    """Upsert one record; returns ``(created, stored form)``."""
    try:
        record = _validate(kind, record_id, body)
    except RecordValidationError as exc:
        errors = [{"loc": ["body", *e["loc"]], "msg": e["msg"]} for e in exc.errors]
        raise Problem(422, "validation", f"The {kind} is not valid.", errors=errors) from None
    row = repository.get_row(session, kind, record_id)
    access.check_write(p, kind, record, row)
    gateway.embed_ahead(kind, [record])
    with gateway.writing(session):
        created = repository.upsert(session, record, access.owner_for_write(p, row))
        gateway.upsert(kind, [record])
        repository.audit(
            session, p.key_id, f"{kind}.{'create' if created else 'update'}", kind, record_id
        )
    return created, repository.record_json(record)


@dataclass
class BatchResult:
    upserted: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)


def put_batch(
    gateway: EngineGateway,
    session: Session,
    p: Principal,
    kind: str,
    items: Sequence[Any],
    max_batch: int,
    *,
    first_index: int = 0,
) -> BatchResult:
    """Store every valid item; report each invalid or forbidden one and leave it unchanged."""
    if len(items) > max_batch:
        raise Problem(
            422,
            "validation",
            f"A batch holds at most {max_batch} items.",
            errors=[{"loc": ["body", "items"], "msg": f"at most {max_batch} items"}],
        )
    result = BatchResult()
    valid: dict[str, Candidate | Vacancy] = {}
    parsed: list[tuple[int, Candidate | Vacancy]] = []
    for i, item in enumerate(items):
        if isinstance(item, Candidate | Vacancy):  # already validated (a spreadsheet import)
            parsed.append((i, item))
            continue
        item_id = item.get("id") if isinstance(item, dict) else None
        try:
            parsed.append((i, _validate(kind, None, item)))
        except RecordValidationError as exc:
            result.errors.append(
                {"index": first_index + i, "id": item_id, "errors": clean_errors(exc.errors)}
            )
    rows = repository.get_rows(session, kind, [r.id for _, r in parsed])
    for i, record in parsed:
        try:
            access.check_write(p, kind, record, rows.get(record.id))
        except Problem as exc:
            result.errors.append(
                {
                    "index": first_index + i,
                    "id": record.id,
                    "errors": [{"loc": [], "msg": exc.detail}],
                }
            )
            continue
        valid[record.id] = record  # a repeated id: the later item wins, as a PUT would
        result.upserted += 1
    if valid:
        gateway.embed_ahead(kind, list(valid.values()))
        with gateway.writing(session):
            for record in valid.values():
                repository.upsert(session, record, access.owner_for_write(p, rows.get(record.id)))
            gateway.upsert(kind, list(valid.values()))
            for record in valid.values():
                repository.audit(session, p.key_id, f"{kind}.batch_upsert", kind, record.id)
    return result


def get_record(session: Session, p: Principal, kind: str, record_id: str) -> dict[str, Any]:
    row = repository.get_row(session, kind, record_id)
    access.require_readable(p, kind, row, record_id, repository.today())
    if kind == "candidate":
        if p.role == "employer":
            repository.audit(session, p.key_id, "candidate.read", kind, record_id)
            session.commit()
        return access.candidate_view(p, row.data)  # type: ignore[union-attr]
    return dict(row.data)  # type: ignore[union-attr]


def delete_record(
    gateway: EngineGateway, session: Session, p: Principal, kind: str, record_id: str
) -> None:
    """Delete (for a candidate: erase, with derived outcomes) and drop from every later result."""
    row = repository.get_row(session, kind, record_id)
    if row is None or not _may_see_for_write(p, kind, row):
        raise not_found(kind, record_id)
    access.check_write(p, kind, None, row)
    with gateway.writing(session):
        repository.remove(session, kind, record_id)
        gateway.remove(kind, [record_id], erasure=kind == "candidate")
        action = "candidate.erase" if kind == "candidate" else "vacancy.delete"
        repository.audit(session, p.key_id, action, kind, record_id)


def _may_see_for_write(p: Principal, kind: str, row: Any) -> bool:
    if kind == "candidate":
        return access.can_read_candidate(p, row, repository.today()) and p.role != "employer"
    return access.can_read_vacancy(p, row)


def set_consent(
    gateway: EngineGateway, session: Session, p: Principal, record_id: str, consent: Consent
) -> dict[str, Any]:
    """Change consent at once: the engine's copy changes in the same request."""
    row = repository.get_row(session, "candidate", record_id)
    if row is None or not _may_see_for_write(p, "candidate", row):
        raise not_found("candidate", record_id)
    access.check_write(p, "candidate", None, row)
    data = dict(row.data)
    data["consent"] = consent.model_dump(mode="json", exclude_none=True)
    record = repository.to_record("candidate", data)
    with gateway.writing(session):
        repository.upsert(session, record, None)
        gateway.upsert("candidate", [record])
        repository.audit(
            session,
            p.key_id,
            "candidate.consent",
            "candidate",
            record_id,
            detail=f"share_with_employers={consent.share_with_employers}",
        )
    return repository.record_json(record)


@dataclass(frozen=True)
class ListFilters:
    school_id: str | None = None
    major: str | None = None
    graduation_year: int | None = None
    status: str | None = None
    kecamatan_code: str | None = None
    employer_id: str | None = None
    deadline_before: date | None = None
    deadline_after: date | None = None


def list_records(
    session: Session, p: Principal, kind: str, f: ListFilters, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int | None]:
    """One page in id order, inside the caller's scope; returns ``(items, next_offset)``."""
    conditions: list[ColumnElement[bool]] = []
    if kind == "candidate":
        if p.role == "employer":
            raise Problem(403, "forbidden", "Employer keys cannot list candidates.")
        c = CandidateRow
        conditions.append(access.candidate_scope(p))
        for column, value in (
            (c.school_id, f.school_id),
            (c.major, f.major),
            (c.graduation_year, f.graduation_year),
            (c.status, f.status),
            (c.kecamatan_code, f.kecamatan_code),
        ):
            if value is not None:
                conditions.append(column == value)
    else:
        v = VacancyRow
        conditions.append(access.vacancy_scope(p))
        for column, value in (
            (v.employer_id, f.employer_id),
            (v.status, f.status),
            (v.kecamatan_code, f.kecamatan_code),
        ):
            if value is not None:
                conditions.append(column == value)
        if f.deadline_before is not None:
            conditions.append(v.deadline < f.deadline_before)
        if f.deadline_after is not None:
            conditions.append(v.deadline > f.deadline_after)
    rows = repository.list_rows(session, kind, conditions, limit=limit + 1, offset=offset)
    more = len(rows) > limit
    items = [
        access.candidate_view(p, r.data) if kind == "candidate" else dict(r.data)
        for r in rows[:limit]
    ]
    return items, (offset + limit if more else None)
