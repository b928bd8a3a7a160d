"""Speaker roles during a live consultation on one (mono) microphone, at bounded cost.

Why this shape: a final line must show its role within a second, and minute 60 must cost what
minute 1 did. So each final segment is embedded once (its own 1.6 s windows only) and given the
voice whose centroid is nearest — or a new voice when none is close. Every few segments the
recent windows only (``RECENT_WINDOWS``, about two minutes of speech) are clustered again as in
batch (``diarize.cluster``); the new clusters are matched to the existing voices so voice ids stay
put, centroids move, and recent lines whose voice changed are revised. Roles per voice come from
running sums of each line's staff log-odds (``roles``), scored once per line; whenever a voice's
role changes, its lines are revised by a table look-up, never by re-processing audio.

A staff member's correction of one line keeps that line as corrected (never revised again) and pins
its voice to the chosen role, so one flip also fixes a swapped staff/citizen pair.
"""

from __future__ import annotations

import collections
import threading
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from assistant.app.config import Config
from assistant.asr.audio import SAMPLE_RATE
from assistant.asr.diarize import MAX_VOICES, cluster, embed, speech_regions, voice_name, window_spans
from assistant.asr.enrol import best_match, enrolled
from assistant.asr.roles import VoiceEvidence, assign_roles, load_model, staff_log_odds
from assistant.asr.transcript import Segment

NEW_VOICE_SIM = 0.72  # a segment less similar than this to every voice starts a new one
RECENT_WINDOWS = 150  # windows kept for re-clustering (≈ 2 min of speech)
RECLUSTER_EVERY = 6  # segments between re-clusterings


@dataclass
class _Line:
    voice: int
    log_odds: float
    weight: float
    seconds: float
    role: str = "unknown"
    shown_voice: int = -1  # the voice last reported for this line
    corrected: bool = False


@dataclass
class LiveSpeakers:
    """Per-consultation voice state: centroids, recent windows, per-line voices and roles."""

    cfg: Config | None = None
    centroids: list[np.ndarray] = field(default_factory=list)
    lines: dict[int, _Line] = field(default_factory=dict)
    pinned: dict[int, str] = field(default_factory=dict)
    recent: collections.deque = field(default_factory=lambda: collections.deque(maxlen=RECENT_WINDOWS))
    since_recluster: int = 0
    enrolled_voices: dict[str, np.ndarray] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, samples: np.ndarray, offset: float, segments: list[Segment]) -> list[Segment]:
        """Label new final ``segments`` (in place) from ``samples`` (their utterance, starting at
        ``offset`` s); returns earlier segments whose role or voice changed (copies to commit)."""
        if not segments:
            return []
        model = load_model(self.cfg)
        spans = [(max(0.0, s.start - offset), max(0.0, s.end - offset)) for s in segments]
        per_seg = [window_spans(speech_regions([sp]), len(samples) / SAMPLE_RATE) for sp in spans]
        flat = [w for ws in per_seg for w in ws]
        emb = embed(samples, flat).emb if flat else np.zeros((0, 256), np.float32)
        lo = staff_log_odds(model, [s.text for s in segments])
        with self.lock:
            k = 0
            for seg, ws, score in zip(segments, per_seg, lo, strict=True):
                e = emb[k:k + len(ws)]
                k += len(ws)
                voice = self._nearest(e.mean(0)) if len(e) else (self.lines[max(self.lines)].voice if self.lines else 0)
                self.lines[seg.id] = _Line(voice, float(score), float(np.sqrt(max(len(seg.text), 1))),
                                           seg.end - seg.start)
                self.recent.extend((seg.id, x) for x in e)
            self.since_recluster += len(segments)
            if self.since_recluster >= RECLUSTER_EVERY and len(self.recent) >= 8:
                self._recluster()
            new_ids = {s.id for s in segments}
            changed = self._relabel()
            for seg in segments:
                line = self.lines[seg.id]
                seg.speaker, seg.speaker_id = line.role, voice_name(line.voice)
            return [Segment(id=i, start=0, end=0, text="", speaker=self.lines[i].role,
                            speaker_id=voice_name(self.lines[i].voice)) for i in changed if i not in new_ids]

    def correct(self, seg_id: int, role: str) -> list[Segment]:
        """Staff set ``role`` on a line: keep it, pin its voice, and return other lines to revise."""
        with self.lock:
            line = self.lines.get(seg_id)
            if line is None:
                return []
            line.role, line.corrected = role, True
            self.pinned = {v: r for v, r in self.pinned.items() if r != role or role == "other"}
            self.pinned[line.voice] = role
            return [Segment(id=i, start=0, end=0, text="", speaker=self.lines[i].role,
                            speaker_id=voice_name(self.lines[i].voice)) for i in self._relabel()]

    # -- internals (called with the lock held) ------------------------------------------------
    def _nearest(self, e: np.ndarray) -> int:
        e = e / (np.linalg.norm(e) or 1.0)
        if not self.centroids:
            self.centroids.append(e)
            return 0
        sims = np.array([c @ e for c in self.centroids])
        best = int(np.argmax(sims))
        if sims[best] < NEW_VOICE_SIM and len(self.centroids) < MAX_VOICES:
            self.centroids.append(e)
            return len(self.centroids) - 1
        c = self.centroids[best] * 0.9 + e * 0.1
        self.centroids[best] = c / (np.linalg.norm(c) or 1.0)
        return best

    def _recluster(self) -> None:
        """Cluster the recent windows again; map clusters onto existing voices; move recent lines."""
        self.since_recluster = 0
        ids = [i for i, _ in self.recent]
        emb = np.stack([x for _, x in self.recent])
        labels, cent = cluster(emb)
        old = np.stack(self.centroids)
        rows, cols = linear_sum_assignment(-(cent @ old.T))
        mapping = {int(r): int(c) for r, c in zip(rows, cols, strict=True)}
        for r in range(len(cent)):
            if r not in mapping:
                if len(self.centroids) < MAX_VOICES:
                    self.centroids.append(cent[r])
                    mapping[r] = len(self.centroids) - 1
                else:
                    mapping[r] = int(np.argmax(old @ cent[r]))
        for r, v in mapping.items():
            self.centroids[v] = cent[r]
        votes: dict[int, collections.Counter] = collections.defaultdict(collections.Counter)
        for seg_id, lab in zip(ids, labels.tolist(), strict=True):
            votes[seg_id][mapping[lab]] += 1
        for seg_id, c in votes.items():
            if seg_id in self.lines:
                self.lines[seg_id].voice = c.most_common(1)[0][0]

    def _relabel(self) -> list[int]:
        """Roles per voice from the running evidence; ids of lines whose role/voice display changed."""
        if self.enrolled_voices is None:
            self.enrolled_voices = enrolled(self.cfg)
        voices: dict[str, VoiceEvidence] = {}
        sums: dict[str, list[float]] = {}
        for line in self.lines.values():
            name = voice_name(line.voice)
            ev = voices.setdefault(name, VoiceEvidence(pinned=self.pinned.get(line.voice)))
            ev.seconds += line.seconds
            acc = sums.setdefault(name, [0.0, 0.0])
            acc[0] += line.log_odds * line.weight
            acc[1] += line.weight
        for v, c in enumerate(self.centroids):
            if voice_name(v) in voices:
                voices[voice_name(v)].enrolled_sim = best_match(c, self.enrolled_voices)
        roles = assign_roles(voices, {v: a / (w or 1.0) for v, (a, w) in sums.items()})
        changed = []
        for seg_id, line in self.lines.items():
            role = roles.get(voice_name(line.voice), "unknown")
            if line.corrected or (role == line.role and line.voice == line.shown_voice):
                continue
            line.role, line.shown_voice = role, line.voice
            changed.append(seg_id)
        return changed
