"""``read_records``: bytes of a CSV/XLSX/JSON file → validated records and per-row errors."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matcher.errors import RecordValidationError
from matcher.records import Candidate, Vacancy, parse_candidate, parse_vacancy
from matcher.tabular._columns import COLUMNS, REQUIRED, Col, Kind, header_key, header_map
from matcher.tabular._columns import template_header as _label
from matcher.tabular._formats import (
    BROKEN,
    DEFAULT_MAX_CELL_CHARS,
    DEFAULT_MAX_ROWS,
    Format,
    TabularFileError,
    _bytes_and_format,
    _csv_rows,
    _json_rows,
    _NotObject,
    _too_many_rows,
    _xlsx_rows,
)
from matcher.tabular._values import convert, indonesian


@dataclass(frozen=True)
class RowError:
    """One rejected row: ``row`` is the spreadsheet row number (header = 1; JSON: item number)."""

    row: int
    id: str | None
    errors: list[dict[str, Any]]  # {"loc": [...], "msg": English, "pesan": Indonesian, "column"?}


@dataclass
class ImportResult:
    """Valid records (in file order), rejected rows, and headers that were not understood.

    ``rows`` holds the spreadsheet row of each record (parallel to ``records``), so a record that
    a later step refuses (e.g. outside the caller's school) can still be reported by its row.
    """

    records: list[Candidate | Vacancy] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)

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
        result.rows.append(row_no)
    return result


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
