"""Which sentences of a vacancy describe the employer rather than the job.

Job ads often open or close with the company: "PT X adalah perusahaan yang bergerak di bidang
pengelasan ...", "Kami produsen komponen otomotif ...". What such a sentence names is the
employer's trade, not the job, so the program mapper (:mod:`matcher.taxonomy.mapper`) weights
its evidence weakly: a tool trader hiring an online-shop admin is not hiring machinists.

Some phrases name the employer in one position and a duty in another: "PT X menyediakan jasa
..." against "Menyediakan laporan harian", "Produk kami telah dipasarkan ..." against
"Menawarkan produk kami". Those count only where the wording makes the employer the sentence's
subject; ``employer_sentence_words.csv`` says which phrases and how, and
``company_description_phrases.txt`` lists the ones that count anywhere. (Counted anywhere, as
the mapper did before, they weakened the program evidence of real duty sentences.)

Leaving employer sentences out of a vacancy's *skills* as well was built and measured, and not
adopted: on the Loker.id labels nDCG@10 fell by 0.0016 (c→v) and 0.0010 (v→c), and the learned
scorer's gain over the default on simulated outcomes fell in all five seeds (mean +21.5 % →
+17.3 %), likely because an employer's trade often matches the job's program (a steel
fabricator hiring a CNC operator). The employer's trade therefore still counts among a
vacancy's skills.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from matcher.language import Language
from matcher.language.resources import read_word_list, read_word_roles

#: Sentence breaks: line breaks, semicolons and bullets, a full stop that is neither a decimal
#: point nor the one in "PT." (which belongs to the company name it opens), a spaced dash.
_SENTENCE_BREAK = re.compile(r"[\n\r;•·●▪■◆►✓✔]+|(?<!\d)(?<!\b[Pp][Tt])\.(?!\d)|\s[-–—]\s")


def sentences(text: str) -> list[str]:
    """The sentences (and list items) of a vacancy text, as written; some may be blank."""
    return _SENTENCE_BREAK.split(text)


class EmployerSentences:
    """Tells a sentence about the employer from one about the job, from its wording alone."""

    def __init__(
        self,
        language: Language,
        *,
        anywhere: Iterable[str],
        opening: Iterable[str],
        after_subject: Iterable[str],
        subjects: Iterable[str],
        copulas: Iterable[str],
        lead_in: Iterable[str],
    ) -> None:
        self._language = language
        self._anywhere = language.phrase_pattern(anywhere)
        self._opening = _phrase_tuples(language, opening)
        self._after_subject = _phrase_tuples(language, after_subject)
        self._subjects = frozenset(language.normalise(word) for word in subjects)
        self._copulas = frozenset(language.normalise(word) for word in copulas)
        self._lead_in = frozenset(language.normalise(word) for word in lead_in)

    @classmethod
    def load(cls, language: Language) -> EmployerSentences:
        """Read ``company_description_phrases.txt`` and ``employer_sentence_words.csv``."""
        roles = read_word_roles("employer_sentence_words.csv")
        return cls(
            language,
            anywhere=read_word_list("company_description_phrases.txt"),
            opening=roles.get("opening", ()),
            after_subject=roles.get("after_subject", ()),
            subjects=roles.get("subject", ()),
            copulas=roles.get("copula", ()),
            lead_in=roles.get("lead_in", ()),
        )

    def describes_employer(self, tokens: Sequence[str]) -> bool:
        """Whether one sentence, as normalised tokens, describes the employer.

        True for a phrase that marks the employer anywhere ("bergerak di bidang"), for one that
        opens the sentence ("Produk kami ..."), and for one that follows a company subject opening
        it ("PT X menyediakan ...", "Kami adalah distributor ...") or a copula ("Toko X adalah
        toko bayi yang menyediakan ...").
        """
        if self._anywhere.search(" ".join(tokens)):
            return True
        start = self._skip_lead_in(tokens)
        if any(tuple(tokens[start : start + len(p)]) == p for p in self._opening):
            return True
        if start < len(tokens) and tokens[start] in self._subjects:
            after = start + 1
        else:
            after = next((i + 1 for i, t in enumerate(tokens) if t in self._copulas), len(tokens))
        return any(_contains(tokens[after:], phrase) for phrase in self._after_subject)

    def _skip_lead_in(self, tokens: Sequence[str]) -> int:
        """Index of the first token after lead-in words and numbers ("Sejak 1998, kami ...")."""
        i = 0
        while i < len(tokens) and (tokens[i] in self._lead_in or tokens[i].isdigit()):
            i += 1
        return i


def _contains(tokens: Sequence[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(tokens[i : i + n]) == phrase for i in range(len(tokens) - n + 1))


def _phrase_tuples(language: Language, phrases: Iterable[str]) -> tuple[tuple[str, ...], ...]:
    normalised = {tuple(language.normalise(p).split()) for p in phrases}
    return tuple(sorted(p for p in normalised if p))
