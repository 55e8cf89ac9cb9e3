"""Black box: start ``cocok serve`` as a real process and drive it over HTTP with httpx."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from served import serving
from svc_helpers import ADMIN_KEY, candidate_body, vacancy_body


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    env = {
        **os.environ,
        "COCOK_ENCODER": "hashing",
        "COCOK_DATA_DIR": str(tmp_path / "var"),
        "COCOK_ADMIN_KEY": ADMIN_KEY,
        "COCOK_DATABASE_URL": "",
    }
    with serving(env, tmp_path / "server.log") as url:
        yield url
    text = (tmp_path / "server.log").read_text()
    assert "081234567890" not in text and "Siti" not in text  # no personal data in logs
    assert ADMIN_KEY not in text


def test_cocok_serve_end_to_end(server: str) -> None:
    admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
    with httpx.Client(base_url=server, timeout=30) as http:
        assert http.get("/v1/vacancies").status_code == 401
        bkk = http.post("/v1/keys", json={"role": "bkk", "school_id": "S1"}, headers=admin)
        assert bkk.status_code == 201
        bkk_h = {"Authorization": f"Bearer {bkk.json()['key']}"}
        vacs = {"items": [vacancy_body("v1"), vacancy_body("v2", title="Welder")]}
        assert http.post("/v1/vacancies/batch", json=vacs, headers=admin).json()["upserted"] == 2
        cands = {"items": [candidate_body("c1"), candidate_body("c2", school_id="S2"), {"id": 5}]}
        result = http.post("/v1/candidates/batch", json=cands, headers=admin).json()
        assert result["upserted"] == 2 and result["errors"][0]["index"] == 2
        body = http.get("/v1/vacancies/v1/matches?k=5", headers=admin).json()
        assert {i["candidate_id"] for i in body["items"]} == {"c1", "c2"}
        mine = http.get("/v1/vacancies/v1/matches?k=5", headers=bkk_h).json()
        assert [i["candidate_id"] for i in mine["items"]] == ["c1"]
        assert http.get("/v1/candidates/c2", headers=bkk_h).status_code == 404
        assert http.delete("/v1/candidates/c1", headers=bkk_h).status_code == 204
        after = http.get("/v1/vacancies/v1/matches?k=5", headers=admin).json()
        assert [i["candidate_id"] for i in after["items"]] == ["c2"]
        response = http.get("/v1/candidates/c1", headers=admin)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.headers["x-request-id"]
        assert "cocok_http_requests_total" in http.get("/metrics").text
