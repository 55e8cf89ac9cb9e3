"""The training register: BLK, LPK and BBPLK programmes the labour office records.

Only the admin (Disnakertrans) writes; every staff role reads, since a BKK officer or an employer
pointing someone to a training needs the same list. Typed skills are stored as the taxonomy's
canonical keys where they resolve (so they compare with the engine's missing skills), and as the
typed text otherwise (shown, never matched).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.geo import Gazetteer, Place
from matcher.records import Location
from matcher.skill_gaps import Training, read_skills
from matcher.taxonomy import Taxonomy
from service.auth import Principal
from service.db import repository
from service.db.models import TrainingRow
from service.problems import Problem

PROVIDER_KINDS: dict[str, str] = {
    "BLK": "BLK (Balai Latihan Kerja)",
    "LPK": "LPK (Lembaga Pelatihan Kerja)",
    "BBPLK": "BBPLK (Balai Besar Pelatihan Vokasi dan Produktivitas)",
    "lainnya": "Lainnya",
}
STAFF_ROLES = frozenset({"admin", "bkk", "employer"})
#: Kota Serang and Kota Cilegon: BBPLK Serang and several LPK sit just outside the kabupaten
NEIGHBOUR_KOTA = ("36.73", "36.72")
MAX_SKILLS = 30
MAX_QUOTA = 10_000
FIELDS = (
    "provider",
    "provider_kind",
    "title",
    "skills",
    "kecamatan_code",
    "start_date",
    "end_date",
    "quota",
)


@lru_cache(maxsize=1)
def taxonomy() -> Taxonomy:
    return Taxonomy.load()


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer.load()


@lru_cache(maxsize=1)
def kecamatan_choices() -> tuple[tuple[str, str], ...]:
    """Where a training can be: the kabupaten's kecamatan, then the two neighbouring kota's."""
    geo = gazetteer()
    out = [(p.code, f"{p.name} (Kab. Serang)") for p in geo.kecamatan_of_serang()]
    for kota in NEIGHBOUR_KOTA:
        town = geo.place(kota)
        places = [geo.place(f"{kota}.{n:02d}") for n in range(1, 100)]
        suffix = town.name if town else kota
        out += [(p.code, f"{p.name} ({suffix})") for p in places if isinstance(p, Place)]
    return tuple(out)


@dataclass(frozen=True)
class TrainingView:
    """One training as a page lists it, skills in Indonesian labels."""

    id: int
    provider: str
    provider_kind: str
    title: str
    skills: list[str]  # labels of recognised skills
    other_skills: list[str]  # typed items the taxonomy does not know
    kecamatan: str
    start_date: date | None
    end_date: date | None
    quota: int | None
    ended: bool


def require_staff(p: Principal) -> None:
    if p.role not in STAFF_ROLES:
        raise Problem(403, "forbidden", "Daftar pelatihan hanya untuk staf.")


def require_admin(p: Principal) -> None:
    if p.role != "admin":
        raise Problem(403, "forbidden", "Hanya Disnakertrans yang dapat mengelola pelatihan.")


# -- validation --------------------------------------------------------------------------------
def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def validate(form: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The form as column values, and an Indonesian message per field that is wrong."""
    typed = {name: (form.get(name) or "").strip() for name in FIELDS}
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name, label, limit in (
        ("provider", "Penyelenggara", 200),
        ("title", "Nama pelatihan", 300),
    ):
        if not typed[name]:
            errors[name] = f"{label} wajib diisi."
        elif len(typed[name]) > limit:
            errors[name] = f"{label} paling banyak {limit} karakter."
        values[name] = typed[name]
    if typed["provider_kind"] not in PROVIDER_KINDS:
        errors["provider_kind"] = "Pilih jenis lembaga: BLK, LPK, BBPLK atau lainnya."
    values["provider_kind"] = typed["provider_kind"]
    keys, unknown = read_skills(taxonomy(), typed["skills"])
    if not keys:
        errors["skills"] = (
            "Tidak ada keahlian yang dikenali. Tulis dipisah koma, misalnya: "
            "las listrik, K3, Microsoft Excel."
        )
    elif len(keys) + len(unknown) > MAX_SKILLS:
        errors["skills"] = f"Paling banyak {MAX_SKILLS} keahlian."
    values["skills"] = [*keys, *unknown]
    if typed["kecamatan_code"] not in dict(kecamatan_choices()):
        errors["kecamatan_code"] = "Pilih kecamatan tempat pelatihan."
    values["kecamatan_code"] = typed["kecamatan_code"]
    for name, label in (("start_date", "Tanggal mulai"), ("end_date", "Tanggal selesai")):
        values[name] = _date(typed[name])
        if values[name] is None:
            errors[name] = f"{label} wajib diisi dengan tanggal yang sah."
    start, end = values["start_date"], values["end_date"]
    if start is not None and end is not None and end < start:
        errors["end_date"] = "Tanggal selesai tidak boleh sebelum tanggal mulai."
    values["quota"] = None
    if typed["quota"]:
        try:
            values["quota"] = int(typed["quota"])
        except ValueError:
            values["quota"] = -1
        if not 1 <= values["quota"] <= MAX_QUOTA:
            errors["quota"] = f"Kuota harus bilangan bulat 1 sampai {MAX_QUOTA}, atau dikosongkan."
    return values, errors


def _invalid(errors: dict[str, str]) -> Problem:
    return Problem(
        422,
        "validation",
        "Periksa kembali isian formulir.",
        errors=[{"loc": ["form", name], "msg": msg} for name, msg in errors.items()],
    )


def field_errors(exc: Problem) -> dict[str, str]:
    """A validation Problem's messages by form field, for showing beside each input."""
    return {str(e["loc"][-1]): str(e["msg"]) for e in getattr(exc, "errors", None) or []}


# -- use cases ---------------------------------------------------------------------------------
def create(session: Session, p: Principal, form: Mapping[str, str]) -> TrainingRow:
    """Register a training (admin only); nothing is stored when a field is wrong."""
    require_admin(p)
    values, errors = validate(form)
    if errors:
        raise _invalid(errors)
    now = datetime.now(UTC)
    row = TrainingRow(**values, created_at=now, updated_at=now)
    session.add(row)
    session.flush()
    repository.audit(session, p.key_id, "training.create", "training", str(row.id))
    session.commit()
    return row


def update(
    session: Session, p: Principal, training_id: int, form: Mapping[str, str]
) -> TrainingRow:
    """Replace a training's fields (admin only), validated as on registration."""
    require_admin(p)
    row = session.get(TrainingRow, training_id)
    if row is None:
        raise Problem(404, "not-found", "Pelatihan tidak ditemukan.")
    values, errors = validate(form)
    if errors:
        raise _invalid(errors)
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_at = datetime.now(UTC)
    repository.audit(session, p.key_id, "training.update", "training", str(row.id))
    session.commit()
    return row


def delete(session: Session, p: Principal, training_id: int) -> None:
    require_admin(p)
    row = session.get(TrainingRow, training_id)
    if row is None:
        raise Problem(404, "not-found", "Pelatihan tidak ditemukan.")
    session.delete(row)
    repository.audit(session, p.key_id, "training.delete", "training", str(training_id))
    session.commit()


def rows(session: Session, p: Principal) -> list[TrainingRow]:
    """Every registered training, soonest start first (any staff role)."""
    require_staff(p)
    stmt = select(TrainingRow).order_by(TrainingRow.start_date, TrainingRow.id)
    return list(session.scalars(stmt))


def view(row: TrainingRow, today: date) -> TrainingView:
    tax, geo = taxonomy(), gazetteer()
    known = [s for s in row.skills if s in tax.skills.skills]
    place = geo.place(row.kecamatan_code) if row.kecamatan_code else None
    return TrainingView(
        id=row.id,
        provider=row.provider,
        provider_kind=row.provider_kind,
        title=row.title,
        skills=[tax.skill_label(s) for s in known],
        other_skills=[s for s in row.skills if s not in known],
        kecamatan=place.name if place else "-",
        start_date=row.start_date,
        end_date=row.end_date,
        quota=row.quota,
        ended=row.end_date is not None and row.end_date < today,
    )


def list_trainings(session: Session, p: Principal, today: date) -> list[TrainingView]:
    return [view(row, today) for row in rows(session, p)]


def current(session: Session, p: Principal, today: date) -> list[Training]:
    """Trainings not yet over, as the engine's plain values (recognised skills only)."""
    known = taxonomy().skills.skills
    return [
        Training(
            id=str(row.id),
            title=row.title,
            provider=row.provider,
            skills=frozenset(s for s in row.skills if s in known),
            location=Location(kecamatan_code=row.kecamatan_code) if row.kecamatan_code else None,
        )
        for row in rows(session, p)
        if row.end_date is None or row.end_date >= today
    ]
