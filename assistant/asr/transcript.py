"""The transcript/1 format: segments of a conversation, shared by every stage.

```
{"schema": "transcript/1", "source": str, "duration": float, "language": "ja", "model": str,
 "segments": [{"id": int, "start": float, "end": float,
               "speaker": "staff"|"citizen"|"other"|"unknown", "speaker_id": str|null,
               "text": str, "confidence": float, "flags": [str]}]}
```

Readers ignore unknown fields (forward compatibility). Segment ids are stable once final and never
reused, because records and suggestions cite them as evidence: a split keeps the id for the first
part and gives the rest fresh ids (``Transcript.split_segment``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

SCHEMA = "transcript/1"
SPEAKERS = ("staff", "citizen", "other", "unknown")
Speaker = Literal["staff", "citizen", "other", "unknown"]

SPEAKER_LABELS_JA = {"staff": "職員", "citizen": "相談者", "other": "同席者", "unknown": "話者不明"}


class TranscriptFormatError(ValueError):
    """Raised when a file is not valid transcript/1."""


@dataclass
class Segment:
    id: int
    start: float
    end: float
    text: str
    speaker: str = "unknown"
    speaker_id: str | None = None
    confidence: float = 1.0
    flags: list[str] = field(default_factory=list)
    # set by the scheme-name correction (a post-ASR stage): the text as recognised, and each change
    original_text: str | None = None
    corrections: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if self.original_text is None:
            d.pop("original_text")
        if not self.corrections:
            d.pop("corrections")
        d["start"] = round(float(self.start), 3)
        d["end"] = round(float(self.end), 3)
        d["confidence"] = round(float(self.confidence), 3)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Segment:
        try:
            seg = cls(
                id=int(d["id"]),
                start=float(d.get("start", 0.0)),
                end=float(d.get("end", 0.0)),
                text=str(d.get("text", "")),
                speaker=str(d.get("speaker") or "unknown"),
                speaker_id=d.get("speaker_id"),
                confidence=float(d.get("confidence", 1.0)),
                flags=[str(f) for f in d.get("flags") or []],
                original_text=str(d["original_text"]) if d.get("original_text") is not None else None,
                corrections=[dict(c) for c in d.get("corrections") or [] if isinstance(c, dict)],
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise TranscriptFormatError(f"invalid segment {d!r}: {exc}") from exc
        if seg.speaker not in SPEAKERS:
            raise TranscriptFormatError(f"segment {seg.id}: unknown speaker {seg.speaker!r}")
        return seg


@dataclass
class Transcript:
    source: str = ""
    duration: float = 0.0
    language: str = "ja"
    model: str = ""
    segments: list[Segment] = field(default_factory=list)
    # Highest id ever handed out, so that an id is never reused even after a segment is removed.
    _high_water: int = field(default=0, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._high_water = max(self._high_water, max((s.id for s in self.segments), default=0))

    # -- ids ---------------------------------------------------------------------------------
    def next_id(self) -> int:
        """A fresh segment id: above every id present now and every id handed out before."""
        self._high_water = max(self._high_water, max((s.id for s in self.segments), default=0)) + 1
        return self._high_water

    def by_id(self, seg_id: int) -> Segment | None:
        return next((s for s in self.segments if s.id == seg_id), None)

    def split_segment(self, seg_id: int, at_char: int, at_time: float) -> Segment:
        """Split a segment: the first part keeps its id, the rest gets a fresh one."""
        seg = self.by_id(seg_id)
        if seg is None:
            raise KeyError(seg_id)
        rest = Segment(
            id=self.next_id(), start=at_time, end=seg.end, text=seg.text[at_char:],
            speaker=seg.speaker, speaker_id=seg.speaker_id, confidence=seg.confidence, flags=list(seg.flags),
        )
        seg.text, seg.end = seg.text[:at_char], at_time
        self.segments.insert(self.segments.index(seg) + 1, rest)
        return rest

    # -- (de)serialisation -------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "source": self.source,
            "duration": round(float(self.duration), 3),
            "language": self.language,
            "model": self.model,
            "segments": [s.to_dict() for s in self.segments],
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Transcript:
        if not isinstance(d, dict):
            raise TranscriptFormatError("transcript must be a JSON object")
        schema = d.get("schema", SCHEMA)
        if not str(schema).startswith("transcript/"):
            raise TranscriptFormatError(f"not a transcript (schema {schema!r})")
        if schema != SCHEMA:
            raise TranscriptFormatError(f"unsupported transcript version {schema!r} (expected {SCHEMA})")
        segs = d.get("segments")
        if not isinstance(segs, list):
            raise TranscriptFormatError("transcript has no 'segments' list")
        segments = [Segment.from_dict(s) for s in segs]
        ids = [s.id for s in segments]
        if len(ids) != len(set(ids)):
            raise TranscriptFormatError("segment ids are not unique")
        return cls(
            source=str(d.get("source", "")), duration=float(d.get("duration", 0.0)),
            language=str(d.get("language", "ja")), model=str(d.get("model", "")), segments=segments,
        )

    @classmethod
    def from_json(cls, text: str) -> Transcript:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise TranscriptFormatError(f"not JSON: {exc}") from exc
        return cls.from_dict(data)

    @classmethod
    def load(cls, path: str | Path) -> Transcript:
        return cls.from_json(Path(path).read_text(encoding="utf-8"))

    @classmethod
    def from_lines(cls, text: str, source: str = "") -> Transcript:
        """Plain text, one utterance per line, optionally prefixed ``staff:`` / ``citizen:``
        (also 職員: / 相談者:). Times are synthetic (one second per line)."""
        prefixes = {
            "staff": "staff", "職員": "staff", "citizen": "citizen", "相談者": "citizen",
            "other": "other", "同席者": "other", "unknown": "unknown",
        }
        segments: list[Segment] = []
        for line in text.splitlines():
            line = line.strip()
            if not line:
                continue
            speaker = "unknown"
            for sep in (":", "："):
                head, found, tail = line.partition(sep)
                if found and head.strip().lower() in prefixes:
                    speaker, line = prefixes[head.strip().lower()], tail.strip()
                    break
            if not line:
                continue
            n = len(segments)
            segments.append(Segment(id=n + 1, start=float(n), end=float(n + 1), text=line, speaker=speaker))
        return cls(source=source, duration=float(len(segments)), segments=segments)

    def text(self) -> str:
        return "\n".join(s.text for s in self.segments)


def load_any(path: str | Path, text: str | None = None) -> Transcript:
    """Read a transcript/1 JSON file, a dialogue script (JSON with ``turns``: speaker, text and
    optional start/end, as the test fixtures and the evaluation sets are written) or a plain-text
    dialogue (``-`` = the given text)."""
    if text is None:
        text = Path(path).read_text(encoding="utf-8")
    if text.lstrip().startswith("{"):
        data = json.loads(text) if '"turns"' in text and '"segments"' not in text else None
        if isinstance(data, dict) and isinstance(data.get("turns"), list):
            return _from_turns(data, str(path))
        return Transcript.from_json(text)
    return Transcript.from_lines(text, source=str(path))


def _from_turns(data: dict[str, Any], source: str) -> Transcript:
    segs = []
    for i, t in enumerate(data["turns"]):
        if not isinstance(t, dict):
            raise TranscriptFormatError(f"turn {i + 1} is not an object")
        speaker = t.get("speaker") if t.get("speaker") in SPEAKERS else "unknown"
        start = float(t.get("start", i))
        segs.append(Segment(id=i + 1, start=start, end=float(t.get("end", start + 1.0)), text=str(t.get("text", "")),
                            speaker=str(speaker)))
    return Transcript(source=str(data.get("id") or source), duration=float(data.get("duration") or 0.0), segments=segs)


# -- exports ---------------------------------------------------------------------------------
def _ts(seconds: float, sep: str) -> str:
    ms = int(round(max(seconds, 0.0) * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _label(seg: Segment) -> str:
    return SPEAKER_LABELS_JA.get(seg.speaker, seg.speaker)


def to_srt(t: Transcript) -> str:
    blocks = []
    for i, s in enumerate(t.segments, 1):
        blocks.append(f"{i}\n{_ts(s.start, ',')} --> {_ts(s.end, ',')}\n{_label(s)}: {s.text}\n")
    return "\n".join(blocks)


def to_vtt(t: Transcript) -> str:
    lines = ["WEBVTT", ""]
    for s in t.segments:
        lines += [str(s.id), f"{_ts(s.start, '.')} --> {_ts(s.end, '.')}", f"<v {_label(s)}>{s.text}", ""]
    return "\n".join(lines)


def to_text(t: Transcript) -> str:
    out = []
    for s in t.segments:
        m, sec = divmod(int(s.start), 60)
        out.append(f"[{m:02d}:{sec:02d}] {_label(s)}: {s.text}")
    return "\n".join(out) + ("\n" if out else "")


EXPORTERS = {"json": lambda t: t.to_json() + "\n", "srt": to_srt, "vtt": to_vtt, "text": to_text, "txt": to_text}
EXTENSIONS = {"json": "json", "srt": "srt", "vtt": "vtt", "text": "txt", "txt": "txt"}


def export(t: Transcript, fmt: str) -> str:
    try:
        return EXPORTERS[fmt](t)
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; choose from json, srt, vtt, text") from None
