"""Spreadsheet import/export: per-row errors, nothing partial, robust input, safe output."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from matcher.records import Candidate, Vacancy
from matcher.tabular import TabularFileError, export_rows, read_records, write_template


@pytest.mark.parametrize("kind", ["candidate", "vacancy"])
def test_template_roundtrip(tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"template_{kind}.xlsx"
    write_template(kind, path)  # type: ignore[arg-type]
    wb = load_workbook(path)
    assert wb.sheetnames == ["Data", "Petunjuk"]
    assert wb["Data"].cell(1, 1).value == "id"
    result = read_records(path, kind)  # type: ignore[arg-type]
    assert result.errors == [] and result.ignored_columns == []
    assert len(result.records) == 1
    record = result.records[0]
    assert isinstance(record, Candidate if kind == "candidate" else Vacancy)
    if isinstance(record, Candidate):
        assert record.birth_date == date(2007, 5, 17)
        assert record.contact is not None and record.contact.phone == "081234567890"
        assert record.consent.share_with_employers is True
        assert record.skills == ["MS Excel", "jurnal umum", "MYOB"]


def _csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_bad_row_reported_with_row_number_and_nothing_partial() -> None:
    data = _csv(
        "id,nama,tanggal_lahir,jenis_kelamin,pendidikan,tahun_lulus,bersedia_dibagikan,status",
        "K1,Siti,17/05/2007,P,SMK,2025,ya,mencari kerja",
        "K2,Budi,31/02/2007,L,SMK,2025,ya,bekerja",  # no 31 February
        "K3,Ani,2007-01-01,P,SMK,dua ribu,tidak,kuliah",  # year is not a number
        ",Tanpa ID,,,,,,",
        "K4,Dedi,2006-06-06,L,S7,2024,ya,wirausaha",  # unknown level
        "K5,Eka,2006-06-06,L,SMK,2024,ya,wirausaha",
    )
    result = read_records(data, "candidate", "csv")
    assert [r.id for r in result.records] == ["K1", "K5"]
    by_row = {e.row: e for e in result.errors}
    assert set(by_row) == {3, 4, 5, 6}
    assert by_row[3].id == "K2" and by_row[3].errors[0]["loc"] == ["birth_date"]
    assert by_row[4].errors[0]["column"] == "tahun_lulus"
    assert by_row[5].id is None and by_row[5].errors[0]["loc"] == ["id"]
    for error in result.errors:
        for item in error.errors:
            assert item["msg"] and item["pesan"]
    assert result.records[1].status == "entrepreneur"


def test_model_errors_are_translated() -> None:
    data = _csv("id,judul,deskripsi,usia_min,usia_maks", "V1,Welder,Las SMAW,30,20")
    result = read_records(data, "vacancy")
    assert not result.records
    (error,) = result.errors
    assert "age_min" in error.errors[0]["msg"]
    assert "usia" in error.errors[0]["pesan"].lower()


def test_cp1252_semicolon_csv() -> None:
    text = "id;nama;jurusan;keahlian;kecamatan\nA1;José Peña;Teknik Las;SMAW, GTAW; Kibin\n"
    result = read_records(text.encode("cp1252"), "candidate")
    (record,) = result.records
    assert record.name == "José Peña"
    assert record.skills == ["SMAW", "GTAW"]
    assert record.location is not None and record.location.name == "Kibin"


def test_bom_and_contract_headers() -> None:
    data = "\ufeffid,name,major,location.kecamatan_code,contact.phone\nA1,Rina,AKL,36.04.15,0812\n"
    (record,) = read_records(data.encode("utf-8"), "candidate").records
    assert record.id == "A1" and record.major == "AKL"
    assert record.location is not None and record.location.kecamatan_code == "36.04.15"


def test_missing_id_column_is_a_file_error() -> None:
    with pytest.raises(TabularFileError) as info:
        read_records(_csv("nama,jurusan", "Siti,AKL"), "candidate")
    assert "id" in info.value.msg
    assert "Kolom wajib" in info.value.pesan
    assert info.value.errors[0]["loc"] == ["file"]


def test_too_many_rows_is_a_file_error() -> None:
    rows = [f"K{i},Nama {i}" for i in range(11)]
    with pytest.raises(TabularFileError, match="more than 10"):
        read_records(_csv("id,nama", *rows), "candidate", max_rows=10)
    assert len(read_records(_csv("id,nama", *rows[:10]), "candidate", max_rows=10).records) == 10


def test_huge_cell_is_a_row_error() -> None:
    data = _csv("id,nama,ringkasan", "K1,Siti," + "x" * 300_000, "K2,Budi,ok")
    result = read_records(data, "candidate")
    assert [r.id for r in result.records] == ["K2"]
    (error,) = result.errors
    assert error.row == 2 and error.id == "K1"
    assert "longer" in error.errors[0]["msg"]


def test_formulas_are_text_never_evaluated(tmp_path: Path) -> None:
    wb = Workbook()
    sheet = wb.active
    sheet.title = "Data"
    sheet.append(["id", "nama", "keahlian", "no_hp"])
    sheet.append(["K1", "=1+1", '=HYPERLINK("http://x","y")', 812345678])
    path = tmp_path / "formula.xlsx"
    wb.save(path)
    (record,) = read_records(path, "candidate").records
    assert record.name == "=1+1"
    assert record.skills == ['=HYPERLINK("http://x"', '"y")']
    assert record.contact is not None and record.contact.phone == "0812345678"
    csv_data = _csv("id,nama", "K1,=cmd|' /C calc'!A0")
    assert read_records(csv_data, "candidate").records[0].name == "=cmd|' /C calc'!A0"


def test_excel_dates_and_numbers(tmp_path: Path) -> None:
    wb = Workbook()
    sheet = wb.active
    sheet.append(["id", "tanggal_lahir", "tahun_lulus", "npsn"])
    sheet.append([12345, date(2008, 1, 2), 2026, 20612345])
    sheet.append(["K2", 39449, "2026", "20612345"])  # an Excel day number
    path = tmp_path / "dates.xlsx"
    wb.save(path)
    records = read_records(path, "candidate").records
    assert [r.id for r in records] == ["12345", "K2"]
    assert records[0].birth_date == date(2008, 1, 2) == records[1].birth_date
    assert records[0].school_id == "20612345" and records[0].graduation_year == 2026


def test_json_items_and_unknown_columns() -> None:
    items = {
        "items": [
            {
                "id": "V1",
                "title": "Welder",
                "description": "Las SMAW",
                "pendidikan": "SMK; D3",
                "location": {"kecamatan_code": "36.04.15"},
                "catatan": "internal",
            },
            {"id": "V2", "title": "Kasir"},
            "not an object",
        ]
    }
    result = read_records(json.dumps(items).encode(), "vacancy", "json")
    (record,) = result.records
    assert [lvl.value for lvl in record.education_levels] == ["SMK", "D3"]
    assert record.location is not None and record.location.kecamatan_code == "36.04.15"
    assert result.ignored_columns == ["catatan"]
    assert [(e.row, e.id) for e in result.errors] == [(2, "V2"), (3, None)]


def test_duplicate_ids_in_one_file() -> None:
    result = read_records(_csv("id,nama", "K1,Siti", "K1,Siti lagi"), "candidate")
    assert len(result.records) == 1
    assert result.errors[0].row == 3 and "ID ganda" in result.errors[0].errors[0]["pesan"]


def test_not_a_spreadsheet() -> None:
    with pytest.raises(TabularFileError):
        read_records(b"PK\x03\x04 garbage", "candidate", "xlsx")
    with pytest.raises(TabularFileError):
        read_records(b"", "candidate", "csv")
    with pytest.raises(ValueError):
        read_records(b"id\n1\n", "pelamar", "csv")  # type: ignore[arg-type]


def test_export_escapes_formula_injection(tmp_path: Path) -> None:
    rows = [
        {"nama": '=HYPERLINK("http://evil","klik")', "skor": 0.87, "catatan": "+62812"},
        {"nama": "-2+3", "skor": -1, "catatan": "@SUM(A1)", "tanggal": date(2026, 11, 1)},
        {"nama": "\tTab", "catatan": "\rCR", "daftar": ["a", "b"], "biasa": "Siti"},
    ]
    path = tmp_path / "shortlist.xlsx"
    export_rows(rows, path, sheet_name="Shortlist: BKK/1")
    wb = load_workbook(path)
    sheet = wb.worksheets[0]
    assert sheet.title == "Shortlist_ BKK_1"
    header = [c.value for c in sheet[1]]
    assert header == ["nama", "skor", "catatan", "tanggal", "daftar", "biasa"]
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"
            if isinstance(cell.value, str):
                assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert sheet["A2"].value == '\'=HYPERLINK("http://evil","klik")'
    assert sheet["B2"].value == 0.87 and sheet["B3"].value == -1  # numbers stay numbers
    assert sheet["C3"].value == "'@SUM(A1)"
    assert sheet["E4"].value == "a; b" and sheet["F4"].value == "Siti"
