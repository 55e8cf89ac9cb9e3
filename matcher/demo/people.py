"""Demo SMK schools and their students and alumni (plus a few SMA/D3/S1 job seekers)."""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from matcher.demo.model import Employer, School
from matcher.demo.tables import Tables
from matcher.geo import Gazetteer, Place, haversine_km
from matcher.records import Candidate, Consent, Contact, Experience, Location

_NON_SMK_SHARE = 0.05
_CURRICULUM_CHANGE_YEAR = 2022  # Kurikulum Merdeka names appear from this graduation year on


def make_schools(rng: random.Random, tables: Tables, gaz: Gazetteer, n: int) -> list[School]:
    """One school per kecamatan first (so all 29 have one), extra ones in the busiest areas."""
    kecamatan = gaz.kecamatan_of_serang()
    area_of: dict[str, str] = tables.world["area_of_kecamatan"]
    order = list(kecamatan)
    rng.shuffle(order)
    busy = [p for p in kecamatan if area_of.get(p.code) in ("industri", "kota")]
    while len(order) < n:
        order.append(rng.choice(busy))
    negeri_count: dict[str, int] = {}
    used_names: set[str] = set()
    used_ids: set[str] = set()
    schools: list[School] = []
    for place in order[:n]:
        area = area_of.get(place.code, "agraris")
        pool: list[str] = tables.world["programs_of_area"][area]
        k = rng.randint(2, min(5, len(pool)))
        # the first programs of each area list are its signature ones: weight them up
        weights = [len(pool) - i for i in range(len(pool))]
        programs: list[str] = []
        while len(programs) < k:
            pick = rng.choices(pool, weights)[0]
            if pick not in programs:
                programs.append(pick)
        negeri = rng.random() < 0.4
        name = _school_name(rng, tables, place.name, negeri, negeri_count, used_names)
        npsn = _unique_digits(rng, "206", 8, used_ids)
        schools.append(
            School(npsn, name, place.code, tuple(programs), "negeri" if negeri else "swasta")
        )
    return schools


def _school_name(
    rng: random.Random,
    tables: Tables,
    kec: str,
    negeri: bool,
    negeri_count: dict[str, int],
    used: set[str],
) -> str:
    for _ in range(50):
        if negeri:
            negeri_count[kec] = negeri_count.get(kec, 0) + 1
            name = f"SMK Negeri {negeri_count[kec]} {kec}"
        else:
            pattern = rng.choice(tables.world["school_names"]["swasta"])
            name = pattern.format(n=rng.randint(1, 3), kec=kec)
        if name not in used:
            used.add(name)
            return name
    raise RuntimeError("could not invent a unique school name")  # pragma: no cover


def _unique_digits(rng: random.Random, prefix: str, length: int, used: set[str]) -> str:
    while True:
        value = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix)))
        if value not in used:
            used.add(value)
            return value


def _nearby(gaz: Gazetteer, places: Sequence[Place]) -> dict[str, list[str]]:
    """For each kecamatan, the three nearest other kecamatan (where schoolmates also live)."""
    out: dict[str, list[str]] = {}
    for p in places:
        dist = sorted(
            (float(haversine_km(p.lat, p.lon, q.lat, q.lon)), q.code)
            for q in places
            if q.code != p.code
        )
        out[p.code] = [code for _, code in dist[:3]]
    return out


class CandidateFactory:
    """Builds candidates one at a time from one seeded ``random.Random``."""

    def __init__(
        self,
        rng: random.Random,
        tables: Tables,
        gaz: Gazetteer,
        as_of: date,
        schools: Sequence[School],
        employers: Sequence[Employer],
    ) -> None:
        self.rng = rng
        self.t = tables
        self.gaz = gaz
        self.as_of = as_of
        self.schools = list(schools)
        # where each program's graduates do PKL and work: employers of the sectors its jobs are in
        fallback = [e.name for e in employers] or ["CV Maju Bersama"]
        self.employers_of: dict[str, list[str]] = {}
        for occ in tables.occupations.values():
            for code in occ["programs"]:
                names = self.employers_of.setdefault(code, [])
                names += [
                    e.name for e in employers if e.sector in occ["sectors"] and e.name not in names
                ]
        for code in tables.programs:
            self.employers_of[code] = self.employers_of.get(code) or fallback
        kec = gaz.kecamatan_of_serang()
        self.nearby = _nearby(gaz, kec)
        self.kec_name = {p.code: p.name for p in kec}
        self.desa = {p.code: [d.name for d in gaz.desa_of(p.code)] for p in kec}
        # class XII in school now graduates next June; alumni go back seven years
        self.current_year = as_of.year + 1 if as_of.month >= 7 else as_of.year
        self.years = list(range(as_of.year - 7, self.current_year + 1))
        self.school_weights = [1.0 + 0.5 * len(s.programs) for s in self.schools]

    def make(self, index: int) -> tuple[Candidate, str | None]:
        """One valid candidate and its true program code."""
        rng = self.rng
        cid = f"C{index + 1:05d}"
        if rng.random() < _NON_SMK_SHARE:
            return self._non_smk(cid)
        school = rng.choices(self.schools, self.school_weights)[0]
        code = rng.choice(school.programs)
        prog = self.t.programs[code]
        weights = [3 + 2 * i for i in range(len(self.years))]
        weights[-1] = weights[-2] // 2  # only part of class XII is registered with the BKK yet
        year = rng.choices(self.years, weights)[0]
        gender = "P" if rng.random() < prog["female_share"] else "L"
        birth = self._birth(year, 18)
        major = self._major(prog, year)
        student = year >= self.current_year and self.as_of < date(year, 6, 15)
        data: dict[str, Any] = {
            "id": cid,
            "school_id": school.id,
            "name": self._name(gender),
            "birth_date": birth,
            "gender": gender,
            "education_level": "SMK",
            "major": major,
            "graduation_year": year,
            "skills": self._skills(prog),
            "certifications": self._certs(prog),
            "experience": self._experience(code, year, student),
            "location": self._location(school.kecamatan_code),
        }
        data["summary"] = self._summary(major, school.name, year, prog, student)
        self._contact_consent_prefs(data, birth)
        data["status"] = self._status(year, data["experience"], student)
        return Candidate(**{k: v for k, v in data.items() if v is not None}), code

    # ------------------------------------------------------------------ parts

    def _birth(self, grad_year: int, age_at_grad: int) -> date:
        rng = self.rng
        start = date(grad_year - age_at_grad - 1, 7, 1)
        jitter = rng.choices([0, -365, 365], [85, 8, 7])[0]
        return start + timedelta(days=rng.randint(0, 364) + jitter)

    def _major(self, prog: dict[str, Any], year: int) -> str:
        rng = self.rng
        old = (
            year < _CURRICULUM_CHANGE_YEAR
            or (year <= _CURRICULUM_CHANGE_YEAR + 2 and rng.random() < 0.7)
            or rng.random() < 0.1
        )
        major: str = rng.choice(prog["k13"] if old else prog["merdeka"])
        r = rng.random()
        if r < 0.08:
            major = major.lower()
        elif r < 0.12:
            major = major.upper()
        return major

    def _name(self, gender: str) -> str:
        rng, names = self.rng, self.t.names
        first = rng.choice(names["male"] if gender == "L" else names["female"])
        parts = [first]
        if rng.random() < 0.35:
            middle = rng.choice(names["middle_male"] if gender == "L" else names["middle_female"])
            if middle != first:
                parts.append(middle)
        if rng.random() < 0.7:
            pool = (
                names["last"]
                if gender == "P"
                else [n for n in names["last"] if n not in names["last_female_only"]]
            )
            parts.append(rng.choice(pool))
        return " ".join(parts)

    def _skills(self, prog: dict[str, Any]) -> list[str]:
        rng = self.rng
        groups = prog["skills"]
        chosen = rng.sample(groups, k=min(len(groups), rng.randint(2, 6)))
        skills = [rng.choice(g) for g in chosen]
        for g in rng.sample(self.t.text["generic_skills"], k=rng.choice([0, 0, 1, 2])):
            skills.append(rng.choice(g))
        return skills

    def _certs(self, prog: dict[str, Any]) -> list[str]:
        rng = self.rng
        certs: list[str] = []
        if rng.random() < 0.45:
            certs += rng.sample(prog["certs"], k=rng.choice([1, 1, 2]))
        if rng.random() < 0.3:
            certs.append(rng.choice(self.t.text["generic_certs"]))
        return certs

    def _experience(self, code: str, year: int, student: bool) -> list[Experience]:
        rng = self.rng
        prog = self.t.programs[code]
        employers = self.employers_of[code]
        items: list[Experience] = []
        if rng.random() < 0.6:
            items.append(
                Experience(
                    title=rng.choice(prog["pkl"]),
                    months=rng.choice([2, 3, 3, 4, 6]),
                    employer=rng.choice(employers),
                )
            )
        months_out = (self.as_of.year - year) * 12 + self.as_of.month - 6
        if not student and months_out >= 6 and rng.random() < 0.55:
            budget = months_out
            for _ in range(rng.choice([1, 1, 2])):
                months = rng.randint(3, max(3, min(budget, 36)))
                budget -= months
                title = rng.choice(prog["jobs"])
                if rng.random() < 0.2:
                    title = f"{title} (kontrak)"
                items.append(Experience(title=title, months=months, employer=rng.choice(employers)))
                if budget < 3:
                    break
        return items

    def _location(self, school_kec: str) -> Location:
        rng = self.rng
        kec = school_kec if rng.random() < 0.65 else rng.choice(self.nearby[school_kec])
        r = rng.random()
        name: str | None = None
        if r < 0.12 and self.desa.get(kec):
            name = f"Desa {rng.choice(self.desa[kec])}, Kec. {self.kec_name[kec]}"
        elif r < 0.2:
            name = f"Kec. {self.kec_name[kec]}"
        elif r < 0.28:
            name = f"{self.kec_name[kec]}, Serang"
        return Location(kecamatan_code=kec, name=name)

    def _summary(
        self, major: str, school: str, year: int, prog: dict[str, Any], student: bool
    ) -> str | None:
        rng, text = self.rng, self.t.text
        if rng.random() < 0.22:
            return None
        openers = [o for o in text["summary_open"] if ("kelas XII" in o) == student] or text[
            "summary_open"
        ]
        parts = [rng.choice(openers).format(major=major, school=school, year=year)]
        phrases = rng.sample(prog["phrases"], k=min(len(prog["phrases"]), rng.randint(1, 2)))
        parts.append(_sentence(", ".join(phrases)))
        parts.append(rng.choice(text["summary_close"]))
        return " ".join(p for p in parts if p)

    def _contact_consent_prefs(self, data: dict[str, Any], birth: date) -> None:
        rng, text = self.rng, self.t.text
        phone = None
        if rng.random() < 0.85:
            phone = rng.choice(text["phone_prefixes"]) + "".join(
                rng.choice("0123456789") for _ in range(rng.choice([7, 8]))
            )
        email = None
        if rng.random() < 0.6:
            handle = ".".join(_ascii(w) for w in data["name"].split()[:2])
            email = f"{handle}{rng.randint(1, 99)}@{rng.choice(text['email_domains'])}"
        if phone or email:
            data["contact"] = Contact(phone=phone, email=email)
        minor = _age(birth, self.as_of) < 18
        share = rng.random() < 0.7
        guardian = (rng.random() < 0.6) if (minor and share) else None
        data["consent"] = Consent(share_with_employers=share, guardian_consent=guardian)
        if rng.random() < 0.55:
            data["max_commute_km"] = float(rng.choice([10, 15, 20, 25, 30, 40]))
        if rng.random() < 0.35:
            data["willing_to_relocate"] = rng.random() < 0.4

    def _status(self, year: int, experience: list[Experience], student: bool) -> str:
        rng = self.rng
        if student:
            return "seeking"
        worked = any(
            not e.title.startswith(("PKL", "Prakerin", "Magang", "Praktek", "Helper mek"))
            for e in experience
        )
        r = rng.random()
        if worked and r < 0.3:
            return "employed"
        if r < 0.05:
            return "studying"
        if r < 0.09:
            return "entrepreneur"
        return "seeking"

    def _non_smk(self, cid: str) -> tuple[Candidate, str | None]:
        rng, text = self.rng, self.t.text
        option = rng.choice(text["non_smk"])
        level = option["level"]
        age_at_grad = {"SMA": 18, "D3": 21, "S1": 22}[level]
        year = rng.randint(self.as_of.year - 6, self.as_of.year - (0 if level == "SMA" else 1))
        gender = rng.choice(["L", "P"])
        kec = rng.choice(list(self.kec_name))
        birth = self._birth(year, age_at_grad)
        data: dict[str, Any] = {
            "id": cid,
            "name": self._name(gender),
            "birth_date": birth,
            "gender": gender,
            "education_level": level,
            "major": rng.choice(option["majors"]),
            "graduation_year": year,
            "location": Location(kecamatan_code=kec),
        }
        program = option["program"]
        if program:
            prog = self.t.programs[program]
            data["skills"] = self._skills(prog)
            data["certifications"] = self._certs(prog)
            data["experience"] = self._experience(program, year, student=False)
            data["summary"] = f"Lulusan {level} {data['major']} tahun {year}. " + _sentence(
                rng.choice(prog["phrases"])
            )
        else:
            data["skills"] = [rng.choice(g) for g in rng.sample(self.t.text["generic_skills"], 3)]
        self._contact_consent_prefs(data, birth)
        data["status"] = self._status(year, data.get("experience", []), False)
        return Candidate(**{k: v for k, v in data.items() if v is not None}), program


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def _ascii(word: str) -> str:
    folded = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", folded.lower()) or "user"


def _age(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
