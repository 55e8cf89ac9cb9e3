"""Signed session cookies and per-session CSRF tokens for the staff workspace.

The cookie holds only the account id, a CSRF token and the time of the account's previous
sign-in (so the dashboard can show what is new since then without a column for it), signed (not
encrypted) with ``COCOK_SESSION_SECRET``; the account is re-read on every request, so a
deactivated account loses access at once. When no secret is configured one is generated and kept
in the data dir (mode 0600) so sessions survive a restart.
"""

from __future__ import annotations

import contextlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from service.config import Settings

COOKIE = "cocok_sesi"
#: a working day and a half; staff sign in again after that
MAX_AGE_S = 36 * 3600
SECRET_FILE = "session_secret"


def load_secret(settings: Settings) -> str:
    """The configured secret, else the one stored under the data dir (created on first use)."""
    if settings.session_secret is not None:
        return settings.session_secret.get_secret_value()
    path = Path(settings.data_dir) / SECRET_FILE
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    tmp = path.with_name(f".{SECRET_FILE}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secret)
    with contextlib.suppress(FileExistsError):
        os.link(tmp, path)  # a second process starting at once keeps the first one's secret
    tmp.unlink(missing_ok=True)
    return path.read_text().strip()


@dataclass(frozen=True)
class WebSession:
    user_id: int | None
    csrf: str
    #: when this account last signed in before this session began; ``None``: never (first visit)
    previous_visit: datetime | None = None


class SessionCodec:
    """Reads and writes the session cookie; one per app."""

    def __init__(self, secret: str, *, secure: bool = False) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="cocok-web-session")
        self.secure = secure

    def read(self, request: Request) -> WebSession | None:
        raw = request.cookies.get(COOKIE)
        if not raw:
            return None
        try:
            data: Any = self._serializer.loads(raw, max_age=MAX_AGE_S)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("csrf"), str):
            return None
        uid = data.get("uid")
        return WebSession(uid if isinstance(uid, int) else None, data["csrf"], _instant(data))

    def write(self, response: Response, session: WebSession) -> None:
        prev = session.previous_visit
        value = self._serializer.dumps(
            {
                "uid": session.user_id,
                "csrf": session.csrf,
                "prev": as_utc(prev).isoformat() if prev else None,
            }
        )
        response.set_cookie(
            COOKIE,
            value,
            max_age=MAX_AGE_S,
            httponly=True,
            samesite="lax",
            secure=self.secure,
            path="/",
        )

    def clear(self, response: Response) -> None:
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax")


def new_session(user_id: int | None, previous_visit: datetime | None = None) -> WebSession:
    """A fresh token on every sign-in and sign-out, so a token seen before sign-in is useless."""
    return WebSession(user_id, secrets.token_urlsafe(32), previous_visit)


def _instant(data: dict[str, Any]) -> datetime | None:
    """The stored previous visit, always timezone-aware (UTC)."""
    raw = data.get("prev")
    if not isinstance(raw, str):
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return as_utc(value)


def as_utc(moment: datetime) -> datetime:
    """Aware UTC; a naive value is UTC already (SQLite hands back stored instants without zone)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def csrf_ok(session: WebSession | None, submitted: str | None) -> bool:
    if session is None or not submitted:
        return False
    return hmac.compare_digest(session.csrf.encode(), submitted.encode())
