"""Creating and editing vacancies in the workspace: the API's PUT rules, through the pages.

The form posts structured requirements beside the free text; what is stored must be exactly
the contract's vacancy, owned and audited as a PUT by the same principal would be, and found by
matching at once. Bad input comes back in Indonesian with what was typed, and stores nothing.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from svc_helpers import STAFF_PASSWORD, candidate_body, csrf_token, sign_in
from vacancy_form import WELDING, form_fields, vacancy_form

from service.auth import Principal
from service.db.models import AuditRow, ChangeRow, OutcomeRow, VacancyRow
from service.db.repository import id_hash
from service.web import accounts


def _stored(client: TestClient) -> dict[str, dict[str, Any]]:
    with client.app.state.sessions() as db:  # type: ignore[attr-defined]
        return {r.id: dict(r.data) for r in db.scalars(select(VacancyRow))}


def _row(client: TestClient, vacancy_id: str) -> VacancyRow:
    with client.app.state.sessions() as db:  # type: ignore[attr-defined]
        row = db.get(VacancyRow, vacancy_id)
        assert row is not None
        db.expunge(row)
        return row


def _count(client: TestClient, model: Any) -> int:
    with client.app.state.sessions() as db:  # type: ignore[attr-defined]
        return int(db.scalar(select(func.count()).select_from(model)) or 0)


def _principal(client: TestClient, username: str) -> Principal:
    """The principal a signed-in account acts as: the API key it stands in for."""
    with client.app.state.sessions() as db:  # type: ignore[attr-defined]
        user = db.scalar(
            select(accounts.StaffUserRow).where(accounts.StaffUserRow.username == username)
        )
        assert user is not None
        return accounts.principal_for(user)


def _create(client: TestClient, data: dict[str, Any]) -> Any:
    token = csrf_token(client, "/ruang/lowongan/baru")
    return client.post("/ruang/lowongan/baru", data={**data, "csrf": token}, follow_redirects=False)


@pytest.fixture
def employer_b(client: TestClient, staff: dict[str, str]) -> str:
    """A second employer's account (E2, the owner of ``v-b``)."""
    with client.app.state.sessions() as db:  # type: ignore[attr-defined]
        accounts.create_user(db, "u-employer_b", STAFF_PASSWORD, "employer", employer_id="E2")
        db.commit()
    return "u-employer_b"


def test_an_employer_creates_a_vacancy_with_structured_requirements(
    client: TestClient, staff: dict[str, str], keys: dict[str, dict[str, str]]
) -> None:
    assert sign_in(client, staff["employer"]).status_code == 303
    form = client.get("/ruang/lowongan/baru")
    assert form.status_code == 200 and '<html lang="id">' in form.text
    assert f'<option value="{WELDING}"' in form.text  # the taxonomy's programs
    assert '<option value="36.04.15"' in form.text and "Cikande" in form.text  # the gazetteer
    assert 'name="employer_id"' not in form.text  # an employer writes for itself only

    # a tampered employer_id is ignored: the signed-in employer's own id is stored
    response = _create(client, vacancy_form(employer_id="E2"))
    assert response.status_code == 303
    found = re.fullmatch(r"/ruang/lowongan/(LWN-[0-9a-f]{12})", response.headers["location"])
    assert found, response.headers["location"]
    vacancy_id = found.group(1)

    row = _row(client, vacancy_id)
    assert row.employer_id == "E1" and row.status == "open" and row.kecamatan_code == "36.04.15"
    assert row.data == {
        "id": vacancy_id,
        "title": "Welder SMAW",
        "description": "Dibutuhkan welder untuk fabrikasi baja di Cikande. Shift pagi.",
        "employer_id": "E1",
        "employer_name": "PT Baja Cikande",
        "education_levels": ["SMA", "SMK", "D1", "D2", "D3", "D4", "S1", "S2", "S3"],
        "majors": [WELDING, "Teknik Mesin"],
        "skills": ["las SMAW", "gerinda", "membaca gambar teknik"],
        "age_min": 18,
        "age_max": 30,
        "location": {"kecamatan_code": "36.04.15", "name": "Kawasan Industri Modern Cikande"},
        "salary_min": 4_500_000,
        "salary_max": 5_000_000,
        "headcount": 3,
        "deadline": "2030-12-31",
        "status": "open",
    }
    # the PUT use case's bookkeeping: the writer's owner tag, an audit line, a change-feed entry
    principal = _principal(client, staff["employer"])
    actor = principal.key_id
    assert row.owner == principal.owner
    with client.app.state.sessions() as db:  # type: ignore[attr-defined]
        audit = db.scalars(
            select(AuditRow).where(AuditRow.target_hash == id_hash("vacancy", vacancy_id))
        ).all()
        assert [(a.actor, a.action) for a in audit] == [(actor, "vacancy.create")]
        feed = db.scalars(select(ChangeRow).where(ChangeRow.record_id == vacancy_id)).all()
        assert [(c.kind, c.op) for c in feed] == [("vacancy", "upsert")]

    # matched at once, over the API and on the page, with the invite button for the employer
    matches = client.get(f"/v1/vacancies/{vacancy_id}/matches", headers=keys["employer"])
    assert matches.status_code == 200
    assert "c-a" in [item["candidate_id"] for item in matches.json()["items"]]
    page = client.get(response.headers["location"])
    assert page.status_code == 200 and "Welder SMAW" in page.text
    assert 'data-kandidat="c-a"' in page.text and 'class="undang"' in page.text
    assert f'href="/ruang/lowongan/{vacancy_id}/ubah"' in page.text
    home = client.get("/ruang")
    assert 'href="/ruang/lowongan/baru"' in home.text
    assert f'action="/ruang/lowongan/{vacancy_id}/ubah"' in home.text
    # the edit form starts from exactly what was stored: posting it back changes nothing
    shown = form_fields(client.get(f"/ruang/lowongan/{vacancy_id}/ubah").text)
    assert shown["salary_min"] == "4.500.000" and shown["deadline"] == "2030-12-31"
    assert shown["education_min"] == "SMA" and shown["majors_other"] == ""
    assert sorted(shown["programs"]) == ["Teknik Mesin", WELDING]  # a program name, once typed
    token = csrf_token(client, f"/ruang/lowongan/{vacancy_id}/ubah")
    again = client.post(f"/ruang/lowongan/{vacancy_id}/ubah", data={**shown, "csrf": token})
    assert again.status_code == 200 and _row(client, vacancy_id).data == row.data
    # every link in the list opens a vacancy (the e2e test relies on it)
    listed = home.text[home.text.index('id="lowongan-saya"') :]
    hrefs = re.findall(r'<a href="([^"]+)"', listed[: listed.index("</ul>")])
    assert sorted(hrefs) == sorted(["/ruang/lowongan/v-a", f"/ruang/lowongan/{vacancy_id}"])


def test_editing_through_the_form_changes_what_was_changed_and_keeps_the_rest(
    client: TestClient, staff: dict[str, str], keys: dict[str, dict[str, str]]
) -> None:
    # a portal pushed v-a with fields the form shows differently or not at all
    body = {
        "id": "v-a",
        "title": "Operator Las",
        "description": "Dibutuhkan welder: las SMAW, membaca gambar teknik, fabrikasi baja.",
        "employer_id": "E1",
        "education_levels": ["SMK"],  # no "pendidikan minimal" says exactly this
        "majors": ["TKJ", WELDING],
        "majors_required": True,
        "skills": ["las SMAW"],
        "location": {"kecamatan_code": "36.04.15", "lat": -6.19, "lon": 106.35},
        "source_portal": "sikeras",
        "status": "open",
    }
    assert client.put("/v1/vacancies/v-a", json=body, headers=keys["portal"]).status_code == 200
    owner = _row(client, "v-a").owner
    assert sign_in(client, staff["employer"]).status_code == 303
    form = client.get("/ruang/lowongan/v-a/ubah")
    assert form.status_code == 200 and "Tetap seperti sekarang: SMK" in form.text
    values = form_fields(form.text)
    assert values["title"] == "Operator Las" and values["programs"] == [WELDING]
    assert values["majors_other"] == "TKJ" and values["majors_required"] == "ya"
    assert values["education_min"] == "tetap" and values["kecamatan_code"] == "36.04.15"

    token = csrf_token(client, "/ruang/lowongan/v-a/ubah")
    unchanged = client.post(
        "/ruang/lowongan/v-a/ubah", data={**values, "csrf": token}, follow_redirects=False
    )
    assert unchanged.status_code == 303 and unchanged.headers["location"] == "/ruang/lowongan/v-a"
    assert _row(client, "v-a").data == body

    changed = {**values, "title": "Operator Las Senior", "headcount": "2", "status": "closed"}
    response = client.post(
        "/ruang/lowongan/v-a/ubah", data={**changed, "csrf": token}, follow_redirects=False
    )
    assert response.status_code == 303
    row = _row(client, "v-a")
    assert row.data == {
        **body,
        "title": "Operator Las Senior",
        "headcount": 2,
        "status": "closed",
    }
    assert row.status == "closed" and row.owner == owner  # an update keeps the owner tag
    api = client.get("/v1/vacancies/v-a", headers=keys["employer"]).json()
    assert api["title"] == "Operator Las Senior" and api["source_portal"] == "sikeras"

    # a new kecamatan replaces the old point; clearing a field removes it
    moved = {**changed, "kecamatan_code": "36.04.05", "location_name": "", "headcount": ""}
    client.post("/ruang/lowongan/v-a/ubah", data={**moved, "csrf": token})
    data = _row(client, "v-a").data
    assert data["location"] == {"kecamatan_code": "36.04.05"} and "headcount" not in data
    actor = _principal(client, staff["employer"]).key_id
    with client.app.state.sessions() as db:  # type: ignore[attr-defined]
        actions = db.scalars(
            select(AuditRow.action).where(
                AuditRow.target_hash == id_hash("vacancy", "v-a"), AuditRow.actor == actor
            )
        ).all()
    assert actions == ["vacancy.update"] * 3


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": "  "}, "title", "Judul lowongan wajib diisi."),
        ({"headcount": "0"}, "headcount", "Jumlah orang paling sedikit 1."),
        ({"headcount": "lima"}, "headcount", "Jumlah orang harus berupa angka bulat"),
        ({"deadline": "31 Desember 2030"}, "deadline", "Tanggal tidak dikenal"),
        ({"deadline": "2030-02-30"}, "deadline", "Tanggal tidak dikenal"),
        ({"salary_min": "4,5 juta"}, "salary_min", "Tulis gaji minimal dalam rupiah"),
        ({"age_min": "40", "age_max": "25"}, "age_max", "Usia maksimal tidak boleh"),
        ({"kecamatan_code": "99.99.99"}, "kecamatan_code", "Pilih kecamatan dari daftar."),
        ({"programs": ["Ilmu Sihir"]}, "programs", "Pilih jurusan dari daftar"),
    ],
)
def test_invalid_input_comes_back_in_indonesian_with_the_typed_values_and_stores_nothing(
    client: TestClient,
    staff: dict[str, str],
    overrides: dict[str, Any],
    field: str,
    message: str,
) -> None:
    assert sign_in(client, staff["employer"]).status_code == 303
    before = (_stored(client), _count(client, ChangeRow), _count(client, AuditRow))
    typed = vacancy_form(**overrides)
    response = _create(client, typed)
    assert response.status_code == 422
    assert "Lowongan belum disimpan" in response.text
    error = re.search(
        rf'<span class="galat" id="galat-{field}" role="alert">([^<]+)</span>', response.text
    )
    assert error and error.group(1).startswith(message), response.text
    shown = form_fields(response.text)
    for name, value in typed.items():
        if name == "programs":  # a choice the list does not offer cannot be shown as chosen
            assert shown[name] == [v for v in value if v != "Ilmu Sihir"]
        elif name == "kecamatan_code" and value == "99.99.99":
            assert shown[name] == ""
        else:
            assert shown[name].strip() == value.strip(), name
    assert (_stored(client), _count(client, ChangeRow), _count(client, AuditRow)) == before

    # the same input on an edit changes nothing either
    token = csrf_token(client, "/ruang/lowongan/v-a/ubah")
    edit = client.post("/ruang/lowongan/v-a/ubah", data={**typed, "csrf": token})
    assert edit.status_code == 422 and message in edit.text
    assert (_stored(client), _count(client, ChangeRow)) == before[:2]


def test_another_employers_vacancy_is_not_found(
    client: TestClient, staff: dict[str, str], employer_b: str
) -> None:
    before = _stored(client)
    assert sign_in(client, employer_b).status_code == 303
    own = client.get("/ruang/lowongan/v-b/ubah")
    assert own.status_code == 200 and "Operator Las" in own.text
    hidden = client.get("/ruang/lowongan/v-a/ubah")
    assert hidden.status_code == 404 and "Data tidak ditemukan" in hidden.text
    assert "Operator Las" not in hidden.text
    token = csrf_token(client, "/ruang/lowongan/baru")
    posted = client.post("/ruang/lowongan/v-a/ubah", data={**vacancy_form(), "csrf": token})
    assert posted.status_code == 404
    missing = client.post("/ruang/lowongan/no-such/ubah", data={**vacancy_form(), "csrf": token})
    assert missing.status_code == 404  # the same answer: existence does not leak
    assert _stored(client) == before

    assert sign_in(client, staff["employer"]).status_code == 303
    assert client.get("/ruang/lowongan/v-b/ubah").status_code == 404


def test_a_bkk_officer_is_refused_and_sees_no_edit_link(
    client: TestClient, staff: dict[str, str]
) -> None:
    before = _stored(client)
    assert sign_in(client, staff["bkk"]).status_code == 303
    for path in ("/ruang/lowongan/baru", "/ruang/lowongan/v-a/ubah"):
        response = client.get(path)
        assert response.status_code == 403 and "tidak berwenang" in response.text
    token = csrf_token(client, "/ruang/lowongan/v-a")
    for path in ("/ruang/lowongan/baru", "/ruang/lowongan/v-a/ubah"):
        response = client.post(path, data={**vacancy_form(), "csrf": token})
        assert response.status_code == 403
    assert _stored(client) == before
    page = client.get("/ruang/lowongan/v-a")
    assert page.status_code == 200 and "/ubah" not in page.text and "Ubah lowongan" not in page.text
    assert 'class="undang"' not in page.text  # inviting is the employer's step


def test_the_admin_creates_for_any_employer_and_edits_any_vacancy(
    client: TestClient, staff: dict[str, str]
) -> None:
    assert sign_in(client, staff["admin"]).status_code == 303
    assert 'name="employer_id"' in client.get("/ruang/lowongan/baru").text
    response = _create(client, vacancy_form(employer_id="E9"))
    assert response.status_code == 303
    vacancy_id = response.headers["location"].rsplit("/", 1)[1]
    assert _row(client, vacancy_id).employer_id == "E9"

    page = client.get("/ruang/lowongan/v-b")
    assert 'href="/ruang/lowongan/v-b/ubah"' in page.text
    values = form_fields(client.get("/ruang/lowongan/v-b/ubah").text)
    assert values["employer_id"] == "E2" and values["status"] == "closed"
    token = csrf_token(client, "/ruang/lowongan/v-b/ubah")
    done = client.post(
        "/ruang/lowongan/v-b/ubah",
        data={**values, "status": "open", "csrf": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
    row = _row(client, "v-b")
    assert row.status == "open" and row.employer_id == "E2"


def test_posts_without_this_sessions_csrf_token_store_nothing(
    client: TestClient, staff: dict[str, str]
) -> None:
    before = _stored(client)
    assert sign_in(client, staff["employer"]).status_code == 303
    other = TestClient(client.app)
    stale = csrf_token(other)  # a real token, but another session's
    for extra in ({}, {"csrf": "palsu"}, {"csrf": stale}):
        for path in ("/ruang/lowongan/baru", "/ruang/lowongan/v-a/ubah"):
            response = client.post(path, data={**vacancy_form(), **extra}, follow_redirects=False)
            assert response.status_code == 403
            assert "Formulir kedaluwarsa" in response.text
    assert _stored(client) == before


def test_an_employer_invites_a_suggested_applicant_from_the_vacancy_page(
    client: TestClient, staff: dict[str, str], keys: dict[str, dict[str, str]]
) -> None:
    second = candidate_body("c-a2", name="Budi Santoso")
    assert client.put("/v1/candidates/c-a2", json=second, headers=keys["bkk"]).status_code == 201
    assert sign_in(client, staff["employer"]).status_code == 303
    page = client.get("/ruang/lowongan/v-a")
    card = page.text[page.text.index('<li class="kartu" data-kandidat="c-a">') :]
    card = card[: card.index("</ol>")].split('<li class="kartu"', 2)[1]
    invite = re.search(
        r'<form method="post" action="([^"]+)" class="sebaris">\s*'
        r'<input type="hidden" name="csrf" value="([^"]+)">\s*'
        r'<input type="hidden" name="status" value="contacted">\s*'
        r'<button type="submit" class="undang">Undang</button>',
        card,
    )
    assert invite, card
    done = client.post(invite.group(1), data={"csrf": invite.group(2), "status": "contacted"})
    assert done.status_code == 200 and "Dihubungi" in done.text
    with client.app.state.sessions() as db:  # type: ignore[attr-defined]
        rows = db.scalars(select(OutcomeRow)).all()
        assert [(r.vacancy_id, r.candidate_id, r.status, r.employer_id) for r in rows] == [
            ("v-a", "c-a", "contacted", "E1")
        ]

    # someone only proposed so far can be invited from the shortlist too
    token = csrf_token(client, "/ruang/lowongan/v-a")
    url = "/ruang/lowongan/v-a/kandidat/c-a2/status"
    assert client.post(url, data={"csrf": token, "status": "shortlisted"}).status_code == 200
    page = client.get("/ruang/lowongan/v-a").text
    row = page[page.index('<li class="pipa" data-kandidat="c-a2">') :]
    row = row[: row.index("</li>")]
    assert '<input type="hidden" name="status" value="contacted">' in row
    assert '<button type="submit" class="undang">Undang</button>' in row
    assert client.post(url, data={"csrf": token, "status": "contacted"}).status_code == 200
    with client.app.state.sessions() as db:  # type: ignore[attr-defined]
        statuses = db.scalars(
            select(OutcomeRow.status)
            .where(OutcomeRow.candidate_id == "c-a2")
            .order_by(OutcomeRow.id)
        ).all()
    assert statuses == ["shortlisted", "contacted"]
