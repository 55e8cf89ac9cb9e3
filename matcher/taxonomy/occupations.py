"""Occupation groups (ISCO-08, equal to KBJI 2014 at four digits) and job-title keywords.

Two tables: ``isco_groups.csv`` (labels from ESCO, European Commission) and
``occupation_keywords.csv``, our list of Indonesian and English job titles and task words
("welder", "juru las", "kasir", "teknisi jaringan", "room attendant") with the programs whose
graduates do that work and how strongly. Vacancies rarely name a major; they name a job.
"""

from __future__ import annotations

from matcher.language import Language
from matcher.language.resources import read_csv_rows
from matcher.taxonomy.phrases import PhraseIndex


class OccupationGroups:
    """ISCO-08 group labels and the program ↔ group compatibility they imply."""

    def __init__(self, labels: dict[str, str]) -> None:
        self.labels = labels

    @classmethod
    def load(cls) -> OccupationGroups:
        """Read ``isco_groups.csv`` (code, label)."""
        return cls({row["code"]: row["label"] for row in read_csv_rows("isco_groups.csv")})

    def label(self, code: str) -> str | None:
        """English label of an ISCO-08 group (1 to 4 digits), or ``None`` if unknown."""
        return self.labels.get(code)

    @staticmethod
    def fit(program_groups: tuple[str, ...], isco_code: str) -> float:
        """How well an occupation fits a program: 1 same unit group, 0.6 minor, 0.3 sub-major."""
        best = 0.0
        for group in program_groups:
            if group == isco_code:
                return 1.0
            shared = 0
            for a, b in zip(group, isco_code, strict=False):
                if a != b:
                    break
                shared += 1
            if shared >= 3:
                best = max(best, 0.6)
            elif shared == 2:
                best = max(best, 0.3)
        return best


class OccupationKeywords:
    """Job-title and task phrases → program weights."""

    def __init__(self, index: PhraseIndex[tuple[str, float]]) -> None:
        self._index = index

    @classmethod
    def load(cls, language: Language) -> OccupationKeywords:
        """Read ``occupation_keywords.csv`` (phrase, targets as ``CODE:weight;…``)."""
        index: PhraseIndex[tuple[str, float]] = PhraseIndex()
        for row in read_csv_rows("occupation_keywords.csv"):
            terms = language.phrase_terms(row["phrase"])
            for target in row["targets"].split(";"):
                code, weight = target.split(":")
                index.add(terms, (code, float(weight)))
        return cls(index)

    def scan(self, terms: list[str]) -> dict[tuple[str, ...], tuple[tuple[str, float], ...]]:
        """Distinct keyword phrases found in ``terms`` with their program weights."""
        return {tuple(terms[m.start : m.end]): m.payloads for m in self._index.scan(terms)}
