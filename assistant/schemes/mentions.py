"""Scheme names said in a segment, and how each was said.

Both the fact extractor (a keyword inside a scheme name — 障害 in 障害年金 — is the scheme, not a
situation; a scheme the household already gets is a ``receiving`` fact) and the suggester (staff
proposing or ruling a scheme out) need this, so it sits below both: it depends only on the
knowledge base, the rules' receiving patterns and :mod:`assistant.text`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from rapidfuzz.distance import Levenshtein

from assistant.schemes.knowledge import KnowledgeBase, Scheme
from assistant.schemes.rules import SchemeRules, load_rules
from assistant.text.clauses import negated_after, past_after, sentence_of
from assistant.text.kana import katakana, reading_with_offsets
from assistant.text.morph import morphemes


@dataclass(frozen=True)
class NameVariant:
    surface: str
    scheme_ids: tuple[str, ...]
    strong: bool  # a proper name, not a word that also describes a situation (認知症, 保育園, 手帳)


@dataclass(frozen=True)
class Mention:
    scheme_id: str
    surface: str
    start: int
    end: int
    strong: bool
    fuzzy: bool
    how: str  # propose | conditional | asked | rule_out | mention | negated | other | receiving



def name_variants(s: Scheme) -> list[str]:
    """The ways a scheme may be named: official name, short name, parts of the name, aliases."""
    out = [s.name, s.short_name]
    for part in re.split(r"[（）()・、]", s.name):
        if len(part) >= 3:
            out.append(part)
    out += s.aliases
    return [v.strip() for v in dict.fromkeys(out) if len(v.strip()) >= 2]


class NameIndex:
    """Scheme names, aliases and their readings, and the receiving patterns of the rules: what
    recognising a scheme in a sentence needs (rebuilt when the knowledge base changes)."""

    def __init__(self, schemes: Iterable[Scheme], rules: dict[str, SchemeRules] | None = None) -> None:
        self.schemes = sorted(schemes, key=lambda s: s.id)
        self.ids = [s.id for s in self.schemes]
        self.pos = {sid: i for i, sid in enumerate(self.ids)}
        self.by_id = {s.id: s for s in self.schemes}
        self.rules = rules if rules is not None else load_rules()
        trigger_text = {s.id: " ".join(s.triggers) for s in self.schemes}
        owners: dict[str, list[str]] = {}
        for s in self.schemes:
            for v in name_variants(s):
                owners.setdefault(v, []).append(s.id)
        self.variants: dict[str, NameVariant] = {}
        for v, sids in owners.items():
            in_others = any(v in trigger_text[o] for o in self.ids if o not in sids)
            official = any(v in (self.by_id[x].name, self.by_id[x].short_name) for x in sids)
            strong = len(sids) == 1 and (official or (len(v) >= 3 and not (len(v) <= 4 and in_others)))
            self.variants[v] = NameVariant(v, tuple(sids), strong)
        alts = sorted(self.variants, key=len, reverse=True)
        self.name_re = re.compile("|".join(re.escape(a) for a in alts)) if alts else re.compile(r"(?!x)x")
        # readings of strong variants, for names heard in kana or misheard as homophones
        self.readings: list[tuple[str, NameVariant, frozenset[str]]] = []
        for v in self.variants.values():
            if not v.strong:
                continue
            r, _ = reading_with_offsets(v.surface)
            if len(r) >= 4:
                self.readings.append((r, v, frozenset(r[i:i + 2] for i in range(len(r) - 1))))
        for s in self.schemes:
            for kana in [s.reading, *s.alias_readings]:
                r = katakana(re.sub(r"[\s（）()・]", "", kana))
                if len(r) >= 5 and not any(r == x[0] for x in self.readings):
                    v = NameVariant(s.short_name, (s.id,), True)
                    self.readings.append((r, v, frozenset(r[i:i + 2] for i in range(len(r) - 1))))

    # -- names ----------------------------------------------------------------------------------
    def find_names(self, text: str) -> list[tuple[int, int, NameVariant, bool]]:
        """(start, end, variant, fuzzy) of scheme names in ``text``; the longest name wins."""
        found: list[tuple[int, int, NameVariant, bool]] = []
        taken = [False] * len(text)
        # names never contain pauses: match on the text without 、 and spaces (a transcript may
        # put a pause inside a name: 「日常生活、自立支援事業」)
        keep = [i for i, ch in enumerate(text) if ch not in "、 　"]
        compact = "".join(text[i] for i in keep)
        for m in self.name_re.finditer(compact):
            v = self.variants[m.group(0)]
            if len(m.group(0)) <= 2 and (_KANJI.match(compact[m.start() - 1:m.start()]) or _KANJI.match(compact[m.end():m.end() + 1])):
                continue  # a two-character alias inside a longer word: 保護者, 一時保護, 母子手帳
            s, e = keep[m.start()], keep[m.end() - 1] + 1
            found.append((s, e, v, False))
            for i in range(s, e):
                taken[i] = True
        if not self.readings or not text.strip():
            return found
        reading, offsets = reading_with_offsets(text)
        if not reading:
            return found
        # a misheard name still starts and ends on word boundaries (not 「康保険」 inside 健康保険)
        starts = {m.idx for m in morphemes(text)}
        ends = {m.idx + len(m.text) for m in morphemes(text)}
        # a misheard name is a noun phrase: an approximate match over a verb or an adjective is a
        # phrase that sounds like a name (「直接払う制度」 is not 直接支払制度)
        inflected = [(m.idx, m.idx + len(m.text)) for m in morphemes(text)
                     if m.tag.startswith(("動詞", "形容詞", "助動詞"))]
        bigrams = {reading[i:i + 2] for i in range(len(reading) - 1)}
        for r, v, grams in self.readings:
            if len(grams & bigrams) < max(1, int(0.5 * len(grams))):
                continue
            hits: list[tuple[int, int]] = []
            i = reading.find(r)
            while i >= 0:
                hits.append((i, i + len(r)))
                i = reading.find(r, i + 1)
            approx = False
            if not hits and len(r) >= 6:
                hits, approx = _approx_find(r, reading, 1 if len(r) < 10 else 2), True
            for a, b in hits:
                s = offsets[a]
                e = offsets[b - 1] + 1 if b - 1 < len(offsets) else len(text)
                if approx and any(s < ie and is_ < e for is_, ie in inflected):
                    continue
                while e < len(text) and not text[e - 1:e].strip():
                    e += 1
                if any(taken[s:e]) or s not in starts:
                    continue
                if text[s:e] != v.surface and e not in ends and not _KANA_END.match(text[e - 1:e + 1]):
                    continue
                found.append((s, e, v, text[s:e] != v.surface))
                for k in range(s, e):
                    taken[k] = True
        found.sort(key=lambda x: x[0])
        return found


_KANJI = re.compile(r"[\u4e00-\u9fff々]")
_KANA_END = re.compile(r"[\u4e00-\u9fff][\u3040-\u309f、。\s]|.$")


def _approx_find(pattern: str, text: str, allowed: int) -> list[tuple[int, int]]:
    """Non-overlapping windows of ``text`` within ``allowed`` edits of ``pattern`` (same first kana:
    mishearings keep the onset, 住居確保給付金 → 重強確保給付金)."""

    n = len(pattern)
    hits: list[tuple[int, int]] = []
    i = text.find(pattern[0])
    while i >= 0 and i <= len(text) - n + allowed:
        best = None
        for length in range(max(1, n - allowed), n + allowed + 1):
            if i + length > len(text):
                break
            d = Levenshtein.distance(pattern, text[i:i + length], score_cutoff=allowed)
            key = (d, 0 if text[i + length - 1] == pattern[-1] else 1)
            if d <= allowed and (best is None or key < best[0]):
                best = (key, i + length)
        if best is not None and (best[0][1] == 0 or best[0][0] < allowed):
            hits.append((i, best[1]))
            i = text.find(pattern[0], best[1])
        else:
            i = text.find(pattern[0], i + 1)
    return hits


# Staff ruling a scheme out: 「…なので、山口さんのご病気は対象外なんです」「今からは難しいと思います」.
_RULE_OUT = re.compile(
    r"対象(?:では|じゃ|には|とは)?(?:な[いく]|ありませ)|対象外|対象(?:に|と)(?:は)?(?:なら|なりませ|なって(?:い|お)?な|ならな)|"
    r"当てはまら|あてはまら|該当しな|該当しませ|支給されな|支給されませ|受けられな|受けられませ|もらえな|もらえませ|"
    r"使えな|使えませ|借りられな|借りられませ|利用できな|利用できませ|申請できな|申請できませ|請求できな|請求できませ|"
    r"受け取れな|受け取れませ|入れな|入れませ|出ませ|出な(?:い|いん)|難し(?:い|く)|無理|別の(?:窓口|制度|相談)|"
    r"当たらな|当たりませ|(?:い|要)らな(?:い|いで)|(?:い|要)りませ|必要(?:は|が)?(?:な[いく]|ありませ)|手続き(?:は)?できな|手続き(?:は)?できませ"
)
# ... unless the same stretch says what it does cover (「過去の分は対象外で、これからの家賃が対象です」)
_COVER = re.compile(r"(?:が|は|も)対象(?:です|になります|になる)|使えます|受けられます|もらえます|申請できます|利用できます|借りられます")
# Deferral: 「生活保護は、それでも難しくなったときに改めて検討します」 — a fallback, not a proposal.
_CONDITIONAL = re.compile(
    r"(?:それでも|もし|万一|万が一|いずれ|将来|最終的|今後|その時|そのとき)[^。]*(?:検討|考え|相談|申請|使え|なる)|"
    r"(?:なったら|なった時|なったとき|難しくなっ|困ったら|足りなくなっ)[^。]*(?:検討|考え|相談|申請)|改めて[^。]*(?:検討|考え)|"
    r"(?:てから|たら|あとで|後で)(?:また|改めて)?(?:ご)?相談"
)
_QUESTION = re.compile(r"(?:か|かね|かな|とかは|などは|は|って|とか)[？?。\s]*$|[？?]\s*$|ですか|ますか|でしょうか|んですか|の？")
_HEARD = re.compile(r"って聞いた|と聞いた|って聞き|と聞き|あるって|あると|ってある|って言われ|ってなんですか|ってどう|ってありますか|知りたい|使えますか|もらえますか|受けられますか|ないですか|ありますか")
_RECEIVE = re.compile(
    r"^(?:は|を|も|が|で|の|に)?(?:今|もう|今は|ずっと|既に|すでに|いま)?(?:[^。、\s？?]{0,8}?)"
    r"(?:もらって|貰って|受けて|受給して|受け取って|使って|利用して|持って|通って|入って|出て|支給されて|ついて|付いて|認定(?:を受けて|されて|が出て)|受給中|利用中|いただいて)"
)
# Used once and done: 「限度額の認定証を使ったので」「給付金は二回とももらいました」 (a one-off benefit
# already paid or a cap already applied) — not 「受けたことがある」 (an experience, maybe long ago).
_RECEIVED_DONE = re.compile(
    r"^(?:は|を|も|が|で|の|に)?(?:もう|既に|すでに)?(?:[^。、\s？?]{0,10}?)"
    r"(?:使った|使いました|もらった|もらいました|貰った|貰いました|受け取った|受け取りました|支給されました|出ました)"
    r"(?!こと|ことが|ことある|ら|けど(?:[^。]{0,6})?(?:切れ|終わ))"
)
# A fee waived by the scheme: 「保育料は無償化でもうタダやから」「授業料は就学支援金でタダになってる」.
_WAIVED = re.compile(r"^[^。？?]{0,14}?(?:タダ|無料|無償|0円|ゼロ円|かから(?:ない|へん|ん))(?:に(?:なって|なっと)|やから|だから|で|です|になってる|やし|$)")
# A staff turn that only confirms what the citizen said (「妊婦のための支援給付の面談ですね」) proposes nothing.
_STAFF_CONFIRM = re.compile(r"(?:ですね|ましたね|でしたね|んですね|ってことですね)[。、！!\s]*$")
_PROPOSAL_WORDS = re.compile(r"使え|受けられ|もらえ|申請|できます|あります|ご案内|対象|利用|手続")
_COORD = re.compile(r"\s*(?:と|や|とか|、|・|も|および|及び|か)\s*")
_FIRST_PERSON = re.compile(r"私|わたし|あたし|俺|おれ|僕|ぼく|自分|うち(?:は|も|の)")
_OTHER_SUBJ = re.compile(r"ママ友|友達|友人|知り合い|知人|近所の|お隣|同僚|隣の")


# Negation of a scheme name's own predicate: 「生活保護は受けてないです」「障害年金とかじゃない」
# 「緊急小口は借りられない」 — not a negation later in the clause (「生活保護で足りない分を補う」).
_MENTION_NEG = re.compile(
    r"^(?:とか|など|なんか|って|は|も|を|が|には|にも|の方|のほう|の|、|\s)*"
    r"(?:(?:受け|もらっ|貰っ|使っ|入っ|申請し|利用し|持っ|行っ|通っ|取っ|出)(?:て|てい|ては|てお|とら|てへ)?|"
    r"使え|受けられ|もらえ|借りられ|利用でき|申請でき|入れ|対象(?:に|と)?(?:は|には)?|じゃ|では|で(?:は|も)?)?"
    r"(?:な[いくかけ]|ません|ありません|ねえ|へん|ん(?:です|よ|わ|の|[。、\s]|$))"
)


def _mention_how(text: str, start: int, end: int, speaker: str, next_start: int) -> str:
    """How a scheme name was said: proposed, deferred, asked about, ruled out, denied, received…"""
    ss, se = sentence_of(text, start)
    sentence = text[ss:se]
    before = text[ss:start]
    if _OTHER_SUBJ.search(before) and not _FIRST_PERSON.search(before):
        return "other"
    # what is said about this name: up to the next scheme name or the end of the sentence, plus the
    # next sentence when it refers back (「あれは…対象ではない」)
    rest = text[end:min(se, next_start)]
    nxt_s = se + 1
    nxt_e = sentence_of(text, nxt_s)[1] if nxt_s < len(text) else nxt_s
    wider = text[end:min(nxt_e, next_start)]  # this sentence and the next (the verdict often follows)
    negated = bool(_MENTION_NEG.match(rest))
    if negated:
        return "rule_out" if speaker == "staff" else "negated"
    if speaker == "staff":
        for stretch in (rest, wider):
            outs = list(_RULE_OUT.finditer(stretch))
            if outs and not _COVER.search(stretch[outs[-1].end():]):
                return "rule_out"
    elif _RULE_OUT.search(rest[:20]):
        return "negated"
    if speaker != "staff" and _RECEIVE.match(rest):
        return "mention" if past_after(text, end, se) else "receiving"
    if speaker != "staff" and (_RECEIVED_DONE.match(rest) or _WAIVED.match(rest)) \
            and not _QUESTION.search(sentence.strip()):
        return "receiving"
    if speaker == "staff":
        if _QUESTION.search(sentence.strip()) or _QUESTION.search(rest.strip()):
            return "asked"
        if _STAFF_CONFIRM.search(sentence.strip()) and not _PROPOSAL_WORDS.search(rest):
            return "asked"
        if _CONDITIONAL.search(sentence):
            return "conditional"
        return "propose"
    if _QUESTION.search(sentence.strip()) or _HEARD.search(rest):
        return "asked"
    return "mention"


def scheme_mentions(index: NameIndex, text: str, speaker: str) -> list[Mention]:
    """Scheme names in normalised ``text`` (one per scheme a name can refer to), each with how it was said."""
    names = index.find_names(text)
    hows = [_mention_how(text, s, e, speaker, names[k + 1][0] if k + 1 < len(names) else len(text))
            for k, (s, e, _v, _fuzzy) in enumerate(names)]
    # 「児童扶養手当と児童手当をもらっています」: coordinated names share the predicate
    for k in range(len(names) - 2, -1, -1):
        if _COORD.fullmatch(text[names[k][1]:names[k + 1][0]]):
            hows[k] = hows[k + 1]
    return [Mention(sid, text[s:e], s, e, v.strong, fuzzy, how)
            for (s, e, v, fuzzy), how in zip(names, hows, strict=True) for sid in v.scheme_ids]


def received_schemes(index: NameIndex, text: str, speaker: str, mentions: list[Mention]) -> dict[str, str]:
    """Schemes the speaker's household already gets (scheme id → the words that say so): by name
    (「児童手当はもらってます」) or by the rules' tell-tale phrases (要介護3, ケースワーカーさんが)."""
    receiving: dict[str, str] = {m.scheme_id: m.surface for m in mentions if m.how == "receiving"}
    if speaker == "staff":
        return receiving
    for sid, sr in index.rules.items():
        for pat in sr.receiving:
            m = pat.search(text)
            if m and sid in index.by_id and not negated_after(text, m.end(), len(text)) \
                    and not _OTHER_SUBJ.search(text[max(0, m.start() - 12):m.start()]) \
                    and not _QUESTION.search(text[slice(*sentence_of(text, m.start()))].strip()):
                receiving.setdefault(sid, m.group(0))
    return receiving


def asked_receiving(text: str, mentions: list[Mention]) -> list[Mention]:
    """Staff questions whether a scheme is received (「児童手当は受け取っていますか」): a はい makes it a fact."""
    out = []
    for k, m in enumerate(mentions):
        nxt = mentions[k + 1].start if k + 1 < len(mentions) else len(text)
        if m.how == "asked" and _RECEIVE.match(text[m.end:nxt]):
            out.append(m)
    return out


T = TypeVar("T")


class PerKnowledgeBase(Generic[T]):
    """One index per knowledge-base version, built on first use (building reads every scheme name
    and tokenizes it, so live updates must not rebuild it)."""

    def __init__(self, build: Callable[[Iterable[Scheme]], T]) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._key: tuple[int, int] | None = None
        self._value: T | None = None

    def get(self, kb: KnowledgeBase) -> T:
        key = (id(kb), kb.version)
        with self._lock:
            if self._key != key or self._value is None:
                self._value = self._build(kb.schemes.values())
                self._key = key
            return self._value


_names: PerKnowledgeBase[NameIndex] = PerKnowledgeBase(NameIndex)


def shared_names(kb: KnowledgeBase) -> NameIndex:
    """The name index of ``kb`` (shared, rebuilt when the knowledge base changes)."""
    return _names.get(kb)
