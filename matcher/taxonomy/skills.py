"""Skill vocabulary: canonical skill keys, their synonyms, labels and programs.

"las listrik", "SMAW" and "stick welding" are one skill (``smaw``); "ms excel" and "excel" are
one (``excel``). Synonyms are matched on token boundaries after the shared normalisation, so
skills found in a vacancy and in a profile are comparable keys, and each key points to the
programs whose graduates typically hold it. Job-ad wording ("gaji kompetitif", "kirim CV ke
HRD") is kept from reading as a skill by :mod:`matcher.taxonomy.ad_wording`.
"""

from __future__ import annotations

from dataclasses import dataclass

from matcher.language import Language
from matcher.language.resources import read_csv_rows
from matcher.taxonomy.ad_wording import AdWording
from matcher.taxonomy.phrases import PhraseIndex

_SHARED = 3


@dataclass(frozen=True)
class Skill:
    """One canonical skill."""

    key: str
    label_id: str
    label_en: str
    programs: tuple[str, ...]


class SkillVocabulary:
    """Canonical skills and a phrase index from every synonym (and label) to its key."""

    def __init__(
        self, skills: dict[str, Skill], index: PhraseIndex[str], wording: AdWording
    ) -> None:
        self.skills = skills
        self._index = index
        self._wording = wording

    @classmethod
    def load(cls, language: Language) -> SkillVocabulary:
        """Read ``skills.csv`` (key, label_id, label_en, programs, synonyms).

        A synonym that is one everyday job-ad word ("jadwal") is left out of the index: alone it
        says nothing about a skill, though it still counts inside a longer synonym.
        """
        wording = AdWording.load(language)
        skills: dict[str, Skill] = {}
        index: PhraseIndex[str] = PhraseIndex()
        for row in read_csv_rows("skills.csv"):
            key = row["key"]
            skills[key] = Skill(
                key=key,
                label_id=row["label_id"],
                label_en=row["label_en"],
                programs=tuple(p for p in row["programs"].split(";") if p),
            )
            phrases = [s for s in row["synonyms"].split(";") if s]
            phrases += [row["label_id"], key.replace("_", " ")]
            for phrase in phrases:
                terms = wording.read(language.normalise(phrase).split()).terms
                if not wording.names_nothing(terms):
                    index.add(terms, key)
        return cls(skills, index, wording)

    def extract(self, tokens: list[str]) -> set[str]:
        """Canonical keys of the skills named in normalised (not yet stemmed) tokens.

        Tokens rather than terms, because the word before or after a match ("ke HRD") decides
        whether it names a skill or the employer's hiring desk.
        """
        text = self._wording.read(tokens)
        found: set[str] = set()
        for match in self._index.scan(text.terms):
            if not self._wording.is_hiring_contact(text, match.start, match.end):
                found.update(match.payloads)
        return found

    def for_program(self, code: str) -> list[Skill]:
        """Skills of one program: its own and closely shared ones in table order, broad ones last.

        The table lists each program's most typical skills first (SMAW before SAW for welding),
        so that order is kept; skills shared by many programs (K3, Excel) come after.
        """
        owned = [s for s in self.skills.values() if code in s.programs]
        return sorted(owned, key=lambda s: len(s.programs) > _SHARED)
