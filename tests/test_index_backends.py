"""One conformance suite for every ``VectorIndex`` backend: faiss and Milvus (milvus-lite).

Whatever the engine relies on (exact best-first results, upsert replaces, delete is seen by the
very next search, vectors come back as stored, a saved index reopens) must hold on both.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from matcher.errors import ArtifactError
from matcher.held_vectors import held_vectors
from matcher.vector_backends import FaissBackend, MilvusBackend, VectorBackend


def _unit(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    x = rng.normal(size=(n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.fixture(params=["faiss", "milvus"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[VectorBackend]:
    chosen: VectorBackend
    if request.param == "faiss":
        chosen = FaissBackend()
    else:
        chosen = MilvusBackend(str(tmp_path / "milvus.db"))
    yield chosen
    chosen.close()


def test_search_equals_brute_force(backend: VectorBackend) -> None:
    rng = np.random.default_rng(0)
    vectors, queries = _unit(rng, 400, 32), _unit(rng, 15, 32)
    ids = [f"c{i}" for i in range(400)]
    index = backend(32, "candidate")
    index.add(ids, vectors)
    found = index.search(queries, 10)
    truth = np.argsort(-(queries @ vectors.T), axis=1)[:, :10]
    for row, expected, q in zip(found, truth, queries, strict=True):
        assert [rid for rid, _ in row] == [ids[i] for i in expected]
        np.testing.assert_allclose([s for _, s in row], vectors[expected] @ q, atol=1e-5)


def test_upsert_replaces_delete_is_seen_at_once_and_get_returns_vectors(
    backend: VectorBackend,
) -> None:
    index = backend(4, "candidate")
    eye = np.eye(4, dtype=np.float32)
    assert len(index) == 0 and "a" not in index
    assert index.search(eye[:1], 3) == [[]]
    index.add(["a", "b", "c"], eye[:3])
    index.add(["a"], eye[3:4])  # a now points along the 4th axis
    assert len(index) == 3 and "a" in index and "z" not in index
    assert index.search(eye[3:4], 1)[0][0][0] == "a"
    index.remove(["a", "never-there"])
    assert "a" not in index and len(index) == 2
    assert all(rid != "a" for rid, _ in index.search(eye, 3)[0])
    np.testing.assert_allclose(index.get(["c", "b"]), eye[[2, 1]])
    with pytest.raises(KeyError):
        index.get(["a"])


def test_two_indexes_of_one_backend_are_independent(backend: VectorBackend) -> None:
    cands, vacs = backend(4, "candidate"), backend(4, "vacancy")
    cands.add(["x"], np.eye(4, dtype=np.float32)[:1])
    assert len(cands) == 1 and len(vacs) == 0 and "x" not in vacs


def test_save_then_load_gives_the_same_answers(backend: VectorBackend, tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    index = backend(8, "vacancy")
    index.add([f"v{i}" for i in range(50)], _unit(rng, 50, 8))
    index.remove(["v3", "v7"])
    index.save(tmp_path / "idx")
    loaded = backend.load(tmp_path / "idx")
    q = _unit(rng, 5, 8)
    assert loaded.search(q, 7) == index.search(q, 7)
    assert len(loaded) == 48 and loaded.dim == 8


def test_load_refuses_a_missing_manifest(backend: VectorBackend, tmp_path: Path) -> None:
    index = backend(4, "candidate")
    index.add(["a"], np.eye(4, dtype=np.float32)[:1])
    index.save(tmp_path / "idx")
    (tmp_path / "idx" / "manifest.json").unlink()
    with pytest.raises(ArtifactError):
        backend.load(tmp_path / "idx")


def test_bad_shapes_and_duplicate_ids_are_value_errors(backend: VectorBackend) -> None:
    index = backend(4, "candidate")
    with pytest.raises(ValueError, match="shape"):
        index.add(["a"], np.zeros((1, 3), dtype=np.float32))
    with pytest.raises(ValueError, match="unique"):
        index.add(["a", "a"], np.zeros((2, 4), dtype=np.float32))
    with pytest.raises(ValueError, match="k must"):
        index.search(np.zeros((1, 4), dtype=np.float32), 0)


def test_random_upserts_and_deletes_keep_results_live_and_sorted(backend: VectorBackend) -> None:
    rng = np.random.default_rng(2)
    index, live = backend(8, "candidate"), set()
    for step in range(60):
        rid = f"r{int(rng.integers(0, 15))}"
        if rng.random() < 0.6:
            index.add([rid], _unit(rng, 1, 8))
            live.add(rid)
        else:
            index.remove([rid])
            live.discard(rid)
        if step % 10 == 9:
            k = int(rng.integers(1, 20))
            result = index.search(_unit(rng, 1, 8), k)[0]
            assert len(result) == min(k, len(live))
            assert {r for r, _ in result} <= live
            scores = [s for _, s in result]
            assert scores == sorted(scores, reverse=True)
    assert len(index) == len(live)


def test_milvus_load_refuses_a_dropped_collection(tmp_path: Path) -> None:
    backend = MilvusBackend(str(tmp_path / "milvus.db"))
    try:
        index = backend(4, "candidate")
        index.add(["a"], np.eye(4, dtype=np.float32)[:1])
        index.save(tmp_path / "idx")
        index.drop()  # type: ignore[attr-defined]
        with pytest.raises(ArtifactError, match="gone"):
            backend.load(tmp_path / "idx")
    finally:
        backend.close()


def test_milvus_restore_adopts_the_live_collection_and_trims_it_to_the_snapshot(
    tmp_path: Path, small_records: tuple[list[dict], list[dict]]
) -> None:
    """After a crash the collection holds writes newer than the snapshot: the restore drops
    ids the snapshot lacks, re-embeds only a record deleted since, and copies nothing."""
    from known_answer import candidate

    from matcher.encoder import CachedEncoder, HashingEncoder
    from matcher.engine import Matcher

    backend = MilvusBackend(str(tmp_path / "milvus.db"))
    try:
        cands, vacs = small_records
        live = Matcher(encoder=HashingEncoder(64), index_factory=backend).fit(cands, vacs)
        live.save(tmp_path / "snap")
        live.remove_candidates(["c0"])  # written after the snapshot, then the process dies
        live.upsert_candidates([candidate(1, id="late")])

        fresh = CachedEncoder(HashingEncoder(64))
        restored = Matcher.load(tmp_path / "snap", encoder=fresh, index_factory=backend)
        assert fresh.calls == 1  # c0 only: its vector had been deleted from the collection
        index = restored.candidate_index_
        assert (
            index is not live.candidate_index_
            and index.collection == live.candidate_index_.collection
        )  # type: ignore[attr-defined]
        assert set(restored.candidates_) == {c["id"] for c in cands}
        assert len(index) == len(cands) and "late" not in index and "c0" in index
        # re-embedded, and held as the engine holds every vector (bfloat16, matcher.held_vectors)
        text = restored.profiler_.candidate(restored.candidates_["c0"]).text
        np.testing.assert_array_equal(
            index.get(["c0"]), held_vectors(HashingEncoder(64).encode([text]))
        )
    finally:
        backend.close()
