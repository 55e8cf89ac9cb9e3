"""Index snapshots on disk: written to a temporary folder, then swapped in with one ``os.replace``.

Layout under ``DATA_DIR/index``::

    CURRENT                      name of the live snapshot (replaced atomically)
    snapshots/<name>/engine/     what Matcher.save wrote
    snapshots/<name>/snapshot.json   {"last_change_seq": n, ...}: where replay starts

A crash at any point leaves either the old or the new snapshot live, never a torn one.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

log = logging.getLogger("cocok.service")


@dataclass(frozen=True)
class Snapshot:
    engine_dir: Path
    last_change_seq: int


def current(index_dir: Path) -> Snapshot | None:
    """The live snapshot, or ``None`` when there is none (or its files are missing)."""
    pointer = index_dir / "CURRENT"
    try:
        name = pointer.read_text().strip()
        folder = index_dir / "snapshots" / name
        meta = json.loads((folder / "snapshot.json").read_text())
        return Snapshot(folder / "engine", int(meta["last_change_seq"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write(
    index_dir: Path,
    last_change_seq: int,
    save_engine: Callable[[Path], None],
    *,
    keep: int = 2,
    extra: dict[str, Any] | None = None,
) -> Path:
    """Save a new snapshot through ``save_engine(path)`` and make it live atomically."""
    snapshots = index_dir / "snapshots"
    snapshots.mkdir(parents=True, exist_ok=True)
    name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{last_change_seq}"
    tmp = snapshots / f".tmp-{name}"
    save_engine(tmp / "engine")
    meta = {"last_change_seq": last_change_seq, "created_at": datetime.now(UTC).isoformat()}
    meta.update(extra or {})
    _write_durably(tmp / "snapshot.json", json.dumps(meta, indent=2))
    final = snapshots / name
    os.replace(tmp, final)
    _write_durably(index_dir / "CURRENT.tmp", name)
    os.replace(index_dir / "CURRENT.tmp", index_dir / "CURRENT")
    _fsync_dir(index_dir)
    _prune(snapshots, keep_names={name}, keep=keep)
    return final


def _write_durably(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _prune(snapshots: Path, keep_names: set[str], keep: int) -> None:
    """Keep the newest ``keep`` snapshots; drop stale temporary folders of crashed saves."""
    finished = sorted(
        (p for p in snapshots.iterdir() if p.is_dir() and not p.name.startswith(".tmp-")),
        key=lambda p: p.name,
    )
    for old in finished[:-keep]:
        if old.name not in keep_names:
            shutil.rmtree(old, ignore_errors=True)
    for tmp in snapshots.glob(".tmp-*"):
        if time.time() - tmp.stat().st_mtime > 3600:
            shutil.rmtree(tmp, ignore_errors=True)
