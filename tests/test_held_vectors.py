"""The bfloat16 form the engine holds vectors in: exact round trips, correct rounding, and a
blocked product over held bits equal to the product over the widened vectors."""

from __future__ import annotations

import numpy as np

from matcher.candidate_pool import GATHER_BLOCK, dense_at
from matcher.held_vectors import HELD_DTYPE, as_held, held_vectors, narrow, widen


def test_narrow_rounds_to_the_nearest_bfloat16_and_widen_is_exact() -> None:
    rng = np.random.default_rng(0)
    x = np.concatenate(
        [rng.normal(size=5000), rng.normal(size=5000) * 1e-30, [0.0, -0.0, 1.0, -1.0, 3.0]]
    ).astype(np.float32)
    held = narrow(x)
    assert held.dtype == HELD_DTYPE
    back = widen(held)
    assert back.dtype == np.float32
    # the nearest of the two bfloat16 values around each x (truncation and one step up)
    bits = x.view(np.uint32)
    down = (bits & np.uint32(0xFFFF0000)).view(np.float32)
    up = ((bits & np.uint32(0xFFFF0000)) + np.uint32(0x10000)).view(np.float32)
    best = np.minimum(np.abs(x - down), np.abs(x - up))
    np.testing.assert_array_equal(np.abs(x - back), best)
    assert np.all(np.abs(x - back) <= np.abs(x) * 2**-8)
    np.testing.assert_array_equal(held_vectors(back), back)  # held values are fixed points
    np.testing.assert_array_equal(narrow(back), held)
    np.testing.assert_array_equal(as_held(held), held)
    np.testing.assert_array_equal(as_held(x), held)
    # ties go to the even neighbour: 1 + 2^-8 lies halfway between 1 and 1 + 2^-7
    assert widen(narrow(np.float32([1 + 2**-8, 1 + 3 * 2**-8])))[0] == 1.0
    assert widen(narrow(np.float32([1 + 3 * 2**-8])))[0] == 1 + 2**-6


def test_products_over_held_bits_equal_those_over_the_widened_vectors() -> None:
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(5000, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    held = narrow(vectors)
    query = vectors[3]
    for n_rows in (1, 7, GATHER_BLOCK, GATHER_BLOCK + 1, 4321):
        rows = np.sort(rng.choice(5000, size=n_rows, replace=False))
        expected = widen(held[rows]) @ query
        np.testing.assert_allclose(dense_at(held, rows, query), expected, rtol=0, atol=1e-6)
    # and a held cosine stays within what separates two candidates
    exact = vectors @ query
    assert np.abs(widen(held) @ query - exact).max() < 2e-3
