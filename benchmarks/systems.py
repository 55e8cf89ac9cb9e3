"""The systems a benchmark compares: cocok's Matcher and the baselines it must beat.

Every system is a factory returning an object with ``run(task, k) -> {query_id: [doc ids]}``;
the runner holds a list of ``(name, factory)``, so an ablation is one more line, e.g.
``("cocok -dense", lambda: CocokSystem(ablate={"dense"}))``.

Baselines see only text (``candidate_text`` / ``vacancy_text``): no education filter, no
taxonomy. They are the floor cocok is measured against, computed in the same run on the same
records so their numbers are never copied from elsewhere.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np

from benchmarks.tasks import Task
from matcher.records import Candidate, Vacancy

Run = dict[str, list[str]]
_TOKEN = re.compile(r"\w+", re.UNICODE)


class System(Protocol):
    def run(self, task: Task, k: int) -> Run: ...


def candidate_text(c: Candidate) -> str:
    """What a keyword search over a profile would see: major, skills, experience, summary."""
    parts = [c.major or "", " ".join(c.skills), " ".join(c.certifications)]
    parts += [e.title for e in c.experience]
    parts.append(c.summary or "")
    return "\n".join(p for p in parts if p)


def vacancy_text(v: Vacancy) -> str:
    return "\n".join(p for p in (v.title, v.description, " ".join(v.skills)) if p)


def tokens(text: str) -> list[str]:
    """Plain lower-cased word tokens: the deliberately naive baseline tokeniser."""
    return _TOKEN.findall(text.lower())


def _sides(task: Task) -> tuple[list[str], list[str], list[str], list[str]]:
    """(query ids, query texts, doc ids, doc texts) for the task's direction."""
    cands = {c.id: c for c in task.candidates}
    vacs = {v.id: v for v in task.vacancies}
    if task.direction == "candidate_to_vacancy":
        q_texts = [candidate_text(cands[q]) for q in task.query_ids]
        return task.query_ids, q_texts, list(vacs), [vacancy_text(v) for v in vacs.values()]
    q_texts = [vacancy_text(vacs[q]) for q in task.query_ids]
    return task.query_ids, q_texts, list(cands), [candidate_text(c) for c in cands.values()]


def _top_k(scores: np.ndarray, doc_ids: Sequence[str], k: int) -> list[str]:
    """Docs with a positive score, best first; ties by doc id so runs are reproducible."""
    order = sorted(np.flatnonzero(scores > 0), key=lambda i: (-scores[i], doc_ids[i]))
    return [doc_ids[i] for i in order[:k]]


class BM25System:
    """bm25s (Lucene variant, k1=1.5, b=0.75) over plain lower-cased tokens."""

    def run(self, task: Task, k: int) -> Run:
        import bm25s

        qids, q_texts, doc_ids, d_texts = _sides(task)
        retriever = bm25s.BM25()
        retriever.index([tokens(t) for t in d_texts], show_progress=False)
        vocab = retriever.vocab_dict
        run: Run = {}
        for qid, text in zip(qids, q_texts, strict=True):
            q = [t for t in tokens(text) if t in vocab]
            run[qid] = _top_k(retriever.get_scores(q), doc_ids, k) if q else []
        return run


class TfidfSystem:
    """sklearn TF-IDF (sublinear tf, unigrams) with cosine similarity."""

    def run(self, task: Task, k: int) -> Run:
        from sklearn.feature_extraction.text import TfidfVectorizer

        qids, q_texts, doc_ids, d_texts = _sides(task)
        vectorizer = TfidfVectorizer(lowercase=True, sublinear_tf=True, token_pattern=r"\w+")
        docs = vectorizer.fit_transform(d_texts)
        sims = (vectorizer.transform(q_texts) @ docs.T).toarray()
        return {qid: _top_k(sims[i], doc_ids, k) for i, qid in enumerate(qids)}


#: Which encoder cocok and the dense baseline use (``quality.py --encoder``): ``bundled`` is the
#: torch path with its disk cache; ``onnx`` / ``onnx-fp32`` are the ONNX graphs (int8 / fp32),
#: built offline under var/cache/onnx-encoders when missing and cached in memory for the run.
ENCODERS = ("bundled", "onnx", "onnx-fp32")
_encoder_choice: dict[str, Any] = {"kind": "bundled", "instance": None}


def use_encoder(kind: str) -> None:
    if kind not in ENCODERS:
        raise ValueError(f"encoder must be one of {ENCODERS}, got {kind!r}")
    _encoder_choice.update(kind=kind, instance=None)


def run_encoder() -> Any:
    """The run's one encoder, as chosen by :func:`use_encoder`."""
    from benchmarks.embeddings import shared_encoder

    kind = _encoder_choice["kind"]
    if kind == "bundled":
        return shared_encoder()
    if _encoder_choice["instance"] is None:
        from benchmarks.encoders import ARTIFACTS
        from matcher.encoder import CachedEncoder
        from matcher.onnx_encoder import ensure_onnx_encoder

        fp32 = kind == "onnx-fp32"
        inner = ensure_onnx_encoder(ARTIFACTS / ("fp32" if fp32 else "int8"), quantize=not fp32)
        _encoder_choice["instance"] = CachedEncoder(inner)
    return _encoder_choice["instance"]


class DenseSystem:
    """Cosine over the bundled MiniLM embeddings of the raw texts (no taxonomy, no filters)."""

    def run(self, task: Task, k: int) -> Run:
        qids, q_texts, doc_ids, d_texts = _sides(task)
        encoder = run_encoder()
        sims = encoder.encode(q_texts) @ encoder.encode(d_texts).T
        sims = sims + 1.0  # cosine in [-1, 1]: shift so _top_k keeps every doc
        return {qid: _top_k(sims[i], doc_ids, k) for i, qid in enumerate(qids)}


def engine_available() -> tuple[bool, str]:
    """Whether ``matcher.engine.Matcher`` can be imported, and why not when it cannot."""
    if importlib.util.find_spec("matcher.engine") is None:
        return False, "cocok: engine not available yet"
    try:
        from matcher.engine import Matcher  # noqa: F401
    except Exception as exc:  # a half-written engine must not stop the baselines
        return False, f"cocok: engine failed to import ({type(exc).__name__}: {exc})"
    return True, ""


class CocokSystem:
    """cocok's Matcher, fit on the task's records; keyword arguments go to ``Matcher(...)``."""

    def __init__(self, **matcher_kwargs: Any) -> None:
        self.matcher_kwargs = matcher_kwargs

    def run(self, task: Task, k: int) -> Run:
        from matcher.engine import Matcher

        kwargs = {"encoder": run_encoder(), **self.matcher_kwargs}
        matcher = Matcher(**kwargs).fit(task.candidates, task.vacancies)
        run: Run = {}
        for qid in task.query_ids:
            if task.direction == "candidate_to_vacancy":
                run[qid] = [m.vacancy_id for m in matcher.recommend_vacancies(qid, k=k)]
            else:
                run[qid] = [m.candidate_id for m in matcher.recommend_candidates(qid, k=k)]
        return run


SystemFactory = Callable[[], System]


def _ablated(*features: str) -> SystemFactory:
    """cocok with some scorer signals switched off (weights renormalised over the rest)."""

    def factory() -> System:
        from matcher.scoring import WeightedScorer

        return CocokSystem(scorer=WeightedScorer().without(*features))

    return factory


#: (name, factory, needs the engine). Add an ablation as one line here.
SYSTEMS: list[tuple[str, SystemFactory, bool]] = [
    ("cocok", CocokSystem, True),
    ("cocok -taxonomy", _ablated("program_fit", "skill_coverage"), True),
    ("cocok -lexical", _ablated("lexical"), True),
    ("cocok -dense", _ablated("dense"), True),
    ("cocok -distance", _ablated("proximity"), True),
    ("bm25", BM25System, False),
    ("tfidf", TfidfSystem, False),
    ("dense", DenseSystem, False),
]
