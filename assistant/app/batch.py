"""Batch: many recordings → transcript/1 + suggestions/1 + record/1, on this PC or the office's Dask cluster.

How the work is split, and why:

- One Dask task per recording. The client (the ``assistant batch`` process) reads each file and sends
  its *bytes* inside the task, so workers on other PCs need no shared drive, and the scheduler keeps
  the task's input until a result comes back: if a worker dies mid-task, the scheduler runs the same
  task on another worker. At most ``2 × worker threads`` recordings are in flight, which bounds the
  memory the client and scheduler hold.
- Each worker loads Whisper, GiNZA and the ranker once (:class:`ModelsPlugin`, a WorkerPlugin), not
  per task.
- Workers only compute and return plain dicts. Only the client writes: every output atomically, the
  transcript JSON (which carries ``source_sha256``) last, then the store. So a killed worker can
  never leave a half-written output, and a rescheduled task's output is written exactly once.
- A file that is not audio comes back as a failed result with one clear line; nothing is retried.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import resource
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from distributed import Client, LocalCluster, WorkerPlugin, as_completed, get_worker
from distributed.scheduler import KilledWorker

from assistant.app.ingest import ABSENT, INCOMPLETE, find, ingest
from assistant.app.pipeline import Models, Outcome, audio_error_text, process
from assistant.asr.audio import AudioError
from assistant.asr.batch import Job, collect_jobs, file_sha256, plan_workers
from assistant.asr.transcript import EXTENSIONS, Transcript, export
from assistant.fileio import atomic_write_text

PLUGIN = "assistant-models"
CONNECT_TIMEOUT_S = 15

# The bytes of a recording travel inside its task on purpose (see the module docstring).
warnings.filterwarnings("ignore", message="Large object of size")


# -- worker side -------------------------------------------------------------------------------
class ModelsPlugin(WorkerPlugin):
    """Loads the models once when a worker starts (or joins later); tasks borrow them."""

    name = PLUGIN

    def __init__(self, threads: int = 0, beam_size: int = 0) -> None:
        self.threads = threads
        self.beam_size = beam_size
        self.models: Models | None = None

    def setup(self, worker: Any) -> None:
        threads = self.threads or max(1, (os.cpu_count() or 1) // max(1, worker.state.nthreads))
        key = (threads, self.beam_size)
        if key not in _loaded:  # a second batch run on the same workers reuses what they loaded
            _loaded.clear()
            # Dask's nanny starts workers with OMP_NUM_THREADS=1, which silently caps CTranslate2's
            # OpenMP pool at one thread whatever cpu_threads says; set it before the model loads.
            for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
                os.environ[var] = str(threads)
            _loaded[key] = Models.load(threads=threads, beam_size=self.beam_size)
        self.models = _loaded[key]


_loaded: dict[tuple[int, int], Models] = {}  # in each worker process: the models of the current settings


def peak_rss_mb() -> float:
    """Peak resident memory of this process. VmHWM, not getrusage: ru_maxrss survives exec, so a
    spawned worker would report its parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_task(source: str, data: bytes) -> dict:
    """One recording on a worker: never raises for a bad file, returns a plain dict."""
    worker = get_worker()
    models = worker.plugins[PLUGIN].models
    t0 = time.perf_counter()
    base = {"worker": worker.address, "threads": models.transcriber.threads}
    try:
        outcome = process(models, data, source)
    except AudioError as exc:
        return {**base, "status": "failed", "error": audio_error_text(exc, source)}
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop the batch
        return {**base, "status": "failed", "error": f"{source}: {type(exc).__name__}: {exc}"}
    return {**base, "status": "done", "outcome": outcome, "seconds": time.perf_counter() - t0,
            "peak_rss_mb": peak_rss_mb()}


# -- results -----------------------------------------------------------------------------------
@dataclass
class Result:
    job: Job
    status: str  # "done" | "skipped" | "failed"
    seconds: float = 0.0  # worker time for this recording
    duration: float = 0.0  # audio seconds
    segments: int = 0
    suggestions: int = 0
    error: str = ""
    warning: str = ""
    worker: str = ""
    threads: int = 0
    store: str = ""  # added | kept | reviewed (with --store)
    stages: dict[str, float] = field(default_factory=dict)
    peak_rss_mb: float = 0.0


@dataclass
class Summary:
    results: list[Result] = field(default_factory=list)
    wall: float = 0.0

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def failed(self) -> int:
        return self.count("failed")

    @property
    def audio_seconds(self) -> float:
        return sum(r.duration for r in self.results if r.status == "done")

    @property
    def rtf(self) -> float:
        """Wall-clock time over audio time of what was done (below 1: faster than real time)."""
        audio = self.audio_seconds
        return self.wall / audio if audio and self.wall else 0.0

    def stage_totals(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for r in self.results:
            for k, v in r.stages.items():
                totals[k] = totals.get(k, 0.0) + v
        return totals


# -- outputs -----------------------------------------------------------------------------------
def outputs_for(job: Job, out_dir: Path, formats: list[str]) -> dict[str, Path]:
    """Every output of a recording; ``json`` (the transcript, carrying the content hash) last."""
    outs = {"suggestions": out_dir / f"{job.name}.suggestions.json", "record": out_dir / f"{job.name}.record.json"}
    outs.update({f: out_dir / f"{job.name}.{EXTENSIONS[f]}" for f in formats if f != "json"})
    outs["json"] = out_dir / f"{job.name}.json"
    return outs


def is_done(job: Job, out_dir: Path, formats: list[str], digest: str) -> bool:
    outs = outputs_for(job, out_dir, formats)
    if not all(p.exists() for p in outs.values()):
        return False
    try:
        data = json.loads(outs["json"].read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return False
    return data.get("source_sha256") == digest


def _dump(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2) + "\n"


def write_outputs(job: Job, out_dir: Path, formats: list[str], digest: str, outcome: Outcome) -> None:
    """Write every output atomically; the transcript JSON last marks the recording as done."""
    outs = outputs_for(job, out_dir, formats)
    transcript = Transcript.from_dict(outcome.transcript)
    for kind, path in outs.items():
        if kind == "suggestions":
            atomic_write_text(path, _dump(outcome.suggestions))
        elif kind == "record":
            atomic_write_text(path, _dump(outcome.record_masked))
        elif kind != "json":
            atomic_write_text(path, export(transcript, kind))
    atomic_write_text(outs["json"], _dump({**outcome.transcript, "source_sha256": digest}))


# -- the cluster -------------------------------------------------------------------------------
class ClusterError(RuntimeError):
    """The scheduler cannot be reached or the workers cannot load the models."""


@contextmanager
def connect(address: str | None, *, workers: int, threads: int, beam_size: int = 0,
            security: Any = None) -> Iterator[Client]:
    """A client with the models plugin registered: on ``address``'s cluster, or on a LocalCluster of
    ``workers`` processes (one task thread each; ``threads`` decoding threads per worker) on
    127.0.0.1 only (its HTTP endpoints too, on a free port)."""
    cluster = None
    try:
        if address:
            client = Client(address, timeout=CONNECT_TIMEOUT_S, security=security)
        else:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                                   dashboard_address="127.0.0.1:0", worker_dashboard_address="127.0.0.1:0",
                                   silence_logs=logging.ERROR)
            client = Client(cluster)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"Dask スケジューラに接続できません / cannot reach the Dask scheduler {address}: {exc}") from exc
    try:
        try:
            client.register_plugin(ModelsPlugin(threads=threads, beam_size=beam_size), name=PLUGIN)
        except Exception as exc:  # noqa: BLE001 - the worker's own error, reported in one line
            raise ClusterError(f"ワーカーがモデルを読み込めません / workers cannot load the models: "
                               f"{type(exc).__name__}: {exc}") from exc
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def worker_threads(client: Client) -> int:
    """Task threads across the cluster's current workers."""
    return sum(w.get("nthreads", 1) for w in client.scheduler_info().get("workers", {}).values()) or 1


def dashboard(client: Client) -> str:
    """The scheduler's dashboard address, when it runs one (bokeh installed and not disabled)."""
    try:
        return str(client.dashboard_link) if client.scheduler_info().get("services", {}).get("dashboard") else ""
    except (KeyError, AttributeError):
        return ""


# -- the driver --------------------------------------------------------------------------------
@dataclass
class Options:
    out_dir: Path
    formats: list[str] = field(default_factory=lambda: ["json"])
    store: Any = None  # a Store, or None
    copy_audio: bool = True
    counter: str = ""


def _failed_result(job: Job, exc: BaseException) -> Result:
    if isinstance(exc, KilledWorker):
        msg = "workers kept dying on this recording / 処理中にワーカーが繰り返し停止しました"
    else:
        msg = f"{type(exc).__name__}: {exc}"
    return Result(job, "failed", error=f"{job.input.name}: {msg}")


def plan(jobs: list[Job], options: Options) -> tuple[list[tuple[Job, str]], list[Result]]:
    """(jobs to run with their content hash, results of jobs skipped or unreadable). Needs no cluster,
    so a run with nothing left to do starts none."""
    todo: list[tuple[Job, str]] = []
    settled: list[Result] = []
    for job in jobs:
        try:
            digest = file_sha256(job.input)
        except OSError as exc:
            settled.append(Result(job, "failed", error=f"{job.input.name}: cannot read ({exc.strerror}) / 読めません"))
            continue
        if is_done(job, options.out_dir, options.formats, digest) and _in_store(options.store, digest):
            settled.append(Result(job, "skipped"))
        else:
            todo.append((job, digest))
    return todo, settled


def _in_store(store: Any, digest: str) -> bool:
    """True without a store; with one, True when the recording is complete or reviewed there."""
    if store is None:
        return True
    return find(store, digest)[1] not in (INCOMPLETE, ABSENT)


class Runner:
    """Skips what is done, sends the rest to the cluster, writes results as they come back."""

    def __init__(self, client: Client, options: Options, on_result: Callable[[Result], None] | None = None) -> None:
        self.client = client
        self.opt = options
        self.on_result = on_result or (lambda r: None)
        self.summary = Summary()

    def settle(self, result: Result) -> None:
        self.summary.results.append(result)
        self.on_result(result)

    def _submit(self, job: Job) -> tuple[Any, str]:
        """Send one recording; its hash is taken from the very bytes sent (the file may have changed
        since it was planned)."""
        data = job.input.read_bytes()
        fut = self.client.submit(run_task, job.input.name, data, pure=False, key=f"recording-{job.name}-{time.time_ns()}")
        return fut, hashlib.sha256(data).hexdigest()

    def run(self, todo: list[tuple[Job, str]]) -> None:
        """Process ``todo``; each result is settled as it finishes. Interrupted: nothing is left running."""
        pending = list(reversed(todo))
        inflight: dict[Any, tuple[Job, str]] = {}
        ac = as_completed()
        t0 = time.perf_counter()
        try:
            self._top_up(pending, inflight, ac)
            for fut in ac:
                job, digest = inflight.pop(fut)
                self.settle(self._collect(fut, job, digest))
                self._top_up(pending, inflight, ac)
        finally:
            for fut in inflight:
                fut.cancel()
            self.summary.wall += time.perf_counter() - t0

    def _top_up(self, pending: list, inflight: dict, ac: as_completed) -> None:
        limit = max(2, 2 * worker_threads(self.client))
        while pending and len(inflight) < limit:
            job, _planned_digest = pending.pop()
            try:
                fut, digest = self._submit(job)
            except OSError as exc:
                self.settle(Result(job, "failed", error=f"{job.input.name}: cannot read ({exc.strerror}) / 読めません"))
                continue
            inflight[fut] = (job, digest)
            ac.add(fut)

    def _collect(self, fut: Any, job: Job, digest: str) -> Result:
        try:
            res = fut.result()
        except Exception as exc:  # noqa: BLE001 - KilledWorker, cancelled, lost connection: this file only
            return _failed_result(job, exc)
        finally:
            fut.release()
        if res["status"] != "done":
            return Result(job, "failed", error=res["error"], worker=res["worker"])
        outcome: Outcome = res["outcome"]
        result = Result(job, "done", seconds=res["seconds"], duration=outcome.duration,
                        segments=len(outcome.transcript.get("segments", [])),
                        suggestions=len(outcome.suggestions["suggestions"]), warning=outcome.warning,
                        worker=res["worker"], threads=res["threads"], stages=dict(outcome.stages),
                        peak_rss_mb=res["peak_rss_mb"])
        try:
            write_outputs(job, self.opt.out_dir, self.opt.formats, digest, outcome)
        except OSError as exc:
            return Result(job, "failed", error=f"{job.name}: cannot write output ({exc.strerror}) / 出力を書き込めません")
        if self.opt.store is not None:
            self._store(result, job, digest, outcome)
        return result

    def _store(self, result: Result, job: Job, digest: str, outcome: Outcome) -> None:
        t0 = time.perf_counter()
        try:
            _cid, result.store = ingest(self.opt.store, source=job.input, name=job.name, digest=digest,
                                        transcript=outcome.transcript, suggestions=outcome.suggestions["suggestions"],
                                        record=outcome.record, counter=self.opt.counter, copy_audio=self.opt.copy_audio)
        except Exception as exc:  # noqa: BLE001 - the outputs are written; the next run retries the store
            result.status = "failed"
            result.error = f"{job.name}: cannot store ({type(exc).__name__}: {exc}) / データベースに保存できません"
        result.stages["store"] = time.perf_counter() - t0


def check_formats(formats: list[str]) -> None:
    for f in formats:
        if f not in EXTENSIONS:
            raise ValueError(f"unknown format {f!r}; choose from json, srt, vtt, text")


def run_batch(client: Client | None, jobs: list[Job], options: Options, *,
              on_result: Callable[[Result], None] | None = None,
              on_start: Callable[[int], None] | None = None,
              planned: tuple[list[tuple[Job, str]], list[Result]] | None = None) -> Summary:
    """Process ``jobs`` (or the ``planned`` result of :func:`plan`): skip what is done (content hash),
    run the rest, never raise per file. ``client`` may be None when nothing is left to run."""
    check_formats(options.formats)
    options.out_dir.mkdir(parents=True, exist_ok=True)
    runner = Runner(client, options, on_result)
    todo, settled = planned or plan(jobs, options)
    for r in settled:
        runner.settle(r)
    if on_start:
        on_start(len(todo))
    runner.run(todo)
    return runner.summary


class Watcher:
    """New recordings in a folder, each once, and only when its copy has finished: a file is ready
    when its size and modification time are unchanged between two looks at least ``settle_s`` apart."""

    def __init__(self, folder: Path, settle_s: float = 2.0) -> None:
        self.folder = folder
        self.settle_s = settle_s
        self._last: dict[str, tuple[int, int]] = {}
        self._handled: set[tuple[str, tuple[int, int]]] = set()

    def ready(self) -> list[Job]:
        jobs, _ = collect_jobs([self.folder])
        out: list[Job] = []
        now = time.time()
        for job in jobs:
            try:
                st = job.input.stat()
            except OSError:
                continue
            sig = (st.st_size, st.st_mtime_ns)
            if (job.name, sig) in self._handled:
                continue
            prev, self._last[job.name] = self._last.get(job.name), sig
            if prev == sig and st.st_size > 0 and now - st.st_mtime >= self.settle_s:
                self._handled.add((job.name, sig))
                out.append(job)
        return out


def watch(client: Client, folder: Path, options: Options, *, poll_s: float = 2.0, settle_s: float = 2.0,
          on_result: Callable[[Result], None] | None = None, on_start: Callable[[int], None] | None = None,
          stop: Callable[[], bool] = lambda: False) -> Summary:
    """Process each recording that lands in ``folder`` until ``stop()`` or Ctrl-C; returns what was done."""
    check_formats(options.formats)
    options.out_dir.mkdir(parents=True, exist_ok=True)
    runner = Runner(client, options, on_result)
    watcher = Watcher(folder, settle_s)
    try:
        while not stop():
            jobs = watcher.ready()
            if not jobs:
                time.sleep(poll_s)
                continue
            todo, settled = plan(jobs, options)
            for r in settled:
                runner.settle(r)
            if on_start:
                on_start(len(todo))
            runner.run(todo)
    except KeyboardInterrupt:  # the normal way to stop watching; in-flight work is cancelled, not lost
        pass
    return runner.summary


def local_plan(workers: int, threads: int, jobs: int) -> tuple[int, int]:
    """(workers, decoding threads per worker) for a LocalCluster: workers × threads ≤ cores."""
    w, t = plan_workers(workers, max(1, jobs))
    return w, (min(threads, t) if threads else t)
