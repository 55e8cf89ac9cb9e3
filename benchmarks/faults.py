"""Fault injection: ``kill -9`` of ``cocok serve`` at random moments during bulk ingest.

A client thread posts candidates through ``POST /v1/candidates/batch`` (and now and then deletes
a few) and records every id the server acknowledged (200 / 204). The main thread kills the server
with SIGKILL at a random moment of each stretch of the ingest, restarts it, and times recovery
(process start to ``/healthz`` 200). Then, with the client paused, it checks:

- the database passes ``PRAGMA quick_check`` and holds every acknowledged id, none of the
  acknowledged deletions; a sample of them (and the whole last acknowledged batch) read back
  over HTTP as 200 / 404;
- the index holds exactly the active records: the restarted server is stopped gracefully (its
  final snapshot is its in-memory state) and the snapshot's ids are compared with the database's;
  it is then started again (timed as a clean restart) and the ingest resumes.

    .venv/bin/python -m benchmarks.faults                      # 50,000 records, 10 kills
    .venv/bin/python -m benchmarks.faults --records 2000 --kills 2 --out /tmp/x

Writes ``results/reliability_faults.json`` and ``.md``. The hashing encoder is used: the bundled
one embeds about 25 records/s here, so 50k records would take over half an hour per pass.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import random
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from benchmarks.speed_server import log_tail, start_server, stop_server, wait_healthy

log = logging.getLogger("benchmarks.faults")
ADMIN_KEY = "faults-admin-key-0123456789"
HEADERS = {"Authorization": f"Bearer {ADMIN_KEY}"}
RECOVERY_LIMIT_S = 30.0


@dataclass
class Ingest:
    """What the client has been told: acknowledged ids, acknowledged deletions, in-flight work."""

    bodies: list[dict[str, Any]]
    batch: int
    seed: int
    url: str = ""
    acked: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)
    last_batch: list[str] = field(default_factory=list)
    in_flight: list[str] = field(default_factory=list)
    position: int = 0
    errors: int = 0
    up: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self) -> None:
        rng = random.Random(self.seed)
        with httpx.Client(timeout=120, headers=HEADERS) as http:
            while self.position < len(self.bodies):
                self.up.wait()
                chunk = self.bodies[self.position : self.position + self.batch]
                ids = [b["id"] for b in chunk]
                with self.lock:
                    self.in_flight = ids
                try:
                    response = http.post(f"{self.url}/v1/candidates/batch", json={"items": chunk})
                    if response.status_code == 200:
                        rejected = {e["id"] for e in response.json()["errors"]}
                        with self.lock:
                            self.acked.update(i for i in ids if i not in rejected)
                            self.last_batch = ids
                            self.in_flight = []
                            self.position += len(chunk)
                        if rng.random() < 0.1:
                            self._delete_some(http, rng)
                    else:
                        time.sleep(0.2)  # 503 while the index loads: try the same batch again
                except httpx.HTTPError:
                    self.errors += 1
                    time.sleep(0.1)  # the server is gone; wait for it to come back
        self.done.set()

    def _delete_some(self, http: httpx.Client, rng: random.Random) -> None:
        with self.lock:
            victims = rng.sample(sorted(self.acked - self.deleted), k=min(3, len(self.acked)))
        for victim in victims:
            self.in_flight = [victim]
            if http.delete(f"{self.url}/v1/candidates/{victim}").status_code == 204:
                with self.lock:
                    self.deleted.add(victim)
                    self.acked.discard(victim)
            self.in_flight = []


def _db_ids(data_dir: Path) -> tuple[set[str], str]:
    db = sqlite3.connect(f"file:{data_dir / 'cocok.sqlite3'}?mode=ro", uri=True)
    try:
        check = str(db.execute("PRAGMA quick_check").fetchone()[0])
        ids = {row[0] for row in db.execute("SELECT id FROM candidates")}
    finally:
        db.close()
    return ids, check


def _snapshot_ids(data_dir: Path) -> set[str]:
    index = data_dir / "index"
    name = (index / "CURRENT").read_text().strip()
    path = index / "snapshots" / name / "engine" / "candidates.jsonl"
    with path.open(encoding="utf-8") as handle:
        return {json.loads(line)["id"] for line in handle if line.strip()}


def _loaded_from(log_path: Path) -> str:
    text = log_path.read_text(errors="replace")
    if "snapshot unusable" in text:
        return "rebuild (snapshot unusable)"
    if "index loaded from snapshot" in text:
        return "snapshot"
    return "database (no snapshot)"


def _read_back(url: str, present: list[str], gone: list[str]) -> int:
    """How many reads disagree: acknowledged ids must be 200, acknowledged deletions 404."""
    wrong = 0
    with httpx.Client(timeout=30, headers=HEADERS) as http:
        for rid, expect in [*((i, 200) for i in present), *((i, 404) for i in gone)]:
            if http.get(f"{url}/v1/candidates/{rid}").status_code != expect:
                wrong += 1
    return wrong


def run_faults(
    work: Path, records: int, kills: int, batch: int = 500, seed: int = 7
) -> dict[str, Any]:
    """Ingest ``records`` candidates with ``kills`` SIGKILLs; return the measured figures."""
    from matcher.demo import generate_demo

    rng = random.Random(seed)
    data_dir = work / "var"
    log.info("generating %d demo candidates", records)
    demo = generate_demo(seed=seed, n_schools=30, n_candidates=records, n_vacancies=60)
    bodies = [c.model_dump(mode="json", exclude_none=True) for c in demo.candidates]
    ingest = Ingest(bodies, batch, seed)
    proc, url = start_server(data_dir, ADMIN_KEY, "hashing", work / "server-0.log")
    rows: list[dict[str, Any]] = []
    try:
        wait_healthy(url, proc, 300)
        vacancies = [v.model_dump(mode="json", exclude_none=True) for v in demo.vacancies]
        httpx.post(f"{url}/v1/vacancies/batch", json={"items": vacancies}, headers=HEADERS)
        ingest.url = url
        client = threading.Thread(target=ingest.run, name="faults-ingest", daemon=True)
        ingest.up.set()
        client.start()
        for kill in range(1, kills + 1):
            # a random moment inside this kill's stretch of the ingest
            low, high = (kill - 1) * records // kills, kill * records // kills
            target = rng.randint(low + batch, max(low + batch, high - batch))
            while len(ingest.acked) + len(ingest.deleted) < target and not ingest.done.is_set():
                time.sleep(0.05)
            time.sleep(rng.uniform(0, 1.5))  # lands inside a request more often than not
            ingest.up.clear()
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            with ingest.lock:
                in_flight, acked = list(ingest.in_flight), set(ingest.acked)
                deleted, last_batch = set(ingest.deleted), list(ingest.last_batch)
            # a deletion cut off by the kill may or may not have happened: not acknowledged
            doubt = acked & set(in_flight)
            log.info("kill %d/%d after %d acknowledged records", kill, kills, len(acked))
            row, proc, url = _recover(work, data_dir, kill, acked - doubt, deleted, last_batch, rng)
            row["in_flight_at_kill"] = len(in_flight)
            if doubt:
                db_ids, _ = _db_ids(data_dir)
                with ingest.lock:
                    ingest.deleted.update(doubt - db_ids)
                    ingest.acked.difference_update(doubt - db_ids)
            rows.append(row)
            log.info("kill %d: %s", kill, json.dumps(row))
            ingest.url = url
            ingest.up.set()
        ingest.done.wait()
        ingest.up.clear()
        stop_server(proc)
        db_ids, check = _db_ids(data_dir)
        final = {
            "acknowledged": len(ingest.acked),
            "acknowledged_deletions": len(ingest.deleted),
            "db_candidates": len(db_ids),
            "lost_acknowledged": len(ingest.acked - db_ids),
            "deleted_but_present": len(ingest.deleted & db_ids),
            "index_equals_db": _snapshot_ids(data_dir) == db_ids,
            "db_quick_check": check,
            "client_transport_errors": ingest.errors,
        }
    finally:
        stop_server(proc)
    recoveries = [r["recovery_s"] for r in rows]
    return {
        "config": {
            "records": records,
            "kills": kills,
            "batch": batch,
            "seed": seed,
            "encoder": "hashing",
            "database": "sqlite (WAL, synchronous=FULL)",
            "recovery_limit_s": RECOVERY_LIMIT_S,
        },
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "kills": rows,
        "final": final,
        "summary": {
            "lost_acknowledged": sum(r["lost_acknowledged"] for r in rows)
            + final["lost_acknowledged"],
            "index_mismatches": sum(not r["index_equals_db"] for r in rows)
            + (not final["index_equals_db"]),
            "unreadable": sum(r["db_quick_check"] != "ok" for r in rows)
            + (final["db_quick_check"] != "ok"),
            "recovery_s_max": max(recoveries, default=0.0),
            "recovery_s_median": sorted(recoveries)[len(recoveries) // 2] if recoveries else 0.0,
            "within_limit": all(r <= RECOVERY_LIMIT_S for r in recoveries),
        },
    }


def _recover(
    work: Path,
    data_dir: Path,
    kill: int,
    acked: set[str],
    deleted: set[str],
    last_batch: list[str],
    rng: random.Random,
) -> tuple[dict[str, Any], subprocess.Popen[bytes], str]:
    """Restart after a kill, time it, check it, bounce it to read its index, restart again."""
    log_path = work / f"server-{kill}.log"
    started = time.perf_counter()
    proc, url = start_server(data_dir, ADMIN_KEY, "hashing", log_path)
    try:
        wait_healthy(url, proc, 300)
    except (RuntimeError, TimeoutError):
        raise RuntimeError(f"no recovery after kill {kill}:\n{log_tail(log_path)}") from None
    recovery_s = time.perf_counter() - started
    db_ids, check = _db_ids(data_dir)
    present = rng.sample(sorted(acked), k=min(200, len(acked))) + [
        i for i in last_batch if i in acked
    ]
    gone = sorted(deleted)[:50]
    wrong_reads = _read_back(url, present, gone)
    stop_server(proc)  # the final snapshot is exactly the recovered in-memory index
    index_ids = _snapshot_ids(data_dir)
    started = time.perf_counter()
    proc, url = start_server(data_dir, ADMIN_KEY, "hashing", work / f"server-{kill}b.log")
    wait_healthy(url, proc, 300)
    row = {
        "kill": kill,
        "acknowledged": len(acked),
        "db_candidates": len(db_ids),
        "recovery_s": round(recovery_s, 2),
        "loaded_from": _loaded_from(log_path),
        "lost_acknowledged": len(acked - db_ids),
        "deleted_but_present": len(deleted & db_ids),
        "wrong_reads": wrong_reads,
        "reads_checked": len(present) + len(gone),
        "index_equals_db": index_ids == db_ids,
        "db_quick_check": check,
        "clean_restart_s": round(time.perf_counter() - started, 2),
    }
    return row, proc, url


def render(result: dict[str, Any]) -> str:
    cfg, s = result["config"], result["summary"]
    lines = [
        "# Faults: kill -9 during bulk ingest",
        "",
        f"`.venv/bin/python -m benchmarks.faults --records {cfg['records']} --kills "
        f"{cfg['kills']}` on {result['machine']['cpus']} CPUs, {result['created_at']}; "
        f"encoder `{cfg['encoder']}`, {cfg['database']}, batches of {cfg['batch']}.",
        "",
        f"- acknowledged records lost: **{s['lost_acknowledged']}**; index ≠ database after "
        f"restart: **{s['index_mismatches']}**; unreadable database: **{s['unreadable']}**",
        f"- recovery (start → /healthz 200): max **{s['recovery_s_max']:.1f} s**, median "
        f"{s['recovery_s_median']:.1f} s (limit {cfg['recovery_limit_s']:.0f} s)",
        "",
        "| kill | acknowledged | in flight | recovery s | loaded from | lost | index = db "
        "| reads wrong/checked | clean restart s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in result["kills"]:
        lines.append(
            f"| {r['kill']} | {r['acknowledged']} | {r['in_flight_at_kill']} | "
            f"{r['recovery_s']:.2f} | {r['loaded_from']} | {r['lost_acknowledged']} | "
            f"{'yes' if r['index_equals_db'] else 'NO'} | {r['wrong_reads']}/"
            f"{r['reads_checked']} | {r['clean_restart_s']:.2f} |"
        )
    f = result["final"]
    lines += [
        "",
        f"End of run: {f['acknowledged']} acknowledged, {f['acknowledged_deletions']} "
        f"acknowledged deletions, {f['db_candidates']} candidates in the database, index = "
        f"database: {'yes' if f['index_equals_db'] else 'NO'}.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path("results"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="cocok-faults-") as tmp:
        result = run_faults(Path(tmp), args.records, args.kills, args.batch, args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "reliability_faults.json").write_text(json.dumps(result, indent=2) + "\n")
    (args.out / "reliability_faults.md").write_text(render(result))
    log.info("summary: %s", json.dumps(result["summary"]))
    s = result["summary"]
    ok = not (s["lost_acknowledged"] or s["index_mismatches"] or s["unreadable"])
    return 0 if ok and s["within_limit"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
