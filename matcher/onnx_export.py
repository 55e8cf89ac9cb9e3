"""Exporting the bundled MiniLM to ONNX, once and offline, optionally quantised to int8.

``torch.onnx.export`` (the legacy TorchScript exporter: the new one needs onnxscript, which we do
not ship) traces the pinned weights with mean pooling and L2 normalisation inside the graph, and
``onnxruntime.quantization.quantize_dynamic`` quantises per channel. The export is deterministic:
the same weights and library versions give the same bytes (models/minilm-onnx-int8/). Serving
lives in ``matcher.onnx_encoder``, which needs neither torch nor transformers.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from matcher.encoder import (
    bundled_model_dir,
    load_pins,
    model_hash,
    verify_model_dir,
)
from matcher.errors import ArtifactError

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


def runtime_pins(pins: dict[str, Any]) -> dict[str, Any]:
    """The pins of the files the ONNX runtime still reads from the bundled model."""
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
