"""The derived state of a snapshot: profiles, columns and BM25, saved so a restart skips them.

Rebuilding a profile runs the whole language pipeline (normalising, stemming, phrase and skill
scans) and was about three quarters of the load time; at 100,000 candidates that is minutes.
So ``save_matcher`` also writes, per side (``candidate`` and ``vacancy``)::

    <side>_state.json    slot bookkeeping, BM25 vocabulary and scalars, one profile per record
                         (of a candidate only its skills: the engine reads the rest of its
                         profile back from columns and BM25, ``matcher.held_profiles``)
    <side>_state.npz     the columns (cut at their size), BM25 documents, document frequencies
                         and main matrix, each vacancy profile's tokens as ids into that
                         vocabulary, and the exact vectors when the index is lossy (SQ8)

The arrays are plain ``.npz`` read with ``allow_pickle=False`` and the rest is JSON, so no file
of a snapshot can run code. Both are written before ``manifest.json`` (itself before the service
swaps its pointer), so a crash mid-write leaves an incomplete folder that is never loaded.

The state is used only when it was derived by the same code and reference data as the running
engine (``fingerprint``); otherwise, for snapshots older than this format, and for vector
indexes that live outside the snapshot (Milvus), loading recomputes everything as before.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from matcher import profiles as profile_forms
from matcher.columns import CandidateColumns, VacancyColumns
from matcher.held_profiles import HeldCandidateProfiles
from matcher.lexical import BM25Index

if TYPE_CHECKING:
    from matcher.engine import Matcher
    from matcher.record_shelf import CandidateShelf
    from matcher.records import Vacancy
    from matcher.vector_backends import VectorIndex

#: Bump on any change to what these files hold or mean.
STATE_VERSION = 3  # 3: candidate columns carry consent (matcher.scopes.ConsentScope)
SIDES = ("candidate", "vacancy")
_PACKAGE = Path(__file__).resolve().parent
#: Code and data whose change alters a profile, a column or a BM25 weight.
_DERIVING = (
    "records.py",
    "record_shelf.py",
    "profiles.py",
    "columns.py",
    "lexical.py",
    "requirements.py",
    "geo.py",
    "snapshot_state.py",
    "language",
    "taxonomy",
    "data/taxonomy",
    "data/wilayah",
)


def _deriving_files() -> list[Path]:
    files: list[Path] = []
    for name in _DERIVING:
        path = _PACKAGE / name
        files += sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    return [p for p in files if p.suffix != ".pyc" and p.exists()]


def fingerprint(matcher: Matcher) -> str:
    """Identifies the code, reference data and taxonomy the derived state came from."""
    digest = hashlib.sha256(f"state {STATE_VERSION}\n".encode())
    digest.update(json.dumps(matcher.program_codes_).encode())
    digest.update(np.ascontiguousarray(matcher.similarity_).tobytes())
    digest.update(type(matcher.taxonomy_).__qualname__.encode())
    digest.update(type(matcher.gazetteer_).__qualname__.encode())
    for path in _deriving_files():
        digest.update(str(path.relative_to(_PACKAGE)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _parts(matcher: Matcher, side: str) -> tuple[Any, Any, Mapping[str, Any], BM25Index]:
    if side == "candidate":
        return (
            matcher.candidates_,
            matcher.candidate_columns_,
            matcher.candidate_profiles_,
            matcher.candidate_lexical_,
        )
    return (
        matcher.vacancies_,
        matcher.vacancy_columns_,
        matcher.vacancy_profiles_,
        (matcher.vacancy_lexical_),
    )


def _dump_state(
    handle: IO[str], columns: Any, lexical: Any, profiles: Iterable[dict[str, Any]]
) -> None:
    """``{"columns": …, "lexical": …, "profiles": [...]}``, the profiles written as they come."""
    dumps = partial(json.dumps, ensure_ascii=False, separators=(",", ":"))
    handle.write(f'{{"columns":{dumps(columns)},"lexical":{dumps(lexical)},"profiles":[')
    for i, row in enumerate(profiles):
        handle.write(("," if i else "") + dumps(row))
    handle.write("]}")


def _profile_rows(side: str, order: list[str], profiles: Any, columns: Any) -> Iterable[Any]:
    """Per record, what the load cannot take from columns or BM25: a vacancy's whole profile;
    of a candidate only its skills (its profile is read back, see ``matcher.held_profiles``)."""
    if side == "candidate":
        slot_of, skills = columns.slot_of, columns.skills
        return ({"id": r, "skills": sorted(skills[slot_of[r]])} for r in order)
    to_json = profile_forms.vacancy_profile_to_json
    return ({"id": r, **to_json(profiles[r])} for r in order)


def save_state(matcher: Matcher, path: Path) -> dict[str, Any]:
    """Write both sides' derived state into ``path``; returns the manifest entry."""
    for side in SIDES:
        records, columns, profiles, lexical = _parts(matcher, side)
        col_arrays, col_meta = columns.export()
        lex_arrays, lex_meta = lexical.export()
        vocabulary = lexical.vocabulary_
        # one pass per array and one profile at a time: a long-running server writes this every
        # few hundred changes, and building every row first left it ~100 MB larger each time
        order = list(records)  # the records file's order
        arrays: dict[str, np.ndarray] = {f"col_{k}": v for k, v in col_arrays.items()}
        arrays |= {f"lex_{k}": v for k, v in lex_arrays.items()}
        if side == "candidate":  # the records as the shelf holds them: a load skips parsing
            packed = [row for _, row in records.packed()]
            arrays["shelf_ids"] = np.array(order, dtype=str)
            arrays["shelf_sizes"] = np.fromiter(map(len, packed), np.int64, count=len(packed))
            arrays["shelf_rows"] = np.frombuffer(b"".join(packed), dtype=np.uint8)
            del packed
        if side == "vacancy":  # a candidate's tokens are its BM25 document
            sizes = np.fromiter(
                (len(profiles[r].tokens) for r in order), np.int64, count=len(order)
            )
            arrays["token_sizes"] = sizes
            arrays["token_ids"] = np.fromiter(
                (vocabulary[t] for r in order for t in profiles[r].tokens),
                dtype=np.int32,
                count=int(sizes.sum()),
            )
        index = matcher.candidate_index_ if side == "candidate" else matcher.vacancy_index_
        if not getattr(index, "exact_vectors", True):
            # an SQ8 index gives back approximations; keep the held ones so scores survive a
            # restart bit for bit (bfloat16 bits: 0.7 GB more on disk at a million, none in memory)
            arrays["vectors"] = columns.vectors[: columns.size]
        with (path / f"{side}_state.npz").open("wb") as handle:
            np.savez(handle, allow_pickle=False, **arrays)
            handle.flush()
            os.fsync(handle.fileno())
        with (path / f"{side}_state.json").open("w", encoding="utf-8") as handle:
            _dump_state(handle, col_meta, lex_meta, _profile_rows(side, order, profiles, columns))
            handle.flush()
            os.fsync(handle.fileno())
    return {"version": STATE_VERSION, "fingerprint": fingerprint(matcher)}


def saved_candidates(manifest: Mapping[str, Any], matcher: Matcher, path: Path) -> Any:
    """The candidates exactly as the saved engine held them (a ``CandidateShelf``), or None
    when the state is unusable or older than this: then the caller parses candidates.jsonl.

    At 100,000 candidates parsing and validating that file took ~5 s of a start and packing
    the records again ~2 s more; these bytes were written by this very code (the fingerprint
    covers the shelf and the record models) from records validated when they came in.
    """
    from matcher.record_shelf import CandidateShelf

    if not usable(manifest, matcher, path):
        return None
    try:
        with np.load(path / "candidate_state.npz", allow_pickle=False) as npz:
            ids, sizes, rows = npz["shelf_ids"], npz["shelf_sizes"], npz["shelf_rows"]
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    if len(ids) != len(sizes) or int(sizes.sum()) != len(rows):
        return None
    blob, ends = rows.tobytes(), np.cumsum(sizes).tolist()
    starts = [0, *ends[:-1]]
    return CandidateShelf.from_packed(
        (str(rid), blob[a:z]) for rid, a, z in zip(ids.tolist(), starts, ends, strict=True)
    )


def usable(manifest: Mapping[str, Any], matcher: Matcher, path: Path) -> bool:
    """Whether the snapshot holds derived state this engine may take as it is."""
    entry = manifest.get("derived_state")
    if not isinstance(entry, dict) or entry.get("version") != STATE_VERSION:
        return False
    if not all((path / f"{s}_state.{ext}").is_file() for s in SIDES for ext in ("json", "npz")):
        return False
    return bool(entry.get("fingerprint") == fingerprint(matcher))


def _read(path: Path, side: str) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    with np.load(path / f"{side}_state.npz", allow_pickle=False) as npz:
        # the packed candidates are ``saved_candidates``' to read; loading them here again cost
        # a second copy of every record (~300 MB at a million) on each start
        arrays = {name: npz[name] for name in npz.files if not name.startswith("shelf_")}
    with (path / f"{side}_state.json").open(encoding="utf-8") as handle:
        return arrays, json.load(handle)


def _side(
    matcher: Matcher, path: Path, side: str, ids: Sequence[str]
) -> tuple[Any, Mapping[str, Any], BM25Index, np.ndarray | None]:
    """Columns, profiles and BM25 of one side, built apart from the matcher (vectors unset),
    and the exact vectors when the snapshot carries them (its index was lossy)."""
    arrays, meta = _read(path, side)
    terms = [sys.intern(t) for t in meta["lexical"]["vocabulary"]]
    lexical = BM25Index.from_export(
        {k[4:]: v for k, v in arrays.items() if k.startswith("lex_")}, meta["lexical"], terms
    )
    rows = meta["profiles"]
    if [row["id"] for row in rows] != list(ids):
        raise ValueError("saved profiles do not match the saved records")
    skills = {row["id"]: frozenset(map(sys.intern, row["skills"])) for row in rows}
    dim, n_prog = matcher.encoder_.dim, len(matcher.program_codes_)
    columns = CandidateColumns(dim, n_prog) if side == "candidate" else VacancyColumns(dim, n_prog)
    columns.restore(
        {k[4:]: v for k, v in arrays.items() if k.startswith("col_")}, meta["columns"], skills
    )
    if set(columns.slot_of) != set(skills) or len(lexical) != len(skills):
        raise ValueError("saved columns, BM25 and profiles disagree")
    profiles: Mapping[str, Any]
    if isinstance(columns, CandidateColumns):
        profiles = HeldCandidateProfiles(columns, lexical, matcher.program_codes_)
    else:
        ends = np.cumsum(arrays["token_sizes"]).tolist()
        token_ids = arrays["token_ids"].tolist()
        lookup = terms.__getitem__
        profiles, start = {}, 0
        for row, end in zip(rows, ends, strict=True):
            profile = profile_forms.vacancy_profile_from_json(
                row, tuple(map(lookup, token_ids[start:end]))
            )
            profiles[row["id"]] = replace(profile, skills=skills[row["id"]])
            start = end
    exact = arrays.get("vectors")
    if exact is not None and exact.shape != (columns.size, dim):
        raise ValueError("saved vectors do not match the saved columns")
    return columns, profiles, lexical, exact


def restore_state(
    matcher: Matcher,
    path: Path,
    candidates: CandidateShelf,
    vacancies: Sequence[Vacancy],
    saved_indexes: tuple[VectorIndex, VectorIndex],
) -> None:
    """Fill a freshly set-up ``matcher`` from the saved derived state and vectors.

    Everything is read and checked before the matcher is touched, so a ValueError, KeyError or
    OSError leaves it as it was and the caller can recompute instead. Vectors are copied into
    the matcher's own indexes in the records' order, in the batches the recomputing path uses,
    so both paths leave the same index behind.
    """
    sides: tuple[tuple[str, list[str], VectorIndex], ...] = (
        ("candidate", list(candidates), saved_indexes[0]),
        ("vacancy", [v.id for v in vacancies], saved_indexes[1]),
    )
    built = [_side(matcher, path, side, ids) for side, ids, _ in sides]
    for (columns, _, _, exact), (_, ids, saved) in zip(built, sides, strict=True):
        if exact is not None:
            columns.put_vectors(slice(0, len(exact)), exact)
            continue
        for start in range(0, len(ids), 65_536):  # bounded temporaries at a million
            chunk = ids[start : start + 65_536]
            columns.put_vectors([columns.slot_of[i] for i in chunk], saved.get(chunk))
    (c_cols, c_prof, c_lex, _), (v_cols, v_prof, v_lex, _) = built
    matcher.candidates_ = candidates
    matcher.vacancies_ = {v.id: v for v in vacancies}
    matcher.candidate_columns_, matcher.candidate_profiles_ = c_cols, c_prof
    matcher.vacancy_columns_, matcher.vacancy_profiles_ = v_cols, dict(v_prof)
    matcher.candidate_lexical_, matcher.vacancy_lexical_ = c_lex, v_lex
    fresh = (matcher.candidate_index_, matcher.vacancy_index_)
    for index, columns, (_, ids, _) in zip(fresh, (c_cols, v_cols), sides, strict=True):
        # from the columns' exact vectors, as the recomputing path adds them
        for start in range(0, len(ids), 1024):
            chunk = ids[start : start + 1024]
            index.add(chunk, columns.vectors_at([columns.slot_of[i] for i in chunk]))
