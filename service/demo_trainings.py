"""Example trainings for the Kabupaten Serang demo, so ``make demo`` shows training suggestions.

Provider names are invented and marked "(contoh)"; skills are picked from what the demo's
vacancies most often ask for and its people most often lack. Dates are relative to the day the
demo is loaded, so the trainings are always upcoming.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service import trainings
from service.db.models import TrainingRow

#: (provider, kind, title, skills, kecamatan code, starts in days, lasts days, quota)
EXAMPLES: tuple[tuple[str, str, str, str, str, int, int, int], ...] = (
    (
        "BLK Kabupaten Serang (contoh)",
        "BLK",
        "Administrasi Perkantoran dan Penggajian",
        "penggajian, administrasi kepegawaian, korespondensi, kearsipan, Microsoft Office",
        "36.04.09",  # Ciruas
        14,
        60,
        16,
    ),
    (
        "BBPVP Serang (contoh)",
        "BBPLK",
        "Operator Produksi dan 5R Manufaktur",
        "operator produksi, 5S, SOP produksi, K3",
        "36.73.01",  # Kota Serang
        21,
        60,
        32,
    ),
    (
        "BBPVP Serang (contoh)",
        "BBPLK",
        "Membaca Gambar Teknik dan Las SMAW",
        "membaca gambar teknik, las listrik, K3",
        "36.73.01",
        30,
        60,
        16,
    ),
    (
        "LPK Karya Mandiri Cikande (contoh)",
        "LPK",
        "Admin Gudang dan Ekspedisi",
        "ekspedisi, stock opname, operasional gudang, input data",
        "36.04.15",  # Cikande
        7,
        30,
        20,
    ),
    (
        "LPK Bina Boga Kragilan (contoh)",
        "LPK",
        "Tata Boga dan Higiene Sanitasi",
        "memasak, keamanan pangan, operasional dapur",
        "36.04.11",  # Kragilan
        10,
        45,
        15,
    ),
)


def seed(session: Session, today: date) -> int:
    """Add the examples when no training is registered yet; how many were added."""
    if session.scalar(select(func.count()).select_from(TrainingRow)):
        return 0
    now = datetime.now(UTC)
    for provider, kind, title, skills, kecamatan, starts, lasts, quota in EXAMPLES:
        start = today + timedelta(days=starts)
        values, errors = trainings.validate(
            {
                "provider": provider,
                "provider_kind": kind,
                "title": title,
                "skills": skills,
                "kecamatan_code": kecamatan,
                "start_date": start.isoformat(),
                "end_date": (start + timedelta(days=lasts)).isoformat(),
                "quota": str(quota),
            }
        )
        if errors:  # the examples are ours: a wrong one is a bug, not input to report
            raise ValueError(f"demo training {title!r} is invalid: {errors}")
        session.add(TrainingRow(**values, created_at=now, updated_at=now))
    return len(EXAMPLES)
