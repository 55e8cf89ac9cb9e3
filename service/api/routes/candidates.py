"""/v1/candidates: records, lists, consent, erasure and matches (best vacancies)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response

from matcher.records import Candidate, Consent
from service import matching, records
from service.api.deps import GatewayDep, SessionDep, SettingsDep
from service.api.match_body import match_body
from service.api.routes.records import add_record_routes
from service.api.schemas import MAX_OFFSET, PROBLEM_RESPONSES, CandidateMatches, Page
from service.auth import Principal, Role, require_roles

router = APIRouter(prefix="/v1/candidates", tags=["candidates"], responses=PROBLEM_RESPONSES)
ALL: tuple[Role, ...] = ("admin", "portal", "bkk", "employer")
KEEPERS: tuple[Role, ...] = ("admin", "portal", "bkk")


@router.get("", response_model=Page, summary="List candidates in the caller's scope")
def list_candidates(
    session: SessionDep,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    school_id: str | None = None,
    major: str | None = None,
    graduation_year: Annotated[int | None, Query(ge=1950, le=2100)] = None,
    status: Literal["seeking", "employed", "studying", "entrepreneur"] | None = None,
    kecamatan_code: str | None = None,
    p: Principal = Depends(require_roles(*KEEPERS)),
) -> dict[str, Any]:
    filters = records.ListFilters(
        school_id=school_id,
        major=major,
        graduation_year=graduation_year,
        status=status,
        kecamatan_code=kecamatan_code,
    )
    limit = min(limit, settings.page_size_max)
    items, next_offset = records.list_records(session, p, "candidate", filters, limit, offset)
    return {"items": items, "next_offset": next_offset}


add_record_routes(router, "candidate", Candidate, readers=ALL, writers=KEEPERS)


@router.put("/{candidate_id}/consent", summary="Give or withdraw consent; takes effect at once")
def put_consent(
    candidate_id: str,
    consent: Consent,
    gateway: GatewayDep,
    session: SessionDep,
    p: Principal = Depends(require_roles(*KEEPERS)),
) -> dict[str, Any]:
    return records.set_consent(gateway, session, p, candidate_id, consent)


@router.get(
    "/{candidate_id}/matches",
    response_model=CandidateMatches,
    response_model_exclude_none=True,
    summary="Best-fitting open vacancies for a candidate, best first",
)
def candidate_matches(
    candidate_id: str,
    gateway: GatewayDep,
    session: SessionDep,
    settings: SettingsDep,
    k: int = 20,
    p: Principal = Depends(require_roles(*ALL)),
) -> Response:
    return match_body(
        matching.vacancies_for_candidate(gateway, session, p, candidate_id, k, settings.k_max)
    )
