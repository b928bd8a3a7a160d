"""Japanese speech → transcript/1 with faster-whisper, offline.

One ``Transcriber`` holds one loaded model; it is cheap to call repeatedly (the streaming engine
and the batch runner share this code path). Decoding uses Silero VAD (bundled with faster-whisper)
so silence never reaches the decoder, and every segment passes ``assistant.asr.hallucination``.

Scheme vocabulary: speech recognition does not correct scheme names (that is a post-ASR stage,
``assistant.schemes.postasr``, which keeps the recognised text); with ``[asr] vocabulary_prompt`` a recording
is decoded window by window (≤ 30 s of speech each) and each window's ``initial_prompt`` carries
the scheme names the conversation so far points to. A prompt can make Whisper stop early and skip
the rest of a window, so a window whose text falls short of its speech is decoded again without it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from assistant import offline  # noqa: F401  (must precede faster_whisper / onnxruntime imports)
from assistant.app.config import Config, get_config
from assistant.asr.attribute import Piece, diarise_raw, roles_for, voice_runs
from assistant.asr.audio import SAMPLE_RATE, Audio, decode
from assistant.asr.hallucination import check_segment, confidence, drop_repeated_segments
from assistant.asr.model_setup import model_dir
from assistant.asr.speakers import ChannelMap, Word, channel_role, group_words, speaker_id_for
from assistant.asr.transcript import Segment, Transcript

PostProcessor = Callable[[str], str]
VocabularyPrompt = Callable[[str, Callable[[str], int]], "str | None"]


def default_threads(workers: int = 1) -> int:
    """Threads per model so that workers × threads never exceed the cores."""
    cores = os.cpu_count() or 1
    return max(1, cores // max(1, workers))


class Transcriber:
    """A loaded Whisper model plus the decoding settings from ``[asr]``."""

    def __init__(self, cfg: Config | None = None, *, workers: int = 1, **overrides) -> None:
        from faster_whisper import WhisperModel

        self.cfg = cfg or get_config()
        self.asr = {**self.cfg["asr"], **overrides}
        self.model_path: Path = model_dir(self.cfg) if not self.asr.get("model_path") else Path(self.asr["model_path"])
        threads = int(self.asr.get("cpu_threads") or 0) or default_threads(workers)
        self.model = WhisperModel(
            str(self.model_path), device=self.asr["device"], compute_type=self.asr["compute_type"],
            cpu_threads=threads, num_workers=1, local_files_only=True,
        )
        self.model_name = str(self.asr.get("model_name") or self.model_path.name)
        if self.asr.get("model_dir"):
            self.model_name = Path(str(self.asr["model_dir"])).name
        self.channel_map = ChannelMap.from_config(self.cfg["speakers"])
        self.threads = threads
        self._lock = threading.Lock()  # CTranslate2 models are not re-entrant per instance here
        self.postprocessors: list[PostProcessor] = []
        # Per-window vocabulary prompts ([asr] vocabulary_prompt) come from a later stage that knows
        # the schemes; speech recognition only calls what it is given: (context, count_tokens) → prompt.
        self.vocabulary: VocabularyPrompt | None = None

    def count_tokens(self, text: str) -> int:
        """Whisper tokens of a prompt text (its own tokenizer, so the 223-token limit is exact)."""
        return len(self.model.hf_tokenizer.encode(" " + text.strip()).ids)

    def prompt_for(self, context: str) -> str | None:
        """The vocabulary prompt for the next stretch of a conversation (None: no prompt)."""
        fixed = self.asr.get("initial_prompt") or None
        if fixed or not _truthy(self.asr.get("vocabulary_prompt")):
            return fixed
        if self.vocabulary is None:
            return None
        return self.vocabulary(context[-PROMPT_CONTEXT_CHARS:], self.count_tokens)

    # ------------------------------------------------------------------------------------
    def decode_segments(
        self,
        samples: np.ndarray,
        *,
        initial_prompt: str | None = None,
        word_timestamps: bool = False,
        vad: bool | None = None,
        beam_size: int | None = None,
    ) -> list[dict]:
        """Run Whisper on 16 kHz mono samples; return raw kept segments as dicts (seconds)."""
        vad = self.asr["vad_filter"] if vad is None else vad
        prompt = initial_prompt if initial_prompt is not None else (self.asr.get("initial_prompt") or None)
        segs = self._decode_raw(samples, prompt, word_timestamps, vad=bool(vad), beam_size=beam_size)
        return [self._as_dict(s) for s in segs]

    def _windowed(self) -> bool:
        """Per-window vocabulary prompts are in use (VAD on, no fixed prompt, a knowledge base)."""
        return (_truthy(self.asr.get("vocabulary_prompt")) and bool(self.asr["vad_filter"])
                and not self.asr.get("initial_prompt") and self.vocabulary is not None)

    def decode_conversation(self, samples: np.ndarray, *, word_timestamps: bool = False) -> list[dict]:
        """Decode a whole recording window by window with a per-window vocabulary prompt.

        Windows are groups of VAD speech chunks of at most 30 s, so each is one Whisper window
        and no word is cut at a window edge. Returns raw segments like ``decode_segments``.
        """
        from faster_whisper.transcribe import restore_speech_timestamps
        from faster_whisper.vad import VadOptions, collect_chunks, get_speech_timestamps

        vad = VadOptions(min_silence_duration_ms=int(self.asr["vad_min_silence_ms"]))
        chunks = get_speech_timestamps(samples, vad)
        if not chunks:
            return []
        audio_chunks, metadata = collect_chunks(samples, chunks, max_duration=WINDOW_SECONDS)
        out: list[dict] = []
        context = ""
        for audio_w, meta in zip(audio_chunks, metadata, strict=True):
            if not len(audio_w):
                continue
            speech = len(audio_w) / SAMPLE_RATE
            prompt = self.prompt_for(context)
            raw = self._decode_raw(audio_w, prompt, word_timestamps, vad=False)
            if prompt and _fell_short(raw, speech):
                raw = self._decode_raw(audio_w, None, word_timestamps, vad=False)
            segs = list(restore_speech_timestamps(raw, meta["segments"], SAMPLE_RATE))
            out += [self._as_dict(sg) for sg in segs]
            context += "".join(sg.text for sg in segs)
        return out

    def _decode_raw(self, samples: np.ndarray, prompt: str | None, word_timestamps: bool, *, vad: bool,
                    beam_size: int | None = None) -> list:
        """faster-whisper segments (materialised) with this transcriber's settings."""
        with self._lock:
            segments, _info = self.model.transcribe(
                samples,
                language=self.asr["language"],
                beam_size=int(beam_size or self.asr["beam_size"]),
                vad_filter=bool(vad),
                vad_parameters={"min_silence_duration_ms": int(self.asr["vad_min_silence_ms"])} if vad else None,
                initial_prompt=prompt,
                condition_on_previous_text=False,  # stops one bad segment from poisoning the rest
                word_timestamps=word_timestamps,
                temperature=[0.0, 0.2, 0.4, 0.6],
                compression_ratio_threshold=2.4,
                no_speech_threshold=0.6,
                log_prob_threshold=-1.0,
            )
            return list(segments)

    @staticmethod
    def _as_dict(s) -> dict:
        return {
            "start": float(s.start), "end": float(s.end), "text": s.text.strip(),
            "avg_logprob": float(s.avg_logprob), "no_speech_prob": float(s.no_speech_prob),
            "compression_ratio": float(s.compression_ratio),
            "words": [Word(float(w.start), float(w.end), w.word, float(w.probability)) for w in (s.words or [])],
        }

    def _clean(self, raw: list[dict], guard: bool) -> list[dict]:
        """Apply ``assistant.asr.hallucination`` to decoded segments (drop, trim or flag)."""
        if not guard:
            for r in raw:
                r["flags"] = []
            return raw
        kept = []
        for r in raw:
            verdict = check_segment(r["text"], avg_logprob=r["avg_logprob"], no_speech_prob=r["no_speech_prob"],
                                    compression_ratio=r["compression_ratio"])
            if verdict.keep:
                # trimmed text (a loop collapsed, a closing phrase cut) no longer matches its words
                r["modified"] = verdict.text != r["text"]
                r["text"], r["flags"] = verdict.text, verdict.flags
                kept.append(r)
        return drop_repeated_segments(kept)

    def apply_postprocessors(self, text: str) -> str:
        for fn in self.postprocessors:
            text = fn(text)
        return text

    # ------------------------------------------------------------------------------------
    def transcribe(
        self,
        audio: Audio | str | Path,
        *,
        source: str | None = None,
        initial_prompt: str | None = None,
        first_id: int = 1,
        offset: float = 0.0,
    ) -> Transcript:
        """Transcribe a whole recording. Stereo input gets staff/citizen labels by channel."""
        if not isinstance(audio, Audio):
            source = source if source is not None else str(audio)
            audio = decode(audio)
        stereo = audio.is_stereo
        # Word timestamps always: VAD joins speech chunks, so one Whisper segment can span a long
        # silence; its words show where (see split_at_gaps), and stereo needs them per word.
        if initial_prompt is None and self._windowed():
            raw = self.decode_conversation(audio.samples, word_timestamps=True)
        else:
            raw = self.decode_segments(audio.samples, initial_prompt=initial_prompt, word_timestamps=True)
        raw = self._clean(raw, bool(self.asr.get("hallucination_filter", True)))
        if stereo:
            labelled = self._stereo_pieces(audio, raw)
        elif raw and _truthy(self.cfg["speakers"].get("diarise_mono", True)):
            labelled = self._mono_pieces(audio, raw)
        else:
            labelled = [("unknown", None, start, end, text, r) for _, start, end, text, r in _plain_pieces(raw)]
        segments: list[Segment] = []
        next_id = first_id
        duration = audio.duration
        for role, sid, start, end, text, r in labelled:
            text = self.apply_postprocessors(text)
            if not text:
                continue
            start, end = max(0.0, min(start, duration)), max(0.0, min(end, duration))
            segments.append(Segment(
                id=next_id, start=start + offset, end=max(end, start) + offset, text=text, speaker=role,
                speaker_id=sid, confidence=confidence(r["avg_logprob"], r["no_speech_prob"]), flags=list(r["flags"]),
            ))
            next_id += 1
        return Transcript(source=source or "", duration=audio.duration, language=self.asr["language"],
                          model=self.model_name, segments=segments)


    def _stereo_pieces(self, audio: Audio, raw: list[dict]) -> list[tuple]:
        """Stereo: each word to the louder channel's role (``assistant.asr.speakers``)."""
        out: list[tuple] = []
        for r in raw:
            groups = split_at_gaps(r["words"]) if r["words"] and not r.get("modified") else []
            for ws in groups:
                out += [(role, speaker_id_for(role, self.channel_map), run[0].start, run[-1].end, _join(run), r)
                        for role, run in group_words(audio.channels, ws, self.channel_map)]
            if not groups:
                role = channel_role(audio.channels, r["start"], r["end"], self.channel_map) or "unknown"
                out.append((role, speaker_id_for(role, self.channel_map), r["start"], r["end"], r["text"], r))
        return out

    def _mono_pieces(self, audio: Audio, raw: list[dict]) -> list[tuple]:
        """Mono: voices from embeddings, segments split where the voice changes, roles per voice."""
        diar = diarise_raw(audio.samples, raw, audio.duration)
        pieces: list[Piece] = []
        for i, r in enumerate(raw):
            groups = split_at_gaps(r["words"]) if r["words"] and not r.get("modified") else []
            runs = [run for ws in groups for run in voice_runs(ws, diar)]
            if len(runs) <= 1:  # one voice: keep Whisper's own text (its spacing and punctuation)
                spans = [(ws[0].start, ws[-1].end, _join(ws)) for ws in groups] if len(groups) > 1 else \
                    [(r["start"], r["end"], r["text"])]
                pieces += [Piece(diar.voice_at(a, b), a, b, t, i) for a, b, t in spans]
            else:
                pieces += [Piece(v, ws[0].start, ws[-1].end, _join(ws), i) for v, ws in runs]
        roles = roles_for(pieces, diar, self.cfg)
        return [(*roles.get(p.voice, ("unknown", None)), p.start, p.end, p.text, raw[p.raw]) for p in pieces]


WINDOW_SECONDS = 30.0  # one Whisper window of speech per decoding call
PROMPT_CONTEXT_CHARS = 600  # the recent conversation the vocabulary prompt is chosen from


MAX_WORD_GAP = 1.0  # seconds of silence between two words that end a segment


def split_at_gaps(words: list[Word], max_gap: float = MAX_WORD_GAP) -> list[list[Word]]:
    """Split a segment's words where the speaker paused for longer than ``max_gap``.

    With VAD, the silence between speech chunks is cut out before decoding, so Whisper may run
    one segment across a pause of minutes; its words keep their real times, and the jump between
    two words is where the segment must end.
    """
    groups: list[list[Word]] = []
    for w in words:
        if groups and w.start - groups[-1][-1].end <= max_gap:
            groups[-1].append(w)
        else:
            groups.append([w])
    return groups


def _plain_pieces(raw: list[dict]) -> list[tuple]:
    """No attribution: segments split only at long pauses."""
    out: list[tuple] = []
    for r in raw:
        groups = split_at_gaps(r["words"]) if r["words"] and not r.get("modified") else []
        if len(groups) > 1:
            out += [(None, ws[0].start, ws[-1].end, _join(ws), r) for ws in groups]
        else:
            out.append((None, r["start"], r["end"], r["text"], r))
    return out


def _join(words: list[Word]) -> str:
    return "".join(w.text for w in words).strip()


def _truthy(value: object) -> bool:
    return value if isinstance(value, bool) else str(value).strip().lower() in ("1", "true", "yes", "on")


def _fell_short(raw: list, speech_seconds: float) -> bool:
    """True when a prompted window's text cannot account for its speech (Whisper stopped early).

    Japanese counter speech runs at 6–8 characters a second; under 2.5, or a last segment ending
    well before the speech does, means part of the window was skipped.
    """
    if speech_seconds < 4.0:
        return False
    chars = sum(len(s.text.strip()) for s in raw)
    last_end = max((float(s.end) for s in raw), default=0.0)
    return chars < 2.5 * speech_seconds or last_end < speech_seconds - 3.0


_shared: dict[tuple, Transcriber] = {}
_shared_lock = threading.Lock()


def get_transcriber(cfg: Config | None = None, **overrides) -> Transcriber:
    """A process-wide Transcriber per settings (loading a model costs ~1 s and ~175 MB)."""
    key = tuple(sorted(overrides.items()))
    with _shared_lock:
        if key not in _shared:
            _shared[key] = Transcriber(cfg, **overrides)
        return _shared[key]


def samples_duration(samples: np.ndarray) -> float:
    return len(samples) / SAMPLE_RATE
