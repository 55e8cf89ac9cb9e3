"""Shared fixtures: the known-answer records and a fast fake encoder."""

from __future__ import annotations

import pytest
from known_answer import PAIRS, candidate, vacancy

from matcher.encoder import HashingEncoder


@pytest.fixture
def encoder() -> HashingEncoder:
    return HashingEncoder(128)


@pytest.fixture
def small_records() -> tuple[list[dict], list[dict]]:
    return [candidate(i) for i in range(len(PAIRS))], [vacancy(i) for i in range(len(PAIRS))]
