"""The load run at moderate size: a real ``cocok serve``, locust, a soak and a rate-limit flood.

``make reliability`` runs it (about 8 minutes); the full issue-sized run is
``python -m benchmarks.load`` (50,000 candidates, 20 callers, 5 + 10 minutes).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import load


@pytest.mark.reliability
def test_load_soak_and_rate_limit(tmp_path: Path) -> None:
    result = load.main(
        [
            "--candidates", "10000", "--vacancies", "300", "--clients", "20",
            "--minutes", "2", "--soak-minutes", "3", "--abuse-seconds", "10",
            "--out", str(tmp_path), "--workdir", str(tmp_path),
        ]
    )  # fmt: skip
    verdict = result["verdict"]
    assert verdict["errors"] == 0, result["load"]["failures"] + result["soak"]["failures"]
    assert verdict["p95_ok"], verdict["load_p95_ms"]
    assert verdict["soak_ok"], result["memory"]
    assert verdict["rate_limit_ok"], result["rate_limit"]
    healthz = result["rate_limit"]["healthz_during_flood"]
    assert healthz["p95_ms"] < 100, healthz
    assert (tmp_path / "load.md").exists() and (tmp_path / "load.json").exists()
