"""The ``cocok`` command line: keys, import, index rebuild, recommend, explain, demo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from svc_helpers import candidate_body, vacancy_body
from typer.testing import CliRunner

from service.cli import app
from service.db import repository
from service.db.session import build_engine, session_factory, upgrade


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "var"
    monkeypatch.setenv("COCOK_DATA_DIR", str(data))
    monkeypatch.setenv("COCOK_ENCODER", "hashing")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("COCOK_DATABASE_URL", raising=False)
    return data


def _seed(data: Path) -> None:
    engine = build_engine(f"sqlite:///{(data / 'cocok.sqlite3').resolve()}")
    upgrade(engine)
    with session_factory(engine)() as session:
        repository.upsert(session, repository.to_record("vacancy", vacancy_body("v1")), "cli")
        for i in range(3):
            record = repository.to_record("candidate", candidate_body(f"c{i}"))
            repository.upsert(session, record, "cli")
        session.commit()
    engine.dispose()


def test_keys_create_list_revoke(env: Path) -> None:
    runner = CliRunner()
    created = runner.invoke(app, ["keys", "create", "bkk", "--school-id", "S1"])
    assert created.exit_code == 0, created.output
    key_id = next(
        line.split(":", 1)[1].strip()
        for line in created.output.splitlines()
        if line.startswith("ID kunci")
    )
    assert runner.invoke(app, ["keys", "create", "bkk"]).exit_code == 2
    listed = runner.invoke(app, ["keys", "list"])
    assert key_id in listed.output
    assert runner.invoke(app, ["keys", "revoke", key_id]).exit_code == 0
    assert runner.invoke(app, ["keys", "revoke", key_id]).exit_code == 1


def test_rebuild_recommend_explain(env: Path) -> None:
    _seed(env)
    runner = CliRunner()
    rebuilt = runner.invoke(app, ["index", "rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert (env / "index" / "CURRENT").exists()
    result = runner.invoke(app, ["recommend", "--vacancy", "v1", "-k", "2"])
    assert result.exit_code == 0, result.output
    assert "c0" in result.output or "c1" in result.output
    assert runner.invoke(app, ["recommend"]).exit_code == 2
    explained = runner.invoke(app, ["explain", "c0", "v1"])
    assert explained.exit_code == 0 and "Skor" in explained.output


def test_import_reports_rows(env: Path, tmp_path: Path) -> None:
    pytest.importorskip("matcher.tabular")
    from matcher import tabular

    template = tmp_path / "t.xlsx"
    tabular.write_template("candidate", template)
    csv = tmp_path / "kandidat.csv"
    csv.write_text("id,school_id,major\nc1,S1,TKJ\n,S1,TKJ\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["import", str(csv), "--kind", "candidate"])
    assert "1 data tersimpan" in result.output, result.output
    assert result.exit_code == 1  # one row rejected


def test_demo_loads_once_and_prints_keys(env: Path) -> None:
    pytest.importorskip("matcher.demo")
    runner = CliRunner()
    first = runner.invoke(app, ["demo", "--no-serve"])
    assert first.exit_code == 0, first.output
    assert "http://127.0.0.1:8000/docs" in first.output and "cocok_" in first.output
    second: Any = runner.invoke(app, ["demo", "--no-serve"])
    assert "tidak dimuat ulang" in second.output
