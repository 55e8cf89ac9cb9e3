"""The workspace pages under ``/ruang`` (sign-in at ``/masuk``): forms posted with a CSRF token.

Each page turns the signed-in account into the same ``Principal`` an API key yields and calls the
API's use cases, so a page can never show what the API would hide: a record outside the account's
scope answers 404 here exactly as it does over ``/v1``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Form, Request, Response
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.background import BackgroundTask

from matcher.tabular import export_rows
from service import matching, outcomes
from service.db import repository
from service.problems import Problem
from service.tabular_io import XLSX
from service.web import accounts, charts, workspace
from service.web.pages import (
    HERE,
    STATIC_URL,
    SignInRequired,
    check_csrf,
    codec,
    error_page,
    gateway,
    render,
    staff,
)
from service.web.sessions import SessionCodec, load_secret, new_session

router = APIRouter(include_in_schema=False)


# -- signing in and out ----------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
async def home() -> Response:
    return RedirectResponse("/ruang", status_code=303)


@router.get("/masuk", response_class=HTMLResponse)
def sign_in_form(request: Request) -> Response:
    return render(request, "masuk.html", {"user": None, "error": None})


@router.post("/masuk", response_class=HTMLResponse)
def sign_in(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    csrf: str = Form(""),
) -> Response:
    try:
        check_csrf(request, csrf)
    except Problem as exc:
        return render(request, "masuk.html", {"user": None, "error": exc.detail}, 403)
    with request.app.state.sessions() as db:
        user = accounts.authenticate(db, username, password)
        if user is None:
            db.rollback()
            return render(
                request,
                "masuk.html",
                {"user": None, "error": "Nama pengguna atau kata sandi salah."},
                401,
            )
        repository.audit(db, f"staff_{user.id}", "staff.sign_in", "staff", str(user.id))
        db.commit()
        response = RedirectResponse("/ruang", status_code=303)
        codec(request).write(response, new_session(user.id))  # a fresh CSRF token too
        return response


@router.post("/keluar")
def sign_out(request: Request, csrf: str = Form("")) -> Response:
    check_csrf(request, csrf)
    response = RedirectResponse("/masuk", status_code=303)
    codec(request).write(response, new_session(None))
    return response


# -- dashboards --------------------------------------------------------------------------------
@router.get("/ruang", response_class=HTMLResponse)
def dashboard(request: Request) -> Response:
    with request.app.state.sessions() as db:
        user, p = staff(request, db)
        try:
            if p.role == "bkk":
                data = workspace.bkk_dashboard(gateway(request), db, p)
                return render(request, "bkk_dasbor.html", {"user": user, **data})
            if p.role == "employer":
                vacancies = workspace.open_vacancies(db, p)
                return render(
                    request,
                    "perusahaan_dasbor.html",
                    {
                        "user": user,
                        "vacancies": vacancies,
                        "placements": workspace.placements_this_month(db, p),
                    },
                )
            report = workspace.admin_report(db)
        except Problem as exc:
            return error_page(request, user, exc)

        def chart(title: str, key: str, names: tuple[str, ...]) -> Any:
            rows = report[key]
            labels = [r[0] for r in rows]
            series = [
                charts.Series(name, [(r[1], r[2])[i] for r in rows]) for i, name in enumerate(names)
            ]
            return charts.bar_chart(title, labels, series)

        return render(
            request,
            "admin_dasbor.html",
            {
                "user": user,
                "placements": workspace.placements_this_month(db, p),
                "by_kecamatan": chart("Penempatan per kecamatan", "kecamatan", ("Diterima",)),
                "by_program": chart("Penempatan per program keahlian", "program", ("Diterima",)),
                "demand_supply": chart(
                    "Permintaan dan pasokan per program",
                    "demand_supply",
                    ("Lowongan (orang)", "Pencari kerja"),
                ),
            },
        )


# -- a vacancy, its matches and its pipeline -------------------------------------------------
@router.get("/ruang/lowongan/{vacancy_id}", response_class=HTMLResponse)
def vacancy(request: Request, vacancy_id: str) -> Response:
    with request.app.state.sessions() as db:
        user, p = staff(request, db)
        try:
            page = workspace.vacancy_page(
                gateway(request), db, p, vacancy_id, request.app.state.settings.k_max
            )
        except Problem as exc:
            return error_page(request, user, exc)
        return render(
            request,
            "lowongan.html",
            {
                "user": user,
                **page,
                "pipeline": workspace.PIPELINE,
                "reject_reasons": workspace.REJECT_REASONS,
            },
        )


@router.post("/ruang/lowongan/{vacancy_id}/kandidat/{candidate_id}/status")
def set_status(
    request: Request,
    vacancy_id: str,
    candidate_id: str,
    status: str = Form(...),
    reason: str = Form(""),
    csrf: str = Form(""),
) -> Response:
    with request.app.state.sessions() as db:
        user, p = staff(request, db)
        try:
            check_csrf(request, csrf)
            if status not in workspace.PIPELINE:
                raise Problem(422, "validation", "Status tidak dikenal.")
            if status == "rejected" and reason not in workspace.REJECT_REASONS:
                raise Problem(422, "validation", "Pilih alasan penolakan.")
            outcomes.record(
                db,
                p,
                vacancy_id,
                candidate_id,
                status,
                reason if status == "rejected" else None,
                None,
            )
        except Problem as exc:
            return error_page(request, user, exc)
    target = f"/ruang/lowongan/{quote(vacancy_id, safe='')}#daftar-pendek"
    return RedirectResponse(target, status_code=303)


@router.get("/ruang/lowongan/{vacancy_id}/ekspor.xlsx")
def export_shortlist(request: Request, vacancy_id: str) -> Response:
    with request.app.state.sessions() as db:
        user, p = staff(request, db)
        try:
            page = workspace.vacancy_page(
                gateway(request), db, p, vacancy_id, request.app.state.settings.k_max
            )
        except Problem as exc:
            return error_page(request, user, exc)
        rows = workspace.shortlist_rows(page)
        repository.audit(db, p.key_id, "shortlist.export", "vacancy", vacancy_id, str(len(rows)))
        db.commit()
    tmp = Path(tempfile.mkstemp(prefix="cocok-daftar-", suffix=".xlsx")[1])
    export_rows(rows, tmp, sheet_name="Daftar pendek")
    safe_id = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in vacancy_id)
    return FileResponse(
        tmp,
        media_type=XLSX,
        filename=f"daftar-pendek-{safe_id}.xlsx",
        background=BackgroundTask(tmp.unlink, missing_ok=True),
        headers={"Cache-Control": "no-store"},
    )


# -- a student ---------------------------------------------------------------------------------
@router.get("/ruang/kandidat/{candidate_id}", response_class=HTMLResponse)
def candidate(request: Request, candidate_id: str) -> Response:
    with request.app.state.sessions() as db:
        user, p = staff(request, db)
        try:
            found = matching.vacancies_for_candidate(
                gateway(request), db, p, candidate_id, 10, request.app.state.settings.k_max
            )
        except Problem as exc:
            return error_page(request, user, exc)
        row = repository.get_row(db, "candidate", candidate_id)
        vac_rows = repository.get_rows(db, "vacancy", [i["vacancy_id"] for i in found["items"]])
        items = []
        for item in found["items"]:
            fits, gaps = workspace.split_reasons(item["reasons"])
            vrow = vac_rows.get(item["vacancy_id"])
            title = vrow.data.get("title", item["vacancy_id"]) if vrow else item["vacancy_id"]
            items.append({**item, "title": title, "fits": fits, "gaps": gaps})
        return render(
            request,
            "kandidat.html",
            {"user": user, "candidate": row.data if row else {}, "items": items},
        )


def install(app: FastAPI) -> None:
    """Add the workspace to an app: routes, local static assets, session codec, sign-in redirect."""
    settings = app.state.settings
    app.state.web_sessions = SessionCodec(
        load_secret(settings), secure=settings.session_cookie_secure
    )
    app.include_router(router)
    app.mount(STATIC_URL, StaticFiles(directory=HERE / "static"), name="ruang-aset")

    @app.exception_handler(SignInRequired)
    async def _sign_in(_request: Request, _exc: SignInRequired) -> Response:
        return RedirectResponse("/masuk", status_code=303)
