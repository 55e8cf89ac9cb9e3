"""What the labour office (Disnakertrans) admin dashboard shows: placements and unmet demand.

Placements count people: a person hired counts once per breakdown (once per month in the time
series), as ``workspace.placements_this_month`` counts them. Vacancies with too few fitting
candidates come from the engine's own ranking and its own missing-skill explanations, so the
dashboard says nothing the vacancy page would not.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache

from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matcher.errors import UnknownRecordError
from matcher.language.months import month_year
from matcher.reasons import PairFacts, explain_pair
from matcher.records import Vacancy
from matcher.skill_gaps import FIT_SCORE
from service import access
from service.auth import Principal
from service.db import repository
from service.db.models import CandidateRow, OutcomeRow, VacancyRow
from service.engine_gateway import EngineGateway
from service.web.charts import Series, bar_chart, column_chart
from service.web.sessions import as_utc
from service.web.workspace import gazetteer, program_of, split_reasons

UNKNOWN = "Tidak diketahui"
#: the time series covers this many calendar months, the current one included
MONTHS_SHOWN = 12
#: a candidate *fits* a vacancy when the engine ranks them in its top list (at least this deep,
#: deeper when the vacancy needs more people) with a score of at least ``FIT_SCORE``, the
#: threshold the training suggestions use (measured there on the demo data), so both pages call
#: the same vacancies unfilled. With the default scorer a candidate whose program does not fit
#: reaches it only if every other signal is perfect: program fit carries 0.40 of the weight
FIT_DEPTH = 20
#: the engine answers at most this many per query (``Settings.k_max``'s ceiling)
FIT_DEPTH_MAX = 100
#: open vacancies examined per page view (most recently changed first), so the page stays fast;
#: each costs one engine query
EXAMINED_MAX = 40
#: missing skills named per vacancy
SKILLS_SHOWN = 3

Bars = list[tuple[str, float, float]]


@dataclass
class ThinVacancy:
    """An open vacancy with fewer fitting candidates than people it needs."""

    id: str
    title: str
    employer: str
    headcount: int
    fitting: int
    missing_skills: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class ThinReport:
    vacancies: list[ThinVacancy]
    examined: int
    open_total: int

    @property
    def cut(self) -> bool:
        return self.examined < self.open_total


def placements(session: Session, now: datetime | None = None) -> dict[str, Bars]:
    """Placements (hired) by month, kecamatan, school and program; demand vs supply by program."""
    hired = select(OutcomeRow.candidate_id).where(OutcomeRow.status == "hired").distinct()
    people = session.execute(
        select(CandidateRow.kecamatan_code, CandidateRow.major).where(CandidateRow.id.in_(hired))
    ).all()
    by_kec: Counter[str] = Counter()
    by_prog: Counter[str] = Counter()
    geo = gazetteer()
    for code, major in people:
        place = geo.place(code) if code else None
        by_kec[place.name if place else UNKNOWN] += 1
        by_prog[program_of(major) or UNKNOWN] += 1
    by_school = session.execute(
        select(OutcomeRow.school_id, func.count(func.distinct(OutcomeRow.candidate_id)))
        .where(OutcomeRow.status == "hired")
        .group_by(OutcomeRow.school_id)
    ).all()
    schools: Counter[str] = Counter({(s or UNKNOWN): int(n) for s, n in by_school})
    return {
        "month": placements_by_month(session, now or datetime.now(UTC)),
        "kecamatan": [(k, float(v), 0.0) for k, v in by_kec.most_common(15)],
        "school": [(k, float(v), 0.0) for k, v in schools.most_common(15)],
        "program": [(k, float(v), 0.0) for k, v in by_prog.most_common(15)],
        "demand_supply": demand_supply(session),
    }


def month_label(year: int, month: int) -> str:
    return month_year(year, month, short=True)


def placements_by_month(session: Session, now: datetime) -> Bars:
    """People hired in each of the last ``MONTHS_SHOWN`` months, oldest first, zeros kept."""
    months = []
    year, month = now.year, now.month
    for _ in range(MONTHS_SHOWN):
        months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    months.reverse()
    start = datetime(*months[0], 1, tzinfo=UTC)
    rows = session.execute(
        select(OutcomeRow.candidate_id, OutcomeRow.at).where(
            OutcomeRow.status == "hired", OutcomeRow.at >= start
        )
    ).all()
    seen: set[tuple[tuple[int, int], str]] = set()
    for candidate_id, at in rows:
        when = as_utc(at)
        seen.add(((when.year, when.month), candidate_id))
    counts = Counter(key for key, _ in seen)
    return [(month_label(y, m), float(counts[(y, m)]), 0.0) for y, m in months]


def demand_supply(session: Session) -> Bars:
    """People asked for by open vacancies against people seeking work, per program."""
    demand: Counter[str] = Counter()
    for (data,) in session.execute(select(VacancyRow.data).where(VacancyRow.status == "open")):
        vac = Vacancy.model_validate(data)
        programs = {program_of(m) for m in vac.majors} - {None}
        for name in programs:
            demand[str(name)] += vac.headcount or 1
    supply: Counter[str] = Counter()
    stmt = (
        select(CandidateRow.major, func.count())
        .where(CandidateRow.status == "seeking")
        .group_by(CandidateRow.major)
    )
    for major, n in session.execute(stmt):
        supply[program_of(major) or UNKNOWN] += int(n)
    top = [name for name, _ in (demand + supply).most_common(12)]
    return [(k, float(demand[k]), float(supply[k])) for k in top]


def thin_vacancies(
    gateway: EngineGateway, session: Session, p: Principal, limit: int = EXAMINED_MAX
) -> ThinReport:
    """Open vacancies (the ``limit`` most recently changed) with fewer fitters than headcount.

    One engine query per vacancy, deep enough for its headcount; the skills named are those the
    engine's explanations most often say its top candidates lack.
    """
    today = repository.today()
    scope = (VacancyRow.status == "open", access.vacancy_scope(p))
    open_total = int(
        session.scalar(select(func.count()).select_from(VacancyRow).where(*scope)) or 0
    )
    rows = session.scalars(
        select(VacancyRow)
        .where(*scope)
        .order_by(VacancyRow.updated_at.desc(), VacancyRow.id)
        .limit(limit)
    ).all()
    vacancies = [Vacancy.model_validate(r.data) for r in rows]
    session.commit()  # end the read transaction before waiting on the engine (see matching)
    include = access.include_candidates(p, today)
    found: list[ThinVacancy] = []
    for vac in vacancies:
        need = vac.headcount or 1
        depth = min(max(FIT_DEPTH, need), FIT_DEPTH_MAX)
        try:
            matches = gateway.recommend_candidates(vac.id, depth, include=include, as_of=today)
        except UnknownRecordError:  # stored, not yet in the engine (the next sync adds it)
            continue
        fitting = sum(1 for m in matches if float(m.score) >= FIT_SCORE)
        if fitting >= need:
            continue
        missing: Counter[str] = Counter()
        for m in matches:
            missing.update(set(missing_skills(m.reasons)))
        found.append(
            ThinVacancy(
                id=vac.id,
                title=vac.title,
                employer=vac.employer_name or vac.employer_id or "",
                headcount=need,
                fitting=fitting,
                missing_skills=missing.most_common(SKILLS_SHOWN),
            )
        )
    found.sort(key=lambda t: (t.fitting - t.headcount, t.id))
    return ThinReport(found, len(vacancies), open_total)


def missing_skills(reasons: Sequence[str]) -> list[str]:
    """The skills named by the engine's "asked for but missing" reason among ``reasons``."""
    head, tail = _missing_frame()
    skills: list[str] = []
    for gap in split_reasons(list(reasons))[1]:
        if gap.startswith(head) and gap.endswith(tail):
            listed = gap[len(head) : len(gap) - len(tail)]
            # labels may hold commas inside brackets: "alat ukur (jangka sorong, mikrometer)"
            skills.extend(s.strip() for s in re.split(r",\s*(?![^()]*\))", listed) if s.strip())
    return skills


_PROBE = "\x00"


@cache
def _missing_frame() -> tuple[str, str]:
    """The text around the skill list in the engine's missing-skill reason.

    Learnt from ``explain_pair`` itself rather than copied, so rewording the engine's sentence
    cannot silently empty this list.
    """
    facts = PairFacts(
        features={"program_fit": 1.0},
        candidate_major=None,
        candidate_program=None,
        vacancy_program=None,
        vacancy_has_programs=False,
        matched_skills=(),
        missing_skills=(_PROBE,),
        distance_km=0.0,
        experience_months=0,
        required_experience_months=0,
        age_limit=None,
        age_known=True,
        education_known=True,
    )
    sentence = next(r for r in explain_pair(facts) if _PROBE in r)
    head, _, tail = sentence.partition(_PROBE)
    return head, tail


def charts_for(report: dict[str, Bars]) -> dict[str, Markup]:
    """The admin dashboard's charts, each with a sentence saying what it counts."""

    def bars(key: str, title: str, names: tuple[str, ...]) -> Markup:
        rows = report[key]
        series = [Series(name, [(r[1], r[2])[i] for r in rows]) for i, name in enumerate(names)]
        return bar_chart(title, [r[0] for r in rows], series)

    months = report["month"]
    total = sum(r[1] for r in months)
    span = f"{months[0][0]} sampai {months[-1][0]}" if months else ""
    return {
        "by_month": column_chart(
            "Penempatan per bulan",
            [r[0] for r in months],
            [r[1] for r in months],
            f"Jumlah orang diterima kerja per bulan, {span}; seluruhnya {total:g} orang.",
        ),
        "by_kecamatan": bars("kecamatan", "Penempatan per kecamatan", ("Diterima",)),
        "by_school": bars("school", "Penempatan per sekolah (NPSN)", ("Diterima",)),
        "by_program": bars("program", "Penempatan per program keahlian", ("Diterima",)),
        "demand_supply": bars(
            "demand_supply",
            "Permintaan dan pasokan per program",
            ("Lowongan (orang)", "Pencari kerja"),
        ),
    }
