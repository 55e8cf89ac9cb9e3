"""The training register and its suggestions through the app: who registers, CSRF, per-field
Indonesian errors, the trainings a person's page suggests and the admin's ranking."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from svc_helpers import csrf_token, sign_in, vacancy_body

from service import demo_trainings, trainings
from service.db.models import TrainingRow

PAGE = "/ruang/pelatihan"
SOON = date.today() + timedelta(days=14)
LATER = date.today() + timedelta(days=60)


def _form(**overrides: str) -> dict[str, str]:
    form = {
        "title": "Membaca Gambar Teknik untuk Welder",
        "provider": "BLK Kabupaten Serang",
        "provider_kind": "BLK",
        "skills": "membaca gambar teknik, K3",
        "kecamatan_code": "36.04.15",
        "start_date": SOON.isoformat(),
        "end_date": LATER.isoformat(),
        "quota": "16",
    }
    form.update(overrides)
    return form


def _post(client: TestClient, path: str, data: dict[str, str]) -> Any:
    return client.post(
        path, data={**data, "csrf": csrf_token(client, PAGE)}, follow_redirects=False
    )


def _register(client: TestClient, **overrides: str) -> int:
    """Register as the signed-in admin; the new training's id."""
    response = _post(client, PAGE, _form(**overrides))
    assert response.status_code == 303, response.text
    return max(r.id for r in _stored(client))


def _stored(client: TestClient) -> list[TrainingRow]:
    with client.app.state.sessions() as db:  # type: ignore[attr-defined]
        return list(db.scalars(select(TrainingRow).order_by(TrainingRow.id)))


def _ids_in(html: str, section: str) -> list[int]:
    """data-pelatihan ids, in page order, inside the element with this id."""
    start = html.index(f'id="{section}"')
    end = html.index("</section>", start) if "</section>" in html[start:] else len(html)
    return [int(i) for i in re.findall(r'data-pelatihan="(\d+)"', html[start:end])]


def test_the_admin_registers_a_training_and_every_staff_role_reads_it(
    client: TestClient, staff: dict[str, str]
) -> None:
    assert sign_in(client, staff["admin"]).status_code == 303
    page = client.get(PAGE)
    assert page.status_code == 200 and "Daftarkan pelatihan" in page.text
    tid = _register(client, skills="las listrik, K3; SMAW, main catur")
    [row] = _stored(client)
    assert row.id == tid and row.title == "Membaca Gambar Teknik untuk Welder"
    # canonical keys where the taxonomy knows the skill ("las listrik" = SMAW), typed text where not
    assert row.skills == ["smaw", "k3", "main catur"]
    assert (row.provider_kind, row.kecamatan_code, row.quota) == ("BLK", "36.04.15", 16)
    assert (row.start_date, row.end_date) == (SOON, LATER)
    listed = client.get(PAGE).text
    assert _ids_in(listed, "daftar-pelatihan") == [tid] and "Cikande" in listed

    for who in ("bkk", "employer"):
        assert sign_in(client, staff[who]).status_code == 303
        seen = client.get(PAGE)
        assert seen.status_code == 200
        assert _ids_in(seen.text, "daftar-pelatihan") == [tid]
        assert 'name="provider"' not in seen.text and "/hapus" not in seen.text
        assert "membuka lowongan terbanyak" not in seen.text


def test_bad_input_gets_indonesian_messages_per_field_and_nothing_is_stored(
    client: TestClient, staff: dict[str, str]
) -> None:
    assert sign_in(client, staff["admin"]).status_code == 303
    bad = _form(
        title="",
        provider="LPK Contoh Mandiri",
        provider_kind="sekolah",
        skills="main catur",
        kecamatan_code="99.99.99",
        start_date=LATER.isoformat(),
        end_date=SOON.isoformat(),
        quota="banyak",
    )
    response = _post(client, PAGE, bad)
    assert response.status_code == 422
    text = response.text
    for message in (
        "Nama pelatihan wajib diisi.",
        "Pilih jenis lembaga",
        "Tidak ada keahlian yang dikenali",
        "Pilih kecamatan tempat pelatihan.",
        "Tanggal selesai tidak boleh sebelum tanggal mulai.",
        "Kuota harus bilangan bulat",
    ):
        assert message in text
    # what was typed is still there to correct
    assert 'value="LPK Contoh Mandiri"' in text and ">main catur</textarea>" in text
    assert f'value="{LATER.isoformat()}"' in text and 'value="banyak"' in text
    assert _stored(client) == []

    missing_dates = _post(client, PAGE, _form(start_date="", end_date="31-02-2026"))
    assert missing_dates.status_code == 422
    assert "Tanggal mulai wajib diisi" in missing_dates.text
    assert "Tanggal selesai wajib diisi" in missing_dates.text
    assert _stored(client) == []


def test_only_the_admin_writes_and_every_post_needs_the_sessions_csrf_token(
    client: TestClient, staff: dict[str, str]
) -> None:
    assert sign_in(client, staff["bkk"]).status_code == 303
    refused = _post(client, PAGE, _form())
    assert refused.status_code == 403 and "tidak berwenang" in refused.text
    assert _stored(client) == []

    assert sign_in(client, staff["admin"]).status_code == 303
    for token in ({}, {"csrf": "palsu"}):
        response = client.post(PAGE, data={**_form(), **token}, follow_redirects=False)
        assert response.status_code == 403  # the admin, refused for the token alone
    assert _stored(client) == []
    tid = _register(client)

    hapus = f"{PAGE}/{tid}/hapus"
    assert client.post(hapus, data={"csrf": "palsu"}).status_code == 403
    assert sign_in(client, staff["bkk"]).status_code == 303
    assert _post(client, hapus, {}).status_code == 403
    assert [r.id for r in _stored(client)] == [tid]

    assert sign_in(client, staff["admin"]).status_code == 303
    assert _post(client, hapus, {}).status_code == 303
    assert _stored(client) == []
    assert _post(client, hapus, {}).status_code == 404


def test_a_persons_page_suggests_trainings_for_skills_missing_at_nearby_vacancies(
    client: TestClient, staff: dict[str, str], keys: dict[str, dict[str, str]]
) -> None:
    # c-a (Cikande) has SMAW and grinding; v-a (Cikande) also asks for drawings and fabrication.
    # v-far (Cinangka, about 50 km away) asks for Excel, which c-a lacks too.
    far = vacancy_body(
        "v-far",
        title="Welder dan Admin Gudang",
        description="Welder las SMAW yang juga menguasai Microsoft Excel.",
        skills=["las SMAW", "Microsoft Excel"],
        location={"kecamatan_code": "36.04.31"},
    )
    assert client.put("/v1/vacancies/v-far", json=far, headers=keys["portal"]).status_code == 201
    ranked = client.get("/v1/candidates/c-a/matches?k=20", headers=keys["bkk"]).json()["items"]
    assert {"v-a", "v-far"} <= {i["vacancy_id"] for i in ranked}  # both rank for c-a

    assert sign_in(client, staff["admin"]).status_code == 303
    drawing = _register(client, title="Gambar Teknik", skills="membaca gambar teknik")
    own = _register(client, title="Las SMAW Dasar", skills="las listrik, gerinda")
    excel = _register(client, title="Microsoft Excel", skills="ms excel")
    past = date.today() - timedelta(days=30)
    ended = _register(
        client,
        title="Gambar Teknik (angkatan lalu)",
        skills="membaca gambar teknik, fabrikasi",
        start_date=(past - timedelta(days=30)).isoformat(),
        end_date=past.isoformat(),
    )

    assert sign_in(client, staff["bkk"]).status_code == 303
    page = client.get("/ruang/kandidat/c-a")
    assert page.status_code == 200 and "Pelatihan yang disarankan" in page.text
    suggested = _ids_in(page.text, "pelatihan")
    assert drawing in suggested
    assert own not in suggested  # teaches only what c-a already has
    assert excel not in suggested  # Excel is missing only for a vacancy far away
    assert ended not in suggested  # over already
    card = page.text[page.text.index(f'data-pelatihan="{drawing}"') :]
    assert "Mengajarkan keahlian yang belum dimiliki: membaca gambar teknik" in card
    assert "Operator Las" in card.split("</li>\n</ol>")[0]
    # the skills that would open more: missing at the nearby vacancy, not the far one's Excel
    to_learn = page.text[page.text.index('id="keahlian"') : page.text.index('id="pelatihan"')]
    assert 'data-keahlian="membaca gambar teknik"' in to_learn
    assert "excel" not in to_learn.lower()

    # the other school's officer still cannot open c-a's page, suggestions included
    assert sign_in(client, staff["bkk_b"]).status_code == 303
    assert client.get("/ruang/kandidat/c-a").status_code == 404


def test_the_admin_ranking_puts_the_training_opening_most_unfilled_vacancies_first(
    client: TestClient, staff: dict[str, str], keys: dict[str, dict[str, str]]
) -> None:
    # five openings each and only two people in the world: these stay unfilled
    welding = "Welder fabrikasi: wajib bisa membaca gambar teknik dan las SMAW."
    for vid in ("v-w1", "v-w2"):
        body = vacancy_body(vid, description=welding, headcount=5)
        assert client.put(f"/v1/vacancies/{vid}", json=body, headers=keys["portal"]).status_code
    office = vacancy_body(
        "v-k1",
        title="Staf Administrasi",
        description="Staf administrasi kantor, menguasai Microsoft Excel.",
        skills=["Microsoft Excel"],
        majors=["semua jurusan"],
        headcount=5,
    )
    assert client.put("/v1/vacancies/v-k1", json=office, headers=keys["portal"]).status_code

    assert sign_in(client, staff["admin"]).status_code == 303
    excel = _register(client, title="Microsoft Excel Perkantoran", skills="ms excel")
    drawing = _register(client, title="Gambar Teknik", skills="membaca gambar teknik")
    own = _register(client, title="Las SMAW Dasar", skills="las listrik")  # everyone has it

    page = client.get(PAGE)
    assert page.status_code == 200 and "membuka lowongan terbanyak" in page.text
    ranking = _ids_in(page.text, "peringkat")
    assert ranking[:2] == [drawing, excel] and own not in ranking
    counts = dict(re.findall(r'data-pelatihan="(\d+)" data-lowongan="(\d+)"', page.text))
    assert int(counts[str(drawing)]) >= 2 and int(counts[str(excel)]) == 1
    section = page.text[page.text.index('id="peringkat"') :]
    assert "Welder" in section or "Operator Las" in section


def test_the_demo_examples_are_valid_are_added_once_and_listed(
    client: TestClient, staff: dict[str, str]
) -> None:
    with client.app.state.sessions() as db:  # type: ignore[attr-defined]
        assert demo_trainings.seed(db, date.today()) == len(demo_trainings.EXAMPLES)
        db.commit()
        assert demo_trainings.seed(db, date.today()) == 0  # a second demo run adds none
        db.commit()
    stored = _stored(client)
    assert len(stored) == len(demo_trainings.EXAMPLES)
    # every typed skill of the examples resolved to a canonical key: none is text-only
    known = trainings.taxonomy().skills.skills
    assert all(skill in known for row in stored for skill in row.skills)
    assert all(row.start_date and row.start_date > date.today() for row in stored)
    assert all("(contoh)" in row.provider for row in stored)
    assert sign_in(client, staff["admin"]).status_code == 303
    listed = _ids_in(client.get(PAGE).text, "daftar-pelatihan")
    assert sorted(listed) == [row.id for row in stored]
