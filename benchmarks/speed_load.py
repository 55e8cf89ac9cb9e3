"""A bounded load generator on loopback: C threads, each with its own keep-alive client.

Every client sends its share of a fixed list of requests back to back (closed loop: a client
waits for its answer before the next request), so C is the number of requests in flight. The
run is bounded by the list's length and a per-request timeout; latencies are per request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import httpx

WARMUP = 5  # untimed requests per client before its timed share


def run_load(
    url: str, headers: dict[str, str], paths: Sequence[str], clients: int, key: str | None
) -> tuple[list[float], list[list[str]], float]:
    """Latency of each path (seconds), each answer's ids (``key`` of every item; none when
    ``key`` is None, for an answer that is not a list of items), wall time."""
    seconds: list[float] = [0.0] * len(paths)
    answers: list[list[str]] = [[] for _ in paths]
    start_line = threading.Barrier(clients)

    def worker(w: int) -> None:
        mine = range(w, len(paths), clients)
        with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
            for i in list(mine)[:WARMUP]:
                client.get(paths[i]).raise_for_status()
            start_line.wait(timeout=120)
            for i in mine:
                t0 = time.perf_counter()
                response = client.get(paths[i])
                seconds[i] = time.perf_counter() - t0
                response.raise_for_status()
                if key is not None:
                    answers[i] = [item[key] for item in response.json()["items"]]

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        for future in [pool.submit(worker, w) for w in range(clients)]:
            future.result()
    return seconds, answers, time.perf_counter() - t0
