"""Column spec of the BKK spreadsheets: contract field ↔ Indonesian header, type, help, example.

One table serves the importer (which headers mean which field), the template (header row, example
row, the "Petunjuk" sheet) and the docs, so they cannot drift apart.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal

Kind = Literal["candidate", "vacancy"]

# --------------------------------------------------------------------------- column spec
# (field path, value type, template header (Indonesian), other accepted headers, help, example)
# Types: str, int, float, bool, date, list, experience, gender, level, levels, cstatus, vstatus,
# and "place" (a kecamatan/kabupaten code or a name, decided by its shape).
Col = tuple[str, str, str, tuple[str, ...], str, Any]

CANDIDATE_COLUMNS: tuple[Col, ...] = (
    (
        "id",
        "str",
        "id",
        ("id_kandidat", "id_siswa", "kode"),
        "Wajib. ID unik dari BKK/portal.",
        "BKK-20612345-0001",
    ),
    (
        "school_id",
        "str",
        "npsn",
        ("school_id", "id_sekolah", "kode_sekolah"),
        "NPSN sekolah (8 digit) atau ID BKK.",
        "20612345",
    ),
    ("name", "str", "nama", ("nama_lengkap", "nama_siswa"), "Nama lengkap.", "Siti Nurhaliza"),
    (
        "birth_date",
        "date",
        "tanggal_lahir",
        ("tgl_lahir",),
        "YYYY-MM-DD atau DD/MM/YYYY.",
        date(2007, 5, 17),
    ),
    (
        "gender",
        "gender",
        "jenis_kelamin",
        ("jk", "l_p"),
        "L atau P. Hanya untuk laporan, tidak dipakai dalam pencocokan.",
        "P",
    ),
    (
        "education_level",
        "level",
        "pendidikan",
        ("pendidikan_terakhir", "jenjang"),
        "SD SMP SMA SMK D1 D2 D3 D4 S1 S2 S3.",
        "SMK",
    ),
    (
        "major",
        "str",
        "jurusan",
        ("program_keahlian", "kompetensi_keahlian", "konsentrasi_keahlian", "prodi"),
        "Jurusan seperti tertulis (mis. TKRO, AKL, OTKP).",
        "Akuntansi dan Keuangan Lembaga",
    ),
    ("graduation_year", "int", "tahun_lulus", ("lulus", "angkatan_lulus"), "Tahun lulus.", 2025),
    (
        "skills",
        "list",
        "keahlian",
        ("keterampilan", "skill", "skills"),
        "Pisahkan dengan ; atau ,",
        "MS Excel; jurnal umum; MYOB",
    ),
    (
        "certifications",
        "list",
        "sertifikat",
        ("sertifikasi", "certifications"),
        "Pisahkan dengan ; atau ,",
        "Sertifikat Kompetensi BNSP Akuntansi",
    ),
    (
        "experience",
        "experience",
        "pengalaman",
        ("riwayat_kerja",),
        "jabatan|lama (bulan)|perusahaan; pisahkan entri dengan ;",
        "PKL Staff Accounting|3|CV Maju Bersama",
    ),
    (
        "summary",
        "str",
        "ringkasan",
        ("profil", "tentang_saya", "deskripsi_diri"),
        "Ringkasan singkat tentang diri.",
        "Teliti, terbiasa membuat laporan keuangan.",
    ),
    (
        "location.kecamatan_code",
        "str",
        "kode_kecamatan",
        ("kecamatan_code",),
        "Kode Kemendagri, mis. 36.04.15.",
        "36.04.11",
    ),
    (
        "location",
        "place",
        "kecamatan",
        ("domisili", "alamat", "lokasi"),
        "Nama atau kode kecamatan, mis. Kragilan atau 36.04.11.",
        "Kragilan",
    ),
    (
        "location.kabupaten_code",
        "place",
        "kabupaten",
        ("kab_kota", "kabupaten_code"),
        "Kode atau nama kabupaten/kota.",
        "36.04",
    ),
    ("location.lat", "float", "lintang", ("lat", "latitude"), "Opsional.", None),
    ("location.lon", "float", "bujur", ("lon", "lng", "longitude"), "Opsional.", None),
    (
        "max_commute_km",
        "float",
        "jarak_maks_km",
        ("maks_jarak_km", "max_commute_km"),
        "Jarak tempuh maksimal (km).",
        25,
    ),
    (
        "willing_to_relocate",
        "bool",
        "bersedia_pindah",
        ("bersedia_relokasi", "willing_to_relocate"),
        "ya/tidak",
        "tidak",
    ),
    (
        "contact.phone",
        "phone",
        "no_hp",
        ("nomor_hp", "hp", "telepon", "no_wa", "whatsapp"),
        "Nomor HP.",
        "081234567890",
    ),
    ("contact.email", "str", "email", ("e_mail", "surel"), "Alamat email.", "siti.n@example.com"),
    (
        "consent.share_with_employers",
        "bool",
        "bersedia_dibagikan",
        ("persetujuan", "izin_berbagi", "share_with_employers"),
        "ya/tidak: data boleh dibagikan ke perusahaan.",
        "ya",
    ),
    (
        "consent.guardian_consent",
        "bool",
        "izin_wali",
        ("persetujuan_wali", "guardian_consent"),
        "ya/tidak: wajib untuk siswa di bawah 18 tahun.",
        "ya",
    ),
    (
        "status",
        "cstatus",
        "status",
        ("status_kerja",),
        "mencari kerja / bekerja / kuliah / wirausaha.",
        "mencari kerja",
    ),
)

VACANCY_COLUMNS: tuple[Col, ...] = (
    ("id", "str", "id", ("id_lowongan", "kode"), "Wajib. ID unik lowongan.", "LOKER-2026-001"),
    (
        "title",
        "str",
        "judul",
        ("posisi", "jabatan", "nama_lowongan", "title"),
        "Wajib. Nama posisi.",
        "Operator Produksi",
    ),
    (
        "description",
        "str",
        "deskripsi",
        ("deskripsi_pekerjaan", "uraian", "description"),
        "Wajib. Teks lowongan lengkap.",
        "Tanggung jawab: mengoperasikan mesin produksi ...",
    ),
    ("employer_id", "str", "id_perusahaan", ("employer_id",), "ID perusahaan.", "E001"),
    (
        "employer_name",
        "str",
        "perusahaan",
        ("nama_perusahaan", "employer_name"),
        "Nama perusahaan.",
        "PT Contoh Industri",
    ),
    (
        "education_levels",
        "levels",
        "pendidikan",
        ("education_levels", "jenjang"),
        "Jenjang yang diterima, pisahkan dengan ; (kosong = semua).",
        "SMA; SMK",
    ),
    (
        "majors",
        "list",
        "jurusan",
        ("majors",),
        "Jurusan seperti tertulis; boleh 'semua jurusan'.",
        "Teknik Mesin; TKRO",
    ),
    (
        "majors_required",
        "bool",
        "wajib_jurusan",
        ("majors_required",),
        "ya jika hanya jurusan tersebut yang boleh melamar.",
        "tidak",
    ),
    (
        "skills",
        "list",
        "keahlian",
        ("keterampilan", "skills"),
        "Pisahkan dengan ; atau ,",
        "5S; membaca gambar teknik",
    ),
    (
        "min_experience_years",
        "float",
        "pengalaman_min_tahun",
        ("min_pengalaman", "min_experience_years"),
        "Pengalaman minimal (tahun).",
        0,
    ),
    ("age_min", "int", "usia_min", ("age_min",), "Usia minimal.", 18),
    ("age_max", "int", "usia_maks", ("usia_max", "age_max"), "Usia maksimal.", 25),
    (
        "location.kecamatan_code",
        "str",
        "kode_kecamatan",
        ("kecamatan_code",),
        "Kode Kemendagri, mis. 36.04.15.",
        "36.04.15",
    ),
    (
        "location",
        "place",
        "kecamatan",
        ("lokasi", "alamat", "penempatan"),
        "Nama atau kode kecamatan/kota.",
        "Cikande",
    ),
    (
        "location.kabupaten_code",
        "place",
        "kabupaten",
        ("kab_kota", "kabupaten_code"),
        "Kode atau nama kabupaten/kota.",
        "36.04",
    ),
    ("location.lat", "float", "lintang", ("lat", "latitude"), "Opsional.", None),
    ("location.lon", "float", "bujur", ("lon", "lng", "longitude"), "Opsional.", None),
    ("salary_min", "int", "gaji_min", ("salary_min",), "Rupiah per bulan.", 4_900_000),
    ("salary_max", "int", "gaji_maks", ("gaji_max", "salary_max"), "Rupiah per bulan.", 5_300_000),
    (
        "headcount",
        "int",
        "jumlah",
        ("kuota", "jumlah_dibutuhkan", "headcount"),
        "Jumlah orang.",
        10,
    ),
    (
        "deadline",
        "date",
        "batas_lamaran",
        ("tanggal_tutup", "deadline"),
        "YYYY-MM-DD atau DD/MM/YYYY.",
        date(2026, 12, 31),
    ),
    ("status", "vstatus", "status", ("status_lowongan",), "buka / tutup.", "buka"),
    ("source_portal", "str", "sumber", ("source_portal",), "Asal data.", "bkk"),
)

COLUMNS: dict[str, tuple[Col, ...]] = {"candidate": CANDIDATE_COLUMNS, "vacancy": VACANCY_COLUMNS}
REQUIRED: dict[str, tuple[str, ...]] = {
    "candidate": ("id",),
    "vacancy": ("id", "title", "description"),
}


def header_key(name: object) -> str:
    """ "Tanggal Lahir*" / "tanggal-lahir" / "\\ufeffid" → "tanggal_lahir" / "id"."""
    text = str(name if name is not None else "").replace("\ufeff", "").strip().lower()
    text = re.sub(r"\(.*?\)|\*", "", text)
    return re.sub(r"[^0-9a-z.]+", "_", text).strip("_")


def header_map(kind: Kind) -> dict[str, Col]:
    """Every accepted header (normalised) → its column; the contract's own names included."""
    out: dict[str, Col] = {}
    for col in COLUMNS[kind]:
        for name in (col[0], col[2], *col[3]):
            out.setdefault(header_key(name), col)
    return out


def template_header(kind: Kind, field: str) -> str:
    """The Indonesian header the template uses for a contract field."""
    return next((c[2] for c in COLUMNS[kind] if c[0] == field), field)
