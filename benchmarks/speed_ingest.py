"""Ingest end to end through the batch endpoints, beside the raw encoder on the same texts.

The raw encoder (the one ``cocok serve`` builds for ``COCOK_ENCODER``) encodes exactly the texts
the engine embeds, the Matcher's profile texts, in batches of the same size: the most records per
second any ingest path could reach. Then a fresh server ingests the same records through
``POST /v1/{candidates,vacancies}/batch``, every request timed and every item required to be
accepted.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

import httpx
import numpy as np

from matcher.records import Candidate, Vacancy

log = logging.getLogger("benchmarks.speed")


def raw_encoder(kind: str) -> Any:
    """The encoder ``cocok serve`` builds for ``COCOK_ENCODER=kind`` (same class, same dim)."""
    from matcher.encoder import HashingEncoder, load_bundled_encoder

    if kind == "hashing":
        return HashingEncoder(dim=64)  # service.engine_gateway.build_encoder uses dim=64
    return load_bundled_encoder()


def engine_texts(
    encoder: Any, candidates: Sequence[Candidate], vacancies: Sequence[Vacancy]
) -> list[str]:
    from matcher.engine import Matcher

    probe = Matcher(encoder=encoder)
    probe._setup()
    texts = [probe.profiler_.candidate(c).text for c in candidates]
    return texts + [probe.profiler_.vacancy(v).text for v in vacancies]


def time_encoder(encoder: Any, texts: list[str], batch: int) -> dict[str, Any]:
    encoder.encode(texts[:8])  # warm-up: the first call pays lazy initialisation
    seconds = []
    for start in range(0, len(texts), batch):
        t0 = time.perf_counter()
        encoder.encode(texts[start : start + batch])
        seconds.append(time.perf_counter() - t0)
        log.info("raw encoder: %d/%d texts", min(start + batch, len(texts)), len(texts))
    total = sum(seconds)
    return {
        "texts": len(texts),
        "unique_texts": len(set(texts)),
        "texts_per_s": round(len(texts) / total, 1),
        "total_s": round(total, 2),
        "batch_s_median": round(float(np.median(seconds)), 3),
    }


def ingest(
    client: httpx.Client, kind: str, rows: list[dict[str, Any]], batch: int
) -> tuple[float, list[float]]:
    seconds: list[float] = []
    started = time.perf_counter()
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        t0 = time.perf_counter()
        response = client.post(f"/v1/{kind}/batch", json={"items": chunk}, timeout=3600)
        seconds.append(time.perf_counter() - t0)
        response.raise_for_status()
        body = response.json()
        if body["errors"] or body["upserted"] != len(chunk):
            raise RuntimeError(f"{kind} batch rejected items: {body['errors'][:2]}")
        log.info("ingest %s: %d/%d", kind, start + len(chunk), len(rows))
    return time.perf_counter() - started, seconds


def ingest_result(
    encoder: dict[str, Any], c: tuple[float, list[float]], v: tuple[float, list[float]], n: int
) -> dict[str, Any]:
    (c_s, c_batches), (v_s, v_batches) = c, v
    rate = n / (c_s + v_s)
    return {
        "records": n,
        "records_per_s": round(rate, 1),
        "total_s": round(c_s + v_s, 2),
        "batch_s": [round(s, 3) for s in c_batches + v_batches],
        "batch_s_median": round(float(np.median(c_batches + v_batches)), 3),
        "batch_s_max": round(float(max(c_batches + v_batches)), 3),
        "raw_encoder": encoder,
        "ingest_over_encoder": round(rate / encoder["texts_per_s"], 3),
    }
