"""Spreadsheets in and out for BKK staff: CSV/XLSX/JSON import with per-row errors; safe export.

A BKK officer fills the Indonesian template (or exports from Excel with their own headers),
uploads it, and must learn *which row and which cell* to fix, in Indonesian. So every bad row is
reported with its spreadsheet row number and produces no record (nothing half-imported), while a
problem with the whole file (no ``id`` column, too many rows, not a spreadsheet) raises
:class:`TabularFileError` once. Cells are only ever read as values: a formula is text, never
evaluated. Exports escape text that Excel would run as a formula (CSV/Excel injection).
"""

from matcher.tabular._reading import (
    DEFAULT_MAX_CELL_CHARS,
    DEFAULT_MAX_ROWS,
    ImportResult,
    RowError,
    TabularFileError,
    read_records,
)
from matcher.tabular._writing import export_rows, write_template

__all__ = [
    "DEFAULT_MAX_CELL_CHARS",
    "DEFAULT_MAX_ROWS",
    "ImportResult",
    "RowError",
    "TabularFileError",
    "export_rows",
    "read_records",
    "write_template",
]
