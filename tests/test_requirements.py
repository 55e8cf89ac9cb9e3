import pytest

from matcher.records import EducationLevel
from matcher.requirements import levels_from_minimum, read_requirements


@pytest.mark.parametrize(
    ("text", "age_min", "age_max"),
    [
        ("Pria, usia maks 25", None, 25),
        ("Usia 18 - 30 tahun", 18, 30),
        ("Usia maksimal 27 tahun", None, 27),
        ("Maksimal usia 35 th", None, 35),
        ("Umur: 18-25 thn", 18, 25),
        ("Usia minimal 20 tahun", 20, None),
        ("Gaji 25 juta, pengalaman minimal 2 tahun", None, None),
    ],
)
def test_age_limits_read_from_prose(text, age_min, age_max) -> None:
    stated = read_requirements(text)
    assert (stated.age_min, stated.age_max) == (age_min, age_max)


def test_minimum_education_and_major_wording() -> None:
    assert read_requirements("Pendidikan minimal S1 Teknik").education_min == EducationLevel.S1
    assert read_requirements("Minimal SMA/SMK sederajat").education_min == EducationLevel.SMA
    assert read_requirements("Wajib jurusan Teknik Mesin").majors_insisted
    assert not read_requirements("Diutamakan jurusan Teknik Mesin").majors_insisted


def test_minimum_admits_higher_levels_and_peers() -> None:
    levels = levels_from_minimum(EducationLevel.SMA)
    assert EducationLevel.SMK in levels and EducationLevel.D3 in levels
    assert EducationLevel.SMP not in levels
