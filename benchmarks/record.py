"""Record drafting speed: a 30-minute conversation (≈ 9,000 characters) once models are loaded.

Target: a cold draft of a 30-minute consultation under 2 s on 2 cores (facts with subjects,
statements, masking with the spoken-form pass, scheme mentions and categories included).

Prints load time, the cold draft time (every per-segment cache cleared: what a batch draft of a new
recording costs), the live redraft time (one more segment, as the counter UI calls it after each
finalised segment), masking alone, and the process memory. The conversation is stitched from the
development set's turns (ids renumbered, one turn every ~6 s over 30 minutes).

    .venv/bin/python benchmarks/record.py [--chars 9000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import glob
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import assistant.offline  # noqa: E402,F401


def conversation(chars: int) -> list:
    from assistant.asr.transcript import Segment
    from assistant.learn.dataset import load_dev_set

    files = sorted(glob.glob(str(ROOT / "eval" / "parts" / "*.jsonl"))) or [str(ROOT / "eval" / "consultations.jsonl")]
    items = load_dev_set(files)
    turns = [t for it in items for t in it["turns"]]
    out, total = [], 0
    for t in turns:
        if total >= chars:
            break
        out.append((t["speaker"], t["text"]))
        total += len(t["text"])
    step = 1800.0 / max(len(out), 1)
    return [Segment(id=i + 1, start=i * step, end=(i + 1) * step, text=txt,
                    speaker=sp if sp in ("staff", "citizen", "other") else "unknown") for i, (sp, txt) in enumerate(out)]


def clear_caches() -> None:
    from assistant.record import draft as record

    record.clear_caches()  # every record and personal-data cache
    from assistant.facts import subjects

    subjects._noun_spans.cache_clear()
    try:
        from assistant.facts import extract as facts

        for name in dir(facts):
            fn = getattr(facts, name)
            if hasattr(fn, "cache_clear"):
                fn.cache_clear()
    except ImportError:
        pass


# long runs of separators and particles that a pattern with nested repetitions would take exponential time on
_ADVERSARIAL = ("の " * 200 + "3丁目", "の " * 200 + "アット", "a-" * 200 + "アット", "ア イ " * 200 + "アット",
                "まる " * 200 + "アット ドット", "、".join(["はい"] * 400), "に " * 500 + "ちょうめ", "1 の " * 300)


def _adversarial() -> None:
    from assistant.asr.transcript import Segment, Transcript
    from assistant.pii.mask import mask_transcript

    worst = 0.0
    for text in _ADVERSARIAL:
        t0 = time.perf_counter()
        mask_transcript(Transcript(segments=[Segment(id=1, start=0.0, end=1.0, text=text, speaker="citizen")]))
        worst = max(worst, time.perf_counter() - t0)
    print(f"mask, adversarial one-segment inputs (≤1,200 characters): worst {worst:.3f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--chars", type=int, default=9000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    import psutil

    from assistant.asr.transcript import Transcript
    from assistant.pii.mask import mask_transcript
    from assistant.record.draft import draft_record

    proc = psutil.Process()
    segs = conversation(args.chars)
    n_chars = sum(len(s.text) for s in segs)
    print(f"conversation: {len(segs)} segments, {n_chars} characters, {segs[-1].end / 60:.0f} minutes")

    t0 = time.perf_counter()
    draft_record(Transcript(segments=segs[:4]))  # loads GiNZA, the knowledge base, the classifier
    load = time.perf_counter() - t0
    print(f"load (GiNZA, knowledge base, suggestion index, category model): {load:.2f} s")

    cold = []
    for _ in range(args.repeat):
        clear_caches()
        t0 = time.perf_counter()
        rec = draft_record(Transcript(segments=segs))
        cold.append(time.perf_counter() - t0)
    print(f"draft, cold caches:   median {statistics.median(cold):.2f} s  (runs: {', '.join(f'{x:.2f}' for x in cold)})"
          f"  target ≤ 2 s on 2 cores")

    live = []
    for k in range(len(segs) - 10, len(segs) + 1):
        t0 = time.perf_counter()
        draft_record(Transcript(segments=segs[:k]))
        live.append(time.perf_counter() - t0)
    print(f"live redraft (+1 segment, warm): median {statistics.median(live):.3f} s  max {max(live):.3f} s")

    clear_caches()
    t0 = time.perf_counter()
    _m, ents = mask_transcript(Transcript(segments=segs))
    print(f"mask only, cold: {time.perf_counter() - t0:.2f} s  ({len(ents)} entities)")
    _adversarial()

    t0 = time.perf_counter()
    rec.to_dict(masked=True)
    rec.to_markdown()
    rec.to_html()
    print(f"render json+md+html: {time.perf_counter() - t0:.3f} s")
    print(f"memory (RSS): {proc.memory_info().rss / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
