"""Does the learned scorer learn? Simulated BKK outcomes on the demo data, default vs learned.

The simulator (``matcher.learning.simulator``) gives employers hidden tastes (certificates,
distance, experience), shows them the default ranking and records what they do. The vacancies
first shown in the last quarter of the period are held out; the learned scorer is trained on the
rest and both scorers re-rank the held-out shown lists. A learning curve repeats the training on
the first 2, 4, ... weeks of outcomes, judged on the same holdout.

    python -m benchmarks.learning [--seed 0] [--encoder bundled|hashing]

writes ``results/learning.json`` and ``results/learning.md``. Synthetic outcomes: the figures say
the machinery learns preferences that exist; they are not a forecast of real placements.
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np

from matcher.demo import generate_demo
from matcher.engine import Matcher
from matcher.learning.dataset import build_training_set, time_split
from matcher.learning.simulator import simulate
from matcher.learning.training import METRIC, fit_and_compare

log = logging.getLogger("benchmarks.learning")
RESULTS = Path(__file__).resolve().parent.parent / "results"
TARGET_GAIN = 0.05


def _encoder(name: str) -> Any:
    from matcher.encoder import HashingEncoder, load_bundled_encoder

    return HashingEncoder(64) if name == "hashing" else load_bundled_encoder()


def run(
    seed: int = 0,
    *,
    n_candidates: int = 3000,
    n_vacancies: int = 300,
    weeks: int = 12,
    encoder: str = "bundled",
) -> dict[str, Any]:
    """Simulate, split by time, train, and compare; every figure the report shows."""
    started = time.perf_counter()
    demo = generate_demo(seed=7, n_candidates=n_candidates, n_vacancies=n_vacancies)
    log.info("demo: %d candidates, %d vacancies; fitting the engine", n_candidates, n_vacancies)
    matcher = Matcher(encoder=_encoder(encoder)).fit(demo.candidates, demo.vacancies)

    def every_50(done: int, total: int) -> None:
        if done % 50 == 0 or done == total:
            log.info("simulated %d/%d vacancies", done, total)

    sim = simulate(demo, matcher, seed=seed, weeks=weeks, progress=every_50)
    log.info("%d outcome events; building features", len(sim.events))
    data = build_training_set(sim.events, matcher, as_of=demo.as_of)
    train, test = time_split(data, 0.25)
    _, learned, default = fit_and_compare(train, test)
    gain = (learned[METRIC] - default[METRIC]) / default[METRIC]
    log.info("holdout %s: learned %.4f, default %.4f", METRIC, learned[METRIC], default[METRIC])

    window = data.window()
    if window is None:
        raise RuntimeError("the simulation produced no labelled pairs")
    curve = []
    for upto in range(2, weeks, 2):
        cutoff = window[0] + timedelta(weeks=upto)
        part = train.subset(np.asarray([at < cutoff for at in train.first_at]))
        if len(part) < 50 or not (part.grade > 0).any():
            continue
        _, lm, dm = fit_and_compare(part, test)
        curve.append(
            {
                "weeks": upto,
                "train_pairs": len(part),
                "learned_" + METRIC: lm[METRIC],
                "learned_map": lm["map"],
                "default_" + METRIC: dm[METRIC],
            }
        )
        log.info("curve: %d weeks, %d pairs: %.4f", upto, len(part), lm[METRIC])
    curve.append(
        {
            "weeks": "all training",
            "train_pairs": len(train),
            "learned_" + METRIC: learned[METRIC],
            "learned_map": learned["map"],
            "default_" + METRIC: default[METRIC],
        }
    )
    counts: dict[str, int] = {}
    for event in sim.events:
        counts[event.status] = counts.get(event.status, 0) + 1
    return {
        "seed": seed,
        "encoder": encoder,
        "demo": {"seed": 7, "candidates": n_candidates, "vacancies": n_vacancies},
        "simulation": {"weeks": weeks, "events": len(sim.events), "by_status": counts},
        "pairs": {"train": len(train), "holdout": len(test)},
        "holdout_from": (test.window() or window)[0].isoformat(),
        "learned": learned,
        "default": default,
        "gain": gain,
        "target_gain": TARGET_GAIN,
        "meets_target": gain >= TARGET_GAIN,
        "learning_curve": curve,
        "seconds": round(time.perf_counter() - started, 1),
        "machine": f"{platform.machine()} {platform.python_version()}",
    }


def markdown(result: dict[str, Any]) -> str:
    """The report section ``make eval`` shows."""
    rows = "\n".join(
        f"| {p['weeks']} | {p['train_pairs']} | {p['learned_' + METRIC]:.4f} | "
        f"{p['learned_map']:.4f} | {p['default_' + METRIC]:.4f} |"
        for p in result["learning_curve"]
    )
    le, de = result["learned"], result["default"]
    verdict = "meets" if result["meets_target"] else "does NOT meet"
    return f"""## Learning from outcomes (simulated BKK outcomes)

Demo data: {result["demo"]["candidates"]} candidates, {result["demo"]["vacancies"]} vacancies;
{result["simulation"]["weeks"]} simulated weeks, {result["simulation"]["events"]} outcome events
(simulator seed {result["seed"]}, encoder {result["encoder"]}). Time-ordered holdout: vacancies
first shown from {result["holdout_from"][:10]} on ({result["pairs"]["holdout"]} pairs,
{le["n_vacancies"]:.0f} vacancies with a graded candidate); trained on
{result["pairs"]["train"]} earlier pairs.

| scorer | nDCG@10 | MAP |
|---|---|---|
| default | {de[METRIC]:.4f} | {de["map"]:.4f} |
| learned | {le[METRIC]:.4f} | {le["map"]:.4f} |

Relative nDCG@10 gain: {result["gain"]:+.1%} (target ≥ {result["target_gain"]:.0%}: {verdict}).

Learning curve (same holdout; training on the first weeks only):

| weeks of outcomes | training pairs | learned nDCG@10 | learned MAP | default nDCG@10 |
|---|---|---|---|---|
{rows}

Synthetic outcomes from employers with hidden tastes: this shows the scorer learns preferences
that exist in outcomes, not how much it will help with real placements.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--encoder", choices=("bundled", "hashing"), default="bundled")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    result = run(seed=args.seed, encoder=args.encoder)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "learning.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    (RESULTS / "learning.md").write_text(markdown(result), encoding="utf-8")
    print(markdown(result))


if __name__ == "__main__":
    main()
