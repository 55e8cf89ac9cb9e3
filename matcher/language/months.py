"""Indonesian month names, for the dates staff read (reports, charts) and the demo's postings."""

from __future__ import annotations

from datetime import date

MONTHS: tuple[str, ...] = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
#: the customary three-letter forms (Jan, Feb, …, Agu, …, Okt, Nov, Des)
MONTHS_SHORT: tuple[str, ...] = tuple(name[:3] for name in MONTHS)


def month_year(year: int, month: int, *, short: bool = False) -> str:
    """``November 2026`` (or ``Nov 2026``)."""
    return f"{(MONTHS_SHORT if short else MONTHS)[month - 1]} {year}"


def long_date(day: date) -> str:
    """``27 November 2026``, as an Indonesian letter or vacancy writes a date."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
