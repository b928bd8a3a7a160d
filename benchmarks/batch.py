"""Batch throughput: recordings per hour, real-time factor, where the time goes, memory per worker.

    .venv/bin/python benchmarks/batch.py [--beam 5] [--json out.json]

Inputs (development fixtures, synthesised speech): the 12 clips of tests/fixtures/asr and the mono
and stereo dialogues of tests/fixtures. Rows:

* sequential: one process, models loaded once, ``assistant.app.pipeline.process`` per recording,
  with the per-stage breakdown (decode, asr = VAD + Whisper, suggest, draft, mask);
* local cluster with 1 worker (all cores) and with 2 workers (cores ÷ 2 threads each), through
  ``assistant.app.batch.run_batch`` exactly as ``assistant batch`` runs it (with ``--store`` into a
  throw-away SQLite file, so the store stage is measured too). Model loading is not in the wall time
  (it happens once per worker when the cluster starts); it is reported separately.

Accuracy check: the CER of every row against the reference texts (clips: .txt; dialogues: .json
turns) and the total transcript length; a faster row only counts if both match the sequential one.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import offline  # noqa: E402,F401

FIX = ROOT / "tests" / "fixtures"


def inputs() -> list[Path]:
    return [*sorted((FIX / "asr").glob("*.wav")), FIX / "dialogue_mono.wav", FIX / "dialogue_stereo.wav"]


def reference(path: Path) -> str:
    txt = path.with_suffix(".txt")
    if txt.exists():
        return txt.read_text(encoding="utf-8")
    return "".join(t["text"] for t in json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))["turns"])


def accuracy(texts: dict[str, str]) -> dict[str, float]:
    from assistant.text.metrics import char_errors

    err = n = 0
    for f in inputs():
        e, m = char_errors(reference(f), texts.get(f.stem, ""))
        err, n = err + e, n + m
    return {"cer": err / n if n else 0.0, "chars": sum(len(t) for t in texts.values())}


def sequential(beam: int) -> dict:
    from assistant.app.batch import peak_rss_mb
    from assistant.app.pipeline import Models, process

    t0 = time.perf_counter()
    models = Models.load(beam_size=beam)
    load = time.perf_counter() - t0
    stages: dict[str, float] = {}
    texts: dict[str, str] = {}
    audio = 0.0
    t0 = time.perf_counter()
    for f in inputs():
        o = process(models, f.read_bytes(), f.name)
        audio += o.duration
        texts[f.stem] = "".join(s["text"] for s in o.transcript["segments"])
        for k, v in o.stages.items():
            stages[k] = stages.get(k, 0.0) + v
    wall = time.perf_counter() - t0
    return {"row": "sequential (1 process)", "wall": wall, "audio": audio, "load": load, "stages": stages,
            "peak_rss_mb": [peak_rss_mb()], "threads": models.transcriber.threads, **accuracy(texts)}


def cluster(workers: int, beam: int) -> dict:
    from assistant.app.batch import Options, connect, local_plan, run_batch
    from assistant.app.store import Store
    from assistant.asr.batch import Job

    files = inputs()
    w, t = local_plan(workers, 0, len(files))
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{tmp}/bench.db")
        t0 = time.perf_counter()
        with connect(None, workers=w, threads=t, beam_size=beam) as client:
            load = time.perf_counter() - t0
            jobs = [Job(input=f, name=f.stem) for f in files]
            s = run_batch(client, jobs, Options(out_dir=Path(tmp) / "out", store=store))
        store.close()
        texts = {}
        for f in files:
            data = json.loads((Path(tmp) / "out" / f"{f.stem}.json").read_text(encoding="utf-8"))
            texts[f.stem] = "".join(seg["text"] for seg in data["segments"])
    per_worker: dict[str, float] = {}
    for r in s.results:
        per_worker[r.worker] = max(per_worker.get(r.worker, 0.0), r.peak_rss_mb)
    return {"row": f"local cluster, {w} worker(s) × {t} thread(s)", "wall": s.wall, "audio": s.audio_seconds,
            "load": load, "stages": s.stage_totals(), "peak_rss_mb": sorted(per_worker.values()), "threads": t,
            "failed": s.failed, **accuracy(texts)}


def show(rows: list[dict]) -> None:
    print(f"{'row':40} {'rec/h':>7} {'RTF':>6} {'CER':>6} {'chars':>6} {'load s':>7}  peak RSS MB/worker")
    for r in rows:
        n = len(inputs())
        print(f"{r['row']:40} {n / r['wall'] * 3600:7.0f} {r['wall'] / r['audio']:6.3f} {r['cer']:6.1%} "
              f"{r['chars']:6d} {r['load']:7.1f}  {', '.join(f'{m:.0f}' for m in r['peak_rss_mb'])}")
    for r in rows:
        total = sum(r["stages"].values()) or 1.0
        print(f"  {r['row']}: " + ", ".join(f"{k} {v:.1f} s ({v / total:.0%})" for k, v in r["stages"].items()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--beam", type=int, default=0, help="beam size (0 = [asr] beam_size)")
    ap.add_argument("--json", type=Path, help="also write the rows as JSON")
    args = ap.parse_args()
    total_audio = 0.0
    rows = [sequential(args.beam)]
    total_audio = rows[0]["audio"]
    print(f"{len(inputs())} recordings, {total_audio:.0f} s of audio (development fixtures, synthesised speech)")
    rows += [cluster(1, args.beam), cluster(2, args.beam)]
    show(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
