"""The staff workspace through the app: sign-in, CSRF, and the API's object-level rules on pages."""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
from fastapi.testclient import TestClient
from sqlalchemy import select
from svc_helpers import STAFF_PASSWORD, candidate_body, csrf_token, sign_in

from service.db.models import OutcomeRow
from service.web import accounts
from service.web.sessions import COOKIE
from service.web.workspace import SHORTLIST_HEADERS

PASSWORD = STAFF_PASSWORD


def _outcomes(client: TestClient) -> list[tuple[str, str, str]]:
    with client.app.state.sessions() as db:  # type: ignore[attr-defined]
        rows = db.scalars(select(OutcomeRow).order_by(OutcomeRow.id))
        return [(r.vacancy_id, r.candidate_id, r.status) for r in rows]


def test_pages_need_a_session(client: TestClient) -> None:
    for path in ("/ruang", "/ruang/lowongan/v-a", "/ruang/kandidat/c-a"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/masuk"


def test_sign_in_sets_a_protected_session_and_sign_out_ends_it(
    client: TestClient, staff: dict[str, str]
) -> None:
    wrong = sign_in(client, staff["bkk"], "bukan-sandinya")
    assert wrong.status_code == 401 and "salah" in wrong.text
    unknown = sign_in(client, "tidak-ada", PASSWORD)
    assert unknown.status_code == 401

    ok = sign_in(client, staff["bkk"])
    assert ok.status_code == 303 and ok.headers["location"] == "/ruang"
    cookie = ok.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    home = client.get("/ruang")
    assert home.status_code == 200 and '<html lang="id">' in home.text
    assert "Beranda BKK" in home.text and "u-bkk" in home.text

    token = re.search(r'name="csrf" value="([^"]+)"', home.text)
    assert token
    out = client.post("/keluar", data={"csrf": token.group(1)}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/ruang", follow_redirects=False).status_code == 303


def test_a_tampered_cookie_is_no_session(client: TestClient, staff: dict[str, str]) -> None:
    assert sign_in(client, staff["admin"]).status_code == 303
    value = client.cookies[COOKIE]
    client.cookies.clear()
    client.cookies.set(COOKIE, value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert client.get("/ruang", follow_redirects=False).status_code == 303


def test_posts_without_the_session_csrf_token_change_nothing(
    client: TestClient, staff: dict[str, str]
) -> None:
    no_token = client.post(
        "/masuk", data={"username": staff["bkk"], "password": PASSWORD}, follow_redirects=False
    )
    assert no_token.status_code == 403
    assert client.get("/ruang", follow_redirects=False).status_code == 303  # not signed in

    assert sign_in(client, staff["bkk"]).status_code == 303
    url = "/ruang/lowongan/v-a/kandidat/c-a/status"
    for data in ({"status": "shortlisted"}, {"status": "shortlisted", "csrf": "palsu"}):
        response = client.post(url, data=data, follow_redirects=False)
        assert response.status_code == 403
    # a token from another (signed-out) session is not this session's token
    other = TestClient(client.app)
    stale = csrf_token(other)
    response = client.post(url, data={"status": "shortlisted", "csrf": stale})
    assert response.status_code == 403
    assert _outcomes(client) == []

    token = csrf_token(client, "/ruang/lowongan/v-a")
    done = client.post(url, data={"status": "shortlisted", "csrf": token}, follow_redirects=False)
    assert done.status_code == 303
    assert _outcomes(client) == [("v-a", "c-a", "shortlisted")]


def test_a_bkk_sees_only_its_own_school_through_the_pages(
    client: TestClient, staff: dict[str, str]
) -> None:
    assert sign_in(client, staff["bkk"]).status_code == 303
    assert client.get("/ruang/kandidat/c-a").status_code == 200
    hidden = client.get("/ruang/kandidat/c-b")
    assert hidden.status_code == 404 and "Siti" not in hidden.text
    assert client.get("/ruang/kandidat/no-such").status_code == 404
    page = client.get("/ruang/lowongan/v-a")
    assert page.status_code == 200
    assert 'data-kandidat="c-a"' in page.text and 'data-kandidat="c-b"' not in page.text
    # recording an outcome for school B's student answers 404, as over the API
    token = csrf_token(client, "/ruang/lowongan/v-a")
    response = client.post(
        "/ruang/lowongan/v-a/kandidat/c-b/status", data={"status": "shortlisted", "csrf": token}
    )
    assert response.status_code == 404
    assert _outcomes(client) == []

    assert sign_in(client, staff["bkk_b"]).status_code == 303
    assert client.get("/ruang/kandidat/c-a").status_code == 404
    assert client.get("/ruang/kandidat/c-b").status_code == 200


def test_an_employer_sees_its_own_vacancies_and_consenting_people_only(
    client: TestClient, staff: dict[str, str], keys: dict[str, dict[str, str]]
) -> None:
    # a second S1 student who did not consent to be shared
    body = candidate_body("c-private", consent={"share_with_employers": False})
    assert client.put("/v1/candidates/c-private", json=body, headers=keys["bkk"]).status_code == 201
    assert sign_in(client, staff["employer"]).status_code == 303
    home = client.get("/ruang")
    assert "/ruang/lowongan/v-a" in home.text and "/ruang/lowongan/v-b" not in home.text
    assert client.get("/ruang/lowongan/v-b").status_code == 404
    assert client.get("/ruang/lowongan/v-b/ekspor.xlsx").status_code == 404  # nor its export
    page = client.get("/ruang/lowongan/v-a")
    assert page.status_code == 200
    assert 'data-kandidat="c-a"' in page.text and "081234567890" in page.text
    assert 'data-kandidat="c-private"' not in page.text
    # the API's rule for a person's page: consenting people only
    assert client.get("/ruang/kandidat/c-a").status_code == 200
    assert client.get("/ruang/kandidat/c-private").status_code == 404


def test_the_shortlist_export_is_formula_safe(
    client: TestClient, staff: dict[str, str], keys: dict[str, dict[str, str]]
) -> None:
    body = candidate_body("c-evil", name='=HYPERLINK("http://x.invalid","klik")')
    assert client.put("/v1/candidates/c-evil", json=body, headers=keys["bkk"]).status_code == 201
    assert sign_in(client, staff["bkk"]).status_code == 303
    # an empty shortlist still opens as a table with its columns
    empty = client.get("/ruang/lowongan/v-a/ekspor.xlsx")
    first = list(
        openpyxl.load_workbook(io.BytesIO(empty.content)).active.iter_rows(values_only=True)
    )
    assert first == [SHORTLIST_HEADERS]
    token = csrf_token(client, "/ruang/lowongan/v-a")
    for cid in ("c-evil", "c-a"):
        response = client.post(
            f"/ruang/lowongan/v-a/kandidat/{cid}/status",
            data={"status": "shortlisted", "csrf": token},
        )
        assert response.status_code == 200  # followed the redirect to the page
    rejected = client.post(
        "/ruang/lowongan/v-a/kandidat/c-a/status",
        data={"status": "rejected", "reason": "salary", "csrf": token},
    )
    assert rejected.status_code == 200 and "Gaji tidak sesuai" in rejected.text
    export = client.get("/ruang/lowongan/v-a/ekspor.xlsx")
    assert export.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, data = rows[0], rows[1:]
    assert header == SHORTLIST_HEADERS
    assert {r[header.index("ID kandidat")] for r in data} == {"c-evil", "c-a"}
    by_id = {r[header.index("ID kandidat")]: r for r in data}
    assert by_id["c-a"][header.index("Status")] == "Ditolak"
    assert by_id["c-a"][header.index("Alasan ditolak")] == "Gaji tidak sesuai"
    evil = by_id["c-evil"][header.index("Nama")]
    assert isinstance(evil, str) and not evil.startswith("=")
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"


def test_the_admin_sees_svg_charts(client: TestClient, staff: dict[str, str]) -> None:
    assert sign_in(client, staff["bkk"]).status_code == 303
    token = csrf_token(client, "/ruang/lowongan/v-a")
    client.post("/ruang/lowongan/v-a/kandidat/c-a/status", data={"status": "hired", "csrf": token})
    assert sign_in(client, staff["admin"]).status_code == 303
    page = client.get("/ruang")
    assert page.status_code == 200
    assert page.text.count("<svg") == 5 and 'class="batang"' in page.text
    assert "Teknik Pengelasan" in page.text or "Pengelasan" in page.text


def test_cocok_users_create_stores_an_argon2_account(tmp_path: Any) -> None:
    from sqlalchemy.orm import Session
    from typer.testing import CliRunner

    from service.cli import app as cli
    from service.db.session import build_engine

    env = {"COCOK_DATA_DIR": str(tmp_path / "var"), "COCOK_DATABASE_URL": ""}
    runner = CliRunner()
    base = ["users", "create", "--username", "bu.ani", "--password-stdin"]
    missing = runner.invoke(cli, [*base, "--role", "bkk"], input=f"{PASSWORD}\n", env=env)
    assert missing.exit_code == 2 and "--school-id" in missing.output
    short = runner.invoke(
        cli, [*base, "--role", "bkk", "--school-id", "S1"], input="pendek\n", env=env
    )
    assert short.exit_code == 2 and "minimal" in short.output
    made = runner.invoke(
        cli, [*base, "--role", "bkk", "--school-id", "S1"], input=f"{PASSWORD}\n", env=env
    )
    assert made.exit_code == 0, made.output
    assert "bu.ani" in made.output and PASSWORD not in made.output
    again = runner.invoke(
        cli, [*base, "--role", "bkk", "--school-id", "S1"], input=f"{PASSWORD}\n", env=env
    )
    assert again.exit_code == 2 and "sudah dipakai" in again.output
    engine = build_engine(f"sqlite:///{tmp_path / 'var' / 'cocok.sqlite3'}")
    try:
        with Session(engine) as db:
            row = db.scalar(select(accounts.StaffUserRow))
            assert row is not None and row.password_hash.startswith("$argon2")
            assert accounts.authenticate(db, "bu.ani", "salah-sandinya") is None
            user = accounts.authenticate(db, "Bu.Ani", PASSWORD)
            assert user is not None and accounts.principal_for(user).school_id == "S1"
    finally:
        engine.dispose()


def test_reasons_split_into_fit_and_missing_by_the_engines_templates() -> None:
    from service.web.workspace import split_reasons

    reasons = [
        "Jurusan TKRO sesuai dengan kebutuhan lowongan (Teknik Otomotif)",
        "Jurusan Busana kurang sesuai dengan kebutuhan lowongan (Teknik Otomotif)",
        "Keahlian yang cocok: servis berkala mobil",
        "Keahlian yang diminta tetapi belum dimiliki: sistem EFI / injeksi",
        "Pengalaman 0 bulan; lowongan meminta minimal 12 bulan",
        "Jarak sekitar 16 km dari domisili kandidat",
    ]
    fits, gaps = split_reasons(reasons)
    assert fits == [reasons[0], reasons[2], reasons[5]]
    assert gaps == [reasons[1], reasons[3], reasons[4]]
