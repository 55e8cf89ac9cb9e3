"""Index snapshots on disk: written to a temporary folder, then swapped in with one ``os.replace``.

Layout under ``DATA_DIR/index``::

    CURRENT                      name of the live snapshot (replaced atomically)
    PIN.lock                     held shared while a backup copies the live snapshot
    snapshots/<name>/engine/     what Matcher.save wrote
    snapshots/<name>/snapshot.json   {"last_change_seq": n, ...}: where replay starts

The commit point is the rename of ``CURRENT.tmp`` over ``CURRENT``. Before it, every file of the
new snapshot and every folder above it is fsynced, so a crash (or a power cut) at any point
leaves either the old or the new snapshot live, never a torn one. A crashed writer's temporary
folder is named after its process and removed by the next writer once that process is gone.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

try:  # POSIX; elsewhere pruning and backups simply do not coordinate
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger("cocok.service")

#: a temporary folder whose writer cannot be identified is left this long before it is removed
STALE_TMP_S = 3600


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
    tmp = snapshots / f".tmp-{name}.{os.getpid()}"
    save_engine(tmp / "engine")
    meta = {"last_change_seq": last_change_seq, "created_at": datetime.now(UTC).isoformat()}
    meta.update(extra or {})
    _write_durably(tmp / "snapshot.json", json.dumps(meta, indent=2))
    _fsync_tree(tmp)
    final = snapshots / name
    os.replace(tmp, final)
    _fsync_dir(snapshots)
    _write_durably(index_dir / "CURRENT.tmp", name)
    os.replace(index_dir / "CURRENT.tmp", index_dir / "CURRENT")  # the commit point
    _fsync_dir(index_dir)
    _prune(index_dir, keep_names={name}, keep=keep)
    return final


@contextlib.contextmanager
def pinned(index_dir: Path) -> Iterator[Snapshot | None]:
    """The live snapshot, kept on disk (pruning skips) until the block ends.

    A backup copies the snapshot while the server keeps writing newer ones; without the pin the
    server could prune the folder mid-copy. Pruning never waits for a pin: it tries again after
    the next snapshot, so a slow backup never holds up writes.
    """
    if not index_dir.is_dir():
        yield None
        return
    with _lock(index_dir, exclusive=False, wait=True):
        yield current(index_dir)


@contextlib.contextmanager
def _lock(index_dir: Path, *, exclusive: bool, wait: bool) -> Iterator[bool]:
    if fcntl is None:  # pragma: no cover - Windows
        yield True
        return
    with open(index_dir / "PIN.lock", "a+b") as handle:
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        try:
            fcntl.flock(handle.fileno(), mode | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _write_durably(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_tree(root: Path) -> None:
    """fsync every file and folder below ``root`` (what ``save_engine`` wrote may not have)."""
    for folder, _dirs, files in os.walk(root, topdown=False):
        for name in files:
            fd = os.open(os.path.join(folder, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(folder))


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


def _prune(index_dir: Path, keep_names: set[str], keep: int) -> None:
    """Keep the newest ``keep`` snapshots; drop temporary folders of crashed saves.

    Skipped while a backup holds a pin; the next snapshot prunes instead.
    """
    snapshots = index_dir / "snapshots"
    with _lock(index_dir, exclusive=True, wait=False) as locked:
        if not locked:
            log.info("snapshot pruning deferred: a backup is copying the index")
            return
        finished = sorted(
            (p for p in snapshots.iterdir() if p.is_dir() and not p.name.startswith(".tmp-")),
            key=lambda p: p.name,
        )
        for old in finished[:-keep]:
            if old.name not in keep_names:
                shutil.rmtree(old, ignore_errors=True)
        for tmp in snapshots.glob(".tmp-*"):
            if _abandoned(tmp):
                shutil.rmtree(tmp, ignore_errors=True)


def _abandoned(tmp: Path) -> bool:
    """A temporary folder whose writer has died (or, unidentifiable, that is an hour old)."""
    pid_text = tmp.name.rpartition(".")[2]
    if pid_text.isdigit() and int(pid_text) != os.getpid():
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            return True
        except OSError:
            pass
    try:
        return time.time() - tmp.stat().st_mtime > STALE_TMP_S
    except OSError:
        return False
