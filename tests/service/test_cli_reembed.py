"""``cocok index reembed``: interrupted after some batches and run again, every record is
embedded exactly once and the result equals an uninterrupted run."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from svc_helpers import candidate_body, make_settings, vacancy_body
from typer.testing import CliRunner

from matcher.encoder import HashingEncoder
from matcher.engine import Matcher
from service import snapshots
from service.cli import app
from service.cli_reembed import reembed
from service.db import repository
from service.db.session import build_engine, session_factory, upgrade


class RecordingEncoder(HashingEncoder):
    """Counts every text it embeds, so a test can see that nothing was embedded twice."""

    def __init__(self, dim: int = 64) -> None:
        super().__init__(dim)
        self.seen: Counter[str] = Counter()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.seen.update(texts)
        return super().encode(texts)


class Interrupted(Exception):
    pass


def _database(settings: Any, n: int) -> Any:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = build_engine(settings.resolved_database_url)
    upgrade(engine)
    sessions = session_factory(engine)
    with sessions() as session:
        for i in range(n):
            body = candidate_body(f"c{i:03d}", skills=[f"keahlian {i}"], summary=f"alumni {i}")
            repository.upsert(session, repository.to_record("candidate", body), "cli")
        for i in range(7):
            body = vacancy_body(f"v{i}", title=f"Operator {i}")
            repository.upsert(session, repository.to_record("vacancy", body), "cli")
        session.commit()
    return sessions


def _vectors(settings: Any, encoder: Any) -> dict[str, np.ndarray]:
    snap = snapshots.current(settings.index_dir)
    assert snap is not None
    m = Matcher.load(snap.engine_dir, encoder=encoder)
    ids = sorted(m.candidates_)
    return {"ids": np.asarray(ids), "vectors": m.candidate_index_.get(ids)}


def test_an_interrupted_run_resumes_and_embeds_each_record_once(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "var")
    sessions = _database(settings, 45)
    encoder = RecordingEncoder()
    batches = 0

    def stop_after_three(kind: str, n: int) -> None:
        nonlocal batches
        batches += 1
        if batches == 3:
            raise Interrupted

    with pytest.raises(Interrupted):
        reembed(settings, sessions, encoder, batch_size=10, advance=stop_after_three)
    assert sum(encoder.seen.values()) == 30
    assert snapshots.current(settings.index_dir) is None

    path = reembed(settings, sessions, encoder, batch_size=10)
    assert path is not None and not (settings.data_dir / "reembed").exists()
    assert sum(encoder.seen.values()) == 45 + 7 and set(encoder.seen.values()) == {1}

    clean = make_settings(tmp_path / "clean")
    reembed(clean, _database(clean, 45), HashingEncoder(64), batch_size=10)
    got, want = _vectors(settings, HashingEncoder(64)), _vectors(clean, HashingEncoder(64))
    assert list(got["ids"]) == list(want["ids"]) and len(got["ids"]) == 45
    np.testing.assert_array_equal(got["vectors"], want["vectors"])


def test_a_run_with_another_encoder_starts_over(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "var")
    sessions = _database(settings, 12)

    def stop(kind: str, n: int) -> None:
        raise Interrupted

    with pytest.raises(Interrupted):
        reembed(settings, sessions, HashingEncoder(64), batch_size=5, advance=stop)
    other = RecordingEncoder(32)  # another name: the checkpoint's vectors are not reused
    reembed(settings, sessions, other, batch_size=5)
    assert sum(other.seen.values()) == 12 + 7


def test_the_command_reports_in_indonesian(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "var"
    monkeypatch.setenv("COCOK_DATA_DIR", str(data))
    monkeypatch.setenv("COCOK_ENCODER", "hashing")
    monkeypatch.delenv("COCOK_DATABASE_URL", raising=False)
    _database(make_settings(data), 5)
    result = CliRunner().invoke(app, ["index", "reembed", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert "Vektor dihitung ulang" in result.output
    bad = CliRunner().invoke(app, ["index", "reembed", "--kind", "lowongan"])
    assert bad.exit_code == 2 and "--kind harus" in bad.output
