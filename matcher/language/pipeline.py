"""The Indonesian text pipeline as one object holding its compiled state.

``Language`` bundles the normaliser, stopword set, stemmer and protected-wording matcher. It is
built lazily by :func:`default_language` (an ``lru_cache``, not an import-time global) so the
module-level helpers are cheap to call many times and cost nothing to import.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from matcher.language.normalise import Normaliser
from matcher.language.protected import ProtectedWording
from matcher.language.resources import read_word_list
from matcher.language.stemming import Stemmer


class Language:
    """Normalise, tokenise and stem Indonesian job text; detect protected wording."""

    def __init__(
        self,
        normaliser: Normaliser,
        stopwords: frozenset[str],
        stemmer: Stemmer,
        protected: ProtectedWording,
        function_words: frozenset[str] = frozenset(),
    ) -> None:
        self.normaliser = normaliser
        self.stopwords = stopwords
        self.function_words = function_words
        self.stemmer = stemmer
        self.protected = protected

    @classmethod
    def load(cls) -> Language:
        """Build from the shipped lists (stopwords-iso, Sastrawi, vacancy boilerplate, ...)."""
        keep = set(read_word_list("stopwords_keep.txt"))
        stopwords = (
            set(read_word_list("stopwords_iso_id.txt"))
            | set(read_word_list("stopwords_sastrawi_id.txt"))
            | set(read_word_list("stopwords_vacancy.txt"))
        ) - keep
        return cls(
            Normaliser.from_data(),
            frozenset(stopwords),
            Stemmer.from_data(),
            ProtectedWording.from_data(),
            frozenset(read_word_list("function_words.txt")),
        )

    def normalise(self, text: str) -> str:
        """Lower case, unicode-folded, punctuation-free text with abbreviations expanded."""
        return self.normaliser(text)

    def phrase_pattern(self, phrases: Iterable[str]) -> re.Pattern[str]:
        """Any of ``phrases`` on word boundaries of normalised text (never matches when empty):
        word lists such as "bergerak di bidang" are matched the way the text is normalised."""
        normalised = sorted({self.normalise(p) for p in phrases} - {""}, key=len, reverse=True)
        if not normalised:
            return re.compile(r"(?!)")
        return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in normalised) + r")\b")

    def tokenize(self, text: str) -> list[str]:
        """Normalised, stopword-free, stemmed terms of ``text`` (the lexical view of it)."""
        return self.terms(self.normaliser(text).split())

    def terms(self, tokens: list[str]) -> list[str]:
        """Stem already-normalised tokens, dropping stopwords, bare numbers and single letters."""
        stop = self.stopwords
        stem = self.stemmer.stem
        out: list[str] = []
        for token in tokens:
            if token in stop or len(token) < 2 or token.isdigit():
                continue
            root = stem(token)
            if root in stop:
                continue
            out.append(root)
        return out

    def phrase_terms(self, text: str) -> list[str]:
        """Terms for phrase matching: normalised and stemmed, only function words dropped.

        Taxonomy phrases ("buku besar", "pph 21", "pertolongan pertama") contain words the
        retrieval stopword lists remove, so phrase lookups use this gentler view.
        """
        return self.phrase_terms_of(self.normaliser(text).split())

    def phrase_terms_of(self, tokens: list[str]) -> list[str]:
        """:meth:`phrase_terms` for already-normalised tokens."""
        skip = self.function_words
        stem = self.stemmer.stem
        return [stem(token) for token in tokens if token not in skip]

    def protected_wording(self, text: str) -> list[str]:
        """Gender, religion, marital-status and ethnicity phrases found in ``text``."""
        return self.protected.find(text)

    def scrub_protected(self, text: str) -> str:
        """``text`` without protected-attribute phrases."""
        return self.protected.scrub(text)


@lru_cache(maxsize=1)
def default_language() -> Language:
    """The shared ``Language`` built from the shipped data, created on first use."""
    return Language.load()


def normalise(text: str) -> str:
    """Lower case, NFKC, punctuation stripped, SMK and vacancy abbreviations expanded."""
    return default_language().normalise(text)


def tokenize(text: str) -> list[str]:
    """Normalised tokens without stopwords or vacancy boilerplate, stemmed (overrides first)."""
    return default_language().tokenize(text)


def stem(word: str) -> str:
    """Stem of one normalised word (override lexicon, English pass-through, then Sastrawi)."""
    return default_language().stemmer.stem(word)


def protected_wording(text: str) -> list[str]:
    """Protected-attribute wording, e.g. ``["pria"]`` or ``["wanita", "belum menikah"]``."""
    return default_language().protected_wording(text)


def scrub_protected(text: str) -> str:
    """``text`` with protected-attribute wording removed (the engine never ranks on it)."""
    return default_language().scrub_protected(text)
