"""Page plumbing every workspace router shares: templates, the signed-in account, CSRF, errors.

Feature modules (``*_pages.py``) each own an ``APIRouter`` and call these, so that a page's
headers, sign-in redirect and Indonesian error wording are the same everywhere.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates
from starlette.background import BackgroundTask

from matcher.tabular import export_rows
from service.auth import Principal
from service.problems import Problem
from service.tabular_io import XLSX
from service.web import accounts
from service.web.sessions import SessionCodec, WebSession, csrf_ok, new_session

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")
STATIC_URL = "/ruang-aset"


class SignInRequired(Exception):
    """No valid session: the page answers with a redirect to the sign-in form."""


def codec(request: Request) -> SessionCodec:
    codec: SessionCodec = request.app.state.web_sessions
    return codec


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    session = getattr(request.state, "web_session", None) or codec(request).read(request)
    fresh = session is None
    if session is None:
        session = new_session(None)
    response = templates.TemplateResponse(
        request, name, {"csrf": session.csrf, **context}, status_code=status
    )
    if fresh:
        codec(request).write(response, session)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def staff(request: Request, db: Any) -> tuple[accounts.StaffUserRow, Principal]:
    session = codec(request).read(request)
    if session is None or session.user_id is None:
        raise SignInRequired
    user = accounts.get_user(db, session.user_id)
    if user is None:
        raise SignInRequired
    request.state.web_session = session
    return user, accounts.principal_for(user)


def check_csrf(request: Request, token: str | None) -> WebSession:
    session = codec(request).read(request)
    if not csrf_ok(session, token):
        raise Problem(403, "csrf", "Formulir kedaluwarsa atau tidak sah. Muat ulang halaman.")
    assert session is not None
    return session


def error_page(request: Request, user: Any, exc: Problem) -> HTMLResponse:
    messages = {
        404: "Data tidak ditemukan atau bukan wewenang Anda.",
        403: "Anda tidak berwenang melakukan ini.",
        503: "Indeks pencarian sedang dimuat. Coba lagi sebentar lagi.",
    }
    # a stale form is the one refusal staff can fix themselves, so it keeps its own wording
    text = exc.detail if exc.slug == "csrf" else messages.get(exc.status, exc.detail)
    return render(request, "error.html", {"user": user, "message": text}, exc.status)


def gateway(request: Request) -> Any:
    gateway = request.app.state.gateway
    if gateway is None:
        raise Problem(503, "not-ready", "index loading")
    return gateway


def safe_name(text: str) -> str:
    """A piece of a download's file name: letters, digits, ``-`` and ``_`` only."""
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in text)


def xlsx_download(
    rows: list[dict[str, Any]], sheet: str, filename: str, headers: Sequence[str] = ()
) -> FileResponse:
    """The rows as a temporary XLSX (formula-safe, see ``export_rows``), removed once sent.

    With no rows, ``headers`` still name the columns (a row of empty cells writes the header and
    nothing else), so an empty report or shortlist opens as the expected, empty table.
    """
    tmp = Path(tempfile.mkstemp(prefix="cocok-", suffix=".xlsx")[1])
    export_rows(rows or ([dict.fromkeys(headers)] if headers else []), tmp, sheet_name=sheet)
    return FileResponse(
        tmp,
        media_type=XLSX,
        filename=filename,
        background=BackgroundTask(tmp.unlink, missing_ok=True),
        headers={"Cache-Control": "no-store"},
    )
