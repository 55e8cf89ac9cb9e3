"""What ``cocok serve`` does before ``/healthz`` answers 200, kept to what answering needs.

Issue #6 asks for a cold start under 10 s at 100,000 stored candidates. scikit-learn (with scipy
and pandas behind it) took about a second of it, reached through ``matcher.errors`` and the
learned scorer's package, and a full collector pass over the freshly loaded engine took another.
These tests fail if either comes back: a fresh interpreter runs the start-up path on a data
folder with a snapshot and a learned-scorer artifact, serves a match, and reports its modules.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from svc_helpers import ADMIN_KEY

import matcher.learning
from matcher.errors import MatcherError, NotFittedError
from matcher.features import FEATURES
from matcher.learning.artifact import CARD_FORMAT, KIND
from matcher.learning.outcome_scorer import TreeEnsemble
from service import collector
from service.config import Settings
from service.web import accounts

#: packages that answer no request at start; any of them here costs the start seconds
HEAVY = (
    "sklearn",
    "pandas",
    "pyarrow",
    "openpyxl",
    "scipy.stats",
    "torch",
    "transformers",
    "sentence_transformers",
    "onnxruntime",
    "pymilvus",
    "matplotlib",
    "rich.markdown",
)

START = textwrap.dedent(
    """
    import gc, json, sys, time

    import service.cli  # the console script's module
    import uvicorn  # what ``serve`` imports before uvicorn.run
    from service.engine_gateway import BackendUnavailable, vector_backend
    from service.main import create_app
    from service.memory import cap_malloc_arenas
    from fastapi.testclient import TestClient

    with TestClient(create_app()) as client:
        deadline = time.monotonic() + 120
        while client.get("/healthz").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        gateway = client.app.state.gateway
        frozen = gc.get_freeze_count()
        answer = client.get(
            "/v1/vacancies/v-a/matches?k=5", headers={"Authorization": "Bearer " + sys.argv[1]}
        )
        print(json.dumps({
            "loaded": gateway is not None,
            "size": gateway.size() if gateway else None,
            "scorer": gateway.matcher.scorer_.name if gateway else None,
            "scorer_active": gateway.matcher.scorer_.active if gateway else None,
            "matches": [m["candidate_id"] for m in answer.json()["items"]],
            "frozen_while_serving": frozen,
            "modules": sorted(sys.modules),
        }))
    """
)


def _heavy(modules: list[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


def _artifact(models_dir: Path) -> str:
    """A learned-scorer artifact the registry will serve: one tree that favours feature 0."""
    name = f"{KIND}-20260101T000000Z"
    folder = models_dir / name
    folder.mkdir(parents=True)
    tree = {"feature": [0, -2, -2], "threshold": [0.5, -2.0, -2.0], "left": [1, -1, -1]}
    tree |= {"right": [2, -1, -1], "value": [0.0, -0.1, 0.2]}
    model = {
        "format": TreeEnsemble.FORMAT,
        "features": list(FEATURES),
        "prior": None,
        "init": {"intercept": 0.5, "slope": 0.0},
        "learning_rate": 0.5,
        "trees": [tree],
    }
    (folder / "model.json").write_text(json.dumps(model), encoding="utf-8")
    card = {
        "format": CARD_FORMAT,
        "name": name,
        "kind": KIND,
        "created_at": datetime(2026, 1, 1, tzinfo=UTC).isoformat(),
        "features": list(FEATURES),
        "beats_default": True,
        "model_sha256": hashlib.sha256((folder / "model.json").read_bytes()).hexdigest(),
    }
    (folder / "card.json").write_text(json.dumps(card), encoding="utf-8")
    return name


def _run(code: str, env: dict[str, str], *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_a_cold_start_from_a_snapshot_imports_nothing_heavy(
    client: TestClient, world: dict[str, Any], settings: Settings, tmp_path: Path
) -> None:
    client.__exit__(None, None, None)  # shutdown writes the snapshot the next start loads
    assert (settings.index_dir / "CURRENT").is_file()
    name = _artifact(tmp_path / "models")
    env = dict(
        os.environ,
        COCOK_DATA_DIR=str(settings.data_dir),
        COCOK_DATABASE_URL="",
        COCOK_ADMIN_KEY=ADMIN_KEY,
        COCOK_ENCODER="hashing",
        COCOK_VECTOR_BACKEND="faiss",
        COCOK_MODELS_DIR=str(tmp_path / "models"),
    )
    out = _run(START, env, ADMIN_KEY)

    assert out["loaded"] and out["size"] == {"candidate": 2, "vacancy": 2}
    assert out["scorer"] == name and out["scorer_active"] is True  # the tree ensemble scores
    assert "c-a" in out["matches"]  # the welder fits the welding vacancy, scored by the trees
    assert out["frozen_while_serving"] > 0  # loaded from the snapshot, then frozen
    assert _heavy(out["modules"]) == []
    assert "faiss" in out["modules"] and "matcher.engine" in out["modules"]  # a real start


def test_the_learning_package_imports_scikit_learn_only_for_training() -> None:
    code = textwrap.dedent(
        """
        import json, sys
        from matcher.learning import ModelRegistry, OutcomeEvent, OutcomeScorer, TreeEnsemble
        serving = "sklearn" in sys.modules
        from matcher.learning import train_scorer
        print(json.dumps({"serving": serving, "training": "sklearn" in sys.modules}))
        """
    )
    assert _run(code, dict(os.environ)) == {"serving": False, "training": True}


@pytest.mark.parametrize("name", matcher.learning.__all__)
def test_every_public_name_of_the_learning_package_resolves_to_its_home(name: str) -> None:
    value = getattr(matcher.learning, name)
    home = sys.modules[value.__module__]
    assert getattr(home, name) is value
    assert name in dir(matcher.learning)


def test_an_unknown_name_of_the_learning_package_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        matcher.learning.no_such_name  # noqa: B018


def test_not_fitted_is_caught_by_every_except_clause_that_catches_scikit_learns() -> None:
    from sklearn.exceptions import NotFittedError as SklearnNotFittedError

    ours = set(NotFittedError.__mro__)
    assert set(SklearnNotFittedError.__mro__) - {SklearnNotFittedError} <= ours
    assert MatcherError in ours


def test_the_written_out_dummy_hash_costs_what_a_real_one_costs() -> None:
    # same algorithm and parameters as the hasher's, so an unknown username is not faster
    assert not accounts._hasher.check_needs_rehash(accounts._DUMMY_HASH)
    assert accounts._hasher.verify(accounts._DUMMY_HASH, "cocok-no-such-user")


def test_a_long_lived_load_is_frozen_and_thawed() -> None:
    assert gc.get_freeze_count() == 0
    try:
        with collector.loading_long_lived():
            assert not gc.isenabled()
            kept = [{"row": i} for i in range(1000)]
        assert gc.isenabled()
        assert gc.get_freeze_count() >= len(kept)
    finally:
        collector.thaw()
    assert gc.get_freeze_count() == 0


def test_a_failed_load_freezes_nothing_and_restores_the_collector() -> None:
    with pytest.raises(OSError), collector.loading_long_lived():
        raise OSError("torn snapshot")
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.disable()
    try:
        with collector.loading_long_lived():
            pass
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        collector.thaw()
        gc.enable()
