"""Fairness report on the demo data: who gets seen, and whether protected facts move a score.

Two questions, answered on ``generate_demo`` data (the real eval sets carry no school, kecamatan
or gender):

* **Exposure.** For every open vacancy, the top-10 suggested candidates. How much of the officer's
  attention (:mod:`matcher.evaluation.fairness`) goes to each school, kecamatan and gender,
  against each group's share of the candidates eligible for those vacancies, and of the eligible
  candidates whose true program fits (the demo's truth map)?
* **Counterfactuals.** For a sample of vacancies and candidates: flip gender, write religion or
  marital status into a candidate's summary or skills, or a gender/religion requirement into a
  vacancy; count the pair scores that moved. DESIGN.md says none may. Religion and marital status
  are not record fields at all; the report also shows a record carrying them is rejected.

``run(...) -> dict``, ``markdown(result) -> str``; ``python -m benchmarks.fairness`` writes
``results/fairness.{json,md}``.
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from matcher.demo import DemoData, generate_demo
from matcher.encoder import Encoder, HashingEncoder, load_bundled_encoder
from matcher.engine import Matcher
from matcher.errors import RecordValidationError
from matcher.evaluation.fairness import disparity_summary, exposure_report, scores_moved
from matcher.geo import Gazetteer
from matcher.records import Candidate, Vacancy, parse_candidate

REPO = Path(__file__).resolve().parent.parent
K = 10
ATTRIBUTES = ("school", "kecamatan", "gender")
log = logging.getLogger("fairness")

#: What a person might write; each variant is applied to every sampled candidate at once.
CANDIDATE_VARIANTS: dict[str, Callable[[Candidate], Candidate]] = {
    "gender L↔P": lambda c: c.model_copy(update={"gender": "L" if c.gender == "P" else "P"}),
    "ringkasan + 'Beragama Islam, belum menikah.'": lambda c: _summary(
        c, "Beragama Islam, belum menikah."
    ),
    "ringkasan + 'Agama Kristen, sudah menikah.'": lambda c: _summary(
        c, "Agama Kristen, sudah menikah."
    ),
    "ringkasan + 'Muslimah berhijab, lajang.'": lambda c: _summary(c, "Muslimah berhijab, lajang."),
    "keahlian + 'Bisa mengaji'": lambda c: c.model_copy(
        update={"skills": [*c.skills, "Bisa mengaji"]}
    ),
    "keahlian + 'Status: belum menikah'": lambda c: c.model_copy(
        update={"skills": [*c.skills, "Status: belum menikah"]}
    ),
}
VACANCY_VARIANTS: dict[str, Callable[[Vacancy], Vacancy]] = {
    "judul + ' (Pria)'": lambda v: v.model_copy(update={"title": f"{v.title} (Pria)"}),
    "judul + ' (Wanita)'": lambda v: v.model_copy(update={"title": f"{v.title} (Wanita)"}),
    "deskripsi + 'Beragama Islam, belum menikah.'": lambda v: v.model_copy(
        update={"description": f"{v.description}\nBeragama Islam, belum menikah."}
    ),
    "keahlian + 'Wanita'": lambda v: v.model_copy(update={"skills": [*v.skills, "Wanita"]}),
}


def _summary(c: Candidate, words: str) -> Candidate:
    return c.model_copy(update={"summary": f"{c.summary or ''} {words}".strip()})


def make_encoder(name: str) -> Encoder:
    """``bundled`` (the shipped MiniLM) or ``hashing`` (the fast deterministic stand-in)."""
    if name == "bundled":
        return load_bundled_encoder()
    if name == "hashing":
        return HashingEncoder(256)
    raise ValueError(f"encoder must be 'bundled' or 'hashing', got {name!r}.")


def eligible_candidates(matcher: Matcher, vacancy_id: str, as_of: Any) -> set[str]:
    """Every candidate passing the hard requirements for one vacancy (the pool it could show)."""
    from matcher import eligibility, features
    from matcher.columns import Today

    cc, vc = matcher.candidate_columns_, matcher.vacancy_columns_
    slots = cc.alive_slots()
    vac = np.full(len(slots), vc.slot_of[vacancy_id], dtype=np.int64)
    c, v = cc.gather(slots), vc.gather(vac)
    ok = eligibility.eligible(eligibility.check(c, v, features.distances(c, v), Today.of(as_of)))
    return {cc.ids[int(s)] or "" for s in slots[ok]}


def group_maps(demo: DemoData, gazetteer: Gazetteer) -> dict[str, dict[str, str]]:
    """Candidate id → school name, kecamatan name and gender, as a report would label them."""
    school = {s.id: s.name for s in demo.schools}
    maps: dict[str, dict[str, str]] = {a: {} for a in ATTRIBUTES}
    for c in demo.candidates:
        if c.school_id:
            maps["school"][c.id] = school.get(c.school_id, c.school_id)
        code = c.location.kecamatan_code if c.location else None
        if code:
            place = gazetteer.place(code)
            maps["kecamatan"][c.id] = place.name if place else code
        if c.gender:
            maps["gender"][c.id] = {"L": "laki-laki (L)", "P": "perempuan (P)"}[c.gender]
    return maps


def exposure(matcher: Matcher, demo: DemoData, gazetteer: Gazetteer, k: int = K) -> dict[str, Any]:
    """Top-``k`` exposure by school, kecamatan and gender over every open vacancy."""
    rankings: dict[str, list[str]] = {}
    eligible: dict[str, set[str]] = {}
    fitting: dict[str, set[str]] = {}
    open_vacancies = [v for v in demo.vacancies if v.status == "open"]
    for i, v in enumerate(open_vacancies, start=1):
        found = matcher.recommend_candidates(v.id, k=k, as_of=demo.as_of)
        rankings[v.id] = [m.candidate_id for m in found]
        eligible[v.id] = eligible_candidates(matcher, v.id, demo.as_of)
        fits = set(demo.vacancy_programs.get(v.id, []))
        fitting[v.id] = {c for c in eligible[v.id] if demo.candidate_program.get(c) in fits}
        if i % 50 == 0 or i == len(open_vacancies):
            log.info("exposure: %d/%d vacancies ranked", i, len(open_vacancies))
    out: dict[str, Any] = {
        "vacancies": len(rankings),
        "shown": sum(len(r) for r in rankings.values()),
        "mean_eligible": float(np.mean([len(e) for e in eligible.values()])) if eligible else 0.0,
        "by": {},
    }
    for attribute, group_of in group_maps(demo, gazetteer).items():
        report = exposure_report(rankings, eligible, group_of, k=k, fitting=fitting)
        out["by"][attribute] = {
            "groups": [g.as_dict() for g in report],
            "summary": disparity_summary(report),
        }
    return out


def _pair_scores(
    matcher: Matcher, pairs: Sequence[tuple[str, str]], as_of: Any
) -> dict[tuple[str, str], float]:
    return {(c, v): matcher.explain(c, v, as_of=as_of).score for c, v in pairs}


def counterfactuals(
    matcher: Matcher, demo: DemoData, *, seed: int, n_vacancies: int = 25, extra: int = 5
) -> dict[str, Any]:
    """Apply each variant to the sampled records, count moved pair scores, then restore them."""
    rng = random.Random(seed)
    open_vacancies = [v for v in demo.vacancies if v.status == "open"]
    vacancies = rng.sample(open_vacancies, min(n_vacancies, len(open_vacancies)))
    pairs: list[tuple[str, str]] = []
    for v in vacancies:
        top = [m.candidate_id for m in matcher.recommend_candidates(v.id, k=K, as_of=demo.as_of)]
        rest = sorted(eligible_candidates(matcher, v.id, demo.as_of) - set(top))
        pairs += [(c, v.id) for c in top + rng.sample(rest, min(extra, len(rest)))]
    cands = {c.id: c for c in demo.candidates}
    vacs = {v.id: v for v in demo.vacancies}
    sampled_c = [cands[c] for c in sorted({c for c, _ in pairs})]
    sampled_v = [vacs[v.id] for v in vacancies]
    base = _pair_scores(matcher, pairs, demo.as_of)
    out: dict[str, Any] = {"pairs": len(pairs), "candidates": len(sampled_c), "variants": {}}
    variants: list[tuple[str, str, Callable[[Any], Any]]] = [
        ("candidate", name, f) for name, f in CANDIDATE_VARIANTS.items()
    ] + [("vacancy", name, f) for name, f in VACANCY_VARIANTS.items()]
    for side, name, change in variants:
        if side == "candidate":
            matcher.upsert_candidates([change(c) for c in sampled_c])
        else:
            matcher.upsert_vacancies([change(v) for v in sampled_v])
        moved, largest = scores_moved(base, _pair_scores(matcher, pairs, demo.as_of))
        if side == "candidate":
            matcher.upsert_candidates(sampled_c)
        else:
            matcher.upsert_vacancies(sampled_v)
        out["variants"][name] = {"side": side, "moved": moved, "max_abs_change": largest}
        log.info("counterfactual %s: %d of %d scores moved", name, moved, len(pairs))
    restored, _ = scores_moved(base, _pair_scores(matcher, pairs, demo.as_of))
    out["restored_exactly"] = restored == 0
    out["rejected_fields"] = rejected_fields(demo.candidates[0])
    return out


def rejected_fields(example: Candidate) -> dict[str, bool]:
    """Whether a record carrying religion or marital status as a field is refused at the edge."""
    out = {}
    for field_name, value in (("agama", "Islam"), ("religion", "Islam"), ("status_nikah", "Belum")):
        try:
            parse_candidate({**example.model_dump(mode="json"), field_name: value})
            out[field_name] = False
        except RecordValidationError:
            out[field_name] = True
    return out


def run(
    seed: int = 7,
    *,
    n_candidates: int = 3000,
    n_vacancies: int = 300,
    encoder: str = "bundled",
    k: int = K,
) -> dict[str, Any]:
    """Fit the matcher on the demo data and measure exposure and counterfactuals."""
    started = time.perf_counter()
    demo = generate_demo(seed=seed, n_candidates=n_candidates, n_vacancies=n_vacancies)
    gazetteer = Gazetteer.load()
    log.info("fitting on %d candidates, %d vacancies", n_candidates, n_vacancies)
    logged = [0]

    def progress(done: int, total: int) -> None:
        if done - logged[0] >= total // 10 or done == total:
            logged[0] = done
            log.info("fit: %d/%d records embedded", done, total)

    matcher = Matcher(encoder=make_encoder(encoder), gazetteer=gazetteer).fit(
        demo.candidates, demo.vacancies, progress=progress
    )
    result: dict[str, Any] = {
        "generated_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "platform": f"python {platform.python_version()}, {platform.machine()}",
        "demo": {"seed": seed, "candidates": n_candidates, "vacancies": n_vacancies},
        "encoder": matcher.encoder_.name,
        "k": k,
        "exposure": exposure(matcher, demo, gazetteer, k),
        "counterfactual": counterfactuals(matcher, demo, seed=seed),
    }
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result


def _ratio(x: float | None) -> str:
    return "–" if x is None or x != x else f"{x:.2f}"


def markdown(result: dict[str, Any], *, rows: int = 8) -> str:
    """Summary tables; per-group detail for gender, the extremes for school and kecamatan."""
    e, cf = result["exposure"], result["counterfactual"]
    lines = [
        f"_Generated by `python -m benchmarks.fairness` on {result['generated_at']} "
        f"({result['platform']}), encoder `{result['encoder']}`; do not edit by hand._",
        "",
        f"Demo data seed {result['demo']['seed']}: {result['demo']['candidates']} candidates, "
        f"{result['demo']['vacancies']} vacancies. Top-{result['k']} suggestions for each of "
        f"{e['vacancies']} open vacancies ({e['shown']} shown; on average "
        f"{e['mean_eligible']:.0f} eligible candidates per vacancy). Exposure uses the nDCG "
        "discount; *ratio* = exposure share / share of the eligible candidates, *fit ratio* = "
        "exposure share / share of the eligible candidates whose program fits (demo truth).",
        "",
        "| attribute | groups judged | lowest ratio | highest ratio | outside 0.8–1.25 |",
        "|---|---|---|---|---|",
    ]
    for attribute, entry in e["by"].items():
        s = entry["summary"]
        if not s.get("groups"):
            continue
        lines.append(
            f"| {attribute} | {s['groups']} | {s['min_ratio']:.2f} ({s['min_group']}) | "
            f"{s['max_ratio']:.2f} ({s['max_group']}) | {len(s['outside_four_fifths'])} |"
        )
    for attribute, entry in e["by"].items():
        groups = entry["groups"]
        shown = groups if len(groups) <= rows else sorted(groups, key=lambda g: g["ratio"])
        lines += [
            "",
            f"**{attribute}**"
            + ("" if len(groups) <= rows else f" ({rows // 2} lowest and highest ratios)"),
            "",
            "| group | shown | exposure share | eligible share | ratio | fit share | fit ratio |",
            "|---|---|---|---|---|---|---|",
        ]
        if len(groups) > rows:
            shown = [g for g in shown if g["ratio"] == g["ratio"]]
            shown = shown[: rows // 2] + shown[-(rows // 2) :]
        for g in shown:
            fit_share = g["fitting_share"]
            lines.append(
                f"| {g['group']} | {g['appearances']} | {g['exposure_share']:.3f} | "
                f"{g['expected_share']:.3f} | {_ratio(g['ratio'])} | "
                f"{'–' if fit_share is None else f'{fit_share:.3f}'} | "
                f"{_ratio(g['fitting_ratio'])} |"
            )
    lines += [
        "",
        f"Counterfactuals on {cf['pairs']} (candidate, vacancy) pairs ({cf['candidates']} "
        "candidates): each change applied to all sampled records, scores recomputed with "
        "`explain`, records restored "
        f"({'exactly' if cf['restored_exactly'] else 'NOT exactly'}).",
        "",
        "| change | side | scores moved | largest change |",
        "|---|---|---|---|",
    ]
    for name, v in cf["variants"].items():
        lines.append(f"| {name} | {v['side']} | {v['moved']} | {v['max_abs_change']:.2g} |")
    rejected = ", ".join(f"`{k}`" for k, ok in cf["rejected_fields"].items() if ok)
    accepted = ", ".join(f"`{k}`" for k, ok in cf["rejected_fields"].items() if not ok)
    lines += ["", f"Records carrying {rejected or 'none'} as a field are rejected at validation."]
    if accepted:
        lines.append(f"Accepted (should not be): {accepted}.")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--candidates", type=int, default=3000)
    parser.add_argument("--vacancies", type=int, default=300)
    parser.add_argument("--encoder", choices=["bundled", "hashing"], default="bundled")
    parser.add_argument("--out", type=Path, default=REPO / "results")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    result = run(
        args.seed, n_candidates=args.candidates, n_vacancies=args.vacancies, encoder=args.encoder
    )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "fairness.json").write_text(
        json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (args.out / "fairness.md").write_text("# Fairness\n\n" + markdown(result), encoding="utf-8")
    log.info("wrote %s in %.0f s", args.out / "fairness.md", result["seconds"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
