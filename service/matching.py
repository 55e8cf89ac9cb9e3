"""Match and explain use cases: check the caller may ask, hand its scope to the engine, shape.

The engine ranks; this module only decides *whose* records the ranking may include (through the
engine's ``include=`` callback, so the scope applies before the top ``k`` is cut) and what of each
result the caller may see.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import access
from service.auth import Principal
from service.db import repository
from service.db.models import CandidateRow
from service.engine_gateway import EngineGateway
from service.problems import Problem


def _check_k(k: int, k_max: int) -> None:
    if not 1 <= k <= k_max:
        raise Problem(
            422,
            "validation",
            f"k must be between 1 and {k_max}.",
            errors=[{"loc": ["query", "k"], "msg": f"k must be between 1 and {k_max}"}],
        )


def _release(session: Session) -> None:
    """End the read transaction before waiting on the engine, so no pooled connection idles there.

    Under load requests queue on the engine's lock; each one holding a database connection
    meanwhile exhausted the pool (requests then failed after the pool's 30 s wait).
    """
    session.commit()


def _item(match: Any, other: str) -> dict[str, Any]:
    item: dict[str, Any] = {
        f"{other}_id": getattr(match, f"{other}_id"),
        "score": round(float(match.score), 6),
        "reasons": list(match.reasons),
    }
    flags = list(getattr(match, "flags", []) or [])
    if flags:
        item["flags"] = flags
    return item


def candidates_for_vacancy(
    gateway: EngineGateway, session: Session, p: Principal, vacancy_id: str, k: int, k_max: int
) -> dict[str, Any]:
    """Best candidates for one vacancy, within the caller's scope."""
    _check_k(k, k_max)
    today = repository.today()
    row = repository.get_row(session, "vacancy", vacancy_id)
    access.require_readable(p, "vacancy", row, vacancy_id, today)
    owned: frozenset[str] = frozenset()
    if p.role == "portal":
        owned = frozenset(
            session.scalars(select(CandidateRow.id).where(CandidateRow.owner == p.owner))
        )
    _release(session)
    matches = gateway.recommend_candidates(
        vacancy_id, k, include=access.include_candidates(p, today, owned), as_of=today
    )
    items = [_item(m, "candidate") for m in matches]
    if p.role == "employer" and items:
        # only consenting candidates reach this list, so their contact may be shown
        rows = repository.get_rows(session, "candidate", [i["candidate_id"] for i in items])
        for item in items:
            row_c = rows.get(item["candidate_id"])
            contact = row_c.data.get("contact") if row_c is not None else None
            if contact:
                item["contact"] = contact
                repository.audit(
                    session, p.key_id, "candidate.contact_shown", "candidate", item["candidate_id"]
                )
        session.commit()
    return {"vacancy_id": vacancy_id, "items": items}


def vacancies_for_candidate(
    gateway: EngineGateway, session: Session, p: Principal, candidate_id: str, k: int, k_max: int
) -> dict[str, Any]:
    """Best open vacancies for one candidate, within the caller's scope."""
    _check_k(k, k_max)
    today = repository.today()
    row = repository.get_row(session, "candidate", candidate_id)
    access.require_readable(p, "candidate", row, candidate_id, today)
    _release(session)
    matches = gateway.recommend_vacancies(
        candidate_id, k, include=access.include_vacancies(p), as_of=today
    )
    return {"candidate_id": candidate_id, "items": [_item(m, "vacancy") for m in matches]}


def explain(
    gateway: EngineGateway, session: Session, p: Principal, vacancy_id: str, candidate_id: str
) -> dict[str, Any]:
    """Why one pair scores as it does, or which hard requirement blocks it."""
    today = repository.today()
    access.require_readable(
        p, "vacancy", repository.get_row(session, "vacancy", vacancy_id), vacancy_id, today
    )
    access.require_readable(
        p, "candidate", repository.get_row(session, "candidate", candidate_id), candidate_id, today
    )
    _release(session)
    m = gateway.explain(candidate_id, vacancy_id, as_of=today)
    return {
        "vacancy_id": vacancy_id,
        "candidate_id": candidate_id,
        "score": round(float(m.score), 6),
        "eligible": bool(m.eligible),
        "reasons": list(m.reasons),
        "blocked_by": list(getattr(m, "blocked_by", []) or []),
        "flags": list(getattr(m, "flags", []) or []),
    }
