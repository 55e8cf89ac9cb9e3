"""A snapshot with derived state loads into exactly the engine that was saved.

The matcher is fitted, then changed (records replaced, removed and added, so slots are reused,
BM25 holds dead main rows and a delta), saved and loaded. The loaded engine must answer every
query with the same ids, order, scores, reasons and features, and hold the same internal state;
an older snapshot without the derived files (or one whose files are damaged or were derived by
other code) must still load, by recomputing.
"""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from matcher import snapshot_state
from matcher.demo import generate_demo
from matcher.encoder import CachedEncoder, HashingEncoder
from matcher.engine import Matcher
from matcher.profiles import Profiler

AS_OF = date(2026, 11, 1)


@pytest.fixture(scope="module")
def changed_matcher() -> Matcher:
    demo = generate_demo(n_candidates=900, n_vacancies=120, as_of=AS_OF)
    cands = [c.model_dump(mode="json") for c in demo.candidates]
    vacs = [v.model_dump(mode="json") for v in demo.vacancies]
    m = Matcher(encoder=HashingEncoder(64)).fit(cands[:700], vacs[:100])
    m.recommend_candidates(vacs[0]["id"], k=5, as_of=AS_OF)  # folds BM25 into a main matrix
    m.remove_candidates([c["id"] for c in cands[10:60]])
    m.remove_vacancies([v["id"] for v in vacs[5:12]])
    changed = [{**c, "skills": [*c.get("skills", []), "Microsoft Excel"]} for c in cands[100:130]]
    m.upsert_candidates(changed)
    m.upsert_candidates(cands[700:])  # reuses freed slots, then grows
    m.upsert_vacancies(vacs[100:])
    m.recommend_vacancies(cands[0]["id"], k=5, as_of=AS_OF)
    m.remove_candidates([c["id"] for c in cands[200:210]])  # dead rows after the last refresh
    return m


def _answers(m: Matcher) -> list[object]:
    cids, vids = list(m.candidates_)[::37], list(m.vacancies_)[::7]
    out: list[object] = []
    for vid in vids:
        out.append(m.recommend_candidates(vid, k=15, as_of=AS_OF))
        out.append(m.recommend_candidates(vid, k=5, as_of=AS_OF, include=lambda c: c.id < "c5"))
    for cid in cids:
        out.append(m.recommend_vacancies(cid, k=10, as_of=AS_OF))
    for cid, vid in zip(cids, vids, strict=False):
        out.append(m.explain(cid, vid, as_of=AS_OF))
    return out


def _assert_same_state(a: Matcher, b: Matcher) -> None:
    assert list(a.candidates_.items()) == list(b.candidates_.items())
    assert list(a.vacancies_.items()) == list(b.vacancies_.items())
    assert list(a.candidate_profiles_.items()) == list(b.candidate_profiles_.items())
    assert list(a.vacancy_profiles_.items()) == list(b.vacancy_profiles_.items())
    for side in ("candidate", "vacancy"):
        ca, cb = getattr(a, f"{side}_columns_"), getattr(b, f"{side}_columns_")
        assert (ca.ids, ca.slot_of, ca._free, ca.skills) == (
            cb.ids,
            cb.slot_of,
            cb._free,
            cb.skills,
        )
        assert ca.capacity == cb.capacity
        alive = ca.alive_slots()
        for name, array in ca.arrays.items():
            rows = alive if name == "vectors" else slice(0, ca.size)  # dead rows keep old vectors
            np.testing.assert_array_equal(array[rows], cb.arrays[name][rows], err_msg=name)
        la, lb = getattr(a, f"{side}_lexical_"), getattr(b, f"{side}_lexical_")
        la._refresh(), lb._refresh()
        assert la.vocabulary_ == lb.vocabulary_
        assert list(la._docs) == list(lb._docs)
        assert la._docs == lb._docs  # each document's int32 term ids and counts, as bytes
        assert (la._total_len, la._avgdl) == (lb._total_len, lb._avgdl)
        np.testing.assert_array_equal(la._main_alive, lb._main_alive)
        assert list(la._delta_slots) == list(lb._delta_slots)
        np.testing.assert_array_equal(la._df, lb._df)
        np.testing.assert_array_equal(la._main_rows, lb._main_rows)
        np.testing.assert_array_equal(la._main_alive, lb._main_alive)
        assert (la._main is None) == (lb._main is None)
        if la._main is not None:
            assert (la._main != lb._main).nnz == 0
        rows_a = 0 if la._delta is None else la._delta.shape[0]
        rows_b = 0 if lb._delta is None else lb._delta.shape[0]
        assert rows_a == rows_b
        if rows_a:
            assert (la._delta != lb._delta).nnz == 0
        ia, ib = getattr(a, f"{side}_index_"), getattr(b, f"{side}_index_")
        ids = list(getattr(a, f"{side}s_" if side == "candidate" else "vacancies_"))
        np.testing.assert_array_equal(ia.get(ids), ib.get(ids))


def _strip_derived_state(path: Path) -> None:
    """Turn a snapshot into the format written before derived state existed."""
    for side in snapshot_state.SIDES:
        (path / f"{side}_state.json").unlink()
        (path / f"{side}_state.npz").unlink()
    manifest = json.loads((path / "manifest.json").read_text())
    del manifest["derived_state"]
    (path / "manifest.json").write_text(json.dumps(manifest))


def test_new_format_loads_the_same_engine_without_recomputing(
    changed_matcher, tmp_path, monkeypatch
) -> None:
    changed_matcher.save(tmp_path / "snap")
    manifest = json.loads((tmp_path / "snap" / "manifest.json").read_text())
    assert manifest["derived_state"]["version"] == snapshot_state.STATE_VERSION
    encoder = CachedEncoder(HashingEncoder(64))
    with monkeypatch.context() as patch:
        for method in ("candidate", "vacancy"):
            patch.setattr(Profiler, method, lambda *_: pytest.fail("profile recomputed"))
        loaded = Matcher.load(tmp_path / "snap", encoder=encoder)
    assert encoder.calls == 0
    _assert_same_state(changed_matcher, loaded)
    assert _answers(changed_matcher) == _answers(loaded)
    # and it goes on like the original after further changes
    extra = next(iter(changed_matcher.candidates_.values()))
    for m in (changed_matcher, loaded):
        m.upsert_candidates([extra.model_copy(update={"id": "zz-new", "summary": "operator CNC"})])
        m.remove_candidates([list(m.candidates_)[3]])
    assert _answers(changed_matcher) == _answers(loaded)


def test_old_format_still_loads_by_recomputing(changed_matcher, tmp_path) -> None:
    changed_matcher.save(tmp_path / "new")
    changed_matcher.save(tmp_path / "old")
    _strip_derived_state(tmp_path / "old")
    old = Matcher.load(tmp_path / "old", encoder=HashingEncoder(64))
    assert "derived_state" not in old.manifest_
    # (held candidate profiles come in slot order, and recomputing numbers slots afresh)
    assert dict(old.candidate_profiles_.items()) == dict(
        changed_matcher.candidate_profiles_.items()
    )
    assert list(old.vacancy_profiles_.items()) == list(changed_matcher.vacancy_profiles_.items())
    # recomputing assigns slots afresh, so compare answers with a recomputing load of the same
    # records: the derived-state load of that recomputed engine must reproduce it exactly
    old.save(tmp_path / "resaved")
    again = Matcher.load(tmp_path / "resaved", encoder=HashingEncoder(64))
    _assert_same_state(old, again)
    assert _answers(old) == _answers(again)
    # Against the engine that was saved: the recomputed BM25 was merged at another moment, so
    # its average document length differs and the raw lexical feature moves in the fifth
    # digit (as it always did for this path), which can flip the last digit of a rounded
    # score; the ids, their order and the reasons do not change.
    for got, want in zip(_answers(old), _answers(changed_matcher), strict=True):
        pairs = zip(got, want, strict=True) if isinstance(want, list) else [(got, want)]
        for g, w in pairs:
            assert (g.candidate_id, g.vacancy_id) == (w.candidate_id, w.vacancy_id)
            assert g.score == pytest.approx(w.score, abs=1.01e-4)  # one step of the rounding
            assert (g.reasons, g.eligible, g.blocked_by) == (w.reasons, w.eligible, w.blocked_by)
            assert g.features.keys() == w.features.keys()
            for name, value in w.features.items():
                assert g.features[name] == pytest.approx(value, rel=1e-3, abs=1e-6), name


def test_state_from_other_code_or_damaged_files_is_recomputed(
    changed_matcher, tmp_path, caplog
) -> None:
    changed_matcher.save(tmp_path / "stale")
    manifest_path = tmp_path / "stale" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["derived_state"]["fingerprint"] = "0" * 64  # e.g. derived by an older taxonomy
    manifest_path.write_text(json.dumps(manifest))
    stale = Matcher.load(tmp_path / "stale", encoder=HashingEncoder(64))
    assert dict(stale.candidate_profiles_.items()) == dict(
        changed_matcher.candidate_profiles_.items()
    )

    changed_matcher.save(tmp_path / "torn")
    npz = tmp_path / "torn" / "vacancy_state.npz"
    npz.write_bytes(npz.read_bytes()[: npz.stat().st_size // 2])
    with caplog.at_level(logging.WARNING, logger="matcher.snapshot"):
        torn = Matcher.load(tmp_path / "torn", encoder=HashingEncoder(64))
    assert "recomputing" in caplog.text
    assert list(torn.vacancy_profiles_.items()) == list(changed_matcher.vacancy_profiles_.items())
    assert set(torn.candidate_columns_.slot_of) == set(changed_matcher.candidates_)


def test_state_files_hold_no_pickled_objects(changed_matcher, tmp_path) -> None:
    changed_matcher.save(tmp_path / "snap")
    for side in snapshot_state.SIDES:
        with np.load(tmp_path / "snap" / f"{side}_state.npz", allow_pickle=False) as npz:
            assert all(npz[name].dtype != object for name in npz.files)
