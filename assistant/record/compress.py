"""Compression of drafted lines: a record, not the transcript.

A drafted line is built from character ranges of the transcript (``record.text``); compressing
only leaves more characters out — hedges (たぶん, なんか), polite padding at the end of a sentence
(〜んですけど, 〜ですね, いかがでしょうか), leading connectives (それで, じゃあ) and repeated
sentences — so the line still reads in the speaker's words and is reproducible from its evidence.
Content words, numbers and negation (ない, ません) are never in these patterns.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from assistant.record.text import Piece, Sentence

_P = r"(?=[。、！？!?…\s\u3000]|$)"  # the end of a phrase
# hedges and intensifiers: they colour the account, the record keeps what happened
_HEDGE = (r"(?:(?<=^)|(?<=[、。…\s\u3000]))(?:なんか|なんだか|まあ|まぁ|たぶん|多分|一応|やっぱり|やっぱ|実は|本当に|ほんとに|ほんとうに|すごく|"
          r"とても|なかなか|どうも|もう本当に|ちょっと|正直)(?:[、…]|[\s\u3000])*")
# padding that closes a phrase without adding content (negation stays: ません/ない are not here)
_ENDING = (r"(?:(?:な)?んです(?:けど(?:も)?|が|よ(?:ね)?|ね)?|ですけど(?:も)?|ですかね|ですよ(?:ね)?|ですね|"
           r"かなと思(?:って|います)|(?<=[^\s、。])(?:と|って)思(?:います|うんです(?:けど)?|ってます)|っす(?:けど|ね)?|んすけど|みたいな感じ(?:です|で)?|って感じ(?:です|で)?|感じです|(?<=[^\s])です|"
           r"(?:で)?いかがでしょう(?:か)?|でしょうか|(?<=ます)ね|(?<=ました)ね|(?<=ます)よ|(?<=て)まして)" + _P)
_LEAD = (r"^(?:(?:それで|で|だから|なので|ですので|それと|あと|それから|じゃあ|じゃ|では|それでは|そしたら|そうしたら|"
         r"えっとですね|そうですね|ですから|分かりました|わかりました|ありがとうございます|ありがとう|まず)(?:[、…]|[\s\u3000])+)+")
# 「離職票っていうのが」→「離職票が」, 「暴力とかが」→「暴力が」: quoting and vagueness, not content
_QUOTE = r"(?:っていうの|というの|っていう|とか)(?=[がはをも])"
# a staff member calling the citizen by name before the point (「石井さん、…」)
_VOCATIVE = r"^[^\s、。]{1,6}さん[、\s\u3000]+"
_DROP = re.compile("|".join((_LEAD, _HEDGE, _ENDING, _QUOTE)))
_STAFF_DROP = re.compile("|".join((_VOCATIVE, _LEAD, _HEDGE, _ENDING, _QUOTE)))


@lru_cache(maxsize=32768)
def _drops(condensed: str, staff: bool) -> tuple[tuple[int, int], ...]:
    """Character ranges of ``condensed`` to leave out (cached: a live redraft re-reads every line)."""
    out: list[tuple[int, int]] = []
    for m in (_STAFF_DROP if staff else _DROP).finditer(condensed):
        if m.end() > m.start():
            out.append((m.start(), m.end()))
    return tuple(out)


def compress(sentence: Sentence) -> list[Piece]:
    """The sentence's pieces without hedges, padding and leading connectives (never empty when the
    sentence had pieces: a sentence made only of padding keeps its condensed form)."""
    text = sentence.segment.text
    positions = [i for p in sentence.pieces for i in range(p.start, p.end)]
    condensed = "".join(text[i] for i in positions)
    drop = [False] * len(positions)
    for s, e in _drops(condensed, sentence.segment.speaker == "staff"):
        for k in range(s, e):
            drop[k] = True
    kept = [positions[k] for k in range(len(positions)) if not drop[k]]
    # what is left must still say something: a line of only punctuation keeps the sentence whole
    if not re.sub(r"[\s\u3000。、！？!?…・]", "", "".join(text[i] for i in kept)):
        return list(sentence.pieces)
    while kept and text[kept[0]] in " \u3000、…,。":
        kept.pop(0)
    while len(kept) > 1 and text[kept[-1]] in " \u3000、…," and text[kept[-2]] in " \u3000、…,。":
        kept.pop()
    return _to_pieces(sentence.segment.id, kept)


def _to_pieces(segment_id: int, kept: Sequence[int]) -> list[Piece]:
    pieces: list[Piece] = []
    for i in kept:
        if pieces and pieces[-1].end == i:
            pieces[-1] = Piece(segment_id, pieces[-1].start, i + 1)
        else:
            pieces.append(Piece(segment_id, i, i + 1))
    return pieces


def compress_all(sentences: Sequence[Sentence]) -> list[Piece]:
    """Pieces of a line: each sentence compressed; small talk and a sentence repeating an earlier one left out."""
    seen: set[str] = set()
    out: list[Piece] = []
    for s in sentences:
        key = re.sub(r"[\s\u3000。、！？!?…]", "", s.condensed)
        if key in seen or s.small_talk:
            continue
        seen.add(key)
        out.extend(compress(s))
    return out
