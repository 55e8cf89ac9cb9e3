"""Abuse of the resource caps: each is refused with a 4xx problem+json, fast, without memory.

A caller asking for ``k=10**9``, a page of a billion, a body over the limit, a CSV of 60,000
rows where 100 are allowed, or JSON nested a million deep must learn so at once; the service must
neither allocate for what was asked nor read everything first. Timing: the fastest of three
tries, so the figure is the service's own cost and not the scheduler's on a shared machine.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from svc_helpers import ADMIN, candidate_body, make_settings, new_key, vacancy_body

from service.auth import RateLimiter

FAST_S = 0.100
PROBLEM = "application/problem+json"


def timed(send: Callable[[], httpx.Response]) -> tuple[httpx.Response, float, int]:
    """The response, the fastest of three tries (s), and the traced allocation peak of a fourth.

    The peak is taken on its own try: tracing slows every allocation, which would skew the time.
    """
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        send()
        best = min(best, time.perf_counter() - started)
    tracemalloc.start()
    try:
        response = send()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return response, best, peak


def assert_refused(
    response: httpx.Response, status: int, seconds: float, peak: int, max_peak: int
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["type"].startswith("https://")
    assert seconds < FAST_S, f"refused after {seconds * 1000:.0f} ms"
    assert peak < max_peak, f"peak allocation {peak / 2**20:.1f} MB while refusing"
    return dict(body)


@pytest.fixture
def stocked(client: TestClient) -> TestClient:
    for i in range(3):
        assert client.put(
            f"/v1/vacancies/v{i}", json=vacancy_body(f"v{i}"), headers=ADMIN
        ).is_success
        assert client.put(
            f"/v1/candidates/c{i}", json=candidate_body(f"c{i}"), headers=ADMIN
        ).is_success
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/v1/vacancies/v0/matches?k=1000000000",
        "/v1/candidates/c0/matches?k=1000000000",
        "/v1/vacancies/v0/matches?k=" + "9" * 40,
        "/v1/vacancies/v0/matches?k=0",
        "/v1/vacancies?limit=1000000000",
        "/v1/candidates?limit=1000000000",
        "/v1/outcomes?limit=1000000000",
        "/v1/vacancies?offset=100000000000000000000",
        "/v1/candidates?offset=" + "9" * 30,
        "/v1/outcomes?offset=100000000000000000000",
        "/v1/candidates?graduation_year=100000000000000000000",
    ],
)
def test_huge_k_page_and_offset_are_422(stocked: TestClient, url: str) -> None:
    response, seconds, peak = timed(lambda: stocked.get(url, headers=ADMIN))
    body = assert_refused(response, 422, seconds, peak, max_peak=1 * 2**20)
    assert body["errors"] and body["errors"][0]["loc"][0] == "query"


def test_oversize_json_body_is_413_before_it_is_read(start_app: Any, tmp_path: Path) -> None:
    client = start_app(make_settings(tmp_path / "v", max_body_bytes=1024 * 1024))
    body = b'{"items": [' + b'{"id": "x"},' * 200_000 + b'{"id": "y"}]}'  # 2.4 MB
    assert len(body) > 2 * 1024 * 1024
    headers = {**ADMIN, "content-type": "application/json"}
    response, seconds, peak = timed(
        lambda: client.post("/v1/candidates/batch", content=body, headers=headers)
    )
    assert_refused(response, 413, seconds, peak, max_peak=512 * 1024)
    assert client.get("/v1/candidates", headers=ADMIN).json()["items"] == []


def test_oversize_body_without_length_is_cut_at_the_limit(start_app: Any, tmp_path: Path) -> None:
    client = start_app(make_settings(tmp_path / "v", max_body_bytes=64 * 1024))

    def chunks() -> Any:
        for _ in range(64):
            yield b" " * 4096  # 256 KB in all, no Content-Length: counted as it arrives

    response = client.put(
        "/v1/candidates/c1",
        content=chunks(),
        headers={**ADMIN, "content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith(PROBLEM)


def test_oversize_upload_is_413(start_app: Any, tmp_path: Path) -> None:
    client = start_app(make_settings(tmp_path / "v", max_upload_bytes=256 * 1024))
    data = b"id;nama\n" + b"c1;Siti\n" * 100_000  # 800 KB
    files = {"file": ("kandidat.csv", data, "text/csv")}
    response, seconds, peak = timed(
        lambda: client.post("/v1/candidates/import", files=files, headers=ADMIN)
    )
    # the test's own multipart encoding of the 800 KB file is inside the traced window
    assert_refused(response, 413, seconds, peak, max_peak=4 * len(data))
    assert client.get("/v1/candidates", headers=ADMIN).json()["items"] == []


def test_csv_with_too_many_rows_is_refused_without_reading_them_all(
    start_app: Any, tmp_path: Path
) -> None:
    client = start_app(make_settings(tmp_path / "v", max_import_rows=100))
    rows = b"".join(b"c%d;SMK;2023\n" % i for i in range(60_000))
    data = b"id;pendidikan;tahun_lulus\n" + rows  # 0.9 MB; validating every row takes seconds
    # what receiving the upload costs by itself (test client, multipart): the same bytes under a
    # name that is refused before parsing
    unparsed, _, upload_peak = timed(
        lambda: client.post(
            "/v1/candidates/import", files={"file": ("kandidat.txt", data)}, headers=ADMIN
        )
    )
    assert unparsed.status_code == 415
    files = {"file": ("kandidat.csv", data, "text/csv")}
    response, seconds, peak = timed(
        lambda: client.post("/v1/candidates/import", files=files, headers=ADMIN)
    )
    # beyond receiving it, the row cap costs the decoded text and one copy to parse from
    body = assert_refused(response, 422, seconds, peak, max_peak=upload_peak + 3 * len(data))
    assert "100" in body["detail"]
    assert "melebihi batas 100" in body["errors"][0]["pesan"]
    assert client.get("/v1/candidates", headers=ADMIN).json()["items"] == []


def test_json_import_with_too_many_items_is_refused(start_app: Any, tmp_path: Path) -> None:
    client = start_app(make_settings(tmp_path / "v", max_import_rows=10))
    data = ("[" + ",".join(f'{{"id": "c{i}"}}' for i in range(11)) + "]").encode()
    files = {"file": ("kandidat.json", data, "application/json")}
    response = client.post("/v1/candidates/import", files=files, headers=ADMIN)
    assert response.status_code == 422 and "melebihi batas 10" in response.text
    assert client.get("/v1/candidates", headers=ADMIN).json()["items"] == []


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 1_000_000 + b"]" * 1_000_000,
        b'{"items": [' + b"[" * 500_000 + b"]" * 500_000 + b"]}",
        b'{"a":' * 200_000 + b"1" + b"}" * 200_000,
    ],
    ids=["arrays", "items", "objects"],
)
def test_deeply_nested_json_is_400(client: TestClient, body: bytes) -> None:
    headers = {**ADMIN, "content-type": "application/json"}
    for send in (
        lambda: client.post("/v1/candidates/batch", content=body, headers=headers),
        lambda: client.put("/v1/vacancies/v1", content=body, headers=headers),
    ):
        response, seconds, peak = timed(send)
        assert_refused(response, 400, seconds, peak, max_peak=4 * len(body))


def test_rate_limit_429_with_retry_after_and_healthz_unaffected(
    start_app: Any, tmp_path: Path
) -> None:
    client = start_app(make_settings(tmp_path / "v", rate_limit_per_minute=5))
    flooding = new_key(client, "portal", label="flood")
    other = new_key(client, "portal", label="other")
    codes = [client.get("/v1/vacancies", headers=flooding).status_code for _ in range(8)]
    assert codes == [200] * 5 + [429] * 3
    limited = client.get("/v1/vacancies", headers=flooding)
    assert limited.status_code == 429
    assert limited.headers["content-type"].startswith(PROBLEM)
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert limited.json()["type"].endswith("/rate-limited")
    # another key, and the unauthenticated health check, are not held back by it
    assert client.get("/v1/vacancies", headers=other).status_code == 200
    health, seconds, _ = timed(lambda: client.get("/healthz"))
    assert health.status_code == 200 and seconds < FAST_S


def test_rate_limiter_window_resets_and_reports_seconds_left() -> None:
    now = [120.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    assert [limiter.allow("k") for _ in range(3)] == [True, True, False]
    assert limiter.allow("other")
    now[0] = 170.5
    assert not limiter.allow("k")
    assert limiter.retry_after() == 10  # the window ends at 180: 9.5 s, rounded up
    now[0] = 180.0
    assert limiter.allow("k")  # a new minute
    assert limiter.retry_after() == 60
    assert RateLimiter(0).allow("k")  # 0 turns it off
