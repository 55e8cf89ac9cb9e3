"""Restart: the index comes back from its snapshot plus the change feed, never re-embedding
what it already holds, and answers exactly as before."""

from __future__ import annotations

from typing import Any

from svc_helpers import ADMIN, CountingEncoder, candidate_body, make_settings, vacancy_body

from service.db import repository
from service.db.session import build_engine, session_factory


def _seed(client: Any) -> None:
    items = [candidate_body(f"c{i}", skills=["las SMAW"] if i % 2 else ["MYOB"]) for i in range(12)]
    assert (
        client.post("/v1/candidates/batch", json={"items": items}, headers=ADMIN).json()["upserted"]
        == 12
    )
    vacs = [vacancy_body(f"v{i}") for i in range(4)]
    assert (
        client.post("/v1/vacancies/batch", json={"items": vacs}, headers=ADMIN).json()["upserted"]
        == 4
    )


def _answers(client: Any, k: int = 10) -> dict[str, Any]:
    return {
        "v": client.get(f"/v1/vacancies/v1/matches?k={k}", headers=ADMIN).json(),
        "c": client.get(f"/v1/candidates/c1/matches?k={k}", headers=ADMIN).json(),
    }


def test_restart_is_identical_and_embeds_nothing(start_app: Any, settings: Any) -> None:
    first = start_app()
    _seed(first)
    expected = _answers(first)
    first.__exit__(None, None, None)  # shutdown saves a snapshot

    encoder = CountingEncoder()
    second = start_app(encoder=encoder)
    assert _answers(second) == expected
    assert encoder.texts == 0


def test_changes_after_the_snapshot_are_replayed(start_app: Any, settings: Any) -> None:
    first = start_app()
    _seed(first)
    first.__exit__(None, None, None)
    # another process (the CLI) changes the database while the server is down
    engine = build_engine(settings.resolved_database_url)
    with session_factory(engine)() as session:
        repository.upsert(session, repository.to_record("candidate", candidate_body("new")), "cli")
        repository.remove(session, "candidate", "c1")
        session.commit()
    engine.dispose()

    encoder = CountingEncoder()
    second = start_app(encoder=encoder)
    assert encoder.texts == 1  # only the new record
    ids = [
        i["candidate_id"]
        for i in second.get("/v1/vacancies/v1/matches?k=100", headers=ADMIN).json()["items"]
    ]
    assert "new" in ids and "c1" not in ids


def test_running_server_follows_changes_from_other_processes(client: Any, settings: Any) -> None:
    import time

    client.put("/v1/vacancies/v1", json=vacancy_body("v1"), headers=ADMIN)
    engine = build_engine(settings.resolved_database_url)
    with session_factory(engine)() as session:
        repository.upsert(session, repository.to_record("candidate", candidate_body("cli1")), "cli")
        session.commit()
    engine.dispose()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        items = client.get("/v1/vacancies/v1/matches", headers=ADMIN).json()["items"]
        if any(i["candidate_id"] == "cli1" for i in items):
            return
        time.sleep(0.1)
    raise AssertionError("the running server did not pick up the change")


def test_torn_snapshot_falls_back_to_rebuild(start_app: Any, settings: Any) -> None:
    first = start_app()
    _seed(first)
    expected = _answers(first, k=100)
    first.__exit__(None, None, None)
    (settings.index_dir / "CURRENT").write_text("missing-folder")
    second = start_app(make_settings(settings.data_dir))
    # a rebuild re-inserts in id order, so equal scores may swap places: compare as sets
    assert _scored(_answers(second, k=100)) == _scored(expected)


def _scored(answers: dict[str, Any]) -> dict[str, set[tuple[str, float]]]:
    return {
        side: {(i.get("candidate_id") or i["vacancy_id"], i["score"]) for i in body["items"]}
        for side, body in answers.items()
    }


def test_snapshot_after_n_changes(start_app: Any, settings: Any) -> None:
    import time

    from service import snapshots

    client = start_app(make_settings(settings.data_dir, snapshot_every=5))
    items = [candidate_body(f"c{i}") for i in range(6)]
    client.post("/v1/candidates/batch", json={"items": items}, headers=ADMIN)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        snap = snapshots.current(settings.index_dir)
        if snap is not None and snap.last_change_seq >= 6:
            return
        time.sleep(0.1)
    raise AssertionError("no snapshot after snapshot_every changes")


def test_concurrent_writes_are_all_stored_and_indexed(client: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    client.put("/v1/vacancies/v1", json=vacancy_body("v1"), headers=ADMIN)

    def write(i: int) -> int:
        body = candidate_body(f"c{i}")
        return int(client.put(f"/v1/candidates/c{i}", json=body, headers=ADMIN).status_code)

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(write, range(60)))
    assert codes == [201] * 60
    items = client.get("/v1/vacancies/v1/matches?k=100", headers=ADMIN).json()["items"]
    assert len(items) == 60


def test_erasure_leaves_no_copy_in_snapshots(client: Any, settings: Any) -> None:
    import time

    client.put(
        "/v1/candidates/gone", json=candidate_body("gone", name="Nama Rahasia"), headers=ADMIN
    )
    client.put("/v1/candidates/kept", json=candidate_body("kept"), headers=ADMIN)
    client.app.state.gateway.save_snapshot(client.app.state.sessions)  # a copy on disk now
    assert client.delete("/v1/candidates/gone", headers=ADMIN).status_code == 204
    deadline = time.monotonic() + 10

    def text(path: Any) -> str:  # the server may delete an old snapshot while we read
        try:
            return str(path.read_text(errors="ignore"))
        except FileNotFoundError:
            return ""

    while time.monotonic() < deadline:
        files = [p for p in settings.index_dir.rglob("*") if p.is_file()]
        if not any("Nama Rahasia" in text(p) for p in files):
            return
        time.sleep(0.1)
    raise AssertionError("an erased person is still in a snapshot on disk")


def test_healthz_is_503_while_the_index_loads(start_app: Any, settings: Any) -> None:
    import threading

    from fastapi.testclient import TestClient

    from service.main import create_app

    first = start_app()
    first.put("/v1/candidates/c1", json=candidate_body("c1"), headers=ADMIN)
    first.__exit__(None, None, None)
    for path in settings.index_dir.iterdir():  # force a fit, which calls the encoder
        if path.name == "CURRENT":
            path.unlink()

    release = threading.Event()

    class SlowEncoder(CountingEncoder):
        def encode(self, texts: Any) -> Any:
            release.wait(30)
            return super().encode(texts)

    app = create_app(settings, encoder=SlowEncoder())
    with TestClient(app) as client:
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.headers["content-type"].startswith("application/problem+json")
        assert client.get("/v1/vacancies/v1/matches", headers=ADMIN).status_code == 503
        release.set()
        from svc_helpers import wait_ready

        wait_ready(client)
        assert client.get("/healthz").json() == {"status": "ok"}
