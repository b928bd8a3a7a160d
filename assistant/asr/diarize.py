"""Who spoke when in a mono recording: voice embeddings per speech window, clustered.

Why this way (measured on synthetic two-voice mono dialogues while building it): resemblyzer
embeddings over 1.6 s windows with a 0.8 s hop, L2-normalised and clustered with k-means, label
≥ 95 % of speech time right even for two similar female voices; agglomerative clustering failed
and 3 s windows were worse (they straddle turns). Windows are taken only where there is speech
(the transcript's word times), so silence never forms a cluster.

The number of voices (1–3) is estimated from the silhouette of k-means with k = 2 and 3 and from
how far apart the two centroids are; a cluster with too little speech time is folded into the
nearest one unless its voice is clearly different (a companion who speaks once still gets a voice).

The encoder is loaded once, lazily, in ``encoder()``; ``torch.set_num_threads(1)`` keeps it steady
next to the Whisper decoder on a 2-core PC.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score

from assistant.asr.audio import SAMPLE_RATE

WINDOW_S = 1.6  # resemblyzer's own partial length (160 mel frames)
HOP_S = 0.8
FRAME_S = 0.01  # mel hop
TARGET_DBFS = -30.0  # the level resemblyzer's encoder was trained on
MAX_VOICES = 3
MIN_SILHOUETTE = 0.24  # below this, two clusters are one voice split in two
THIRD_VOICE_SIM = 0.82  # a third cluster must be at most this similar to the other two
SAME_VOICE_SIM = 0.91  # centroids at least this similar are one voice
MIN_SHARE = 0.08  # a voice with less speech time than this is folded in...
DISTINCT_SIM = 0.72  # ...unless its centroid is this dissimilar to every other voice
MIN_WINDOWS = 2  # a single window is never a voice of its own (a cough, a window half in silence)

_encoder: dict = {}
_encoder_lock = threading.Lock()


def encoder() -> dict:
    """The resemblyzer voice encoder and its mel front end (weights ship inside the package; CPU;
    torch, librosa and the weights are loaded here once, on first use)."""
    with _encoder_lock:
        if not _encoder:
            import torch
            from resemblyzer import VoiceEncoder
            from resemblyzer.audio import wav_to_mel_spectrogram

            torch.set_num_threads(1)
            model = VoiceEncoder(device="cpu", verbose=False)

            def forward(mels: np.ndarray) -> np.ndarray:
                with torch.no_grad():
                    return model(torch.from_numpy(mels.astype(np.float32))).cpu().numpy()

            _encoder.update(model=model, mel=wav_to_mel_spectrogram, forward=forward)
        return _encoder


@dataclass
class Windows:
    """Embeddings of speech windows (seconds on the audio's own timeline)."""

    starts: np.ndarray
    ends: np.ndarray
    emb: np.ndarray  # (n, 256), L2-normalised

    def __len__(self) -> int:
        return len(self.starts)


@dataclass
class Diarisation:
    """Window clusters and voice centroids; ``voice_at`` answers who spoke over a span."""

    windows: Windows
    labels: np.ndarray  # voice index per window
    centroids: np.ndarray  # (k, 256) L2-normalised
    shares: list[float] = field(default_factory=list)

    @property
    def n_voices(self) -> int:
        return len(self.centroids)

    def scores(self, start: float, end: float) -> np.ndarray:
        """Similarity of each voice to the audio over [start, end] (overlap-weighted windows)."""
        w = self.windows
        if not len(w) or not self.n_voices:
            return np.zeros(self.n_voices)
        overlap = np.clip(np.minimum(w.ends, end) - np.maximum(w.starts, start), 0, None)
        if overlap.sum() <= 0:  # no window over it: the nearest window decides
            mid = (start + end) / 2
            overlap = np.zeros(len(w))
            overlap[int(np.argmin(np.abs((w.starts + w.ends) / 2 - mid)))] = 1.0
        emb = (overlap[:, None] * w.emb).sum(0)
        return self.centroids @ (emb / (np.linalg.norm(emb) or 1.0))

    def voice_at(self, start: float, end: float) -> int:
        return int(np.argmax(self.scores(start, end))) if self.n_voices else 0


# -- windows and embeddings ------------------------------------------------------------------
def speech_regions(spans: list[tuple[float, float]], join_gap: float = 0.3) -> list[tuple[float, float]]:
    """Merge word/segment spans into stretches of continuous speech."""
    out: list[list[float]] = []
    for a, b in sorted(spans):
        if out and a - out[-1][1] <= join_gap:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out if b > a]


def window_spans(regions: list[tuple[float, float]], duration: float) -> list[tuple[float, float]]:
    """1.6 s windows every 0.8 s over each speech region; a shorter region gets one centred window."""
    spans: list[tuple[float, float]] = []
    for a, b in regions:
        if b - a <= WINDOW_S:
            mid = (a + b) / 2
            s = min(max(0.0, mid - WINDOW_S / 2), max(0.0, duration - WINDOW_S))
            spans.append((s, min(duration, s + WINDOW_S)))
            continue
        n = int(np.ceil((b - a - WINDOW_S) / HOP_S)) + 1
        for i in range(n):
            s = min(a + i * HOP_S, b - WINDOW_S)
            spans.append((s, s + WINDOW_S))
    return spans


def embed(samples: np.ndarray, spans: list[tuple[float, float]]) -> Windows:
    """One embedding per span: mel once for the audio, each window levelled to −30 dBFS, batched."""
    n_frames = int(round(WINDOW_S / FRAME_S))
    if not spans or len(samples) < SAMPLE_RATE * 0.2:
        return Windows(np.zeros(0), np.zeros(0), np.zeros((0, 256), np.float32))
    enc = encoder()
    pad = np.zeros(int(WINDOW_S * SAMPLE_RATE), np.float32)
    mel = enc["mel"](np.concatenate([samples.astype(np.float32), pad]))
    batch = []
    for s, _e in spans:
        f = int(round(s / FRAME_S))
        m = mel[f:f + n_frames]
        if len(m) < n_frames:
            m = np.pad(m, ((0, n_frames - len(m)), (0, 0)))
        a, b = int(s * SAMPLE_RATE), int(s * SAMPLE_RATE) + int(WINDOW_S * SAMPLE_RATE)
        rms = float(np.sqrt(np.mean(np.square(samples[a:b], dtype=np.float64)))) if b > a else 0.0
        gain = (10 ** (TARGET_DBFS / 20) / rms) ** 2 if rms > 1e-5 else 1.0
        batch.append(m * gain)
    emb = enc["forward"](np.stack(batch))
    emb /= np.linalg.norm(emb, axis=1, keepdims=True) + 1e-9
    return Windows(np.array([s for s, _ in spans]), np.array([e for _, e in spans]), emb.astype(np.float32))


# -- clustering ------------------------------------------------------------------------------
def _kmeans(emb: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    km = KMeans(n_clusters=k, n_init=4, random_state=0).fit(emb)
    cent = km.cluster_centers_ / (np.linalg.norm(km.cluster_centers_, axis=1, keepdims=True) + 1e-9)
    return km.labels_.astype(int), cent


def _silhouette(emb: np.ndarray, labels: np.ndarray) -> float:
    if len(set(labels.tolist())) < 2 or len(emb) <= len(set(labels.tolist())):
        return -1.0
    return float(silhouette_score(emb, labels, metric="cosine"))


def cluster(emb: np.ndarray, max_voices: int = MAX_VOICES) -> tuple[np.ndarray, np.ndarray]:
    """Labels and L2-normalised centroids for 1–``max_voices`` voices (see the module docstring).

    Two voices when k = 2 separates the windows well (silhouette ≥ ``MIN_SILHOUETTE``); three
    when k = 3 separates them about as well and every pair of its centroids is clearly apart
    (≤ ``THIRD_VOICE_SIM``) — k-means will always split one voice into three similar parts.
    """
    n = len(emb)
    one = (np.zeros(n, int), _unit(emb.mean(0, keepdims=True)) if n else np.zeros((0, 256)))
    if n < 4 or max_voices < 2:
        return one
    labels, cent = _kmeans(emb, 2)
    sil2 = _silhouette(emb, labels)
    if sil2 < MIN_SILHOUETTE:
        return one
    best = (labels, cent)
    if max_voices >= 3 and n >= 6:
        labels3, cent3 = _kmeans(emb, 3)
        sims = cent3 @ cent3.T
        apart = float(sims[np.triu_indices(3, 1)].max()) <= THIRD_VOICE_SIM
        if apart and _silhouette(emb, labels3) >= sil2 - 0.05:
            best = (labels3, cent3)
    return _fold(emb, *best)


def _fold(emb: np.ndarray, labels: np.ndarray, cent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Merge voices that are too alike, or too small and not clearly distinct; renumber by first use."""
    while len(cent) > 1:
        sim = cent @ cent.T
        np.fill_diagonal(sim, -1)
        counts = np.bincount(labels, minlength=len(cent))
        share = counts / len(labels)
        i, j = np.unravel_index(int(np.argmax(sim)), sim.shape)
        small = int(np.argmin(share))
        if sim[i, j] >= SAME_VOICE_SIM:
            drop, into = (i, j) if share[i] < share[j] else (j, i)
        elif counts[small] < MIN_WINDOWS or (share[small] < MIN_SHARE and sim[small].max() > DISTINCT_SIM):
            drop, into = small, int(np.argmax(sim[small]))
        else:
            break
        labels = np.where(labels == drop, into, labels)
        labels, cent = _renumber(emb, labels)
    return _renumber(emb, labels)


def _renumber(emb: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = list(dict.fromkeys(labels.tolist()))
    mapping = {old: new for new, old in enumerate(order)}
    labels = np.array([mapping[x] for x in labels.tolist()], int)
    cent = np.stack([emb[labels == i].mean(0) for i in range(len(order))]) if len(order) else np.zeros((0, 256))
    return labels, _unit(cent)


def _unit(x: np.ndarray) -> np.ndarray:
    return x / (np.linalg.norm(x, axis=-1, keepdims=True) + 1e-9)


def diarise(samples: np.ndarray, spans: list[tuple[float, float]], duration: float | None = None,
            max_voices: int = MAX_VOICES) -> Diarisation:
    """Diarise mono 16 kHz ``samples`` over the speech ``spans`` (word or segment times)."""
    duration = len(samples) / SAMPLE_RATE if duration is None else duration
    windows = embed(samples, window_spans(speech_regions(spans), duration))
    labels, cent = cluster(windows.emb, max_voices)
    shares = [float(np.mean(labels == i)) for i in range(len(cent))]
    return Diarisation(windows=windows, labels=labels, centroids=cent, shares=shares)


def voice_name(index: int) -> str:
    return f"S{index + 1}"
