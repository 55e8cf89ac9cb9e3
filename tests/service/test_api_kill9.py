"""kill -9 during bulk ingest, the fast subset: 2 kills while ~2,000 candidates are posted to a
real ``cocok serve``. Nothing acknowledged is lost, acknowledged deletions stay deleted, the
database reads clean and the restarted index holds exactly the database's records.

The timed figures come from ``python -m benchmarks.faults`` (50k records, 10 kills), not from here.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.faults import run_faults


def test_kill9_during_ingest_loses_nothing_acknowledged(tmp_path: Path) -> None:
    result = run_faults(tmp_path, records=2000, kills=2, batch=250, seed=11)
    assert len(result["kills"]) == 2
    for row in result["kills"]:
        assert row["acknowledged"] > 0
        assert row["lost_acknowledged"] == 0 and row["deleted_but_present"] == 0
        assert row["wrong_reads"] == 0 and row["reads_checked"] > 0
        assert row["index_equals_db"] and row["db_quick_check"] == "ok"
        assert row["loaded_from"] != "rebuild (snapshot unusable)"
    final = result["final"]
    assert final["acknowledged"] + final["acknowledged_deletions"] >= 2000
    assert final["lost_acknowledged"] == 0 and final["deleted_but_present"] == 0
    assert final["index_equals_db"] and final["db_quick_check"] == "ok"
