"""The arena cap `cocok serve` applies: on glibc, and never over the operator's own setting."""

from __future__ import annotations

import platform

import pytest

from service.memory import cap_malloc_arenas, release_free_memory


@pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only"
)
def test_the_cap_is_applied_on_glibc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert cap_malloc_arenas(2) is True
    assert release_free_memory() is True


def test_the_operators_setting_wins_and_zero_leaves_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert cap_malloc_arenas(2) is False
    monkeypatch.delenv("MALLOC_ARENA_MAX")
    assert cap_malloc_arenas(0) is False
