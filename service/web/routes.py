"""The workspace pages under ``/ruang`` (sign-in at ``/masuk``): forms posted with a CSRF token.

Each page turns the signed-in account into the same ``Principal`` an API key yields and calls the
API's use cases, so a page can never show what the API would hide: a record outside the account's
scope answers 404 here exactly as it does over ``/v1``.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from service import matching, outcomes, training_suggestions
from service.db import repository
from service.problems import Problem
from service.web import (
    accounts,
    import_pages,
    office_report,
    report_pages,
    training_pages,
    vacancy_pages,
    workspace,
)
from service.web.pages import (
    HERE,
    STATIC_URL,
    SignInRequired,
    check_csrf,
    codec,
    error_page,
    gateway,
    render,
    safe_name,
    staff,
    xlsx_download,
)
from service.web.sessions import SessionCodec, load_secret, new_session
from service.web.sign_in_throttle import LOCKOUT_S, SignInThrottle

router = APIRouter(include_in_schema=False)
#: the vacancies a student's page lists (the ranking behind its advice reads deeper)
VACANCIES_ON_STUDENT_PAGE = 10


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
    throttle: SignInThrottle = request.app.state.sign_in_throttle
    name = accounts.normal(username)
    address = request.client.host if request.client else "-"
    wait = throttle.retry_after(name, address)
    if wait is not None:  # refused unheard, known name or not: the password is not even checked
        return _throttled(request, wait)
    with request.app.state.sessions() as db:
        opened = accounts.sign_in(db, username, password)
        if opened is None:
            db.rollback()
            for kind in throttle.failed(name, address):
                target = name if kind == "username" else address
                detail = f"{kind}; {LOCKOUT_S // 60} min"
                repository.audit(db, "sign-in", "staff.sign_in_locked", kind, target, detail)
            db.commit()
            wait = throttle.retry_after(name, address)
            if wait is not None:
                return _throttled(request, wait)
            return render(
                request,
                "masuk.html",
                {"user": None, "error": "Nama pengguna atau kata sandi salah."},
                401,
            )
        user = opened.user
        throttle.succeeded(name)
        repository.audit(db, f"staff_{user.id}", "staff.sign_in", "staff", str(user.id))
        db.commit()
        response = RedirectResponse("/ruang", status_code=303)
        # a fresh CSRF token too, and the previous visit for "new since last visit"
        codec(request).write(response, new_session(user.id, opened.previous_visit))
        return response


def _throttled(request: Request, wait: int) -> Response:
    minutes = max(1, -(-wait // 60))
    message = (
        "Terlalu banyak percobaan masuk yang gagal. Demi keamanan, coba lagi dalam "
        f"{minutes} menit."
    )
    response = render(request, "masuk.html", {"user": None, "error": message}, 429)
    response.headers["Retry-After"] = str(wait)
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
                since = request.state.web_session.previous_visit
                data = workspace.bkk_dashboard(gateway(request), db, p, since)
                return render(
                    request,
                    "bkk_dasbor.html",
                    {"user": user, **data, "since_text": workspace.wib(since) if since else None},
                )
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
            if p.role != "admin":
                raise Problem(403, "forbidden", "admin only")
            report = office_report.placements(db)
            placements = workspace.placements_this_month(db, p)
            # the charts need only the database; the thin-vacancy list waits for the index
            engine = request.app.state.gateway
            thin = office_report.thin_vacancies(engine, db, p) if engine is not None else None
        except Problem as exc:
            return error_page(request, user, exc)
        return render(
            request,
            "admin_dasbor.html",
            {
                "user": user,
                "placements": placements,
                **office_report.charts_for(report),
                "thin": thin,
                "fit_score": office_report.FIT_SCORE,
                "fit_depth": office_report.FIT_DEPTH,
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
            page = workspace.shortlist_page(db, p, vacancy_id)
        except Problem as exc:
            return error_page(request, user, exc)
        rows = workspace.shortlist_rows(page)
        repository.audit(db, p.key_id, "shortlist.export", "vacancy", vacancy_id, str(len(rows)))
        db.commit()
    return xlsx_download(
        rows,
        "Daftar pendek",
        f"daftar-pendek-{safe_name(vacancy_id)}.xlsx",
        workspace.SHORTLIST_HEADERS,
    )


# -- a student ---------------------------------------------------------------------------------
@router.get("/ruang/kandidat/{candidate_id}", response_class=HTMLResponse)
def candidate(request: Request, candidate_id: str) -> Response:
    with request.app.state.sessions() as db:
        user, p = staff(request, db)
        k_max = request.app.state.settings.k_max
        try:  # one scoped ranking, read deep enough for the gaps; the page lists its top ten
            found = matching.vacancies_for_candidate(
                gateway(request), db, p, candidate_id, training_suggestions.depth(k_max), k_max
            )
            advice = training_suggestions.for_candidate(
                gateway(request), db, p, candidate_id, found
            )
        except Problem as exc:
            return error_page(request, user, exc)
        row = repository.get_row(db, "candidate", candidate_id)
        shown = found["items"][:VACANCIES_ON_STUDENT_PAGE]
        vac_rows = repository.get_rows(db, "vacancy", [i["vacancy_id"] for i in shown])
        items = []
        for item in shown:
            fits, gaps = workspace.split_reasons(item["reasons"])
            vrow = vac_rows.get(item["vacancy_id"])
            title = vrow.data.get("title", item["vacancy_id"]) if vrow else item["vacancy_id"]
            items.append({**item, "title": title, "fits": fits, "gaps": gaps})
        return render(
            request,
            "kandidat.html",
            {
                "user": user,
                "candidate": row.data if row else {},
                "items": items,
                "trainings": advice.trainings,
                "skills_to_learn": advice.skills,
            },
        )


def install(app: FastAPI) -> None:
    """Add the workspace to an app: routes, local static assets, session codec, sign-in redirect."""
    settings = app.state.settings
    app.state.web_sessions = SessionCodec(
        load_secret(settings), secure=settings.session_cookie_secure
    )
    app.state.sign_in_throttle = SignInThrottle()
    app.include_router(vacancy_pages.router)
    app.include_router(router)
    app.include_router(import_pages.router)
    app.include_router(report_pages.router)
    app.include_router(training_pages.router)
    app.mount(STATIC_URL, StaticFiles(directory=HERE / "static"), name="ruang-aset")

    @app.exception_handler(SignInRequired)
    async def _sign_in(_request: Request, _exc: SignInRequired) -> Response:
        return RedirectResponse("/masuk", status_code=303)
