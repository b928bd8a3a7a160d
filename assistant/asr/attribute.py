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
    for w in words:
        v = diar.voice_at(w.start, w.end)
        if runs and runs[-1][0] == v:
            runs[-1][1].append(w)
        else:
            runs.append((v, [w]))
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
    return merged


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
