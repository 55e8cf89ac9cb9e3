"""``read_records``: bytes of a CSV/XLSX/JSON file → validated records and per-row errors."""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from matcher.errors import RecordValidationError
from matcher.records import Candidate, Vacancy, parse_candidate, parse_vacancy
from matcher.tabular._columns import COLUMNS, REQUIRED, Col, Kind, header_key, header_map
from matcher.tabular._columns import template_header as _label
from matcher.tabular._values import convert, indonesian

Format = Literal["csv", "xlsx", "json"]

DEFAULT_MAX_ROWS = 50_000
DEFAULT_MAX_CELL_CHARS = 20_000  # the longest field a record accepts (a vacancy description)
#: an XLSX is a zip: a few MB can inflate to gigabytes of XML (a "zip bomb"), so the inflated size
#: is checked from the zip's directory before anything is decompressed
MAX_XLSX_INFLATED_BYTES = 256 * 1024 * 1024


class TabularFileError(RecordValidationError):
    """The file as a whole cannot be imported; ``msg`` in English, ``pesan`` in Indonesian."""

    def __init__(self, msg: str, pesan: str) -> None:
        super().__init__(msg, [{"loc": ["file"], "msg": msg, "pesan": pesan}])
        self.msg = msg
        self.pesan = pesan


@dataclass(frozen=True)
class RowError:
    """One rejected row: ``row`` is the spreadsheet row number (header = 1; JSON: item number)."""

    row: int
    id: str | None
    errors: list[dict[str, Any]]  # {"loc": [...], "msg": English, "pesan": Indonesian, "column"?}


@dataclass
class ImportResult:
    """Valid records (in file order), rejected rows, and headers that were not understood."""

    records: list[Candidate | Vacancy] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def read_records(
    source: str | Path | bytes,
    kind: Kind,
    format: Format | None = None,
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_cell_chars: int = DEFAULT_MAX_CELL_CHARS,
) -> ImportResult:
    """Read candidates or vacancies from a CSV, XLSX or JSON file (a path or its bytes).

    Columns may be the contract's field names or the Indonesian template headers; unknown
    columns are ignored (listed in ``ignored_columns``). Raises :class:`TabularFileError` for a
    problem with the whole file; a bad row becomes a :class:`RowError` and no record.
    ``format`` defaults to the file suffix, or for bytes to what the content looks like.
    """
    if kind not in COLUMNS:
        raise ValueError(f"kind must be 'candidate' or 'vacancy', got {kind!r}.")
    if max_rows < 1:
        raise ValueError(f"max_rows must be >= 1, got {max_rows}.")
    data, fmt = _bytes_and_format(source, format)
    if fmt == "json":
        header, rows = _json_rows(data, max_rows)
    elif fmt == "xlsx":
        header, rows = _xlsx_rows(data)
    elif fmt == "csv":
        header, rows = _csv_rows(data, max_rows)
    else:
        raise ValueError(f"format must be 'csv', 'xlsx' or 'json', got {fmt!r}.")
    first_row = 1 if fmt == "json" else 2
    return _import(kind, header, rows, max_rows, max_cell_chars, first_row)


# --------------------------------------------------------------------------- file formats


def _bytes_and_format(source: str | Path | bytes, fmt: str | None) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
    else:
        path = Path(source)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise TabularFileError(
                f"cannot read file: {exc.strerror or exc}", "Berkas tidak dapat dibaca."
            ) from None
        if fmt is None:
            fmt = {
                ".xlsx": "xlsx",
                ".xlsm": "xlsx",
                ".csv": "csv",
                ".txt": "csv",
                ".json": "json",
            }.get(path.suffix.lower())
    if fmt is None:
        head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
        fmt = "xlsx" if data[:2] == b"PK" else "json" if head[:1] in (b"[", b"{") else "csv"
    return data, fmt


_NON_ASCII_TEXT = re.compile("[^\x00-\x7f\ufffd]")
#: what a byte that is not text in the file's encoding becomes; the row holding it is refused
BROKEN = "\ufffd"


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) first; Excel on Windows saves "CSV" as cp1252.

    A file that is UTF-8 apart from a few broken bytes stays UTF-8 (read as cp1252 its every
    "é" would silently become "Ã©"); the broken bytes become U+FFFD and their rows are refused.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    lenient = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    if _NON_ASCII_TEXT.search(lenient):
        return lenient
    try:
        return data.decode("cp1252")  # also right for latin-1 text, its printable subset
    except UnicodeDecodeError:
        return lenient  # bytes cp1252 leaves undefined: not text in either encoding


def _csv_rows(data: bytes, max_rows: int) -> tuple[list[str], Iterator[list[Any]]]:
    """pandas' C parser: no per-field size limit (the csv module's is process-global)."""
    import pandas as pd

    text = _decode(data)
    if not text.strip():
        raise TabularFileError("the file is empty", "Berkas kosong.")
    first = text.split("\n", 1)[0]
    # Indonesian Excel writes ";" between cells (the comma is its decimal separator)
    delimiter = max((";", ",", "\t"), key=first.count)
    try:
        frame = pd.read_csv(
            # UTF-8 bytes, not a StringIO: that holds 4 bytes a character, 4x the upload
            io.BytesIO(text.encode("utf-8")),
            encoding="utf-8",
            sep=delimiter,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            nrows=max_rows + 2,
            engine="c",
        )
    except pd.errors.ParserError as exc:
        line = re.search(r"line (\d+)", str(exc))
        where = f" (baris {line.group(1)})" if line else ""
        raise TabularFileError(
            f"not a readable CSV file: {exc}",
            f"Berkas CSV tidak dapat dibaca{where}: jumlah sel tidak sama dengan judul kolom; "
            "periksa tanda pemisah ; atau , di dalam isian.",
        ) from None
    except (pd.errors.EmptyDataError, ValueError) as exc:
        raise TabularFileError(
            f"not a readable CSV file: {exc}", "Berkas CSV tidak dapat dibaca."
        ) from None
    values = frame.to_numpy(dtype=object).tolist()
    header = [str(v) for v in values[0]]
    return header, ([_cell(v) for v in row] for row in values[1:])


def _cell(value: Any) -> Any:
    return None if isinstance(value, float) and math.isnan(value) else value


def _xlsx_rows(data: bytes) -> tuple[list[str], Iterator[list[Any]]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise TabularFileError(
            f"not a readable XLSX file: {exc}", "Berkas bukan XLSX yang valid."
        ) from None
    if inflated > MAX_XLSX_INFLATED_BYTES:
        raise TabularFileError(
            f"the XLSX file unpacks to {inflated} bytes, more than {MAX_XLSX_INFLATED_BYTES}",
            "Berkas XLSX terlalu besar setelah dibuka; pecah menjadi beberapa berkas.",
        )
    try:
        # data_only=False: a formula comes back as its text ("=A1+1"), never a computed value
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise TabularFileError(
            f"not a readable XLSX file: {exc}", "Berkas bukan XLSX yang valid."
        ) from None
    sheet = wb["Data"] if "Data" in wb.sheetnames else wb.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        header = ["" if v is None else str(v) for v in next(rows)]
    except StopIteration:
        wb.close()
        raise TabularFileError("the sheet is empty", "Lembar kerja kosong.") from None

    def body() -> Iterator[list[Any]]:
        try:
            for row in rows:
                yield list(row)
        finally:
            wb.close()

    return header, body()


class _NotObject:
    """Stands for a JSON item that is not an object."""


def _json_rows(data: bytes, max_rows: int) -> tuple[list[str], Iterator[Any]]:
    try:
        doc = json.loads(_decode(data))
    except json.JSONDecodeError as exc:
        raise TabularFileError(
            f"not valid JSON: {exc.msg} (line {exc.lineno})",
            f"JSON tidak valid (baris {exc.lineno}).",
        ) from None
    items = doc.get("items") if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        raise TabularFileError(
            'JSON must be a list of objects or {"items": [...]}',
            'JSON harus berupa daftar objek atau {"items": [...]}.',
        )
    if len(items) > max_rows:
        raise _too_many_rows(max_rows)
    header: list[str] = []
    for item in items:
        if isinstance(item, dict):
            header += [str(k) for k in item if str(k) not in header]
    rows = (
        [item.get(h) for h in header] if isinstance(item, dict) else _NotObject() for item in items
    )
    return header, rows


# --------------------------------------------------------------------------- rows → records


def _import(
    kind: Kind,
    header: Sequence[str],
    rows: Iterator[Any],
    max_rows: int,
    max_cell_chars: int,
    first_row: int,
) -> ImportResult:
    columns, ignored = _columns_of(kind, header)
    parse: Callable[[Mapping[str, Any]], Candidate | Vacancy] = (
        parse_candidate if kind == "candidate" else parse_vacancy
    )
    result = ImportResult(ignored_columns=ignored)
    first_seen: dict[str, int] = {}
    for n, row in enumerate(rows):
        if n >= max_rows:
            raise _too_many_rows(max_rows)
        row_no = first_row + n
        if isinstance(row, _NotObject):
            result.errors.append(
                RowError(
                    row_no, None, [_err(["row"], "item is not an object", "Item bukan objek JSON.")]
                )
            )
            continue
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue  # a blank line: nothing to import, nothing to report
        record, rid, errors = _row_to_record(columns, header, row, parse, max_cell_chars)
        if record is not None and record.id in first_seen:
            errors = [
                _err(
                    ["id"],
                    f"duplicate id (also on row {first_seen[record.id]})",
                    f"ID ganda (juga di baris {first_seen[record.id]}).",
                    _label(kind, "id"),
                )
            ]
        if errors or record is None:
            result.errors.append(RowError(row_no, rid, errors))
            continue
        first_seen[record.id] = row_no
        result.records.append(record)
    return result


def _too_many_rows(max_rows: int) -> TabularFileError:
    return TabularFileError(
        f"more than {max_rows} data rows",
        f"Jumlah baris melebihi batas {max_rows}; pecah berkasnya.",
    )


def _columns_of(kind: Kind, header: Sequence[str]) -> tuple[list[Col | None], list[str]]:
    """Which contract field each column fills; a file-level error if ``id`` (etc.) is absent."""
    known = header_map(kind)
    columns: list[Col | None] = []
    ignored: list[str] = []
    filled_by: dict[str, str] = {}
    for name in header:
        col = known.get(header_key(name))
        if col is not None and col[0] in filled_by:
            raise TabularFileError(
                f"columns {filled_by[col[0]]!r} and {name!r} both fill {col[0]}",
                f"Kolom {filled_by[col[0]]!r} dan {name!r} berisi data yang sama; "
                "hapus salah satu.",
            )
        if col is not None:
            filled_by[col[0]] = str(name)
        elif str(name).strip():
            ignored.append(str(name))
        columns.append(col)
    missing = [f for f in REQUIRED[kind] if f not in filled_by]
    if missing:
        raise TabularFileError(
            f"missing required column(s): {', '.join(missing)}",
            f"Kolom wajib tidak ditemukan: {', '.join(_label(kind, f) for f in missing)}.",
        )
    return columns, ignored


def _err(loc: list[Any], msg: str, pesan: str, column: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"loc": loc, "msg": msg, "pesan": pesan}
    if column is not None:
        out["column"] = column
    return out


def _row_to_record(
    columns: Sequence[Col | None],
    header: Sequence[str],
    row: Sequence[Any],
    parse: Callable[[Mapping[str, Any]], Candidate | Vacancy],
    max_cell_chars: int,
) -> tuple[Candidate | Vacancy | None, str | None, list[dict[str, Any]]]:
    data: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    rid: str | None = None
    for col, name, value in zip(columns, header, row, strict=False):
        if col is not None and isinstance(value, str) and BROKEN in value:
            errors.append(
                _err(
                    col[0].split("."),
                    "cell holds bytes that are not text in UTF-8 or Windows-1252",
                    f"Kolom {name}: ada karakter rusak (pengodean berkas tidak dikenali); "
                    "simpan ulang sebagai CSV UTF-8.",
                    str(name),
                )
            )
            continue
        if isinstance(value, str) and len(value) > max_cell_chars:
            errors.append(
                _err(
                    col[0].split(".") if col else [str(name)],
                    f"cell longer than {max_cell_chars} characters",
                    f"Kolom {name}: isi sel terlalu panjang (maks {max_cell_chars} karakter).",
                    str(name),
                )
            )
            continue
        if col is None or value is None or (isinstance(value, str) and not value.strip()):
            continue
        try:
            converted = convert(col[1], value)
        except ValueError as exc:
            msg, _, pesan = str(exc).partition("|")
            errors.append(_err(col[0].split("."), msg, f"Kolom {name}: {pesan or msg}", str(name)))
            continue
        if col[0] == "id":
            rid = str(converted)
        _put(data, col[0], converted)
    if errors:
        return None, rid, errors
    try:
        return parse(data), rid, []
    except RecordValidationError as exc:
        by_field = {c[0]: str(h) for c, h in zip(columns, header, strict=False) if c}
        return None, rid, [_translate(e, by_field) for e in exc.errors]


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    """Flat columns → nested contract fields; a "place" column adds to ``location``."""
    if isinstance(value, dict) and path in ("location", "location.kabupaten_code"):
        location = data.setdefault("location", {})
        if isinstance(location, dict):
            for k, v in value.items():
                location.setdefault(k, v)
        return
    head, _, rest = path.partition(".")
    if not rest:
        data[head] = value
        return
    nested = data.setdefault(head, {})
    if isinstance(nested, dict):
        nested.setdefault(rest, value)


def _translate(error: Mapping[str, Any], by_field: Mapping[str, str]) -> dict[str, Any]:
    """pydantic's English message plus an Indonesian one naming the column to fix."""
    loc = list(error.get("loc", []))
    msg = str(error.get("msg", "invalid value"))
    names = [str(p) for p in loc if not isinstance(p, int)]
    column = None
    for i in range(len(names), 0, -1):  # "location.kecamatan_code", then "location"
        column = by_field.get(".".join(names[:i]))
        if column:
            break
    return _err(loc, msg, indonesian(msg, column or ".".join(names) or "?"), column)
