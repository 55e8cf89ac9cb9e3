"""What each workspace page shows, built from the same use cases and access rules as the API.

Nothing here decides who may see what: reads go through ``service.matching`` (which scopes the
engine before ``k`` is cut), ``service.outcomes`` and ``service.access``. This module only joins
their answers with the stored records into what a page needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matcher.errors import UnknownRecordError
from matcher.geo import Gazetteer
from matcher.reasons import is_gap
from matcher.records import Candidate, Vacancy
from matcher.taxonomy import Taxonomy
from service import access, matching, outcomes
from service.auth import Principal
from service.db import repository
from service.db.models import CandidateRow, OutcomeRow, VacancyRow
from service.engine_gateway import EngineGateway
from service.web.sessions import as_utc

#: the pipeline a BKK officer works through, in the contract's outcome statuses
PIPELINE: dict[str, str] = {
    "shortlisted": "Diusulkan",
    "contacted": "Dihubungi",
    "interviewed": "Wawancara",
    "hired": "Diterima",
    "rejected": "Ditolak",
}
REJECT_REASONS: dict[str, str] = {
    "skill_mismatch": "Keahlian tidak sesuai",
    "education_mismatch": "Pendidikan tidak sesuai",
    "experience": "Pengalaman kurang",
    "location": "Lokasi terlalu jauh",
    "salary": "Gaji tidak sesuai",
    "no_response": "Tidak ada tanggapan",
    "hired_other": "Diterima di tempat lain",
    "other": "Lainnya",
}
MATCHES_ON_PAGE = 20
#: how deep into a vacancy's overall ranking the dashboard looks for a school's students
DASHBOARD_DEPTH = 20


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer.load()


@lru_cache(maxsize=1)
def taxonomy() -> Taxonomy:
    return Taxonomy.load()


def split_reasons(reasons: list[str]) -> tuple[list[str], list[str]]:
    """(why it fits, what is missing), in the engine's order."""
    gaps = [r for r in reasons if is_gap(r)]
    return [r for r in reasons if r not in gaps], gaps


@dataclass
class CandidateLine:
    id: str
    name: str
    major: str
    score: float | None
    reasons: list[str]
    gaps: list[str]
    distance_km: float | None
    status: str | None
    reason: str | None
    contact: dict[str, str] = field(default_factory=dict)


def latest_status(
    session: Session, p: Principal, vacancy_id: str
) -> dict[str, tuple[str, str | None]]:
    """Each person's latest outcome on this vacancy, as far as ``p`` may see outcomes."""
    items, _ = outcomes.list_outcomes(session, p, vacancy_id, None, limit=10_000, offset=0)
    latest: dict[str, tuple[str, str | None]] = {}
    for item in items:  # ordered by id: the last one wins
        latest[item["candidate_id"]] = (item["status"], item.get("reason"))
    return latest


def vacancy_page(
    gateway: EngineGateway, session: Session, p: Principal, vacancy_id: str, k_max: int
) -> dict[str, Any]:
    """The vacancy, its best-fitting people within ``p``'s scope, and ``p``'s pipeline on it."""
    found = matching.candidates_for_vacancy(
        gateway, session, p, vacancy_id, min(MATCHES_ON_PAGE, k_max), k_max
    )
    page = shortlist_page(session, p, vacancy_id)
    vacancy, pipeline = page["vacancy"], page["latest"]
    rows = repository.get_rows(session, "candidate", [i["candidate_id"] for i in found["items"]])
    lines: list[CandidateLine] = []
    for item in found["items"]:
        row = rows.get(item["candidate_id"])
        if row is None:
            continue
        fits, gaps = split_reasons(item["reasons"])
        lines.append(_line(row, item["score"], fits, gaps, vacancy, pipeline, item.get("contact")))
    return {**page, "matches": lines}


def shortlist_page(session: Session, p: Principal, vacancy_id: str) -> dict[str, Any]:
    """The vacancy and ``p``'s pipeline on it, without asking the engine (the Excel export).

    Refuses exactly as the vacancy's matches would: 404 outside ``p``'s scope.
    """
    today = repository.today()
    vac_row = repository.get_row(session, "vacancy", vacancy_id)
    access.require_readable(p, "vacancy", vac_row, vacancy_id, today)
    assert vac_row is not None  # require_readable answered 404 otherwise
    vacancy = Vacancy.model_validate(vac_row.data)
    pipeline = latest_status(session, p, vacancy_id)
    rows = repository.get_rows(session, "candidate", list(pipeline))
    shortlist: list[CandidateLine] = []
    for cid in pipeline:
        row = rows.get(cid)
        if row is not None and access.can_read_candidate(p, row, today):  # type: ignore[arg-type]
            shortlist.append(_line(row, None, [], [], vacancy, pipeline, None, p))
    return {"vacancy": vacancy, "latest": pipeline, "shortlist": shortlist}


def _line(
    row: Any,
    score: float | None,
    fits: list[str],
    gaps: list[str],
    vacancy: Vacancy,
    pipeline: dict[str, tuple[str, str | None]],
    contact: dict[str, str] | None,
    p: Principal | None = None,
) -> CandidateLine:
    cand = Candidate.model_validate(row.data)
    status, reason = pipeline.get(cand.id, (None, None))
    shown_contact = contact or {}
    if p is not None and p.role != "employer" and cand.contact is not None:
        shown_contact = cand.contact.model_dump(exclude_none=True)
    return CandidateLine(
        id=cand.id,
        name=cand.name or cand.id,
        major=cand.major or "-",
        score=score,
        reasons=fits,
        gaps=gaps,
        distance_km=gazetteer().distance_km(cand.location, vacancy.location),
        status=status,
        reason=reason,
        contact=shown_contact,
    )


SHORTLIST_HEADERS = (
    "ID kandidat",
    "Nama",
    "Jurusan",
    "Telepon",
    "Email",
    "Jarak (km)",
    "Status",
    "Alasan ditolak",
    "Lowongan",
)


def shortlist_rows(page: dict[str, Any]) -> list[dict[str, Any]]:
    """The shortlist as spreadsheet rows with Indonesian headers (export_rows makes them safe)."""
    vacancy: Vacancy = page["vacancy"]
    return [
        {
            "ID kandidat": line.id,
            "Nama": line.name,
            "Jurusan": line.major,
            "Telepon": line.contact.get("phone", ""),
            "Email": line.contact.get("email", ""),
            "Jarak (km)": round(line.distance_km, 1) if line.distance_km is not None else "",
            "Status": PIPELINE.get(line.status or "", line.status or ""),
            "Alasan ditolak": REJECT_REASONS.get(line.reason or "", ""),
            "Lowongan": vacancy.title,
        }
        for line in page["shortlist"]
    ]


def open_vacancies(session: Session, p: Principal, limit: int = 200) -> list[VacancyRow]:
    conditions = [access.vacancy_scope(p)]
    if p.role != "employer":
        conditions.append(VacancyRow.status == "open")
    rows = repository.list_rows(session, "vacancy", conditions, limit=limit, offset=0)
    return [r for r in rows if isinstance(r, VacancyRow)]


def bkk_dashboard(
    gateway: EngineGateway, session: Session, p: Principal, since: datetime | None = None
) -> dict[str, Any]:
    """Open vacancies ranked by how many of this school's people are in their overall top list.

    The count looks at everyone's ranking (so it says how competitive the school's people are)
    but names and counts only the school's own people. ``new`` holds those of them created or
    changed after ``since`` (the previous visit), from the same ranking: no second engine query.
    """
    today = repository.today()
    vacancies = open_vacancies(session, p)
    school = p.school_id
    session.commit()  # end the read transaction before waiting on the engine (see matching)
    ranked: dict[str, list[str]] = {}
    for row in vacancies:
        try:
            matches = gateway.recommend_candidates(row.id, DASHBOARD_DEPTH, as_of=today)
        except UnknownRecordError:  # stored, not yet in the engine (the next sync adds it)
            matches = []
        ranked[row.id] = [m.candidate_id for m in matches]
    named = sorted({c for ids in ranked.values() for c in ids})
    own = set(
        session.scalars(
            select(CandidateRow.id).where(
                CandidateRow.id.in_(named), CandidateRow.school_id == school
            )
        )
    )
    session.commit()
    fits: list[tuple[VacancyRow, int]] = []
    for row in vacancies:
        count = sum(1 for cid in ranked[row.id] if cid in own)
        if count:
            fits.append((row, count))
    fits.sort(key=lambda pair: (-pair[1], pair[0].id))
    new = [pair for pair in fits if since is not None and changed_since(pair[0], since)]
    return {
        "fits": fits,
        "new": new,
        "since": since,
        "placements": placements_this_month(session, p),
    }


#: Kabupaten Serang keeps Western Indonesian Time (UTC+7, no daylight saving)
WIB = timezone(timedelta(hours=7), "WIB")
MONTH_NAMES = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip


def wib(moment: datetime) -> str:
    """'3 Maret 2025 pukul 14.05 WIB': how staff in Serang read a time."""
    local = as_utc(moment).astimezone(WIB)
    return f"{local.day} {MONTH_NAMES[local.month - 1]} {local.year} pukul {local:%H.%M} WIB"


def changed_since(row: VacancyRow, since: datetime) -> bool:
    """Whether a vacancy was posted or changed after ``since``."""
    latest = max(as_utc(row.created_at), as_utc(row.updated_at or row.created_at))
    return latest > as_utc(since)


def placements_this_month(session: Session, p: Principal) -> int:
    start = datetime.now(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    conditions = [OutcomeRow.status == "hired", OutcomeRow.at >= start]
    if p.role == "bkk":
        conditions.append(OutcomeRow.school_id == p.school_id)
    elif p.role == "employer":
        conditions.append(OutcomeRow.employer_id == p.employer_id)
    stmt = select(func.count(func.distinct(OutcomeRow.candidate_id))).where(*conditions)
    return int(session.scalar(stmt) or 0)


def program_of(major: str | None) -> str | None:
    """The SMK program a written major names (TKRO, "Teknik Kendaraan Ringan", ...)."""
    if not major:
        return None
    tax = taxonomy()
    found = tax.resolve_major(major)
    if not found:
        return None
    return tax.programs[found[0][0]].name
