"""Stemming Indonesian with Sastrawi, corrected by an override lexicon for vocational words.

Sastrawi strips affixes until it finds a dictionary root, which is wrong for exactly the words
this product lives on: "pengelasan" (welding) becomes "kelas" (class), "pengemasan" (packing)
becomes "emas" (gold), "perbankan" becomes "perban" (bandage). The override lexicon
(``stem_overrides.csv``) is consulted first. English job words ("welding", "sewing",
"maintenance") pass through unstemmed, since Sastrawi would strip "se-" or "-ing" into an
unrelated Indonesian root. Stems are cached per word because Sastrawi is slow.
"""

from __future__ import annotations

import re
from typing import Protocol

from matcher.language.resources import read_csv_rows, read_word_list

# English derivational endings; an unknown word with one of these and no Indonesian prefix is
# taken as English and left alone.
_ENGLISH_SUFFIX = re.compile(
    r"(?:ing|tion|sion|ment|ness|ity|ship|ware|ance|ence|ive|ous|er|or|ist)$"
)
_INDONESIAN_PREFIX = re.compile(r"^(?:me|pe|be|te|di|ke|se)")
# Vocabulary of job text is small; the cap only guards against unbounded growth on junk input.
_CACHE_LIMIT = 500_000


class _StemFunction(Protocol):
    def stem(self, text: str) -> str: ...


class Stemmer:
    """Override lexicon first, English pass-through second, Sastrawi last; results cached."""

    def __init__(self, overrides: dict[str, str], english: frozenset[str]) -> None:
        self._overrides = overrides
        self._english = english
        self._cache: dict[str, str] = {}
        self._sastrawi: _StemFunction | None = None

    @classmethod
    def from_data(cls) -> Stemmer:
        """Build from ``stem_overrides.csv`` and ``english_terms.txt``."""
        overrides = {row["word"]: row["stem"] for row in read_csv_rows("stem_overrides.csv")}
        return cls(overrides, frozenset(read_word_list("english_terms.txt")))

    def stem(self, word: str) -> str:
        """Stem of one lower-case token."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        result = self._stem_uncached(word)
        if len(self._cache) < _CACHE_LIMIT:
            self._cache[word] = result
        return result

    def _stem_uncached(self, word: str) -> str:
        override = self._overrides.get(word)
        if override is not None:
            return override
        if word in self._english or len(word) <= 3 or not word.isalpha():
            return word
        if _ENGLISH_SUFFIX.search(word) and not _INDONESIAN_PREFIX.match(word):
            return word
        stemmed = self._backend().stem(word)
        return stemmed or word

    def _backend(self) -> _StemFunction:
        """Sastrawi's stemmer, created on first use (never at import time)."""
        if self._sastrawi is None:
            from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

            self._sastrawi = StemmerFactory().create_stemmer()
        return self._sastrawi
