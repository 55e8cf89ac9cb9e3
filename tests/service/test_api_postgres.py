"""The repository and the API on PostgreSQL: runs when COCOK_TEST_POSTGRES_URL is set
(``scripts/start_postgres.sh`` starts a throwaway server and prints the URL)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from svc_helpers import ADMIN, candidate_body, make_settings, vacancy_body

from service.db import repository
from service.db.session import build_engine, session_factory, upgrade

pytestmark = pytest.mark.postgres
BASE_URL = os.environ.get("COCOK_TEST_POSTGRES_URL", "")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh database per test on the given server, dropped afterwards."""
    if not BASE_URL:
        pytest.skip("COCOK_TEST_POSTGRES_URL is not set")
    name = f"cocok_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(BASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = BASE_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_repository_on_postgres(pg_url: str) -> None:
    engine = build_engine(pg_url)
    upgrade(engine)
    upgrade(engine)  # idempotent
    sessions = session_factory(engine)
    with sessions() as session:
        record = repository.to_record("candidate", candidate_body("c1"))
        assert repository.upsert(session, record, "portal:x") is True
        assert repository.upsert(session, record, None) is False
        session.commit()
        pending = repository.changes_since(session, 0)
        assert [r.id for r in pending.upsert["candidate"]] == ["c1"] and pending.last_seq == 2
        assert repository.remove(session, "candidate", "c1")
        session.commit()
        pending = repository.changes_since(session, 2)
        assert pending.remove["candidate"] == ["c1"]
        assert repository.get_row(session, "candidate", "c1") is None
    engine.dispose()


def test_api_on_postgres(pg_url: str, start_app: Any, tmp_path: Any) -> None:
    client = start_app(make_settings(tmp_path / "pg", database_url=pg_url))
    assert client.put("/v1/vacancies/v1", json=vacancy_body("v1"), headers=ADMIN).status_code == 201
    items = [candidate_body(f"c{i}") for i in range(3)]
    assert (
        client.post("/v1/candidates/batch", json={"items": items}, headers=ADMIN).json()["upserted"]
        == 3
    )
    matches = client.get("/v1/vacancies/v1/matches", headers=ADMIN).json()["items"]
    assert {m["candidate_id"] for m in matches} == {"c0", "c1", "c2"}
    outcome = {"vacancy_id": "v1", "candidate_id": "c0", "status": "hired"}
    assert client.post("/v1/outcomes", json=outcome, headers=ADMIN).status_code == 201
    assert client.delete("/v1/candidates/c0", headers=ADMIN).status_code == 204
    assert client.get("/v1/outcomes", headers=ADMIN).json()["items"] == []
    page = client.get("/v1/candidates?limit=1", headers=ADMIN).json()
    assert page["next_offset"] == 1
