"""ASGI middleware: request id, access log and metrics per route template; body size bound.

Pure ASGI rather than ``BaseHTTPMiddleware`` so a streamed upload is counted as it arrives and
cut at the limit with a 413, instead of being buffered whole first.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.logs import request_id_var
from service.metrics import Metrics
from service.problems import MEDIA_TYPE, problem_body

log = logging.getLogger("cocok.access")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class _TooLarge(Exception):
    pass


#: the multipart wrapping around a file posted from the workspace's import form: the page itself
#: checks the file against the upload cap and explains a refusal in Indonesian
FORM_OVERHEAD = 64 * 1024
WORKSPACE_PREFIXES = ("/ruang", "/masuk", "/keluar")


class ServiceMiddleware:
    def __init__(self, app: ASGIApp, *, metrics: Metrics, max_body: int, max_upload: int) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body = max_body
        self.max_upload = max_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        given = headers.get("x-request-id", "")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        limit = self._limit(scope["path"])
        started = time.perf_counter()
        status = 500
        response_started = False
        too_large = False
        replaced = False

        async def send_wrapper(message: Message) -> None:
            nonlocal replaced
            if too_large and message["type"].startswith("http.response"):
                # FastAPI turns any error while reading a body into "400 error parsing the
                # body"; the real reason is the size, so that answer is swapped for the 413
                if replaced or message["type"] != "http.response.start":
                    return
                replaced = True
                payload = json.dumps(
                    problem_body(413, "too-large", f"The request body exceeds {limit} bytes.")
                ).encode()
                await forward(_problem_start(413, payload))
                await forward({"type": "http.response.body", "body": payload})
                return
            await forward(message)

        async def forward(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        received = 0

        async def receive_wrapper() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    raise _TooLarge
            return message

        try:
            length = headers.get("content-length")
            if length is not None and length.isdigit() and int(length) > limit:
                await self._too_large(send_wrapper, limit, scope["path"])
            else:
                try:
                    await self.app(scope, receive_wrapper, send_wrapper)
                except _TooLarge:
                    if response_started:
                        raise
                    await self._too_large(send_wrapper, limit, scope["path"])
                except Exception as exc:
                    # logged here, by type and frames only: the message may quote a record, and
                    # re-raising would let the server log it verbatim
                    log.error("unhandled exception", exc_info=exc)
                    if not response_started:
                        await self._send_problem(
                            send_wrapper,
                            problem_body(
                                500,
                                "internal",
                                f"Unexpected error; quote request id {request_id} to the operator.",
                            ),
                        )
        finally:
            elapsed = time.perf_counter() - started
            route = _route_template(scope)
            self.metrics.observe(scope["method"], route, status, elapsed)
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "route": route,
                    "status": status,
                    "ms": round(elapsed * 1000, 1),
                    "key_id": _key_id(scope),
                },
            )
            request_id_var.reset(token)

    def _limit(self, path: str) -> int:
        """Spreadsheet uploads get the upload cap; every other body the smaller one."""
        if path.endswith("/import"):
            return self.max_upload
        if path == "/ruang/impor":
            return self.max_upload + FORM_OVERHEAD
        return self.max_body

    async def _too_large(self, send: Send, limit: int, path: str) -> None:
        if path.startswith(WORKSPACE_PREFIXES):  # staff in a browser read Indonesian, not JSON
            mb = max(1, round(limit / 2**20))
            page = (
                '<!doctype html><html lang="id"><meta charset="utf-8"><title>Terlalu besar</title>'
                f"<p>Kiriman terlalu besar (maksimal sekitar {mb} MB). Tidak ada data yang"
                " disimpan. Pecah berkas menjadi beberapa bagian lalu kirim lagi.</p>"
                '<p><a href="/ruang">Kembali ke beranda</a></p></html>'
            ).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 413,
                    "headers": [
                        (b"content-type", b"text/html; charset=utf-8"),
                        (b"content-length", str(len(page)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": page})
            return
        body = problem_body(413, "too-large", f"The request body exceeds {limit} bytes.")
        await self._send_problem(send, body)

    async def _send_problem(self, send: Send, body: dict[str, Any]) -> None:
        payload = json.dumps(body).encode()
        await send(_problem_start(body["status"], payload))
        await send({"type": "http.response.body", "body": payload})


def _problem_start(status: int, payload: bytes) -> Message:
    return {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", MEDIA_TYPE.encode()),
            (b"content-length", str(len(payload)).encode()),
        ],
    }


def _route_template(scope: Scope) -> str:
    """The matched route's template (``/v1/vacancies/{vacancy_id}``), never the raw path."""
    route: Any = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "unmatched"


def _key_id(scope: Scope) -> str:
    principal = scope.get("state", {}).get("principal")
    return getattr(principal, "key_id", "-")
