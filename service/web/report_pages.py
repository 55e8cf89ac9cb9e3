"""The report pages under ``/ruang/laporan``: placements of a month and the tracer, on a page and
as Excel files. What is counted lives in :mod:`service.web.reports`; these routes only read the
query, call it and render or export its answer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from matcher.language.months import month_year
from service.db import repository
from service.problems import Problem
from service.web import reports
from service.web.pages import error_page, render, safe_name, staff, xlsx_download

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
    suffix = f"-{safe_name(report.school)}" if report.school else ""
    headers = reports.placement_headers(report.show_school)
    return xlsx_download(rows, "Penempatan", f"penempatan-{month:%Y-%m}{suffix}.xlsx", headers)


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
    suffix = f"-{safe_name(summary.school)}" if summary.school else ""
    return xlsx_download(rows, "Tracer", f"tracer{suffix}.xlsx", reports.TRACER_HEADERS)
