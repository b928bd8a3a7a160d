"""Scheme vocabulary for speech recognition: per-conversation prompts and name correction.

Whisper base hears scheme names as homophones or near-homophones (住居確保給付金 → 重拠確保急付近,
児童扶養手当 → 自動不要手当て, 就学援助 → 収額エンジョ): the sounds are right, the characters are not.
Two tools restore them from the knowledge base's names, aliases and readings:

* ``SchemeNameCorrector`` compares the *kana reading* of the transcript with the readings of the
  scheme names. A transcript's reading is a lattice, not a string, because a misheard kanji is
  read by the dictionary in context (重 → オモ) while Whisper chose it for its sound (重 → ジュウ):
  every token offers its Sudachi reading, its other dictionary readings and the readings of its
  single kanji, plus OpenJTalk's reading. A stretch of transcript is rewritten to a name only when
  some path through the lattice is within a small edit distance of the name's reading, the
  stretch starts and ends on word boundaries, and the particles inside it also occur in the name —
  so ordinary words (公園の住宅, 保険料を減免) are left alone.
* ``build_prompt`` chooses the names worth putting in Whisper's ``initial_prompt`` for the next
  stretch of audio: names already said (they tend to be said again) and names of the schemes the
  conversation so far points to, within the prompt's token budget. A fixed prompt listing every
  scheme made dialogues worse; see ``benchmarks/vocab.py`` for what a per-conversation prompt does.

Only the SudachiPy tokenizer and pyopenjtalk are used here (no spaCy pipeline), so a batch worker
stays small.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sklearn.feature_extraction.text import TfidfVectorizer

from assistant.schemes.knowledge import KnowledgeBase, Scheme
from assistant.schemes.protected import load_protected_terms
from assistant.text.kana import katakana
from assistant.text.metrics import normalise_for_cer

MIN_READING = 5  # shorter names (保護, 後見, 手帳) collide with ordinary words: never targets
WHISPER_PROMPT_TOKENS = 223  # Whisper keeps the last n_text_ctx // 2 - 1 prompt tokens

# -- kana and phonetic keys ---------------------------------------------------------------------
_SMALL = str.maketrans("ァィゥェォャュョッヮヵヶ", "アイウエオヤユヨツワカケ")
_ROW_O = set("オコゴソゾトドノホボポモヨョロヲ")
_ROW_U = set("ウクグスズツヅヌフブプムユュル")
_ROW_E = set("エケゲセゼテデネヘベペメレ")
_KANJI = re.compile(r"[\u3400-\u9fff\uf900-\ufaff々〆]")
_HIRAGANA = re.compile(r"[\u3041-\u309f]")
_KATAKANA_ONLY = re.compile(r"^[\u30a0-\u30ffー]+$")
_DIGITS = re.compile(r"[0-9０-９]")
_VOWELS = set("アイウエオ")


def phonetic(kana: str) -> str:
    """A reading as it sounds: katakana, ヲ→オ, ヅ→ズ, ヂ→ジ, long vowels as ー (コウ → コー)."""
    k = katakana(unicodedata.normalize("NFKC", kana))
    k = k.replace("ヲ", "オ").replace("ヅ", "ズ").replace("ヂ", "ジ")
    out: list[str] = []
    for ch in k:
        if not ("ァ" <= ch <= "ヺ" or ch == "ー"):
            continue
        prev = out[-1] if out else ""
        if ch == "ウ" and (prev in _ROW_O or prev in _ROW_U):
            ch = "ー"
        elif ch == "イ" and prev in _ROW_E:
            ch = "ー"
        out.append(ch)
    return "".join(out)


def _fold(ch: str) -> str:
    """Voicing and size folded: ガ→カ, パ→ハ, ョ→ヨ (a half-cost difference)."""
    return unicodedata.normalize("NFD", ch)[0].translate(_SMALL)


@lru_cache(maxsize=4096)
def _sub_cost(a: str, b: str) -> float:
    if a == b:
        return 0.0
    if "#" in (a, b):
        return 99.0
    if _fold(a) == _fold(b) or ("ー" in (a, b) and (a + b).replace("ー", "") in _VOWELS):
        return 0.5
    return 1.0


# -- the reading lattice ------------------------------------------------------------------------
_tok_lock = threading.Lock()


@lru_cache(maxsize=1)
def _sudachi():
    from sudachipy import Dictionary, SplitMode

    d = Dictionary(dict="core")
    return d, d.create(SplitMode.C)


@lru_cache(maxsize=8192)
def _dictionary_readings(surface: str) -> tuple[str, ...]:
    """Every reading the dictionary knows for a surface (重 → ジュウ, オモ, エ, …)."""
    d, _ = _sudachi()
    with _tok_lock:
        try:
            return tuple(dict.fromkeys(m.reading_form() for m in d.lookup(surface)))
        except Exception:  # noqa: BLE001 - a lookup failure only costs alternatives
            return ()


@dataclass(frozen=True)
class Morph:
    start: int
    end: int
    surface: str
    reading: str
    kind: str  # "word" | "particle" | "punct" | "sentence_end"
    oov: bool = False  # not in the dictionary (Whisper's odd kanji strings often are not)
    adverbial: bool = False  # a noun that heads a clause adverbially (場合, 時, ため): 「…場合、」
    function: bool = False  # an adverb, conjunction, interjection or pronoun (もう, まだ, あの): never part of a name
    verb: bool = False  # a verb or an adjective: a scheme name never ends in one
    numeral: bool = False  # a number (四, 八, 12): 「四階」 is a floor, never a mishearing of a name


_SENTENCE_END = set("。！？!?\n")


def morphs(text: str) -> list[Morph]:
    """Sudachi tokens with character offsets and a coarse kind (words, particles, punctuation)."""
    _, tok = _sudachi()
    with _tok_lock:
        ms = list(tok.tokenize(text))
        out = []
        for m in ms:
            tags = m.part_of_speech()
            pos = tags[0]
            surface = m.surface()
            if not surface.strip() or pos == "空白":
                kind = "punct"
            elif pos == "補助記号" or pos == "記号":
                kind = "sentence_end" if any(c in _SENTENCE_END for c in surface) else "punct"
            elif pos in ("助詞", "助動詞"):
                kind = "particle"
            else:
                kind = "word"
            out.append(Morph(m.begin(), m.end(), surface, m.reading_form(), kind, m.is_oov(),
                             adverbial=pos == "名詞" and tags[2] == "副詞可能",
                             function=pos in ("副詞", "接続詞", "感動詞", "連体詞", "代名詞"),
                             verb=pos in ("動詞", "形容詞"), numeral=tags[1] == "数詞"))
    return out


@dataclass
class Lattice:
    """Readings of a text as edges between character positions."""

    text: str
    morphs: list[Morph]
    edges: dict[int, list[tuple[int, str]]] = field(default_factory=dict)  # start → [(end, phonetic)]
    bigrams: dict[str, set[int]] = field(default_factory=dict)  # folded bigram → text positions

    def add(self, a: int, b: int, reading: str) -> None:
        key = phonetic(reading) if reading and reading != "#" else reading
        lst = self.edges.setdefault(a, [])
        if (b, key) not in lst:
            lst.append((b, key))


_ojt_lock = threading.Lock()


def _openjtalk_prons(text: str) -> list[tuple[int, int, str]]:
    """OpenJTalk's word readings with offsets (another opinion on how a word is read)."""
    try:
        import pyopenjtalk
    except ImportError:  # optional
        return []
    out = []
    pos = 0
    with _ojt_lock:  # one global OpenJTalk instance: not safe to call from two threads at once
        words = pyopenjtalk.run_frontend(text)
    for w in words:
        s = w.get("string", "")
        i = text.find(s, pos) if s else -1
        if i < 0:
            continue
        pron = w.get("pron", "").replace("’", "")
        if pron and pron != "、" and re.fullmatch(r"[ァ-ヶー]+", pron):
            out.append((i, i + len(s), pron))
        pos = i + len(s)
    return out


def build_lattice(text: str) -> Lattice:
    ms = morphs(text)
    lat = Lattice(text=text, morphs=ms)
    for m in ms:
        if m.kind in ("punct", "sentence_end"):
            lat.add(m.start, m.end, "")
            continue
        if _DIGITS.search(m.surface):  # numbers never sound like a name here
            lat.add(m.start, m.end, "#")
            continue
        reading = m.reading if re.fullmatch(r"[ァ-ヶー]+", m.reading or "") else katakana(m.surface)
        lat.add(m.start, m.end, reading)
        if _KANJI.search(m.surface):
            for alt in _dictionary_readings(m.surface):
                lat.add(m.start, m.end, alt)
            if len(m.surface) > 1:  # each kanji on its own: 手長 → テ + チョウ
                for i, ch in enumerate(m.surface):
                    a = m.start + i
                    alts = _dictionary_readings(ch) if _KANJI.match(ch) else (katakana(ch),)
                    for alt in alts or (katakana(ch),):
                        lat.add(a, a + 1, alt)
    for a, b, pron in _openjtalk_prons(text):
        if not _DIGITS.search(text[a:b]):
            lat.add(a, b, pron)
    # bigrams over all paths (within edges and across each node), folded, for prefiltering
    ends_at: dict[int, set[str]] = {}
    for lst in lat.edges.values():
        for b, r in lst:
            if r:
                ends_at.setdefault(b, set()).add(_fold(r[-1]))
    for a, lst in lat.edges.items():
        for _b, r in lst:
            f = "".join(_fold(c) for c in r)
            for i in range(len(f) - 1):
                lat.bigrams.setdefault(f[i:i + 2], set()).add(a)
            if f:
                for p in ends_at.get(a, ()):
                    lat.bigrams.setdefault(p + f[0], set()).add(a)
    return lat


# -- terms --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Term:
    surface: str
    readings: tuple[str, ...]  # phonetic keys
    scheme_id: str
    official: bool  # the scheme's name or a part of it (not a colloquial alias)


@lru_cache(maxsize=4096)
def _reading_of(surface: str) -> str:
    """Dictionary reading of a correctly written name (Sudachi, kana kept as is); cached, since the
    onset check reads the same names' tails again for every inexact match."""
    parts = []
    for m in morphs(surface):
        if m.kind in ("punct", "sentence_end"):
            continue
        parts.append(m.reading if re.fullmatch(r"[ァ-ヶー]+", m.reading or "") else katakana(m.surface))
    return "".join(parts)


def name_variants(s: Scheme) -> list[tuple[str, bool]]:
    """(surface, official) forms of a scheme's name people say; colloquial phrases excluded."""
    out: list[tuple[str, bool]] = []
    official = [s.name, s.short_name]
    for part in re.split(r"[（）()・、]", s.name):
        part = part.strip()
        if len(part) >= 3 and not _HIRAGANA.match(part):  # not 「の減免」 (from …（税）の減免)
            official.append(part)
    more = []
    for v in official:
        for suffix in ("事業", "制度"):  # often left out in speech: 成年後見制度 → 成年後見
            if v.endswith(suffix) and len(v) - len(suffix) >= 4:
                more.append(v[: -len(suffix)])
        head = v.split("の")[0]
        if head != v and len(head) >= 4 and not _HIRAGANA.search(head):  # 国民年金保険料の免除 → 国民年金保険料
            more.append(head)
    for v in official + more:
        if not re.search(r"[（）()]", v):
            out.append((v, True))
    for a in s.aliases:
        if not _HIRAGANA.search(a):  # 社協から借りる, 医療費の上限 … are descriptions, not names
            out.append((a, False))
    seen: dict[str, bool] = {}
    for v, off in out:
        seen[v] = seen.get(v, False) or off
    return list(seen.items())


def scheme_terms(kb: Iterable[Scheme]) -> list[Term]:
    """Every correctable name form of the knowledge base with its readings."""
    terms: dict[tuple[str, str], Term] = {}
    for s in kb:
        given = {}
        if not re.search(r"[（(]", s.name):
            given[s.name] = s.reading
        given[s.short_name] = re.split(r"[（(]", s.reading)[0]
        if len(s.alias_readings) == len(s.aliases):
            given.update(zip(s.aliases, s.alias_readings, strict=True))
        for surface, official in name_variants(s):
            if not (_KANJI.search(surface) or re.search(r"[ァ-ヶ]", surface)) or _DIGITS.search(surface):
                continue
            readings = {phonetic(_reading_of(surface))}
            if surface in given:
                readings.add(phonetic(re.sub(r"[\s（）()・]", "", given[surface])))
            readings = {r for r in readings if len(r) >= MIN_READING}
            if readings:
                terms[(surface, s.id)] = Term(surface, tuple(sorted(readings)), s.id, official)
    return list(terms.values())


# -- matching -----------------------------------------------------------------------------------
def max_cost(n: int) -> float:
    """Edits allowed for a reading of n kana: 1 up to 7, 2 up to 12, then 3."""
    return 1.0 if n <= 7 else 2.0 if n <= 12 else 3.0


def term_limit(term: Term, key: str) -> float:
    """Edits allowed for one name form. Official names get ``max_cost``; colloquial aliases (初期集中,
    精神手帳, 障害手当金) at most one, because short everyday-looking words sit close to them; a
    loanword (シェルター) only when it sounds exactly the same."""
    if _KATAKANA_ONLY.match(term.surface):
        return 0.0
    return max_cost(len(key)) if term.official else min(1.0, max_cost(len(key)))


@dataclass(frozen=True)
class Correction:
    start: int
    end: int
    before: str
    after: str
    scheme_id: str
    cost: float
    official: bool = True


def _align_from(lat: Lattice, start: int, key: str, limit: float, boundaries: set[int]) -> list[tuple[float, int]]:
    """Edit distance between ``key`` and every lattice path from ``start``; (cost, end) pairs."""
    m = len(key)
    init = [float(k) for k in range(m + 1)]
    rows: dict[int, list[float]] = {start: init}
    results: list[tuple[float, int]] = []
    for node in sorted(n for n in lat.edges if n >= start):
        row = rows.get(node)
        if row is None:
            continue
        if min(row) > limit:
            continue
        for end, r in lat.edges[node]:
            cur = row
            for c in r:
                skip = 1.0 if c != "#" else 99.0  # a number is never part of a name's sound
                new = [cur[0] + skip]
                for k in range(1, m + 1):
                    new.append(min(cur[k] + skip, cur[k - 1] + _sub_cost(c, key[k - 1]), new[k - 1] + 1.0))
                cur = new
                if min(cur) > limit:  # this path can no longer match
                    break
            if min(cur) > limit:
                continue
            prev = rows.get(end)
            rows[end] = cur if prev is None else [min(x, y) for x, y in zip(prev, cur, strict=True)]
        rows.pop(node, None)
        if node != start and node in boundaries and row[m] <= limit:
            results.append((row[m], node))
    for node, row in rows.items():  # nodes past the last edge start (end of text)
        if node != start and node in boundaries and row[m] <= limit:
            results.append((row[m], node))
    return results


def _plausible_starts(lat: Lattice, grams: set[str], need: int, key_len: int, word_starts: list[int]) -> list[int]:
    """Word starts close before a stretch of text holding enough of the name's sound pairs.

    Each edit destroys at most two of the name's kana bigrams, so a match within ``limit`` edits
    keeps ``need`` of them, all within about ``key_len`` characters of text: a cheap test that
    leaves the exact alignment to a few places.
    """
    need = max(need, 1)
    hits = sorted((p, g) for g in grams for p in lat.bigrams.get(g, ()))
    if len({g for _, g in hits}) < need:
        return []
    span = key_len + 2  # text characters a name's reading can spread over (kana ≥ 1 per char)
    out: set[int] = set()
    j = 0
    for i, (p, _g) in enumerate(hits):
        while hits[j][0] < p - span:
            j += 1
        if len({g for _, g in hits[j:i + 1]}) >= need:
            lo = hits[j][0]
            out.update(s for s in word_starts if lo - 4 <= s <= p)
    return sorted(out)


class SchemeNameCorrector:
    """Restore misheard scheme names in transcript text (a ``Transcriber`` post-processor)."""

    def __init__(self, kb: KnowledgeBase | Iterable[Scheme], *, log: list[Correction] | None = None) -> None:
        self.kb = kb
        self._version = getattr(kb, "version", None)
        self.log = log
        self._build()

    def _build(self) -> None:
        self.terms = scheme_terms(self.kb)
        # every written form of every name, targets or not: text already saying one is left alone
        self.surfaces = {t.surface for t in self.terms}
        for s in self.kb:
            self.surfaces.update(v for v in [s.name, s.short_name, *s.aliases] if len(v) >= 2)
        long_first = sorted((v for v in self.surfaces if len(v) >= 3), key=len, reverse=True)
        self._names_re = re.compile("|".join(re.escape(v) for v in long_first)) if long_first else None
        self.by_bigram: dict[str, list[tuple[int, int]]] = {}
        self.keys: list[tuple[Term, str, set[str]]] = []
        for t in self.terms:
            for r in t.readings:
                f = "".join(_fold(c) for c in r)
                grams = {f[i:i + 2] for i in range(len(f) - 1)}
                self.keys.append((t, r, grams))

    def _refresh(self) -> None:
        if isinstance(self.kb, KnowledgeBase):
            self.kb.refresh()
            if self.kb.version != self._version:
                self._version = self.kb.version
                self._build()

    def __call__(self, text: str) -> str:
        return self.correct(text)[0]

    def find(self, text: str, context: str = "") -> list[Correction]:
        """Stretches of ``text`` that sound like a scheme name but are written otherwise, except
        real names of the protected-terms list (地域生活支援センター, 公団住宅 …; ``context``, the
        turns around, may allow a term's correction: knowledge/protected_terms.yaml)."""
        found = self._find(text)
        if not found:
            return found
        terms = load_protected_terms()
        return [c for c in found if terms.blocks(text, c.start, c.end, context) is None]

    def _find(self, text: str) -> list[Correction]:
        if not text or not text.strip():
            return []
        lat = build_lattice(text)
        ms = lat.morphs
        word_starts = sorted(m.start for m in ms if m.kind in ("word", "particle"))
        ends = {m.end for m in ms if m.kind in ("word", "particle")}
        protected: list[tuple[int, int, str]] | None = None
        found: list[Correction] = []
        for term, key, grams in self.keys:
            limit = term_limit(term, key)
            starts = _plausible_starts(lat, grams, len(grams) - 2 * int(limit), len(key), word_starts)
            if not starts:
                continue
            if protected is None:
                protected = self._protected(text)
            for s in starts:
                for cost, e in _align_from(lat, s, key, limit, ends):
                    if not self._respects(protected, text, s, e, term, cost):
                        continue
                    c = self._accept(text, ms, s, e, term, cost)
                    if c:
                        found.append(c)
        # best first: cheaper (relative), then longer names; no overlaps
        # best first: cheaper (relative to the name), longer names, then the longer stretch of text
        found.sort(key=lambda c: (c.cost / max(len(c.after), 1), not c.official, -len(c.after),
                                  -(c.end - c.start), c.start))
        chosen: list[Correction] = []
        for c in found:
            if all(c.end <= o.start or c.start >= o.end for o in chosen):
                chosen.append(c)
        return sorted(chosen, key=lambda c: c.start)

    def _protected(self, text: str) -> list[tuple[int, int, str]]:
        """Names already written correctly (commas and spaces inside allowed): (start, end, name)."""
        keep = [i for i, ch in enumerate(text) if ch not in " 　、，,・"]
        plain = "".join(text[i] for i in keep)
        if self._names_re is None:
            return []
        return [(keep[m.start()], keep[m.end() - 1] + 1, m.group(0)) for m in self._names_re.finditer(plain)]

    @staticmethod
    def _respects(protected: list[tuple[int, int, str]], text: str, s: int, e: int, term: Term,
                  cost: float) -> bool:
        """A correction may not cut into a correct name; it may only complete one it contains
        (住居確保 + 急付金 → 住居確保給付金) with a close match, never replace it by another, and the
        completed part must be a word of its own (not 就学援助 + で → 就学援助費)."""
        rest = list(text[s:e])
        for ps, pe, name in protected:
            if pe <= s or ps >= e:
                continue
            if ps < s or pe > e or name not in term.surface or cost > 1.0:
                return False
            for i in range(ps, pe):
                rest[i - s] = ""
        if len(rest) != sum(1 for c in rest if c):  # something was protected: check what is added
            added = "".join(rest)
            if not (_KANJI.search(added) or re.search(r"[ァ-ヶ]", added)):
                return False
        return True

    def _accept(self, text: str, ms: list[Morph], s: int, e: int, term: Term, cost: float) -> Correction | None:
        inside = [m for m in ms if m.start >= s and m.end <= e]
        if not inside or any(m.kind == "sentence_end" for m in inside):
            return None
        if cost > 0:  # an inexact match must start and end on words and not swallow particles
            if inside[0].kind != "word" or inside[-1].kind != "word":
                return None
            for m in inside:  # particles inside must belong to the name (国民年金保険料の免除)
                if m.kind == "particle" and m.surface not in term.surface:
                    return None
        before = text[s:e]
        if cost > 0 and inside[-1].verb and not inside[-1].oov and any(m.kind == "punct" for m in inside):
            return None  # 「国民健康保険、切れちゃって」: a name, a pause and a verb, not a longer name
        if cost > 0 and inside[0].verb and not inside[0].oov:
            return None  # 「行ける制度」: a name never starts with a verb (not 後見制度)
        if cost > 0 and any(m.numeral and m.surface not in term.surface for m in inside):
            return None  # 「四階の窓口」「八 四 五」: numbers, not 要介護
        if cost > 0 and _KANJI.match(text[:s].rstrip(" \u3000")[-1:] or " ") and len(inside[0].surface) == 1 and not inside[0].oov:
            return None  # 「店舗兼住宅」「店舗 兼 住宅」: the rest of a compound word, not 県営住宅
        if cost > 0 and _after_pause_unrelated(inside, term.surface):
            return None  # 「除雪支援、それと」: the words after a pause are real words the name does not hold
        if cost > 0 and inside[0].function and not inside[0].oov:
            return None  # 「もう介護で」: an adverb before a word, not the start of 要介護
        if cost > 0 and inside[-1].function and not inside[-1].oov and inside[-1].surface not in term.surface \
                and re.match(r"[\s\u3000、，,]", text[inside[-1].start - 1]):
            return None  # 「国民健康保険 で」: a name and the copula after it, not 国民健康保険料
        if cost > 0 and inside[0].adverbial and any(m.kind == "punct" for m in inside):
            return None  # 「…場合、年金」: a clause-closing noun and a pause, not the start of a name
        plain = re.sub(r"[\s、，,・]", "", before)
        if plain == re.sub(r"[\s、，,・]", "", term.surface) or plain in self.surfaces:
            return None  # already a name (maybe another scheme's): leave it
        if term.surface in plain or plain in term.surface:
            return None  # only characters added or dropped: what was said is not for us to extend
        if _word_left_out(plain, term.surface):
            return None  # 「日常生活支援事業」: the name's own words with one left out, a shorter name said as meant
        if len(plain) >= 3 and _KANJI.search(plain) and self._inside_a_name(plain):
            return None  # a piece of another real name (移行支援 of 就労移行支援): said as meant
        if sorted(plain.replace("の", "")) == sorted(re.sub(r"[\s、，,・の]", "", term.surface)):
            return None  # the same words in another order (国民年金の保険料免除): the name, said differently
        if _KATAKANA_ONLY.match(plain) and _KATAKANA_ONLY.match(term.surface):
            return None
        words = [m for m in inside if m.kind == "word"]
        if cost > 0 and len(words) == 1 and not words[0].oov:
            return None
        if cost > 0 and any(m.surface in _HONORIFICS and m.surface not in term.surface for m in inside):
            return None  # 「精神保健福祉士さん」: a person, not 精神保健福祉相談
        if cost >= 1 and _word_swapped(text, s, e, words, term.surface):
            return None  # 「身体障害者更生相談所」「高等教育」: a real word put where another word of the name sounds different
        if cost > 0 and words and not any(w.oov for w in words) and not set(_KANJI.findall(plain)) & set(term.surface):
            return None  # real words sharing no character with the name (相談票 is not 指定難病): what was said  # one real dictionary word (幼稚園, 事業所) that merely sounds close: keep it  # a loanword said differently is not a mishearing of another loanword
        return Correction(s, e, before, term.surface, term.scheme_id, cost, term.official)

    def _inside_a_name(self, plain: str) -> bool:
        """Whether ``plain`` is written inside some known name or alias: a short form of a real
        name (移行支援 for 就労移行支援) is what was meant, not a mishearing of a name that sounds
        like it (移動支援)."""
        return any(plain in v for v in self.surfaces if len(v) > len(plain))

    def correct(self, text: str, context: str = "") -> tuple[str, list[Correction]]:
        """(corrected text, corrections made).

        Repeated until nothing changes (at most three rounds): a restored name can make the next
        stretch recognisable as the rest of a longer one (国民年金保険料 + の面上 → …の免除), and a
        second call must never change the result of the first.
        """
        self._refresh()
        made: list[Correction] = []
        for _ in range(3):
            fixes = self.find(text, context)
            if not fixes:
                break
            out, pos = [], 0
            for c in fixes:
                out.append(text[pos:c.start])
                out.append(c.after)
                pos = c.end
            out.append(text[pos:])
            text = "".join(out)
            made += fixes
        if self.log is not None:
            self.log.extend(made)
        return text, made


# -- per-conversation prompt --------------------------------------------------------------------
def _content_words(text: str) -> list[str]:
    """Sudachi normalised forms of nouns, verbs and adjectives (表記ゆれ folded)."""
    _, tok = _sudachi()
    out = []
    with _tok_lock:
        for m in tok.tokenize(text):
            pos = m.part_of_speech()
            if pos[0] in ("名詞", "動詞", "形容詞", "形状詞") and pos[1] not in ("数詞", "非自立可能"):
                norm = m.normalized_form()
                if len(norm) > 1 or _KANJI.match(norm):
                    out.append(norm)
    return out


class SchemeRelevance:
    """How strongly a conversation so far points to each scheme (TF-IDF over scheme texts).

    Deliberately simple and cheap: it only has to pick which names to prime Whisper with; the
    explainable suggestions are ``assistant.schemes.suggest``'s job.
    """

    def __init__(self, kb: Iterable[Scheme]) -> None:

        self.schemes = list(kb)
        docs = []
        for s in self.schemes:
            words = _content_words(" ".join([s.name, *s.aliases, *s.triggers, *s.triggers, s.summary]))
            docs.append(words)
        self.vectorizer = TfidfVectorizer(analyzer=lambda x: x, sublinear_tf=True)
        self.matrix = self.vectorizer.fit_transform(docs)

    def scores(self, context: str) -> dict[str, float]:
        words = _content_words(context)
        if not words:
            return {}
        q = self.vectorizer.transform([words])
        sims = (self.matrix @ q.T).toarray().ravel()
        return {s.id: float(x) for s, x in zip(self.schemes, sims, strict=True) if x > 0}


_relevance_cache: dict[int, tuple[object, SchemeRelevance]] = {}


def _relevance(kb: KnowledgeBase | Iterable[Scheme]) -> SchemeRelevance:
    key = id(kb)
    version = getattr(kb, "version", None)
    hit = _relevance_cache.get(key)
    if hit is None or hit[0] != version:
        hit = (version, SchemeRelevance(kb))
        _relevance_cache[key] = hit
    return hit[1]


def approx_tokens(text: str) -> int:
    """Whisper (GPT-2 byte BPE) tokens for Japanese: about 1.3 per kanji/kana character."""
    return int(len(text) * 1.3) + 1


def build_prompt(
    kb: KnowledgeBase | Iterable[Scheme],
    context_text: str,
    max_tokens: int = 120,
    *,
    scheme_ids: Iterable[str] | None = None,
    max_names: int = 6,
    min_score: float = 0.12,
    count_tokens: Callable[[str], int] = approx_tokens,
) -> str | None:
    """The ``initial_prompt`` for the next stretch of a conversation, or None.

    Names come, in this order, from: schemes already named in ``context_text`` (exactly or as a
    near-homophone), ``scheme_ids`` (e.g. the live suggestions), and the schemes the context's
    words point to. Only official names are used, and the prompt stays within ``max_tokens``
    (Whisper keeps at most 223). No context, no prompt: a list of unrelated names only biases
    Whisper towards them.
    """
    schemes = {s.id: s for s in kb}
    if not context_text.strip() and not scheme_ids:
        return None
    order: list[str] = []
    said = Counter()
    for s in schemes.values():
        for v, _off in name_variants(s):
            if len(v) >= 3 and v in context_text:
                said[s.id] += 1
    order += [sid for sid, _ in said.most_common()]
    order += [sid for sid in (scheme_ids or []) if sid in schemes]
    if context_text.strip():
        ranked = sorted(_relevance(kb).scores(context_text).items(), key=lambda x: -x[1])
        order += [sid for sid, sc in ranked if sc >= min_score]
    names: list[str] = []
    for sid in dict.fromkeys(order):
        name = schemes[sid].short_name.split("・")[0]
        candidate = "、".join([*names, name]) + "。"
        if count_tokens(candidate) > min(max_tokens, WHISPER_PROMPT_TOKENS):
            break
        names.append(name)
        if len(names) >= max_names:
            break
    return "、".join(names) + "。" if names else None


# -- evaluation ---------------------------------------------------------------------------------
def names_right(reference: str, hypothesis: str, names: Iterable[str],
                kb: KnowledgeBase | Iterable[Scheme] | None = None) -> tuple[int, int]:
    """(names written right in ``hypothesis``, names said in ``reference``), counting occurrences.

    A name counts as right when the hypothesis writes it, or a spelling of the same name the
    knowledge base lists with the same reading (子ども家庭センター for こども家庭センター).
    """

    ref, hyp = normalise_for_cer(reference), normalise_for_cer(hypothesis)
    spellings: dict[str, set[str]] = {}
    for name in dict.fromkeys(names):
        forms = {name}
        if kb is not None:
            key = phonetic(_reading_of(name))
            for s in kb:
                if name in [s.name, s.short_name, *s.aliases] or any(name in v for v, _ in name_variants(s)):
                    forms.update(a for a in [s.short_name, *s.aliases] if phonetic(_reading_of(a)) == key)
        spellings[name] = {normalise_for_cer(f) for f in forms}
    said = right = 0
    for name, forms in spellings.items():
        n = ref.count(normalise_for_cer(name))
        said += n
        right += min(n, sum(hyp.count(f) for f in forms))
    return right, said


def vocabulary_prompter(kb: KnowledgeBase, max_tokens: int = 120) -> Callable[[str, Callable[[str], int]], str | None]:
    """A per-window prompt builder to hand to the transcriber (``Transcriber.vocabulary``).

    Speech recognition knows nothing of schemes: this later stage gives it a callable that turns the
    conversation so far into a prompt of scheme names, counted with the model's own tokenizer.
    """

    def prompt(context: str, count_tokens: Callable[[str], int]) -> str | None:
        return build_prompt(kb, context, max_tokens, count_tokens=count_tokens)

    return prompt


def attach_vocabulary(transcriber: Any, cfg: Any) -> None:
    """Give ``transcriber`` per-window vocabulary prompts when ``[asr] vocabulary_prompt`` is on."""
    asr = cfg["asr"]
    if not asr.get("vocabulary_prompt") or transcriber.vocabulary is not None:
        return
    try:
        kb = KnowledgeBase(cfg)
    except Exception:  # noqa: BLE001 - a broken knowledge base must not stop transcription
        return
    transcriber.vocabulary = vocabulary_prompter(kb, int(asr.get("prompt_max_tokens") or 120))


@lru_cache(maxsize=4096)
def _word_left_out(plain: str, surface: str) -> bool:
    """Whether ``plain`` is ``surface`` with one of its words left out (日常生活支援事業 of 日常生活自立支援事業,
    ひとり親家庭医療費助成): a shorter form of the name, not a mishearing (福祉金 drops a sound, not a word)."""
    if len(plain) >= len(surface):
        return False
    ws = [m for m in morphs(surface) if m.kind not in ("punct", "sentence_end")]
    return any(surface[:w.start] + surface[w.end:] == plain for w in ws)


_HONORIFICS = frozenset({"さん", "さま", "様", "ちゃん", "くん", "君", "先生", "せんせい"})


def _word_swapped(text: str, s: int, end: int, words: list[Morph], surface: str) -> bool:
    """Whether a whole dictionary word of kanji (with its okurigana: 向け) that the name does not hold stands where the name has a
    word that starts with another sound. A mishearing keeps the onset (執行給付 for 失業給付); a real word
    in place of another (更生 for 手帳, 高等 for 幼児) is what was said."""
    for w in words:
        if w.oov or w.surface in surface or not re.fullmatch(r"[一-龯々]{2,}|[一-龯々]+[ぁ-ん]{1,2}", w.surface):  # 向け too
            continue
        k = len(re.sub(r"[\s\u3000、，,・]", "", text[s:w.start]))  # where the word stands, from the start
        rest = len(re.sub(r"[\s\u3000、，,・]", "", text[w.start:end]))  # and from the end (「病医区手長」)
        said = w.reading or katakana(w.surface)
        # the name's sound from where the word stands (後見制度, 手帳), counted from either end
        named = {_reading_of(surface[i:])[:1] for i in (k, len(surface) - rest) if 0 <= i < len(surface)}
        if not said or not any(n and _fold(said[0]) == _fold(n) for n in named):
            return True
    return False


def _after_pause_unrelated(inside: list[Morph], surface: str) -> bool:
    """Whether an inexact match crosses a comma from or into dictionary words that share no character with the
    name: a phrase ends or begins there (「…支援、それと」 is not …支援措置, 「証明、年金」 is not 障害年金; the
    recogniser's spaces are no pause)."""
    cut = max((k for k, m in enumerate(inside) if m.kind == "punct" and m.surface.strip() in ("、", "，", ",")), default=-1)
    after = [m for m in inside[cut + 1:] if m.kind == "word"] if cut >= 0 else []
    first = min((k for k, m in enumerate(inside) if m.kind == "punct" and m.surface.strip() in ("、", "，", ",")), default=-1)
    before = [m for m in inside[:first] if m.kind == "word"] if first >= 0 else []  # 「所得の証明、年金の…」: not 障害年金
    return any(bool(side) and not any(m.oov for m in side) and not any(ch in surface for m in side for ch in m.surface)
               for side in (after, before))

