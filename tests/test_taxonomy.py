"""Taxonomy: programs, aliases, majors, vacancy mapping, skills, similarity."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import numpy as np
import pytest

from matcher.taxonomy import Program, Taxonomy

SPECTRUM = (
    Path(__file__).resolve().parents[1] / "matcher/data/taxonomy/spektrum_smk_konsentrasi.csv"
)
WELDING = "TEKNIK_PENGELASAN_DAN_FABRIKASI_LOGAM"
AKL = "AKUNTANSI_DAN_KEUANGAN_LEMBAGA"


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.load()


def _spectrum_programs() -> dict[str, str]:
    with SPECTRUM.open(encoding="utf-8", newline="") as handle:
        return {row["program_code"]: row["program_keahlian"] for row in csv.DictReader(handle)}


def test_load_is_fast_and_complete() -> None:
    start = time.perf_counter()
    taxonomy = Taxonomy.load()
    assert time.perf_counter() - start < 1.0
    smk = [p for p in taxonomy.programs.values() if p.kind == "smk"]
    fields = [p for p in taxonomy.programs.values() if p.kind == "field"]
    assert len(smk) == 50
    assert len(fields) >= 40
    assert all(code.startswith("FIELD_") for code in (p.code for p in fields))


def test_program_records_are_filled(taxonomy: Taxonomy) -> None:
    for program in taxonomy.programs.values():
        assert isinstance(program, Program)
        assert program.name and program.name_en and program.bidang
        assert program.aliases and program.isco_groups
        assert len(program.skills_id) == len(program.skills_en)
        if program.kind == "smk":
            assert program.konsentrasi
            assert 10 <= len(program.skills_id) <= 30
        assert all(taxonomy.occupations.label(g) for g in program.isco_groups), program.code


@pytest.mark.parametrize(("code", "name"), sorted(_spectrum_programs().items()))
def test_every_program_resolves_from_its_own_name(taxonomy: Taxonomy, code: str, name: str) -> None:
    resolved = taxonomy.resolve_major(name)
    assert resolved and resolved[0] == (code, 1.0)


def test_k13_otomotif_names_resolve_to_the_same_program(taxonomy: Taxonomy) -> None:
    for text in ("TKRO", "Teknik Kendaraan Ringan Otomotif", "Teknik Otomotif"):
        assert taxonomy.resolve_major(text)[0] == ("TEKNIK_OTOMOTIF", 1.0)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("TKRO", "TEKNIK_OTOMOTIF"),
        ("TBSM", "TEKNIK_OTOMOTIF"),
        ("TKJ", "TEKNIK_JARINGAN_KOMPUTER_DAN_TELEKOMUNIKASI"),
        ("TITL", "TEKNIK_KETENAGALISTRIKAN"),
        ("TPM", "TEKNIK_MESIN"),
        ("TGB", "DESAIN_PEMODELAN_DAN_INFORMASI_BANGUNAN"),
        ("KGSP", "TEKNIK_KONSTRUKSI_DAN_PERUMAHAN"),
        ("AKL", AKL),
        ("OTKP", "MANAJEMEN_PERKANTORAN_DAN_LAYANAN_BISNIS"),
        ("BDP", "PEMASARAN"),
        ("RPL", "PENGEMBANGAN_PERANGKAT_LUNAK_DAN_GIM"),
        ("Multimedia", "DESAIN_KOMUNIKASI_VISUAL"),
        ("APHP", "AGRITEKNOLOGI_PENGOLAHAN_HASIL_PERTANIAN"),
        ("ATPH", "AGRIBISNIS_TANAMAN"),
        ("UPW", "USAHA_LAYANAN_PARIWISATA"),
        ("Tata Boga", "KULINER"),
        ("Tata Busana", "BUSANA"),
        ("Akomodasi Perhotelan", "PERHOTELAN"),
        ("Farmasi", "TEKNOLOGI_FARMASI"),
        ("Keperawatan", "LAYANAN_KESEHATAN"),
        ("Teknik Las", WELDING),
        ("Teknik Audio Video", "TEKNIK_ELEKTRONIKA"),
        ("Mekatronika", "TEKNIK_ELEKTRONIKA"),
        ("Kimia Industri", "TEKNIK_KIMIA_INDUSTRI"),
        ("Analis Kimia", "KIMIA_ANALISIS"),
        ("Tata Kecantikan", "KECANTIKAN_DAN_SPA"),
    ],
)
def test_k13_names_resolve(taxonomy: Taxonomy, text: str, code: str) -> None:
    assert taxonomy.resolve_major(text)[0][0] == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("SMK jurusan tkj", "TEKNIK_JARINGAN_KOMPUTER_DAN_TELEKOMUNIKASI"),
        ("Teknik Komputer & Jaringan", "TEKNIK_JARINGAN_KOMPUTER_DAN_TELEKOMUNIKASI"),
        ("Akuntansi Keuangan Lembaga", AKL),
        ("Otomotif (TBSM)", "TEKNIK_OTOMOTIF"),
        ("Akutansi", AKL),
        ("teknik otomotip", "TEKNIK_OTOMOTIF"),
        ("Teknik Otomotif Kendaraan Ringan", "TEKNIK_OTOMOTIF"),
    ],
)
def test_majors_as_people_write_them(taxonomy: Taxonomy, text: str, code: str) -> None:
    resolved = taxonomy.resolve_major(text)
    assert resolved[0][0] == code
    assert resolved[0][1] >= 0.8


def test_semua_jurusan_resolves_to_nothing(taxonomy: Taxonomy) -> None:
    for text in ("semua jurusan", "Semua Jurusan", "jurusan apa saja", "all majors"):
        assert taxonomy.is_any_major(text)
        assert taxonomy.resolve_major(text) == []
    assert taxonomy.resolve_major("") == []
    assert not taxonomy.is_any_major("Teknik Mesin")


def test_higher_education_prefers_study_fields(taxonomy: Taxonomy) -> None:
    assert taxonomy.resolve_major("S1 Akuntansi")[0][0] == "FIELD_AKUNTANSI"
    assert taxonomy.resolve_major("Akuntansi")[0][0] == AKL
    assert taxonomy.resolve_major("Teknik Mesin", level="d3")[0][0] == "FIELD_TEKNIK_MESIN"
    assert taxonomy.resolve_major("S1 Ilmu Hukum")[0][0] == "FIELD_HUKUM"


WELDING_VACANCY = (
    "Dibutuhkan segera Welder untuk proyek fabrikasi di Cikande. Kualifikasi: lulusan SMK, "
    "menguasai las SMAW dan FCAW, mampu membaca gambar teknik, sertifikat las BNSP posisi 3G/6G."
)
ACCOUNTING_VACANCY = (
    "Lowongan Staff Accounting. Kualifikasi: D3/S1 Akuntansi, menguasai MYOB atau Accurate, "
    "memahami PPh 21, jurnal umum dan laporan keuangan, mahir Excel."
)


def test_welding_vacancy_maps_to_welding_not_accounting(taxonomy: Taxonomy) -> None:
    programs = taxonomy.programs_for_text(WELDING_VACANCY)
    assert next(iter(programs)) == WELDING
    assert programs.get(AKL, 0.0) < 0.2


def test_accounting_vacancy_maps_to_accounting_not_welding(taxonomy: Taxonomy) -> None:
    programs = taxonomy.programs_for_text(ACCOUNTING_VACANCY)
    assert max(programs, key=lambda c: (programs[c], c == AKL)) in {AKL, "FIELD_AKUNTANSI"}
    assert programs[AKL] >= 0.8
    assert programs.get(WELDING, 0.0) < 0.2


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (
            "Teknisi jaringan / IT support, instalasi LAN dan fiber optik, mikrotik",
            "TEKNIK_JARINGAN_KOMPUTER_DAN_TELEKOMUNIKASI",
        ),
        (
            "Mekanik sepeda motor untuk bengkel resmi, bisa tune up dan servis berkala",
            "TEKNIK_OTOMOTIF",
        ),
        ("Room attendant hotel bintang 4, pengalaman housekeeping", "PERHOTELAN"),
        ("Cook / juru masak restoran, pengalaman hot kitchen", "KULINER"),
        ("Admin gudang, stock opname, input data barang masuk keluar", "TEKNIK_LOGISTIK"),
        ("Sales canvasser area Serang, SIM C, target penjualan", "PEMASARAN"),
        (
            "Resepsionis dan sekretaris direksi, surat menyurat, kearsipan",
            "MANAJEMEN_PERKANTORAN_DAN_LAYANAN_BISNIS",
        ),
        ("Operator CNC milling, membaca gambar teknik", "TEKNIK_MESIN"),
        ("Teknisi listrik, instalasi panel listrik pabrik", "TEKNIK_KETENAGALISTRIKAN"),
        ("Operator sewing garment, mesin jahit high speed", "BUSANA"),
        ("Graphic designer, Photoshop, CorelDRAW", "DESAIN_KOMUNIKASI_VISUAL"),
        ("Asisten apoteker untuk apotek, pelayanan resep dokter", "TEKNOLOGI_FARMASI"),
        ("Caregiver lansia, merawat pasien di rumah", "LAYANAN_KESEHATAN"),
        (
            "Drafter arsitektur, AutoCAD dan SketchUp, gambar kerja bangunan",
            "DESAIN_PEMODELAN_DAN_INFORMASI_BANGUNAN",
        ),
    ],
)
def test_vacancies_of_every_sector(taxonomy: Taxonomy, text: str, code: str) -> None:
    programs = taxonomy.programs_for_text(text)
    assert next(iter(programs)) == code


def test_programs_for_text_is_normalised_and_pruned(taxonomy: Taxonomy) -> None:
    programs = taxonomy.programs_for_text(WELDING_VACANCY)
    values = list(programs.values())
    assert all(0.0 < v <= 1.0 for v in values)
    assert values == sorted(values, reverse=True)
    assert len(programs) <= 10
    assert taxonomy.programs_for_text("") == {}


def test_semua_jurusan_adds_no_program(taxonomy: Taxonomy) -> None:
    assert taxonomy.programs_for_text("Lulusan SMK semua jurusan") == {}


def test_explicit_major_in_vacancy(taxonomy: Taxonomy) -> None:
    programs = taxonomy.programs_for_text(
        "Operator produksi, lulusan SMK jurusan Teknik Kimia Industri"
    )
    assert next(iter(programs)) == "TEKNIK_KIMIA_INDUSTRI"
    programs = taxonomy.programs_for_text(
        "Dibutuhkan lulusan S1 Teknik Sipil untuk proyek jalan tol"
    )
    assert next(iter(programs)) == "FIELD_TEKNIK_SIPIL"


def test_gender_wording_does_not_change_programs(taxonomy: Taxonomy) -> None:
    pria = taxonomy.programs_for_text("Operator forklift gudang, Pria, SIM B1")
    wanita = taxonomy.programs_for_text("Operator forklift gudang, Wanita, SIM B1")
    assert pria == wanita


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("las listrik", "smaw"),
        ("SMAW", "smaw"),
        ("stick welding", "smaw"),
        ("las TIG", "gtaw"),
        ("ms excel", "excel"),
        ("Microsoft Excel", "excel"),
        ("excel", "excel"),
        ("SIM B1", "sim_b1"),
        ("SIM B-2 umum", "sim_b2"),
        ("SIM A", "sim_a"),
        ("forklift", "forklift"),
        ("K3", "k3"),
        ("AutoCAD", "autocad"),
        ("PLC", "plc"),
        ("PPh 21", "pph21"),
        ("buku besar", "buku_besar"),
    ],
)
def test_extract_skills_canonical_keys(taxonomy: Taxonomy, text: str, key: str) -> None:
    assert key in taxonomy.extract_skills(text)


def test_extract_skills_respects_token_boundaries(taxonomy: Taxonomy) -> None:
    assert "excel" not in taxonomy.extract_skills("excellent communication")
    assert taxonomy.extract_skills("") == set()
    assert len(taxonomy.skills.skills) >= 300


def test_program_similarity(taxonomy: Taxonomy) -> None:
    sim = taxonomy.program_similarity
    assert sim(WELDING, WELDING) == 1.0
    assert 0.5 <= sim("TEKNIK_MESIN", WELDING) <= 0.75
    assert (
        sim("TEKNIK_JARINGAN_KOMPUTER_DAN_TELEKOMUNIKASI", "PENGEMBANGAN_PERANGKAT_LUNAK_DAN_GIM")
        >= 0.5
    )
    assert 0.3 <= sim(AKL, "MANAJEMEN_PERKANTORAN_DAN_LAYANAN_BISNIS") <= 0.7
    assert sim(AKL, WELDING) == 0.0
    assert sim("FIELD_AKUNTANSI", AKL) >= 0.7
    assert sim("KULINER", "PERHOTELAN") > sim("KULINER", "TEKNIK_MESIN")
    assert sim("UNKNOWN", AKL) == 0.0


def test_similarity_matrix_is_symmetric_with_unit_diagonal(taxonomy: Taxonomy) -> None:
    codes, matrix = taxonomy.similarity_matrix()
    assert set(codes) == set(taxonomy.programs)
    assert matrix.shape == (len(codes), len(codes))
    assert np.allclose(matrix, matrix.T)
    assert np.allclose(np.diag(matrix), 1.0)
    assert matrix.min() >= 0.0 and matrix.max() <= 1.0
    i, j = codes.index("TEKNIK_MESIN"), codes.index(WELDING)
    assert matrix[i, j] == pytest.approx(taxonomy.program_similarity("TEKNIK_MESIN", WELDING))


def test_concept_text_is_bilingual(taxonomy: Taxonomy) -> None:
    text = taxonomy.concept_text([WELDING, "UNKNOWN"])
    assert "Welding" in text and "Pengelasan" in text
    assert "SMAW" in text
    assert taxonomy.concept_text([]) == ""


def test_occupation_fit(taxonomy: Taxonomy) -> None:
    assert taxonomy.occupation_fit(WELDING, "7212") == 1.0
    assert taxonomy.occupation_fit(AKL, "3313") == 1.0
    assert taxonomy.occupation_fit(AKL, "7212") == 0.0
    assert taxonomy.occupations.label("7212") == "Welders and flamecutters"


def _konsentrasi() -> list[tuple[str, str]]:
    with SPECTRUM.open(encoding="utf-8", newline="") as handle:
        return [(r["konsentrasi_keahlian"], r["program_code"]) for r in csv.DictReader(handle)]


@pytest.mark.parametrize(("name", "code"), _konsentrasi())
def test_every_konsentrasi_resolves_to_its_program(
    taxonomy: Taxonomy, name: str, code: str
) -> None:
    assert taxonomy.resolve_major(name)[0][0] == code


def test_shipped_tables_only_reference_known_codes(taxonomy: Taxonomy) -> None:
    data = Path(__file__).resolve().parents[1] / "matcher/data/taxonomy"
    known = set(taxonomy.programs)

    def rows(name: str) -> list[dict[str, str]]:
        with (data / name).open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(line for line in handle if not line.startswith("#")))

    for row in rows("program_aliases.csv"):
        assert row["code"] in known, row
    for row in rows("program_relations.csv"):
        assert {row["a"], row["b"]} <= known, row
    for row in rows("occupation_keywords.csv"):
        for target in row["targets"].split(";"):
            assert target.split(":")[0] in known, row
    for row in rows("skills.csv"):
        assert set(row["programs"].split(";")) <= known, row
    for row in rows("study_fields.csv"):
        for target in row["related"].split(";"):
            assert target.split(":")[0] in known, row


def test_protected_wording_never_reaches_taxonomy_scores(taxonomy: Taxonomy) -> None:
    base = "Dibutuhkan kasir minimarket, lulusan SMK, usia maksimal 25 tahun"
    variants = [
        base,
        base + ", pria",
        base + ", wanita berhijab, belum menikah",
    ]
    scrubbed = {
        tuple(taxonomy.programs_for_text(taxonomy.language.scrub_protected(v)).items())
        for v in variants
    }
    assert len(scrubbed) == 1
