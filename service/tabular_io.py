"""Spreadsheet upload and templates: the service side of ``matcher.tabular``.

Parsing and per-row validation live in the engine package (a notebook imports the same files);
this module only picks the format, bounds the size, and stores the valid rows in batches through
the same path as ``POST .../batch``, so an import and a batch agree on every rule.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, cast

from sqlalchemy.orm import Session

from service import records
from service.auth import Principal
from service.config import Settings
from service.engine_gateway import EngineGateway
from service.problems import Problem

Kind = Literal["candidate", "vacancy"]
Format = Literal["csv", "xlsx", "json"]
FORMATS: dict[str, Format] = {".csv": "csv", ".xlsx": "xlsx", ".json": "json"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_NAMES = {"candidate": "template_kandidat.xlsx", "vacancy": "template_lowongan.xlsx"}


def detect_format(filename: str) -> Format:
    suffix = Path(filename).suffix.lower()
    if suffix in FORMATS:
        return FORMATS[suffix]
    raise Problem(
        415,
        "unsupported-format",
        "Upload a .csv, .xlsx or .json file (use the template).",
        errors=[{"loc": ["body", "file"], "msg": "file name must end in .csv, .xlsx or .json"}],
    )


def as_kind(kind: str) -> Kind:
    if kind not in ("candidate", "vacancy"):
        raise ValueError(f"kind must be 'candidate' or 'vacancy', got {kind!r}.")
    return cast(Kind, kind)


def import_upload(
    gateway: EngineGateway,
    session: Session,
    p: Principal,
    kind: str,
    data: bytes,
    filename: str,
    settings: Settings,
) -> dict[str, Any]:
    """Parse, report every bad row, store the good ones; ``{"upserted", "errors": [{row,...}]}``.

    A row is refused whether the file or the caller's scope rejects it (a BKK key's row for
    another school), and either way its error names the spreadsheet row.
    """
    if len(data) > settings.max_upload_bytes:
        raise Problem(413, "too-large", f"The file exceeds {settings.max_upload_bytes} bytes.")
    from matcher import tabular

    try:
        result = tabular.read_records(
            data, as_kind(kind), detect_format(filename), max_rows=settings.max_import_rows
        )
    except tabular.TabularFileError as exc:
        raise Problem(422, "invalid-file", exc.msg, errors=list(exc.errors)) from None
    errors: list[dict[str, Any]] = [
        {"row": e.row, "id": e.id, "errors": list(e.errors)} for e in result.errors
    ]
    items = list(result.records)
    upserted = 0
    for start in range(0, len(items), settings.max_batch):
        chunk = items[start : start + settings.max_batch]
        batch = records.put_batch(gateway, session, p, kind, chunk, settings.max_batch)
        upserted += batch.upserted
        errors.extend(
            {"row": result.rows[start + e["index"]], "id": e["id"], "errors": e["errors"]}
            for e in batch.errors
        )
    return {"upserted": upserted, "errors": errors, "ignored_columns": result.ignored_columns}


def template_path(data_dir: Path, kind: str) -> Path:
    """The Indonesian template for ``kind``, written once under ``DATA_DIR/templates``."""
    from matcher import tabular

    path = data_dir / "templates" / TEMPLATE_NAMES[kind]
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.xlsx")
        tabular.write_template(as_kind(kind), tmp)
        tmp.replace(path)
    return path
