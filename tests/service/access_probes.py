"""The access matrix's probes: one per (method, path) the app serves under ``/v1``.

Each prober aims a principal at the world's objects (access_world.py) and records what came
back; test_api_access_matrix.py runs them all and judges the answers against the oracle.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from access_world import (
    CAND,
    CANDIDATES,
    VAC,
    VACANCIES,
    Cand,
    Vac,
    Who,
    candidate_json,
    keeps_candidate,
    match_may_name_candidate,
    match_may_name_vacancy,
    may_record_outcome,
    reads_candidate,
    reads_vacancy,
    vacancy_json,
    writes_vacancy,
)
from fastapi.testclient import TestClient
from svc_helpers import ADMIN

from service.main import api_routes


@dataclass
class Run:
    client: TestClient
    headers: dict[str, dict[str, str]]
    key_ids: dict[str, str]
    probes: int = 0
    refused: int = 0
    failures: list[str] = field(default_factory=list)
    controls: int = 0
    bodies: list[tuple[str, str, str]] = field(default_factory=list)  # (who, what, body text)
    changed: list[str] = field(default_factory=list)  # world objects a probe managed to change

    def send(self, who: str, method: str, url: str, **kw: Any) -> Any:
        response = self.client.request(method, url, headers=self.headers[who], **kw)
        if "json" in response.headers.get("content-type", ""):
            self.bodies.append((who, f"{method} {url}", response.text))
        return response

    def foreign(self, who: str, method: str, url: str, **kw: Any) -> None:
        """Aim ``who`` at an object that is not theirs: 403 or 404, and nothing else."""
        self.probes += 1
        response = self.send(who, method, url, **kw)
        if response.status_code in (403, 404):
            self.refused += 1
        else:
            self.failures.append(f"{who} {method} {url} -> {response.status_code}")

    def foreign_items(self, who: str, url: str, kw: dict[str, Any], n: int, rows: bool) -> None:
        """A batch or import naming ``n`` foreign objects: 403 for the route, or each refused."""
        self.probes += n
        response = self.send(who, "POST", url, **kw)
        if response.status_code == 403:
            self.refused += n
            return
        body = response.json()
        if response.status_code == 200 and body.get("upserted") == 0:
            self.refused += len(body["errors"])
            if len(body["errors"]) != n:
                self.failures.append(f"{who} POST {url}: {body['errors']} (wanted {n} refusals)")
            return
        self.failures.append(f"{who} POST {url} -> {response.status_code} {body}")

    def own(self, who: str, method: str, url: str, expect: int = 200, **kw: Any) -> Any:
        """A positive control: what the oracle says is this key's to use must work."""
        self.controls += 1
        response = self.send(who, method, url, **kw)
        if response.status_code != expect:
            self.failures.append(f"control {who} {method} {url} -> {response.status_code}")
        return response


def csv_body(rows: list[dict[str, Any]], columns: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows([[r.get(c, "") for c in columns] for r in rows])
    return out.getvalue().encode()


def _claimed(who: Who, c: Cand) -> dict[str, Any]:
    """The write an attacker would send: someone else's candidate, claimed into its own scope."""
    over: dict[str, Any] = {"consent": {"share_with_employers": True, "guardian_consent": True}}
    if who.school:
        over["school_id"] = who.school
    return candidate_json(c, **over)


def _claimed_vacancy(who: Who, v: Vac) -> dict[str, Any]:
    return vacancy_json(v, employer_id=who.employer or v.employer, title="Lowongan palsu")


# One prober per (method, path) the app serves under /v1; a route without one fails the coverage
# test, so a new route cannot ship without its row in the matrix.
Prober = Callable[[Run, Who], None]


def _get_vacancy(run: Run, who: Who) -> None:
    for v in VACANCIES:
        if reads_vacancy(who, v):
            run.own(who.name, "GET", f"/v1/vacancies/{v.id}")
        else:
            run.foreign(who.name, "GET", f"/v1/vacancies/{v.id}")


def _put_vacancy(run: Run, who: Who) -> None:
    for v in VACANCIES:
        if not writes_vacancy(who, v):
            run.foreign(who.name, "PUT", f"/v1/vacancies/{v.id}", json=_claimed_vacancy(who, v))


def _delete_vacancy(run: Run, who: Who) -> None:
    for v in VACANCIES:
        if not writes_vacancy(who, v):
            run.foreign(who.name, "DELETE", f"/v1/vacancies/{v.id}")


def _get_candidate(run: Run, who: Who) -> None:
    for c in CANDIDATES:
        if reads_candidate(who, c):
            run.own(who.name, "GET", f"/v1/candidates/{c.id}")
        else:
            run.foreign(who.name, "GET", f"/v1/candidates/{c.id}")


def _put_candidate(run: Run, who: Who) -> None:
    for c in CANDIDATES:
        if not keeps_candidate(who, c):
            run.foreign(who.name, "PUT", f"/v1/candidates/{c.id}", json=_claimed(who, c))


def _delete_candidate(run: Run, who: Who) -> None:
    for c in CANDIDATES:
        if not keeps_candidate(who, c):
            run.foreign(who.name, "DELETE", f"/v1/candidates/{c.id}")


def _put_consent(run: Run, who: Who) -> None:
    grant = {"share_with_employers": True, "guardian_consent": True}
    for c in CANDIDATES:
        if not keeps_candidate(who, c):
            run.foreign(who.name, "PUT", f"/v1/candidates/{c.id}/consent", json=grant)


def _vacancy_matches(run: Run, who: Who) -> None:
    for v in VACANCIES:
        url = f"/v1/vacancies/{v.id}/matches?k=100"
        if not reads_vacancy(who, v):
            run.foreign(who.name, "GET", url)
            continue
        got = run.own(who.name, "GET", url)
        if got.status_code != 200:
            continue
        everyone = run.client.get(url, headers=ADMIN).json()["items"]
        expected = {
            i["candidate_id"]
            for i in everyone
            if match_may_name_candidate(who, CAND[i["candidate_id"]])
        }
        named = {i["candidate_id"] for i in got.json()["items"]}
        if named != expected:
            run.failures.append(f"{who.name} {url}: named {sorted(named)}, want {sorted(expected)}")


def _candidate_matches(run: Run, who: Who) -> None:
    for c in CANDIDATES:
        url = f"/v1/candidates/{c.id}/matches?k=100"
        if not reads_candidate(who, c):
            run.foreign(who.name, "GET", url)
            continue
        got = run.own(who.name, "GET", url)
        if got.status_code != 200:
            continue
        named = {i["vacancy_id"] for i in got.json()["items"]}
        bad = sorted(n for n in named if not match_may_name_vacancy(who, VAC[n]))
        if bad:
            run.failures.append(f"{who.name} {url} named foreign vacancies {bad}")


def _explain(run: Run, who: Who) -> None:
    for v in VACANCIES:
        for c in CANDIDATES:
            url = f"/v1/vacancies/{v.id}/matches/{c.id}"
            if reads_vacancy(who, v) and reads_candidate(who, c):
                run.own(who.name, "GET", url)
            else:
                run.foreign(who.name, "GET", url)


def _post_outcome(run: Run, who: Who) -> None:
    for v in VACANCIES:
        for c in CANDIDATES:
            if not may_record_outcome(who, v, c):
                body = {"vacancy_id": v.id, "candidate_id": c.id, "status": "hired"}
                run.foreign(who.name, "POST", "/v1/outcomes", json=body)


def _list_outcomes(run: Run, who: Who) -> None:
    items = run.own(who.name, "GET", "/v1/outcomes?limit=200").json()["items"]
    for item in items:
        v, c = VAC[item["vacancy_id"]], CAND[item["candidate_id"]]
        seen = {"bkk": c.school == who.school, "employer": v.employer == who.employer}
        if not seen.get(who.role, False):  # the seeded outcomes were recorded by admin
            run.failures.append(f"{who.name} GET /v1/outcomes listed {item}")
    for c in CANDIDATES:
        got = run.own(who.name, "GET", f"/v1/outcomes?candidate_id={c.id}").json()["items"]
        if who.role == "portal" and got:
            run.failures.append(f"{who.name} sees outcomes of {c.id} it did not record")


def _list(kind: str) -> Prober:
    def probe(run: Run, who: Who) -> None:
        url = f"/v1/{kind}?limit=200"
        if kind == "candidates" and who.role == "employer":
            run.foreign(who.name, "GET", url)  # employers have no candidate list
            return
        listed = {i["id"] for i in run.own(who.name, "GET", url).json()["items"]}
        if kind == "candidates":
            want = {c.id for c in CANDIDATES if reads_candidate(who, c)}
        else:
            want = {v.id for v in VACANCIES if reads_vacancy(who, v)}
        if listed != want:
            run.failures.append(f"{who.name} GET {url}: {sorted(listed)}, want {sorted(want)}")

    return probe


def _batch_candidates(run: Run, who: Who) -> None:
    items = [_claimed(who, c) for c in CANDIDATES if not keeps_candidate(who, c)]
    if items:
        url = "/v1/candidates/batch"
        run.foreign_items(who.name, url, {"json": {"items": items}}, len(items), rows=False)


def _batch_vacancies(run: Run, who: Who) -> None:
    items = [_claimed_vacancy(who, v) for v in VACANCIES if not writes_vacancy(who, v)]
    if items:
        url = "/v1/vacancies/batch"
        run.foreign_items(who.name, url, {"json": {"items": items}}, len(items), rows=False)


def _import_candidates(run: Run, who: Who) -> None:
    rows = [_claimed(who, c) for c in CANDIDATES if not keeps_candidate(who, c)]
    if rows:
        data = csv_body(rows, ["id", "school_id", "major"])
        kw = {"files": {"file": ("kandidat.csv", data, "text/csv")}}
        run.foreign_items(who.name, "/v1/candidates/import", kw, len(rows), rows=True)


def _import_vacancies(run: Run, who: Who) -> None:
    rows = [_claimed_vacancy(who, v) for v in VACANCIES if not writes_vacancy(who, v)]
    if rows:
        data = csv_body(rows, ["id", "title", "description", "employer_id"])
        kw = {"files": {"file": ("lowongan.csv", data, "text/csv")}}
        run.foreign_items(who.name, "/v1/vacancies/import", kw, len(rows), rows=True)


def _template(kind: str) -> Prober:
    writers = {"candidates": ("portal", "bkk"), "vacancies": ("portal", "employer")}[kind]

    def probe(run: Run, who: Who) -> None:
        url = f"/v1/{kind}/template.xlsx"
        if who.role in writers:
            run.own(who.name, "GET", url)
        else:
            run.foreign(who.name, "GET", url)

    return probe


def _keys_admin_only(method: str) -> Prober:
    def probe(run: Run, who: Who) -> None:
        if method == "DELETE":
            for other, key_id in run.key_ids.items():
                if other != who.name:
                    run.foreign(who.name, "DELETE", f"/v1/keys/{key_id}")
        elif method == "POST":
            run.foreign(who.name, "POST", "/v1/keys", json={"role": "admin"})
        else:
            run.foreign(who.name, "GET", "/v1/keys")

    return probe


PROBERS: dict[tuple[str, str], Prober] = {
    ("POST", "/v1/keys"): _keys_admin_only("POST"),
    ("GET", "/v1/keys"): _keys_admin_only("GET"),
    ("DELETE", "/v1/keys/{key_id}"): _keys_admin_only("DELETE"),
    ("GET", "/v1/vacancies"): _list("vacancies"),
    ("GET", "/v1/candidates"): _list("candidates"),
    ("GET", "/v1/vacancies/template.xlsx"): _template("vacancies"),
    ("GET", "/v1/candidates/template.xlsx"): _template("candidates"),
    ("POST", "/v1/vacancies/batch"): _batch_vacancies,
    ("POST", "/v1/candidates/batch"): _batch_candidates,
    ("POST", "/v1/vacancies/import"): _import_vacancies,
    ("POST", "/v1/candidates/import"): _import_candidates,
    ("GET", "/v1/vacancies/{record_id}"): _get_vacancy,
    ("PUT", "/v1/vacancies/{record_id}"): _put_vacancy,
    ("DELETE", "/v1/vacancies/{record_id}"): _delete_vacancy,
    ("GET", "/v1/candidates/{record_id}"): _get_candidate,
    ("PUT", "/v1/candidates/{record_id}"): _put_candidate,
    ("DELETE", "/v1/candidates/{record_id}"): _delete_candidate,
    ("PUT", "/v1/candidates/{candidate_id}/consent"): _put_consent,
    ("GET", "/v1/vacancies/{vacancy_id}/matches"): _vacancy_matches,
    ("GET", "/v1/candidates/{candidate_id}/matches"): _candidate_matches,
    ("GET", "/v1/vacancies/{vacancy_id}/matches/{candidate_id}"): _explain,
    ("POST", "/v1/outcomes"): _post_outcome,
    ("GET", "/v1/outcomes"): _list_outcomes,
}

SERVED = sorted(
    (method, route.path)
    for route in api_routes()
    if route.path.startswith("/v1")
    for method in route.methods or ()
)
