"""Phrase lookup over normalised, stemmed terms.

Aliases, occupation keywords and skill synonyms are all stored as term tuples produced by the
same ``Language.tokenize`` the texts go through, so "Teknik Komputer & Jaringan", "teknik
komputer dan jaringan" and "TKJ" meet on the same key and matches fall on token boundaries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class PhraseMatch(Generic[T]):
    """A phrase found in a term list: ``terms[start:end]`` matched ``payloads``."""

    start: int
    end: int
    payloads: tuple[T, ...]


class PhraseIndex(Generic[T]):
    """Maps term tuples to payloads; scans a text's terms longest-match-first."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, ...], list[T]] = {}
        self.max_len = 0

    def add(self, terms: Sequence[str], payload: T) -> None:
        """Register ``payload`` under the phrase ``terms`` (ignored when ``terms`` is empty)."""
        key = tuple(terms)
        if not key:
            return
        bucket = self._entries.setdefault(key, [])
        if payload not in bucket:
            bucket.append(payload)
        self.max_len = max(self.max_len, len(key))

    def get(self, terms: Sequence[str]) -> tuple[T, ...]:
        """Payloads of exactly this phrase."""
        return tuple(self._entries.get(tuple(terms), ()))

    def keys(self) -> list[tuple[str, ...]]:
        """All registered phrases."""
        return list(self._entries)

    def scan(self, terms: Sequence[str]) -> list[PhraseMatch[T]]:
        """Non-overlapping matches, taking the longest phrase at each position, left to right."""
        found: list[PhraseMatch[T]] = []
        entries = self._entries
        i, n = 0, len(terms)
        while i < n:
            for length in range(min(self.max_len, n - i), 0, -1):
                payloads = entries.get(tuple(terms[i : i + length]))
                if payloads:
                    found.append(PhraseMatch(i, i + length, tuple(payloads)))
                    i += length
                    break
            else:
                i += 1
        return found
