"""Skill gaps and trainings: hand-built cases whose ranking follows from the inputs, and the
engine's own explanation as the oracle for what "missing" means."""

from __future__ import annotations

import pytest

from matcher.encoder import HashingEncoder
from matcher.engine import Matcher
from matcher.geo import Gazetteer
from matcher.records import Candidate, Location, Vacancy
from matcher.skill_gaps import (
    NEARBY_KM,
    RankedCandidate,
    SkillProfiles,
    Training,
    VacancyDemand,
    VacancyGap,
    is_nearby,
    rank_for_admin,
    read_skills,
    skills_that_open_more,
    suggest_for_candidate,
    vacancy_demand,
)
from matcher.taxonomy import Taxonomy

CIKANDE = Location(kecamatan_code="36.04.15")
KIBIN = Location(kecamatan_code="36.04.16")
CINANGKA = Location(kecamatan_code="36.04.31")
CILEGON = Location(kecamatan_code="36.72.02")


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.load()


@pytest.fixture(scope="module")
def geo() -> Gazetteer:
    return Gazetteer.load()


def vacancy(vid: str, where: Location, headcount: int | None = None) -> Vacancy:
    return Vacancy(
        id=vid, title=f"Lowongan {vid}", description="-", location=where, headcount=headcount
    )


def training(tid: str, skills: set[str], where: Location | None = None) -> Training:
    return Training(tid, f"Pelatihan {tid}", "BLK Contoh", frozenset(skills), where)


def test_typed_skills_resolve_to_the_engines_keys_and_unknown_items_are_kept(
    taxonomy: Taxonomy,
) -> None:
    keys, unknown = read_skills(taxonomy, "las listrik, K3;\nms excel, main catur, SMAW")
    assert keys == ["smaw", "k3", "excel"]  # "las listrik" and "SMAW" are one skill
    assert unknown == ["main catur"]
    assert read_skills(taxonomy, " , ;") == ([], [])


def test_missing_skills_are_the_ones_the_engine_explains_as_missing(
    taxonomy: Taxonomy, geo: Gazetteer
) -> None:
    person = Candidate(
        id="c1",
        education_level="SMK",
        major="Teknik Pengelasan",
        skills=["las SMAW", "gerinda"],
        location=CIKANDE,
    )
    job = Vacancy(
        id="v1",
        title="Operator Las",
        description="Welder: las SMAW, membaca gambar teknik, fabrikasi baja.",
        skills=["las SMAW"],
        location=CIKANDE,
    )
    engine = Matcher(encoder=HashingEncoder(dim=32), taxonomy=taxonomy, gazetteer=geo)
    engine.fit([person], [job])
    reasons = engine.explain("c1", "v1").reasons
    missing = SkillProfiles(taxonomy, geo).missing(person, job)
    assert missing == {"baca_gambar_teknik", "fabrikasi"}
    labels = [taxonomy.skill_label(k) for k in sorted(missing)]  # the engine lists by key
    assert f"Keahlian yang diminta tetapi belum dimiliki: {', '.join(labels)}" in reasons


def test_a_person_gets_the_trainings_that_close_the_gaps_of_nearby_vacancies(
    geo: Gazetteer,
) -> None:
    # preconditions the expected answer rests on: Kibin is near Cikande, Cinangka is not
    assert (geo.distance_km(CIKANDE, KIBIN) or 99) <= NEARBY_KM
    assert (geo.distance_km(CIKANDE, CINANGKA) or 0) > NEARBY_KM
    gaps = [
        VacancyGap(vacancy("v-here", CIKANDE), 0.8, frozenset({"baca_gambar_teknik", "fabrikasi"})),
        VacancyGap(vacancy("v-near", KIBIN), 0.6, frozenset({"baca_gambar_teknik"})),
        VacancyGap(vacancy("v-far", CINANGKA), 0.9, frozenset({"excel"})),
        VacancyGap(vacancy("v-none", CIKANDE), 0.95, frozenset()),
    ]
    offered = [
        training("t-gambar", {"baca_gambar_teknik"}),  # 0.8 × 1/2 + 0.6 × 1/1 = 1.0
        training("t-fab", {"fabrikasi", "baca_gambar_teknik", "k3"}),  # 0.8 × 2/2 + 0.6 = 1.4
        training("t-excel", {"excel"}),  # only the far vacancy misses Excel
        training("t-smaw", {"smaw"}),  # missing nowhere
    ]
    found = suggest_for_candidate(CIKANDE, gaps, offered, geo, k=5)
    assert [s.training.id for s in found] == ["t-fab", "t-gambar"]
    assert [s.weight for s in found] == [pytest.approx(1.4), pytest.approx(1.0)]
    # the skills it teaches that are missing, the most often missing first; never "k3"
    assert found[0].skills == ("baca_gambar_teknik", "fabrikasi")
    assert found[0].vacancy_ids == ("v-here", "v-near")
    assert suggest_for_candidate(CIKANDE, gaps, offered, geo, k=1)[0].training.id == "t-fab"
    # a wider radius brings the far vacancy, and so the Excel course, in
    wide = suggest_for_candidate(CIKANDE, gaps, offered, geo, nearby_km=200, k=5)
    assert "t-excel" in [s.training.id for s in wide]
    with pytest.raises(ValueError, match="k must be"):
        suggest_for_candidate(CIKANDE, gaps, offered, geo, k=0)


def test_the_skills_that_open_more_are_those_missing_at_most_nearby_vacancies(
    geo: Gazetteer,
) -> None:
    gaps = [
        VacancyGap(vacancy("v-here", CIKANDE), 0.8, frozenset({"baca_gambar_teknik", "fabrikasi"})),
        VacancyGap(vacancy("v-near", KIBIN), 0.6, frozenset({"baca_gambar_teknik", "k3"})),
        VacancyGap(vacancy("v-far", CINANGKA), 0.9, frozenset({"excel"})),
    ]
    # drawing is missing at two nearby vacancies; fabrication (0.8) outranks K3 (0.6) on fit;
    # Excel is missing only far away
    assert skills_that_open_more(CIKANDE, gaps, geo) == [
        ("baca_gambar_teknik", 2),
        ("fabrikasi", 1),
        ("k3", 1),
    ]
    assert skills_that_open_more(CIKANDE, gaps, geo, k=1) == [("baca_gambar_teknik", 2)]
    assert ("excel", 1) in skills_that_open_more(CIKANDE, gaps, geo, nearby_km=200)


def test_between_equal_trainings_the_nearer_one_comes_first(geo: Gazetteer) -> None:
    gaps = [VacancyGap(vacancy("v", CIKANDE), 0.7, frozenset({"excel"}))]
    offered = [training("a-cilegon", {"excel"}, CILEGON), training("b-kibin", {"excel"}, KIBIN)]
    found = suggest_for_candidate(CIKANDE, gaps, offered, geo)
    assert [s.training.id for s in found] == ["b-kibin", "a-cilegon"]
    assert found[0].distance_km is not None and found[1].distance_km is not None
    assert found[0].distance_km < found[1].distance_km


def test_nearby_means_same_kecamatan_or_within_the_radius(geo: Gazetteer) -> None:
    assert is_nearby(geo, CIKANDE, CIKANDE, 0.0)
    assert is_nearby(geo, CIKANDE, KIBIN, NEARBY_KM)
    assert not is_nearby(geo, CIKANDE, CINANGKA, NEARBY_KM)
    assert is_nearby(geo, None, CINANGKA, NEARBY_KM)  # unknown: the engine's commute limit rules


def test_a_vacancy_is_unfilled_when_fewer_fit_than_its_openings() -> None:
    # its short skills are those most of its ranked candidates lack, fitting or not
    job = vacancy("v", CIKANDE, headcount=3)
    asks = frozenset({"smaw", "baca_gambar_teknik", "k3", "excel"})
    ranked = [
        RankedCandidate(0.9, frozenset()),
        RankedCandidate(0.7, frozenset({"baca_gambar_teknik", "excel"})),
        RankedCandidate(0.5, frozenset({"baca_gambar_teknik", "k3"})),
        RankedCandidate(0.4, frozenset({"baca_gambar_teknik", "k3"})),
        RankedCandidate(0.3, frozenset({"k3", "smaw", "gerinda"})),  # gerinda is not asked for
    ]
    demand = vacancy_demand(job, asks, ranked, fit_score=0.6)
    assert (demand.openings, demand.fitting, demand.short_by) == (3, 2, 1)
    assert demand.unfilled
    # of 5 ranked: baca_gambar_teknik 3, k3 3, excel 1, smaw 1 lack it → at least half is 2.5
    assert demand.short_skills == {"baca_gambar_teknik", "k3"}

    nobody = vacancy_demand(job, asks, [], fit_score=0.6)
    assert nobody.unfilled and nobody.short_skills == asks and nobody.short_by == 3
    filled = vacancy_demand(vacancy("w", CIKANDE), asks, ranked[:1], fit_score=0.6)
    assert not filled.unfilled and filled.short_skills == frozenset()


def test_the_admin_ranking_counts_unfilled_vacancies_a_training_would_help() -> None:
    def demand(vid: str, openings: int, fitting: int, short: set[str]) -> VacancyDemand:
        return VacancyDemand(vid, openings, fitting, frozenset(short))

    demands = [
        demand("d1", 2, 1, {"baca_gambar_teknik"}),  # short by 1
        demand("d2", 3, 1, {"baca_gambar_teknik", "excel"}),  # short by 2
        demand("d3", 5, 1, {"excel"}),  # short by 4
        demand("d4", 1, 1, {"smaw"}),  # filled: teaching SMAW opens nothing
        demand("d5", 2, 0, {"k3"}),  # short by 2
    ]
    offered = [
        training("t-gambar", {"baca_gambar_teknik"}),  # d1, d2: 2 vacancies, 3 people
        training("t-excel", {"excel"}),  # d2, d3: 2 vacancies, 6 people
        training("t-k3", {"k3"}),  # d5: 1 vacancy
        training("t-smaw", {"smaw"}),  # only the filled d4
    ]
    ranking = rank_for_admin(demands, offered)
    assert [t.training.id for t in ranking] == ["t-excel", "t-gambar", "t-k3"]
    assert [(t.vacancy_ids, t.short_by) for t in ranking] == [
        (("d2", "d3"), 6),
        (("d1", "d2"), 3),
        (("d5",), 2),
    ]
    assert [t.training.id for t in rank_for_admin(demands, offered, k=1)] == ["t-excel"]


def test_skill_sets_read_from_a_fitted_engine_equal_those_derived_afresh(
    taxonomy: Taxonomy, geo: Gazetteer
) -> None:
    person = Candidate(id="c1", skills=["las listrik", "ms excel"], location=CIKANDE)
    job = Vacancy(id="v1", title="Admin Gudang", description="Stock opname, input data, Excel.")
    engine = Matcher(encoder=HashingEncoder(dim=32), taxonomy=taxonomy, gazetteer=geo)
    engine.fit([person], [job])
    from_engine = SkillProfiles(taxonomy, geo, engine)
    fresh = SkillProfiles(taxonomy, geo)
    wanted = {"gudang", "stock_opname", "data_entry"}  # "Gudang" in the title counts too
    assert from_engine.missing(person, job) == fresh.missing(person, job) == wanted
    # a record that changed since the engine saw it is derived again, not read stale
    changed = person.model_copy(update={"skills": ["stock opname", "input data", "gudang"]})
    assert SkillProfiles(taxonomy, geo, engine).missing(changed, job) == {"excel"}
