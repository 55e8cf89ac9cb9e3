"""Student import in the browser (``/ruang/impor``): the API's import behind a page.

A BKK officer downloads the template, fills it in Excel and uploads it; good rows are stored for
the officer's school, each bad row is named by its number with an Indonesian reason and changes
nothing, and whatever the API refuses (another school, a file too large, no CSRF token, an
employer) the page refuses too, in Indonesian, storing nothing.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import openpyxl
from fastapi.testclient import TestClient
from svc_helpers import ADMIN, STAFF_PASSWORD, csrf_token, make_settings, sign_in

from service.db import repository
from service.web import accounts

NIK = "3604123456780001"


def _upload(
    client: TestClient, name: str, data: bytes, token: str | None = None, **extra: Any
) -> Any:
    form = {} if token is None else {"csrf": token}
    return client.post("/ruang/impor", data=form, files={"file": (name, data)}, **extra)


def _stored(client: TestClient, record_id: str) -> dict[str, Any] | None:
    with client.app.state.sessions() as db:  # type: ignore[attr-defined]
        row = repository.get_row(db, "candidate", record_id)
        return None if row is None else {"school_id": row.school_id, **row.data}


def _candidate_count(client: TestClient) -> int:
    items = client.get("/v1/candidates?limit=200", headers=ADMIN).json()["items"]
    return len(items)


def _bad_rows(page: str) -> dict[int, str]:
    """Row number → the text of its entry (columns and reasons) in the refused-rows list."""
    entries = page.split('data-baris="')[1:]
    return {int(e.split('"', 1)[0]): e.split("</ul>", 1)[0] for e in entries}


def _xlsx(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_bkk_officer_fills_the_template_and_only_good_rows_are_stored(
    client: TestClient, staff: dict[str, str], keys: dict[str, dict[str, str]]
) -> None:
    assert sign_in(client, staff["bkk"]).status_code == 303
    page = client.get("/ruang/impor")
    assert page.status_code == 200 and '<html lang="id">' in page.text
    assert 'enctype="multipart/form-data"' in page.text and 'name="csrf"' in page.text
    assert "tahun_lulus" in page.text and "Tahun lulus." in page.text  # the column guide
    assert "<strong>S1</strong>" in page.text  # which npsn this officer must use

    template = client.get("/ruang/impor/templat.xlsx")
    assert template.status_code == 200
    assert template.headers["content-type"].startswith("application/vnd.openxmlformats")
    served_by_api = client.get("/v1/candidates/template.xlsx", headers=ADMIN)
    assert template.content == served_by_api.content  # the very same file

    book = openpyxl.load_workbook(io.BytesIO(template.content))
    sheet = book["Data"]
    header = [c.value for c in sheet[1]]
    col = {name: header.index(name) + 1 for name in header}

    def fill(row: int, **values: Any) -> None:
        for c in range(1, len(header) + 1):  # the example row is overwritten, not kept
            sheet.cell(row=row, column=c).value = None
        for name, value in values.items():
            sheet.cell(row=row, column=col[name]).value = value

    fill(2, id="imp-1", npsn="S1", nama="Rina Marlina", jurusan="TKRO", tahun_lulus=2025)
    fill(3, id="imp-2", npsn="S1", nama="Dedi Kurnia", jurusan="AKL", tahun_lulus=2024)
    # an existing student, with a bad year and a NIK typed into the birth-date column
    fill(4, id="c-a", npsn="S1", nama="Nama Baru", tahun_lulus="kemarin", tanggal_lahir=NIK)
    # a valid row for another school: the API refuses it for a BKK key, so must the page
    fill(5, id="imp-3", npsn="S2", nama="Yusuf Hidayat", tahun_lulus=2024)
    before = _stored(client, "c-a")

    token = csrf_token(client, "/ruang/impor")
    result = _upload(client, "siswa.xlsx", _xlsx(book), token)
    assert result.status_code == 200
    assert re.search(r"<strong>2</strong><span>siswa tersimpan", result.text)
    bad = _bad_rows(result.text)
    assert sorted(bad) == [4, 5]
    assert "Kolom tahun_lulus" in bad[4] and "Bukan angka" in bad[4]
    assert "Kolom tanggal_lahir" in bad[4]
    assert "npsn" in bad[5] and "sekolah Anda" in bad[5] and "S1" in bad[5]
    assert NIK not in result.text and "Yusuf" not in result.text and "Nama Baru" not in result.text

    assert _stored(client, "imp-1")["school_id"] == "S1"  # type: ignore[index]
    assert _stored(client, "imp-2")["name"] == "Dedi Kurnia"  # type: ignore[index]
    assert _stored(client, "imp-3") is None
    assert _stored(client, "c-a") == before  # the bad row changed nothing

    # the officer's own views see the new students; the other school's officer sees none
    assert client.get("/ruang/kandidat/imp-1").status_code == 200
    assert sign_in(client, staff["bkk_b"]).status_code == 303
    for record_id in ("imp-1", "imp-2"):
        hidden = client.get(f"/ruang/kandidat/{record_id}")
        assert hidden.status_code == 404 and "Rina" not in hidden.text
    listed = client.get("/v1/candidates?limit=200", headers=keys["bkk_b"]).json()["items"]
    assert not {"imp-1", "imp-2"} & {item["id"] for item in listed}


def test_a_csv_with_broken_encoding_names_the_row_and_column(
    client: TestClient, staff: dict[str, str]
) -> None:
    assert sign_in(client, staff["bkk"]).status_code == 303
    token = csrf_token(client, "/ruang/impor")
    # 0x81 and 0x9d are text in neither UTF-8 nor Windows-1252
    data = b"id;npsn;nama\nenc-1;S1;Budi\nenc-2;S1;Bu\x81d\x9di\n"
    result = _upload(client, "siswa.csv", data, token)
    assert result.status_code == 200
    bad = _bad_rows(result.text)
    assert list(bad) == [3]
    assert "Kolom nama" in bad[3] and "karakter rusak" in bad[3] and "CSV UTF-8" in bad[3]
    assert _stored(client, "enc-1") is not None and _stored(client, "enc-2") is None

    not_xlsx = _upload(client, "siswa.xlsx", b"id;npsn\nx-1;S1\n", token)
    assert not_xlsx.status_code == 422
    assert "bukan XLSX" in not_xlsx.text and "Tidak ada data yang disimpan" in not_xlsx.text
    assert _stored(client, "x-1") is None


def test_files_over_the_caps_are_refused_in_indonesian_storing_nothing(
    start_app: Any, tmp_path: Path
) -> None:
    client = start_app(make_settings(tmp_path / "kecil", max_upload_bytes=2048, max_import_rows=3))
    with client.app.state.sessions() as db:
        accounts.create_user(db, "u-bkk", STAFF_PASSWORD, "bkk", school_id="S1")
        db.commit()
    assert sign_in(client, "u-bkk").status_code == 303
    page = client.get("/ruang/impor")
    assert "2 KB" in page.text and "3 baris" in page.text
    token = csrf_token(client, "/ruang/impor")

    rows = "".join(f"big-{i};S1;Siswa nomor {i} yang namanya cukup panjang\n" for i in range(60))
    big = f"id;npsn;nama\n{rows}".encode()
    assert len(big) > 2048
    too_large = _upload(client, "siswa.csv", big, token)
    assert too_large.status_code == 413
    assert "Berkas terlalu besar: maksimal 2 KB" in too_large.text

    many = b"id;npsn\nm-1;S1\nm-2;S1\nm-3;S1\nm-4;S1\n"
    too_many = _upload(client, "siswa.csv", many, token)
    assert too_many.status_code == 422 and "melebihi batas 3" in too_many.text
    assert _candidate_count(client) == 0


def test_a_body_far_over_the_upload_cap_is_refused_in_indonesian(
    start_app: Any, tmp_path: Path
) -> None:
    # past the cap plus the form's wrapping, the service's body bound answers before the page
    # runs: still a 413 page in Indonesian (not JSON, not a 500), and nothing stored
    client = start_app(make_settings(tmp_path / "badan", max_upload_bytes=2048))
    with client.app.state.sessions() as db:
        accounts.create_user(db, "u-bkk", STAFF_PASSWORD, "bkk", school_id="S1")
        db.commit()
    assert sign_in(client, "u-bkk").status_code == 303
    token = csrf_token(client, "/ruang/impor")
    big = b"id;npsn;nama\n" + b"".join(b"b-%d;S1;Ani\n" % i for i in range(8000))
    assert len(big) > 2048 + 64 * 1024
    response = _upload(client, "siswa.csv", big, token)
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert "terlalu besar" in response.text and "Tidak ada data yang disimpan" in response.text
    assert _candidate_count(client) == 0


def test_an_upload_without_the_session_csrf_token_stores_nothing(
    client: TestClient, staff: dict[str, str]
) -> None:
    assert sign_in(client, staff["bkk"]).status_code == 303
    data = b"id;npsn;nama\ncsrf-1;S1;Ani\n"
    before = _candidate_count(client)
    for token in (None, "palsu"):
        response = _upload(client, "siswa.csv", data, token)
        assert response.status_code == 403 and "Formulir kedaluwarsa" in response.text
    other = TestClient(client.app)
    stale = csrf_token(other)  # another browser's token is not this session's
    assert _upload(client, "siswa.csv", data, stale).status_code == 403
    assert _stored(client, "csrf-1") is None and _candidate_count(client) == before


def test_an_employer_is_refused_in_indonesian(client: TestClient, staff: dict[str, str]) -> None:
    assert sign_in(client, staff["employer"]).status_code == 303
    for path in ("/ruang/impor", "/ruang/impor/templat.xlsx"):
        response = client.get(path)
        assert response.status_code == 403 and "Akun perusahaan tidak mengimpor" in response.text
    token = csrf_token(client, "/ruang")
    refused = _upload(client, "siswa.csv", b"id;npsn;nama\nemp-1;S1;Ani\n", token)
    assert refused.status_code == 403 and "Akun perusahaan" in refused.text
    assert _stored(client, "emp-1") is None


def test_wrong_or_missing_files_get_a_message(client: TestClient, staff: dict[str, str]) -> None:
    assert sign_in(client, staff["bkk"]).status_code == 303
    token = csrf_token(client, "/ruang/impor")
    pdf = _upload(client, "siswa.pdf", b"%PDF-1.4", token)
    assert pdf.status_code == 415 and "Unggah berkas .xlsx" in pdf.text
    as_json = _upload(client, "siswa.json", b'[{"id": "j-1", "school_id": "S1"}]', token)
    assert as_json.status_code == 415 and _stored(client, "j-1") is None
    nothing = client.post("/ruang/impor", data={"csrf": token})
    assert nothing.status_code == 422 and "Pilih berkas" in nothing.text


def test_the_admin_imports_for_the_school_the_file_names(
    client: TestClient, staff: dict[str, str]
) -> None:
    assert sign_in(client, staff["admin"]).status_code == 303
    token = csrf_token(client, "/ruang/impor")
    result = _upload(client, "siswa.csv", b"id;npsn;nama\nadm-1;S2;Ani\n", token)
    assert result.status_code == 200 and 'id="baris-ditolak"' not in result.text
    assert _stored(client, "adm-1")["school_id"] == "S2"  # type: ignore[index]


def test_the_import_pages_need_a_session(client: TestClient) -> None:
    for path in ("/ruang/impor", "/ruang/impor/templat.xlsx"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/masuk"
