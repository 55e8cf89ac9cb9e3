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

import psutil

from benchmarks import speed_server
from benchmarks.load_locust import _total, log, run_locust
from benchmarks.load_probes import dimension_cost, rate_limit_check
from benchmarks.load_report import TARGET_P95_MS, TARGET_SOAK_GROWTH_MB, render
from benchmarks.speed_server import log_tail, stop_server, wait_healthy

REPO = Path(__file__).resolve().parent.parent
HEALTH_LIMIT_S = 1800.0
RSS_EVERY_S = 5.0


# ------------------------------------------------------------------------------ data and keys


def prepare(data_dir: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Store the demo records and keys; return the plan the locustfile reads."""
    from sqlalchemy import select

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
            history=False,
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
        # the portal's upserts rewrite records it already stored: the stored body with a new
        # summary, so the update re-embeds without moving the person out of any caller's scope
        # (regenerated demo bodies differ in school and status, which made officers' reads 404)
        bodies = [
            {**r.data, "summary": f"{r.data.get('summary') or ''} Diperbarui oleh portal.".strip()}
            for r in seeking[:200]
        ]
        plan: dict[str, Any] = {
            "keys": keys,
            "n_candidates": len(candidates),
            "open_vacancies": [r.id for r in open_v],
            "seeking_candidates": [r.id for r in seeking],
            "bkk_candidates": [r.id for r in seeking if r.school_id == school],
            "employer_vacancies": [r.id for r in open_v if r.employer_id == employer],
            "candidate_bodies": bodies,
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
            {
                "t_s": round(time.monotonic() - self._started, 1),
                "phase": self.phase,
                "rss_mb": rss,
                **self._split(),
            }
        )
        return rss

    def _split(self) -> dict[str, float]:
        """Anonymous (heap) vs file-backed resident memory: only the first can be a leak."""
        try:
            lines = Path(f"/proc/{self.process.pid}/status").read_text().splitlines()
        except OSError:
            return {}
        fields = {"RssAnon:": "anon_mb", "RssFile:": "file_mb"}
        return {
            fields[parts[0]]: int(parts[1]) / 1024
            for parts in (line.split() for line in lines)
            if parts and parts[0] in fields
        }

    def _run(self) -> None:
        while not self._stop.wait(RSS_EVERY_S):
            try:
                self.sample()
            except psutil.Error:
                return

    def of(self, phase: str) -> list[float]:
        return [s["rss_mb"] for s in self.samples if s["phase"] == phase]


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
