"""Compression of drafted lines: a record, not the transcript.

A drafted line is built from character ranges of the transcript (``record.text``); compressing
only leaves more characters out — hedges (たぶん, なんか), polite and plain-speech padding
(〜んですけど, 〜ですね, 〜のよ, いかがでしょうか), tone particles, the する-ending of a verbal-noun state
(滞納してます → 滞納), leading connectives (それで, じゃあ), a staff member's reason before the step,
the pauses recognised speech writes as spaces and repeated sentences — so the line still reads in
the speaker's words and is reproducible from its evidence. Content words, numbers and negation
(ない, ません) are never in these patterns.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from assistant.record.fields import DOCUMENTS, INSTRUCTION, NEXT_ACTION, WHEN
from assistant.record.text import Piece, Sentence

_P = r"(?=[。、！？!?…\s\u3000]|$)"  # the end of a phrase
# hedges and intensifiers: they colour the account, the record keeps what happened
_HEDGE = (r"(?:(?<=^)|(?<=[、。…\s\u3000]))(?:なんか|なんだか|まあ|まぁ|たぶん|多分|一応|やっぱり|やっぱ|実は|本当に|ほんとに|ほんとうに|すごく|"
          r"とても|なかなか|どうも|もう本当に|ちょっと|正直)(?:[、…]|[\s\u3000])*")
# padding that closes a phrase without adding content (negation stays: ません/ない are not here)
_ENDING = (r"(?:(?:な)?んです(?:けど(?:も)?|が|よ(?:ね)?|ね)?|ですけど(?:も)?|ですかね|ですよ(?:ね)?|ですね|"
           r"かなと思(?:って|います)|(?<=[^\s、。])(?:と|って)思(?:います|うんです(?:けど)?|ってます)|っす(?:けど|ね)?|んすけど|みたいな感じ(?:です|で)?|って感じ(?:です|で)?|感じです|(?<=[^\s])です|"
           r"(?:で)?いかがでしょう(?:か)?|でしょうか|(?<=ます)ね|(?<=ました)ね|(?<=ます)よ|(?<=て)まして)" + _P)
_LEAD = (r"^(?:(?:あのね|あのさ|それで|で|だから|なので|ですので|それと|あと|それから|じゃあ|じゃ|では|それでは|そしたら|そうしたら|"
         r"えっとですね|そうですね|ですから|分かりました|わかりました|ありがとうございます|ありがとう|まず)(?:[、…]|[\s\u3000])+)+")
# 「離職票っていうのが」→「離職票が」, 「暴力とかが」→「暴力が」: quoting and vagueness, not content
_QUOTE = r"(?:っていうの|というの|っていう|とか)(?=[がはをも])"
# a staff member calling the citizen by name before the point (「石井さん、…」)
_VOCATIVE = r"^[^\s、。]{1,6}さん[、\s\u3000]+"
# plain-speech padding (〜んだけど, 〜のよ, 〜わ, 〜よね): the tone of the telling, not what is told. Only
# after a plain verb or adjective form, so 死んだ, 住んだ and words ending in わ/ね/よ keep their letters;
# the prohibitive な (行くな) is never dropped
_PLAIN_END = r"(?=[。、！!…\s\u3000]|$)"
_PLAIN = (r"(?:(?<=[^\s、。])なんだ|(?<=[るたいく])んだ)(?:けど(?:も)?|よね|よ|ね|が)?" + _P + "|"
          r"(?<=[いだたるんくうすつ])(?:のよ|のね|よね|わね|わよ|よ|ね|ねえ|なあ)" + _PLAIN_END + "|"
          r"(?<=[いだたるす])わ" + _PLAIN_END + "|"
          r"(?<=[いたるくうすつ])けど(?:も|ね)?" + _PLAIN_END)
# a particle that only sets the tone inside a sentence (「2階でね、」「息子がね、」「それとな、」)
_MID = r"(?<=[でがはをにもとてど])(?:ねえ|ねぇ|ね|さあ|さ)(?=[、…\s\u3000])|(?<=[でがとてど])(?:なあ|な)(?=[、…\s\u3000])"
# an approximate amount needs no second hedge (「月7万くらいかな」)
_APPROX = r"(?:(?<=くらい)|(?<=ぐらい)|(?<=ほど))(?:かな(?:あ)?|かね|かしら)" + _P
# a state told with a verbal noun ends on the noun, as a record does: 「2か月滞納してます」 → 「2か月滞納」,
# 「通院しています」 → 「通院」 (two kanji or katakana before it: 探している, 話している keep their verb;
# past and negative forms stay)
_NOUN_END = (r"(?:(?<=[一-龥]{2})|(?<=[ァ-ヶー]{2}))し(?:ています|ている|てます|てる|てて|ており(?:ます)?)"
             r"(?=[。、…！!]|$)")  # not before a bare pause: 「管理してて 私は」 must not run into 「管理私は」
_DROP = re.compile("|".join((_LEAD, _HEDGE, _ENDING, _QUOTE, _PLAIN, _MID, _APPROX, _NOUN_END)))
_STAFF_DROP = re.compile("|".join((_VOCATIVE, _LEAD, _HEDGE, _ENDING, _QUOTE, _PLAIN, _MID, _APPROX, _NOUN_END)))


# the reason a staff member gives before what is to be done (「退去までの期限がありますので、」)
# (after a verb or adjective: 「窓口は2階なので」 says where, and stays)
_REASON = re.compile(r"(?:(?<=[るいたすくうつ])ので|(?<=[すいた])から)[、\s\u3000]+")
# a clause naming a procedure, a service or an office, or ruling something out, says what the rest is
# about (「児童扶養手当をもらってるなら対象になるので、今日申請しましょう」) and stays
_KEEP_HEAD = re.compile(r"申請|手続|受け付け|受付|予約|本日|給付|手当|制度|資金|奨学|助成|支援|センター|窓口|医療|保険|"
                        r"手帳|年金|相談|サービス|[ァ-ヶー]{3,}|ではな|じゃな")
# what follows must say to whom or what (「待っててください」「お伝えします」 alone say nothing)
_OBJECT = re.compile(r"[をにでへとがは]")


@lru_cache(maxsize=32768)
def _drops(condensed: str, staff: bool) -> tuple[tuple[int, int], ...]:
    """Character ranges of ``condensed`` to leave out (cached: a live redraft re-reads every line)."""
    out: list[tuple[int, int]] = []
    for m in (_STAFF_DROP if staff else _DROP).finditer(condensed):
        if m.end() > m.start():
            out.append((m.start(), m.end()))
    reason = _reason_clause(condensed) if staff else 0
    return tuple(out) + (((0, reason),) if reason else ())


def _reason_clause(condensed: str) -> int:
    """Where a staff sentence's leading reason ends, or 0. 今後の対応 records what will be done; the
    why is in the situation fields. A clause that names a date, a document, a procedure, a service or
    an action itself (「用紙をお渡ししますので、」「診断書が必要なので、」) is kept, and so is the
    sentence when what follows the reason is not an action with its object."""
    for m in reversed(list(_REASON.finditer(condensed))):
        head, rest = condensed[:m.start()], condensed[m.end():]
        if any(p.search(head) for p in (WHEN, DOCUMENTS, NEXT_ACTION, _KEEP_HEAD)) or not _OBJECT.search(rest):
            return 0
        return m.end() if (NEXT_ACTION.search(rest) or INSTRUCTION.search(rest)) else 0
    return 0


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
    return _to_pieces(sentence.segment.id, _tidy(text, kept))


_ALNUM = re.compile(r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ]")
_PAUSE = " \u3000"
_COMMA = "、,…"


def _tidy(text: str, kept: list[int]) -> list[int]:
    """Written Japanese, not a pause transcript: the pauses recognised speech writes as spaces inside a
    sentence are left out (「手取り 15万 くらい」 → 「手取り15万くらい」) except between two letters or
    digits (090 1234) or where a clause ending was left out before the pause; a comma left next to
    another comma, or at either end, goes too."""
    out: list[int] = []
    kept_set = set(kept)
    for n, i in enumerate(kept):
        c = text[i]
        prev = text[out[-1]] if out else ""
        if c in _PAUSE:
            nxt = text[kept[n + 1]] if n + 1 < len(kept) else ""
            # after a clause ending that was left out (「聞いたんだけど 今は」) the pause still separates
            cut = i > 0 and i - 1 not in kept_set and text[i - 1] not in _PAUSE
            if not (cut or (_ALNUM.match(prev or " ") and _ALNUM.match(nxt or " "))):
                continue
        if c == "。":
            while out and text[out[-1]] in _COMMA + _PAUSE:
                out.pop()  # 「…のよ、。」: the full stop ends the sentence, not the comma
            if not out or text[out[-1]] == "。":
                continue
        elif c in _COMMA and (not out or prev in _COMMA + "。" + _PAUSE):
            continue
        out.append(i)
    while out and text[out[-1]] in _COMMA + _PAUSE:
        out.pop()
    return out


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
        pieces = compress(s)
        if out and pieces:
            out.extend(_pause_between(s.segment.text, out[-1], pieces[0]))
        out.extend(pieces)
    return out


def _pause_between(text: str, prev: Piece, nxt: Piece) -> list[Piece]:
    """Two sentences of one turn without a full stop between them (recognised speech: 「…です 妻は…」)
    keep the pause that separated them, so they do not run together."""
    if prev.segment_id != nxt.segment_id or prev.end > nxt.start or text[prev.end - 1] in "。！？!?…、":
        return []
    gap = text[prev.end:nxt.start]
    i = next((k for k, c in enumerate(gap) if c in _PAUSE), -1)
    return [Piece(nxt.segment_id, prev.end + i, prev.end + i + 1)] if i >= 0 else []
