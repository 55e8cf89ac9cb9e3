"""The change feed is followed even when seqs commit out of order.

On PostgreSQL a transaction that drew seq 41 may commit after one that drew 42; a follower that
had moved past 42 must still replay 41. SQLite serialises writers, so the test writes the two
feed rows with explicit seqs in the wrong order to produce the same sequence of visible states.
"""

from __future__ import annotations

import time
from typing import Any

from svc_helpers import ADMIN, candidate_body, vacancy_body

from service.db import repository
from service.db.session import build_engine, session_factory


def _write(settings: Any, candidate_id: str, seq: int) -> None:
    engine = build_engine(settings.resolved_database_url)
    try:
        with session_factory(engine)() as session:
            record = repository.to_record("candidate", candidate_body(candidate_id))
            repository.upsert(session, record, "cli")
            (change,) = session.info["changes"]
            change.seq = seq
            session.commit()
    finally:
        engine.dispose()


def _max_seq(settings: Any) -> int:
    engine = build_engine(settings.resolved_database_url)
    try:
        with session_factory(engine)() as session:
            return repository.max_change_seq(session)
    finally:
        engine.dispose()


def _shown(client: Any, candidate_id: str, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        items = client.get("/v1/vacancies/v1/matches?k=100", headers=ADMIN).json()["items"]
        if any(i["candidate_id"] == candidate_id for i in items):
            return True
        time.sleep(0.1)
    return False


def test_a_seq_committed_after_a_higher_one_is_still_replayed(client: Any, settings: Any) -> None:
    client.put("/v1/vacancies/v1", json=vacancy_body("v1"), headers=ADMIN)
    top = _max_seq(settings)
    _write(settings, "c_after", top + 2)
    assert _shown(client, "c_after")
    # the follower has now applied seq top+2; seq top+1 commits only now
    _write(settings, "late", top + 1)
    assert _shown(client, "late"), "a change committed out of seq order was never replayed"


def test_the_snapshot_does_not_claim_a_seq_below_a_watched_gap(client: Any, settings: Any) -> None:
    client.put("/v1/vacancies/v1", json=vacancy_body("v1"), headers=ADMIN)
    top = _max_seq(settings)
    _write(settings, "after_gap", top + 5)
    assert _shown(client, "after_gap")
    gateway = client.app.state.gateway
    assert gateway.applied_seq >= top + 5
    assert gateway.replay_from <= top, "a snapshot would skip the seqs still in flight"
