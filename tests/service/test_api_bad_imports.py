"""Spreadsheet uploads as BKK staff really send them, through ``POST /v1/{kind}/import``.

Each bad row must come back with its row number and an Indonesian message naming the column,
and must store nothing; a file that cannot be read at all stores nothing at all. Formula-like
text is kept as text and comes out of an export escaped, so it never runs in someone's Excel.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from svc_helpers import ADMIN

from matcher.tabular import export_rows

PROBLEM = "application/problem+json"


def upload(client: TestClient, kind: str, name: str, data: bytes) -> Any:
    return client.post(f"/v1/{kind}/import", files={"file": (name, data)}, headers=ADMIN)


def stored_ids(client: TestClient, kind: str) -> set[str]:
    items = client.get(f"/v1/{kind}?limit=200", headers=ADMIN).json()["items"]
    return {item["id"] for item in items}


def row_errors(body: dict[str, Any]) -> dict[int, list[dict[str, Any]]]:
    return {e["row"]: e["errors"] for e in body["errors"]}


def test_cp1252_and_latin1_text_is_read_as_written(client: TestClient) -> None:
    for encoding in ("cp1252", "latin-1"):
        data = f"id;nama;jurusan\nE-{encoding};Dédé Sürya;Akuntansi\n".encode(encoding)
        response = upload(client, "candidates", "kandidat.csv", data)
        assert response.status_code == 200 and response.json()["errors"] == []
        got = client.get(f"/v1/candidates/E-{encoding}", headers=ADMIN).json()
        assert got["name"] == "Dédé Sürya"


def test_utf8_with_bom_is_read(client: TestClient) -> None:
    data = "\ufeffid,nama\nB1,Siti Nurhaliza\n".encode()
    response = upload(client, "candidates", "kandidat.csv", data)
    assert response.json()["upserted"] == 1
    assert client.get("/v1/candidates/B1", headers=ADMIN).json()["name"] == "Siti Nurhaliza"


def test_broken_bytes_refuse_only_their_row(client: TestClient) -> None:
    # UTF-8 throughout ("Désa"), but row 3 holds a byte that is not UTF-8
    data = "id;nama\nU1;Désa Ayu\nU2;Rina \x00\n".encode().replace(b"\x00", b"\xff\xfe")
    body = upload(client, "candidates", "kandidat.csv", data).json()
    assert body["upserted"] == 1
    (error,) = row_errors(body)[3]
    assert error["column"] == "nama" and "karakter rusak" in error["pesan"]
    assert client.get("/v1/candidates/U1", headers=ADMIN).json()["name"] == "Désa Ayu"
    assert client.get("/v1/candidates/U2", headers=ADMIN).status_code == 404


def test_bytes_that_are_text_in_no_encoding_refuse_their_row(client: TestClient) -> None:
    # 0x81 and 0x9d are undefined in cp1252 and not UTF-8: no encoding makes this a name
    data = b"id;nama\nX1;Budi\nX2;Bu\x81d\x9di\n"
    body = upload(client, "candidates", "kandidat.csv", data).json()
    assert body["upserted"] == 1 and list(row_errors(body)) == [3]
    assert stored_ids(client, "candidates") == {"X1"}


@pytest.mark.parametrize(
    ("kind", "header", "missing"),
    [
        ("candidates", "nama;jurusan", "id"),
        ("vacancies", "id;posisi", "deskripsi"),
    ],
)
def test_missing_required_columns_store_nothing(
    client: TestClient, kind: str, header: str, missing: str
) -> None:
    data = f"{header}\nA1;x\nA2;y\n".encode()
    response = upload(client, kind, "data.csv", data)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
    (error,) = response.json()["errors"]
    assert error["pesan"].startswith("Kolom wajib tidak ditemukan") and missing in error["pesan"]
    assert stored_ids(client, kind) == set()


FORMULAS = ["=1+1", "+62 812", "-2+3", "@SUM(A1:A9)", "\t=cmd", "\r=cmd", '=HYPERLINK("x")']


def test_formula_cells_are_stored_as_text_and_exported_escaped(
    client: TestClient, tmp_path: Path
) -> None:
    wb = Workbook()
    sheet = wb.active
    sheet.title = "Data"
    sheet.append(["id", "nama", "ringkasan"])
    for i, text in enumerate(FORMULAS):
        sheet.append([f"F{i}", text, f"Ringkasan {text}"])
    buffer = io.BytesIO()
    wb.save(buffer)
    body = upload(client, "candidates", "kandidat.xlsx", buffer.getvalue()).json()
    assert body["errors"] == [] and body["upserted"] == len(FORMULAS)
    rows = [client.get(f"/v1/candidates/F{i}", headers=ADMIN).json() for i in range(len(FORMULAS))]
    # kept as text, never evaluated (surrounding whitespace is trimmed like in any cell)
    assert [r["name"] for r in rows] == [text.strip() for text in FORMULAS]

    # the export sees both what was stored and the raw text with its tab/CR prefix
    exported_rows = [
        {"id": r["id"], "nama": r["name"], "asli": t} for r, t in zip(rows, FORMULAS, strict=True)
    ]
    path = tmp_path / "shortlist.xlsx"
    export_rows(exported_rows, path)
    sheet = load_workbook(path).active
    for row, original in zip(sheet.iter_rows(min_row=2, min_col=2), exported_rows, strict=True):
        for cell, text in zip(row, (original["nama"], original["asli"]), strict=True):
            assert cell.data_type == "s"  # a string cell, never "f"
            # the apostrophe Excel shows as "this is text" (XML reads a CR back as LF)
            assert cell.value == "'" + text.replace("\r", "\n")


def test_a_10_mb_cell_refuses_its_row_only(client: TestClient) -> None:
    huge = "x" * (10 * 1024 * 1024)
    data = f"id;nama;ringkasan\nH1;Ani;pendek\nH2;Budi;{huge}\nH3;Cici;pendek\n".encode()
    body = upload(client, "candidates", "kandidat.csv", data).json()
    assert body["upserted"] == 2
    (error,) = row_errors(body)[3]
    assert error["column"] == "ringkasan" and "terlalu panjang" in error["pesan"]
    assert stored_ids(client, "candidates") == {"H1", "H3"}


def test_a_bad_row_stores_nothing_and_names_its_row(client: TestClient) -> None:
    data = (
        b"id;nama;tahun_lulus;pendidikan\nR1;Ani;2023;SMK\nR2;Budi;kemarin;SMK\nR3;Cici;2022;XYZ\n"
    )
    body = upload(client, "candidates", "kandidat.csv", data).json()
    errors = row_errors(body)
    assert body["upserted"] == 1 and sorted(errors) == [3, 4]
    assert errors[3][0]["column"] == "tahun_lulus" and errors[3][0]["pesan"].startswith("Kolom")
    assert errors[4][0]["column"] == "pendidikan"
    assert stored_ids(client, "candidates") == {"R1"}


@pytest.mark.parametrize(
    ("name", "data", "pesan"),
    [
        ("kandidat.xlsx", b"id;nama\nZ1;Ani\n", "bukan XLSX"),
        ("kandidat.xlsx", b"PK\x03\x04 truncated zip", "bukan XLSX"),
        ("kandidat.csv", b"", "kosong"),
        ("kandidat.csv", b"\xef\xbb\xbf \r\n", "kosong"),
        ("kandidat.json", b'{"items": [', "JSON tidak valid"),
    ],
    ids=["csv-named-xlsx", "broken-zip", "empty", "bom-only", "cut-json"],
)
def test_unreadable_files_store_nothing(
    client: TestClient, name: str, data: bytes, pesan: str
) -> None:
    response = upload(client, "candidates", name, data)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
    assert pesan in response.json()["errors"][0]["pesan"]
    assert stored_ids(client, "candidates") == set()


def test_unknown_file_type_is_415(client: TestClient) -> None:
    response = upload(client, "candidates", "kandidat.pdf", b"%PDF-1.4")
    assert response.status_code == 415
    assert response.headers["content-type"].startswith(PROBLEM)
