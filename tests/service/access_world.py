"""The access matrix's world and oracle: principals, records with known owners, who sees what.

The oracle is written from CONTRACT.md's "who sees what", independently of ``service.access``, so
the matrix (test_api_access_matrix.py) checks the service against the contract, not against
itself.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

NIK = "3604015708090001"  # shaped like a Serang NIK (36.04…), invented
NIK_LIKE = re.compile(r"(?<!\w)\d{16}(?!\w)")
TODAY = date.today()
MINOR_BIRTH = (TODAY - timedelta(days=16 * 366)).isoformat()


# -- the world -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Who:
    """A caller: its role and scope, as the key was issued."""

    name: str
    role: str
    school: str | None = None
    employer: str | None = None


PRINCIPALS = (
    Who("admin", "admin"),
    Who("portal_a", "portal"),
    Who("portal_b", "portal"),
    Who("bkk_s1", "bkk", school="S1"),
    Who("bkk_s2", "bkk", school="S2"),
    Who("emp_e1", "employer", employer="E1"),
    Who("emp_e2", "employer", employer="E2"),
)
SCOPED = [p for p in PRINCIPALS if p.role != "admin"]
WHO = {p.name: p for p in PRINCIPALS}


@dataclass(frozen=True)
class Vac:
    id: str
    employer: str
    status: str
    creator: str  # the principal whose key created it (the owner)


@dataclass(frozen=True)
class Cand:
    id: str
    school: str
    share: bool
    guardian: bool | None
    birth: str | None
    creator: str
    name: str

    @property
    def phone(self) -> str:
        digits = int(hashlib.sha256(self.id.encode()).hexdigest(), 16) % 10**8
        return f"0812{digits:08d}"

    @property
    def email(self) -> str:
        return f"{self.id}@contoh.sch.id"

    @property
    def minor_or_unknown(self) -> bool:
        return self.birth is None or self.birth == MINOR_BIRTH


VACANCIES = (
    Vac("v-e1", "E1", "open", "emp_e1"),
    Vac("v-e2", "E2", "open", "emp_e2"),
    Vac("v-e2-closed", "E2", "closed", "portal_b"),
    Vac("v-pa", "E1", "open", "portal_a"),
    Vac("v-pb", "E3", "open", "portal_b"),
)
CANDIDATES = (
    Cand("c-s1-ok", "S1", True, None, "2000-01-15", "bkk_s1", "Siti Rahmawati"),
    Cand("c-s1-no", "S1", False, None, "2000-02-15", "bkk_s1", "Dewi Lestari"),
    Cand("c-s1-minor", "S1", True, None, MINOR_BIRTH, "bkk_s1", "Putri Anggraini"),
    Cand("c-s1-minor-ok", "S1", True, True, MINOR_BIRTH, "bkk_s1", "Rizki Pratama"),
    Cand("c-s1-nodob", "S1", True, None, None, "bkk_s1", "Asep Kurniawan"),
    Cand("c-s2-ok", "S2", True, None, "2001-03-03", "bkk_s2", "Dimas Saputra"),
    Cand("c-s2-no", "S2", False, None, "2001-04-04", "bkk_s2", "Nur Hidayah"),
    Cand("c-s2-minor", "S2", True, False, MINOR_BIRTH, "bkk_s2", "Intan Permata"),
    Cand("c-pa", "S3", False, None, "1999-05-05", "portal_a", "Agus Setiawan"),
    Cand("c-pb", "S3", True, None, "1999-06-06", "portal_b", "Fajar Nugraha"),
    Cand("c-pb-no", "S4", False, None, "1998-07-07", "portal_b", "Ayu Wulandari"),
)
VAC = {v.id: v for v in VACANCIES}
CAND = {c.id: c for c in CANDIDATES}
OWNER_TAG = {"portal_a": "portal:sikeras", "portal_b": "portal:karirhub"}


def vacancy_json(v: Vac, **over: Any) -> dict[str, Any]:
    body = {
        "id": v.id,
        "title": "Operator Las",
        "description": "Dibutuhkan welder: las SMAW, membaca gambar teknik, fabrikasi baja.",
        "employer_id": v.employer,
        "education_levels": ["SMK"],
        "skills": ["las SMAW"],
        "location": {"kecamatan_code": "36.04.15"},
        "status": v.status,
    }
    return {**body, **over}


def candidate_json(c: Cand, **over: Any) -> dict[str, Any]:
    consent: dict[str, Any] = {"share_with_employers": c.share}
    if c.guardian is not None:
        consent["guardian_consent"] = c.guardian
    body: dict[str, Any] = {
        "id": c.id,
        "school_id": c.school,
        "name": c.name,
        "gender": "P",
        "education_level": "SMK",
        "major": "Teknik Pengelasan",
        "skills": ["las SMAW", "gerinda"],
        "location": {"kecamatan_code": "36.04.15"},
        "contact": {"phone": c.phone, "email": c.email},
        "consent": consent,
        "status": "seeking",
    }
    if c.birth is not None:
        body["birth_date"] = c.birth
    return {**body, **over}


# -- the oracle: CONTRACT.md's "who sees what", independent of service.access ------------------
def owns(who: Who, creator: str) -> bool:
    """Portals own what any key with their label created."""
    return who.role == "portal" and OWNER_TAG.get(who.name) == OWNER_TAG.get(creator)


def employer_may_see(c: Cand) -> bool:
    return c.share and (not c.minor_or_unknown or c.guardian is True)


def reads_candidate(who: Who, c: Cand) -> bool:
    return {
        "admin": True,
        "portal": owns(who, c.creator),
        "bkk": c.school == who.school,
        "employer": employer_may_see(c),
    }[who.role]


def keeps_candidate(who: Who, c: Cand) -> bool:
    """The keeper of the record (may change, erase and see it whole, contact included)."""
    return who.role != "employer" and reads_candidate(who, c)


def reads_vacancy(who: Who, v: Vac) -> bool:
    return {
        "admin": True,
        "portal": owns(who, v.creator),
        "bkk": v.status == "open",
        "employer": v.employer == who.employer,
    }[who.role]


def writes_vacancy(who: Who, v: Vac) -> bool:
    return who.role == "admin" or (who.role != "bkk" and reads_vacancy(who, v))


def match_may_name_candidate(who: Who, c: Cand) -> bool:
    """Whom a vacancy's match list may name for this key."""
    if who.role == "portal":
        return owns(who, c.creator) or employer_may_see(c)
    return reads_candidate(who, c)


def match_may_name_vacancy(who: Who, v: Vac) -> bool:
    return v.status == "open" and (who.role != "employer" or v.employer == who.employer)


def may_record_outcome(who: Who, v: Vac, c: Cand) -> bool:
    if who.role == "admin":
        return True
    if who.role == "bkk":
        return c.school == who.school
    if who.role == "employer":
        return v.employer == who.employer and employer_may_see(c)
    return owns(who, c.creator) or (owns(who, v.creator) and employer_may_see(c))


def sees_contact(who: Who, c: Cand) -> bool:
    """Contact details: the record's keeper, or an employer the person consented to."""
    return keeps_candidate(who, c) or (who.role == "employer" and employer_may_see(c))
