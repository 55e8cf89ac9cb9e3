"""Who may see and change which record: the role scopes of the contract, in one module.

Reads of hidden records answer 404 (existence must not leak); writes to a record another key owns
answer 403. The ``include_*`` functions are handed to the engine so role scopes apply *before* the
top ``k`` are cut, not after (a BKK asking for 20 gets 20 of its own students when it has them).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, false, true

from matcher.records import Candidate, Vacancy
from matcher.scopes import ConsentScope, SchoolScope, employer_may_see
from service.auth import Principal
from service.db.models import CandidateRow, VacancyRow
from service.problems import Problem, not_found


# -- reading ---------------------------------------------------------------------------------
def can_read_candidate(p: Principal, row: CandidateRow, today: date) -> bool:
    if p.role == "admin":
        return True
    if p.role == "portal":
        return row.owner == p.owner
    if p.role == "bkk":
        return row.school_id is not None and row.school_id == p.school_id
    return employer_may_see(Candidate.model_validate(row.data), today)


def can_read_vacancy(p: Principal, row: VacancyRow) -> bool:
    if p.role == "admin":
        return True
    if p.role == "portal":
        return row.owner == p.owner
    if p.role == "bkk":
        return row.status == "open"
    return row.employer_id is not None and row.employer_id == p.employer_id


def may_record_outcome(
    p: Principal, cand: CandidateRow, vac: VacancyRow | None, today: date
) -> bool:
    """A BKK for its own students; an employer for its own vacancy and a person it may see; a
    portal for people it keeps, or on its own vacancy for someone who consented to employers
    (exactly the people its match lists may name). Anyone else must not learn the id exists."""
    if p.role == "admin":
        return True
    if p.role == "bkk":
        return can_read_candidate(p, cand, today)
    vacancy_ok = vac is not None and can_read_vacancy(p, vac)
    if p.role == "employer":
        return vacancy_ok and can_read_candidate(p, cand, today)
    if cand.owner == p.owner:
        return True
    return vacancy_ok and employer_may_see(Candidate.model_validate(cand.data), today)


def candidate_scope(p: Principal) -> ColumnElement[bool]:
    """SQL form of the read scope for list endpoints (employers have no candidate list)."""
    if p.role == "admin":
        return true()
    if p.role == "portal":
        return CandidateRow.owner == p.owner
    if p.role == "bkk":
        return CandidateRow.school_id == p.school_id
    return false()


def vacancy_scope(p: Principal) -> ColumnElement[bool]:
    if p.role == "admin":
        return true()
    if p.role == "portal":
        return VacancyRow.owner == p.owner
    if p.role == "bkk":
        return VacancyRow.status == "open"
    return VacancyRow.employer_id == p.employer_id


# -- writing ---------------------------------------------------------------------------------
def check_write(
    p: Principal, kind: str, record: Candidate | Vacancy | None, row: Any | None
) -> None:
    """Raise 403 unless ``p`` may write ``record`` over ``row`` (either may be ``None``)."""
    if p.role == "admin":
        return
    if p.role == "portal":
        if row is not None and row.owner != p.owner:
            raise Problem(403, "forbidden", f"This {kind} id belongs to another portal.")
        return
    if p.role == "bkk" and kind == "candidate":
        old_ok = row is None or row.school_id == p.school_id
        new_ok = record is None or getattr(record, "school_id", None) == p.school_id
        if old_ok and new_ok:
            return
        raise Problem(403, "forbidden", "A BKK key writes only its own school's candidates.")
    if p.role == "employer" and kind == "vacancy":
        old_ok = row is None or row.employer_id == p.employer_id
        new_ok = record is None or getattr(record, "employer_id", None) == p.employer_id
        if old_ok and new_ok:
            return
        raise Problem(403, "forbidden", "An employer key writes only its own vacancies.")
    raise Problem(403, "forbidden", f"Role {p.role!r} may not write {kind} records.")


def owner_for_write(p: Principal, row: Any | None) -> str | None:
    """The owner tag to store: the writer's on create, unchanged on update."""
    return p.owner if row is None else None


# -- matching --------------------------------------------------------------------------------
def include_candidates(
    p: Principal, today: date, owned: frozenset[str] = frozenset()
) -> Callable[[Candidate], bool] | None:
    """Whom a match list may name: a BKK its own students; an employer consenting people; a
    portal its own records plus consenting people (it acts for employers); admin everyone."""
    if p.role == "bkk":
        # a scope the engine answers from a column, not by reading every record
        if p.school_id is None:
            return lambda c: False  # a school key without a school sees nobody
        return SchoolScope(p.school_id)
    if p.role == "employer":
        return ConsentScope(today)
    if p.role == "portal":
        return ConsentScope(today, owned)
    return None


def include_vacancies(p: Principal) -> Callable[[Vacancy], bool] | None:
    if p.role == "employer":
        employer = p.employer_id
        return lambda v: v.employer_id is not None and v.employer_id == employer
    return None


def require_readable(p: Principal, kind: str, row: Any | None, record_id: str, today: date) -> Any:
    """The row if ``p`` may read it, else the 404 a missing record gets."""
    if row is None:
        raise not_found(kind, record_id)
    ok = can_read_candidate(p, row, today) if kind == "candidate" else can_read_vacancy(p, row)
    if not ok:
        raise not_found(kind, record_id)
    return row


# -- what a response may show ----------------------------------------------------------------
def candidate_view(p: Principal, data: dict[str, Any]) -> dict[str, Any]:
    """The record as this key may see it: employers never see gender (never a hiring input)."""
    if p.role == "employer":
        return {k: v for k, v in data.items() if k != "gender"}
    return dict(data)
