"""A bounded load run, a memory soak and a rate-limit check against a real ``cocok serve``.

    python -m benchmarks.load [--candidates 50000] [--vacancies 1000] [--clients 20]
                              [--minutes 5] [--soak-minutes 10] [--smoke] [--out results]

1. Writes demo records (``service.demo.load_demo``, the code behind ``cocok demo``) and one API key
   per simulated caller into a fresh SQLite data folder. The server then fits its index from the
   database at start-up with ``COCOK_ENCODER=hashing``: the bundled model embeds about 25 records/s
   here, so 50,000 candidates would take half an hour to store. The hashing encoder makes 64-dim
   vectors where the bundled model makes 384; the run measures what those extra dimensions cost
   one query (faiss search plus the dense re-scoring pass over every record) and reports it beside
   the latencies.
2. Starts ``cocok serve`` on a free loopback port, waits for ``/healthz``.
3. Runs ``benchmarks/locustfile.py`` headless: ``--clients`` callers for ``--minutes`` (the load
   run), then again for ``--soak-minutes`` (the soak), sampling the server's resident memory
   (psutil) every 5 s throughout. Per-endpoint p50/p95/p99 and error counts come from locust.
4. Rate limit: one fresh key sends requests as fast as four threads can for ``--abuse-seconds``
   while another client polls ``/healthz``; counts 200/429, checks Retry-After, and compares the
   ``/healthz`` latency with an idle baseline taken just before.
5. Stops the server (also on error) and writes ``results/load.json`` and ``results/load.md``.

``--smoke`` shrinks every size so the whole run takes about two minutes. Loopback only; every
loop and wait is bounded.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import psutil

from benchmarks import speed_server
from benchmarks.speed_server import log_tail, stop_server, wait_healthy

REPO = Path(__file__).resolve().parent.parent
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
HEALTH_LIMIT_S = 1800.0
RSS_EVERY_S = 5.0
TARGET_P95_MS = 300.0
TARGET_SOAK_GROWTH_MB = 50.0


def log(message: str) -> None:
    print(f"[load {datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


# ------------------------------------------------------------------------------ data and keys


def prepare(data_dir: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Store the demo records and keys; return the plan the locustfile reads."""
    from sqlalchemy import select

    from matcher.demo import generate_demo
    from service import auth
    from service.db.models import CandidateRow, VacancyRow
    from service.db.session import build_engine, session_factory, upgrade
    from service.demo import load_demo

    db = build_engine(f"sqlite:///{(data_dir / 'cocok.sqlite3').resolve()}")
    upgrade(db)
    sessions = session_factory(db)
    n_schools = 30
    with sessions() as session:
        load_demo(
            session,
            seed=args.seed,
            n_schools=n_schools,
            n_candidates=args.candidates,
            n_vacancies=args.vacancies,
        )
        candidates = list(session.scalars(select(CandidateRow)))
        vacancies = list(session.scalars(select(VacancyRow)))
        seeking = [r for r in candidates if r.data.get("status", "seeking") == "seeking"]
        open_v = [r for r in vacancies if r.data.get("status", "open") == "open"]
        school = max(
            {r.school_id for r in seeking if r.school_id},
            key=lambda s: sum(r.school_id == s for r in seeking),
        )
        employer = max(
            {r.employer_id for r in open_v if r.employer_id},
            key=lambda e: sum(r.employer_id == e for r in open_v),
        )
        keys: dict[str, list[str]] = {"portal": [], "bkk": [], "employer": []}
        for i in range(args.clients):
            # the demo's records belong to the portal labelled "demo": its keys share that owner
            keys["portal"].append(auth.create_key(session, "portal", label="demo")[1])
            if i % 4 == 0:
                keys["bkk"].append(auth.create_key(session, "bkk", school_id=school)[1])
                keys["employer"].append(
                    auth.create_key(session, "employer", employer_id=employer)[1]
                )
        session.commit()
        # the same demo records as stored, for the portal's upserts (an update, not a create)
        demo = generate_demo(
            seed=args.seed,
            n_schools=n_schools,
            n_candidates=min(args.candidates, 200),
            n_vacancies=0,
            as_of=datetime.now(UTC).date(),
        )
        plan: dict[str, Any] = {
            "keys": keys,
            "n_candidates": len(candidates),
            "open_vacancies": [r.id for r in open_v],
            "seeking_candidates": [r.id for r in seeking],
            "bkk_candidates": [r.id for r in seeking if r.school_id == school],
            "employer_vacancies": [r.id for r in open_v if r.employer_id == employer],
            "candidate_bodies": [
                c.model_dump(mode="json", exclude_none=True) for c in demo.candidates
            ],
        }
    db.dispose()
    plan["counts"] = {
        "candidates": len(candidates),
        "seeking": len(seeking),
        "vacancies": len(vacancies),
        "open": len(open_v),
        "bkk_students": len(plan["bkk_candidates"]),
        "employer_vacancies": len(plan["employer_vacancies"]),
    }
    return plan


# ------------------------------------------------------------------------------ the server


def start_server(
    data_dir: Path, admin_key: str, rate_limit: int, log_path: Path
) -> tuple[subprocess.Popen[bytes], str]:
    return speed_server.start_server(
        data_dir,
        admin_key,
        "hashing",
        log_path,
        COCOK_RATE_LIMIT_PER_MINUTE=str(rate_limit),
        COCOK_LOG_LEVEL="WARNING",
    )


class RssSampler:
    """Samples the server's resident memory every few seconds, labelled by phase."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.samples: list[dict[str, Any]] = []
        self.phase = "idle"
        self._stop = threading.Event()
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def sample(self) -> float:
        rss = self.process.memory_info().rss / 2**20
        self.samples.append(
            {"t_s": round(time.monotonic() - self._started, 1), "phase": self.phase, "rss_mb": rss}
        )
        return rss

    def _run(self) -> None:
        while not self._stop.wait(RSS_EVERY_S):
            try:
                self.sample()
            except psutil.Error:
                return

    def of(self, phase: str) -> list[float]:
        return [s["rss_mb"] for s in self.samples if s["phase"] == phase]


# ------------------------------------------------------------------------------ locust


def run_locust(
    url: str, plan_path: Path, clients: int, minutes: float, prefix: Path
) -> dict[str, Any]:
    """One headless locust run; per-endpoint stats from its CSV."""
    seconds = max(1, round(minutes * 60))
    cmd = [
        str(Path(sys.executable).with_name("locust")),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(clients),
        "--spawn-rate",
        str(clients),
        "--run-time",
        f"{seconds}s",
        "--host",
        url,
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--stop-timeout",
        "10",
    ]
    env = dict(os.environ, COCOK_LOAD_PLAN=str(plan_path))
    started = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        # periodic progress; locust itself stops at --run-time
        while proc.poll() is None and time.monotonic() - started < seconds + 120:
            time.sleep(min(60.0, max(5.0, seconds / 5)))
            log(f"  locust running: {time.monotonic() - started:.0f} / {seconds} s")
        if proc.poll() is None:
            proc.kill()
        out = proc.communicate(timeout=30)[0].decode(errors="replace")
    finally:
        if proc.poll() is None:
            proc.kill()
    stats = _locust_stats(Path(f"{prefix}_stats.csv"))
    failures = _locust_failures(Path(f"{prefix}_failures.csv"))
    if not stats:
        raise RuntimeError(f"locust wrote no statistics:\n{out[-3000:]}")
    return {
        "seconds": round(time.monotonic() - started, 1),
        "endpoints": stats,
        "failures": failures,
    }


def _locust_stats(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    rows = []
    with path.open() as fh:
        for row in csv.DictReader(fh):
            name = row["Name"] if row["Name"] != "Aggregated" else "all requests"
            rows.append(
                {
                    "method": row["Type"],
                    "name": name,
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "rps": round(float(row["Requests/s"]), 2),
                    "p50_ms": float(row["50%"]),
                    "p95_ms": float(row["95%"]),
                    "p99_ms": float(row["99%"]),
                    "max_ms": round(float(row["Max Response Time"]), 1),
                }
            )
    return rows


def _locust_failures(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    with path.open() as fh:
        return [
            {
                "method": r["Method"],
                "name": r["Name"],
                "error": r["Error"][:300],
                "count": r["Occurrences"],
            }
            for r in csv.DictReader(fh)
        ]


def _total(run: dict[str, Any]) -> dict[str, Any]:
    return next(e for e in run["endpoints"] if e["name"] == "all requests")


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


# ------------------------------------------------------------------------------ report


def render(result: dict[str, Any]) -> str:
    cfg, counts = result["config"], result["counts"]
    lines = [
        "# Load, soak and rate limit",
        "",
        f"_Generated by `python -m benchmarks.load` on {result['generated_at']} "
        f"(python {result['python']}, {result['machine']}, {result['cpus']} cpus); "
        "do not edit by hand._",
        "",
        f"{counts['candidates']:,} demo candidates ({counts['seeking']:,} seeking), "
        f"{counts['vacancies']:,} vacancies ({counts['open']:,} open), stored with "
        "`COCOK_ENCODER=hashing` (64-dim vectors; the bundled model's are 384-dim, see below). "
        "`cocok serve` on loopback, SQLite, rate limit "
        f"{cfg['rate_limit_per_minute']}/min per key. "
        f"{cfg['clients']} locust callers, each with its own key (portal 14 : BKK 3 : employer 3), "
        "0.5–1.5 s pause between requests. Start to /healthz (index fitted from the database): "
        f"{result['server_start_s']} s.",
        "",
    ]
    for phase, title in (("load", "Load run"), ("soak", "Soak")):
        run = result[phase]
        lines += [
            f"## {title}: {cfg['clients']} callers, {run['seconds']:.0f} s",
            "",
            "| endpoint | requests | errors | req/s | p50 ms | p95 ms | p99 ms | max ms |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for e in run["endpoints"]:
            label = e["name"] if e["name"] == "all requests" else f"{e['method']} {e['name']}"
            lines.append(
                f"| {label} | {e['requests']:,} | {e['failures']} | {e['rps']} | {e['p50_ms']:g} "
                f"| {e['p95_ms']:g} | {e['p99_ms']:g} | {e['max_ms']:g} |"
            )
        for f in run["failures"]:
            lines.append(f"\nFailure: {f['method']} {f['name']} ×{f['count']}: `{f['error']}`")
        lines.append("")
    mem, verdict = result["memory"], result["verdict"]
    rl = result["rate_limit"]
    dims = result["dimension_cost"]
    lines += [
        "## Memory (server RSS, psutil, every 5 s)",
        "",
        f"After start {mem['after_start_mb']} MB; end of load run {mem['load_end_mb']} MB; "
        f"soak start {mem['soak_start_mb']} MB → soak end {mem['soak_end_mb']} MB "
        f"(growth {mem['soak_growth_mb']:+.1f} MB, max {mem['soak_max_mb']} MB).",
        "",
        "## Rate limit",
        "",
        f"One key flooded `GET /v1/vacancies` from {rl['flood_threads']} threads for "
        f"{rl['flood_seconds']} s: status counts {rl['flood_status_counts']}, Retry-After "
        f"values {rl['retry_after_values']}. `/healthz` idle p50 "
        f"{rl['healthz_idle']['p50_ms']} ms, "
        f"p95 {rl['healthz_idle']['p95_ms']} ms; during the flood p50 "
        f"{rl['healthz_during_flood']['p50_ms']} ms, p95 {rl['healthz_during_flood']['p95_ms']} ms "
        f"(n={rl['healthz_during_flood']['n']}).",
        "",
        "## 64 vs 384 dimensions",
        "",
        f"Over {dims['records']:,} random unit vectors, per query (p50): faiss k=300 "
        f"{dims['dim64']['faiss_k300_p50_ms']} ms at 64 dims vs "
        f"{dims['dim384']['faiss_k300_p50_ms']} ms at 384; dense re-scoring of every record "
        f"{dims['dim64']['rescore_all_p50_ms']} vs {dims['dim384']['rescore_all_p50_ms']} ms. "
        f"With the bundled model's vectors a match query would cost about "
        f"{dims['extra_ms_per_query_p50']} ms more; nothing else in a query depends on the "
        "encoder.",
        "",
        "## Targets",
        "",
        "| target | measured | met |",
        "|---|---|---|",
        f"| load run p95 ≤ {TARGET_P95_MS:g} ms | {verdict['load_p95_ms']:g} ms | "
        f"{'yes' if verdict['p95_ok'] else 'NO'} |",
        f"| zero errors (load + soak) | {verdict['errors']} | "
        f"{'yes' if verdict['errors_ok'] else 'NO'} |",
        f"| soak RSS growth < {TARGET_SOAK_GROWTH_MB:g} MB | {mem['soak_growth_mb']:+.1f} MB | "
        f"{'yes' if verdict['soak_ok'] else 'NO'} |",
        f"| flood gets 429 with Retry-After | {rl['flood_status_counts'].get('429', 0)} × 429 | "
        f"{'yes' if verdict['rate_limit_ok'] else 'NO'} |",
        "",
        f"Wall time {result['wall_s']:.0f} s. The load generator (locust) ran on the same machine "
        "as the server.",
        "",
    ]
    return "\n".join(lines)


# ------------------------------------------------------------------------------ main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--candidates", type=int, default=50_000)
    p.add_argument("--vacancies", type=int, default=1_000)
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--minutes", type=float, default=5.0)
    p.add_argument("--soak-minutes", type=float, default=10.0)
    p.add_argument("--abuse-seconds", type=float, default=20.0)
    p.add_argument("--rate-limit", type=int, default=600, help="requests per key per minute")
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--smoke", action="store_true", help="tiny sizes: about two minutes in all")
    p.add_argument("--out", type=Path, default=REPO / "results")
    p.add_argument("--workdir", type=Path, default=None, help="default: a temporary folder")
    args = p.parse_args(argv)
    if args.smoke:
        args.candidates, args.vacancies, args.clients = 2_000, 100, 5
        args.minutes, args.soak_minutes, args.abuse_seconds = 0.5, 0.5, 5.0
    if args.clients < 1 or args.candidates < 1 or args.vacancies < 1:
        p.error("--clients, --candidates and --vacancies must be >= 1")
    return args


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    began = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="cocok-load-", dir=args.workdir))
    data_dir = work / "var"
    data_dir.mkdir()
    admin_key = "load-" + secrets.token_urlsafe(24)
    try:
        log(f"storing {args.candidates:,} candidates and {args.vacancies:,} vacancies in {work}")
        plan = prepare(data_dir, args)
        plan_path = work / "plan.json"
        plan_path.write_text(json.dumps(plan))
        log(f"stored: {plan['counts']}")
        log("measuring what 384-dim vectors would cost a query")
        dims = dimension_cost(args.candidates)
        log("starting cocok serve (fits the index from the database)")
        server_log = work / "server.log"
        proc, url = start_server(data_dir, admin_key, args.rate_limit, server_log)
        try:
            start_s = wait_healthy(url, proc, HEALTH_LIMIT_S)
            log(f"healthy after {start_s:.1f} s at {url}")
            with RssSampler(proc.pid) as rss:
                after_start = rss.sample()
                rss.phase = "load"
                log(f"load run: {args.clients} callers for {args.minutes} min")
                load = run_locust(url, plan_path, args.clients, args.minutes, work / "load")
                load_end = rss.sample()
                rss.phase = "soak"
                soak_start = rss.sample()
                log(f"soak: {args.clients} callers for {args.soak_minutes} min")
                soak = run_locust(url, plan_path, args.clients, args.soak_minutes, work / "soak")
                soak_end = rss.sample()
                rss.phase = "rate-limit"
                log(f"rate limit: flooding one key for {args.abuse_seconds} s")
                rate = rate_limit_check(url, admin_key, args.abuse_seconds, threads=4)
                samples = rss.samples
                soak_rss = rss.of("soak")
        except Exception:
            print(log_tail(server_log, 40), file=sys.stderr)
            raise
        finally:
            stop_server(proc)
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    errors = _total(load)["failures"] + _total(soak)["failures"]
    memory = {
        "after_start_mb": round(after_start, 1),
        "load_end_mb": round(load_end, 1),
        "soak_start_mb": round(soak_start, 1),
        "soak_end_mb": round(soak_end, 1),
        "soak_growth_mb": round(soak_end - soak_start, 1),
        "soak_max_mb": round(max(soak_rss), 1),
        "soak_median_mb": round(statistics.median(soak_rss), 1),
    }
    rl_ok = (
        rate["flood_status_counts"].get("429", 0) > 0
        and "<missing>" not in rate["retry_after_values"]
    )
    result = {
        "generated_at": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "config": {
            "candidates": args.candidates,
            "vacancies": args.vacancies,
            "clients": args.clients,
            "minutes": args.minutes,
            "soak_minutes": args.soak_minutes,
            "rate_limit_per_minute": args.rate_limit,
            "encoder": "hashing (64 dims)",
            "smoke": args.smoke,
        },
        "counts": plan["counts"],
        "server_start_s": round(start_s, 1),
        "load": load,
        "soak": soak,
        "memory": memory,
        "rss_samples": [{**s, "rss_mb": round(s["rss_mb"], 1)} for s in samples],
        "rate_limit": rate,
        "dimension_cost": dims,
        "verdict": {
            "load_p95_ms": _total(load)["p95_ms"],
            "p95_ok": _total(load)["p95_ms"] <= TARGET_P95_MS,
            "errors": errors,
            "errors_ok": errors == 0,
            "soak_ok": memory["soak_growth_mb"] < TARGET_SOAK_GROWTH_MB,
            "rate_limit_ok": rl_ok,
        },
        "wall_s": round(time.monotonic() - began, 1),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "load.json").write_text(json.dumps(result, indent=2) + "\n")
    (args.out / "load.md").write_text(render(result))
    log(f"wrote {args.out / 'load.json'} and {args.out / 'load.md'}")
    print(render(result))
    return result


if __name__ == "__main__":
    main()
