"""The ONNX encoder gives the torch encoder's embeddings, and refuses artifacts it cannot trust.

The fast tests check the artifact checks on small hand-made folders. The slow ones build the real
int8 and fp32 graphs once (about 20 s on two cores) and compare them with the bundled
sentence-transformers model on Indonesian vacancy and profile texts written like BKK postings.
"""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from matcher.encoder import load_pins, model_hash
from matcher.errors import ArtifactError, ModelIntegrityError
from matcher.onnx_encoder import read_manifest, verify_artifact
from matcher.onnx_export import ARTIFACT_FORMAT, MANIFEST_FILE, MODEL_FILE, file_sha256

REPO = Path(__file__).resolve().parent.parent
REFERENCE = REPO / "models" / "minilm-onnx-int8" / "reference.json"

TEXTS = [
    "Operator Produksi. Teknik Pengelasan. Welding. Keahlian: las SMAW, las MIG, membaca gambar "
    "teknik. Dicari operator las untuk fabrikasi baja di kawasan industri Cikande.",
    "Staf Administrasi Gudang. Otomatisasi dan Tata Kelola Perkantoran. Keahlian: Microsoft "
    "Excel, pengarsipan, input data stok barang.",
    "Akuntansi dan Keuangan Lembaga. Accounting. Keahlian: jurnal umum, MYOB, laporan pajak "
    "bulanan. Pengalaman: kasir minimarket",
    "Teknisi Listrik Industri. Keahlian: PLC, instalasi panel, K3 listrik. Penempatan Serang.",
    "Kasir",
    "Perawat gigi, lulusan D3, memiliki STR aktif, bersedia kerja shift.",
    "Sales motoris area Kabupaten Serang, SIM C, usia maks. 25 tahun, gaji UMK + insentif.",
    "Teknik Kendaraan Ringan Otomotif. Automotive light vehicle engineering. Keahlian: tune up, "
    "servis berkala, sistem rem. Pengalaman: mekanik bengkel resmi",
    # longer than the model's 256 tokens: truncation must match sentence-transformers exactly
    "Lowongan Operator Mesin CNC. "
    + "Tanggung jawab: mengoperasikan mesin bubut CNC, membaca gambar kerja, menjaga mutu "
    "produk sesuai standar ISO 9001, melaporkan hasil produksi harian kepada supervisor. " * 12,
]


# -- artifact checks (fast: a hand-made folder, no model) ------------------------------------


def _fake_artifact(folder: Path, *, source_hash: str | None = None) -> Path:
    pins = load_pins()
    folder.mkdir(parents=True, exist_ok=True)
    graph = folder / MODEL_FILE
    graph.write_bytes(b"not really a graph, but the bytes the manifest vouches for")
    manifest = {
        "format": ARTIFACT_FORMAT,
        "kind": "onnx-sentence-encoder",
        "precision": "int8",
        "file": MODEL_FILE,
        "sha256": file_sha256(graph),
        "source_model": {
            "name": pins["name"],
            "package": pins["package"],
            "package_version": pins["package_version"],
            "model_hash": source_hash or model_hash(pins),
        },
    }
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest))
    return folder


def test_missing_artifact_says_build_it(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="build it first"):
        read_manifest(tmp_path)


def test_intact_artifact_passes_verification(tmp_path: Path) -> None:
    folder = _fake_artifact(tmp_path / "a")
    assert verify_artifact(folder)["precision"] == "int8"


def test_tampered_graph_is_refused(tmp_path: Path) -> None:
    folder = _fake_artifact(tmp_path / "a")
    with (folder / MODEL_FILE).open("ab") as handle:
        handle.write(b"\0")
    with pytest.raises(ModelIntegrityError, match="does not match the sha256"):
        verify_artifact(folder)


def test_graph_built_from_other_weights_is_refused(tmp_path: Path) -> None:
    folder = _fake_artifact(tmp_path / "a", source_hash="0" * 64)
    with pytest.raises(ModelIntegrityError, match="rebuild it"):
        verify_artifact(folder)


def test_manifest_of_another_kind_is_refused(tmp_path: Path) -> None:
    folder = _fake_artifact(tmp_path / "a")
    manifest = json.loads((folder / MANIFEST_FILE).read_text())
    (folder / MANIFEST_FILE).write_text(json.dumps({**manifest, "format": 99}))
    with pytest.raises(ArtifactError, match="format"):
        verify_artifact(folder)


# -- the real graphs (slow) -------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from matcher.onnx_encoder import build_onnx_encoder

    root = tmp_path_factory.mktemp("onnx")
    return {
        "int8": build_onnx_encoder(root / "int8"),
        "fp32": build_onnx_encoder(root / "fp32", quantize=False),
    }


@pytest.fixture(scope="module")
def torch_vectors() -> np.ndarray:
    from matcher.encoder import load_bundled_encoder

    return load_bundled_encoder().encode(TEXTS)


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.asarray((a * b).sum(axis=1))


@pytest.mark.slow
def test_tokens_match_sentence_transformers_including_truncation(built: dict[str, Path]) -> None:
    from matcher.encoder import load_bundled_encoder
    from matcher.onnx_encoder import load_onnx_encoder

    ours = load_onnx_encoder(built["fp32"]).tokenizer.encode_batch(TEXTS)
    features = load_bundled_encoder().model.preprocess(TEXTS)
    theirs = features["input_ids"].numpy()
    mask = features["attention_mask"].numpy()
    assert max(len(e.ids) for e in ours) == 256  # the long text is cut at max_seq_length
    for enc, ids, keep in zip(ours, theirs, mask, strict=True):
        assert enc.ids == ids[keep.astype(bool)].tolist()


@pytest.mark.slow
def test_fp32_graph_reproduces_torch_embeddings(
    built: dict[str, Path], torch_vectors: np.ndarray
) -> None:
    from matcher.onnx_encoder import load_onnx_encoder

    vectors = load_onnx_encoder(built["fp32"]).encode(TEXTS)
    assert vectors.shape == torch_vectors.shape and vectors.dtype == np.float32
    assert _cosines(vectors, torch_vectors).min() >= 0.999


@pytest.mark.slow
def test_int8_graph_stays_close_to_torch_and_keeps_the_ranking(
    built: dict[str, Path], torch_vectors: np.ndarray
) -> None:
    from matcher.onnx_encoder import load_onnx_encoder

    encoder = load_onnx_encoder(built["int8"])
    vectors = encoder.encode(TEXTS)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert _cosines(vectors, torch_vectors).min() >= 0.98
    weld = encoder.encode(["juru las SMAW berpengalaman"])[0]
    assert weld @ vectors[0] > weld @ vectors[2]  # welding posting over the accounting profile


@pytest.mark.slow
def test_batching_by_length_keeps_each_text_in_its_row(built: dict[str, Path]) -> None:
    from matcher.onnx_encoder import load_onnx_encoder

    encoder = load_onnx_encoder(built["fp32"], batch_size=2)
    together = encoder.encode(TEXTS)
    alone = np.stack([encoder.encode([t])[0] for t in TEXTS])
    np.testing.assert_allclose(together, alone, atol=2e-5)
    assert encoder.encode([]).shape == (0, 384)


@pytest.mark.slow
def test_encode_is_safe_from_several_threads(built: dict[str, Path]) -> None:
    from matcher.onnx_encoder import load_onnx_encoder

    encoder = load_onnx_encoder(built["int8"], threads=1)
    expected = encoder.encode(TEXTS)
    results: list[np.ndarray] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append(encoder.encode(TEXTS))
        except BaseException as exc:  # surfaced below: a thread's error must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 4
    for got in results:
        np.testing.assert_allclose(got, expected, atol=1e-6)


@pytest.mark.slow
def test_export_is_deterministic_and_tampering_is_caught(
    built: dict[str, Path], tmp_path: Path
) -> None:
    from matcher.onnx_encoder import build_onnx_encoder, load_onnx_encoder

    again = build_onnx_encoder(tmp_path / "again", quantize=False)
    assert read_manifest(again)["sha256"] == read_manifest(built["fp32"])["sha256"]
    with (again / MODEL_FILE).open("r+b") as handle:
        handle.seek(-64, 2)
        handle.write(b"\x01" * 8)
    with pytest.raises(ModelIntegrityError):
        load_onnx_encoder(again)


@pytest.mark.slow
def test_int8_build_reproduces_the_committed_reference(built: dict[str, Path]) -> None:
    reference = json.loads(REFERENCE.read_text())
    manifest = read_manifest(built["int8"])
    if manifest["libraries"] != reference["libraries"]:
        pytest.skip(f"libraries {manifest['libraries']} differ from the reference build's")
    assert manifest["sha256"] == reference["sha256"]
    assert manifest["export"] == reference["export"]


@pytest.mark.slow
def test_service_builds_the_artifact_on_first_use_then_reuses_it(
    built: dict[str, Path], tmp_path: Path
) -> None:
    from matcher.onnx_encoder import OnnxEncoder
    from service.config import Settings
    from service.engine_gateway import build_encoder

    folder = tmp_path / "service-int8"
    shutil.copytree(built["int8"], folder)
    (folder / MANIFEST_FILE).unlink()  # as after a fresh checkout: no artifact yet
    first = build_encoder(Settings(encoder="onnx", onnx_encoder_dir=folder))
    assert isinstance(first, OnnxEncoder)
    assert first.digest == read_manifest(built["int8"])["sha256"]  # rebuilt, same bytes
    stamp = (folder / MODEL_FILE).stat().st_mtime_ns
    second = build_encoder(Settings(encoder="onnx", onnx_encoder_dir=folder))
    assert (folder / MODEL_FILE).stat().st_mtime_ns == stamp  # loaded, not rebuilt
    assert second.name == first.name and "onnx int8" in second.name


def test_cli_verify_tells_staff_whether_the_artifact_can_be_used(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from service.cli import app

    folder = _fake_artifact(tmp_path / "a")
    ok = CliRunner().invoke(app, ["encoder", "verify", "--dir", str(folder)])
    assert ok.exit_code == 0 and "utuh" in ok.output
    with (folder / MODEL_FILE).open("ab") as handle:
        handle.write(b"\0")
    broken = CliRunner().invoke(app, ["encoder", "verify", "--dir", str(folder)])
    assert broken.exit_code == 1
    assert "tidak bisa dipakai" in broken.output and "cocok encoder build --force" in broken.output
