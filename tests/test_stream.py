"""The streaming engine on real audio with the real Whisper model and Silero VAD."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.app.config import REPO_ROOT
from assistant.asr.audio import SAMPLE_RATE, Audio, decode, from_array, resample
from assistant.asr.stream import LiveTranscription, StreamConfig, StreamingTranscriber
from assistant.text.metrics import cer

DEMO = REPO_ROOT / "assistant" / "demo" / "demo_dialogue.wav"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_audio() -> Audio:
    return decode(DEMO)


def _reference_lines() -> list[str]:
    text = (DEMO.with_suffix(".txt")).read_text(encoding="utf-8")
    return [line.split(":", 1)[1].strip() for line in text.splitlines() if ":" in line]


def _feed(engine: StreamingTranscriber, samples: np.ndarray, chunk: float = 0.5):
    """Feed like the browser does (0.5 s chunks) and collect final results as they come."""
    results, history = [], []
    step = int(chunk * SAMPLE_RATE)
    for i in range(0, len(samples), step):
        engine.feed(Audio(samples[i:i + step]))
        for r in engine.step():
            results.append(r)
            history.append([s.text for r2 in results for s in r2.segments])
    return results, history


def test_utterances_become_final_after_pauses(transcriber, demo_audio):
    engine = StreamingTranscriber(transcriber, config=StreamConfig(), first_id=1)
    part = demo_audio.samples[: 26 * SAMPLE_RATE]  # four turns of the demo dialogue
    results, history = _feed(engine, part)
    results += engine.flush()
    segs = [s for r in results for s in r.segments]
    assert len(results) >= 3, "each pause between turns should end an utterance"
    assert [s.id for s in segs] == list(range(1, len(segs) + 1))
    assert all(a.end <= b.start + 0.5 for a, b in zip(segs, segs[1:], strict=False)), "times go forward"
    # Confirmed text never changes: every later history starts with the earlier one.
    for earlier, later in zip(history, history[1:], strict=False):
        assert later[: len(earlier)] == earlier
    hyp = "".join(s.text for s in segs)
    ref = "".join(_reference_lines()[:4])
    assert cer(ref, hyp) < 0.45, (ref, hyp)
    assert all(s.speaker == "unknown" for s in segs)  # one microphone: nobody is guessed


def test_memory_and_work_stay_bounded_over_long_silence(transcriber):
    engine = StreamingTranscriber(transcriber)
    noise = (np.random.default_rng(0).standard_normal(60 * SAMPLE_RATE) * 1e-4).astype(np.float32)
    results, _ = _feed(engine, noise)
    assert results == [] and engine.provisional.text == ""
    assert len(engine.buf) < 3 * SAMPLE_RATE, "silence is not kept in memory"
    assert engine.position == pytest.approx(60.0, abs=0.01)


def test_offset_and_first_id_continue_a_resumed_consultation(transcriber, demo_audio):
    engine = StreamingTranscriber(transcriber, first_id=41, offset=600.0)
    results, _ = _feed(engine, demo_audio.samples[: 12 * SAMPLE_RATE])
    results += engine.flush()
    segs = [s for r in results for s in r.segments]
    assert segs and segs[0].id == 41
    assert all(600.0 <= s.start < 612.5 for s in segs)


def test_browser_chunks_48k_int16_stereo_are_accepted(transcriber, demo_audio):
    """Chromium without audio processing sends (n, 2) arrays; with it, 48 kHz mono int16."""
    x48 = resample(demo_audio.samples[: 8 * SAMPLE_RATE], SAMPLE_RATE, 48_000)
    pcm = (np.clip(x48, -1, 1) * 32767).astype(np.int16)
    stereo = np.stack([pcm, pcm], axis=1)
    engine = StreamingTranscriber(transcriber)
    results = []
    for i in range(0, len(stereo), 24_000):
        engine.feed(from_array(stereo[i:i + 24_000], 48_000))
        results += engine.step()
    results += engine.flush()
    text = "".join(s.text for r in results for s in r.segments)
    assert "相談" in text or "窓口" in text, text


def test_flush_finalises_speech_in_progress(transcriber, demo_audio):
    engine = StreamingTranscriber(transcriber, config=StreamConfig(provisional=False))
    # Cut in the middle of the first turn: no pause has been heard yet.
    engine.feed(Audio(demo_audio.samples[: int(2.5 * SAMPLE_RATE)]))
    assert engine.step() == []
    results = engine.flush()
    assert results and results[0].segments, "the utterance in progress must not be lost on stop"


def test_live_transcription_worker_reports_finals_in_order(transcriber, demo_audio):
    got = []
    engine = StreamingTranscriber(transcriber)
    live = LiveTranscription(engine, got.append)
    try:
        for i in range(0, 14 * SAMPLE_RATE, 8000):
            live.feed(Audio(demo_audio.samples[i:i + 8000]))
        live.flush()
    finally:
        live.close()
    ids = [s.id for r in got for s in r.segments]
    assert ids == sorted(ids) and len(ids) >= 2
    assert all(r.utterance.speech_end_wall <= r.decoded_at for r in got)


def test_final_decode_during_the_pause_gives_the_same_text(transcriber, demo_audio):
    """The final decode may start once the pause has lasted speech_pad_ms; what becomes final is the
    same audio decoded the same way, so the text and times are those of the decode after the pause."""
    part = demo_audio.samples[: 26 * SAMPLE_RATE]
    runs = {}
    for early in (True, False):
        engine = StreamingTranscriber(transcriber, config=StreamConfig(provisional=False, early_final=early))
        results, _ = _feed(engine, part)
        results += engine.flush()
        runs[early] = (engine, [(s.start, s.end, s.text) for r in results for s in r.segments], results)
    engine, with_early, results = runs[True]
    assert engine.decodes["early_used"] >= 1 and any(r.early for r in results)
    assert runs[False][0].decodes["early"] == 0
    assert with_early == runs[False][1]


def test_speech_resuming_after_a_short_pause_discards_the_early_decode(transcriber, demo_audio):
    engine = StreamingTranscriber(transcriber, config=StreamConfig(provisional=False))
    x = demo_audio.samples[: 12 * SAMPLE_RATE]
    gap = int(0.35 * SAMPLE_RATE)  # longer than speech_pad_ms, shorter than min_silence_ms

    def loud(a: np.ndarray) -> bool:
        return float(np.sqrt(np.mean(a ** 2))) > 0.02

    voiced = [i for i in range(2 * SAMPLE_RATE, 10 * SAMPLE_RATE, SAMPLE_RATE // 2)
              if loud(x[i - gap - 4000:i - gap]) and loud(x[i - gap:i - gap + 4000])]
    assert voiced, "the demo has speech"
    cut = voiced[0]  # the inserted pause ends on a chunk boundary, in the middle of speech
    y = np.concatenate([x[: cut - gap], np.zeros(gap, dtype=np.float32), x[cut - gap:]])
    results, _ = _feed(engine, y)
    results += engine.flush()
    assert engine.decodes["early"] >= 1, "the pause started an early final decode"
    first = results[0].utterance
    assert first.start < cut - gap and first.end > cut, "a short pause does not end the utterance"
    # the decode started in the short pause covered less audio: it was discarded, not made final
    assert engine.decodes["early"] > engine.decodes["early_used"]
