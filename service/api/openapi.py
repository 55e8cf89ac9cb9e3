"""The served OpenAPI document, with error answers documented as ``application/problem+json``.

FastAPI files a response ``model`` under ``application/json``; error answers are problem+json,
so their schema is moved there once, when the document is first built.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

PROBLEM = "application/problem+json"


def install(app: FastAPI) -> None:
    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            for operations in spec.get("paths", {}).values():
                for operation in operations.values():
                    for code, response in operation.get("responses", {}).items():
                        content = response.get("content", {})
                        if (
                            code[:1] in "45"
                            and PROBLEM in content
                            and "application/json" in content
                        ):
                            content[PROBLEM] = content.pop("application/json")
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = build  # type: ignore[method-assign]
