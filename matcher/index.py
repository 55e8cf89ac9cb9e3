"""Vector indexes: the ``VectorIndex`` seam and its exact faiss implementation.

Records are upserted and deleted by their string ids at any time, so the index maps ids to
stable int64 labels (faiss's ``IndexIDMap2``) instead of relying on row positions. A saved index
is a folder: ``index.faiss``, ``ids.json`` and ``manifest.json``; nothing is pickled.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import faiss
import numpy as np

from matcher.errors import ArtifactError, IndexBackendError

FORMAT_VERSION = 1


@runtime_checkable
class VectorIndex(Protocol):
    """Inner-product search over unit vectors, keyed by record id."""

    dim: int

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None: ...

    def remove(self, ids: Sequence[str]) -> None: ...

    def search(self, vectors: np.ndarray, k: int) -> list[list[tuple[str, float]]]: ...

    def get(self, ids: Sequence[str]) -> np.ndarray: ...

    def save(self, path: Path) -> None: ...

    def __len__(self) -> int: ...

    def __contains__(self, record_id: object) -> bool: ...


class FaissIndex:
    """Exact inner-product search (``IndexFlatIP``) with upsert and delete by id."""

    kind = "faiss-flat-ip"

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self._label_of: dict[str, int] = {}
        self._id_of: dict[int, str] = {}
        self._next_label = 0

    def __len__(self) -> int:
        return len(self._label_of)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._label_of

    def ids(self) -> list[str]:
        return list(self._label_of)

    def _check(self, vectors: np.ndarray, n: int) -> np.ndarray:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape != (n, self.dim):
            raise ValueError(f"expected vectors of shape ({n}, {self.dim}), got {vectors.shape}")
        return vectors

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        """Insert or replace: an id already present is removed first, then re-added."""
        if len(set(ids)) != len(ids):
            raise ValueError("ids passed to add() must be unique")
        vectors = self._check(vectors, len(ids))
        self.remove([i for i in ids if i in self._label_of])
        labels = np.arange(self._next_label, self._next_label + len(ids), dtype=np.int64)
        self._next_label += len(ids)
        try:
            self._index.add_with_ids(vectors, labels)
        except RuntimeError as exc:  # pragma: no cover - faiss internal failure
            raise IndexBackendError("faiss add failed") from exc
        for record_id, label in zip(ids, labels.tolist(), strict=True):
            self._label_of[record_id] = label
            self._id_of[label] = record_id

    def remove(self, ids: Sequence[str]) -> None:
        labels = [self._label_of.pop(i) for i in ids if i in self._label_of]
        if not labels:
            return
        for label in labels:
            del self._id_of[label]
        self._index.remove_ids(np.asarray(labels, dtype=np.int64))  # type: ignore[arg-type]

    def search(self, vectors: np.ndarray, k: int) -> list[list[tuple[str, float]]]:
        if k < 1:
            raise ValueError("k must be at least 1")
        vectors = self._check(vectors, len(vectors))
        if len(self) == 0:
            return [[] for _ in range(len(vectors))]
        scores, labels = self._index.search(vectors, min(k, len(self)))
        return [
            [
                (self._id_of[int(lab)], float(s))
                for s, lab in zip(srow, lrow, strict=True)
                if lab >= 0
            ]
            for srow, lrow in zip(scores, labels, strict=True)
        ]

    def get(self, ids: Sequence[str]) -> np.ndarray:
        """Stored vectors for ``ids`` (KeyError for an unknown id)."""
        if not ids:
            return np.zeros((0, self.dim), dtype=np.float32)
        labels = np.asarray([self._label_of[i] for i in ids], dtype=np.int64)
        return np.asarray(self._index.reconstruct_batch(labels), dtype=np.float32)

    def save(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        faiss.write_index(self._index, str(path / "index.faiss"))
        (path / "ids.json").write_text(json.dumps(self._label_of))
        manifest: dict[str, Any] = {
            "format_version": FORMAT_VERSION,
            "kind": self.kind,
            "dim": self.dim,
            "count": len(self),
            "next_label": self._next_label,
            "faiss_version": faiss.__version__,
            "created_at": datetime.now(UTC).isoformat(),
        }
        (path / "manifest.json").write_text(json.dumps(manifest, indent=2))

    @classmethod
    def load(cls, path: Path) -> FaissIndex:
        try:
            manifest = json.loads((path / "manifest.json").read_text())
            label_of = json.loads((path / "ids.json").read_text())
            raw = faiss.read_index(str(path / "index.faiss"))
        except (OSError, ValueError, RuntimeError) as exc:
            raise ArtifactError(f"cannot read vector index at {path}: {exc}") from exc
        if manifest.get("format_version") != FORMAT_VERSION or manifest.get("kind") != cls.kind:
            raise ArtifactError(f"unsupported vector index format at {path}")
        if raw.ntotal != len(label_of) or raw.d != manifest["dim"]:
            raise ArtifactError(f"vector index at {path} disagrees with its manifest")
        if not isinstance(raw, faiss.IndexIDMap2):
            raise ArtifactError(f"vector index at {path} is not an id-mapped faiss index")
        index = cls(int(manifest["dim"]))
        index._index = raw
        index._label_of = {str(k): int(v) for k, v in label_of.items()}
        index._id_of = {v: k for k, v in index._label_of.items()}
        index._next_label = int(manifest["next_label"])
        return index
