"""Clauses, sentences and negation in Japanese counter talk (surface patterns plus Sudachi conjunctions).

Fact extraction and scheme-mention reading both decide whether a phrase is negated, past or in the
same clause as another; they must decide it the same way, so the rules live here once.
"""

from __future__ import annotations

import re

from assistant.text.morph import morphemes

# Clause boundaries: punctuation, pauses (ASR text has spaces instead of 、。) and conjunctions after
# which the next predicate belongs to another clause (けど, ので, から, し, のに, たら, ても).
_BOUNDARY_CHARS = set("。、．，,.！？!?\n\t 　…「」『』（）()")
_BOUNDARY_SCONJ = {"けれど", "けど", "ので", "から", "し", "のに", "たら", "ても", "ば", "が", "なら", "ながら"}


def clauses(text: str) -> list[tuple[int, int]]:
    """Character spans of the clauses of ``text`` (see the boundary rules above)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for i, ch in enumerate(text):
        if ch in _BOUNDARY_CHARS:
            if i > start:
                spans.append((start, i))
            start = i + 1
    if start < len(text):
        spans.append((start, len(text)))
    out: list[tuple[int, int]] = []
    toks = morphemes(text) if text else ()
    cuts = sorted(t.idx + len(t.text) for t in toks if t.pos == "SCONJ" and (t.norm in _BOUNDARY_SCONJ or t.text in _BOUNDARY_SCONJ))
    for s, e in spans:
        cur = s
        for c in cuts:
            if cur < c < e:
                out.append((cur, c))
                cur = c
        out.append((cur, e))
    return out


def clause_of(spans: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    """The clause span that contains ``pos`` ((0, 0) if none)."""
    for s, e in spans:
        if s <= pos < e:
            return s, e
    return (0, 0)


def sentence_of(text: str, pos: int) -> tuple[int, int]:
    """The sentence around ``pos`` (split at 。？！ and at runs of two or more spaces)."""
    starts = [m.end() for m in re.finditer(r"[。！？!?\n]|\s{2,}", text[:pos])]
    s = starts[-1] if starts else 0
    m = re.search(r"[。！？!?\n]|\s{2,}", text[pos:])
    e = pos + m.start() if m else len(text)
    return s, e


# Negation right after a keyword: particles, at most a short predicate, then ない/ません/じゃない …
# 「障害はないです」「生活保護は受けてないです」「難病とかじゃない」「滞納はしていません」.
_NEG_TAIL = re.compile(
    r"^(?:とか|なんか|など|って|は|も|を|が|の方|のほう|に|で|、|\s)*"
    r"(?:[^\s、。の]{0,4}?|[^\s、。の]{0,6}?(?=わけ))"
    r"(?:わけ(?:では|じゃ)な|ない|なく|なかっ|なし|無い|無く|無し|ません|ねえ|ねぇ|へん|ず[、。\s]|ず$|ずに|じゃな|ではな|でもな|ちゃう|違う|違います|"
    r"(?<=[かさたまらがばわえけせてねめれげべ])ん(?:の|よ|わ|ね|[。、\s]|$)|いらん|要らん|おらん|できん|出来ん)"
)
# 「夫から暴力を受けているとかはないです」「借金があるってことはないです」: a whole predicate, then
# とか／ってこと + ない.
_NEG_HEARSAY = re.compile(
    r"^(?:を|が|に|は|も)?[^\s、。]{0,10}?(?:とか|なんか|ってこと|ということ|わけ)(?:は|も|では|じゃ)?"
    r"(?:ない|なく|ありません|ないです|ねえ)"
)
_NEG_STOP = re.compile(r"てから|たら|ので|から|けど|けれど|のに|と思|って言|といわ|と言|ても|でも|て、|たいと|ないと")


def negated_after(text: str, end: int, limit: int | None = None) -> bool:
    """True if the predicate right after position ``end`` is negated (within its clause)."""
    tail = text[end: limit if limit is not None else len(text)]
    stop = _NEG_STOP.search(tail)
    if stop:
        # keep the negation of the predicate itself: 「もらえないと思って」→「もらえない」
        tail = tail[: stop.start() + (2 if tail[stop.start():stop.start() + 2] == "ない" else 0)]
    tail = tail[:14]
    m = _NEG_TAIL.match(tail) or _NEG_HEARSAY.match(text[end: limit if limit is not None else len(text)][:24])
    if not m:
        return False
    # 「足りない」「少ない」「危ない」 are adjectives, not the negation of the keyword's predicate,
    # only when they follow the keyword directly with a subject particle – keep simple: accept.
    return True


_PAST = re.compile(r"^[^。、\s]{0,8}?(?:てた|ていた|てました|ていました|でした|だった|てたん)")


def past_after(text: str, end: int, limit: int) -> bool:
    """True if the predicate right after ``end`` is in the past tense (「もらってました」)."""
    return bool(_PAST.match(text[end:limit]))


def last_sentence(text: str) -> str:
    """The last sentence of ``text`` (a staff turn's question is at its end)."""
    parts = [p for p in re.split(r"(?<=[。！？!?])|\s{2,}", text) if p.strip()]
    return parts[-1].strip() if parts else text
