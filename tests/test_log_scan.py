"""The whole-run log scan (``tests/log_scan.py``) can fail: planted leaks fail a run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from log_scan import Scanner, redact

# invented values of each kind the scan looks for
PLANTED = {
    "NIK": "3604015708090001",
    "phone": "+6281398765432",
    "email": "rina.kusuma@contoh.sch.id",
    "API key": "cocok_" + "Zq3" * 15,
    "name": "Siti Rahma",
    "secret": "test-admin-key-0123456789",
}
CLEAN = (
    '{"ts": "2026-01-01T00:00:00+00:00", "level": "INFO", "logger": "cocok.access", '
    '"msg": "request", "request_id": "0123456789abcdef0123456789abcdef", "method": "GET", '
    '"route": "/v1/vacancies/{vacancy_id}/matches", "status": 200, "ms": 12.5, '
    '"key_id": "key_1234567890ab", "seq": 1234567890123}'
)


def test_each_kind_is_found_and_reported_redacted() -> None:
    scanner = Scanner()
    for kind, value in PLANTED.items():
        hits = scanner.scan(f"INFO cocok.service something {value} happened", "planted")
        assert (kind, value) in hits, kind
    report = "\n".join(scanner.report())
    for value in PLANTED.values():
        assert value not in report
        assert redact(value) in report


def test_ordinary_log_lines_are_clean() -> None:
    scanner = Scanner()
    assert scanner.scan(CLEAN, "clean") == []
    assert scanner.scan("cocok_http_requests_total 3.0\nindex ready candidate=120", "m") == []


def test_a_planted_leak_fails_the_whole_run(tmp_path: Path) -> None:
    """A real pytest run with the plugin: a leak in a log record or in a *.log file under the
    run's temporary folder turns a green run red (exit 1), and the summary is redacted."""
    here = Path(__file__).resolve().parent
    project = tmp_path / "inner"
    project.mkdir()
    (project / "conftest.py").write_text('pytest_plugins = ["log_scan"]\n')
    (project / "test_planted.py").write_text(
        "import logging, os\n"
        "def test_logs_a_phone():\n"
        f"    logging.getLogger('cocok.service').info('sent to %s', {PLANTED['phone']!r})\n"
        "def test_writes_a_server_log(tmp_path):\n"
        f"    (tmp_path / 'server.log').write_text('user ' + {PLANTED['email']!r})\n"
        "def test_clean():\n"
        "    logging.getLogger('uvicorn.error').info('Application startup complete.')\n"
    )
    (project / "test_clean_only.py").write_text(
        "import logging\n"
        "def test_clean():\n"
        "    logging.getLogger('cocok.access').info('request', extra={'status': 200})\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(here), str(here.parent)])}
    basetemp = tmp_path / "inner-tmp"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        return subprocess.run(
            [*command, f"--basetemp={basetemp}", *args],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    try:
        leaky = run("test_planted.py")
        clean = run("test_clean_only.py")
    finally:
        # the planted server.log must not reach this (outer) run's own scan
        shutil.rmtree(basetemp, ignore_errors=True)
    out = leaky.stdout + leaky.stderr
    assert leaky.returncode == 1, out
    assert "3 passed" in out and "log scan FAILED" in out
    assert "logger cocok.service" in out and "server.log" in out
    assert PLANTED["phone"] not in out and PLANTED["email"] not in out
    assert redact(PLANTED["phone"]) in out
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "hold no personal data" in clean.stdout


@pytest.mark.parametrize("value", ["08123", "2026-11-27", "key_1234567890ab", "S1", "E1"])
def test_short_or_structural_values_are_not_flagged(value: str) -> None:
    assert Scanner().scan(f"detail {value} end", "x") == []
