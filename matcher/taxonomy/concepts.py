"""``Taxonomy``: the one object the engine asks about programs, majors, skills and occupations."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

import numpy as np

from matcher.language import Language, default_language
from matcher.taxonomy.catalogue import load_catalogue
from matcher.taxonomy.mapper import MajorResolver, VacancyMapper
from matcher.taxonomy.occupations import OccupationGroups, OccupationKeywords
from matcher.taxonomy.program import Program
from matcher.taxonomy.similarity import SimilarityTable
from matcher.taxonomy.skills import SkillVocabulary

_CONCEPT_SKILLS = 8


class Taxonomy:
    """SMK programs, study fields, ISCO-08 groups and skills, with the text → concept mapper.

    Build with :meth:`load` (reads the shipped tables, no network, well under a second); nothing
    is loaded at import time.
    """

    def __init__(
        self,
        programs: Mapping[str, Program],
        *,
        language: Language,
        skills: SkillVocabulary,
        majors: MajorResolver,
        vacancies: VacancyMapper,
        similarity: SimilarityTable,
        occupations: OccupationGroups,
    ) -> None:
        self.programs: Mapping[str, Program] = MappingProxyType(dict(programs))
        self.language = language
        self.skills = skills
        self.occupations = occupations
        self._majors = majors
        self._vacancies = vacancies
        self._similarity = similarity

    @classmethod
    def load(cls, language: Language | None = None) -> Taxonomy:
        """Read matcher/data/taxonomy; pass a ``Language`` to share its stem cache."""
        language = language or default_language()
        skills = SkillVocabulary.load(language)
        catalogue = load_catalogue(skills)
        kinds: dict[str, str] = {code: p.kind for code, p in catalogue.programs.items()}
        majors = MajorResolver(language, catalogue.aliases, kinds)
        keywords = OccupationKeywords.load(language)
        return cls(
            catalogue.programs,
            language=language,
            skills=skills,
            majors=majors,
            vacancies=VacancyMapper(language, majors, keywords, skills, kinds),
            similarity=SimilarityTable.build(catalogue.programs, catalogue.field_relations),
            occupations=OccupationGroups.load(),
        )

    def resolve_major(self, text: str, *, level: str | None = None) -> list[tuple[str, float]]:
        """Codes for a major as written ("TKRO", "S1 Akuntansi"), best first; ``[]`` if none.

        ``level`` (e.g. "smk", "d3", "s1") breaks ties between an SMK program and a study
        field of the same name; the text's own "S1"/"D3" does too.
        """
        return self._majors.resolve(text, level)

    def is_any_major(self, text: str) -> bool:
        """True for "semua jurusan", "all majors", "jurusan apa saja" and the like."""
        return self._majors.is_any_major(text)

    def programs_for_text(self, text: str) -> dict[str, float]:
        """Vacancy (or profile) text → program confidences in [0, 1], best first."""
        return self._vacancies.programs_for_text(text)

    def program_similarity(self, a: str, b: str) -> float:
        """1 for the same code, partial credit for related concepts, 0 for unrelated."""
        return self._similarity.get(a, b)

    def similarity_matrix(self) -> tuple[list[str], np.ndarray]:
        """All codes and their symmetric similarity matrix (a read-only view)."""
        view = self._similarity.matrix.view()
        view.flags.writeable = False
        return list(self._similarity.codes), view

    def extract_skills(self, text: str) -> set[str]:
        """Canonical skill keys named in ``text`` ("las listrik" → "smaw", "ms excel" → "excel")."""
        return self.skills.extract(self.language.normalise(text).split())

    def skill_label(self, key: str, lang: str = "id") -> str:
        """Human label of a skill key in Indonesian ("id") or English ("en")."""
        skill = self.skills.skills[key]
        return skill.label_en if lang == "en" else skill.label_id

    def occupation_fit(self, program: str, isco_code: str) -> float:
        """How well an ISCO-08/KBJI occupation fits a program's graduates (0 to 1)."""
        concept = self.programs.get(program)
        return self.occupations.fit(concept.isco_groups, isco_code) if concept else 0.0

    def concept_text(self, codes: Iterable[str]) -> str:
        """Indonesian and English labels and top skills of concepts, for the English encoder."""
        parts = []
        for code in codes:
            program = self.programs.get(code)
            if program is None:
                continue
            skills_id = ", ".join(program.skills_id[:_CONCEPT_SKILLS])
            skills_en = ", ".join(program.skills_en[:_CONCEPT_SKILLS])
            parts.append(f"{program.name_en} ({program.name}). Skills: {skills_en}. {skills_id}.")
        return " ".join(parts)
