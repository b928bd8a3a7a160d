"""Surface normalisation of transcript text, shared by fact extraction and scheme matching.

Patterns are written against this form (NFKC, uniform spacing), so every module that matches them
must normalise the same way; offsets always refer to the normalised text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_CJK = r"\u3040-\u30ff\u3400-\u9fff\uff66-\uff9fー々〆"
_GAP = re.compile(rf"(?<=[{_CJK}0-9])[ \u3000]+(?=[{_CJK}0-9])")

_KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
                 "九": 9}
_KANA_COUNTS = {"ひとり": 1, "ふたり": 2, "さんにん": 3, "よにん": 4, "ごにん": 5, "いちにん": 1}


@lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """NFKC, then spaces between Japanese words made uniform.

    Transcripts come punctuated, phrase-spaced (「いや 生活保護は受けてないです 働いてるんで」, a
    space where the speaker paused) or word-spaced (「左の 手と 足が まだ 動かなくて」). A pause is
    read as a comma; spaces between most words are just dropped, so 「物忘れとかは ないんです」
    is one clause with its negation. Offsets refer to the normalised text."""
    text = unicodedata.normalize("NFKC", text).strip()
    gaps = len(_GAP.findall(text))
    cjk = len(re.findall(rf"[{_CJK}]", text)) or 1
    return _GAP.sub("" if gaps / cjk > 0.12 else "、", text)


def to_int(token: str) -> int | None:
    """Parse 3 / 三 / 十二 / 二十 / ふたり into an int (small numbers as said at a counter)."""
    token = token.strip()
    if not token:
        return None
    if token.isdigit():
        return int(token)
    if token in _KANA_COUNTS:
        return _KANA_COUNTS[token]
    total, current = 0, 0
    for ch in token:
        if ch in _KANJI_DIGITS:
            current = _KANJI_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current
