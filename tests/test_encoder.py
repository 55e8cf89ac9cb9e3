import shutil

import numpy as np
import pytest

from matcher.encoder import (
    CachedEncoder,
    HashingEncoder,
    bundled_model_dir,
    load_pins,
    verify_model_dir,
)
from matcher.errors import ModelIntegrityError


def test_hashing_encoder_is_deterministic_and_unit_norm() -> None:
    enc = HashingEncoder(64)
    a = enc.encode(["operator las smaw", "staff akuntansi"])
    b = HashingEncoder(64).encode(["operator las smaw", "staff akuntansi"])
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, rtol=1e-5)
    close = enc.encode(["juru las smaw"])[0]
    assert close @ a[0] > close @ a[1]


def test_cache_encodes_each_text_once() -> None:
    enc = CachedEncoder(HashingEncoder(16))
    enc.encode(["a", "b", "a"])
    enc.encode(["b", "c"])
    assert enc.calls == 3


def test_installed_weights_match_their_pins() -> None:
    verify_model_dir(bundled_model_dir(), load_pins())


def test_tampered_weights_are_refused(tmp_path) -> None:
    copy = tmp_path / "model"
    shutil.copytree(bundled_model_dir(), copy)
    with (copy / "config.json").open("a") as handle:
        handle.write(" ")
    with pytest.raises(ModelIntegrityError, match=r"config\.json"):
        verify_model_dir(copy, load_pins())


@pytest.mark.slow
def test_bundled_encoder_loads_offline_and_embeds() -> None:
    from matcher.encoder import load_bundled_encoder

    enc = load_bundled_encoder()
    vectors = enc.encode(["welder for steel fabrication", "accountant for financial reports"])
    assert vectors.shape == (2, 384)
    weld = enc.encode(["welding technician"])[0]
    assert weld @ vectors[0] > weld @ vectors[1]
