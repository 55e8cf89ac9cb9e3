"""Vector backends: which ``VectorIndex`` the engine builds, and how a saved one is reopened.

The engine asks its backend for one index per side (``backend(dim, "candidate")``) and a snapshot
asks it to reopen the saved ones (``backend.load(path)``). ``faiss`` keeps vectors in the process
and in the snapshot folder; ``milvus`` keeps them in a Milvus collection that outlives the
process, so a restore adopts the collection instead of copying vectors into a new index. The
service picks the backend from its settings; the engine never reads the environment.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from matcher.errors import IndexBackendError
from matcher.index import FaissIndex, VectorIndex

__all__ = ["FaissBackend", "MilvusBackend", "VectorBackend", "VectorIndex", "saved_kind"]


class VectorBackend(Protocol):
    """Builds empty indexes and reopens saved ones."""

    name: str

    def __call__(self, dim: int, kind: str) -> VectorIndex: ...

    def load(self, path: Path) -> VectorIndex: ...

    def close(self) -> None: ...


def saved_kind(path: Path) -> str:
    """The ``kind`` in a saved index's manifest ("" when unreadable: the loader reports it)."""
    try:
        return str(json.loads((path / "manifest.json").read_text()).get("kind", ""))
    except (OSError, ValueError, AttributeError):
        return ""


class FaissBackend:
    """In-process search; vectors are written into every snapshot.

    Exact up to 200,000 vectors, then an SQ8 inverted file (docs/performance.md, "Index type"):
    a byte per dimension instead of four, since the engine's columns keep the exact vectors
    for scoring and snapshots anyway (``matcher.snapshot_state``)."""

    name = "faiss"

    def __call__(self, dim: int, kind: str) -> VectorIndex:
        return FaissIndex(dim, encoding="sq8")

    def load(self, path: Path) -> VectorIndex:
        return FaissIndex.load(path)

    def close(self) -> None:
        """Nothing to release: the index lives and dies with the process."""


class MilvusBackend:
    """Collections on a Milvus server or cluster (``http://host:19530``) or milvus-lite (a
    local ``*.db`` path); a snapshot saved with faiss is reopened too, and its vectors are
    then copied into a new collection (switching backends needs no re-embedding)."""

    name = "milvus"

    def __init__(self, uri: str, *, prefix: str = "cocok", index_type: str = "FLAT") -> None:
        if not uri:
            raise IndexBackendError("the milvus backend needs a URI")
        self.uri = uri
        self.prefix = prefix
        self.index_type = index_type

    def check(self) -> None:
        """Connect now, so a wrong or unreachable URI fails at start, not on the first query."""
        from pymilvus.exceptions import MilvusException

        from matcher.milvus_index import connect

        if self.uri.endswith(".db"):  # milvus-lite: an embedded file, like the SQLite default
            Path(self.uri).parent.mkdir(parents=True, exist_ok=True)
        try:
            connect(self.uri).list_collections()
        except MilvusException as exc:
            raise IndexBackendError(f"Milvus at {self.uri} does not answer: {exc}") from exc

    def __call__(self, dim: int, kind: str) -> VectorIndex:
        from matcher.milvus_index import MilvusIndex, new_collection_name

        collection = new_collection_name(self.prefix, kind)
        return MilvusIndex(dim, uri=self.uri, collection=collection, index_type=self.index_type)

    def load(self, path: Path) -> VectorIndex:
        from matcher.milvus_index import KIND, MilvusIndex

        if saved_kind(path) == KIND:
            return MilvusIndex.load(path, uri=self.uri)
        return FaissIndex.load(path)

    def close(self) -> None:
        from matcher.milvus_index import disconnect

        disconnect(self.uri)


def adoptable(saved: VectorIndex, fresh: VectorIndex) -> bool:
    """Whether a restore keeps ``saved`` itself (its vectors live outside the snapshot)."""
    return getattr(saved, "kind", "") == "milvus" and getattr(fresh, "kind", "") == "milvus"


class DiscardingIndex:
    """Takes writes and keeps nothing: stands in while a restore re-registers records whose
    vectors the adopted collection already holds, so they are not uploaded a second time."""

    kind = "discard"

    def __init__(self, dim: int) -> None:
        self.dim = dim

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        return None

    def remove(self, ids: Sequence[str]) -> None:
        return None

    def search(self, vectors: np.ndarray, k: int) -> list[list[tuple[str, float]]]:
        raise IndexBackendError("a restore in progress cannot be searched")

    def get(self, ids: Sequence[str]) -> np.ndarray:
        raise KeyError(ids[0] if ids else "")

    def save(self, path: Path) -> None:
        raise IndexBackendError("a restore in progress cannot be saved")

    def __len__(self) -> int:
        return 0

    def __contains__(self, record_id: object) -> bool:
        return False


#: what a Matcher built without a backend uses (tests may swap it to run the suite on Milvus)
DEFAULT: VectorBackend = FaissBackend()
