"""The bundled MiniLM as an ONNX graph (fp32 or int8): the same embeddings, several times faster.

Ingest is encoder-bound (docs/performance.md), so the encoder sets the pace of every import. This
module exports the pinned bundled weights once, offline, with ``torch.onnx.export`` (the legacy
TorchScript exporter: the new one needs onnxscript, which we do not ship), optionally quantises
the weights to int8 with ``onnxruntime.quantization.quantize_dynamic``, and serves the result with
onnxruntime. Mean pooling and L2 normalisation, exactly as the model's ``1_Pooling`` and
``2_Normalize`` modules do them, are part of the graph, so the runtime needs neither torch nor
transformers: the ``tokenizers`` library with the model's own ``tokenizer.json`` and onnxruntime.

One folder per artifact (STYLE.md, "Artifacts")::

    model.onnx      the graph; sha256 recorded in the manifest
    manifest.json   source model name and hash, exporter and quantiser settings, library versions

Loading refuses an artifact whose bytes differ from its manifest, or whose source hash differs
from the pinned bundled model: embeddings from weights nobody reviewed must not rank students.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from matcher.encoder import (
    bundled_model_dir,
    load_pins,
    model_hash,
    verify_model_dir,
)
from matcher.errors import ArtifactError, ModelIntegrityError
from matcher.onnx_export import (
    ARTIFACT_FORMAT,
    MANIFEST_FILE,
    build_onnx_encoder,
    file_sha256,
    model_layout,
    runtime_pins,
)

__all__ = [
    "OnnxEncoder",
    "available_cores",
    "build_onnx_encoder",
    "ensure_onnx_encoder",
    "load_onnx_encoder",
    "model_layout",
    "read_manifest",
    "verify_artifact",
]

log = logging.getLogger("cocok.encoder")


# -- serving (onnxruntime and tokenizers only) ------------------------------------------------


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST_FILE
    if not path.is_file():
        raise ArtifactError(
            f"no ONNX encoder at {folder} (missing {MANIFEST_FILE}); build it first"
        )
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ArtifactError(f"{path} is not valid JSON") from exc
    if manifest.get("format") != ARTIFACT_FORMAT or manifest.get("kind") != "onnx-sentence-encoder":
        raise ArtifactError(f"{path} is not an ONNX encoder manifest of format {ARTIFACT_FORMAT}")
    return manifest


def verify_artifact(folder: Path, pins: dict[str, Any] | None = None) -> dict[str, Any]:
    """The manifest, after checking the graph's bytes and that it came from the pinned model."""
    manifest = read_manifest(folder)
    pins = pins or load_pins()
    expected_source = model_hash(pins)
    if manifest["source_model"]["model_hash"] != expected_source:
        raise ModelIntegrityError(
            f"ONNX encoder at {folder} was built from model hash "
            f"{manifest['source_model']['model_hash'][:12]}, not the pinned "
            f"{expected_source[:12]}; rebuild it"
        )
    graph = folder / manifest["file"]
    if not graph.is_file():
        raise ArtifactError(f"ONNX encoder file missing: {graph}")
    if file_sha256(graph) != manifest["sha256"]:
        raise ModelIntegrityError(
            f"{graph} does not match the sha256 in its manifest; refusing to load"
        )
    return manifest


def available_cores() -> int:
    """CPU cores this process may run on (cgroup/affinity aware where the OS says)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


class OnnxEncoder:
    """The ``Encoder`` protocol over an onnxruntime session: unit float32 rows, like the torch path.

    Texts are tokenised once, then run in batches of similar length, so a batch pads to its own
    longest text rather than the longest overall (throughput scales with tokens). ``encode`` is
    safe to call from several threads: onnxruntime sessions allow concurrent ``run`` and the
    tokenizer is never reconfigured after construction.
    """

    def __init__(
        self,
        session: Any,
        tokenizer: Any,
        *,
        name: str,
        digest: str,
        dim: int,
        batch_size: int = 32,
    ) -> None:
        self.session = session
        self.tokenizer = tokenizer
        self.name = name
        self.digest = digest
        self.dim = dim
        self.batch_size = batch_size

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch([str(t).strip() for t in texts])
        lengths = np.array([len(e.ids) for e in encodings])
        order = np.argsort(-lengths, kind="stable")
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            width = int(lengths[rows].max())
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            types = np.zeros((len(rows), width), dtype=np.int64)
            for i, row in enumerate(rows):
                enc = encodings[row]
                n = len(enc.ids)
                ids[i, :n] = enc.ids
                mask[i, :n] = 1
                types[i, :n] = enc.type_ids
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            out[rows] = self.session.run(None, feed)[0]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return (out / norms).astype(np.float32, copy=False)


def load_onnx_encoder(
    folder: Path,
    *,
    threads: int | None = None,
    batch_size: int = 32,
    model_dir: Path | None = None,
) -> OnnxEncoder:
    """Load a built artifact after verifying it; ``threads`` defaults to the available cores."""
    import onnxruntime as ort
    from tokenizers import Tokenizer

    pins = load_pins()
    manifest = verify_artifact(folder, pins)
    source = model_dir or bundled_model_dir()
    verify_model_dir(source, runtime_pins(pins))
    max_len, dim = model_layout(source)
    if (max_len, dim) != (manifest["max_seq_length"], manifest["dim"]):
        raise ArtifactError(f"ONNX encoder at {folder} disagrees with the bundled model's layout")
    tokenizer = Tokenizer.from_file(str(source / "tokenizer.json"))
    # tokenizer.json ships truncation and padding fixed at 128; sentence-transformers truncates at
    # max_seq_length (256) and pads per batch, so both are reset here, once.
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_len)
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or available_cores()
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(
        str(folder / manifest["file"]), options, providers=["CPUExecutionProvider"]
    )
    return OnnxEncoder(
        session,
        tokenizer,
        name=f"{pins['name']} (onnx {manifest['precision']})",
        digest=manifest["sha256"],
        dim=dim,
        batch_size=batch_size,
    )


def ensure_onnx_encoder(
    folder: Path,
    *,
    quantize: bool = True,
    threads: int | None = None,
    notify: Callable[[str], None] | None = None,
) -> OnnxEncoder:
    """Load the artifact, first building it (offline, from the bundled weights) when it is
    missing or was built from other weights. A graph that differs from its own manifest is an
    error, never silently replaced: someone should look at how that happened. ``quantize`` only
    applies to a build; an existing artifact is served at its own precision (the name says it)."""
    say = notify or log.info
    try:
        built_from = read_manifest(folder)["source_model"]["model_hash"]
    except ArtifactError:
        built_from = None
    stale = built_from != model_hash(load_pins())
    if stale:
        say(f"building the ONNX encoder at {folder} from the bundled weights (once, offline)")
        started = time.perf_counter()
        build_onnx_encoder(folder, quantize=quantize)
        say(f"ONNX encoder built in {time.perf_counter() - started:.1f}s")
    return load_onnx_encoder(folder, threads=threads)
