"""The engine at 10k, 100k and 1M candidates: latency, memory, build time and index recall.

    python -m benchmarks.scale [--sizes 10000,100000,1000000] [--queries 100] [--out results]

Each size runs in its own child process (so resident memory is that size's alone): demo records
from ``matcher.demo`` scaled up (N candidates, N/10 vacancies, at most 10,000; candidates are
streamed a chunk at a time and kept only by the engine, as in the service), vectors from the
synthetic projection encoder of ``benchmarks.speed_data`` (the bundled model cannot encode a
million texts here; see that module), a ``Matcher`` built through its ordinary upsert path with
those vectors handed in, then:

* ``recommend_candidates`` / ``recommend_vacancies`` p50/p95/p99 (k=20) for random open
  vacancies and seeking candidates, after 5 warm-up calls; and ``recommend_candidates`` scoped
  to one school's students (a BKK officer's query, ``SchoolScope``: the scope rarely fills k
  from the pool);
* a raw ``FaissIndex.search`` of the same vacancy vectors over the candidate index (k=20 and the
  engine's pool of 300): the floor;
* recall@20 of the candidate index (whatever type it chose for N) against brute force;
* resident memory (psutil RSS) at the start, after generating the vacancies, after the build
  ("engine MB" is the last minus the second: everything the engine holds, records included);
  the same after ``malloc_trim`` (what ``cocok serve`` does after each snapshot write); build
  time (record generation excluded).

Writes results/scale.json, results/scale.md and results/scale.png (latency and memory vs N).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import random
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.speed_data import ProjectionEncoder, exact_top, percentiles, ratio, record_text

REPO = Path(__file__).resolve().parent.parent
log = logging.getLogger("benchmarks.scale")
CHUNK = 10_000
WARMUP = 5
AS_OF = date(2026, 11, 1)
#: a rough engine footprint per candidate (measured ~3.5 KB) with headroom for the build
BYTES_PER_CANDIDATE = 6_000
#: sizes up to which the pooled top-20 is compared with ranking every candidate (exhaustive
#: ranking of a million pairs per query would take minutes and gigabytes)
AGREEMENT_MAX_N = 100_000
AGREEMENT_QUERIES = 40


def _rss_mb() -> float:
    import psutil

    return round(psutil.Process().memory_info().rss / 2**20, 1)


def _timed(fn: Any, ids: list[str]) -> list[float]:
    for record_id in ids[:WARMUP]:
        fn(record_id)
    seconds = []
    for record_id in ids:
        t0 = time.perf_counter()
        fn(record_id)
        seconds.append(time.perf_counter() - t0)
    return seconds


def measure(n: int, n_vacancies: int, queries: int) -> dict[str, Any]:
    """One size, in this process."""
    from matcher.demo import generate_demo
    from matcher.demo.generate import stream_demo_candidates
    from matcher.engine import Matcher
    from matcher.scopes import ConsentScope, SchoolScope

    rss_start = _rss_mb()
    world = {"seed": 11, "n_schools": 60, "n_vacancies": n_vacancies, "as_of": AS_OF}
    vacancies = generate_demo(n_candidates=0, **world).vacancies  # type: ignore[arg-type]
    encoder = ProjectionEncoder()
    rss_records = _rss_mb()
    rng = random.Random(2026)
    v_ids = [rng.choice([v.id for v in vacancies if v.status == "open"]) for _ in range(queries)]

    matcher = Matcher(encoder=encoder)
    matcher._setup()  # the empty state fit() starts from; records go in through upserts below
    build_started = time.perf_counter()
    encode_s = generate_s = 0.0
    # candidates are generated a chunk at a time and not kept: only the engine holds them, as
    # in the service (a million as pydantic objects would need ~4 GB on their own)
    people = stream_demo_candidates(n_candidates=n, **world)  # type: ignore[arg-type]
    seeking: list[str] = []  # a reservoir sample of seeking ids for the c→v queries
    schools: set[str] = set()
    seen_seeking = 0
    for start in range(0, n, CHUNK):
        t0 = time.perf_counter()
        chunk = [next(people) for _ in range(min(CHUNK, n - start))]
        generate_s += time.perf_counter() - t0
        for c in chunk:
            schools.update([c.school_id] if c.school_id else [])
            if c.status == "seeking":
                seen_seeking += 1
                if len(seeking) < queries:
                    seeking.append(c.id)
                elif (j := rng.randrange(seen_seeking)) < queries:
                    seeking[j] = c.id
        t1 = time.perf_counter()
        vectors = encoder.encode([record_text(r) for r in chunk])
        encode_s += time.perf_counter() - t1
        matcher.upsert_candidates(chunk, vectors=vectors)
        if (start // CHUNK) % 10 == 0:
            log.info(
                "n=%d: candidates %d/%d after %.0f s, rss %.0f MB",
                n, start + len(chunk), n, time.perf_counter() - build_started, _rss_mb(),
            )  # fmt: skip
    del chunk, vectors
    for start in range(0, len(vacancies), CHUNK):
        part = vacancies[start : start + CHUNK]
        matcher.upsert_vacancies(part, vectors=encoder.encode([record_text(r) for r in part]))
    c_ids = [rng.choice(seeking) for _ in range(queries)]
    matcher.recommend_candidates(v_ids[0], k=20, as_of=AS_OF)  # first query folds the BM25 delta
    build_s = time.perf_counter() - build_started - generate_s  # generation is not the engine's
    rss_built = _rss_mb()
    # what `cocok serve` does after each snapshot write (service/memory.py): heap pages freed
    # by the build's temporaries go back to the system
    from service.memory import release_free_memory

    release_free_memory()
    rss_trimmed = _rss_mb()
    log.info(
        "n=%d: engine built in %.1f s, rss %.0f MB (%.0f MB after malloc_trim)",
        n, build_s, rss_built, rss_trimmed,
    )  # fmt: skip

    index = matcher.candidate_index_
    vac_vectors = {i: matcher.vacancy_index_.get([i]) for i in set(v_ids)}
    engine_v = _timed(lambda i: matcher.recommend_candidates(i, k=20, as_of=AS_OF), v_ids)
    engine_c = _timed(lambda i: matcher.recommend_vacancies(i, k=20, as_of=AS_OF), c_ids)
    school_of = {i: rng.choice(sorted(schools)) for i in v_ids}
    engine_scoped = _timed(
        lambda i: matcher.recommend_candidates(
            i, k=20, as_of=AS_OF, include=SchoolScope(school_of[i])
        ),
        v_ids,
    )
    # an employer's (or a portal's) list: only people who agreed to be shown to employers
    engine_employer = _timed(
        lambda i: matcher.recommend_candidates(i, k=20, as_of=AS_OF, include=ConsentScope(AS_OF)),
        v_ids,
    )
    faiss_20 = _timed(lambda i: index.search(vac_vectors[i], 20), v_ids)
    faiss_pool = _timed(lambda i: index.search(vac_vectors[i], matcher.pool_size), v_ids)

    agreement = (
        _pool_agreement(matcher, list(dict.fromkeys(v_ids))[:AGREEMENT_QUERIES], school_of)
        if n <= AGREEMENT_MAX_N
        else None
    )
    cols = matcher.candidate_columns_
    alive = cols.alive_slots()
    q = np.concatenate([vac_vectors[i] for i in dict.fromkeys(v_ids)])
    truth = exact_top(cols.vectors_at(alive), [cols.ids[s] for s in alive], q, 20)
    found = [{rid for rid, _ in row} for row in index.search(q, 20)]
    recall = float(np.mean([len(f & t) / 20 for f, t in zip(found, truth, strict=True)]))
    ev, ec, f20 = percentiles(engine_v), percentiles(engine_c), percentiles(faiss_20)
    return {
        "candidates": n,
        "vacancies": n_vacancies,
        "queries": queries,
        "generate_s": round(generate_s, 1),
        "build_s": round(build_s, 1),
        "synthetic_encode_s": round(encode_s, 1),
        "build_candidates_per_s": round((n + n_vacancies) / build_s, 1),
        "rss_mb": {
            "start": rss_start,
            "with_records": rss_records,
            "built": rss_built,
            "trimmed": rss_trimmed,
        },
        "engine_mb": round(rss_built - rss_records, 1),
        "total_mb_per_100k": round((rss_built - rss_start) * 100_000 / n, 1),
        "index": index.parameters() if hasattr(index, "parameters") else {},
        "recall_at_20": round(recall, 4),
        "vacancy_to_candidates_ms": ev,
        "candidate_to_vacancies_ms": ec,
        "vacancy_to_school_candidates_ms": percentiles(engine_scoped),
        "vacancy_to_consenting_candidates_ms": percentiles(engine_employer),
        "raw_faiss_k20_ms": f20,
        "raw_faiss_pool_ms": {"k": matcher.pool_size, **percentiles(faiss_pool)},
        "engine_over_faiss_p50": ratio(ev["p50"], f20["p50"]),
        "pool_agreement_at_20": agreement,
    }


def _pool_agreement(matcher: Any, v_ids: list[str], school_of: dict[str, str]) -> dict[str, Any]:
    """Share of the top 20 by ranking every candidate that the pooled query also returns, for
    all candidates and for one school's: what candidate generation costs in ranking, beside
    the index's own recall above."""
    from matcher import engine
    from matcher.scopes import SchoolScope

    def top(vid: str, scoped: bool) -> set[str]:
        include = SchoolScope(school_of[vid]) if scoped else None
        found = matcher.recommend_candidates(vid, k=20, as_of=AS_OF, include=include)
        return {m.candidate_id for m in found}

    out: dict[str, Any] = {}
    for name, scoped in (("all", False), ("school", True)):
        pooled = [top(vid, scoped) for vid in v_ids]
        limit, engine.EXHAUSTIVE_LIMIT = engine.EXHAUSTIVE_LIMIT, 10**12
        try:
            exact = [top(vid, scoped) for vid in v_ids]
        finally:
            engine.EXHAUSTIVE_LIMIT = limit
        shares = [len(p & e) / len(e) for p, e in zip(pooled, exact, strict=True) if e]
        out[name] = {
            "queries": len(shares),
            "mean": round(float(np.mean(shares)), 3) if shares else None,
            "min": round(float(np.min(shares)), 3) if shares else None,
            "identical": sum(p == e for p, e in zip(pooled, exact, strict=True) if e),
        }
    log.info("pooled top-20 against ranking every candidate: %s", out)
    return out


def _child(n: int, queries: int, out: Path) -> dict[str, Any]:
    """Run one size in a fresh interpreter; a crash or an OOM kill is reported, not raised."""
    cmd = [sys.executable, "-m", "benchmarks.scale", "--one", str(n), "--queries", str(queries)]
    cmd += ["--json", str(out)]
    done = subprocess.run(cmd, cwd=REPO, check=False)
    if done.returncode != 0 or not out.exists():
        return {"candidates": n, "error": f"child exited with {done.returncode}"}
    return dict(json.loads(out.read_text()))


def _scoped(s: dict[str, Any]) -> str:
    p = s.get("vacancy_to_school_candidates_ms")  # absent from runs before it was measured
    return f"{p['p50']:.1f} / {p['p95']:.1f} / {p['p99']:.1f}" if p else "–"


def _trimmed(s: dict[str, Any]) -> str:
    mb = s["rss_mb"].get("trimmed")  # absent from runs before it was measured
    return f"{mb:,.0f}" if mb is not None else "–"


def render(r: dict[str, Any]) -> str:
    rows = []
    for s in r["sizes"]:
        if "error" in s:
            rows.append(f"| {s['candidates']:,} | {s['error']} |" + " |" * 12)
            continue
        ev, ec, f, ix = (
            s["vacancy_to_candidates_ms"], s["candidate_to_vacancies_ms"],
            s["raw_faiss_k20_ms"], s["index"],
        )  # fmt: skip
        rows.append(
            f"| {s['candidates']:,} / {s['vacancies']:,} | {ix.get('index_type')} "
            f"(nlist {ix.get('nlist')}, nprobe {ix.get('nprobe')}) | {s['recall_at_20']:.3f} "
            f"| {ev['p50']:.1f} / {ev['p95']:.1f} / {ev['p99']:.1f} "
            f"| {ec['p50']:.1f} / {ec['p95']:.1f} / {ec['p99']:.1f} | {_scoped(s)} "
            f"| {f['p50']:.2f} "
            f"| {s['raw_faiss_pool_ms']['p50']:.2f} | {s['engine_over_faiss_p50']}× "
            f"| {s['build_s']} | {s['rss_mb']['built']:,.0f} | {_trimmed(s)} "
            f"| {s['engine_mb']:,.0f} "
            f"| {s['total_mb_per_100k']:,.0f} |"
        )
    return (
        f"_Generated by `python -m benchmarks.scale` on {r['generated_at']} ({r['platform']}); "
        "do not edit by hand. Vectors: synthetic random projection of hashed words "
        "(benchmarks/speed_data.py), not the bundled model. MB are MiB (2^20 bytes)._\n\n"
        "| candidates / vacancies | candidate index | recall@20 vs exact "
        "| vacancy → candidates p50 / p95 / p99 ms | candidate → vacancies p50 / p95 / p99 ms "
        "| vacancy → one school's candidates p50 / p95 / p99 ms "
        "| raw faiss k=20 p50 ms | raw faiss k=300 p50 ms | engine / faiss (p50) | build s "
        "| RSS MB | RSS MB after malloc_trim | engine MB | MB per 100k candidates |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
        + "\n".join(rows)
        + "\n"
        + _employer_lines(r)
        + _agreement_lines(r)
    )


def _employer_lines(r: dict[str, Any]) -> str:
    lines = []
    for s in r["sizes"]:
        p = s.get("vacancy_to_consenting_candidates_ms")  # absent from runs before it was measured
        if p:
            lines.append(
                f"- {s['candidates']:,}: {p['p50']:.1f} / {p['p95']:.1f} / {p['p99']:.1f} ms"
            )
    if not lines:
        return ""
    return (
        "\nVacancy → the candidates an employer may be shown (consent, and a guardian's for a "
        "minor; `matcher.scopes.ConsentScope`), p50 / p95 / p99:\n" + "\n".join(lines) + "\n"
    )


def _agreement_lines(r: dict[str, Any]) -> str:
    lines = []
    for s in r["sizes"]:
        a = s.get("pool_agreement_at_20")
        if not a:
            continue
        parts = [
            f"{label}: {a[key]['mean']:.3f} mean, {a[key]['min']:.2f} lowest, "
            f"{a[key]['identical']} of {a[key]['queries']} identical"
            for key, label in (("all", "all candidates"), ("school", "one school's"))
            if a[key]["mean"] is not None
        ]
        lines.append(f"- {s['candidates']:,}: " + "; ".join(parts))
    if not lines:
        return ""
    return (
        "\nShare of the top 20 by ranking every candidate that the pooled query returns "
        f"(up to {AGREEMENT_QUERIES} vacancies, each with a result):\n" + "\n".join(lines) + "\n"
    )


def plot(r: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = [s for s in r["sizes"] if "error" not in s]
    if not ok:
        return
    n = [s["candidates"] for s in ok]
    fig, (lat, mem) = plt.subplots(1, 2, figsize=(11, 4))
    for key, label in (
        ("vacancy_to_candidates_ms", "vacancy → candidates"),
        ("candidate_to_vacancies_ms", "candidate → vacancies"),
    ):
        lat.plot(n, [s[key]["p50"] for s in ok], "o-", label=f"{label} p50")
        lat.plot(n, [s[key]["p95"] for s in ok], "o--", label=f"{label} p95")
    lat.plot(n, [s["raw_faiss_k20_ms"]["p50"] for s in ok], "s:", label="raw faiss k=20 p50")
    lat.set(xscale="log", yscale="log", xlabel="candidates", ylabel="ms", title="latency")
    lat.legend(fontsize=7)
    mem.plot(n, [s["rss_mb"]["built"] for s in ok], "o-", label="process RSS")
    mem.plot(n, [s["engine_mb"] for s in ok], "o--", label="engine (RSS built − with records)")
    mem.set(xscale="log", xlabel="candidates", ylabel="MB", title="resident memory")
    mem.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--out", type=Path, default=REPO / "results")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.one:
        result = measure(args.one, min(10_000, max(100, args.one // 10)), args.queries)
        args.json.write_text(json.dumps(result, indent=2))
        return 0
    import psutil

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    args.out.mkdir(parents=True, exist_ok=True)
    results = []
    for n in sizes:
        free = psutil.virtual_memory().available
        if n * BYTES_PER_CANDIDATE > free:
            need = n * BYTES_PER_CANDIDATE >> 20
            log.warning("skipping n=%d: needs ~%d MB, %d MB free", n, need, free >> 20)
            results.append({"candidates": n, "error": f"skipped: {free >> 20} MB free"})
            continue
        results.append(_child(n, args.queries, args.out / f".scale-{n}.json"))
        (args.out / f".scale-{n}.json").unlink(missing_ok=True)
    report = {
        "generated_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "platform": f"python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} cpus",
        "sizes": results,
    }
    (args.out / "scale.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    table = render(report)
    (args.out / "scale.md").write_text("# Scale\n\n" + table)
    plot(report, args.out / "scale.png")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
