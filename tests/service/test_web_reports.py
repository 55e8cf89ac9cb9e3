"""The placement report and the BMW tracer through the app: scope per role, counts against a
hand-built school, the Excel exports, refusals and bad input answered in Indonesian.

The expected numbers come from the people built here: each one states, next to its data, which
month it counts as placed in and which tracer column it belongs to, and the tests add those up.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from svc_helpers import candidate_body, sign_in, vacancy_body

from service.db.models import AuditRow
from service.web.workspace import program_of

MARCH = "2025-03"
PLACEMENT_HEADER = (
    "ID kandidat",
    "Nama",
    "Program keahlian",
    "Jurusan",
    "Tahun lulus",
    "Perusahaan",
    "Lowongan",
    "Kecamatan",
    "Tanggal diterima",
)
TRACER_HEADER = (
    "Tahun lulus",
    "Program keahlian",
    "Bekerja",
    "Melanjutkan",
    "Wirausaha",
    "Mencari kerja",
    "Jumlah",
)


@dataclass(frozen=True)
class Person:
    """One S1 graduate, the outcomes recorded for them, and what the reports must make of it."""

    id: str
    major: str
    year: int
    status: str
    outcomes: tuple[tuple[str, str, str], ...]  # (vacancy, status, at)
    tracer: str  # the column the person belongs in
    placed: tuple[str, str, date] | None = None  # (vacancy, month, placement date)


SCHOOL = (
    # outcomes win: still "seeking" in the record, hired in March
    Person(
        "t-1",
        "TKRO",
        2023,
        "seeking",
        (("v-a", "shortlisted", "2025-02-20T03:00:00Z"), ("v-a", "hired", "2025-03-05T03:00:00Z")),
        "Bekerja",
        ("v-a", MARCH, date(2025, 3, 5)),
    ),
    Person("t-2", "TKRO", 2023, "employed", (), "Bekerja"),
    Person("t-3", "TKRO", 2023, "studying", (), "Melanjutkan"),
    Person("t-4", "AKL", 2023, "entrepreneur", (), "Wirausaha"),
    # hired, then withdrew: not placed, still seeking
    Person(
        "t-5",
        "AKL",
        2024,
        "seeking",
        (("v-c", "hired", "2025-03-20T03:00:00Z"), ("v-c", "withdrawn", "2025-03-25T03:00:00Z")),
        "Mencari kerja",
    ),
    # hired in February, "Diterima" saved again in March: a February placement
    Person(
        "t-6",
        "AKL",
        2024,
        "seeking",
        (("v-c", "hired", "2025-02-27T03:00:00Z"), ("v-c", "hired", "2025-03-02T03:00:00Z")),
        "Bekerja",
        ("v-c", "2025-02", date(2025, 2, 27)),
    ),
    # the record says studying; the hire on the last evening of March (UTC) wins and counts there
    Person(
        "t-7",
        "AKL",
        2024,
        "studying",
        (("v-c", "hired", "2025-03-31T23:30:00Z"),),
        "Bekerja",
        ("v-c", MARCH, date(2025, 3, 31)),
    ),
    Person(
        "t-8",
        "Teknik Pengelasan",
        2024,
        "seeking",
        (("v-a", "hired", "2025-04-01T00:10:00Z"),),
        "Bekerja",
        ("v-a", "2025-04", date(2025, 4, 1)),
    ),
    # turned down at one vacancy, hired at another in the same month
    Person(
        "t-9",
        "TKRO",
        2024,
        "seeking",
        (("v-a", "rejected", "2025-03-01T03:00:00Z"), ("v-c", "hired", "2025-03-15T03:00:00Z")),
        "Bekerja",
        ("v-c", MARCH, date(2025, 3, 15)),
    ),
)
#: the world's own S1 student: Teknik Pengelasan, 2019, seeking, no outcomes
WORLD_C_A = Person("c-a", "Teknik Pengelasan", 2019, "seeking", (), "Mencari kerja")
VACANCY_C = vacancy_body(
    "v-c",
    title="Staf Administrasi Gudang",
    employer_id="E2",
    employer_name="PT Baja Serang",
    location={"kecamatan_code": "36.04.11"},  # Kragilan
)
KECAMATAN = {"v-a": "Cikande", "v-c": "Kragilan"}
EMPLOYER = {"v-a": "E1", "v-c": "PT Baja Serang"}  # v-a names no employer_name: its id is shown


def _post_outcome(client: TestClient, key: dict[str, str], body: dict[str, Any]) -> None:
    response = client.post("/v1/outcomes", json=body, headers=key)
    assert response.status_code == 201, response.text


@pytest.fixture
def school(client: TestClient, staff: dict[str, str], world: dict[str, Any]) -> tuple[Person, ...]:
    """S1's graduates and their outcomes as specified above; S2's c-b hired in March too."""
    keys = world["keys"]
    response = client.put("/v1/vacancies/v-c", json=VACANCY_C, headers=keys["portal"])
    assert response.status_code == 201, response.text
    for person in SCHOOL:
        body = candidate_body(
            person.id,
            name=f"Lulusan {person.id}",
            major=person.major,
            graduation_year=person.year,
            status=person.status,
        )
        response = client.put(f"/v1/candidates/{person.id}", json=body, headers=keys["bkk"])
        assert response.status_code == 201, response.text
        for vacancy, status, at in person.outcomes:
            outcome = {"vacancy_id": vacancy, "candidate_id": person.id, "status": status}
            _post_outcome(client, keys["bkk"], outcome | {"at": at})
    hired_b = {"vacancy_id": "v-a", "candidate_id": "c-b", "status": "hired"}
    _post_outcome(client, keys["bkk_b"], hired_b | {"at": "2025-03-12T03:00:00Z"})
    return (*SCHOOL, WORLD_C_A)


def _sheet(response: Any) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"  # never a live formula
    return rows[0], rows[1:]


def _placed_in(people: tuple[Person, ...], month: str) -> dict[str, Person]:
    return {p.id: p for p in people if p.placed and p.placed[1] == month}


def test_reports_need_a_session(client: TestClient) -> None:
    for path in ("/ruang/laporan", "/ruang/laporan/penempatan.xlsx", "/ruang/laporan/tracer.xlsx"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/masuk"


def test_a_bkk_sees_its_own_placements_and_not_another_schools(
    client: TestClient, staff: dict[str, str], school: tuple[Person, ...]
) -> None:
    march = _placed_in(school, MARCH)
    assert sign_in(client, staff["bkk"]).status_code == 303
    page = client.get(f"/ruang/laporan?bulan={MARCH}")
    assert page.status_code == 200 and '<html lang="id">' in page.text
    for person in school:
        shown = f'data-kandidat="{person.id}"' in page.text
        assert shown == (person.id in march), person.id
    assert 'data-kandidat="c-b"' not in page.text
    assert f"Penempatan Maret 2025 ({len(march)})" in page.text
    assert "Kragilan" in page.text and "PT Baja Serang" in page.text
    # another school's officer: only c-b, and asking for S1's report is refused
    assert sign_in(client, staff["bkk_b"]).status_code == 303
    other = client.get(f"/ruang/laporan?bulan={MARCH}")
    assert other.status_code == 200 and 'data-kandidat="c-b"' in other.text
    assert not any(f'data-kandidat="{p.id}"' in other.text for p in school)
    refused = client.get(f"/ruang/laporan?bulan={MARCH}&sekolah=S1")
    assert refused.status_code == 403 and "tidak berwenang" in refused.text
    assert "Lulusan t-1" not in refused.text
    export = client.get(f"/ruang/laporan/penempatan.xlsx?bulan={MARCH}&sekolah=S1")
    assert export.status_code == 403


def test_the_admin_sees_every_school_and_a_school_filter_matches_its_bkk(
    client: TestClient, staff: dict[str, str], school: tuple[Person, ...]
) -> None:
    march = _placed_in(school, MARCH)
    assert sign_in(client, staff["admin"]).status_code == 303
    header, rows = _sheet(client.get(f"/ruang/laporan/penempatan.xlsx?bulan={MARCH}"))
    assert "Sekolah" in header
    by_id = {r[header.index("ID kandidat")]: r for r in rows}
    assert set(by_id) == {*march, "c-b"}
    assert by_id["c-b"][header.index("Sekolah")] == "S2"
    assert by_id["t-1"][header.index("Sekolah")] == "S1"

    filtered = client.get(f"/ruang/laporan/penempatan.xlsx?bulan={MARCH}&sekolah=S1")
    admin_header, admin_rows = _sheet(filtered)
    assert {r[admin_header.index("ID kandidat")] for r in admin_rows} == set(march)
    page = client.get(f"/ruang/laporan?bulan={MARCH}&sekolah=S1")
    assert page.status_code == 200 and 'data-kandidat="c-b"' not in page.text

    assert sign_in(client, staff["bkk"]).status_code == 303
    bkk_header, bkk_rows = _sheet(client.get(f"/ruang/laporan/penempatan.xlsx?bulan={MARCH}"))
    assert "Sekolah" not in bkk_header
    drop = admin_header.index("Sekolah")
    assert [r[:drop] + r[drop + 1 :] for r in admin_rows] == bkk_rows


def test_the_placement_export_has_one_line_per_placement_of_the_month(
    client: TestClient, staff: dict[str, str], school: tuple[Person, ...]
) -> None:
    assert sign_in(client, staff["bkk"]).status_code == 303
    for month in (MARCH, "2025-02", "2025-04"):
        expected = _placed_in(school, month)
        response = client.get(f"/ruang/laporan/penempatan.xlsx?bulan={month}")
        assert f"penempatan-{month}-S1.xlsx" in response.headers["content-disposition"]
        header, rows = _sheet(response)
        assert header == PLACEMENT_HEADER
        assert len(rows) == len(expected)
        for row in rows:
            line = dict(zip(header, row, strict=True))
            person = expected[line["ID kandidat"]]
            assert person.placed is not None
            vacancy, _, on = person.placed
            assert line["Nama"] == f"Lulusan {person.id}"
            assert line["Jurusan"] == person.major
            assert line["Program keahlian"] == program_of(person.major)
            assert line["Tahun lulus"] == person.year
            assert line["Perusahaan"] == EMPLOYER[vacancy]
            assert line["Lowongan"] == ("Operator Las" if vacancy == "v-a" else VACANCY_C["title"])
            assert line["Kecamatan"] == KECAMATAN[vacancy]
            assert line["Tanggal diterima"].date() == on  # a real date cell
        # the totals per program on the page add up to the same people
        page = client.get(f"/ruang/laporan?bulan={month}")
        per_program = Counter(program_of(p.major) for p in expected.values())
        for program, n in per_program.items():
            assert f'<tr><td>{program}</td><td class="n">{n}</td></tr>' in page.text


def test_the_tracer_counts_each_graduate_once_by_year_and_program(
    client: TestClient, staff: dict[str, str], school: tuple[Person, ...]
) -> None:
    expected: dict[tuple[int, str | None], Counter[str]] = {}
    for person in school:
        expected.setdefault((person.year, program_of(person.major)), Counter())[person.tracer] += 1
    assert sign_in(client, staff["bkk"]).status_code == 303
    response = client.get("/ruang/laporan/tracer.xlsx")
    assert "tracer-S1.xlsx" in response.headers["content-disposition"]
    header, rows = _sheet(response)
    assert header == TRACER_HEADER
    got = {(r[0], r[1]): dict(zip(header[2:], r[2:], strict=True)) for r in rows}
    assert set(got) == set(expected)
    for key, counts in expected.items():
        for column in TRACER_HEADER[2:-1]:
            assert got[key][column] == counts[column], (key, column)
        assert got[key]["Jumlah"] == sum(counts.values())
    # S2's hired c-b is counted by S2 alone, and as working although its record says seeking
    assert sign_in(client, staff["bkk_b"]).status_code == 303
    header_b, rows_b = _sheet(client.get("/ruang/laporan/tracer.xlsx"))
    assert [dict(zip(header_b, r, strict=True))["Bekerja"] for r in rows_b] == [1]
    # the admin's total is both schools
    assert sign_in(client, staff["admin"]).status_code == 303
    page = client.get("/ruang/laporan")
    assert page.status_code == 200
    _, rows_all = _sheet(client.get("/ruang/laporan/tracer.xlsx"))
    assert sum(r[-1] for r in rows_all) == len(school) + 1


def test_a_formula_like_name_is_text_in_the_export(
    client: TestClient, staff: dict[str, str], world: dict[str, Any]
) -> None:
    keys = world["keys"]
    evil = '=HYPERLINK("http://x.invalid","klik")'
    body = candidate_body("c-evil", name=evil, major="+TKRO")
    assert client.put("/v1/candidates/c-evil", json=body, headers=keys["bkk"]).status_code == 201
    hired = {"vacancy_id": "v-a", "candidate_id": "c-evil", "status": "hired"}
    _post_outcome(client, keys["bkk"], hired | {"at": "2025-03-03T03:00:00Z"})
    assert sign_in(client, staff["bkk"]).status_code == 303
    header, rows = _sheet(client.get(f"/ruang/laporan/penempatan.xlsx?bulan={MARCH}"))
    [row] = rows
    name = row[header.index("Nama")]
    assert isinstance(name, str) and not name.startswith("=") and "HYPERLINK" in name
    assert not str(row[header.index("Jurusan")]).startswith("+")
    page = client.get(f"/ruang/laporan?bulan={MARCH}")
    assert "=HYPERLINK(&#34;http" in page.text or "=HYPERLINK(&quot;http" in page.text


def test_an_employer_gets_no_reports(
    client: TestClient, staff: dict[str, str], school: tuple[Person, ...]
) -> None:
    assert sign_in(client, staff["employer"]).status_code == 303
    for path in (
        f"/ruang/laporan?bulan={MARCH}",
        f"/ruang/laporan/penempatan.xlsx?bulan={MARCH}",
        "/ruang/laporan/tracer.xlsx",
    ):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "tidak berwenang" in response.text and "Lulusan" not in response.text
    with client.app.state.sessions() as db:  # type: ignore[attr-defined]
        actions = list(db.scalars(select(AuditRow.action)))
    assert not any(a.startswith("report.") for a in actions)


@pytest.mark.parametrize("bulan", ["2025-13", "maret", "2025-3", "0000-01", "2025-03-01"])
def test_a_bad_month_is_answered_in_indonesian(
    client: TestClient, staff: dict[str, str], bulan: str
) -> None:
    assert sign_in(client, staff["bkk"]).status_code == 303
    for path in ("/ruang/laporan", "/ruang/laporan/penempatan.xlsx"):
        response = client.get(path, params={"bulan": bulan})
        assert response.status_code == 422, (path, bulan)
        assert "text/html" in response.headers["content-type"]
        assert "Bulan tidak valid" in response.text or "Tahun laporan" in response.text
    with client.app.state.sessions() as db:  # type: ignore[attr-defined]
        assert db.scalar(select(AuditRow).where(AuditRow.action.like("report.%"))) is None


def test_exports_are_audited_without_personal_data(
    client: TestClient, staff: dict[str, str], school: tuple[Person, ...]
) -> None:
    assert sign_in(client, staff["bkk"]).status_code == 303
    client.get(f"/ruang/laporan/penempatan.xlsx?bulan={MARCH}")
    client.get("/ruang/laporan/tracer.xlsx")
    with client.app.state.sessions() as db:  # type: ignore[attr-defined]
        rows = list(db.scalars(select(AuditRow).where(AuditRow.action.like("report.%"))))
    assert [r.action for r in rows] == ["report.placement.export", "report.tracer.export"]
    assert rows[0].detail == str(len(_placed_in(school, MARCH)))
    for row in rows:
        assert row.actor.startswith("staff_") and "Lulusan" not in (row.detail or "")
        assert not any(p.id in (row.detail or "") for p in school)


def test_an_empty_month_still_has_its_columns(
    client: TestClient, staff: dict[str, str], world: dict[str, Any]
) -> None:
    assert sign_in(client, staff["bkk"]).status_code == 303
    page = client.get("/ruang/laporan?bulan=2020-01")
    assert page.status_code == 200 and "Belum ada penempatan" in page.text
    header, rows = _sheet(client.get("/ruang/laporan/penempatan.xlsx?bulan=2020-01"))
    assert header == PLACEMENT_HEADER and rows == []
    default = client.get("/ruang/laporan")  # no month: the current one
    assert default.status_code == 200
    assert f'value="{datetime.now(UTC):%Y-%m}"' in default.text
