"""Starting, watching and stopping a real ``cocok serve`` process for the speed benchmark.

Loopback only; every wait is bounded, and the server is always stopped by the caller's
``finally`` through :func:`stop_server`.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    data_dir: Path, admin_key: str, encoder: str, log_path: Path, **settings: str
) -> tuple[subprocess.Popen[bytes], str]:
    """``cocok serve`` on a free loopback port; ``settings`` are extra ``COCOK_*`` variables."""
    port = free_port()
    env = dict(
        os.environ,
        COCOK_DATA_DIR=str(data_dir),
        COCOK_ADMIN_KEY=admin_key,
        COCOK_ENCODER=encoder,
        COCOK_DATABASE_URL="",
        COCOK_VECTOR_BACKEND="faiss",
        **settings,
    )
    cocok = Path(sys.executable).with_name("cocok")
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [str(cocok), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return proc, f"http://127.0.0.1:{port}"


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=60)  # shutdown writes a final snapshot
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def log_tail(log_path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def wait_healthy(url: str, proc: subprocess.Popen[bytes], limit_s: float) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < limit_s:
        if proc.poll() is not None:
            raise RuntimeError("cocok serve exited before it became healthy")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"cocok serve did not become healthy within {limit_s:.0f} s")


def wait_for_log(
    log_path: Path, text: str, proc: subprocess.Popen[bytes], limit_s: float, since: float
) -> float:
    """Seconds from ``since`` (a ``perf_counter`` reading) until ``text`` is in the server's
    log: how the benchmark sees the model finish loading behind a ready server."""
    while time.perf_counter() - since < limit_s:
        if text in log_path.read_text(encoding="utf-8", errors="replace"):
            return time.perf_counter() - since
        if proc.poll() is not None:
            raise RuntimeError(f"cocok serve exited before logging {text!r}")
        time.sleep(0.1)
    raise TimeoutError(f"cocok serve did not log {text!r} within {limit_s:.0f} s")


def proc_memory_mb(pid: int) -> dict[str, float]:
    out: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = round(int(value.split()[0]) / 1024, 1)
    return out


def wait_settled(data_dir: Path, expected_seq: int, limit_s: float) -> float | None:
    """Wait (bounded) until the background snapshot of the ingested records is on disk."""
    started = time.perf_counter()
    pointer = data_dir / "index" / "CURRENT"
    while time.perf_counter() - started < limit_s:
        try:
            name = pointer.read_text().strip()
            meta = json.loads((pointer.parent / "snapshots" / name / "snapshot.json").read_text())
            if int(meta.get("last_change_seq", -1)) >= expected_seq:
                return time.perf_counter() - started
        except (OSError, ValueError):
            pass
        time.sleep(0.25)
    return None
