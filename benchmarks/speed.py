"""Speed of the service over real HTTP, beside the raw engine, index and encoder in the same run.

    python -m benchmarks.speed [--candidates 10000] [--vacancies 500] [--encoder bundled]

Starts ``cocok serve`` on a free loopback port with a fresh data folder, ingests demo records
through the batch endpoints, then times both match endpoints with one keep-alive client. The
same records are fitted in-process so every HTTP figure has its floor beside it: the engine call,
the raw faiss search, the raw encoder. Writes results/speed.json and results/speed.md. Loopback
only; every loop is bounded.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from rich.console import Console
from rich.progress import Progress

REPO = Path(__file__).resolve().parent.parent
console = Console()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _percentiles(seconds: list[float]) -> dict[str, float]:
    ms = np.asarray(seconds) * 1000
    return {f"p{q}": round(float(np.percentile(ms, q)), 2) for q in (50, 95, 99)}


def _encoder(kind: str) -> Any:
    from matcher.encoder import CachedEncoder, HashingEncoder, load_bundled_encoder

    inner = load_bundled_encoder() if kind == "bundled" else HashingEncoder(384)
    return CachedEncoder(inner)


def _start_server(data_dir: Path, admin_key: str, encoder: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = dict(
        os.environ, COCOK_DATA_DIR=str(data_dir), COCOK_ADMIN_KEY=admin_key, COCOK_ENCODER=encoder
    )
    cocok = Path(sys.executable).with_name("cocok")
    proc = subprocess.Popen(
        [str(cocok), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return proc, f"http://127.0.0.1:{port}"


def _wait_healthy(url: str, proc: subprocess.Popen, limit_s: float = 600) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < limit_s:
        if proc.poll() is not None:
            raise RuntimeError("cocok serve exited before it became healthy")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError("cocok serve did not become healthy in time")


def _ingest(client: httpx.Client, kind: str, rows: list[dict[str, Any]], batch: int) -> float:
    started = time.perf_counter()
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task(f"ingest {kind}", total=len(rows))
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            response = client.post(f"/v1/{kind}/batch", json={"items": chunk}, timeout=3600)
            response.raise_for_status()
            if response.json()["errors"]:
                raise RuntimeError(f"{kind} batch rejected items: {response.json()['errors'][:2]}")
            bar.advance(task, len(chunk))
    return time.perf_counter() - started


def _time_calls(fn: Any, ids: list[str]) -> list[float]:
    out = []
    for record_id in ids:
        started = time.perf_counter()
        fn(record_id)
        out.append(time.perf_counter() - started)
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    from matcher.demo import generate_demo
    from matcher.engine import Matcher

    demo = generate_demo(
        seed=11, n_schools=30, n_candidates=args.candidates, n_vacancies=args.vacancies
    )
    cand_rows = [c.model_dump(mode="json", exclude_none=True) for c in demo.candidates]
    vac_rows = [v.model_dump(mode="json", exclude_none=True) for v in demo.vacancies]
    rng = random.Random(2026)
    open_vacs = [v.id for v in demo.vacancies if v.status == "open"]
    seekers = [c.id for c in demo.candidates if c.status == "seeking"]
    v_ids = [rng.choice(open_vacs) for _ in range(args.queries)]
    c_ids = [rng.choice(seekers) for _ in range(args.queries)]

    # raw encoder ceiling on exactly the texts the engine embeds
    encoder = _encoder(args.encoder)
    probe = Matcher(encoder=encoder)
    probe._setup()
    texts = [probe.profiler_.candidate(c).text for c in demo.candidates]
    texts += [probe.profiler_.vacancy(v).text for v in demo.vacancies]
    started = time.perf_counter()
    encoder.encode(texts)
    encode_s = time.perf_counter() - started
    console.print(f"raw encoder: {len(texts) / encode_s:.1f} texts/s")

    # in-process engine on the same records (vectors come from the warm cache)
    matcher = Matcher(encoder=encoder).fit(demo.candidates, demo.vacancies)
    engine_v = _time_calls(lambda i: matcher.recommend_candidates(i, k=20), v_ids)
    engine_c = _time_calls(lambda i: matcher.recommend_vacancies(i, k=20), c_ids)
    queries = {i: matcher.vacancy_index_.get([i]) for i in set(v_ids)}
    faiss_s = _time_calls(lambda i: matcher.candidate_index_.search(queries[i], 20), v_ids)

    admin = "bench-" + secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory(prefix="cocok-bench-") as tmp:
        proc, url = _start_server(Path(tmp), admin, args.encoder)
        try:
            healthy_s = _wait_healthy(url, proc)
            headers = {"Authorization": f"Bearer {admin}"}
            with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
                ingest_c = _ingest(client, "candidates", cand_rows, args.batch)
                ingest_v = _ingest(client, "vacancies", vac_rows, args.batch)
                rss_kb = 0
                for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        rss_kb = int(line.split()[1])

                def get(path: str) -> None:
                    client.get(path).raise_for_status()

                http_v = _time_calls(lambda i: get(f"/v1/vacancies/{i}/matches?k=20"), v_ids)
                http_c = _time_calls(lambda i: get(f"/v1/candidates/{i}/matches?k=20"), c_ids)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()

    n_records = len(cand_rows) + len(vac_rows)
    ingest_rate = n_records / (ingest_c + ingest_v)
    encoder_rate = len(texts) / encode_s
    hv, hc = _percentiles(http_v), _percentiles(http_c)
    ev, ec = _percentiles(engine_v), _percentiles(engine_c)
    return {
        "generated_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "platform": f"python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} cpus",
        "encoder": args.encoder,
        "candidates": args.candidates,
        "vacancies": args.vacancies,
        "queries": args.queries,
        "start_to_healthy_s": round(healthy_s, 2),
        "ingest_records_per_s": round(ingest_rate, 1),
        "raw_encoder_texts_per_s": round(encoder_rate, 1),
        "ingest_vs_encoder": round(ingest_rate / encoder_rate, 3),
        "server_rss_mb_after_ingest": round(rss_kb / 1024, 1),
        "vacancy_to_candidates_ms": {
            "http": hv,
            "engine": ev,
            "http_over_engine_p50": round(hv["p50"] / ev["p50"], 2),
        },
        "candidate_to_vacancies_ms": {
            "http": hc,
            "engine": ec,
            "http_over_engine_p50": round(hc["p50"] / ec["p50"], 2),
        },
        "raw_faiss_search_ms": _percentiles(faiss_s),
    }


def render(r: dict[str, Any]) -> str:
    rows = []
    for key, title in (
        ("vacancy_to_candidates_ms", "vacancy → top-20 candidates"),
        ("candidate_to_vacancies_ms", "candidate → top-20 vacancies"),
    ):
        h, e = r[key]["http"], r[key]["engine"]
        rows.append(
            f"| {title} | {h['p50']} | {h['p95']} | {h['p99']} | {e['p50']} | {e['p95']} "
            f"| {r[key]['http_over_engine_p50']}× |"
        )
    f = r["raw_faiss_search_ms"]
    return (
        f"_Generated by `python -m benchmarks.speed` on {r['generated_at']} ({r['platform']}, "
        f"encoder {r['encoder']}); do not edit by hand._\n\n"
        f"{r['candidates']:,} candidates, {r['vacancies']:,} vacancies, {r['queries']} queries "
        "per endpoint, one keep-alive client on loopback.\n\n"
        "| match endpoint | HTTP p50 ms | HTTP p95 | HTTP p99 | engine p50 | engine p95 "
        "| HTTP / engine (p50) |\n|---|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n\n"
        f"Raw faiss search (top-20 over the candidate vectors): p50 {f['p50']} ms, "
        f"p95 {f['p95']} ms.\n\n"
        "| ingest through the batch endpoints | raw encoder | ratio | start to /healthz "
        "| server RSS after ingest |\n|---|---|---|---|---|\n"
        f"| {r['ingest_records_per_s']} records/s | {r['raw_encoder_texts_per_s']} texts/s | "
        f"{r['ingest_vs_encoder']} | {r['start_to_healthy_s']} s | "
        f"{r['server_rss_mb_after_ingest']} MB |\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--vacancies", type=int, default=500)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--encoder", choices=["bundled", "hashing"], default="bundled")
    parser.add_argument("--out", type=Path, default=REPO / "results")
    args = parser.parse_args(argv)
    result = run(args)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "speed.json").write_text(json.dumps(result, indent=2) + "\n")
    table = render(result)
    (args.out / "speed.md").write_text("# Speed\n\n" + table)
    console.print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
