"""Contract tests: every endpoint and status code of shared/CONTRACT.md, shapes exactly."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from svc_helpers import ADMIN, candidate_body, vacancy_body

PROBLEM = "application/problem+json"


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    assert "Traceback" not in response.text
    return body


def test_healthz_and_readyz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and set(ready["index"]) == {"candidate", "vacancy"}


def test_auth_missing_unknown_and_revoked_key(client: TestClient) -> None:
    assert_problem(client.get("/v1/vacancies"), 401)
    assert_problem(client.get("/v1/vacancies", headers={"Authorization": "Bearer nope"}), 401)
    assert_problem(client.get("/v1/vacancies", headers={"Authorization": "Basic x"}), 401)
    created = client.post("/v1/keys", json={"role": "portal", "label": "p"}, headers=ADMIN)
    assert created.status_code == 201
    body = created.json()
    assert set(body) == {"id", "key"}
    headers = {"Authorization": f"Bearer {body['key']}"}
    assert client.get("/v1/vacancies", headers=headers).status_code == 200
    assert client.delete(f"/v1/keys/{body['id']}", headers=ADMIN).status_code == 204
    assert_problem(client.get("/v1/vacancies", headers=headers), 401)
    assert_problem(client.delete(f"/v1/keys/{body['id']}", headers=ADMIN), 404)


def test_keys_admin_only_and_scope_required(client: TestClient, keys: dict) -> None:
    assert_problem(client.post("/v1/keys", json={"role": "admin"}, headers=keys["portal"]), 403)
    body = assert_problem(client.post("/v1/keys", json={"role": "bkk"}, headers=ADMIN), 422)
    assert body["errors"][0]["loc"] == ["body", "school_id"]
    assert_problem(client.post("/v1/keys", json={"role": "employer"}, headers=ADMIN), 422)
    assert_problem(client.post("/v1/keys", json={"role": "root"}, headers=ADMIN), 422)
    listed = client.get("/v1/keys", headers=ADMIN).json()
    assert listed and all("key" not in k and "key_hash" not in k for k in listed)


def test_put_creates_then_updates_and_get_returns_it(client: TestClient) -> None:
    body = vacancy_body("v1")
    assert client.put("/v1/vacancies/v1", json=body, headers=ADMIN).status_code == 201
    body["title"] = "Welder"
    response = client.put("/v1/vacancies/v1", json=body, headers=ADMIN)
    assert response.status_code == 200
    assert client.get("/v1/vacancies/v1", headers=ADMIN).json()["title"] == "Welder"
    no_id = {k: v for k, v in candidate_body("c1").items() if k != "id"}
    assert client.put("/v1/candidates/c1", json=no_id, headers=ADMIN).status_code == 201
    assert client.get("/v1/candidates/c1", headers=ADMIN).json()["id"] == "c1"


def test_validation_errors_are_422_with_loc_and_msg(client: TestClient) -> None:
    body = assert_problem(
        client.put("/v1/vacancies/v1", json=vacancy_body("v1", salary=5), headers=ADMIN), 422
    )
    assert body["errors"] and all(set(e) == {"loc", "msg"} for e in body["errors"])
    assert body["errors"][0]["loc"][:2] == ["body", "salary"]
    mismatch = assert_problem(
        client.put("/v1/vacancies/v1", json=vacancy_body("other"), headers=ADMIN), 422
    )
    assert mismatch["errors"][0]["loc"] == ["body", "id"]
    assert_problem(client.put("/v1/candidates/c1", json=[1, 2], headers=ADMIN), 422)
    nik = candidate_body("c1", nik="3604010101010001")
    assert_problem(client.put("/v1/candidates/c1", json=nik, headers=ADMIN), 422)
    assert_problem(client.get("/v1/candidates/c1", headers=ADMIN), 404)


def test_delete_then_gone(client: TestClient) -> None:
    client.put("/v1/candidates/c1", json=candidate_body("c1"), headers=ADMIN)
    assert client.delete("/v1/candidates/c1", headers=ADMIN).status_code == 204
    assert_problem(client.get("/v1/candidates/c1", headers=ADMIN), 404)
    assert_problem(client.delete("/v1/candidates/c1", headers=ADMIN), 404)


def test_batch_reports_invalid_items_and_stores_valid_ones(client: TestClient) -> None:
    items = [
        candidate_body("c1"),
        {"id": "c2", "unknown": 1},
        candidate_body("c3", school_id="S2"),
        "not an object",
    ]
    response = client.post("/v1/candidates/batch", json={"items": items}, headers=ADMIN)
    assert response.status_code == 200
    body = response.json()
    assert body["upserted"] == 2
    assert [(e["index"], e["id"]) for e in body["errors"]] == [(1, "c2"), (3, None)]
    assert all({"loc", "msg"} <= set(err) for e in body["errors"] for err in e["errors"])
    assert client.get("/v1/candidates/c3", headers=ADMIN).status_code == 200
    assert client.get("/v1/candidates/c2", headers=ADMIN).status_code == 404


def test_batch_limit(client: TestClient) -> None:
    items = [vacancy_body(f"v{i}") for i in range(1001)]
    response = client.post("/v1/vacancies/batch", json={"items": items}, headers=ADMIN)
    assert_problem(response, 422)
    assert client.get("/v1/vacancies", headers=ADMIN).json()["items"] == []


def test_matches_shape_k_bounds_and_deletion(client: TestClient) -> None:
    client.put("/v1/vacancies/v1", json=vacancy_body("v1"), headers=ADMIN)
    for i in range(3):
        client.put(f"/v1/candidates/c{i}", json=candidate_body(f"c{i}"), headers=ADMIN)
    body = client.get("/v1/vacancies/v1/matches?k=5", headers=ADMIN).json()
    assert body["vacancy_id"] == "v1" and 1 <= len(body["items"]) <= 5
    for item in body["items"]:
        assert {"candidate_id", "score", "reasons"} <= set(item)
        assert isinstance(item["score"], float) and isinstance(item["reasons"], list)
    scores = [i["score"] for i in body["items"]]
    assert scores == sorted(scores, reverse=True)
    other = client.get("/v1/candidates/c0/matches", headers=ADMIN).json()
    assert other["candidate_id"] == "c0"
    assert [i["vacancy_id"] for i in other["items"]] == ["v1"]
    for k in (0, 101, "x"):
        assert_problem(client.get(f"/v1/vacancies/v1/matches?k={k}", headers=ADMIN), 422)
    assert_problem(client.get("/v1/vacancies/nope/matches", headers=ADMIN), 404)
    first = body["items"][0]["candidate_id"]
    client.delete(f"/v1/candidates/{first}", headers=ADMIN)
    after = client.get("/v1/vacancies/v1/matches?k=5", headers=ADMIN).json()
    assert first not in [i["candidate_id"] for i in after["items"]]


def test_matches_only_open_vacancies_and_seeking_candidates(client: TestClient) -> None:
    client.put("/v1/vacancies/v1", json=vacancy_body("v1"), headers=ADMIN)
    client.put("/v1/candidates/c1", json=candidate_body("c1", status="employed"), headers=ADMIN)
    client.put("/v1/candidates/c2", json=candidate_body("c2"), headers=ADMIN)
    ids = [
        i["candidate_id"]
        for i in client.get("/v1/vacancies/v1/matches", headers=ADMIN).json()["items"]
    ]
    assert "c1" not in ids and "c2" in ids
    client.put("/v1/vacancies/v1", json=vacancy_body("v1", status="closed"), headers=ADMIN)
    assert client.get("/v1/candidates/c2/matches", headers=ADMIN).json()["items"] == []


def test_explain_pair(client: TestClient) -> None:
    client.put("/v1/vacancies/v1", json=vacancy_body("v1"), headers=ADMIN)
    client.put("/v1/candidates/c1", json=candidate_body("c1", education_level="SMP"), headers=ADMIN)
    body = client.get("/v1/vacancies/v1/matches/c1", headers=ADMIN).json()
    assert body["eligible"] is False and body["blocked_by"]


def test_outcomes(client: TestClient, keys: dict) -> None:
    client.put("/v1/vacancies/v1", json=vacancy_body("v1"), headers=ADMIN)
    client.put("/v1/candidates/c1", json=candidate_body("c1"), headers=ADMIN)
    outcome = {"vacancy_id": "v1", "candidate_id": "c1", "status": "rejected", "reason": "salary"}
    response = client.post("/v1/outcomes", json=outcome, headers=keys["bkk"])
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "rejected" and response.json()["reason"] == "salary"
    hired = {
        "vacancy_id": "v1",
        "candidate_id": "c1",
        "status": "hired",
        "at": "2026-01-05T08:00:00+07:00",
    }
    assert client.post("/v1/outcomes", json=hired, headers=keys["employer"]).status_code == 201
    assert_problem(
        client.post("/v1/outcomes", json={**outcome, "status": "won"}, headers=ADMIN), 422
    )
    assert_problem(
        client.post("/v1/outcomes", json={**outcome, "reason": "bad"}, headers=ADMIN), 422
    )
    assert_problem(
        client.post("/v1/outcomes", json={**outcome, "candidate_id": "zz"}, headers=ADMIN), 404
    )
    listed = client.get("/v1/outcomes?vacancy_id=v1&candidate_id=c1", headers=ADMIN).json()
    assert [o["status"] for o in listed["items"]] == ["rejected", "hired"]
    assert client.get("/v1/outcomes", headers=keys["bkk_b"]).json()["items"] == []


def test_consent_withdrawal_and_erasure(client: TestClient, keys: dict) -> None:
    client.put("/v1/vacancies/v1", json=vacancy_body("v1"), headers=ADMIN)
    client.put("/v1/candidates/c1", json=candidate_body("c1"), headers=ADMIN)
    seen = client.get("/v1/vacancies/v1/matches", headers=keys["employer"]).json()["items"]
    assert seen[0]["candidate_id"] == "c1" and seen[0]["contact"]["phone"]
    response = client.put(
        "/v1/candidates/c1/consent", json={"share_with_employers": False}, headers=keys["bkk"]
    )
    assert response.status_code == 200
    assert client.get("/v1/vacancies/v1/matches", headers=keys["employer"]).json()["items"] == []
    assert_problem(client.get("/v1/candidates/c1", headers=keys["employer"]), 404)
    client.post(
        "/v1/outcomes",
        json={"vacancy_id": "v1", "candidate_id": "c1", "status": "contacted"},
        headers=ADMIN,
    )
    assert client.delete("/v1/candidates/c1", headers=keys["bkk"]).status_code == 204
    assert client.get("/v1/outcomes?candidate_id=c1", headers=ADMIN).json()["items"] == []
    assert client.get("/v1/vacancies/v1/matches", headers=ADMIN).json()["items"] == []


def test_minor_needs_guardian_consent(client: TestClient, keys: dict) -> None:
    client.put("/v1/vacancies/v1", json=vacancy_body("v1"), headers=ADMIN)
    minor = candidate_body("c1", birth_date="2010-03-01")
    client.put("/v1/candidates/c1", json=minor, headers=ADMIN)
    assert client.get("/v1/vacancies/v1/matches", headers=keys["employer"]).json()["items"] == []
    minor["consent"] = {"share_with_employers": True, "guardian_consent": True}
    client.put("/v1/candidates/c1", json=minor, headers=ADMIN)
    items = client.get("/v1/vacancies/v1/matches", headers=keys["employer"]).json()["items"]
    assert [i["candidate_id"] for i in items] == ["c1"]


def test_lists_filter_and_paginate(client: TestClient) -> None:
    for i in range(5):
        client.put(
            f"/v1/candidates/c{i}",
            json=candidate_body(f"c{i}", graduation_year=2020 + i % 2),
            headers=ADMIN,
        )
    page = client.get("/v1/candidates?limit=2", headers=ADMIN).json()
    assert [c["id"] for c in page["items"]] == ["c0", "c1"] and page["next_offset"] == 2
    rest = client.get("/v1/candidates?limit=2&offset=4", headers=ADMIN).json()
    assert [c["id"] for c in rest["items"]] == ["c4"] and rest["next_offset"] is None
    filtered = client.get("/v1/candidates?graduation_year=2021", headers=ADMIN).json()
    assert [c["id"] for c in filtered["items"]] == ["c1", "c3"]
    assert_problem(client.get("/v1/candidates?limit=201", headers=ADMIN), 422)
    client.put("/v1/vacancies/v1", json=vacancy_body("v1", deadline="2026-12-31"), headers=ADMIN)
    client.put(
        "/v1/vacancies/v2",
        json=vacancy_body("v2", deadline="2027-03-01", employer_id="E2"),
        headers=ADMIN,
    )
    before = client.get("/v1/vacancies?deadline_before=2027-01-01", headers=ADMIN).json()
    assert [v["id"] for v in before["items"]] == ["v1"]
    by_employer = client.get("/v1/vacancies?employer_id=E2", headers=ADMIN).json()
    assert [v["id"] for v in by_employer["items"]] == ["v2"]


def test_errors_are_problem_json(client: TestClient, settings: Any) -> None:
    assert_problem(client.get("/nope"), 404)
    assert_problem(client.post("/healthz"), 405)
    big = b"{" + b" " * (settings.max_body_bytes + 10) + b"}"
    assert_problem(
        client.put(
            "/v1/vacancies/v1", content=big, headers={**ADMIN, "content-type": "application/json"}
        ),
        413,
    )
    assert_problem(
        client.put(
            "/v1/vacancies/v1",
            content=b"{bad",
            headers={**ADMIN, "content-type": "application/json"},
        ),
        422,
    )


def test_rate_limit_429(start_app: Any, tmp_path: Any) -> None:
    from svc_helpers import make_settings

    client = start_app(make_settings(tmp_path / "rl", rate_limit_per_minute=3))
    codes = [client.get("/v1/vacancies", headers=ADMIN).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3] == 429
    assert_problem(client.get("/v1/vacancies", headers=ADMIN), 429)


def test_unexpected_error_is_generic_500(start_app: Any, monkeypatch: Any) -> None:
    client = start_app(raise_server_exceptions=False)
    from service import records

    def boom(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("secret detail 081234567890")

    monkeypatch.setattr(records, "get_record", boom)
    response = client.get("/v1/vacancies/v1", headers={**ADMIN, "X-Request-ID": "req-42"})
    body = assert_problem(response, 500)
    assert "081234567890" not in response.text and "req-42" in body["detail"]
    assert response.headers["x-request-id"] == "req-42"


def test_openapi_metrics_and_offline_docs(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/v1/vacancies/{vacancy_id}/matches" in spec["paths"]
    html = client.get("/docs").text
    for cdn in ("cdn.jsdelivr", "unpkg.com", "cdnjs", "fonts.googleapis"):
        assert cdn not in html
    assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
    assert "fonts.googleapis" not in client.get("/redoc").text
    client.get("/v1/vacancies/x", headers=ADMIN)
    metrics = client.get("/metrics").text
    assert 'route="/v1/vacancies/{record_id}"' in metrics
    assert "cocok_index_records" in metrics


def test_template_and_import(client: TestClient, keys: dict) -> None:
    import io

    from openpyxl import load_workbook

    response = client.get("/v1/candidates/template.xlsx", headers=keys["bkk"])
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert load_workbook(io.BytesIO(response.content)).sheetnames
    csv = b"id,school_id,major,graduation_year\nc1,S1,TKJ,2024\nc2,S1,TKJ,tahun lalu\n"
    files = {"file": ("kandidat.csv", csv, "text/csv")}
    body = client.post("/v1/candidates/import", files=files, headers=keys["bkk"]).json()
    assert body["upserted"] == 1
    assert [(e["row"], e["id"]) for e in body["errors"]] == [(3, "c2")]
    assert client.get("/v1/candidates/c1", headers=keys["bkk"]).status_code == 200
    other = {"file": ("kandidat.csv", b"id,school_id\nc9,S2\n", "text/csv")}
    refused = client.post("/v1/candidates/import", files=other, headers=keys["bkk"]).json()
    assert refused["upserted"] == 0 and refused["errors"][0]["id"] == "c9"
    bad = {"file": ("kandidat.pdf", b"%PDF", "application/pdf")}
    assert_problem(client.post("/v1/candidates/import", files=bad, headers=keys["bkk"]), 415)
    no_id = {"file": ("kandidat.csv", b"nama,jurusan\nSiti,TKJ\n", "text/csv")}
    assert_problem(client.post("/v1/candidates/import", files=no_id, headers=keys["bkk"]), 422)


def test_import_upload_is_bounded(start_app: Any, tmp_path: Any) -> None:
    from svc_helpers import make_settings

    client = start_app(make_settings(tmp_path / "small", max_upload_bytes=2048))
    files = {"file": ("kandidat.csv", b"id\n" + b"x\n" * 3000, "text/csv")}
    assert_problem(client.post("/v1/candidates/import", files=files, headers=ADMIN), 413)
