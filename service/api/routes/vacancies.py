"""/v1/vacancies: records, lists, matches (best candidates) and explanations."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response

from matcher.records import Vacancy
from service import matching, records
from service.api.deps import GatewayDep, SessionDep, SettingsDep
from service.api.match_body import match_body
from service.api.routes.records import add_record_routes
from service.api.schemas import MAX_OFFSET, PROBLEM_RESPONSES, Explanation, Page, VacancyMatches
from service.auth import Principal, Role, require_roles

router = APIRouter(prefix="/v1/vacancies", tags=["vacancies"], responses=PROBLEM_RESPONSES)
ALL: tuple[Role, ...] = ("admin", "portal", "bkk", "employer")


@router.get("", response_model=Page, summary="List vacancies in the caller's scope")
def list_vacancies(
    session: SessionDep,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    status: Literal["open", "closed"] | None = None,
    employer_id: str | None = None,
    kecamatan_code: str | None = None,
    deadline_before: date | None = None,
    deadline_after: date | None = None,
    p: Principal = Depends(require_roles(*ALL)),
) -> dict[str, Any]:
    filters = records.ListFilters(
        status=status,
        employer_id=employer_id,
        kecamatan_code=kecamatan_code,
        deadline_before=deadline_before,
        deadline_after=deadline_after,
    )
    limit = min(limit, settings.page_size_max)
    items, next_offset = records.list_records(session, p, "vacancy", filters, limit, offset)
    return {"items": items, "next_offset": next_offset}


add_record_routes(router, "vacancy", Vacancy, readers=ALL, writers=("admin", "portal", "employer"))


@router.get(
    "/{vacancy_id}/matches",
    response_model=VacancyMatches,
    response_model_exclude_none=True,
    summary="Best-fitting candidates for a vacancy, best first",
)
def vacancy_matches(
    vacancy_id: str,
    gateway: GatewayDep,
    session: SessionDep,
    settings: SettingsDep,
    k: int = 20,
    p: Principal = Depends(require_roles(*ALL)),
) -> Response:
    return match_body(
        matching.candidates_for_vacancy(gateway, session, p, vacancy_id, k, settings.k_max)
    )


@router.get(
    "/{vacancy_id}/matches/{candidate_id}",
    response_model=Explanation,
    summary="Why one candidate fits (or may not apply to) this vacancy",
)
def explain_pair(
    vacancy_id: str,
    candidate_id: str,
    gateway: GatewayDep,
    session: SessionDep,
    p: Principal = Depends(require_roles(*ALL)),
) -> dict[str, Any]:
    return matching.explain(gateway, session, p, vacancy_id, candidate_id)
