"""Numbers, rupiah, dates and lists as staff type them into a form, read with Indonesian messages.

People write "4.500.000" or "Rp 4.500.000" for a salary, "1,5" for a year and a half, and
31-12-2025 for a date; a form should accept what they naturally write and, where it cannot,
say in one Indonesian sentence how to write it. A reader collects one message per field, so a
page can show every problem at once and store nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

_SPLIT = re.compile(r"[\n,]+")
_RUPIAH = re.compile(r"^(?:\d{1,3}(?:[. ]\d{3})+|\d+)$", re.ASCII)
_RUPIAH_PREFIX = re.compile(r"^rp\.?\s*", re.IGNORECASE)
_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y")


def thousands(number: int) -> str:
    """4500000 as "4.500.000", the Indonesian grouping."""
    return f"{number:,}".replace(",", ".")


class FormReader:
    """Reads the text fields of one submitted form; ``errors`` maps a field to its message."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = values
        self.errors: dict[str, str] = {}

    def text(self, field: str, label: str, max_length: int, *, required: bool = False) -> str:
        text = str(self.values.get(field) or "").strip()
        if required and not text:
            self.errors[field] = f"{label} wajib diisi."
        elif len(text) > max_length:
            self.errors[field] = (
                f"{label} terlalu panjang (paling banyak {thousands(max_length)} karakter)."
            )
        return text

    def items(self, field: str, what: str, limit: int) -> list[str]:
        """One per line or comma-separated; blanks and repeats dropped, order kept."""
        found: dict[str, str] = {}
        for part in _SPLIT.split(str(self.values.get(field) or "")):
            part = part.strip()
            if part and part.casefold() not in found:
                found[part.casefold()] = part
        if any(len(item) > 500 for item in found.values()):
            self.errors[field] = f"Satu {what} paling banyak 500 karakter."
        elif len(found) > limit:
            self.errors[field] = f"Paling banyak {limit} {what}."
        return list(found.values())

    def whole(self, field: str, label: str, low: int, high: int) -> int | None:
        text = str(self.values.get(field) or "").strip()
        if not text:
            return None
        if not (text.isascii() and text.isdigit()):
            self.errors[field] = f"{label} harus berupa angka bulat, misalnya {max(low, 5)}."
            return None
        number = int(text)
        if number < low:
            self.errors[field] = f"{label} paling sedikit {thousands(low)}."
        elif number > high:
            self.errors[field] = f"{label} paling banyak {thousands(high)}."
        return number

    def decimal(self, field: str, label: str, low: float, high: float, unit: str) -> float | None:
        """A number that may have a decimal comma ("1,5")."""
        text = str(self.values.get(field) or "").strip().replace(",", ".")
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            self.errors[field] = f"{label} ditulis dalam {unit}, misalnya 1 atau 1,5."
            return None
        if not low <= number <= high:  # also refuses "nan" and "inf"
            self.errors[field] = f"{label} antara {low:g} dan {high:g} {unit}."
        return number

    def rupiah(self, field: str, label: str, high: int) -> int | None:
        """Whole rupiah, grouped with dots or spaces or not at all, "Rp" optional."""
        text = _RUPIAH_PREFIX.sub("", str(self.values.get(field) or "").strip())
        if not text:
            return None
        if not _RUPIAH.match(text):
            self.errors[field] = f"Tulis {label} dalam rupiah, misalnya 4500000 atau 4.500.000."
            return None
        number = int(re.sub(r"[. ]", "", text))
        if number > high:
            self.errors[field] = f"{label.capitalize()} paling banyak Rp{thousands(high)}."
        return number

    def date(self, field: str) -> str | None:
        """ISO (what a date input sends) or day first, as written on paper: ISO text back."""
        text = str(self.values.get(field) or "").strip()
        if not text:
            return None
        for fmt in _DATE_FORMATS:
            try:
                return datetime.strptime(text, fmt).date().isoformat()
            except ValueError:
                continue
        self.errors[field] = "Tanggal tidak dikenal; tulis seperti 31-12-2025 atau 2025-12-31."
        return None

    def ordered(self, field: str, low: int | None, high: int | None, message: str) -> None:
        """Flag ``field`` (the upper bound) when both bounds read and are out of order."""
        if low is not None and high is not None and low > high and field not in self.errors:
            self.errors[field] = message
