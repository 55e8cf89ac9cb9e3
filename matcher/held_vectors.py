"""How the engine holds embedding vectors: bfloat16, the upper half of each float32.

The columns keep every record's vector for scoring, the largest single item in memory (1.5 GB
at a million candidates in float32). Half-width vectors take half of that, and the program-fit
cut, which reads the vectors of many fitting records per query, reads half the bytes.

Why bfloat16 and not numpy's float16: widening float16 back to float32 is a scalar loop in numpy
(~1.3 ns a value here, 0.58 ms for 1,024 vectors of 384 dims: slower than the product it feeds,
and it made queries a third slower, measured), while bfloat16 widens with a 16-bit shift
(0.04 ms for the same block). It keeps float32's exponent and 8 bits of mantissa: a value moves
by at most 2⁻⁸ of itself; the cosine of two random unit vectors of 384 dims moved by 8e-5 at the
median and 8e-4 at worst over 4 million pairs, well below what separates two candidates (the
quality benchmarks gave the same figures, docs/performance.md, "Vectors in bfloat16").

Numpy has no bfloat16 type, so the held form is ``uint16`` bits; only this module reads them.
"""

from __future__ import annotations

import numpy as np

#: the dtype the columns store (bfloat16 bits)
HELD_DTYPE = np.dtype(np.uint16)


def narrow(vectors: np.ndarray) -> np.ndarray:
    """float32 → held bfloat16 bits, rounded to nearest (ties to even), any shape."""
    bits = np.ascontiguousarray(vectors, dtype=np.float32).view(np.uint32)
    rounded = bits + (np.uint32(0x7FFF) + ((bits >> np.uint32(16)) & np.uint32(1)))
    return (rounded >> np.uint32(16)).astype(HELD_DTYPE)


def widen(held: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Held bfloat16 bits → float32 (exact); ``out``: a uint32 buffer of ``held``'s shape to
    reuse, returned viewed as float32."""
    if out is None:
        out = np.empty(held.shape, dtype=np.uint32)
    np.copyto(out, held)
    np.left_shift(out, np.uint32(16), out=out)
    return out.view(np.float32)


def held_vectors(vectors: np.ndarray) -> np.ndarray:
    """``vectors`` as the engine holds them, given back as float32.

    The vector index is fed these too, so the index and the columns score the same values, and
    a snapshot restored from either gives the same scores as the engine that wrote it.
    """
    return widen(narrow(vectors))


def as_held(vectors: np.ndarray) -> np.ndarray:
    """Held bits as they are, anything else narrowed: a snapshot written before vectors were
    held in bfloat16 carries float32 vectors."""
    return vectors if vectors.dtype == HELD_DTYPE else narrow(vectors)
