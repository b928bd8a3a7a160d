"""Staff questions paired with the answers that follow them.

A counter conversation carries most of its facts as question and answer: 「介護保険の申請はされて
いますか」「いいえ、まだ何も申請していません」. Neither turn alone is a fact — the question says what
was asked, the answer only whether it holds. Pairing them lets the fact extractor read 「未申請」
from a bare 「いいえ」, and lets the record leave the staff's question out (a question is never a
fact about the citizen).

Rules only (regular expressions over the turn text): they are cheap enough to run on every new
segment and each decision can be explained by the rule that made it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from assistant.asr.transcript import Segment

Polarity = Literal["yes", "no", "content", "none"]

_FILLER = re.compile(r"^(?:[\s、。…]|えー+|えっと|えと|あのー*|あー+|うーん|んー|その+|まあ|ま、)+")
_SENT_END = re.compile(r"(?<=[。？！?!])")
# a question sentence: か / の？ / でしょう at the end, or a bare topic 「ご家族は。」
_QUESTION = re.compile(r"(?:か|かね|でしょう|ますでしょうか|の|は)[。？?]?\s*$|[？?]\s*$")
_NO_START = re.compile(r"^(?:いいえ|いえ|いや|ううん|いえいえ|いや[ぁあ]|そうではな|そういうわけでは|ないです|ありません)")
_YES_START = re.compile(r"^(?:はい|ええ|うん|そうです|そうなんです|そう|おります|います|あります|してます|しています)")
_NEG_BODY = re.compile(r"(?:てい|て)?(?:ません|ない(?:です)?|なかった|ないんです|ておらず|いない|していない)")


@dataclass(frozen=True)
class QA:
    """A staff question and the non-staff turns that answer it (up to the next staff turn)."""

    question_id: int
    question: str
    answer_ids: tuple[int, ...]
    answer: str
    polarity: Polarity

    @property
    def segment_ids(self) -> tuple[int, ...]:
        return (self.question_id, *self.answer_ids)


def strip_fillers(text: str) -> str:
    """The text without leading fillers (えー、あのー) and spaces."""
    return _FILLER.sub("", text.strip())


def question_sentence(text: str) -> str | None:
    """The last question sentence of a staff turn, or None when the turn asks nothing."""
    sents = [s.strip() for s in _SENT_END.split(text) if s.strip()]
    for s in reversed(sents):
        if _QUESTION.search(s) and len(s) >= 3:
            return s
    return None


def polarity(answer: str) -> Polarity:
    """Whether an answer says yes, no, or gives content of its own.

    A leading いいえ/いえ decides first; otherwise a negated predicate in the first clause
    (「まだ申請していません」) is a no; はい/ええ a yes."""
    a = strip_fillers(answer)
    if not a:
        return "none"
    if _NO_START.match(a):
        return "no"
    first = re.split(r"[。、,，]", a, maxsplit=1)[0]
    if _YES_START.match(a) and not _NEG_BODY.search(first):
        return "yes"
    if _NEG_BODY.search(first) and len(first) <= 30:
        return "no"
    if _YES_START.match(a):
        return "yes"
    return "content"


def pair_questions(segments: Sequence[Segment], max_answers: int = 2) -> list[QA]:
    """Every staff question with the citizen's or companion's turns right after it."""
    out: list[QA] = []
    segs = [s for s in segments if s.text.strip()]
    for i, seg in enumerate(segs):
        if seg.speaker != "staff":
            continue
        q = question_sentence(seg.text)
        if q is None:
            continue
        answers: list[Segment] = []
        for nxt in segs[i + 1:]:
            if nxt.speaker == "staff" or len(answers) >= max_answers:
                break
            answers.append(nxt)
        if not answers:
            continue
        text = "".join(a.text for a in answers)
        out.append(QA(seg.id, q, tuple(a.id for a in answers), text, polarity(answers[0].text)))
    return out
