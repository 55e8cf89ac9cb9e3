"""Structured JSON logs with the request id on every line, and no personal data.

Only ids, route templates, counts and error *types* are logged: never names, phone numbers,
e-mail addresses, NIK, API keys or exception messages (which may quote a record). Tracebacks keep
their frames (code, not data) so an operator can still find the failing line.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from typing import Any

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": request_id_var.get(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = value if isinstance(value, int | float | bool | None) else str(value)
        if record.exc_info and record.exc_info[0] is not None:
            out["error"] = record.exc_info[0].__name__
            out["frames"] = [
                f"{f.filename}:{f.lineno} in {f.name}"
                for f in traceback.extract_tb(record.exc_info[2])
            ]
        return json.dumps(out, ensure_ascii=False)


def configure(level: str = "INFO") -> None:
    """Send the ``cocok`` loggers to stderr as JSON lines (idempotent)."""
    logger = logging.getLogger("cocok")
    logger.setLevel(level.upper())
    if not any(getattr(h, "_cocok", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        handler._cocok = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.propagate = False
