"""Incremental transcription of a live microphone stream.

Why it is built this way: a counter consultation lasts up to an hour on a 2-core PC, so the cost of
each step must not grow with the conversation. Audio arrives in 0.5 s chunks. Silero VAD (the
model bundled with faster-whisper) scores every new 32 ms window exactly once; a small state machine
on those scores finds where an utterance starts and where it ends (a pause of ``min_silence_ms``).

- While someone speaks, the unfinished utterance (and only that) is re-decoded with beam 1, at most
  every ``provisional_interval_s`` and at most ``provisional_duty`` of the time, to show provisional
  text. No provisional decode starts once a pause may have begun (100 ms), so it rarely delays a final.
- When the pause has lasted ``speech_pad_ms`` every sample of the utterance's final audio has
  arrived, so its final decode starts then, during the pause; if speech resumes before the pause
  is confirmed, the result is discarded. Otherwise the finished utterance is decoded once the pause
  is confirmed (``min_silence_ms``). Either way it is decoded once with the configured beam on
  exactly the same audio, and becomes final: final segments get fresh ids, are handed to
  ``on_final`` (which commits them to the store) and never change afterwards.
- Audio before the unfinished utterance is dropped from memory, so minute 60 costs what minute 1 did.
- An utterance longer than ``max_utterance_s`` is cut at its last short pause (or hard) so that
  nobody waits for a monologue to end.

``StreamingTranscriber`` is the synchronous engine (deterministic, easy to test);
``LiveTranscription`` runs it on a worker thread so that the UI handler that feeds chunks never
waits for the decoder. The benchmark (``benchmarks/live.py``) drives the same classes.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from assistant import offline  # noqa: F401  (before onnxruntime)
from assistant.asr.audio import SAMPLE_RATE, Audio
from assistant.asr.hallucination import confidence
from assistant.asr.live_speakers import LiveSpeakers
from assistant.asr.speakers import group_words, speaker_id_for
from assistant.asr.transcribe import Transcriber
from assistant.asr.transcript import Segment

WINDOW = 512  # Silero VAD window at 16 kHz (32 ms)


@dataclass
class StreamConfig:
    """Endpointing and decoding budget of the live path (``[stream]`` in assistant.toml)."""

    threshold: float = 0.5  # VAD probability that starts speech
    neg_threshold: float = 0.35  # below this, a window counts as silence
    min_silence_ms: int = 500  # pause that ends an utterance
    min_speech_ms: int = 250  # shorter bursts are noise (a cough, a chair)
    speech_pad_ms: int = 200  # audio kept either side of the speech
    max_utterance_s: float = 20.0
    provisional_interval_s: float = 1.0
    provisional_duty: float = 0.33  # share of the time provisional decodes may keep the decoder busy
    provisional_beam: int = 1
    final_beam: int = 0  # 0 = [asr] beam_size
    provisional: bool = True
    early_final: bool = True  # start the final decode during the pause (see ``_early_due``)

    @classmethod
    def from_config(cls, section: dict | None) -> StreamConfig:
        section = section or {}
        known = {k: type(getattr(cls(), k))(v) for k, v in section.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass
class Utterance:
    """A finished stretch of speech, in absolute samples of the consultation timeline."""

    start: int
    end: int
    voice_end: int  # last voiced sample (end of speech, before padding)
    speech_end_wall: float = 0.0  # wall-clock time at which that sample was captured
    closed_at: float = 0.0  # wall clock when the pause was seen (the utterance became due)


@dataclass
class FinalResult:
    segments: list[Segment]
    utterance: Utterance
    decoded_at: float  # wall clock when the final text existed
    decode_seconds: float
    started_at: float = 0.0  # wall clock when its decode began
    early: bool = False  # decoded during the pause, before the utterance was closed
    revisions: list[Segment] = field(default_factory=list)  # earlier lines whose role/voice changed
    speaker_seconds: float = 0.0  # time spent on voices and roles (mono diarisation)


@dataclass
class _Early:
    """A final decode started as soon as the pause began (see ``_decode_early``)."""

    start: int
    end: int
    prompt: str | None
    raw: list[dict]
    started_at: float
    decoded_at: float


@dataclass
class Provisional:
    text: str = ""
    start: float = 0.0  # seconds on the consultation timeline
    updated_at: float = 0.0


def _vad_model():
    from faster_whisper.vad import get_vad_model

    return get_vad_model()


class StreamingTranscriber:
    """Synchronous streaming engine: ``feed`` audio, then ``step`` to decode what is due."""

    def __init__(
        self,
        transcriber: Transcriber,
        *,
        config: StreamConfig | None = None,
        first_id: int = 1,
        offset: float = 0.0,
        speaker: Callable[[], str] | None = None,
        prompt: Callable[[], str | None] | None = None,
        voices: LiveSpeakers | None = None,
    ) -> None:
        self.t = transcriber
        self.cfg = config or StreamConfig()
        self.next_id = first_id
        self.origin = int(round(offset * SAMPLE_RATE))  # absolute sample index of buf[0]
        self.total = self.origin  # absolute index of the next sample to arrive
        self.buf = np.zeros(0, dtype=np.float32)
        self.chan: np.ndarray | None = None  # (2, n) when the stream is stereo
        self.vad_pos = self.origin  # next window to score
        self.speech_start: int | None = None
        self.last_voice = 0
        self.voiced = 0
        self.last_gap: int | None = None  # a short pause inside the current utterance (for long cuts)
        self.pending: collections.deque[Utterance] = collections.deque()
        self.provisional = Provisional()
        self._last_provisional_end = 0.0
        self._last_provisional_cost = 0.0
        self._walls: collections.deque[tuple[int, float]] = collections.deque(maxlen=4096)
        self._speaker = speaker or (lambda: "unknown")
        self.voices = voices  # mono: voices and roles from the audio itself (``live_speakers``)
        self.speaker_errors: list[str] = []  # lines stay 話者不明 when roles fail; shown to staff
        self._prompt = prompt or (lambda: None)
        self._lock = threading.Lock()  # guards the buffers (feed vs. step)
        self._step_lock = threading.Lock()  # one decoder pass at a time keeps ids in order
        self._vad = _vad_model()
        self.final_beam = int(self.cfg.final_beam or self.t.asr["beam_size"])
        self._early: _Early | None = None  # final decode of the utterance whose pause has begun
        self._early_tried: tuple[int, int] | None = None
        self.decodes = {"final": 0, "early": 0, "early_used": 0, "provisional": 0}

    # -- input ---------------------------------------------------------------------------
    def feed(self, audio: Audio, wall: float | None = None) -> None:
        """Append a chunk (any rate already resampled to 16 kHz) and score new VAD windows."""
        wall = time.monotonic() if wall is None else wall
        with self._lock:
            n = len(audio.samples)
            if n == 0:
                return
            if audio.channels is not None:
                if self.chan is None:
                    self.chan = np.zeros((2, len(self.buf)), dtype=np.float32)
                self.chan = np.concatenate([self.chan, audio.channels.astype(np.float32)], axis=1)
            elif self.chan is not None:
                self.chan = np.concatenate([self.chan, np.stack([audio.samples, audio.samples])], axis=1)
            self.buf = np.concatenate([self.buf, audio.samples.astype(np.float32)])
            self.total += n
            self._walls.append((self.total, wall))
            self._score_vad()

    def _score_vad(self) -> None:
        avail = (self.total - self.vad_pos) // WINDOW
        if avail <= 0:
            return
        rel = self.vad_pos - self.origin
        ctx = WINDOW if rel >= WINDOW else 0  # the previous window gives the model its context
        audio = self.buf[rel - ctx: rel + avail * WINDOW]
        probs = np.asarray(self._vad(audio)).reshape(-1)
        probs = probs[ctx // WINDOW:]
        cfg = self.cfg
        min_sil = cfg.min_silence_ms * SAMPLE_RATE // 1000
        pad = cfg.speech_pad_ms * SAMPLE_RATE // 1000
        max_len = int(cfg.max_utterance_s * SAMPLE_RATE)
        for i, p in enumerate(probs):
            w0 = self.vad_pos + i * WINDOW
            w1 = w0 + WINDOW
            if self.speech_start is None:
                if p >= cfg.threshold:
                    self.speech_start, self.last_voice, self.voiced, self.last_gap = w0, w1, WINDOW, None
                continue
            if p >= cfg.neg_threshold:
                if w0 - self.last_voice >= int(0.15 * SAMPLE_RATE):
                    self.last_gap = self.last_voice  # a short pause we may cut at later
                self.last_voice = w1
                if p >= cfg.threshold:
                    self.voiced += WINDOW
            elif w1 - self.last_voice >= min_sil:
                self._close(self.last_voice, pad)
                continue
            if w1 - self.speech_start >= max_len:
                cut = self.last_gap if self.last_gap and self.last_gap - self.speech_start > 3 * SAMPLE_RATE else w1
                self._close(cut, pad, reopen_at=cut)
        self.vad_pos += len(probs) * WINDOW

    def _close(self, voice_end: int, pad: int, reopen_at: int | None = None) -> None:
        start = max(self.origin, self.speech_start - pad)
        end = min(self.total, voice_end + pad) if reopen_at is None else voice_end
        if self.voiced * 1000 >= self.cfg.min_speech_ms * SAMPLE_RATE:
            self.pending.append(Utterance(start, end, voice_end, self._wall_of(voice_end), time.monotonic()))
        if reopen_at is not None:
            self.speech_start, self.voiced, self.last_gap = reopen_at, WINDOW, None
        else:
            self.speech_start = None
            self.provisional = Provisional()

    def _wall_of(self, sample: int) -> float:
        """Wall-clock time at which an absolute sample was captured (its chunk's arrival minus lag)."""
        for end, wall in self._walls:
            if end >= sample:
                return wall - (end - sample) / SAMPLE_RATE
        return time.monotonic()

    # -- decoding ------------------------------------------------------------------------
    def has_work(self) -> bool:
        return bool(self.pending) or self._early_due() is not None or self._provisional_due()

    def _pad(self) -> int:
        return self.cfg.speech_pad_ms * SAMPLE_RATE // 1000

    def _early_due(self) -> tuple[int, int] | None:
        """The (start, end) of the utterance in progress if its pause has lasted ``speech_pad_ms``.

        From then on every sample its final decode needs has arrived: the utterance will end
        exactly there unless speech resumes within ``min_silence_ms``. Decoding it now instead of
        when the pause is confirmed takes up to one chunk (0.5 s) off the wait for final text;
        if speech resumes, the result is simply not used.
        """
        if not self.cfg.early_final or self.speech_start is None:
            return None
        if self.voiced * 1000 < self.cfg.min_speech_ms * SAMPLE_RATE:
            return None
        pad = self._pad()
        if self.vad_pos - self.last_voice < pad or self.total < self.last_voice + pad:
            return None
        key = (max(self.origin, self.speech_start - pad), self.last_voice + pad)
        return None if key == self._early_tried else key

    def _provisional_due(self) -> bool:
        if not self.cfg.provisional or self.speech_start is None:
            return False
        if self.vad_pos - self.last_voice >= int(0.1 * SAMPLE_RATE):
            return False  # a pause may have begun: the final decode is probably next, keep the decoder free
        since = time.monotonic() - self._last_provisional_end
        # Bounded duty: a provisional decode cannot be interrupted, so the more of the time it runs,
        # the more often a final decode has to wait for it (measured: ~0.8 s at p95 at 50 % duty).
        duty = min(max(self.cfg.provisional_duty, 0.05), 1.0)
        interval = max(self.cfg.provisional_interval_s, self._last_provisional_cost * (1.0 - duty) / duty)
        return since >= interval and (self.last_voice - self.speech_start) >= int(0.4 * SAMPLE_RATE)

    def step(self) -> list[FinalResult]:
        """Decode what is due: every finished utterance first, else one provisional pass."""
        with self._step_lock:
            return self._step()

    def _step(self) -> list[FinalResult]:
        # One utterance per call, so the caller can commit it before the next one is decoded.
        with self._lock:
            utt = self.pending.popleft() if self.pending else None
            if utt is not None:
                samples, chan = self._slice(utt.start, utt.end)
            early_key = None if utt is not None else self._early_due()
        if utt is not None:
            result = self._final(utt, samples, chan)
            with self._lock:
                self._trim()
            return [result]
        if early_key is not None:
            self._decode_early(early_key)
        elif self._provisional_due():
            self._decode_provisional()
        with self._lock:
            self._trim()
        return []

    def drain(self) -> list[FinalResult]:
        """Decode every finished utterance now (used on flush and by tests)."""
        results: list[FinalResult] = []
        while self.pending:
            results += self.step()
        return results

    def flush(self) -> list[FinalResult]:
        """End of a take (stop, pause, end): whatever speech is in progress becomes final."""
        with self._lock:
            if self.speech_start is not None:
                self._close(self.last_voice, self.cfg.speech_pad_ms * SAMPLE_RATE // 1000)
            self.provisional = Provisional()
        return self.drain()

    def _slice(self, start: int, end: int) -> tuple[np.ndarray, np.ndarray | None]:
        a, b = start - self.origin, end - self.origin
        chan = self.chan[:, a:b].copy() if self.chan is not None else None
        return self.buf[a:b].copy(), chan

    def _trim(self) -> None:
        """Forget audio nobody needs any more (keeps memory and VAD cost flat)."""
        keep_from = min(self.vad_pos - WINDOW, self.total - self.cfg.speech_pad_ms * SAMPLE_RATE // 1000 - WINDOW)
        if self.speech_start is not None:
            keep_from = min(keep_from, self.speech_start - self.cfg.speech_pad_ms * SAMPLE_RATE // 1000)
        for utt in self.pending:
            keep_from = min(keep_from, utt.start)
        drop = keep_from - self.origin
        if drop > SAMPLE_RATE:  # trim in ≥ 1 s steps
            self.buf = self.buf[drop:]
            if self.chan is not None:
                self.chan = self.chan[:, drop:]
            self.origin += drop

    def _decode_provisional(self) -> None:
        with self._lock:
            if self.speech_start is None:
                return
            start = max(self.origin, self.speech_start - self.cfg.speech_pad_ms * SAMPLE_RATE // 1000)
            samples, _ = self._slice(start, self.total)
        t0 = time.monotonic()
        raw = self.t.decode_segments(samples, vad=False, beam_size=self.cfg.provisional_beam,
                                     initial_prompt=self._prompt())
        raw = self.t._clean(raw, bool(self.t.asr.get("hallucination_filter", True)))
        text = "".join(r["text"] for r in raw)
        now = time.monotonic()
        self._last_provisional_cost = now - t0
        self._last_provisional_end = now
        self.decodes["provisional"] += 1
        with self._lock:
            if self.speech_start is not None:  # the utterance may have ended meanwhile
                self.provisional = Provisional(text=text, start=start / SAMPLE_RATE, updated_at=now)

    def _decode_final(self, samples: np.ndarray, stereo: bool, prompt: str | None) -> list[dict]:
        """The one decode that makes text final (configured beam; words only to split stereo)."""
        raw = self.t.decode_segments(samples, vad=False, beam_size=self.final_beam, word_timestamps=stereo,
                                     initial_prompt=prompt)
        return self.t._clean(raw, bool(self.t.asr.get("hallucination_filter", True)))

    @staticmethod
    def _stereo(chan: np.ndarray | None) -> bool:
        return chan is not None and not np.allclose(chan[0], chan[1])

    def _decode_early(self, key: tuple[int, int]) -> None:
        """Final decode of the utterance in progress during its pause (see ``_early_due``)."""
        with self._lock:
            self._early_tried = key
            samples, chan = self._slice(*key)
        prompt = self._prompt()
        t0 = time.monotonic()
        raw = self._decode_final(samples, self._stereo(chan), prompt)
        now = time.monotonic()
        self.decodes["early"] += 1
        with self._lock:
            self._early = _Early(key[0], key[1], prompt, raw, t0, now)
            if self.speech_start is not None and self._early_tried == key:  # still paused: show it
                text = "".join(r["text"] for r in raw)
                if text:
                    self.provisional = Provisional(text=text, start=key[0] / SAMPLE_RATE, updated_at=now)

    def _final(self, utt: Utterance, samples: np.ndarray, chan: np.ndarray | None) -> FinalResult:
        t0 = time.monotonic()
        stereo = self._stereo(chan)
        prompt = self._prompt()
        early = self._early
        used_early = early is not None and (early.start, early.end, early.prompt) == (utt.start, utt.end, prompt)
        if early is not None and (used_early or early.end <= utt.end):
            self._early = None  # used now, or speech went on after it: stale
        if early is not None and used_early:
            raw, t0, decode_seconds = early.raw, early.started_at, early.decoded_at - early.started_at
            self.decodes["early_used"] += 1
        else:
            raw = self._decode_final(samples, stereo, prompt)
            decode_seconds = time.monotonic() - t0
            self.decodes["final"] += 1
        offset = utt.start / SAMPLE_RATE
        segments: list[Segment] = []
        live_speaker = self._speaker()
        for r in raw:
            conf = confidence(r["avg_logprob"], r["no_speech_prob"])
            if stereo and r["words"]:
                pieces = [(role, ws[0].start, ws[-1].end, "".join(w.text for w in ws).strip())
                          for role, ws in group_words(chan, r["words"], self.t.channel_map)]
            else:
                pieces = [(live_speaker, r["start"], r["end"], r["text"])]
            for role, start, end, text in pieces:
                text = self.t.apply_postprocessors(text)
                if not text:
                    continue
                segments.append(Segment(
                    id=self.next_id, start=round(offset + start, 3),
                    end=round(min(offset + end, utt.end / SAMPLE_RATE), 3), text=text, speaker=role,
                    speaker_id=speaker_id_for(role, self.t.channel_map) if stereo else None,
                    confidence=conf, flags=list(r["flags"]),
                ))
                self.next_id += 1
        revisions, t1 = [], time.monotonic()
        if not stereo and live_speaker == "unknown" and self.voices is not None:
            try:
                revisions = self.voices.add(samples, offset, segments)
            except Exception as exc:  # noqa: BLE001 - a role failure must never lose the final text
                self.speaker_errors.append(f"話者の判別に失敗しました（{type(exc).__name__}: {exc}）")
        now = time.monotonic()
        return FinalResult(segments=segments, utterance=utt, decoded_at=now, decode_seconds=decode_seconds,
                           started_at=t0, early=used_early, revisions=revisions, speaker_seconds=now - t1)

    @property
    def position(self) -> float:
        """Seconds of audio received on the consultation timeline."""
        return self.total / SAMPLE_RATE


@dataclass
class LiveStats:
    finals: list[FinalResult] = field(default_factory=list)
    provisional_decodes: int = 0


class LiveTranscription:
    """Runs a ``StreamingTranscriber`` on its own thread; ``feed`` never blocks on decoding.

    ``on_final`` is called on the worker thread with each utterance's final segments, in order;
    it is where the caller commits them (a crash after that loses nothing already said).
    """

    def __init__(self, engine: StreamingTranscriber, on_final: Callable[[FinalResult], None]) -> None:
        self.engine = engine
        self.on_final = on_final
        self.errors: list[str] = []
        self._cond = threading.Condition()
        self._dirty = False
        self._stop = False
        self._busy = False
        self._thread = threading.Thread(target=self._run, name="live-transcription", daemon=True)
        self._thread.start()

    def feed(self, audio: Audio, wall: float | None = None) -> None:
        self.engine.feed(audio, wall)
        with self._cond:
            self._dirty = True
            self._cond.notify()

    @property
    def provisional(self) -> Provisional:
        return self.engine.provisional

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stop and not self._dirty and not self.engine.has_work():
                    self._cond.wait(timeout=0.2)
                if self._stop:
                    return
                self._dirty = False
                self._busy = True
            try:
                for result in self.engine.step():
                    self.on_final(result)
            except Exception as exc:  # noqa: BLE001 - keep the worker alive; the UI shows the message
                self.errors.append(f"{type(exc).__name__}: {exc}")
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def idle(self, timeout: float = 30.0) -> bool:
        """Wait until every queued utterance has been decoded."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while (self._busy or self.engine.pending or self._dirty) and time.monotonic() < deadline:
                self._cond.notify_all()
                self._cond.wait(timeout=0.05)
            return not (self._busy or self.engine.pending)

    def flush(self, timeout: float = 60.0) -> None:
        """Finalise the utterance in progress now (on stop, pause, end)."""
        self.idle(timeout)
        with self._cond:
            self._busy = True
        try:
            for result in self.engine.flush():
                self.on_final(result)
        finally:
            with self._cond:
                self._busy = False
                self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        self._thread.join(timeout=30)
