"""Does adapting the bundled MiniLM to Indonesian vocational text help? Measured, in one run.

Fine-tunes a fresh copy of the bundled encoder on CPU (seeded, capped in wall-clock time) on
pairs from the shipped taxonomy and the demo generator's vacancy titles beside their own
descriptions (:mod:`matcher.encoder_adaptation`; never the eval data, never labels), then ranks the
Loker.id tasks of ``make eval`` with the bundled and the adapted encoder side by side: the
dense-only baseline and the full cocok system, both directions, with a paired test of adapted
against bundled on nDCG@10. Writes ``results/encoder_adaptation.{json,md}``.

    python -m benchmarks.encoder_adaptation [--seed 13] [--epochs 1] [--max-seconds 600]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import platform
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.systems import CocokSystem, Run, _sides, _top_k
from benchmarks.tasks import LABELS_PASS2, Task, default_eval_dir, lokerid_tasks
from matcher.encoder import CachedEncoder, Encoder, SentenceTransformerEncoder
from matcher.evaluation import compare_paired, evaluate, normalise_ranking, per_query

REPO = Path(__file__).resolve().parent.parent
PRIMARY = "ndcg@10"
K = 100
DEMO_SEED, DEMO_VACANCIES = 11, 400
log = logging.getLogger("encoder_adaptation")


def training_pairs(seed: int) -> list[Any]:
    """Taxonomy pairs plus demo title/description pairs: only shipped, generated text."""
    from matcher.demo import generate_demo
    from matcher.encoder_adaptation import demo_pairs, taxonomy_pairs
    from matcher.taxonomy import Taxonomy

    demo = generate_demo(seed=DEMO_SEED, n_candidates=0, n_vacancies=DEMO_VACANCIES)
    return taxonomy_pairs(Taxonomy.load(), random.Random(seed)) + demo_pairs(demo)


def weights_digest(model: Any) -> str:
    """sha256 over the parameters in name order: identifies the trained weights exactly."""
    digest = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()


def train_adapted(
    seed: int, *, epochs: int, max_seconds: float
) -> tuple[SentenceTransformerEncoder, dict[str, Any]]:
    """A fresh, hash-checked copy of the bundled model, fine-tuned; and what the training did."""
    import torch
    from sentence_transformers import SentenceTransformer

    from matcher.encoder import bundled_model_dir, load_pins, verify_model_dir
    from matcher.encoder_adaptation import fine_tune

    torch.set_num_threads(2)
    directory = bundled_model_dir()
    verify_model_dir(directory, load_pins())
    model = SentenceTransformer(str(directory), device="cpu", local_files_only=True)
    pairs = training_pairs(seed)

    def progress(step: int, total: int, loss: float) -> None:
        if step == 1 or step % 10 == 0 or step == total:
            log.info("training step %d/%d loss %.3f", step, total, loss)

    stats = fine_tune(
        model, pairs, seed=seed, epochs=epochs, max_seconds=max_seconds, progress=progress
    )
    digest = weights_digest(model)
    encoder = SentenceTransformerEncoder(
        model, name=f"all-MiniLM-L6-v2+id-adapted-{digest[:12]}", digest=digest
    )
    info = {
        "seed": seed,
        "epochs": epochs,
        "pairs": len(pairs),
        "pairs_by_source": dict(Counter(p.source for p in pairs)),
        "weights_sha256": digest,
        **stats.__dict__,
    }
    return encoder, info


class DenseWith:
    """The ``dense`` baseline of benchmarks.systems with a chosen encoder."""

    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder

    def run(self, task: Task, k: int) -> Run:
        qids, q_texts, doc_ids, d_texts = _sides(task)
        sims = self.encoder.encode(q_texts) @ self.encoder.encode(d_texts).T + 1.0
        return {qid: _top_k(sims[i], doc_ids, k) for i, qid in enumerate(qids)}


def measure(tasks: list[Task], encoders: dict[str, Encoder]) -> dict[str, Any]:
    """Metrics per task, system and encoder; paired adapted-vs-bundled test on nDCG@10."""
    out: dict[str, Any] = {}
    for task in tasks:
        entry: dict[str, Any] = {"title": task.title, "systems": {}}
        for system in ("dense", "cocok"):
            per_encoder: dict[str, Any] = {}
            per_q: dict[str, dict[str, float]] = {}
            for enc_name, encoder in encoders.items():
                started = time.perf_counter()
                runner = DenseWith(encoder) if system == "dense" else CocokSystem(encoder=encoder)
                run = {q: normalise_ranking(r)[:K] for q, r in runner.run(task, K).items()}
                per_encoder[enc_name] = {
                    "metrics": evaluate(run, task.qrels, task.metrics),
                    "seconds": round(time.perf_counter() - started, 1),
                }
                per_q[enc_name] = per_query(PRIMARY, run, task.qrels)
                log.info(
                    "%s %s %s %s=%.4f",
                    task.name,
                    system,
                    enc_name,
                    PRIMARY,
                    per_encoder[enc_name]["metrics"][PRIMARY],
                )
            if {"adapted", "bundled"} <= per_q.keys():
                per_encoder["adapted_vs_bundled"] = compare_paired(
                    per_q["adapted"], per_q["bundled"]
                ).as_dict()
            entry["systems"][system] = per_encoder
        out[task.name] = entry
    return out


def run(
    seed: int = 13,
    *,
    eval_dir: Path | None = None,
    epochs: int = 1,
    max_seconds: float = 600.0,
) -> dict[str, Any]:
    """Train once, measure both encoders on the Loker.id tasks; ``skipped`` when data is absent."""
    eval_dir = eval_dir or default_eval_dir(REPO)
    tasks, reason = lokerid_tasks(eval_dir)
    result: dict[str, Any] = {
        "generated_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "platform": f"python {platform.python_version()}, {platform.machine()}",
        "primary_metric": PRIMARY,
    }
    if not tasks:
        result["skipped"] = f"Loker.id tasks: {reason}"
        return result
    if LABELS_PASS2.exists():
        tasks += lokerid_tasks(eval_dir, LABELS_PASS2, "_pass2")[0]
    from benchmarks.embeddings import save_shared, shared_encoder

    adapted, info = train_adapted(seed, epochs=epochs, max_seconds=max_seconds)
    result["training"] = info
    encoders: dict[str, Encoder] = {"bundled": shared_encoder(), "adapted": CachedEncoder(adapted)}
    result["tasks"] = measure(tasks, encoders)
    save_shared()
    return result


def improves_full_system(result: dict[str, Any]) -> bool:
    """True only when adapted cocok beats bundled cocok on nDCG@10 in every judged task, each
    with the paired 95% interval above zero: a gain within noise does not earn a second model.
    """
    tasks = result.get("tasks", {})
    return bool(tasks) and all(
        t["systems"]["cocok"]["adapted_vs_bundled"]["ci_low"] > 0 for t in tasks.values()
    )


def markdown(result: dict[str, Any]) -> str:
    """The result as the tables docs/evaluation.md quotes."""
    lines = [
        f"_Generated by `python -m benchmarks.encoder_adaptation` on {result['generated_at']} "
        f"({result['platform']}); do not edit by hand._",
        "",
    ]
    if "skipped" in result:
        return "\n".join([*lines, f"Skipped: {result['skipped']}.", ""])
    t = result["training"]
    lines += [
        f"Training: seed {t['seed']}, {t['pairs']} pairs "
        f"({', '.join(f'{k} {v}' for k, v in sorted(t['pairs_by_source'].items()))}), "
        f"{t['steps']} steps of 32 in {t['seconds']} s on CPU"
        f"{' (stopped at the time cap)' if t['stopped_early'] else ''}, "
        f"loss {t['first_loss']:.3f} → {t['last_loss']:.3f}; weights sha256 "
        f"`{t['weights_sha256'][:16]}…`.",
        "",
        f"| task | system | bundled {PRIMARY} | adapted {PRIMARY} | diff | 95% CI | p (rand.) |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, task in result["tasks"].items():
        for system, entry in task["systems"].items():
            b = entry["bundled"]["metrics"][PRIMARY]
            a = entry["adapted"]["metrics"][PRIMARY]
            c = entry.get("adapted_vs_bundled", {})
            lines.append(
                f"| {name} | {system} | {b:.4f} | {a:.4f} | {a - b:+.4f} | "
                f"[{c.get('ci_low', float('nan')):+.4f}, {c.get('ci_high', float('nan')):+.4f}] "
                f"| {c.get('p_randomisation', float('nan')):.4f} |"
            )
    verdict = (
        "improves the full cocok system on every judged task (paired 95% CI above zero)"
        if improves_full_system(result)
        else "does not improve the full cocok system beyond noise on every judged task "
        "(a paired 95% CI reaches zero or below)"
    )
    lines += ["", f"The adapted encoder {verdict}.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--max-seconds", type=float, default=600.0)
    parser.add_argument("--eval-dir", type=Path, default=default_eval_dir(REPO))
    parser.add_argument("--out", type=Path, default=REPO / "results")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    result = run(
        args.seed, eval_dir=args.eval_dir, epochs=args.epochs, max_seconds=args.max_seconds
    )
    if "skipped" in result:
        log.info("%s: nothing written", result["skipped"])
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "encoder_adaptation.json").write_text(
        json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (args.out / "encoder_adaptation.md").write_text(
        "# Adapting the encoder\n\n" + markdown(result), encoding="utf-8"
    )
    log.info("wrote %s", args.out / "encoder_adaptation.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
