"""Words that only look like a skill after stemming, or only name one in the right context.

Sastrawi reduces "ketertarikan" (interest) to "tari" (dance), "menyajikan laporan" (present a
report) to the "saji" of food plating, "mengemudi" (driving) to the "kemudi" of a steering
system and "pengairan" (irrigation) to "air" (any water); and one-word synonyms such as
"gambar", "presentasi", "desain", "budidaya" or "transportasi" are read as one specific skill
wherever they appear, in company names and program names included. Each case here pairs the
wrong reading, which must be gone, with the phrase that should still give the skill.
"""

from __future__ import annotations

import pytest

from matcher.demo import generate_demo
from matcher.geo import Gazetteer
from matcher.language import stem
from matcher.profiles import Profiler
from matcher.taxonomy import Taxonomy


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.load()


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        # Sastrawi joins roots that have nothing in common
        ("menyajikan laporan bulanan", "plating"),
        ("Mampu menyajikan data penjualan", "plating"),
        ("Memiliki ketertarikan pada dunia otomotif", "seni_tari"),
        ("penarikan barang retur", "seni_tari"),
        ("tarikan benang", "seni_tari"),
        ("mengemudi mobil", "chassis"),
        ("mengemudikan truk engkel", "chassis"),
        ("Lulusan Agribisnis Perikanan Air Tawar", "irigasi_tanaman"),
        ("tersedia air minum", "irigasi_tanaman"),
        ("tidak ada gangguan pendengaran", "konseling"),
        ("mampu mendengarkan arahan atasan", "konseling"),
        ("menyalurkan bantuan ke warga", "irigasi"),
        ("mengelas pagar besi", "beton"),
        ("kue kering dan roti", "pengawetan"),
        ("menghias kue ulang tahun", "kriya_logam"),
        ("cinta tanah air", "kadaster"),
        ("alumni Bangkit Academy", "pembangkit"),
        ("pemberian gemuk pada bearing", "sapi_potong"),
        ("minuman dingin", "ac_refrigerasi"),
        # a drawing is not an illustration, a presentation not a slide deck
        ("Merevisi gambar sesuai arahan engineer", "ilustrasi"),
        ("menggambarkan kondisi lapangan", "ilustrasi"),
        ("gambaran umum pekerjaan", "ilustrasi"),
        ("gambar teknik", "ilustrasi"),
        ("presentasi", "powerpoint"),
        ("mempresentasikan hasil kerja", "powerpoint"),
        # one generic word read as one specific skill
        ("Jurusan DPIB", "desain_grafis"),
        ("Lulusan Desain Produksi Busana", "desain_grafis"),
        ("Teknisi Budidaya tambak udang", "budidaya_tanaman"),
        ("PT Lintas Transportasi", "armada"),
        ("PT Bahtera Fiber Nusantara", "serat"),
        ("perusahaan industri makanan dan minuman", "bartender"),
        ("Menerima tamu dan telepon", "voip_telco"),
        ("Menata barang di gudang sesuai FIFO", "display_produk"),
        ("mengisi check sheet produksi", "front_office"),
        ("operator injeksi plastik", "efi"),
        ("operator injeksi", "efi"),
        ("memberikan injeksi kepada pasien", "efi"),
        ("oxy-acetylene cutting", "potong_kain"),
        ("radio komunikasi kapal", "produksi_siaran"),
        ("servis televisi", "produksi_siaran"),
        ("survey pelanggan", "survei_pemetaan"),
        ("tukang kayu", "hasil_hutan"),
        ("siap mengikuti pola kerja shift", "pola"),
        ("menjaga pola makan", "pola"),
    ],
)
def test_wrong_reading_is_gone(taxonomy: Taxonomy, text: str, wrong: str) -> None:
    assert wrong not in taxonomy.extract_skills(text)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("menyajikan makanan", "plating"),
        ("penyajian makanan", "plating"),
        ("menyajikan hidangan sesuai standar", "plating"),
        ("plating dan garnish", "plating"),
        ("seni tari", "seni_tari"),
        ("penari tradisional", "seni_tari"),
        ("mengemudi mobil", "mengemudi"),
        ("mengemudikan truk engkel", "mengemudi"),
        ("perbaikan sistem kemudi", "chassis"),
        ("pengairan tanaman", "irigasi_tanaman"),
        ("penyiraman tanaman", "irigasi_tanaman"),
        ("mendengarkan aktif", "konseling"),
        ("konseling", "konseling"),
        ("saluran irigasi", "irigasi"),
        ("pembesian dan bekisting", "beton"),
        ("pengeringan hasil panen", "pengawetan"),
        ("kue kering dan roti", "pastry"),
        ("perhiasan perak", "kriya_logam"),
        ("pertanahan dan BPN", "kadaster"),
        ("pembangkit listrik", "pembangkit"),
        ("penggemukan sapi", "sapi_potong"),
        ("penghijauan lahan", "konservasi"),
        ("mesin pendingin", "ac_refrigerasi"),
        ("menggambar ilustrasi", "ilustrasi"),
        ("ilustrasi digital", "ilustrasi"),
        ("gambar teknik", "baca_gambar_teknik"),
        ("menggambar teknik", "baca_gambar_teknik"),
        ("membaca gambar kerja", "baca_gambar_teknik"),
        ("membuat presentasi", "powerpoint"),
        ("Microsoft PowerPoint", "powerpoint"),
        ("kemampuan presentasi yang baik", "komunikasi"),
        ("desain grafis", "desain_grafis"),
        ("Membuat desain banner, brosur dan konten media sosial", "desain_grafis"),
        ("budidaya tanaman pangan", "budidaya_tanaman"),
        ("budidaya udang vaname", "budidaya_ikan"),
        ("manajemen armada", "armada"),
        ("serat dan kain", "serat"),
        ("fiber optik", "fiber_optik"),
        ("bartender", "bartender"),
        ("meracik minuman", "bartender"),
        ("menerima telepon", "telepon"),
        ("telekomunikasi dan VoIP", "voip_telco"),
        ("display produk", "display_produk"),
        ("menata produk di rak", "display_produk"),
        ("check in dan check out tamu", "front_office"),
        ("sistem injeksi dan kelistrikan", "efi"),
        ("operator injeksi", "injection_molding"),
        ("memberikan injeksi kepada pasien", "infus"),
        ("potong kain", "potong_kain"),
        ("oxy-acetylene cutting", "las_karbit"),
        ("penyiaran radio", "produksi_siaran"),
        ("stasiun televisi", "produksi_siaran"),
        ("servis televisi", "audio_video"),
        ("survei pemetaan topografi", "survei_pemetaan"),
        ("survey pelanggan", "riset_pasar"),
        ("pengolahan kayu", "hasil_hutan"),
        ("membuat pola busana", "pola"),
        ("pecah pola", "pola"),
        ("pattern making", "pola"),
    ],
)
def test_right_phrase_still_reads(taxonomy: Taxonomy, text: str, key: str) -> None:
    assert key in taxonomy.extract_skills(text)


def test_stems_keep_unrelated_roots_apart() -> None:
    """The override lexicon keeps roots apart that Sastrawi merges."""
    assert stem("ketertarikan") == stem("tertarik") == "tarik"
    assert stem("mengemudi") != stem("kemudi")
    assert stem("pengairan") != stem("air")
    assert stem("pertanahan") != stem("tanah")


def test_demo_drafter_and_logistics_vacancies(taxonomy: Taxonomy) -> None:
    """Demo vacancies read as a teacher would: a drafter draws no illustrations, a transport
    company's office staff manage no fleet, a receptionist runs no telephone exchange."""
    demo = generate_demo(seed=7, n_candidates=0, n_vacancies=300)
    profiler = Profiler(taxonomy, Gazetteer.load())
    drafters = [v for v in demo.vacancies if v.title == "Juru Gambar"]
    assert drafters, "the demo should hold a drafter vacancy"
    for vacancy in drafters:
        assert "ilustrasi" not in profiler.vacancy(vacancy).skills
    transport = [v for v in demo.vacancies if "Transportasi" in v.description]
    assert len(transport) >= 3, "the demo should hold vacancies at transport companies"
    for vacancy in transport:
        assert "armada" not in profiler.vacancy(vacancy).skills, vacancy.title
    phones = [v for v in demo.vacancies if "telepon" in v.description.lower()]
    assert len(phones) >= 5, "the demo should hold vacancies that answer the telephone"
    for vacancy in phones:
        skills = profiler.vacancy(vacancy).skills
        assert "voip_telco" not in skills, vacancy.title
        assert "telepon" in skills, vacancy.title
