"""The Indonesian XLSX template, and XLSX export that is safe against formula injection."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from matcher.tabular._columns import COLUMNS, REQUIRED, Kind

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # openpyxl refuses these
_EXCEL_CELL_LIMIT = 32_767
_TEXT_TYPES = ("str", "phone", "list", "place", "experience", "levels")
_NOTES = (
    "Satu baris = satu data. Baris yang salah dilaporkan dengan nomor barisnya dan tidak "
    "disimpan; perbaiki lalu unggah ulang.",
    "Kolom berjudul merah wajib diisi. Kolom lain boleh dikosongkan atau dihapus.",
    "Daftar (keahlian, sertifikat, jurusan, pendidikan) dipisahkan dengan ; atau ,",
    "Tanggal: YYYY-MM-DD atau DD/MM/YYYY. Isian rumus (=...) dibaca sebagai teks biasa.",
    "Data pribadi (no HP, email) hanya dibagikan ke perusahaan bila bersedia_dibagikan = ya "
    "(dan izin_wali = ya untuk siswa di bawah 18 tahun).",
)


def write_template(kind: Kind, path: str | Path) -> None:
    """An Indonesian XLSX template: sheet "Data" (headers + one example row) and "Petunjuk"."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    if kind not in COLUMNS:
        raise ValueError(f"kind must be 'candidate' or 'vacancy', got {kind!r}.")
    wb = Workbook()
    sheet = wb.active
    sheet.title = "Data"
    required = set(REQUIRED[kind])
    for i, (fld, typ, header, _aliases, _help, example) in enumerate(COLUMNS[kind], start=1):
        head = sheet.cell(row=1, column=i, value=header)
        head.font = Font(bold=True, color="C00000" if fld in required else "000000")
        cell = sheet.cell(row=2, column=i)
        if typ in _TEXT_TYPES:
            cell.number_format = "@"  # keeps a phone's leading 0 and "36.04" as text
        if isinstance(example, date):
            cell.value = example
            cell.number_format = "yyyy-mm-dd"
        elif example is not None:
            cell.value = example
        sheet.column_dimensions[cell.column_letter].width = max(12, len(header) + 4)
    sheet.freeze_panes = "A2"
    guide = wb.create_sheet("Petunjuk")
    guide.append(["Kolom", "Wajib", "Keterangan", "Nama kolom lain yang diterima"])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for fld, _typ, header, aliases, help_text, _example in COLUMNS[kind]:
        guide.append(
            [header, "ya" if fld in required else "", help_text, ", ".join((fld, *aliases))]
        )
    guide.append([])
    for note in _NOTES:
        guide.append([note])
    for letter, width in (("A", 24), ("B", 8), ("C", 60), ("D", 50)):
        guide.column_dimensions[letter].width = width
    wb.save(Path(path))


def export_rows(
    rows: Sequence[Mapping[str, Any]], path: str | Path, sheet_name: str = "Data"
) -> None:
    """Write rows (e.g. a shortlist) to XLSX; columns in first-seen key order.

    Text starting with = + - @ tab or CR gets a leading apostrophe and the string type, so a
    name typed as ``=HYPERLINK(...)`` in some form never becomes a live formula in a BKK's Excel.
    Lists become "a; b", mappings JSON, dates real date cells; numbers stay numbers.
    """
    from openpyxl import Workbook

    wb = Workbook()
    sheet = wb.active
    sheet.title = _safe_sheet_name(sheet_name)
    header: list[str] = []
    for row in rows:
        header += [str(k) for k in row if str(k) not in header]
    for i, name in enumerate(header, start=1):
        _write_cell(sheet.cell(row=1, column=i), name)
    for r, row in enumerate(rows, start=2):
        by_name = {str(k): v for k, v in row.items()}
        for i, name in enumerate(header, start=1):
            _write_cell(sheet.cell(row=r, column=i), by_name.get(name))
    wb.save(Path(path))


def safe_text(text: str) -> str:
    """The text as it goes into a cell: no control characters, formula starts quoted."""
    text = _ILLEGAL_XML.sub("", text)
    if text.startswith(_FORMULA_START):
        text = "'" + text
    if len(text) > _EXCEL_CELL_LIMIT:
        text = text[: _EXCEL_CELL_LIMIT - 1] + "…"
    return text


def _write_cell(cell: Any, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool | int | float):
        cell.value = value
        return
    if isinstance(value, datetime):
        cell.value = value.replace(tzinfo=None)
        cell.number_format = "yyyy-mm-dd hh:mm"
        return
    if isinstance(value, date):
        cell.value = value
        cell.number_format = "yyyy-mm-dd"
        return
    if isinstance(value, list | tuple | set | frozenset):
        text = "; ".join(str(v) for v in value)
    elif isinstance(value, Mapping):
        text = json.dumps(value, ensure_ascii=False, default=str)
    else:
        text = str(value)
    cell.value = safe_text(text)
    cell.data_type = "s"  # never "f", whatever the text looks like


def _safe_sheet_name(name: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", "_", name).strip("'") or "Data"
    return cleaned[:31]
