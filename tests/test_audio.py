"""Decoding what a counter produces: formats, rates, channels, and every kind of broken file."""

from __future__ import annotations

import shutil
import wave
from pathlib import Path

import numpy as np
import pytest

from assistant.asr.audio import SAMPLE_RATE, AudioError, decode, from_array, rms_db, write_wav
from tests.fixtures.audio_tools import ENCODINGS, SR, convert, encode, truncated, zero_length_wav


@pytest.fixture(scope="module")
def speech(fixtures_dir: Path) -> np.ndarray:
    return decode(fixtures_dir / "asr" / "02_rent.wav").samples


@pytest.fixture(scope="module")
def stereo(fixtures_dir: Path) -> np.ndarray:
    return decode(fixtures_dir / "dialogue_stereo.wav").channels[:, : 8 * SR]


def _similar(a: np.ndarray, b: np.ndarray) -> float:
    """Correlation of two signals' envelopes (10 ms RMS frames), at the best lag within ±60 ms:
    codecs change the phase and add a start-up delay (AAC's priming), not the loudness contour."""
    n = min(len(a), len(b)) // 160 * 160
    ea = np.sqrt(np.mean(a[:n].reshape(-1, 160) ** 2, axis=1))
    eb = np.sqrt(np.mean(b[:n].reshape(-1, 160) ** 2, axis=1))
    best = -1.0
    for lag in range(-6, 7):
        x, y = (ea[lag:], eb[: len(eb) - lag]) if lag >= 0 else (ea[:lag], eb[-lag:])
        best = max(best, float(np.corrcoef(x, y)[0, 1]))
    return best


@pytest.mark.parametrize("kind", sorted(ENCODINGS))
def test_every_counter_format_decodes_to_16k_mono(kind: str, speech: np.ndarray, tmp_path: Path) -> None:
    path = convert(speech, tmp_path / f"clip.{kind}", kind)
    audio = decode(path)
    assert audio.source_rate == ENCODINGS[kind][2]
    assert not audio.is_stereo and audio.samples.dtype == np.float32
    assert abs(audio.duration - len(speech) / SR) < 0.1  # codec padding only
    assert _similar(audio.samples, speech) > 0.95
    assert audio.warnings == []


@pytest.mark.parametrize("kind", ["wav", "mp3", "m4a", "ogg", "webm", "flac"])
def test_stereo_keeps_both_channels(kind: str, stereo: np.ndarray, tmp_path: Path) -> None:
    audio = decode(convert(stereo, tmp_path / f"two.{kind}", kind))
    assert audio.is_stereo and audio.channels.shape[0] == 2 and audio.source_channels == 2
    # the staff voice is on the left in the fixture: channel identity must survive the codec
    for ch in (0, 1):
        assert _similar(audio.channels[ch], stereo[ch]) > 0.9
    assert np.allclose(audio.samples, audio.channels.mean(axis=0))


def test_telephone_8khz_is_resampled(speech: np.ndarray, tmp_path: Path) -> None:
    path = encode(tmp_path / "phone.wav", speech, SR, "wav", "pcm_s16le", out_rate=8000)
    audio = decode(path)
    assert audio.source_rate == 8000
    assert abs(audio.duration - len(speech) / SR) < 0.05
    assert _similar(audio.samples, speech) > 0.9


def test_bytes_and_arrays(speech: np.ndarray, tmp_path: Path) -> None:
    path = tmp_path / "clip.wav"
    write_wav(path, speech)
    assert abs(decode(path.read_bytes()).duration - len(speech) / SR) < 0.01
    # a browser chunk: interleaved int16 stereo at 48 kHz
    pcm = (np.stack([speech, speech * 0.1], axis=1) * 20000).astype(np.int16)
    up = np.repeat(pcm, 3, axis=0)
    a = from_array(up, 48_000)
    assert a.is_stereo and abs(a.duration - len(speech) / SR) < 0.01
    assert rms_db(a.channels[0]) - rms_db(a.channels[1]) == pytest.approx(20, abs=0.5)


# -- broken inputs: a clear, one-line message naming the file, in English and Japanese ----------
def _bad_inputs(tmp: Path, speech: np.ndarray) -> dict[str, tuple[Path, str]]:
    mp3 = convert(speech, tmp / "good.mp3", "mp3")
    m4a = convert(speech, tmp / "good.m4a", "m4a")
    empty = tmp / "empty.wav"
    empty.write_bytes(b"")
    text = tmp / "notes.wav"
    text.write_text("これは音声ではありません。\n" * 50, encoding="utf-8")
    cut_m4a = truncated(Path(shutil.copy(m4a, tmp / "cut.m4a")), 0.5)
    tiny_mp3 = truncated(Path(shutil.copy(mp3, tmp / "tiny.mp3")), 0.02)
    noise = tmp / "random.mp3"
    noise.write_bytes(np.random.default_rng(0).bytes(40_000))
    return {
        "empty": (empty, "空のファイル"),
        "zero_length": (zero_length_wav(tmp / "zero.wav"), "長さが0"),
        "text_renamed": (text, "音声ファイルとして読めません"),
        "truncated_m4a": (cut_m4a, "音声ファイルとして読めません"),
        "almost_nothing_left": (tiny_mp3, "短すぎます"),
        "random_bytes": (noise, "読めません"),
        "missing": (tmp / "nowhere.wav", "見つかりません"),
    }


@pytest.mark.parametrize("case", ["empty", "zero_length", "text_renamed", "truncated_m4a", "almost_nothing_left",
                                  "random_bytes", "missing"])
def test_bad_inputs_raise_one_clear_error(case: str, speech: np.ndarray, tmp_path: Path) -> None:
    path, japanese = _bad_inputs(tmp_path, speech)[case]
    with pytest.raises(AudioError) as err:
        decode(path)
    msg = str(err.value)
    assert "\n" not in msg and len(msg) < 200
    assert path.name in msg and japanese in msg
    assert "Errno" not in msg  # FFmpeg's internals are not for the user


@pytest.mark.parametrize("kind", ["mp3", "wav"])
def test_truncated_file_keeps_what_is_there_and_says_so(kind: str, speech: np.ndarray, tmp_path: Path) -> None:
    whole = convert(speech, tmp_path / f"whole.{kind}", kind)
    cut = truncated(Path(shutil.copy(whole, tmp_path / f"cut.{kind}")), 0.5)
    audio = decode(cut)
    full = len(speech) / SR
    assert 0.3 * full < audio.duration < 0.7 * full
    assert len(audio.warnings) == 1 and "truncated" in audio.warnings[0] and "途中で切れて" in audio.warnings[0]
    assert _similar(audio.samples, speech[: len(audio.samples)]) > 0.9


def test_streamed_wav_with_unknown_length_is_not_called_truncated(speech: np.ndarray, tmp_path: Path) -> None:
    path = tmp_path / "stream.wav"
    write_wav(path, speech)
    data = bytearray(path.read_bytes())
    data[40:44] = b"\xff\xff\xff\xff"  # data size "unknown", as streaming recorders write it
    path.write_bytes(bytes(data))
    audio = decode(path)
    assert audio.warnings == [] and abs(audio.duration - len(speech) / SR) < 0.01


def test_write_wav_round_trip(tmp_path: Path) -> None:
    x = np.sin(np.linspace(0, 200 * np.pi, SAMPLE_RATE)).astype(np.float32) * 0.5
    write_wav(tmp_path / "s.wav", np.stack([x, -x]))
    with wave.open(str(tmp_path / "s.wav")) as w:
        assert (w.getnchannels(), w.getframerate(), w.getsampwidth()) == (2, SAMPLE_RATE, 2)
    back = decode(tmp_path / "s.wav")
    assert np.abs(back.channels[0] - x).max() < 1e-3 and np.abs(back.channels[1] + x).max() < 1e-3
