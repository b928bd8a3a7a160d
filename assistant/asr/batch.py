"""Planning a batch of recordings: which files, under which output names, with how many workers.

The run itself (Dask workers, outputs, the store) is ``assistant.app.batch``; this module only
turns inputs into jobs with collision-free relative names, hashes their content (a re-run skips a
recording whose outputs record the same hash) and sizes workers so that workers × threads per
worker never exceed the machine's cores.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

AUDIO_EXTENSIONS = {".wav", ".mp3", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".webm", ".flac", ".mp4", ".wma", ".amr", ".3gp"}


@dataclass
class Job:
    input: Path
    name: str  # relative output name without extension, e.g. "2026-05/session01"


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


def plan_workers(requested: int, jobs: int, cores: int | None = None) -> tuple[int, int]:
    """(workers, threads per worker): never more workers than cores or jobs, and workers ×
    threads ≤ cores, so parallel decoding never oversubscribes the CPU."""
    cores = cores or os.cpu_count() or 1
    workers = max(1, min(requested, jobs, cores))
    return workers, max(1, cores // workers)
