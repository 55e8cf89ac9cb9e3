"""/v1/outcomes: record and read placement steps."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from service import outcomes
from service.api.deps import SessionDep, SettingsDep
from service.api.schemas import MAX_OFFSET, PROBLEM_RESPONSES, Outcome, OutcomeIn, OutcomePage
from service.auth import Principal, require_roles

router = APIRouter(prefix="/v1/outcomes", tags=["outcomes"], responses=PROBLEM_RESPONSES)
ALL = Depends(require_roles("admin", "portal", "bkk", "employer"))


@router.post(
    "",
    status_code=201,
    response_model=Outcome,
    response_model_exclude_none=True,
    summary="Record an outcome",
)
def create_outcome(body: OutcomeIn, session: SessionDep, p: Principal = ALL) -> dict[str, Any]:
    return outcomes.record(
        session, p, body.vacancy_id, body.candidate_id, body.status, body.reason, body.at
    )


@router.get(
    "",
    response_model=OutcomePage,  # not exclude_none: the last page's "next_offset": null stays
    summary="Outcomes in the caller's scope",
)
def list_outcomes(
    session: SessionDep,
    settings: SettingsDep,
    vacancy_id: str | None = None,
    candidate_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    p: Principal = ALL,
) -> dict[str, Any]:
    items, next_offset = outcomes.list_outcomes(
        session, p, vacancy_id, candidate_id, min(limit, settings.page_size_max), offset
    )
    return {"items": items, "next_offset": next_offset}
