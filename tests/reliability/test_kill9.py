"""kill -9 during bulk ingest, the full run: 10 kills while 50,000 candidates are posted.

Runs ``python -m benchmarks.faults`` (which writes results/reliability_faults.json and .md) and
checks its figures: zero acknowledged records lost, the index equal to the database after every
restart, no unreadable database, recovery within 30 s.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.reliability
def test_kill9_during_50k_ingest() -> None:
    started = datetime.now(UTC).replace(microsecond=0)
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.faults", "--records", "50000", "--kills", "10"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3 * 3600,
    )
    result = json.loads((ROOT / "results" / "reliability_faults.json").read_text())
    assert datetime.fromisoformat(result["created_at"]) >= started, "stale results file"
    summary = result["summary"]
    assert len(result["kills"]) == 10, proc.stderr[-3000:]
    assert summary["lost_acknowledged"] == 0
    assert summary["index_mismatches"] == 0 and summary["unreadable"] == 0
    assert all(r["wrong_reads"] == 0 for r in result["kills"])
    assert summary["recovery_s_max"] <= 30.0, summary
    assert proc.returncode == 0, proc.stderr[-3000:]
