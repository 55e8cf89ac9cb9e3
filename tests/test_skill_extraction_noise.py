"""Job-ad wording must not read as a skill; the skill phrases it collides with still must.

Stemming joined "gaji" (salary) to "penggajian" (payroll), "kirim" (send an application) to
"pengiriman" (shipping), and "HRD" as the ad's contact to HR administration, so every demo
vacancy "asked for" payroll and shipping, and every candidate showed them as gaps.
"""

from __future__ import annotations

import pytest

from matcher.demo import generate_demo
from matcher.geo import Gazetteer
from matcher.profiles import Profiler
from matcher.taxonomy import Taxonomy


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.load()


@pytest.mark.parametrize(
    "text",
    [
        # salary and benefits
        "Kami menawarkan gaji kompetitif, lembur dibayar dan jenjang karir",
        "Gaji pokok + tunjangan",
        "Gaji sesuai UMK Kab. Serang",
        # applying
        "Kirim berkas lamaran melalui BKK sekolah masing-masing",
        "Kirimkan CV terbaru Anda",
        "Lamaran dikirim paling lambat 30 November",
        "Lampirkan surat lamaran dan surat keterangan sehat",
        # the hiring desk as contact
        "Info lebih lanjut hubungi HRD via WhatsApp",
        "Kirim CV ke HRD",
        "Lamaran ditujukan kepada HRD",
        "Kirim CV dan lamaran ke email rekrutmen kami paling lambat 29 November 2026",
        "Open recruitment",
        # the rest of the usual requirements block
        "Pengalaman minimal 1 tahun, fresh graduate dipersilakan",
        "Bersedia kerja shift dan lembur, sesuai jadwal",
        "Penempatan Cikande",
        "Lulusan SMK semua jurusan",
        "Domisili Kabupaten Serang diutamakan",
        "Program magang 6 bulan",
        "Mendampingi tamu selama tur",
        "Sumber daya yang efisien",
    ],
)
def test_job_ad_wording_names_no_skill(taxonomy: Taxonomy, text: str) -> None:
    assert taxonomy.extract_skills(text) == set()


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("penggajian", "payroll"),
        ("payroll", "payroll"),
        ("menghitung gaji karyawan", "payroll"),
        ("pengiriman barang", "ekspedisi"),
        ("ekspedisi", "ekspedisi"),
        ("admin pengiriman", "ekspedisi"),
        ("rekrutmen", "administrasi_sdm"),
        ("Mengelola proses rekrutmen karyawan", "administrasi_sdm"),
        ("Staff HRD", "administrasi_sdm"),
        ("pengalaman di bidang HRD", "administrasi_sdm"),
        ("personalia", "administrasi_sdm"),
        ("pemrograman", "pemrograman"),
        ("penjadwalan", "agenda"),
        ("surat menyurat", "korespondensi"),
        ("mengelola surat masuk dan keluar", "korespondensi"),
        ("pendamping", "pendampingan_sosial"),
    ],
)
def test_skill_phrases_still_read(taxonomy: Taxonomy, text: str, key: str) -> None:
    assert key in taxonomy.extract_skills(text)


def test_contact_and_skill_in_one_text(taxonomy: Taxonomy) -> None:
    """The hiring desk as contact is dropped without hiding HR work named elsewhere."""
    text = "Dibutuhkan Staff HRD. Tugas: rekrutmen dan absensi. Kirim CV ke HRD."
    assert "administrasi_sdm" in taxonomy.extract_skills(text)
    operator = "Operator Produksi. Gaji UMK. Kirim CV ke HRD. Hubungi HRD via WA."
    assert taxonomy.extract_skills(operator) == {"operator_produksi"}


def test_the_same_rules_on_both_sides(taxonomy: Taxonomy) -> None:
    """A vacancy and a candidate that use the same skill phrase meet on the same key."""
    vacancy = taxonomy.extract_skills("Menguasai penggajian dan pengiriman barang")
    candidate = taxonomy.extract_skills("payroll, ekspedisi")
    assert vacancy == candidate == {"payroll", "ekspedisi"}


def test_demo_operator_vacancies_ask_for_no_office_skills(taxonomy: Taxonomy) -> None:
    """No demo production-operator profile asks for payroll, shipping or HR work."""
    demo = generate_demo(seed=7, n_candidates=0, n_vacancies=300)
    profiler = Profiler(taxonomy, Gazetteer.load())
    operators = [v for v in demo.vacancies if "operator produksi" in v.title.lower()]
    assert len(operators) >= 5, "the demo should hold production-operator vacancies"
    office = {"payroll", "ekspedisi", "administrasi_sdm"}
    for vacancy in operators:
        assert not profiler.vacancy(vacancy).skills & office, vacancy.description
