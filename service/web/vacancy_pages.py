"""Creating and editing a vacancy in the workspace: ``/ruang/lowongan/baru`` and ``.../ubah``.

Saving goes through ``service.records.put_record``, the use case behind ``PUT /v1/vacancies/{id}``,
so the role and ownership checks, the stored owner, the audit line and the change feed are the
API's own. The roles are the API's too: its vacancy writers are admin, portal and employer, and
a workspace account is never a portal, so an employer (for its own ``employer_id``) and the admin
(for any) may write here, and a BKK officer is refused with 403 as its key would be.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from service import records
from service.auth import Principal
from service.db import repository
from service.problems import Problem
from service.web import vacancy_forms, workspace
from service.web.pages import check_csrf, error_page, gateway, render, staff

router = APIRouter(include_in_schema=False)

#: the API's vacancy writers (``service/api/routes/vacancies.py``) that a staff account can be
WRITERS = ("admin", "employer")


async def _form(request: Request) -> FormData:
    """The posted form, read before the (synchronous) route runs its database work."""
    return await request.form()


def _require_writer(p: Principal) -> None:
    if p.role not in WRITERS:
        raise Problem(403, "forbidden", "Petugas BKK tidak dapat membuat atau mengubah lowongan.")


def _new_id(db: Session) -> str:
    """A fresh id no record holds: URL-safe, unguessable, so a create can never overwrite."""
    while True:
        candidate = f"LWN-{secrets.token_hex(6)}"
        if repository.get_row(db, "vacancy", candidate) is None:
            return candidate


def _employer_name(db: Session, p: Principal) -> str | None:
    """An employer's name as one of its vacancies states it, to prefill a new one."""
    if p.role != "employer":
        return None
    for row in workspace.open_vacancies(db, p):
        name = row.data.get("employer_name")
        if name:
            return str(name)
    return None


def _show_form(
    request: Request,
    user: Any,
    p: Principal,
    values: dict[str, Any],
    errors: dict[str, str],
    base: dict[str, Any] | None,
    vacancy_id: str | None,
) -> Response:
    action = (
        f"/ruang/lowongan/{quote(vacancy_id, safe='')}/ubah"
        if vacancy_id
        else "/ruang/lowongan/baru"
    )
    return render(
        request,
        "lowongan_form.html",
        {
            "user": user,
            "values": values,
            "errors": errors,
            "choices": vacancy_forms.choices(base),
            "vacancy_id": vacancy_id,
            "action": action,
            "names_employer": p.role == "admin",
        },
        422 if errors else 200,
    )


def _save(
    request: Request,
    db: Session,
    user: Any,
    p: Principal,
    form: FormData,
    base: dict[str, Any] | None,
    vacancy_id: str | None,
) -> Response:
    values = vacancy_forms.submitted_values(form)
    own = p.employer_id if p.role == "employer" else None
    body, errors = vacancy_forms.to_body(values, base, own)
    if body is None:
        return _show_form(request, user, p, values, errors, base, vacancy_id)
    record_id = vacancy_id or _new_id(db)
    try:
        records.put_record(gateway(request), db, p, "vacancy", record_id, body)
    except Problem as exc:
        if exc.status == 422:
            found = vacancy_forms.field_errors(exc.errors or [])
            return _show_form(request, user, p, values, found, base, vacancy_id)
        return error_page(request, user, exc)
    return RedirectResponse(f"/ruang/lowongan/{quote(record_id, safe='')}", status_code=303)


@router.get("/ruang/lowongan/baru", response_class=HTMLResponse)
def new_vacancy_form(request: Request) -> Response:
    with request.app.state.sessions() as db:
        user, p = staff(request, db)
        try:
            _require_writer(p)
        except Problem as exc:
            return error_page(request, user, exc)
        values = vacancy_forms.initial_values(None, _employer_name(db, p))
        return _show_form(request, user, p, values, {}, None, None)


@router.post("/ruang/lowongan/baru", response_class=HTMLResponse)
def create_vacancy(request: Request, form: FormData = Depends(_form)) -> Response:
    with request.app.state.sessions() as db:
        user, p = staff(request, db)
        try:
            _require_writer(p)
            check_csrf(request, _text(form, "csrf"))
        except Problem as exc:
            return error_page(request, user, exc)
        return _save(request, db, user, p, form, None, None)


@router.get("/ruang/lowongan/{vacancy_id}/ubah", response_class=HTMLResponse)
def edit_vacancy_form(request: Request, vacancy_id: str) -> Response:
    with request.app.state.sessions() as db:
        user, p = staff(request, db)
        try:
            _require_writer(p)
            stored = records.get_record(db, p, "vacancy", vacancy_id)  # 404 outside the scope
        except Problem as exc:
            return error_page(request, user, exc)
        values = vacancy_forms.initial_values(stored)
        return _show_form(request, user, p, values, {}, stored, vacancy_id)


@router.post("/ruang/lowongan/{vacancy_id}/ubah", response_class=HTMLResponse)
def update_vacancy(request: Request, vacancy_id: str, form: FormData = Depends(_form)) -> Response:
    with request.app.state.sessions() as db:
        user, p = staff(request, db)
        try:
            _require_writer(p)
            check_csrf(request, _text(form, "csrf"))
            stored = records.get_record(db, p, "vacancy", vacancy_id)
        except Problem as exc:
            return error_page(request, user, exc)
        return _save(request, db, user, p, form, stored, vacancy_id)


def _text(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) else None
