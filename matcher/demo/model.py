"""The demo data set and its JSON form (records plus the hidden answers)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from matcher.records import Candidate, Vacancy, parse_candidate, parse_vacancy

_FORMAT = "cocok-demo/1"


@dataclass(frozen=True)
class School:
    """An SMK (or its BKK); ``id`` is an NPSN-like 8-digit number."""

    id: str
    name: str
    kecamatan_code: str
    programs: tuple[str, ...]
    status: str  # "negeri" or "swasta"


@dataclass(frozen=True)
class Employer:
    """A fictional employer; every name is invented for the demo."""

    id: str
    name: str
    sector: str
    kecamatan_code: str


@dataclass
class DemoData:
    """Generated records and the truth they were generated from.

    ``candidate_program`` maps a candidate id to its spektrum ``program_code`` (``None`` for SMA
    graduates, who have none); ``vacancy_programs`` maps a vacancy id to the program codes whose
    graduates fit the job, best fitting first; ``vacancy_occupation`` maps it to the generator's
    occupation key.
    """

    seed: int
    as_of: date
    schools: list[School]
    employers: list[Employer]
    candidates: list[Candidate]
    vacancies: list[Vacancy]
    candidate_program: dict[str, str | None] = field(default_factory=dict)
    vacancy_programs: dict[str, list[str]] = field(default_factory=dict)
    vacancy_occupation: dict[str, str] = field(default_factory=dict)

    def to_json(self, path: str | Path) -> None:
        """Write everything (records as the portal contract's JSON) to one UTF-8 file."""
        doc: dict[str, Any] = {
            "format": _FORMAT,
            "seed": self.seed,
            "as_of": self.as_of.isoformat(),
            "schools": [asdict(s) for s in self.schools],
            "employers": [asdict(e) for e in self.employers],
            "candidates": [c.model_dump(mode="json", exclude_none=True) for c in self.candidates],
            "vacancies": [v.model_dump(mode="json", exclude_none=True) for v in self.vacancies],
            "candidate_program": self.candidate_program,
            "vacancy_programs": self.vacancy_programs,
            "vacancy_occupation": self.vacancy_occupation,
        }
        Path(path).write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def from_json(cls, path: str | Path) -> DemoData:
        """Read a file written by :meth:`to_json`; records are validated again on the way in."""
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        if doc.get("format") != _FORMAT:
            raise ValueError(f"{path} is not a cocok demo file (format {doc.get('format')!r}).")
        return cls(
            seed=int(doc["seed"]),
            as_of=date.fromisoformat(doc["as_of"]),
            schools=[School(**{**s, "programs": tuple(s["programs"])}) for s in doc["schools"]],
            employers=[Employer(**e) for e in doc["employers"]],
            candidates=[parse_candidate(c) for c in doc["candidates"]],
            vacancies=[parse_vacancy(v) for v in doc["vacancies"]],
            candidate_program=dict(doc["candidate_program"]),
            vacancy_programs={k: list(v) for k, v in doc["vacancy_programs"].items()},
            vacancy_occupation=dict(doc["vacancy_occupation"]),
        )

    load = from_json
