"""Keep the server's resident memory flat under a long, concurrent load.

Requests run in a pool of worker threads, and glibc gives each thread that allocates its own
malloc arena (up to eight per core). The engine's per-query buffers (candidate pools, feature
matrices, faiss results) are freed into whichever arena allocated them, and memory freed across
many arenas is rarely handed back: in a 6-minute soak at 20k candidates the default grew the
server by 83 MB while Python's own objects grew by about 1 MB (tracemalloc). Capping the arenas at
two kept the same soak at +17 MB with no loss of throughput (``python -m benchmarks.load``,
results in README). ``MALLOC_ARENA_MAX`` in the environment does the same before start; this does
it from inside, for a service started any way.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

#: glibc's mallopt parameter number for the arena cap (malloc.h: ``M_ARENA_MAX``)
M_ARENA_MAX = -8


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        return ctypes.CDLL(name)
    except OSError:
        return None


def release_free_memory() -> bool:
    """Hand freed heap pages back to the system (glibc ``malloc_trim``); True if it could.

    Called after a snapshot write, the one large transient job a running server does: what it
    freed may sit in the middle of the heap, where glibc would otherwise keep it resident.
    """
    libc = _libc()
    trim = getattr(libc, "malloc_trim", None) if libc is not None else None
    if trim is None:
        return False
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    trim(0)
    return True


def cap_malloc_arenas(arenas: int) -> bool:
    """Cap glibc's malloc arenas for the threads started after this call; True if applied.

    Does nothing when ``arenas`` is 0, when the operator already set ``MALLOC_ARENA_MAX`` (theirs
    wins), or off glibc (musl, macOS), where the problem does not arise in this form.
    """
    if arenas <= 0 or "MALLOC_ARENA_MAX" in os.environ:
        return False
    libc = _libc()
    mallopt = getattr(libc, "mallopt", None) if libc is not None else None
    if mallopt is None:
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_ARENA_MAX, arenas))
