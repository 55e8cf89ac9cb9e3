"""Throttling repeated failed sign-ins, per username and per client address.

The API's ``service.auth.RateLimiter`` counts requests per key in a fixed one-minute window and
forgets everything when the minute turns. Guessing passwords needs the opposite shape: a longer
window over *failures* only, a lock that outlasts the window, and a reset on success, so this
keeps its own small table. It borrows the limiter's mechanism otherwise: in memory, per process,
an injectable clock, one lock, and memory bounded by pruning what has expired.

Unknown usernames are counted and locked exactly like real ones, so neither the message nor the
timing of a refusal says whether an account exists. A success clears its username's failures but
not the address's: otherwise one valid account would let its holder keep guessing at others.
Several worker processes each keep their own table (the limits then hold per worker).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

#: failures of one username within ``WINDOW_S`` that lock it
USERNAME_FAILURES = 5
#: failures from one address within ``WINDOW_S`` that lock it; higher, since a school or office
#: signs in from behind one NAT address
ADDRESS_FAILURES = 20
WINDOW_S = 15 * 60
LOCKOUT_S = 15 * 60
#: usernames and addresses tracked at most; the oldest go first beyond it
MAX_TRACKED = 10_000


@dataclass
class _Track:
    failures: deque[float]
    locked_until: float = 0.0


class SignInThrottle:
    """Counts failed sign-ins; answers how long a username or address must still wait."""

    def __init__(
        self,
        *,
        username_failures: int = USERNAME_FAILURES,
        address_failures: int = ADDRESS_FAILURES,
        window_s: float = WINDOW_S,
        lockout_s: float = LOCKOUT_S,
        max_tracked: int = MAX_TRACKED,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = {"username": username_failures, "address": address_failures}
        self.window_s = window_s
        self.lockout_s = lockout_s
        self.max_tracked = max_tracked
        self._clock = clock
        self._lock = threading.Lock()
        self._tracks: OrderedDict[tuple[str, str], _Track] = OrderedDict()

    def retry_after(self, username: str, address: str) -> int | None:
        """Whole seconds (at least 1) until either is unlocked, or ``None`` when neither is."""
        now = self._clock()
        with self._lock:
            waits = [
                track.locked_until - now
                for key in _keys(username, address)
                if (track := self._tracks.get(key)) is not None and track.locked_until > now
            ]
        return max(1, math.ceil(max(waits))) if waits else None

    def failed(self, username: str, address: str) -> list[str]:
        """Count one failure; the kinds (``username``, ``address``) this failure just locked."""
        now = self._clock()
        locked: list[str] = []
        with self._lock:
            self._prune(now)
            for key in _keys(username, address):
                track = self._tracks.pop(key, None) or _Track(deque())
                self._tracks[key] = track  # most recently failed last: pruned last
                while track.failures and track.failures[0] <= now - self.window_s:
                    track.failures.popleft()
                track.failures.append(now)
                if track.locked_until <= now and len(track.failures) >= self.limits[key[0]]:
                    track.locked_until = now + self.lockout_s
                    track.failures.clear()  # after the lock, a fresh count
                    locked.append(key[0])
        return locked

    def succeeded(self, username: str) -> None:
        """A correct password clears the username's failures (never the address's)."""
        with self._lock:
            self._tracks.pop(_keys(username, "")[0], None)

    def _prune(self, now: float) -> None:
        stale = [
            key
            for key, track in self._tracks.items()
            if track.locked_until <= now
            and (not track.failures or track.failures[-1] <= now - self.window_s)
        ]
        for key in stale:
            del self._tracks[key]
        while len(self._tracks) >= self.max_tracked:
            self._tracks.popitem(last=False)


def _keys(username: str, address: str) -> tuple[tuple[str, str], tuple[str, str]]:
    return ("username", username[:128]), ("address", address[:128])
