"""Candidate and vacancy records: the fields of the portal contract, validated once at the edge.

The engine never ranks on ``gender`` (kept only so the service can report on it) and never sees
religion or marital status at all. Validation errors name the field and the problem, so a BKK
officer importing a spreadsheet learns which cell to fix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from matcher.errors import RecordValidationError

Id = Annotated[str, Field(min_length=1, max_length=128)]
ShortText = Annotated[str, Field(max_length=500)]
LongText = Annotated[str, Field(max_length=20_000)]


class EducationLevel(StrEnum):
    """Levels as Indonesian forms write them; their order is the order of attainment."""

    SD = "SD"
    SMP = "SMP"
    SMA = "SMA"
    SMK = "SMK"
    D1 = "D1"
    D2 = "D2"
    D3 = "D3"
    D4 = "D4"
    S1 = "S1"
    S2 = "S2"
    S3 = "S3"

    @property
    def rank(self) -> int:
        """SMA and SMK share a rank: both are upper secondary (a vacancy may still name one)."""
        return _EDUCATION_RANK[self]


_EDUCATION_RANK = {
    EducationLevel.SD: 0,
    EducationLevel.SMP: 1,
    EducationLevel.SMA: 2,
    EducationLevel.SMK: 2,
    EducationLevel.D1: 3,
    EducationLevel.D2: 4,
    EducationLevel.D3: 5,
    EducationLevel.D4: 6,
    EducationLevel.S1: 6,
    EducationLevel.S2: 7,
    EducationLevel.S3: 8,
}


#: sixteen digits, perhaps grouped by spaces, dots or dashes: how a NIK is written on forms
_NIK_LIKE = re.compile(r"(?<!\d)(?:\d[ .-]?){15}\d(?!\d)")


def _nik_free(text: str | None) -> str | None:
    """Refuse a NIK typed into free text: cocok never stores one, and would show it back later.

    The message never quotes the value, so the number is not echoed in the response either.
    """
    if text and _NIK_LIKE.search(text):
        raise ValueError(
            "berisi 16 digit angka seperti NIK; cocok tidak menyimpan NIK, hapus dari teks "
            "/ holds a 16-digit number like a NIK; remove it"
        )
    return text


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Location(_Record):
    """Any of a Kemendagri code, a place name, or coordinates; the gazetteer resolves the rest."""

    kecamatan_code: Annotated[str, Field(pattern=r"^\d{2}\.\d{2}\.\d{2}$")] | None = None
    kabupaten_code: Annotated[str, Field(pattern=r"^\d{2}\.\d{2}$")] | None = None
    name: ShortText | None = None
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180)] | None = None

    _name = field_validator("name")(_nik_free)

    @model_validator(mode="after")
    def _lat_lon_together(self) -> Location:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon must be given together")
        return self


class Experience(_Record):
    title: ShortText
    months: Annotated[int, Field(ge=0, le=720)] = 0
    employer: ShortText | None = None

    _text = field_validator("title", "employer")(_nik_free)


class Contact(_Record):
    phone: Annotated[str, Field(max_length=32)] | None = None
    email: Annotated[str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = (
        None
    )


class Consent(_Record):
    share_with_employers: bool = False
    guardian_consent: bool | None = None


CandidateStatus = Literal["seeking", "employed", "studying", "entrepreneur"]
VacancyStatus = Literal["open", "closed"]


def _clean_list(values: list[str]) -> list[str]:
    """Drop blanks and exact duplicates while keeping the order people wrote them in."""
    seen: dict[str, None] = {}
    for value in values:
        value = value.strip()
        if value and value.casefold() not in {v.casefold() for v in seen}:
            seen[value] = None
    return list(seen)


class Vacancy(_Record):
    id: Id
    title: Annotated[str, Field(min_length=1, max_length=300)]
    description: Annotated[str, Field(min_length=1, max_length=20_000)]
    employer_id: Annotated[str, Field(max_length=128)] | None = None
    employer_name: ShortText | None = None
    education_levels: list[EducationLevel] = Field(default_factory=list, max_length=11)
    majors: list[ShortText] = Field(default_factory=list, max_length=50)
    #: cocok extension: ``True`` when only the listed majors may apply; ``None`` lets the
    #: engine read it from the wording ("wajib jurusan ...", "khusus jurusan ...").
    majors_required: bool | None = None
    skills: list[ShortText] = Field(default_factory=list, max_length=100)
    min_experience_years: Annotated[float, Field(ge=0, le=60)] | None = None
    age_min: Annotated[int, Field(ge=14, le=100)] | None = None
    age_max: Annotated[int, Field(ge=14, le=100)] | None = None
    location: Location | None = None
    salary_min: Annotated[int, Field(ge=0, le=1_000_000_000)] | None = None
    salary_max: Annotated[int, Field(ge=0, le=1_000_000_000)] | None = None
    headcount: Annotated[int, Field(ge=1, le=100_000)] | None = None
    deadline: date | None = None
    status: VacancyStatus = "open"
    source_portal: Annotated[str, Field(max_length=128)] | None = None

    _lists = field_validator("majors", "skills")(_clean_list)

    @model_validator(mode="after")
    def _ranges(self) -> Vacancy:
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            raise ValueError("age_min must not exceed age_max")
        if (
            self.salary_min is not None
            and self.salary_max is not None
            and self.salary_min > self.salary_max
        ):
            raise ValueError("salary_min must not exceed salary_max")
        return self


class Candidate(_Record):
    id: Id
    school_id: Annotated[str, Field(max_length=128)] | None = None
    name: ShortText | None = None
    birth_date: date | None = None
    gender: Literal["L", "P"] | None = None
    education_level: EducationLevel | None = None
    major: ShortText | None = None
    graduation_year: Annotated[int, Field(ge=1950, le=2100)] | None = None
    skills: list[ShortText] = Field(default_factory=list, max_length=100)
    certifications: list[ShortText] = Field(default_factory=list, max_length=100)
    experience: list[Experience] = Field(default_factory=list, max_length=50)
    summary: LongText | None = None
    location: Location | None = None
    max_commute_km: Annotated[float, Field(ge=0, le=20_000)] | None = None
    willing_to_relocate: bool | None = None
    contact: Contact | None = None
    consent: Consent = Field(default_factory=Consent)
    status: CandidateStatus = "seeking"

    _lists = field_validator("skills", "certifications")(_clean_list)

    @field_validator("name", "major", "summary")
    @classmethod
    def _text_without_nik(cls, value: str | None) -> str | None:
        return _nik_free(value)

    @field_validator("skills", "certifications")
    @classmethod
    def _items_without_nik(cls, values: list[str]) -> list[str]:
        for value in values:
            _nik_free(value)
        return values

    def age_on(self, day: date) -> int | None:
        """Age in whole years on ``day``; ``None`` when the birth date is unknown."""
        if self.birth_date is None:
            return None
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    @property
    def experience_months(self) -> int:
        return sum(e.months for e in self.experience)


def _errors_of(exc: ValidationError) -> list[dict[str, Any]]:
    return [{"loc": list(e["loc"]), "msg": e["msg"]} for e in exc.errors(include_url=False)]


def parse_vacancy(data: Mapping[str, Any]) -> Vacancy:
    """Validate a plain mapping (JSON, a spreadsheet row) into a :class:`Vacancy`."""
    try:
        return Vacancy.model_validate(dict(data))
    except ValidationError as exc:
        raise RecordValidationError("invalid vacancy", _errors_of(exc)) from None


def parse_candidate(data: Mapping[str, Any]) -> Candidate:
    """Validate a plain mapping (JSON, a spreadsheet row) into a :class:`Candidate`."""
    try:
        return Candidate.model_validate(dict(data))
    except ValidationError as exc:
        raise RecordValidationError("invalid candidate", _errors_of(exc)) from None


def parse_candidate_json(raw: str | bytes) -> Candidate:
    """Validate one candidate's JSON text (pydantic's parser: no intermediate dict)."""
    try:
        return Candidate.model_validate_json(raw)
    except ValidationError as exc:
        raise RecordValidationError("invalid candidate", _errors_of(exc)) from None
