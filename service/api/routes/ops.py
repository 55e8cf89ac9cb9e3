"""Operations: liveness (/healthz), readiness (/readyz), metrics and the offline API docs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import APIRouter, Request, Response
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from sqlalchemy import text

from service.problems import Problem

router = APIRouter(tags=["operations"])
#: swagger-ui and redoc bundles shipped inside the fastapi-offline wheel: no CDN, works offline
DOCS_ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"
ASSETS_URL = "/docs-assets"


@router.get("/healthz", summary="200 once the index is loaded and queries can be answered")
def healthz(request: Request) -> dict[str, str]:
    if request.app.state.gateway is None:
        error = request.app.state.load_error
        detail = "The index failed to load; see the log." if error else "The index is loading."
        raise Problem(503, "not-ready", detail, headers={"Retry-After": "5"})
    return {"status": "ok"}


@router.get("/readyz", summary="Database reachable and index loaded, with index counts")
def readyz(request: Request) -> dict[str, Any]:
    state = request.app.state
    try:
        with state.sessions() as session:
            session.execute(text("SELECT 1"))
    except Exception:
        raise Problem(503, "not-ready", "The database is not reachable.") from None
    if state.gateway is None:
        raise Problem(503, "not-ready", "The index is loading.", headers={"Retry-After": "5"})
    return {
        "status": "ready",
        "index": state.gateway.size(),
        "applied_change_seq": state.gateway.seq,
    }


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    return Response(
        request.app.state.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8"
    )


@router.get("/docs", include_in_schema=False)
def swagger(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    return get_swagger_ui_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title="cocok API",
        swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
        swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
    )


@router.get("/redoc", include_in_schema=False)
def redoc(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    return get_redoc_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title="cocok API",
        redoc_js_url=f"{root}{ASSETS_URL}/redoc.standalone.js",
        redoc_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
        with_google_fonts=False,
    )
