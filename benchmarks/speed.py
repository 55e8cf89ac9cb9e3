"""Speed of the service over real HTTP, beside the raw engine, index and encoder in the same run.

    python -m benchmarks.speed [--candidates 10000] [--vacancies 500] [--encoder bundled]
                               [--queries 200] [--batch 500] [--out results]

Generates demo records, then:

1. encodes exactly the texts the engine embeds (the Matcher's profile texts) with the raw encoder,
   in batches of ``--batch``: the ingest ceiling;
2. fits a Matcher in-process on the same records, reusing those vectors (no second encoding), and
   times ``recommend_candidates``/``recommend_vacancies`` and a raw faiss search for the query ids;
3. starts ``cocok serve`` on a free loopback port with a fresh data folder and admin key, waits for
   ``/healthz``, ingests through the batch endpoints (timing every batch), reads the server's
   resident memory, then times both match endpoints with one keep-alive client for the same ids.

Writes results/speed.json and results/speed.md (generated, never edited by hand). The server is
stopped at the end, also on error. Loopback only; every loop is bounded.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import secrets
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from benchmarks.speed_report import render
from benchmarks.speed_server import (
    log_tail,
    proc_memory_mb,
    start_server,
    stop_server,
    wait_healthy,
    wait_settled,
)

REPO = Path(__file__).resolve().parent.parent
console = Console()
WARMUP = 5  # untimed calls before each latency series (first-call imports, caches)
HEALTH_LIMIT_S = 900.0
SETTLE_LIMIT_S = 30.0


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def _percentiles(seconds: Sequence[float]) -> dict[str, float]:
    ms = np.asarray(seconds, dtype=np.float64) * 1000
    return {f"p{q}": round(float(np.percentile(ms, q)), 3) for q in (50, 95, 99)}


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 2) if b > 0 else None


# -- encoder --------------------------------------------------------------------------------


def _raw_encoder(kind: str) -> Any:
    """The encoder ``cocok serve`` builds for ``COCOK_ENCODER=kind`` (same class, same dim)."""
    from matcher.encoder import HashingEncoder, load_bundled_encoder

    if kind == "hashing":
        return HashingEncoder(dim=64)  # service.engine_gateway.build_encoder uses dim=64
    return load_bundled_encoder()


class _Precomputed:
    """Hands back vectors the raw-encoder pass already made; encodes anything else afresh."""

    def __init__(self, inner: Any, texts: Sequence[str], vectors: np.ndarray) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self._known = dict(zip(texts, vectors, strict=True))
        self.misses = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        missing = [i for i, t in enumerate(texts) if t not in self._known]
        if missing:
            self.misses += len(missing)
            out[missing] = self.inner.encode([texts[i] for i in missing])
        for i, text in enumerate(texts):
            if text in self._known:
                out[i] = self._known[text]
        return out


def _time_encoder(encoder: Any, texts: list[str], batch: int) -> tuple[np.ndarray, list[float]]:
    encoder.encode(texts[:8])  # warm-up: first call pays lazy initialisation
    parts, seconds = [], []
    with _progress() as bar:
        task = bar.add_task("raw encoder", total=len(texts))
        for start in range(0, len(texts), batch):
            chunk = texts[start : start + batch]
            t0 = time.perf_counter()
            parts.append(encoder.encode(chunk))
            seconds.append(time.perf_counter() - t0)
            bar.advance(task, len(chunk))
    return np.concatenate(parts), seconds


# -- server ---------------------------------------------------------------------------------


def _ingest(
    client: httpx.Client, kind: str, rows: list[dict[str, Any]], batch: int
) -> tuple[float, list[float]]:
    seconds: list[float] = []
    started = time.perf_counter()
    with _progress() as bar:
        task = bar.add_task(f"ingest {kind}", total=len(rows))
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            t0 = time.perf_counter()
            response = client.post(f"/v1/{kind}/batch", json={"items": chunk}, timeout=3600)
            seconds.append(time.perf_counter() - t0)
            response.raise_for_status()
            body = response.json()
            if body["errors"] or body["upserted"] != len(chunk):
                raise RuntimeError(f"{kind} batch rejected items: {body['errors'][:2]}")
            bar.advance(task, len(chunk))
    return time.perf_counter() - started, seconds


def _time_calls(label: str, fn: Callable[[str], Any], ids: list[str]) -> tuple[list[float], list]:
    for record_id in ids[:WARMUP]:
        fn(record_id)
    seconds, results = [], []
    with _progress() as bar:
        task = bar.add_task(label, total=len(ids))
        for record_id in ids:
            t0 = time.perf_counter()
            result = fn(record_id)
            seconds.append(time.perf_counter() - t0)
            results.append(result)
            bar.advance(task)
    return seconds, results


# -- the run --------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    from matcher.demo import generate_demo
    from matcher.engine import Matcher

    run_started = time.perf_counter()
    today = datetime.now(UTC).date()  # the service's "today" (service.db.repository.today)
    with console.status("generating demo records"):
        demo = generate_demo(
            seed=11,
            n_schools=30,
            n_candidates=args.candidates,
            n_vacancies=args.vacancies,
            as_of=date.today(),
        )
    cand_rows = [c.model_dump(mode="json", exclude_none=True) for c in demo.candidates]
    vac_rows = [v.model_dump(mode="json", exclude_none=True) for v in demo.vacancies]
    rng = random.Random(2026)
    open_vacs = [v.id for v in demo.vacancies if v.status == "open"]
    seekers = [c.id for c in demo.candidates if c.status == "seeking"]
    v_ids = [rng.choice(open_vacs) for _ in range(args.queries)]
    c_ids = [rng.choice(seekers) for _ in range(args.queries)]

    # 1. raw encoder ceiling on exactly the texts the engine embeds
    with console.status(f"loading the {args.encoder} encoder"):
        raw = _raw_encoder(args.encoder)
        probe = Matcher(encoder=raw)
        probe._setup()
        texts = [probe.profiler_.candidate(c).text for c in demo.candidates]
        texts += [probe.profiler_.vacancy(v).text for v in demo.vacancies]
    vectors, encode_batches = _time_encoder(raw, texts, args.batch)
    encode_s = sum(encode_batches)
    encoder_rate = len(texts) / encode_s
    console.print(f"raw encoder: {encoder_rate:.1f} texts/s over {len(texts):,} texts")

    # 2. in-process engine on the same records, vectors reused from the pass above
    replay = _Precomputed(raw, texts, vectors)
    with console.status("fitting the in-process Matcher (vectors reused)"):
        t0 = time.perf_counter()
        matcher = Matcher(encoder=replay).fit(demo.candidates, [])
        fit_c_s = time.perf_counter() - t0
        for start in range(0, len(demo.vacancies), args.batch):  # as the batch endpoint does
            matcher.upsert_vacancies(demo.vacancies[start : start + args.batch])
        fit_no_encode_s = time.perf_counter() - t0
    engine_v, engine_v_res = _time_calls(
        "engine vacancy→candidates",
        lambda i: [m.candidate_id for m in matcher.recommend_candidates(i, k=20, as_of=today)],
        v_ids,
    )
    engine_c, engine_c_res = _time_calls(
        "engine candidate→vacancies",
        lambda i: [m.vacancy_id for m in matcher.recommend_vacancies(i, k=20, as_of=today)],
        c_ids,
    )
    v_query = {i: matcher.vacancy_index_.get([i]) for i in set(v_ids)}
    c_query = {i: matcher.candidate_index_.get([i]) for i in set(c_ids)}
    faiss_c, _ = _time_calls(
        "faiss over candidates",
        lambda i: matcher.candidate_index_.search(v_query[i], 20),
        v_ids,
    )
    faiss_c_pool, _ = _time_calls(
        "faiss over candidates, pool",
        lambda i: matcher.candidate_index_.search(v_query[i], matcher.pool_size),
        v_ids,
    )
    faiss_v, _ = _time_calls(
        "faiss over vacancies",
        lambda i: matcher.vacancy_index_.search(c_query[i], 20),
        c_ids,
    )

    # the same two floors with faiss limited to one OpenMP thread (see docs/performance.md)
    import faiss

    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        faiss_c_1t, _ = _time_calls(
            "faiss over candidates, 1 thread",
            lambda i: matcher.candidate_index_.search(v_query[i], 20),
            v_ids,
        )
        engine_v_1t, _ = _time_calls(
            "engine vacancy→candidates, 1 thread",
            lambda i: matcher.recommend_candidates(i, k=20, as_of=today),
            v_ids,
        )
    finally:
        faiss.omp_set_num_threads(threads)

    # 3. the real service over loopback HTTP
    admin = "bench-" + secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory(prefix="cocok-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        log_path = Path(tmp) / "serve.log"
        proc, url = start_server(data_dir, admin, args.encoder, log_path)
        try:
            with console.status("waiting for /healthz"):
                healthy_s = wait_healthy(url, proc, HEALTH_LIMIT_S)
            console.print(f"server healthy after {healthy_s:.2f} s")
            headers = {"Authorization": f"Bearer {admin}"}
            with httpx.Client(base_url=url, headers=headers, timeout=120) as client:
                ingest_c, batches_c = _ingest(client, "candidates", cand_rows, args.batch)
                ingest_v, batches_v = _ingest(client, "vacancies", vac_rows, args.batch)
                memory = proc_memory_mb(proc.pid)
                ready = client.get("/readyz").json()
                seq = int(ready.get("applied_change_seq", 0))
                with console.status("waiting for the background snapshot"):
                    settle_s = wait_settled(data_dir, seq, SETTLE_LIMIT_S)

                def get(path: str, other: str) -> list[str]:
                    response = client.get(path)
                    response.raise_for_status()
                    return [item[f"{other}_id"] for item in response.json()["items"]]

                http_v, http_v_res = _time_calls(
                    "HTTP vacancy→candidates",
                    lambda i: get(f"/v1/vacancies/{i}/matches?k=20", "candidate"),
                    v_ids,
                )
                http_c, http_c_res = _time_calls(
                    "HTTP candidate→vacancies",
                    lambda i: get(f"/v1/candidates/{i}/matches?k=20", "vacancy"),
                    c_ids,
                )
                memory_after_queries = proc_memory_mb(proc.pid)
        except BaseException:
            console.print(f"[red]server log tail:[/red]\n{log_tail(log_path)}")
            raise
        finally:
            stop_server(proc)

    n_records = len(cand_rows) + len(vac_rows)
    ingest_rate = n_records / (ingest_c + ingest_v)
    rate_c = len(cand_rows) / ingest_c
    rate_v = len(vac_rows) / ingest_v
    hv, hc = _percentiles(http_v), _percentiles(http_c)
    ev, ec = _percentiles(engine_v), _percentiles(engine_c)
    fc, fv = _percentiles(faiss_c), _percentiles(faiss_v)
    same_v = sum(a == b for a, b in zip(http_v_res, engine_v_res, strict=True))
    same_c = sum(a == b for a, b in zip(http_c_res, engine_c_res, strict=True))

    def direction(
        http: dict[str, float],
        engine: dict[str, float],
        floor: dict[str, float],
        same: int,
        results: list[list[str]],
    ) -> dict[str, Any]:
        return {
            "http": http,
            "engine": engine,
            "raw_faiss_k20": floor,
            "http_over_engine": {q: _ratio(http[q], engine[q]) for q in http},
            "engine_over_faiss_p50": _ratio(engine["p50"], floor["p50"]),
            "http_minus_engine_p50_ms": round(http["p50"] - engine["p50"], 3),
            "same_top20_as_engine": f"{same}/{len(results)}",
            "mean_items": round(float(np.mean([len(r) for r in results])), 1),
        }

    return {
        "generated_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "platform": f"python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} cpus",
        "encoder": args.encoder,
        "encoder_name": raw.name,
        "candidates": len(cand_rows),
        "vacancies": len(vac_rows),
        "open_vacancies": len(open_vacs),
        "seeking_candidates": len(seekers),
        "queries": args.queries,
        "warmup_calls": WARMUP,
        "batch": args.batch,
        "start_to_healthy_s": round(healthy_s, 2),
        "ingest": {
            "records_per_s": round(ingest_rate, 1),
            "candidates_per_s": round(rate_c, 1),
            "vacancies_per_s": round(rate_v, 1),
            "total_s": round(ingest_c + ingest_v, 2),
            "batch_s_candidates": [round(s, 3) for s in batches_c],
            "batch_s_vacancies": [round(s, 3) for s in batches_v],
            "batch_s_median": round(float(np.median(batches_c + batches_v)), 3),
            "batch_s_max": round(float(max(batches_c + batches_v)), 3),
        },
        "raw_encoder": {
            "texts": len(texts),
            "unique_texts": len(set(texts)),
            "texts_per_s": round(encoder_rate, 1),
            "total_s": round(encode_s, 2),
            "batch_s_median": round(float(np.median(encode_batches)), 3),
        },
        "ingest_vs_encoder": round(ingest_rate / encoder_rate, 3),
        "engine_fit_without_encoding_s": round(fit_no_encode_s, 2),
        "engine_fit_records_per_s": round(n_records / fit_no_encode_s, 1),
        "engine_fit_candidates_per_s": round(len(cand_rows) / fit_c_s, 1),
        "engine_fit_vacancies_per_s": round(len(vac_rows) / (fit_no_encode_s - fit_c_s), 1),
        "engine_reencoded_texts": replay.misses,
        "snapshot_settle_s": None if settle_s is None else round(settle_s, 2),
        "server_memory_mb_after_ingest": memory,
        "server_memory_mb_after_queries": memory_after_queries,
        "vacancy_to_candidates_ms": direction(hv, ev, fc, same_v, http_v_res),
        "candidate_to_vacancies_ms": direction(hc, ec, fv, same_c, http_c_res),
        "raw_faiss_candidates_k_pool_ms": {"k": matcher.pool_size, **_percentiles(faiss_c_pool)},
        "faiss_omp_threads": threads,
        "one_omp_thread": {
            "raw_faiss_candidates_k20_ms": _percentiles(faiss_c_1t),
            "engine_vacancy_to_candidates_ms": _percentiles(engine_v_1t),
        },
        "bench_wall_s": round(time.perf_counter() - run_started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--vacancies", type=int, default=500)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--batch", type=int, default=500, help="items per batch request (≤1000)")
    parser.add_argument("--encoder", choices=["bundled", "hashing"], default="bundled")
    parser.add_argument("--out", type=Path, default=REPO / "results")
    args = parser.parse_args(argv)
    if not 1 <= args.batch <= 1000:
        parser.error("--batch must be from 1 to 1000 (the contract's limit)")
    if args.candidates < 1 or args.vacancies < 1 or args.queries < 1:
        parser.error("--candidates, --vacancies and --queries must be at least 1")
    result = run(args)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "speed.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    table = render(result)
    (args.out / "speed.md").write_text("# Speed\n\n" + table)
    console.print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
