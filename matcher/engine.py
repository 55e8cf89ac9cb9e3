"""The Matcher: fit on records, recommend in both directions, explain, update, save, load.

A query runs in two stages. Candidate generation (``matcher.candidate_pool``) takes the union of
the nearest neighbours in the vector index, the best BM25 documents and the records whose program
fits (the taxonomy), so no single weak signal can hide a good match. Then every pair in that pool
is checked against the hard requirements, gets its features and a score, and the best ``k`` get
reasons. When the pool holds fewer than ``k`` records the query may see (a commute limit, one
school's students), ``matcher.fallback`` ranks among the qualifying records instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from matcher import candidate_pool, eligibility, fallback, features, vector_backends
from matcher.candidate_pool import LexicalHits, ProgramFit
from matcher.columns import CandidateColumns, Today, VacancyColumns
from matcher.encoder import CachedEncoder, Encoder, load_bundled_encoder
from matcher.errors import NotFittedError, UnknownRecordError
from matcher.geo import Gazetteer
from matcher.held_profiles import HeldCandidateProfiles
from matcher.held_vectors import narrow, widen
from matcher.lexical import BM25Index
from matcher.matches import Match, build_match
from matcher.profiles import CandidateProfile, Profiler, VacancyProfile, without_text
from matcher.record_shelf import CandidateShelf
from matcher.records import Candidate, Vacancy, parse_candidate, parse_vacancy
from matcher.scoring import Scorer, WeightedScorer
from matcher.slot_scan import SlotScan
from matcher.vector_backends import VectorBackend, VectorIndex

if TYPE_CHECKING:
    from matcher.taxonomy import Taxonomy

MAX_K = 1000
#: Below this many records a query scores every one of them: exact and still fast.
EXHAUSTIVE_LIMIT = 5000
BATCH = 256


def _check_k(k: int) -> None:
    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= MAX_K:
        raise ValueError(f"k must be an integer from 1 to {MAX_K}, got {k!r}")


class Matcher:
    """Ranks candidates for vacancies and vacancies for candidates (see docs/architecture.md)."""

    def __init__(
        self,
        *,
        encoder: Encoder | None = None,
        taxonomy: Taxonomy | None = None,
        gazetteer: Gazetteer | None = None,
        scorer: Scorer | None = None,
        pool_size: int = 300,
        language: str = "id",
        index_factory: VectorBackend | None = None,
    ) -> None:
        self.encoder = encoder
        self.taxonomy = taxonomy
        self.gazetteer = gazetteer
        self.scorer = scorer
        self.pool_size = pool_size
        self.language = language
        self.index_factory = index_factory

    # -- building ---------------------------------------------------------------------------

    def _setup(self) -> None:
        if self.pool_size < 1:
            raise ValueError("pool_size must be at least 1")
        if self.taxonomy is None:
            from matcher.taxonomy import Taxonomy

            self.taxonomy_ = Taxonomy.load()
        else:
            self.taxonomy_ = self.taxonomy
        self.gazetteer_ = self.gazetteer or Gazetteer.load()
        encoder = self.encoder or load_bundled_encoder()
        self.encoder_ = encoder if isinstance(encoder, CachedEncoder) else CachedEncoder(encoder)
        self.scorer_ = self.scorer or WeightedScorer()
        codes, similarity = self.taxonomy_.similarity_matrix()
        self.program_codes_ = list(codes)
        self.program_index_ = {code: i for i, code in enumerate(self.program_codes_)}
        self.similarity_ = np.asarray(similarity, dtype=np.float32)
        self.profiler_ = Profiler(self.taxonomy_, self.gazetteer_)
        self.manifest_: dict[str, Any] = {}  # filled by Matcher.load from the snapshot
        dim, n_prog = self.encoder_.dim, len(self.program_codes_)
        make_index = self.index_factory or vector_backends.DEFAULT
        self.candidates_ = CandidateShelf()
        self.vacancies_: dict[str, Vacancy] = {}
        self.vacancy_profiles_: dict[str, VacancyProfile] = {}
        self.candidate_columns_ = CandidateColumns(dim, n_prog)
        self.vacancy_columns_ = VacancyColumns(dim, n_prog)
        self.candidate_index_: VectorIndex = make_index(dim, "candidate")
        self.vacancy_index_: VectorIndex = make_index(dim, "vacancy")
        self.candidate_lexical_ = BM25Index()
        self.vacancy_lexical_ = BM25Index()
        self.candidate_scan_, self.vacancy_scan_ = SlotScan(), SlotScan()
        #: read back from the columns and BM25 on demand (see ``matcher.held_profiles``)
        self.candidate_profiles_: Mapping[str, CandidateProfile] = HeldCandidateProfiles(
            self.candidate_columns_, self.candidate_lexical_, self.program_codes_
        )

    def fit(
        self,
        candidates: Iterable[Candidate | Mapping[str, Any]],
        vacancies: Iterable[Vacancy | Mapping[str, Any]],
        progress: Callable[[int, int], None] | None = None,
    ) -> Matcher:
        """Index every record from scratch; ``progress(done, total)`` is called per batch."""
        self._setup()
        cands, vacs = list(candidates), list(vacancies)
        total, done = len(cands) + len(vacs), 0
        for start in range(0, len(cands), BATCH):
            self.upsert_candidates(cands[start : start + BATCH])
            done += len(cands[start : start + BATCH])
            if progress:
                progress(done, total)
        for start in range(0, len(vacs), BATCH):
            self.upsert_vacancies(vacs[start : start + BATCH])
            done += len(vacs[start : start + BATCH])
            if progress:
                progress(done, total)
        return self

    def _require_fitted(self) -> None:
        if not hasattr(self, "candidate_columns_"):
            raise NotFittedError("call fit() (or Matcher.load) before using the matcher")

    def upsert_candidates(
        self,
        items: Iterable[Candidate | Mapping[str, Any]],
        vectors: np.ndarray | None = None,
    ) -> None:
        """Add or replace candidates; ``vectors`` skips encoding (restoring a snapshot)."""
        self._require_fitted()
        records = [c if isinstance(c, Candidate) else parse_candidate(c) for c in items]
        records = list({c.id: c for c in records}.values())
        if not records:
            return
        packed = [self.candidates_.prepare(c) for c in records]  # refuses before any change
        profiles = [self.profiler_.candidate(c) for c in records]
        if vectors is None:
            vectors = self.encoder_.encode([p.text for p in profiles])
        held = narrow(vectors)  # rounded once: the columns keep these bits, the index their value
        for c, p, vec, row in zip(records, profiles, held, packed, strict=True):
            slot = self.candidate_columns_.put(c, p, self.program_index_, vec)
            self.candidate_lexical_.upsert(slot, p.tokens)
            self.candidates_.store(c.id, row)
        self.candidate_index_.add([c.id for c in records], widen(held))

    def upsert_vacancies(
        self,
        items: Iterable[Vacancy | Mapping[str, Any]],
        vectors: np.ndarray | None = None,
    ) -> None:
        """Add or replace vacancies; ``vectors`` skips encoding (restoring a snapshot)."""
        self._require_fitted()
        records = [v if isinstance(v, Vacancy) else parse_vacancy(v) for v in items]
        records = list({v.id: v for v in records}.values())
        if not records:
            return
        profiles = [self.profiler_.vacancy(v) for v in records]
        if vectors is None:
            vectors = self.encoder_.encode([p.text for p in profiles])
        held = narrow(vectors)  # rounded once: the columns keep these bits, the index their value
        for v, p, vec in zip(records, profiles, held, strict=True):
            slot = self.vacancy_columns_.put(v, p, self.program_index_, self.similarity_, vec)
            self.vacancy_lexical_.upsert(slot, p.tokens)
            self.vacancies_[v.id] = v
            self.vacancy_profiles_[v.id] = without_text(p)
        self.vacancy_index_.add([v.id for v in records], widen(held))

    def embed_ahead(
        self,
        candidates: Iterable[Candidate] = (),
        vacancies: Iterable[Vacancy] = (),
    ) -> None:
        """Fill the encoder cache ahead of an upsert, so a caller can encode (the slow part)
        outside its own lock; safe beside queries, it reads only the taxonomy and encoder."""
        self._require_fitted()
        texts = [self.profiler_.candidate(c).text for c in candidates]
        texts += [self.profiler_.vacancy(v).text for v in vacancies]
        if texts:
            self.encoder_.encode(texts)

    def remove_candidates(self, ids: Iterable[str]) -> None:
        self._require_fitted()
        ids = [i for i in ids if i in self.candidates_]
        for record_id in ids:
            slot = self.candidate_columns_.release(record_id)
            if slot is not None:
                self.candidate_lexical_.remove(slot)
            self.candidates_.discard(record_id)
        self.candidate_index_.remove(ids)

    def remove_vacancies(self, ids: Iterable[str]) -> None:
        self._require_fitted()
        ids = [i for i in ids if i in self.vacancies_]
        for record_id in ids:
            slot = self.vacancy_columns_.release(record_id)
            if slot is not None:
                self.vacancy_lexical_.remove(slot)
            del self.vacancies_[record_id], self.vacancy_profiles_[record_id]
        self.vacancy_index_.remove(ids)

    # -- querying ---------------------------------------------------------------------------

    def _slot(self, kind: str, record_id: str) -> int:
        cols = self.candidate_columns_ if kind == "candidate" else self.vacancy_columns_
        slot = cols.slot_of.get(record_id)
        if slot is None:
            raise UnknownRecordError(kind, record_id)
        return slot

    def _pool(
        self, side: str, query_vec: np.ndarray, lexical: LexicalHits, fit: ProgramFit
    ) -> np.ndarray:
        """The slots of ``side`` worth scoring for one query (see ``matcher.candidate_pool``)."""
        cols = self.candidate_columns_ if side == "candidate" else self.vacancy_columns_
        index = self.candidate_index_ if side == "candidate" else self.vacancy_index_
        scan = self.candidate_scan_ if side == "candidate" else self.vacancy_scan_
        return candidate_pool.generate(
            cols, index, query_vec, lexical, fit, self.pool_size, EXHAUSTIVE_LIMIT, scan
        )

    def _score(
        self, cand_slots: np.ndarray, vac_slots: np.ndarray, lexical: np.ndarray, today: Today
    ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray], features.PairFeatures]:
        cc, vc = self.candidate_columns_, self.vacancy_columns_
        c, v = cc.gather(cand_slots), vc.gather(vac_slots)
        dist = features.distances(c, v)
        checks = eligibility.check(c, v, dist, today)
        feats = features.compute(
            c,
            v,
            candidate_vectors=cc.vectors_at(cand_slots),
            vacancy_vectors=vc.vectors_at(vac_slots),
            candidate_skills=cc.skills_of(cand_slots),
            vacancy_skills=vc.skills_of(vac_slots),
            lexical=lexical,
            similarity=self.similarity_,
            distance_km=dist,
        )
        scores = np.clip(self.scorer_.score(feats.matrix(), feats.measured_matrix()), 0.0, 1.0)
        return scores, eligibility.eligible(checks), checks, feats

    def _rank(
        self,
        side: str,
        query_slot: int,
        pool: np.ndarray,
        k: int,
        include: Callable[[Any], bool] | None,
        today: Today,
        lexical: LexicalHits,
    ) -> list[Match]:
        """Score the pool against one record and keep the best ``k`` eligible, included ones."""
        n = len(pool)
        if n == 0:
            return []
        query = np.full(n, query_slot, dtype=np.int64)
        # ranking candidates for the vacancy in query_slot, or vacancies for the candidate
        cand_slots, vac_slots = (pool, query) if side == "candidate" else (query, pool)
        scaled = lexical.scaled_at(pool)  # same scale as explain()
        scores, ok, _, feats = self._score(cand_slots, vac_slots, scaled, today)
        order = np.flatnonzero(ok)
        order = order[np.argsort(-scores[order], kind="stable")]
        cols = self.candidate_columns_ if side == "candidate" else self.vacancy_columns_
        mask = None if include is None else candidate_pool.scope_mask(cols, include)
        out: list[Match] = []
        for i in order:
            cid = self.candidate_columns_.ids[int(cand_slots[i])] or ""
            vid = self.vacancy_columns_.ids[int(vac_slots[i])] or ""
            if mask is not None:
                if not mask[int(pool[i])]:
                    continue
            elif include is not None:
                record = self.candidates_[cid] if side == "candidate" else self.vacancies_[vid]
                if not include(record):
                    continue
            out.append(build_match(self, cid, vid, float(scores[i]), feats, int(i), True, []))
            if len(out) == k:
                break
        return out

    def recommend_candidates(
        self,
        vacancy_id: str,
        k: int = 20,
        *,
        include: Callable[[Candidate], bool] | None = None,
        as_of: date | None = None,
    ) -> list[Match]:
        """Best candidates for an open vacancy; only seeking, eligible ones, best first."""
        self._require_fitted()
        _check_k(k)
        slot = self._slot("vacancy", vacancy_id)
        today = Today.of(as_of or date.today())
        cols = self.candidate_columns_
        lexical = LexicalHits.of(
            self.candidate_lexical_, self.vacancy_profiles_[vacancy_id].tokens, cols.size
        )
        fit = candidate_pool.fit_for_vacancy(self.vacancy_columns_, cols, self.similarity_, slot)
        query_vec = self.vacancy_columns_.vectors_at(slot)
        if getattr(include, "rank_within", False):
            # a small scope the columns answer (one school's students) is ranked within itself:
            # the whole population's pool would hold some of its members, not surely its best
            return fallback.rank_qualifying(
                self, "candidate", slot, query_vec=query_vec, lexical=lexical, fit=fit, k=k,
                include=include, today=today, exhaustive_limit=EXHAUSTIVE_LIMIT,
            )  # fmt: skip
        pool = self._pool("candidate", query_vec, lexical, fit)
        found = self._rank("candidate", slot, pool, k, include, today, lexical)
        if len(found) < k and len(pool) < len(self.candidates_):
            found = fallback.rank_qualifying(
                self, "candidate", slot, query_vec=query_vec, lexical=lexical, fit=fit, k=k,
                include=include, today=today, exhaustive_limit=EXHAUSTIVE_LIMIT,
            )  # fmt: skip
        return found

    def recommend_vacancies(
        self,
        candidate_id: str,
        k: int = 20,
        *,
        include: Callable[[Vacancy], bool] | None = None,
        as_of: date | None = None,
    ) -> list[Match]:
        """Best open vacancies for a candidate, respecting both sides' hard requirements."""
        self._require_fitted()
        _check_k(k)
        slot = self._slot("candidate", candidate_id)
        today = Today.of(as_of or date.today())
        cols = self.vacancy_columns_
        lexical = LexicalHits.of(
            self.vacancy_lexical_, self.candidate_lexical_.doc_tokens(slot), cols.size
        )
        fit = candidate_pool.fit_for_candidate(
            self.candidate_columns_, cols, self.similarity_, slot
        )
        query_vec = self.candidate_columns_.vectors_at(slot)
        pool = self._pool("vacancy", query_vec, lexical, fit)
        found = self._rank("vacancy", slot, pool, k, include, today, lexical)
        if len(found) < k and len(pool) < len(self.vacancies_):
            found = fallback.rank_qualifying(
                self, "vacancy", slot, query_vec=query_vec, lexical=lexical, fit=fit, k=k,
                include=include, today=today, exhaustive_limit=EXHAUSTIVE_LIMIT,
            )  # fmt: skip
        return found

    def explain(self, candidate_id: str, vacancy_id: str, *, as_of: date | None = None) -> Match:
        """Score and reasons for one pair, including which hard requirement blocks it."""
        self._require_fitted()
        cs = np.asarray([self._slot("candidate", candidate_id)])
        vs = np.asarray([self._slot("vacancy", vacancy_id)])
        today = Today.of(as_of or date.today())
        lexical = LexicalHits.of(
            self.candidate_lexical_,
            self.vacancy_profiles_[vacancy_id].tokens,
            self.candidate_columns_.size,
        )
        # scaled like a ranked query: relative to the best-matching candidate for this vacancy
        scores, ok, checks, feats = self._score(cs, vs, lexical.scaled_at(cs), today)
        blocked = [
            eligibility.BLOCKED_TEXT[r] for r in eligibility.REQUIREMENTS if not bool(checks[r][0])
        ]
        return build_match(
            self, candidate_id, vacancy_id, float(scores[0]), feats, 0, bool(ok[0]), blocked
        )

    # -- persistence ------------------------------------------------------------------------

    def save(self, path: Path, *, metadata: Mapping[str, Any] | None = None) -> None:
        """Write a snapshot folder (records, vectors, manifest); see ``matcher.snapshot``."""
        from matcher.snapshot import save_matcher

        self._require_fitted()
        save_matcher(self, Path(path), metadata or {})

    @classmethod
    def load(cls, path: Path, *, encoder: Encoder | None = None, **params: Any) -> Matcher:
        """Restore a snapshot without re-embedding anything it already holds."""
        from matcher.snapshot import load_matcher

        return load_matcher(cls, Path(path), encoder=encoder, params=params)
