"""A data folder with N records already stored, built through the service's own code, fast.

Ingesting 100,000 candidates through HTTP with the bundled model would take over an hour here
(≈ 25 texts/s), so the latency and cold-start runs prepare the data folder the way the service
itself would leave it, minus the encoder: every record is written with
``service.db.repository.upsert`` (rows plus change feed, migrations by ``upgrade``), then
``EngineGateway.fit_from_db`` fits the engine from the database and ``save_snapshot`` writes the
index snapshot, exactly as on a first start followed by a snapshot. The one difference: the
vectors come from the synthetic projection encoder (``benchmarks.speed_data``), which reports the
bundled model's name and digest so a server that loads the bundled model accepts the snapshot
without re-embedding. The fitted in-process gateway is returned: the benchmark uses it for the
engine, raw faiss and BM25 baselines on exactly the vectors the server holds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.speed_data import ProjectionEncoder, bundled_identity
from matcher.records import Candidate, Vacancy

log = logging.getLogger("benchmarks.speed")
COMMIT_EVERY = 5000


def seed_data_dir(
    data_dir: Path,
    candidates: Sequence[Candidate],
    vacancies: Sequence[Vacancy],
    encoder_kind: str = "bundled",
) -> tuple[Any, dict[str, float]]:
    """Store the records and a snapshot under ``data_dir``; returns (gateway, seconds by step).

    ``encoder_kind``: the ``COCOK_ENCODER`` the server will run with; the synthetic vectors take
    that encoder's identity and dimension so its snapshot is accepted as is.
    """
    from service.config import Settings
    from service.db import repository
    from service.db.session import build_engine, session_factory, upgrade
    from service.engine_gateway import EngineGateway

    settings = Settings.model_validate(
        {"data_dir": data_dir, "encoder": encoder_kind, "vector_backend": "faiss"}
    )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = build_engine(settings.resolved_database_url)
    upgrade(db)
    sessions = session_factory(db)
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    records: list[Candidate | Vacancy] = [*candidates, *vacancies]
    for start in range(0, len(records), COMMIT_EVERY):
        with sessions() as session:
            for record in records[start : start + COMMIT_EVERY]:
                repository.upsert(session, record, owner=None)
            session.commit()
        log.info("stored %d/%d records", min(start + COMMIT_EVERY, len(records)), len(records))
    seconds["store_records_s"] = time.perf_counter() - t0

    if encoder_kind == "hashing":  # service.engine_gateway.build_encoder: HashingEncoder(64)
        encoder = ProjectionEncoder(64, name="hashing-64")
    else:
        identity = bundled_identity()
        encoder = ProjectionEncoder(name=identity["name"], digest=identity["digest"])
    t0 = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if done % 10240 < 256 or done == total:
            log.info("fitted %d/%d records", done, total)

    gateway = EngineGateway.fit_from_db(settings, sessions, encoder, progress)
    seconds["fit_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    gateway.save_snapshot(sessions)
    seconds["snapshot_s"] = time.perf_counter() - t0
    db.dispose()
    return gateway, {k: round(v, 2) for k, v in seconds.items()}
