"""BM25 over normalised Indonesian tokens, updatable record by record.

bm25s scores fast but builds a static index; portals upsert and delete one record at a time and
expect the next query to see it. So this keeps a large immutable column-major matrix of BM25
term weights plus a small delta of recent rows, masks deleted rows, and folds the delta in when
it grows (an LSM tree in miniature). A query touches only the columns of its own terms.

Each live document is kept as one ``bytes`` of int32 term ids then counts rather than a
``Counter`` (or two small numpy arrays, ~170 bytes more a document in object headers): at a million
documents that is a fraction of the memory, and the matrix is built with numpy instead of a
Python loop over every (document, term) pair.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from scipy import sparse


class BM25Index:
    """Okapi BM25 (k1, b) keyed by row slot; the caller maps its ids to slots."""

    def __init__(self, k1: float = 1.2, b: float = 0.75, merge_ratio: float = 0.1) -> None:
        self.k1 = k1
        self.b = b
        self.merge_ratio = merge_ratio
        self.vocabulary_: dict[str, int] = {}
        self._terms_by_id: list[str] = []  # vocabulary_ inverted, filled on demand
        #: every live slot's term ids then term counts, int32, as bytes (see ``_doc``)
        self._docs: dict[int, bytes] = {}
        self._df = np.zeros(0, dtype=np.int64)
        self._total_len = 0
        self._main: sparse.csc_matrix | None = None
        self._main_rows = np.zeros(0, dtype=np.int64)  # matrix row -> slot
        self._main_alive = np.zeros(0, dtype=bool)
        self._delta_slots: dict[int, None] = {}
        self._delta: sparse.csc_matrix | None = None
        self._delta_rows = np.zeros(0, dtype=np.int64)
        self._delta_dirty = False
        self._avgdl = 1.0

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, slot: object) -> bool:
        return slot in self._docs

    def doc_tokens(self, slot: int) -> tuple[str, ...]:
        """The tokens ``slot`` was indexed with, as a multiset in alphabetical order (not their
        original order): enough to query with, since a query counts its terms, and the same
        however the vocabulary was numbered (a reloaded or rebuilt index answers alike)."""
        terms = self._terms_by_id
        if len(terms) < len(self.vocabulary_):  # the vocabulary only grows
            terms.extend(list(self.vocabulary_)[len(terms) :])
        tids, tfs = _unpack(self._docs[slot])
        return tuple(
            sorted(
                terms[t] for t, f in zip(tids.tolist(), tfs.tolist(), strict=True) for _ in range(f)
            )
        )

    def _term_ids(self, tokens: Iterable[str], grow: bool) -> list[int]:
        ids = []
        for token in tokens:
            tid = self.vocabulary_.get(token)
            if tid is None and grow:
                tid = len(self.vocabulary_)
                self.vocabulary_[token] = tid
            if tid is not None:
                ids.append(tid)
        return ids

    def upsert(self, slot: int, tokens: Sequence[str]) -> None:
        self.remove(slot)
        counts = Counter(tokens)
        tids = np.asarray(self._term_ids(counts, grow=True), dtype=np.int32)
        tfs = np.fromiter(counts.values(), dtype=np.int32, count=len(counts))
        self._docs[slot] = tids.tobytes() + tfs.tobytes()
        if len(self._df) < len(self.vocabulary_):
            grow = max(len(self.vocabulary_) - len(self._df), len(self._df) // 2)
            self._df = np.concatenate([self._df, np.zeros(grow, dtype=np.int64)])
        self._df[tids] += 1  # a document's term ids are distinct
        self._total_len += int(tfs.sum())
        self._delta_slots[slot] = None
        self._delta_dirty = True

    def remove(self, slot: int) -> None:
        doc = self._docs.pop(slot, None)
        if doc is None:
            return
        tids, tfs = _unpack(doc)
        self._df[tids] -= 1
        self._total_len -= int(tfs.sum())
        row = self._main_row(slot)
        if row is not None:
            self._main_alive[row] = False
        if slot in self._delta_slots:
            del self._delta_slots[slot]
            self._delta_dirty = True

    def _main_row(self, slot: int) -> int | None:
        """The main matrix's live row for ``slot`` (its rows are in ascending slot order; a
        dict from slot to row cost ~100 bytes a document)."""
        rows = self._main_rows
        i = int(np.searchsorted(rows, slot))
        if i < len(rows) and rows[i] == slot and self._main_alive[i]:
            return i
        return None

    def _weights(self, slots: Sequence[int]) -> tuple[sparse.csc_matrix, np.ndarray]:
        k1, b, avgdl = self.k1, self.b, self._avgdl
        docs = [_unpack(self._docs[slot]) for slot in slots]
        sizes = np.fromiter((len(t) for t, _ in docs), dtype=np.int64, count=len(docs))
        if docs:
            cols = np.concatenate([t for t, _ in docs])
            tf = np.concatenate([f for _, f in docs]).astype(np.float64)
        else:
            cols, tf = np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float64)
        rows = np.repeat(np.arange(len(docs), dtype=np.int64), sizes)
        doc_len = np.bincount(rows, weights=tf, minlength=len(docs))  # exact: integer sums
        norm = k1 * (1 - b + b * doc_len / avgdl)  # float64, as the scalar formula was
        vals = tf * (k1 + 1) / (tf + norm[rows])
        shape = (len(slots), len(self.vocabulary_))
        matrix = sparse.csc_matrix(
            (vals.astype(np.float32), (rows, cols)), shape=shape, dtype=np.float32
        )
        return matrix, np.asarray(slots, dtype=np.int64)

    def _refresh(self) -> None:
        """Fold the delta into the main matrix when it grew past ``merge_ratio`` of it."""
        if not self._delta_dirty:
            return
        live_main = int(self._main_alive.sum())
        if len(self._delta_slots) > max(256, self.merge_ratio * live_main):
            self._avgdl = max(self._total_len / max(len(self._docs), 1), 1.0)
            slots = sorted(self._docs)  # rows in slot order: a slot's row is a binary search
            self._main, self._main_rows = self._weights(slots)
            self._main_alive = np.ones(len(slots), dtype=bool)
            self._delta_slots = {}
            self._delta, self._delta_rows = None, np.zeros(0, dtype=np.int64)
        else:
            if self._main is None and self._docs:
                self._avgdl = max(self._total_len / len(self._docs), 1.0)
            self._delta, self._delta_rows = self._weights(list(self._delta_slots))
        self._delta_dirty = False

    def _query_weights(self, tokens: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        counts = Counter(self._term_ids(tokens, grow=False))
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        cols = np.fromiter(counts, dtype=np.int64)
        n = max(len(self._docs), 1)
        df = self._df[cols]
        idf = np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)
        qtf = np.fromiter(counts.values(), dtype=np.float32)
        return cols, idf * np.minimum(qtf, 3.0)  # repeated query words count, but saturate

    def hits(self, tokens: Sequence[str], size: int) -> tuple[np.ndarray, np.ndarray]:
        """(slots, BM25 scores) of the documents below ``size`` sharing a term with the query,
        slots ascending; every other document scores 0. A query reads only its terms' columns,
        so its cost follows those columns' postings, not the number of documents."""
        self._refresh()
        cols, weights = self._query_weights(tokens)
        found: list[tuple[np.ndarray, np.ndarray]] = []
        if len(cols):
            for matrix, row_slots, alive in (
                (self._main, self._main_rows, self._main_alive),
                (self._delta, self._delta_rows, None),
            ):
                if matrix is None or matrix.shape[0] == 0:
                    continue
                known = cols < matrix.shape[1]
                result = np.asarray(matrix[:, cols[known]] @ weights[known], dtype=np.float32)
                hit = np.flatnonzero(result > 0)
                if alive is not None:
                    hit = hit[alive[hit]]
                slots = row_slots[hit]
                keep = slots < size
                found.append((slots[keep], result[hit[keep]]))
        if not found:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        slots = np.concatenate([s for s, _ in found])
        scores = np.concatenate([r for _, r in found])
        order = np.argsort(slots, kind="stable")  # a slot lives in the main matrix or the delta
        return slots[order], scores[order]

    def score_array(self, tokens: Sequence[str], size: int) -> np.ndarray:
        """BM25 of one query against every slot below ``size`` (0 where no term is shared)."""
        out = np.zeros(size, dtype=np.float32)
        slots, scores = self.hits(tokens, size)
        out[slots] = scores
        return out

    def top(self, tokens: Sequence[str], k: int, size: int) -> np.ndarray:
        """Slots of the ``k`` best-scoring documents (only those sharing a term), best first."""
        return best_of(*self.hits(tokens, size), k)

    # -- snapshot form: everything needed to answer exactly as before, without re-tokenising --

    def export(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """Arrays and plain values that ``from_export`` turns back into this very index.

        The main matrix is kept as it is (its weights depend on the average length at its last
        merge, and its dead rows on the removals since); the small delta is rebuilt on load.
        """
        docs = [_unpack(doc) for doc in self._docs.values()]
        main = self._main
        arrays = {
            "doc_slots": np.fromiter(self._docs, dtype=np.int64, count=len(docs)),
            "doc_sizes": np.fromiter((len(t) for t, _ in docs), dtype=np.int64, count=len(docs)),
            "doc_terms": np.concatenate([t for t, _ in docs]) if docs else np.zeros(0, np.int32),
            "doc_counts": np.concatenate([f for _, f in docs]) if docs else np.zeros(0, np.int32),
            "df": self._df,
            "main_rows": self._main_rows,
            "main_alive": self._main_alive,
            "delta_slots": np.fromiter(self._delta_slots, dtype=np.int64),
        }
        if main is not None:
            arrays |= {"main_data": main.data, "main_indices": main.indices}
            arrays["main_indptr"] = main.indptr
        meta = {
            "k1": self.k1,
            "b": self.b,
            "merge_ratio": self.merge_ratio,
            "vocabulary": list(self.vocabulary_),
            "total_len": self._total_len,
            "avgdl": self._avgdl,
            "delta_dirty": self._delta_dirty,
            "main_shape": list(main.shape) if main is not None else None,
        }
        return arrays, meta

    @classmethod
    def from_export(
        cls, arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any], terms: Sequence[str]
    ) -> BM25Index:
        """The index ``export`` described; ``terms`` is its vocabulary as (interned) strings."""
        index = cls(float(meta["k1"]), float(meta["b"]), float(meta["merge_ratio"]))
        index.vocabulary_ = {term: i for i, term in enumerate(terms)}
        sizes = arrays["doc_sizes"]
        ends = np.cumsum(sizes).tolist()
        starts = [0, *ends[:-1]]
        terms_, counts = arrays["doc_terms"], arrays["doc_counts"]
        if terms_.dtype != np.int32 or counts.dtype != np.int32 or len(terms_) != sum(sizes):
            raise ValueError("saved BM25 documents are inconsistent")
        index._docs = {
            slot: terms_[a:z].tobytes() + counts[a:z].tobytes()
            for slot, a, z in zip(arrays["doc_slots"].tolist(), starts, ends, strict=True)
        }
        index._df = np.array(arrays["df"], dtype=np.int64)
        index._total_len = int(meta["total_len"])
        index._avgdl = float(meta["avgdl"])
        index._main_rows = np.array(arrays["main_rows"], dtype=np.int64)
        index._main_alive = np.array(arrays["main_alive"], dtype=bool)
        if meta["main_shape"] is not None:
            shape = tuple(meta["main_shape"])
            index._main = sparse.csc_matrix(
                (arrays["main_data"], arrays["main_indices"], arrays["main_indptr"]), shape=shape
            )
        if np.any(np.diff(index._main_rows) <= 0):
            raise ValueError("saved BM25 rows are not in slot order")
        index._delta_slots = dict.fromkeys(arrays["delta_slots"].tolist())
        index._delta_dirty = bool(meta["delta_dirty"])
        if not index._delta_dirty and index._delta_slots:  # what the last refresh built
            index._delta, index._delta_rows = index._weights(list(index._delta_slots))
        return index

    def state(self) -> dict[int, dict[str, int]]:
        """Term counts per slot, for saving (the weights are rebuilt on load)."""
        terms = list(self.vocabulary_)
        return {
            slot: {terms[t]: int(f) for t, f in zip(tids.tolist(), tfs.tolist(), strict=True)}
            for slot, (tids, tfs) in ((s, _unpack(d)) for s, d in self._docs.items())
        }


def _unpack(doc: bytes) -> tuple[np.ndarray, np.ndarray]:
    """(term ids, term counts) of one stored document: read-only views of its bytes."""
    both = np.frombuffer(doc, dtype=np.int32)
    half = len(both) // 2
    return both[:half], both[half:]


def best_of(slots: np.ndarray, scores: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` best of ``hits`` (slots ascending), best first, ties by slot; a partial sort,
    so the cost follows the number of hits rather than of documents."""
    if len(slots) > k:
        keep = np.argpartition(-scores, k)[:k]
        slots, scores = slots[keep], scores[keep]
    return slots[np.argsort(-scores, kind="stable")]
