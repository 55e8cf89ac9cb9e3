"""``cocok encoder``: build and check the ONNX encoder artifact (``COCOK_ENCODER=onnx``).

The artifact is built offline from the bundled, hash-pinned weights; nothing is downloaded. The
folder's ``reference.json`` (committed) holds the sha256 the build gave with the library versions
it names, so staff can see at a glance whether their build reproduced it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from service.config import Settings

encoder_app = typer.Typer(help="Kelola model encoder teks (ONNX).", no_args_is_help=True)
console = Console()
err = Console(stderr=True)
REFERENCE_FILE = "reference.json"

DirOption = Annotated[
    Path | None,
    typer.Option("--dir", help="Folder artefak (bawaan: COCOK_ONNX_ENCODER_DIR)."),
]


def _reference(folder: Path) -> dict[str, Any] | None:
    path = folder / REFERENCE_FILE
    if not path.is_file():
        return None
    reference: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return reference


def _compare_with_reference(folder: Path, manifest: dict[str, Any]) -> None:
    reference = _reference(folder)
    if reference is None or reference.get("precision") != manifest["precision"]:
        return
    if reference["sha256"] == manifest["sha256"]:
        console.print("Sama persis dengan build acuan (reference.json).")
        return
    versions = ", ".join(f"{k} {v}" for k, v in reference.get("libraries", {}).items())
    console.print(
        "[yellow]Hash berbeda dari build acuan; wajar bila versi pustaka berbeda "
        f"(acuan: {versions}). Model tetap dari bobot yang sama dan sudah diverifikasi.[/yellow]"
    )


@encoder_app.command("build")
def build(
    folder: DirOption = None,
    fp32: Annotated[
        bool, typer.Option("--fp32", help="Tanpa kuantisasi int8 (lebih besar, lebih lambat).")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Bangun ulang walau sudah ada.")] = False,
) -> None:
    """Bangun encoder ONNX dari bobot MiniLM bawaan (offline, sekali saja)."""
    from matcher.errors import ArtifactError
    from matcher.onnx_encoder import build_onnx_encoder, verify_artifact

    target = folder or Settings().onnx_encoder_dir
    if not force:
        try:
            manifest = verify_artifact(target)
        except ArtifactError:
            pass
        else:
            console.print(
                f"Encoder ONNX ({manifest['precision']}) di {target} sudah ada dan utuh; "
                "pakai --force untuk membangun ulang."
            )
            return
    precision = "fp32" if fp32 else "int8"
    try:
        with console.status(f"Membangun encoder ONNX {precision} di {target}…"):
            build_onnx_encoder(target, quantize=not fp32)
            manifest = verify_artifact(target)
    except ArtifactError as exc:
        err.print(f"[red]Gagal membangun encoder ONNX: {exc}[/red]")
        raise typer.Exit(1) from None
    size_mb = manifest["bytes"] / 1e6
    console.print(
        f"Encoder ONNX {precision} siap: {target / manifest['file']} ({size_mb:.1f} MB), "
        f"sha256 {manifest['sha256']}, dibangun dalam {manifest['build_seconds']} detik."
    )
    _compare_with_reference(target, manifest)


@encoder_app.command("verify")
def verify(folder: DirOption = None) -> None:
    """Periksa artefak encoder ONNX: hash file dan asal bobotnya."""
    from matcher.errors import ArtifactError
    from matcher.onnx_encoder import verify_artifact

    target = folder or Settings().onnx_encoder_dir
    try:
        manifest = verify_artifact(target)
    except ArtifactError as exc:
        err.print(f"[red]Encoder ONNX di {target} tidak bisa dipakai: {exc}[/red]")
        err.print("Jalankan 'cocok encoder build --force' untuk membangunnya ulang.")
        raise typer.Exit(1) from None
    console.print(
        f"Encoder ONNX {manifest['precision']} di {target} utuh: sha256 {manifest['sha256']}, "
        f"dari {manifest['source_model']['name']} (paket {manifest['source_model']['package']} "
        f"{manifest['source_model']['package_version']})."
    )
    _compare_with_reference(target, manifest)
