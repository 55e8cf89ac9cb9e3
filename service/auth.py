"""API keys and the roles they carry; the one place a route declares who may call it.

Keys are 256-bit random strings, so a plain SHA-256 of the key is a safe thing to store (there is
nothing to brute-force); the key itself is shown once, on creation. ``require_roles`` returns a
dependency that carries its roles as an attribute, so tests can walk every route and check that
each one declared them (see ``declared_roles``).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from fastapi import Request
from fastapi.routing import APIRoute
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from service.db.models import ApiKeyRow
from service.problems import Problem

Role = Literal["admin", "portal", "bkk", "employer"]
ROLES: tuple[Role, ...] = ("admin", "portal", "bkk", "employer")
KEY_PREFIX = "cocok_"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's id (safe to log) and the scope it was issued for."""

    key_id: str
    role: Role
    school_id: str | None = None
    employer_id: str | None = None
    label: str | None = None

    @property
    def owner(self) -> str:
        """The owner tag written on records this key creates; a portal's rotated keys share it."""
        if self.role == "portal":
            return f"portal:{self.label}" if self.label else f"key:{self.key_id}"
        return f"{self.role}:{self.key_id}"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> tuple[str, str]:
    """A fresh ``(id, key)``; only the key's hash is ever stored."""
    return f"key_{secrets.token_hex(6)}", KEY_PREFIX + secrets.token_urlsafe(32)


def create_key(
    session: Session,
    role: Role,
    *,
    school_id: str | None = None,
    employer_id: str | None = None,
    label: str | None = None,
) -> tuple[str, str]:
    """Store a new key (hash only) and return ``(id, key)``; the caller shows the key once."""
    if role == "bkk" and not school_id:
        raise ValueError("a bkk key needs school_id")
    if role == "employer" and not employer_id:
        raise ValueError("an employer key needs employer_id")
    key_id, key = new_key()
    session.add(
        ApiKeyRow(
            id=key_id,
            key_hash=hash_key(key),
            role=role,
            school_id=school_id if role == "bkk" else None,
            employer_id=employer_id if role == "employer" else None,
            label=label,
            created_at=datetime.now(UTC),
            revoked_at=None,
        )
    )
    return key_id, key


def revoke_key(session: Session, key_id: str) -> bool:
    """Mark a key revoked now; ``False`` when there is no such (unrevoked) key."""
    row = session.get(ApiKeyRow, key_id)
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = datetime.now(UTC)
    return True


def bootstrap_principal(key: str, bootstrap_admin_key: str | None) -> Principal | None:
    """The admin principal when ``key`` is the bootstrap key; compared without the database."""
    if bootstrap_admin_key and hmac.compare_digest(key.encode(), bootstrap_admin_key.encode()):
        return Principal(key_id="bootstrap", role="admin", label="COCOK_ADMIN_KEY")
    return None


def lookup(session: Session, key: str, bootstrap_admin_key: str | None) -> Principal | None:
    """The principal for a presented key, or ``None`` when it is unknown or revoked."""
    bootstrap = bootstrap_principal(key, bootstrap_admin_key)
    if bootstrap is not None:
        return bootstrap
    row = session.scalar(select(ApiKeyRow).where(ApiKeyRow.key_hash == hash_key(key)))
    if row is None or row.revoked_at is not None:
        return None
    return Principal(
        key_id=row.id,
        role=row.role,  # type: ignore[arg-type]
        school_id=row.school_id,
        employer_id=row.employer_id,
        label=row.label,
    )


def _stored_principal(sessions: Callable[[], Session], key: str) -> Principal | None:
    with sessions() as session:
        return lookup(session, key, None)


class RateLimiter:
    """A fixed one-minute window per key: enough to stop a runaway sync loop, not an attacker.

    Only the current window's counts are kept (a new minute starts them afresh), so memory is
    bounded by the keys seen in one minute.
    """

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._lock = threading.Lock()
        self._window = -1
        self._counts: dict[str, int] = {}

    def allow(self, key_id: str) -> bool:
        if self.per_minute <= 0:
            return True
        window = int(self._clock() // 60)
        with self._lock:
            if window != self._window:
                self._window, self._counts = window, {}
            count = self._counts.get(key_id, 0)
            if count >= self.per_minute:
                return False
            self._counts[key_id] = count + 1
            return True

    def retry_after(self) -> int:
        """Whole seconds until the current window ends (at least 1): the Retry-After value."""
        return max(1, math.ceil(60 - self._clock() % 60))


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def require_roles(*roles: Role) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency that authenticates the caller and admits only ``roles`` (else 401/403).

    It runs on the event loop: only a stored key's lookup goes to a worker thread, so the
    bootstrap key costs no thread hand-off and a stored key exactly one.
    """
    unknown = set(roles) - set(ROLES)
    if not roles or unknown:
        raise ValueError(f"require_roles needs known roles, got {roles!r}")

    async def dependency(request: Request) -> Principal:
        token = _bearer(request)
        if token is None:
            raise Problem(401, "unauthorized", "Bearer API key missing.")
        state = request.app.state
        admin_key = state.settings.admin_key
        principal = bootstrap_principal(token, admin_key.get_secret_value() if admin_key else None)
        if principal is None:  # a stored key: read on a worker thread, never cached (a key
            # revoked by the CLI or another replica must be refused on its very next call)
            principal = await run_in_threadpool(_stored_principal, state.sessions, token)
        if principal is None:
            raise Problem(401, "unauthorized", "Unknown or revoked API key.")
        request.state.principal = principal
        if not state.rate_limiter.allow(principal.key_id):
            wait = state.rate_limiter.retry_after()
            raise Problem(
                429,
                "rate-limited",
                f"Too many requests for this key; retry in {wait} s.",
                headers={"Retry-After": str(wait)},
            )
        if principal.role not in roles:
            raise Problem(403, "forbidden", f"Role {principal.role!r} may not call this route.")
        return principal

    dependency.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
    return dependency


def declared_roles(route: APIRoute) -> frozenset[str] | None:
    """The roles a route admits via ``require_roles``, or ``None`` when it declared none."""
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        roles = getattr(dependant.call, "allowed_roles", None)
        if roles is not None:
            return frozenset(roles)
        stack.extend(dependant.dependencies)
    return None
