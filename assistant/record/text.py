"""Sentences and condensing for drafted record lines.

Nothing in a draft may be invented, so a drafted line is built only from *pieces*: character
ranges of transcript segments. Condensing removes fillers (えっと, あのー, えー) and small talk
(こんにちは, ありがとうございます) by leaving those characters out — it never rewrites words. The
only characters a line adds are the 。 that joins pieces of different segments. Speech recognition
output often has no punctuation; such a segment is kept as one sentence (its spaces are pauses, and
keywords such as 「娘が ひとり」 span them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from assistant.asr.transcript import Segment

# sentence ends; in recognised speech without punctuation, a pause after a sentence-final form
# (〜ます, 〜です, 〜ください) ends the sentence too
_SENT_END = re.compile(r"[。！？!?\n]+|…{2,}|‥+|(?:(?<=ます)|(?<=です)|(?<=ください)|(?<=なさい)|(?<=ました)|(?<=でした)|(?<=ましょう)|(?<=でしょう)|(?<=ですか)|(?<=ますか))[\s\u3000]+(?=\S)")
_FILLER_WORDS = ("えーっと", "えーと", "ええと", "えっと", "えっとー", "えー", "あー", "あのー", "あのう", "あの", "うーん",
                 "んー", "まあ", "そのー", "なんか", "ええ", "えと", "うん")
# A filler counts only as a word of its own: at the start or after a pause/comma, and followed by one.
_FILLER_RE = re.compile(
    r"(?:(?<=^)|(?<=[\s\u3000、。…]))(?:" + "|".join(sorted(map(re.escape, _FILLER_WORDS), key=len, reverse=True)) +
    r")(?:[、…ー～〜,.]|[\s\u3000])+")
_LEADING_INTERJECTION = re.compile(r"(?:はい|ええ|うん|あっ|あ|へえ|ああ|そうそう|そう|あら|いやあ|もしもし|すみません|すいません)"
                                   r"(?:[、。…!！]|[\s\u3000])+")
SMALL_TALK = re.compile(
    r"^(?:こんにちは|こんばんは|おはようございます|どうも|ありがとうございます|ありがとうございました|ありがとう|"
    r"よろしくお願いします|よろしくお願いいたします|お願いします|失礼します|失礼しました|すみません|すいません|"
    r"お待たせしました|お待たせいたしました|どうぞ.*|はい|ええ|うん|そうですか|そうなんですか|そうなんだ|そっか(?:あ)?|"
    r"分かりました|わかりました|了解です|承知しました|なるほど(?:ね)?|大丈夫です|助かります|ありがたい|"
    r"はい[、\s]*(?:分かりました|わかりました|大丈夫です|お願いします)|え[っ]?|えっ.*ですか|本当ですか|ほんとですか|"
    r"よかった|そうなの|そんなのあるの|そうなんですね|知らなかった|知りませんでした|へえ.*)$")


@dataclass(frozen=True)
class Piece:
    """A character range of one segment's text: the unit of evidence."""

    segment_id: int
    start: int
    end: int


@dataclass
class Sentence:
    """A sentence of a segment with its condensed pieces."""

    segment: Segment
    index: int  # position of the segment in the transcript
    start: int
    end: int
    pieces: list[Piece]

    @property
    def text(self) -> str:
        return self.segment.text[self.start:self.end]

    @cached_property
    def condensed(self) -> str:
        """The sentence without fillers (computed once: field selection reads it many times)."""
        return "".join(self.segment.text[p.start:p.end] for p in self.pieces)

    @property
    def small_talk(self) -> bool:
        return is_small_talk(self.condensed)


@lru_cache(maxsize=32768)
def is_small_talk(condensed: str) -> bool:
    """Greetings, thanks and back-channels (cached: a live redraft re-reads every sentence)."""
    c = re.sub(r"[\s\u3000。、！？!?…ー〜～]+", "", condensed)
    return not c or bool(SMALL_TALK.match(c))


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence ranges (punctuation stays with its sentence)."""
    out: list[tuple[int, int]] = []
    start = 0
    for m in _SENT_END.finditer(text):
        if m.end() > start:
            out.append((start, m.end()))
        start = m.end()
    if start < len(text):
        out.append((start, len(text)))
    return [(s, e) for s, e in out if text[s:e].strip()]


def condense(text: str, start: int, end: int, segment_id: int) -> list[Piece]:
    """Pieces of ``text[start:end]`` without fillers, leading interjections and edge punctuation."""
    sub = text[start:end]
    keep = [True] * len(sub)
    pos = 0
    while True:
        m = _LEADING_INTERJECTION.match(sub, pos)
        if not m or m.end() == pos:
            break
        for i in range(m.start(), m.end()):
            keep[i] = False
        pos = m.end()
    for fm in _FILLER_RE.finditer(sub):
        for i in range(fm.start(), fm.end()):
            keep[i] = False
    # trim spaces, ellipses and commas at both ends of what is left
    idx = [i for i, k in enumerate(keep) if k]
    while idx and sub[idx[0]] in " \u3000、…,。":
        keep[idx.pop(0)] = False
    while idx and sub[idx[-1]] in " \u3000、…,":
        keep[idx.pop()] = False
    pieces: list[Piece] = []
    i = 0
    while i < len(sub):
        if not keep[i]:
            i += 1
            continue
        j = i
        while j < len(sub) and keep[j]:
            j += 1
        pieces.append(Piece(segment_id, start + i, start + j))
        i = j
    return pieces


@lru_cache(maxsize=16384)
def _segment_sentences(text: str, segment_id: int) -> tuple[tuple[int, int, tuple[Piece, ...]], ...]:
    """Sentence ranges and condensed pieces of one segment. Cached by text and id: the counter view
    redrafts after every utterance, and only the new segments' sentences need splitting."""
    return tuple((s, e, tuple(condense(text, s, e, segment_id))) for s, e in split_sentences(text))


def sentences_of(segments: list[Segment]) -> list[Sentence]:
    out: list[Sentence] = []
    for idx, seg in enumerate(segments):
        for s, e, pieces in _segment_sentences(seg.text, seg.id):
            out.append(Sentence(seg, idx, s, e, list(pieces)))
    return out
