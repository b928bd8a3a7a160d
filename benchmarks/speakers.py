"""Cost of speaker roles on mono audio: added real-time factor and memory, batch and live.

    .venv/bin/python benchmarks/speakers.py [FILES...]   (default: eval/speakers/dev/*.flac)

Batch: each recording is decoded by Whisper once (word timestamps, as ``transcribe`` does); the
time of that is "transcription alone", and the time of diarisation + role assignment on its output
(``Transcriber._mono_pieces``) is the added cost. RTF = seconds of work / seconds of audio.
Live: every reference turn is handed to ``LiveSpeakers.add`` as one final segment with its own
audio (what the stream does after each final decode); the time per call is what roles add to the
final-text latency. Peak memory: the process's peak RSS before and after the speaker models ran.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant import offline  # noqa: E402,F401
from assistant.asr.audio import SAMPLE_RATE, decode  # noqa: E402
from assistant.asr.diarize import encoder  # noqa: E402
from assistant.asr.live_speakers import LiveSpeakers  # noqa: E402
from assistant.asr.roles import load_model  # noqa: E402
from assistant.asr.transcribe import get_transcriber  # noqa: E402
from assistant.asr.transcript import Segment  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def batch(files: list[Path]) -> None:
    t = get_transcriber()
    t.decode_segments(decode(files[0]).samples, word_timestamps=True)  # Whisper alone first
    before = peak_mb()
    t0 = time.perf_counter()
    encoder(), load_model()
    load_s = time.perf_counter() - t0
    audio_s = asr_s = spk_s = 0.0
    for f in files:
        a = decode(f)
        t0 = time.perf_counter()
        raw = t._clean(t.decode_segments(a.samples, word_timestamps=True), True)
        t1 = time.perf_counter()
        t._mono_pieces(a, raw)
        t2 = time.perf_counter()
        audio_s, asr_s, spk_s = audio_s + a.duration, asr_s + t1 - t0, spk_s + t2 - t1
        print(f"{f.name:40s} {a.duration:6.1f} s  ASR RTF {(t1 - t0) / a.duration:.3f}  "
              f"speakers +{(t2 - t1) / a.duration:.3f}")
    print(f"batch: {audio_s:.0f} s audio, {t.threads} Whisper threads; transcription alone RTF "
          f"{asr_s / audio_s:.3f}, added by diarisation + roles RTF {spk_s / audio_s:.3f} "
          f"({spk_s / audio_s * 60:.2f} s per audio-minute) after loading the encoder and role model once "
          f"({load_s:.1f} s per process); "
          f"peak RSS {peak_mb():.0f} MB with the speaker models, {before:.0f} MB with Whisper alone")


def live(files: list[Path]) -> None:
    costs: list[float] = []
    for f in files:
        a = decode(f)
        truth = json.loads(f.with_suffix(".json").read_text(encoding="utf-8"))["intervals"]
        speakers = LiveSpeakers()
        for i, turn in enumerate(truth, 1):
            s, e = int(max(0, turn["start"] - 0.2) * SAMPLE_RATE), int((turn["end"] + 0.2) * SAMPLE_RATE)
            t0 = time.perf_counter()
            speakers.add(a.samples[s:e], s / SAMPLE_RATE, [Segment(i, turn["start"], turn["end"], turn["text"])])
            costs.append(time.perf_counter() - t0)
    costs.sort()
    print(f"live: {len(costs)} final segments; added per final segment median {costs[len(costs) // 2]:.3f} s, "
          f"p95 {costs[int(len(costs) * 0.95)]:.3f} s, max {costs[-1]:.3f} s")


def main() -> None:
    files = [Path(p) for p in sys.argv[1:]] or sorted((ROOT / "eval" / "speakers" / "dev").glob("*.flac"))
    batch(files)
    live(files)


if __name__ == "__main__":
    main()
