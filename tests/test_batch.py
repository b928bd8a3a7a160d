"""Batch through the real command line on a local cluster: failures, resuming, killing, workers, offline."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.app.batch import Watcher
from assistant.app.ingest import find, ingest
from assistant.app.store import Store
from assistant.asr.audio import decode
from assistant.asr.batch import plan_workers
from tests.fixtures.audio_tools import convert, truncated

ROOT = Path(__file__).resolve().parent.parent
ASSISTANT = ROOT / ".venv" / "bin" / "assistant"
CLIPS = sorted((ROOT / "tests" / "fixtures" / "asr").glob("*.wav"))


def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"ASSISTANT_ASR_BEAM_SIZE": "1", "ASSISTANT_DATA_DIR": str(tmp / "data"), "COLUMNS": "200",
                "PYTHONUNBUFFERED": "1"})
    return env


def _run(args: list[str], tmp: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(ASSISTANT), *args], capture_output=True, text=True, env=_env(tmp), timeout=timeout,
                          cwd=tmp, stdin=subprocess.DEVNULL)


def test_watcher_waits_for_a_copy_to_finish_and_takes_each_file_once(tmp_path: Path) -> None:
    w = Watcher(tmp_path, settle_s=0.3)
    f = tmp_path / "day1" / "a.wav"
    f.parent.mkdir()
    f.write_bytes(b"RIFF" + b"\0" * 100)
    assert w.ready() == []  # first look: nothing is known to be complete
    with f.open("ab") as fh:  # the copy goes on
        fh.write(b"\0" * 100)
    assert w.ready() == []
    time.sleep(0.4)
    ready = w.ready()
    assert [j.name for j in ready] == ["day1/a"] and ready[0].input == f
    time.sleep(0.4)
    assert w.ready() == []  # taken once
    f.write_bytes(b"RIFF" + b"\1" * 300)  # replaced by another recording under the same name: taken again
    w.ready()
    time.sleep(0.4)
    assert [j.name for j in w.ready()] == ["day1/a"]


def _segments() -> list[dict]:
    return [{"id": 1, "start": 0.0, "end": 2.0, "text": "家賃が払えません", "speaker": "citizen"},
            {"id": 2, "start": 2.0, "end": 4.0, "text": "住居確保給付金があります", "speaker": "staff"}]


def test_ingest_is_idempotent_resumable_and_leaves_reviewed_alone(tmp_path: Path, db_url: str) -> None:
    """On SQLite and on a real PostgreSQL server (the store several counters share)."""
    store = Store(db_url)
    src = tmp_path / "rec.wav"
    src.write_bytes(b"audio")
    transcript = {"schema": "transcript/1", "source": "rec.wav", "duration": 4.0, "segments": _segments()}
    args = dict(source=src, name="rec", transcript=transcript, suggestions=[{"scheme_id": "x", "name": "X",
                "score": 0.5}], record={"schema": "record/1"}, copy_audio=False)
    cid, what = ingest(store, digest="a" * 64, **args)
    assert what == "added" and find(store, "a" * 64) == (cid, "complete")
    assert ingest(store, digest="a" * 64, **args) == (cid, "kept")
    assert len(store.list_consultations()) == 1 and len(store.segments(cid)) == 2
    c = store.get_consultation(cid)
    assert (c.review_status, c.status, c.source_sha256) == ("draft", "ended", "a" * 64)
    assert store.audio_files(cid)[0].path == str(src.resolve()) and len(store.draft_versions(cid)) == 1

    # an ingestion cut short before its last step is finished by the next run, not duplicated
    cid2, _ = ingest(store, digest="b" * 64, **args)
    meta = store.get_consultation(cid2).meta
    store.update_consultation(cid2, meta={"batch": {**meta["batch"], "complete": False}})
    assert find(store, "b" * 64) == (cid2, "incomplete")
    assert ingest(store, digest="b" * 64, **args) == (cid2, "added")
    assert len(store.segments(cid2)) == 2 and len(store.draft_versions(cid2)) == 1

    # reviewed: never touched again
    store.update_consultation(cid, review_status="approved")
    assert ingest(store, digest="a" * 64, **args) == (cid, "reviewed")
    assert len(store.draft_versions(cid)) == 1 and store.get_consultation(cid).review_status == "approved"
    assert len(store.list_consultations()) == 2
    store.close()


@pytest.fixture(scope="module")
def recordings(tmp_path_factory) -> Path:
    """20 recordings: two folders with the same file names, other formats, and 2 broken files."""
    root = tmp_path_factory.mktemp("batch") / "in"
    for sub in ("monday", "tuesday"):
        (root / sub).mkdir(parents=True)
        for clip in CLIPS[:6]:
            shutil.copy(clip, root / sub / clip.name)  # same names in both folders
    for clip, kind in zip(CLIPS[6:12], ["mp3", "m4a", "ogg", "webm", "flac", "wav"], strict=True):
        convert(decode(clip).samples, root / f"{clip.stem}.{kind}", kind)
    (root / "broken.wav").write_text("この会議メモは音声ではありません\n" * 40, encoding="utf-8")
    truncated(Path(shutil.copy(root / f"{CLIPS[7].stem}.m4a", root / "tuesday" / "cut.m4a")), 0.4)
    (root / ".hidden").mkdir()
    (root / ".hidden" / "ignored.wav").write_bytes((root / "monday" / CLIPS[0].name).read_bytes())
    (root / "notes.txt").write_text("not a recording", encoding="utf-8")
    return root


def _outputs(out: Path) -> dict[str, float]:
    """The transcripts (written last for each recording, so each one marks a finished recording)."""
    return {p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("*.json")
            if not p.name.endswith((".suggestions.json", ".record.json"))}


def _summary(stderr: str) -> tuple[int, int, int]:
    line = next(x for x in stderr.splitlines() if x.startswith("done ") and "skipped" in x)
    parts = line.replace(",", "").split()
    return int(parts[1]), int(parts[3]), int(parts[5])


def test_plan_never_oversubscribes() -> None:
    for requested in range(1, 6):
        for jobs in (1, 3, 20):
            for cores in (1, 2, 4, 8):
                w, t = plan_workers(requested, jobs, cores)
                assert 1 <= w <= min(requested, jobs, cores) and w * t <= cores and t >= 1
    assert plan_workers(2, 20, 2) == (2, 1) and plan_workers(1, 20, 2) == (1, 2)


@pytest.mark.slow
def test_kill_resume_rerun(recordings: Path, tmp_path: Path) -> None:
    inputs = [p for p in recordings.rglob("*") if p.is_file() and ".hidden" not in p.parts and p.suffix != ".txt"]
    assert len(inputs) == 20
    out = tmp_path / "out"

    # 1. killed halfway (SIGKILL: no chance to clean up)
    proc = subprocess.Popen([str(ASSISTANT), "batch", str(recordings), "--out", str(out)], env=_env(tmp_path),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path,
                            start_new_session=True)
    deadline = time.monotonic() + 240
    while len(_outputs(out)) < 5 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    before = _outputs(out)
    assert 5 <= len(before) < 18, "the kill came too late to test resuming"
    for rel in before:  # atomic writes: whatever exists is complete, and a transcript comes with the rest
        assert json.loads((out / rel).read_text(encoding="utf-8"))["schema"] == "transcript/1"
        stem = rel.removesuffix(".json")
        assert json.loads((out / f"{stem}.record.json").read_text(encoding="utf-8"))["schema"] == "record/1"
        assert json.loads((out / f"{stem}.suggestions.json").read_text(encoding="utf-8"))["schema"] == "suggestions/1"
    assert not list(out.rglob("*.tmp"))

    # 2. the re-run completes the rest and redoes nothing
    r = _run(["batch", str(recordings), "--out", str(out)], tmp_path)
    assert r.returncode == 1, r.stderr
    errors = [x for x in r.stderr.splitlines() if x.startswith("error:")]
    assert len(errors) == 2
    assert any("broken.wav" in e and "音声ファイルとして読めません" in e for e in errors)
    assert any("cut.m4a" in e for e in errors)
    assert "Traceback" not in r.stderr
    done, skipped, failed = _summary(r.stderr)
    assert (done, skipped, failed) == (18 - len(before), len(before), 2)
    after = _outputs(out)
    assert len(after) == 18
    assert all(after[k] == v for k, v in before.items())  # finished outputs were not rewritten
    assert {"monday/01_greeting.json", "tuesday/01_greeting.json", "07_child_rearing.json"} <= set(after)
    for rel in after:
        data = json.loads((out / rel).read_text(encoding="utf-8"))
        src = recordings / Path(rel).with_suffix("")
        src = next(p for p in src.parent.iterdir() if p.stem == src.name and p.suffix != ".json")
        assert data["source_sha256"] == hashlib.sha256(src.read_bytes()).hexdigest()
        assert data["segments"] and data["segments"][0]["text"]

    # 3. an immediate re-run does no work
    r = _run(["batch", str(recordings), "--out", str(out)], tmp_path)
    assert r.returncode == 1
    assert _summary(r.stderr) == (0, 18, 2)
    assert _outputs(out) == after

    # 4. a recording that changed is done again (content hash, not name)
    changed = recordings / "monday" / CLIPS[0].name
    original = changed.read_bytes()
    try:
        shutil.copy(CLIPS[1], changed)
        r = _run(["batch", str(recordings / "monday"), "--out", str(out / "monday")], tmp_path)
        assert r.returncode == 0 and _summary(r.stderr) == (1, 5, 0)
    finally:
        changed.write_bytes(original)


@pytest.mark.slow
def test_two_workers_and_extra_formats(recordings: Path, tmp_path: Path) -> None:
    out = tmp_path / "out2"
    r = _run(["batch", str(recordings / "monday"), "--out", str(out), "--workers", "2", "--format", "srt,vtt,text"],
             tmp_path)
    assert r.returncode == 0, r.stderr
    cores = os.cpu_count() or 1
    workers, threads = plan_workers(2, 6, cores)
    assert f"{workers} worker(s) × {threads} thread(s)" in r.stderr
    done_lines = [x for x in r.stderr.splitlines() if x.startswith("done: ")]
    assert len(done_lines) == 6 and all(f"{threads} thread(s)" in x for x in done_lines)  # as the workers report
    for clip in CLIPS[:6]:
        for ext in ("json", "suggestions.json", "record.json", "srt", "vtt", "txt"):
            assert (out / f"{clip.stem}.{ext}").stat().st_size > 0
    assert (out / f"{CLIPS[0].stem}.vtt").read_text(encoding="utf-8").startswith("WEBVTT")


@pytest.mark.slow
def test_missing_input_and_nothing_to_do(tmp_path: Path) -> None:
    r = _run(["batch", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")], tmp_path, timeout=60)
    assert r.returncode == 1 and "見つかりません" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("unshare"), reason="unshare(1) is not installed")
def test_transcription_works_without_network(tmp_path: Path) -> None:
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    if probe.returncode != 0:
        probe = subprocess.run(["unshare", "-rn", "true"], capture_output=True)
        if probe.returncode != 0:
            pytest.skip("cannot create a network namespace here (needs root or user namespaces)")
        cmd = ["unshare", "-rn"]
    else:
        cmd = ["unshare", "-n"]
    r = subprocess.run([*cmd, str(ASSISTANT), "transcribe", str(CLIPS[0])], capture_output=True, text=True,
                       env=_env(tmp_path), timeout=120, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["schema"] == "transcript/1" and "ご相談" in "".join(s["text"] for s in data["segments"])


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("strace"), reason="strace is not installed")
def test_nothing_tries_to_connect(tmp_path: Path) -> None:
    """With the network up, the process (and its children) makes no IP connection attempt."""
    trace = tmp_path / "trace.txt"
    # the method sees an attempt when there is one
    subprocess.run(["strace", "-f", "-qq", "-e", "trace=connect,sendto", "-o", str(trace), sys.executable, "-c",
                    "import socket; s = socket.socket(); s.settimeout(0.05); s.connect_ex(('192.0.2.1', 9))"],
                   capture_output=True, timeout=60)
    if "AF_INET" not in trace.read_text(errors="replace"):
        pytest.skip("strace cannot trace here")
    r = subprocess.run(["strace", "-f", "-qq", "-e", "trace=connect,sendto", "-o", str(trace),
                        str(ASSISTANT), "transcribe", str(CLIPS[0])],
                       capture_output=True, text=True, env=_env(tmp_path), timeout=180, cwd=tmp_path)
    if r.returncode != 0 and "ptrace" in r.stderr:
        pytest.skip("ptrace is not permitted here")
    assert r.returncode == 0, r.stderr[-2000:]
    calls = trace.read_text(errors="replace").splitlines()
    ip = [c for c in calls if "AF_INET" in c or "AF_INET6" in c]
    assert ip == [], ip[:5]
