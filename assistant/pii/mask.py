"""Personal data (個人情報) in counter conversations: detection and consistent masking.

A consultation record holds the most sensitive data a city keeps, so every shared or exported view
is masked. GiNZA's NER alone misses most of it (phone numbers split, マイナンバー tagged as a date,
short addresses, hiragana names from speech recognition), so detection is a set of explainable
rules over Sudachi tokens (the tokenizer inside GiNZA: fast, and it tags 姓/名 from its lexicon):

* names — Sudachi person-name tokens; honorifics (〜さん, 〜様, 〜ちゃん); self-introductions and
  answers to a staff member's name question (〇〇です, 〇〇と申します, ``やまだ えー たろう です``),
  also plain and dialect forms (私、妹の岡本和子いいます, わし 田村いうもんです); names after kinship
  words (娘の花子, 夫の健一, おっと、トゥアン), including one-kanji and kana given names that the
  tokenizer reads as ordinary words in context (兄の勝が, 息子の湊と, 弟の そうたは) — checked against
  every entry of Sudachi's dictionary, with a list of common words as the fallback guard (娘の学校,
  母の ことで); a word the dictionary allows as a name before a naming verb anywhere (ニシムラといいますけど)
  or after 名字は/下は, and name answers said word by word with pauses (マツダ…マツダ、ヨシコ、です);
  optionally GiNZA NER on the few segments where a name is expected. A name found once
  is masked everywhere in the transcript, with its surname and given name on their own (佐々木さん
  after 佐々木浩二です) and in kana (のざわさん after 野沢久美子, ソウタ after そうた).
* addresses — 町名 + 丁目・番地・号 or 1-2-3, with the city before it and the building and room after;
  postcodes after 〒 or the words 郵便番号 (a bare 「三丁目」 with no town is a landmark, not an address).
* phone numbers, マイナンバー, account, insurance and pension ids — see ``pii_numbers``.
* dates of birth (和暦/西暦, in a birth context), e-mail addresses (written or spoken).

Each entity gets a typed placeholder ([氏名1], [住所1], [電話番号1] …) that is the same for the same
person or number throughout one transcript/record, and keeps its segment id and character offsets
so an authorised user can look at the original locally. Masked text never contains the raw string.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from assistant import offline  # noqa: F401
from assistant.app.config import get_config
from assistant.asr.transcript import Segment, Transcript
from assistant.pii.numbers import (
    PHONE_BUSINESS_PREFIXES,
    classify_chains,
    find_chains,
    keyword_ids,
    office_number,
)
from assistant.pii.patterns import BUILDING_KW, katakana_word
from assistant.pii.spoken import (
    explain_after_learned,
    extend,
    join_slips,
    join_spelling_pieces,
    widen_address,
)
from assistant.pii.tagger import (
    TaggerModel,
    TokenView,
    accept,
    candidate_runs,
    load_tagger,
    token_features,
    trim,
)
from assistant.schemes.knowledge import get_knowledge_base
from assistant.text import nlp
from assistant.text.kana import hiragana, katakana

# -- types and placeholders --------------------------------------------------------------------------
TYPE_LABELS: dict[str, str] = {
    "name": "氏名",
    "address": "住所",
    "phone": "電話番号",
    "mynumber": "マイナンバー",
    "birthdate": "生年月日",
    "account": "口座番号",
    "insurance_id": "保険番号",
    "email": "メール",
    "id": "番号",
}
PII_TYPES = tuple(TYPE_LABELS)
# When two rules claim overlapping text the more specific type wins.
_PRIORITY = {"email": 9, "phone": 8, "mynumber": 7, "address": 6, "birthdate": 5, "account": 4,
             "insurance_id": 4, "id": 3, "name": 2}


@dataclass
class Entity:
    """One piece of personal data: ``text`` is ``source[start:end]`` of its segment (or text)."""

    type: str
    start: int
    end: int
    text: str
    placeholder: str = ""
    segment_id: int | None = None
    rule: str = ""  # which rule found it: the answer to "why was this masked?"
    group: str = field(default="", repr=False, compare=False)  # one person's name split by fillers

    @property
    def label(self) -> str:
        return TYPE_LABELS.get(self.type, self.type)

    def to_dict(self, reveal: bool = False) -> dict[str, Any]:
        """Without ``reveal`` the raw text is left out (masked outputs carry offsets only)."""
        d: dict[str, Any] = {"type": self.type, "label": self.label, "placeholder": self.placeholder,
                             "segment_id": self.segment_id, "start": self.start, "end": self.end,
                             "rule": self.rule}
        if reveal:
            d["text"] = self.text
        return d


# -- character classes ---------------------------------------------------------------------------
def _is_kanji(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff" or c in "々〆ヶ"


def _is_hira(c: str) -> bool:
    return "\u3041" <= c <= "\u309f"


def _is_kata(c: str) -> bool:
    return ("\u30a0" <= c <= "\u30ff" and c not in "・") or c == "ー"


def _script(c: str) -> str:
    if _is_kanji(c):
        return "kanji"
    if _is_kata(c):
        return "kata"
    if _is_hira(c):
        return "hira"
    if c.isascii() and c.isalnum():
        return "ascii"
    return "other"


_BOUNDARY = set(" \u3000、。，．,.!！?？…・「」『』()（）\n\t:：;；")
FILLERS = ("えーっと", "えーと", "ええと", "えっと", "えっとー", "えー", "ええ", "ああ", "あー", "あのー", "あのう", "あの",
           "そのー", "うーん", "んー", "うん", "まあ", "あっ", "あ", "え", "その")
_FILLER_RE = re.compile(r"(?:" + "|".join(sorted(map(re.escape, FILLERS), key=len, reverse=True)) + r")")

# -- Sudachi tokens (the GiNZA tokenizer, no neural components: fast enough for every segment) ----
@dataclass(frozen=True)
class Tok:
    text: str
    tag: str
    start: int
    end: int
    norm: str = ""  # Sudachi normalised form (子ども → 子供): the classifier's features
    reading: str = ""  # katakana reading in context (岡本 → オカモト): finds the name again in kana

    @property
    def is_person(self) -> bool:
        return "人名" in self.tag

    @property
    def is_common_noun(self) -> bool:
        return self.tag.startswith("名詞-普通名詞")


@lru_cache(maxsize=4096)
def sudachi_tokens(text: str) -> tuple[Tok, ...]:
    """Sudachi tokens of ``text`` via GiNZA's tokenizer (cached: live drafting re-reads segments)."""

    doc = nlp.tokenize(text)
    return tuple(Tok(t.text, t.tag_, t.idx, t.idx + len(t.text), t.norm_ or t.lemma_,
                     (t.morph.get("Reading") or [""])[0]) for t in doc)


@lru_cache(maxsize=1)
def _sudachi_dictionary() -> Any:
    """Sudachi's own dictionary (the one inside GiNZA), for looking up *every* entry of a word.

    The tokenizer picks one analysis per context (湊 → 普通名詞 "harbour"); the dictionary also
    knows 湊 as a given name. None when SudachiPy cannot open it: the rules then fall back to the
    tokens alone."""
    try:
        import sudachipy

        return sudachipy.Dictionary(dict="core")
    except Exception:  # noqa: BLE001 - masking must keep working on the token rules alone
        return None


@lru_cache(maxsize=16384)
def lexicon_entries(word: str) -> tuple[tuple[str, str], ...]:
    """All dictionary entries of ``word`` as (part of speech joined by '-', reading)."""
    d = _sudachi_dictionary()
    if d is None or not word:
        return ()
    try:
        return tuple(("-".join(p for p in m.part_of_speech()[:4] if p != "*"), m.reading_form())
                     for m in d.lookup(word))
    except Exception:  # noqa: BLE001
        return ()


def lexicon_person(word: str) -> bool:
    """Whether the dictionary knows ``word`` as a person name (勝, 湊, さくら — also common words)."""
    return any("人名" in pos for pos, _r in lexicon_entries(word))


def lexicon_surname(word: str) -> bool:
    """Whether the dictionary knows ``word`` as a family name (丸山, 佐藤)."""
    return any(pos.endswith("人名-姓") for pos, _r in lexicon_entries(word))


def lexicon_given(word: str) -> bool:
    """Whether the dictionary knows ``word`` as a given name (誠, 湊 — not 東京, a place)."""
    return any(pos.endswith("人名-名") for pos, _r in lexicon_entries(word))


def person_readings(word: str) -> list[str]:
    """The readings ``word`` has as a person name (勝 → カツ, ショウ, マサル)."""
    return list(dict.fromkeys(r for pos, r in lexicon_entries(word) if "人名" in pos and r))


_ner_lock = threading.Lock()


@lru_cache(maxsize=1024)
def ner_persons(text: str) -> tuple[tuple[int, int], ...]:
    """GiNZA NER person spans (only the tok2vec and ner components run: the parser is not needed)."""

    doc = nlp.parse_with(text, ("tok2vec", "ner"))
    return tuple((e.start_char, e.end_char) for e in doc.ents if e.label_ in ("Person", "PERSON"))


# -- protected terms: scheme and office names are never personal data ------------------------------
OFFICE_TERMS = (
    "ハローワーク", "社会福祉協議会", "社協", "地域包括支援センター", "包括支援センター", "包括", "法テラス",
    "保健所", "保健センター", "児童相談所", "年金事務所", "市役所", "区役所", "役所", "警察", "消防",
    "福祉事務所", "こども家庭センター", "ケースワーカー", "民生委員", "ケアマネジャー", "ケアマネ", "保健師",
    "相談員", "弁護士", "司法書士", "ヘルパー", "主治医", "社会保険労務士", "家庭裁判所", "裁判所",
)


@lru_cache(maxsize=1)
def _protected_re() -> re.Pattern[str] | None:
    terms = set(OFFICE_TERMS)
    try:

        for s in get_knowledge_base():
            for n in [s.name, s.short_name, *s.aliases]:
                n = re.split(r"[（(]", n)[0].strip()
                if len(n) >= 2:
                    terms.add(n)
    except Exception:  # noqa: BLE001 - masking must work even without a readable knowledge base
        pass
    if not terms:
        return None
    return re.compile("|".join(sorted(map(re.escape, terms), key=len, reverse=True)))


def _protected_spans(text: str) -> list[tuple[int, int]]:
    pat = _protected_re()
    return [(m.start(), m.end()) for m in pat.finditer(text)] if pat else []


# -- e-mail ----------------------------------------------------------------------------------------
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+\s*[@＠]\s*[A-Za-z0-9\-]+(?:\s*\.\s*[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_EMAIL_JOIN = r"(?:ドット|どっと|点|てん|アンダーバー|アンダースコア|あんだーばー|ハイフン|はいふん|の|[._\-])"
# an address read out word by word (「やまだ、ドット、はなこ、アットマーク、ヤフー、ドット、シーオー、ドット、
# ジェーピー」, 「エミ ドット 0312 アットマーク ドコモ ドット ネ ドット ジェーピー」): each part in any
# script, joined by the spoken separators, with pauses and commas between
# (letters, digits and letter names read one by one, with spaces or commas between them: 「r e n」「h、a、r、u」
# 「ケー イー アイ」「エヌ ケー ゼロゴー いちに」; no chunk is a separator or a lone particle, so that a run of
# 「の の の」 or 「a-b-c」 has one reading; a topic (「めーるは」) is not a part; にー in にーまる is a digit)
_EMAIL_CHUNK = (r"(?:[A-Za-z0-9]+|[ァ-ヶー]{1,16}|(?!はい|えっと|えー|ええ|あの|その|まあ|です)"
                r"(?![ぁ-んー]{0,9}[はがをでもへ](?![ぁ-ん]))[ぁ-ん](?:[ぁ-ん]|(?<=[ぁ-ん])ー){1,9})")  # けーめーる
_EMAIL_WORD = rf"{_EMAIL_CHUNK}(?:[\s\u3000、,]{{1,2}}{_EMAIL_CHUNK}){{0,12}}"
_EMAIL_SEP = r"[\s\u3000、,]*"
SPOKEN_EMAIL_RE = re.compile(
    rf"(?:(?:(?<=えー)|(?<=あー)|(?<![ぁ-んー]))(?=[ぁ-ん])|(?<![ァ-ヶー])(?=[ァ-ヶー])|(?<![A-Za-z0-9_\-])(?=[A-Za-z0-9_\-])){_EMAIL_WORD}(?:{_EMAIL_SEP}{_EMAIL_JOIN}{_EMAIL_SEP}{_EMAIL_WORD}){{0,6}}{_EMAIL_SEP}"
    rf"(?:(?:えー|えっと|あの|(?:全部|ぜんぶ)?(?:小文字|大文字|こもじ|おおもじ)で)[\s\u3000、,]*)*"  # 「…ogawa、えっと、全部小文字で、アット…」
    rf"(?:アット[\s\u3000]?マーク|あっと[\s\u3000]?まーく|アット|あっと){_EMAIL_SEP}(?:(?:えー|えっと|あの)[\s\u3000、,]*)?"
    rf"{_EMAIL_WORD}(?:{_EMAIL_SEP}(?:ドット|どっと|点|ハイフン|はいふん|\.|-){_EMAIL_SEP}{_EMAIL_WORD}){{1,5}}")


# the part before @ spelled out after the address was given (「…@example.jp です。みか、ハイフン、さとう」)
_SPELLED_LOCAL_RE = re.compile(
    rf"(?:(?<![ぁ-んー])(?=[ぁ-ん])|(?<![ァ-ヶー])(?=[ァ-ヶー])|(?<![A-Za-z0-9_\-])(?=[A-Za-z0-9]))"
    rf"{_EMAIL_WORD}(?:{_EMAIL_SEP}(?:ドット|どっと|ハイフン|はいふん|アンダーバー|アンダースコア|あんだーばー){_EMAIL_SEP}{_EMAIL_WORD}){{1,6}}")


_NOT_SPELLED = re.compile(r"じゃな|でした|です|ちが|違")  # 「じゃなくて、アンダーバーでした」: a correction, not a part


def _emails(text: str, before: str = "") -> list[Entity]:
    """E-mail addresses: written, read out word by word, or the part before @ spelled out where an address
    was given (in this turn or the one ``before``: 「t o k u n a g a ドット s 1972 ですね」)."""
    out = [Entity("email", m.start(), m.end(), m.group(), rule="email") for m in EMAIL_RE.finditer(text)]
    if re.search(r"アット|あっと", text):
        out += [Entity("email", m.start(), m.end(), m.group(), rule="email:spoken") for m in SPOKEN_EMAIL_RE.finditer(text)]
    if out or re.search(r"メール|めーる|アドレス", text) or EMAIL_RE.search(before) or re.search(r"アット|あっと", before):
        out += [Entity("email", m.start(), m.end(), m.group(), rule="email:spelled") for m in _SPELLED_LOCAL_RE.finditer(text)
                if not any(e.start < m.end() and m.start() < e.end for e in out) and not _NOT_SPELLED.search(m.group())]
    return out


# -- addresses -------------------------------------------------------------------------------------
_NUMK = r"(?:[0-9０-９]+|[一二三四五六七八九十〇]+)"
_S = r"[\s\u3000]*"
_J = r"(?:の|[-‐−－ー])?"
_STREET_RE = re.compile(
    rf"(?:(?:{_NUMK}{_S}条{_S})?{_NUMK}{_S}丁目(?:{_S}{_J}{_S}{_NUMK}{_S}(?:番地|番)?(?:{_S}{_J}{_S}{_NUMK}(?:{_S}号(?!室|棟))?)?)?"
    rf"|{_NUMK}{_S}番地(?:{_S}の?{_S}{_NUMK}(?:{_S}号(?!室|棟))?)?"
    rf"|{_NUMK}{_S}番{_S}(?:の{_S})?{_NUMK}(?:{_S}号(?!室|棟))?"
    rf"|[0-9０-９]{{1,4}}{_S}の{_S}[0-9０-９]{{1,4}}{_S}の{_S}[0-9０-９]{{1,4}}(?![0-9０-９])"
    rf"|(?<![0-9０-９][-‐−－ー])(?<![0-9０-９])(?![0０])[0-9０-９]{{1,4}}[-‐−－ー][0-9０-９]{{1,4}}(?:[-‐−－ー][0-9０-９]{{1,4}})?)")
_BNAME = r"[ァ-ヶー一-龯々A-Za-zぁ-ん・]"
_AFTER_STREET_RE = re.compile(
    rf"(?P<sep>(?:[、,\s\u3000]|の)*)(?P<b>{_BNAME}{{0,12}}?{BUILDING_KW}{_BNAME}{{0,8}}|[ァ-ヶー]{{3,}}[一-龯ァ-ヶー]{{0,6}}(?=[0-9０-９]{{3,4}}))?"
    rf"(?:{_S}(?:の{_S})?(?P<room>{_NUMK}{_S}(?:号室|号棟|号|棟)?(?:{_S}の?{_S}{_NUMK}{_S}(?:号室|号)?)?))?")
_ROOM_ONLY_RE = re.compile(rf"[\s\u3000、]*{_NUMK}{_S}号室")
_BUILDING_ALONE_RE = re.compile(
    rf"(?P<b>[ァ-ヶー一-龯々A-Za-z]{{0,12}}(?:(?<=[一-龯々])[\s\u3000](?=[荘寮]))?{BUILDING_KW}[ァ-ヶー一-龯々]{{0,6}}){_S}(?:の{_S})?"
    rf"(?:(?P<n1>{_NUMK}){_S}(?:号棟|棟){_S}(?:の{_S})?(?P<n2>[0-9０-９]{{1,4}})(?:{_S}号室|{_S}号)?"
    rf"|(?P<room>[0-9０-９]{{3,4}})(?:{_S}号室|{_S}号)?(?![0-9０-９万円年月日階人回歳分時])|{_NUMK}{_S}号{_S}室)")  # 「光 荘 の 二 号 室」
_ROOM_ALONE_RE = re.compile(
    rf"(?:[A-Za-zＡ-Ｚ]|{_NUMK}){_S}(?:号棟|棟){_S}(?:[、,の]{_S})?[0-9０-９](?:[\s\u3000]?[0-9０-９]){{1,3}}(?:{_S}号室|{_S}号)?"
    rf"(?![0-9０-９万円年月日階人回歳分時])")
_PLACE_SUFFIX = "都道府県市区町村郡丁台丘野原島谷沢川山田井橋浜"
_ADDR_PREFIX_STRIP = re.compile(r"^(?:ご?住所|現住所|住民票|自宅|実家|本籍|所在地|被害)")
_PARTICLES = set("はがをにでともへやの")
_UNIT_AFTER = re.compile(r"^[\s\u3000]*(?:日|時|分|歳|才|回|人|万|円|か月|ヶ月|カ月|階|%|％|年|月)")


_SPACED_TOWN = re.compile(r"(?:[一-龯々ァ-ヶー]{1,4}[\s\u3000]+(?:(?:が|ケ|ヶ|の)[\s\u3000]+)?){0,2}[一-龯々ァ-ヶー]{0,3}"
                          r"(?:丘|台|町|通り|通|野|原|坂|浜|谷|沢|川|山|田|島|森|園|里|前|橋|崎|岡|宮|口|江|井|瀬|見|尾|林|堂|寺)[\s\u3000]+$")


def _extend_town(text: str, start: int) -> int:
    """Walk back from a street number over the town/city name (北区緑が丘, ひばり野市緑町)."""
    i = start
    limit = max(0, start - 18)
    while i > limit:
        c = text[i - 1]
        if _is_kanji(c) or _is_kata(c) or c in "ヶケノ":
            i -= 1
            continue
        if c in "がの" and i - 2 >= 0 and _is_kanji(text[i - 2]) and i < len(text) and _is_kanji(text[i]):
            i -= 1
            continue
        spaced = _SPACED_TOWN.search(text[:i]) if c in " \u3000" else None
        if spaced and i - spaced.start() <= 12:
            i = spaced.start()  # the recogniser's spaces inside a town name (緑 が 丘, 中央 通り)
            continue
        run = re.search(r"[ぁ-ん]{2,6}$", text[:i])
        if run and run.start() > 0 and text[run.start() - 1] in "都道府県市区町村郡" and (_is_kanji(text[i]) or _is_kata(text[i])):
            i = run.start()  # 区 + a town name partly in kana + kanji (安佐南区みどり坂)
            continue
        break
    town = text[i:start]
    m = _ADDR_PREFIX_STRIP.match(town)
    if m:
        i += m.end()
        town = text[i:start]
    # A hiragana city name (みどり市, ひばり野市): only when a place suffix follows within 2 chars.
    if town and i > 0 and _is_hira(text[i - 1]) and re.match(r"^[一-龯]?[市区町村郡]", town):
        j = i
        while j > 0 and _is_hira(text[j - 1]) and i - j < 7:
            j -= 1
        if j > 0 and _is_hira(text[j - 1]):
            j = i  # a long hiragana run: part of a sentence, not a city name
        elif j > 0 and text[j - 1] not in _BOUNDARY and text[j] in _PARTICLES:
            j += 1  # 住所はみどり市: the particle stays outside
        if i - j >= 2:
            i = j
    return i


_PC_DIGIT = r"[0-9０-９〇一二三四五六七八九]"
_PC_SEP = r"[\s\u3000]*(?:[-‐−－ー]|の)?[\s\u3000]*"
# a postcode: after 〒 (masked with it) or after the words 郵便番号 (「郵便番号は 123 の 4567」)
POSTCODE_RE = re.compile(
    rf"(?:〒[\s\u3000]*|(?<=郵便番号)(?:[はがも:：、,\s\u3000]|えっと|えーと|えー)*|(?<=ゆうびんばんごう)(?:[はがも、,\s\u3000]|えっと|えー)*)"
    rf"(?P<n>{_PC_DIGIT}{{3}}{_PC_SEP}{_PC_DIGIT}{{4}})(?![0-9０-９〇一二三四五六七八九])")


def _postcodes(text: str) -> list[Entity]:
    out = []
    for m in POSTCODE_RE.finditer(text):
        start = m.start() if text[m.start()] == "〒" else m.start("n")
        out.append(Entity("address", start, m.end("n"), text[start:m.end("n")], rule="address:postcode"))
    return out


def _addresses(text: str, asked: bool = False) -> list[Entity]:
    """Street addresses; a bare 「三丁目」 with no town before it and no lot after it is a place
    (三丁目のスーパー), not an address, unless it answers a question for the address."""
    out: list[Entity] = _postcodes(text)
    for m in _STREET_RE.finditer(text):
        start, end = m.start(), m.end()
        if _UNIT_AFTER.match(text[end:end + 4]):
            continue
        town_start = _extend_town(text, start)
        has_town = town_start < start
        if not (has_town or asked) and re.fullmatch(rf"{_NUMK}{_S}丁目", m.group()):
            continue
        is_dash = not any(k in m.group() for k in ("丁目", "番"))
        if is_dash and "の" in m.group():
            # 桜台2の15の3: only right after a town name
            if not (has_town and text[start - 1] in _PLACE_SUFFIX + "台丘"):
                continue
        elif is_dash:
            parts = re.split(r"[-‐−－ー]", m.group())
            if len(parts) < 3 and not (has_town and text[start - 1] in _PLACE_SUFFIX):
                continue
            if not has_town and m.group().startswith("0"):
                continue
        start = town_start
        after = _AFTER_STREET_RE.match(text, end)
        if after and (after.group("b") or after.group("room")):
            b, room, sep = after.group("b") or "", after.group("room"), after.group("sep")
            b_end = after.end("b") if b else end
            if room is None and b:
                stripped = re.sub(r"[ぁ-ん]+$", "", b)  # メゾン若葉です → メゾン若葉
                b_end -= len(b) - len(stripped)
                b = stripped
            ok_building = bool(b) and (room is not None or (not re.search("[ぁ-ん]", b) and "の" not in sep))
            ok_room = room is not None and (b or "号" in room or re.fullmatch(r"[0-9０-９]{3,4}", room.strip()))
            if ok_building or ok_room:
                room_end = after.end("room") if room is not None else b_end
                if room is not None and _UNIT_AFTER.match(text[room_end:room_end + 4]):
                    room_end = b_end
                end = max(end, room_end)
        else:
            r = _ROOM_ONLY_RE.match(text, end)
            if r:
                end = r.end()
        out.append(Entity("address", start, end, text[start:end], rule="address:street"))
    for m in _ROOM_ALONE_RE.finditer(text):
        out.append(Entity("address", m.start(), m.end(), m.group(), rule="address:room"))
    for m in _BUILDING_ALONE_RE.finditer(text):
        start, end = m.start(), m.end()
        # a hiragana head of the building name (さくらハイツ) when it stands on its own
        j = start
        while j > max(0, start - 5) and _is_hira(text[j - 1]) and text[j - 1] not in _PARTICLES:
            j -= 1
        if j < start and (j == 0 or text[j - 1] in _BOUNDARY):
            start = j
        out.append(Entity("address", start, end, text[start:end], rule="address:building"))
    return out


def _places_in_answer(text: str, toks: Sequence[Tok]) -> list[Entity]:
    """In the answer to 「ご住所は？」, place names without a street number (青葉区の桜ヶ丘) are the
    address too: runs of Sudachi place-name tokens, joined by の."""
    out: list[Entity] = []
    i = 0
    while i < len(toks):
        if "地名" not in toks[i].tag:
            i += 1
            continue
        j = i
        while j + 2 < len(toks) and toks[j + 1].text == "の" and "地名" in toks[j + 2].tag:
            j += 2
        start, end = toks[i].start, toks[j].end
        out.append(Entity("address", start, end, text[start:end], rule="address:answer"))
        i = j + 1
    return out


# -- dates of birth -----------------------------------------------------------------------------------
_ERA = r"(?:明治|大正|昭和|平成|令和|めいじ|たいしょう|しょうわ|へいせい|れいわ|メイジ|タイショウ|ショウワ|ヘイセイ|レイワ)"
# between the parts of a spoken date: pauses, commas and fillers (「1978年、えー、7月22日」)
_DS = r"(?:[\s\u3000、,…]|えーっと|えーと|えっと|ええっと|ええと|えー|あのー|あの|その|まあ)*"
_MD = rf"(?:{_DS}の?{_DS}{_NUMK}{_S}月(?:{_DS}の?{_DS}{_NUMK}{_S}日)?)?"
_DATE_RES = (
    (re.compile(rf"{_ERA}{_DS}の?{_DS}(?:{_NUMK}|元){_S}年{_MD}"), "era"),
    (re.compile(rf"{_ERA}{_DS}の?{_DS}{_NUMK}{_DS}の?{_DS}{_NUMK}{_S}月(?:{_DS}の?{_DS}{_NUMK}{_S}日)?"), "era"),
    (re.compile(rf"(?<![A-Za-z0-9])[MTSHR]{_S}[0-9０-９]{{1,2}}{_S}年{_MD}"), "era"),
    (re.compile(rf"(?<![0-9０-９])(?:19|20|１９|２０)[0-9０-９]{{2}}{_S}年{_MD}"), "western"),
    (re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}[/.\-][0-9]{1,2}[/.\-][0-9]{1,2}(?![0-9])"), "numeric"),
    (re.compile(r"(?<![A-Za-z0-9])[MTSHR][0-9]{1,2}[./][0-9]{1,2}[./][0-9]{1,2}(?![0-9])"), "numeric"),
    (re.compile(rf"(?<![0-9０-９年]){_NUMK}{_S}年{_S}の?{_S}{_NUMK}{_S}月(?:{_S}の?{_S}{_NUMK}{_S}日)?"), "bare"),
)
_BIRTH_AFTER = re.compile(r"^[\s\u3000]*(?:の|に)?(?:生まれ|うまれ|産まれ|生(?![活き])|誕生)")
_NOT_BIRTH_AFTER = re.compile(r"^[\s\u3000]*(?:度|分|から|以降|以後|以前|まで|頃|ごろ|現在|時点|に(?:入|退|離|就|亡|結)|の(?:春|夏|秋|冬))")
# A full past date stated on its own (「昭和62年4月30日です」), typically right after giving one's name:
# at a counter that is a date of birth. 令和 dates are recent (appointments, deadlines) and excluded.
_STATED_AFTER = re.compile(r"^[\s\u3000]*(?:です|でございます|や(?:けど|で)?$|だ(?:よ|ね)?$|$)")
_OLD_ERA = re.compile(r"^(?:明治|大正|昭和|平成|めいじ|たいしょう|しょうわ|へいせい|メイジ|タイショウ|ショウワ|ヘイセイ)")
BIRTH_CONTEXT = re.compile(r"生年[\s\u3000]*月[\s\u3000]*日?|誕生[\s\u3000]*日|生まれ|うまれ|お生まれ|何年生|たんじょうび|せいねんがっぴ")


_AGE_AFTER_DATE = re.compile(r"^[\s\u3000、,]*(?:で|の)?[\s\u3000]*(?:[0-9０-９]{1,3}|[一二三四五六七八九十]{1,4})[\s\u3000]*(?:歳|才)")


def _birthdates(text: str, context: str) -> list[Entity]:
    """Dates in a birth context: followed by 生まれ, or in the answer to a 生年月日 question, or in
    a sentence that names the birth date. Other dates (令和6年10月分から) are not personal data."""
    out: list[Entity] = []
    asked = bool(BIRTH_CONTEXT.search(context.split("\n")[0] if context else ""))
    taken: list[tuple[int, int]] = []
    for pattern, kind in _DATE_RES:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            if _NOT_BIRTH_AFTER.match(text[m.end():m.end() + 6]):
                continue
            sentence_start = max(text.rfind(c, 0, m.start()) for c in "。\n！？!?") + 1
            in_context = asked or bool(BIRTH_CONTEXT.search(text[sentence_start:m.start()]))
            followed = bool(_BIRTH_AFTER.match(text[m.end():m.end() + 6]))
            has_month = "月" in m.group() or kind == "numeric"
            stated = ("日" in m.group() and bool(_STATED_AFTER.match(text[m.end():m.end() + 8]))
                      and (kind == "western" or bool(_OLD_ERA.match(m.group()))))
            aged = "日" in m.group() and bool(_AGE_AFTER_DATE.match(text[m.end():m.end() + 8]))
            if followed or stated or aged or (in_context and (has_month or kind == "era")):
                if kind == "bare" and not (followed or has_month):
                    continue
                out.append(Entity("birthdate", m.start(), m.end(), m.group(), rule=f"birthdate:{kind}"))
                taken.append((m.start(), m.end()))
    return out


# -- names ------------------------------------------------------------------------------------------
HONORIFICS = ("さん", "さま", "様", "ちゃん", "くん", "君", "氏", "殿", "はん")
KINSHIP = (
    "内縁の夫", "内縁の妻", "上の子", "下の子", "一番上", "一番下", "主人", "旦那", "夫", "妻", "嫁", "婿", "女房", "家内",
    "息子", "娘", "長男", "長女", "次男", "次女", "三男", "三女", "末っ子", "子ども", "子供", "父親", "母親", "義父",
    "義母", "祖父", "祖母", "父", "母", "兄", "姉", "弟", "妹", "孫", "甥", "姪", "おっと", "つま", "むすこ", "むすめ",
    "おやじ", "おふくろ", "友達", "友だち", "友人", "彼氏", "彼女", "上の", "下の", "兄貴", "姉貴", "パートナー",
    "同居人", "いとこ", "叔父", "叔母", "伯父", "伯母", "おじ", "おば", "相方",
    "おじいちゃん", "おばあちゃん", "じいちゃん", "ばあちゃん", "おじいさん", "おばあさん", "お父さん", "お母さん",
    "父さん", "母さん", "兄さん", "姉さん", "お兄ちゃん", "お姉ちゃん", "兄ちゃん", "姉ちゃん", "息子さん", "娘さん",
    "奥さん", "嫁さん", "旦那さん", "ご主人", "実父", "実母", "養父", "養母", "継父", "継母", "義兄", "義姉", "義弟",
    "義妹", "孫娘", "姪っ子", "甥っ子", "恋人", "婚約者", "元夫", "元妻", "前夫", "前妻", "元旦那", "養子", "里子",
    "親友", "知人", "おとうと", "いもうと",
)
_KIN_RE = re.compile(
    r"(?:(?:" + "|".join(sorted(map(re.escape, KINSHIP), key=len, reverse=True)) + r")"
    r"(?:[はがの、,]|って|\s)+|(?:一番上の|一番下の|上の|下の|真ん中の)[\s\u3000]*)")
# Words that take an honorific but are roles, relations or places, never names.
ROLE_WORDS = {
    "大家", "家主", "奥", "娘", "息子", "子", "お子", "父", "母", "兄", "姉", "弟", "妹", "孫", "嫁", "婿", "客", "皆", "隣",
    "近所", "相手", "先方", "向こう", "本人", "ご本人", "家族", "親御", "旦那", "主人", "ご主人", "叔父", "叔母", "伯父",
    "伯母", "先生", "担当", "神", "仏", "王", "殿", "坊", "嬢", "姑", "舅", "おじい", "おばあ", "お父", "お母", "お兄",
    "お姉", "お客", "患者", "利用者", "職員", "店員", "業者", "医者", "お医者", "大工", "農家", "親戚", "地主",
    "同僚", "上司", "部下", "社長", "店長", "課長", "部長", "係長", "院長", "園長", "校長", "会長", "組長", "町長", "市長",
    "区長", "所長", "班長", "寮長", "管理人", "お隣", "皆様", "母様", "父様", "姉様", "兄様", "母親", "父親",
}
KATAKANA_ROLES = {
    "ヘルパー", "ケアマネ", "ワーカー", "ケースワーカー", "ソーシャルワーカー", "マネージャー", "ドクター", "ナース", "ママ",
    "パパ", "オーナー", "スタッフ", "ボランティア", "コーディネーター", "カウンセラー", "リーダー", "サポーター", "ガイド",
    "シェフ", "マスター", "トレーナー", "コーチ", "ボス", "ベビーシッター", "ケアマネジャー", "ケアマネージャー", "ママ友",
    "パート", "バイト", "アルバイト", "ドライバー", "オペレーター", "ホスト", "ホステス", "ヤクザ",
}
HIRAGANA_NOT_NAMES = {
    "たく", "みな", "おく", "おとう", "おかあ", "おにい", "おねえ", "おじい", "おばあ", "おじ", "おば", "おまわり", "だんな",
    "むすこ", "むすめ", "おこ", "ねえ", "にい", "かあ", "とう", "じい", "ばあ", "おじょう", "ぼっちゃ", "おきゃく", "おくさ",
    "いち", "おいしゃ", "かんごし", "おとなり", "ごしゅじん", "おまごさ", "おまご", "おやご", "ほけんし", "せんせい", "おおや",
    "おやく", "おてつだい", "ごきんじょ", "おむかい", "こども", "ごほんにん", "みなさ", "ありがと", "ありがとう", "おおきに",
    "ありがど", "ありがとさ", "ありがどさ", "おつかれ", "ごくろう", "あなた", "あんた", "どなた", "そちら", "こちら",
    "そういうの", "こういうの", "ああいうの", "そういう", "こういう",
}
NAME_STOPWORDS = {
    "アルツハイマー", "パーキンソン", "クローン", "ダウン", "ベーチェット", "バセドウ", "ハンセン", "メニエール", "ハンチントン",
    "ガン", "コロナ", "マイナンバー", "ハローワーク", "ケアマネ", "ヘルパー", "ママ", "パパ", "はい", "いいえ", "私", "わたし",
    "僕", "俺", "上から", "下から", "本人", "自分", "名前", "お名前", "母", "父", "息子", "娘", "夫", "妻", "主人", "旦那", "一人", "二人",
    "元夫", "元妻", "前夫", "前妻", "元旦那", "甥御", "姪御", "民生", "民生委員", "民生 委員",
}
_ROLE_SUFFIX = tuple("師士員者屋長主家人手医官生所院設校会社局署協庁課店園部科業室寮様親族方")
ADDRESS_QUESTION = re.compile(r"ご?住所|どちらにお住まい|どこにお住まい|お住まいはどちら|お住まいはどこ|"
                              r"どちらに住んで|どこに住んで|住んでいらっしゃる")
NAME_QUESTION = re.compile(r"お名前|名前|氏名|フルネーム|おなまえ|お名まえ|どちら様|どちらさま|呼び方|なんとお呼び")
_LEAD_STRIP = re.compile(
    r"^(?:[\s\u3000、。…]|(?:はい|ええ|うん|いえ|いいえ|あっ|あ|え|えっと|えーと|えーっと|えー|あー|あの[ーう]?|すみません|失礼します)"
    r"(?=[\s\u3000、。…!！])|(?:えーっと|えーと|えっと|えー|あのー|あの)(?=[一-龯ァ-ヶ])|"
    r"(?:私の名前|僕の名前|名前|おなまえ|なまえ|わたし|私|僕|ぼく|俺|おれ|わし|自分|おい|おいら|わい|うち|あたし)(?:は|が)|"
    r"(?:" + "|".join(sorted(map(re.escape, KINSHIP), key=len, reverse=True)) + r")(?:は|が|の))+")
# Naming verbs of a self-introduction, standard and dialect, with or without と/って
# (岡本と申します, 岡本いいます, 岡本っちゅいます, 岡本いうもんです).
_NAMING_VERB = (r"(?:(?:と|って|て)?(?:申します|申す|もうします|いいます|言います|ゆいます|ゆいよります|いいまーす|"
                r"いうんです|言うんです|いう者です|いうもんです|言うもんです|ゆうもんです|いうもんだ|いうもの|いうてます|"
                r"ゆうてます)|(?:っちゅ|ちゅ)(?:います|うもんです|うてます|うとります))")
_ANSWER_END = re.compile(r"\s*(?:でございます|です|っす|と申します|といいます|と言います|っていいます|って言います|っていう|と申す|"
                         + _NAMING_VERB + ")"
                         r"|で(?=[、,\s])|[、。！!？?\n]"
                         r"|[\s\u3000]*(?:っつう|っちゅう|つう)|[\s\u3000]+(?:だ|や|じゃ)(?=[\s\u3000、。]|$)")  # 「まさき っつうんだ」「ろくろう だ」
_NAME_CHARS = re.compile(r"^[一-龯々〆ヶぁ-んァ-ヶー・A-Za-zＡ-Ｚａ-ｚ\s\u3000]+$")  # Latin too (NGUYEN VAN NAM)
_NAME_END_OK = re.compile(
    r"^(?:\s|[、。，．,.!！?？…」』)）\n]|さん|さま|様|ちゃん|くん|君|氏|です|でした|で[、\s]|でござ|と申|といい|と言|って|っていう|"
    r"いいます|言います|ゆいます|申します|いう(?:者|もん)|ゆうもん|言うもん|" + _NAMING_VERB + "|"
    r"が|は|の|と|も|に|を|へ|や|から|まで|より|だ|じゃ|なら|や|、|宛|あて|名義|本人|ん(?:とこ|ち|家)|$)")


def _char_before(text: str, i: int) -> str:
    return text[i - 1] if i > 0 else " "


def _char_after(text: str, i: int) -> str:
    return text[i] if i < len(text) else " "


def _left_ok(text: str, start: int, toks: Sequence[Tok]) -> bool:
    """A name does not start in the middle of a word (保|健師, 市|営)."""
    c = _char_before(text, start)
    if c in _BOUNDARY or c == " ":
        return True
    s = _script(c)
    first = text[start]
    if s == "kanji" and _script(first) in ("kanji", "kata"):
        return False
    if s == "kata" and _script(first) == "kata":
        return False
    if s == "hira" and _script(first) == "hira":
        return False
    return True


def _right_ok(text: str, end: int) -> bool:
    rest = text[end:end + 6]
    if not rest:
        return True
    if _NAME_END_OK.match(rest):
        return True
    c = rest[0]
    return c in _BOUNDARY


def _clean_name(s: str) -> str:
    """Name without spaces, fillers or middle dots: the key that identifies one person."""
    s = re.sub(r"[\s\u3000・、]", " ", s)
    words = [w for w in s.split() if w not in FILLERS]
    return "".join(words)


def _is_role(word: str, suffix: bool = True) -> bool:
    """大家, ヘルパー, 保健師, 市役所 …: words that take さん but are roles or places, not names.
    ``suffix`` also counts words ending in a role/office kanji (師, 員, 所 …); it is not used for
    words Sudachi already knows as person names (阿部, 直人)."""
    w = word.lstrip("おご御")
    if word in ROLE_WORDS or w in ROLE_WORDS or word in KATAKANA_ROLES or word in NAME_STOPWORDS:
        return True
    return suffix and len(word) >= 2 and _is_kanji(word[-1]) and word[-1] in _ROLE_SUFFIX


@dataclass
class _Ctx:
    """What a segment's neighbours tell us: was a name or birth date just asked for?"""

    text: str
    speaker: str = "unknown"
    segment_id: int | None = None
    previous: str = ""  # text of the previous segments (nearest first), for id/birth context
    name_answer: bool = False  # first non-staff segments after a staff name question
    address_answer: bool = False  # … after a staff question for the address


_NUMERAL_WORD = re.compile(r"^(?=[一二三四五六七八九十〇]*[百千万億])[一二三四五六七八九十百千万億〇]+$")


def _person_runs(text: str, toks: Sequence[Tok]) -> list[tuple[int, int, list[Tok]]]:
    """Runs of Sudachi person-name tokens, joined over spaces, fillers and ・ (やまだ えー たろう)."""
    runs: list[tuple[int, int, list[Tok]]] = []
    i = 0
    while i < len(toks):
        if not toks[i].is_person:
            i += 1
            continue
        members = [toks[i]]
        j = i + 1
        while j < len(toks):
            t = toks[j]
            if re.match(_NAMING_VERB, text[t.start:]):
                break  # 藤堂 ゆうもんです: ゆう is the verb of the introduction, not a given name
            if t.is_person:
                members.append(t)
                j += 1
                continue
            # look through joiners: spaces, ・, fillers, then another person token
            k = j
            while k < len(toks) and (toks[k].text.strip() in ("", "・") or toks[k].text in FILLERS
                                      or toks[k].tag.startswith(("感動詞", "空白"))):
                k += 1
            if k > j and k < len(toks) and toks[k].is_person and "名" in toks[k].tag.split("-")[-1] \
                    and not re.match(_NAMING_VERB, text[toks[k].start:]):
                members.extend(toks[j:k + 1])
                j = k + 1
                continue
            break
        start, end = members[0].start, members[-1].end
        # a person token that is the head of a longer kana word (のぶ|こ, ゆう|と): take the word
        if _script(text[end - 1]) in ("hira", "kata"):
            sc = _script(text[end - 1])
            e = end
            while e < len(text) and _script(text[e]) == sc and e - end < 3:
                e += 1
            tail = text[end:e]
            if tail and e - end < 3 and not any(text.startswith(h, end) for h in HONORIFICS) and \
                    not tail.startswith(("です", "で", "が", "は", "と", "の", "も", "に", "を")) and \
                    not re.match(_NAMING_VERB, text[end:]):
                end = e
        runs.append((start, end, members))
        i = j
    return runs


def _names_from_tokens(ctx: _Ctx, toks: Sequence[Tok]) -> list[Entity]:
    text = ctx.text
    out: list[Entity] = []
    for start, end, members in _person_runs(text, toks):
        word = text[start:end]
        if word in NAME_STOPWORDS or _clean_name(word) in NAME_STOPWORDS or _NUMERAL_WORD.match(word):
            continue  # 「三百 万 ぐらい」: a number the dictionary also has as a given name
        persons = [t for t in members if t.is_person]
        full = any(t.tag.endswith("姓") for t in persons) and persons[-1].tag.endswith("人名-名")
        if ctx.name_answer and persons[-1].tag.endswith("姓") and not _right_ok(text, end) and \
                (given := re.match(r"[ぁ-ん]{2,4}(?=です|で|、|。|[\s\u3000]|$)", text[end:])):
            end, full = end + given.end(), True  # 「村田あかりで…」 in a name answer: a kana given name after the surname
            word = text[start:end]
        if not _left_ok(text, start, toks) or not (_right_ok(text, end) or (full and text.startswith("で", end))):
            continue  # a surname and a given name before で are a name even in unspaced text (工藤さくらで県立…)
        honorific_after = any(text.startswith(h, end) for h in HONORIFICS)
        if len(_clean_name(word)) == 1 and not (honorific_after or ctx.name_answer or
                                                re.match(r"^\s*(?:です|っていいます|といいます|と申します)", text[end:])):
            continue
        if len(persons) == 1 and persons[0].tag.endswith("人名-一般") and _is_kata(word[0]) is False \
                and not honorific_after:
            continue
        if len(persons) == 1 and all(_is_hira(c) for c in word) and not (
                honorific_after or ctx.name_answer or re.match(_SELF_INTRO_END, text[end:])):
            continue  # a lone hiragana word that happens to be in the name lexicon (りょういく)
        # one entity per word when fillers split the name (やまだ えー たろう): fillers are not personal data
        pieces = _split_at_fillers(text, start, end)
        group = _clean_name(word) if len(pieces) > 1 else ""
        for ps, pe in pieces:
            out.append(Entity("name", ps, pe, text[ps:pe], rule="name:lexicon", group=group))
    return out


def _split_at_fillers(text: str, start: int, end: int) -> list[tuple[int, int]]:
    word = text[start:end]
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in re.finditer(r"[\s\u3000]+(?:" + "|".join(map(re.escape, FILLERS)) + r")[\s\u3000]+", word):
        spans.append((start + pos, start + m.start()))
        pos = m.end()
    spans.append((start + pos, end))
    return [(a, b) for a, b in spans if b > a]


_SENSEI = re.compile(r"(?<![一-龯々])(?P<n>[一-龯々]{1,4}?)(?:[\s\u3000]*)(?:先生|せんせい|先生方|課長|部長|社長|係長|店長|所長|"
                     r"院長|園長|校長|教頭|会長|理事長|師長|主任|工場長|監督)")  # 「上司の大塚課長」


def _names_by_honorific(ctx: _Ctx, toks: Sequence[Tok]) -> list[Entity]:
    text = ctx.text
    out: list[Entity] = [Entity("name", m.start("n"), m.end("n"), m.group("n"), rule="name:sensei")
                         for m in _SENSEI.finditer(text) if lexicon_person(m.group("n")) and not _is_role(m.group("n"))]
    for t in toks:
        if t.text not in HONORIFICS or t.start == 0:
            continue
        if not t.tag.startswith(("接尾辞", "名詞")) and t.text not in ("さん", "様", "ちゃん", "くん", "君"):
            continue
        end = t.start
        sc = _script(text[end - 1])
        if sc not in ("kanji", "kata", "hira"):
            continue
        s = end
        while s > 0 and (_script(text[s - 1]) == sc or (sc == "kata" and text[s - 1] == "・")) and end - s < 13:
            s -= 1
        word = text[s:end]
        if end - s > 10 or not word.strip("ー・"):
            continue  # 「いちにーさん」: a long-vowel mark before さん is no name
        if sc == "hira":
            j = s
            while j > 0 and _is_kanji(text[j - 1]) and s - j < 4:
                j -= 1
            if j < s and (j == 0 or not _is_kanji(text[j - 1])) and lexicon_person(text[j:s]) and 2 <= len(word) <= 4 \
                    and word not in HIRAGANA_NOT_NAMES:
                out.append(Entity("name", j, end, text[j:end], rule="name:honorific"))  # 木村あかりさん
                continue
            # hiragana names (ASR writes たかはしさん): only after a pause or punctuation
            if not (s == 0 or text[s - 1] in _BOUNDARY) or not 2 <= len(word) <= 6:
                continue
            word = re.sub(r"^(?:その|この|あの|うちの)", "", word)  # 「そのおばあちゃん」
            if word in HIRAGANA_NOT_NAMES or word.lstrip("おご") in HIRAGANA_NOT_NAMES or word.startswith(("お", "ご")):
                continue
            inner = [x for x in toks if s <= x.start < end]
            if any(x.tag.startswith(("動詞", "助動詞", "形容詞", "副詞")) for x in inner):
                continue
        elif sc == "kanji":
            inner = [x for x in toks if s <= x.start < end]
            person = any(x.is_person for x in inner)
            if s > 0 and _is_hira(text[s - 1]) and text[s - 1] in "おご":
                word_o = text[s - 1:end]
                if _is_role(word_o, suffix=not person):
                    continue
            if _is_role(word, suffix=not person):
                continue
            if len(word) >= 2 and len(inner) == 1 and inner[0].is_common_noun and inner[0].start == s \
                    and inner[0].end == end:
                continue  # one dictionary word before さん (大家さん, 業者さん): a role, not a name
        else:  # katakana
            if _is_role(word) or word in KATAKANA_ROLES:
                continue
            inner = [x for x in toks if s <= x.start < end]
            if inner and all(x.is_common_noun for x in inner) and not any(x.is_person for x in inner) and \
                    not _is_kata_unknown(word):
                continue
        out.append(Entity("name", s, end, word, rule="name:honorific"))
    return out


def _is_kata_unknown(word: str) -> bool:
    """A katakana word that Sudachi reads as a person name when it stands before さん."""
    toks = sudachi_tokens(word + "さん")
    return any(t.is_person for t in toks)


_SELF_INTRO_END = r"^\s*(?:です|でした|でございます|と申します|といいます|と言います|っていいます|って言います|っていう|" + _NAMING_VERB + ")"
_AGE_AFTER = re.compile(r"^\s*(?:が|は|も|、)\s*(?:[0-9０-９一二三四五六七八九十]+\s*(?:歳|才|か月|ヶ月|カ月|年生)|小学|中学|高校|大学|"
                        r"(?:明治|大正|昭和|平成|令和|19[0-9]{2}|20[0-9]{2})[^。]{0,8}年|"
                        r"保育園|幼稚園|年長|年中|年少|中[1-3１-３一二三]|小[1-6１-６一二三四五六]|高[1-3１-３一二三])")


def _names_after_kinship(ctx: _Ctx, toks: Sequence[Tok]) -> list[Entity]:
    """娘の花子, 夫の健一, 息子は蒼っていいます, おっと、トゥアン。, 下の さくらが 4歳."""
    text = ctx.text
    out: list[Entity] = []
    for m in _KIN_RE.finditer(text):
        s = m.end()
        if s >= len(text):
            continue
        sc = _script(text[s])
        if sc not in ("kanji", "kata", "hira"):
            continue
        e = s
        while e < len(text) and (_script(text[e]) == sc or (sc == "kata" and text[e] == "・")) and e - s < 10:
            e += 1
        if sc == "hira":
            # the hiragana run may run on into particles (さくらが): stop at the first particle token
            for x in toks:
                if s < x.start < e and x.tag.startswith(("助詞", "助動詞")):
                    e = x.start
                    break
        word = text[s:e]
        rest = text[e:]
        inner = [x for x in toks if s <= x.start < e]
        person = any(x.is_person for x in inner)
        intro = bool(re.match(_SELF_INTRO_END, rest))
        age = bool(_AGE_AFTER.match(rest))
        if word in NAME_STOPWORDS or _is_role(word) or word in KATAKANA_ROLES:
            continue
        if sc == "hira":
            # hiragana names only in a self-introduction or age shape: 息子の まこと です, 下の さくらが 4歳
            if len(word) < 2 or word in HIRAGANA_NOT_NAMES or word in KIN_NOT_NAMES or not (intro or age or person):
                continue
            if word[0] in "おご" and not lexicon_person(word) and \
                    any(p.startswith("名詞") for p, _ in lexicon_entries(word[1:])):
                continue  # おいくつ, おしごと: a polite common word, not a name
            if not person and any(x.tag.startswith(("助詞", "助動詞", "動詞", "形容詞", "副詞", "代名詞", "形状詞",
                                                    "名詞-普通名詞-副詞可能", "名詞-普通名詞-形状詞可能"))
                                  for x in inner):
                continue
        elif sc == "kanji":
            if not person:
                # a kanji word that Sudachi does not know as a name: only in an introduction shape
                # (息子は蒼っていいます) or before an age (下の心春が1年生)
                naming = bool(re.match(r"^\s*" + _NAMING_VERB, rest))
                if not (naming or age or re.match(r"^\s*(?:さん|ちゃん|くん|君)", rest)):
                    # 「息子は無職です」「父は入院中です」: a dictionary word before です is a predicate
                    if not intro or any(x.tag.startswith(("名詞-普通名詞", "形状詞", "接尾辞")) for x in inner):
                        continue
                if len(inner) == 1 and inner[0].tag.startswith(("名詞-普通名詞-副詞可能", "名詞-数詞", "代名詞",
                                                                 "名詞-普通名詞-形状詞可能")):
                    continue
            else:
                # keep only the person tokens at the head (夫の健一が → 健一)
                head = []
                for x in inner:
                    if x.is_person or (head and x.text in FILLERS):
                        head.append(x)
                    else:
                        break
                if not head:
                    continue
                e = head[-1].end
                word, rest = text[s:e], text[e:]
        else:
            if not (person or _is_kata_unknown(word)):
                continue
        if not re.match(r"^\s*(?:[。、!！?？\s]|です|で|が|は|と|の|も|に|を|って|さん|ちゃん|くん|$|" + _NAMING_VERB + ")", rest):
            continue
        out.append(Entity("name", s, e, word, rule="name:kinship"))
    return out


_KIN_TOPIC_KANA = re.compile(
    r"(?:" + "|".join(sorted(map(re.escape, KINSHIP), key=len, reverse=True)) + r")(?:は|[、,])[\s\u3000]*[、,]?[\s\u3000]*"
    r"(?P<n>[ぁ-ん]{2,5})[\s\u3000]*(?=[。！!]|$)")


def _inflected_verb(word: str) -> bool:
    """いません, おらんのよ, きた: a verb with its auxiliary, as Sudachi reads the word."""
    toks = sudachi_tokens(word)
    return any(a.tag.startswith("動詞") and b.tag.startswith("助動詞") for a, b in zip(toks, toks[1:], strict=False))


def _kana_name_closing_kinship(ctx: _Ctx) -> list[Entity]:
    """「弟は、そうた。」: a hiragana word that closes the sentence after a kinship word and は is the
    relative's name, when the dictionary has no other reading for it (not げんき, まだ, いない)."""
    out: list[Entity] = []
    for m in _KIN_TOPIC_KANA.finditer(ctx.text):
        n = m.group("n")
        if _kin_boundary_ok(ctx.text, m.start(), m.group()[:1]) and _hiragana_name_shape(n) and _kana_name_ok(n) \
                and not _inflected_verb(n):
            out.append(Entity("name", m.start("n"), m.end("n"), n, rule="name:kinship"))
    return out


# -- names right after a kinship word, and self-introductions in plain or dialect forms -------------
# Common words that follow 「娘の」「兄の」 and that the dictionary also lists as names (金, 方, 心,
# 未来, ため, とき) or that look like a kana name (こと, ほう): never a name in this position. The
# dictionary is the first guard; this list is the fallback for words it also knows as names.
KIN_NOT_NAMES = frozenset("""
金 方 顔 心 酒 夢 具 力 前 上 中 所 今 元 実 運 本 円 玉 都 京 島 町 村 家 車 手 件 事 物 声 体 身 店 話 歯 頭 墓
病 命 代 番 側 横 隣 時 頃 日 年 歳 次 先 後 下 外 気 癖 為 服 靴 薬 腰 骨 血 目 足 首 肩 胸 腕 籍 姓 名 子 親 愛 恋
幸 福 縁 宝 望 分 件 借 罪 恩 嘘 肉 米 職 席 鍵 傘 机 財 兄 姉 弟 妹 母 父 孫 夫 妻 嫁 婿 甥 姪 主人 旦那 長男 次男
三男 長女 次女 三女 一人 二人 未来 将来 希望 勇気 正義 健康 正直 上司 部下 同僚 友人 知人 親友 大家 元気 幸せ
こと ほう ため せい ところ とき もの ぶん かわり おかげ ようす ぐあい ちょうし きげん きもち せわ めんどう かいご
しごと がっこう ほいくえん ようちえん へや いえ うち くるま おかね かね きゅうりょう ねんきん しゃっきん びょうき
けが からだ かお あたま あし こころ こえ はなし でんわ けいたい すまほ ふく くすり ほけん てちょう つうちょう
なまえ じゅうしょ ばんごう たんじょうび おはか おそうしき そうしき みんな ふたり ひとり かぞく こども よめ むこ
まご おっと つま むすこ むすめ ちち はは あに あね おとうと いもうと ともだち かれし かのじょ せんせい たんにん
びょういん しせつ にゅういん つういん しゅじゅつ しょうがい にんちしょう まえ うえ した なか そと あと さき
つぎ いま むかし ころ とし ごはん おやつ しゅくだい べんきょう せいせき ぶかつ じゅけん しんがく しゅうしょく
けっこん りこん そうぞく いさん さけ おさけ たばこ あかちゃん じっか かいしゃ しょくば みせ おみせ ほうほう
ひと かた ぶんも ほうも ことも ためにも せいで ころに じだい ばあい ぶんまで いうこと すること やつ
スマホ パート ゲーム ベッド パソコン ランドセル アパート マンション デイサービス ショートステイ グループホーム
ローン カード クレジット タバコ パチンコ ギャンブル アルコール リハビリ デイケア テレビ ミルク オムツ ペット
ケータイ ケイタイ メール ライン アカウント ブログ サイト バイク トラック ワゴン ガン ストレス
""".split())
_FILLER_GAP = r"(?:[\s\u3000]*(?:えーっと|えーと|えっと|えー|あのー|あの|その|まあ)[\s\u3000、,]*)?"
_KIN_APPOS_RE = re.compile(
    r"(?P<kin>" + "|".join(sorted(map(re.escape, KINSHIP), key=len, reverse=True)) + r")"
    r"(?P<sep>の[\s\u3000]*[、,]?|[、,]|(?=[\s\u3000]))[\s\u3000]*" + _FILLER_GAP)
# What may follow a name in this position: a particle, a copula or naming verb, or a pause.
_KIN_NAME_FOLLOW = re.compile(
    r"^(?:[\s\u3000]*(?:$|[、。，．,.!！?？…」』\n])|[\s\u3000]*(?:は|が|と|も|を|に|へ|や|って|とか|だけ|から|まで|"
    r"ちゃん|くん|君|さん|です|でした|でございます|やけど|やねん|じゃ)|" + _NAMING_VERB + ")")
# Particles and copulas a kana name may run into (そうたは, さくらが): longest first.
_KANA_TAILS = ("でございます", "でした", "です", "っていいます", "といいます", "って", "ちゃん", "くん", "さん", "には",
               "にも", "とは", "とも", "では", "でも", "から", "まで", "だけ", "とか", "は", "が", "を", "へ", "と", "も",
               "に", "や")
_KANA_TAILS_WEAK = ("と", "も", "に", "や")  # a name may end in these (はると, ともや): kept when unsure


def _kin_boundary_ok(text: str, start: int, kin: str) -> bool:
    """The kinship word is a word of its own (not the 母 of 保母 or the 父 of 神父)."""
    c = _char_before(text, start)
    if _is_kanji(kin[0]) and _is_kanji(c):
        return False
    if _is_hira(kin[0]) and _is_hira(c) and c not in "のはがともにでを":
        return False
    return not (_is_kata(kin[0]) and _is_kata(c))


# (only the formal noun alone or with a particle or copula after it: ようこ, ことみ and せいじ are names)
_FORMAL_NOUN_LEAD = re.compile(r"^(?:まま|ほう|ため|こと|とき|ところ|もの|せい|おかげ|よう|はず|わけ|つもり|ほか|ひらがな|かたかな|"
                               r"カタカナ|ヒラガナ|漢字|ローマ字)(?:$|[はがをにでもとやなだ]|じゃ|です|って|から|まで)")


def _not_a_name(word: str) -> bool:
    """Words that are never a name where the sentence shape would allow one: kinship and role words, and
    the formal nouns and script words that follow の (「主人のままなんです」「ひらがなで」)."""
    return (word in KIN_NOT_NAMES or word in NAME_STOPWORDS or word in KINSHIP or word in HIRAGANA_NOT_NAMES
            or word in KATAKANA_ROLES or _is_role(word, suffix=False) or bool(_FORMAL_NOUN_LEAD.match(word))
            or bool(re.search(r"[0-9０-９一二三四五六七八九十](?:丁目|ちょうめ|番地|号室|階)$", word)))  # 「うちは三丁目です」


_FUNCTION_POS = ("副詞", "代名詞", "連体詞", "接続詞", "感動詞", "助詞", "助動詞", "接尾辞", "接頭辞",
                 "名詞-普通名詞-副詞可能", "名詞-普通名詞-サ変可能", "名詞-普通名詞-形状詞可能", "名詞-普通名詞-助数詞可能")


def _kana_name_ok(word: str) -> bool:
    """A hiragana word after 「娘の」: a name the dictionary knows (さくら, ゆき), or a word it does
    not know at all (そうた, はると) that is not a compound of common nouns (ほけん|しょう)."""
    if len(word) < 2 or _not_a_name(word):
        return False
    if word[0] in "おご" and not lexicon_person(word) and any(p.startswith("名詞") for p, _ in lexicon_entries(word[1:])):
        return False  # おかね, ごはん: a polite common noun
    entries = lexicon_entries(word)
    if any(p.startswith(("副詞", "代名詞", "連体詞", "接続詞", "感動詞", "助詞", "助動詞")) for p, _ in entries):
        return False  # そう, どれ, もう: closed-class words, whatever else the dictionary lists
    if any("人名" in p for p, _ in entries):
        return True
    if entries:
        return False  # a dictionary word that is never a name (いびき, こと)
    toks = sudachi_tokens(word)
    if toks and all(t.tag.startswith("名詞-普通名詞") for t in toks):
        return False  # an unknown compound of common nouns
    if len(toks) >= 2 and toks[0].tag.startswith(("代名詞", "副詞", "連体詞", "接続詞", "感動詞")) and \
            all(t.tag.startswith("助詞") for t in toks[1:]):
        return False  # ここに, どちらか: a pronoun or adverb and a particle
    return not any(t.tag.startswith(("動詞", "形容詞")) and len(t.text) >= 3 for t in toks)


_NOT_SLOT_NAME = re.compile(
    # whole words: pronouns, adverbs, answers, conjunctions, particles
    r"^(?:これ|それ|あれ|どれ|ここ|そこ|あそこ|どこ|この|その|あの|どの|こう|そう|ああ|どう|もう|まだ|また|よく|とても|ちょっと|"
    r"なに|だれ|いつ|みんな|ぜんぶ|ほか|あと|まえ|うち|いま|きょう|あした|きのう|ひとり|ふたり|はい|いいえ|ええ|うん|"
    r"どうも|まず|さあ|でも|だけど|しかし|それで|なんか|やっぱり|たぶん|ただ|すごく|ほんと|ほんとう|よろしく|"
    r"まで|より|しか|ほど|など|とか|なら|には|とは|へは|のは|のが)$"
    # the first person with a particle (「おいが」)
    r"|^(?:おい|わし|うち|おれ|あたし|わたし|ぼく|おら)[はがもの]?$"
    # beginnings: copulas, greetings, honorifics, forms of 言う, corrections (「じゃなくて」)
    r"|^(?:です|でし|いう|よろし|どうぞ|おねが|ありが|すみ|すい|はあ|へえ|ほお|さん|さま|ちゃん|くん|なん|だけ|から|じゃ|では|でな)"
    r"|^(?:ゆう|いう)(?:もん|て|ん|た|とる|ねん)"
    # endings: verbs and their auxiliaries, a small っ, the topic or object particle
    r"|(?:ます|です|ない|たい|した|して|って|ので|から|けど|れる|られ|せる|ました|でした|だった|ている|てる|くて|っ)$|(?<=.)[はを]$")


def _hiragana_name_shape(word: str) -> bool:
    """Where the sentence says a name is given (the answer to 「お名前は」, 「3歳の ■ です」), a hiragana word may be
    one even when the dictionary reads it otherwise (れん, そら, はる): any short word that is not a pronoun,
    adverb or a verb's ending."""
    if not re.fullmatch(r"[ぁ-ん]{2,5}", word) or _not_a_name(word) or word in HIRAGANA_NOT_NAMES or word in FILLERS:
        return False
    return not _NOT_SLOT_NAME.search(word) and word[0] not in "っゃゅょぁぃぅぇぉんゎー"


def _kata_name_ok(word: str, age: bool, ner_person: bool = False) -> bool:
    """A katakana word after 「孫の」: a name the dictionary knows and not a loanword (マリア), an
    unknown word (ソウタ, トゥアン), any katakana word before an age (ハルトが 5歳), or a word the
    dictionary has both as a loanword and a name that GiNZA's NER reads as a person here (アリフ)."""
    if len(word) < 2 or _not_a_name(word) or word in NAME_STOPWORDS:
        return False
    entries = lexicon_entries(word)
    common = any(p.startswith(("名詞-普通名詞", "名詞-固有名詞-地名", "名詞-固有名詞-組織")) for p, _ in entries)
    if age:
        return True
    if entries and not common:
        return any("人名" in p for p, _ in entries) or _is_kata_unknown(word)
    if ner_person and any("人名" in p for p, _ in entries):
        return True
    if not entries:
        toks = sudachi_tokens(word)
        return len(toks) == 1 or _is_kata_unknown(word)
    return False


def _kanji_name_ok(word: str, age: bool) -> bool:
    """A short kanji word after 「兄の」: a given name or surname in the dictionary (勝, 湊, 大地),
    or an unknown compound of name characters (湊斗 = 湊 + 斗)."""
    if not 1 <= len(word) <= 3 or _not_a_name(word):
        return False
    entries = lexicon_entries(word)
    if entries:
        return len(word) <= 2 and (any("人名" in p for p, _ in entries) or (age and len(word) == 1))
    parts = sudachi_tokens(word)
    return len(parts) >= 2 and all(lexicon_person(t.text) for t in parts)


def _names_after_kinship_appositive(ctx: _Ctx, toks: Sequence[Tok], use_ner: bool = True) -> list[Entity]:
    """Given names right after a kinship word and の, 、 or a pause (兄の勝が, 息子の湊と,
    弟の そうたは, 娘の さくら, 孫の ハルトが): one-kanji names and kana names that Sudachi tags
    as ordinary words in context are checked against every dictionary entry of the word."""
    text = ctx.text
    out: list[Entity] = []
    for m in _KIN_APPOS_RE.finditer(text):
        if not _kin_boundary_ok(text, m.start(), m.group("kin")):
            continue
        if not m.group("sep").strip() and not text[m.end("kin"):m.end()].strip():
            continue  # a kinship word running straight into the next word (娘婿)
        s = m.end()
        if s >= len(text):
            continue
        sc = _script(text[s])
        e = s
        while e < len(text) and (_script(text[e]) == sc or (sc == "kata" and text[e] == "・")) and e - s < 12:
            e += 1
        if sc == "kanji":
            word = text[s:e]
            age = bool(_AGE_AFTER.match(text[e:]))
            if not _KIN_NAME_FOLLOW.match(text[e:]) or not _kanji_name_ok(word, age):
                continue
        elif sc == "kata":
            word = text[s:e]
            age = bool(_AGE_AFTER.match(text[e:]))
            if not _KIN_NAME_FOLLOW.match(text[e:]):
                continue
            if not _kata_name_ok(word, age):
                # パート or アリフ? both are loanwords and names in the dictionary: NER decides
                ner = use_ner and any(ps <= s and e <= pe for ps, pe in ner_persons(text))
                if not (ner and _kata_name_ok(word, age, ner_person=True)):
                    continue
        elif sc == "hira":
            run = text[s:e]
            if len(run) > 9:
                continue
            word, e = _split_kana_name(run, s, text, toks)
            if not word or not _KIN_NAME_FOLLOW.match(text[e:]):
                continue
        else:
            continue
        out.append(Entity("name", s, e, text[s:e], rule="name:kinship"))
    return out


def _starts_with_common_word(run: str, s: int, toks: Sequence[Tok]) -> bool:
    """こと|なんですけど, ほう|で: the run opens with an ordinary word and a function word follows."""
    for k in range(2, len(run)):
        head = run[:k]
        entries = lexicon_entries(head)
        function_word = bool(entries) and all(p.startswith(("代名詞", "副詞", "連体詞", "接続詞", "感動詞"))
                                              for p, _ in entries)
        follows = [t for t in toks if t.start == s + k]
        if head in KIN_NOT_NAMES and follows and follows[0].tag.startswith(("助詞", "助動詞")):
            return True
        if function_word and follows and follows[0].tag.startswith("助詞"):
            return True  # どちら|か, そう|か: a pronoun or adverb and a particle
    return False


def _split_kana_name(run: str, s: int, text: str, toks: Sequence[Tok] = ()) -> tuple[str, int]:
    """Name part of a hiragana run after a kinship word (そうたは → そうた); ("", s) when none."""
    if _starts_with_common_word(run, s, toks):
        return "", s
    cands: list[str] = []
    for tail in _KANA_TAILS:
        if run.endswith(tail) and len(run) - len(tail) >= 2:
            cands.append(run[: -len(tail)])
            break
    cands.append(run)
    for c in cands:
        if _not_a_name(c):
            return "", s  # こと|が, ほう|が: an ordinary word whichever way it is cut
    stripped = cands[0]
    if stripped != run:
        tail = run[len(stripped):]
        known_run, known_stripped = lexicon_person(run), lexicon_person(stripped)
        if known_run and not known_stripped:
            stripped = run  # まこと, けんと: the dictionary knows the whole run as a name
        elif tail in _KANA_TAILS_WEAK and not known_stripped and not _kana_name_ok(stripped):
            stripped = run
        elif tail in _KANA_TAILS_WEAK and not known_stripped and _char_after(text, s + len(run)) in "。.!！?？\n":
            stripped = run  # a particle right before the end of the turn is more likely the name's end
    if not _kana_name_ok(stripped):
        return "", s
    return stripped, s + len(stripped)


_SELF_WORDS = r"(?:わしゃ|あたしゃ|わたしゃ|私|わたし|あたし|わたくし|僕|ぼく|俺|おれ|わし|うち|自分|あたい|わい|おら|おいら|わて|あて|うら)"
_SELF_NAME = (r"(?:[一-龯々〆ヶァ-ヶー・]{1,10}(?:[\s\u3000]+[一-龯々〆ヶァ-ヶー]{1,6})?(?:[\s\u3000]*[ぁ-ん]{2,5}?)??"
              r"|[ぁ-ん]{2,6}?(?:[\s\u3000]+[ぁ-ん]{2,6}?)??)")
_SELF_INTRO_RE = re.compile(
    r"(?:^|(?<=[\s\u3000、。,!！?？…]))" + _SELF_WORDS + r"(?:の名前|の名|の名まえ)?(?:は|、|,|[\s\u3000])*"
    r"(?:(?P<kin>" + "|".join(sorted(map(re.escape, KINSHIP), key=len, reverse=True)) + r")(?:の|、)[\s\u3000]*)?"
    + _FILLER_GAP + r"(?P<name>" + _SELF_NAME + r")[\s\u3000]*(?P<end>" + _NAMING_VERB + r"|でございます|です|っす"
    r"|で(?=[\s\u3000]*(?:[、。,]|$)))")  # 「私は 千恵子で」 at the end of a breath


def _names_self_intro(ctx: _Ctx, toks: Sequence[Tok]) -> list[Entity]:
    """「私、妹の岡本和子いいます」「わし 田村いうもんです」「あたし、ミンって言います」: a name after
    私/うち/わし (and a kinship word) before a naming verb, standard or dialect. With a bare です
    the words must be a name in the dictionary (私は無職です is not an introduction)."""
    text = ctx.text
    out: list[Entity] = []
    for m in _SELF_INTRO_RE.finditer(text):
        s, e = m.start("name"), m.end("name")
        span = text[s:e]
        pieces = [(pm.start() + s, pm.end() + s) for pm in re.finditer(r"[^\s\u3000・]+", span)]
        if not pieces or any(_not_a_name(text[a:b]) for a, b in pieces) or _not_a_name(_clean_name(span)):
            continue
        end = m.group("end")
        naming = not end.startswith(("で", "っす"))
        inner = [t for t in toks if s <= t.start < e]
        person_tok = any(t.is_person for t in inner)
        if any(t.tag.startswith(("動詞", "形容詞", "助動詞", "副詞", "代名詞", "接続詞")) and not t.is_person
               and _script(t.text[0]) == "kanji" for t in inner):
            continue  # 毎日言います, 何度も言います: a sentence, not a name
        ok_pieces = []
        for a, b in pieces:
            w = text[a:b]
            sc = _script(w[0])
            if sc == "kanji":
                ok = _kanji_pieces_are_name(w)
            elif sc == "kata":
                ok = _kata_name_ok(w, age=False)
            else:
                last = [t for t in inner if t.end == b]
                # みんなに|いいます: a particle before the verb makes it "say to …", not a name
                ok = _kana_name_ok(w) and not (last and last[0].tag.startswith("助詞") and len(last[0].text) == 1)
            ok_pieces.append(ok)
        if not (person_tok or all(ok_pieces) or (naming and any(ok_pieces))):
            continue
        for a, b in pieces:
            out.append(Entity("name", a, b, text[a:b], rule="name:self-intro",
                              group=_clean_name(span) if len(pieces) > 1 else ""))
    return out


def _kanji_pieces_are_name(word: str) -> bool:
    """岡本和子 → 岡本 + 和子, both names in the dictionary; 大地 → a given name (and no common word
    that would make 「私は元気です」 an introduction)."""
    if _not_a_name(word):
        return False
    toks = sudachi_tokens(word)
    if toks and all(t.is_person or lexicon_person(t.text) for t in toks) and any(t.is_person for t in toks):
        return True
    entries = lexicon_entries(word)
    return bool(entries) and all("人名" in p or "地名" in p for p, _ in entries)


def word_may_be_name(word: str) -> bool:
    """Whether the dictionary allows ``word`` as a name where the sentence shape expects one
    (after a surname, before a naming verb): the checks of the kinship rules, by script."""
    if not word or _not_a_name(word) or word[0] in "っゃゅょぁぃぅぇぉんゎーッャュョァィゥェォンヮ" \
            or re.match(r"じゃ|では|でな", word):  # 「宮前 じゃなくて」: a correction, not a given name
        return False  # no name starts with a small kana, ん or a long vowel (「っつうんだ」)
    if all(_is_hira(c) for c in word):
        return _kana_name_ok(word)
    if all(_is_kata(c) or c == "・" for c in word):
        return _kata_name_ok(word, age=False)
    if all(_is_kanji(c) for c in word):
        return _kanji_name_ok(word, age=False) or _kanji_pieces_are_name(word)
    return False


_NAMED_AS_RE = re.compile(
    r"(?:^|(?<=[\s\u3000、。,!！?？…])|(?<=[はで]))(?:(?P<pre>下の名前|下の名|下|名字|苗字|みょうじ|名前|なまえ|旧姓)(?:は|が)[\s\u3000、]*"
    r"(?:(?:確か|たしか|えっと|えーと|えー|まあ|あの|…+)[\s\u3000、]*){0,3})?"
    r"(?P<name>[ァ-ヶー・]{2,12}|[一-龯々]{1,4}|[ぁ-ん]{2,6}?)[\s\u3000]*"
    r"(?P<end>(?:と|って)[\s\u3000]*(?:申します|申しまして|申す|もうします|もうしまして|いいます|言います|呼んで|呼ばれ|呼びます|呼ぶ)|[、,][\s\u3000]*っていう(?:の|んです|んだ)|(?<![ぁ-ん])(?:いいます|言います|いうねん|いうんや|いうんです|ゆうねん|ゆうんや)|(?:いうて|ゆうて|っつう|っちゅう)(?=[のなん、,。\s]|$)"
    r"|です|で(?=[、,。])|だった|だ(?=[、,。よね]|$)|(?:じゃ|や)(?=[、,。]|$)|(?<=[一-龯々ァ-ヶー])(?=[。、,]|$)|(?<=[ぁ-ん])(?=。)|(?:と|って)(?:書いて|書きます)|(?:と|って)いう(?=[\s\u3000]*[0-9０-９一二三四五六七八九十]{1,2}[\s\u3000]*(?:歳|才|か月|ヶ月)))")


def _stated_kana_name(pre: str, end: str, name: str) -> bool:
    """「名前はひなたです」: after the word 名前 and before です, a hiragana word is the name even where the
    dictionary reads it as a common noun (日向), unless it is a word that describes (いい, まだ, ない)."""
    if pre not in ("名前", "なまえ", "下の名前", "下の名") or end not in ("です", "だ", "や", "じゃ"):
        return False
    return not any(p.startswith(("形容詞", "形状詞", "動詞", "副詞", "代名詞", "助動詞")) for p, _ in lexicon_entries(name))


def _names_before_naming_verb(ctx: _Ctx, toks: Sequence[Tok]) -> list[Entity]:
    """「ニシムラといいますけど」 anywhere in a turn, and 「下はサトミです」「名字は大野で」: a word a
    name may be, before a naming verb, or before です after the words 名字/下(の名前)."""
    text = ctx.text
    out: list[Entity] = []
    for m in _NAMED_AS_RE.finditer(text):
        pre, end = m.group("pre"), m.group("end")
        if not end.startswith(("と", "って", "い", "言", "ゆ", "、", ",", "っつ", "っち")):
            if not pre or (pre == "下" and not (ctx.name_answer or re.search(r"名字|苗字|名前|みょうじ", text))):
                continue
        s, e = m.start("name"), m.end("name")
        name = m.group("name")
        if re.match(r"[はが][ぁ-ん]{2}", name) and s > 0 and text[s - 1] in "でにと":
            s, name = s + 1, name[1:]  # 「家ではななって」: the particle, then the name
        if re.match(r"いうて|ゆうて|っつう|っちゅう", end) and m.end("name") < m.start("end"):
            continue  # 「百二十万 ぐらいじゃ ゆうて」: a quotation, not a name; only 「佳代子いうて」 written together
        if end.startswith(("っつ", "っち")) and re.fullmatch(r"[ぁ-ん]{1,2}", name):
            continue  # 「しょっちゅう」: an adverb, not a name before っちゅう
        if end.startswith(("い", "言", "ゆ", "っ")) and re.search(r"^(?:さん|さま|ちゃん|くん)|と$", m.group("name")):
            continue  # 「まこと さんと いいます」: the honorific and と before the naming verb
        called = re.match(r"(?:と|って)[\s\u3000]*呼|[、,]|いうて|ゆうて|っつう|っちゅう", end) is not None  # 「家ではななって呼んでます」「りこ、っていうの」
        if (not pre and m.start() > 0 and text[m.start() - 1] in "はで" and not called) or \
                (not pre and not (called and m.start() > 0 and text[m.start() - 1] in "はで") and not _left_ok(text, s, toks)):
            continue
        if not (word_may_be_name(name) or (pre and (end == "" or _stated_kana_name(pre, end, name))) and _hiragana_name_shape(name)
                or (called and (_hiragana_name_shape(name) or (
                re.fullmatch(r"[ァ-ヶー]{2,8}", name) is not None and name not in NAME_STOPWORDS)))):
            continue
        out.append(Entity("name", s, e, name, rule="name:named-as"))
    return out


_PAUSED_NAME_RE = re.compile(
    r"(?P<span>(?:[一-龯々ァ-ヶーぁ-ん・]{1,8}[、,…\s\u3000]+)+[一-龯々ァ-ヶーぁ-ん・]{1,8}?)[、,…\s\u3000]*"
    r"(?:でございます|です|と申します|といいます|っていいます|と言います)")


_NAMING_WORD = re.compile(r"(?:と|って)?(?:いう|ゆう|言う|いい|言い|ゆい|申|もうし|ちゅう)")


def _paused_name_answer(ctx: _Ctx) -> list[Entity]:
    """「マツダ…マツダ、ヨシコ、です」: a name answer said word by word with pauses and repeats; every
    word between the pauses must be a filler or a word the dictionary allows as a name."""
    if not ctx.name_answer:
        return []
    text = ctx.text
    lead = _LEAD_STRIP.match(text)
    m = _PAUSED_NAME_RE.match(text, lead.end() if lead else 0)
    if not m:
        return []
    words = [(w.start(), w.end()) for w in re.finditer(r"[^、,…\s\u3000]+", m.group("span"))]
    names = [(m.start("span") + a, m.start("span") + b) for a, b in words if m.group("span")[a:b] not in FILLERS]
    if not names or any(_NAMING_WORD.match(text[a:b]) for a, b in names):
        return []  # 「コバヤシ いうもんです」: the naming verb, not a second name
    if not all(word_may_be_name(text[a:b]) or _hiragana_name_shape(text[a:b]) for a, b in names):
        return []
    return [Entity("name", a, b, text[a:b], rule="name:answer") for a, b in names]


_SPACED_PARTICLE = re.compile(r"(?:^|[\s\u3000])[^\s\u3000]+[\s\u3000]+[はがをに](?:[\s\u3000]|$)")


_ROLE_OF_LEAD = re.compile(r"^(?P<r>[一-龯ァ-ヶー]{1,6}(?:[\s\u3000][一-龯ァ-ヶー]{1,4})?)[\s\u3000]*の[\s\u3000]*(?=\S)")


def _name_from_answer(ctx: _Ctx, toks: Sequence[Tok]) -> list[Entity]:
    """The answer to 「お名前は？」: the leading words up to です/と申します/punctuation.

    A name split by fillers (やまだ えー たろう) gives one entity per word: fillers are not
    personal data."""
    if not ctx.name_answer:
        return []
    text = ctx.text
    lead = _LEAD_STRIP.match(text)
    s = lead.end() if lead else 0
    end_m = _ANSWER_END.search(text, s)
    e = end_m.start() if end_m else len(text)
    intro = bool(end_m and re.match(r"\s*(?:です|っす|と申|とい|と言|ってい|って言|でござ)|[\s\u3000]+(?:だ|や|じゃ)$", end_m.group()))
    span = text[s:e].rstrip()
    date = re.search(r"[0-9０-９]|明治|大正|昭和|平成|令和", span)
    if date and date.start() >= 2:
        span = span[:date.start()].rstrip("の、, \u3000")  # 「藤井大翔平成28年の…」: the name, then the date of birth
    e = s + len(span)
    for h in HONORIFICS:
        if span.endswith(h) and len(span) > len(h):
            span = span[: -len(h)]
            e -= len(h)
            break
    if (clause := _SPACED_PARTICLE.search(span)) is not None:
        # the recogniser's spaces around a particle start a sentence (「はやし よしお 住所 は」「上 が そうた」):
        # the name is what comes before the word the particle marks
        span = span[:clause.start()].rstrip()
    if not span or len(span) > 24 or not _NAME_CHARS.match(span):
        return []
    if (lead_topic := re.match(r"\S{1,5}[はが][\s\u3000]+", span)) is not None:
        span, s = span[lead_topic.end():], s + lead_topic.end()  # 「おいが 有村 ただし 家内が …」: after the topic
    if (role_of := _ROLE_OF_LEAD.match(span)) is not None and (
            _is_role(re.sub(r"[\s\u3000]", "", role_of.group("r"))) or role_of.group("r") in NAME_STOPWORDS):
        span, s = span[role_of.end():], s + role_of.end()  # 「民生 委員 の 長谷川」: the role before the name
    if (next_topic := re.search(r"[\s\u3000]\S{1,5}[はが](?:[\s\u3000]|$)", span)) is not None:
        span = span[:next_topic.start()]
    e = s + len(span)
    if re.search(r"[一-龯ァ-ヶ][はがをにでの][一-龯ァ-ヶぁ-ん]", span):
        return []  # 母は岡本ハル: a sentence, left to the token rules
    core = _clean_name(span)
    if not core or core in NAME_STOPWORDS or core in HIRAGANA_NOT_NAMES:
        return []
    if _is_role(core) and not any(x.is_person for x in toks if s <= x.start < e and x.end > e - 2):
        return []  # 大家さん, 担当者: a role; 悠人 (a given name ending in a role character) is a name
    if re.fullmatch(r"(?:はい|ええ|うん|いえ|いいえ|そう|そうそう|ちがい|違い)+", core):
        return []  # 「はいそうです」: a confirmation of a name the staff read out
    inner = [x for x in toks if s <= x.start < e and x.text.strip() and x.text not in FILLERS]
    if not inner:
        return []
    person = any(x.is_person for x in inner)
    filler_split = r"(?:^|[\s\u3000、]+)(?:" + "|".join(map(re.escape, FILLERS)) + r")(?:[\s\u3000、]+|$)"
    words = [w.strip() for w in re.split(filler_split, span) if w and w.strip() and w.strip() not in FILLERS]
    foreign = len(words) == 1 and len(core) >= 3 and all(_is_kata(c) for c in core) and _kata_name_ok(core, age=False)
    # 「岡田ひなた。」: a surname the dictionary knows, then a given name in kana
    surname_first = len(inner) == 2 and _script(inner[0].text[0]) == "kanji" and lexicon_person(inner[0].text) \
        and _script(inner[1].text[0]) in ("hira", "kata") and len(inner[1].text) >= 2
    if not (intro or person or len(words) >= 2 or foreign or surname_first):
        return []  # 以前、… is not a name (a foreign name said alone, 「アミラ、3歳です」, is)
    if not person and len(inner) == 1 and inner[0].tag.startswith(
            ("副詞", "代名詞", "形状詞", "連体詞", "感動詞", "接続詞", "名詞-普通名詞-副詞可能", "名詞-数詞", "動詞", "形容詞")):
        return []
    if any(x.tag.startswith(("動詞", "形容詞", "助動詞")) and _script(x.text[0]) == "kanji" for x in inner):
        return []
    out = []
    pos = s
    group = "".join(_clean_name(w) for w in words) if len(words) > 1 else ""
    for w in words:
        ws = text.find(w, pos)
        if ws < 0 or ws >= e:
            break
        out.append(Entity("name", ws, ws + len(w), w, rule="name:answer", group=group))
        pos = ws + len(w)
    return out


_INTRODUCED = re.compile(r"[\s\u3000]*(?:と|って)[\s\u3000]*(?:申し|もうし|いいます|言います)")


def _ner_names(ctx: _Ctx, toks: Sequence[Tok]) -> list[Entity]:
    text = ctx.text
    out = []
    for s, e in ner_persons(text):
        word = text[s:e].strip()
        if not word or re.search(r"[0-9０-９A-Za-z@]", word) or word in NAME_STOPWORDS or _is_role(word):
            continue
        inner = [x for x in toks if s <= x.start < e]
        introduced = len(word) >= 3 and _INTRODUCED.match(text, e) is not None  # 「宮下トメと申します」: 宮下 a place word
        if not any(x.is_person for x in inner) and not (_is_kata(word[0]) and len(word) >= 3) and not introduced:
            continue
        if not _left_ok(text, s, toks) or not _right_ok(text, e):
            continue
        out.append(Entity("name", s, e, text[s:e], rule="name:ner"))
    return out


_NER_TRIGGER = re.compile(r"さん|様|ちゃん|くん|申します|といいます|っていいます|です")


# -- per-text detection --------------------------------------------------------------------------------
def _resolve(entities: list[Entity], protected: list[tuple[int, int]]) -> list[Entity]:
    """Drop names inside scheme/office names, then keep non-overlapping spans (specific types first)."""
    kept: list[Entity] = []
    for e in entities:
        raw = e.text
        if raw and raw != raw.strip():
            lead = len(raw) - len(raw.lstrip())
            e.start += lead
            e.end = e.start + len(raw.strip())
            e.text = raw.strip()
    cands = [e for e in entities if e.end > e.start]
    cands = [e for e in cands if not (e.type == "name" and any(ps <= e.start and e.end <= pe or
                                                               (e.start < pe and ps < e.end and e.rule != "name:answer")
                                                               for ps, pe in protected))]
    cands.sort(key=lambda e: (-_PRIORITY.get(e.type, 0), -(e.end - e.start), e.start))
    for e in cands:
        overlapping = [k for k in kept if e.start < k.end and k.start < e.end]
        if not overlapping:
            kept.append(e)
            continue
        # a name that extends a kept name (lexicon run vs. answer span): keep the union
        if e.type == "name" and all(k.type == "name" for k in overlapping):
            s = min([e.start] + [k.start for k in overlapping])
            t = max([e.end] + [k.end for k in overlapping])
            for k in overlapping:
                kept.remove(k)
            group = e.group or next((k.group for k in overlapping if k.group), "")
            rule = e.rule if e.end - e.start >= t - s else overlapping[0].rule
            if any(k.rule == "name:answer" for k in overlapping) or e.rule == "name:answer":
                rule = "name:answer"
            kept.append(Entity("name", s, t, "", rule=rule, group=group))
    kept.sort(key=lambda e: e.start)
    return kept


def _detect_in(ctx: _Ctx, *, use_ner: bool = True) -> list[Entity]:
    """Entities of one segment in its context (cached: live drafting re-reads every segment)."""
    found = _detect_cached(ctx.text, ctx.speaker, ctx.previous, ctx.name_answer, ctx.address_answer, use_ner)
    return [replace(e, segment_id=ctx.segment_id) for e in found]


@lru_cache(maxsize=8192)
def _detect_cached(text: str, speaker: str, previous: str, name_answer: bool, address_answer: bool,
                   use_ner: bool) -> tuple[Entity, ...]:
    ctx = _Ctx(text=text, speaker=speaker, previous=previous, name_answer=name_answer,
               address_answer=address_answer)
    return tuple(_detect_uncached(ctx, use_ner=use_ner))


def _detect_uncached(ctx: _Ctx, *, use_ner: bool = True) -> list[Entity]:
    text = ctx.text
    if not text.strip():
        return []
    ents: list[Entity] = []
    ents += _emails(text, ctx.previous.split("\n", 1)[0])
    for h in classify_chains(text, ctx.previous):
        ents.append(Entity(h.type, h.start, h.end, text[h.start:h.end], rule=h.rule))
    for h in keyword_ids(text, ctx.previous):
        ents.append(Entity(h.type, h.start, h.end, text[h.start:h.end], rule=h.rule))
    ents += _addresses(text, ctx.address_answer)
    ents += _birthdates(text, ctx.previous)
    toks = sudachi_tokens(text)
    if ctx.address_answer:
        ents += _places_in_answer(text, toks)
    ents += _names_from_tokens(ctx, toks)
    ents += _names_by_honorific(ctx, toks)
    ents += _names_after_kinship(ctx, toks)
    ents += _names_after_kinship_appositive(ctx, toks, use_ner=use_ner)
    ents += _kana_name_closing_kinship(ctx)
    ents += _names_self_intro(ctx, toks)
    ents += _names_before_naming_verb(ctx, toks)
    ents += _paused_name_answer(ctx)
    ents += _name_from_answer(ctx, toks)
    if use_ner and (ctx.name_answer or _KIN_RE.search(text) or _NER_TRIGGER.search(text)) and _needs_ner(text, toks):
        ents += _ner_names(ctx, toks)
    ents = _resolve(ents, _protected_spans(text))
    for e in ents:
        e.text = text[e.start:e.end]
        e.segment_id = ctx.segment_id
    return ents


def _needs_ner(text: str, toks: Sequence[Tok]) -> bool:
    """NER costs ~0.4 s per 1000 characters; run it only where katakana or hiragana words sit next
    to a name marker and the lexicon found no person there (foreign names, hiragana names)."""
    if any(t.is_person for t in toks):
        return False
    return bool(re.search(r"[ァ-ヶー]{2,}(?:さん|様|ちゃん|くん|です|と申します|っていいます)|"
                          r"(?:^|[\s、。])[ぁ-ん]{2,6}(?:さん|様|ちゃん|くん)", text))


# -- lexicon propagation: a name found once is masked everywhere ---------------------------------------
def _name_parts(text: str) -> list[str]:
    """Surname and given name of a detected name (佐々木浩二 → 佐々木, 浩二; やまだ えー たろう → …)."""
    parts: list[str] = []
    pieces = [p for p in re.split(r"[\s\u3000・、]+", text) if p and p not in FILLERS]
    for p in pieces:
        toks = [t for t in sudachi_tokens(p)]
        persons = [t for t in toks if t.is_person]
        if len(persons) >= 2 and "".join(t.text for t in toks) == p:
            parts += [t.text for t in toks]
            if len(toks) >= 3 and lexicon_surname(toks[0].text):  # 小野 + 陽 + 向: the given name is 陽向
                parts.append("".join(t.text for t in toks[1:]))
        else:
            # split at a kanji/katakana boundary (松本キヨ → 松本, キヨ)
            m = re.match(r"^([一-龯々ヶ]+)([ァ-ヶー]+|[ぁ-ん]{2,})$", p)
            if m and len(m.group(1)) >= 2:
                parts += [m.group(1), m.group(2)]
            else:
                parts.append(p)
    if len(pieces) > 1:
        parts += pieces
    return [p for p in dict.fromkeys(parts) if p]


def _occurrences(text: str, word: str) -> Iterable[int]:
    i = text.find(word)
    while i >= 0:
        yield i
        i = text.find(word, i + 1)


_OWNED_BY = re.compile(r"名義|宛て|宛|本人|自身")


def _lexicon_ok(text: str, s: int, e: int, word: str) -> bool:
    before, after = _char_before(text, s), _char_after(text, e)
    sc = _script(word[0])
    sc_end = _script(word[-1])
    if sc == "kanji" and _is_kanji(before):
        return False
    if sc == "kata" and _is_kata(before):
        return False
    if sc == "hira" and _is_hira(before) and before not in "はがのともをにで" and not text[:s].endswith("です"):
        return False  # (「石井あかりですあかりは」: the recogniser wrote no pause after です)
    if sc_end == "kata" and _is_kata(after):
        return False
    if sc_end == "kanji" and _is_kanji(after) and not _OWNED_BY.match(text, e):
        # 佐々木 + 浩二: fine when a person token follows; 陸 + 上: not a name (悠斗名義: the owner's name)
        toks = sudachi_tokens(text[e:e + 6])
        if not toks or not (toks[0].is_person or (len(toks[0].text) <= 3 and lexicon_person(toks[0].text))):
            return False
    if sc_end == "hira" and _is_hira(after):
        rest = text[e:e + 4]
        if not rest.startswith(HONORIFICS + ("です", "で ", "の", "が", "は", "と", "も", "に", "を", "って")):
            return False
    if len(word) == 1 and not _NAME_END_OK.match(text[e:e + 6]):
        return False
    return True


@lru_cache(maxsize=4096)
def kana_forms(name: str) -> tuple[str, ...]:
    """How a detected name may be written again in kana by speech recognition or another writer:
    the readings of its name tokens (岡本和子 → オカモト, カズコ, オカモトカズコ, and in hiragana),
    or the other kana script of a kana name (そうた ↔ ソウタ). A token that Sudachi reads as an
    ordinary word in the name (勝 → カチ) contributes its readings as a person name instead."""
    core = _clean_name(name)
    if not core:
        return ()
    if all(_is_hira(c) or c == "ー" for c in core):
        return (katakana(core),)
    if all(_is_kata(c) for c in core):
        return (hiragana(core),)
    if not any(_is_kanji(c) for c in core):
        return ()
    per_token: list[list[str]] = []
    for t in sudachi_tokens(core):
        if t.is_person and t.reading:
            # the reading in context first, then the other readings as a name (颯太: フウタ, ソウタ)
            per_token.append(list(dict.fromkeys([t.reading, *person_readings(t.text)[:3]])))
        elif lexicon_person(t.text):
            per_token.append(person_readings(t.text)[:3])
        elif all(_is_kata(c) for c in t.text):
            per_token.append([t.text])
        else:
            return ()  # not a name throughout: no guess at its reading
    forms: list[str] = [r for rs in per_token for r in rs]
    if len(per_token) > 1 and all(per_token):
        forms.append("".join(rs[0] for rs in per_token))
    out: list[str] = []
    for f in forms:
        if len(f) >= 2:
            out += [f, hiragana(f)]
    return tuple(dict.fromkeys(out))


def _reading_ok(text: str, s: int, e: int, word: str) -> bool:
    """A kana reading is taken only where it stands as a word of its own: after a pause, a kanji
    or a lone particle, and before a pause, an honorific or a particle (a two-character reading
    only with an honorific: かつ and カツ are ordinary words too)."""
    before, after = _char_before(text, s), text[e:e + 6]
    kata = _is_kata(word[0])
    if kata and _is_kata(before):
        return False
    if not kata and _is_hira(before):
        if before not in "のはがともにを" or _is_hira(_char_before(text, s - 1)):
            return False
    honorific = after.startswith(HONORIFICS)
    if len(word) <= 2:
        return honorific
    if honorific or not after or after[0] in _BOUNDARY or after[0] == " ":
        return True
    return bool(re.match(r"(?:です|でした|って|と申|といい|[はがともをにへの](?![ぁ-ゖ]))", after))


def _propagate(segments: list[tuple[_Ctx, list[Entity]]]) -> None:
    words: dict[str, str] = {}  # word -> rule it came from
    for _ctx, ents in segments:
        for e in ents:
            if e.type != "name":
                continue
            for w in [e.text.strip(), *_name_parts(e.text)]:
                w = w.strip()
                if not w or w in NAME_STOPWORDS or w in FILLERS or w in HONORIFICS or _is_role(w, suffix=False):
                    continue
                if len(w) == 1 and not _is_kanji(w):
                    continue
                if _script(w[0]) == "hira" and len(w) < 3 and len(_clean_name(e.text)) > len(w):
                    continue
                words.setdefault(w, e.rule)
    # the same name in kana (岡本和子 → おかもと, カズコ; そうた → ソウタ), linked to its owner
    kana: dict[str, str] = {}
    for _ctx, ents in segments:
        for e in ents:
            if e.type == "name":
                owner = e.group or _clean_name(e.text)
                for k in kana_forms(e.text):
                    if k not in words and not _not_a_name(k):
                        kana.setdefault(k, owner)
    if not words and not kana:
        return
    ordered = sorted(words, key=len, reverse=True)
    for ctx, ents in segments:
        text = ctx.text
        protected = _protected_spans(text)
        added: list[Entity] = []
        for w in ordered:
            for s in _occurrences(text, w):
                e = s + len(w)
                if any(x.start < e and s < x.end for x in ents + added):
                    continue
                if any(ps <= s and e <= pe for ps, pe in protected):
                    continue
                if not _lexicon_ok(text, s, e, w):
                    continue
                added.append(Entity("name", s, e, w, segment_id=ctx.segment_id, rule="name:same-as-earlier"))
        for w in sorted(kana, key=len, reverse=True):
            for s in _occurrences(text, w):
                e = s + len(w)
                if any(x.start < e and s < x.end for x in ents + added):
                    continue
                if any(ps <= s and e <= pe for ps, pe in protected) or not _reading_ok(text, s, e, w):
                    continue
                added.append(Entity("name", s, e, w, segment_id=ctx.segment_id, rule="name:reading",
                                    group=kana[w]))
        if added:
            ents.extend(added)
            ents.sort(key=lambda x: x.start)


# -- placeholders ----------------------------------------------------------------------------------
def entity_key(e: Entity) -> str:
    """What makes two mentions the same thing: digits for numbers, the name without spaces…"""
    t = unicodedata.normalize("NFKC", e.text)
    if e.type in ("phone", "mynumber", "account", "insurance_id", "id"):

        digits = "".join(c.digits for c in find_chains(t, kana_start=True)) or re.sub(r"\D", "", t)
        return f"{e.type}:{digits or _clean_name(t)}"
    if e.type == "email":
        return "email:" + re.sub(r"\s", "", t).lower()
    if e.type == "name":
        return "name:" + _name_key(t)
    return f"{e.type}:" + re.sub(r"[\s、,の]", "", t)


def _name_key(text: str) -> str:
    """A name without spaces and fillers; kana names in hiragana (ソウタ and そうた are one person)."""
    c = _clean_name(text)
    if c and all(_is_hira(ch) or _is_kata(ch) for ch in c):
        return hiragana(c)
    return c


@dataclass
class PlaceholderTable:
    """Typed, numbered placeholders that stay the same for the same person/number in one record.

    A surname or given name seen inside a full name shares that person's placeholder (佐々木 and
    佐々木浩二 are both [氏名1]) unless several people share it (前田健一 and 前田由香)."""

    by_key: dict[str, str] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    part_owner: dict[str, str] = field(default_factory=dict)

    def learn_names(self, entities: Iterable[Entity]) -> None:
        owners: dict[str, set[str]] = {}

        def own(part: str, owner: str) -> None:
            part, owner = _name_key(part), _name_key(owner)
            if part and owner and part != owner:
                owners.setdefault(part, set()).add(owner)

        for e in entities:
            if e.type != "name":
                continue
            full = _clean_name(e.text)
            if e.group and e.group != full:
                own(full, e.group)
                for p in _name_parts(e.text):
                    if _clean_name(p) != e.group:
                        own(_clean_name(p), e.group)
            for p in _name_parts(e.text):
                own(_clean_name(p), full)
            # the same person written in kana (のざわさん after 野沢久美子)
            for k in kana_forms(e.text):
                own(k, e.group or full)
        for part, fulls in owners.items():
            # only when the part is not itself a full name of somebody else
            if len(fulls) == 1:
                self.part_owner[part] = next(iter(fulls))

    def placeholder(self, e: Entity) -> str:
        key = entity_key(e)
        if e.type == "name":
            name = key.split(":", 1)[1]
            owner = self.part_owner.get(name)
            if owner and owner != name:
                key = "name:" + owner
        if key not in self.by_key:
            n = self.counters.get(e.type, 0) + 1
            self.counters[e.type] = n
            self.by_key[key] = f"[{TYPE_LABELS.get(e.type, e.type)}{n}]"
        return self.by_key[key]


def mask_text(text: str, entities: Iterable[Entity]) -> str:
    """Replace each entity span of ``text`` by its placeholder (entities must carry offsets into text)."""
    out, pos = [], 0
    for e in sorted(entities, key=lambda x: x.start):
        if e.start < pos:
            continue
        out.append(text[pos:e.start])
        out.append(e.placeholder or f"[{e.label}]")
        pos = e.end
    out.append(text[pos:])
    return "".join(out)


def scrub(text: str, entities: Iterable[Entity]) -> str:
    """Safety net for any text derived from a masked transcript: replace remaining raw strings.

    Longest first; one-character names are skipped (they would eat ordinary kanji)."""
    pairs = sorted({(e.text, e.placeholder) for e in entities if len(e.text.strip()) >= 2},
                   key=lambda p: len(p[0]), reverse=True)
    for raw, ph in pairs:
        if raw in text:
            text = re.sub(_word_pattern(raw), lambda _m, ph=ph: ph or "[個人情報]", text)
    return text


def _word_pattern(raw: str) -> str:
    """``raw`` as a word: a katakana name is not replaced inside a longer katakana word (ラン in
    ボランティア), nor a hiragana one after other hiragana that is not a particle."""
    if re.fullmatch(r"[ァ-ヶー・\s\u3000]+", raw):
        return katakana_word(raw)
    if re.fullmatch(r"[ぁ-ん\s\u3000]+", raw):
        return rf"(?:(?<![ぁ-ん])|(?<=[とやのにはがもを])){re.escape(raw)}"
    if re.fullmatch(r"[0-9０-９]+", raw):  # a room number is not part of a longer number, nor an amount or a count
        return rf"(?<![0-9０-９]){re.escape(raw)}(?![0-9０-９]|[\s\u3000]*(?:円|万|千|歳|才|人|回|階|時|分|秒|年|月|日|%|％|か月|ヶ月|カ月))"
    return re.escape(raw)


# -- public API -----------------------------------------------------------------------------------
def _contexts(segments: Sequence[Segment]) -> list[_Ctx]:
    ctxs: list[_Ctx] = []
    last_staff = ""
    since_name_q = 99
    prev_texts: list[str] = []
    name_answer = address_answer = False  # a conversation may open with the staff's 「はい」
    for seg in segments:
        previous = "\n".join(reversed(prev_texts[-2:]))
        # without speaker labels, a turn asking for a name or an address plays the staff's part
        staffish = seg.speaker == "staff" or (seg.speaker == "unknown" and _asks_for_data(seg.text))
        if staffish and _BACKCHANNEL_RE.match(seg.text):
            pass  # 「はい」 between two breaths of an answer: the question still stands
        elif staffish:
            last_staff = seg.text
            since_name_q = 0
            name_answer = address_answer = False
        else:
            since_name_q += 1
            name_answer = since_name_q <= 2 and bool(NAME_QUESTION.search(last_staff))
            address_answer = since_name_q <= 2 and bool(ADDRESS_QUESTION.search(last_staff))
        ctxs.append(_Ctx(text=seg.text, speaker=seg.speaker, segment_id=seg.id, previous=previous,
                         name_answer=name_answer, address_answer=address_answer))
        prev_texts.append(seg.text)
    return ctxs


_BACKCHANNEL_RE = re.compile(r"^[\s\u3000、。…]*(?:はい|ええ|うん|どうぞ|続けて)[\s\u3000、。…はいどうぞ]*$")


def _asks_for_data(text: str) -> bool:
    return bool((NAME_QUESTION.search(text) or ADDRESS_QUESTION.search(text) or BIRTH_CONTEXT.search(text))
                and re.search(r"[？?]|か[。\s]*$|ください|お願い|伺|教えて|は[。\s]*$", text))


_CIRCLE_ZERO = re.compile(r"(?<=[0-9０-９〇一二三四五六七八九○][\s\u3000])○|○(?=[\s\u3000]?[0-9０-９〇一二三四五六七八九○])|(?<=[0-9０-９〇一二三四五六七八九])○")


def _circle_zeros(segment: Segment) -> Segment:
    """「二 ○ 二」: a recogniser that writes the circle ○ for the zero 〇 among digits; read as 〇 (same offsets)."""
    if "○" not in segment.text:
        return segment
    return replace(segment, text=_CIRCLE_ZERO.sub("〇", segment.text))


def _comma_spaced(segment: Segment) -> Segment:
    """A turn a recogniser wrote with a comma or a full stop after every word or two (「松下、あゆみ、です、夫は、…」
    「旭町。さんちょうめ。の。」) is read with spaces for those marks, as the spaced form the rules know; the
    offsets stay the same."""
    for marks in ("[、,]", "[、,。]"):
        chunks = [c for c in re.split(marks, segment.text) if c.strip()]
        if len(chunks) >= 4 and sum(len(c.strip()) for c in chunks) / len(chunks) <= 4.0:
            return replace(segment, text=re.sub(marks, " ", segment.text))
    return segment


def detect_segments(segments: Sequence[Segment], *, use_ner: bool | None = None) -> list[Entity]:
    """Personal data in a conversation (segment ids and offsets into each segment's text)."""
    if use_ner is None:
        use_ner = _config_ner()
    original = {s.id: s.text for s in segments}
    entities = _detect_all([_comma_spaced(_circle_zeros(s)) for s in segments], use_ner)
    join_slips(segments, entities)  # a slip next to a span the tagger found, read in the text as written (its 。)
    # 「愛情の愛」「心愛 こころ です」 after a name only the tagger found
    explain_after_learned(segments, entities, Entity, kana_name_ok=word_may_be_name, name_shape_ok=_hiragana_name_shape)
    join_spelling_pieces(segments, entities)  # 「[剛]に、[志]という字で、[つよし]」: one spelling, one mask
    for e in entities:  # spans found in the spaced reading name the text as it was written
        e.text = original.get(e.segment_id, e.text)[e.start:e.end]  # type: ignore[arg-type]
    table = PlaceholderTable()
    table.learn_names(entities)
    for e in entities:
        e.placeholder = table.placeholder(e)
    _share_group_placeholders(entities)
    return entities


def _one_common_word(word: str) -> bool:
    """One dictionary word that is an ordinary noun or a place name and no person's name (東京, 地元, 結婚)."""
    toks = sudachi_tokens(word)
    return len(toks) == 1 and ("普通名詞" in toks[0].tag or "地名" in toks[0].tag) and not lexicon_person(word)


def _detect_all(segments: Sequence[Segment], use_ner: bool) -> list[Entity]:
    pairs = [(ctx, _detect_in(ctx, use_ner=use_ner)) for ctx in _contexts(segments)]
    _propagate(pairs)
    entities = extend(segments, [e for _ctx, ents in pairs for e in ents], Entity, kana_name_ok=word_may_be_name,
                      name_shape_ok=_hiragana_name_shape, person_ok=lexicon_person, common_word=_one_common_word,
                      surname_ok=lexicon_surname, given_ok=lexicon_given)
    entities = _with_learned(segments, entities, load_tagger())
    # a number in kanji (五十八, an age said alone) is never a name, whatever the dictionary lists
    entities = [e for e in entities if not (e.type == "name" and re.fullmatch(
        r"[一二三四五六七八九十百千〇]+[\s\u3000]*(?:かな|くらい|ぐらい|ほど|ちょっと|です)?", e.text.strip()))]
    entities = _without_staff_introduction(segments, entities)
    return [e for e in entities if not (e.type == "name" and _HONORIFIC_LED.match(e.text))]


def tagger_inputs(segments: Sequence[Segment]) -> list[tuple[Segment, list[TokenView], list[dict[str, int]]]]:
    """Each turn with its tokens and the tagger's features (the same for training and run time)."""
    return [(seg, *_turn_inputs(seg.text, seg.speaker, before)) for seg, before in _with_previous(segments)]


def _with_previous(segments: Sequence[Segment]) -> Iterable[tuple[Segment, str]]:
    """Each turn with the text of the turn before it (the tagger's context)."""
    return zip(segments, ["", *(seg.text for seg in segments)], strict=False)  # the last text follows no turn


def _turn_inputs(text: str, speaker: str, previous: str) -> tuple[list[TokenView], list[dict[str, int]]]:
    toks = [TokenView(t.text, t.tag, t.start, t.end) for t in sudachi_tokens(text)]
    return toks, token_features(toks, text, speaker, previous, lexicon_surname, lexicon_given)


@lru_cache(maxsize=4096)
def _turn_scores(model: TaggerModel, text: str, speaker: str, previous: str) -> tuple[list[TokenView], Any]:
    """A turn's tokens and the model's probabilities for them (cached: a live redraft scores only the
    turns that are new)."""
    toks, rows = _turn_inputs(text, speaker, previous)
    return toks, model.proba(rows)


def _with_learned(segments: Sequence[Segment], entities: list[Entity], model: TaggerModel | None) -> list[Entity]:
    """The rules' entities, extended or joined by what the learned tagger adds (see
    :mod:`assistant.pii.tagger`): a span next to a mask widens that mask; a span alone becomes a new
    entity typed by its shape."""
    if model is None:
        return entities
    by_seg: dict[int | None, list[Entity]] = {}
    for e in entities:
        by_seg.setdefault(e.segment_id, []).append(e)
    added: list[Entity] = []
    merged: set[int] = set()
    widened: list[Segment] = []
    for seg, previous in _with_previous(segments):
        toks, probs = _turn_scores(model, seg.text, seg.speaker, previous)
        own = by_seg.get(seg.id, [])
        masked = {j for e in own for j in range(e.start, e.end)}
        protected = _protected_spans(seg.text) + _office_numbers(seg.text)
        for run in candidate_runs(toks, probs, model.threshold):
            span = trim(run, seg.text, masked)
            if span is None:
                continue
            s, e, p = span
            if all(j in masked for j in range(s, e)) or not accept(seg.text, s, e, masked, protected, p, model.alone):
                continue
            near = [x for x in own if x.start - 2 <= e and s <= x.end + 2 and id(x) not in merged]
            if near:
                swallowed = _widen(near, s, e, seg.text)
                merged.update(id(x) for x in swallowed)
                kind = next(x.type for x in near if all(x is not y for y in swallowed))
            else:
                new = Entity(_learned_type(seg.text[s:e]), s, e, seg.text[s:e], segment_id=seg.id, rule="learned")
                own.append(new)
                added.append(new)
                kind = new.type
            masked.update(range(s, e))
            if kind == "address" and (not widened or widened[-1] is not seg):
                widened.append(seg)
    out = sorted([x for x in entities if id(x) not in merged] + added, key=lambda x: (x.segment_id or 0, x.start))
    for seg in widened:  # a learned piece of an address: the town, lot and room around it too
        widen_address(seg, out)
    return out


def _office_numbers(text: str) -> list[tuple[int, int]]:
    """Numbers of an office (0120…, or read from a leaflet), which the rules leave visible: the tagger
    must not mask a piece of one (「0120-11-2233」)."""
    return [(c.start, c.end) for c in find_chains(text)
            if c.digits.startswith(PHONE_BUSINESS_PREFIXES) or office_number(text, c.start)]


def _widen(near: list[Entity], start: int, end: int, text: str) -> list[Entity]:
    """Stretch the most specific nearby entity over ``start:end`` and the others near it (one mask
    for one item); returns the entities it swallowed."""
    keep = max(near, key=lambda x: _PRIORITY.get(x.type, 0))
    keep.start = min([start, *(x.start for x in near)])
    keep.end = max([end, *(x.end for x in near)])
    keep.text = text[keep.start:keep.end]
    if not keep.rule.endswith("+learned"):
        keep.rule += "+learned"
    return [x for x in near if x is not keep]


def _learned_type(word: str) -> str:
    if re.search(r"丁目|番地|号室|町|[0-9０-９]+の[0-9０-９]+", word):
        return "address"
    if sum(c.isdigit() or c in "〇一二三四五六七八九" for c in word) >= 3:
        return "id"
    return "name"


_HONORIFIC_LED = re.compile(r"^[\s\u3000]*(?:さん|さま|様|ちゃん|くん|君|氏|殿)(?:[\s\u3000]|です|ですね|$)")
_STAFF_INTRO_BEFORE = re.compile(r"(?:担当|係|窓口|相談員|保健師|社会福祉士|ケースワーカー|支援員|職員|主任|課|センター|わたくし|私)"
                                 r"[\s\u3000]*(?:の|は|が)?[\s\u3000]*$")
_STAFF_INTRO_AFTER = re.compile(r"^[\s\u3000]*(?:です|でございます|と申します|といいます|が担当|が伺います)")


def _without_staff_introduction(segments: Sequence[Segment], entities: list[Entity]) -> list[Entity]:
    """The staff member's own name (「担当の佐野です」) is not the citizen's data: the record names its
    author anyway, and masking it only hides who spoke."""
    staff = {s.id: s.text for s in segments if s.speaker == "staff"}
    def own(e: Entity) -> bool:
        text = staff.get(e.segment_id)  # type: ignore[arg-type]
        return e.type == "name" and text is not None and bool(_STAFF_INTRO_BEFORE.search(text[:e.start])) \
            and bool(_STAFF_INTRO_AFTER.match(text[e.end:]))
    return [e for e in entities if not own(e)]


def _share_group_placeholders(entities: Sequence[Entity]) -> None:
    """Pieces of one number or date said over two turns (same ``group``) show one placeholder."""
    first: dict[tuple[str, str], str] = {}
    for e in entities:
        if e.group and e.type != "name":
            e.placeholder = first.setdefault((e.type, e.group), e.placeholder)


def detect_pii(text: str, *, use_ner: bool | None = None) -> list[Entity]:
    """Personal data in a plain text (offsets into ``text``); lines are read as turns of a dialogue
    so that 「お名前は？」 on one line marks the next line as the answer."""
    segs, offsets, pos = [], [], 0
    for i, line in enumerate(text.split("\n")):
        segs.append(Segment(id=i, start=0.0, end=0.0, text=line, speaker="unknown"))
        offsets.append(pos)
        pos += len(line) + 1
    ents = detect_segments(segs, use_ner=use_ner)
    out = []
    for e in ents:
        base = offsets[e.segment_id or 0]
        out.append(replace(e, start=e.start + base, end=e.end + base, segment_id=None))
    return out


def mask_transcript(transcript: Transcript, *, use_ner: bool | None = None) -> tuple[Transcript, list[Entity]]:
    """A copy of ``transcript`` with personal data replaced by placeholders, and the entities
    (offsets refer to the original segment texts)."""
    entities = detect_segments(transcript.segments, use_ner=use_ner)
    by_seg: dict[int, list[Entity]] = {}
    for e in entities:
        by_seg.setdefault(e.segment_id, []).append(e)
    segments = []
    for seg in transcript.segments:
        masked = scrub(mask_text(seg.text, by_seg.get(seg.id, [])), entities)
        segments.append(replace(seg, text=masked, flags=list(seg.flags)))
    return (Transcript(source=transcript.source, duration=transcript.duration, language=transcript.language,
                       model=transcript.model, segments=segments), entities)


def _config_ner() -> bool:
    try:

        return bool(get_config().get("pii", {}).get("ner", True))
    except Exception:  # noqa: BLE001
        return True
