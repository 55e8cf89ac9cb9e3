"""The report pages under ``/ruang/laporan``: placements of a month and the tracer, on a page and
as Excel files. What is counted lives in :mod:`service.web.reports`; these routes only read the
query, call it and render or export its answer."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, HTMLResponse
from starlette.background import BackgroundTask

from matcher.language.months import month_year
from matcher.tabular import export_rows
from service.db import repository
from service.problems import Problem
from service.tabular_io import XLSX
from service.web import reports
from service.web.pages import error_page, render, staff

router = APIRouter(include_in_schema=False)


def month_label(month: Any) -> str:
    return month_year(month.year, month.month)


def _school(sekolah: str | None) -> str | None:
    return sekolah.strip() or None if sekolah else None


@router.get("/ruang/laporan", response_class=HTMLResponse)
def report_page(request: Request, bulan: str | None = None, sekolah: str | None = None) -> Response:
    with request.app.state.sessions() as db:
        user, p = staff(request, db)
        try:
            month = reports.parse_month(bulan, repository.today())
            school = _school(sekolah)
            placement = reports.placement_report(db, p, month, school)
            tracer = reports.tracer_summary(db, p, school)
        except Problem as exc:
            return error_page(request, user, exc)
        return render(
            request,
            "laporan.html",
            {
                "user": user,
                "placement": placement,
                "tracer": tracer,
                "categories": reports.TRACER_CATEGORIES,
                "bulan": f"{month:%Y-%m}",
                "month_label": month_label(month),
                "sekolah": school or "",
            },
        )


@router.get("/ruang/laporan/penempatan.xlsx")
def export_placements(
    request: Request, bulan: str | None = None, sekolah: str | None = None
) -> Response:
    with request.app.state.sessions() as db:
        user, p = staff(request, db)
        try:
            month = reports.parse_month(bulan, repository.today())
            school = _school(sekolah)
            report = reports.placement_report(db, p, month, school)
        except Problem as exc:
            return error_page(request, user, exc)
        rows = reports.placement_rows(report)
        target = f"placement:{report.school or '*'}:{month:%Y-%m}"
        repository.audit(db, p.key_id, "report.placement.export", "report", target, str(len(rows)))
        db.commit()
    suffix = f"-{_safe(report.school)}" if report.school else ""
    headers = reports.placement_headers(report.show_school)
    return _xlsx(rows, headers, "Penempatan", f"penempatan-{month:%Y-%m}{suffix}.xlsx")


@router.get("/ruang/laporan/tracer.xlsx")
def export_tracer(request: Request, sekolah: str | None = None) -> Response:
    with request.app.state.sessions() as db:
        user, p = staff(request, db)
        try:
            summary = reports.tracer_summary(db, p, _school(sekolah))
        except Problem as exc:
            return error_page(request, user, exc)
        rows = reports.tracer_rows(summary)
        target = f"tracer:{summary.school or '*'}"
        repository.audit(db, p.key_id, "report.tracer.export", "report", target, str(len(rows)))
        db.commit()
    suffix = f"-{_safe(summary.school)}" if summary.school else ""
    return _xlsx(rows, reports.TRACER_HEADERS, "Tracer", f"tracer{suffix}.xlsx")


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in text)


def _xlsx(
    rows: list[dict[str, Any]], headers: Sequence[str], sheet: str, filename: str
) -> Response:
    """The rows as a temporary XLSX, removed once sent; an empty report still names its columns
    (a row of empty cells writes the header and nothing else)."""
    tmp = Path(tempfile.mkstemp(prefix="cocok-laporan-", suffix=".xlsx")[1])
    export_rows(rows or [dict.fromkeys(headers)], tmp, sheet_name=sheet)
    return FileResponse(
        tmp,
        media_type=XLSX,
        filename=filename,
        background=BackgroundTask(tmp.unlink, missing_ok=True),
        headers={"Cache-Control": "no-store"},
    )
