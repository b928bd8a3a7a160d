"""Mono recordings: split Whisper segments by voice and give every voice a role.

Pipeline for one recording: the words' times give the speech windows (``diarize``), each word gets
the voice whose centroid is most similar over it, runs of one voice become segments (a Whisper
segment that spans a turn change is split there, as for stereo), and ``roles`` decides which voice
is the staff member from what each voice said and from enrolled staff voices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.app.config import Config
from assistant.asr.diarize import Diarisation, diarise, voice_name
from assistant.asr.enrol import best_match, enrolled
from assistant.asr.roles import VoiceEvidence, assign_roles, load_model, voice_scores
from assistant.asr.speakers import Word

MIN_MARGIN = 0.06  # a word whose two best voices are closer than this is undecided
SNAP_WORDS = 3  # how far (in words) a voice change may move to the longest pause


@dataclass
class Piece:
    """One future segment: a voice label, times (seconds), text and its source raw segment."""

    voice: int
    start: float
    end: float
    text: str
    raw: int


def voice_runs(words: list[Word], diar: Diarisation) -> list[tuple[int, list[Word]]]:
    """Consecutive words of one voice; a short run (≤ 2 words and < 0.6 s) joins its neighbour."""
    runs: list[tuple[int, list[Word]]] = []
    pending: list[Word] = []  # undecided words before the first decided one
    for w in words:
        sc = diar.scores(w.start, w.end)
        top = np.sort(sc)[::-1]
        if len(top) > 1 and top[0] - top[1] < MIN_MARGIN:  # undecided: stays with its neighbour
            if runs:
                runs[-1][1].append(w)
            else:
                pending.append(w)
            continue
        v = int(np.argmax(sc))
        if runs and runs[-1][0] == v:
            runs[-1][1].append(w)
        else:
            runs.append((v, pending + [w]))
            pending = []
    if pending:
        runs.append((diar.voice_at(pending[0].start, pending[-1].end), pending))
    merged: list[tuple[int, list[Word]]] = []
    for v, ws in runs:
        short = len(ws) <= 2 and ws[-1].end - ws[0].start < 0.6
        if merged and (short or merged[-1][0] == v):
            merged[-1][1].extend(ws)
        else:
            merged.append((v, list(ws)))
    if len(merged) > 1 and len(merged[0][1]) <= 2 and merged[0][1][-1].end - merged[0][1][0].start < 0.6:
        merged[1] = (merged[1][0], merged[0][1] + merged[1][1])
        merged.pop(0)
    return snap_to_pauses(merged)


def snap_to_pauses(runs: list[tuple[int, list[Word]]], reach: int = SNAP_WORDS) -> list[tuple[int, list[Word]]]:
    """Move each voice change to the longest pause between words within ``reach`` words of it.

    Windows are 1.6 s long, so the first words of a turn are heard together with the end of the
    previous one and the change is found a little late or early; people take turns at pauses.
    """
    for i in range(len(runs) - 1):
        (va, a), (vb, b) = runs[i], runs[i + 1]
        words = a + b
        cut = len(a)
        lo, hi = max(1, cut - reach), min(len(words) - 1, cut + reach)
        gaps = {k: words[k].start - words[k - 1].end for k in range(lo, hi + 1)}
        best = max(gaps, key=lambda k: (gaps[k], -abs(k - cut)))
        if gaps[best] > gaps.get(cut, 0.0) + 0.05 and 0 < best < len(words):
            runs[i], runs[i + 1] = (va, words[:best]), (vb, words[best:])
    return [(v, ws) for v, ws in runs if ws]


def word_spans(raw: list[dict]) -> list[tuple[float, float]]:
    """Speech spans from word times (segment times where a segment has no words)."""
    spans: list[tuple[float, float]] = []
    for r in raw:
        spans += [(w.start, w.end) for w in r["words"]] if r["words"] else [(r["start"], r["end"])]
    return spans


def diarise_raw(samples: np.ndarray, raw: list[dict], duration: float) -> Diarisation:
    return diarise(samples, word_spans(raw), duration)


def roles_for(pieces: list[Piece], diar: Diarisation, cfg: Config | None = None) -> dict[int, tuple[str, str]]:
    """Voice index → (role, speaker id) from the pieces' texts and enrolled voices."""
    voices: dict[str, VoiceEvidence] = {}
    for p in pieces:
        voices.setdefault(voice_name(p.voice), VoiceEvidence()).add(p.text, p.end - p.start)
    known = enrolled(cfg)
    for i in range(diar.n_voices):
        if voice_name(i) in voices:
            voices[voice_name(i)].enrolled_sim = best_match(diar.centroids[i], known)
    roles = assign_roles(voices, voice_scores(load_model(cfg), voices))
    return {i: (roles.get(voice_name(i), "unknown"), voice_name(i)) for i in range(max(diar.n_voices, 1))}
