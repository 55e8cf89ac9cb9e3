"""Encoder throughput: the torch path against the ONNX fp32 and int8 graphs, in one run.

    python -m benchmarks.encoders [--repeats 3] [--vacancies 120] [--profiles 120]

Texts are exactly what the engine embeds: the ``Profiler`` text of (a) real Loker.id postings
(``../shared/data/eval/lokerid_2025``; skipped when absent) and (b) candidate profiles from the
demo generator. Each backend encodes every text ``--repeats`` times at 1 thread and at all
available cores; the table gives texts/s (median) and the ratio to torch at the same thread count,
plus the cosine of each backend's vectors with torch's. Writes ``results/encoders.json`` and
``results/encoders.md``. The ONNX artifacts are built (offline, from the pinned weights) under
``var/cache/onnx-encoders`` when missing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console

from benchmarks.tasks import default_eval_dir, lokerid_sample, lokerid_vacancy

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "var" / "cache" / "onnx-encoders"
console = Console(stderr=True)


def _profiler() -> Any:
    from matcher.geo import Gazetteer
    from matcher.profiles import Profiler
    from matcher.taxonomy import Taxonomy

    return Profiler(Taxonomy.load(), Gazetteer.load())


def vacancy_texts(eval_dir: Path) -> list[str] | None:
    """The engine's encoder text for the 240 postings of the labelled Loker.id sample (a seeded
    random draw from the whole file; in memory only)."""
    sample = lokerid_sample(eval_dir)
    if sample is None:
        return None
    profiler = _profiler()
    return [profiler.vacancy(lokerid_vacancy(row)).text for _, row in sample.iterrows()]


def profile_texts(n: int) -> list[str]:
    from matcher.demo import generate_demo

    profiler = _profiler()
    demo = generate_demo(seed=7, n_candidates=n, n_vacancies=0)
    return [profiler.candidate(c).text for c in demo.candidates]


def length_stats(texts: list[str], tokenizer: Any, max_len: int) -> dict[str, float]:
    """How long the texts are in word pieces, and how many the model cuts at ``max_len``."""
    from matcher.profiles import MAX_ENCODER_CHARS

    full = [len(e.ids) for e in tokenizer.encode_batch(texts)]  # tokenizer without truncation
    return {
        "n": len(texts),
        "chars_mean": round(float(np.mean([len(t) for t in texts])), 1),
        "at_char_cap": round(float(np.mean([len(t) >= MAX_ENCODER_CHARS for t in texts])), 4),
        "tokens_mean": round(float(np.mean(full)), 1),
        "tokens_median": float(np.median(full)),
        "tokens_p90": float(np.percentile(full, 90)),
        "truncated_share": round(float(np.mean([n > max_len for n in full])), 4),
        "tokens_fed_mean": round(float(np.mean([min(n, max_len) for n in full])), 1),
    }


def _time(encode: Callable[[list[str]], np.ndarray], texts: list[str], repeats: int) -> Any:
    encode(texts[:8])  # warm-up: lazy initialisation, allocator growth
    seconds, vectors = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        vectors = encode(texts)
        seconds.append(time.perf_counter() - started)
    return vectors, seconds


def _backends(threads: int) -> list[tuple[str, Callable[[], Any]]]:
    from matcher.encoder import load_bundled_encoder
    from matcher.onnx_encoder import ensure_onnx_encoder

    return [
        ("torch", load_bundled_encoder),
        (
            "onnx fp32",
            lambda: ensure_onnx_encoder(ARTIFACTS / "fp32", quantize=False, threads=threads),
        ),
        ("onnx int8", lambda: ensure_onnx_encoder(ARTIFACTS / "int8", threads=threads)),
    ]


def measure(sets: dict[str, list[str]], repeats: int, thread_counts: list[int]) -> dict[str, Any]:
    import torch

    default_threads = torch.get_num_threads()
    rows: list[dict[str, Any]] = []
    for threads in thread_counts:
        torch.set_num_threads(threads)  # the torch path's only thread knob; restored below
        for backend, load in _backends(threads):
            encoder = load()
            for set_name, texts in sets.items():
                vectors, seconds = _time(encoder.encode, texts, repeats)
                rate = len(texts) / statistics.median(seconds)
                rows.append(
                    {
                        "texts": set_name,
                        "backend": backend,
                        "threads": threads,
                        "texts_per_s": round(rate, 2),
                        "seconds": [round(s, 3) for s in seconds],
                        "_vectors": vectors,
                    }
                )
                console.print(
                    f"  {set_name:10s} {backend:10s} threads={threads}: {rate:7.1f} texts/s "
                    f"(runs {', '.join(f'{s:.1f}s' for s in seconds)})"
                )
    torch.set_num_threads(default_threads)
    for row in rows:  # ratios and agreement against torch on the same texts and threads
        base = next(
            r
            for r in rows
            if r["texts"] == row["texts"]
            and r["threads"] == row["threads"]
            and r["backend"] == "torch"
        )
        row["ratio_to_torch"] = round(row["texts_per_s"] / base["texts_per_s"], 2)
        cos = (row["_vectors"] * base["_vectors"]).sum(axis=1)
        row["cosine_to_torch_min"] = round(float(cos.min()), 4)
        row["cosine_to_torch_mean"] = round(float(cos.mean()), 4)
    for row in rows:
        del row["_vectors"]
    return {"rows": rows}


def render_markdown(results: dict[str, Any]) -> str:
    lines = [
        f"_Generated by `python -m benchmarks.encoders` on {results['generated_at']} "
        f"({results['platform']}, {results['cores']} cores); do not edit by hand._",
        "",
        f"Load average (1 min) before / after: {results['load_average'][0]} / "
        f"{results['load_average'][1]}; above {results['cores']}, other work shared the CPUs.",
        "",
        f"Median of {results['repeats']} runs over the same texts; ratio to the torch path "
        "(sentence-transformers) at the same thread count, in the same run.",
        "",
    ]
    for note in results["skipped"]:
        lines.append(f"- skipped: {note}")
    lines += [
        "",
        "| texts | backend | threads | texts/s | × torch | cosine to torch (min / mean) |",
        "|---|---|---|---|---|---|",
    ]
    for r in results["rows"]:
        lines.append(
            f"| {r['texts']} | {r['backend']} | {r['threads']} | {r['texts_per_s']:.1f} | "
            f"{r['ratio_to_torch']:.2f} | {r['cosine_to_torch_min']:.4f} / "
            f"{r['cosine_to_torch_mean']:.4f} |"
        )
    lines += [
        "",
        "Text lengths (word pieces of the model's tokenizer; the model reads at most "
        f"{results['max_seq_length']}, the profiler cuts texts at {results['char_cap']} "
        "characters):",
        "",
        "| texts | n | chars mean | at char cap | tokens mean | median | p90 | cut at max length "
        "| tokens fed mean |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, s in results["lengths"].items():
        lines.append(
            f"| {name} | {s['n']} | {s['chars_mean']} | {s['at_char_cap']:.1%} | "
            f"{s['tokens_mean']} | {s['tokens_median']:.0f} | {s['tokens_p90']:.0f} | "
            f"{s['truncated_share']:.1%} | {s['tokens_fed_mean']} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    from tokenizers import Tokenizer

    from matcher.encoder import bundled_model_dir
    from matcher.onnx_encoder import available_cores, model_layout
    from matcher.profiles import MAX_ENCODER_CHARS

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--eval-dir", type=Path, default=default_eval_dir(REPO))
    parser.add_argument("--out", type=Path, default=REPO / "results")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--vacancies", type=int, default=120, help="Loker.id postings timed")
    parser.add_argument("--profiles", type=int, default=120, help="demo candidate profiles")
    parser.add_argument("--threads", type=int, nargs="*", help="thread counts (default: 1 and all)")
    args = parser.parse_args(argv)

    cores = available_cores()
    thread_counts = args.threads or sorted({1, cores})
    skipped: list[str] = []
    sets: dict[str, list[str]] = {}
    with console.status("building the engine's profile texts"):
        vacancies = vacancy_texts(args.eval_dir)
        if vacancies is None:
            skipped.append(f"Loker.id vacancy texts: data absent under {args.eval_dir}")
        else:
            sets["lokerid"] = vacancies
        sets["profiles"] = profile_texts(args.profiles)
    for note in skipped:
        console.print(f"skipped: {note}")

    max_len, _ = model_layout(bundled_model_dir())
    tokenizer = Tokenizer.from_file(str(bundled_model_dir() / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    lengths = {name: length_stats(texts, tokenizer, max_len) for name, texts in sets.items()}
    if "lokerid" in sets:  # lengths over all 240; timing over the first --vacancies
        sets["lokerid"] = sets["lokerid"][: args.vacancies]

    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    measured = measure(sets, args.repeats, thread_counts)
    results: dict[str, Any] = {
        "generated_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "platform": f"python {platform.python_version()}, {platform.machine()}",
        "cores": cores,
        "repeats": args.repeats,
        "max_seq_length": max_len,
        "char_cap": MAX_ENCODER_CHARS,
        "skipped": skipped,
        "lengths": lengths,
        **measured,
        "seconds": round(time.perf_counter() - started, 1),
        #: 1-minute load average before and after: above the core count, others shared the CPUs
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "encoders.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (args.out / "encoders.md").write_text(
        "# Encoder throughput\n\n" + render_markdown(results), encoding="utf-8"
    )
    console.print(f"wrote {args.out / 'encoders.json'} and encoders.md in {results['seconds']}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
