"""Batch on a real Dask cluster: a scheduler and two workers as separate processes on 127.0.0.1.

Every good recording gets its transcript, suggestions and masked draft record exactly once; a
corrupt file one clear error; a re-run skips everything; ``--store`` puts one draft consultation per
recording into the store and a re-run adds none; a reviewed consultation is never overwritten; a
worker killed mid-run leaves every output exactly once.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
FIXTURES = ROOT / "tests" / "fixtures"
GOOD = [*sorted((FIXTURES / "asr").glob("*.wav"))[:5], FIXTURES / "dialogue_mono.wav"]
KINDS = ("json", "suggestions.json", "record.json")


def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"ASSISTANT_ASR_BEAM_SIZE": "1", "ASSISTANT_DATA_DIR": str(tmp / "data"), "COLUMNS": "200",
                "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)})
    return env


def _start_worker(scheduler_file: Path, name: str, tmp: Path) -> subprocess.Popen:
    # --no-nanny: killing this process kills the worker itself (no nanny to restart it)
    return subprocess.Popen([str(BIN / "dask"), "worker", "--scheduler-file", str(scheduler_file), "--nthreads", "1",
                             "--no-nanny", "--host", "127.0.0.1", "--no-dashboard", "--name", name],
                            env=_env(tmp), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp)


def _client(address: str):  # noqa: ANN202
    from distributed import Client

    return Client(address, timeout=30)


def _wait_workers(address: str, n: int, timeout: float = 120) -> None:
    with _client(address) as c:
        c.wait_for_workers(n, timeout=timeout)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):  # noqa: ANN201
    tmp = tmp_path_factory.mktemp("cluster")
    sfile = tmp / "scheduler.json"
    sched = subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                              "--scheduler-file", str(sfile)], env=_env(tmp), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, cwd=tmp)
    deadline = time.monotonic() + 60
    while not sfile.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    address = json.loads(sfile.read_text())["address"]
    assert address.startswith("tcp://127.0.0.1:")
    workers = [_start_worker(sfile, f"w{i}", tmp) for i in (1, 2)]
    _wait_workers(address, 2)
    state = {"address": address, "workers": workers, "sfile": sfile, "tmp": tmp}
    yield state
    for p in [*state["workers"], sched]:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in [*state["workers"], sched]:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()


@pytest.fixture(scope="module")
def recordings(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("in")
    for f in GOOD:
        shutil.copy(f, root / f.name)
    (root / "corrupt.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt " + b"\x00" * 200)  # a header, no audio
    return root


def _batch(args: list[str], tmp: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "assistant"), "batch", *args], capture_output=True, text=True, env=_env(tmp),
                          timeout=timeout, cwd=tmp, stdin=subprocess.DEVNULL)


def _summary(stderr: str) -> tuple[int, int, int]:
    line = next(x for x in stderr.splitlines() if x.startswith("done ") and "skipped" in x)
    parts = line.replace(",", "").split()
    return int(parts[1]), int(parts[3]), int(parts[5])


def _check_outputs(out: Path) -> None:
    """Each good recording: exactly its three outputs, complete, for its own content; nothing else."""
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    expected = sorted(f"{f.stem}.{k}" for f in GOOD for k in KINDS)
    assert files == expected  # no temporary or half-written file, no output for the corrupt one
    for f in GOOD:
        t = json.loads((out / f"{f.stem}.json").read_text(encoding="utf-8"))
        assert t["schema"] == "transcript/1" and t["segments"] and t["duration"] > 0
        assert t["source_sha256"] == hashlib.sha256(f.read_bytes()).hexdigest()
        s = json.loads((out / f"{f.stem}.suggestions.json").read_text(encoding="utf-8"))
        assert s["schema"] == "suggestions/1" and isinstance(s["suggestions"], list)
        r = json.loads((out / f"{f.stem}.record.json").read_text(encoding="utf-8"))
        assert r["schema"] == "record/1"
    dialogue = json.loads((out / "dialogue_mono.suggestions.json").read_text(encoding="utf-8"))
    assert dialogue["suggestions"], "a real consultation dialogue gets at least one suggestion"


def _rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as con:
        return con.execute(sql).fetchall()


def test_cluster_outputs_store_and_rerun(cluster, recordings: Path, tmp_path: Path) -> None:
    out, db = tmp_path / "out", tmp_path / "review.db"
    args = [str(recordings), "--out", str(out), "--cluster", cluster["address"], "--threads", "1",
            "--store-url", f"sqlite:///{db}"]
    r = _batch(args, tmp_path)
    assert r.returncode == 1, r.stderr[-3000:]
    errors = [x for x in r.stderr.splitlines() if x.startswith("error:")]
    assert len(errors) == 1 and "corrupt.wav" in errors[0] and "Traceback" not in r.stderr
    assert _summary(r.stderr) == (len(GOOD), 0, 1)
    _check_outputs(out)

    consultations = _rows(db, "select id, review_status, status, source_sha256 from consultations")
    assert len(consultations) == len(GOOD)
    assert {c[3] for c in consultations} == {hashlib.sha256(f.read_bytes()).hexdigest() for f in GOOD}
    assert all(c[1] == "draft" and c[2] == "ended" for c in consultations)
    for cid, *_ in consultations:
        assert _rows(db, f"select count(*) from segments where consultation_id = {cid}")[0][0] > 0
        assert _rows(db, f"select count(*) from drafts where consultation_id = {cid} and author = 'auto'") == [(1,)]
        (path,) = _rows(db, f"select path from audio_files where consultation_id = {cid}")[0]
        assert Path(path).exists()

    # a re-run does nothing and adds nothing
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    r = _batch(args, tmp_path)
    assert r.returncode == 1 and _summary(r.stderr) == (0, len(GOOD), 1), r.stderr[-2000:]
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before
    assert len(_rows(db, "select id from consultations")) == len(GOOD)

    # a reviewed consultation is never overwritten, even when its outputs are redone
    digest = hashlib.sha256(GOOD[0].read_bytes()).hexdigest()
    with sqlite3.connect(db) as con:
        con.execute("update consultations set review_status = 'approved' where source_sha256 = ?", (digest,))
    (out / f"{GOOD[0].stem}.record.json").unlink()
    drafts = _rows(db, "select count(*) from drafts")
    r = _batch(args, tmp_path)
    assert _summary(r.stderr) == (1, len(GOOD) - 1, 1), r.stderr[-2000:]
    assert "reviewed 1" in r.stderr
    assert _rows(db, "select count(*) from drafts") == drafts
    assert _rows(db, "select review_status from consultations where source_sha256 = ?".replace("?", f"'{digest}'")) \
        == [("approved",)]
    _check_outputs(out)


def test_watch_takes_each_new_recording_once_and_stops_cleanly(cluster, tmp_path: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    env = {**_env(tmp_path), "ASSISTANT_BATCH_WATCH_POLL_S": "0.5", "ASSISTANT_BATCH_WATCH_SETTLE_S": "1.5"}
    proc = subprocess.Popen([str(BIN / "assistant"), "batch", "--watch", str(inbox), "--out", str(out), "--cluster",
                             cluster["address"], "--threads", "1"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        data = GOOD[0].read_bytes()
        target = inbox / GOOD[0].name
        with target.open("wb") as fh:  # a slow copy: half now, the rest a moment later
            fh.write(data[: len(data) // 2])
            fh.flush()
            time.sleep(1.0)
            assert not (out / f"{GOOD[0].stem}.json").exists()  # not taken while still being copied
            fh.write(data[len(data) // 2:])
        deadline = time.monotonic() + 240
        while not (out / f"{GOOD[0].stem}.json").exists() and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(3)  # several more looks at the folder: the same file is not taken again
    finally:
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr[-3000:]
    assert "Traceback" not in stderr
    assert _summary(stderr) == (1, 0, 0)
    t = json.loads((out / f"{GOOD[0].stem}.json").read_text(encoding="utf-8"))
    assert t["source_sha256"] == hashlib.sha256(data).hexdigest()  # the whole file, not the half copied first
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{GOOD[0].stem}.{k}" for k in KINDS)


def test_worker_killed_mid_run(cluster, recordings: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = subprocess.Popen([str(BIN / "assistant"), "batch", str(recordings), "--out", str(out), "--cluster",
                             cluster["address"], "--threads", "1"], env=_env(tmp_path), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    pids = {p.pid: p for p in cluster["workers"]}
    killed = None
    with _client(cluster["address"]) as c:
        worker_pid = c.run(os.getpid)  # address → process id
        deadline = time.monotonic() + 300
        while killed is None and proc.poll() is None and time.monotonic() < deadline:
            busy = {addr for addr, keys in c.processing().items() if any("recording-" in str(k) for k in keys)}
            victims = [worker_pid[a] for a in busy if worker_pid.get(a) in pids]
            if victims and any(out.rglob("*.json")):  # the run is under way and that worker is mid-task
                killed = victims[0]
                os.kill(killed, signal.SIGKILL)
            time.sleep(0.2)
    stdout, stderr = proc.communicate(timeout=600)
    assert killed is not None, "no worker was busy to kill"
    assert proc.returncode == 1, stderr[-3000:]
    assert _summary(stderr) == (len(GOOD), 0, 1), stderr[-3000:]
    _check_outputs(out)
    # the cluster gets its second worker back for any later test
    pids[killed].wait(timeout=30)
    cluster["workers"] = [p for p in cluster["workers"] if p.pid != killed]
    cluster["workers"].append(_start_worker(cluster["sfile"], "w3", cluster["tmp"]))
