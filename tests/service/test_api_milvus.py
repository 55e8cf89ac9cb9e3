"""The contract's key flows with ``COCOK_VECTOR_BACKEND=milvus`` on milvus-lite: put, get,
match, delete and restart, with dense candidate generation forced through Milvus (the engine
otherwise scores small sets exhaustively and never asks the index)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from svc_helpers import ADMIN, CountingEncoder, candidate_body, make_settings, vacancy_body

from matcher import engine
from service.main import create_app


@pytest.fixture(autouse=True)
def _dense_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "EXHAUSTIVE_LIMIT", 0)


def _milvus(data_dir: Path, **overrides: Any) -> Any:
    return make_settings(
        data_dir, vector_backend="milvus", milvus_uri=str(data_dir / "milvus.db"), **overrides
    )


def _seed(client: TestClient) -> None:
    cands = [
        candidate_body(f"c{i}", skills=["las SMAW"] if i % 2 else ["MYOB", "Excel"])
        for i in range(14)
    ]
    cands += [candidate_body("acct", major="Akuntansi", skills=["jurnal umum"], summary="kasir")]
    response = client.post("/v1/candidates/batch", json={"items": cands}, headers=ADMIN)
    assert response.json()["upserted"] == 15
    vacs = [vacancy_body(f"v{i}") for i in range(3)]
    vacs.append(vacancy_body("kasir", title="Kasir", description="Kasir toko, jurnal umum."))
    response = client.post("/v1/vacancies/batch", json={"items": vacs}, headers=ADMIN)
    assert response.json()["upserted"] == 4


def _answers(client: TestClient) -> dict[str, Any]:
    return {
        path: client.get(path, headers=ADMIN).json()
        for path in (
            "/v1/vacancies/v1/matches?k=8",
            "/v1/vacancies/kasir/matches?k=8",
            "/v1/candidates/c1/matches?k=4",
            "/v1/candidates/acct/matches?k=4",
        )
    }


def test_flows_on_milvus_answer_as_faiss_does_and_survive_a_restart(
    start_app: Any, tmp_path: Path
) -> None:
    faiss_app = start_app(make_settings(tmp_path / "faiss"))
    _seed(faiss_app)
    expected = _answers(faiss_app)
    assert expected["/v1/vacancies/v1/matches?k=8"]["items"]

    settings = _milvus(tmp_path / "milvus")
    app = start_app(settings)
    _seed(app)
    assert app.get("/v1/candidates/c3", headers=ADMIN).json()["skills"] == ["las SMAW"]
    assert _answers(app) == expected

    best = expected["/v1/vacancies/v1/matches?k=8"]["items"][0]["candidate_id"]
    assert app.delete(f"/v1/candidates/{best}", headers=ADMIN).status_code == 204
    after = app.get("/v1/vacancies/v1/matches?k=8", headers=ADMIN).json()["items"]
    assert best not in [i["candidate_id"] for i in after]
    assert app.put("/v1/candidates/c2", json=candidate_body("c2"), headers=ADMIN).status_code == 200
    answers = _answers(app)
    app.__exit__(None, None, None)  # shutdown saves a snapshot that names the collections

    engine_dir = next((settings.index_dir / "snapshots").iterdir()) / "engine"
    manifest = json.loads((engine_dir / "candidate_index" / "manifest.json").read_text())
    assert manifest["kind"] == "milvus" and manifest["count"] == 14
    assert not (engine_dir / "candidate_index" / "index.faiss").exists()

    encoder = CountingEncoder()
    again = start_app(settings, encoder=encoder)
    assert _answers(again) == answers
    assert encoder.texts == 0  # the vectors came back from Milvus, nothing was embedded


def test_a_missing_milvus_uri_stops_the_start_with_a_message(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path / "var", vector_backend="milvus"))
    with pytest.raises(RuntimeError, match="membutuhkan COCOK_MILVUS_URI"), TestClient(app):
        pass


def test_an_unreachable_milvus_stops_the_start_with_a_message(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path / "var", vector_backend="milvus", milvus_uri="http://127.0.0.1:9"
    )
    with (
        pytest.raises(RuntimeError, match="tidak dapat dihubungi"),
        TestClient(create_app(settings)),
    ):
        pass
