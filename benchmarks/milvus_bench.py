"""Search latency of the Milvus adapter (milvus-lite) against faiss at a small N, same vectors.

Random unit vectors of the bundled encoder's width (384); one query at a time at the engine's
pool size (k=300) and at k=20; plus upsert throughput and the cost of a delete seen by the very
next search (Strong consistency). Writes ``results/milvus.json``.

    .venv/bin/python -m benchmarks.milvus_bench [--n 10000] [--queries 200]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from matcher.vector_backends import FaissBackend, MilvusBackend, VectorBackend

DIM = 384


def _unit(rng: np.random.Generator, n: int) -> np.ndarray:
    x = rng.normal(size=(n, DIM)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _pct(values: list[float], q: float) -> float:
    return round(float(np.percentile(values, q)), 3)


def measure(backend: VectorBackend, vectors: np.ndarray, queries: np.ndarray) -> dict[str, Any]:
    ids = [f"c{i:07d}" for i in range(len(vectors))]
    index = backend(DIM, "candidate")
    start = time.perf_counter()
    for s in range(0, len(ids), 1000):
        index.add(ids[s : s + 1000], vectors[s : s + 1000])
        if s and s % 5000 == 0:
            print(f"  {backend.name}: {s} vectors added", flush=True)
    add_s = time.perf_counter() - start
    out: dict[str, Any] = {"add_vectors_per_s": round(len(ids) / add_s, 1)}
    for k in (300, 20):
        times = []
        for q in queries:
            t = time.perf_counter()
            index.search(q[None, :], k)
            times.append((time.perf_counter() - t) * 1000)
        out[f"search_k{k}_ms"] = {"p50": _pct(times, 50), "p95": _pct(times, 95)}
        print(f"  {backend.name}: k={k} p50 {out[f'search_k{k}_ms']['p50']} ms", flush=True)
    cycle = []
    for i in range(20):  # delete, then search: the deleted id must be gone at once
        t = time.perf_counter()
        index.remove([ids[i]])
        hits = index.search(vectors[i][None, :], 5)[0]
        cycle.append((time.perf_counter() - t) * 1000)
        assert ids[i] not in [h for h, _ in hits], "a deleted id came back"
    out["delete_then_search_ms_p50"] = round(statistics.median(cycle), 3)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--out", type=Path, default=Path("results/milvus.json"))
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    vectors, queries = _unit(rng, args.n), _unit(rng, args.queries)
    with tempfile.TemporaryDirectory(prefix="cocok-milvus-bench-") as folder:
        backends: list[VectorBackend] = [FaissBackend(), MilvusBackend(f"{folder}/bench.db")]
        results = {}
        for backend in backends:
            print(f"{backend.name}: {args.n} vectors, {args.queries} queries", flush=True)
            results[backend.name] = measure(backend, vectors, queries)
            backend.close()
    report = {
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "platform": f"python {platform.python_version()}, {platform.machine()}",
        "n": args.n,
        "dim": DIM,
        "queries": args.queries,
        "milvus": "milvus-lite (in-process, gRPC on localhost), FLAT index, Strong consistency",
        "results": results,
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report["results"], indent=2))


if __name__ == "__main__":
    main()
