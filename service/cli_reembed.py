"""``cocok index reembed``: embed every stored record again, in batches, resumably.

For a large import or a new encoder: records are read in id order, embedded a batch at a time on
the GPU when torch sees one (on every CPU core otherwise), and each finished batch is written to
``DATA_DIR/reembed/`` with a checkpoint (the last id done per kind, the encoder's identity and the
change-feed position the run started at). An interrupted run continues after the last finished
batch; a run with another encoder starts over. At the end the vectors go into a fresh index of
the configured backend, a snapshot is saved (replaying any change made meanwhile), and the work
folder is removed, so the server restarts on it without embedding anything.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from matcher.encoder import encoder_identity
from service.config import Settings
from service.db import repository

KINDS = ("candidate", "vacancy")
Advance = Callable[[str, int], None]


def pick_device() -> str:
    """``cuda`` when torch sees a GPU; otherwise ``cpu`` with every core given to torch."""
    import torch

    if torch.cuda.is_available():
        return "cuda"
    torch.set_num_threads(os.cpu_count() or 1)
    return "cpu"


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


class Checkpoint:
    """What a run has finished: per kind the last id embedded and the shards written."""

    def __init__(self, folder: Path, state: dict[str, Any]) -> None:
        self.folder = folder
        self.state = state

    @classmethod
    def open(cls, folder: Path, identity: dict[str, str], kinds: Sequence[str], seq: int) -> Any:
        path = folder / "checkpoint.json"
        try:
            state = json.loads(path.read_text())
        except (OSError, ValueError):
            state = None
        if state is None or state["encoder"] != identity or state["kinds"] != list(kinds):
            shutil.rmtree(folder, ignore_errors=True)  # nothing, or another run's leftovers
            folder.mkdir(parents=True)
            state = {
                "encoder": identity,
                "kinds": list(kinds),
                "start_seq": seq,
                "last_id": {k: "" for k in kinds},
                "shards": {k: 0 for k in kinds},
            }
            _write_atomically(path, json.dumps(state).encode())
        return cls(folder, state)

    def shard_path(self, kind: str, number: int) -> Path:
        return self.folder / f"{kind}-{number:06d}.npz"

    def commit(self, kind: str, ids: list[str], vectors: np.ndarray) -> None:
        """Write one batch's shard, then move the checkpoint past it (in that order)."""
        number = self.state["shards"][kind]
        tmp = self.shard_path(kind, number).with_suffix(".tmp.npz")
        np.savez(tmp, ids=np.asarray(ids, dtype=str), vectors=vectors)
        os.replace(tmp, self.shard_path(kind, number))
        self.state["shards"][kind] = number + 1
        self.state["last_id"][kind] = ids[-1]
        _write_atomically(self.folder / "checkpoint.json", json.dumps(self.state).encode())


def _batches(session: Session, kind: str, after: str, size: int) -> Any:
    model = repository.ROW_TYPES[kind]
    while True:
        stmt = select(model).where(model.id > after).order_by(model.id).limit(size)
        rows: list[Any] = list(session.scalars(stmt))
        if not rows:
            return
        yield [r.id for r in rows], [repository.to_record(kind, r.data) for r in rows]
        after = rows[-1].id


def reembed(
    settings: Settings,
    sessions: sessionmaker[Session],
    encoder: Any,
    *,
    kinds: Sequence[str] = KINDS,
    batch_size: int = 512,
    advance: Advance | None = None,
) -> Path | None:
    """Embed the records of ``kinds`` (resuming a checkpoint), then save a snapshot."""
    from service.engine_gateway import EngineGateway, _new_matcher

    matcher = _new_matcher(encoder, settings).fit([], [])
    with sessions() as session:
        seq = repository.max_change_seq(session)
    checkpoint = Checkpoint.open(
        settings.data_dir / "reembed", encoder_identity(matcher.encoder_), kinds, seq
    )
    for kind in kinds:
        profile = matcher.profiler_.candidate if kind == "candidate" else matcher.profiler_.vacancy
        with sessions() as session:
            after = checkpoint.state["last_id"][kind]
            for ids, records in _batches(session, kind, after, batch_size):
                vectors = matcher.encoder_.inner.encode([profile(r).text for r in records])
                checkpoint.commit(kind, ids, np.asarray(vectors, dtype=np.float32))
                if advance:
                    advance(kind, len(ids))
    with sessions() as session:
        for kind in KINDS:
            _assemble(matcher, session, kind, checkpoint if kind in kinds else None)
    gateway = EngineGateway(matcher, settings, int(checkpoint.state["start_seq"]))
    path = gateway.save_snapshot(sessions)  # replays what changed during the run first
    shutil.rmtree(checkpoint.folder, ignore_errors=True)
    return path


def _assemble(matcher: Any, session: Session, kind: str, checkpoint: Checkpoint | None) -> None:
    """Register the stored records of ``kind`` with their new vectors (from the shards), or, for
    a kind not re-embedded, with the encoder as usual."""
    model = repository.ROW_TYPES[kind]
    upsert = matcher.upsert_candidates if kind == "candidate" else matcher.upsert_vacancies
    if checkpoint is None:
        for _, records in _batches(session, kind, "", 1024):
            upsert(records)
        return
    for number in range(checkpoint.state["shards"][kind]):
        with np.load(checkpoint.shard_path(kind, number)) as shard:
            ids, vectors = [str(i) for i in shard["ids"]], shard["vectors"]
        found: list[Any] = list(session.scalars(select(model).where(model.id.in_(ids))))
        rows = {r.id: r for r in found}
        keep = [i for i, rid in enumerate(ids) if rid in rows]  # deleted since: left out
        if keep:
            upsert([repository.to_record(kind, rows[ids[i]].data) for i in keep], vectors[keep])


def command(
    kind: Annotated[
        str | None, typer.Option(help="Hanya candidate atau vacancy (bawaan: keduanya).")
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, max=10000, help="Data per batch.")] = 512,
) -> None:
    """Hitung ulang vektor semua data per batch (GPU bila ada); dapat dilanjutkan bila terputus."""
    from service.cli import _database
    from service.engine_gateway import BackendUnavailable

    console = Console()
    if kind not in (None, *KINDS):
        Console(stderr=True).print("[red]--kind harus candidate atau vacancy.[/red]")
        raise typer.Exit(2)
    kinds = KINDS if kind is None else (kind,)
    settings = Settings()
    with _database(settings) as sessions:
        with sessions() as session:
            totals = {k: _count(session, k) for k in kinds}
        encoder = _encoder(settings, console)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, TimeRemainingColumn(), console=console) as bar:
            tasks = {k: bar.add_task(f"Embedding {k}", total=totals[k]) for k in kinds}
            done = _resumed(settings, kinds)
            for k, n in done.items():
                bar.update(tasks[k], completed=n)
            try:
                path = reembed(
                    settings,
                    sessions,
                    encoder,
                    kinds=kinds,
                    batch_size=batch_size,
                    advance=lambda k, n: bar.advance(tasks[k], n),
                )
            except BackendUnavailable as exc:
                Console(stderr=True).print(f"[red]{exc}[/red]", highlight=False)
                raise typer.Exit(2) from None
            except KeyboardInterrupt:
                console.print("Dihentikan. Jalankan perintah yang sama untuk melanjutkan.")
                raise typer.Exit(130) from None
    console.print(f"Vektor dihitung ulang; snapshot baru: {path}")


def _count(session: Session, kind: str) -> int:
    model = repository.ROW_TYPES[kind]
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _resumed(settings: Settings, kinds: Sequence[str]) -> dict[str, int]:
    """Records already embedded by an interrupted run (for the progress bar only)."""
    folder = settings.data_dir / "reembed"
    done = {k: 0 for k in kinds}
    for k in kinds:
        for shard in sorted(folder.glob(f"{k}-*.npz")):
            if shard.name.endswith(".tmp.npz"):
                continue
            with np.load(shard) as data:
                done[k] += len(data["ids"])
    return done


def _encoder(settings: Settings, console: Console) -> Any:
    from service.engine_gateway import build_encoder

    if settings.encoder != "bundled":
        return build_encoder(settings)
    from matcher.encoder import load_bundled_encoder

    device = pick_device()
    console.print(
        f"Perangkat: {device}" + ("" if device == "cuda" else f" ({os.cpu_count()} inti)")
    )
    return load_bundled_encoder(device=device, batch_size=256 if device == "cuda" else 64)
