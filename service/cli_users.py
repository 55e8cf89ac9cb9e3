"""``cocok users``: staff accounts for the browser workspace (BKK officers, employers, admins)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from service.config import Settings
from service.db.session import build_engine, session_factory, upgrade
from service.web import accounts

users_app = typer.Typer(
    help="Kelola akun staf untuk ruang kerja di peramban.", no_args_is_help=True
)
console = Console()
err = Console(stderr=True)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Kata sandi", hide_input=True, confirmation_prompt="Ulangi kata sandi"))


@users_app.command("create")
def create(
    username: Annotated[str, typer.Option(help="Nama pengguna untuk masuk.")],
    role: Annotated[str, typer.Option(help="bkk | employer | admin")],
    school_id: Annotated[str | None, typer.Option(help="NPSN sekolah (wajib untuk bkk).")] = None,
    employer_id: Annotated[str | None, typer.Option(help="ID perusahaan (untuk employer).")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Baca kata sandi dari baris pertama stdin.")
    ] = False,
) -> None:
    """Buat akun staf; kata sandi diminta (tidak tampil) atau dibaca dari stdin."""
    if role not in accounts.STAFF_ROLES:
        err.print(f"Peran tidak dikenal: {role}. Pilih: {', '.join(accounts.STAFF_ROLES)}.")
        raise typer.Exit(2)
    password = _read_password(password_stdin)
    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = build_engine(settings.resolved_database_url)
    try:
        upgrade(engine)
        with session_factory(engine)() as session:
            try:
                row = accounts.create_user(
                    session,
                    username,
                    password,
                    role,
                    school_id=school_id,
                    employer_id=employer_id,
                )
            except accounts.AccountError as exc:
                err.print(str(exc), highlight=False)
                raise typer.Exit(2) from None
            session.commit()
            scope = row.school_id or row.employer_id or "semua data"
            console.print(f"Akun {row.username} ({row.role}, {scope}) dibuat.", highlight=False)
    finally:
        engine.dispose()


@users_app.command("list")
def list_users() -> None:
    """Daftar akun staf (tanpa kata sandi)."""
    table = Table("Nama pengguna", "Peran", "Sekolah", "Perusahaan", "Aktif", "Terakhir masuk")
    settings = Settings()
    engine = build_engine(settings.resolved_database_url)
    try:
        upgrade(engine)
        with session_factory(engine)() as session:
            rows = session.scalars(
                select(accounts.StaffUserRow).order_by(accounts.StaffUserRow.username)
            )
            for row in rows:
                table.add_row(
                    row.username,
                    row.role,
                    row.school_id or "",
                    row.employer_id or "",
                    "ya" if row.active else "tidak",
                    f"{row.last_login_at:%Y-%m-%d %H:%M}" if row.last_login_at else "",
                )
    finally:
        engine.dispose()
    console.print(table)
