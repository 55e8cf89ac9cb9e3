"""The training pages under ``/ruang/pelatihan``: the register for every staff role, and for the
admin the registration form and the table of trainings that would open the most vacancies.

Routes translate only: who may write and what is valid is ``service.trainings``; what a training
would unlock is ``service.training_suggestions``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from matcher.skill_gaps import FIT_SCORE, NEARBY_KM
from service import training_suggestions, trainings
from service.auth import Principal
from service.db import repository
from service.problems import Problem
from service.web.pages import check_csrf, error_page, gateway, render, staff

router = APIRouter(include_in_schema=False)
PAGE = "/ruang/pelatihan"


def _page(
    request: Request,
    db: Any,
    user: Any,
    p: Principal,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    listed = trainings.list_trainings(db, p, repository.today())
    impacts: list[training_suggestions.Impact] | None = None
    ranking_note = None
    if p.role == "admin":
        try:
            impacts = training_suggestions.for_admin(gateway(request), db, p)
        except Problem as exc:
            if exc.status != 503:
                raise
            ranking_note = "Indeks pencarian sedang dimuat. Muat ulang sebentar lagi."
    return render(
        request,
        "pelatihan.html",
        {
            "user": user,
            "trainings": listed,
            "impacts": impacts,
            "ranking_note": ranking_note,
            "form": form or {},
            "errors": errors or {},
            "kinds": trainings.PROVIDER_KINDS,
            "kecamatan": trainings.kecamatan_choices(),
            "fit_score": round(FIT_SCORE * 100),
            "nearby_km": round(NEARBY_KM),
        },
        status,
    )


@router.get(PAGE, response_class=HTMLResponse)
def training_list(request: Request) -> Response:
    with request.app.state.sessions() as db:
        user, p = staff(request, db)
        try:
            return _page(request, db, user, p)
        except Problem as exc:
            return error_page(request, user, exc)


@router.post(PAGE, response_class=HTMLResponse)
def register_training(
    request: Request,
    provider: str = Form(""),
    provider_kind: str = Form(""),
    title: str = Form(""),
    skills: str = Form(""),
    kecamatan_code: str = Form(""),
    start_date: str = Form(""),
    end_date: str = Form(""),
    quota: str = Form(""),
    csrf: str = Form(""),
) -> Response:
    typed = {
        "provider": provider,
        "provider_kind": provider_kind,
        "title": title,
        "skills": skills,
        "kecamatan_code": kecamatan_code,
        "start_date": start_date,
        "end_date": end_date,
        "quota": quota,
    }
    with request.app.state.sessions() as db:
        user, p = staff(request, db)
        try:
            check_csrf(request, csrf)
            trainings.create(db, p, typed)
        except Problem as exc:
            if exc.status != 422:
                return error_page(request, user, exc)
            db.rollback()
            return _page(request, db, user, p, typed, trainings.field_errors(exc), 422)
    return RedirectResponse(PAGE, status_code=303)


@router.post(PAGE + "/{training_id}/hapus")
def delete_training(request: Request, training_id: str, csrf: str = Form("")) -> Response:
    with request.app.state.sessions() as db:
        user, p = staff(request, db)
        try:
            check_csrf(request, csrf)
            if not training_id.isdigit():
                raise Problem(404, "not-found", "Pelatihan tidak ditemukan.")
            trainings.delete(db, p, int(training_id))
        except Problem as exc:
            return error_page(request, user, exc)
    return RedirectResponse(PAGE, status_code=303)
