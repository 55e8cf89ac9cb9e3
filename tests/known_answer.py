"""Small Kabupaten Serang records with a known answer: profile i must match vacancy i."""

from __future__ import annotations

from datetime import date

AS_OF = date(2026, 11, 1)

# (program-ish major as people write it, skills, vacancy title, vacancy description)
PAIRS = [
    (
        "Teknik Las",
        ["las SMAW", "gerinda", "membaca gambar teknik"],
        "Welder",
        "Dibutuhkan welder untuk fabrikasi baja. Mampu las SMAW dan GTAW, membaca gambar teknik.",
    ),
    (
        "AKL",
        ["jurnal umum", "MYOB", "Microsoft Excel"],
        "Staff Akuntansi",
        "Membuat jurnal umum, laporan keuangan, rekonsiliasi bank. Menguasai MYOB dan Excel.",
    ),
    (
        "TKJ",
        ["Mikrotik", "instalasi jaringan LAN", "fiber optik"],
        "Teknisi Jaringan",
        "Instalasi dan perawatan jaringan LAN, konfigurasi router Mikrotik, sambung fiber optik.",
    ),
    (
        "TKRO",
        ["servis mesin mobil", "tune up", "kelistrikan otomotif"],
        "Mekanik Mobil",
        "Bengkel resmi membutuhkan mekanik mobil: servis berkala, tune up, perbaikan kelistrikan.",
    ),
    (
        "Tata Boga",
        ["memasak", "pastry", "food hygiene"],
        "Cook Helper",
        "Restoran hotel membutuhkan cook helper untuk persiapan bahan, memasak dan pastry.",
    ),
    (
        "OTKP",
        ["administrasi", "pengarsipan", "Microsoft Word"],
        "Staff Administrasi",
        "Mengelola surat masuk dan keluar, pengarsipan dokumen, input data administrasi kantor.",
    ),
]


def candidate(i: int, **overrides) -> dict:
    major, skills, _, _ = PAIRS[i % len(PAIRS)]
    record = {
        "id": f"c{i}",
        "school_id": "20600001" if i % 2 == 0 else "20600002",
        "education_level": "SMK",
        "major": major,
        "skills": skills,
        "birth_date": "2006-05-01",
        "gender": "L" if i % 2 else "P",
        "location": {"kecamatan_code": "36.04.15"},
        "consent": {"share_with_employers": True},
    }
    record.update(overrides)
    return record


def vacancy(i: int, **overrides) -> dict:
    _, _, title, description = PAIRS[i % len(PAIRS)]
    record = {
        "id": f"v{i}",
        "title": title,
        "description": description,
        "employer_id": "emp1",
        "location": {"name": "Kibin"},
    }
    record.update(overrides)
    return record
