"""The reports a BKK owes: the monthly placement (penempatan) report and the BMW tracer summary.

Both are counted from recorded outcomes, read in the scope the outcome list of the API gives
the same principal (a BKK its own school, the labour office everyone), joined with candidates
in the scope the candidate list gives. A line needs both, so a report never names a person the
API would hide. Employers (and portals) get no reports: they are the school's and the labour
office's account of their graduates.

A pair (candidate, vacancy) counts as *placed* when its latest outcome, in recording order (the
order the pipeline on the vacancy page shows), is ``hired``. Its placement date is the first
``hired`` after the pair's last other outcome, so an officer who saves "Diterima" a second time
next month does not move the placement into that month. Months are calendar months in UTC, as
the dashboard's "penempatan bulan ini" counts them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, true
from sqlalchemy.orm import Session

from matcher.records import Location
from service import access
from service.auth import Principal
from service.db.models import CandidateRow, OutcomeRow, VacancyRow
from service.problems import Problem
from service.web.workspace import gazetteer, program_of

UNKNOWN = "Tidak diketahui"
REFUSED = "Laporan hanya tersedia untuk BKK dan Disnakertrans."
#: BMW tracer categories in the order the report shows them, keyed by candidate ``status``
TRACER_STATUS: dict[str, str] = {
    "employed": "Bekerja",
    "studying": "Melanjutkan",
    "entrepreneur": "Wirausaha",
    "seeking": "Mencari kerja",
}
TRACER_CATEGORIES: tuple[str, ...] = tuple(TRACER_STATUS.values())
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str | None, today: date) -> date:
    """``YYYY-MM`` → the first day of that month; empty means the current month."""
    if text is None or not text.strip():
        return today.replace(day=1)
    found = _MONTH.match(text.strip())
    if found is None or not (1 <= int(found.group(2)) <= 12):
        raise Problem(422, "validation", "Bulan tidak valid: tulis tahun dan bulan, mis. 2025-03.")
    year = int(found.group(1))
    if not 1950 <= year <= 2100:
        raise Problem(422, "validation", "Tahun laporan harus antara 1950 dan 2100.")
    return date(year, int(found.group(2)), 1)


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _scope(p: Principal, school: str | None) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """(outcome condition, candidate condition) for ``p``, narrowed to ``school`` if asked.

    A BKK's school is fixed by its account: asking for another school is refused rather than
    quietly answered with its own numbers.
    """
    if p.role == "bkk":
        if school and school != p.school_id:
            raise Problem(403, "forbidden", "BKK hanya dapat melihat laporan sekolahnya sendiri.")
        return OutcomeRow.school_id == p.school_id, access.candidate_scope(p)
    if p.role != "admin":
        raise Problem(403, "forbidden", REFUSED)
    if school:
        return OutcomeRow.school_id == school, CandidateRow.school_id == school
    return true(), true()


def _placements(outcome_scope: ColumnElement[bool]) -> Select[str, str, datetime]:
    """(candidate_id, vacancy_id, placed_at) of every currently placed pair within scope."""
    last_other = (
        select(
            OutcomeRow.candidate_id,
            OutcomeRow.vacancy_id,
            func.max(OutcomeRow.id).label("last_id"),
        )
        .where(OutcomeRow.status != "hired", outcome_scope)
        .group_by(OutcomeRow.candidate_id, OutcomeRow.vacancy_id)
        .subquery()
    )
    pair = and_(
        last_other.c.candidate_id == OutcomeRow.candidate_id,
        last_other.c.vacancy_id == OutcomeRow.vacancy_id,
    )
    # a hired row after the last other row exists exactly when the latest row is hired
    return (
        select(
            OutcomeRow.candidate_id,
            OutcomeRow.vacancy_id,
            func.min(OutcomeRow.at).label("placed_at"),
        )
        .outerjoin(last_other, pair)
        .where(
            OutcomeRow.status == "hired",
            outcome_scope,
            or_(last_other.c.last_id.is_(None), OutcomeRow.id > last_other.c.last_id),
        )
        .group_by(OutcomeRow.candidate_id, OutcomeRow.vacancy_id)
    )


# -- the monthly placement report --------------------------------------------------------------
@dataclass(frozen=True)
class PlacementLine:
    candidate_id: str
    name: str
    program: str
    major: str
    graduation_year: int | None
    school_id: str | None
    employer: str
    vacancy: str
    kecamatan: str
    placed_on: date


@dataclass(frozen=True)
class PlacementReport:
    month: date
    school: str | None
    show_school: bool
    lines: list[PlacementLine]
    #: (program, placements) most first; a person placed twice in the month counts twice
    by_program: list[tuple[str, int]] = field(default_factory=list)


def placement_report(
    session: Session, p: Principal, month: date, school: str | None = None
) -> PlacementReport:
    """Everyone placed in ``month`` (see the module docstring), one line per placement."""
    outcome_scope, candidate_scope = _scope(p, school)
    start = datetime(month.year, month.month, 1, tzinfo=UTC)
    end = datetime.combine(_next_month(month), datetime.min.time(), tzinfo=UTC)
    placed = _placements(outcome_scope).subquery()
    stmt = (
        select(CandidateRow, VacancyRow, placed.c.vacancy_id, placed.c.placed_at)
        .join(placed, placed.c.candidate_id == CandidateRow.id)
        .outerjoin(VacancyRow, VacancyRow.id == placed.c.vacancy_id)
        .where(candidate_scope, placed.c.placed_at >= start, placed.c.placed_at < end)
        .order_by(placed.c.placed_at, CandidateRow.id, placed.c.vacancy_id)
    )
    lines = [
        _placement_line(cand, vac, vacancy_id, placed_at)
        for cand, vac, vacancy_id, placed_at in session.execute(stmt)
    ]
    totals = Counter(line.program for line in lines)
    return PlacementReport(
        month=month,
        school=school or (p.school_id if p.role == "bkk" else None),
        show_school=p.role == "admin",
        lines=lines,
        by_program=sorted(totals.items(), key=lambda item: (-item[1], item[0])),
    )


def _placement_line(
    cand: CandidateRow, vac: VacancyRow | None, vacancy_id: str, placed_at: datetime
) -> PlacementLine:
    data = vac.data if vac is not None else {}
    place = None
    if data.get("location"):
        place = gazetteer().resolve_place(Location.model_validate(data["location"]))
    return PlacementLine(
        candidate_id=cand.id,
        name=cand.data.get("name") or cand.id,
        program=program_of(cand.major) or UNKNOWN,
        major=cand.major or "-",
        graduation_year=cand.graduation_year,
        school_id=cand.school_id,
        employer=data.get("employer_name") or (vac.employer_id if vac else None) or "-",
        # a deleted vacancy keeps its placement; its id is all that is left to name it by
        vacancy=data.get("title") or vacancy_id,
        kecamatan=place.name if place else UNKNOWN,
        placed_on=placed_at.date(),  # stored in UTC; SQLite hands it back naive
    )


def placement_headers(show_school: bool) -> list[str]:
    """Column headers of the placement export (the school only where several are shown)."""
    first = ["ID kandidat", "Nama", "Program keahlian", "Jurusan", "Tahun lulus"]
    rest = ["Perusahaan", "Lowongan", "Kecamatan", "Tanggal diterima"]
    return [*first, *(["Sekolah"] if show_school else []), *rest]


def placement_rows(report: PlacementReport) -> list[dict[str, Any]]:
    """The report as spreadsheet rows with Indonesian headers (export_rows makes them safe)."""
    return [
        dict(
            zip(
                placement_headers(report.show_school),
                [
                    line.candidate_id,
                    line.name,
                    line.program,
                    line.major,
                    line.graduation_year,
                    *([line.school_id or "-"] if report.show_school else []),
                    line.employer,
                    line.vacancy,
                    line.kecamatan,
                    line.placed_on,
                ],
                strict=True,
            )
        )
        for line in report.lines
    ]


# -- the BMW tracer summary --------------------------------------------------------------------
@dataclass(frozen=True)
class TracerRow:
    graduation_year: int | None
    program: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class TracerSummary:
    school: str | None
    rows: list[TracerRow]
    totals: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.totals.values())


def tracer_summary(session: Session, p: Principal, school: str | None = None) -> TracerSummary:
    """Bekerja / melanjutkan / wirausaha / mencari kerja per graduation year and program.

    The candidate's own ``status`` says which, except that outcomes win: a person with a
    placed pair (latest outcome ``hired``, recorded in ``p``'s outcome scope) counts as bekerja
    even if the record still says ``seeking`` or ``studying``, because schools rarely update the
    record after the officer has marked the hire on the vacancy's pipeline.
    """
    outcome_scope, candidate_scope = _scope(p, school)
    placed = _placements(outcome_scope).subquery()
    hired_ids = select(placed.c.candidate_id)
    stmt = select(
        CandidateRow.graduation_year,
        CandidateRow.major,
        CandidateRow.status,
        CandidateRow.id.in_(hired_ids),
    ).where(candidate_scope)
    counts: dict[tuple[int | None, str], Counter[str]] = {}
    programs: dict[str | None, str] = {}
    for year, major, status, hired in session.execute(stmt):
        if major not in programs:
            programs[major] = program_of(major) or UNKNOWN
        category = TRACER_STATUS["employed" if hired else status]
        counts.setdefault((year, programs[major]), Counter())[category] += 1
    rows = [
        TracerRow(year, program, {c: found[c] for c in TRACER_CATEGORIES})
        for (year, program), found in sorted(
            counts.items(), key=lambda item: (-(item[0][0] or 0), item[0][1])
        )
    ]
    totals = {c: sum(r.counts[c] for r in rows) for c in TRACER_CATEGORIES}
    return TracerSummary(
        school=school or (p.school_id if p.role == "bkk" else None), rows=rows, totals=totals
    )


TRACER_HEADERS: tuple[str, ...] = ("Tahun lulus", "Program keahlian", *TRACER_CATEGORIES, "Jumlah")


def tracer_rows(summary: TracerSummary) -> list[dict[str, Any]]:
    """One spreadsheet row per graduation year and program, Indonesian headers."""
    return [
        dict(
            zip(
                TRACER_HEADERS,
                [
                    row.graduation_year if row.graduation_year is not None else UNKNOWN,
                    row.program,
                    *(row.counts[c] for c in TRACER_CATEGORIES),
                    row.total,
                ],
                strict=True,
            )
        )
        for row in summary.rows
    ]
