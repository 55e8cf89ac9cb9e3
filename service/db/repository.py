"""Reads and writes of records, changes and audit lines: SQL only, no roles, no engine.

Each write also appends to ``changes`` in the same transaction, so the change feed can never
disagree with the tables it describes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal, cast

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.orm import Session

from matcher.records import Candidate, Vacancy, parse_candidate, parse_vacancy
from service.db.models import AuditRow, CandidateRow, ChangeRow, OutcomeRow, VacancyRow

Kind = Literal["candidate", "vacancy"]
Row = CandidateRow | VacancyRow
ROW_TYPES: dict[str, type[CandidateRow] | type[VacancyRow]] = {
    "candidate": CandidateRow,
    "vacancy": VacancyRow,
}


def record_json(record: Candidate | Vacancy) -> dict[str, Any]:
    """The stored (and returned) form: JSON types, unset optional fields left out."""
    return record.model_dump(mode="json", exclude_none=True)


def to_record(kind: str, data: dict[str, Any]) -> Candidate | Vacancy:
    return parse_candidate(data) if kind == "candidate" else parse_vacancy(data)


def _columns(record: Candidate | Vacancy) -> dict[str, Any]:
    kecamatan = record.location.kecamatan_code if record.location else None
    if isinstance(record, Candidate):
        return {
            "school_id": record.school_id,
            "major": record.major,
            "graduation_year": record.graduation_year,
            "status": record.status,
            "kecamatan_code": kecamatan,
            "shareable": record.consent.share_with_employers,
        }
    return {
        "employer_id": record.employer_id,
        "status": record.status,
        "deadline": record.deadline,
        "kecamatan_code": kecamatan,
    }


def get_row(session: Session, kind: str, record_id: str) -> Row | None:
    return cast("Row | None", session.get(ROW_TYPES[kind], record_id))


def get_rows(session: Session, kind: str, ids: Sequence[str]) -> dict[str, Row]:
    model = ROW_TYPES[kind]
    if not ids:
        return {}
    rows = cast("list[Row]", list(session.scalars(select(model).where(model.id.in_(list(ids))))))
    return {row.id: row for row in rows}


def upsert(session: Session, record: Candidate | Vacancy, owner: str | None) -> bool:
    """Insert or update one record (``owner`` kept on update when ``None``); ``True`` if new."""
    kind: Kind = "candidate" if isinstance(record, Candidate) else "vacancy"
    now = datetime.now(UTC)
    row = get_row(session, kind, record.id)
    created = row is None
    if row is None:
        row = ROW_TYPES[kind](id=record.id, owner=owner or "admin", created_at=now)
        session.add(row)
    elif owner is not None:
        row.owner = owner
    row.data = record_json(record)
    row.updated_at = now
    for name, value in _columns(record).items():
        setattr(row, name, value)
    add_change(session, kind, record.id, "upsert")
    return created


def remove(session: Session, kind: str, record_id: str) -> bool:
    """Delete one record (a candidate's outcomes go with it); ``False`` when absent."""
    row = get_row(session, kind, record_id)
    if row is None:
        return False
    if kind == "candidate":
        session.execute(delete(OutcomeRow).where(OutcomeRow.candidate_id == record_id))
    session.delete(row)
    add_change(session, kind, record_id, "delete")
    return True


def add_change(session: Session, kind: str, record_id: str, op: str) -> ChangeRow:
    """Append to the feed; rows are also kept in ``session.info`` so the writer learns its seqs."""
    row = ChangeRow(kind=kind, record_id=record_id, op=op, at=datetime.now(UTC))
    session.add(row)
    session.info.setdefault("changes", []).append(row)
    return row


def max_change_seq(session: Session) -> int:
    return int(session.scalar(select(func.max(ChangeRow.seq))) or 0)


@dataclass(frozen=True)
class PendingChanges:
    """What to replay: the ids touched since a seq, newest state wins (read from the tables)."""

    upsert: dict[str, list[Candidate | Vacancy]]
    remove: dict[str, list[str]]
    last_seq: int
    #: seqs between ``seq`` and ``last_seq`` not (yet) visible: a transaction that took its
    #: number earlier may commit later (PostgreSQL), or it rolled back and the number is gone
    gaps: frozenset[int] = frozenset()
    #: earlier gaps that have now committed
    filled: frozenset[int] = frozenset()


#: a feed gap wider than this is a jump in the sequence, not transactions still in flight
MAX_GAP_WATCH = 10_000


def changes_since(
    session: Session,
    seq: int,
    skip: set[int] | None = None,
    gaps: Collection[int] = (),
) -> PendingChanges:
    """Changes after ``seq`` and any of the earlier ``gaps`` that have since committed, except
    the ``skip`` seqs (this process applied those itself)."""
    touched: dict[tuple[str, str], int] = {}
    last = seq
    seen: set[int] = set()
    where = ChangeRow.seq > seq
    if gaps:
        where = or_(where, ChangeRow.seq.in_(list(gaps)))
    for change in session.scalars(select(ChangeRow).where(where).order_by(ChangeRow.seq)):
        seen.add(change.seq)
        last = max(last, change.seq)
        if skip and change.seq in skip:
            continue
        touched[(change.kind, change.record_id)] = change.seq
    upserts: dict[str, list[Candidate | Vacancy]] = {"candidate": [], "vacancy": []}
    removes: dict[str, list[str]] = {"candidate": [], "vacancy": []}
    for kind in ("candidate", "vacancy"):
        ids = [rid for (k, rid) in touched if k == kind]
        rows = get_rows(session, kind, ids)
        for rid in ids:
            if rid in rows:
                upserts[kind].append(to_record(kind, rows[rid].data))
            else:
                removes[kind].append(rid)
    new_gaps: frozenset[int] = frozenset()
    if last - seq <= MAX_GAP_WATCH:
        new_gaps = frozenset(range(seq + 1, last + 1)) - seen
    return PendingChanges(upserts, removes, last, new_gaps, frozenset(seen & set(gaps)))


def iter_records(session: Session, kind: str, batch: int = 2000) -> Iterable[Candidate | Vacancy]:
    """Every stored record of a kind, streamed in id order (for a full rebuild)."""
    model = ROW_TYPES[kind]
    last = ""
    while True:
        stmt = select(model).where(model.id > last).order_by(model.id).limit(batch)
        rows = cast("list[Row]", list(session.scalars(stmt)))
        if not rows:
            return
        for row in rows:
            yield to_record(kind, row.data)
        last = rows[-1].id


def count(session: Session, kind: str) -> int:
    model = ROW_TYPES[kind]
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def list_rows(
    session: Session,
    kind: str,
    conditions: Sequence[ColumnElement[bool]],
    *,
    limit: int,
    offset: int,
) -> list[Row]:
    model = ROW_TYPES[kind]
    stmt = select(model).where(*conditions).order_by(model.id).limit(limit).offset(offset)
    return cast("list[Row]", list(session.scalars(stmt)))


def id_hash(kind: str, record_id: str) -> str:
    """What the audit log keeps instead of an id: it links lines about one record, names nobody."""
    return hashlib.sha256(f"cocok:{kind}:{record_id}".encode()).hexdigest()


def audit(
    session: Session, actor: str, action: str, kind: str, record_id: str, detail: str | None = None
) -> None:
    session.add(
        AuditRow(
            at=datetime.now(UTC),
            actor=actor,
            action=action,
            target_kind=kind,
            target_hash=id_hash(kind, record_id),
            detail=detail,
        )
    )


def today() -> date:
    return datetime.now(UTC).date()
