"""Suggestion-engine benchmark: cold start, one incremental update on a 60-minute transcript, memory.

A 60-minute transcript is built by replaying the development set's turns back to back with fresh
segment ids and realistic timings (speaking rate ~7 characters per second, 0.8 s between turns), so
every update sees a new, never-analysed segment — what the counter view does each time a segment
is finalised. Reported:

- cold start: GiNZA load, knowledge base, scheme index, ranking model (loaded from the artefact
  ``assistant model train`` writes), first update;
- incremental update: p50 / p95 / max over the last ``--updates`` segments of the hour, with the
  whole hour already seen (the budget is 50 ms);
- the same for an update whose segment was already analysed (the UI re-renders);
- peak RSS of the process.

    .venv/bin/python benchmarks/suggest.py [--minutes 60] [--updates 50]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

T0 = time.perf_counter()

import numpy as np  # noqa: E402
import psutil  # noqa: E402

import assistant.offline  # noqa: E402,F401
from assistant.asr.transcript import Segment  # noqa: E402


def hour_of_turns(minutes: float) -> list[Segment]:
    """The development set's turns back to back until ``minutes`` of conversation."""
    from assistant.artefacts import training_data_paths as dev_set_paths
    from assistant.learn.dataset import load_cases

    turns = [t for p in dev_set_paths() for c in load_cases(p) for t in c["turns"]]
    if not turns:
        turns = [{"speaker": "citizen", "text": "家賃が払えなくて困っています。"}]
    segs: list[Segment] = []
    t, i = 0.0, 0
    while t < minutes * 60:
        turn = turns[i % len(turns)]
        dur = max(1.2, len(turn["text"]) / 7.0)
        segs.append(Segment(id=i + 1, start=t, end=t + dur, text=turn["text"], speaker=turn.get("speaker", "unknown")))
        t += dur + 0.8
        i += 1
    return segs


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--updates", type=int, default=50, help="timed updates at the end of the hour")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args()
    proc = psutil.Process()

    t = time.perf_counter()
    from assistant.schemes.knowledge import get_knowledge_base
    from assistant.schemes.ranker import load_ranker
    from assistant.schemes.suggest import Suggester, shared_index
    from assistant.text import nlp

    nlp.get_nlp()
    t_nlp = time.perf_counter() - t
    t = time.perf_counter()
    kb = get_knowledge_base()
    shared_index(kb)
    t_index = time.perf_counter() - t
    t = time.perf_counter()
    model = load_ranker()
    t_model = time.perf_counter() - t
    segs = hour_of_turns(args.minutes)
    sug = Suggester(kb, model)
    t = time.perf_counter()
    sug.update(segs[:1])
    t_first = time.perf_counter() - t
    cold = time.perf_counter() - T0

    # the hour up to the timed window, fed one segment at a time like the live view
    n = len(segs)
    start = max(1, n - args.updates)
    t = time.perf_counter()
    for k in range(2, start + 1):
        sug.update(segs[:k])
    catch_up = time.perf_counter() - t

    new_seg: list[float] = []
    for k in range(start + 1, n + 1):
        t = time.perf_counter()
        out = sug.update(segs[:k])
        new_seg.append((time.perf_counter() - t) * 1000)
    same: list[float] = []
    for _ in range(20):
        t = time.perf_counter()
        sug.update(segs)
        same.append((time.perf_counter() - t) * 1000)

    figures = {
        "transcript_minutes": args.minutes, "segments": n,
        "cold_start_s": round(cold, 2), "ginza_load_s": round(t_nlp, 2), "kb_and_index_s": round(t_index, 2),
        "model_s": round(t_model, 2), "first_update_ms": round(t_first * 1000, 1),
        "update_new_segment_ms": {"p50": round(pct(new_seg, 50), 1), "p95": round(pct(new_seg, 95), 1),
                                  "max": round(max(new_seg), 1)},
        "update_no_change_ms": {"p50": round(pct(same, 50), 1), "p95": round(pct(same, 95), 1)},
        "replay_whole_hour_s": round(catch_up, 1),
        "peak_rss_mb": round(proc.memory_info().rss / 2**20),
        "top3_at_end": [s.scheme_id for s in out if s.status == "new"][:3],
    }
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
        return
    u, s = figures["update_new_segment_ms"], figures["update_no_change_ms"]
    print(f"transcript            {args.minutes:.0f} min, {n} segments (development-set turns replayed)")
    print(f"cold start            {cold:.2f} s  (GiNZA {t_nlp:.2f} s, knowledge base + index {t_index:.2f} s, "
          f"model {t_model:.2f} s, first update {t_first * 1000:.0f} ms)")
    print(f"update, new segment   p50 {u['p50']} ms  p95 {u['p95']} ms  max {u['max']} ms   (budget 50 ms)")
    print(f"update, no change     p50 {s['p50']} ms  p95 {s['p95']} ms")
    print(f"whole hour replayed   {catch_up:.1f} s for {start} updates")
    print(f"peak RSS              {figures['peak_rss_mb']} MB")


if __name__ == "__main__":
    main()
