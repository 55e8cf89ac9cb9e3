"""UU PDP in practice: consent withdrawal and erasure take effect on the very next request, the
erasure is audited by hash only, and a revoked key is refused at once, by every worker.

There are no export endpoints in v1: the lists (``GET /v1/candidates``, ``/v1/outcomes``) are
what a portal or BKK exports from, so they are what is checked after withdrawal and erasure.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from svc_helpers import ADMIN, candidate_body, new_key, vacancy_body
from typer.testing import CliRunner

from service.cli import app as cli
from service.db.models import AuditRow, ChangeRow
from service.db.repository import id_hash

PERSON: dict[str, Any] = {
    "name": "Wulan Sari Dewi",
    "contact": {"phone": "081298765432", "email": "wulan.sari@contoh.sch.id"},
}


@pytest.fixture
def scene(client: TestClient, keys: dict[str, dict[str, str]]) -> dict[str, Any]:
    """One consenting student of S1 (``c-w``) whom an employer, a portal and the BKK can all
    reach, next to a second consenting student (``c-x``) who stays throughout."""
    for v, who in (("v1", ADMIN), ("v2", keys["portal"])):  # E1's, one through the portal
        r = client.put(f"/v1/vacancies/{v}", json=vacancy_body(v), headers=who)
        assert r.status_code == 201
    for cid, extra in (("c-w", PERSON), ("c-x", {})):
        body = candidate_body(cid, **extra)
        assert (
            client.put(f"/v1/candidates/{cid}", json=body, headers=keys["bkk"]).status_code == 201
        )
    outcome = {"vacancy_id": "v1", "candidate_id": "c-w", "status": "contacted"}
    assert client.post("/v1/outcomes", json=outcome, headers=keys["employer"]).status_code == 201
    return keys


def _everything_that_names(
    client: TestClient, keys: dict[str, dict[str, str]]
) -> dict[str, list[str]]:
    """Every list, match list and outcome list each caller gets, as candidate ids."""
    seen: dict[str, list[str]] = {}
    for who in ("admin", "bkk", "employer", "portal"):
        h = ADMIN if who == "admin" else keys[who]
        for v in ("v1", "v2"):
            got = client.get(f"/v1/vacancies/{v}/matches?k=100", headers=h)
            if got.status_code == 200:  # the portal reads only the vacancy it wrote
                seen[f"{who} matches {v}"] = [i["candidate_id"] for i in got.json()["items"]]
        got = client.get("/v1/outcomes?limit=200", headers=h).json()["items"]
        seen[f"{who} outcomes"] = [o["candidate_id"] for o in got]
        if who != "employer":
            got = client.get("/v1/candidates?limit=200", headers=h).json()["items"]
            seen[f"{who} list"] = [c["id"] for c in got]
    return seen


def test_scene_really_shows_the_person_first(client: TestClient, scene: dict[str, Any]) -> None:
    """The control for the tests below: before withdrawal, c-w is visible where expected."""
    seen = _everything_that_names(client, scene)
    for place in ("admin matches v1", "bkk matches v1", "employer matches v1", "portal matches v2"):
        assert "c-w" in seen[place], place
    assert "c-w" in seen["employer outcomes"] and "c-w" in seen["bkk list"]


def test_withdrawn_consent_is_gone_from_the_very_next_request(
    client: TestClient, scene: dict[str, Any]
) -> None:
    keys = scene
    r = client.put(
        "/v1/candidates/c-w/consent", json={"share_with_employers": False}, headers=keys["bkk"]
    )
    assert r.status_code == 200 and r.json()["consent"] == {"share_with_employers": False}
    seen = _everything_that_names(client, keys)
    # third parties lose the person at once...
    assert "c-w" not in seen["employer matches v1"] and "c-x" in seen["employer matches v1"]
    assert "c-w" not in seen["portal matches v2"] and "c-x" in seen["portal matches v2"]
    for url in ("/v1/candidates/c-w", "/v1/candidates/c-w/matches", "/v1/vacancies/v1/matches/c-w"):
        assert client.get(url, headers=keys["employer"]).status_code == 404, url
    again = {"vacancy_id": "v1", "candidate_id": "c-w", "status": "interviewed"}
    assert client.post("/v1/outcomes", json=again, headers=keys["employer"]).status_code == 404
    # ...while the school that keeps the record still serves its student
    assert "c-w" in seen["bkk matches v1"] and "c-w" in seen["bkk list"]
    text = json.dumps(
        [
            client.get(f"/v1/vacancies/{v}/matches", headers=keys["employer"]).json()
            for v in ("v1", "v2")
        ]
    )
    assert PERSON["contact"]["phone"] not in text and PERSON["name"] not in text


def test_minor_guardian_consent_withdrawn_is_gone_at_once(
    client: TestClient, scene: dict[str, Any]
) -> None:
    keys = scene
    minor = candidate_body(
        "c-m",
        birth_date="2011-05-05",
        consent={"share_with_employers": True, "guardian_consent": True},
    )
    assert client.put("/v1/candidates/c-m", json=minor, headers=keys["bkk"]).status_code == 201
    ids = lambda: [  # noqa: E731
        i["candidate_id"]
        for i in client.get("/v1/vacancies/v1/matches", headers=keys["employer"]).json()["items"]
    ]
    assert "c-m" in ids()
    withdrawn = {"share_with_employers": True, "guardian_consent": False}
    assert (
        client.put("/v1/candidates/c-m/consent", json=withdrawn, headers=keys["bkk"]).status_code
        == 200
    )
    assert "c-m" not in ids()
    assert client.get("/v1/candidates/c-m", headers=keys["employer"]).status_code == 404


def test_erased_person_is_gone_everywhere_at_once(
    client: TestClient, scene: dict[str, Any], log_lines: io.StringIO
) -> None:
    keys = scene
    assert client.delete("/v1/candidates/c-w", headers=keys["bkk"]).status_code == 204
    seen = _everything_that_names(client, keys)
    assert not [place for place, ids in seen.items() if "c-w" in ids], seen
    assert "c-x" in seen["admin matches v1"] and "c-x" in seen["bkk list"]
    for who in ("admin", "bkk", "employer"):
        h = ADMIN if who == "admin" else keys[who]
        for url in (
            "/v1/candidates/c-w",
            "/v1/candidates/c-w/matches",
            "/v1/vacancies/v1/matches/c-w",
        ):
            assert client.get(url, headers=h).status_code == 404, (who, url)
    # the erasure's audit line names the key and the action, and the person only by a hash
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        rows = [r for r in session.scalars(select(AuditRow)) if r.action == "candidate.erase"]
    assert len(rows) == 1
    line = rows[0]
    assert line.target_kind == "candidate" and line.target_hash == id_hash("candidate", "c-w")
    assert line.actor.startswith("key_") and line.detail is None
    flat = json.dumps(
        {c: str(getattr(line, c)) for c in ("actor", "action", "target_hash", "detail")}
    )
    for value in ("c-w", PERSON["name"], *PERSON["contact"].values(), "Siti"):
        assert value not in flat
    # and the service's log line for the request holds the route template, never the id
    lines = [json.loads(x) for x in log_lines.getvalue().splitlines()]
    deletes = [x for x in lines if x.get("method") == "DELETE"]
    assert deletes and all(x["route"] == "/v1/candidates/{record_id}" for x in deletes)
    assert "c-w" not in log_lines.getvalue()


def test_erasure_reaches_the_index_snapshot(client: TestClient, scene: dict[str, Any]) -> None:
    """The next snapshot replaces every older one, so no file of the index still holds them."""
    state = client.app.state  # type: ignore[attr-defined]
    state.gateway.save_snapshot(state.sessions)  # a snapshot taken while c-w was still there
    index_dir: Path = state.settings.index_dir
    before = _files_holding(index_dir, PERSON["contact"]["phone"])
    assert client.delete("/v1/candidates/c-w", headers=scene["bkk"]).status_code == 204
    assert state.gateway.snapshot_due()  # an erasure makes a snapshot due at once
    state.gateway.save_snapshot(state.sessions)
    assert before, "the first snapshot should have held the person (else this proves nothing)"
    after = [
        f
        for needle in ("c-w", PERSON["name"], *PERSON["contact"].values())
        for f in _files_holding(index_dir, needle)
    ]
    assert not after, after
    print(f"index files holding the person before erasure: {len(before)}, after: {len(after)}")


def _files_holding(folder: Path, needle: str) -> list[str]:
    data = needle.encode()
    return [str(p) for p in folder.rglob("*") if p.is_file() and data in p.read_bytes()]


def test_revoked_key_is_refused_on_the_very_next_request(
    client: TestClient, keys: dict[str, dict[str, str]]
) -> None:
    made = client.post("/v1/keys", json={"role": "bkk", "school_id": "S1"}, headers=ADMIN).json()
    h = {"Authorization": f"Bearer {made['key']}"}
    assert client.get("/v1/candidates", headers=h).status_code == 200
    assert client.delete(f"/v1/keys/{made['id']}", headers=ADMIN).status_code == 204
    for method, url in (
        ("GET", "/v1/candidates"),
        ("GET", "/v1/vacancies"),
        ("PUT", "/v1/candidates/x"),
    ):
        r = client.request(method, url, headers=h, json=candidate_body("x"))
        assert r.status_code == 401, (method, url, r.status_code)
        assert r.headers["content-type"].startswith("application/problem+json")


def test_revoked_elsewhere_is_refused_by_a_running_worker(
    client: TestClient,
    start_app: Callable[..., TestClient],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Keys are looked up per request, never cached: a key revoked by ``cocok keys revoke`` (a
    separate process) or through another worker is refused by this worker's next request."""
    settings = client.app.state.settings  # type: ignore[attr-defined]
    second = start_app(settings)  # a second worker on the same database
    keys = [new_key(client, "portal", label=f"p{i}") for i in range(2)]
    listed = {k["label"]: k["id"] for k in client.get("/v1/keys", headers=ADMIN).json()}
    for h in keys:
        assert client.get("/v1/vacancies", headers=h).status_code == 200
        assert second.get("/v1/vacancies", headers=h).status_code == 200
    # revoked through worker one: worker two refuses it on its next request
    assert client.delete(f"/v1/keys/{listed['p0']}", headers=ADMIN).status_code == 204
    assert second.get("/v1/vacancies", headers=keys[0]).status_code == 401
    # revoked from the shell while both run: both refuse it on their next request
    monkeypatch.setenv("COCOK_DATA_DIR", str(settings.data_dir))
    monkeypatch.delenv("COCOK_DATABASE_URL", raising=False)
    result = CliRunner().invoke(cli, ["keys", "revoke", listed["p1"]])
    assert result.exit_code == 0, result.output
    assert client.get("/v1/vacancies", headers=keys[1]).status_code == 401
    assert second.get("/v1/vacancies", headers=keys[1]).status_code == 401


def test_change_feed_keeps_ids_not_personal_data(client: TestClient, scene: dict[str, Any]) -> None:
    """After erasure the only trace left in the database is the id in the change feed (needed by
    other workers to drop the record) and the hashed audit lines; no field of the person."""
    assert client.delete("/v1/candidates/c-w", headers=scene["bkk"]).status_code == 204
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        changes = [(c.kind, c.record_id, c.op) for c in session.scalars(select(ChangeRow))]
        audit = [
            (a.actor, a.action, a.target_hash, a.detail) for a in session.scalars(select(AuditRow))
        ]
    assert ("candidate", "c-w", "delete") in changes
    text = json.dumps([changes, audit])
    for value in (PERSON["name"], *PERSON["contact"].values()):
        assert value not in text
