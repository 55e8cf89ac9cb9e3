"""A crash while an index snapshot is written never leaves a torn one: the old or the new loads.

A driver process (this file run as a script) forks one writer per crash point. The writer
loads the old snapshot, applies changes, arms an audit hook that sends itself SIGKILL just before
its N-th file operation (every open for writing, rename, mkdir, remove, rmtree), and writes the new
snapshot; N runs over every operation the write makes, then a few writers are killed at random
moments instead. After each kill the driver loads whatever ``CURRENT`` names and reports its
rankings; this test checks they equal the old state's or the new state's, exactly.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from matcher.demo import generate_demo
from matcher.encoder import HashingEncoder
from matcher.engine import Matcher
from service import snapshots

DEMO = {"seed": 5, "n_schools": 2, "n_candidates": 80, "n_vacancies": 12}
RANDOM_KILLS = 6
WATCHED = {"open", "os.rename", "os.mkdir", "os.remove", "os.rmdir", "os.link", "shutil.rmtree"}


@functools.cache
def _records() -> tuple[list[Any], list[Any]]:
    demo = generate_demo(**DEMO)  # type: ignore[arg-type]
    return list(demo.candidates), list(demo.vacancies)


def _old_state() -> Matcher:
    candidates, vacancies = _records()
    return Matcher(encoder=HashingEncoder(dim=64)).fit(candidates[:60], vacancies[:9])


def _to_new_state(matcher: Matcher) -> Matcher:
    candidates, vacancies = _records()
    matcher.upsert_candidates(candidates[60:])
    matcher.upsert_vacancies(vacancies[9:])
    matcher.remove_candidates([c.id for c in candidates[:6]])
    return matcher


def _rankings(matcher: Matcher) -> dict[str, list[str]]:
    candidates, vacancies = _records()
    out: dict[str, list[str]] = {}
    for v in vacancies[:9]:
        out[v.id] = [m.candidate_id for m in matcher.recommend_candidates(v.id, k=10)]
    for c in candidates[6:30]:
        out[c.id] = [m.vacancy_id for m in matcher.recommend_vacancies(c.id, k=10)]
    return out


def _load_live(index_dir: Path) -> tuple[int, dict[str, list[str]]] | None:
    snap = snapshots.current(index_dir)
    if snap is None:
        return None
    matcher = Matcher.load(snap.engine_dir, encoder=HashingEncoder(dim=64))
    return snap.last_change_seq, _rankings(matcher)


# -- the driver (a separate process, so forking is safe) --------------------------------------
def _write_new(index_dir: Path, kill_at: int | None) -> int:
    """In the forked writer: old snapshot → new state → new snapshot; SIGKILL at op ``kill_at``."""
    import signal

    snap = snapshots.current(index_dir)
    assert snap is not None
    matcher = _to_new_state(Matcher.load(snap.engine_dir, encoder=HashingEncoder(dim=64)))
    ops = 0

    def hook(event: str, args: tuple[Any, ...]) -> None:
        nonlocal ops
        if event in WATCHED and (event != "open" or _writes(args)):
            ops += 1
            if kill_at is not None and ops == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)

    sys.addaudithook(hook)  # stays for the writer's remaining life, which is this one write
    snapshots.write(index_dir, 2, lambda p: matcher.save(p), keep=1)
    return ops


def _writes(open_args: tuple[Any, ...]) -> bool:
    """Only opens that can change the disk are crash points (a read changes nothing)."""
    _path, mode, flags = open_args
    if isinstance(mode, str):
        return any(ch in mode for ch in "wax+")
    return bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))


def _run_writer(index_dir: Path, kill_at: int | None, kill_after_s: float | None) -> dict[str, Any]:
    import random
    import signal
    import time

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the writer
        os.close(read)
        ops = _write_new(index_dir, kill_at)
        os.write(write, str(ops).encode())
        os._exit(0)
    os.close(write)
    if kill_after_s is not None:
        time.sleep(random.uniform(0, kill_after_s))
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    ops_text = os.read(read, 64).decode()
    os.close(read)
    killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    return {"killed": killed, "ops": int(ops_text) if ops_text else None}


def drive(index_dir: Path, pristine: Path) -> None:
    import time

    def reset() -> None:
        shutil.rmtree(index_dir)
        shutil.copytree(pristine, index_dir)

    def emit(**row: Any) -> None:
        print(json.dumps(row), flush=True)

    started = time.monotonic()
    total = _run_writer(index_dir, None, None)["ops"]
    write_s = time.monotonic() - started
    assert total, "the dry run counted no file operations"
    emit(point="dry-run", total=total, write_s=round(write_s, 2))
    for point in range(1, total + 1):
        reset()
        result = _run_writer(index_dir, point, None)
        live = _load_live(index_dir)
        emit(point=point, total=total, **result, live=live)
    for i in range(RANDOM_KILLS):
        reset()
        result = _run_writer(index_dir, None, write_s)
        emit(point=f"random-{i}", total=total, **result, live=_load_live(index_dir))
    # after a crash, the next successful write clears the dead writer's temporary folder
    reset()
    _run_writer(index_dir, 5, None)  # inside the temporary folder, before the commit
    crashed = sorted(p.name for p in (index_dir / "snapshots").glob(".tmp-*"))
    _run_writer(index_dir, None, None)
    left = sorted(p.name for p in (index_dir / "snapshots").glob(".tmp-*"))
    emit(point="cleanup", crashed_tmp=crashed, left_tmp=left, live=_load_live(index_dir))


# -- the test ----------------------------------------------------------------------------------
def test_a_killed_snapshot_write_leaves_the_old_or_the_new(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    old = _old_state()
    snapshots.write(index_dir, 1, lambda p: old.save(p))
    pristine = tmp_path / "pristine"
    shutil.copytree(index_dir, pristine)
    old_rankings = _load_live(index_dir)
    new_rankings = _rankings(_to_new_state(_old_state()))
    assert old_rankings is not None and old_rankings[1] != new_rankings

    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.run(
        [sys.executable, __file__, str(index_dir), str(pristine)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    rows = [r for r in rows if r["point"] != "dry-run"]
    points = [r for r in rows if isinstance(r["point"], int)]
    assert points and len(points) == points[0]["total"]
    seen = set()
    for row in rows[:-1]:
        # a random kill may come after the write finished: then the new snapshot must load
        assert row["killed"] or str(row["point"]).startswith("random"), row["point"]
        assert row["live"] is not None, f"no loadable snapshot after a kill at {row['point']}"
        seq, rankings = row["live"]
        assert (seq, rankings) in ((1, old_rankings[1]), (2, new_rankings)), row["point"]
        seen.add(seq)
    assert seen == {1, 2}  # the kills fell on both sides of the commit point
    cleanup = rows[-1]
    assert cleanup["crashed_tmp"] and not cleanup["left_tmp"]
    assert cleanup["live"] == [2, new_rankings]


if __name__ == "__main__":
    drive(Path(sys.argv[1]), Path(sys.argv[2]))
