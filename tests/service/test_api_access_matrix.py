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

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from svc_helpers import ADMIN, CountingEncoder, make_settings, wait_ready

from service.auth import declared_roles
from service.main import api_routes, create_app

NIK = "3604015708090001"  # shaped like a Serang NIK (36.04…), invented
NIK_LIKE = re.compile(r"(?<!\w)\d{16}(?!\w)")
TODAY = date.today()
MINOR_BIRTH = (TODAY - timedelta(days=16 * 366)).isoformat()


# -- the world -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Who:
    """A caller: its role and scope, as the key was issued."""

    name: str
    role: str
    school: str | None = None
    employer: str | None = None


PRINCIPALS = (
    Who("admin", "admin"),
    Who("portal_a", "portal"),
    Who("portal_b", "portal"),
    Who("bkk_s1", "bkk", school="S1"),
    Who("bkk_s2", "bkk", school="S2"),
    Who("emp_e1", "employer", employer="E1"),
    Who("emp_e2", "employer", employer="E2"),
)
SCOPED = [p for p in PRINCIPALS if p.role != "admin"]
WHO = {p.name: p for p in PRINCIPALS}


@dataclass(frozen=True)
class Vac:
    id: str
    employer: str
    status: str
    creator: str  # the principal whose key created it (the owner)


@dataclass(frozen=True)
class Cand:
    id: str
    school: str
    share: bool
    guardian: bool | None
    birth: str | None
    creator: str
    name: str

    @property
    def phone(self) -> str:
        digits = int(hashlib.sha256(self.id.encode()).hexdigest(), 16) % 10**8
        return f"0812{digits:08d}"

    @property
    def email(self) -> str:
        return f"{self.id}@contoh.sch.id"

    @property
    def minor_or_unknown(self) -> bool:
        return self.birth is None or self.birth == MINOR_BIRTH


VACANCIES = (
    Vac("v-e1", "E1", "open", "emp_e1"),
    Vac("v-e2", "E2", "open", "emp_e2"),
    Vac("v-e2-closed", "E2", "closed", "portal_b"),
    Vac("v-pa", "E1", "open", "portal_a"),
    Vac("v-pb", "E3", "open", "portal_b"),
)
CANDIDATES = (
    Cand("c-s1-ok", "S1", True, None, "2000-01-15", "bkk_s1", "Siti Rahmawati"),
    Cand("c-s1-no", "S1", False, None, "2000-02-15", "bkk_s1", "Dewi Lestari"),
    Cand("c-s1-minor", "S1", True, None, MINOR_BIRTH, "bkk_s1", "Putri Anggraini"),
    Cand("c-s1-minor-ok", "S1", True, True, MINOR_BIRTH, "bkk_s1", "Rizki Pratama"),
    Cand("c-s1-nodob", "S1", True, None, None, "bkk_s1", "Asep Kurniawan"),
    Cand("c-s2-ok", "S2", True, None, "2001-03-03", "bkk_s2", "Dimas Saputra"),
    Cand("c-s2-no", "S2", False, None, "2001-04-04", "bkk_s2", "Nur Hidayah"),
    Cand("c-s2-minor", "S2", True, False, MINOR_BIRTH, "bkk_s2", "Intan Permata"),
    Cand("c-pa", "S3", False, None, "1999-05-05", "portal_a", "Agus Setiawan"),
    Cand("c-pb", "S3", True, None, "1999-06-06", "portal_b", "Fajar Nugraha"),
    Cand("c-pb-no", "S4", False, None, "1998-07-07", "portal_b", "Ayu Wulandari"),
)
VAC = {v.id: v for v in VACANCIES}
CAND = {c.id: c for c in CANDIDATES}
OWNER_TAG = {"portal_a": "portal:sikeras", "portal_b": "portal:karirhub"}


def vacancy_json(v: Vac, **over: Any) -> dict[str, Any]:
    body = {
        "id": v.id,
        "title": "Operator Las",
        "description": "Dibutuhkan welder: las SMAW, membaca gambar teknik, fabrikasi baja.",
        "employer_id": v.employer,
        "education_levels": ["SMK"],
        "skills": ["las SMAW"],
        "location": {"kecamatan_code": "36.04.15"},
        "status": v.status,
    }
    return {**body, **over}


def candidate_json(c: Cand, **over: Any) -> dict[str, Any]:
    consent: dict[str, Any] = {"share_with_employers": c.share}
    if c.guardian is not None:
        consent["guardian_consent"] = c.guardian
    body: dict[str, Any] = {
        "id": c.id,
        "school_id": c.school,
        "name": c.name,
        "gender": "P",
        "education_level": "SMK",
        "major": "Teknik Pengelasan",
        "skills": ["las SMAW", "gerinda"],
        "location": {"kecamatan_code": "36.04.15"},
        "contact": {"phone": c.phone, "email": c.email},
        "consent": consent,
        "status": "seeking",
    }
    if c.birth is not None:
        body["birth_date"] = c.birth
    return {**body, **over}


# -- the oracle: CONTRACT.md's "who sees what", independent of service.access ------------------
def owns(who: Who, creator: str) -> bool:
    """Portals own what any key with their label created."""
    return who.role == "portal" and OWNER_TAG.get(who.name) == OWNER_TAG.get(creator)


def employer_may_see(c: Cand) -> bool:
    return c.share and (not c.minor_or_unknown or c.guardian is True)


def reads_candidate(who: Who, c: Cand) -> bool:
    return {
        "admin": True,
        "portal": owns(who, c.creator),
        "bkk": c.school == who.school,
        "employer": employer_may_see(c),
    }[who.role]


def keeps_candidate(who: Who, c: Cand) -> bool:
    """The keeper of the record (may change, erase and see it whole, contact included)."""
    return who.role != "employer" and reads_candidate(who, c)


def reads_vacancy(who: Who, v: Vac) -> bool:
    return {
        "admin": True,
        "portal": owns(who, v.creator),
        "bkk": v.status == "open",
        "employer": v.employer == who.employer,
    }[who.role]


def writes_vacancy(who: Who, v: Vac) -> bool:
    return who.role == "admin" or (who.role != "bkk" and reads_vacancy(who, v))


def match_may_name_candidate(who: Who, c: Cand) -> bool:
    """Whom a vacancy's match list may name for this key."""
    if who.role == "portal":
        return owns(who, c.creator) or employer_may_see(c)
    return reads_candidate(who, c)


def match_may_name_vacancy(who: Who, v: Vac) -> bool:
    return v.status == "open" and (who.role != "employer" or v.employer == who.employer)


def may_record_outcome(who: Who, v: Vac, c: Cand) -> bool:
    if who.role == "admin":
        return True
    if who.role == "bkk":
        return c.school == who.school
    if who.role == "employer":
        return v.employer == who.employer and employer_may_see(c)
    return owns(who, c.creator) or (owns(who, v.creator) and employer_may_see(c))


def sees_contact(who: Who, c: Cand) -> bool:
    """Contact details: the record's keeper, or an employer the person consented to."""
    return keeps_candidate(who, c) or (who.role == "employer" and employer_may_see(c))


# -- running probes ----------------------------------------------------------------------------
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


def _csv(rows: list[dict[str, Any]], columns: list[str]) -> bytes:
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
        data = _csv(rows, ["id", "school_id", "major"])
        kw = {"files": {"file": ("kandidat.csv", data, "text/csv")}}
        run.foreign_items(who.name, "/v1/candidates/import", kw, len(rows), rows=True)


def _import_vacancies(run: Run, who: Who) -> None:
    rows = [_claimed_vacancy(who, v) for v in VACANCIES if not writes_vacancy(who, v)]
    if rows:
        data = _csv(rows, ["id", "title", "description", "employer_id"])
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
            _csv([{"id": "c-nik", "school_id": "S1", "nik": NIK}], ["id", "school_id", "nik"]),
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
