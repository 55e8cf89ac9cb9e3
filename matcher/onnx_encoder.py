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

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from importlib import metadata
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

log = logging.getLogger("cocok.encoder")

ARTIFACT_FORMAT = 1
MODEL_FILE = "model.onnx"
MANIFEST_FILE = "manifest.json"
#: The files of the bundled model the runtime reads (checked against their pins on every load).
RUNTIME_FILES = ("tokenizer.json", "sentence_bert_config.json", "1_Pooling/config.json")
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OPSET = 17
#: A fixed example for the tracer: the exported graph (and so its hash) never depends on input.
_TRACE_TEXTS = ("operator las smaw untuk fabrikasi baja", "staf administrasi gudang")


@dataclass(frozen=True)
class Quantisation:
    """Settings for ``quantize_dynamic``; the defaults are the ones measured in results/encoders.md.

    Per-channel weight scales matter here: per-tensor int8 moves MiniLM's embeddings to a cosine
    of about 0.95 with the fp32 graph, per-channel to about 0.99.
    """

    per_channel: bool = True
    reduce_range: bool = False
    weight_type: str = "QInt8"
    #: graph node names left in fp32 (e.g. a sensitive layer)
    nodes_to_exclude: tuple[str, ...] = ()
    #: quantise only weight matmuls, never activation × activation (attention scores)
    matmul_const_b_only: bool = True


@dataclass(frozen=True)
class ExportSettings:
    opset: int = OPSET
    exporter: str = "torch.onnx.export (TorchScript, dynamo=False)"
    attn_implementation: str = "eager"
    do_constant_folding: bool = True
    pooling: str = "mean over attention mask, then L2 normalisation (in the graph)"
    quantisation: Quantisation | None = field(default_factory=Quantisation)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"


def _runtime_pins(pins: dict[str, Any]) -> dict[str, Any]:
    return {**pins, "sha256": {f: pins["sha256"][f] for f in RUNTIME_FILES}}


def model_layout(model_dir: Path) -> tuple[int, int]:
    """(max_seq_length, dim) after checking the model is Transformer → mean Pooling → Normalize.

    The graph hard-codes that pipeline; a model with CLS pooling or no Normalize step would give
    silently different vectors, so it is refused instead.
    """
    modules = [
        m["type"].rsplit(".", 1)[-1] for m in json.loads((model_dir / "modules.json").read_text())
    ]
    pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
    modes = {k for k, v in pooling.items() if k.startswith("pooling_mode") and v}
    if modules != ["Transformer", "Pooling", "Normalize"] or modes != {"pooling_mode_mean_tokens"}:
        raise ArtifactError(
            f"ONNX export supports Transformer → mean Pooling → Normalize, not {modules} {modes}"
        )
    config = json.loads((model_dir / "sentence_bert_config.json").read_text())
    return int(config["max_seq_length"]), int(pooling["word_embedding_dimension"])


# -- building (needs torch and transformers; runs once, offline) -----------------------------------


def _export_fp32(model_dir: Path, target: Path, settings: ExportSettings) -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
    bert = AutoModel.from_pretrained(
        str(model_dir), local_files_only=True, attn_implementation=settings.attn_implementation
    ).eval()

    class SentenceEmbedding(torch.nn.Module):
        """BERT, then sentence-transformers' mean pooling and Normalize, as one graph."""

        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(
            self,
            input_ids: torch.Tensor,
            attention_mask: torch.Tensor,
            token_type_ids: torch.Tensor,
        ) -> torch.Tensor:
            hidden = self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2.0, dim=1)

    example = tokenizer(list(_TRACE_TEXTS), padding=True, return_tensors="pt")
    axes: dict[str, dict[int, str]] = {name: {0: "batch", 1: "tokens"} for name in INPUTS}
    axes["sentence_embedding"] = {0: "batch"}
    import warnings

    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer and legacy-exporter chatter, checked by tests
        torch.onnx.export(
            SentenceEmbedding(bert).eval(),
            tuple(example[name] for name in INPUTS),
            str(target),
            input_names=list(INPUTS),
            output_names=["sentence_embedding"],
            dynamic_axes=axes,
            opset_version=settings.opset,
            do_constant_folding=settings.do_constant_folding,
            dynamo=False,
        )


def _quantise(source: Path, target: Path, q: Quantisation) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(source),
        str(target),
        weight_type=getattr(QuantType, q.weight_type),
        per_channel=q.per_channel,
        reduce_range=q.reduce_range,
        nodes_to_exclude=list(q.nodes_to_exclude),
        extra_options={"MatMulConstBOnly": q.matmul_const_b_only},
    )


def build_onnx_encoder(
    out_dir: Path,
    quantize: bool = True,
    *,
    quantisation: Quantisation | None = None,
    model_dir: Path | None = None,
) -> Path:
    """Export the pinned bundled model to ``out_dir`` (fp32, or int8 when ``quantize``).

    Deterministic: the same library versions give the same bytes, so the sha256 in the manifest
    can be compared with the reference recorded in the folder's MODEL_CARD.md. Files appear by
    atomic rename, manifest last, so a crash or a second builder never leaves a torn artifact.
    Returns ``out_dir``.
    """
    pins = load_pins()
    source = model_dir or bundled_model_dir()
    verify_model_dir(source, pins)
    max_len, dim = model_layout(source)
    settings = ExportSettings(quantisation=(quantisation or Quantisation()) if quantize else None)
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    tag = f".{os.getpid()}.tmp"
    fp32 = out_dir / f"fp32{tag}"
    final_tmp = out_dir / f"{MODEL_FILE}{tag}"
    try:
        _export_fp32(source, fp32, settings)
        if settings.quantisation is not None:
            _quantise(fp32, final_tmp, settings.quantisation)
        else:
            fp32.replace(final_tmp)
        digest = file_sha256(final_tmp)
        manifest = {
            "format": ARTIFACT_FORMAT,
            "kind": "onnx-sentence-encoder",
            "precision": "int8" if settings.quantisation is not None else "fp32",
            "file": MODEL_FILE,
            "sha256": digest,
            "bytes": final_tmp.stat().st_size,
            "dim": dim,
            "max_seq_length": max_len,
            "inputs": list(INPUTS),
            "output": "sentence_embedding",
            "source_model": {
                "name": pins["name"],
                "package": pins["package"],
                "package_version": pins["package_version"],
                "model_hash": model_hash(pins),
            },
            "export": asdict(settings),
            "libraries": {p: _version(p) for p in ("torch", "transformers", "onnx", "onnxruntime")},
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "build_seconds": round(time.perf_counter() - started, 1),
        }
        final_tmp.replace(out_dir / MODEL_FILE)
        manifest_tmp = out_dir / f"{MANIFEST_FILE}{tag}"
        manifest_tmp.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        manifest_tmp.replace(out_dir / MANIFEST_FILE)
    finally:
        for leftover in (fp32, final_tmp):
            leftover.unlink(missing_ok=True)
    return out_dir


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
    verify_model_dir(source, _runtime_pins(pins))
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
