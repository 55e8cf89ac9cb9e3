"""A whole-run log scan: no NIK, phone number, e-mail, person's name or API key in any log line.

Loaded by ``pytest_plugins`` in ``tests/conftest.py``. For the whole pytest session it hangs a
DEBUG handler on the root logger and on the loggers that may not propagate (``cocok``,
``uvicorn``, ``sqlalchemy``),
and sets ``COCOK_LOG_LEVEL=DEBUG`` (unless set) so apps and ``cocok serve`` subprocesses started by
tests log everything they can. Each record is scanned as it is written (``cocok`` records as the
service's JSON formatter writes them, others as a plain handler would, traceback included). At the
end it also scans every ``*.log`` file under the session's temporary folder, which is where tests
send server subprocess output (``tests/service/test_api_blackbox.py``). Any hit fails the run:
the exit status becomes 1 and the summary lists what leaked where, redacted.

SQLAlchemy's own levels are left alone: its engine log prints bound parameters by design and the
service never turns it on; its warnings and errors are still caught.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

#: full names the fixtures use; the demo's name vocabulary is added from its data file
FIXTURE_NAMES = ("Siti Rahma", "Siti Rahmawati", "Wulan Sari Dewi", "Lina Marlina")
#: literal secrets the fixtures use (generated keys are caught by their shape)
SECRETS = ("test-admin-key-0123456789",)
LOGGERS = ("cocok", "uvicorn", "uvicorn.error", "uvicorn.access", "sqlalchemy")

PATTERNS: dict[str, re.Pattern[str]] = {
    "NIK": re.compile(r"(?<![\w.])\d{16}(?![\w])"),
    "phone": re.compile(r"(?<![\w+.])(?:\+62|62|0)8\d{2}[- ]?\d{3,4}[- ]?\d{3,5}(?![\w])"),
    "email": re.compile(r"[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"),
    "API key": re.compile(r"cocok_[A-Za-z0-9_-]{40,}"),
}


def _names_pattern(extra: tuple[str, ...] = ()) -> re.Pattern[str]:
    """Whole capitalised words from the demo's name lists, plus the fixtures' full names."""
    words: set[str] = set(FIXTURE_NAMES) | set(extra)
    demo = Path(__file__).resolve().parents[1] / "matcher" / "data" / "demo" / "names.json"
    if demo.is_file():
        lists = json.loads(demo.read_text(encoding="utf-8"))
        for key, values in lists.items():
            if not key.startswith("_"):
                words.update(v for v in values if isinstance(v, str) and len(v) >= 3)
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w@.])(?:{alternatives})(?![\w@])")


def redact(value: str) -> str:
    """Enough to find the line again, not enough to read the value."""
    if len(value) <= 6:
        return value[0] + "*" * (len(value) - 1)
    return value[:2] + "*" * (len(value) - 4) + value[-2:]


@dataclass
class Scanner:
    """Finds personal data in text; remembers each hit once, redacted, with where it was."""

    names: re.Pattern[str] = field(default_factory=_names_pattern)
    secrets: tuple[str, ...] = SECRETS
    findings: dict[tuple[str, str, str], int] = field(default_factory=dict)

    def scan(self, text: str, where: str) -> list[tuple[str, str]]:
        hits = [(kind, m.group(0)) for kind, rx in PATTERNS.items() for m in rx.finditer(text)]
        hits += [("name", m.group(0)) for m in self.names.finditer(text)]
        hits += [("secret", s) for s in self.secrets if s in text]
        for kind, value in hits:
            key = (kind, where, redact(value))
            self.findings[key] = self.findings.get(key, 0) + 1
        return hits

    def scan_file(self, path: Path) -> None:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return
        self.scan(text, str(path))

    def report(self) -> list[str]:
        return [
            f"{kind:<8} {redacted:<24} x{count} in {where}"
            for (kind, where, redacted), count in sorted(self.findings.items())
        ]


class _Collector(logging.Handler):
    """Scans each record once (it may reach several of our handlers through propagation)."""

    def __init__(self, scanner: Scanner) -> None:
        super().__init__(level=logging.DEBUG)
        self.scanner = scanner
        self.plain = logging.Formatter("%(levelname)s %(name)s %(message)s")
        self.json: logging.Formatter | None = None
        self.records = 0

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, "_log_scanned", False):
            return
        record._log_scanned = True
        self.records += 1
        try:
            text = self._format(record)
        except Exception:  # a record that cannot be formatted is scanned by its parts
            text = f"{record.msg} {record.args}"
        self.scanner.scan(text, f"logger {record.name}")

    def _format(self, record: logging.LogRecord) -> str:
        if record.name == "cocok" or record.name.startswith("cocok."):
            if self.json is None:
                from service.logs import JsonFormatter

                self.json = JsonFormatter()
            return self.json.format(record)
        return self.plain.format(record)


class LogScanPlugin:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.scanner = Scanner()
        self.collector = _Collector(self.scanner)
        self.failed = False
        self._attached: list[logging.Logger] = []
        os.environ.setdefault("COCOK_LOG_LEVEL", "DEBUG")
        for name in ("", *LOGGERS):
            logger = logging.getLogger(name)
            logger.addHandler(self.collector)
            self._attached.append(logger)
        for name in LOGGERS[:4]:  # the service's and uvicorn's own; not SQLAlchemy's (see above)
            logging.getLogger(name).setLevel(logging.DEBUG)

    def scan_files(self, session: pytest.Session) -> None:
        factory = getattr(session.config, "_tmp_path_factory", None)
        basetemp = getattr(factory, "_basetemp", None) if factory is not None else None
        if basetemp is None or not Path(basetemp).is_dir():
            return
        for path in sorted(Path(basetemp).rglob("*.log")):
            if path.is_file():
                self.scanner.scan_file(path)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        for logger in self._attached:
            logger.removeHandler(self.collector)
        self.scan_files(session)
        if self.scanner.findings:
            self.failed = True
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.failed:
            terminalreporter.write_line(
                f"log scan: {self.collector.records} log records and the run's *.log files "
                "hold no personal data"
            )
            return
        terminalreporter.section("log scan FAILED: personal data in logs", sep="=", red=True)
        for line in self.scanner.report():
            terminalreporter.write_line(line)

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        if self.failed and config.pluginmanager.get_plugin("terminalreporter") is None:
            print("log scan FAILED:\n" + "\n".join(self.scanner.report()), file=sys.stderr)


def pytest_configure(config: pytest.Config) -> None:
    """Loaded through ``pytest_plugins`` in ``tests/conftest.py``; ``-p no:log_scan`` skips it."""
    if not config.pluginmanager.has_plugin("log_scan-session"):
        config.pluginmanager.register(LogScanPlugin(config), "log_scan-session")
