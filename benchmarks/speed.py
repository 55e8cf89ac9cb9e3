"""Speed of the service over real HTTP, with its floors measured in the same run.

    python -m benchmarks.speed [--sizes 10000,100000] [--clients 1,8] [--queries 200]
                               [--ingest 1000] [--encoder bundled] [--batch 500] [--out results]

1. **Ingest** (``--ingest`` candidates plus a tenth as many vacancies; 0 skips): the raw encoder
   on exactly the texts the engine embeds (the ceiling), then a fresh ``cocok serve`` ingests the
   same records through the batch endpoints (``benchmarks.speed_ingest``).
2. **Latency**, for each size N (and N/10 vacancies): the records are stored in a fresh data
   folder and snapshotted through the service's own code with synthetic vectors
   (``benchmarks.speed_store``: no bundled encoder, no hour-long ingest); in the same process the
   fitted engine gives the floors on the same vectors: a raw faiss search (k=20, one OpenMP
   thread and faiss's default), a BM25 query, the in-process engine call. Then ``cocok serve``
   starts on that folder: time from process start to ``/healthz`` = 200 is the cold start with
   N stored records; both match endpoints are timed with 1 and 8 concurrent clients
   (``benchmarks.speed_load``); the server's resident memory is read from ``/proc``.

Writes results/speed.json and results/speed.md (generated, never edited by hand). Every server is
stopped at the end, also on error. Loopback only; every loop is bounded.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import random
import secrets
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx

from benchmarks import speed_ingest
from benchmarks.speed_data import percentiles, ratio
from benchmarks.speed_load import run_load
from benchmarks.speed_report import render
from benchmarks.speed_server import (
    log_tail,
    proc_memory_mb,
    start_server,
    stop_server,
    wait_for_log,
    wait_healthy,
)
from benchmarks.speed_store import seed_data_dir

REPO = Path(__file__).resolve().parent.parent
log = logging.getLogger("benchmarks.speed")
HEALTH_LIMIT_S = 1800.0
WARMUP = 5


def _demo(n: int) -> Any:
    from matcher.demo import generate_demo

    vacancies = min(10_000, max(50, n // 10))
    return generate_demo(
        seed=11, n_schools=60, n_candidates=n, n_vacancies=vacancies, as_of=date.today()
    )


def _timed(fn: Callable[[str], Any], ids: list[str]) -> tuple[list[float], list[Any]]:
    for record_id in ids[:WARMUP]:
        fn(record_id)
    seconds, results = [], []
    for record_id in ids:
        t0 = time.perf_counter()
        results.append(fn(record_id))
        seconds.append(time.perf_counter() - t0)
    return seconds, results


def run_ingest(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    demo = _demo(args.ingest)
    encoder = speed_ingest.raw_encoder(args.encoder)
    texts = speed_ingest.engine_texts(encoder, demo.candidates, demo.vacancies)
    ceiling = speed_ingest.time_encoder(encoder, texts, args.batch)
    admin = "bench-" + secrets.token_urlsafe(24)
    log_path = tmp / "ingest-serve.log"
    proc, url = start_server(tmp / "ingest-data", admin, args.encoder, log_path)
    try:
        healthy_s = wait_healthy(url, proc, HEALTH_LIMIT_S)
        headers = {"Authorization": f"Bearer {admin}"}
        with httpx.Client(base_url=url, headers=headers, timeout=120) as client:
            dump = [c.model_dump(mode="json", exclude_none=True) for c in demo.candidates]
            c = speed_ingest.ingest(client, "candidates", dump, args.batch)
            dump = [v.model_dump(mode="json", exclude_none=True) for v in demo.vacancies]
            v = speed_ingest.ingest(client, "vacancies", dump, args.batch)
        memory = proc_memory_mb(proc.pid)
    except BaseException:
        log.error("server log tail:\n%s", log_tail(log_path))
        raise
    finally:
        stop_server(proc)
    n = len(demo.candidates) + len(demo.vacancies)
    out = speed_ingest.ingest_result(ceiling, c, v, n)
    out.update(start_to_healthy_empty_s=round(healthy_s, 2), server_memory_mb=memory)
    return out


def _floors(gateway: Any, v_ids: list[str], c_ids: list[str]) -> dict[str, Any]:
    """In-process engine, raw faiss and BM25 on the vectors and records the server holds."""
    m = gateway.matcher
    today = datetime.now(UTC).date()  # the service's "today" (service.db.repository.today)
    engine_v, res_v = _timed(
        lambda i: [x.candidate_id for x in m.recommend_candidates(i, k=20, as_of=today)], v_ids
    )
    engine_c, res_c = _timed(
        lambda i: [x.vacancy_id for x in m.recommend_vacancies(i, k=20, as_of=today)], c_ids
    )
    index, vac_index = m.candidate_index_, m.vacancy_index_
    vq = {i: vac_index.get([i]) for i in set(v_ids)}
    cq = {i: index.get([i]) for i in set(c_ids)}
    faiss_v, _ = _timed(lambda i: index.search(vq[i], 20), v_ids)
    faiss_c, _ = _timed(lambda i: vac_index.search(cq[i], 20), c_ids)
    threads = getattr(index, "search_threads", None)
    index.search_threads = None  # faiss's own default: one OpenMP thread per core
    try:
        faiss_v_default, _ = _timed(lambda i: index.search(vq[i], 20), v_ids)
    finally:
        index.search_threads = threads
    size = m.candidate_columns_.size
    bm25, _ = _timed(
        lambda i: m.candidate_lexical_.top(m.vacancy_profiles_[i].tokens, 20, size), v_ids
    )
    return {
        "engine_vacancy_to_candidates_ms": percentiles(engine_v),
        "engine_candidate_to_vacancies_ms": percentiles(engine_c),
        "raw_faiss_candidates_k20_ms": percentiles(faiss_v),
        "raw_faiss_candidates_k20_default_threads_ms": percentiles(faiss_v_default),
        "raw_faiss_vacancies_k20_ms": percentiles(faiss_c),
        "bm25_candidates_top20_ms": percentiles(bm25),
        "faiss_search_threads": threads,
        "candidate_index": index.parameters() if hasattr(index, "parameters") else {},
        "vector_dim": m.candidate_columns_.dim,  # the hashing encoder's 64, the models' 384
        "_results": (res_v, res_c),
    }


def run_size(args: argparse.Namespace, n: int, tmp: Path) -> dict[str, Any]:
    demo = _demo(n)
    rng = random.Random(2026)
    open_vacs = [v.id for v in demo.vacancies if v.status == "open"]
    seekers = [c.id for c in demo.candidates if c.status == "seeking"]
    v_ids = [rng.choice(open_vacs) for _ in range(args.queries)]
    c_ids = [rng.choice(seekers) for _ in range(args.queries)]
    data_dir = tmp / f"data-{n}"
    gateway, store_s = seed_data_dir(data_dir, demo.candidates, demo.vacancies, args.encoder)
    floors = _floors(gateway, v_ids, c_ids)
    engine_v, engine_c = floors.pop("_results")
    del gateway, demo

    admin = "bench-" + secrets.token_urlsafe(24)
    log_path = tmp / f"serve-{n}.log"
    launched = time.perf_counter()
    proc, url = start_server(data_dir, admin, args.encoder, log_path)
    out: dict[str, Any] = {"candidates": n, "vacancies": min(10_000, max(50, n // 10))}
    try:
        out["cold_start_s"] = round(wait_healthy(url, proc, HEALTH_LIMIT_S), 2)
        out["server_memory_mb_loaded"] = proc_memory_mb(proc.pid)
        log.info("n=%d: healthy after %.1f s", n, out["cold_start_s"])
        if args.encoder == "bundled":  # the model loads behind a ready server; time it, and
            # time the queries only once it is loaded (its imports compete for the cores)
            ready = wait_for_log(log_path, "encoder ready", proc, HEALTH_LIMIT_S, launched)
            out["encoder_ready_s"] = round(ready, 2)
            log.info("n=%d: encoder loaded after %.1f s", n, ready)
        headers = {"Authorization": f"Bearer {admin}"}
        for clients in args.clients:
            for name, ids, path, key, engine in (
                ("vacancy_to_candidates", v_ids, "vacancies", "candidate_id", engine_v),
                ("candidate_to_vacancies", c_ids, "candidates", "vacancy_id", engine_c),
            ):
                paths = [f"/v1/{path}/{i}/matches?k=20" for i in ids]
                seconds, answers, wall = run_load(url, headers, paths, clients, key)
                same = sum(a == b for a, b in zip(answers, engine, strict=True))
                out[f"{name}_c{clients}_ms"] = {
                    **percentiles(seconds),
                    "requests_per_s": round(len(paths) / wall, 1),
                    "same_top20_as_engine": f"{same}/{len(paths)}",
                }
                log.info("n=%d %s c=%d: %s", n, name, clients, out[f"{name}_c{clients}_ms"])
        # the least any request costs on this stack: /healthz answers from memory, through
        # the same server, middleware and client (the floor under both match endpoints)
        seconds, _, _ = run_load(url, headers, ["/healthz"] * len(v_ids), 1, None)
        out["http_floor_healthz_c1_ms"] = percentiles(seconds)
        out["server_memory_mb_after_queries"] = proc_memory_mb(proc.pid)
    except BaseException:
        log.error("server log tail:\n%s", log_tail(log_path))
        raise
    finally:
        stop_server(proc)
    for name, floor in (
        ("vacancy_to_candidates", floors["raw_faiss_candidates_k20_ms"]),
        ("candidate_to_vacancies", floors["raw_faiss_vacancies_k20_ms"]),
    ):
        http = out[f"{name}_c1_ms"] if 1 in args.clients else None
        if http:
            out[f"{name}_http_over_faiss_p50"] = ratio(http["p50"], floor["p50"])
    rss = out["server_memory_mb_after_queries"].get("VmRSS", 0.0)
    out["server_rss_mb_per_100k_candidates"] = round(rss * 100_000 / n, 1)
    out.update(floors=floors, seed_s=store_s)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000", help="candidates per latency run")
    parser.add_argument("--clients", default="1,8", help="concurrent clients per latency series")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--ingest", type=int, default=1000, help="candidates to ingest; 0 skips")
    parser.add_argument("--batch", type=int, default=500, help="items per batch request (≤1000)")
    parser.add_argument("--encoder", choices=["bundled", "hashing"], default="bundled")
    parser.add_argument("--out", type=Path, default=REPO / "results")
    args = parser.parse_args(argv)
    args.sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    args.clients = [int(s) for s in args.clients.split(",") if s.strip()]
    if not 1 <= args.batch <= 1000:
        parser.error("--batch must be from 1 to 1000 (the contract's limit)")
    if min(args.sizes, default=0) < 100 or args.queries < 1 or min(args.clients) < 1:
        parser.error("sizes must be at least 100, --queries and --clients at least 1")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally: stop servers
    started = time.perf_counter()
    result: dict[str, Any] = {
        "generated_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "platform": f"python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} cpus",
        "encoder": args.encoder,
        "queries": args.queries,
        "clients": args.clients,
    }
    with tempfile.TemporaryDirectory(prefix="cocok-bench-") as tmp:
        if args.ingest:
            result["ingest"] = run_ingest(args, Path(tmp))
        result["sizes"] = [run_size(args, n, Path(tmp)) for n in args.sizes]
    result["bench_wall_s"] = round(time.perf_counter() - started, 1)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "speed.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    table = render(result)
    (args.out / "speed.md").write_text("# Speed\n\n" + table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
