"""The post-ASR stage: scheme-name correction on a finished transcript, keeping what was heard.

Speech recognition knows nothing of schemes; this stage runs after it (the CLI's ``transcribe``,
batch jobs and the counter view's final segments all call ``correct_segments``). A corrected
segment keeps its evidence intact: ``original_text`` holds the text as recognised, ``corrections``
lists each change ``{from, to, rule, scheme_id, start, end}`` (offsets into the corrected text) and
``flags`` gains ``"corrected"``. Real names of the protected-terms list are never rewritten.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from assistant.app.config import get_config
from assistant.asr.transcript import Segment, Transcript
from assistant.schemes.knowledge import KnowledgeBase
from assistant.schemes.vocab import SchemeNameCorrector

FLAG = "corrected"
_shared: dict[str, SchemeNameCorrector] = {}


def enabled(cfg: dict[str, Any] | None = None) -> bool:
    """``[asr] correct_scheme_names`` (on by default)."""
    if cfg is None:
        cfg = get_config()
    v = (cfg.get("asr") or {}).get("correct_scheme_names", True)
    return str(v).lower() not in ("0", "false", "no", "off")


def corrector(cfg: dict[str, Any] | None = None) -> SchemeNameCorrector | None:
    """The shared corrector over the configured knowledge base (None when it cannot be read)."""
    if "kb" not in _shared:
        try:
            _shared["kb"] = SchemeNameCorrector(KnowledgeBase(cfg) if cfg is not None else KnowledgeBase())
        except Exception:  # noqa: BLE001 - a broken knowledge base must not lose a transcript
            return None
    return _shared["kb"]


def correct_segments(segments: Sequence[Segment], fixer: SchemeNameCorrector | None = None,
                     context: Sequence[Segment] = ()) -> int:
    """Correct scheme names in place; returns how many segments changed. Idempotent: a segment
    keeps the first ``original_text`` it was given."""
    fixer = fixer or corrector()
    if fixer is None:
        return 0
    changed = 0
    every = [*context, *segments]
    for i, seg in enumerate(segments):
        j = len(context) + i
        around = "\n".join(s.text for s in every[max(0, j - 2):j + 3] if s is not seg)
        text, made = fixer.correct(seg.text, around)
        if not made:
            continue
        if seg.original_text is None:
            seg.original_text = seg.text
        seg.corrections += [{"from": c.before, "to": c.after, "rule": "scheme_name:reading", "scheme_id": c.scheme_id,
                             "start": text.find(c.after)} for c in made]
        seg.text = text
        if FLAG not in seg.flags:
            seg.flags.append(FLAG)
        changed += 1
    return changed


def correct_transcript(transcript: Transcript, fixer: SchemeNameCorrector | None = None) -> Transcript:
    """The transcript with scheme names corrected (in place, also returned), when enabled."""
    if fixer is not None or enabled():
        correct_segments(transcript.segments, fixer)
    return transcript
