"""Numbers that identify a person: phone numbers, マイナンバー, account, insurance and pension ids.

Why a module of its own: counter conversations say numbers in many shapes — ``090-1234-5678``,
``090の1234の5678``, ``080 の 2947 の 6615``, ``ゼロキューゼロ…``, ``ぜろはちぜろの ななにーいちよんの…``,
mixed (``ぜろきゅうぜろ 5521 8830``) and with kanji digits and pauses (``ゼロ七二の、三六一の、四四〇八``). GiNZA's NER splits or mislabels them, so
we read every run of digits, spoken digit words and separators as a *digit chain* (each digit keeps
its character offsets) and decide on the whole chain: a phone number starts with 0 and has 10–11
digits, a マイナンバー has 12 (check digit or the word マイナンバー nearby), any other run of six or
more digits that is not money, a date or a time is an id whose type comes from nearby words
(口座 → account, 保険証/年金 → insurance_id). Short numbers count only right after 記号/番号.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.text.kana import katakana

# -- digit units -----------------------------------------------------------------------------------
ASCII_DIGITS = {**{str(i): i for i in range(10)}, **{chr(0xFF10 + i): i for i in range(10)}}
KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
# Spoken digit words (hiragana and katakana), longest first when matched.
_KANA_WORDS: dict[str, int] = {}
for _words, _d in (
    (("ぜろ", "れい", "まる"), 0), (("いち",), 1), (("にー", "にい", "に"), 2), (("さん",), 3),
    (("よん", "し"), 4), (("ごー", "ごう", "ご"), 5), (("ろく",), 6), (("なな", "しち"), 7),
    (("はち",), 8), (("きゅう", "きゅー", "く"), 9),
):
    for _w in _words:
        _KANA_WORDS[_w] = _d
        _KANA_WORDS[katakana(_w)] = _d
_KANA_WORDS["キュー"] = 9
_KANA_WORDS["ゼロ"] = 0
_KANA_BY_LEN = sorted(_KANA_WORDS, key=len, reverse=True)


def digit_value(word: str) -> int | None:
    """The digit one written or spoken digit word stands for (「7」「七」「なな」「ゼロ」), else None."""
    return ASCII_DIGITS.get(word, KANJI_DIGITS.get(word, _KANA_WORDS.get(word)))


# two digits said as a number inside a spoken phone number (「ぜろいちろくろくの ごじゅうにの …」: 5, 2); only with
# the tens digit said, so じゅう alone (じゅうしょ) is never a digit; each stands for its two digits
_KANA_TENS: dict[str, int] = {}
for _t, _tv in (("に", 2), ("さん", 3), ("よん", 4), ("ご", 5), ("ろく", 6), ("なな", 7), ("はち", 8), ("きゅう", 9)):
    _KANA_TENS[_t + "じゅう"] = _tv * 10
    for _u, _uv in (("いち", 1), ("に", 2), ("さん", 3), ("よん", 4), ("ご", 5), ("ろく", 6), ("なな", 7), ("はち", 8), ("きゅう", 9)):
        _KANA_TENS[_t + "じゅう" + _u] = _tv * 10 + _uv
_KANA_BY_FIRST: dict[str, list[str]] = {}
for _w in sorted([*_KANA_BY_LEN, *_KANA_TENS], key=len, reverse=True):
    _KANA_BY_FIRST.setdefault(_w[0], []).append(_w)

# Separators between digit groups: dashes, spaces, 、 and の (spoken "090の1234"), also stacked the
# way people pause between groups ("ゼロ七二の、三六一の、…", "090の えー 1234") — a chain still has
# to start with zero and reach 10–11 digits to be a phone number, so a wide separator costs nothing.
_DASH = "-‐‑–—−－―ー"
_SEP_RE = re.compile(
    rf"[\s\u3000]*(?:(?:の|ハイフン|はいふん|[{_DASH}])[\s\u3000]*、?|、)?[\s\u3000]*"
    r"(?:(?:えーと|えっと|えー|あの)[\s\u3000]*、?[\s\u3000]*)?")

MONEY_OR_UNIT_RE = re.compile(
    r"^\s*(?:円|万|千|百|億|兆|歳|才|年|月|日|時|分|秒|回|人|件|%|％|か月|ヶ月|カ月|ケ月|か所|キロ|"
    r"センチ|ミリ|グラム|cm|kg|mm|階|週|倍|割|点|枚|社|本|個|台|部|錠|号棟|棟|号室|号|丁目|番地|番(?!号)|世帯|"
    r"時間|日間|万円|ページ|頁|度|等級|級|位|cc|ml|km|m\b)")


@dataclass(frozen=True)
class Digit:
    value: int
    start: int
    end: int
    kind: str  # "ascii" | "kana" | "kanji"


@dataclass
class Chain:
    """A run of digits and separators; ``groups`` are runs of same-kind digits."""

    groups: list[list[Digit]]

    @property
    def digits(self) -> str:
        return "".join(str(d.value) for g in self.groups for d in g)

    @property
    def start(self) -> int:
        return self.groups[0][0].start

    @property
    def end(self) -> int:
        return self.groups[-1][-1].end

    def prefix(self, n_groups: int) -> Chain:
        return Chain(self.groups[:n_groups])


def _is_kana(c: str) -> bool:
    return "\u3041" <= c <= "\u30ff"


def _kana_parse(text: str, i: int) -> list[Digit]:
    """Spoken digits from ``i``: the segmentation of the kana run into digit words that reaches
    furthest (にいち is に+いち, not にい+ち; しち is 7, not し+ち)."""
    if text[i] not in _KANA_BY_FIRST:
        return []
    j = i
    while j < len(text) and _is_kana(text[j]) and j - i < 48:
        j += 1
    # reach[p] = previous position and word that reaches p
    reach: dict[int, tuple[int, str]] = {i: (i, "")}
    for p in range(i, j):
        if p not in reach:
            continue
        for w in _KANA_BY_FIRST.get(text[p], ()):
            if p + len(w) <= j and text.startswith(w, p) and p + len(w) not in reach:
                reach[p + len(w)] = (p, w)
    end = max(reach)
    out: list[Digit] = []
    p = end
    while p != i:
        q, w = reach[p]
        out.append(Digit(_KANA_WORDS.get(w, _KANA_TENS.get(w, 0)), q, p, "kana"))
        p = q
    return out[::-1]


def _digit_at(text: str, i: int, allow_kana: bool) -> Digit | None:
    c = text[i]
    if c in ASCII_DIGITS:
        return Digit(ASCII_DIGITS[c], i, i + 1, "ascii")
    if c in KANJI_DIGITS:
        return Digit(KANJI_DIGITS[c], i, i + 1, "kanji")
    if allow_kana:
        parsed = _kana_parse(text, i)
        if parsed:
            return parsed[0]
    return None


def _is_zero_start(text: str, i: int) -> bool:
    """A spoken chain may only start on a zero word (phones) — elsewhere kana are ordinary words."""
    return text[i] in "ぜゼれレまマ" and any(text.startswith(w, i) for w in ("ぜろ", "ゼロ", "れい", "レイ", "まる", "マル"))


def find_chains(text: str, kana_start: bool = False) -> list[Chain]:
    """All digit chains in ``text``.

    ASCII/full-width digits start a chain anywhere; spoken kana digits and kanji digits only when
    they start with a zero word or continue a chain (so ``さん`` in 佐藤さん is never a 3), and a
    kana group must be followed by a separator, another digit or a non-kana character (so the 2 of
    ``に`` in ``…5678に電話`` stays a particle unless it completes a valid number)."""
    chains: list[Chain] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        starts = c in ASCII_DIGITS or _is_zero_start(text, i) or (c in "〇零" and i + 1 < n and text[i + 1] in KANJI_DIGITS)
        if not starts and kana_start and (i == 0 or not ("ぁ" <= text[i - 1] <= "ヺ")):
            d0 = _digit_at(text, i, allow_kana=True)
            starts = d0 is not None and d0.kind == "kana" and d0.end - d0.start >= 2
        if not starts:
            i += 1
            continue
        groups: list[list[Digit]] = []
        cur: list[Digit] = []
        j = i
        while j < n:
            if _is_kana(text[j]):
                run = _kana_parse(text, j)
                if run:
                    if cur and cur[-1].kind != "kana":
                        groups.append(cur)
                        cur = []
                    cur.extend(run)
                    j = run[-1].end
                    continue
            d = _digit_at(text, j, allow_kana=False)
            if d is not None and d.kind == "kanji" and not (cur or groups):
                d = d if c in "〇零" else None
            if d is not None:
                if cur and cur[-1].kind != d.kind:
                    groups.append(cur)
                    cur = []
                cur.append(d)
                j = d.end
                continue
            m = _SEP_RE.match(text, j)
            if cur and m and m.end() > j and m.end() < n and _digit_at(text, m.end(), allow_kana=True):
                groups.append(cur)
                cur = []
                j = m.end()
                continue
            break
        if cur:
            groups.append(cur)
        if groups:
            chains.append(Chain(groups))
            i = groups[-1][-1].end
        else:
            i += 1
    return chains


def mynumber_check_ok(digits: str) -> bool:
    """The マイナンバー check digit (個人番号の検査用数字, 総務省令): weights 2..7, 2..6 from the right."""
    if len(digits) != 12 or not digits.isdigit():
        return False
    body = [int(c) for c in digits[:11]]
    total = 0
    for n in range(1, 12):
        p = body[11 - n]
        q = n + 1 if n <= 6 else n - 5
        total += p * q
    r = total % 11
    check = 0 if r <= 1 else 11 - r
    return check == int(digits[11])


OFFICE_DIAL_PREFIXES = ("0120", "0570", "0800")  # free dial and navi dial: an office's number
PHONE_BUSINESS_PREFIXES = (*OFFICE_DIAL_PREFIXES, "0990")
# the office dial prefixes at the start of a text, in ASCII or full-width digits
OFFICE_DIAL = re.compile("^(?:" + "|".join(OFFICE_DIAL_PREFIXES + tuple(
    p.translate(str.maketrans("0123456789", "０１２３４５６７８９")) for p in OFFICE_DIAL_PREFIXES)) + ")")
# an office's public number named as such just before it (代表番号, 直通, the office's name + の)
OFFICE_NUMBER_BEFORE = re.compile(r"(?:代表|直通|フリーダイヤル|(?:役所|役場|課|係|センター|事務所|相談所|窓口|協議会)(?:の|は)?(?:電話|番号)?)"
                                  r"(?:番号|電話)?(?:の|は|が|[:：、,\s\u3000])*$")


# a sentence that gives an office's number (「女性相談窓口は平日9時から…、電話は052-…です」), unless it says
# whose own number it is
OFFICE_IN_SENTENCE = re.compile(r"窓口|センター|役所|役場|事務所|相談所|課|係|協議会|ダイヤル")
OWN_NUMBER = re.compile(r"携帯|自宅|ご本人|本人|私|わたし|僕|うち|あなた|お母様|お父様|息子|娘|夫|妻|主人|家族|連絡先")


def office_number(text: str, start: int) -> bool:
    """Whether the number starting at ``start`` is an office's own (said after 代表/直通/窓口 …)."""
    if OFFICE_NUMBER_BEFORE.search(text[max(0, start - 16):start]):
        return True
    sentence = re.split(r"[。？?！!]", text[:start])[-1]
    return bool(OFFICE_IN_SENTENCE.search(sentence)) and not OWN_NUMBER.search(sentence)


@dataclass
class NumberHit:
    type: str
    start: int
    end: int
    rule: str


ACCOUNT_CTX = re.compile(r"口座|普通|当座|ふつう|とうざ|貯蓄|銀行|信金|信用金庫|信組|ゆうちょ|郵便局|振込|振り込み|引き落とし|通帳|支店")
INSURANCE_CTX = re.compile(
    r"保険証|被保険者|記号|年金手帳|基礎年金|年金番号|年金証書|手帳の番号|受給者|介護保険|健保|国保|保険の番号|資格確認|証番号|年金")
ID_BEFORE = re.compile(r"(?:被保険者|保険者|保険証|記号|口座|基礎年金|年金|受給者|手帳|証|個人)(?:の)?番号|記号|口座|保険証")
PHONE_BEFORE = re.compile(r"電話|携帯|連絡先|TEL|tel|ＴＥＬ|ファックス|FAX")
MYNUMBER_CTX = re.compile(r"マイナンバー|個人番号|まいなんばー")
ID_KEYWORD_RE = re.compile(
    r"(?P<kw>記号番号|記号|番号|口座番号|被保険者番号|受給者番号|証番号|基礎年金番号|年金番号)"
    r"(?:[はがも:：]|って|、|,|\s|…+|えっと|えーと|えー|あの|あー|その)*")  # 「記号が…「北12」、番号、…」


def _context_type(context: str) -> str:
    if MYNUMBER_CTX.search(context):
        return "mynumber"
    if ACCOUNT_CTX.search(context):
        return "account"
    if INSURANCE_CTX.search(context):
        return "insurance_id"
    return "id"


def _followed_by_unit(text: str, end: int) -> bool:
    return bool(MONEY_OR_UNIT_RE.match(text[end:end + 6]))


def _preceded_by_date_or_money(text: str, start: int) -> bool:
    before = text[max(0, start - 2):start]
    return before.endswith(("¥", "￥", "第"))


def classify_chains(text: str, context: str = "") -> list[NumberHit]:
    """Phone numbers, マイナンバー and ids in ``text``; ``context`` is nearby text (the previous
    segment) used only to pick the id type (口座/保険証/マイナンバー)."""
    hits: list[NumberHit] = []
    local_ctx = text + "\n" + context
    # Spoken ids that do not start with zero (まいなんばー は ろくよんにいち …) are read only when the
    # segment itself names the number; elsewhere kana digit words are ordinary words.
    spoken_ids = bool(MYNUMBER_CTX.search(text) or re.search(r"番号|記号|口座", text))
    for chain in find_chains(text, kana_start=spoken_ids):
        # Try the longest prefix of groups that makes a valid number (a trailing kana particle such
        # as the に of "…5678に" must not turn a phone number into 12 digits).
        best: NumberHit | None = None
        top = len(chain.groups)
        if top > 1 and chain.groups[-1][0].start > chain.groups[-2][-1].end and _followed_by_unit(text, chain.end):
            top -= 1  # 「…一〇三七、2時以降」: a count or a time after a pause is not the number's last digits
        for k in range(top, 0, -1):
            sub = chain.prefix(k)
            if k < len(chain.groups) and chain.groups[k][0].kind == "ascii":
                # written digits after a pause (「090-1234-5678、2時に」) are dropped only when what
                # is left is a whole phone number, or when they carry a unit (口座 1234567、8万円);
                # otherwise the written tail belongs to the number
                if chain.groups[k][0].start == chain.groups[k - 1][-1].end:
                    break
                hit = _classify(text, sub, local_ctx, spoken_ids)
                if hit is not None and (hit.type == "phone" or k == top < len(chain.groups)):
                    best = hit
                    break
                continue
            hit = _classify(text, sub, local_ctx, spoken_ids)
            if hit is not None:
                best = hit
                break
        if best is not None:
            hits.append(best)
    return hits


def _classify(text: str, chain: Chain, ctx: str, spoken_ids: bool = False) -> NumberHit | None:
    digits = chain.digits
    n = len(digits)
    kinds = {d.kind for g in chain.groups for d in g}
    spoken = kinds != {"ascii"}
    last_group_kana = chain.groups[-1][0].kind != "ascii"
    written = "".join(str(d.value) for g in chain.groups for d in g if d.kind == "ascii")
    if written.startswith(PHONE_BUSINESS_PREFIXES) and 10 <= len(written) <= 11:
        return None  # a free-dial number followed by kana particles (「0120-…にご連絡ください」)
    if spoken and chain.groups[0][0].value != 0 and "ascii" not in kinds:
        # spoken chains not starting with zero: only a whole spoken id in a segment that names it
        if spoken_ids and (n == 12 or n >= 7):
            if n == 12 and (mynumber_check_ok(digits) or MYNUMBER_CTX.search(ctx)):
                return NumberHit("mynumber", chain.start, chain.end, "digits:mynumber-spoken")
            return NumberHit(_context_type(ctx), chain.start, chain.end, "digits:id-spoken")
        return None
    if _followed_by_unit(text, chain.end) and not spoken:
        return None
    if last_group_kana and len(chain.groups[-1]) == 1 and chain.groups[-1][0].end - chain.groups[-1][0].start == 1:
        # a single one-character kana digit at the end (に, し, く, ご) is almost always a particle
        return None
    if digits.startswith(PHONE_BUSINESS_PREFIXES) and 10 <= n <= 11:
        return None  # free-dial and navi-dial numbers of offices are not personal data
    if digits.startswith("0") and 10 <= n <= 11 and office_number(text, chain.start):
        return None  # the office's own number (「市役所代表番号の0297-…」「課の直通は…」) is public
    if digits.startswith("0") and 10 <= n <= 11:
        before = text[max(0, chain.start - 14):chain.start]
        previous = ctx.split("\n", 1)[1] if "\n" in ctx else ""
        asked_id = bool(ID_BEFORE.search(previous)) and not PHONE_BEFORE.search(previous) and not PHONE_BEFORE.search(text)
        if (ID_BEFORE.search(before) and not PHONE_BEFORE.search(before)) or asked_id:
            return NumberHit(_context_type(before + "\n" + ctx), chain.start, chain.end, "digits:id")
        return NumberHit("phone", chain.start, chain.end, "digits:phone")
    if n == 12:
        if mynumber_check_ok(digits) or MYNUMBER_CTX.search(ctx):
            return NumberHit("mynumber", chain.start, chain.end, "digits:mynumber")
        return NumberHit(_context_type(ctx), chain.start, chain.end, "digits:12")
    if spoken:
        return None
    if n >= 6 and not _preceded_by_date_or_money(text, chain.start):
        if digits.startswith("0") and 9 <= n <= 11:
            if digits.startswith(PHONE_BUSINESS_PREFIXES):
                return None
            return NumberHit("phone", chain.start, chain.end, "digits:phone")
        return NumberHit(_context_type(ctx), chain.start, chain.end, "digits:id")
    return None


# a 記号 may start with a kanji or two (愛12, 東-3, 鹿 1 2: the insurer's mark), in quotes as read from
# the card (「北02」), its digits read one by one
_ID_DIGITS = r"[0-9０-９](?:[ \u3000]?[0-9０-９])*"
# the mark may be said apart from its digits (「東の、5」「すい 03」「南 の 十五」「東ノ3」)
_ID_MARK = r"(?:[一-龯]{1,2}|(?!ね|よ|で|が|は|の|と|も|な)[ぁ-ん]{1,2}(?=[ \u3000]))"
# kanji digits read one by one (「三 八 〇 二 九」): the whole run, not a first digit taken for a mark
_ID_KANJI_DIGITS = r"[〇一二三四五六七八九](?:[ \u3000]?[〇一二三四五六七八九]){2,}(?![一-龯])"
_SHORT_ID_RE = re.compile(rf"(?:「\s*)?(?:{_ID_KANJI_DIGITS}|{_ID_MARK}(?:[ \u3000、,]|の|ノ)*[-‐−－]?[ \u3000]?(?:{_ID_DIGITS}|[〇一二三四五六七八九十]{{1,4}}(?![一-龯]))"
                          rf"|{_ID_DIGITS})(?:\s*[-‐−－の]\s*{_ID_DIGITS})*(?![0-9０-９])(?:\s*」)?")
# a 記号 of kanji alone (記号は市国、番号は…): only where a pause, a quote or the 番号 closes it
_KANJI_MARK_RE = re.compile(r"(?:「\s*)?[一-龯]{1,3}(?:\s*」|(?=[、,]|\s*番号|\s*で\s*番号))")
_ID_GOU_RE = re.compile(r"[ \u3000]*号(?![室棟])")
_SECOND_PART_RE = re.compile(
    r"(?:[、,\s]|が|は|で|の)*(?:番号|記号)(?:[はがも:：]|って|、|\s|…+|えっと|えーと|あの)*")


@dataclass
class _Span:
    s: int
    e: int

    def start(self) -> int:
        return self.s

    def end(self) -> int:
        return self.e


def _spoken_id_at(text: str, i: int) -> _Span | None:
    """Spoken digits right after 記号/番号 (「記号は いちにーさん」): a chain starting exactly at ``i``
    of at least two digits, not a lone one-character digit word (に, ご are particles too)."""
    chains = find_chains(text[i:], kana_start=True)
    if not chains or chains[0].start != 0 or len(chains[0].digits) < 2:
        return None
    return _Span(i, i + chains[0].end)


def keyword_ids(text: str, context: str = "") -> list[NumberHit]:
    """Short ids right after 記号/番号 (``記号41、番号207``, ``記号番号は、えっと、1402の58``).

    Two parts (記号 … 番号 …) become one hit so the placeholder covers the pair."""
    hits: list[NumberHit] = []
    for m in ID_KEYWORD_RE.finditer(text):
        num = _SHORT_ID_RE.match(text, m.end()) or _spoken_id_at(text, m.end()) or (
            _KANJI_MARK_RE.match(text, m.end()) if m.group("kw") == "記号" else None)
        if not num:
            continue
        digits = re.sub(r"\D", "", text[num.start():num.end()])
        gou = _ID_GOU_RE.match(text, num.end())
        if gou and len(digits) >= 4:
            num = _Span(num.start(), gou.end())  # 「手帳番号は精03712号」: a card's number closed by 号
        elif _followed_by_unit(text, num.end()):
            continue
        if digits.startswith(PHONE_BUSINESS_PREFIXES) or office_number(text, num.start()):
            continue  # 「お問い合わせ番号は0120-…」: an office's number
        end = num.end()
        second = _SECOND_PART_RE.match(text, end)
        if second and second.end() > end:
            num2 = _SHORT_ID_RE.match(text, second.end()) or _spoken_id_at(text, second.end())
            if num2 and not _followed_by_unit(text, num2.end()):
                end = num2.end()
        kind = _context_type(text[max(0, m.start() - 30):end] + "\n" + context)
        if kind == "id" and m.group("kw") in ("記号", "記号番号"):
            kind = "insurance_id"
        hits.append(NumberHit(kind, num.start(), end, "keyword:" + m.group("kw")))
    return hits
