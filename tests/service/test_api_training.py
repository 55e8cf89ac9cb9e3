"""Learning from outcomes end to end: outcomes recorded over the API, ``cocok train``, a restart
that serves the learned scorer, and ``cocok model rollback`` back to the previous artifact."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from svc_helpers import ADMIN
from typer.testing import CliRunner

from matcher.demo import generate_demo
from matcher.encoder import HashingEncoder
from matcher.engine import Matcher
from matcher.learning.simulator import simulate
from service.cli import app as cli

DEMO = {"seed": 3, "n_schools": 6, "n_candidates": 400, "n_vacancies": 120}


@pytest.fixture
def cli_env(tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The CLI on the app's database; ./models (the default) inside the test's folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COCOK_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("COCOK_ENCODER", "hashing")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("COCOK_DATABASE_URL", raising=False)
    return tmp_path / "models"


def _record_simulated_outcomes(client: Any) -> tuple[str, int]:
    # deadlines relative to today, so the vacancies are still open when the test runs
    demo = generate_demo(**DEMO, as_of=datetime.now(UTC).date())
    for kind, records in (("candidates", demo.candidates), ("vacancies", demo.vacancies)):
        items = [r.model_dump(mode="json", exclude_none=True) for r in records]
        response = client.post(f"/v1/{kind}/batch", json={"items": items}, headers=ADMIN)
        assert response.status_code == 200, response.text
    matcher = Matcher(encoder=HashingEncoder(64)).fit(demo.candidates, demo.vacancies)
    events = simulate(demo, matcher, seed=2, weeks=6, shown=15).events
    for event in events:
        response = client.post("/v1/outcomes", json=event.to_json(), headers=ADMIN)
        assert response.status_code == 201, response.text
    # the busiest vacancy that still has matches (ties broken by id, never by set order)
    counts = Counter(e.vacancy_id for e in events)
    ranked = sorted(counts, key=lambda v: (-counts[v], v))
    busiest = next(v for v in ranked if _scores(client, v))
    return busiest, len(events)


def _scores(client: Any, vacancy_id: str) -> dict[str, float]:
    body = client.get(f"/v1/vacancies/{vacancy_id}/matches?k=20", headers=ADMIN).json()
    return {i["candidate_id"]: i["score"] for i in body["items"]}


def _serving(client: Any) -> str:
    return str(client.app.state.gateway.matcher.scorer_.name)


def test_train_restart_serve_and_roll_back(start_app: Any, cli_env: Path) -> None:
    runner = CliRunner()
    first = start_app()
    vacancy, n_events = _record_simulated_outcomes(first)
    assert _serving(first) == "default"
    default_scores = _scores(first, vacancy)

    trained = runner.invoke(cli, ["train"])
    assert trained.exit_code == 0, trained.output
    assert f"Hasil penempatan tercatat: {n_events}" in trained.output
    assert "dipakai setelah layanan dimulai ulang" in trained.output
    older = sorted(p.name for p in cli_env.iterdir() if p.is_dir())
    assert len(older) == 1 and (cli_env / older[0] / "MODEL_CARD.md").is_file()
    assert runner.invoke(cli, ["train"]).exit_code == 0
    names = sorted(p.name for p in cli_env.iterdir() if p.is_dir())
    newer = next(n for n in names if n not in older)
    first.__exit__(None, None, None)

    second = start_app()
    assert _serving(second) == newer
    learned_scores = _scores(second, vacancy)
    assert learned_scores != default_scores
    listed = runner.invoke(cli, ["model", "list"])
    assert listed.exit_code == 0 and f"Dipakai: {newer}" in listed.output
    second.__exit__(None, None, None)

    rolled = runner.invoke(cli, ["model", "rollback"])
    assert rolled.exit_code == 0, rolled.output
    assert f"Sekarang dipakai: {older[0]}" in rolled.output
    third = start_app()
    assert _serving(third) == older[0]
    third.__exit__(None, None, None)

    assert runner.invoke(cli, ["model", "rollback"]).exit_code == 0
    fourth = start_app()
    assert _serving(fourth) == "default"
    assert _scores(fourth, vacancy) == default_scores
    assert runner.invoke(cli, ["model", "rollback"]).exit_code == 1


def test_train_refuses_without_enough_outcomes(client: Any, cli_env: Path) -> None:
    result = CliRunner().invoke(cli, ["train"])
    assert result.exit_code == 1
    assert "belum cukup" in result.output
    assert not cli_env.exists() or not any(cli_env.iterdir())


def test_the_engine_learns_from_the_outcomes_the_contract_accepts() -> None:
    from typing import get_args

    from matcher.learning.outcomes import REASONS, STATUSES
    from service.api.schemas import OutcomeReason, OutcomeStatus

    assert set(STATUSES) == set(get_args(OutcomeStatus))
    assert set(REASONS) == set(get_args(OutcomeReason))
