"""Job-ad wording that skill lookup must not mistake for a skill.

Every vacancy says what it pays ("gaji kompetitif"), how to apply ("kirim berkas lamaran") and
whom to contact ("hubungi HRD"). Stemmed, those words meet skill synonyms: "penggajian"
(payroll) stems to "gaji", "pengiriman" (shipping) to "kirim", and "HRD" expands to "human
resources". Read naively, an operator's vacancy then "asks for" payroll, shipping and HR
administration, every candidate shows those as gaps, and training suggestions follow the noise.

Two rules, both driven by ``job_ad_words.csv`` so the lists stay reviewable:

* an *everyday* word is matched as written, not by its stem, and never names a skill on its own
  ("penggajian" still means payroll, "gaji" does not);
* a *hiring* phrase right next to a *hiring cue* is the ad's own hiring desk, not a skill
  ("kirim CV ke HRD", "email rekrutmen kami"), while "Staff HRD" or "proses rekrutmen karyawan"
  still name HR work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from matcher.language import Language
from matcher.language.resources import read_word_roles


@dataclass(frozen=True)
class SkillTerms:
    """A text's terms as skill lookup reads them, with the written word on either side of each.

    ``before[i]`` and ``after[i]`` are the stems of the normalised tokens next to the token that
    gave ``terms[i]`` (function words included, "" at the edges), so a cue such as "ke", which
    phrase matching drops, can still be seen next to a match.
    """

    terms: list[str]
    before: list[str]
    after: list[str]


class AdWording:
    """Everyday job-ad stems, hiring phrases and the cues that mark a hiring phrase as a contact."""

    def __init__(
        self,
        language: Language,
        everyday: frozenset[str],
        hiring: Sequence[str],
        cues: frozenset[str],
    ) -> None:
        self._language = language
        self.everyday = everyday
        self.cues = frozenset(language.stemmer.stem(cue) for cue in cues)
        self.hiring = frozenset(tuple(self.read(phrase.split()).terms) for phrase in hiring)

    @classmethod
    def load(cls, language: Language) -> AdWording:
        """Read ``job_ad_words.csv`` (word, roles: everyday, hiring, hiring_cue)."""
        roles = read_word_roles("job_ad_words.csv")
        return cls(
            language,
            everyday=roles.get("everyday", frozenset()),
            hiring=sorted(roles.get("hiring", frozenset())),
            cues=roles.get("hiring_cue", frozenset()),
        )

    def read(self, tokens: Sequence[str]) -> SkillTerms:
        """Terms of normalised tokens: function words dropped, stemmed, everyday words as is."""
        stem = self._language.stemmer.stem
        skip = self._language.function_words
        stems = [stem(token) for token in tokens]
        terms: list[str] = []
        before: list[str] = []
        after: list[str] = []
        for i, token in enumerate(tokens):
            if token in skip:
                continue
            terms.append(token if stems[i] in self.everyday else stems[i])
            before.append(stems[i - 1] if i > 0 else "")
            after.append(stems[i + 1] if i + 1 < len(tokens) else "")
        return SkillTerms(terms, before, after)

    def names_nothing(self, terms: Sequence[str]) -> bool:
        """True for a phrase that is one everyday word, which alone never names a skill."""
        return len(terms) == 1 and terms[0] in self.everyday

    def is_hiring_contact(self, text: SkillTerms, start: int, end: int) -> bool:
        """True when ``text.terms[start:end]`` is a hiring phrase standing next to a hiring cue."""
        if tuple(text.terms[start:end]) not in self.hiring:
            return False
        return text.before[start] in self.cues or text.after[end - 1] in self.cues
