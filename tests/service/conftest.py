"""Service fixtures: an app from ``create_app(settings)`` on a temporary DATA_DIR with the fast
fake encoder, one API key per role (two of each scoped role, so "someone else's" exists), and a
few records with known owners."""

from __future__ import annotations

import contextlib
import io
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from svc_helpers import (
    ADMIN,
    STAFF_PASSWORD,
    CountingEncoder,
    candidate_body,
    make_settings,
    new_key,
    vacancy_body,
    wait_ready,
)

from service.config import Settings
from service.logs import JsonFormatter
from service.main import create_app
from service.web import accounts


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    if os.environ.get("COCOK_TEST_VECTOR_BACKEND", "faiss") == "milvus":
        milvus = {"vector_backend": "milvus", "milvus_uri": str(tmp_path / "var" / "milvus.db")}
        return make_settings(tmp_path / "var", **milvus)
    return make_settings(tmp_path / "var")


@pytest.fixture
def start_app(settings: Settings) -> Iterator[Callable[..., TestClient]]:
    """Start an app (optionally with other settings or encoder); stopped at teardown."""
    started: list[TestClient] = []

    def start(
        s: Settings | None = None, encoder: Any = None, raise_server_exceptions: bool = True
    ) -> TestClient:
        app = create_app(s or settings, encoder=encoder or CountingEncoder())
        client = TestClient(app, raise_server_exceptions=raise_server_exceptions)
        client.__enter__()
        started.append(client)
        wait_ready(client)
        return client

    yield start
    for client in reversed(started):
        with contextlib.suppress(Exception):  # a test may have stopped it already
            client.__exit__(None, None, None)


@pytest.fixture
def client(start_app: Callable[..., TestClient]) -> TestClient:
    return start_app()


@pytest.fixture
def keys(client: TestClient) -> dict[str, dict[str, str]]:
    """Headers per caller: ``admin``, ``portal``/``portal_b``, ``bkk``/``bkk_b``, ``employer``/…"""
    return {
        "admin": ADMIN,
        "portal": new_key(client, "portal", label="sikeras"),
        "portal_b": new_key(client, "portal", label="karirhub"),
        "bkk": new_key(client, "bkk", school_id="S1"),
        "bkk_b": new_key(client, "bkk", school_id="S2"),
        "employer": new_key(client, "employer", employer_id="E1"),
        "employer_b": new_key(client, "employer", employer_id="E2"),
    }


@pytest.fixture
def world(client: TestClient, keys: dict[str, dict[str, str]]) -> dict[str, Any]:
    """Records with known owners: ``*-a`` belong to portal A / S1 / E1, ``*-b`` to the others.

    ``v-b`` is closed and E2's, ``c-b`` is S2's and shares nothing: "someone else's" for every
    scoped role at once.
    """
    put = [
        ("vacancies", vacancy_body("v-a"), "portal"),
        ("vacancies", vacancy_body("v-b", employer_id="E2", status="closed"), "portal_b"),
        ("candidates", candidate_body("c-a"), "portal"),
        ("candidates", candidate_body("c-b", school_id="S2", consent={}), "portal_b"),
    ]
    for plural, body, who in put:
        response = client.put(f"/v1/{plural}/{body['id']}", json=body, headers=keys[who])
        assert response.status_code == 201, response.text
    return {"keys": keys}


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """The service's JSON log lines, as an operator would read them."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("cocok")
    logger.addHandler(handler)
    try:
        yield buffer
    finally:
        logger.removeHandler(handler)


@pytest.fixture
def staff(client: TestClient, world: dict[str, Any]) -> dict[str, str]:
    """One account per role and scope: bkk (S1), bkk_b (S2), employer (E1), admin."""
    plan = {
        "bkk": ("bkk", {"school_id": "S1"}),
        "bkk_b": ("bkk", {"school_id": "S2"}),
        "employer": ("employer", {"employer_id": "E1"}),
        "admin": ("admin", {}),
    }
    with client.app.state.sessions() as db:  # type: ignore[attr-defined]
        for name, (role, scope) in plan.items():
            accounts.create_user(db, f"u-{name}", STAFF_PASSWORD, role, **scope)
        db.commit()
    return {name: f"u-{name}" for name in plan}
