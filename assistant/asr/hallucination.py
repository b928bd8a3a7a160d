"""Guards against Whisper's known failure modes on Japanese audio.

Whisper was trained on subtitled video, so on silence, noise or music it tends to emit closing
lines of videos (ご視聴ありがとうございました, チャンネル登録…), and on hard audio it can loop,
repeating a phrase until the window ends. These texts must not reach a consultation record, so
each decoded segment is checked here: known phrases with weak acoustic support are dropped,
loops are collapsed and flagged, and low-confidence text is flagged for the reviewer.
"""

from __future__ import annotations

import math
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
# Phrases that are only ever hallucinations at a counter: removed from the text whatever the
# acoustics say (a segment that held nothing else is dropped).
ALWAYS_DROP = ("ご視聴", "ご清聴", "チャンネル登録", "高評価", "次回もお楽しみに", "字幕", "MBCニュース", "はじめしゃちょー")
# The same, as patterns that also take the rest of the closing phrase (up to the sentence end).
_DROP_RE = re.compile(
    r"(?:最後まで)?(?:ご視聴|ご清聴)[^。！!？?]*[。！!]?|チャンネル登録[^。！!？?]*[。！!]?|高評価[^。！!？?]*[。！!]?"
    r"|次回もお楽しみに[。！!]?|字幕[^。！!？?]*[。！!]?|MBCニュース[^。！!？?]*[。！!]?|はじめしゃちょー[。！!]?"
)

_PUNCT = re.compile(r"[\s、。，．,.!?！？「」『』（）()・…〜~ー]+")

# Whisper re-decodes a window at higher temperatures when its text compresses too well
# (a loop); a ratio still above this after the last temperature means the loop survived.
LOOP_COMPRESSION = 2.4
# A looped segment is dropped when the no-speech probability says the audio is not speech:
# measured on noise, babble and tones without VAD, every loop came with ≥ 0.65 (speech ≤ 0.3).
LOOP_NO_SPEECH = 0.5
# A segment the decoder itself doubts (no-speech probability or weak log-probability). In doubtful
# segments a unit repeated three times is already a loop; in confident speech it takes four
# (「はいはいはい」 is something people say).
DOUBT_NO_SPEECH = 0.3
DOUBT_LOGPROB = -0.7


def normalise(text: str) -> str:
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text))


@dataclass
class Verdict:
    keep: bool
    text: str
    flags: list[str]


def collapse_repetition(text: str, min_repeats: int = 4) -> tuple[str, bool]:
    """Collapse a unit repeated ``min_repeats``+ times in a row (e.g. 'はいはいはいはい…').

    Single characters need twice as many repeats (「ーーーー」 is a long vowel, not a loop) and
    digits are never touched: 「1111」 may be part of a phone number.
    """
    changed = False
    for size in range(1, 16):
        need = min_repeats * 2 if size == 1 else min_repeats
        pattern = re.compile(r"(.{" + str(size) + r"})\1{" + str(need - 1) + ",}")

        def keep_two(m: re.Match[str]) -> str:
            return m.group(0) if m.group(1).strip().isdigit() else m.group(1) * 2

        new = pattern.sub(keep_two, text)
        if new != text:
            changed, text = True, new
    return text, changed


def _loop_only(original: str, collapsed: str) -> bool:
    """True when, once the loop is collapsed, little but the repeated unit is left."""
    norm = normalise(collapsed)
    if not norm:
        return True
    for size in range(1, 16):
        unit = norm[:size]
        rest = norm.replace(unit, "")
        if len(unit) * 2 <= len(norm) and len(rest) <= 2 and norm.count(unit) >= 2:
            return True
    return len(norm) <= 0.15 * len(normalise(original))


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
    Flags on kept segments: ``repetition`` (a loop was collapsed), ``hallucination_removed`` (a
    video-closing phrase was cut out), ``no_speech``, ``low_confidence``.
    """
    flags: list[str] = []
    norm = normalise(text)
    if not norm:
        return Verdict(False, text, ["empty"])

    if any(normalise(p) in norm for p in ALWAYS_DROP):
        stripped = _DROP_RE.sub("", text).strip(" 、。")
        if len(normalise(stripped)) < 2:
            return Verdict(False, text, ["hallucination"])
        text, norm = stripped, normalise(stripped)
        flags.append("hallucination_removed")

    phrase_only = any(norm == normalise(p) or (norm.startswith(normalise(p)) and len(norm) <= len(p) + 4)
                      for p in KNOWN_PHRASES)
    if phrase_only and (no_speech_prob > 0.3 or avg_logprob < -0.7 or speech_ratio < 0.5):
        return Verdict(False, text, ["hallucination"])

    original = text
    doubtful = no_speech_prob > DOUBT_NO_SPEECH or avg_logprob < DOUBT_LOGPROB or speech_ratio < 0.5
    repeats = 3 if doubtful else 4
    text, looped = collapse_repetition(text, min_repeats=repeats)
    # Punctuation between the copies (「大体、大体、大体」) must not hide a loop.
    _, looped_bare = collapse_repetition(normalise(original), min_repeats=repeats)
    looped = looped or looped_bare
    if looped or compression_ratio > LOOP_COMPRESSION:
        if no_speech_prob > LOOP_NO_SPEECH or (looped and (doubtful or _loop_only(original, text))):
            return Verdict(False, text, ["hallucination", "repetition"])
        flags.append("repetition")
    # Both of the decoder's doubts at once: on babble (a busy lobby) every segment measured
    # avg_logprob ≤ −1.3 with no_speech_prob 0.43–0.56; clear counter speech ≥ −0.5 and ≤ 0.2.
    if (no_speech_prob > 0.8 and avg_logprob < -0.8) or (no_speech_prob > 0.4 and avg_logprob < -1.0):
        return Verdict(False, text, ["no_speech"])
    if speech_ratio < 0.2:
        flags.append("no_speech")
    if avg_logprob < -1.0:
        flags.append("low_confidence")
    return Verdict(True, text, flags)


def _doubtful(seg: dict) -> bool:
    return seg["no_speech_prob"] >= LOOP_NO_SPEECH or seg["avg_logprob"] < -1.0


def drop_repeated_segments(segments: list[dict], min_chars: int = 4, short_run: int = 3) -> list[dict]:
    """Handle runs of segments that repeat each other word for word.

    Whisper loops across windows on music, noise and babble (measured: 「スタッフを作ることができます。」
    ×3 on white noise, 「アメリカがボタンを持っています」 ×2 on babble, a short phrase ×3 on lobby
    babble), always with doubt in the decoder: no-speech probability ≥ 0.5 or average
    log-probability < −1. In a run of copies the doubtful ones are dropped and the confident ones
    kept (a person may well say a sentence twice). Short texts (はい。はい。) count as a run only
    from ``short_run`` copies on.
    """
    out: list[dict] = []
    i = 0
    while i < len(segments):
        norm = normalise(segments[i]["text"])
        j = i + 1
        while j < len(segments) and norm and normalise(segments[j]["text"]) == norm:
            j += 1
        run = segments[i:j]
        if len(run) == 1 or (len(norm) < min_chars and len(run) < short_run):
            out.append(run[0])
        else:
            out.extend(x for x in run if not _doubtful(x))
        i = j
    return _without_counting(out)


_LONE_NUMBER = re.compile(r"[0-9０-９〇一二三四五六七八九十]{1,2}")


def _without_counting(segments: list[dict], run_length: int = 3) -> list[dict]:
    """Whisper counting on silence without voice detection (measured: 「2」「3」「3」「4」「4」「1」, one
    segment each, average log-probability −0.66): three or more segments in a row that are each a
    lone number of one or two digits, with the decoder unsure (mean below −0.5), are dropped.
    People read numbers out in groups, which the decoder writes as one segment."""
    out: list[dict] = []
    i = 0
    while i < len(segments):
        j = i
        while j < len(segments) and _LONE_NUMBER.fullmatch(normalise(segments[j]["text"])):
            j += 1
        run = segments[i:j]
        if len(run) >= run_length and sum(x["avg_logprob"] for x in run) / len(run) < -0.5:
            i = j
            continue
        out.extend(run or segments[i:i + 1])
        i = max(j, i + 1)
    return out


def confidence(avg_logprob: float, no_speech_prob: float) -> float:
    """A 0–1 confidence from Whisper's average log-probability and no-speech probability."""

    return max(0.0, min(1.0, math.exp(max(avg_logprob, -10.0)) * (1.0 - no_speech_prob)))
