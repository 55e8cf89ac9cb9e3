"""Helpers for the service tests: the counting fake encoder, settings and record bodies."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from fastapi.testclient import TestClient

from matcher.encoder import HashingEncoder
from service.config import Settings

ADMIN_KEY = "test-admin-key-0123456789"
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}


class CountingEncoder:
    """The hashing encoder, counting every text it embeds (restart tests expect zero)."""

    def __init__(self, dim: int = 64) -> None:
        self.inner = HashingEncoder(dim=dim)
        self.texts = 0

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dim(self) -> int:
        return self.inner.dim

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += len(texts)
        return self.inner.encode(texts)


def make_settings(data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "database_url": "",
        "admin_key": ADMIN_KEY,
        "encoder": "hashing",
        "vector_backend": "faiss",
        "sync_interval_s": 0.2,
        "rate_limit_per_minute": 0,
    }
    values.update(overrides)
    return Settings(**values)


def wait_ready(client: TestClient, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = client.get("/healthz")
        if response.status_code == 200:
            return
        if client.app.state.load_error:  # type: ignore[attr-defined]
            raise RuntimeError(f"index failed to load: {client.app.state.load_error}")  # type: ignore[attr-defined]
        time.sleep(0.05)
    raise TimeoutError("the index did not load in time")


def new_key(client: TestClient, role: str, **scope: str) -> dict[str, str]:
    response = client.post("/v1/keys", json={"role": role, **scope}, headers=ADMIN)
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['key']}"}


def vacancy_body(record_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": record_id,
        "title": "Operator Las",
        "description": "Dibutuhkan welder: las SMAW, membaca gambar teknik, fabrikasi baja.",
        "employer_id": "E1",
        "education_levels": ["SMK"],
        "skills": ["las SMAW"],
        "location": {"kecamatan_code": "36.04.15"},
        "status": "open",
    }
    body.update(overrides)
    return body


def candidate_body(record_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": record_id,
        "school_id": "S1",
        "name": "Siti Rahma",
        "birth_date": "2000-01-15",
        "education_level": "SMK",
        "major": "Teknik Pengelasan",
        "graduation_year": 2019,
        "skills": ["las SMAW", "gerinda"],
        "location": {"kecamatan_code": "36.04.15"},
        "contact": {"phone": "081234567890", "email": "siti@example.id"},
        "consent": {"share_with_employers": True},
        "status": "seeking",
    }
    body.update(overrides)
    return body


#: the password every test staff account gets
STAFF_PASSWORD = "kata-sandi-rahasia"


def csrf_token(client: TestClient, path: str = "/masuk") -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, "every form carries a CSRF token"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str = STAFF_PASSWORD) -> Any:
    client.cookies.clear()
    token = csrf_token(client)
    return client.post(
        "/masuk",
        data={"username": username, "password": password, "csrf": token},
        follow_redirects=False,
    )
