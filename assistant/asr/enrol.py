"""Enrolled staff voices: one averaged voice embedding per name under ``<data>/speakers/``.

Why: a counter's own staff speak every day; once a voice is enrolled, a cluster whose centroid is
close to it is the staff member without waiting for what they say. Only the embedding (256
numbers) is stored, never the recording.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from assistant.app.config import Config, get_config
from assistant.asr.audio import Audio, decode
from assistant.asr.diarize import embed, window_spans

_NAME = re.compile(r"^[\w\-ー一-龥ぁ-んァ-ン]{1,40}$")


def folder(cfg: Config | None = None) -> Path:
    return (cfg or get_config()).data_dir / "speakers"


def enrol(name: str, audio: Audio | str | Path, cfg: Config | None = None) -> Path:
    """Store the mean embedding of NAME's speech (≥ 3 s of audio); returns the file written."""
    if not _NAME.match(name):
        raise ValueError(f"invalid name {name!r}: letters, digits, - and _ only (up to 40)")
    audio = audio if isinstance(audio, Audio) else decode(audio)
    if audio.duration < 3.0:
        raise ValueError(f"recording too short to enrol ({audio.duration:.1f} s; at least 3 s of speech)")
    w = embed(audio.samples, window_spans([(0.0, audio.duration)], audio.duration))
    mean = w.emb.mean(0)
    out = folder(cfg) / f"{name}.npy"
    out.parent.mkdir(parents=True, exist_ok=True)
    np.save(out, (mean / (np.linalg.norm(mean) or 1.0)).astype(np.float32))
    return out


def enrolled(cfg: Config | None = None) -> dict[str, np.ndarray]:
    """Every enrolled voice by name (empty when none)."""
    d = folder(cfg)
    return {p.stem: np.load(p) for p in sorted(d.glob("*.npy"))} if d.is_dir() else {}


def best_match(centroid: np.ndarray, voices: dict[str, np.ndarray]) -> float:
    """Highest cosine similarity of a voice centroid to any enrolled voice (0 when none)."""
    return max((float(centroid @ v) for v in voices.values()), default=0.0)
