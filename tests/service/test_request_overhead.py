"""What the cheaper match request path must keep: the same bytes, schema, audit lines and auth.

Match routes now answer pre-rendered JSON instead of re-validating through their response model,
the session/gateway/settings dependencies run on the event loop, and the auth dependency reads
a stored key on a worker thread only. These tests hold each of those to the behaviour before.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter
from sqlalchemy import select
from svc_helpers import ADMIN, candidate_body, new_key, vacancy_body

from service.api.schemas import CandidateMatches, VacancyMatches
from service.db.models import AuditRow

ROUTES = {
    "vacancy": ("/v1/vacancies/{id}/matches", VacancyMatches),
    "candidate": ("/v1/candidates/{id}/matches", CandidateMatches),
}


@pytest.fixture
def world(client: TestClient) -> dict[str, Any]:
    """Two vacancies of employer E1 (one with gender wording, so ``flags`` appear), candidates
    of school S1 who consented, one who did not, and a minor without a guardian's consent."""
    vacancies = [
        vacancy_body("V1"),
        vacancy_body("V2", description="Dibutuhkan welder pria, las SMAW, fabrikasi baja."),
    ]
    candidates = [
        candidate_body("C1"),
        candidate_body("C2", name="Budi", contact={"phone": "0811111111"}),
        candidate_body("C3", consent={"share_with_employers": False}),
        candidate_body("C4", birth_date="2012-03-01", consent={"share_with_employers": True}),
        candidate_body("C5", school_id="S2"),
    ]
    for kind, items in (("vacancies", vacancies), ("candidates", candidates)):
        response = client.post(f"/v1/{kind}/batch", json={"items": items}, headers=ADMIN)
        assert response.status_code == 200 and response.json()["errors"] == [], response.text
    return {
        "admin": ADMIN,
        "bkk": new_key(client, "bkk", school_id="S1"),
        "employer": new_key(client, "employer", employer_id="E1"),
        "portal": new_key(client, "portal", label="sikeras"),
    }


def _model_bytes(model: type, body: bytes) -> bytes:
    """What FastAPI's own response-model path writes for this content (validate, then dump)."""
    adapter: TypeAdapter[Any] = TypeAdapter(model)
    return adapter.dump_json(adapter.validate_json(body), exclude_none=True, by_alias=True)


@pytest.mark.parametrize("role", ["admin", "bkk", "employer", "portal"])
@pytest.mark.parametrize("kind", ["vacancy", "candidate"])
def test_match_body_is_the_response_models_bytes(
    client: TestClient, world: dict[str, Any], role: str, kind: str
) -> None:
    path, model = ROUTES[kind]
    ids = ["V1", "V2"] if kind == "vacancy" else ["C1", "C2"]
    seen_items = 0
    for record_id in ids:
        response = client.get(path.format(id=record_id) + "?k=20", headers=world[role])
        if role == "portal":  # a portal sees neither the admin's vacancies nor its people
            assert response.status_code == 404
            assert response.headers["content-type"] == "application/problem+json"
            continue
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        assert response.content == _model_bytes(model, response.content)
        body = response.json()
        assert list(body) == [f"{kind}_id", "items"] and body[f"{kind}_id"] == record_id
        for item in body["items"]:
            assert None not in item.values()  # exclude_none still holds
        seen_items += len(body["items"])
    if role != "portal":
        assert seen_items > 0  # the comparison above ran on real items, not on empty lists


def test_match_items_keep_flags_contact_and_scope(
    client: TestClient, world: dict[str, Any]
) -> None:
    employer = client.get("/v1/vacancies/V2/matches?k=20", headers=world["employer"]).json()
    by_id = {item["candidate_id"]: item for item in employer["items"]}
    # consenting adults of both schools; never the non-consenting one or the unconsented minor
    assert set(by_id) == {"C1", "C2", "C5"}
    assert by_id["C2"]["contact"] == {"phone": "0811111111"}
    assert all(item["flags"] for item in employer["items"])  # "pria" is flagged for staff
    assert list(by_id["C1"]) == ["candidate_id", "score", "reasons", "flags", "contact"]
    scores = [item["score"] for item in employer["items"]]
    assert scores == sorted(scores, reverse=True)

    bkk = client.get("/v1/vacancies/V1/matches?k=20", headers=world["bkk"]).json()
    assert {item["candidate_id"] for item in bkk["items"]} == {"C1", "C2", "C3", "C4"}
    assert all("contact" not in item and "flags" not in item for item in bkk["items"])


def test_contact_shown_is_still_audited_once_per_item(
    client: TestClient, world: dict[str, Any]
) -> None:
    def shown() -> int:
        with client.app.state.sessions() as session:  # type: ignore[attr-defined]
            rows = session.scalars(select(AuditRow).where(AuditRow.actor != "bootstrap"))
            return sum(1 for row in rows if row.action == "candidate.contact_shown")

    before = shown()
    body = client.get("/v1/vacancies/V1/matches?k=20", headers=world["employer"]).json()
    assert len(body["items"]) == 3
    assert shown() - before == 3
    client.get("/v1/vacancies/V1/matches?k=20", headers=world["bkk"])  # no contact, no line
    assert shown() - before == 3


def test_openapi_still_describes_the_match_models(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for kind, (path, model) in ROUTES.items():
        template = path.replace("{id}", f"{{{kind}_id}}")
        ok = paths[template]["get"]["responses"]["200"]["content"]["application/json"]
        assert ok["schema"] == {"$ref": f"#/components/schemas/{model.__name__}"}
        errors = paths[template]["get"]["responses"]["404"]["content"]
        assert list(errors) == ["application/problem+json"]


def test_revoked_key_is_refused_by_the_match_route_at_once(
    client: TestClient, world: dict[str, Any]
) -> None:
    response = client.post("/v1/keys", json={"role": "bkk", "school_id": "S1"}, headers=ADMIN)
    key_id, key = response.json()["id"], response.json()["key"]
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get("/v1/vacancies/V1/matches", headers=headers).status_code == 200
    assert client.delete(f"/v1/keys/{key_id}", headers=ADMIN).status_code == 204
    refused = client.get("/v1/vacancies/V1/matches", headers=headers)
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["detail"] == "Unknown or revoked API key."
    missing = client.get("/v1/vacancies/V1/matches")
    assert (missing.status_code, missing.json()["detail"]) == (401, "Bearer API key missing.")


def test_every_request_returns_its_connection(client: TestClient, world: dict[str, Any]) -> None:
    """Sessions now close on the event loop when they hold nothing; one that still holds a
    connection (a plain record read) must still hand it back, on success and on error."""
    pool = client.app.state.sessions.kw["bind"].pool  # type: ignore[attr-defined]
    for _ in range(3):
        assert client.get("/v1/vacancies/V1/matches", headers=world["bkk"]).status_code == 200
        assert client.get("/v1/candidates/C1", headers=world["bkk"]).status_code == 200
        assert client.get("/v1/candidates/C5", headers=world["bkk"]).status_code == 404
        assert client.get("/v1/vacancies/NOPE/matches", headers=ADMIN).status_code == 404
    assert pool.checkedout() == 0
