"""Staff accounts for the browser workspace: a username, an argon2 hash, a role and its scope.

API keys serve machines; people sign in with a password instead. An account maps onto the same
``Principal`` an API key yields, so every object-level rule in ``service.access`` applies to the
pages exactly as it does to the API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.auth import Principal
from service.db.models import StaffUserRow
from service.web.sessions import as_utc

StaffRole = Literal["bkk", "employer", "admin"]
STAFF_ROLES: tuple[StaffRole, ...] = ("bkk", "employer", "admin")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MIN_PASSWORD = 8

_hasher = PasswordHasher()
#: verified against when the username is unknown, so a wrong name costs as long as a wrong password;
#: written out rather than hashed at import (0.1 s of every start); its parameters are the
#: hasher's (tests/service/test_startup_imports.py), so the verification costs the same
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$PxF5FlbFUxYrnVNH/0/doQ"
    "$hpqgksHg3UTCklUOKUKZHWM8hRsqUw/J7MkfuV6fNjc"
)


class AccountError(ValueError):
    """A request to create an account that cannot be honoured; the message is for staff."""


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    *,
    school_id: str | None = None,
    employer_id: str | None = None,
) -> StaffUserRow:
    """Add an account (the caller commits); messages are Indonesian, they reach staff."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise AccountError(
            "Nama pengguna 3–64 karakter: huruf kecil, angka, titik, garis bawah atau strip."
        )
    if role not in STAFF_ROLES:
        raise AccountError(f"Peran tidak dikenal: {role}. Pilih: {', '.join(STAFF_ROLES)}.")
    if role == "bkk" and not school_id:
        raise AccountError("Akun bkk wajib --school-id (NPSN sekolah).")
    if role == "employer" and not employer_id:
        raise AccountError("Akun employer wajib --employer-id.")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Kata sandi minimal {MIN_PASSWORD} karakter.")
    if session.scalar(select(StaffUserRow.id).where(StaffUserRow.username == username)):
        raise AccountError(f"Nama pengguna {username} sudah dipakai.")
    row = StaffUserRow(
        username=username,
        password_hash=_hasher.hash(password),
        role=role,
        school_id=school_id if role == "bkk" else None,
        employer_id=employer_id if role == "employer" else None,
        active=True,
        created_at=datetime.now(UTC),
        last_login_at=None,
    )
    session.add(row)
    session.flush()
    return row


def set_password(session: Session, username: str, password: str) -> bool:
    """Replace an account's password (used by ``cocok demo`` to print a fresh one each run)."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Kata sandi minimal {MIN_PASSWORD} karakter.")
    row = session.scalar(select(StaffUserRow).where(StaffUserRow.username == username))
    if row is None:
        return False
    row.password_hash = _hasher.hash(password)
    return True


@dataclass(frozen=True)
class SignedIn:
    """An opened account and when it was last opened before now (``None``: the first time)."""

    user: StaffUserRow
    previous_visit: datetime | None


def sign_in(session: Session, username: str, password: str) -> SignedIn | None:
    """Open an account (the caller commits); ``None`` for any wrong input, at the same cost.

    The previous ``last_login_at`` is handed back before it is overwritten, so the dashboard can
    show what changed since then without a column of its own.
    """
    row = session.scalar(select(StaffUserRow).where(StaffUserRow.username == normal(username)))
    try:
        _hasher.verify(row.password_hash if row else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row.active:
        return None
    if _hasher.check_needs_rehash(row.password_hash):
        row.password_hash = _hasher.hash(password)
    previous = as_utc(row.last_login_at) if row.last_login_at else None
    row.last_login_at = datetime.now(UTC)
    return SignedIn(row, previous)


def authenticate(session: Session, username: str, password: str) -> StaffUserRow | None:
    """The active account these credentials open, or ``None`` (same cost either way)."""
    found = sign_in(session, username, password)
    return found.user if found else None


def normal(username: str) -> str:
    """The form a username is stored and compared (and throttled) in."""
    return username.strip().lower()


def get_user(session: Session, user_id: int) -> StaffUserRow | None:
    row = session.get(StaffUserRow, user_id)
    return row if row is not None and row.active else None


def principal_for(row: StaffUserRow) -> Principal:
    """The API principal this person acts as; ``key_id`` fits the 32-character audit columns."""
    return Principal(
        key_id=f"staff_{row.id}",
        role=cast("StaffRole", row.role),
        school_id=row.school_id,
        employer_id=row.employer_id,
        label=row.username,
    )
