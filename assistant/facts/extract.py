"""Situation facts from a consultation: who is in the household, what happened, what is received.

Keyword matching alone gets counter conversations wrong in predictable ways, so every fact carries
the context needed to use it safely:

- ``negated``: 「障害はないです」「生活保護は受けてないです」 state the opposite of the keyword.
- ``speaker`` and ``stance``: the staff member's questions (「障害をお持ちだったりは」) and scheme
  explanations (「離職で家賃が払えなくなった方向けに」) are not facts about the citizen; a staff
  paraphrase ending in 〜ですね is (``confirmed``), and a staff question answered はい/いいえ becomes
  a fact of the answer (``answered``).
- ``subject`` and ``apart``: 「孫が二人いるけど遠くに住んでる」 is about grandchildren who live
  elsewhere, not children in the household.
- ``receiving`` facts: a scheme the household already gets (「児童手当はもらってます」).

The public API is :func:`extract_facts` (segments → facts, each citing its segment ids); the
record drafter uses it as well as the suggester. Patterns are written against the surface text after
NFKC normalisation, because transcripts arrive with or without punctuation and in mixed kana/kanji;
clause boundaries come from the GiNZA (Sudachi) tokenizer so that negation and subjects stay local.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.facts.patterns import Pattern, load_patterns
from assistant.schemes.knowledge import get_knowledge_base
from assistant.schemes.mentions import (
    Mention,
    NameIndex,
    asked_receiving,
    received_schemes,
    scheme_mentions,
    shared_names,
)
from assistant.text.clauses import clause_of, clauses, last_sentence, negated_after, sentence_of
from assistant.text.fillers import strip_leading_filler
from assistant.text.normalise import normalise, to_int

# -- labels ---------------------------------------------------------------------------------------
FACT_LABELS: dict[str, str] = {
    "job_loss": "失業・離職",
    "not_working": "働いていない",
    "cannot_work": "働けない",
    "income_drop": "収入の減少",
    "low_income": "収入が少ない",
    "hardship": "生活の困窮",
    "no_money": "手持ち・貯金がほとんどない",
    "rent_trouble": "家賃の支払いが困難",
    "eviction": "退去を迫られている",
    "homeless": "住まいがない",
    "own_home": "持ち家",
    "debt": "借金",
    "nhi_member": "国民健康保険に加入",
    "nhi_arrears": "国保料の滞納・負担",
    "pension_arrears": "年金保険料の未納",
    "tax_arrears": "税金の滞納",
    "utility_arrears": "公共料金・携帯料金の滞納",
    "self_employed": "自営業",
    "employee": "雇われて働いている（いた）",
    "single_parent": "ひとり親",
    "divorce": "離婚",
    "separated": "別居",
    "widowed": "配偶者と死別",
    "spouse": "配偶者がいる",
    "lives_alone": "一人暮らし",
    "child": "子ども",
    "children_count": "子どもの人数",
    "age": "年齢",
    "elderly": "高齢",
    "pensioner": "年金生活",
    "care_need": "介護・介助が必要",
    "dementia": "認知症・物忘れ",
    "money_management": "お金の管理が難しい",
    "disability": "障害",
    "mental": "こころの不調",
    "suicidal": "死にたい気持ち",
    "illness": "病気・けが",
    "high_medical_cost": "医療費の負担",
    "intractable_disease": "難病",
    "specified_disease": "介護保険の特定疾病",
    "pregnancy": "妊娠",
    "birth": "出産",
    "dv": "配偶者などからの暴力",
    "child_abuse": "子どもへの虐待の心配",
    "parenting_stress": "子育ての負担",
    "disaster": "災害による被害",
    "fire": "火災",
    "hikikomori": "ひきこもり",
    "school_costs": "学校の費用",
    "childcare": "保育・預け先",
    "legal_trouble": "法律問題",
    "moved_in": "転入",
    "receiving": "受給中・利用中",
    "abuse": "虐待の心配",
}

CHILD_STAGE_LABELS = {
    "infant": "乳児", "preschool": "未就学児", "elementary": "小学生", "junior_high": "中学生",
    "high_school": "高校生", "university": "大学生等", "adult": "成人", "minor": "子ども", "unknown": "年齢不明",
}


@dataclass(frozen=True)
class Fact:
    """One thing said about the citizen's situation, with its evidence.

    ``kind`` is one of :data:`FACT_LABELS`; ``value`` refines it (a count, a child's school stage,
    a scheme id for ``receiving``); ``text`` is the phrase as said; ``segment_ids`` the segments it
    rests on (two for a question and its answer).
    """

    kind: str
    value: str
    text: str
    segment_ids: tuple[int, ...]
    negated: bool = False
    speaker: str = "citizen"
    subject: str = "self"  # self | spouse | child | grandchild | parent | sibling | relative | other
    apart: bool = False  # the subject lives elsewhere
    stance: str = "stated"  # stated | confirmed | answered | asked | explained
    past: bool = False  # said in the past tense (「もらってました」)

    @property
    def label(self) -> str:
        """Japanese label for display, e.g. 「ひとり親」「子ども（中学生）」."""
        base = FACT_LABELS.get(self.kind, self.kind)
        if self.kind == "child":
            return f"子ども（{CHILD_STAGE_LABELS.get(self.value, self.value)}）"
        if self.kind == "children_count":
            return f"子ども{self.value}人"
        if self.kind == "age":
            return f"{self.value}歳"
        return base

    @property
    def usable(self) -> bool:
        """True if the fact describes the citizen's household as it is (not asked, not explained)."""
        return self.stance in ("stated", "confirmed", "answered")

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "value": self.value, "label": self.label, "text": self.text,
            "segment_ids": list(self.segment_ids), "negated": self.negated, "speaker": self.speaker,
            "subject": self.subject, "apart": self.apart, "stance": self.stance, "past": self.past,
        }


# -- kinship --------------------------------------------------------------------------------------
_KIN_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("none", re.compile(r"母子家庭|父子家庭|母子手帳|母子健康手帳|ひとり親|一人親|両親とも|親子|親戚の?|母子|父子|親身|親切|親御さんの?会")),
    ("grandchild", re.compile(r"お?孫(?:さん|娘|息子)?")),
    ("other", re.compile(r"ママ友|友達|友人|知り合い|知人|近所の?(?:人|方|おばあちゃん|おじいちゃん)?|お隣|隣の(?:人|家)|同僚|先輩|後輩|彼女の|彼の")),
    ("ex_spouse", re.compile(r"元夫|元妻|元旦那|元の?主人|前の夫|前の旦那|元嫁|別れた(?:夫|妻|旦那|主人)")),
    ("spouse", re.compile(r"ご?主人|夫(?!婦)|旦那|女房|かみさん|亭主|妻|嫁(?!ぐ)|家内|奥さん|奥様|配偶者|連れ合い|パートナー|彼氏|内縁")),
    ("parent", re.compile(r"お?母(?:さん|様|親|ちゃん)?|お?父(?:さん|様|親|ちゃん)?|義母|義父|お?ふくろ|お?やじ|親父|両親|ご両親|親御さん|親(?!戚|子|族)|姑|舅|じいちゃん|ばあちゃん|祖母|祖父")),
    ("child", re.compile(r"子ども|子供|こども|お子さん|お子様|息子|娘|長男|長女|次男|次女|三男|三女|上の子|下の子|末っ子|赤ちゃん|赤ん坊|男の子|女の子|子")),
    ("sibling", re.compile(r"兄貴|姉貴|兄|姉|弟|妹|兄弟|姉妹")),
]


def kin_mentions(text: str) -> list[tuple[int, int, str]]:
    """(start, end, role) of kinship words; longer forms win (母子家庭 is not a mother)."""
    taken = [False] * len(text)
    out = []
    for role, pat in _KIN_PATTERNS:
        for m in pat.finditer(text):
            if any(taken[m.start():m.end()]):
                continue
            if role == "child" and m.group(0) == "子" and not _bare_child_ok(text, m.start()):
                continue
            for i in range(m.start(), m.end()):
                taken[i] = True
            if role != "none":
                out.append((m.start(), m.end(), role))
    out.sort()
    return out


def _bare_child_ok(text: str, i: int) -> bool:
    """A bare 子 is a child in 「3歳の子」「その子が」, not in 様子・調子・菓子・利子・椅子."""
    prev = text[i - 1] if i > 0 else ""
    nxt = text[i + 1] if i + 1 < len(text) else ""
    if prev in "様調菓利椅帽扇双王皇女男弟冊粒原分因種障電精卵骨格" or prev.isascii() and prev.isalpha():
        return False
    del nxt
    return prev == "の" or text[max(0, i - 2):i] in ("あの", "その", "この", "どの")


_SELF_MARK = re.compile(r"私|わたし|あたし|わし|俺|おれ|僕|ぼく|自分|こっち")


def subject_before(text: str, start: int, clause_start: int, kins: list[tuple[int, int, str]]) -> str | None:
    """The last kinship word before ``start`` from ``clause_start`` on (the subject of the fact);
    None if the speaker refers to themself after it (「息子は…、私は眠れない」)."""
    best, best_end = None, clause_start
    for s, e, role in kins:
        if clause_start <= s and e <= start:
            best, best_end = role, e
    if best is not None and _SELF_MARK.search(text[best_end:start]):
        return "self"
    return best


_APART = re.compile(
    r"別に(?:暮ら|住ん|住む)|別々に|離れて(?:暮ら|住ん|い|る)|遠く|遠方|県外|他県|市外|海外|外国|独立して|社会人|"
    r"家を出て|所帯を持|結婚して(?:家を|よそ|出|別)|一緒に(?:住んで|暮らして)(?:い|お)?(?:ない|ません|へん)|田舎|"
    r"(?:[一-龥]{1,4}(?:県|府|都|市|区|町|村)|東京|大阪|京都|名古屋|福岡|札幌|横浜|神戸|仙台|広島|九州|北海道|沖縄|ブラジル|"
    r"ベトナム|中国|フィリピン|韓国|国)(?:に|で)?(?:住|暮ら|い|お|。|、|です|だ|なん|\s|$)|盆と正月|帰ってこ|嫁に行|嫁いで|"
    r"たまに(?:来|会|帰)|めったに(?:来|会|帰)|(?:元嫁|元妻|元夫|元旦那|別れた(?:夫|妻|旦那)|向こう|相手)(?:の方|のほう)?(?:に|が(?:引き取|見て|育て)|と(?:暮ら|住))"
)


# -- fact patterns --------------------------------------------------------------------------------
# The keyword table is data (resources/patterns.yaml), read and checked once at import.
PATTERNS: list[Pattern] = load_patterns(FACT_LABELS)

# Words in a staff utterance that mark a general explanation of a scheme, not the citizen's case.
_EXPLAIN = re.compile(r"方向け|方が対象|方は対象|場合は|場合に|場合でも|場合、|方(?:で|は|が)?(?:あれば|なら)|対象(?:に|と)な|制度で|制度が|といって|ための|向けの|であれば|ことができ|ことも|ときは|と(?:、)?|もらえ(?:ます|る)|受けられ|使え(?:ます|る)")
_CONFIRM_END = re.compile(r"(?:ね|ですね|んですね|ますね|でしたね|ましたね|よね|わけですね|ということですね|とのこと)[。、！!\s]*$")
_QUESTION_END = re.compile(r"(?:か|かね|かな|の|ですか|ますか|でしょうか|でしょう|とかは|などは|は|って)[？?。\s]*$|[？?]\s*$")
_AFFIRM = re.compile(r"^(?:はい|ええ|うん|そう(?:です|なん|ね|や)|そうそう|あります|います|いる|おります|おる|持って|もらって|受けて|もちろん)")
_DENY = re.compile(r"^(?:いや|いいえ|いえ|いや、|ないです|ありません|いません|いない|おらん|おりません|特に(?:ない|ありません|は)|全然|まだ(?:です|で))")


@dataclass
class SegmentView:
    """What fact extraction needs from a segment (so callers can pass Segments or dicts)."""

    id: int
    text: str
    speaker: str = "citizen"


def _view(seg: Any) -> SegmentView:
    if isinstance(seg, SegmentView):
        return seg
    if isinstance(seg, dict):
        return SegmentView(int(seg["id"]), str(seg.get("text", "")), str(seg.get("speaker") or "unknown"))
    return SegmentView(int(seg.id), str(seg.text), str(getattr(seg, "speaker", "unknown") or "unknown"))


def _child_stage(text: str) -> str | None:
    """School stage of a child phrase: 中2 → junior_high, 3歳 → preschool, 高校生 → high_school."""
    m = re.search(r"(\d{1,2}|[一二三四五六七八九十]{1,3})歳", text)
    if m:
        age = to_int(m.group(1))
        if age is not None:
            return stage_from_age(age)
    if re.search(r"生後|赤ちゃん|赤ん坊|乳児|新生児|0歳", text):
        return "infant"
    if re.search(r"高校|高[1-3一二三](?!齢|額|血)|高等学校", text):
        return "high_school"
    if re.search(r"中学|中[1-3一二三](?![^年生の]{0,0}[国央間心])|中学生", text):
        return "junior_high"
    if re.search(r"小学|小[1-6一二三四五六](?:年|の|で|に|と|が|は|\s|$)|小学生|小[1-6一二三四五六]$|ランドセル", text):
        return "elementary"
    if re.search(r"保育園|保育所|幼稚園|こども園|未就学|年少|年中|年長|園児", text):
        return "preschool"
    if re.search(r"大学|専門学校|短大", text):
        return "university"
    if re.search(r"社会人|成人|働いて|就職して|結婚して|独立", text):
        return "adult"
    return None


def stage_from_age(age: int) -> str:
    if age < 1:
        return "infant"
    if age < 6:
        return "preschool"
    if age < 12:
        return "elementary"
    if age < 15:
        return "junior_high"
    if age < 18:
        return "high_school"
    if age < 20:
        return "university"
    return "adult"


_ERA_BASE = {"昭和": 1925, "平成": 1988, "令和": 2018}


def age_from(text: str, today: dt.date | None = None) -> int | None:
    """Age from 「72歳」「70代」「昭和19年3月3日生まれ」「1950年生まれ」 (None if not an age)."""
    today = today or dt.date.today()
    m = re.search(r"(\d{1,3})歳", text)
    if m:
        return int(m.group(1))
    m = re.search(r"([2-9]0)代", text)
    if m:
        return int(m.group(1)) + 5
    m = re.search(r"(昭和|平成|令和)(\d{1,2}|元)年", text)
    if m:
        n = 1 if m.group(2) == "元" else int(m.group(2))
        return today.year - (_ERA_BASE[m.group(1)] + n)
    m = re.search(r"(19[2-9]\d|20[0-2]\d)年", text)
    if m:
        return today.year - int(m.group(1))
    return None


def _stance(seg: SegmentView, sentence: str) -> str:
    if seg.speaker != "staff":
        return "asked" if seg.speaker == "citizen" and False else "stated"
    s = sentence.strip()
    if _QUESTION_END.search(s):
        return "asked"
    if _CONFIRM_END.search(s) and not _EXPLAIN.search(s):
        return "confirmed"
    return "explained"


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"「[^」]*」|『[^』]*』", text)]


_BARE_AGE = re.compile(
    r"(?:私|わたし|あたし|わし|俺|おれ|僕|ぼく|自分|こっち|うち|本人|母|父|主人|夫|妻|女房)(?:も|は|が)?(?:もう|今年)?"
    r"(\d{2,3})(?:歳|才)?(?=に|で|です|だ|や|よ|の|[、。\s]|$)"
)


# 「去年までは保育園だったんで」: a situation that is over
_PAST_CONTEXT = re.compile(r"(?:去年|昨年|前|以前|昔|先月|先週|この前)まで(?:は)?|だったんで|だった(?:けど|が|ので|から)|でしたが")
_PAST_SENSITIVE = {"childcare", "pregnancy", "school_costs", "hikikomori", "homeless", "dv"}
# Kind-specific signs that a situation is over: 「妊娠中に保健師さんに会ったことがあります」 (the
# pregnancy was earlier), 「入院費は限度額の認定証で5万で済みました。もう全部払いました」 (the bill is settled).
_OVER: dict[str, re.Pattern[str]] = {
    "pregnancy": re.compile(r"妊娠(?:中|して(?:い|た)?)?(?:に|は|の(?:時|とき|ころ|頃)|だった|でした)[^。]*(?:ました|ことがあ|ことある|でした|た[。、\s]|た$|たけど|たので|たんで)"),
    "high_medical_cost": re.compile(r"(?:で|に)済(?:み|ん)|払い終わ|(?:全部|もう)(?:全部)?払(?:いました|った)|支払(?:いました|った|い済)"),
}


# 「叩いている」 with nobody else as subject: the speaker is the one hitting (「叩いてくる」 is done to them)
_ACTIVE_HIT = re.compile(r"(?:叩い|たたい|叩く|殴っ|殴る|蹴っ|蹴る)(?!て(?:く|き))")
_SELF_AGENT = re.compile(r"(?:叩い|たたい|殴っ|なぐっ|蹴っ|怒鳴っ|どなっ)(?:て)?(?:しま|ちゃ|ちま|じゃ)")


def facts_in_segment(seg: Any, masked: Sequence[tuple[int, int]] = (), *, today: dt.date | None = None) -> list[Fact]:
    """Facts stated in one segment. ``masked`` are character spans of scheme names in the text: a
    keyword inside a longer scheme name (障害 in 障害年金) is the scheme, not a situation."""
    view = _view(seg)
    text = normalise(view.text)
    if not text.strip():
        return []
    spans = clauses(text)
    kins = kin_mentions(text)
    quotes = _quoted_spans(text)
    out: list[Fact] = []
    seen: set[tuple[str, str, int]] = set()

    def emit(kind: str, value: str, s: int, e: int, *, negated: bool, subject: str, sentence: str) -> None:
        apart = False
        if subject in ("child", "grandchild", "other", "ex_spouse", "sibling", "relative", "parent", "spouse"):
            apart = bool(_APART.search(sentence))
        key = (kind, value, s)
        if key in seen or any(f.kind == kind and f.text == text[s:e] and f.negated == negated for f in out):
            return
        seen.add(key)
        past = bool(_PAST_CONTEXT.search(sentence)) and kind in _PAST_SENSITIVE
        over = _OVER.get(kind)
        if over is not None and over.search(sentence):
            past = True
        out.append(Fact(kind=kind, value=value, text=text[s:e], segment_ids=(view.id,), negated=bool(negated),
                        speaker=view.speaker, subject=subject, apart=apart, stance=_stance(view, sentence), past=past))

    for pat in PATTERNS:
        for m in pat.regex.finditer(text):
            s, e = m.start(), m.end()
            if any(ms <= s and e <= me and (me - ms) > (e - s) for ms, me in masked):
                continue
            cs, ce = clause_of(spans, s)
            ss, se = sentence_of(text, s)
            sentence = text[ss:se]
            quoted = any(qs < s and e < qe for qs, qe in quotes)
            # a match that already ends in a negative (払えな, 足りなく, ありません) is not negated again
            negated = pat.check_negation and not re.search(r"(?:な|ない|なく|ませ|ません|ず|ん|無理)$", m.group(0)) \
                and negated_after(text, e, max(ce, e))
            if quoted and negated:
                continue  # someone else's words (「私はボケてない」って嫌がって)
            subject = subject_before(text, s, ss, kins) or "self"
            if view.speaker == "other" and (subject == "self" and _SELF_MARK.search(text[ss:s])
                                            or re.search(r"(?:私|わたし|僕|俺|あたし|うち)の[^。、]{0,3}$", text[ss:s])):
                subject = "other"  # a companion speaking of themself (「私も70で」)
            value = pat.value or m.group(0)
            kind = pat.kind
            if kind == "age":
                age = age_from(m.group(0) + text[e:e + 8], today)
                if age is None or age > 110:
                    continue
                after = text[e:e + 6]
                kin = [k for k in kins if ss <= k[0] and k[1] <= se]
                # 「3歳の娘」「中2の息子」: an age next to a child word is a child's stage (see below)
                if re.match(r"(?:の|で|と|に)?(?:子|娘|息子|男の子|女の子|孫|長男|長女|次男|次女)", after) or \
                        (kin and kin[-1][2] in ("child", "grandchild") and kin[-1][1] <= s and s - kin[-1][1] <= 3):
                    continue
                if "歳" not in m.group(0) and "代" not in m.group(0) and "生" not in text[e:e + 12] \
                        and "月" not in text[e:e + 3]:
                    continue  # 「25年くらい」 is a duration, not a birth year
                value = str(age)
            elif kind == "dv" and (_SELF_AGENT.match(text[s:s + 10]) or subject == "self" and _ACTIVE_HIT.match(text[s:s + 8])):
                kind = "abuse"  # 「（子どもを）叩いてしまう」: the citizen hits, nobody hits the citizen
                value = m.group(0)
            elif kind == "spouse":
                if re.search(r"亡くな|死ん|他界|先立|離婚|別れ|出て(?:行|い)っ|元", sentence):
                    continue  # a spouse who died, left or was divorced is not in the household
                subject = "spouse"
            if kind in ("widowed", "divorce", "separated", "single_parent", "lives_alone", "spouse"):
                subject = "self" if kind != "spouse" else "spouse"
            emit(kind, value, s, e, negated=negated, subject=subject, sentence=sentence)
    for m in _BARE_AGE.finditer(text):
        ss, se = sentence_of(text, m.start())
        age = int(m.group(1))
        if 18 <= age <= 110:
            who = subject_before(text, m.end(), ss, kins) or ("other" if view.speaker == "other" else "self")
            emit("age", str(age), m.start(), m.end(), negated=False, subject=who, sentence=text[ss:se])
    out += _child_facts(view, text, kins)
    return out


def segment_facts(names: NameIndex, seg: Any, *, today: dt.date | None = None) -> tuple[list[Mention], list[Fact]]:
    """Scheme names said in one segment and its facts: keywords inside a name are the scheme, not a
    situation, and schemes the household already receives become ``receiving`` facts (value = id)."""
    view = _view(seg)
    text = normalise(view.text)
    mentions = scheme_mentions(names, text, view.speaker)
    masks = [(m.start, m.end) for m in mentions]
    facts = facts_in_segment(SegmentView(view.id, text, view.speaker), masks, today=today)
    stance = "stated" if view.speaker != "staff" else "confirmed"
    for sid, surface in received_schemes(names, text, view.speaker, mentions).items():
        facts.append(Fact(kind="receiving", value=sid, text=surface, segment_ids=(view.id,), speaker=view.speaker,
                          stance=stance))
    if view.speaker == "staff":
        # 「児童手当は受け取っていますか」: answered はい by the citizen, it becomes a receiving fact
        for m in asked_receiving(text, mentions):
            facts.append(Fact(kind="receiving", value=m.scheme_id, text=m.surface, segment_ids=(view.id,),
                              speaker=view.speaker, stance="asked"))
    return mentions, facts


# Topic of a staff question carried into a short answer: 「家賃はいつから払えていない？」「2か月です」.
_TOPICS: list[tuple[str, re.Pattern[str], re.Pattern[str]]] = [
    ("rent_trouble", re.compile(r"家賃"), re.compile(r"滞納|払えて(?:い|お)?な|払ってな|たまっ|ため|\d+か月|か月分|遅れ")),
    ("nhi_arrears", re.compile(r"国保|国民健康保険|保険料"), re.compile(r"滞納|払えて(?:い|お)?な|払ってな|たまっ|未納|督促|高")),
    ("pension_arrears", re.compile(r"年金の?(?:保険料|支払い|納付)|国民年金"), re.compile(r"払えて(?:い|お)?な|払ってな|未納|滞納|払ってま?せん")),
    ("tax_arrears", re.compile(r"税"), re.compile(r"滞納|払えて(?:い|お)?な|払ってな|たまっ|未納|督促")),
    ("high_medical_cost", re.compile(r"請求|医療費|病院代|入院費|治療費|自己負担"), re.compile(r"(?:\d+|何十|何)万|高")),
    ("no_money", re.compile(r"貯金|手持ち|所持金|お金(?:は|が)?(?:今)?(?:どのくらい|いくら)|預金|残って"),
     re.compile(r"^(?:[^。]{0,12}?)(?:(?<![\d十])[1-9](?:\.\d)?万|[0-9,]+円|数千|千円|ほとんど|ゼロ|0円|ない|ありません|なく)")),
    ("debt", re.compile(r"借金|借り入れ|借入|ローン"), re.compile(r"\d+万|\d+社|何社|消費者金融|カード")),
    ("lives_alone", re.compile(r"ご家族|ご家族は|同居|一緒に住|お一人|一人暮らし|お住まいは.*一人"), re.compile(r"^(?:一人|ひとり|独り|私だけ|自分だけ)(?:です|で|だ|や|よ|暮らし|きり|$)")),
]
# Every kind a fact can have: the pattern tables above plus the kinds built in code (children, ages,
# schemes received). The situation flags and ``assistant kb check`` are derived from it.
FACT_KINDS = frozenset({p.kind for p in PATTERNS} | {kind for kind, _, _ in _TOPICS}
                       | {"child", "children_count", "age", "receiving", "abuse"})
_AGE_Q = re.compile(r"おいくつ|何歳|年齢|お年")


def topic_facts(question: Any, answer: Any) -> list[Fact]:
    """Facts that need the staff question to be understood (the answer alone is elliptical)."""
    q, a = _view(question), _view(answer)
    if q.speaker != "staff" or a.speaker == "staff":
        return []
    qtext = last_sentence(normalise(q.text))
    atext = strip_leading_filler(normalise(a.text).strip())
    out = []
    for kind, qpat, apat in _TOPICS:
        if qpat.search(qtext) and _QUESTION_END.search(qtext.strip()):
            m = apat.search(atext)
            if m:
                neg = kind != "no_money" and negated_after(atext, m.end(), len(atext)) and not re.search(r"な|ません", m.group(0))
                out.append(Fact(kind=kind, value=m.group(0), text=f"{qtext[:20]}→{atext[:24]}", segment_ids=(q.id, a.id),
                                negated=bool(neg), speaker=a.speaker, stance="answered"))
    if _AGE_Q.search(qtext):
        m = re.match(r"^(?:えー|もう|今年)?\s*(\d{2,3})(?:歳|才)?(?:です|で|に|だ|や|よ|。|$)", atext)
        if m and 18 <= int(m.group(1)) <= 110:
            km = _ASK_KIN.search(normalise(q.text))
            role = _ASK_KIN_ROLE.get(km.group(1), "parent") if km else "self"
            out.append(Fact(kind="age", value=m.group(1), text=f"{qtext[:20]}→{atext[:12]}", segment_ids=(q.id, a.id),
                            speaker=a.speaker, subject=role, stance="answered"))
    return out


_CHILD_WORD = re.compile(
    r"(?:お?孫(?:さん)?|子ども|子供|こども|お子さん|お子様|息子|娘|長男|長女|次男|次女|三男|三女|上の子|下の子|末っ子|赤ちゃん|赤ん坊|男の子|女の子|(?<=の)子(?=[がはもとをにで、。\s]|$)|(?<=[\d一二三四五六七八九十]歳の)子)"
)
_COUNT = re.compile(r"(?:子ども|子供|こども|子|お子さん|孫)(?:が|は|も)?(?:\s)?(\d|[一二三四五]|ひとり|ふたり)人?(?:いて|います|いる|おる|です|で|と|の)?|(\d|[一二三四五]|ふたり|さんにん)人(?:の)?(?:子ども|子供|こども|子|孫)")


_STAGE_ALONE = re.compile(r"(?:小学|中学|高校)(?:\d|[一二三四五六])年(?:生)?|小学生|中学生|高校生|(?<![\d一二三四五六])[小中高][1-6一二三四五六](?![\d年])")


def _child_facts(view: SegmentView, text: str, kins: list[tuple[int, int, str]]) -> list[Fact]:
    """Children (and grandchildren) mentioned: school stage, count, and whether they live apart."""
    out: list[Fact] = []
    for m in _COUNT.finditer(text):
        n = to_int(m.group(1) or m.group(2) or "")
        if n is None or n > 12:
            continue
        ss, se = sentence_of(text, m.start())
        grand = "孫" in m.group(0)
        out.append(Fact(
            kind="children_count", value=str(n), text=m.group(0), segment_ids=(view.id,),
            negated=negated_after(text, m.end(), se), speaker=view.speaker,
            subject="grandchild" if grand else "child", apart=bool(_APART.search(text[ss:se])),
            stance=_stance(view, text[ss:se]),
        ))
    # a school grade said on its own, coordinated with another child: 「小学2年と4歳の息子」
    for m in _STAGE_ALONE.finditer(text):
        after = text[m.end():m.end() + 4]
        if _CHILD_WORD.match(re.sub(r"^(?:の|生の|生)", "", after)) or not re.search(
                r"子|息子|娘|孫|お子|上の|下の|人|学校|[1-9]年|生", text):
            continue
        stage = _child_stage(m.group(0))
        if stage is None:
            continue
        ss, se = sentence_of(text, m.start())
        sentence = text[ss:se]
        # whose school year is it? 「妹が高校生で」 is a sibling's, 「私は高校2年」「高校2年の森本美咲です」
        # the speaker's own (a young carer or a pregnant teenager), not a child in the household
        who = subject_before(text, m.start(), ss, kins)
        if who in ("sibling", "parent", "spouse", "other", "ex_spouse"):
            continue
        subject = "child"
        no_child_word = not re.search(r"子|息子|娘|孫|お子|上の|下の|赤ちゃん", sentence)
        if no_child_word and view.speaker != "staff" and (
                who == "self" or _SELF_MARK.search(text[ss:m.start()])
                or re.match(r"(?:生)?の[^。、\s]{1,10}(?:です|といいます|と申します)", text[m.end():se])):
            subject = "self"
        out.append(Fact(kind="child", value=stage, text=m.group(0), segment_ids=(view.id,), speaker=view.speaker,
                        subject=subject, apart=bool(_APART.search(sentence)), stance=_stance(view, sentence)))
    for m in _CHILD_WORD.finditer(text):
        word = m.group(0)
        if word in ("子ども", "子供", "こども") and re.match(r"(?:手当|医療|家庭|食堂|園|部屋|の手当|の医療)", text[m.end():m.end() + 3]):
            continue
        if re.search(r"(?:母子|父子|親子|障害児)$", text[max(0, m.start() - 2):m.start()]):
            continue
        ss, se = sentence_of(text, m.start())
        # the phrase that qualifies this child: 「中2の息子」「3歳の娘」「息子は高校生で」
        pre_start = m.start() - 12
        # a previous child word closes the qualifier of this one: 「中2の息子と小4の娘」
        for k in kins:
            if k[2] in ("child", "grandchild") and k[1] <= m.start() and k[1] > pre_start:
                pre_start = k[1]
        pre = text[max(ss, pre_start):m.start()]
        post = text[m.end():min(se, m.end() + 14)]
        nxt = _CHILD_WORD.search(post)
        if nxt:
            post = post[: nxt.start()]
        stage = _child_stage(re.split(r"[、。\s]", pre)[-1][-8:]) or _child_stage(post)
        grand = word.lstrip("お").startswith("孫")
        # 「子どもはいません」「子どもはおらん」
        negated = bool(re.match(r"(?:は|も|が)?(?:もう)?(?:い|お)(?:ない|ません|らん|りません|ないです)|(?:は|も)?(?:おらん|いない|いません)", post))
        apart = bool(_APART.search(text[ss:se]))
        if grand and not re.search(r"育て|引き取|預か|一緒に(?:住|暮ら)|同居|面倒|うちで|家で見", text):
            apart = True  # grandchildren count only when the grandparent raises them
        if stage == "adult":
            apart = apart or bool(re.search(r"別|独立|結婚|家を出", text[ss:se]))
        subject = "grandchild" if grand else "child"
        if view.speaker == "other" and re.search(r"(?:私|わたし|僕|俺|あたし|うち)の$", text[:m.start()]):
            subject = "other"  # a companion's own child
        out.append(Fact(
            kind="child", value=stage or "unknown", text=_child_phrase(pre, word, post), segment_ids=(view.id,),
            negated=negated, speaker=view.speaker, subject=subject, apart=apart,
            stance=_stance(view, text[ss:se]),
        ))
    return out


def _child_phrase(pre: str, word: str, post: str) -> str:
    """The words that describe the child, e.g. 「中2の息子」「娘は高校生」「孫が二人」."""
    head = re.split(r"[、。\s]", pre)[-1][-8:]
    if not _child_stage(head):
        head = ""
    m = re.match(r"(?:は|が|も)?(?:もう)?(?:\d+歳|[一二三四五六七八九十]+歳|[一二三四五\d]人|ふたり|ひとり|小学\S{0,3}|中学\S{0,3}|高校\S{0,3}|"
                 r"[小中高][1-6一二三四五六]|大学生|社会人|保育園|幼稚園|赤ちゃん)", post)
    return (head + word + (m.group(0) if m else "")).strip()


_ANSWERABLE = {"disability", "mental", "illness", "pregnancy", "debt", "job_loss", "employee", "spouse",
               "lives_alone", "pensioner", "receiving", "nhi_member", "self_employed", "child", "own_home",
               "rent_trouble", "care_need", "dementia", "intractable_disease", "dv", "hikikomori"}


def answered_facts(question: Any, answer: Any, q_facts: list[Fact], a_facts: list[Fact]) -> list[Fact]:
    """Facts a citizen confirms or denies by answering a staff question (はい／いいえ)."""
    q, a = _view(question), _view(answer)
    if q.speaker != "staff" or a.speaker == "staff":
        return []
    atext = strip_leading_filler(normalise(a.text).strip())
    affirm, deny = bool(_AFFIRM.match(atext)), bool(_DENY.match(atext))
    if not (affirm or deny):
        return []
    answered_kinds = {f.kind for f in a_facts}
    out = []
    for f in q_facts:
        if f.stance != "asked" or f.kind not in _ANSWERABLE or f.kind in answered_kinds:
            continue
        out.append(Fact(
            kind=f.kind, value=f.value, text=f"{f.text}（{'はい' if affirm else 'いいえ'}）", segment_ids=(q.id, a.id),
            negated=deny != f.negated, speaker=a.speaker, subject=f.subject, apart=f.apart, stance="answered",
        ))
    return out


_ASK_KIN = re.compile(r"(お母様|お母さん|お父様|お父さん|ご主人|奥様|奥さん|お子さん|息子さん|娘さん|お孫さん|ご両親|義母|義父|お義母|お義父|母|父)")
_ASK_KIN_ROLE = {"お子さん": "child", "息子さん": "child", "娘さん": "child", "お孫さん": "grandchild", "ご主人": "spouse",
                 "奥様": "spouse", "奥さん": "spouse"}


_SUBJECT_KINDS = {"age", "disability", "mental", "illness", "care_need", "dementia", "money_management",
                  "intractable_disease", "hikikomori", "elderly", "pensioner", "high_medical_cost"}


def attribute_answer(question: Any, a_facts: list[Fact]) -> list[Fact]:
    """Facts in an answer to 「お母様の生年月日は」「お父さんのご様子は」 are about that person."""
    q = _view(question)
    if q.speaker != "staff":
        return a_facts
    m = _ASK_KIN.search(last_sentence(normalise(q.text)))
    if not m:
        return a_facts
    role = _ASK_KIN_ROLE.get(m.group(1), "parent")
    out = []
    for f in a_facts:
        if f.kind in _SUBJECT_KINDS and f.subject == "self" and not _SELF_MARK.search(f.text):
            f = Fact(f.kind, f.value, f.text, (q.id, *f.segment_ids), f.negated, f.speaker, role, f.apart, f.stance,
                     f.past)
        out.append(f)
    return out


def link_answer(question: Any, answer: Any, q_facts: list[Fact], a_facts: list[Fact]) -> list[Fact]:
    """The facts of ``answer`` once its staff question is taken into account: attributed to the
    person asked about, plus facts the answer confirms or denies and elliptical answers."""
    q = _view(question)
    last = last_sentence(normalise(q.text))
    facts = attribute_answer(question, a_facts)
    asked = [f for f in q_facts if f.stance == "asked" and f.text in last]
    facts += answered_facts(question, answer, asked, facts)
    kinds = {f.kind for f in facts if not f.negated}
    facts += [f for f in topic_facts(question, answer) if f.kind not in kinds]
    return facts


def extract_facts(segments: Iterable[Any], masks: dict[int, Sequence[tuple[int, int]]] | None = None,
                  *, today: dt.date | None = None, knowledge: bool = True) -> list[Fact]:
    """All facts of a conversation, in order; each cites the segment ids it rests on.

    ``segments``: transcript Segments (or dicts with id/text/speaker). With ``knowledge`` (the
    default) the scheme names of the knowledge base are recognised too: a keyword inside a scheme
    name (障害 in 障害年金) is not taken for a situation, and schemes the household already
    receives become ``receiving`` facts (value = scheme id). ``masks`` (scheme-name spans per
    segment id) replaces that recognition when given. Staff questions and explanations are kept
    with their stance so callers can show or ignore them; use ``Fact.usable`` for the citizen's
    situation and :func:`assistant.facts.situation.situation` for the folded view.
    """
    names = shared_names(get_knowledge_base()) if knowledge and masks is None else None
    masks = masks or {}
    out: list[Fact] = []
    prev: SegmentView | None = None
    prev_facts: list[Fact] = []
    for seg in segments:
        view = _view(seg)
        if names is not None:
            own = segment_facts(names, view, today=today)[1]
        else:
            own = facts_in_segment(view, masks.get(view.id, ()), today=today)
        facts = link_answer(prev, view, prev_facts, own) if prev is not None else own
        out += facts
        prev, prev_facts = view, own
    return out
