"""Reading the shipped word lists (matcher/data/taxonomy) that the language tools are built from.

Word lists live in data files, not in Python literals, so a linguist or BKK officer can review and
extend them without touching code. Nothing here runs at import time.
"""

from __future__ import annotations

import csv
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "taxonomy"


def data_path(name: str) -> Path:
    """Path of a shipped data file; raises ``FileNotFoundError`` naming it when it is missing."""
    path = DATA_DIR / name
    if not path.is_file():
        raise FileNotFoundError(f"shipped data file missing: {path}")
    return path


def read_word_list(name: str) -> list[str]:
    """Words of a one-word-a-line list, lower case, skipping blanks and ``#`` comments."""
    words: list[str] = []
    with data_path(name).open(encoding="utf-8") as handle:
        for line in handle:
            word = line.strip().lower()
            if word and not word.startswith("#"):
                words.append(word)
    return words


def read_csv_rows(name: str) -> list[dict[str, str]]:
    """Rows of a shipped CSV as dicts (header row gives the keys); ``#`` lines are comments."""
    with data_path(name).open(encoding="utf-8", newline="") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        return [
            {key: (value or "").strip() for key, value in row.items()}
            for row in csv.DictReader(lines)
        ]


def read_word_roles(name: str) -> dict[str, frozenset[str]]:
    """Words by role from a ``word,roles`` CSV whose roles are ``;``-separated."""
    roles: dict[str, set[str]] = {}
    for row in read_csv_rows(name):
        for role in row["roles"].split(";"):
            roles.setdefault(role, set()).add(row["word"])
    return {role: frozenset(words) for role, words in roles.items()}
