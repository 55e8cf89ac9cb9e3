"""Dashboards and sign-in throttling through the app: what is new for a BKK since its last visit,
the labour office's charts and thin vacancies, who may see them, and locking out password guessing.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from svc_helpers import STAFF_PASSWORD, candidate_body, sign_in, vacancy_body

from service.db.models import AuditRow
from service.db.repository import id_hash
from service.web import office_report
from service.web.sign_in_throttle import LOCKOUT_S, SignInThrottle

#: Indonesian month abbreviations, written out here as the oracle for the chart's labels
BULAN = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")


def _section(html: str, section_id: str) -> str:
    found = re.search(rf'<section[^>]*id="{section_id}".*?</section>', html, re.S)
    assert found, f"section {section_id} is on the page"
    return found.group(0)


def _svgs(html: str) -> dict[str, str]:
    """Each chart on the page by its <title>."""
    return {
        m.group(1): m.group(0)
        for m in re.finditer(r"<svg[^>]*><title>([^<]*)</title>.*?</svg>", html, re.S)
    }


def _put(client: TestClient, key: dict[str, str], plural: str, body: dict[str, Any]) -> None:
    response = client.put(f"/v1/{plural}/{body['id']}", json=body, headers=key)
    assert response.status_code in (200, 201), response.text


# -- the BKK dashboard -----------------------------------------------------------------------
def test_a_bkk_sees_what_is_new_since_its_previous_sign_in(
    client: TestClient, staff: dict[str, str], keys: dict[str, dict[str, str]]
) -> None:
    assert sign_in(client, staff["bkk"]).status_code == 303
    first = client.get("/ruang")
    assert first.status_code == 200
    new = _section(first.text, "baru")
    assert "kunjungan pertama" in new and "data-baru=" not in new
    assert "/ruang/lowongan/v-a" in first.text  # v-a fits S1's c-a, but nothing is "new" yet

    # after that visit a new welding vacancy arrives; v-a is left as it was
    _put(client, keys["portal"], "vacancies", vacancy_body("v-baru", title="Welder Pabrik Baja"))
    assert sign_in(client, staff["bkk"]).status_code == 303
    second = client.get("/ruang")
    new = _section(second.text, "baru")
    assert 'data-baru="v-baru"' in new and "Welder Pabrik Baja" in new
    assert 'data-baru="v-a"' not in new
    assert "Kunjungan terakhir:" in new and "WIB" in new
    assert re.search(r"sejak itu[^<]*<strong>1</strong>", new)
    assert "/ruang/lowongan/v-a" in second.text  # still listed among all fitting vacancies

    # an update counts as new too; v-baru, unchanged since the last visit, no longer does
    _put(client, keys["portal"], "vacancies", vacancy_body("v-a", title="Operator Las Senior"))
    assert sign_in(client, staff["bkk"]).status_code == 303
    new = _section(client.get("/ruang").text, "baru")
    assert 'data-baru="v-a"' in new and 'data-baru="v-baru"' not in new


# -- the labour office dashboard -------------------------------------------------------------
def _hire(client: TestClient, key: dict[str, str], vacancy: str, person: str, at: datetime) -> None:
    body = {"vacancy_id": vacancy, "candidate_id": person, "status": "hired", "at": at.isoformat()}
    response = client.post("/v1/outcomes", json=body, headers=key)
    assert response.status_code == 201, response.text


def test_the_admin_sees_placements_over_time_by_school_and_thin_vacancies(
    client: TestClient, staff: dict[str, str], keys: dict[str, dict[str, str]]
) -> None:
    now = datetime.now(UTC)
    two_back = (now.replace(day=1) - timedelta(days=1)).replace(day=1) - timedelta(days=1)
    _put(client, keys["bkk"], "candidates", candidate_body("c-a2", name="Budi"))
    _put(client, keys["bkk_b"], "candidates", candidate_body("c-b2", school_id="S2"))
    # in every top list, but an accountant does not *fit* a welding job (score under FIT_SCORE)
    accountant = candidate_body("c-akt", school_id="S2", major="Akuntansi", skills=["jurnal"])
    _put(client, keys["bkk_b"], "candidates", accountant)
    # v-a needs one welder and has them; v-besar needs five and asks for TIG nobody has
    thin_body = vacancy_body(
        "v-besar",
        title="Juru Las TIG",
        headcount=5,
        skills=["las SMAW", "las TIG"],
        majors=["Teknik Pengelasan"],
    )
    _put(client, keys["portal"], "vacancies", thin_body)
    _hire(client, keys["bkk"], "v-a", "c-a", now)
    _hire(client, keys["bkk_b"], "v-a", "c-b2", now)
    _hire(client, keys["bkk"], "v-a", "c-a2", two_back)

    assert sign_in(client, staff["admin"]).status_code == 303
    page = client.get("/ruang")
    assert page.status_code == 200
    svgs = _svgs(page.text)
    assert set(svgs) >= {
        "Penempatan per bulan",
        "Penempatan per kecamatan",
        "Penempatan per sekolah (NPSN)",
        "Penempatan per program keahlian",
        "Permintaan dan pasokan per program",
    }
    for svg in svgs.values():
        assert "<desc>" in svg and 'role="img"' in svg

    months = svgs["Penempatan per bulan"]
    this_month = f"{BULAN[now.month - 1]} {now.year}"
    earlier = f"{BULAN[two_back.month - 1]} {two_back.year}"
    assert f"<title>{this_month}: 2</title>" in months
    assert f"<title>{earlier}: 1</title>" in months
    assert months.count('class="batang"') == 12  # a year of months, empty ones kept as zero
    assert "seluruhnya 3 orang" in months

    schools = svgs["Penempatan per sekolah (NPSN)"]
    assert "<title>S1 · Diterima: 2</title>" in schools
    assert "<title>S2 · Diterima: 1</title>" in schools

    thin = _section(page.text, "kandidat-kurang")
    assert 'data-lowongan="v-besar"' in thin and 'data-lowongan="v-a"' not in thin
    # four welders fit (c-a, c-a2, c-b, c-b2); five people in its top list, five needed
    assert "4 cocok dari 5 dibutuhkan" in thin
    assert 'data-keahlian="las TIG (GTAW)"' in thin
    assert "Diperiksa" not in thin  # every open vacancy was examined


def test_the_thin_vacancy_list_is_bounded_and_says_so(
    client: TestClient, staff: dict[str, str], keys: dict[str, dict[str, str]]
) -> None:
    for i in range(3):
        _put(client, keys["portal"], "vacancies", vacancy_body(f"v-{i}", headcount=9))
    gateway = client.app.state.gateway  # type: ignore[attr-defined]
    from service.auth import Principal

    admin = Principal(key_id="t", role="admin")
    with client.app.state.sessions() as db:  # type: ignore[attr-defined]
        report = office_report.thin_vacancies(gateway, db, admin, limit=2)
    # v-a, v-0, v-1, v-2 are open (v-b is closed); the two most recently changed are examined
    assert (report.examined, report.open_total, report.cut) == (2, 4, True)
    assert {v.id for v in report.vacancies} == {"v-1", "v-2"}
    assert all(v.fitting < v.headcount == 9 for v in report.vacancies)


def test_bkk_and_employer_dashboards_show_no_office_data(
    client: TestClient, staff: dict[str, str], keys: dict[str, dict[str, str]]
) -> None:
    """A placement exists, so the office charts have data; only the admin's page shows them."""
    _hire(client, keys["bkk"], "v-a", "c-a", datetime.now(UTC))
    for who in ("bkk", "employer"):
        assert sign_in(client, staff[who]).status_code == 303
        page = client.get("/ruang")
        assert page.status_code == 200
        assert "<svg" not in page.text
        assert "kandidat-kurang" not in page.text and "Penempatan per sekolah" not in page.text
    assert sign_in(client, staff["admin"]).status_code == 303
    assert "Penempatan per sekolah" in client.get("/ruang").text


# -- sign-in throttling ----------------------------------------------------------------------
def _locked_audit(client: TestClient) -> list[AuditRow]:
    with client.app.state.sessions() as db:  # type: ignore[attr-defined]
        stmt = select(AuditRow).where(AuditRow.action == "staff.sign_in_locked")
        return list(db.scalars(stmt))


def test_repeated_failures_lock_a_username_even_against_the_right_password(
    client: TestClient, staff: dict[str, str]
) -> None:
    for _ in range(4):
        assert sign_in(client, staff["bkk"], "salah-sandinya").status_code == 401
    locked = sign_in(client, staff["bkk"], "salah-sandinya")
    assert locked.status_code == 429
    wait = int(locked.headers["retry-after"])
    assert 0 < wait <= LOCKOUT_S
    assert "Terlalu banyak percobaan masuk" in locked.text and "menit" in locked.text

    right = sign_in(client, staff["bkk"], STAFF_PASSWORD)
    assert right.status_code == 429 and "Terlalu banyak percobaan masuk" in right.text
    assert client.get("/ruang", follow_redirects=False).status_code == 303  # not signed in

    # another account is not locked by it
    assert sign_in(client, staff["admin"]).status_code == 303

    # an unknown name locks the same way, with the same answer: nothing says it does not exist
    unknown = [sign_in(client, "tidak-ada", STAFF_PASSWORD) for _ in range(5)]
    assert [r.status_code for r in unknown] == [401, 401, 401, 401, 429]
    assert _error(unknown[-1].text) == _error(right.text)
    assert _error(unknown[0].text) == _error(sign_in(client, staff["bkk_b"], "x" * 9).text)

    rows = _locked_audit(client)
    assert {(r.target_kind, r.target_hash) for r in rows} == {
        ("username", id_hash("username", "u-bkk")),
        ("username", id_hash("username", "tidak-ada")),
    }
    for row in rows:
        assert STAFF_PASSWORD not in (row.detail or "") and "salah" not in (row.detail or "")


def _error(html: str) -> str:
    found = re.search(r'<p class="galat" role="alert">([^<]*)</p>', html)
    assert found, html
    return found.group(1)


def test_a_success_before_the_limit_resets_the_username(
    client: TestClient, staff: dict[str, str]
) -> None:
    for _ in range(4):
        assert sign_in(client, staff["admin"], "salah-sandinya").status_code == 401
    assert sign_in(client, staff["admin"]).status_code == 303
    for _ in range(4):
        assert sign_in(client, staff["admin"], "salah-sandinya").status_code == 401
    assert sign_in(client, staff["admin"]).status_code == 303
    assert _locked_audit(client) == []


def test_many_failures_from_one_address_lock_that_address(
    client: TestClient, staff: dict[str, str]
) -> None:
    answers = [sign_in(client, f"tebakan-{i}", "salah-sandinya").status_code for i in range(20)]
    assert answers == [401] * 19 + [429]
    # every name from that address now waits, the right password included
    blocked = sign_in(client, staff["bkk"])
    assert blocked.status_code == 429 and "retry-after" in blocked.headers
    rows = _locked_audit(client)
    assert [(r.target_kind, r.target_hash) for r in rows] == [
        ("address", id_hash("address", "testclient"))
    ]


def test_the_throttle_forgets_old_failures_and_lifts_the_lock() -> None:
    now = [0.0]
    throttle = SignInThrottle(username_failures=3, address_failures=100, clock=lambda: now[0])
    assert throttle.failed("ani", "a1") == []
    now[0] = 10 * 60
    assert throttle.failed("ani", "a1") == []
    now[0] = 16 * 60  # the first failure has left the 15-minute window
    assert throttle.failed("ani", "a1") == []
    assert throttle.retry_after("ani", "a1") is None
    assert throttle.failed("ani", "a2") == ["username"]
    assert throttle.retry_after("ani", "a3") == LOCKOUT_S
    now[0] += LOCKOUT_S - 0.5
    assert throttle.retry_after("ani", "a3") == 1
    now[0] += 1
    assert throttle.retry_after("ani", "a3") is None
    # tracking is bounded: the oldest entries go first
    small = SignInThrottle(max_tracked=4, clock=lambda: now[0])
    for i in range(10):
        small.failed(f"u{i}", "same")
    assert len(small._tracks) <= 4
