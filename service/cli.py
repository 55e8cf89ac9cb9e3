"""``cocok``: serve the API and do the staff chores (keys, import, recommend, rebuild, demo).

Messages are in Indonesian for Disnakertrans and BKK staff. Commands that change records write the
database and its change feed; a running server picks them up within seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer
from rich.console import Console
from rich.progress import Progress, TaskID
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from service import auth, cli_reembed
from service.cli_encoder import encoder_app
from service.cli_train import model_app, train
from service.cli_users import users_app
from service.config import Settings
from service.db import repository
from service.db.models import ApiKeyRow
from service.db.session import build_engine, session_factory, upgrade
from service.problems import Problem

if TYPE_CHECKING:
    from service.engine_gateway import EngineGateway

app = typer.Typer(
    help="cocok: pencocokan lulusan SMK dan pencari kerja dengan lowongan.", no_args_is_help=True
)
keys_app = typer.Typer(help="Kelola kunci API.", no_args_is_help=True)
index_app = typer.Typer(help="Kelola indeks pencarian.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(index_app, name="index")
app.add_typer(encoder_app, name="encoder")
app.add_typer(model_app, name="model")
app.add_typer(users_app, name="users")
app.command("train")(train)
console = Console()
err = Console(stderr=True)


@contextmanager
def _database(settings: Settings) -> Iterator[sessionmaker[Session]]:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = build_engine(settings.resolved_database_url)
    upgrade(engine)
    try:
        yield session_factory(engine)
    finally:
        engine.dispose()


def _gateway(settings: Settings, sessions: sessionmaker[Session]) -> EngineGateway:
    from service.engine_gateway import EngineGateway, build_encoder

    with console.status("Memuat indeks…"):
        return EngineGateway.start(settings, sessions, build_encoder(settings))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Alamat yang didengarkan.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port HTTP.")] = 8000,
) -> None:
    """Jalankan layanan HTTP (API v1 dan dokumentasi di /docs)."""
    import uvicorn

    from service.engine_gateway import BackendUnavailable, vector_backend
    from service.main import create_app
    from service.memory import cap_malloc_arenas

    settings = Settings()
    try:
        vector_backend(settings).close()  # fail here, with a message, not inside uvicorn
    except BackendUnavailable as exc:
        err.print(f"[red]{exc}[/red]", highlight=False)
        raise typer.Exit(2) from None
    _check_encoder_pins(settings)
    cap_malloc_arenas(settings.malloc_arenas)  # before uvicorn starts its worker threads
    console.print(
        f"Layanan berjalan di http://{host}:{port} (dokumentasi API: /docs). Ctrl+C untuk berhenti."
    )
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")


def _check_encoder_pins(settings: Settings) -> None:
    """Refuse to start on encoder files that differ from their pins (a model nobody reviewed)."""
    if settings.encoder != "bundled":
        return
    from matcher import encoder as encoders
    from matcher.errors import ArtifactError

    try:
        folder = settings.model_dir or encoders.bundled_model_dir()
        encoders.verify_model_dir(folder, encoders.load_pins())
    except ArtifactError as exc:  # ModelIntegrityError is one
        err.print(
            "[red]Berkas model encoder tidak cocok dengan hash yang disematkan; layanan tidak "
            f"dijalankan. / Encoder files do not match their pinned hashes; refusing to start. "
            f"({exc})[/red]",
            highlight=False,
        )
        raise typer.Exit(3) from None


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Argument(help="admin | portal | bkk | employer")],
    school_id: Annotated[str | None, typer.Option(help="NPSN sekolah (wajib untuk bkk).")] = None,
    employer_id: Annotated[str | None, typer.Option(help="ID perusahaan (untuk employer).")] = None,
    label: Annotated[str | None, typer.Option(help="Keterangan, mis. nama portal.")] = None,
) -> None:
    """Buat kunci API baru; kunci hanya ditampilkan sekali."""
    if role not in auth.ROLES:
        err.print(f"[red]Peran tidak dikenal: {role}. Pilih: {', '.join(auth.ROLES)}[/red]")
        raise typer.Exit(2)
    with _database(Settings()) as sessions, sessions() as session:
        try:
            key_id, key = auth.create_key(
                session,
                cast("auth.Role", role),
                school_id=school_id,
                employer_id=employer_id,
                label=label,
            )
        except ValueError:
            err.print("[red]Kunci bkk wajib --school-id; kunci employer wajib --employer-id.[/red]")
            raise typer.Exit(2) from None
        session.commit()
    console.print(f"ID kunci : {key_id}\nKunci    : {key}")
    console.print("[yellow]Simpan kunci ini sekarang; kunci tidak dapat ditampilkan lagi.[/yellow]")


@keys_app.command("list")
def keys_list() -> None:
    """Daftar kunci API (tanpa kuncinya)."""
    table = Table("Peran", "Sekolah", "Perusahaan", "Label", "Dibuat", "Dicabut")
    table.add_column("ID", no_wrap=True)
    with _database(Settings()) as sessions, sessions() as session:
        for row in session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.created_at)):
            table.add_row(
                row.role,
                row.school_id or "",
                row.employer_id or "",
                row.label or "",
                f"{row.created_at:%Y-%m-%d %H:%M}",
                f"{row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "",
                row.id,
            )
    console.print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="ID kunci.")]) -> None:
    """Cabut kunci API; berlaku seketika."""
    with _database(Settings()) as sessions, sessions() as session:
        if not auth.revoke_key(session, key_id):
            err.print(f"[red]Kunci aktif dengan ID {key_id} tidak ditemukan.[/red]")
            raise typer.Exit(1)
        session.commit()
    console.print(f"Kunci {key_id} dicabut.")


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Berkas CSV/XLSX.")],
    kind: Annotated[str, typer.Option(help="candidate | vacancy")] = "candidate",
) -> None:
    """Impor kandidat atau lowongan dari CSV/XLSX; baris yang salah dilaporkan per baris."""
    from matcher import tabular
    from service.tabular_io import as_kind, detect_format

    if kind not in ("candidate", "vacancy"):
        err.print("[red]--kind harus candidate atau vacancy.[/red]")
        raise typer.Exit(2)
    try:
        result = tabular.read_records(file, as_kind(kind), detect_format(file.name))
    except tabular.TabularFileError as exc:
        err.print(f"[red]Berkas tidak dapat diimpor: {exc.pesan}[/red]")
        raise typer.Exit(2) from None
    except Problem:
        err.print("[red]Gunakan berkas .csv, .xlsx atau .json.[/red]")
        raise typer.Exit(2) from None
    records = list(result.records)
    with _database(Settings()) as sessions, sessions() as session, Progress(console=console) as bar:
        task = bar.add_task("Menyimpan…", total=len(records))
        for start in range(0, len(records), 500):
            for record in records[start : start + 500]:
                repository.upsert(session, record, "admin:cli")
            repository.audit(session, "cli", f"{kind}.import", kind, file.name)
            session.commit()
            bar.advance(task, len(records[start : start + 500]))
    for error in result.errors:
        msgs = "; ".join(
            f"{e.get('column') or '.'.join(map(str, e['loc']))}: {e.get('pesan') or e['msg']}"
            for e in error.errors
        )
        console.print(f"[red]Baris {error.row}[/red] (id {error.id or '-'}): {msgs}")
    console.print(f"{len(records)} data tersimpan, {len(result.errors)} baris ditolak.")
    if result.errors:
        raise typer.Exit(1)


@app.command()
def recommend(
    vacancy: Annotated[str | None, typer.Option(help="ID lowongan: cari kandidat.")] = None,
    candidate: Annotated[str | None, typer.Option(help="ID kandidat: cari lowongan.")] = None,
    k: Annotated[int, typer.Option("-k", min=1, max=100, help="Jumlah hasil.")] = 20,
) -> None:
    """Tampilkan kandidat terbaik untuk lowongan, atau lowongan terbaik untuk kandidat."""
    if (vacancy is None) == (candidate is None):
        err.print("[red]Pilih salah satu: --vacancy ID atau --candidate ID.[/red]")
        raise typer.Exit(2)
    settings = Settings()
    with _database(settings) as sessions:
        gateway = _gateway(settings, sessions)
        if vacancy is not None:
            matches, other = gateway.recommend_candidates(vacancy, k), "candidate_id"
        else:
            matches, other = gateway.recommend_vacancies(candidate or "", k), "vacancy_id"
    table = Table("#", "ID", "Skor", "Alasan")
    for i, m in enumerate(matches, 1):
        table.add_row(str(i), getattr(m, other), f"{m.score:.2f}", "\n".join(m.reasons))
    console.print(table)


@app.command()
def explain(
    candidate: Annotated[str, typer.Argument(help="ID kandidat.")],
    vacancy: Annotated[str, typer.Argument(help="ID lowongan.")],
) -> None:
    """Jelaskan skor satu pasangan kandidat–lowongan."""
    settings = Settings()
    with _database(settings) as sessions:
        m = _gateway(settings, sessions).explain(candidate, vacancy)
    console.print(
        f"Skor: {m.score:.2f}  {'memenuhi syarat' if m.eligible else 'TIDAK memenuhi syarat'}"
    )
    for line in [*m.reasons, *m.blocked_by, *m.flags]:
        console.print(f"• {line}")


@index_app.command("rebuild")
def index_rebuild() -> None:
    """Bangun ulang indeks dari basis data dan simpan snapshot baru."""
    from service.engine_gateway import EngineGateway, build_encoder

    settings = Settings()
    with _database(settings) as sessions, Progress(console=console) as bar:
        task = bar.add_task("Membangun indeks…", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        gateway = EngineGateway.fit_from_db(settings, sessions, build_encoder(settings), progress)
        path = gateway.save_snapshot(sessions)
    console.print(f"Indeks dibangun ulang: {gateway.size()} → {path}")


index_app.command("reembed")(cli_reembed.command)


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="Alamat yang didengarkan.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port HTTP.")] = 8000,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Muat data saja.")] = False,
    candidates: Annotated[
        int, typer.Option(help="Jumlah siswa/alumni demo (3000 = seluruh set demo).")
    ] = 600,
    vacancies: Annotated[int, typer.Option(help="Jumlah lowongan demo.")] = 120,
) -> None:
    """Muat data demo Kabupaten Serang, buat satu kunci per peran, lalu jalankan layanan.

    The default is a fifth of the full demo set so the first start (embedding every record on
    two CPU cores) takes about a minute; ``--candidates 3000 --vacancies 300`` loads it all.
    """
    from service.demo import load_demo

    with (
        _database(Settings()) as sessions,
        sessions() as session,
        console.status("Memuat data demo…"),
    ):
        schools = min(30, max(5, candidates // 100))
        result = load_demo(
            session, n_schools=schools, n_candidates=candidates, n_vacancies=vacancies
        )
    state = "dimuat" if result.loaded else "sudah ada, tidak dimuat ulang"
    console.print(
        f"Data demo {state}: {result.counts['candidate']} kandidat, "
        f"{result.counts['vacancy']} lowongan, {result.counts['outcome']} catatan hasil"
        " (riwayat simulasi setengah tahun)."
    )
    scope = {"bkk": f"sekolah {result.school_id}", "employer": f"perusahaan {result.employer_id}"}
    console.print("Kunci API demo (hanya ditampilkan sekali):")
    for role, key in result.keys.items():
        where = scope.get(role, "semua data" if role == "admin" else "data miliknya")
        console.print(f"  {role:<9} {where:<22} {key}", soft_wrap=True, highlight=False)
    console.print("Akun staf demo untuk ruang kerja (/ruang), hanya ditampilkan sekali:")
    for role, (username, password) in result.accounts.items():
        console.print(f"  {role:<9} {username:<16} {password}", soft_wrap=True, highlight=False)
    url = f"http://{host}:{port}"
    console.print(f"Layanan: {url}\nDokumentasi API: {url}/docs")
    if not no_serve:
        serve(host=host, port=port)


@contextmanager
def _steps() -> Iterator[Callable[[str, int, int | None], None]]:
    """A rich progress bar driven by ``(step, done, total)`` reports from backup and restore."""
    with Progress(console=console) as bar:
        tasks: dict[str, TaskID] = {}

        def report(step: str, done: int, total: int | None) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=total)
            bar.update(tasks[step], completed=done, total=total)

        yield report


@app.command()
def backup(
    file: Annotated[Path, typer.Argument(dir_okay=False, help="Berkas arsip, mis. cocok.tar.gz.")],
) -> None:
    """Cadangkan basis data dan indeks ke satu arsip; aman saat layanan berjalan."""
    from service.backup import BackupError, create_backup

    try:
        with _steps() as report:
            manifest = create_backup(Settings(), file, report)
    except BackupError as exc:
        err.print(f"[red]Pencadangan gagal: {exc}[/red]")
        raise typer.Exit(1) from None
    counts = manifest["counts"]
    console.print(
        f"Cadangan tersimpan di {file}: {counts['candidates']} kandidat, "
        f"{counts['vacancies']} lowongan, perubahan sampai #{manifest['max_change_seq']}."
    )


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(dir_okay=False, help="Berkas arsip dari cocok backup.")],
    data_dir: Annotated[
        Path | None, typer.Option(help="Folder data tujuan (bawaan: COCOK_DATA_DIR).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Timpa folder yang tidak kosong.")] = False,
) -> None:
    """Pulihkan arsip cadangan ke folder data kosong (dan basis data COCOK_DATABASE_URL)."""
    from service.backup import BackupError
    from service.restore import restore_backup

    settings = Settings() if data_dir is None else Settings(data_dir=data_dir)
    try:
        with _steps() as report:
            manifest = restore_backup(file, settings, force=force, progress=report)
    except BackupError as exc:
        err.print(f"[red]Pemulihan gagal: {exc}[/red]")
        raise typer.Exit(1) from None
    counts = manifest["counts"]
    console.print(
        f"Dipulihkan ke {settings.data_dir}: {counts['candidates']} kandidat, "
        f"{counts['vacancies']} lowongan. Jalankan 'cocok serve' untuk melanjutkan."
    )


if __name__ == "__main__":
    app()
