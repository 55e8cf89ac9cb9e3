"""``cocok train`` and ``cocok model list|rollback|pin``: the learned scorer, from a shell.

``train`` reads every recorded outcome from the database, gives each (vacancy, candidate) pair
the live engine's features, fits the learned scorer, compares it with the default scorer on the
latest quarter of vacancies (a time-ordered holdout) and writes a versioned artifact with its
model card. A running service keeps its scorer until it restarts; it then serves the newest
artifact that beat the default (see ``service.model_registry``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from matcher.errors import ArtifactError
from matcher.learning import ModelRegistry
from service.config import Settings

model_app = typer.Typer(help="Kelola model penilai hasil belajar.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)

ModelsDir = Annotated[
    Path | None,
    typer.Option("--models-dir", help="Folder model (bawaan: ./models)."),
]


def _registry(models_dir: Path | None) -> ModelRegistry:
    from service.model_registry import models_dir as configured

    return ModelRegistry(models_dir or configured(Settings()))


def train(
    models_dir: ModelsDir = None,
    holdout: Annotated[
        float, typer.Option(help="Bagian lowongan terbaru yang disisihkan untuk evaluasi.")
    ] = 0.25,
) -> None:
    """Latih penilai dari hasil penempatan yang tercatat dan simpan modelnya."""
    from rich.markdown import Markdown  # here, not at import: every ``cocok serve`` imports us

    from matcher.learning import NotEnoughOutcomesError, save_artifact, train_scorer
    from service.cli import _database, _gateway
    from service.model_registry import read_outcomes

    if not 0.0 < holdout < 1.0:
        err.print("[red]--holdout harus di antara 0 dan 1.[/red]")
        raise typer.Exit(2)
    settings = Settings()
    registry = _registry(models_dir)
    with _database(settings) as sessions:
        with sessions() as session:
            events = read_outcomes(session)
        console.print(f"Hasil penempatan tercatat: {len(events)}")
        gateway = _gateway(settings, sessions)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=console) as bar, gateway.lock:
            task = bar.add_task("Menghitung fitur pasangan", total=None)
            try:
                report = train_scorer(
                    events,
                    gateway.matcher,
                    holdout=holdout,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
            except NotEnoughOutcomesError:
                err.print(
                    "[red]Hasil penempatan belum cukup untuk melatih model: perlu setidaknya 50 "
                    "pasangan lowongan–kandidat dan hasil positif (dipanggil, wawancara, diterima) "
                    "sebelum dan sesudah titik evaluasi.[/red]"
                )
                raise typer.Exit(1) from None
    path = save_artifact(report, registry.models_dir)
    console.print(Markdown((path / "MODEL_CARD.md").read_text(encoding="utf-8")))
    console.print(f"Model disimpan di {path}")
    if report.beats_default:
        console.print(
            f"nDCG@10 naik {report.gain:+.1%} dibanding penilai bawaan: model ini dipakai "
            "setelah layanan dimulai ulang."
        )
    else:
        console.print(
            "[yellow]Model ini tidak lebih baik dari penilai bawaan, jadi tidak akan dipakai."
            "[/yellow]"
        )


@model_app.command("list")
def model_list(models_dir: ModelsDir = None) -> None:
    """Tampilkan model yang tersimpan dan mana yang dipakai."""
    registry = _registry(models_dir)
    chosen = registry.chosen()
    table = Table("Model", "Dibuat", "nDCG@10 model", "nDCG@10 bawaan", "Selisih", "Status")
    for entry in registry.entries():
        card = entry.card
        if card is None:
            table.add_row(entry.name, "-", "-", "-", "-", "rusak")
            continue
        m = card["metrics"]
        if chosen is not None and entry.name == chosen.name:
            status = "dipakai (disematkan)" if entry.pinned else "dipakai"
        elif entry.rejected:
            status = "ditolak"
        elif not card.get("beats_default"):
            status = "kalah dari bawaan"
        else:
            status = "cadangan"
        table.add_row(
            entry.name,
            str(card.get("created_at", "-"))[:19],
            f"{m['learned']['ndcg@10']:.3f}",
            f"{m['default']['ndcg@10']:.3f}",
            f"{card.get('gain', 0.0):+.1%}",
            status,
        )
    console.print(table)
    console.print(f"Dipakai: {chosen.name if chosen else 'penilai bawaan'}")


@model_app.command("rollback")
def model_rollback(models_dir: ModelsDir = None) -> None:
    """Tolak model yang sedang dipakai; model sebelumnya (atau penilai bawaan) menggantikan."""
    registry = _registry(models_dir)
    current = registry.chosen()
    try:
        now = registry.rollback()
    except ArtifactError:
        err.print("[red]Tidak ada model yang sedang dipakai; penilai bawaan sudah aktif.[/red]")
        raise typer.Exit(1) from None
    console.print(f"Model {current.name if current else '-'} ditolak.")
    serving = now.name if now else "penilai bawaan"
    console.print(f"Sekarang dipakai: {serving} (setelah layanan dimulai ulang).")


@model_app.command("pin")
def model_pin(
    name: Annotated[str, typer.Argument(help="Nama folder model.")],
    models_dir: ModelsDir = None,
) -> None:
    """Sematkan satu model agar dipakai, apa pun model yang lebih baru."""
    registry = _registry(models_dir)
    try:
        entry = registry.pin(name)
    except ArtifactError:
        err.print(f"[red]Model {name} tidak ditemukan atau rusak.[/red]")
        raise typer.Exit(1) from None
    console.print(f"Model {entry.name} disematkan (dipakai setelah layanan dimulai ulang).")


@model_app.command("show")
def model_show(
    name: Annotated[str, typer.Argument(help="Nama folder model.")],
    models_dir: ModelsDir = None,
) -> None:
    """Tampilkan kartu model (JSON)."""
    path = _registry(models_dir).models_dir / name / "card.json"
    if not path.is_file():
        err.print(f"[red]Model {name} tidak ditemukan.[/red]")
        raise typer.Exit(1)
    console.print_json(json.dumps(json.loads(path.read_text(encoding="utf-8"))))
