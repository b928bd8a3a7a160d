"""Speech recognition speed and memory: real-time factor (RTF) and peak RSS on Japanese speech.

    .venv/bin/python benchmarks/asr.py [--repeat 3] [--quick] [--stereo]

Rows:
* single recording (≥ 2 min of synthesised counter dialogue): int8 vs float32, beam 1 vs 5;
* batch (`assistant batch` over 11 recordings, ≈ 6 min): 1 vs 2 workers, wall-clock RTF — what
  the acceptance line "batch RTF ≤ 0.15 with default settings on 2 cores" is about;
* with ``--stereo``: the two ways of attributing speakers in a stereo recording, compared on
  tests/fixtures/dialogue_stereo.wav (CER and the share of speech time labelled right).

Each measurement runs in a fresh process (a cold model load included in batch rows, not in the
single-recording rows) and is repeated; medians are printed, because other work on a shared
machine makes single runs noisy. Peak RSS is the largest sum over the process tree, sampled.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FIX = ROOT / "tests" / "fixtures"
CACHE = ROOT / "data" / "cache" / "bench"
PY = str(ROOT / ".venv" / "bin" / "python")
CLI = str(ROOT / ".venv" / "bin" / "assistant")


def speech_file() -> Path:
    """≈ 3 min of Japanese counter dialogue: the demo, four scheme dialogues and the stereo mix."""
    from assistant.asr.audio import decode, write_wav

    out = CACHE / "speech_3min.wav"
    if out.exists():
        return out
    import numpy as np

    parts = [decode(ROOT / "assistant" / "demo" / "demo_dialogue.wav").samples]
    parts += [decode(p).samples for p in sorted((FIX / "schemes").glob("*.flac"))[:4]]
    parts.append(decode(FIX / "dialogue_stereo.wav").samples)
    CACHE.mkdir(parents=True, exist_ok=True)
    write_wav(out, np.concatenate(parts))
    return out


def batch_folder() -> Path:
    """11 recordings (≈ 6 min) in the formats a counter produces."""
    import shutil

    out = CACHE / "batch_in"
    if out.exists():
        return out
    out.mkdir(parents=True)
    for p in sorted((FIX / "schemes").glob("*.flac")):
        shutil.copy(p, out / p.name)
    shutil.copy(ROOT / "assistant" / "demo" / "demo_dialogue.wav", out / "demo_dialogue.wav")
    shutil.copy(FIX / "dialogue_stereo.wav", out / "dialogue_stereo.wav")
    return out


def _tree_rss(pid: int) -> int:
    import psutil

    try:
        p = psutil.Process(pid)
        procs = [p, *p.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for q in procs:
        try:
            total += q.memory_info().rss
        except psutil.Error:
            pass
    return total


def run_measured(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """(wall seconds, peak RSS bytes of the process tree, stdout)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})}, cwd=ROOT)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.1)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    out, err = proc.communicate()
    stop.set()
    th.join()
    wall = time.perf_counter() - t0
    if proc.returncode not in (0,):
        raise RuntimeError(f"{cmd} failed ({proc.returncode}): {err[-1500:]}")
    return wall, peak, out


def child(audio: str, compute_type: str, beam: int) -> None:
    """Runs in a fresh process: load, warm up, then time one transcription of ``audio``."""
    import resource

    import assistant.offline  # noqa: F401
    from assistant.asr.audio import decode
    from assistant.asr.transcribe import Transcriber

    a = decode(audio)
    t0 = time.perf_counter()
    tr = Transcriber(compute_type=compute_type, beam_size=beam)
    load = time.perf_counter() - t0
    tr.decode_segments(a.samples[: 16_000 * 3])  # first call allocates buffers
    t0 = time.perf_counter()
    t = tr.transcribe(a)
    busy = time.perf_counter() - t0
    print(json.dumps({"seconds": busy, "load": load, "duration": a.duration, "segments": len(t.segments),
                      "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))


def _single(audio: str, compute_type: str, beam: int) -> tuple[float, int, float, float]:
    _wall, peak, out = run_measured([PY, __file__, "--child", audio, compute_type, str(beam)])
    d = json.loads(out.strip().splitlines()[-1])
    return d["seconds"] / d["duration"], peak, d["load"], d["duration"]


def _batch(folder: Path, total: float, workers: int) -> tuple[float, int, float, float]:
    with tempfile.TemporaryDirectory() as out:
        wall, peak, _ = run_measured([CLI, "batch", str(folder), "--out", out, "--workers", str(workers)])
    return wall / total, peak, float("nan"), total


def bench(repeat: int, quick: bool) -> list[dict]:
    """Every configuration once per round, rounds repeated: a busy spell on the shared machine then
    slows one round of everything instead of every run of one configuration."""
    from assistant.asr.audio import decode
    from assistant.asr.batch import AUDIO_EXTENSIONS

    audio = str(speech_file())
    folder = batch_folder()
    total = sum(decode(p).duration for p in folder.iterdir() if p.suffix in AUDIO_EXTENSIONS)
    n = sum(1 for _ in folder.iterdir())
    configs = [(f"1 recording, {c}, beam {b}", _single, (audio, c, b))
               for c, b in ([("int8", 5), ("int8", 1)] if quick else
                            [("int8", 5), ("int8", 1), ("float32", 5), ("float32", 1)])]
    configs += [(f"batch of {n}, {w} worker(s), defaults", _batch, (folder, total, w)) for w in ((1,) if quick else (1, 2))]
    runs: dict[str, list[tuple[float, int, float, float]]] = {name: [] for name, _, _ in configs}
    for _ in range(repeat):
        for name, fn, args in configs:
            runs[name].append(fn(*args))
    return [{"what": name, "rtf": statistics.median(r[0] for r in rs), "rtf_all": [round(r[0], 3) for r in rs],
             "rss_mb": max(r[1] for r in rs) / 2**20, "audio_s": rs[0][3]} for name, rs in runs.items()]


def bench_stereo() -> list[dict]:
    """Mix + per-word channel energy (as implemented) vs. transcribing each channel on its own."""
    import assistant.offline  # noqa: F401
    from assistant.asr.audio import Audio, decode
    from assistant.asr.speakers import ChannelMap, channel_role
    from assistant.asr.transcribe import Transcriber
    from assistant.asr.transcript import Segment, Transcript
    from assistant.text.metrics import cer

    meta = json.loads((FIX / "dialogue_stereo.json").read_text(encoding="utf-8"))
    ref = "".join(t["text"] for t in meta["turns"])
    audio = decode(FIX / "dialogue_stereo.wav")
    tr = Transcriber()

    def accuracy(segs: list[Segment]) -> float:
        total = right = 0.0
        for turn in meta["turns"]:
            total += turn["end"] - turn["start"]
            right += sum(max(0.0, min(turn["end"], s.end) - max(turn["start"], s.start))
                         for s in segs if s.speaker == turn["speaker"])
        return right / total

    rows = []
    t0 = time.perf_counter()
    mix = tr.transcribe(audio)
    rows.append({"what": "mix + channel energy per word (kept)", "cer": cer(ref, "".join(s.text for s in mix.segments)),
                 "speaker": accuracy(mix.segments), "seconds": time.perf_counter() - t0})
    t0 = time.perf_counter()
    per: list[Segment] = []
    for ch, role in ((0, "staff"), (1, "citizen")):
        t: Transcript = tr.transcribe(Audio(samples=audio.channels[ch]))
        per += [Segment(id=0, start=s.start, end=s.end, text=s.text, speaker=role) for s in t.segments]
    per.sort(key=lambda s: s.start)
    secs = time.perf_counter() - t0
    rows.append({"what": "each channel alone", "cer": cer(ref, "".join(s.text for s in per)),
                 "speaker": accuracy(per), "seconds": secs})
    gated = [s for s in per if channel_role(audio.channels, s.start, s.end, ChannelMap()) == s.speaker]
    rows.append({"what": "each channel alone, bleed dropped by energy", "cer": cer(ref, "".join(s.text for s in gated)),
                 "speaker": accuracy(gated), "seconds": secs})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description="RTF and peak RSS of speech recognition")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="int8 only, 1 worker only")
    ap.add_argument("--stereo", action="store_true", help="also compare the stereo approaches")
    ap.add_argument("--child", nargs=3, metavar=("AUDIO", "COMPUTE", "BEAM"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return
    print(f"cores: {os.cpu_count()}; load average at start: {os.getloadavg()[0]:.2f}")
    rows = bench(args.repeat, args.quick)
    print(f"\n{'measurement':44s} {'audio s':>8s} {'RTF (median)':>13s} {'runs':>22s} {'peak RSS MB':>12s}")
    for r in rows:
        print(f"{r['what']:44s} {r['audio_s']:8.0f} {r['rtf']:13.3f} {str(r['rtf_all']):>22s} {r['rss_mb']:12.0f}")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    if args.stereo:
        print(f"\n{'stereo approach':46s} {'CER':>6s} {'speaker time right':>19s} {'seconds':>8s}")
        for r in bench_stereo():
            print(f"{r['what']:46s} {r['cer']:6.1%} {r['speaker']:19.1%} {r['seconds']:8.1f}")


if __name__ == "__main__":
    main()
