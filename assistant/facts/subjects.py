"""Who came, about whom, and the facts said about each of them.

A record a supervisor signs starts from 「誰が、誰のことで」: a daughter who lives in the next city
consulting about her father of 82 who lives alone is a different case from the father himself.
This module reads the transcript for

* the **visitor** (来談者): 本人, or a relative (子, 配偶者, 親, 孫, きょうだい …), or a professional
  (ケアマネ, 民生委員, 相談支援専門員 …) — from self-introductions and from whom the citizen talks about;
* the **subject** (対象者): relation to the visitor, age, sex and living arrangement (独居 …);
* **facts** (key, value, subject, status, evidence segment ids): ``stated`` (said in a turn),
  ``denied`` (asked and answered no: 要介護認定 未申請), ``not_asked`` (a checklist item the
  conversation never touched).

Rules over the text and the question/answer pairs of ``assistant.facts.qa``; ages in kanji numerals
are read by ``kanji_number``. Every fact keeps the rule that made it and the segments it rests on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any, Literal

from assistant.asr.transcript import Segment
from assistant.facts.qa import QA, pair_questions, strip_fillers
from assistant.text.nlp import tokenize

Status = Literal["stated", "denied", "not_asked"]

# kinship word (as the visitor says it, or as the staff says it politely) → (subject label, sex,
# what the visitor is to the subject)
_KIN: dict[str, tuple[str, str, str]] = {
    "祖父": ("祖父", "男", "孫"), "祖母": ("祖母", "女", "孫"), "おじいちゃん": ("祖父", "男", "孫"),
    "おばあちゃん": ("祖母", "女", "孫"),
    "義父": ("義父", "男", "子の配偶者"), "義母": ("義母", "女", "子の配偶者"), "姑": ("義母", "女", "子の配偶者"),
    "父親": ("父", "男", "子"), "母親": ("母", "女", "子"), "父": ("父", "男", "子"), "母": ("母", "女", "子"),
    "お父様": ("父", "男", "子"), "お父さん": ("父", "男", "子"), "お母様": ("母", "女", "子"),
    "お母さん": ("母", "女", "子"), "両親": ("両親", "", "子"), "親": ("親", "", "子"),
    "夫": ("夫", "男", "配偶者"), "主人": ("夫", "男", "配偶者"), "旦那": ("夫", "男", "配偶者"),
    "ご主人": ("夫", "男", "配偶者"), "妻": ("妻", "女", "配偶者"), "家内": ("妻", "女", "配偶者"),
    "嫁": ("妻", "女", "配偶者"), "奥様": ("妻", "女", "配偶者"), "奥さん": ("妻", "女", "配偶者"),
    "息子": ("息子", "男", "親"), "娘": ("娘", "女", "親"), "息子さん": ("息子", "男", "親"),
    "娘さん": ("娘", "女", "親"), "子ども": ("子", "", "親"), "子供": ("子", "", "親"),
    "兄": ("兄", "男", "きょうだい"), "姉": ("姉", "女", "きょうだい"), "弟": ("弟", "男", "きょうだい"),
    "妹": ("妹", "女", "きょうだい"), "孫": ("孫", "", "祖父母"),
}
_KIN_RE = re.compile("(?<![叔伯祖義])(?:" + "|".join(sorted(map(re.escape, _KIN), key=len, reverse=True))
                     + r")(?![子婦方親])")
# the kinship word is the topic of the consultation: 「父のことなんですが」「母について」「82歳の母が」
_TOPIC_AFTER = re.compile(r"^(?:の(?:こと|事)|について|に関して|が(?:[^。]{0,25})(?:困|弱|倒|入院|認知|物忘れ|一人|ひとり|"
                          r"暮ら|できな|行けな|心配|介護|動け|施設|入所|具合|体調|病気|怪我|ケガ|転ん|"
                          r"家から出|引きこも|ひきこも|学校に行|不登校))")
_AGE_BEFORE = re.compile(r"(\d{1,3}|[〇一二三四五六七八九十百]{1,6})(?:歳|才)(?:に?なる|の)$")
# 「母は今年で85歳」「息子はもう30になるんですけど」: the age said a few words after the kinship word
_AGE_AFTER = re.compile(r"^(?:は|が|、|も)?[\s\u3000、]*(?:今年で?|もう|今|現在)?[\s\u3000、]*"
                        r"(\d{1,3}|[〇一二三四五六七八九十百]{1,6})(?:歳|才|に(?:なる|なりま))")
_ROLES: list[tuple[str, str]] = [
    (r"ケアマネ", "ケアマネジャー"), (r"民生委員", "民生委員"), (r"相談支援専門員", "相談支援専門員"),
    (r"ソーシャルワーカー|ＭＳＷ|MSW", "医療ソーシャルワーカー"), (r"包括(?:支援センター)?の(?:職員|者|担当)", "地域包括支援センター職員"),
    (r"ヘルパー(?:を|の者|事業所)", "ホームヘルパー"), (r"大家", "大家"), (r"保健師", "保健師"),
]
_ROLE_INTRO = re.compile(r"(?:をして(?:おり|い)|の者|でございます|です|と申します|をやって)")
_ALONE = re.compile(r"(?:一人|ひとり|独り)(?:暮らし|ぐらし|で(?:暮ら|住ん|生活))|独居")
_NOT_ALONE = re.compile(r"(?:一人|ひとり|独り)(?:暮らし|ぐらし)?(?:では|じゃ)(?:ない|なく|ありません)")
_LIVES = re.compile(r"(?:私|わたし|僕|ぼく|自分|うち)(?:は|も)?、?(.{1,10}?)に(?:住んで|住んでいて|住んでおり|暮らして)")
_VISITS = re.compile(r"(週|月)に?(一|二|三|四|1|2|3|4|１|２|３|４)(度|回)(?:くらい|ほど|ぐらい|しか)?[^。]{0,12}(?:見に|行|通|訪|顔を出)")
_CARE_LEVEL = re.compile(r"要(介護|支援)\s*([1-5１-５一二三四五])")
_PROBLEM = [
    (re.compile(r"(足腰|足|膝|ひざ|腰|体)が(?:弱|衰)"), "{0}の衰え"),
    (re.compile(r"([^\s、。はがをにでのも]{1,6}?)(?:に|へ)(?:行け|いけ)(?:なく|ない|ません)"), "{0}困難"),
    (re.compile(r"([^\s、。はがをにでのも]{1,6}?)(?:が|も)(?:でき|出来)(?:なく|ない|ません)"), "{0}困難"),
    (re.compile(r"(物忘れ|もの忘れ)が(?:ひどく|多く|増え|出て)"), "物忘れあり"),
    (re.compile(r"(転んで|転倒して)"), "転倒あり"),
]


@dataclass
class Fact:
    """One fact with its subject (対象者 / 相談者), status and evidence."""

    key: str
    value: str
    subject: str = "対象者"
    status: Status = "stated"
    segment_ids: list[int] = field(default_factory=list)
    rule: str = ""
    said: str = ""  # the words the fact was read from (一人暮らし for 独居), written in the record

    def statement(self) -> str:
        """The fact as a 相談受付票 noun phrase: 「要介護認定未申請」「買い物困難」."""
        if self.key in ("困りごと", "住まい"):
            return self.value
        return f"{self.key}{self.value}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Person:
    """The visitor or the subject: relation, age, sex, living arrangement, with evidence ids."""

    relation: str = "本人"  # the word used: 父, 子, ケアマネジャー …
    kind: str | None = "本人"  # the office's vocabulary (本人, 子, 配偶者, 親, 兄弟姉妹, 孫, その他親族, ケアマネ, 民生委員, 知人, 支援者)
    age: int | None = None
    sex: str = ""
    living: str = ""
    residence: str = ""
    evidence: dict[str, list[int]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Subjects:
    visitor: Person
    subject: Person
    facts: list[Fact]
    qa: list[QA]

    @property
    def third_party(self) -> bool:
        """The consultation is about someone other than the visitor."""
        return self.visitor.relation != "本人"

    def to_dict(self) -> dict[str, Any]:
        return {"visitor": self.visitor.to_dict(), "subject": self.subject.to_dict(),
                "facts": [f.to_dict() for f in self.facts]}


# what the subject is to the visitor, and what the visitor is to the subject, in the office's words
SUBJECT_KIND = {"父": "親", "母": "親", "両親": "親", "親": "親", "夫": "配偶者", "妻": "配偶者", "息子": "子", "娘": "子",
                "子": "子", "兄": "兄弟姉妹", "姉": "兄弟姉妹", "弟": "兄弟姉妹", "妹": "兄弟姉妹", "孫": "孫",
                "祖父": "その他親族", "祖母": "その他親族", "義父": "その他親族", "義母": "その他親族"}
VISITOR_KIND = {"子": "子", "配偶者": "配偶者", "親": "親", "きょうだい": "兄弟姉妹", "孫": "孫", "祖父母": "その他親族",
                "子の配偶者": "その他親族", "ケアマネジャー": "ケアマネ", "民生委員": "民生委員", "大家": "知人"}
_LIVING = [
    (re.compile(r"施設に(?:入って|入所|おり|い)|入所して|入所中|(?:老人|グループ)ホームに(?:入って|い)"), "施設"),
    (re.compile(r"入院(?:して(?:い|お)|中)|今も(?:まだ)?入院"), "入院中"),
    (re.compile(r"(?:二人|ふたり|三人|家族|親子|夫婦)(?:で|暮らし)|同居|一緒に(?:住|暮ら)|と住んで|と暮らして"), "同居"),
]
_SELF_AGE = re.compile(r"(?:私|わたし|あたし|僕|ぼく|俺|わし|自分)(?:は|、|も)?\s*(?:今年|もう)?(\d{1,3}|[一二三四五六七八九十]{1,5})(?:歳|才)")
_AGE_Q = re.compile(r"年齢|おいくつ|何歳|お年")
# the answer to 「おいくつですか」 may be the bare number (「78です」「今年で八十」)
_BARE_AGE_ANSWER = re.compile(r"^(?:[\s、。]|えー+|えっと|あの|はい)*(?:今年で?|もう)?(\d{1,3}|[一二三四五六七八九十]{1,5})"
                              r"(?:歳|才|です|になります|になる|[。、\s]|$)")
_SPOUSE_SEX = [(re.compile(r"主人|夫|旦那"), "女"), (re.compile(r"妻|家内|嫁|女房"), "男")]
# what a visitor says of themself that tells their sex (a weaker cue than the spouse word, used after it)
_SELF_SEX = [(re.compile(r"シングルマザー|母子家庭|妊娠(?:して|中)|(?:私|わたし|あたし)、?妊娠|つわり"), "女"),
             (re.compile(r"シングルファーザー|父子家庭|(?:^|[、。\s])(?:俺|おれ|オレ|僕|ぼく)(?:は|が|の|も|、|\s)"), "男")]


_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}


def kanji_number(text: str) -> int | None:
    """「八十二」→ 82, 「百二」→ 102, 「82」→ 82 (full-width too); None when not a number."""
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if text.isdigit():
        return int(text)
    total, cur = 0, 0
    for ch in text:
        if ch in _DIGITS:
            cur = cur * 10 + _DIGITS[ch]
        elif ch in "十百":
            unit = 10 if ch == "十" else 100
            total += (cur or 1) * unit
            cur = 0
        else:
            return None
    return total + cur


def _talkers(segments: Sequence[Segment]) -> list[Segment]:
    return [s for s in segments if s.speaker in ("citizen", "other", "unknown") and s.text.strip()]


def _find_subject(segments: Sequence[Segment]) -> tuple[str, Segment, int, int] | None:
    """The kinship word the visitor consults about: (word, segment, start, end) of the first
    topical use in the first few turns."""
    for seg in _talkers(segments)[:6]:
        for m in _KIN_RE.finditer(seg.text):
            after = seg.text[m.end():]
            before = seg.text[:m.start()]
            if _TOPIC_AFTER.match(after) or _AGE_BEFORE.search(before):
                return m.group(), seg, m.start(), m.end()
    return None


def _age_near(seg: Segment, start: int, end: int) -> int | None:
    m = _AGE_BEFORE.search(seg.text[max(0, start - 10):start])
    if m is None:
        m = _AGE_AFTER.match(seg.text[end:end + 20])
    if m is None:
        return None
    n = kanji_number(m.group(1))
    return n if n is not None and 0 < n < 120 else None


def _mentions_of(segments: Sequence[Segment], label: str) -> list[tuple[Segment, int, int]]:
    """Every use of a kinship word naming ``label`` in the first turns (visitor's and staff's)."""
    out = []
    for seg in [s for s in segments if s.text.strip()][:12]:
        for m in _KIN_RE.finditer(seg.text):
            if _KIN[m.group()][0] == label:
                out.append((seg, m.start(), m.end()))
    return out


def _find_role(segments: Sequence[Segment]) -> tuple[str, int] | None:
    for seg in _talkers(segments)[:3]:
        for pat, label in _ROLES:
            m = re.search(pat, seg.text)
            if m and _ROLE_INTRO.search(seg.text[m.end():m.end() + 12]):
                return label, seg.id
    return None


_QA_TOPICS: list[tuple[re.Pattern[str], str, str, str]] = [
    (re.compile(r"要介護|要支援|介護認定|介護保険"), "要介護認定", "申請済み", "未申請"),
    (re.compile(r"障害者手帳|(?:身体|療育|精神)[^。]{0,6}手帳"), "障害者手帳", "あり", "なし"),
    (re.compile(r"生活保護"), "生活保護", "受給中", "受給なし"),
    (re.compile(r"年金"), "年金", "受給あり", "受給なし"),
    (re.compile(r"通院|病院にかか|受診"), "通院", "あり", "なし"),
    (re.compile(r"(?:お|ご)?仕事|働いて|お勤め|就労"), "就労", "あり", "なし"),
    (re.compile(r"借金|借り入れ|借入|ローン"), "借入", "あり", "なし"),
    (re.compile(r"ご相談(?:され|に行か)|相談されたこと"), "他機関への相談", "あり", "なし"),
]
_ALONE_Q = re.compile(r"(?:お一人|一人|ひとり|おひとり)(?:で|暮らし)")


# 「ご家族は」「一人です」: the answer to a household question that names no one but the speaker
_FAMILY_Q = re.compile(r"ご?家族|同居|一緒に(?:住|暮ら)|世帯|どなたと")
_ONLY_ME = re.compile(r"^(?:[\s、。…]|えー+|えっと|あの|いや|はい)*(?:一人|ひとり|独り|私だけ|自分だけ|僕だけ|俺だけ)"
                      r"(?:です|っす|だ|で(?!\S*(?:来|行|やって))|。|、|$)")


def _qa_facts(pairs: Sequence[QA]) -> list[Fact]:
    facts: list[Fact] = []
    for qa in pairs:
        if _FAMILY_Q.search(qa.question) and _ONLY_ME.match(qa.answer):
            facts.append(Fact("住まい", "独居", "対象者", "stated", list(qa.segment_ids), "qa:家族"))
            continue
        if qa.polarity not in ("yes", "no"):
            continue
        ids = list(qa.segment_ids)
        if _ALONE_Q.search(qa.question) and re.search(r"暮ら|住ま|住ん|生活", qa.question):
            value = "独居" if qa.polarity == "yes" else "同居者あり"
            facts.append(Fact("住まい", value, "対象者", "stated" if qa.polarity == "yes" else "denied", ids, "qa:独居"))
            continue
        for pat, key, yes, no in _QA_TOPICS:
            if not pat.search(qa.question):
                continue
            if key == "要介護認定":
                lvl = _CARE_LEVEL.search(qa.answer)
                if lvl:
                    facts.append(Fact(key, f"要{lvl.group(1)}{lvl.group(2)}", "対象者", "stated", ids, "qa:level"))
                    break
                yes = "申請済み" if "申請" in qa.question else "認定あり"
            facts.append(Fact(key, yes if qa.polarity == "yes" else no, "対象者",
                              "stated" if qa.polarity == "yes" else "denied", ids, f"qa:{key}"))
            break
    return facts


@lru_cache(maxsize=4096)
def _noun_spans(text: str) -> frozenset[tuple[int, int]]:
    """(start, end) of Sudachi noun tokens of a text (GiNZA tokenizer only: cheap)."""
    return frozenset((t.idx, t.idx + len(t.text)) for t in tokenize(text) if t.pos_ in ("NOUN", "PROPN"))


def _noun_phrase(text: str, start: int, end: int) -> bool:
    """The captured words end with a noun (買い物, 通院, 料理) — not a verb stem (見, 行き)."""
    return any(e == end and s >= start for s, e in _noun_spans(text))


def _statement_facts(segments: Sequence[Segment], asked: set[int]) -> list[Fact]:
    """Facts said without a question: 一人暮らし, 要介護2, 足が弱って, 買い物に行けなく …"""
    facts: list[Fact] = []
    for seg in _talkers(segments):
        text = strip_fillers(seg.text)
        alone = _ALONE.search(text)
        if alone and not _NOT_ALONE.search(text) and seg.id not in asked:
            said = "一人暮らし" if re.search(r"暮らし|ぐらし", alone.group()) else ""
            facts.append(Fact("住まい", "独居", "対象者", "stated", [seg.id], "statement:独居", said))
        lvl = _CARE_LEVEL.search(text)
        if lvl:
            facts.append(Fact("要介護認定", f"要{lvl.group(1)}{lvl.group(2)}", "対象者", "stated", [seg.id], "statement:level"))
        for pat, template in _PROBLEM:
            for m in pat.finditer(text):
                word = m.group(1)
                if template.endswith("困難") and not _noun_phrase(text, m.start(1), m.end(1)):
                    continue  # 「様子を見に行けません」: 見 is a verb, not an activity noun
                if word in ("足",):
                    word = "足腰"
                facts.append(Fact("困りごと", template.format(word), "対象者", "stated", [seg.id], "statement:困りごと"))
    return facts


def _visitor_facts(segments: Sequence[Segment], third_party: bool) -> list[Fact]:
    """Where the visitor lives and how often they see the subject (only when consulting for someone)."""
    facts: list[Fact] = []
    if not third_party:
        return facts
    for seg in _talkers(segments):
        m = _LIVES.search(seg.text)
        if m:
            place = m.group(1).replace("の", "").replace("隣市", "隣市")
            place = {"隣市": "隣市", "となり市": "隣市"}.get(place, place)
            facts.append(Fact("在住", place, "相談者", "stated", [seg.id], "statement:在住"))
        v = _VISITS.search(seg.text)
        if v:
            n = kanji_number(v.group(2)) or v.group(2)
            facts.append(Fact("訪問", f"{v.group(1)}{n}回", "相談者", "stated", [seg.id], "statement:訪問"))
    return facts


def _dedupe(facts: Sequence[Fact]) -> list[Fact]:
    """One fact per (subject, key, value); a later denial of the same key keeps both only when
    the values differ (the answer that came later wins in the record)."""
    out: dict[tuple[str, str, str], Fact] = {}
    for f in facts:
        k = (f.subject, f.key, f.value)
        if k in out:
            out[k].segment_ids = sorted(set(out[k].segment_ids) | set(f.segment_ids))
        else:
            out[k] = Fact(f.key, f.value, f.subject, f.status, list(f.segment_ids), f.rule, f.said)
    return list(out.values())


def extract_subjects(segments: Sequence[Segment]) -> Subjects:
    """Visitor, subject and facts of a conversation (see the module docstring)."""
    segments = [s for s in segments if s.text and s.text.strip()]
    pairs = pair_questions(segments)
    visitor, subject = Person(), Person()
    found = _find_subject(segments)
    role = _find_role(segments)
    if found is not None:
        word, seg, start, end = found
        label, sex, inverse = _KIN[word]
        subject = Person(relation=label, kind=SUBJECT_KIND.get(label, "その他親族"), sex=sex,
                         evidence={"relation": [seg.id]})
        visitor = Person(relation=inverse, kind=VISITOR_KIND.get(inverse, "その他親族"), evidence={"relation": [seg.id]})
        for s2, a, b in _mentions_of(segments, label):  # the age may come with a later mention
            age = _age_near(s2, a, b)
            if age is not None:
                subject.age = age
                subject.evidence["age"] = [s2.id]
                break
        if subject.age is None:
            _age_from_answer(pairs, subject)  # 「お父様はおいくつですか」「78です」
        if subject.age is None:
            _age_in_topic_turn(seg, label, subject)  # 「息子が家から出ないんです。もう30になるんですけど」
    if role is not None:
        visitor = Person(relation=role[0], kind=VISITOR_KIND.get(role[0], "支援者"), evidence={"relation": [role[1]]})
        subject = Person(relation="利用者" if role[0] in ("ケアマネジャー", "ホームヘルパー", "相談支援専門員")
                         else "地域住民", kind=None, evidence={"relation": [role[1]]},
                         age=subject.age, sex=subject.sex)
    if found is None and role is None:
        subject = visitor  # the visitor consults about themself
        _self_details(segments, pairs, subject)
    third = visitor.relation != "本人"
    # an answer to 「お一人暮らしですか」 is read as that question's fact; other answers may say it too
    asked = {i for qa in pairs if _ALONE_Q.search(qa.question) for i in qa.answer_ids}
    facts = _dedupe([*_qa_facts(pairs), *_statement_facts(segments, asked), *_visitor_facts(segments, third)])
    living = next((f for f in facts if f.key == "住まい"), None) or _living_statement(segments, third)
    if living is not None:
        subject.living = {"同居者あり": "同居"}.get(living.value, living.value)
        subject.evidence["living"] = list(living.segment_ids)
    res = next((f for f in facts if f.key == "在住"), None)
    if res is not None:
        visitor.residence = res.value
        visitor.evidence["residence"] = list(res.segment_ids)
    if subject.age is not None and subject.age >= 65 and not any(f.key == "要介護認定" for f in facts):
        facts.append(Fact("要介護認定", "不明", "対象者", "not_asked", [], "checklist:65歳以上"))
    return Subjects(visitor, subject, facts, pairs)


_ANY_AGE = re.compile(r"(?<![0-9〇一二三四五六七八九十百])(\d{1,3}|[〇一二三四五六七八九十百]{1,6})(?:歳|才|に(?:なる|なりま))")
_SELF_WORD = re.compile(r"(?:私|わたし|あたし|僕|ぼく|俺|おれ|自分)(?:は|も|、)?[^。]{0,6}$")


def _age_in_topic_turn(seg: Segment, label: str, person: Person) -> None:
    """The one age said in the turn that names the subject, when that turn names no one else."""
    others = {_KIN[m.group()][0] for m in _KIN_RE.finditer(seg.text)} - {label}
    ages = [m for m in _ANY_AGE.finditer(seg.text) if not _SELF_WORD.search(seg.text[:m.start()])]
    if others or len(ages) != 1:
        return
    n = kanji_number(ages[0].group(1))
    if n is not None and 0 < n < 120:
        person.age, person.evidence["age"] = n, [seg.id]


def _age_from_answer(pairs: Sequence[QA], person: Person) -> None:
    """The age given in answer to the staff's 「おいくつですか」 (with or without 歳)."""
    for qa in pairs:
        if _AGE_Q.search(qa.question):
            m = _BARE_AGE_ANSWER.match(qa.answer)
            n = kanji_number(m.group(1)) if m else None
            if n is not None and 0 < n < 120:
                person.age, person.evidence["age"] = n, list(qa.segment_ids)
                return


def _self_details(segments: Sequence[Segment], pairs: Sequence[QA], person: Person) -> None:
    """Age and sex of a visitor consulting about themself: 「私は45歳で」, the answer to 「おいくつですか」,
    主人/妻 said of their spouse, else what they say of themself (シングルマザー, 妊娠中, 俺は)."""
    _age_from_answer(pairs, person)
    for seg in _talkers(segments):
        m = _SELF_AGE.search(seg.text)
        if m and person.age is None and kanji_number(m.group(1)):
            person.age, person.evidence["age"] = kanji_number(m.group(1)), [seg.id]
    _spouse_sex(segments, person)
    if not person.sex:
        for seg in _talkers(segments):
            hit = next((sex for pat, sex in _SELF_SEX if pat.search(seg.text)), "")
            if hit:
                person.sex, person.evidence["sex"] = hit, [seg.id]
                break


def _spouse_sex(segments: Sequence[Segment], person: Person) -> None:
    """Sex from 主人/妻 said of the visitor's own spouse."""
    for seg in _talkers(segments):
        if not person.sex:
            for pat, sex in _SPOUSE_SEX:
                if re.search(rf"(?:うちの|私の|わたしの)?{pat.pattern}(?:が|は|の|と)", seg.text) and not re.search(
                        r"ご主人|奥さん|奥様", seg.text):
                    person.sex, person.evidence["sex"] = sex, [seg.id]
                    break


def _living_statement(segments: Sequence[Segment], third_party: bool) -> Fact | None:
    """同居 / 施設 / 入院中 said by the visitor (独居 comes from the 一人暮らし rules). Someone at the
    counter is neither in hospital nor in a care home: those only for a subject who is not there."""
    for seg in _talkers(segments):
        for pat, value in _LIVING:
            if value in ("施設", "入院中") and not third_party:
                continue
            if pat.search(seg.text):
                return Fact("住まい", value, "対象者", "stated", [seg.id], f"statement:{value}")
    return None


def subject_words(subj: Subjects) -> set[str]:
    """Every kinship word that names the subject (父, お父様, 父親 …) when it is not the visitor."""
    if not subj.third_party:
        return set()
    return {w for w, (label, _sex, _inv) in _KIN.items() if label == subj.subject.relation}
