"""Broken object-level and property-level authorisation, generated from the served routes.

One world of records with known owners (two schools, two employers, two portals; consenting and
non-consenting adults, minors with and without a guardian's consent, a candidate of unknown age),
and one key per scoped principal. For every ``/v1`` route the app serves, every scoped principal
is aimed at every object that the *contract* (the oracle below, written from CONTRACT.md and not
from ``service.access``) says is not theirs: each probe must answer 403 or 404 (a batch or import
item must be refused item by item). Objects a principal may read are probed too, as positive
controls, so a service that refused everything would fail here as well.

Every JSON body returned during the run is then scanned: a candidate's contact details reach a
key only where the key keeps that candidate's record or is an employer the candidate consented to
(plus a guardian's consent for a minor or a person of unknown age); no NIK ever comes back.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from access_probes import PROBERS, SERVED, Run, csv_body
from access_world import (
    CAND,
    CANDIDATES,
    NIK,
    NIK_LIKE,
    SCOPED,
    VACANCIES,
    WHO,
    Cand,
    candidate_json,
    employer_may_see,
    reads_candidate,
    sees_contact,
    vacancy_json,
)
from fastapi.testclient import TestClient
from svc_helpers import ADMIN, CountingEncoder, make_settings, wait_ready

from service.auth import declared_roles
from service.main import api_routes, create_app


# -- the world, built once for the module ------------------------------------------------------
@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    settings = make_settings(tmp_path_factory.mktemp("access") / "var")
    with TestClient(create_app(settings, encoder=CountingEncoder())) as client:
        wait_ready(client)
        headers: dict[str, dict[str, str]] = {"admin": ADMIN}
        scope = {
            "portal_a": {"label": "sikeras"},
            "portal_b": {"label": "karirhub"},
            "bkk_s1": {"school_id": "S1"},
            "bkk_s2": {"school_id": "S2"},
            "emp_e1": {"employer_id": "E1"},
            "emp_e2": {"employer_id": "E2"},
        }
        key_ids: dict[str, str] = {}
        for who in SCOPED:
            made = client.post(
                "/v1/keys", json={"role": who.role, **scope[who.name]}, headers=ADMIN
            )
            assert made.status_code == 201, made.text
            headers[who.name] = {"Authorization": f"Bearer {made.json()['key']}"}
            key_ids[who.name] = made.json()["id"]
        for v in VACANCIES:
            r = client.put(
                f"/v1/vacancies/{v.id}", json=vacancy_json(v), headers=headers[v.creator]
            )
            assert r.status_code == 201, r.text
        for c in CANDIDATES:
            r = client.put(
                f"/v1/candidates/{c.id}", json=candidate_json(c), headers=headers[c.creator]
            )
            assert r.status_code == 201, r.text
        for v_id, c_id in (("v-e2", "c-s2-no"), ("v-e1", "c-s1-ok"), ("v-pb", "c-pb-no")):
            body = {"vacancy_id": v_id, "candidate_id": c_id, "status": "contacted"}
            assert client.post("/v1/outcomes", json=body, headers=ADMIN).status_code == 201
        state = Run(client, headers, key_ids)
        before = _state(client)
        for who in SCOPED:
            for route in SERVED:
                PROBERS[route](state, who)
        after = _state(client)
        state.changed = sorted(
            f"{part}:{obj}"
            for part in before
            for obj in set(before[part]) | set(after[part])
            if before[part].get(obj) != after[part].get(obj)
        )
        yield state


def _state(client: TestClient) -> dict[str, dict[str, Any]]:
    """Every record, outcome and key as the admin sees it."""
    outcomes = client.get("/v1/outcomes?limit=200", headers=ADMIN).json()["items"]
    return {
        "v": {v.id: client.get(f"/v1/vacancies/{v.id}", headers=ADMIN).json() for v in VACANCIES},
        "c": {c.id: client.get(f"/v1/candidates/{c.id}", headers=ADMIN).json() for c in CANDIDATES},
        "o": {o["id"]: o for o in outcomes},
        "k": {k["id"]: k for k in client.get("/v1/keys", headers=ADMIN).json()},
    }


# -- the tests ---------------------------------------------------------------------------------
def test_every_served_route_is_in_the_matrix() -> None:
    assert set(SERVED) == set(PROBERS), "add a prober for each new /v1 route"
    assert all(declared_roles(r) for r in api_routes() if r.path.startswith("/v1"))


def test_foreign_objects_are_refused_every_time(run: Run) -> None:
    """100% of probes at other people's objects answer 403/404, over every route and role."""
    print(f"access matrix: {run.refused}/{run.probes} refused, {run.controls} controls")
    assert not run.failures, "\n".join(run.failures[:40])
    assert not run.changed, f"refused probes changed {run.changed}"
    assert run.probes == run.refused
    assert run.probes > 500 and run.controls > 150  # the matrix really ran


def test_nothing_foreign_is_listed_or_matched(run: Run) -> None:
    """Lists equal the oracle's set and match lists name exactly the admin's list ∩ allowed
    (checked inside the probers, reported as failures); here: an employer's match lists over
    its vacancies name every consenting person and nobody else."""
    employer_view = [
        b
        for w, what, b in run.bodies
        if w == "emp_e1" and what.startswith("GET /v1/vacancies/") and "/matches?" in what
    ]
    named = {i["candidate_id"] for b in employer_view for i in json.loads(b).get("items", [])}
    assert named == {c.id for c in CANDIDATES if employer_may_see(c)}
    assert not run.failures


def _values(c: Cand) -> dict[str, str]:
    return {"phone": c.phone, "email": c.email, "name": c.name}


def test_personal_fields_only_where_the_contract_allows(run: Run) -> None:
    """Property level: name, phone and e-mail reach a key iff it may read / see contact."""
    leaks = []
    for who_name, what, text in run.bodies:
        who = WHO[who_name]
        for c in CANDIDATES:
            v = _values(c)
            if not sees_contact(who, c) and (v["phone"] in text or v["email"] in text):
                leaks.append(f"{who_name} {what}: contact of {c.id}")
            if not reads_candidate(who, c) and v["name"] in text:
                leaks.append(f"{who_name} {what}: name of {c.id}")
    assert not leaks, "\n".join(leaks[:40])


def test_contact_present_exactly_for_consenting_people(run: Run) -> None:
    """An employer's view of a consenting person carries the contact, and never gender."""
    for who in (WHO["emp_e1"], WHO["emp_e2"]):
        for c in CANDIDATES:
            got = run.client.get(f"/v1/candidates/{c.id}", headers=run.headers[who.name])
            if employer_may_see(c):
                assert got.json()["contact"] == {"phone": c.phone, "email": c.email}
                assert "gender" not in got.json()
            else:
                assert got.status_code == 404
        for v in VACANCIES:
            if v.employer != who.employer or v.status != "open":
                continue
            items = run.client.get(
                f"/v1/vacancies/{v.id}/matches?k=100", headers=run.headers[who.name]
            ).json()["items"]
            assert items
            for item in items:
                c = CAND[item["candidate_id"]]
                assert employer_may_see(c)
                assert item["contact"] == {"phone": c.phone, "email": c.email}
    for who in (WHO["admin"], WHO["portal_a"], WHO["bkk_s1"]):
        items = run.client.get("/v1/vacancies/v-pa/matches?k=100", headers=run.headers[who.name])
        assert all("contact" not in i for i in items.json()["items"]), who


def test_no_nik_in_any_response_of_the_matrix(run: Run) -> None:
    found = [(w, what) for w, what, text in run.bodies if NIK_LIKE.search(text)]
    assert run.bodies and not found


def test_a_nik_cannot_be_stored_nor_is_it_echoed(run: Run) -> None:
    """There is no NIK field: a body carrying one is refused without quoting it back, and a
    spreadsheet's NIK column is dropped (named in ``ignored_columns``, never stored)."""
    client, h = run.client, run.headers["bkk_s1"]
    c = Cand("c-nik", "S1", True, None, "2000-01-01", "bkk_s1", "Lina Marlina")
    texts = []
    r = client.put("/v1/candidates/c-nik", json={**candidate_json(c), "nik": NIK}, headers=h)
    assert r.status_code == 422 and ["body", "nik"] in [e["loc"] for e in r.json()["errors"]]
    texts.append(r.text)
    r = client.put("/v1/candidates/c-nik", json=candidate_json(c, contact={"nik": NIK}), headers=h)
    assert r.status_code == 422
    texts.append(r.text)
    batch = {"items": [{**candidate_json(c), "nik": NIK}, candidate_json(c, birth_date=NIK)]}
    r = client.post("/v1/candidates/batch", json=batch, headers=h)
    assert r.status_code == 200 and r.json()["upserted"] == 0 and len(r.json()["errors"]) == 2
    texts.append(r.text)
    for data, name in (
        (
            csv_body([{"id": "c-nik", "school_id": "S1", "nik": NIK}], ["id", "school_id", "nik"]),
            "k.csv",
        ),
        (json.dumps([{"id": "c-nik", "school_id": "S1", "NIK": NIK}]).encode(), "k.json"),
        (_xlsx([["id", "school_id", "No. NIK"], ["c-nik", "S1", NIK]]), "k.xlsx"),
    ):
        r = client.post(
            "/v1/candidates/import",
            files={"file": (name, data, "application/octet-stream")},
            headers=h,
        )
        assert r.status_code == 200 and r.json()["upserted"] == 1, r.text
        assert len(r.json()["ignored_columns"]) == 1
        texts.append(r.text)
        stored = client.get("/v1/candidates/c-nik", headers=ADMIN)
        texts.append(stored.text)
        assert "nik" not in {k.lower() for k in stored.json()}
    assert client.delete("/v1/candidates/c-nik", headers=h).status_code == 204
    for text in texts:
        assert NIK not in text, text


def _xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
