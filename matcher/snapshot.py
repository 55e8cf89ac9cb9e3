"""Saving and restoring a fitted Matcher as a folder, without pickle and without re-embedding.

Layout (one folder, written completely before ``manifest.json``, which is written last, so a
folder without a manifest is a torn write and is refused)::

    candidates.jsonl   vacancies.jsonl       the records, one JSON object per line
    candidate_index/   vacancy_index/        the vector indexes (faiss file, ids, own manifest;
                                             for Milvus only a manifest naming the collection)
    candidate_state.json/.npz                the derived state: profiles, columns, BM25
    vacancy_state.json/.npz                  (see ``matcher.snapshot_state``)
    manifest.json                            format, encoder name and weights hash, counts,
                                             library versions, created_at, caller metadata,
                                             ``derived_state`` (its version and fingerprint)

Loading takes the vectors from the saved indexes, so the encoder runs only for records added
afterwards, and the derived state from its files when it was derived by the same code and data;
otherwise (older snapshots included) it rebuilds profiles, columns and BM25 from the records.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import platform
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from matcher import snapshot_state, vector_backends
from matcher.encoder import Encoder, encoder_identity
from matcher.errors import ArtifactError
from matcher.record_shelf import CandidateShelf, ShelfView, pack_json
from matcher.records import parse_candidate_json, parse_vacancy

if TYPE_CHECKING:
    from matcher.engine import Matcher

FORMAT_VERSION = 1
log = logging.getLogger(__name__)


def _write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    """One JSON line per row, taken one at a time: a snapshot of 50k records must not first build
    them all in memory (that transient list grew a long-running server by ~100 MB per write)."""
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def _write_lines(path: Path, lines: Iterable[bytes]) -> None:
    """Records already in JSON (the candidate shelf's), one per line, never all at once."""
    with path.open("wb") as handle:
        for line in lines:
            handle.write(line + b"\n")
        handle.flush()
        os.fsync(handle.fileno())


def _read_candidates(path: Path) -> CandidateShelf:
    """Each line validated as a candidate and packed at once: a million records never exist
    as objects together (as a list they alone took ~4 GB). The line itself is what gets
    deflated, so a load neither re-serialises nor re-checks what it has just validated."""
    shelf = CandidateShelf()
    with path.open("rb") as handle:
        for line in handle:
            raw = line.strip()
            if raw:
                record = parse_candidate_json(raw)
                shelf.store(record.id, pack_json(raw))
    return shelf


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def save_matcher(matcher: Matcher, path: Path, metadata: Mapping[str, Any]) -> None:
    if (path / "manifest.json").exists():
        raise ArtifactError(f"refusing to overwrite the snapshot at {path}; save to a new folder")
    path.mkdir(parents=True, exist_ok=True)
    _write_lines(path / "candidates.jsonl", matcher.candidates_.json_lines())
    _write_jsonl(
        path / "vacancies.jsonl", (v.model_dump(mode="json") for v in matcher.vacancies_.values())
    )
    matcher.candidate_index_.save(path / "candidate_index")
    matcher.vacancy_index_.save(path / "vacancy_index")
    derived = snapshot_state.save_state(matcher, path)
    from importlib.metadata import version  # importing sklearn for this took ~1 s, engine locked

    import faiss

    manifest = {
        "format_version": FORMAT_VERSION,
        "created_at": datetime.now(UTC).isoformat(),
        "encoder": encoder_identity(matcher.encoder_),
        "dim": matcher.encoder_.dim,
        "candidates": len(matcher.candidates_),
        "vacancies": len(matcher.vacancies_),
        "programs": len(matcher.program_codes_),
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "faiss": faiss.__version__,
            "scikit-learn": version("scikit-learn"),
        },
        "metadata": dict(metadata),
        "derived_state": derived,
    }
    tmp = path / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=2))
    os.replace(tmp, path / "manifest.json")


def load_matcher(
    cls: type[Matcher], path: Path, *, encoder: Encoder | None, params: dict[str, Any]
) -> Matcher:
    # A load allocates millions of small objects (records, profiles, token tuples) and keeps
    # them all; pausing the cyclic collector meanwhile spares it repeated full scans of them
    # (measured at 20,000 candidates: 2.7 s -> 1.1 s with derived state); it catches up after.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _load(cls, path, encoder=encoder, params=params)
    finally:
        if enabled:
            gc.enable()


def _load(
    cls: type[Matcher], path: Path, *, encoder: Encoder | None, params: dict[str, Any]
) -> Matcher:
    manifest_path = path / "manifest.json"
    if not manifest_path.is_file():
        raise ArtifactError(f"no complete snapshot at {path} (manifest.json missing)")
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ArtifactError(f"snapshot at {path} has an unsupported format version")
    matcher = cls(encoder=encoder, **params)
    matcher._setup()
    if encoder_identity(matcher.encoder_) != manifest["encoder"]:
        raise ArtifactError(
            f"snapshot at {path} was built with encoder {manifest['encoder']}, "
            f"not {encoder_identity(matcher.encoder_)}; rebuild the index"
        )
    backend = matcher.index_factory or vector_backends.DEFAULT
    cand_index = backend.load(path / "candidate_index")
    vac_index = backend.load(path / "vacancy_index")
    candidates = snapshot_state.saved_candidates(manifest, matcher, path)
    if candidates is None:
        candidates = _read_candidates(path / "candidates.jsonl")
    vacancies = [parse_vacancy(row) for row in _read_jsonl(path / "vacancies.jsonl")]
    if len(candidates) != manifest["candidates"] or len(vacancies) != manifest["vacancies"]:
        raise ArtifactError(f"snapshot at {path} disagrees with its manifest")
    try:
        if not _restore_derived(
            matcher, path, manifest, candidates, vacancies, (cand_index, vac_index)
        ):
            _restore(matcher, "candidate", ShelfView(candidates), cand_index)
            _restore(matcher, "vacancy", vacancies, vac_index)
    except KeyError as exc:
        raise ArtifactError(f"snapshot at {path} lacks a vector for record {exc}") from None
    matcher.manifest_ = manifest
    return matcher


def _restore_derived(
    matcher: Matcher,
    path: Path,
    manifest: Mapping[str, Any],
    candidates: CandidateShelf,
    vacancies: Sequence[Any],
    saved: tuple[Any, Any],
) -> bool:
    """Take the saved derived state when it fits this engine; False means "recompute"."""
    if any(vector_backends.adoptable(s, f) for s, f in zip(saved, _fresh(matcher), strict=True)):
        return False  # an external collection moved on after the snapshot: see ``_restore``
    if not snapshot_state.usable(manifest, matcher, path):
        return False
    try:
        snapshot_state.restore_state(matcher, path, candidates, vacancies, saved)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        log.warning("derived state of the snapshot at %s unusable (%s); recomputing", path, exc)
        return False
    return True


def _fresh(matcher: Matcher) -> tuple[Any, Any]:
    return matcher.candidate_index_, matcher.vacancy_index_


def _restore(matcher: Matcher, kind: str, records: Sequence[Any], saved: Any) -> None:
    """Register ``records`` with the vectors of ``saved``, without re-embedding.

    An in-process index (faiss) is copied into the matcher's fresh one. An external one (a Milvus
    collection) is adopted as it is: it stayed live after the snapshot, so ids the snapshot lacks
    are dropped, and a record deleted after the snapshot (its vector gone) is embedded again; the
    change-feed replay then brings both up to date.
    """
    attr = f"{kind}_index_"
    upsert = matcher.upsert_candidates if kind == "candidate" else matcher.upsert_vacancies
    if not vector_backends.adoptable(saved, getattr(matcher, attr)):
        for start in range(0, len(records), 1024):
            chunk = records[start : start + 1024]
            upsert(chunk, vectors=saved.get([r.id for r in chunk]))
        return
    missing = []
    setattr(matcher, attr, vector_backends.DiscardingIndex(saved.dim))
    try:
        for start in range(0, len(records), 1024):
            chunk = records[start : start + 1024]
            found = saved.get_present([r.id for r in chunk])
            have = [r for r in chunk if r.id in found]
            missing += [r for r in chunk if r.id not in found]
            if have:
                upsert(have, vectors=np.stack([found[r.id] for r in have]))
    finally:
        setattr(matcher, attr, saved)
    if len(saved) != len(records) - len(missing):  # it holds ids written after the snapshot
        keep = {r.id for r in records}
        saved.remove([i for i in saved.iter_ids() if i not in keep])
    for start in range(0, len(missing), 1024):
        upsert(missing[start : start + 1024])
    if len(saved) != len(records):
        raise ArtifactError(f"the {kind} collection disagrees with its snapshot after restore")
