"""Python's cyclic garbage collector and the engine state the service keeps for its whole life.

A snapshot load creates hundreds of thousands of small objects that live as long as the process
(at 100,000 candidates about 490,000 collector-tracked objects with records kept deflated, 2.4
million when they were pydantic objects). The engine pauses the collector while it loads
(``matcher.snapshot``), but once it runs again its next young-generation pass walks every one of
them, and the older generations walk them again a little later: measured at 100,000 candidates,
0.3 s inside ``EngineGateway.start`` (before ``/healthz`` can answer 200) and 0.6 s more over the
first allocations after it (0.6-1.2 s and 2.5 s with pydantic records), each pass holding the
GIL. ``gc.freeze()`` moves everything alive into the permanent generation, which collections
skip; reference counting still frees replaced or deleted records at once.

What a freeze can keep is cyclic garbage among frozen objects. Replacing or removing records and
answering queries on a loaded engine leaves none (checked: ``gc.collect()`` found 0 unreachable
objects after 1,000 replaced and 1,000 removed candidates, 200 replaced vacancies and 40 queries),
and the service holds one engine for its life. ``thaw`` hands the frozen objects back to the
collector when the app shuts down, so a process that builds many apps (the tests) reclaims them.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def loading_long_lived() -> Iterator[None]:
    """Collector off while the body loads; on success, what is alive is frozen before it resumes.

    On an error nothing is frozen: a half-loaded engine is garbage the collector must see.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    except BaseException:
        if enabled:
            gc.enable()
        raise
    gc.freeze()
    if enabled:
        gc.enable()


def thaw() -> None:
    """Return frozen objects to the collector (shutdown: the engine they belonged to is done)."""
    gc.unfreeze()
