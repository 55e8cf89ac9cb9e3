"""``cocok backup`` / ``cocok restore``: a backup of a running service, restored into an empty
folder, answers 200 fixed queries (both directions) with the same ids in the same order; a bad
archive is refused with a clear message and writes nothing."""

from __future__ import annotations

import gzip
import io
import json
import os
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from svc_helpers import ADMIN, ADMIN_KEY, CountingEncoder, make_settings
from typer.testing import CliRunner

from matcher.demo import generate_demo
from service import snapshots
from service.backup import BackupError, create_backup, read_manifest
from service.cli import app as cli
from service.restore import restore_backup

QUERIES = 100  # per direction: 200 in all


def _body(record: Any) -> dict[str, Any]:
    return dict(record.model_dump(mode="json", exclude_none=True))


def _post(client: TestClient, plural: str, items: list[dict[str, Any]]) -> None:
    for start in range(0, len(items), 500):
        chunk = items[start : start + 500]
        response = client.post(f"/v1/{plural}/batch", json={"items": chunk}, headers=ADMIN)
        assert response.status_code == 200 and response.json()["errors"] == [], response.text


@pytest.fixture
def running(start_app: Callable[..., TestClient]) -> tuple[TestClient, Any]:
    """A running service whose live snapshot is *behind* its database (as in production)."""
    demo = generate_demo(seed=7, n_schools=8, n_candidates=400, n_vacancies=110)
    client = start_app()
    _post(client, "vacancies", [_body(v) for v in demo.vacancies[:100]])
    _post(client, "candidates", [_body(c) for c in demo.candidates[:340]])
    for gone in (demo.candidates[1].id, demo.candidates[2].id):  # erasures snapshot at once
        assert client.delete(f"/v1/candidates/{gone}", headers=ADMIN).status_code == 204
    client.app.state.gateway.save_snapshot(client.app.state.sessions)  # type: ignore[attr-defined]
    # after the snapshot: new records, an update and a deletion the restore must replay
    _post(client, "vacancies", [_body(v) for v in demo.vacancies[100:]])
    _post(client, "candidates", [_body(c) for c in demo.candidates[340:]])
    changed = _body(demo.candidates[0]) | {"skills": ["las SMAW", "membaca gambar teknik"]}
    assert client.put(f"/v1/candidates/{changed['id']}", json=changed, headers=ADMIN).status_code
    assert client.delete(f"/v1/vacancies/{demo.vacancies[3].id}", headers=ADMIN).status_code == 204
    return client, demo


@pytest.fixture
def small(start_app: Callable[..., TestClient]) -> TestClient:
    """A running service with a few records and a live snapshot: enough for the refusals."""
    demo = generate_demo(seed=3, n_schools=2, n_candidates=30, n_vacancies=5)
    client = start_app()
    _post(client, "vacancies", [_body(v) for v in demo.vacancies])
    _post(client, "candidates", [_body(c) for c in demo.candidates])
    client.app.state.gateway.save_snapshot(client.app.state.sessions)  # type: ignore[attr-defined]
    return client


def _rankings(client: TestClient, demo: Any) -> dict[str, list[tuple[str, float]]]:
    """Top 20 for the first 100 vacancies and the first 100 candidates still present."""
    out: dict[str, list[tuple[str, float]]] = {}
    for side, records, other in (
        ("vacancies", demo.vacancies, "candidate_id"),
        ("candidates", demo.candidates, "vacancy_id"),
    ):
        asked = 0
        for record in records:
            response = client.get(f"/v1/{side}/{record.id}/matches?k=20", headers=ADMIN)
            if response.status_code == 404:
                continue  # deleted on purpose
            assert response.status_code == 200, response.text
            out[f"{side}/{record.id}"] = [(i[other], i["score"]) for i in response.json()["items"]]
            asked += 1
            if asked == QUERIES:
                break
    assert len(out) == 2 * QUERIES
    return out


def _env(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    monkeypatch.setenv("COCOK_DATA_DIR", str(data_dir))
    monkeypatch.setenv("COCOK_ENCODER", "hashing")
    monkeypatch.setenv("COCOK_ADMIN_KEY", ADMIN_KEY)
    monkeypatch.delenv("COCOK_DATABASE_URL", raising=False)


def test_backup_of_a_running_service_restores_identical_rankings(
    running: tuple[TestClient, Any],
    settings: Any,
    start_app: Callable[..., TestClient],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client, demo = running
    expected = _rankings(client, demo)
    archive = tmp_path / "cadangan" / "cocok.tar.gz"
    runner = CliRunner()

    _env(monkeypatch, settings.data_dir)
    made = runner.invoke(cli, ["backup", str(archive)])
    assert made.exit_code == 0, made.output
    assert "Cadangan tersimpan" in made.output
    manifest = read_manifest(archive)
    snap = snapshots.current(settings.index_dir)
    assert snap is not None and manifest["snapshot"]["last_change_seq"] == snap.last_change_seq
    assert manifest["snapshot"]["last_change_seq"] < manifest["max_change_seq"]
    assert manifest["counts"]["candidates"] == 398 and manifest["counts"]["vacancies"] == 109

    target = tmp_path / "baru" / "var"
    _env(monkeypatch, tmp_path / "ignored")
    restored = runner.invoke(cli, ["restore", str(archive), "--data-dir", str(target)])
    assert restored.exit_code == 0, restored.output
    assert not list(target.parent.glob(".*"))  # no temporary folder left beside it

    encoder = CountingEncoder()
    second = start_app(make_settings(target), encoder=encoder)
    # the snapshot was used: only what changed after it is embedded again
    assert encoder.texts == 10 + 60 + 1  # new vacancies, new candidates, the update
    assert _rankings(second, demo) == expected


def test_restore_refuses_a_non_empty_folder_unless_forced(
    small: TestClient, settings: Any, tmp_path: Path
) -> None:
    archive = tmp_path / "b.tar.gz"
    create_backup(settings, archive)
    target = tmp_path / "occupied"
    target.mkdir()
    (target / "keep.txt").write_text("lama")
    with pytest.raises(BackupError, match="tidak kosong"):
        restore_backup(archive, make_settings(target))
    assert (target / "keep.txt").read_text() == "lama"
    restore_backup(archive, make_settings(target), force=True)
    assert not (target / "keep.txt").exists() and (target / "cocok.sqlite3").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def _rewrite(
    archive: Path,
    out: Path,
    change: Callable[[str, bytes], bytes | None],
    extra: tuple[str, bytes] | None = None,
) -> None:
    """Copy ``archive`` member by member through ``change`` (``None`` drops the member)."""
    with tarfile.open(archive, "r:gz") as src, tarfile.open(out, "w:gz") as dst:
        for member in src:
            handle = src.extractfile(member)
            assert handle is not None
            data = change(member.name, handle.read())
            if data is None:
                continue
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
        if extra is not None:
            info = tarfile.TarInfo(extra[0])
            info.size = len(extra[1])
            dst.addfile(info, io.BytesIO(extra[1]))


def _flip_db_byte(name: str, data: bytes) -> bytes:
    if name != "database/cocok.sqlite3":
        return data
    return data[:5000] + bytes([data[5000] ^ 0xFF]) + data[5001:]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("flip_db_byte", "Checksum database/cocok.sqlite3 tidak cocok"),
        ("drop_index_file", "tidak lengkap"),
        ("truncate", "rusak"),
        ("not_an_archive", "bukan arsip cadangan cocok"),
        ("foreign_member", "tidak dikenal"),
    ],
)
def test_a_damaged_archive_is_refused_and_writes_nothing(
    small: TestClient, settings: Any, tmp_path: Path, damage: str, message: str
) -> None:
    good = tmp_path / "good.tar.gz"
    create_backup(settings, good)
    bad = tmp_path / "bad" / "cocok.tar.gz"
    bad.parent.mkdir()
    if damage == "flip_db_byte":
        _rewrite(good, bad, _flip_db_byte)
    elif damage == "drop_index_file":
        _rewrite(good, bad, lambda n, d: None if n.endswith("vacancies.jsonl") else d)
    elif damage == "truncate":
        raw = gzip.decompress(good.read_bytes())
        bad.write_bytes(gzip.compress(raw[: len(raw) * 2 // 3]))
    elif damage == "not_an_archive":
        bad.write_text("ini bukan arsip")
    else:
        _rewrite(good, bad, lambda n, d: d, extra=("../luar.txt", b"xyz"))
    target = tmp_path / "target" / "var"
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(BackupError, match=message):
        restore_backup(bad, make_settings(target))
    assert not target.exists()
    assert not target.parent.exists() or not any(target.parent.iterdir())  # no temporary folder
    assert sorted(os.listdir(tmp_path)) == before
    assert not (tmp_path / "luar.txt").exists()


def test_cli_reports_a_bad_archive_in_indonesian(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "x.tar.gz"
    bad.write_bytes(gzip.compress(json.dumps({"bukan": "tar"}).encode()))
    _env(monkeypatch, tmp_path / "var")
    result = CliRunner().invoke(cli, ["restore", str(bad)])
    assert result.exit_code == 1
    assert "Pemulihan gagal" in result.output and not (tmp_path / "var").exists()


@pytest.mark.postgres
def test_backup_and_restore_on_postgres(
    start_app: Callable[..., TestClient], tmp_path: Path
) -> None:
    """A logical dump of PostgreSQL restores into a fresh PostgreSQL database and into SQLite."""
    import uuid

    from sqlalchemy import create_engine, text

    base = os.environ.get("COCOK_TEST_POSTGRES_URL", "")
    if not base:
        pytest.skip("COCOK_TEST_POSTGRES_URL is not set")
    names = [f"cocok_b_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    source_url, target_url = (base.rsplit("/", 1)[0] + f"/{n}" for n in names)
    try:
        demo = generate_demo(seed=3, n_schools=2, n_candidates=60, n_vacancies=8)
        client = start_app(make_settings(tmp_path / "pg-src", database_url=source_url))
        _post(client, "vacancies", [_body(v) for v in demo.vacancies])
        _post(client, "candidates", [_body(c) for c in demo.candidates])
        client.app.state.gateway.save_snapshot(client.app.state.sessions)  # type: ignore[attr-defined]
        _post(client, "candidates", [_body(demo.candidates[0]) | {"skills": ["MYOB"]}])
        ids = [v.id for v in demo.vacancies]
        expected = {i: client.get(f"/v1/vacancies/{i}/matches", headers=ADMIN).json() for i in ids}
        archive = tmp_path / "pg.tar.gz"
        manifest = create_backup(
            make_settings(tmp_path / "pg-src", database_url=source_url), archive
        )
        assert manifest["database"] == {"format": "logical", "dialect": "postgresql"}
        for settings in (
            make_settings(tmp_path / "pg-dst", database_url=target_url),
            make_settings(tmp_path / "sqlite-dst"),
        ):
            restore_backup(archive, settings)
            with pytest.raises(BackupError, match=r"tidak kosong|sudah berisi"):
                restore_backup(archive, settings)
            second = start_app(settings)
            got = {i: second.get(f"/v1/vacancies/{i}/matches", headers=ADMIN).json() for i in ids}
            assert got == expected
            # the restored feed continues: a new write gets a fresh sequence number
            assert (
                second.put(
                    "/v1/candidates/baru",
                    json=_body(demo.candidates[1]) | {"id": "baru"},
                    headers=ADMIN,
                ).status_code
                == 201
            )
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
