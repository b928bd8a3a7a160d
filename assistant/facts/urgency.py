"""Urgent statements (緊急性): suicidal words, DV, abuse, no food, imminent eviction.

The counter view shows these at once, so ``detect_urgency`` is only regular expressions over the
citizen's (and companions') words — cheap enough to run on every new segment. Staff sentences are
not read: staff name services (配偶者暴力相談支援センター) and ask questions (食べるものは大丈夫
ですか) that contain the same words. A flag keeps the sentence and segment ids it came from; the
staff member judges, the flag only makes sure the statement is not missed. Clear negations
(暴力とかがあったわけではない, 暴れたりはしない) do not raise a flag.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.asr.transcript import Segment

KINDS: dict[str, str] = {
    "suicidal": "希死念慮・自殺をほのめかす発言",
    "dv": "配偶者・パートナーからの暴力（DV）",
    "abuse": "虐待（子ども・高齢者など）の疑い",
    "no_food": "食べるものがない",
    "eviction": "住まいを失う期限が迫っている",
}
# Display order: most urgent first.
ORDER = ("suicidal", "dv", "abuse", "no_food", "eviction")

_NEG_AFTER = re.compile(
    r"^[^。！？!?]{0,10}?(?:わけでは|わけじゃ|訳では|とかは(?:ない|ありません)|はない|はありません|はしない|"
    r"たりはしない|てはいない|てない(?:です)?[。、\s]|じゃない|ではない|なかった|とは思(?:わ|って)ない|ことはない)")

SUICIDAL = re.compile(
    r"死にたい|しにたい|死のうと|自殺|消えてしまいたい|消えたい|きえたい|消えちゃいたい|いなくなりたい|生きていたくない|"
    r"生きてても(?:しょうがない|仕方ない|意味)|生きていても(?:しょうがない|仕方ない|意味)|楽になりたい|(?<![手足])首をつ(?:る|っ)|"
    r"(?<![手足])首を吊|飛び降り|"
    r"死んだほうが|死んでしまいたい|死んじゃいたい|終わりにしたい|この世から")
VIOLENCE = re.compile(
    r"殴|叩か|叩い|たたか|蹴|暴力|首を絞|突き飛ば|物を投げ|投げたり|投げつけ|脅さ|脅し|あざ|アザ|痣|暴言|"
    r"押しつけ|押し付け|つかまれ|掴まれ|引っ張ら|髪を(?:つか|掴|引)|(?:お金|給料|通帳|年金|財布)[^。]{0,10}(?:取られ|取り上げ)|"
    r"手を上げ|手をあげ|手が出|けがをさせ|ＤＶ|DV|でぃーぶい|ディーブイ|閉じ込め|縛ら")
SPOUSE = re.compile(r"夫|主人|旦那|だんな|おっと|妻|嫁|彼氏|彼女|パートナー|元夫|元妻|内縁|配偶者|交際相手|同居の男性|同棲")
DEPENDENT = re.compile(
    r"息子|娘|子ども|子供|こども|孫|子が|子を|子に|赤ちゃん|母|父|親|おばあ|おじい|高齢|年寄り|お年寄り|利用者|入所者|"
    r"施設の職員")
ABUSE_WORDS = re.compile(
    r"虐待|ネグレクト|ご飯を(?:あげて|食べさせて)(?:い)?ない|放って(?:おか|お)れ|放置|(?:お金|年金|通帳)[^。]{0,14}くれない|"
    r"通帳を(?:取|と)ら|年金を(?:取|と)ら|手が出")
NO_FOOD = re.compile(
    r"何も食べて(?:い)?ない|なにも食べて(?:い)?ない|食べてない|食べていない|食べれてない|食べられてない|"
    r"食べるもの(?:が|も)?(?:ない|無い|なく)|食べ物(?:が|も)?(?:ない|無い|なく)|食料(?:が|も)?(?:ない|無い|尽き)|"
    r"(?:米|お米|ご飯)(?:が|も)?(?:ない|無い|尽き|底をつ)|お腹(?:が)?(?:すいて|空いて|ぺこ)|腹(?:が)?減|空腹|"
    r"(?:米|お米|食べ物|食料|食べるもの)(?:が|も|は)?(?:もう)?[^。、]{0,10}?しか(?:ない|なく|残って)|1日1食|一日一食|"
    r"食事(?:を|が)?(?:とれて|取れて|できて)(?:い)?ない|食費(?:が|も)?(?:ない|無い|尽き)")
EVICTION = re.compile(
    r"出ていけ|出て行け|出ていって|出てって|出てほしい|出てくれ|退去|立ち退|追い出|明け渡|強制執行|寮を出|"
    r"出なきゃいけない|出なければ(?:いけない|ならない)|出ないといけない|住むところがなくな|住む場所がなくな|家を失")
IMMINENT = re.compile(
    r"今日|明日|明後日|あさって|今週|来週|今月|週末|月末|数日|すぐ|至急|期限|今夜|"
    r"[0-9０-９一二三四五六七八九十]+日(?:まで|に|で|後|以内)|[0-9０-９一二三四五六七八九十]+日間")
SERVICE_TERMS = re.compile(
    r"配偶者暴力(?:相談支援センター|の相談窓口|相談|防止法)?|DV相談(?:プラス|ナビ)?|ＤＶ相談|虐待の窓口|児童虐待の窓口|"
    r"女性相談|虐待防止|いのちの電話|自殺対策|こころの健康相談")


@dataclass
class UrgencyFlag:
    """One kind of urgent statement with the sentences and segments it was heard in."""

    kind: str
    label: str
    matched: list[str] = field(default_factory=list)  # the words that triggered the flag
    sentences: list[str] = field(default_factory=list)  # raw sentences (masked in masked outputs)
    segment_ids: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "label": self.label, "matched": list(self.matched),
                "sentences": list(self.sentences), "segment_ids": list(self.segment_ids)}


def _sentences(text: str) -> Iterable[tuple[int, int]]:
    start = 0
    for m in re.finditer(r"[。！？!?\n]+", text):
        yield start, m.end()
        start = m.end()
    if start < len(text):
        yield start, len(text)


def _negated(sentence: str, end: int) -> bool:
    return bool(_NEG_AFTER.match(sentence[end:end + 24]))


def _first_positive(pattern: re.Pattern[str], sentence: str) -> re.Match[str] | None:
    for m in pattern.finditer(sentence):
        if not _negated(sentence, m.end()):
            return m
    return None


def detect_urgency(segments: Sequence[Segment]) -> list[UrgencyFlag]:
    """Urgent statements by the citizen or a companion, one flag per kind, most urgent first."""
    flags: dict[str, UrgencyFlag] = {}
    recent_actor = ""  # the last person named as the one who hurts (夫 → DV, 息子 → abuse)

    def add(kind: str, word: str, sentence: str, seg: Segment) -> None:
        f = flags.setdefault(kind, UrgencyFlag(kind, KINDS[kind]))
        if word not in f.matched:
            f.matched.append(word)
        if sentence not in f.sentences:
            f.sentences.append(sentence)
        if seg.id not in f.segment_ids:
            f.segment_ids.append(seg.id)

    for seg in segments:
        if seg.speaker == "staff":
            continue
        text = SERVICE_TERMS.sub(lambda m: "＊" * len(m.group()), seg.text)
        for s, e in _sentences(text):
            sentence = text[s:e]
            raw = seg.text[s:e].strip()
            sp = SPOUSE.search(sentence)
            dep = DEPENDENT.search(sentence)
            if sp and not dep:
                recent_actor = "spouse"
            elif dep and not sp:
                recent_actor = "dependent"
            m = _first_positive(SUICIDAL, sentence)
            if m:
                add("suicidal", m.group(), raw, seg)
            m = _first_positive(NO_FOOD, sentence)
            if m:
                add("no_food", m.group(), raw, seg)
            m = _first_positive(EVICTION, sentence)
            if m and IMMINENT.search(seg.text):
                add("eviction", m.group(), raw, seg)
            m = _first_positive(ABUSE_WORDS, sentence)
            if m and not (sp and "手が出" not in m.group()):
                add("abuse", m.group(), raw, seg)
                continue
            m = _first_positive(VIOLENCE, sentence)
            if m:
                actor = "spouse" if sp else "dependent" if dep else recent_actor
                if actor == "spouse":
                    add("dv", m.group(), raw, seg)
                elif actor == "dependent":
                    add("abuse", m.group(), raw, seg)
    return [flags[k] for k in ORDER if k in flags]
