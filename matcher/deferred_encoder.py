"""An encoder whose model loads on a background thread, so a restart serves before it is loaded.

A restart with a snapshot answers match queries from the vectors it stored: nothing is embedded
until a record changes. Loading the bundled model is mostly importing torch and
sentence-transformers (~4.5 s of the ~11 s a 100k restart took here, measured by
``benchmarks.speed``), so the service loads the index first and the model after it, on its own
thread, and is ready when the index is; the first call that needs the model (an ingest, a
catch-up of changes newer than the snapshot) starts the load if it has not begun and waits.
The model's identity (name, weights digest, dimension) comes from its pins, which is all a
snapshot's compatibility check reads, and the files are checked against the pins *before* the
load starts, so tampered weights still stop the start.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

import numpy as np

from matcher.encoder import Encoder
from matcher.errors import EncoderUnavailable


class DeferredEncoder:
    """``Encoder`` that delegates to ``load()``'s result, loaded on a daemon thread.

    ``on_done(error, seconds)`` is called from that thread when the load ends (``error`` is None
    on success), for the caller to log. A failed load is raised again, as an ``EncoderUnavailable``,
    by every ``encode``.
    """

    def __init__(
        self,
        load: Callable[[], Encoder],
        *,
        name: str,
        digest: str,
        dim: int,
        on_done: Callable[[BaseException | None, float], None] | None = None,
    ) -> None:
        self.name = name
        self.digest = digest
        self.dim = dim
        self._load = load
        self._on_done = on_done
        self._inner: Encoder | None = None
        self._error: BaseException | None = None
        self._ready = threading.Event()
        self._starting = threading.Lock()
        self._begun = False
        self._thread = threading.Thread(target=self._run, name="cocok-encoder-load", daemon=True)

    def start(self) -> DeferredEncoder:
        """Begin loading (once; later calls do nothing). ``encode`` begins it too, so a caller
        may leave it until the rest of its start is done and still never wait forever."""
        with self._starting:
            if not self._begun:
                self._begun = True
                self._thread.start()
        return self

    @property
    def ready(self) -> bool:
        """Whether the load has ended (successfully or not)."""
        return self._ready.is_set()

    def _run(self) -> None:
        started = time.perf_counter()
        try:
            inner = self._load()
            if inner.dim != self.dim or getattr(inner, "digest", self.digest) != self.digest:
                raise EncoderUnavailable("the loaded model is not the one its pins describe")
            self._inner = inner
        except BaseException as exc:  # kept, and raised again by encode()
            self._error = exc
        finally:
            self._ready.set()
        if self._on_done is not None:
            self._on_done(self._error, time.perf_counter() - started)

    def wait(self, timeout: float | None = None) -> Encoder:
        """The loaded encoder, waiting for the load; EncoderUnavailable if it failed, TimeoutError
        if ``timeout`` passed first."""
        self.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("the encoder is still loading")
        if self._inner is None:
            raise EncoderUnavailable(f"the encoder failed to load: {self._error!r}") from (
                self._error
            )
        return self._inner

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self.wait().encode(texts)
