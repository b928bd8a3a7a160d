"""Kana conversion: one copy for every module that compares readings (names heard in kana,
homophones misheard by ASR)."""

from __future__ import annotations

import re

from assistant.text.morph import morphemes


def katakana(text: str) -> str:
    """Hiragana → katakana (other characters unchanged)."""
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in text)


def hiragana(text: str) -> str:
    """Katakana → hiragana (other characters unchanged)."""
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


def reading_with_offsets(text: str) -> tuple[str, list[int]]:
    """Katakana reading of ``text`` and, for each reading character, its surface offset."""
    chars: list[str] = []
    offsets: list[int] = []
    for m in morphemes(text):
        if m.pos in ("PUNCT", "SYM") or not m.text.strip():
            continue
        r = katakana(m.reading if re.fullmatch(r"[ァ-ヶー]+", m.reading or "") else m.text)
        for i, ch in enumerate(r):
            chars.append(ch)
            offsets.append(m.idx + min(i * len(m.text) // max(len(r), 1), len(m.text) - 1))
    return "".join(chars), offsets
