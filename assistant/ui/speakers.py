"""Counter-view pieces for speaker roles on one microphone.

With a single microphone the roles come from the voices themselves (``assistant.asr.live_speakers``),
so the live selector defaults to 自動; choosing a person overrides it for the next lines (useful
when a colleague takes over). A wrong role is corrected with 「話者を修正する」: the line keeps its
original label in the event log, and the other lines of that voice follow the correction.
"""

from __future__ import annotations

from assistant.asr.transcript import SPEAKER_LABELS_JA

LIVE_SPEAKER_CHOICES = [("自動（声で判別）", "unknown")] + [
    (SPEAKER_LABELS_JA[k], k) for k in ("staff", "citizen", "other")]
LIVE_SPEAKER_LABEL = "いま話している人（1本のマイクのときは自動で判別。違うときだけ選ぶ）"
