"""A NIK never enters cocok through free text, and never comes back in an error message."""

from __future__ import annotations

import json

import pytest

from matcher.errors import RecordValidationError
from matcher.records import parse_candidate
from matcher.tabular import read_records

NIK = "3604123456780001"


@pytest.mark.parametrize(
    ("fields", "loc"),
    [
        ({"summary": f"Siap kerja. NIK {NIK}"}, ["summary"]),
        ({"summary": "NIK: 3604 1234 5678 0001"}, ["summary"]),
        ({"name": f"Siti {NIK}"}, ["name"]),
        ({"skills": ["Las SMAW", "3604-1234-5678-0001"]}, ["skills"]),
        ({"certifications": [NIK]}, ["certifications"]),
        ({"experience": [{"title": f"Operator {NIK}"}]}, ["experience", 0, "title"]),
        ({"location": {"name": NIK}}, ["location", "name"]),
    ],
)
def test_nik_in_free_text_is_refused_without_echoing_it(fields: dict, loc: list) -> None:
    with pytest.raises(RecordValidationError) as caught:
        parse_candidate({"id": "K1", **fields})
    (error,) = caught.value.errors
    assert error["loc"] == loc
    assert "NIK" in error["msg"]
    assert "3604" not in json.dumps(caught.value.errors)


@pytest.mark.parametrize(
    "text",
    ["HP 081234567890", "Lulus 2024, nilai rata-rata 85,5", "NISN 0071234567", "+6281234567890"],
)
def test_shorter_numbers_are_kept(text: str) -> None:
    assert parse_candidate({"id": "K1", "summary": text}).summary == text


def test_import_errors_do_not_quote_a_nik_or_a_huge_cell() -> None:
    huge = "x" * 100_000
    data = (
        "id,nama,tanggal_lahir,tahun_lulus\n"
        f"K1,Siti,{NIK},2025\n"  # a NIK typed into the birth-date column
        f"K2,Budi,2007-01-01,{huge}\n"
    ).encode()
    result = read_records(data, "candidate", "csv")
    assert not result.records
    report = json.dumps([e.errors for e in result.errors])
    assert len(result.errors) == 2
    assert "3604" not in report
    assert "disembunyikan" in report
    assert len(report) < 2_000
