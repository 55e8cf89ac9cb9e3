"""The role matrix, generated from the app's routes: every /v1 route × every role.

Each route must declare its roles through ``require_roles`` (a route without one fails here), and
each must have a probe below that aims it at someone else's object: a role outside the declared
set gets 403; a role inside it gets 403/404 (or, for collections, a result without the other's
record). Adding a route without adding its probe fails ``test_every_route_has_a_probe``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from svc_helpers import ADMIN, candidate_body, vacancy_body

from service.auth import ROLES, declared_roles
from service.main import api_routes, create_app

Probe = Callable[[TestClient, dict[str, str]], Any]
SCOPED = {"portal": "portal", "bkk": "bkk", "employer": "employer"}


def _ids(response: Any) -> list[str]:
    return [item["id"] for item in response.json()["items"]]


def _hidden_or_refused(response: Any) -> None:
    assert response.status_code in (403, 404), response.text


def _batch_refused(response: Any) -> None:
    if response.status_code == 403:
        return
    assert response.status_code == 200, response.text
    assert response.json()["upserted"] == 0 and response.json()["errors"][0]["index"] == 0


def _import_refused(response: Any) -> None:
    if response.status_code in (403, 404):
        return
    assert response.status_code == 200, response.text
    assert response.json()["upserted"] == 0


def _not_listed(other: str) -> Callable[[Any], None]:
    def check(response: Any) -> None:
        if response.status_code == 403:
            return
        assert response.status_code == 200, response.text
        assert other not in _ids(response)

    return check


def _outcomes_hidden(response: Any) -> None:
    assert response.status_code == 200
    assert all(o["candidate_id"] != "c-b" for o in response.json()["items"])


CSV = {
    "candidate": b"id,school_id,major\nc-b,S2,TKJ\n",
    "vacancy": b"id,title,description,employer_id\nv-b,Las,Operator las,E2\n",
}

# (method, path) -> (request maker, check); every request aims at someone else's object
PROBES: dict[tuple[str, str], tuple[Probe, Callable[[Any], None]]] = {
    ("POST", "/v1/keys"): (
        lambda c, h: c.post("/v1/keys", json={"role": "admin"}, headers=h),
        _hidden_or_refused,
    ),
    ("GET", "/v1/keys"): (lambda c, h: c.get("/v1/keys", headers=h), _hidden_or_refused),
    ("DELETE", "/v1/keys/{key_id}"): (
        lambda c, h: c.delete("/v1/keys/key_x", headers=h),
        _hidden_or_refused,
    ),
    ("GET", "/v1/vacancies"): (lambda c, h: c.get("/v1/vacancies", headers=h), _not_listed("v-b")),
    ("GET", "/v1/candidates"): (
        lambda c, h: c.get("/v1/candidates", headers=h),
        _not_listed("c-b"),
    ),
    ("GET", "/v1/vacancies/template.xlsx"): (
        lambda c, h: c.get("/v1/vacancies/template.xlsx", headers=h),
        lambda r: None,
    ),
    ("GET", "/v1/candidates/template.xlsx"): (
        lambda c, h: c.get("/v1/candidates/template.xlsx", headers=h),
        lambda r: None,
    ),
    ("POST", "/v1/vacancies/batch"): (
        lambda c, h: c.post(
            "/v1/vacancies/batch",
            json={"items": [vacancy_body("v-b", employer_id="E1")]},
            headers=h,
        ),
        _batch_refused,
    ),
    ("POST", "/v1/candidates/batch"): (
        lambda c, h: c.post(
            "/v1/candidates/batch",
            json={"items": [candidate_body("c-b", school_id="S1")]},
            headers=h,
        ),
        _batch_refused,
    ),
    ("POST", "/v1/vacancies/import"): (
        lambda c, h: c.post(
            "/v1/vacancies/import", headers=h, files={"file": ("v.csv", CSV["vacancy"], "text/csv")}
        ),
        _import_refused,
    ),
    ("POST", "/v1/candidates/import"): (
        lambda c, h: c.post(
            "/v1/candidates/import",
            headers=h,
            files={"file": ("c.csv", CSV["candidate"], "text/csv")},
        ),
        _import_refused,
    ),
    ("PUT", "/v1/vacancies/{record_id}"): (
        lambda c, h: c.put(
            "/v1/vacancies/v-b", json=vacancy_body("v-b", employer_id="E1"), headers=h
        ),
        _hidden_or_refused,
    ),
    ("GET", "/v1/vacancies/{record_id}"): (
        lambda c, h: c.get("/v1/vacancies/v-b", headers=h),
        _hidden_or_refused,
    ),
    ("DELETE", "/v1/vacancies/{record_id}"): (
        lambda c, h: c.delete("/v1/vacancies/v-b", headers=h),
        _hidden_or_refused,
    ),
    ("PUT", "/v1/candidates/{record_id}"): (
        lambda c, h: c.put(
            "/v1/candidates/c-b", json=candidate_body("c-b", school_id="S1"), headers=h
        ),
        _hidden_or_refused,
    ),
    ("GET", "/v1/candidates/{record_id}"): (
        lambda c, h: c.get("/v1/candidates/c-b", headers=h),
        _hidden_or_refused,
    ),
    ("DELETE", "/v1/candidates/{record_id}"): (
        lambda c, h: c.delete("/v1/candidates/c-b", headers=h),
        _hidden_or_refused,
    ),
    ("PUT", "/v1/candidates/{candidate_id}/consent"): (
        lambda c, h: c.put(
            "/v1/candidates/c-b/consent", json={"share_with_employers": True}, headers=h
        ),
        _hidden_or_refused,
    ),
    ("GET", "/v1/vacancies/{vacancy_id}/matches"): (
        lambda c, h: c.get("/v1/vacancies/v-b/matches", headers=h),
        _hidden_or_refused,
    ),
    ("GET", "/v1/candidates/{candidate_id}/matches"): (
        lambda c, h: c.get("/v1/candidates/c-b/matches", headers=h),
        _hidden_or_refused,
    ),
    ("GET", "/v1/vacancies/{vacancy_id}/matches/{candidate_id}"): (
        lambda c, h: c.get("/v1/vacancies/v-b/matches/c-b", headers=h),
        _hidden_or_refused,
    ),
    ("POST", "/v1/outcomes"): (
        lambda c, h: c.post(
            "/v1/outcomes",
            headers=h,
            json={"vacancy_id": "v-b", "candidate_id": "c-b", "status": "hired"},
        ),
        _hidden_or_refused,
    ),
    ("GET", "/v1/outcomes"): (lambda c, h: c.get("/v1/outcomes", headers=h), _outcomes_hidden),
}


def v1_routes() -> list[tuple[str, str, APIRoute]]:
    return [
        (method, route.path, route)
        for route in api_routes()
        if route.path.startswith("/v1")
        for method in sorted(route.methods)
    ]


ROUTES = v1_routes()


def test_enumeration_covers_what_the_app_serves() -> None:
    """Every /v1 operation in the served OpenAPI document is one the matrix enumerates."""
    spec = create_app().openapi()
    served = {
        (method.upper(), path)
        for path, ops in spec["paths"].items()
        if path.startswith("/v1")
        for method in ops
    }
    served = {(m, p.replace("{id}", "{record_id}")) for m, p in served}
    assert served == {(m, p) for m, p, _ in ROUTES}


def test_every_v1_route_declares_its_roles() -> None:
    missing = [f"{m} {p}" for m, p, r in ROUTES if declared_roles(r) is None]
    assert not missing, f"routes without require_roles(...): {missing}"


def test_every_route_has_a_probe() -> None:
    assert {(m, p) for m, p, _ in ROUTES} == set(PROBES)


@pytest.mark.parametrize(("method", "path"), [(m, p) for m, p, _ in ROUTES])
def test_role_matrix(client: TestClient, world: dict[str, Any], method: str, path: str) -> None:
    keys = world["keys"]
    route = next(r for m, p, r in ROUTES if (m, p) == (method, path))
    allowed = declared_roles(route) or frozenset()
    client.post(
        "/v1/outcomes",
        headers=ADMIN,
        json={"vacancy_id": "v-b", "candidate_id": "c-b", "status": "contacted"},
    )
    before = {
        "v-b": client.get("/v1/vacancies/v-b", headers=ADMIN).json(),
        "c-b": client.get("/v1/candidates/c-b", headers=ADMIN).json(),
    }
    make, check = PROBES[(method, path)]
    for role in ROLES:
        if role == "admin":
            continue  # admin owns everything: there is no "someone else's" for it
        response = make(client, keys[SCOPED[role]])
        if role not in allowed:
            assert response.status_code == 403, (role, response.text)
        else:
            check(response)
    assert client.get("/v1/vacancies/v-b", headers=ADMIN).json() == before["v-b"]
    assert client.get("/v1/candidates/c-b", headers=ADMIN).json() == before["c-b"]


def test_scoped_roles_see_their_own(client: TestClient, world: dict[str, Any]) -> None:
    keys = world["keys"]
    assert client.get("/v1/vacancies/v-a", headers=keys["employer"]).status_code == 200
    assert client.get("/v1/candidates/c-a", headers=keys["bkk"]).status_code == 200
    assert client.get("/v1/candidates/c-a", headers=keys["portal"]).status_code == 200
    assert "gender" not in client.get("/v1/candidates/c-a", headers=keys["employer"]).json()
    assert client.get("/v1/candidates/c-a", headers=keys["bkk_b"]).status_code == 404
    assert client.get("/v1/vacancies/v-a", headers=keys["employer_b"]).status_code == 404


def test_bkk_matches_filter_before_k(client: TestClient, world: dict[str, Any]) -> None:
    """A BKK gets k of its own students even when other schools' students rank higher."""
    keys = world["keys"]
    items = [candidate_body(f"o{i}", school_id="S2") for i in range(15)]
    items += [
        candidate_body(f"m{i}", school_id="S1", major="Akuntansi", skills=["MYOB"])
        for i in range(3)
    ]
    assert (
        client.post("/v1/candidates/batch", json={"items": items}, headers=ADMIN).json()["upserted"]
        == 18
    )
    got = client.get("/v1/vacancies/v-a/matches?k=4", headers=keys["bkk"]).json()["items"]
    ids = [i["candidate_id"] for i in got]
    assert ids and all(i.startswith(("m", "c-a")) for i in ids) and len(ids) == 4


def test_employer_sees_only_consenting_with_contact(
    client: TestClient, world: dict[str, Any]
) -> None:
    keys = world["keys"]
    client.put("/v1/candidates/c-n", json=candidate_body("c-n", consent={}), headers=ADMIN)
    items = client.get("/v1/vacancies/v-a/matches", headers=keys["employer"]).json()["items"]
    ids = [i["candidate_id"] for i in items]
    assert "c-a" in ids and "c-n" not in ids and "c-b" not in ids
    assert all("contact" in i for i in items)
    admin_items = client.get("/v1/vacancies/v-a/matches", headers=ADMIN).json()["items"]
    assert all("contact" not in i for i in admin_items)
    assert client.get("/v1/candidates/c-n/matches", headers=keys["employer"]).status_code == 404
    own = client.get("/v1/candidates/c-a/matches", headers=keys["employer"]).json()["items"]
    assert {i["vacancy_id"] for i in own} <= {"v-a"}


def test_portal_matches_name_its_own_or_consenting_people(
    client: TestClient, world: dict[str, Any]
) -> None:
    keys = world["keys"]
    shared = candidate_body("c-shared", school_id="S2")
    assert (
        client.put("/v1/candidates/c-shared", json=shared, headers=keys["portal_b"]).status_code
        == 201
    )
    items = client.get("/v1/vacancies/v-a/matches?k=100", headers=keys["portal"]).json()["items"]
    ids = {i["candidate_id"] for i in items}
    assert "c-a" in ids and "c-shared" in ids and "c-b" not in ids
