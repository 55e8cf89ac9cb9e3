from __future__ import annotations

import numpy as np
import pytest
from known_answer import AS_OF, PAIRS, candidate, vacancy

from matcher.encoder import CachedEncoder, HashingEncoder
from matcher.engine import Matcher
from matcher.errors import NotFittedError, UnknownRecordError
from matcher.held_vectors import HELD_DTYPE


@pytest.fixture
def matcher(encoder, small_records) -> Matcher:
    cands, vacs = small_records
    return Matcher(encoder=encoder).fit(cands, vacs)


def test_profile_i_matches_vacancy_i(matcher) -> None:
    for i in range(len(PAIRS)):
        top = matcher.recommend_candidates(f"v{i}", k=3, as_of=AS_OF)
        assert top[0].candidate_id == f"c{i}", (i, [m.candidate_id for m in top])
        back = matcher.recommend_vacancies(f"c{i}", k=3, as_of=AS_OF)
        assert back[0].vacancy_id == f"v{i}", (i, [m.vacancy_id for m in back])


def test_welder_outranks_accountant_for_a_welding_vacancy(matcher) -> None:
    ranked = [m.candidate_id for m in matcher.recommend_candidates("v0", k=6, as_of=AS_OF)]
    assert ranked.index("c0") < ranked.index("c1")


def test_reasons_are_indonesian_and_name_the_fit(matcher) -> None:
    best = matcher.recommend_candidates("v0", k=1, as_of=AS_OF)[0]
    assert any("Jurusan" in r and "sesuai" in r for r in best.reasons)
    assert 0.0 <= best.score <= 1.0


def test_s1_only_vacancy_never_reaches_an_smk_graduate(encoder) -> None:
    cands = [candidate(1), candidate(7, education_level="S1", major="Akuntansi")]
    vacs = [vacancy(1, id="s1only", education_levels=["S1"])]
    m = Matcher(encoder=encoder).fit(cands, vacs)
    assert [x.candidate_id for x in m.recommend_candidates("s1only", k=10, as_of=AS_OF)] == ["c7"]
    assert m.recommend_vacancies("c1", k=10, as_of=AS_OF) == []
    why = m.explain("c1", "s1only", as_of=AS_OF)
    assert not why.eligible and any("pendidikan" in b.lower() for b in why.blocked_by)


def test_age_limit_in_prose_applies_and_gender_wording_is_flagged_not_filtered(encoder) -> None:
    text = "Dibutuhkan welder. Pria, usia maks 25 tahun. Mampu las SMAW."
    vacs = [vacancy(0, id="pria25", description=text)]
    cands = [
        candidate(0, id="young_p", gender="P", birth_date="2004-01-01"),
        candidate(0, id="young_l", gender="L", birth_date="2004-01-01"),
        candidate(0, id="old", gender="L", birth_date="1990-01-01"),
    ]
    m = Matcher(encoder=encoder).fit(cands, vacs)
    found = m.recommend_candidates("pria25", k=10, as_of=AS_OF)
    assert {x.candidate_id for x in found} == {"young_p", "young_l"}
    assert found[0].score == found[1].score
    assert all(any("pria" in f for f in x.flags) for x in found)
    assert any("maks. 25" in r for r in found[0].reasons)


def test_candidate_limits_and_status_are_hard_filters(encoder) -> None:
    cands = [
        candidate(0, id="near"),
        candidate(0, id="far", location={"name": "Cinangka"}, max_commute_km=5),
        candidate(
            0, id="mover", location={"name": "Cinangka"}, max_commute_km=5, willing_to_relocate=True
        ),
        candidate(0, id="working", status="employed"),
    ]
    vacs = [
        vacancy(0),
        vacancy(0, id="closed", status="closed"),
        vacancy(0, id="expired", deadline="2026-01-01"),
    ]
    m = Matcher(encoder=encoder).fit(cands, vacs)
    ids = {x.candidate_id for x in m.recommend_candidates("v0", k=10, as_of=AS_OF)}
    assert ids == {"near", "mover"}
    assert m.recommend_candidates("closed", k=10, as_of=AS_OF) == []
    assert m.recommend_candidates("expired", k=10, as_of=AS_OF) == []
    assert [x.vacancy_id for x in m.recommend_vacancies("near", k=10, as_of=AS_OF)] == ["v0"]


def test_insisted_majors_filter_but_preferred_majors_do_not(encoder) -> None:
    cands = [candidate(0), candidate(1)]
    strict = vacancy(0, id="strict", majors=["Teknik Pengelasan"], majors_required=True)
    loose = vacancy(0, id="loose", majors=["Teknik Pengelasan"])
    m = Matcher(encoder=encoder).fit(cands, [strict, loose])
    assert {x.candidate_id for x in m.recommend_candidates("strict", k=5, as_of=AS_OF)} == {"c0"}
    assert {x.candidate_id for x in m.recommend_candidates("loose", k=5, as_of=AS_OF)} == {
        "c0",
        "c1",
    }


def test_include_filters_before_k_is_counted(matcher) -> None:
    only_school = matcher.recommend_candidates(
        "v0", k=2, include=lambda c: c.school_id == "20600002", as_of=AS_OF
    )
    assert len(only_school) == 2
    assert all(matcher.candidates_[x.candidate_id].school_id == "20600002" for x in only_school)


def test_updates_and_deletes_take_effect_at_once(matcher) -> None:
    matcher.remove_candidates(["c0"])
    assert "c0" not in {
        x.candidate_id for x in matcher.recommend_candidates("v0", k=6, as_of=AS_OF)
    }
    matcher.upsert_candidates([candidate(0, id="c0b")])
    assert matcher.recommend_candidates("v0", k=1, as_of=AS_OF)[0].candidate_id == "c0b"
    matcher.upsert_vacancies([vacancy(0, status="closed")])
    assert matcher.recommend_candidates("v0", k=5, as_of=AS_OF) == []


def test_errors(encoder, small_records) -> None:
    with pytest.raises(NotFittedError):
        Matcher(encoder=encoder).recommend_candidates("v0")
    m = Matcher(encoder=encoder).fit(*small_records)
    with pytest.raises(UnknownRecordError):
        m.recommend_candidates("nope")
    with pytest.raises(ValueError, match="k must be"):
        m.recommend_candidates("v0", k=0)


def test_snapshot_restores_rankings_without_re_embedding(tmp_path, small_records) -> None:
    m = Matcher(encoder=HashingEncoder(128)).fit(*small_records)
    m.save(tmp_path / "snap", metadata={"last_change_seq": 42})
    fresh = CachedEncoder(HashingEncoder(128))
    restored = Matcher.load(tmp_path / "snap", encoder=fresh)
    assert fresh.calls == 0
    assert restored.manifest_["metadata"]["last_change_seq"] == 42
    for i in range(len(PAIRS)):
        a = m.recommend_candidates(f"v{i}", k=6, as_of=AS_OF)
        b = restored.recommend_candidates(f"v{i}", k=6, as_of=AS_OF)
        assert [(x.candidate_id, x.score) for x in a] == [(x.candidate_id, x.score) for x in b]


def test_vectors_are_held_in_bfloat16_and_the_index_holds_the_same_values(matcher) -> None:
    """The columns hold half-width vectors; the index must be fed the same rounded values, or a
    restart (which rebuilds the index from the columns) would move the dense pool."""
    cols = matcher.candidate_columns_
    assert cols.vectors.dtype == HELD_DTYPE and cols.vectors.itemsize == 2
    ids = list(matcher.candidates_)
    slots = np.asarray([cols.slot_of[i] for i in ids])
    np.testing.assert_array_equal(matcher.candidate_index_.get(ids), cols.vectors_at(slots))
    text = matcher.profiler_.candidate(matcher.candidates_[ids[0]]).text  # profiles drop it
    raw = matcher.encoder_.encode([text])[0]
    assert float(raw @ raw) == pytest.approx(1.0, abs=1e-5)  # a real unit vector
    held = cols.vectors_at(slots[0])
    assert held.dtype == np.float32
    assert np.all(np.abs(held - raw) <= np.abs(raw) * 2**-8)  # bfloat16: 8 bits of mantissa
    assert float(held @ raw) == pytest.approx(1.0, abs=2e-3)


# -- invariants ------------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_FLIPS = {"gender": ["L", "P", None]}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    k=st.integers(min_value=1, max_value=12),
    deleted=st.sets(st.integers(min_value=0, max_value=11), max_size=6),
    which=st.integers(min_value=0, max_value=5),
)
def test_ranking_invariants(encoder, k, deleted, which) -> None:
    cands = [candidate(i) for i in range(12)]
    vacs = [vacancy(i) for i in range(6)]
    m = Matcher(encoder=encoder).fit(cands, vacs)
    m.remove_candidates([f"c{i}" for i in deleted])
    found = m.recommend_candidates(f"v{which}", k=k, as_of=AS_OF)
    scores = [x.score for x in found]
    assert scores == sorted(scores, reverse=True)
    assert len(found) <= k
    ids = {x.candidate_id for x in found}
    assert ids <= set(m.candidates_)
    assert not ids & {f"c{i}" for i in deleted}


def _flip_protected(record: dict, gender: str | None, summary_words: str) -> dict:
    flipped = dict(record, gender=gender)
    flipped["summary"] = f"Lulusan SMK, {summary_words}, siap bekerja shift."
    return flipped


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("L", "pria, muslim, belum menikah"), ("P", "wanita, kristen, sudah menikah")),
        (("P", "perempuan berhijab, lajang"), (None, "laki-laki, hindu, menikah")),
    ],
)
def test_protected_attributes_never_move_a_score(encoder, a, b) -> None:
    base = [candidate(i) for i in range(6)]
    vacs = [vacancy(i) for i in range(6)]
    m1 = Matcher(encoder=encoder).fit([_flip_protected(c, *a) for c in base], vacs)
    m2 = Matcher(encoder=encoder).fit([_flip_protected(c, *b) for c in base], vacs)
    for i in range(6):
        r1 = [(x.candidate_id, x.score) for x in m1.recommend_candidates(f"v{i}", 6, as_of=AS_OF)]
        r2 = [(x.candidate_id, x.score) for x in m2.recommend_candidates(f"v{i}", 6, as_of=AS_OF)]
        assert r1 == r2


# -- the real model --------------------------------------------------------------------------


@pytest.mark.slow
def test_bundled_encoder_separates_welding_from_accounting() -> None:
    cands = [candidate(0, id="welder"), candidate(1, id="accountant")]
    vacs = [vacancy(0, id="weld"), vacancy(1, id="acct")]
    m = Matcher().fit(cands, vacs)
    weld = [x.candidate_id for x in m.recommend_candidates("weld", k=2, as_of=AS_OF)]
    acct = [x.candidate_id for x in m.recommend_candidates("acct", k=2, as_of=AS_OF)]
    assert weld[0] == "welder" and acct[0] == "accountant"
    assert (
        m.explain("welder", "weld").features["dense"]
        > m.explain("accountant", "weld").features["dense"]
    )


def test_embed_ahead_leaves_nothing_to_encode_under_the_callers_lock(small_records) -> None:
    cands, vacs = small_records
    encoder = CachedEncoder(HashingEncoder(128))
    m = Matcher(encoder=encoder).fit(cands[:2], vacs[:2])
    new = [candidate(i, id=f"new{i}") for i in range(4)]
    from matcher.records import parse_candidate

    records = [parse_candidate(r) for r in new]
    m.embed_ahead(candidates=records)
    before = encoder.calls
    m.upsert_candidates(records)
    assert encoder.calls == before
    assert "new0" in m.candidates_
