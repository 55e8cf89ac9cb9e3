"""Agreement between the two independent labelling passes of the Loker.id sample.

Both annotators judged the same 240 postings against the 50 SMK programs with grades 0/1/2. We
report Cohen's kappa over every (posting, program) cell, binary (relevant or not) and quadratic-
weighted on the grades, plus how often they agree that a posting fits no SMK program at all.
A benchmark whose labels two people cannot agree on cannot support a 0.85 target, so this number
belongs next to the results.
"""

from __future__ import annotations

from typing import Any

from sklearn.metrics import cohen_kappa_score

from benchmarks.tasks import program_codes


def label_agreement(
    first: dict[str, dict[str, int]], second: dict[str, dict[str, int]]
) -> dict[str, Any]:
    postings = sorted(set(first) & set(second))
    codes = program_codes()
    a = [first[p].get(c, 0) for p in postings for c in codes]
    b = [second[p].get(c, 0) for p in postings for c in codes]
    none_agree = sum((not first[p]) == (not second[p]) for p in postings)
    top_agree = sum(
        bool(first[p]) and bool(second[p]) and max(first[p], key=first[p].__getitem__) in second[p]
        for p in postings
    )
    with_programs = sum(bool(first[p]) for p in postings)
    return {
        "postings": len(postings),
        "kappa_binary": round(float(cohen_kappa_score([x > 0 for x in a], [x > 0 for x in b])), 4),
        "kappa_quadratic": round(float(cohen_kappa_score(a, b, weights="quadratic")), 4),
        "none_agreement": round(none_agree / max(len(postings), 1), 4),
        "top_program_in_other_pass": round(top_agree / max(with_programs, 1), 4),
    }


def render_agreement(agreement: dict[str, Any] | None) -> str:
    if not agreement:
        return ""
    return (
        "\n### Label agreement (pass 1 vs pass 2, independent annotators)\n\n"
        "| postings | Cohen's κ (relevant or not) | weighted κ (grades, quadratic) | "
        "agree on 'no SMK program fits' | pass-1 best program judged relevant by pass 2 |\n"
        "|---|---|---|---|---|\n"
        f"| {agreement['postings']} | {agreement['kappa_binary']} | "
        f"{agreement['kappa_quadratic']} | {agreement['none_agreement']} | "
        f"{agreement['top_program_in_other_pass']} |\n"
    )
