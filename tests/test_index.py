import json

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


# -- the approximate (IVF) index, chosen from N ----------------------------------------------


def _clustered(rng: np.random.Generator, n: int, dim: int, clusters: int = 50) -> np.ndarray:
    """Unit vectors around ``clusters`` centres: like profile embeddings, not uniform noise."""
    centres = _unit(rng, clusters, dim)
    x = centres[rng.integers(0, clusters, size=n)] + 0.35 * rng.normal(size=(n, dim)) / np.sqrt(dim)
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def _ivf(
    n: int = 3000, dim: int = 32, seed: int = 3, **kwargs
) -> tuple[FaissIndex, np.ndarray, np.ndarray]:
    """An index grown past its exact limit batch by batch, its vectors, and 200 unseen queries
    from the same clusters (as a vacancy's vector is not among the candidates')."""
    rng = np.random.default_rng(seed)
    everything = _clustered(rng, n + 200, dim)
    vectors, queries = everything[:n], everything[n:]
    index = FaissIndex(dim, exact_limit=1000, **kwargs)
    for start in range(0, n, 500):  # grows past the limit while records arrive
        index.add(
            [f"c{i}" for i in range(start, min(n, start + 500))], vectors[start : start + 500]
        )
    return index, vectors, queries


def test_type_follows_n_and_starts_exact() -> None:
    index = FaissIndex(8, exact_limit=100)
    rng = np.random.default_rng(4)
    index.add([f"a{i}" for i in range(100)], _unit(rng, 100, 8))
    assert index.index_type == "flat"
    index.add(["b"], _unit(rng, 1, 8))
    assert index.index_type == "ivf-flat"
    assert index.nlist >= 1 and 1 <= index.nprobe <= index.nlist
    assert index.trained_on == 101
    index.remove([f"a{i}" for i in range(60)])  # 41 left: back under half the limit
    assert index.index_type == "flat"
    assert len(index) == 41


@pytest.mark.parametrize("encoding", ["flat", "sq8"])
def test_ivf_recall_at_20_against_exact(encoding) -> None:
    index, vectors, queries = _ivf(encoding=encoding)
    assert index.index_type == f"ivf-{encoding}"
    assert index.nprobe < index.nlist  # approximate: it does not scan every list
    truth = np.argsort(-(queries @ vectors.T), axis=1)[:, :20]
    found = index.search(queries, 20)
    recall = np.mean(
        [
            len({rid for rid, _ in row} & {f"c{i}" for i in expected}) / 20
            for row, expected in zip(found, truth, strict=True)
        ]
    )
    assert recall >= 0.95
    assert index.tuned_recall is not None and index.tuned_recall >= index.target_recall


def test_ivf_honours_deletes_and_upserts() -> None:
    index, vectors, _ = _ivf()
    assert index.index_type == "ivf-flat"
    gone = [f"c{i}" for i in range(0, 3000, 7)]
    index.remove(gone)
    assert len(index) == 3000 - len(gone)
    assert all(g not in index for g in gone)
    for rid in gone[:50]:  # its own vector, the best possible query for it, never finds it
        i = int(rid[1:])
        assert all(found != rid for found, _ in index.search(vectors[i : i + 1], 50)[0])
    # upsert: c1 moves to where c2 is, and the old position no longer returns it
    index.add(["c1"], vectors[2:3])
    assert len(index) == 3000 - len(gone)
    np.testing.assert_allclose(index.get(["c1"]), vectors[2:3])
    top = {rid for rid, _ in index.search(vectors[2:3], 2)[0]}
    assert top == {"c1", "c2"}
    # a removed id can come back
    index.add([gone[0]], vectors[0:1])
    assert index.search(vectors[0:1], 1)[0][0][0] == gone[0]


def test_ivf_save_load_keeps_type_and_results(tmp_path) -> None:
    index, vectors, _ = _ivf(encoding="sq8")
    index.remove(["c10", "c11"])
    index.save(tmp_path / "idx")
    manifest = json.loads((tmp_path / "idx" / "manifest.json").read_text())
    assert manifest["index_type"] == "ivf-sq8"
    assert manifest["nlist"] == index.nlist and manifest["nprobe"] == index.nprobe
    loaded = FaissIndex.load(tmp_path / "idx")
    assert loaded.parameters() == index.parameters()
    assert loaded.search(vectors[:5], 20) == index.search(vectors[:5], 20)
    assert "c10" not in loaded
    loaded.remove(["c12"])  # the direct map survived the round trip
    assert "c12" not in {rid for rid, _ in loaded.search(vectors[12:13], 5)[0]}


def test_legacy_flat_manifest_still_loads(tmp_path) -> None:
    index = FaissIndex(4)
    index.add(["a", "b"], np.eye(4, dtype=np.float32)[:2])
    index.save(tmp_path / "idx")
    path = tmp_path / "idx" / "manifest.json"
    manifest = json.loads(path.read_text())
    old = {k: manifest[k] for k in ("format_version", "dim", "count", "next_label")}
    path.write_text(json.dumps({**old, "kind": "faiss-flat-ip"}))
    loaded = FaissIndex.load(tmp_path / "idx")
    assert loaded.index_type == "flat"
    assert loaded.search(np.eye(4, dtype=np.float32)[1:2], 1)[0][0][0] == "b"
