"""Running the real ``cocok`` command in a test: a free port, the command, a served instance."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cocok_command() -> list[str]:
    """The installed ``cocok`` script beside this Python, else on PATH, else the module."""
    script = Path(sys.executable).parent / "cocok"
    if script.exists():
        return [str(script)]
    found = shutil.which("cocok")
    return [found] if found else [sys.executable, "-m", "service.cli"]


@contextmanager
def serving(env: Mapping[str, str], log_path: Path, timeout_s: float = 120.0) -> Iterator[str]:
    """``cocok serve`` on a free loopback port until ``/healthz`` answers 200; yields its URL.

    The server's output goes to ``log_path`` (its tail is the error when it dies or never gets
    healthy); it is stopped, killed if need be, when the block ends.
    """
    port = free_port()
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [*cocok_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=dict(env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout_s
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(log_path.read_text()[-3000:])
                try:
                    if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(log_path.read_text()[-3000:])
                time.sleep(0.2)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
