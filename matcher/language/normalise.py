"""Text normalisation shared by every matching signal.

Candidates and vacancies are written by different people: "SMK Jur. TKRO", "Teknik Kendaraan
Ringan", "D-III", "S-1", "SIM B-1", "Pria/Wanita". Lexical matching, the taxonomy's phrase lookups
and the encoder's input only agree when both sides pass through the same normalisation, so this
is the one place it happens.

Abbreviation expansion is context-aware: unambiguous SMK codes (tkj, tkro, akl, ...) always
expand, while short ones that collide with ordinary words ("mm" is millimetres, "ap", "tp", "ak")
expand only next to a major cue (smk, jurusan, lulusan, prodi, another major code) or when the
whole text is just a major, as in a candidate's "jurusan" field.
"""

from __future__ import annotations

import re
import unicodedata

from matcher.language.resources import read_csv_rows, read_word_roles

_CONNECTORS = frozenset({"dan", "atau", "serta"})
_MAJOR_WINDOW = 4

_PRE_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"c\+\+"), " cpp "),
    (re.compile(r"c#"), " csharp "),
    (re.compile(r"\.net\b"), " dotnet "),
    (re.compile(r"\bnode\.?js\b"), " nodejs "),
    (re.compile(r"&"), " dan "),
    # digit grouping and decimals: "4.500.000" -> "4500000", "2,5" -> "25"
    (re.compile(r"(?<=\d)[.,](?=\d)"), ""),
    # driving licences: "SIM B-1", "sim b 1 umum" -> "sim b1"
    (re.compile(r"\bsim\s*[-:]?\s*([abc])\s*[-.]?\s*([12])\b"), r" sim \1\2 "),
    (re.compile(r"\bsim\s*[-:]?\s*([ac])\b"), r" sim\1 "),
    # grades of welding positions "3g / 4g / 6g" stay; letter-hyphen-digit codes join: "k-3" -> "k3"
    (re.compile(r"\b([a-z])-(\d)\b"), r"\1\2"),
)
_NON_WORD = re.compile(r"[\W_]+")
_COMBINING = re.compile(r"[\u0300-\u036f]+")
# education levels: "d-3", "d 3", "diii", "d-iii", "diploma iii", "strata 1", "s-1"
_LEVEL = re.compile(r"\b(diploma|strata|d|s)(\s*[-.]\s*|\s*)(iii|ii|iv|i|[1-4])\b")
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


class Normaliser:
    """Lower-cases, folds unicode, strips punctuation and expands abbreviations.

    Holds the compiled rules; build it once (``Language`` does) and call it many times.
    """

    def __init__(
        self,
        always: dict[str, str],
        major_only: dict[str, str],
        cues: frozenset[str],
        majors: frozenset[str],
    ) -> None:
        self._always = always
        self._major_only = major_only
        self._cues = cues
        self._majors = majors

    @classmethod
    def from_data(cls) -> Normaliser:
        """Build from ``abbreviations.csv`` (abbreviation, expansion, context, names_major)."""
        always: dict[str, str] = {}
        major_only: dict[str, str] = {}
        majors: set[str] = set()
        for row in read_csv_rows("abbreviations.csv"):
            abbreviation = row["abbreviation"].lower()
            target = major_only if row["context"] == "major" else always
            target[abbreviation] = row["expansion"].lower()
            if row["names_major"] == "yes":
                majors.add(abbreviation)
        cues = read_word_roles("major_context_words.csv")["abbreviation_cue"]
        return cls(always, major_only, cues, frozenset(majors))

    def fold(self, text: str) -> str:
        """Lower case, NFKC, accents removed, punctuation to spaces; no abbreviation expansion."""
        text = unicodedata.normalize("NFKC", text).lower()
        if not text.isascii():
            text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
        for pattern, replacement in _PRE_RULES:
            text = pattern.sub(replacement, text)
        text = _LEVEL.sub(_level, text)
        return _NON_WORD.sub(" ", text).strip()

    def __call__(self, text: str) -> str:
        """Normalised text: folded, with abbreviations expanded where the context allows."""
        return " ".join(self.expand(self.fold(text).split()))

    def expand(self, tokens: list[str]) -> list[str]:
        """Expand abbreviation tokens; ambiguous ones only within a few tokens of a major cue."""
        short_text = len(tokens) <= 3
        out: list[str] = []
        window = 0
        for token in tokens:
            expansion = self._always.get(token)
            if expansion is None and (short_text or window > 0):
                expansion = self._major_only.get(token)
            if expansion is not None:
                out.append(expansion)
                if token in self._majors or expansion in self._cues:
                    window = _MAJOR_WINDOW
                else:
                    window = max(window - 1, 0)
                continue
            out.append(token)
            if token in self._cues:
                window = _MAJOR_WINDOW
            elif token not in _CONNECTORS:
                window = max(window - 1, 0)
        return out


def _level(match: re.Match[str]) -> str:
    """Canonical education level ("d3", "s1") for a written one, or the text unchanged."""
    word, separator, number = match.group(1), match.group(2), match.group(3)
    value = _ROMAN.get(number) or int(number)
    if value > 2 and word in {"s", "strata"}:
        return match.group(0)
    explicit = len(word) > 1 or "-" in separator or "." in separator
    spaced_or_digit = bool(separator) or number.isdigit()
    if explicit or (word == "d" and (value == 3 or (value == 4 and spaced_or_digit))):
        return f" {word[0]}{value} "
    return match.group(0)
