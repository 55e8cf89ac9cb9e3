"""Vector indexes: the ``VectorIndex`` seam and its faiss implementation, exact or approximate.

Records are upserted and deleted by their string ids at any time, so the index maps ids to
stable int64 labels instead of relying on row positions. A saved index is a folder:
``index.faiss``, ``ids.json`` and ``manifest.json``; nothing is pickled.

The faiss index type follows the number of vectors (docs/performance.md, "Index type"):

* up to ``exact_limit`` (200,000) vectors: exact search, ``IndexIDMap2(IndexFlatIP)``;
* above it: an inverted file, ``IndexIVFFlat`` (or ``IndexIVFScalarQuantizer`` SQ8 with
  ``encoding="sq8"``), ``nlist = 4·√N`` lists trained on a sample, with a hash-table direct map
  so deletes, upserts and ``get`` by id keep working; ``nprobe`` is tuned to twice the smallest
  power of two whose recall@20 against exact search reaches ``target_recall`` on a sample of
  stored vectors and of midpoints between them.

The index is rebuilt (retrained) when it crosses ``exact_limit`` either way or, once
approximate, whenever it has doubled (or halved) since it was last trained, so the lists stay
balanced as a province's data grows.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

import faiss
import numpy as np

from matcher.errors import ArtifactError, IndexBackendError
from matcher.nprobe_tuning import tune_nprobe

FORMAT_VERSION = 1
#: Up to this many vectors an exact scan is fast enough (≈ 10 ms at 384 dims on one core).
EXACT_LIMIT = 200_000
#: k at which nprobe is tuned: the engine's final list length.
RECALL_K = 20
Encoding = Literal["flat", "sq8"]


def check_vectors(vectors: np.ndarray, n: int, dim: int) -> np.ndarray:
    """``n`` rows of ``dim`` float32, contiguous, or a ValueError naming the shape (any backend)."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if vectors.ndim != 2 or vectors.shape != (n, dim):
        raise ValueError(f"expected vectors of shape ({n}, {dim}), got {vectors.shape}")
    return vectors


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


def nlist_for(n: int) -> int:
    """Inverted lists for ``n`` vectors: about 4·√N (a few hundred vectors per list)."""
    return max(16, round(4 * math.sqrt(n)))


class FaissIndex:
    """Inner-product search with upsert and delete by id; exact or IVF, chosen from N.

    ``exact_limit``: above this many vectors the index becomes an IVF; ``encoding``: how an IVF
    stores vectors (``flat``: float32, ``get`` returns them exactly; ``sq8``: one byte per
    dimension, a quarter of the memory, ``get`` returns a close approximation);
    ``target_recall``: recall@20 against exact search that the tuned ``nprobe`` must reach;
    ``search_threads``: OpenMP threads for one search call (1 by default: a single query gains
    nothing from more, and loses a lot when the cores are busy; ``None`` leaves faiss's default).
    """

    kind = "faiss"
    #: manifests written before the index type was chosen from N
    legacy_kinds = ("faiss-flat-ip",)

    def __init__(
        self,
        dim: int,
        *,
        exact_limit: int = EXACT_LIMIT,
        encoding: Encoding = "flat",
        target_recall: float = 0.97,
        search_threads: int | None = 1,
        seed: int = 0,
    ) -> None:
        if encoding not in ("flat", "sq8"):
            raise ValueError(f"encoding must be 'flat' or 'sq8', got {encoding!r}")
        if not 0.0 < target_recall <= 1.0:
            raise ValueError("target_recall must be in (0, 1]")
        self.dim = dim
        self.exact_limit = exact_limit
        self.encoding: Encoding = encoding
        self.target_recall = target_recall
        self.search_threads = search_threads
        self.seed = seed
        self._index: Any = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self._quantizer: Any = None
        self._label_of: dict[str, int] = {}
        #: label -> id; labels are handed out in sequence, so a list (None where removed)
        #: costs 8 bytes a label where a dict cost ~100 (a million candidates: ~90 MB)
        self._id_of: list[str | None] = []
        self._next_label = 0
        self.trained_on = 0  # vectors the IVF was trained at (0: exact)
        self.nlist = 0
        self.nprobe = 0
        self.tuned_recall: float | None = None

    def __len__(self) -> int:
        return len(self._label_of)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._label_of

    @property
    def index_type(self) -> str:
        """``flat`` (exact), ``ivf-flat`` or ``ivf-sq8`` (approximate)."""
        return "flat" if self.trained_on == 0 else f"ivf-{self.encoding}"

    @property
    def exact_vectors(self) -> bool:
        """Whether ``get`` returns the vectors as added (false for an SQ8 inverted file)."""
        return self.index_type != "ivf-sq8"

    def ids(self) -> list[str]:
        return list(self._label_of)

    def _check(self, vectors: np.ndarray, n: int) -> np.ndarray:
        return check_vectors(vectors, n, self.dim)

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        """Insert or replace: an id already present is removed first, then re-added."""
        if len(set(ids)) != len(ids):
            raise ValueError("ids passed to add() must be unique")
        vectors = self._check(vectors, len(ids))
        self._remove_labels([i for i in ids if i in self._label_of])
        labels = np.arange(self._next_label, self._next_label + len(ids), dtype=np.int64)
        self._next_label += len(ids)
        try:
            self._index.add_with_ids(vectors, labels)
        except RuntimeError as exc:  # pragma: no cover - faiss internal failure
            raise IndexBackendError("faiss add failed") from exc
        self._id_of.extend(ids)
        for record_id, label in zip(ids, labels.tolist(), strict=True):
            self._label_of[record_id] = label
        self._maybe_rebuild()

    def _remove_labels(self, ids: Sequence[str]) -> None:
        labels = [self._label_of.pop(i) for i in ids if i in self._label_of]
        if not labels:
            return
        for label in labels:
            self._id_of[label] = None
        self._index.remove_ids(np.asarray(labels, dtype=np.int64))

    def remove(self, ids: Sequence[str]) -> None:
        self._remove_labels(ids)
        self._maybe_rebuild()

    def search(self, vectors: np.ndarray, k: int) -> list[list[tuple[str, float]]]:
        if k < 1:
            raise ValueError("k must be at least 1")
        vectors = self._check(vectors, len(vectors))
        if len(self) == 0:
            return [[] for _ in range(len(vectors))]
        scores, labels = self._raw_search(vectors, min(k, len(self)))
        return [
            [
                (self._id_of[int(lab)] or "", float(s))  # a label faiss returns is alive
                for s, lab in zip(srow, lrow, strict=True)
                if lab >= 0
            ]
            for srow, lrow in zip(scores, labels, strict=True)
        ]

    def _raw_search(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        # omp_set_num_threads sets the calling thread's OpenMP setting (libgomp: per thread)
        previous = faiss.omp_get_max_threads()
        if self.search_threads is not None:
            faiss.omp_set_num_threads(self.search_threads)
        try:
            scores, labels = self._index.search(vectors, k)
        finally:
            faiss.omp_set_num_threads(previous)
        return scores, labels

    def scan(self, query: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """Every stored vector's label and inner product with ``query`` (one unit vector, float32)
        when the index is exact; None for an inverted file, which never sees most vectors.

        An exact search computes all these products and keeps ``k``. A caller that needs the
        similarity of thousands of records (the engine's program-fit cut reads ~30,000 at 100k
        candidates) gets them here from one product over faiss's own store, instead of a search
        followed by reading those records' vectors a second time.
        """
        if self.trained_on:
            return None
        flat: Any = faiss.downcast_index(self._index.index)
        n = flat.ntotal
        labels = faiss.vector_to_array(self._index.id_map)
        if n == 0:
            return labels, np.zeros(0, dtype=np.float32)
        # a view of faiss's own float32 rows: valid until the next add or remove, so it is
        # used at once and only the product (a new array) leaves this method
        stored = faiss.rev_swig_ptr(flat.get_xb(), n * self.dim).reshape(n, self.dim)
        return labels, stored @ np.asarray(query, dtype=np.float32)

    def ids_of(self, labels: np.ndarray) -> list[str | None]:
        """The record ids of ``labels`` from ``scan`` (None for a label since removed)."""
        return [self._id_of[label] for label in labels.tolist()]

    def get(self, ids: Sequence[str]) -> np.ndarray:
        """Stored vectors for ``ids`` (KeyError for an unknown id)."""
        if not ids:
            return np.zeros((0, self.dim), dtype=np.float32)
        labels = np.asarray([self._label_of[i] for i in ids], dtype=np.int64)
        return np.asarray(self._index.reconstruct_batch(labels), dtype=np.float32)

    # -- choosing and rebuilding the faiss index ----------------------------------------------

    def _wanted(self) -> str:
        n = len(self)
        if self.trained_on == 0:
            return "ivf" if n > self.exact_limit else "keep"
        if n <= self.exact_limit // 2:  # hysteresis: no flapping around the limit
            return "flat"
        if n >= 2 * self.trained_on or n <= self.trained_on // 2:
            return "ivf"
        return "keep"

    def _maybe_rebuild(self) -> None:
        wanted = self._wanted()
        if wanted != "keep":
            self.rebuild(approximate=wanted == "ivf")

    def rebuild(self, *, approximate: bool | None = None) -> None:
        """Rebuild the faiss index from the stored vectors (retraining an IVF on them).

        ``approximate``: ``None`` chooses from N and ``exact_limit`` as ``add`` does.
        """
        if approximate is None:
            approximate = len(self) > self.exact_limit
        labels = np.asarray(
            [label for label, rid in enumerate(self._id_of) if rid is not None], dtype=np.int64
        )
        vectors = self._all_vectors(labels)
        if not approximate or len(labels) == 0:
            index: Any = faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))
            index.add_with_ids(vectors, labels)
            self._index, self.trained_on, self.nlist, self.nprobe = index, 0, 0, 0
            self.tuned_recall = None
            return
        nlist = min(nlist_for(len(labels)), max(1, len(labels) // 39))
        quantizer = faiss.IndexFlatIP(self.dim)
        ivf: Any
        if self.encoding == "sq8":
            ivf = faiss.IndexIVFScalarQuantizer(
                quantizer, self.dim, nlist, faiss.ScalarQuantizer.QT_8bit,
                faiss.METRIC_INNER_PRODUCT,
            )  # fmt: skip
        else:
            ivf = faiss.IndexIVFFlat(quantizer, self.dim, nlist, faiss.METRIC_INNER_PRODUCT)
        self._quantizer = quantizer  # the IVF does not own it; a loaded one owns its own
        ivf.cp.niter = 10
        ivf.cp.seed = self.seed
        ivf.cp.max_points_per_centroid = 64  # sample: ≤ 64·nlist vectors, enough for k-means
        rng = np.random.default_rng(self.seed)
        sample = rng.choice(len(labels), size=min(len(labels), 64 * nlist), replace=False)
        try:
            ivf.train(vectors[np.sort(sample)])
            ivf.set_direct_map_type(faiss.DirectMap.Hashtable)  # type: ignore[attr-defined]
            ivf.add_with_ids(vectors, labels)
        except RuntimeError as exc:  # pragma: no cover - faiss internal failure
            raise IndexBackendError("faiss IVF build failed") from exc
        self._index, self.trained_on, self.nlist = ivf, len(labels), nlist
        self.nprobe, self.tuned_recall = tune_nprobe(
            ivf, vectors, labels, target=self.target_recall, seed=self.seed, k=RECALL_K
        )
        ivf.nprobe = self.nprobe

    def _all_vectors(self, labels: np.ndarray) -> np.ndarray:
        if len(labels) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [
            self._index.reconstruct_batch(labels[start : start + 65536])
            for start in range(0, len(labels), 65536)
        ]
        return np.ascontiguousarray(np.concatenate(parts), dtype=np.float32)

    # -- persistence --------------------------------------------------------------------------

    def parameters(self) -> dict[str, Any]:
        """What the manifest records about the index type (also for benchmarks and logs)."""
        return {
            "index_type": self.index_type,
            "exact_limit": self.exact_limit,
            "encoding": self.encoding,
            "nlist": self.nlist,
            "nprobe": self.nprobe,
            "trained_on": self.trained_on,
            "target_recall": self.target_recall,
            "tuned_recall": self.tuned_recall,
            "search_threads": self.search_threads,
        }

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
            **self.parameters(),
            "faiss_version": faiss.__version__,
            "created_at": datetime.now(UTC).isoformat(),
        }
        (path / "manifest.json").write_text(json.dumps(manifest, indent=2))

    @classmethod
    def load(cls, path: Path, *, search_threads: int | None = 1) -> FaissIndex:
        try:
            manifest = json.loads((path / "manifest.json").read_text())
            label_of = json.loads((path / "ids.json").read_text())
            raw = faiss.read_index(str(path / "index.faiss"))
        except (OSError, ValueError, RuntimeError) as exc:
            raise ArtifactError(f"cannot read vector index at {path}: {exc}") from exc
        kinds = (cls.kind, *cls.legacy_kinds)
        if manifest.get("format_version") != FORMAT_VERSION or manifest.get("kind") not in kinds:
            raise ArtifactError(f"unsupported vector index format at {path}")
        if raw.ntotal != len(label_of) or raw.d != manifest["dim"]:
            raise ArtifactError(f"vector index at {path} disagrees with its manifest")
        index_type = manifest.get("index_type", "flat")
        if index_type == "flat":
            if not isinstance(raw, faiss.IndexIDMap2):
                raise ArtifactError(f"vector index at {path} is not an id-mapped faiss index")
        elif index_type in ("ivf-flat", "ivf-sq8"):
            wanted = (
                faiss.IndexIVFFlat if index_type == "ivf-flat" else faiss.IndexIVFScalarQuantizer
            )
            if not isinstance(raw, wanted):
                raise ArtifactError(f"vector index at {path} is not the {index_type} it claims")
            raw.nprobe = int(manifest["nprobe"])
        else:
            raise ArtifactError(f"unknown vector index type {index_type!r} at {path}")
        index = cls(
            int(manifest["dim"]),
            exact_limit=int(manifest.get("exact_limit", EXACT_LIMIT)),
            encoding=manifest.get("encoding", "flat"),
            target_recall=float(manifest.get("target_recall", 0.97)),
            search_threads=search_threads,
        )
        index._index = raw
        index._label_of = {str(k): int(v) for k, v in label_of.items()}
        index._next_label = int(manifest["next_label"])
        index._id_of = [None] * index._next_label
        for record_id, label in index._label_of.items():
            index._id_of[label] = record_id
        index.trained_on = int(manifest.get("trained_on", 0))
        index.nlist = int(manifest.get("nlist", 0))
        index.nprobe = int(manifest.get("nprobe", 0))
        index.tuned_recall = manifest.get("tuned_recall")
        return index
