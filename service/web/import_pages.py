"""Student import in the browser: ``/ruang/impor`` explains the template, serves it, takes a file.

The upload goes through :func:`service.tabular_io.import_upload`, the same call behind
``POST /v1/candidates/import``, so the page and the API agree on every rule: good rows are stored
and bad rows are refused one by one (never the whole file), a BKK officer writes only students of
their own school, and the size and row caps are the settings'. This module only turns the API's
answer into what an officer reads: a count, and per bad row its number, column and an Indonesian
reason. Cell values are never quoted back (a NIK typed in the wrong column must not reappear).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from fastapi.responses import FileResponse, HTMLResponse

from matcher.tabular._columns import COLUMNS, REQUIRED, template_header
from service import tabular_io
from service.api.routes.candidates import KEEPERS
from service.auth import Principal
from service.problems import Problem
from service.web.pages import check_csrf, gateway, render, staff

router = APIRouter(include_in_schema=False)

#: what the page takes; the API also reads JSON, which no officer exports from Excel
ACCEPTED_SUFFIXES = (".xlsx", ".csv")
SCHOOL_COLUMN = template_header("candidate", "school_id")
_LONG_NUMBER = re.compile(r"\d{6,}")


# -- what the page shows ------------------------------------------------------------------------
@dataclass(frozen=True)
class ColumnHelp:
    header: str
    required: bool
    help: str
    example: str


@dataclass(frozen=True)
class RowProblem:
    """One refused row: its spreadsheet number, the columns at fault and why (Indonesian)."""

    row: int | None
    columns: list[str]
    messages: list[str]


@dataclass
class ImportReport:
    upserted: int
    rows: list[RowProblem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


def column_guide() -> list[ColumnHelp]:
    """The template's columns from the one table the importer and the template also read."""
    required = set(REQUIRED["candidate"])
    guide = []
    for fld, _typ, header, _aliases, help_text, example in COLUMNS["candidate"]:
        shown = example.isoformat() if isinstance(example, date) else example
        guide.append(
            ColumnHelp(header, fld in required, help_text, "" if shown is None else str(shown))
        )
    return guide


def may_import(p: Principal) -> bool:
    """Whoever the API lets write candidates (an employer never does)."""
    return p.role in KEEPERS


def import_report(result: dict[str, Any], p: Principal) -> ImportReport:
    """The API's import answer as an officer reads it, bad rows in file order.

    Errors from the reader carry an Indonesian ``pesan``; a row refused by the caller's scope
    carries only the API's English ``msg``, so it is worded here for the role that was refused.
    """
    rows = []
    for entry in result["errors"]:
        columns: list[str] = []
        messages: list[str] = []
        for error in entry["errors"]:
            if error.get("column") and error["column"] not in columns:
                columns.append(str(error["column"]))
            if error.get("pesan"):
                messages.append(str(error["pesan"]))
            else:
                if p.role == "bkk" and SCHOOL_COLUMN not in columns:
                    columns.append(SCHOOL_COLUMN)
                messages.append(_refusal(p))
        rows.append(RowProblem(entry.get("row"), columns, messages))
    rows.sort(key=lambda r: (r.row is None, r.row or 0))
    ignored = [_masked(name) for name in result.get("ignored_columns", [])]
    return ImportReport(int(result["upserted"]), rows, ignored)


def _refusal(p: Principal) -> str:
    if p.role == "bkk":
        return (
            f"Kolom {SCHOOL_COLUMN}: hanya siswa sekolah Anda yang dapat diimpor; isi dengan "
            f"{p.school_id}. Bila sudah benar, ID ini tidak dapat Anda ubah: gunakan ID lain."
        )
    return "Baris ini tidak boleh Anda simpan."


def _masked(header: str) -> str:
    """A header as shown back; a long number in it (a data row taken for headers) is hidden."""
    return _LONG_NUMBER.sub("[angka disembunyikan]", header)[:60]


def file_problem(exc: Problem, max_bytes: int) -> str:
    """Indonesian for a problem with the whole file (nothing was stored)."""
    if exc.status == 413:
        return (
            f"Berkas terlalu besar: maksimal {size_label(max_bytes)}. "
            "Pecah menjadi beberapa berkas lalu unggah satu per satu."
        )
    if exc.status == 415:
        return "Jenis berkas tidak dikenal. Unggah berkas .xlsx (dari templat) atau .csv."
    if exc.status == 503:
        return "Indeks pencarian sedang dimuat. Coba lagi sebentar lagi."
    told = [str(e["pesan"]) for e in exc.errors or [] if e.get("pesan")]
    if told:
        return "Berkas tidak dapat diimpor: " + " ".join(told)
    return "Berkas tidak dapat diimpor. Periksa isinya atau gunakan templat."


def size_label(n_bytes: int) -> str:
    if n_bytes >= 1024 * 1024:
        return f"{n_bytes / (1024 * 1024):.0f} MB"
    return f"{n_bytes / 1024:.0f} KB"


# -- routes -------------------------------------------------------------------------------------
def _page(
    request: Request,
    user: Any,
    p: Principal,
    *,
    report: ImportReport | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    settings = request.app.state.settings
    return render(
        request,
        "impor.html",
        {
            "user": user,
            "school_id": p.school_id if p.role == "bkk" else None,
            "school_column": SCHOOL_COLUMN,
            "columns": column_guide(),
            "max_size": size_label(settings.max_upload_bytes),
            "max_rows": f"{settings.max_import_rows:,}".replace(",", "."),
            "report": report,
            "error": error,
        },
        status,
    )


def _not_for_employers(request: Request, user: Any) -> Response:
    message = "Akun perusahaan tidak mengimpor data siswa; impor dilakukan oleh BKK sekolah."
    return render(request, "error.html", {"user": user, "message": message}, 403)


@router.get("/ruang/impor", response_class=HTMLResponse)
def import_form(request: Request) -> Response:
    with request.app.state.sessions() as db:
        user, p = staff(request, db)
        if not may_import(p):
            return _not_for_employers(request, user)
        return _page(request, user, p)


@router.get("/ruang/impor/templat.xlsx")
def template(request: Request) -> Response:
    with request.app.state.sessions() as db:
        user, p = staff(request, db)
        if not may_import(p):
            return _not_for_employers(request, user)
    path = tabular_io.template_path(request.app.state.settings.data_dir, "candidate")
    return FileResponse(path, media_type=tabular_io.XLSX, filename=path.name)


@router.post("/ruang/impor", response_class=HTMLResponse)
def upload(
    request: Request,
    file: UploadFile | None = File(None),
    csrf: str = Form(""),
) -> Response:
    settings = request.app.state.settings
    with request.app.state.sessions() as db:
        user, p = staff(request, db)
        if not may_import(p):
            return _not_for_employers(request, user)
        try:
            check_csrf(request, csrf)
        except Problem as exc:
            return render(request, "error.html", {"user": user, "message": exc.detail}, 403)
        if file is None or not file.filename:
            return _page(request, user, p, error="Pilih berkas yang akan diunggah.", status=422)
        if Path(file.filename).suffix.lower() not in ACCEPTED_SUFFIXES:
            unsupported = Problem(415, "unsupported-format", "not .xlsx or .csv")
            message = file_problem(unsupported, settings.max_upload_bytes)
            return _page(request, user, p, error=message, status=415)
        data = file.file.read(settings.max_upload_bytes + 1)
        try:
            result = tabular_io.import_upload(
                gateway(request), db, p, "candidate", data, file.filename, settings
            )
        except Problem as exc:
            db.rollback()
            message = file_problem(exc, settings.max_upload_bytes)
            return _page(request, user, p, error=message, status=exc.status)
        return _page(request, user, p, report=import_report(result, p))
