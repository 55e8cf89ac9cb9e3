"""Shared fixtures: the known-answer records and a fast fake encoder."""

from __future__ import annotations

import pytest
from known_answer import PAIRS, candidate, vacancy

from matcher.encoder import HashingEncoder

#: the whole-run scan of every log line for personal data (see tests/log_scan.py)
pytest_plugins = ["log_scan"]


@pytest.fixture
def encoder() -> HashingEncoder:
    return HashingEncoder(128)


@pytest.fixture
def small_records() -> tuple[list[dict], list[dict]]:
    return [candidate(i) for i in range(len(PAIRS))], [vacancy(i) for i in range(len(PAIRS))]


def pytest_configure(config: pytest.Config) -> None:
    """``COCOK_TEST_VECTOR_BACKEND=milvus``: every Matcher built without a backend uses
    milvus-lite (one file per run; each index gets its own collection)."""
    import os
    import tempfile

    if os.environ.get("COCOK_TEST_VECTOR_BACKEND", "faiss") == "milvus":
        from matcher import vector_backends

        folder = tempfile.mkdtemp(prefix="cocok-milvus-")
        vector_backends.DEFAULT = vector_backends.MilvusBackend(f"{folder}/milvus.db")
