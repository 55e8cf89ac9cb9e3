"""The vacancy form: structured requirements beside the free text, to and from the contract's body.

Employers write requirements both ways: in prose ("minimal SMK, usia maks. 25") and in fields.
The fields are what the engine trusts first, so the form offers them with the words employers
use (program names from the taxonomy, kecamatan from the gazetteer, "pendidikan minimal") and
turns them into exactly the contract's vacancy fields. Fields the form does not show (for
example ``source_portal`` from a portal's push) are carried over unchanged on edit, so editing
in the browser never silently drops what a portal sent.

Every value is kept as the person typed it (``values``), so a form with an error comes back
with nothing lost; messages are Indonesian, one per field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData

from matcher.errors import RecordValidationError
from matcher.records import EducationLevel, parse_vacancy
from matcher.requirements import levels_from_minimum
from service.web.typed_values import FormReader, thousands
from service.web.workspace import gazetteer, taxonomy

#: "pendidikan minimal" as employers pick it; levels of equal rank share one choice, because the
#: engine admits both ("minimal SMA" also admits SMK holders, "minimal S1" also D4)
EDUCATION_MINIMUMS: dict[str, str] = {
    "SD": "SD",
    "SMP": "SMP",
    "SMA": "SMA/SMK sederajat",
    "D1": "D1",
    "D2": "D2",
    "D3": "D3",
    "D4": "D4/S1",
    "S2": "S2",
    "S3": "S3",
}
#: the choice that keeps a stored set of levels no single minimum describes (e.g. only "SMK")
KEEP_LEVELS = "tetap"
#: the contract's bound on salary_min / salary_max (IDR per month)
_SALARY_MAX = 1_000_000_000
STATUSES: dict[str, str] = {"open": "Dibuka", "closed": "Ditutup"}
MAJORS_REQUIRED: dict[str, str] = {
    "": "Baca dari deskripsi",
    "ya": "Ya, hanya jurusan yang dipilih",
    "tidak": "Tidak, jurusan lain juga boleh melamar",
}
ANY_MAJOR = "semua jurusan"

#: the text inputs of the form, in the order a page shows them
TEXT_FIELDS = (
    "title",
    "description",
    "employer_id",
    "employer_name",
    "majors_other",
    "majors_required",
    "skills",
    "education_min",
    "min_experience_years",
    "age_min",
    "age_max",
    "kecamatan_code",
    "location_name",
    "headcount",
    "deadline",
    "status",
    "salary_min",
    "salary_max",
)


@dataclass(frozen=True)
class Choices:
    """What the selects offer: the SMK programs by bidang, kecamatan, and the fixed lists."""

    programs: list[tuple[str, list[str]]]
    kecamatan: list[tuple[str, str]]
    education: dict[str, str]
    statuses: dict[str, str]
    majors_required: dict[str, str]


def choices(base: Mapping[str, Any] | None = None) -> Choices:
    """The options; a stored kecamatan outside Kabupaten Serang or an irregular set of levels
    is offered too, so that editing such a vacancy starts from what it holds."""
    groups: dict[str, list[str]] = {}
    for program in taxonomy().programs.values():
        if program.kind == "smk":
            groups.setdefault(program.bidang, []).append(program.name)
    programs = [("Umum", [ANY_MAJOR])] + [(b, sorted(groups[b])) for b in sorted(groups)]
    education = dict(EDUCATION_MINIMUMS)
    if base is not None:
        kept = _irregular_levels(base.get("education_levels") or [])
        if kept:
            education[KEEP_LEVELS] = f"Tetap seperti sekarang: {', '.join(kept)}"
    return Choices(programs, _kecamatan(base), education, STATUSES, MAJORS_REQUIRED)


def _kecamatan(base: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    kecamatan = [(p.code, p.name) for p in gazetteer().kecamatan_of_serang()]
    code = ((base or {}).get("location") or {}).get("kecamatan_code")
    if code and code not in dict(kecamatan):
        place = gazetteer().place(code)
        kecamatan.append((code, place.name if place else code))
    return kecamatan


# -- from a stored vacancy to the form ---------------------------------------------------------
def initial_values(
    data: Mapping[str, Any] | None, employer_name: str | None = None
) -> dict[str, Any]:
    """The form's starting values: blank (a new vacancy) or the stored vacancy's fields."""
    if data is None:
        values: dict[str, Any] = {name: "" for name in TEXT_FIELDS}
        values.update(status="open", employer_name=employer_name or "", programs=[])
        return values
    names = _program_names()
    programs: list[str] = []
    others: list[str] = []
    for major in data.get("majors") or []:
        if major.casefold() == ANY_MAJOR:
            programs.append(ANY_MAJOR)
        elif major.casefold() in names:
            programs.append(names[major.casefold()])
        else:
            others.append(major)
    location = data.get("location") or {}
    required = data.get("majors_required")
    return {
        "title": data.get("title", ""),
        "description": data.get("description", ""),
        "employer_id": data.get("employer_id") or "",
        "employer_name": data.get("employer_name") or "",
        "programs": programs,
        "majors_other": "\n".join(others),
        "majors_required": "" if required is None else ("ya" if required else "tidak"),
        "skills": "\n".join(data.get("skills") or []),
        "education_min": _minimum_choice(data.get("education_levels") or []),
        "min_experience_years": _number_text(data.get("min_experience_years")),
        "age_min": _number_text(data.get("age_min")),
        "age_max": _number_text(data.get("age_max")),
        "kecamatan_code": location.get("kecamatan_code") or "",
        "location_name": location.get("name") or "",
        "headcount": _number_text(data.get("headcount")),
        "deadline": data.get("deadline") or "",
        "status": data.get("status") or "open",
        "salary_min": _rupiah_text(data.get("salary_min")),
        "salary_max": _rupiah_text(data.get("salary_max")),
    }


def submitted_values(form: FormData) -> dict[str, Any]:
    """What the person typed, as typed (only text parts; a file smuggled in is ignored)."""
    values: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        value = form.get(name)
        values[name] = value if isinstance(value, str) else ""
    values["programs"] = [v for v in form.getlist("programs") if isinstance(v, str)]
    return values


# -- from the form to the contract's body ------------------------------------------------------
def to_body(
    values: Mapping[str, Any],
    base: Mapping[str, Any] | None,
    employer_id: str | None,
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """``(body, {})`` when valid, else ``(None, {field: Indonesian message})``.

    ``base`` is the stored vacancy on edit (its other fields are kept); ``employer_id`` is the
    signed-in employer's own id, which wins over anything posted (``None`` for an admin, who
    may name any employer).
    """
    read = FormReader(values)
    body: dict[str, Any] = {k: v for k, v in (base or {}).items() if k != "id"}

    def put(name: str, value: Any) -> None:
        if value is None or value == [] or value == "":
            body.pop(name, None)
        else:
            body[name] = value

    put("title", read.text("title", "Judul lowongan", 300, required=True))
    put("description", read.text("description", "Deskripsi pekerjaan", 20_000, required=True))
    if employer_id is not None:
        put("employer_id", employer_id)
    else:
        put("employer_id", read.text("employer_id", "ID perusahaan", 128))
    put("employer_name", read.text("employer_name", "Nama perusahaan", 500))

    put("majors", _majors(read, base))
    if values["majors_required"] not in MAJORS_REQUIRED:
        read.errors["majors_required"] = "Pilih salah satu pilihan yang tersedia."
    put("majors_required", {"ya": True, "tidak": False}.get(values["majors_required"]))
    put("skills", read.items("skills", "keahlian", 100))
    put("education_levels", _levels(read, base))
    put("min_experience_years", read.decimal("min_experience_years", "Pengalaman", 0, 60, "tahun"))
    put("age_min", read.whole("age_min", "Usia minimal", 14, 100))
    put("age_max", read.whole("age_max", "Usia maksimal", 14, 100))
    read.ordered(
        "age_max",
        body.get("age_min"),
        body.get("age_max"),
        "Usia maksimal tidak boleh lebih kecil dari usia minimal.",
    )
    put("location", _location(read, base))
    put("headcount", read.whole("headcount", "Jumlah orang", 1, 100_000))
    put("deadline", read.date("deadline"))
    if values["status"] not in STATUSES:
        read.errors["status"] = "Pilih status: dibuka atau ditutup."
    put("status", values["status"] if values["status"] in STATUSES else None)
    put("salary_min", read.rupiah("salary_min", "gaji minimal", _SALARY_MAX))
    put("salary_max", read.rupiah("salary_max", "gaji maksimal", _SALARY_MAX))
    read.ordered(
        "salary_max",
        body.get("salary_min"),
        body.get("salary_max"),
        "Gaji maksimal tidak boleh lebih kecil dari gaji minimal.",
    )

    errors = read.errors
    if errors:
        return None, errors
    try:  # the contract's own validation, as a PUT would apply it
        parse_vacancy({"id": "baru", **body})
    except RecordValidationError as exc:
        return None, field_errors(exc.errors)
    return body, {}


#: contract field → the form input that holds it
_INPUT_OF = {
    "majors": "majors_other",
    "education_levels": "education_min",
    "location": "kecamatan_code",
}


def field_errors(errors: list[dict[str, Any]]) -> dict[str, str]:
    """Contract validation errors (``loc`` as the API reports it) as per-input messages."""
    found: dict[str, str] = {}
    for error in errors:
        loc = [part for part in error.get("loc", []) if part != "body"]
        field = str(loc[0]) if loc else ""
        name = _INPUT_OF.get(field, field if field in TEXT_FIELDS else "form")
        found.setdefault(name, "Isian ini tidak valid; periksa kembali.")
    return found


# -- the parts ---------------------------------------------------------------------------------
def _program_names() -> dict[str, str]:
    return {p.name.casefold(): p.name for p in taxonomy().programs.values() if p.kind == "smk"}


def _majors(read: FormReader, base: Mapping[str, Any] | None) -> list[str]:
    """Picked programs and typed majors; those already stored keep their order, so saving an
    unchanged form stores the same list even though the picker shows it in taxonomy order."""
    names = _program_names()
    chosen: list[str] = []
    for value in read.values["programs"]:
        if value.casefold() == ANY_MAJOR:
            chosen.append(ANY_MAJOR)
        elif value.casefold() in names:
            chosen.append(names[value.casefold()])
        else:
            read.errors["programs"] = (
                "Pilih jurusan dari daftar; tulis jurusan lain di kolom bawahnya."
            )
    others = read.items("majors_other", "jurusan", 50)
    before = {m.casefold(): i for i, m in enumerate((base or {}).get("majors") or [])}
    majors = sorted(
        dict.fromkeys(chosen + others), key=lambda m: before.get(m.casefold(), len(before))
    )
    if len(majors) > 50 and "majors_other" not in read.errors:
        read.errors["majors_other"] = "Paling banyak 50 jurusan."
    return majors


def _minimum_choice(levels: list[str]) -> str:
    if not levels:
        return ""
    return KEEP_LEVELS if _irregular_levels(levels) else _lowest(levels).value


def _lowest(levels: list[str]) -> EducationLevel:
    lowest = min((EducationLevel(level) for level in levels), key=lambda level: level.rank)
    return next(
        EducationLevel(k) for k in EDUCATION_MINIMUMS if EducationLevel(k).rank == lowest.rank
    )


def _irregular_levels(levels: list[str]) -> list[str]:
    """The stored levels when no "pendidikan minimal" gives exactly them, else ``[]``."""
    if not levels:
        return []
    implied = {level.value for level in levels_from_minimum(_lowest(levels))}
    return [] if set(levels) == implied else list(levels)


def _levels(read: FormReader, base: Mapping[str, Any] | None) -> list[str] | None:
    choice = read.values["education_min"]
    if not choice:
        return None
    stored = (base or {}).get("education_levels") or []
    if choice == KEEP_LEVELS and _irregular_levels(stored):
        return list(stored)
    if choice not in EDUCATION_MINIMUMS:
        read.errors["education_min"] = "Pilih pendidikan minimal dari daftar."
        return None
    return [level.value for level in levels_from_minimum(EducationLevel(choice))]


def _location(read: FormReader, base: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Coordinates and a kabupaten code a portal sent are kept while the kecamatan stays."""
    old = dict((base or {}).get("location") or {})
    code = read.values["kecamatan_code"].strip()
    if code and code not in dict(_kecamatan(base)):
        read.errors["kecamatan_code"] = "Pilih kecamatan dari daftar."
        return None
    if code == (old.get("kecamatan_code") or ""):
        location = {k: v for k, v in old.items() if k != "name"}
    else:
        location = {"kecamatan_code": code} if code else {}
    name = read.text("location_name", "Alamat", 500)
    if name:
        location["name"] = name
    return location or None


def _number_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _rupiah_text(value: Any) -> str:
    """4500000 as "4.500.000": how the amount is read (and accepted back) in Indonesia."""
    return "" if value is None else thousands(int(value))
