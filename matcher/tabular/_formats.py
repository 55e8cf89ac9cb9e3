"""Reading the file formats staff upload (CSV in any common encoding, XLSX, JSON) into a header
and rows, with the whole-file limits (rows, cell size, zip bombs) checked while reading."""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from matcher.errors import RecordValidationError

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


def _too_many_rows(max_rows: int) -> TabularFileError:
    return TabularFileError(
        f"more than {max_rows} data rows",
        f"Jumlah baris melebihi batas {max_rows}; pecah berkasnya.",
    )


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
