"""Score speaker roles and diarisation against truth files (``assistant eval speakers``).

Each recording ``NAME.flac|wav`` has ``NAME.json`` with the reference speech intervals, either
``{"intervals": [{"start", "end", "role", "voice"}]}`` (``eval/speakers/make_set.py``) or the
fixtures' ``{"turns": [{"start", "end", "speaker", "voice"}]}``. Scoring is on a 10 ms grid:

* role time = share of reference speech time whose hypothesis segment has the right role. Word
  times from Whisper are approximate, so a reference frame outside every segment takes the role
  of the nearest segment within ``FILL_S``; beyond that it counts as wrong. ``covered`` reports the
  share of reference speech inside a segment at all.
* DER = (missed + false alarm + confusion) / reference speech time, hypothesis voices
  (``speaker_id``) mapped one-to-one onto reference voices to maximise overlap (Hungarian), no
  collar, strict segment times.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

from assistant.asr.transcript import Transcript

STEP = 0.01
FILL_S = 0.5
AUDIO_EXT = (".flac", ".wav", ".mp3", ".m4a", ".ogg", ".webm")


def load_truth(path: Path) -> list[dict]:
    """Reference intervals as ``{"start", "end", "role", "voice"}``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    items = data.get("intervals") or data.get("turns") or []
    return [{"start": float(x["start"]), "end": float(x["end"]), "role": x.get("role") or x.get("speaker"),
             "voice": str(x.get("voice") or x.get("role") or x.get("speaker"))} for x in items]


def _frames(duration: float) -> int:
    return int(np.ceil(duration / STEP)) + 1


def _paint(n: int, items: list[tuple[float, float, object]], fill=None) -> list:
    grid = [fill] * n
    for a, b, v in items:
        for i in range(max(0, int(a / STEP)), min(n, int(np.ceil(b / STEP)))):
            grid[i] = v
    return grid


def score(truth: list[dict], t: Transcript) -> dict:
    """Role-time share, coverage and DER of one transcript against its truth."""
    duration = max([x["end"] for x in truth] + [s.end for s in t.segments] + [t.duration, 0.01])
    n = _frames(duration)
    ref_role = _paint(n, [(x["start"], x["end"], x["role"]) for x in truth])
    ref_voice = _paint(n, [(x["start"], x["end"], x["voice"]) for x in truth])
    hyp_role = _paint(n, [(s.start, s.end, s.speaker) for s in t.segments])
    hyp_voice = _paint(n, [(s.start, s.end, s.speaker_id or s.speaker) for s in t.segments])
    filled = _fill(hyp_role, int(FILL_S / STEP))
    ref = [i for i in range(n) if ref_role[i] is not None]
    total = len(ref) or 1
    right = sum(1 for i in ref if filled[i] == ref_role[i])
    covered = sum(1 for i in ref if hyp_role[i] is not None)
    return {"speech_s": len(ref) * STEP, "role_time": right / total, "covered": covered / total,
            "der": der(ref_voice, hyp_voice)}


def _fill(grid: list, reach: int) -> list:
    """Frames without a label take the nearest label within ``reach`` frames."""
    out = list(grid)
    idx = [i for i, v in enumerate(grid) if v is not None]
    if not idx:
        return out
    arr = np.array(idx)
    for i, v in enumerate(grid):
        if v is None:
            j = arr[np.argmin(np.abs(arr - i))]
            if abs(j - i) <= reach:
                out[i] = grid[j]
    return out


def der(ref: list, hyp: list) -> float:
    """Diarisation error rate with the optimal one-to-one voice mapping."""
    rv = sorted({v for v in ref if v is not None})
    hv = sorted({v for v in hyp if v is not None})
    speech = sum(1 for v in ref if v is not None)
    if not speech:
        return 0.0
    missed = sum(1 for r, h in zip(ref, hyp, strict=True) if r is not None and h is None)
    false_alarm = sum(1 for r, h in zip(ref, hyp, strict=True) if r is None and h is not None)
    both = [(r, h) for r, h in zip(ref, hyp, strict=True) if r is not None and h is not None]
    overlap = np.zeros((len(rv), max(len(hv), 1)))
    for r, h in both:
        overlap[rv.index(r), hv.index(h)] += 1
    rows, cols = linear_sum_assignment(-overlap)
    matched = overlap[rows, cols].sum()
    confusion = len(both) - matched
    return float((missed + false_alarm + confusion) / speech)


def recordings(paths: list[Path]) -> list[tuple[Path, Path]]:
    """(audio, truth) pairs from files and folders (recursively); audio without truth is skipped."""
    out: list[tuple[Path, Path]] = []
    for p in paths:
        files = sorted(p.rglob("*")) if p.is_dir() else [p]
        for f in files:
            if f.suffix.lower() in AUDIO_EXT and f.with_suffix(".json").exists():
                out.append((f, f.with_suffix(".json")))
    return out


def summarise(rows: list[dict]) -> dict:
    """Speech-time-weighted role share and DER over recordings."""
    total = sum(r["speech_s"] for r in rows) or 1.0
    return {k: sum(r[k] * r["speech_s"] for r in rows) / total for k in ("role_time", "covered", "der")} | {
        "speech_s": total, "recordings": len(rows)}
