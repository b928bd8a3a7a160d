"""Guards against Whisper's known failure modes on Japanese audio.

Whisper was trained on subtitled video, so on silence, noise or music it tends to emit closing
lines of videos (ご視聴ありがとうございました, チャンネル登録…), and on hard audio it can loop,
repeating a phrase until the window ends. These texts must not reach a consultation record, so
each decoded segment is checked here: known phrases with weak acoustic support are dropped,
loops are collapsed and flagged, and low-confidence text is flagged for the reviewer.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Phrases Whisper produces on non-speech in Japanese (normalised: NFKC, no spaces/punctuation).
KNOWN_PHRASES = (
    "ご視聴ありがとうございました",
    "ご視聴ありがとうございます",
    "ご清聴ありがとうございました",
    "ご清聴ありがとうございます",
    "チャンネル登録",
    "チャンネル登録よろしくお願いします",
    "チャンネル登録お願いします",
    "高評価",
    "次回もお楽しみに",
    "最後までご視聴",
    "字幕",
    "提供",
    "おやすみなさい",
    "お疲れ様でした",
    "ありがとうございました",
    "はじめしゃちょー",
    "MBCニュース",
    "エンディング",
)
# Phrases that are only ever hallucinations at a counter (dropped whatever the acoustics say).
ALWAYS_DROP = ("ご視聴", "ご清聴", "チャンネル登録", "高評価", "次回もお楽しみに", "字幕", "MBCニュース", "はじめしゃちょー")

_PUNCT = re.compile(r"[\s、。，．,.!?！？「」『』（）()・…〜~ー]+")


def normalise(text: str) -> str:
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text))


@dataclass
class Verdict:
    keep: bool
    text: str
    flags: list[str]


def collapse_repetition(text: str, min_repeats: int = 4) -> tuple[str, bool]:
    """Collapse a unit repeated ``min_repeats``+ times in a row (e.g. 'はいはいはいはい…')."""
    changed = False
    for size in range(1, 16):
        pattern = re.compile(r"(.{" + str(size) + r"})\1{" + str(min_repeats - 1) + ",}")
        new = pattern.sub(lambda m: m.group(1) * 2, text)
        if new != text:
            changed, text = True, new
    return text, changed


def check_segment(
    text: str,
    *,
    avg_logprob: float,
    no_speech_prob: float,
    compression_ratio: float,
    speech_ratio: float = 1.0,
) -> Verdict:
    """Decide whether a decoded segment is kept, and with which flags.

    ``speech_ratio`` is the share of the segment's time that voice activity detection called
    speech (1.0 when unknown): text over audio that holds no speech is the classic hallucination.
    """
    flags: list[str] = []
    norm = normalise(text)
    if not norm:
        return Verdict(False, text, ["empty"])

    phrase_only = any(norm == normalise(p) or (norm.startswith(normalise(p)) and len(norm) <= len(p) + 4)
                      for p in KNOWN_PHRASES)
    if any(normalise(p) in norm for p in ALWAYS_DROP):
        return Verdict(False, text, ["hallucination"])
    if phrase_only and (no_speech_prob > 0.3 or avg_logprob < -0.7 or speech_ratio < 0.5):
        return Verdict(False, text, ["hallucination"])

    text, looped = collapse_repetition(text)
    if looped or compression_ratio > 2.4:
        flags.append("repetition")
    if no_speech_prob > 0.8 and avg_logprob < -0.8:
        return Verdict(False, text, ["no_speech"])
    if speech_ratio < 0.2:
        flags.append("no_speech")
    if avg_logprob < -1.0:
        flags.append("low_confidence")
    return Verdict(True, text, flags)


def confidence(avg_logprob: float, no_speech_prob: float) -> float:
    """A 0–1 confidence from Whisper's average log-probability and no-speech probability."""
    import math

    return max(0.0, min(1.0, math.exp(max(avg_logprob, -10.0)) * (1.0 - no_speech_prob)))
