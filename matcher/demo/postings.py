"""Demo employers (all invented) and their vacancies, written the way Serang postings are.

Structured fields are filled only partly, as portals do; the description carries the rest, including
the wording the engine must never rank on ("Pria, usia maks 25"): that stays in the text only.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from matcher.demo.model import Employer
from matcher.demo.tables import Tables
from matcher.geo import Gazetteer
from matcher.language.months import long_date
from matcher.records import Location, Vacancy

_CORPORATE = (
    "manufaktur",
    "kimia",
    "makanan",
    "garmen",
    "otomotif",
    "logam",
    "konstruksi",
    "galangan",
    "logistik",
    "telekomunikasi",
    "pelayaran",
)
_UMK_SERANG = 4.9  # IDR million per month, the rounded UMK Kabupaten Serang these postings cite
_PROTECTED_SHARE = 0.12
_TYPO_SHARE = 0.25
_PORTALS = ("sikeras", "disnakertrans", "karirhub", "bkk", None)


def make_employers(rng: random.Random, tables: Tables, gaz: Gazetteer, n: int) -> list[Employer]:
    world = tables.world
    sectors = list(world["sector_weights"])
    weights = [world["sector_weights"][s] for s in sectors]
    used: set[str] = set()
    out: list[Employer] = []
    while len(out) < n:
        sector = rng.choices(sectors, weights)[0]
        kec = rng.choice(world["sector_locations"][sector])
        place = gaz.place(kec)
        place_name = place.name if place and kec.startswith("36.04.") else None
        name = _employer_name(rng, tables, sector, place_name)
        if name in used:
            continue
        used.add(name)
        out.append(Employer(f"E{len(out) + 1:03d}", name, sector, kec))
    return out


def _employer_name(rng: random.Random, tables: Tables, sector: str, kec_name: str | None) -> str:
    parts = tables.world["employer_name_parts"]
    place = kec_name if kec_name and rng.random() < 0.5 else rng.choice(parts["place"])
    small = parts["small_business"].get(sector)
    if (
        small
        and (sector not in _CORPORATE)
        and (sector not in ("jasa", "perikanan", "properti") or rng.random() < 0.6)
    ):
        return rng.choice(small).format(p=rng.choice(parts["small_prefix"]), place=place)
    suffix = rng.choice(parts["sector_suffix"].get(sector) or parts["sector_suffix"]["jasa"])
    form = rng.choice(
        ["PT {a} {place} {s}", "PT {a} {s}", "PT {a} {b} {s}", "CV {a} {s}"]
        if sector not in _CORPORATE
        else ["PT {a} {place} {s}", "PT {a} {s}", "PT {a} {b} {s}"]
    )
    a, b = rng.sample(parts["prefix_pt"], 2)
    return form.format(a=a, b=b, place=place, s=suffix)


class VacancyFactory:
    """Builds vacancies one at a time from one seeded ``random.Random``."""

    def __init__(
        self,
        rng: random.Random,
        tables: Tables,
        gaz: Gazetteer,
        as_of: date,
        employers: Sequence[Employer],
    ) -> None:
        self.rng = rng
        self.t = tables
        self.gaz = gaz
        self.as_of = as_of
        self.employers = list(employers)
        self.by_sector: dict[str, list[str]] = {}
        for key, occ in tables.occupations.items():
            for sector in occ["sectors"]:
                self.by_sector.setdefault(sector, []).append(key)
        self.employers = [e for e in self.employers if e.sector in self.by_sector]
        if not self.employers:
            raise ValueError("no demo employer has a sector with occupations")

    def make(self, index: int) -> tuple[Vacancy, str, list[str]]:
        """One valid vacancy, its occupation key and the programs that fit it."""
        rng = self.rng
        emp = rng.choice(self.employers)
        keys = self.by_sector[emp.sector]
        occ_key = rng.choices(keys, [self.t.occupations[k]["weight"] for k in keys])[0]
        occ = self.t.occupations[occ_key]
        title: str = rng.choice(occ["titles"])
        if rng.random() < 0.1:
            title = title.upper()
        place = self.gaz.place(emp.kecamatan_code)
        place_name = place.name if place else "Serang"
        levels: list[str] = rng.choice(occ["education"])
        majors: list[str] = rng.choice(occ["majors"])
        any_major = majors == ["semua jurusan"]
        age_min, age_max = rng.choice(occ["age"])
        exp_years: int = rng.choice(occ["experience"])
        certs = occ["certs"] if occ["certs"] and rng.random() < 0.5 else []
        cert = rng.choice(certs) if certs else None
        smin, smax = occ["salary"]
        salary_min = int(round(rng.uniform(smin, (smin + smax) / 2), 1) * 1_000_000)
        salary_max = int(round(rng.uniform(max(smin, salary_min / 1e6), smax), 1) * 1_000_000)
        salary_max = max(salary_max, salary_min)
        wording = "strict" if rng.random() < 0.2 else "soft"
        deadline = self.as_of + timedelta(days=rng.randint(-20, 60))
        status = "closed" if deadline < self.as_of or rng.random() < 0.04 else "open"

        description = self._description(
            emp=emp,
            title=title,
            place_name=place_name,
            occ=occ,
            levels=levels,
            majors=majors,
            any_major=any_major,
            age=(age_min, age_max),
            exp_years=exp_years,
            cert=cert,
            salary=(salary_min, salary_max),
            deadline=deadline,
            strict=wording == "strict",
        )
        data: dict[str, Any] = {
            "id": f"V{index + 1:04d}",
            "title": title,
            "description": description,
            "employer_id": emp.id,
            "employer_name": emp.name,
            "status": status,
            "source_portal": rng.choice(_PORTALS),
        }
        smk_excluded = bool(levels) and "SMK" not in levels
        if levels and rng.random() < (0.9 if smk_excluded else 0.7):
            data["education_levels"] = levels
        if rng.random() < 0.6:
            data["majors"] = majors
            if wording == "strict" and not any_major and rng.random() < 0.6:
                data["majors_required"] = True
        if rng.random() < 0.5:
            data["skills"] = rng.sample(occ["skills"], k=min(len(occ["skills"]), rng.randint(2, 4)))
            if cert:
                data["skills"].append(cert)
        if exp_years and rng.random() < 0.5:
            data["min_experience_years"] = float(exp_years)
        if age_max is not None and rng.random() < 0.5:
            data["age_max"] = age_max
            if age_min is not None:
                data["age_min"] = age_min
        if rng.random() < 0.4:
            data["salary_min"] = salary_min
            if rng.random() < 0.7:
                data["salary_max"] = salary_max
        data["location"] = self._location(emp, place_name)
        if rng.random() < 0.6:
            big = occ_key in ("operator_produksi", "operator_jahit")
            data["headcount"] = rng.choice([10, 20, 30, 50] if big else [1, 1, 2, 2, 3, 5])
        if rng.random() < 0.7:
            data["deadline"] = deadline
        return (
            Vacancy(**{k: v for k, v in data.items() if v is not None}),
            occ_key,
            list(occ["programs"]),
        )

    # ------------------------------------------------------------------ parts

    def _location(self, emp: Employer, place_name: str) -> Location | None:
        rng = self.rng
        code = emp.kecamatan_code
        in_serang = code.startswith("36.04.")
        r = rng.random()
        if r < 0.45:
            return Location(kecamatan_code=code)
        if r < 0.7:
            if in_serang and code == "36.04.15" and rng.random() < 0.3:
                return Location(name="Kawasan Industri Cikande")
            suffix = "Serang" if in_serang else _kabupaten_short(self.gaz, code)
            return Location(name=f"{place_name}, {suffix}")
        if r < 0.85:
            return Location(kabupaten_code=code[:5], name=place_name)
        if r < 0.95:
            return Location(kecamatan_code=code, name=f"Kec. {place_name}")
        return None

    def _description(
        self,
        *,
        emp: Employer,
        title: str,
        place_name: str,
        occ: dict[str, Any],
        levels: list[str],
        majors: list[str],
        any_major: bool,
        age: tuple[int | None, int | None],
        exp_years: int,
        cert: str | None,
        salary: tuple[int, int],
        deadline: date,
        strict: bool,
    ) -> str:
        rng, text = self.rng, self.t.text
        sector_text = text["sector_text"].get(emp.sector, emp.sector)
        intro = rng.choice(text["intro"]).format(
            employer=emp.name,
            title=title,
            place=place_name,
            place_upper=place_name.upper(),
            sector_text=sector_text,
        )
        bullet = rng.choice(text["bullets"])

        def block(lines: list[str]) -> str:
            return "\n".join(bullet.format(n=i + 1) + line for i, line in enumerate(lines))

        tasks = rng.sample(occ["tasks"], k=min(len(occ["tasks"]), rng.randint(2, 5)))
        quals: list[str] = []
        if levels and rng.random() < 0.85:
            quals.append(_education_line(rng, text, levels))
        if any_major:
            quals.append(rng.choice(text["any_major_line"]))
        elif rng.random() < 0.8:
            lines = (
                text["major_line"]
                if strict
                else [m for m in text["major_line"] if not m.startswith(("Wajib", "Khusus"))]
            )
            quals.append(rng.choice(lines).format(majors=_join(majors)))
        age_min, age_max = age
        if rng.random() < _PROTECTED_SHARE:
            quals.append(rng.choice(text["protected_line"]).format(max=age_max or 25))
        if age_max is not None and rng.random() < 0.8:
            quals.append(rng.choice(text["age_line"]).format(min=age_min or 18, max=age_max))
        elif age_min is not None and rng.random() < 0.5:
            quals.append(rng.choice(text["age_min_only"]).format(min=age_min))
        if exp_years:
            quals.append(rng.choice(text["experience_line"]).format(n=exp_years))
        elif rng.random() < 0.5:
            quals.append(rng.choice(text["fresh_line"]))
        if cert:
            quals.append(rng.choice(text["cert_line"]).format(cert=cert))
        for skill in rng.sample(occ["skills"], k=rng.randint(0, 2)):
            quals.append(rng.choice(text["skill_line"]).format(skill=skill))
        quals += rng.sample(occ["quals"], k=min(len(occ["quals"]), rng.randint(1, 3)))

        parts = [
            intro,
            "",
            title if rng.random() < 0.3 else "",
            rng.choice(text["task_header"]),
            block(tasks),
            "",
            rng.choice(text["qual_header"]),
            block(quals),
            "",
        ]
        if rng.random() < 0.5:
            lo, hi = salary
            parts.append(rng.choice(text["salary_line"]).format(min=_rupiah(lo), max=_rupiah(hi)))
        parts.append(rng.choice(text["benefit"]))
        parts.append(
            rng.choice(text["closing"]).format(employer=emp.name, deadline=long_date(deadline))
        )
        body = "\n".join(p for i, p in enumerate(parts) if p or (i and parts[i - 1]))
        if rng.random() < _TYPO_SHARE:
            body = _typos(rng, text["typos"], body)
        return body.strip()


def _education_line(rng: random.Random, text: dict[str, Any], levels: list[str]) -> str:
    if len(levels) == 1:
        return str(rng.choice(text["education_line"]["one"]).format(levels=levels[0]))
    joined = rng.choice(["/", ", ", " atau "]).join(levels)
    return str(
        rng.choice(text["education_line"]["many"]).format(
            levels=joined, first=levels[0], last=levels[-1]
        )
    )


def _join(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " atau " + items[-1]


def _rupiah(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _kabupaten_short(gaz: Gazetteer, code: str) -> str:
    kab = gaz.place(code[:5])
    if kab is None:
        return "Banten"
    name = kab.name.replace("Kabupaten ", "Kab. ")
    return name


def _typos(rng: random.Random, typos: dict[str, str], body: str) -> str:
    present = [w for w in typos if w in body]
    for word in rng.sample(present, k=min(len(present), rng.randint(1, 2))):
        body = body.replace(word, typos[word], 1)
    return body
