"""``MilvusIndex``: the ``VectorIndex`` seam on a Milvus collection (a cluster, or milvus-lite).

Milvus keeps the vectors itself, so a saved index is only a manifest naming the collection; a
restart reconnects instead of reading vectors from disk. Each index owns one collection, named
``<prefix>_<kind>_<timestamp>_<random>``: a rebuild fills a new collection while the old one
keeps serving, and two processes never write into each other's index.

The primary key is the record id itself (``VARCHAR``), so no id mapping is kept in memory. The
collection uses metric ``IP`` with a ``FLAT`` index (exact, like ``FaissIndex``) and Strong
consistency, so a search sees every upsert and delete that returned before it. On a large
cluster collection, ``index_type="HNSW"`` (or ``IVF_FLAT``) trades exactness for speed; see
docs/scaling.md. pymilvus is imported only when this backend is chosen.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from matcher.errors import ArtifactError, IndexBackendError
from matcher.index import check_vectors

FORMAT_VERSION = 1
KIND = "milvus"
#: rows per upsert/get request: ~3 MB of float32 at 384 dims, far below gRPC's 64 MB limit
CHUNK = 2000
#: Milvus refuses a search limit above this
MAX_TOPK = 16384
ID_LENGTH = 128  # the contract's id limit

_clients: dict[str, Any] = {}
_clients_lock = threading.Lock()


def connect(uri: str) -> Any:
    """One ``MilvusClient`` per URI per process; a ``.db`` path starts milvus-lite in-process."""
    with _clients_lock:
        client = _clients.get(uri)
        if client is None:
            try:
                from pymilvus import MilvusClient
                from pymilvus.exceptions import MilvusException
            except ImportError as exc:  # pragma: no cover - a broken install
                raise IndexBackendError("pymilvus is not installed") from exc
            try:
                client = MilvusClient(uri=uri, timeout=30)
            except (MilvusException, OSError) as exc:
                raise IndexBackendError(f"cannot connect to Milvus at {uri}: {exc}") from exc
            _clients[uri] = client
        return client


def disconnect(uri: str) -> None:
    """Close the client for ``uri``; for milvus-lite also stop its in-process server."""
    with _clients_lock:
        client = _clients.pop(uri, None)
    if client is not None:
        client.close()
    if uri.endswith(".db"):
        from milvus_lite.server_manager import server_manager_instance

        server_manager_instance.release_server(uri)


def new_collection_name(prefix: str, kind: str) -> str:
    """A fresh, unique, Milvus-legal name (letters, digits and underscores)."""
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    return f"{prefix}_{kind}_{stamp}_{secrets.token_hex(4)}"


class MilvusIndex:
    """Exact inner-product search in one Milvus collection, upsert and delete by record id.

    The collection is created on first write, so an index built only to be replaced (the
    engine's fresh index during a snapshot restore) leaves nothing behind in Milvus.
    """

    kind = KIND

    def __init__(self, dim: int, *, uri: str, collection: str, index_type: str = "FLAT") -> None:
        self.dim = dim
        self.uri = uri
        self.collection = collection
        self.index_type = index_type
        self._client = connect(uri)
        self._ready = self._client.has_collection(collection)
        if self._ready and "Loaded" not in str(self._client.get_load_state(collection)["state"]):
            self._client.load_collection(collection)  # a restarted server keeps it released

    # -- collection -------------------------------------------------------------------------
    def _ensure(self) -> None:
        if self._ready:
            return
        from pymilvus import DataType, MilvusClient

        schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=ID_LENGTH)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=self.dim)
        params = self._client.prepare_index_params()
        params.add_index(field_name="vector", index_type=self.index_type, metric_type="IP")
        self._client.create_collection(
            self.collection, schema=schema, index_params=params, consistency_level="Strong"
        )
        self._ready = True

    def stored_dim(self) -> int:
        """The vector dimension the existing collection was created with."""
        info = self._client.describe_collection(self.collection)
        for field in info["fields"]:
            if field["name"] == "vector":
                return int(field["params"]["dim"])
        raise ArtifactError(f"Milvus collection {self.collection} has no vector field")

    def drop(self) -> None:
        """Delete the collection and everything in it (a replaced or abandoned index)."""
        if self._client.has_collection(self.collection):
            self._client.drop_collection(self.collection)
        self._ready = False

    # -- VectorIndex ------------------------------------------------------------------------
    def __len__(self) -> int:
        if not self._ready:
            return 0
        rows = self._client.query(self.collection, filter="", output_fields=["count(*)"])
        return int(rows[0]["count(*)"])

    def __contains__(self, record_id: object) -> bool:
        if not isinstance(record_id, str) or not self._ready:
            return False
        return bool(self._client.get(self.collection, ids=[record_id], output_fields=["id"]))

    def _check(self, vectors: np.ndarray, n: int) -> np.ndarray:
        return check_vectors(vectors, n, self.dim)

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        """Insert or replace (Milvus ``upsert`` on the primary key)."""
        if len(set(ids)) != len(ids):
            raise ValueError("ids passed to add() must be unique")
        vectors = self._check(vectors, len(ids))
        if not ids:
            return
        self._ensure()
        for start in range(0, len(ids), CHUNK):
            rows = [
                {"id": rid, "vector": vec}
                for rid, vec in zip(
                    ids[start : start + CHUNK], vectors[start : start + CHUNK], strict=True
                )
            ]
            self._client.upsert(self.collection, rows)

    def remove(self, ids: Sequence[str]) -> None:
        if not ids or not self._ready:
            return
        for start in range(0, len(ids), CHUNK):
            self._client.delete(self.collection, ids=list(ids[start : start + CHUNK]))

    def search(self, vectors: np.ndarray, k: int) -> list[list[tuple[str, float]]]:
        if k < 1:
            raise ValueError("k must be at least 1")
        vectors = self._check(vectors, len(vectors))
        if not self._ready or len(vectors) == 0:
            return [[] for _ in range(len(vectors))]
        hits = self._client.search(
            self.collection,
            data=list(vectors),
            limit=min(k, MAX_TOPK),
            output_fields=["id"],
            search_params={"metric_type": "IP"},
        )
        out = []
        for row in hits:
            pairs = [(str(hit["id"]), float(hit["distance"])) for hit in row]
            pairs.sort(key=lambda p: -p[1])  # best first, whatever the server's tie order
            out.append(pairs)
        return out

    def get(self, ids: Sequence[str]) -> np.ndarray:
        """Stored vectors for ``ids`` in order (KeyError for an unknown id)."""
        found = self.get_present(ids)
        missing = [i for i in ids if i not in found]
        if missing:
            raise KeyError(missing[0])
        if not ids:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([found[i] for i in ids])

    def get_present(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The vectors of those ``ids`` the collection holds; absent ids are left out."""
        found: dict[str, np.ndarray] = {}
        if not self._ready:
            return found
        for start in range(0, len(ids), CHUNK):
            rows = self._client.get(
                self.collection, ids=list(ids[start : start + CHUNK]), output_fields=["vector"]
            )
            for row in rows:
                found[str(row["id"])] = np.asarray(row["vector"], dtype=np.float32)
        return found

    def iter_ids(self, batch: int = 5000) -> Iterator[str]:
        """Every id in the collection (a restore uses it to drop ids its snapshot lacks)."""
        if not self._ready:
            return
        it = self._client.query_iterator(
            self.collection, batch_size=batch, filter="", output_fields=["id"]
        )
        try:
            while rows := it.next():
                yield from (str(r["id"]) for r in rows)
        finally:
            it.close()

    def save(self, path: Path) -> None:
        """Write only the manifest: the vectors stay in Milvus, which keeps them durably."""
        self._ensure()  # an empty index must still name a collection a restart can find
        path.mkdir(parents=True, exist_ok=True)
        manifest = {
            "format_version": FORMAT_VERSION,
            "kind": self.kind,
            "uri": self.uri,
            "collection": self.collection,
            "index_type": self.index_type,
            "dim": self.dim,
            "count": len(self),
            "created_at": datetime.now(UTC).isoformat(),
        }
        (path / "manifest.json").write_text(json.dumps(manifest, indent=2))

    @classmethod
    def load(cls, path: Path, *, uri: str) -> MilvusIndex:
        """Reconnect to the collection a manifest names (on ``uri``: servers may move).

        The count is not checked here: the collection stays live after the snapshot, so it may
        hold later writes; ``matcher.snapshot`` trims it to the snapshot's records and then
        checks the count.
        """
        try:
            manifest = json.loads((path / "manifest.json").read_text())
        except (OSError, ValueError) as exc:
            raise ArtifactError(f"cannot read vector index manifest at {path}: {exc}") from exc
        if manifest.get("format_version") != FORMAT_VERSION or manifest.get("kind") != cls.kind:
            raise ArtifactError(f"unsupported vector index format at {path}")
        index = cls(
            int(manifest["dim"]),
            uri=uri,
            collection=str(manifest["collection"]),
            index_type=str(manifest.get("index_type", "FLAT")),
        )
        if not index._ready:
            raise ArtifactError(f"Milvus collection {index.collection} named at {path} is gone")
        if index.stored_dim() != index.dim:
            raise ArtifactError(f"Milvus collection {index.collection} disagrees with {path}")
        return index
