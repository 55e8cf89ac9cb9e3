"""/v1/keys: create, list and revoke API keys (admin only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response
from sqlalchemy import select

from service import auth
from service.api.deps import SessionDep
from service.api.schemas import PROBLEM_RESPONSES, KeyCreate, KeyCreated, KeyInfo
from service.auth import Principal, require_roles
from service.db.models import ApiKeyRow
from service.problems import Problem

router = APIRouter(prefix="/v1/keys", tags=["keys"], responses=PROBLEM_RESPONSES)
ADMIN = Depends(require_roles("admin"))


@router.post("", status_code=201, response_model=KeyCreated, summary="Create a key (shown once)")
def create_key(body: KeyCreate, session: SessionDep, p: Principal = ADMIN) -> dict[str, Any]:
    try:
        key_id, key = auth.create_key(
            session,
            body.role,
            school_id=body.school_id,
            employer_id=body.employer_id,
            label=body.label,
        )
    except ValueError as exc:
        field = "school_id" if "school_id" in str(exc) else "employer_id"
        raise Problem(
            422, "validation", str(exc), errors=[{"loc": ["body", field], "msg": str(exc)}]
        ) from None
    session.commit()
    return {"id": key_id, "key": key}


@router.get("", response_model=list[KeyInfo], summary="List keys (never the keys themselves)")
def list_keys(session: SessionDep, p: Principal = ADMIN) -> list[ApiKeyRow]:
    return list(session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.created_at)))


@router.delete("/{key_id}", status_code=204, summary="Revoke a key at once")
def revoke(key_id: str, session: SessionDep, p: Principal = ADMIN) -> Response:
    if not auth.revoke_key(session, key_id):
        raise Problem(404, "not-found", f"No active key with id {key_id!r}.")
    session.commit()
    return Response(status_code=204)
