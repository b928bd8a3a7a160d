"""One recording → transcript/1 + suggestions/1 + record/1: the steps the counter takes, in one place.

The counter (``assistant.app.services``) transcribes an uploaded recording, asks the suggestion
engine for schemes, and drafts the record from the transcript and those suggestions. Batch runs the
same three steps here, split into small functions so the post-ASR stage (the scheme-name
correction, which keeps the original text) sits in :func:`after_asr`, as at the counter.

Every stage is timed (``Outcome.stages``) so the batch benchmark can say where the time goes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from assistant.app.config import Config, get_config
from assistant.asr.audio import Audio, AudioError, decode
from assistant.asr.transcribe import Transcriber
from assistant.asr.transcript import Segment, Transcript
from assistant.record.draft import draft_record
from assistant.schemes.postasr import correct_transcript
from assistant.schemes.suggest import SCHEMA as SUGGESTIONS_SCHEMA
from assistant.schemes.suggest import Suggester
from assistant.schemes.vocab import attach_vocabulary

STAGES = ("decode", "asr", "suggest", "draft", "mask")


@dataclass
class Models:
    """What one worker loads once and reuses for every recording (Whisper, GiNZA, the ranker)."""

    transcriber: Any
    suggester: Any
    top_k: int
    counter: str

    @classmethod
    def load(cls, cfg: Config | None = None, *, threads: int = 0, beam_size: int = 0) -> Models:
        """Load Whisper with ``threads`` decoding threads (0 = config/cores) and warm the analysis."""

        cfg = cfg or get_config()
        overrides: dict[str, Any] = {}
        if threads:
            overrides["cpu_threads"] = threads
        if beam_size:
            overrides["beam_size"] = beam_size
        models = cls(transcriber=Transcriber(cfg, **overrides), suggester=Suggester(),
                     top_k=int(cfg["suggest"]["top_k"]), counter=str(cfg["record"]["counter"]))
        attach_vocabulary(models.transcriber, cfg)
        models.warm_up()
        return models

    def warm_up(self) -> None:
        """Run the analysis once on two lines, so GiNZA, the ranker and the category model are loaded
        before the first recording (and their load time is not counted as one recording's time)."""

        segments = [Segment(id=1, start=0.0, end=1.0, text="今日はどうされましたか", speaker="staff"),
                    Segment(id=2, start=1.0, end=2.0, text="仕事を辞めて家賃が払えません", speaker="citizen")]
        t = Transcript(segments=segments)
        draft(t, suggest(self, t), self).to_dict(masked=True)


@dataclass
class Outcome:
    """Everything one recording produced; plain dicts so it travels between processes and PCs."""

    transcript: dict
    suggestions: dict
    record_masked: dict  # what goes to OUT/ (masked by default, like ``assistant draft``)
    record: dict  # unmasked, as the counter stores its automatic draft (the store is access-controlled)
    duration: float
    warning: str = ""
    stages: dict[str, float] = field(default_factory=dict)


class _Clock:
    def __init__(self) -> None:
        self.stages: dict[str, float] = {}
        self._t = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.stages[name] = self.stages.get(name, 0.0) + now - self._t
        self._t = now


def transcribe(models: Models, audio: Audio, source: str) -> Transcript:
    """Speech → transcript (VAD + Whisper; what the transcriber does today, speaker roles included)."""
    return models.transcriber.transcribe(audio, source=source)


def after_asr(transcript: Transcript) -> Transcript:
    """Text stages that follow recognition: the scheme-name correction, which keeps each corrected
    segment's original text (speech recognition itself knows nothing of schemes)."""
    correct_transcript(transcript)
    return transcript


def suggest(models: Models, transcript: Transcript) -> list[dict]:
    """The suggestion engine's top schemes (the same call as ``assistant suggest``).

    A fresh engine per recording shares the loaded index and ranker but not the per-segment cache,
    so a worker's memory does not grow with every recording it has seen."""
    base = models.suggester
    engine = type(base)(base.kb, base.model, min_score=base.min_score, index=base.index)
    return [s.to_dict() for s in engine.suggest(transcript, top_k=models.top_k)]


def draft(transcript: Transcript, suggestions: list[dict], models: Models) -> Any:
    """The record draft, from the transcript and the suggestions (nothing pinned in a batch)."""

    return draft_record(transcript, suggestions=suggestions, pinned=[], meta={"counter": models.counter})


def process(models: Models, data: bytes, source: str) -> Outcome:
    """Run every stage on one recording's bytes. Raises AudioError for a file that is not audio."""

    clock = _Clock()
    audio = decode(data)
    clock.lap("decode")
    transcript = after_asr(transcribe(models, audio, source))
    clock.lap("asr")
    suggestions = suggest(models, transcript)
    clock.lap("suggest")
    record = draft(transcript, suggestions, models)
    clock.lap("draft")
    masked = record.to_dict(masked=True)
    clock.lap("mask")
    warning = "; ".join(w.replace("<bytes>", source) for w in audio.warnings)
    return Outcome(transcript=transcript.to_dict(), suggestions={"schema": SUGGESTIONS_SCHEMA, "suggestions": suggestions},
                   record_masked=masked, record=record.to_dict(masked=False), duration=transcript.duration,
                   warning=warning, stages=clock.stages)


def audio_error_text(exc: AudioError, source: str) -> str:
    """The decoder's message with the file's name in place of ``<bytes>``."""
    text = str(exc).replace("<bytes>", source)
    return text if text.startswith(source) else f"{source}: {text}"
