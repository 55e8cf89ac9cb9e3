"""Match lists answered as JSON bytes the use case already shaped, without a second validation.

A match route still declares its ``response_model`` (the OpenAPI document describes the same
schema), but returning a ``Response`` makes FastAPI skip re-validating every item through that
model on a worker thread: the dicts come from ``service.matching`` in exactly the model's field
order with no ``None`` values, and pydantic-core's serializer writes the same bytes the model
would (``tests/service/test_request_overhead.py`` holds both to that).
"""

from __future__ import annotations

from typing import Any

from fastapi import Response
from pydantic_core import to_json


def match_body(payload: dict[str, Any]) -> Response:
    """The JSON response for one match list, rendered once."""
    return Response(content=to_json(payload), media_type="application/json")
