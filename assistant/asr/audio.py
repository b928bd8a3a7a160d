"""Decode any audio a counter produces into 16 kHz float32 samples.

PyAV (FFmpeg) reads wav, mp3, m4a/aac, ogg/opus, flac and browser webm, at any sample rate; we
resample to Whisper's 16 kHz. Stereo is kept as two channels as well as the mix, because counters
often record the staff and the citizen on separate microphones (``assistant.asr.speakers``).
Every failure is turned into an ``AudioError`` with a message a person can act on.
"""

from __future__ import annotations

import io
import re
import struct
import wave
from dataclasses import dataclass, field
from math import gcd
from pathlib import Path

import av
import numpy as np
from scipy.signal import resample_poly

SAMPLE_RATE = 16_000
MIN_SECONDS = 0.1


class AudioError(ValueError):
    """Audio cannot be used; ``str()`` is a one-line message (English / 日本語)."""


@dataclass
class Audio:
    """Decoded audio: the mono mix, and the channels when the source was stereo."""

    samples: np.ndarray  # float32 mono, 16 kHz
    channels: np.ndarray | None = None  # float32 (2, n) when the source had two channels
    source_rate: int = SAMPLE_RATE
    source_channels: int = 1
    # Problems that did not stop decoding (e.g. a truncated file: the readable part is kept).
    warnings: list[str] = field(default_factory=list)

    @property
    def duration(self) -> float:
        return len(self.samples) / SAMPLE_RATE

    @property
    def is_stereo(self) -> bool:
        return self.channels is not None


def decode(source: str | Path | bytes | io.BytesIO) -> Audio:
    """Decode a file path or bytes. Raises AudioError for empty, unreadable or silent-length input."""
    name = str(source) if isinstance(source, (str, Path)) else "<bytes>"
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.exists():
            raise AudioError(f"{name}: file not found / ファイルが見つかりません")
        if path.stat().st_size == 0:
            raise AudioError(f"{name}: empty file (0 bytes) / 空のファイルです")
        src: str | io.BytesIO = str(path)
    else:
        data = source.getvalue() if isinstance(source, io.BytesIO) else source
        if not data:
            raise AudioError("empty audio data / 音声データが空です")
        src = io.BytesIO(data)

    try:
        container = av.open(src, mode="r", metadata_errors="ignore")
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise AudioError(f"{name}: not a readable audio file ({_short(exc)}) / 音声ファイルとして読めません") from exc

    with container:
        if not container.streams.audio:
            raise AudioError(f"{name}: the file has no audio track / 音声トラックがありません")
        stream = container.streams.audio[0]
        n_channels = min(stream.codec_context.channels or 1, 2)
        layout = "stereo" if n_channels == 2 else "mono"
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=SAMPLE_RATE)
        chunks: list[np.ndarray] = []
        damaged = ""
        try:
            for frame in container.decode(stream):
                frame.pts = None
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray())
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray())
        except (av.error.FFmpegError, ValueError) as exc:
            # A truncated file decodes up to the damage: keep what we got if it is real audio.
            damaged = _short(exc)
            if not chunks:
                raise AudioError(f"{name}: audio data is damaged ({_short(exc)}) / 音声データが壊れています") from exc
        source_rate = stream.codec_context.sample_rate or SAMPLE_RATE
        # The length the file says it has (e.g. an MP3's Xing header): more than we could decode
        # means the file was cut short, e.g. an interrupted copy or upload.
        declared = container.duration / 1_000_000 if container.duration else 0.0
        if isinstance(src, str):
            declared = max(declared, _wav_declared_seconds(Path(src)))

    if not chunks:
        raise AudioError(f"{name}: no audio samples (zero length) / 音声の長さが0です")
    data = np.concatenate(chunks, axis=1).astype(np.float32)  # (channels, n)
    if data.shape[1] < MIN_SECONDS * SAMPLE_RATE:
        raise AudioError(f"{name}: audio is too short ({data.shape[1] / SAMPLE_RATE:.2f} s) / 音声が短すぎます")
    if not np.isfinite(data).all():
        data = np.nan_to_num(data)
    decoded = data.shape[1] / SAMPLE_RATE
    warnings = []
    if damaged or (declared and decoded < 0.95 * declared - 0.5):
        of = f" of {declared:.1f} s" if declared > decoded else ""
        warnings.append(f"{_base(name)}: file is truncated or damaged; transcribing the first {decoded:.1f} s{of}"
                        f" / ファイルが途中で切れているか壊れています（先頭 {decoded:.1f} 秒のみ文字起こし）")
    if data.shape[0] == 2:
        mix = data.mean(axis=0)
        return Audio(samples=mix, channels=data, source_rate=source_rate, source_channels=2, warnings=warnings)
    return Audio(samples=data[0], source_rate=source_rate, source_channels=1, warnings=warnings)


def from_array(samples: np.ndarray, rate: int) -> Audio:
    """Build Audio from an in-memory array (e.g. a browser microphone chunk).

    Accepts int16 or float, mono ``(n,)`` or interleaved ``(n, 2)``, at any rate.
    """
    arr = np.asarray(samples)
    if arr.dtype.kind == "i":
        arr = arr.astype(np.float32) / float(np.iinfo(arr.dtype).max)
    arr = arr.astype(np.float32)
    channels = None
    if arr.ndim == 2:
        if arr.shape[0] in (1, 2) and arr.shape[1] > 2:
            arr = arr.T
        if arr.shape[1] >= 2:
            channels = np.stack([resample(arr[:, 0], rate), resample(arr[:, 1], rate)])
            return Audio(samples=channels.mean(axis=0), channels=channels, source_rate=rate, source_channels=2)
        arr = arr[:, 0]
    return Audio(samples=resample(arr, rate), source_rate=rate)


def resample(x: np.ndarray, rate: int, target: int = SAMPLE_RATE) -> np.ndarray:
    """Band-limited resampling (polyphase) of a mono float signal."""
    if rate == target or len(x) == 0:
        return x.astype(np.float32)


    g = gcd(int(rate), int(target))
    return resample_poly(x, target // g, int(rate) // g).astype(np.float32)


def write_wav(path: str | Path, samples: np.ndarray, rate: int = SAMPLE_RATE) -> None:
    """Write mono or (channels, n) float audio as 16-bit PCM WAV."""

    arr = np.asarray(samples, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr[None, :]
    pcm = (np.clip(arr, -1.0, 1.0) * 32767).astype("<i2").T.copy()
    with wave.open(str(path), "wb") as w:
        w.setnchannels(arr.shape[0])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


def rms_db(x: np.ndarray) -> float:
    """Root-mean-square level in dBFS (−120 for silence)."""
    if len(x) == 0:
        return -120.0
    rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))
    return 20 * np.log10(rms) if rms > 1e-6 else -120.0


def _short(exc: Exception) -> str:
    """FFmpeg's reason without its errno and the repeated file name, e.g. 'Invalid data found…'."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    text = re.sub(r"^\[Errno -?\d+\]\s*", "", text)
    text = re.sub(r"[:;]\s*'[^']*'$", "", text)
    return text[:120]


def _wav_declared_seconds(path: Path) -> float:
    """Length a RIFF/WAVE header announces (FFmpeg silently trusts the file size instead)."""

    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError:
        return 0.0
    if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return 0.0
    pos, byte_rate = 12, 0
    while pos + 8 <= len(head):
        cid, size = head[pos:pos + 4], struct.unpack("<I", head[pos + 4:pos + 8])[0]
        if cid == b"fmt " and pos + 16 <= len(head):
            byte_rate = struct.unpack("<I", head[pos + 16:pos + 20])[0]
        if cid == b"data":
            # 0 and 0xFFFFFFFF mean "unknown" (streamed WAV): nothing to compare against.
            return size / byte_rate if byte_rate and 0 < size < 0xFFFFFFFF else 0.0
        pos += 8 + size + (size & 1)
    return 0.0


def _base(name: str) -> str:
    return Path(name).name if name != "<bytes>" else name
