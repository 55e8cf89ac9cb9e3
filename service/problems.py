"""Every error answer is ``application/problem+json`` (RFC 9457); engine errors map here, once.

``Problem`` is what service code raises; the handlers below turn it, FastAPI's own errors and the
engine's error tree into one body shape: ``type``, ``title``, ``status``, ``detail`` and, for
validation, ``errors: [{loc, msg}]``. Unexpected exceptions are caught in ``service.middleware``
(so no server logs their message) and become a generic 500 that carries the request id.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from matcher.errors import (
    ArtifactError,
    IndexBackendError,
    MatcherError,
    NotFittedError,
    RecordValidationError,
    UnknownRecordError,
)

log = logging.getLogger("cocok.service")

PROBLEM_BASE = "https://cocok.serangkab.go.id/problems/"
MEDIA_TYPE = "application/problem+json"

_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Validation failed",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


class Problem(Exception):
    """An error answer: raise it anywhere below a route and the handler renders it."""

    def __init__(
        self,
        status: int,
        slug: str,
        detail: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.detail = detail
        self.errors = errors
        self.headers = headers


def not_found(kind: str, record_id: str) -> Problem:
    """The same 404 whether the record is absent or hidden from this key: existence never leaks."""
    return Problem(404, "not-found", f"No {kind} with id {record_id!r}.")


def problem_body(
    status: int, slug: str, detail: str, errors: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug,
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    return body


def problem_response(
    status: int,
    slug: str,
    detail: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(
        problem_body(status, slug, detail, errors),
        status_code=status,
        media_type=MEDIA_TYPE,
        headers=headers,
    )


def clean_errors(errors: Any) -> list[dict[str, Any]]:
    """``[{loc, msg}]`` only: pydantic's ``input`` would echo personal data back and into logs."""
    return [{"loc": list(e.get("loc", [])), "msg": str(e.get("msg", ""))} for e in errors]


def from_matcher_error(exc: MatcherError) -> Problem:
    """The one mapping from the engine's error tree to HTTP."""
    if isinstance(exc, UnknownRecordError):
        return not_found(exc.kind, exc.record_id)
    if isinstance(exc, RecordValidationError):
        return Problem(422, "validation", str(exc), errors=clean_errors(exc.errors))
    if isinstance(exc, NotFittedError):
        return Problem(503, "not-ready", "The index is not loaded yet.")
    if isinstance(exc, ArtifactError | IndexBackendError):
        return Problem(503, "index-unavailable", "The vector index is unavailable.")
    return Problem(500, "internal", "The matching engine failed.")


def install_handlers(app: FastAPI) -> None:
    """Register the handlers that give every error the problem+json shape."""

    @app.exception_handler(Problem)
    async def _problem(_request: Request, exc: Problem) -> JSONResponse:
        return problem_response(
            exc.status, exc.slug, exc.detail, errors=exc.errors, headers=exc.headers
        )

    @app.exception_handler(MatcherError)
    async def _matcher(request: Request, exc: MatcherError) -> JSONResponse:
        problem = from_matcher_error(exc)
        if problem.status >= 500:
            log.error(
                "engine error",
                extra={"request_id": _request_id(request), "error": type(exc).__name__},
            )
        return await _problem(request, problem)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem_response(
            422, "validation", "The request is not valid.", errors=clean_errors(exc.errors())
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        slug = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "")
        return problem_response(
            exc.status_code, slug, detail, headers=getattr(exc, "headers", None)
        )


def _request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", "-"))
