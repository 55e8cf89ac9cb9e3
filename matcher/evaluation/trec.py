"""TREC run and qrels files, so runs can be checked with trec_eval or ranx and kept for later.

Run lines: ``qid Q0 docid rank score tag``; qrels lines: ``qid 0 docid grade``. Whitespace
separated, so ids must not contain spaces (a ``ValueError`` says which one does).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from matcher.evaluation.metrics import Ranking, normalise_ranking

__all__ = ["read_qrels", "read_run", "write_qrels", "write_run"]


def _check_id(value: str) -> str:
    if not value or any(ch.isspace() for ch in value):
        raise ValueError(f"TREC ids must be non-empty and contain no whitespace: {value!r}")
    return value


def write_run(run: Mapping[str, Ranking], path: Path | str, tag: str = "cocok") -> None:
    """Write a run; a list ranking gets descending pseudo-scores so rank order survives a reread."""
    lines = []
    for qid in sorted(run):
        ranking = run[qid]
        docs = normalise_ranking(ranking)
        for rank, doc in enumerate(docs, start=1):
            if isinstance(ranking, Mapping):
                score = float(ranking[doc])
            else:
                score = float(len(docs) - rank + 1)
            lines.append(
                f"{_check_id(qid)} Q0 {_check_id(doc)} {rank} {score:.6g} {_check_id(tag)}"
            )
    Path(path).write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")


def read_run(path: Path | str) -> dict[str, dict[str, float]]:
    """Read a run as ``{qid: {docid: score}}`` (the score, not the rank column, orders it)."""
    run: dict[str, dict[str, float]] = {}
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 6:
            raise ValueError(f"{path}:{number}: a run line has 6 fields, found {len(parts)}")
        qid, _, doc, _, score, _ = parts
        run.setdefault(qid, {})[doc] = float(score)
    return run


def write_qrels(qrels: Mapping[str, Mapping[str, int]], path: Path | str) -> None:
    """Write qrels sorted by query then doc id, so the file diffs cleanly."""
    lines = [
        f"{_check_id(qid)} 0 {_check_id(doc)} {int(grade)}"
        for qid in sorted(qrels)
        for doc, grade in sorted(qrels[qid].items())
    ]
    Path(path).write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")


def read_qrels(path: Path | str) -> dict[str, dict[str, int]]:
    """Read ``qid iter docid grade`` lines (tabs or spaces) into ``{qid: {docid: grade}}``."""
    qrels: dict[str, dict[str, int]] = {}
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 4:
            raise ValueError(f"{path}:{number}: a qrels line has 4 fields, found {len(parts)}")
        qid, _, doc, grade = parts
        qrels.setdefault(qid, {})[doc] = int(grade)
    return qrels
