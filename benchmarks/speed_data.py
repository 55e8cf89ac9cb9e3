"""Synthetic but structured vectors for the speed and scale benchmarks, and small shared helpers.

Encoding a million profile texts with the bundled model would take about eleven hours on this
machine (≈ 25 texts/s), so the benchmarks that need 100k or 1M records use a *random projection
of hashed words* instead: every word is hashed into one of 2¹⁴ buckets, each bucket has a fixed
random 384-dim direction, and a text's vector is the normalised sum over its words. Texts that
share words (a major, a skill, a job title) land close together, so the vectors are clustered the
way profile embeddings are and an IVF index behaves as it would on real ones. It is
deterministic (a fixed seed, no Python ``hash``) and encodes ~10,000 texts/s.

It is *not* the bundled model: latency and recall figures measured on it are about the index and
the engine, not about the quality of the embeddings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from matcher.records import Candidate, Vacancy

BUCKETS = 2**14


class ProjectionEncoder:
    """Hashed bag of words times a fixed random matrix; rows are L2-normalised float32.

    ``name``/``digest`` can be set to the bundled model's identity so a snapshot built with it is
    accepted by a server that loads the bundled model (the cold-start benchmark); nothing else
    reads them.
    """

    def __init__(
        self, dim: int = 384, *, seed: int = 7, name: str = "projection-384", digest: str = ""
    ) -> None:
        from sklearn.feature_extraction.text import HashingVectorizer

        self.dim = dim
        self.name = name
        self.digest = digest or name
        self._vectorizer = HashingVectorizer(
            n_features=BUCKETS, alternate_sign=False, norm=None, lowercase=True
        )
        rng = np.random.default_rng(seed)
        self._projection = rng.normal(size=(BUCKETS, dim)).astype(np.float32)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        counts = self._vectorizer.transform(list(texts)).astype(np.float32)
        counts.data = np.sqrt(counts.data)  # damp repeated words
        out = np.asarray(counts @ self._projection, dtype=np.float32)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return out / norms


def record_text(record: Candidate | Vacancy) -> str:
    """The words that decide what a record is about: major/programs, skills, job titles."""
    if isinstance(record, Candidate):
        jobs = " ".join(e.title for e in record.experience)
        return f"{record.major or ''} {' '.join(record.skills)} {jobs}"
    return f"{record.title} {' '.join(record.majors)} {' '.join(record.skills)}"


def bundled_identity() -> dict[str, str]:
    """The bundled model's name and weights digest, read from the pins (no torch import)."""
    from matcher.encoder import load_pins, model_hash

    pins = load_pins()
    return {"name": str(pins["name"]), "digest": model_hash(pins)}


def percentiles(seconds: Sequence[float]) -> dict[str, float]:
    ms = np.asarray(seconds, dtype=np.float64) * 1000
    return {f"p{q}": round(float(np.percentile(ms, q)), 3) for q in (50, 95, 99)}


def ratio(a: float, b: float) -> float | None:
    return round(a / b, 2) if b > 0 else None


def exact_top(vectors: np.ndarray, ids: Sequence[Any], queries: np.ndarray, k: int) -> list[set]:
    """Exact top-``k`` ids per query by brute force (numpy, in chunks): the recall oracle."""
    best_s = np.full((len(queries), 0), -np.inf, dtype=np.float32)
    best_i = np.zeros((len(queries), 0), dtype=np.int64)
    for start in range(0, len(vectors), 100_000):
        scores = queries @ vectors[start : start + 100_000].T
        cols = np.arange(start, start + scores.shape[1])
        best_s = np.concatenate([best_s, scores], axis=1)
        best_i = np.concatenate([best_i, np.broadcast_to(cols, scores.shape)], axis=1)
        keep = np.argsort(-best_s, axis=1)[:, :k]
        best_s = np.take_along_axis(best_s, keep, axis=1)
        best_i = np.take_along_axis(best_i, keep, axis=1)
    return [{ids[i] for i in row} for row in best_i]
