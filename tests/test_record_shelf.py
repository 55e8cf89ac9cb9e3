"""Candidates kept packed in the engine: same records back, a fraction of the memory, and the
scopes and snapshots that must not unpack every record."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from matcher import engine, record_shelf
from matcher.demo import generate_demo
from matcher.encoder import HashingEncoder
from matcher.engine import Matcher
from matcher.index import FaissIndex
from matcher.record_shelf import CandidateShelf, ShelfView
from matcher.records import Candidate, parse_candidate
from matcher.scopes import SchoolScope

AS_OF = date(2026, 11, 1)


@pytest.fixture(scope="module")
def demo() -> Any:
    return generate_demo(seed=3, n_schools=8, n_candidates=900, n_vacancies=90, as_of=AS_OF)


def test_every_record_comes_back_equal_and_packed_small(demo: Any) -> None:
    extra = parse_candidate(
        {
            "id": "ünï-1",
            "name": "Siti Nur'aini",
            "summary": 'Pengalaman las SMAW 2G; ingin kerja di Cikande — "siap shift"',
            "skills": ["las listrik", "K3"],
            "experience": [{"title": "Operator produksi", "months": 14, "employer": "PT Ñ"}],
            "location": {"name": "Cikande"},
            "consent": {"share_with_employers": True, "guardian_consent": True},
            "status": "employed",
        }
    )
    records = [*demo.candidates, extra, Candidate(id="bare")]
    shelf = CandidateShelf(records)
    assert list(shelf) == [c.id for c in records]
    for c in records:
        back = shelf[c.id]
        assert back == c and back is not c
        assert back.model_dump() == c.model_dump()
    plain = sum(len(c.model_dump_json().encode()) for c in records)
    assert shelf.packed_bytes() < plain / 2  # field names come from the preset dictionary
    json_lines = list(shelf.json_lines())
    assert [parse_candidate(json.loads(line)) for line in json_lines] == records


def test_replacing_and_discarding_keep_the_first_position(demo: Any) -> None:
    a, b, c = demo.candidates[:3]
    shelf = CandidateShelf([a, b, c])
    with pytest.raises(ValueError):  # a copy that skipped validation never gets in
        shelf.put(b.model_copy(update={"status": "placed"}))
    assert shelf[b.id] == b
    shelf.put(b.model_copy(update={"status": "employed"}))
    shelf.discard(a.id)
    shelf.discard("never-there")
    assert list(shelf) == [b.id, c.id] and shelf[b.id].status == "employed"
    assert a.id not in shelf and len(shelf) == 2
    with pytest.raises(KeyError):
        shelf[a.id]
    view = ShelfView(shelf)
    assert len(view) == 2 and view[1] == c and view[0:5] == [shelf[b.id], c]


def test_a_school_scope_never_unpacks_records_it_does_not_return(
    demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A BKK officer's scope is answered from a column: the engine unpacks only the records it
    returns (for their reasons), never the whole population to find one school."""
    monkeypatch.setattr(engine, "EXHAUSTIVE_LIMIT", 100)
    m = Matcher(encoder=HashingEncoder(64), pool_size=30).fit(demo.candidates, demo.vacancies)
    reads = []
    real = CandidateShelf.__getitem__

    def counting(self: CandidateShelf, record_id: str) -> Candidate:
        reads.append(record_id)
        return real(self, record_id)

    monkeypatch.setattr(CandidateShelf, "__getitem__", counting)
    schools = sorted({c.school_id for c in demo.candidates if c.school_id})
    vacancy = next(v.id for v in demo.vacancies if v.status == "open")
    for school in schools:
        reads.clear()
        got = m.recommend_candidates(vacancy, 10, include=SchoolScope(school), as_of=AS_OF)
        assert sorted(reads) == sorted(x.candidate_id for x in got)
        reads.clear()
        plain = m.recommend_candidates(
            vacancy, 10, include=lambda c, s=school: c.school_id == s, as_of=AS_OF
        )
        assert [(x.candidate_id, x.score) for x in plain] == [
            (x.candidate_id, x.score) for x in got
        ]


def test_an_unvalidated_copy_is_refused_before_the_engine_changes(demo: Any) -> None:
    m = Matcher(encoder=HashingEncoder(64)).fit(demo.candidates[:50], demo.vacancies[:5])
    good = demo.candidates[60]
    bad = demo.candidates[0].model_copy(update={"status": "placed"})
    with pytest.raises(ValueError):
        m.upsert_candidates([good, bad])
    assert good.id not in m.candidates_ and good.id not in m.candidate_columns_.slot_of
    assert m.candidates_[bad.id] == demo.candidates[0] and len(m.candidate_lexical_) == 50


def _lossy_backend(limit: int) -> Any:
    class Backend:
        name = "faiss"

        def __call__(self, dim: int, kind: str) -> FaissIndex:
            return FaissIndex(dim, exact_limit=limit, encoding="sq8", target_recall=0.9)

        def load(self, path: Path) -> FaissIndex:
            return FaissIndex.load(path)

        def close(self) -> None:
            pass

    return Backend()


def test_a_snapshot_over_an_sq8_index_restores_exact_vectors_and_same_rankings(
    demo: Any, tmp_path: Path
) -> None:
    backend = _lossy_backend(limit=300)
    m = Matcher(encoder=HashingEncoder(64), index_factory=backend).fit(
        demo.candidates, demo.vacancies
    )
    assert m.candidate_index_.index_type == "ivf-sq8"  # type: ignore[attr-defined]
    assert not m.candidate_index_.exact_vectors  # type: ignore[attr-defined]
    m.save(tmp_path / "snap")
    back = Matcher.load(tmp_path / "snap", encoder=HashingEncoder(64), index_factory=backend)
    cols, back_cols = m.candidate_columns_, back.candidate_columns_
    assert np.array_equal(cols.vectors[: cols.size], back_cols.vectors[: back_cols.size])
    assert list(back.candidates_.items()) == list(m.candidates_.items())
    for v in [v.id for v in demo.vacancies if v.status == "open"][:10]:
        before = [(x.candidate_id, x.score) for x in m.recommend_candidates(v, 10, as_of=AS_OF)]
        after = [(x.candidate_id, x.score) for x in back.recommend_candidates(v, 10, as_of=AS_OF)]
        assert after == before


def test_the_preset_dictionary_holds_field_names_only() -> None:
    """It ships in code and compresses every deployment's records: no demo data may leak in."""
    skeleton = json.loads(record_shelf._dictionary())
    assert set(skeleton) == set(Candidate.model_fields)
    assert skeleton["id"] == "x" and skeleton["name"] is None and skeleton["summary"] is None


def test_a_load_takes_the_packed_records_without_parsing_them(
    demo: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The derived state carries the shelf's own bytes; candidates.jsonl stays the portable copy
    and is read only when the state cannot be used."""
    from matcher import snapshot

    m = Matcher(encoder=HashingEncoder(64)).fit(demo.candidates[:200], demo.vacancies[:20])
    m.save(tmp_path / "snap")
    with monkeypatch.context() as patch:
        patch.setattr(snapshot, "parse_candidate_json", lambda raw: pytest.fail("parsed"))
        back = Matcher.load(tmp_path / "snap", encoder=HashingEncoder(64))
    assert list(back.candidates_.items()) == list(m.candidates_.items())
    lines = (tmp_path / "snap" / "candidates.jsonl").read_text().splitlines()
    assert [parse_candidate(json.loads(x)) for x in lines] == list(m.candidates_.values())

    manifest_path = tmp_path / "snap" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["derived_state"]["fingerprint"] = "0" * 64  # derived by other code: not trusted
    manifest_path.write_text(json.dumps(manifest))
    parsed = []
    real = snapshot.parse_candidate_json
    monkeypatch.setattr(snapshot, "parse_candidate_json", lambda raw: parsed.append(1) or real(raw))
    again = Matcher.load(tmp_path / "snap", encoder=HashingEncoder(64))
    assert len(parsed) == 200 and list(again.candidates_.items()) == list(m.candidates_.items())
