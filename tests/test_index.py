import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.errors import ArtifactError
from matcher.index import FaissIndex


def _unit(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    x = rng.normal(size=(n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_flat_index_equals_brute_force() -> None:
    rng = np.random.default_rng(0)
    vectors, queries = _unit(rng, 500, 32), _unit(rng, 20, 32)
    ids = [f"c{i}" for i in range(500)]
    index = FaissIndex(32)
    index.add(ids, vectors)
    found = index.search(queries, 10)
    truth = np.argsort(-(queries @ vectors.T), axis=1)[:, :10]
    for row, expected in zip(found, truth, strict=True):
        assert [rid for rid, _ in row] == [ids[i] for i in expected]


def test_upsert_replaces_and_delete_removes() -> None:
    index = FaissIndex(4)
    eye = np.eye(4, dtype=np.float32)
    index.add(["a", "b", "c"], eye[:3])
    index.add(["a"], eye[3:4])  # a now points along the 4th axis
    assert len(index) == 3
    assert index.search(eye[3:4], 1)[0][0][0] == "a"
    index.remove(["a"])
    assert "a" not in index
    assert all(rid != "a" for rid, _ in index.search(eye, 3)[0])
    np.testing.assert_allclose(index.get(["c"]), eye[2:3])


def test_save_load_roundtrip(tmp_path) -> None:
    rng = np.random.default_rng(1)
    index = FaissIndex(8)
    index.add([f"v{i}" for i in range(50)], _unit(rng, 50, 8))
    index.remove(["v3", "v7"])
    index.save(tmp_path / "idx")
    loaded = FaissIndex.load(tmp_path / "idx")
    q = _unit(rng, 5, 8)
    assert loaded.search(q, 7) == index.search(q, 7)
    manifest = (tmp_path / "idx" / "manifest.json").read_text()
    assert '"count": 48' in manifest


def test_load_refuses_a_torn_folder(tmp_path) -> None:
    index = FaissIndex(4)
    index.add(["a"], np.eye(4, dtype=np.float32)[:1])
    index.save(tmp_path / "idx")
    (tmp_path / "idx" / "ids.json").write_text("{}")
    with pytest.raises(ArtifactError):
        FaissIndex.load(tmp_path / "idx")


def test_bad_shapes_are_value_errors() -> None:
    index = FaissIndex(4)
    with pytest.raises(ValueError, match="shape"):
        index.add(["a"], np.zeros((1, 3), dtype=np.float32))
    with pytest.raises(ValueError, match="unique"):
        index.add(["a", "a"], np.zeros((2, 4), dtype=np.float32))


@settings(max_examples=30, deadline=None)
@given(
    ops=st.lists(
        st.tuples(st.booleans(), st.integers(min_value=0, max_value=15)), min_size=1, max_size=60
    ),
    k=st.integers(min_value=1, max_value=20),
)
def test_search_returns_only_live_ids_sorted(ops, k) -> None:
    rng = np.random.default_rng(2)
    index, live = FaissIndex(8), set()
    for is_add, n in ops:
        rid = f"r{n}"
        if is_add:
            index.add([rid], _unit(rng, 1, 8))
            live.add(rid)
        else:
            index.remove([rid])
            live.discard(rid)
    result = index.search(_unit(rng, 1, 8), k)[0]
    assert len(result) == min(k, len(live))
    assert {rid for rid, _ in result} <= live
    scores = [s for _, s in result]
    assert scores == sorted(scores, reverse=True)
