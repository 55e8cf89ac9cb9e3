"""How long ``Matcher.load`` takes with and without the snapshot's derived state.

Builds a demo engine (``generate_demo`` records, ``HashingEncoder(dim=64)``: the vectors are not
what is measured), saves it once, and makes an older-format copy of that snapshot (the derived
state files and manifest entry removed, the rest hard-linked). Each load then runs in its own
fresh Python process, as a service start would, and reports the load's wall time and the
process's peak RSS; the table gives the median of ``--repeats`` loads per format.

    .venv/bin/python -m benchmarks.snapshot_load --candidates 100000

Writes results/snapshot_load.json and results/snapshot_load.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from matcher import snapshot_state

log = logging.getLogger("benchmarks.snapshot_load")
RESULTS = Path("results")

_CHILD = """
import json, resource, sys, time
from pathlib import Path
from matcher.encoder import HashingEncoder
from matcher.engine import Matcher
from matcher.profiles import Profiler
from matcher.snapshot import _load
built = []
original = Profiler.candidate
Profiler.candidate = lambda self, c: built.append(1) or original(self, c)
t0 = time.perf_counter()
if sys.argv[2] == "gc-on":  # the load as it was before: collector running throughout
    m = _load(Matcher, Path(sys.argv[1]), encoder=HashingEncoder(dim=64), params={})
else:
    m = Matcher.load(sys.argv[1], encoder=HashingEncoder(dim=64))
seconds = time.perf_counter() - t0
derived = not built  # no profile was recomputed
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_rss_mib": rss, "derived": derived,
                  "candidates": len(m.candidates_)}))
"""


def _build(folder: Path, n_candidates: int, n_vacancies: int) -> dict[str, float]:
    from matcher.demo import generate_demo
    from matcher.encoder import HashingEncoder
    from matcher.engine import Matcher

    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    demo = generate_demo(n_candidates=n_candidates, n_vacancies=n_vacancies)
    seconds["generate"] = time.perf_counter() - t0
    log.info("generated %d candidates, %d vacancies", len(demo.candidates), len(demo.vacancies))

    def progress(done: int, total: int) -> None:
        if done % 10_240 < 256 or done == total:
            log.info("fit %d/%d", done, total)

    t0 = time.perf_counter()
    matcher = Matcher(encoder=HashingEncoder(dim=64)).fit(
        demo.candidates, demo.vacancies, progress=progress
    )
    seconds["fit"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    matcher.save(folder / "new")
    seconds["save"] = time.perf_counter() - t0
    log.info("saved in %.1f s", seconds["save"])
    old = folder / "old"
    shutil.copytree(folder / "new", old, copy_function=os.link)
    for side in snapshot_state.SIDES:
        (old / f"{side}_state.json").unlink()
        (old / f"{side}_state.npz").unlink()
    manifest = json.loads((old / "manifest.json").read_text())
    del manifest["derived_state"]
    (old / "manifest.json").unlink()  # a hard link to the new snapshot's manifest
    (old / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return seconds


def _load_once(snapshot: Path, mode: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(snapshot), mode],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _size_mib(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def run(n_candidates: int, n_vacancies: int, repeats: int, work: Path) -> dict[str, Any]:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    build = _build(work, n_candidates, n_vacancies)
    formats: dict[str, Any] = {}
    for name, folder, mode, label in (
        ("before", "old", "gc-on", "records only, as before this change"),
        ("old", "old", "", "records only (recompute), gc paused"),
        ("new", "new", "", "with derived state, gc paused"),
    ):
        loads = []
        for i in range(repeats):
            loads.append(_load_once(work / folder, mode))
            log.info("%s load %d/%d: %.2f s", name, i + 1, repeats, loads[-1]["seconds"])
        assert all(x["derived"] == (folder == "new") for x in loads)
        formats[name] = {
            "label": label,
            "load_seconds": [round(x["seconds"], 3) for x in loads],
            "median_seconds": round(statistics.median(x["seconds"] for x in loads), 3),
            "median_peak_rss_mib": round(statistics.median(x["peak_rss_mib"] for x in loads), 1),
            "snapshot_mib": round(_size_mib(work / folder), 1),
        }
    shutil.rmtree(work, ignore_errors=True)
    return {
        "candidates": n_candidates,
        "vacancies": n_vacancies,
        "repeats": repeats,
        "encoder": "HashingEncoder(dim=64)",
        "build_seconds": {k: round(v, 2) for k, v in build.items()},
        "formats": formats,
        "speedup_vs_before": round(
            formats["before"]["median_seconds"] / formats["new"]["median_seconds"], 1
        ),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
    }


def _markdown(results: list[dict[str, Any]]) -> str:
    lines = [
        "# Snapshot load time",
        "",
        "`Matcher.load` in a fresh process per load (median of the repeats), demo records,",
        "`HashingEncoder(dim=64)`. *Records only* is the format written before the derived",
        "state existed (profiles, columns and BM25 recomputed on load), loaded as before this",
        "change (garbage collector running) and as now (collector paused during the load);",
        "*with derived state* reads them from the snapshot. Produced by",
        "`python -m benchmarks.snapshot_load`; the machine was shared with other jobs.",
        "",
        "| candidates | vacancies | format | median load (s) | loads (s) | peak RSS (MiB) "
        "| snapshot (MiB) |",
        "|---:|---:|---|---:|---|---:|---:|",
    ]
    for r in results:
        for f in r["formats"].values():
            loads = ", ".join(f"{s:.2f}" for s in f["load_seconds"])
            lines.append(
                f"| {r['candidates']:,} | {r['vacancies']:,} | {f['label']} "
                f"| {f['median_seconds']:.2f} | {loads} | {f['median_peak_rss_mib']:.0f} "
                f"| {f['snapshot_mib']:.1f} |"
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, nargs="+", default=[20_000])
    parser.add_argument("--vacancies", type=int, default=None, help="default: candidates / 20")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/tmp/snapload/bench"))
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    results = []
    for n in args.candidates:
        results.append(run(n, args.vacancies or max(n // 20, 1), args.repeats, args.work))
        log.info("%d candidates: %s", n, json.dumps(results[-1]["formats"]))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "snapshot_load.json").write_text(json.dumps(results, indent=2) + "\n")
    (args.out / "snapshot_load.md").write_text(_markdown(results))


if __name__ == "__main__":
    main()
