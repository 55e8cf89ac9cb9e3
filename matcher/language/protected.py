"""Wording about protected attributes: gender, religion, marital status, ethnicity.

cocok never ranks on these (DESIGN.md: "Never rank on gender, religion, marital status or
ethnicity"). A vacancy that states them keeps its text, staff see a flag, and the matching
signals see the text with that wording removed, so "Operator Produksi (Pria)" and "Operator
Produksi (Wanita)" match exactly the same candidates.
"""

from __future__ import annotations

import re

from matcher.language.resources import read_csv_rows

_SEPARATOR = r"[\s\-/_.]+"
_LEFTOVER_SLASHES = re.compile(r"(?:\s*[/&]\s*)+(?=[\s,.;:)\]]|$)|(?<=[\s(\[])(?:[/&]\s*)+")
_EMPTY_BRACKETS = re.compile(r"\(\s*[,/&]?\s*\)|\[\s*\]")
_SPACES = re.compile(r"[ \t]{2,}")
_SPACE_BEFORE_PUNCT = re.compile(r"[ \t]+(?=[,.;:])")
#: Field labels people put before the wording ("Status: belum menikah") that mean nothing alone.
_LABEL = r"(?:status\s*[:=]?\s*)?"
_JOINER = r"(?:[ \t]*(?:[,/&:]|\bdan\b|\batau\b)[ \t]*|[ \t]+)"


class ProtectedWording:
    """Finds and removes protected-attribute phrases, longest phrase first."""

    def __init__(self, phrases: dict[str, str]) -> None:
        self.categories = phrases
        ordered = sorted(phrases, key=len, reverse=True)
        alternatives = "|".join(_SEPARATOR.join(map(re.escape, p.split())) for p in ordered)
        self._pattern = re.compile(rf"(?<![\w])(?:{alternatives})(?![\w])", re.IGNORECASE)
        # A sentence (or list item) made only of protected wording goes whole, with its full
        # stop: "Siap kerja. Beragama Islam, belum menikah." must scrub to exactly "Siap kerja."
        # or the encoder sees left-over punctuation and the score moves.
        clause = rf"{_LABEL}(?:{alternatives})(?![\w])"
        self._sentence = re.compile(
            rf"(?:^|(?<=[.!?\n]))[ \t]*{clause}(?:{_JOINER}{clause})*[ \t]*(?:[.!?]|$)",
            re.IGNORECASE | re.MULTILINE,
        )

    @classmethod
    def from_data(cls) -> ProtectedWording:
        """Build from ``protected_terms.csv`` (phrase, category)."""
        return cls(
            {row["phrase"].lower(): row["category"] for row in read_csv_rows("protected_terms.csv")}
        )

    def find(self, text: str) -> list[str]:
        """Protected phrases in ``text``, canonical (lower case, single spaces), in order."""
        seen: dict[str, None] = {}
        for match in self._pattern.finditer(text):
            seen.setdefault(" ".join(re.split(_SEPARATOR, match.group(0).lower())).strip(), None)
        return list(seen)

    def scrub(self, text: str) -> str:
        """``text`` without protected phrases, tidying separators they leave behind."""
        if not self._pattern.search(text):
            return text
        text = self._sentence.sub("", text)
        text = self._pattern.sub(" ", text)
        text = _LEFTOVER_SLASHES.sub(" ", text)
        text = _EMPTY_BRACKETS.sub(" ", text)
        text = _SPACE_BEFORE_PUNCT.sub("", text)
        return _SPACES.sub(" ", text).strip()
