import math
from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.lexical import BM25Index

WORDS = ["las", "smaw", "akuntansi", "jurnal", "excel", "mesin", "bubut", "cnc", "kasir"]


def reference_bm25(docs: dict[int, list[str]], query: list[str], k1=1.2, b=0.75) -> dict:
    n = len(docs)
    avgdl = sum(len(d) for d in docs.values()) / n
    df = Counter(t for d in docs.values() for t in set(d))
    out = {}
    for slot, doc in docs.items():
        tf = Counter(doc)
        score = 0.0
        for term, qtf in Counter(query).items():
            if term not in tf:
                continue
            idf = math.log1p((n - df[term] + 0.5) / (df[term] + 0.5))
            norm = k1 * (1 - b + b * len(doc) / avgdl)
            score += min(qtf, 3) * idf * tf[term] * (k1 + 1) / (tf[term] + norm)
        out[slot] = score
    return out


@settings(max_examples=40, deadline=None)
@given(
    docs=st.lists(
        st.lists(st.sampled_from(WORDS), min_size=1, max_size=12), min_size=1, max_size=30
    ),
    query=st.lists(st.sampled_from(WORDS), min_size=1, max_size=4),
)
def test_matches_reference_bm25(docs, query) -> None:
    index = BM25Index()
    for slot, doc in enumerate(docs):
        index.upsert(slot, doc)
    expected = reference_bm25(dict(enumerate(docs)), query)
    got = index.score_array(query, len(docs))
    np.testing.assert_allclose(got, [expected[s] for s in range(len(docs))], rtol=1e-4, atol=1e-5)


def test_delete_and_update_are_seen_by_the_next_query() -> None:
    index = BM25Index()
    index.upsert(0, ["las", "smaw"])
    index.upsert(1, ["akuntansi", "jurnal"])
    assert list(index.top(["las"], 5, 2)) == [0]
    index.remove(0)
    assert list(index.top(["las"], 5, 2)) == []
    index.upsert(1, ["las", "mig"])
    assert list(index.top(["las"], 5, 2)) == [1]
    assert list(index.top(["jurnal"], 5, 2)) == []


def test_unknown_query_terms_score_zero() -> None:
    index = BM25Index()
    index.upsert(0, ["las"])
    assert index.score_array(["tidakada"], 1).tolist() == [0.0]


def test_merged_main_and_delta_agree_with_reference() -> None:
    rng = np.random.default_rng(3)
    docs = {s: list(rng.choice(WORDS, size=int(rng.integers(1, 10)))) for s in range(400)}
    index = BM25Index()
    for slot, doc in docs.items():
        index.upsert(slot, doc)
    index.score_array(["las"], 400)  # folds the first 400 into the main matrix
    for slot in range(0, 40):  # a small delta on top, and some deletions
        docs[slot] = ["las", "cnc"]
        index.upsert(slot, docs[slot])
    for slot in range(390, 400):
        index.remove(slot)
        del docs[slot]
    got = index.score_array(["las", "cnc", "kasir"], 400)
    expected = reference_bm25(docs, ["las", "cnc", "kasir"])
    # BM25's length normalisation uses the average length frozen at the last merge
    for slot, value in expected.items():
        assert abs(got[slot] - value) <= 0.05 * max(value, 1e-3)
    assert got[390:].tolist() == [0.0] * 10
