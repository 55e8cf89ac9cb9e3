"""Backups: the database and the live index snapshot in one archive that restores consistently.

The archive is a gzip'd tar, manifest first::

    manifest.json                 format, versions, counts, sha256 and size of every member,
                                  and the change-feed seq the index snapshot covers
    database/cocok.sqlite3        SQLite: a copy made with sqlite3's online backup API
    database/<table>.jsonl        any other database: every table row by row (a logical dump)
    index/<snapshot name>/...     the live index snapshot (snapshot.json and engine/)

Consistency: the snapshot is pinned and copied *before* the database, so it never reflects a
change the database copy lacks; the restored service replays the change feed beyond the
snapshot's seq on start, exactly as after a restart. Restore verifies every checksum while it
writes into a temporary folder beside the target, and only then renames it into place, so a bad
archive or a crash leaves no half-restored data folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import sqlite3
import tarfile
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

import sqlalchemy
from sqlalchemy import Connection, Engine, Table, func, select, text
from sqlalchemy.engine import make_url

from service import snapshots
from service.config import Settings
from service.db.models import Base
from service.db.session import build_engine

FORMAT_VERSION = 1
SQLITE_MEMBER = "database/cocok.sqlite3"
#: (step, done, total): a label in Indonesian for the person waiting, and how far it is
Progress = Callable[[str, int, int | None], None]
TABLES: list[Table] = list(Base.metadata.sorted_tables)  # parents before children
_CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for staff, in Indonesian."""


def quiet(_step: str, _done: int, _total: int | None) -> None:
    return None


# -- backup ---------------------------------------------------------------------------------------
def create_backup(
    settings: Settings, archive: Path, progress: Progress | None = None
) -> dict[str, Any]:
    """Write one archive of the database and the live index; safe while the server runs."""
    report = progress or quiet
    archive = archive.resolve()
    if archive.exists():
        raise BackupError(f"Berkas {archive} sudah ada; pilih nama lain.")
    archive.parent.mkdir(parents=True, exist_ok=True)
    url = settings.resolved_database_url
    if is_sqlite(url) and not sqlite_path(url).is_file():
        raise BackupError(f"Basis data {sqlite_path(url)} tidak ditemukan.")
    staging = archive.parent / f".{archive.name}.tmp-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        report("Menyalin indeks", 0, None)
        snapshot = _copy_live_snapshot(settings.index_dir, staging)  # first: never ahead
        report("Menyalin basis data", 0, None)
        if is_sqlite(url):
            _copy_sqlite(sqlite_path(url), staging / SQLITE_MEMBER)
            copy = build_engine(f"sqlite:///{staging / SQLITE_MEMBER}")
            try:
                facts = _facts(copy)
            finally:
                copy.dispose()
            database = {"format": "sqlite"}
        else:
            source = build_engine(url)
            try:
                facts = _dump_logical(source, staging / "database")
            finally:
                source.dispose()
            database = {"format": "logical"}
        database["dialect"] = make_url(url).get_backend_name()
        if snapshot and snapshot["last_change_seq"] > facts["max_change_seq"]:
            raise BackupError("Indeks lebih baru daripada salinan basis data; ulangi pencadangan.")
        members = sorted(str(p.relative_to(staging)) for p in staging.rglob("*") if p.is_file())
        checksums: dict[str, dict[str, Any]] = {}
        for i, name in enumerate(members):
            report("Menghitung checksum", i, len(members))
            checksums[name] = {
                "sha256": _sha256(staging / name),
                "bytes": (staging / name).stat().st_size,
            }
        manifest = {
            "format_version": FORMAT_VERSION,
            "created_at": datetime.now(UTC).isoformat(),
            "versions": _versions(),
            "database": database,
            "schema_revision": facts["schema_revision"],
            "counts": facts["counts"],
            "max_change_seq": facts["max_change_seq"],
            "snapshot": snapshot,
            "members": checksums,
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        _write_tar(staging, ["manifest.json", *members], archive, report)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


def _copy_live_snapshot(index_dir: Path, staging: Path) -> dict[str, Any] | None:
    with snapshots.pinned(index_dir) as snap:
        if snap is None:
            return None
        folder = snap.engine_dir.parent
        target = staging / "index" / folder.name
        shutil.copytree(folder, target, copy_function=_link_or_copy)
    engine_manifest = json.loads((target / "engine" / "manifest.json").read_text())
    return {
        "name": folder.name,
        "last_change_seq": snap.last_change_seq,
        "candidates": engine_manifest.get("candidates"),
        "vacancies": engine_manifest.get("vacancies"),
        "encoder": engine_manifest.get("encoder"),
    }


def _link_or_copy(src: str, dst: str) -> None:
    """Snapshot files are never rewritten in place, so a hard link is as good as a copy."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _copy_sqlite(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(str(source), timeout=30)
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)  # one step: a consistent copy even while the server writes
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        if dst.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("Salinan basis data rusak; ulangi pencadangan.")
    finally:
        dst.close()
        src.close()


def _dump_logical(engine: Engine, folder: Path) -> dict[str, Any]:
    """Every table as JSON lines, read in one repeatable-read transaction (one point in time)."""
    folder.mkdir(parents=True, exist_ok=True)
    options: dict[str, Any] = {}
    if engine.dialect.name == "postgresql":
        options["isolation_level"] = "REPEATABLE READ"
    with engine.connect().execution_options(**options) as conn, conn.begin():
        for table in TABLES:
            with open(folder / f"{table.name}.jsonl", "w", encoding="utf-8") as out:
                query = select(table).order_by(*table.primary_key.columns)
                for row in conn.execution_options(yield_per=2000).execute(query).mappings():
                    plain = {k: _plain(v) for k, v in row.items()}
                    out.write(json.dumps(plain, ensure_ascii=False) + "\n")
        return _facts_on(conn)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _facts(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        return _facts_on(conn)


def _facts_on(conn: Connection) -> dict[str, Any]:
    counts = {t.name: int(conn.scalar(select(func.count()).select_from(t)) or 0) for t in TABLES}
    changes = Base.metadata.tables["changes"]
    return {
        "schema_revision": conn.scalar(text("SELECT version_num FROM alembic_version")),
        "counts": counts,
        "max_change_seq": int(conn.scalar(select(func.max(changes.c.seq))) or 0),
    }


def _write_tar(staging: Path, members: list[str], archive: Path, report: Progress) -> None:
    partial = archive.parent / f".{archive.name}.partial-{os.getpid()}"
    try:
        with open(partial, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
                for i, name in enumerate(members):
                    report("Menulis arsip", i, len(members))
                    tar.add(staging / name, arcname=name, recursive=False)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, archive)
        snapshots._fsync_dir(archive.parent)
    finally:
        partial.unlink(missing_ok=True)


def _versions() -> dict[str, str]:
    try:
        cocok = metadata.version("cocok")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a bare checkout
        cocok = "unknown"
    return {
        "cocok": cocok,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "sqlalchemy": sqlalchemy.__version__,
    }


# -- reading an archive ---------------------------------------------------------------------------
def read_manifest(archive: Path) -> dict[str, Any]:
    """The archive's manifest (its first member), without reading the rest."""
    with open_archive(archive) as tar:
        return manifest_of(tar)


def open_archive(archive: Path) -> tarfile.TarFile:
    if not archive.is_file():
        raise BackupError(f"Berkas cadangan {archive} tidak ditemukan.")
    try:
        return tarfile.open(archive, mode="r:gz")
    except (tarfile.TarError, OSError, EOFError, zlib.error):
        raise BackupError(f"{archive.name} bukan arsip cadangan cocok atau rusak.") from None


def manifest_of(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        first = tar.next()
        handle = tar.extractfile(first) if first is not None and first.isfile() else None
        if first is None or first.name != "manifest.json" or handle is None:
            raise BackupError("Arsip tidak diawali manifest.json; bukan arsip cadangan cocok.")
        manifest = json.loads(handle.read().decode("utf-8"))
    except (tarfile.TarError, OSError, EOFError, zlib.error, ValueError):
        raise BackupError("Manifest arsip rusak atau tidak terbaca.") from None
    if not isinstance(manifest, dict) or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError("Versi format arsip tidak didukung oleh versi cocok ini.")
    return manifest


def extract_verified(tar: tarfile.TarFile, manifest: dict[str, Any], into: Path) -> Iterator[str]:
    """Write each member under ``into``, checking name, size and sha256 against the manifest."""
    expected: dict[str, dict[str, Any]] = manifest["members"]
    seen: set[str] = set()
    try:
        for position, member in enumerate(tar):
            name = member.name
            if position == 0 and name == "manifest.json":
                continue  # read already by ``manifest_of``
            path = PurePosixPath(name)
            if (
                name not in expected
                or name in seen
                or not member.isfile()
                or path.is_absolute()
                or ".." in path.parts
            ):
                raise BackupError(f"Arsip memuat anggota yang tidak dikenal: {name}.")
            source = tar.extractfile(member)
            if source is None:
                raise BackupError(f"Anggota arsip {name} tidak terbaca.")
            target = into / name
            target.parent.mkdir(parents=True, exist_ok=True)
            digest, size = hashlib.sha256(), 0
            with open(target, "wb") as out:
                while chunk := source.read(_CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if digest.hexdigest() != expected[name]["sha256"] or size != expected[name]["bytes"]:
                raise BackupError(f"Checksum {name} tidak cocok: arsip rusak.")
            seen.add(name)
            yield name
    except (tarfile.TarError, OSError, EOFError, zlib.error):
        raise BackupError("Arsip rusak atau terpotong; tidak ada yang dipulihkan.") from None
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"Arsip tidak lengkap: {missing[0]} tidak ada.")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str) -> Path:
    return Path(make_url(url).database or "").resolve()
