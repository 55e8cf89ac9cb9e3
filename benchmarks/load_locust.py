"""Running locust headless against the server and reading its statistics (for benchmarks.load)."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"


def log(message: str) -> None:
    print(f"[load {datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


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
