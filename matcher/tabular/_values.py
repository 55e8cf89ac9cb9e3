"""Cell values as staff type them → contract values ("ya" → True, "31/12/2026" → a date).

Conversion errors are ``ValueError("English|Indonesian")`` so the importer can report both.
Nothing here evaluates anything: a cell holding ``=A1+1`` is the text "=A1+1".
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from typing import Any

_TRUE = frozenset({"ya", "y", "yes", "true", "1", "benar", "setuju", "bersedia", "iya"})
_FALSE = frozenset(
    {
        "tidak",
        "t",
        "no",
        "n",
        "false",
        "0",
        "salah",
        "tidak setuju",
        "tidak bersedia",
        "tdk",
        "gak",
        "enggak",
    }
)
_GENDER = {
    "l": "L",
    "laki laki": "L",
    "lakilaki": "L",
    "pria": "L",
    "male": "L",
    "m": "L",
    "p": "P",
    "perempuan": "P",
    "wanita": "P",
    "female": "P",
    "f": "P",
}
_CSTATUS = {
    "mencari kerja": "seeking",
    "mencari": "seeking",
    "belum bekerja": "seeking",
    "seeking": "seeking",
    "bekerja": "employed",
    "sudah bekerja": "employed",
    "employed": "employed",
    "kuliah": "studying",
    "melanjutkan": "studying",
    "studying": "studying",
    "wirausaha": "entrepreneur",
    "entrepreneur": "entrepreneur",
    "berwirausaha": "entrepreneur",
}
_VSTATUS = {
    "buka": "open",
    "dibuka": "open",
    "open": "open",
    "aktif": "open",
    "tutup": "closed",
    "ditutup": "closed",
    "closed": "closed",
    "nonaktif": "closed",
}


_EXCEL_EPOCH = date(1899, 12, 30)
_LIST_SPLIT = re.compile(r"[;,\n]+")
_KEC_CODE = re.compile(r"^\d{2}\.\d{2}\.\d{2}$")
_KAB_CODE = re.compile(r"^\d{2}\.\d{2}$")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%d/%m/%y")
_LEVELS = ("SD", "SMP", "SMA", "SMK", "D1", "D2", "D3", "D4", "S1", "S2", "S3")
_LEVEL_ALIASES = {
    "MA": "SMA",
    "SLTA": "SMA",
    "STM": "SMK",
    "SMEA": "SMK",
    "MAK": "SMK",
    "SLTP": "SMP",
    "MTS": "SMP",
    "MI": "SD",
    "DIII": "D3",
    "DIV": "D4",
    "SARJANA": "S1",
    "DIPLOMA": "D3",
    "SEMUA": "",
}


#: a NIK-like number (16 digits, perhaps grouped) is never echoed back, even to its uploader
_NIK_LIKE = re.compile(r"(?<!\d)(?:\d[ .-]?){15}\d(?!\d)")
#: a quoted cell is cut so a huge cell does not come back whole in the error report
_QUOTE_MAX = 200


def _quotable(text: str) -> str:
    text = _NIK_LIKE.sub("[16 digit disembunyikan]", text)
    return text if len(text) <= _QUOTE_MAX else text[:_QUOTE_MAX] + "…"


def _bad(msg: str, pesan: str) -> ValueError:
    return ValueError(f"{_quotable(msg)}|{_quotable(pesan)}")


def _text(value: Any) -> str:
    """A cell as text; 12345.0 from Excel is "12345", not "12345.0"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


def to_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value) or not 1 <= value < 2_958_466:
            raise _bad(f"not a date: {value!r}", f"Bukan tanggal: {value!r}.")
        return _EXCEL_EPOCH + timedelta(days=int(value))  # an Excel day number
    text = str(value).strip()
    if re.fullmatch(r"\d{4,5}", text):  # a date cell exported to CSV as its day number
        return to_date(int(text))
    text = text.split(" ")[0].split("T")[0]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise _bad(
        f"not a date (use YYYY-MM-DD or DD/MM/YYYY): {value!r}",
        f"Format tanggal salah (gunakan YYYY-MM-DD atau DD/MM/YYYY): {value!r}.",
    )


def to_number(value: Any, integer: bool) -> int | float:
    if isinstance(value, bool):
        raise _bad(f"not a number: {value!r}", f"Bukan angka: {value!r}.")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip().lower().replace("rp", "").replace(" ", "")
        # "4.900.000" or "4,900,000" (thousand separators) → 4900000
        if integer and re.fullmatch(r"\d{1,3}([.,]\d{3})+", text):
            text = re.sub(r"[.,]", "", text)
        text = text.replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            raise _bad(f"not a number: {value!r}", f"Bukan angka: {value!r}.") from None
    if not math.isfinite(number):
        raise _bad(f"not a number: {value!r}", f"Bukan angka: {value!r}.")
    if integer:
        if not number.is_integer():
            raise _bad(f"not a whole number: {value!r}", f"Harus bilangan bulat: {value!r}.")
        return int(number)
    return number


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _bad(f"expected yes/no, got {value!r}", f"Isi dengan ya atau tidak, bukan {value!r}.")


def to_list(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [_text(v) for v in value if v is not None and _text(v)]
    return [p.strip() for p in _LIST_SPLIT.split(_text(value)) if p.strip()]


def to_level(value: Any) -> str:
    text = re.sub(r"[\s/.\-]+", "", _text(value)).upper()
    text = _LEVEL_ALIASES.get(text, text)
    if text not in _LEVELS:
        raise _bad(
            f"unknown education level {value!r} (use {' '.join(_LEVELS)})",
            f"Jenjang pendidikan {value!r} tidak dikenal (gunakan {' '.join(_LEVELS)}).",
        )
    return text


def to_levels(value: Any) -> list[str]:
    items = value if isinstance(value, list | tuple) else re.split(r"[;,/\n]+| atau ", _text(value))
    levels = [to_level(v) for v in items if _text(v)]
    return [lv for lv in dict.fromkeys(levels) if lv]


def to_experience(value: Any) -> list[dict[str, Any]]:
    """ "PKL Mekanik|3|Bengkel Maju; Operator|12" → [{title, months, employer?}, ...]."""
    if isinstance(value, list):
        return [v if isinstance(v, dict) else _experience_entry(str(v)) for v in value]
    return [_experience_entry(p) for p in _text(value).split(";") if p.strip()]


def _experience_entry(text: str) -> dict[str, Any]:
    parts = [p.strip() for p in text.split("|")]
    entry: dict[str, Any] = {"title": parts[0]}
    if len(parts) > 1 and parts[1]:
        months = re.sub(r"[^0-9]", "", parts[1])
        if not months:
            raise _bad(
                f"experience months must be a number: {parts[1]!r}",
                f"Lama pengalaman (bulan) harus angka: {parts[1]!r}.",
            )
        entry["months"] = int(months)
    if len(parts) > 2 and parts[2]:
        entry["employer"] = parts[2]
    return entry


def to_phone(value: Any) -> str:
    """Excel drops a phone's leading zero (812… as a number): put it back."""
    text = re.sub(r"[\s\-().]", "", _text(value))
    if re.fullmatch(r"8\d{7,12}", text):
        text = "0" + text
    return text


def to_place(value: Any) -> dict[str, Any]:
    """A kecamatan/kabupaten code or a place name → the matching ``location`` fields."""
    text = _text(value)
    if _KEC_CODE.match(text):
        return {"kecamatan_code": text}
    if _KAB_CODE.match(text):
        return {"kabupaten_code": text}
    return {"name": text}


def _lookup(table: dict[str, str], value: Any, what: str, apa: str) -> str:
    text = re.sub(r"[\s_\-]+", " ", _text(value).lower()).strip()
    if text in table:
        return table[text]
    raise _bad(f"unknown {what}: {value!r}", f"{apa} tidak dikenal: {value!r}.")


def convert(kind: str, value: Any) -> Any:
    """One cell → the value its contract field takes; ``ValueError("msg|pesan")`` if it cannot."""
    if kind == "str":
        return _text(value)
    if kind == "int":
        return to_number(value, integer=True)
    if kind == "float":
        return to_number(value, integer=False)
    if kind == "bool":
        return to_bool(value)
    if kind == "date":
        return to_date(value)
    if kind == "list":
        return to_list(value)
    if kind == "experience":
        return to_experience(value)
    if kind == "phone":
        return to_phone(value)
    if kind == "place":
        return value if isinstance(value, dict) else to_place(value)
    if kind == "level":
        return to_level(value)
    if kind == "levels":
        return to_levels(value)
    if kind == "gender":
        return _lookup(_GENDER, value, "gender (use L or P)", "Jenis kelamin (isi L atau P)")
    if kind == "cstatus":
        return _lookup(_CSTATUS, value, "status", "Status")
    if kind == "vstatus":
        return _lookup(_VSTATUS, value, "status (use buka/tutup)", "Status (isi buka/tutup)")
    raise ValueError(f"unknown column type {kind!r}")  # a bug in the column table


_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"Field required"), "wajib diisi"),
    (re.compile(r"Extra inputs are not permitted"), "kolom tidak dikenal"),
    (re.compile(r"at most (\d+) characters?"), r"terlalu panjang (maks \1 karakter)"),
    (re.compile(r"at least (\d+) characters?"), r"terlalu pendek (min \1 karakter)"),
    (re.compile(r"at most (\d+) items?"), r"terlalu banyak isian (maks \1)"),
    (re.compile(r"greater than or equal to ([\d.]+)"), r"harus minimal \1"),
    (re.compile(r"less than or equal to ([\d.]+)"), r"harus maksimal \1"),
    (re.compile(r"should match pattern"), "formatnya salah"),
    (re.compile(r"valid date"), "bukan tanggal yang valid"),
    (re.compile(r"valid integer"), "harus bilangan bulat"),
    (re.compile(r"valid number"), "harus angka"),
    (re.compile(r"age_min must not exceed age_max"), "usia minimal melebihi usia maksimal"),
    (re.compile(r"salary_min must not exceed salary_max"), "gaji minimal melebihi gaji maksimal"),
    (re.compile(r"lat and lon must be given together"), "lintang dan bujur harus diisi bersama"),
    (re.compile(r"Input should be"), "nilainya tidak sesuai pilihan"),
)


def indonesian(msg: str, column: str) -> str:
    """An Indonesian sentence for a validation message, naming the column to fix."""
    for pattern, replacement in _PATTERNS:
        found = pattern.search(msg)
        if found:
            return f"Kolom {column}: {found.expand(replacement)}."
    return f"Kolom {column}: isian tidak valid ({msg})."
