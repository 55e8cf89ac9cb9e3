"""Rate-limit flood and the cost of vector dimensions, measured beside the load run."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import numpy as np

# ------------------------------------------------------------------------------ rate limit


def _pct(values: list[float], q: float) -> float:
    return round(float(np.percentile(values, q)), 2) if values else float("nan")


def rate_limit_check(url: str, admin_key: str, seconds: float, threads: int) -> dict[str, Any]:
    """One key floods a list endpoint while /healthz is polled; healthz must stay fast."""
    admin = {"Authorization": f"Bearer {admin_key}"}
    with httpx.Client(base_url=url, timeout=30) as c:
        created = c.post("/v1/keys", json={"role": "portal", "label": "flood"}, headers=admin)
        created.raise_for_status()
        flood_key = {"Authorization": f"Bearer {created.json()['key']}"}

    def poll_health(until: float, out: list[float]) -> None:
        with httpx.Client(base_url=url, timeout=30) as c:
            while time.monotonic() < until:
                t = time.perf_counter()
                if c.get("/healthz").status_code != 200:
                    out.append(float("inf"))
                else:
                    out.append((time.perf_counter() - t) * 1000)
                time.sleep(0.05)

    baseline: list[float] = []
    poll_health(time.monotonic() + 5, baseline)
    codes: dict[int, int] = {}
    retry_after: set[str] = set()
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def flood() -> None:
        with httpx.Client(base_url=url, timeout=30) as c:
            while time.monotonic() < stop_at:
                r = c.get("/v1/vacancies?limit=1", headers=flood_key)
                with lock:
                    codes[r.status_code] = codes.get(r.status_code, 0) + 1
                    if r.status_code == 429:
                        retry_after.add(r.headers.get("retry-after", "<missing>"))

    during: list[float] = []
    workers = [threading.Thread(target=flood) for _ in range(threads)]
    health = threading.Thread(target=poll_health, args=(stop_at, during))
    for w in [*workers, health]:
        w.start()
    for w in [*workers, health]:
        w.join(timeout=seconds + 60)
    return {
        "flood_seconds": seconds,
        "flood_threads": threads,
        "flood_status_counts": {str(k): v for k, v in sorted(codes.items())},
        "retry_after_values": sorted(retry_after),
        "healthz_idle": {
            "n": len(baseline),
            "p50_ms": _pct(baseline, 50),
            "p95_ms": _pct(baseline, 95),
        },
        "healthz_during_flood": {
            "n": len(during),
            "p50_ms": _pct(during, 50),
            "p95_ms": _pct(during, 95),
            "max_ms": round(max(during), 2) if during else None,
        },
    }


# ------------------------------------------------------------------------------ dimension cost


def dimension_cost(n: int, queries: int = 100) -> dict[str, Any]:
    """What 384-dim vectors (the bundled model) cost one query beyond 64-dim (hashing).

    The dimension enters a query in two places: the faiss search for the dense pool (k=300) and
    the dense re-scoring pass over every record's vector; both are timed at 64 and 384 dims.
    """
    from matcher.index import FaissIndex

    out: dict[str, Any] = {"records": n, "queries": queries}
    rng = np.random.default_rng(0)
    for dim in (64, 384):
        vectors = rng.standard_normal((n, dim)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        index = FaissIndex(dim)
        index.add([str(i) for i in range(n)], vectors)
        for q in range(5):  # warm-up: first calls pay for thread start-up
            index.search(vectors[q][None, :], 300)
        search, matvec = [], []
        for q in range(queries):
            query = vectors[q]
            t = time.perf_counter()
            index.search(query[None, :], 300)
            search.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            _ = vectors @ query
            matvec.append((time.perf_counter() - t) * 1000)
        out[f"dim{dim}"] = {
            "faiss_k300_p50_ms": _pct(search, 50),
            "rescore_all_p50_ms": _pct(matvec, 50),
        }
    extra = sum(out["dim384"].values()) - sum(out["dim64"].values())
    out["extra_ms_per_query_p50"] = round(extra, 2)
    return out
