"""Restore a ``cocok backup`` archive into an empty data folder (and database).

Everything is written to a temporary folder beside the target and checked (every member's sha256,
the database's integrity) before one rename puts it in place; on PostgreSQL the rows load in one
transaction that commits only after that rename. The service then starts as after a restart: it
loads the restored snapshot and replays the change feed beyond it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Date, DateTime, Engine, Table, func, select, text

from service import snapshots
from service.backup import (
    SQLITE_MEMBER,
    TABLES,
    BackupError,
    Progress,
    extract_verified,
    is_sqlite,
    manifest_of,
    open_archive,
    quiet,
    sqlite_path,
)
from service.config import Settings
from service.db.session import MIGRATIONS_DIR, build_engine, upgrade

RowSource = Callable[[Table], Iterator[dict[str, Any]]]


def restore_backup(
    archive: Path, settings: Settings, *, force: bool = False, progress: Progress | None = None
) -> dict[str, Any]:
    """Restore ``archive`` into ``settings.data_dir`` and ``settings``' database."""
    report = progress or quiet
    data_dir = settings.data_dir.resolve()
    url = settings.resolved_database_url
    db_rel: Path | None = None
    if is_sqlite(url):
        try:
            db_rel = sqlite_path(url).relative_to(data_dir)
        except ValueError:
            raise BackupError(
                "Basis data SQLite tujuan harus berada di dalam --data-dir."
            ) from None
    if data_dir.exists() and any(data_dir.iterdir()) and not force:
        raise BackupError(f"Folder {data_dir} tidak kosong; gunakan --force untuk menimpanya.")
    server = None if db_rel is not None else build_engine(url)
    staging = data_dir.parent / f".{data_dir.name}.restore-{os.getpid()}"
    unpacked = data_dir.parent / f".{data_dir.name}.unpack-{os.getpid()}"
    made_parent = not data_dir.parent.exists()
    restored = False
    try:
        if server is not None:
            upgrade(server)
            if _has_rows(server) and not force:
                raise BackupError("Basis data tujuan sudah berisi data; gunakan --force.")
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        for folder in (staging, unpacked):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
        with open_archive(archive) as tar:
            manifest = manifest_of(tar)
            logical = manifest["database"]["format"] != "sqlite" or server is not None
            _check_schema(str(manifest.get("schema_revision")), exact=logical)
            total = len(manifest["members"])
            report("Memeriksa arsip", 0, total)
            for i, _name in enumerate(extract_verified(tar, manifest, unpacked), 1):
                report("Memeriksa arsip", i, total)
        _place_index(manifest, unpacked, staging / "index")
        report("Memulihkan basis data", 0, None)
        rows = _row_source(manifest, unpacked)
        if db_rel is not None:
            _restore_sqlite(manifest, unpacked, staging / db_rel, rows)
        snapshots._fsync_tree(staging)
        if server is None:
            aside = _swap(staging, data_dir)
            if aside is not None:
                shutil.rmtree(aside, ignore_errors=True)
        else:
            _restore_server(server, rows, staging, data_dir, force)
        restored = True
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(unpacked, ignore_errors=True)
        if made_parent and not restored:
            with contextlib.suppress(OSError):
                data_dir.parent.rmdir()  # leave the disk as it was
        if server is not None:
            server.dispose()
    return manifest


def _check_schema(revision: str, *, exact: bool) -> None:
    """A logical load needs the code's own schema; a SQLite file may be older (start upgrades)."""
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    try:
        known = script.get_revision(revision) is not None
    except CommandError:
        known = False
    if not known or (exact and revision != script.get_current_head()):
        raise BackupError(
            f"Arsip dibuat dengan skema basis data {revision}, yang tidak dikenal versi cocok ini."
        )


def _place_index(manifest: dict[str, Any], unpacked: Path, index_dir: Path) -> None:
    snap = manifest.get("snapshot")
    if not snap:
        return  # no snapshot was saved yet: the service fits the index from the database
    (index_dir / "snapshots").mkdir(parents=True)
    os.replace(unpacked / "index" / snap["name"], index_dir / "snapshots" / snap["name"])
    snapshots._write_durably(index_dir / "CURRENT", snap["name"])


def _row_source(manifest: dict[str, Any], unpacked: Path) -> RowSource:
    if manifest["database"]["format"] == "sqlite":
        return lambda table: _rows_from_sqlite(unpacked / SQLITE_MEMBER, table)
    return lambda table: _rows_from_jsonl(unpacked / "database" / f"{table.name}.jsonl", table)


def _rows_from_jsonl(path: Path, table: Table) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield _typed(table, json.loads(line))


def _rows_from_sqlite(path: Path, table: Table) -> Iterator[dict[str, Any]]:
    engine = build_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            query = select(table).order_by(*table.primary_key.columns)
            for row in conn.execution_options(yield_per=2000).execute(query).mappings():
                yield _typed(table, dict(row))
    finally:
        engine.dispose()


def _typed(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """Dates back from ISO text; naive times (SQLite keeps no zone) are UTC, as written."""
    for column in table.columns:
        value = row.get(column.name)
        if value is None:
            continue
        if isinstance(column.type, DateTime):
            moment = datetime.fromisoformat(value) if isinstance(value, str) else value
            row[column.name] = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        elif isinstance(column.type, Date) and isinstance(value, str):
            row[column.name] = date.fromisoformat(value)
    return row


def _load_rows(conn: Connection, rows: RowSource) -> None:
    for table in TABLES:
        batch: list[dict[str, Any]] = []
        for row in rows(table):
            batch.append(row)
            if len(batch) >= 1000:
                conn.execute(table.insert(), batch)
                batch = []
        if batch:
            conn.execute(table.insert(), batch)


def _restore_sqlite(
    manifest: dict[str, Any], unpacked: Path, target: Path, rows: RowSource
) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if manifest["database"]["format"] == "sqlite":
        os.replace(unpacked / SQLITE_MEMBER, target)
    else:
        engine = build_engine(f"sqlite:///{target}")
        try:
            upgrade(engine)
            with engine.begin() as conn:
                _load_rows(conn, rows)
        finally:
            engine.dispose()
    try:
        with contextlib.closing(sqlite3.connect(str(target))) as check:
            healthy = check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    except sqlite3.DatabaseError:
        healthy = False
    if not healthy:
        raise BackupError("Basis data dalam arsip rusak; tidak ada yang dipulihkan.")


def _restore_server(
    engine: Engine, rows: RowSource, staging: Path, data_dir: Path, force: bool
) -> None:
    """Rows in one transaction; the data folder moves in just before it commits."""
    with engine.connect() as conn:
        with conn.begin() as transaction:
            if force:
                for table in reversed(TABLES):
                    conn.execute(table.delete())
            _load_rows(conn, rows)
            if engine.dialect.name == "postgresql":
                _reset_sequences(conn)
            aside = _swap(staging, data_dir)
            try:
                transaction.commit()
            except BaseException:
                shutil.rmtree(data_dir, ignore_errors=True)
                if aside is not None:
                    os.replace(aside, data_dir)
                raise
        if aside is not None:
            shutil.rmtree(aside, ignore_errors=True)


def _reset_sequences(conn: Connection) -> None:
    for table in TABLES:
        column = table.autoincrement_column
        if column is None:
            continue
        top = conn.scalar(select(func.max(column))) or 0
        conn.execute(
            text("SELECT setval(pg_get_serial_sequence(:t, :c), :v, false)"),
            {"t": table.name, "c": column.name, "v": int(top) + 1},
        )


def _swap(staging: Path, data_dir: Path) -> Path | None:
    """Rename ``staging`` to ``data_dir``; an old folder (``--force``) is moved aside first."""
    aside = None
    if data_dir.exists():
        aside = data_dir.parent / f".{data_dir.name}.old-{os.getpid()}"
        shutil.rmtree(aside, ignore_errors=True)
        os.replace(data_dir, aside)
    os.replace(staging, data_dir)
    snapshots._fsync_dir(data_dir.parent)
    return aside


def _has_rows(engine: Engine) -> bool:
    with engine.connect() as conn:
        return any(conn.scalar(select(func.count()).select_from(t)) for t in TABLES)
