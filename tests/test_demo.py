"""The demo generator: deterministic, valid, realistic enough to exercise every hard rule."""

from __future__ import annotations

import csv
import re
import time
from pathlib import Path

import pytest

from matcher.demo import DemoData, generate_demo
from matcher.demo.generate import stream_demo_candidates
from matcher.geo import Gazetteer
from matcher.records import Candidate, EducationLevel, Vacancy, parse_candidate, parse_vacancy

SPEKTRUM = (
    Path(__file__).resolve().parents[1] / "matcher/data/taxonomy/spektrum_smk_konsentrasi.csv"
)
PROTECTED = re.compile(r"\b(pria|wanita|laki-laki|perempuan|menikah)\b", re.IGNORECASE)
K13_NAMES = (
    "Teknik Kendaraan Ringan Otomotif",
    "Otomatisasi dan Tata Kelola Perkantoran",
    "Multimedia",
    "TBSM",
    "Teknik Komputer dan Jaringan",
    "Teknik Pemesinan",
)


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate_demo()


def test_deterministic_for_a_seed() -> None:
    a = generate_demo(seed=11, n_candidates=300, n_vacancies=60)
    b = generate_demo(seed=11, n_candidates=300, n_vacancies=60)
    assert a == b
    c = generate_demo(seed=12, n_candidates=300, n_vacancies=60)
    assert [x.name for x in c.candidates] != [x.name for x in a.candidates]


def test_streamed_candidates_are_the_generated_ones() -> None:
    """The scale benchmark streams a million; they must be the same people generate_demo gives."""
    args = {"seed": 11, "n_schools": 7, "n_candidates": 250, "n_vacancies": 40}
    streamed = stream_demo_candidates(**args)  # type: ignore[arg-type]
    assert list(streamed) == generate_demo(**args).candidates  # type: ignore[arg-type]


def test_parts_draw_from_their_own_streams() -> None:
    small = generate_demo(n_candidates=50, n_vacancies=40)
    large = generate_demo(n_candidates=400, n_vacancies=40)
    assert small.vacancies == large.vacancies


def test_counts_and_speed() -> None:
    start = time.perf_counter()
    data = generate_demo()
    assert time.perf_counter() - start < 3.0
    assert len(data.schools) == 30
    assert len(data.candidates) == 3000
    assert len(data.vacancies) == 300
    assert len({c.id for c in data.candidates}) == 3000
    assert len({v.id for v in data.vacancies}) == 300
    assert set(data.candidate_program) == {c.id for c in data.candidates}
    assert set(data.vacancy_programs) == {v.id for v in data.vacancies}


def test_every_record_validates(demo: DemoData) -> None:
    for c in demo.candidates:
        assert isinstance(c, Candidate)
        assert parse_candidate(c.model_dump()) == c
    for v in demo.vacancies:
        assert isinstance(v, Vacancy)
        assert parse_vacancy(v.model_dump()) == v


def test_truth_uses_spektrum_program_codes(demo: DemoData) -> None:
    with SPEKTRUM.open(encoding="utf-8") as fh:  # the copy shipped inside the package
        codes = {row["program_code"] for row in csv.DictReader(fh)}
    assert {p for p in demo.candidate_program.values() if p} <= codes
    assert {p for ps in demo.vacancy_programs.values() for p in ps} <= codes
    assert all(demo.vacancy_programs.values())
    for s in demo.schools:
        assert set(s.programs) <= codes and 2 <= len(s.programs) <= 5


def test_schools_cover_the_kabupaten(demo: DemoData) -> None:
    kec = {p.code for p in Gazetteer.load().kecamatan_of_serang()}
    assert {s.kecamatan_code for s in demo.schools} == kec
    assert all(re.fullmatch(r"\d{8}", s.id) for s in demo.schools)
    assert all(s.name.startswith("SMK ") for s in demo.schools)
    assert len({s.name for s in demo.schools}) == len(demo.schools)


def test_old_curriculum_names_and_abbreviations(demo: DemoData) -> None:
    majors = {c.major for c in demo.candidates}
    assert any(name in majors for name in K13_NAMES)
    before_2022 = [
        c
        for c in demo.candidates
        if c.graduation_year and c.graduation_year < 2022 and c.education_level == "SMK"
    ]
    assert before_2022
    assert {"TKJ", "AKL"} & majors or {"tkj", "akl"} & majors


def test_minors_and_consent(demo: DemoData) -> None:
    minors = [c for c in demo.candidates if (c.age_on(demo.as_of) or 99) < 18]
    assert len(minors) > 50
    assert all((c.age_on(demo.as_of) or 0) >= 16 for c in minors)
    assert any(c.consent.guardian_consent for c in minors)
    share = sum(c.consent.share_with_employers for c in demo.candidates) / len(demo.candidates)
    assert 0.6 < share < 0.8


def test_non_smk_seekers_and_statuses(demo: DemoData) -> None:
    levels = {c.education_level for c in demo.candidates}
    assert {EducationLevel.SMA, EducationLevel.D3, EducationLevel.S1} <= levels
    statuses = [c.status for c in demo.candidates]
    assert statuses.count("seeking") > len(statuses) / 2
    assert {"employed", "studying", "entrepreneur"} <= set(statuses)


def test_vacancies_exclude_smk_sometimes(demo: DemoData) -> None:
    excluding = [
        v
        for v in demo.vacancies
        if v.education_levels and EducationLevel.SMK not in v.education_levels
    ]
    assert len(excluding) >= 5
    assert any(v.age_max is not None for v in demo.vacancies)
    assert any("semua jurusan" in [m.lower() for m in v.majors] for v in demo.vacancies)
    assert any(v.status == "closed" for v in demo.vacancies)


def test_gender_wording_only_in_text(demo: DemoData) -> None:
    worded = [v for v in demo.vacancies if PROTECTED.search(v.description)]
    assert len(worded) >= 10
    for v in demo.vacancies:
        structured = [v.title, v.employer_name or "", *v.majors, *v.skills]
        assert not any(PROTECTED.search(s) for s in structured), v.id


def test_locations_resolve(demo: DemoData) -> None:
    gaz = Gazetteer.load()
    for c in demo.candidates:
        assert c.location and c.location.kecamatan_code
        if c.education_level == EducationLevel.SMK:
            assert c.location.kecamatan_code.startswith("36.04.")
        assert gaz.resolve(c.location) is not None
    for v in demo.vacancies:
        if v.location is not None:
            assert gaz.resolve(v.location) is not None, v.location


def test_no_real_contact_domains(demo: DemoData) -> None:
    emails = [c.contact.email for c in demo.candidates if c.contact and c.contact.email]
    assert emails and all(e.rsplit("@", 1)[1].startswith("example.") for e in emails)


def test_json_roundtrip(tmp_path: Path) -> None:
    data = generate_demo(n_candidates=120, n_vacancies=30)
    path = tmp_path / "demo.json"
    data.to_json(path)
    assert DemoData.from_json(path) == data
    assert DemoData.load(path) == data


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="n_candidates"):
        generate_demo(n_candidates=-1)
