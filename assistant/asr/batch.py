"""Batch transcription of recordings: resumable, atomic, one bad file never stops the rest.

Outputs go to ``OUT/<relative name>.json`` (transcript/1, with the input's SHA-256 under
``source_sha256``) plus any other formats asked for. A re-run skips every recording whose output
already records the same content hash, so Ctrl-C, a crash or a kill loses at most the recordings in
flight. Workers × threads per worker never exceed the machine's cores.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.asr.transcript import EXTENSIONS, Transcript, export
from assistant.fileio import atomic_write_text

AUDIO_EXTENSIONS = {".wav", ".mp3", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".webm", ".flac", ".mp4", ".wma", ".amr", ".3gp"}


@dataclass
class Job:
    input: Path
    name: str  # relative output name without extension, e.g. "2026-05/session01"


@dataclass
class Result:
    job: Job
    status: str  # "done" | "skipped" | "failed"
    seconds: float = 0.0
    duration: float = 0.0
    segments: int = 0
    error: str = ""
    warning: str = ""  # e.g. a truncated file: transcribed as far as it goes
    threads: int = 0  # decoding threads of the worker that did it (workers × threads ≤ cores)


@dataclass
class Summary:
    results: list[Result] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def failed(self) -> int:
        return self.count("failed")

    @property
    def rtf(self) -> float:
        done = [r for r in self.results if r.status == "done"]
        audio = sum(r.duration for r in done)
        return sum(r.seconds for r in done) / audio if audio else 0.0


def collect_jobs(inputs: Iterable[str | Path]) -> tuple[list[Job], list[str]]:
    """Expand files and folders into jobs. Returns (jobs, problems with the inputs themselves)."""
    jobs: list[Job] = []
    problems: list[str] = []
    seen: set[str] = set()
    for raw in inputs:
        p = Path(raw)
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in AUDIO_EXTENSIONS
                           and not any(part.startswith(".") for part in f.relative_to(p).parts))
            base = p
        elif p.is_file():
            files, base = [p], p.parent
        else:
            problems.append(f"{raw}: not found / 見つかりません")
            continue
        for f in files:
            name = f.relative_to(base).with_suffix("").as_posix()
            if name in seen:  # two inputs with the same relative name: keep both, distinctly
                name = f"{name}__{hashlib.sha1(str(f.resolve()).encode()).hexdigest()[:6]}"
            seen.add(name)
            jobs.append(Job(input=f, name=name))
    return jobs, problems


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def outputs_for(job: Job, out_dir: Path, formats: list[str]) -> dict[str, Path]:
    fmts = ["json"] + [f for f in formats if f != "json"]
    return {f: out_dir / f"{job.name}.{EXTENSIONS[f]}" for f in fmts}


def is_done(job: Job, out_dir: Path, formats: list[str], digest: str) -> bool:
    outs = outputs_for(job, out_dir, formats)
    if not all(p.exists() for p in outs.values()):
        return False
    try:
        data = json.loads(outs["json"].read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return False
    return data.get("source_sha256") == digest


# -- worker side -------------------------------------------------------------------------
_worker_transcriber = None
_worker_post: Callable[[Transcript], Any] | None = None


def plan_workers(requested: int, jobs: int, cores: int | None = None) -> tuple[int, int]:
    """(workers, threads per worker): never more workers than cores or jobs, and workers ×
    threads ≤ cores, so parallel decoding never oversubscribes the CPU."""
    cores = cores or os.cpu_count() or 1
    workers = max(1, min(requested, jobs, cores))
    return workers, max(1, cores // workers)


def _init_worker(workers: int, post: Callable[[Transcript], Any] | None = None) -> None:
    global _worker_transcriber, _worker_post
    _worker_post = post
    # Libraries that size their own thread pools (OpenMP in CTranslate2, BLAS) get the same share.
    from assistant.asr.transcribe import Transcriber, default_threads

    os.environ["OMP_NUM_THREADS"] = str(default_threads(workers))
    _worker_transcriber = Transcriber(workers=workers)


def _run_job(job: Job, out_dir: Path, formats: list[str], digest: str) -> Result:
    from assistant.asr.audio import AudioError, decode

    t0 = time.perf_counter()
    warning = ""
    try:
        audio = decode(job.input)
        warning = "; ".join(audio.warnings)
        transcript: Transcript = _worker_transcriber.transcribe(audio, source=job.input.name)
        if _worker_post is not None:
            _worker_post(transcript)
    except AudioError as exc:
        return Result(job, "failed", error=str(exc).replace(str(job.input), job.input.name))
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop the batch
        return Result(job, "failed", error=f"{job.input.name}: {type(exc).__name__}: {exc}")
    elapsed = time.perf_counter() - t0
    outs = outputs_for(job, out_dir, formats)
    try:
        for fmt, path in outs.items():
            if fmt == "json":
                continue
            atomic_write_text(path, export(transcript, fmt))
        data = transcript.to_dict()
        data["source_sha256"] = digest
        # JSON last: its hash marks the recording as done only when every format is written.
        atomic_write_text(outs["json"], json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    except OSError as exc:
        return Result(job, "failed", error=f"{job.name}: cannot write output ({exc.strerror}) / 出力を書き込めません")
    return Result(job, "done", seconds=elapsed, duration=transcript.duration, segments=len(transcript.segments),
                  warning=warning, threads=_worker_transcriber.threads)


# -- driver --------------------------------------------------------------------------------
def run_batch(
    jobs: list[Job],
    out_dir: Path,
    *,
    formats: list[str] | None = None,
    workers: int = 1,
    on_result: Callable[[Result], None] | None = None,
    on_start: Callable[[int], None] | None = None,
    post: Callable[[Transcript], Any] | None = None,
) -> Summary:
    """Transcribe ``jobs`` into ``out_dir``; skip what is already done; never raise per file.

    ``post`` is the post-ASR stage run on each transcript before it is written (the CLI passes
    the scheme-name correction; it must be a module-level function so worker processes get it)."""
    formats = formats or ["json"]
    for f in formats:
        if f not in EXTENSIONS:
            raise ValueError(f"unknown format {f!r}; choose from json, srt, vtt, text")
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = Summary()
    todo: list[tuple[Job, str]] = []
    for job in jobs:
        try:
            digest = file_sha256(job.input)
        except OSError as exc:
            r = Result(job, "failed", error=f"{job.input.name}: cannot read ({exc.strerror}) / 読めません")
            summary.results.append(r)
            on_result and on_result(r)
            continue
        if is_done(job, out_dir, formats, digest):
            r = Result(job, "skipped")
            summary.results.append(r)
            on_result and on_result(r)
        else:
            todo.append((job, digest))
    if on_start:
        on_start(len(todo))
    if not todo:
        return summary

    workers, _threads = plan_workers(workers, len(todo))
    if workers == 1:
        _init_worker(1, post)
        for job, digest in todo:
            r = _run_job(job, out_dir, formats, digest)
            summary.results.append(r)
            on_result and on_result(r)
        return summary

    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(workers, post)) as pool:
        futures = {pool.submit(_run_job, job, out_dir, formats, digest): job for job, digest in todo}
        for fut in as_completed(futures):
            try:
                r = fut.result()
            except Exception as exc:  # noqa: BLE001 - a worker crash fails that file only
                job = futures[fut]
                r = Result(job, "failed", error=f"{job.input.name}: worker crashed ({type(exc).__name__})")
            summary.results.append(r)
            on_result and on_result(r)
    return summary
