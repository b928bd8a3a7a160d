"""Live, explainable scheme suggestions from the conversation so far.

How a ranking is made (each step is cheap and cached per segment, so an update costs only the new
segments plus a fixed ~1 ms of aggregation):

1. **Segment analysis** (once per segment id): Sudachi lemmas through the GiNZA tokenizer (表記ゆれ
   and conjugations folded), scheme names and aliases said (also by kana reading, so ASR text such
   as 「ほうかつ」「法照らす」 still counts), how each name was said (staff proposing it, staff ruling it
   out, a question, the citizen denying or already receiving it), trigger expressions of the
   knowledge base matched on lemmas, and situation facts (:mod:`assistant.facts.extract`).
2. **Understanding**: facts fold into situation flags (ひとり親, 小中学生の子, 65歳以上, 失業, 家賃滞納 …)
   and the situation rules of ``assistant/resources/scheme_rules.yaml`` say which schemes they point
   to and which situations rule a scheme out.
3. **Ranking**: a handful of features per scheme (rule strength, trigger match, TF-IDF similarity,
   mentions by kind) go through a logistic regression trained on the development set. The model
   is generic — the same weights for every scheme — so it carries over to schemes a municipality
   adds and to conversations phrased differently from the development set.

Every suggestion carries its reasons (the rule, the facts and the phrases, with segment ids).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from assistant import offline  # noqa: F401
from assistant.facts.extract import Fact, SegmentView, link_answer, segment_facts
from assistant.facts.situation import Situation, situation
from assistant.schemes.knowledge import KnowledgeBase, Scheme
from assistant.schemes.mentions import Mention, NameIndex, name_variants
from assistant.schemes.rules import RULES_FILE, Rule, SchemeRules
from assistant.text.clauses import negated_after
from assistant.text.morph import morphemes
from assistant.text.normalise import normalise

SCHEMA = "suggestions/1"
# Bump when features change: cached models and dev-set features are keyed by it.
FEATURE_VERSION = "4"

FEATURES = (
    "rule_max", "rule_or", "trig_max", "trig_n", "tfidf", "cit_strong", "cit_weak", "cit_asked", "staff_propose",
    "staff_cond", "staff_asked",
)
# Evidence against a scheme is not learned but applied as fixed discounts (few examples carry it, and
# its meaning does not depend on phrasing): staff said it does not apply, a situation rules it out,
# the citizen denied it, it is someone else's, the key situation was denied.
VETOES = {"ruled_out": 0.25, "partly_ruled_out": 0.6, "blocked": 0.45, "negated": 0.6, "other_person": 0.7, "denied": 0.6}

# Prior weights used when no development set is available to train on (set from the trained
# model's typical values; the trained model replaces them).
DEFAULT_COEF = {
    "rule_max": 3.0, "rule_or": 1.5, "trig_max": 1.0, "trig_n": 0.8, "tfidf": 4.0, "cit_strong": 0.5,
    "cit_weak": 1.0, "cit_asked": 0.0, "staff_propose": 3.5, "staff_cond": 1.0, "staff_asked": 1.5,
}
DEFAULT_INTERCEPT = -4.0

# -- lemmas ---------------------------------------------------------------------------------------
# Content lemmas only; Sudachi already folds 子ども/こども/子供 and 払え/払う. A few domain synonyms
# fold further so that 「クビ」 meets a trigger written 「解雇」.
SYNONYMS = {
    "首": "解雇", "リストラ": "解雇", "雇い止め": "解雇", "クビ": "解雇", "退職": "辞める", "やめる": "辞める",
    "息子": "子供", "娘": "子供", "子": "子供", "お子さん": "子供", "長男": "子供", "長女": "子供", "次男": "子供",
    "次女": "子供", "旦那": "夫", "主人": "夫", "家内": "妻", "嫁": "妻", "母親": "親", "父親": "親", "母": "親",
    "父": "親", "お母さん": "親", "お父さん": "親", "おやじ": "親", "親父": "親", "お袋": "親", "おふくろ": "親",
    "金": "お金", "現金": "お金", "病院代": "医療費", "治療費": "医療費", "入院費": "医療費", "薬代": "医療費",
    "賃料": "家賃", "借り入れ": "借金", "借入": "借金", "ローン": "借金", "滞る": "滞納", "溜まる": "滞納",
    "貯える": "貯金", "貯蓄": "貯金", "預金": "貯金", "ボケる": "認知症", "惚ける": "認知症", "物忘れ": "認知症",
    "こくほ": "国保", "国民健康保険": "国保", "暴力": "殴る", "叩く": "殴る", "蹴る": "殴る", "怒鳴る": "殴る",
    "産む": "出産", "生む": "出産", "生まれる": "出産", "産まれる": "出産",
}
_CONTENT_POS = {"NOUN", "PROPN", "VERB", "ADJ", "NUM"}
_STOP = {
    "為る", "居る", "有る", "成る", "ある", "いる", "なる", "する", "事", "物", "もの", "こと", "方", "よう", "様", "為",
    "ため", "時", "とき", "さん", "何", "其れ", "此れ", "私", "自分", "今", "ちょっと", "もう", "まだ", "一", "二",
    "ところ", "所", "感じ", "やつ", "奴", "言う", "思う", "行く", "来る", "見る", "くれる", "貰う", "いう", "の",
    "ん", "そう", "こう", "どう", "ああ", "はい", "いいえ", "えー", "あの", "その", "この", "みたい", "分かる", "出来る",
}
_NEG_NORMS = {"ない", "ず", "ぬ", "無い"}


def content_lemmas(text: str) -> list[str]:
    """Normalised content words of ``text`` (Sudachi norm forms, synonyms folded)."""
    out = []
    for m in morphemes(normalise(text)):
        if m.pos not in _CONTENT_POS:
            continue
        lemma = SYNONYMS.get(m.norm, SYNONYMS.get(m.text, m.norm))
        if lemma in _STOP or len(lemma) == 1 and not re.match(r"[\u4e00-\u9fff]", lemma):
            continue
        out.append(lemma)
    return out


def _has_negation(text: str) -> bool:
    return any(m.norm in _NEG_NORMS or m.text in ("ません",) for m in morphemes(normalise(text)))


# -- results --------------------------------------------------------------------------------------
@dataclass
class Reason:
    """Why a scheme is suggested: a phrase said, a fact inferred, or a rule that fired."""

    kind: str  # "phrase" | "fact" | "rule"
    text: str
    segment_ids: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "segment_ids": list(self.segment_ids)}


@dataclass
class Suggestion:
    """One suggested scheme; ``status`` is ``new`` or ``receiving`` (受給中・利用中, not a new proposal)."""

    scheme_id: str
    name: str
    score: float
    summary: str
    eligibility: str
    how_to_apply: str
    documents: list[str]
    reasons: list[Reason]
    status: str = "new"
    category: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "scheme_id": self.scheme_id, "name": self.name, "score": round(float(self.score), 4),
            "summary": self.summary, "eligibility": self.eligibility, "how_to_apply": self.how_to_apply,
            "documents": list(self.documents), "reasons": [r.to_dict() for r in self.reasons],
            "status": self.status, "category": self.category,
        }


@dataclass(frozen=True)
class Trigger:
    scheme_id: str
    text: str
    lemmas: tuple[str, ...]
    negative: bool


class SchemeIndex(NameIndex):
    """Everything derived from the knowledge base that ranking needs: the names (see
    :class:`NameIndex`), trigger lemmas and TF-IDF over scheme texts (rebuilt when it changes)."""

    def __init__(self, schemes: Iterable[Scheme], rules: dict[str, SchemeRules] | None = None) -> None:
        super().__init__(schemes, rules)
        # triggers on lemmas, weighted by how specific each lemma is across schemes
        self.triggers: list[Trigger] = []
        df: Counter[str] = Counter()
        for s in self.schemes:
            lem_s: set[str] = set()
            for t in s.triggers:
                lem = tuple(dict.fromkeys(content_lemmas(t)))
                if lem:
                    self.triggers.append(Trigger(s.id, t, lem, _has_negation(t)))
                    lem_s.update(lem)
            df.update(lem_s)
        n = max(len(self.schemes), 1)
        self.idf = {w: math.log((n + 1) / (c + 1)) + 1.0 for w, c in df.items()}
        self.by_lemma: dict[str, list[int]] = {}
        for i, t in enumerate(self.triggers):
            for w in t.lemmas:
                self.by_lemma.setdefault(w, []).append(i)
        # TF-IDF over scheme texts
        from sklearn.feature_extraction.text import TfidfVectorizer

        docs = []
        for s in self.schemes:
            words = content_lemmas(" ".join([s.name, *s.aliases, s.summary, s.eligibility, *s.triggers, *s.triggers]))
            docs.append(words)
        self.vectorizer = TfidfVectorizer(analyzer=lambda x: x, sublinear_tf=True, min_df=1)
        self.doc_matrix = self.vectorizer.fit_transform(docs) if docs else None
        self.vocab = self.vectorizer.vocabulary_ if docs else {}
        self.idf_vec = self.vectorizer.idf_ if docs else np.zeros(0)
        self.key_flags = {sid: self.rules[sid].key_flags if sid in self.rules else set() for sid in self.ids}

# -- per-segment analysis -------------------------------------------------------------------------
@dataclass
class SegmentAnalysis:
    id: int
    speaker: str
    text: str
    lemmas: Counter[str]
    mentions: list[Mention]
    triggers: dict[str, tuple[float, str]]
    facts: list[Fact]


def analyse_segment(index: SchemeIndex, seg_id: int, speaker: str, raw_text: str, *,
                    today: dt.date | None = None) -> SegmentAnalysis:
    """Everything about one segment that does not depend on the other segments."""
    text = normalise(raw_text)
    mentions, facts = segment_facts(index, SegmentView(seg_id, text, speaker), today=today)
    lemmas: Counter[str] = Counter()
    trig: dict[str, tuple[float, str]] = {}
    if speaker != "staff":
        lem_list = content_lemmas(text)
        lemmas.update(lem_list)
        trig = _match_triggers(index, text, set(lem_list))
    return SegmentAnalysis(seg_id, speaker, text, lemmas, mentions, trig, facts)


def _windows(text: str) -> list[str]:
    """Sentences of a segment and pairs of neighbouring ones (ASR chunks are short)."""
    parts = [p.strip() for p in re.split(r"(?<=[。！？!?])|\s+", text) if p.strip()]
    if len(parts) <= 1:
        return parts or [text]
    return parts + [parts[i] + " " + parts[i + 1] for i in range(len(parts) - 1)]


def _match_triggers(index: SchemeIndex, text: str, lemmas: set[str]) -> dict[str, tuple[float, str]]:
    """Best trigger match per scheme: the share of a trigger's (IDF-weighted) lemmas said within
    one sentence or two neighbouring ones, discounted when the polarity differs (「家賃は払えてます」
    does not match 「家賃が払えない」)."""
    cand: set[int] = set()
    for w in lemmas:
        cand.update(index.by_lemma.get(w, ()))
    if not cand:
        return {}
    out: dict[str, tuple[float, str]] = {}
    for win in _windows(text):
        wl = set(content_lemmas(win))
        if not wl:
            continue
        neg = None
        for i in cand:
            t = index.triggers[i]
            if not wl.intersection(t.lemmas):
                continue
            total = sum(index.idf.get(w, 1.0) for w in t.lemmas)
            got = sum(index.idf.get(w, 1.0) for w in t.lemmas if w in wl)
            cov = got / total if total else 0.0
            if len(t.lemmas) == 1:
                cov *= 0.6  # a single shared word is weak evidence
            if cov < 0.5:
                continue
            if neg is None:
                neg = _has_negation(win)
            if t.negative != neg:
                cov *= 0.6
            if cov > out.get(t.scheme_id, (0.0, ""))[0]:
                out[t.scheme_id] = (cov, t.text)
    return out


# -- aggregation ----------------------------------------------------------------------------------
@dataclass
class _SchemeAcc:
    trig_max: float = 0.0
    trig_text: str = ""
    trig_segs: list[int] = field(default_factory=list)
    trig_n: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    mention_segs: dict[str, list[int]] = field(default_factory=dict)
    last_staff: str = ""


class _State:
    """Running totals over the analysed segments (append-only, so updates are incremental)."""

    def __init__(self, index: SchemeIndex) -> None:
        self.index = index
        self.keys: list[tuple[int, str, str]] = []
        self.facts: list[Fact] = []
        self.lemmas: Counter[str] = Counter()
        self.acc: dict[str, _SchemeAcc] = {sid: _SchemeAcc() for sid in index.ids}
        self.prev: SegmentAnalysis | None = None

    def add(self, a: SegmentAnalysis) -> None:
        facts = list(a.facts)
        if self.prev is not None:
            p = self.prev
            facts = link_answer(SegmentView(p.id, p.text, p.speaker), SegmentView(a.id, a.text, a.speaker), p.facts, facts)
            facts += anaphoric_receipt(self.index, p, a)
        self.facts += facts
        self.lemmas.update(a.lemmas)
        for sid, (cov, ttext) in a.triggers.items():
            acc = self.acc.get(sid)
            if acc is None:
                continue
            if cov >= 0.6:
                acc.trig_n += 1
            if cov > acc.trig_max:
                acc.trig_max, acc.trig_text, acc.trig_segs = cov, ttext, [a.id]
            elif cov == acc.trig_max and len(acc.trig_segs) < 3:
                acc.trig_segs.append(a.id)
        for m in a.mentions:
            acc = self.acc.get(m.scheme_id)
            if acc is None:
                continue
            own = len(self.index.variants[m.surface].scheme_ids) == 1 if m.surface in self.index.variants else False
            if not m.strong and not (a.speaker != "staff" and m.how == "mention") \
                    and not (a.speaker == "staff" and m.how == "rule_out" and own):
                continue  # a generic word (補助, 手帳, 認知症) only counts as a citizen's word, or when
                # staff rule out the one scheme it names (「介護保険じゃなくて障害福祉サービスのほうで」)
            key = m.how if m.how != "mention" else ("cit_strong" if m.strong else "cit_weak")
            if a.speaker == "staff" and m.how in ("propose", "conditional", "asked", "rule_out"):
                key = f"staff_{m.how}"
                acc.last_staff = m.how
            acc.counts[key] += 1
            acc.mention_segs.setdefault(key, []).append(a.id)
        self.prev = a


# 「給付金は二回とももらいました」 right after staff named a scheme: the generic noun refers back to it.
_GENERIC_RECEIPT = re.compile(
    r"(給付金|手当|助成|補助|支援金|一時金|資金|それ|そちら|そっち|あれ)(?:は|も|を|なら)?[^。？?]{0,10}?"
    r"(?:もらいました|もらった|もらって(?:い|お)?ます|もらってる|受け取りました|受け取って(?:い|お)?ます|"
    r"受けて(?:い|お)?ます|受けてる|使って(?:い|お)?ます|使ってる|使いました)(?![^。]{0,3}か)"
)
_GENERIC_HEAD = {"給付金": "給付", "手当": "手当", "助成": "助成", "補助": "補助", "支援金": "支援金", "一時金": "一時金",
                 "資金": "資金"}


def anaphoric_receipt(index: SchemeIndex, prev: SegmentAnalysis, a: SegmentAnalysis) -> list[Fact]:
    """A citizen's 「それはもらってます」「給付金はもらいました」 answering a staff turn that named a
    scheme: a receiving fact for the one scheme the generic word can refer to (none if ambiguous)."""
    if a.speaker == "staff" or prev.speaker != "staff" or a.mentions:
        return []
    m = _GENERIC_RECEIPT.search(a.text)
    if not m or negated_after(a.text, m.end(), len(a.text)):
        return []
    named = list(dict.fromkeys(x.scheme_id for x in prev.mentions if x.how not in ("rule_out", "negated")))
    head = _GENERIC_HEAD.get(m.group(1))
    if head is not None:
        named = [sid for sid in named if any(head in v for v in name_variants(index.by_id[sid]))]
    if len(named) != 1:
        return []
    return [Fact(kind="receiving", value=named[0], text=m.group(0), segment_ids=(prev.id, a.id), speaker=a.speaker,
                 stance="answered")]


def _flag_facts(sit: Situation, cond: str) -> list[Fact] | None:
    """Facts supporting a rule condition (``flag`` or ``flag~regex``); None if not met."""
    flag, _, rx = cond.partition("~")
    facts = sit.flags.get(flag)
    if not facts:
        return None
    if rx:
        facts = [f for f in facts if re.search(rx, f.text)]
        return facts or None
    return facts


@dataclass
class _RuleOutcome:
    score: float = 0.0
    noisy_or: float = 0.0
    fired: list[tuple[Rule, list[Fact]]] = field(default_factory=list)
    blocked: list[tuple[str, list[Fact]]] = field(default_factory=list)
    denied: list[Fact] = field(default_factory=list)


def evaluate_rules(sr: SchemeRules | None, sit: Situation) -> _RuleOutcome:
    out = _RuleOutcome()
    if sr is None:
        return out
    for rule in sr.rules:
        support: list[Fact] = []
        ok = True
        for c in rule.all:
            f = _flag_facts(sit, c)
            if f is None:
                ok = False
                break
            support += f[:2]
        if not ok:
            continue
        if rule.any:
            anyf = [f for c in rule.any if (f := _flag_facts(sit, c))]
            if not anyf:
                continue
            support += anyf[0][:2]
        if any(_flag_facts(sit, c) for c in rule.unless):
            continue
        out.fired.append((rule, support))
    for flag, why in sr.blocked_by.items():
        f = _flag_facts(sit, flag)
        if f and not any(_flag_facts(sit, u) for u in sr.block_unless.get(flag, ())):
            out.blocked.append((why, f))
    weights = [r.weight for r, _ in out.fired]
    out.score = max(weights, default=0.0)
    out.noisy_or = 1.0 - float(np.prod([1.0 - w for w in weights])) if weights else 0.0
    for flag in sr.key_flags:
        if flag in sit.denied and flag not in sit.flags:
            out.denied += sit.denied[flag][:1]
    return out


# -- the model ------------------------------------------------------------------------------------
@dataclass
class RankModel:
    """Logistic regression over the features of :data:`FEATURES` (same weights for every scheme)."""

    coef: np.ndarray
    intercept: float
    features: tuple[str, ...] = FEATURES
    trained_on: str = "default"
    n_cases: int = 0

    @classmethod
    def default(cls) -> RankModel:
        return cls(np.array([DEFAULT_COEF[f] for f in FEATURES]), DEFAULT_INTERCEPT)

    def score(self, X: np.ndarray) -> np.ndarray:
        z = X @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def to_dict(self) -> dict[str, Any]:
        return {"features": list(self.features), "coef": [float(c) for c in self.coef],
                "intercept": float(self.intercept), "trained_on": self.trained_on, "n_cases": self.n_cases}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RankModel:
        if tuple(d["features"]) != FEATURES:
            raise ValueError("model features do not match this version")
        return cls(np.array(d["coef"], dtype=float), float(d["intercept"]), FEATURES, d.get("trained_on", ""),
                   int(d.get("n_cases", 0)))


def fit_model(X: np.ndarray, y: np.ndarray, *, C: float = 1.0, trained_on: str = "", n_cases: int = 0) -> RankModel:
    """Fit the ranking model (scikit-learn logistic regression, L2, no per-scheme terms).

    Every feature is evidence *for* a scheme, so weights are kept non-negative: a feature that comes
    out negative (e.g. because the development set happens to contain many schemes that citizens
    name but that do not apply) is dropped and the rest refitted. Evidence against a scheme is
    handled by the fixed :data:`VETOES`, not learned from a few examples.
    """
    from sklearn.linear_model import LogisticRegression

    active = list(range(X.shape[1]))
    coef = np.zeros(X.shape[1])
    intercept = 0.0
    while active:
        clf = LogisticRegression(C=C, max_iter=2000)
        clf.fit(X[:, active], y)
        w = clf.coef_[0]
        if (w >= 0).all():
            coef[:] = 0.0
            coef[active] = w
            intercept = float(clf.intercept_[0])
            break
        active = [a for a, wi in zip(active, w, strict=True) if wi >= 0]
    return RankModel(coef, intercept, FEATURES, trained_on, n_cases)


def _veto(acc: _SchemeAcc, oc: _RuleOutcome) -> float:
    """Fixed discounts for evidence against the scheme (see :data:`VETOES`)."""
    c = acc.counts
    v = 1.0
    if acc.last_staff == "rule_out" or c["staff_rule_out"]:
        # weigh what staff said: ruled out more often than proposed → strong discount
        if c["staff_rule_out"] > c["staff_propose"]:
            v *= VETOES["ruled_out"]
        elif acc.last_staff == "rule_out":
            v *= VETOES["partly_ruled_out"]
    if oc.blocked:
        v *= VETOES["blocked"]
    positive = c["cit_strong"] + c["staff_propose"] + c["asked"]
    if c["negated"] and not positive:
        v *= VETOES["negated"]
    if c["other"] and not positive and oc.score < 0.5:
        v *= VETOES["other_person"]
    if oc.denied and not oc.fired:
        v *= VETOES["denied"]
    return v


# -- the suggester --------------------------------------------------------------------------------
class Suggester:
    """Incremental suggester: call :meth:`update` with the segments so far after each new segment.

    Segment analysis is cached by segment id (and text), so an update analyses only new segments;
    if earlier segments changed (a split or an edit) the running totals are rebuilt from the cache.
    """

    def __init__(self, kb: KnowledgeBase | None = None, model: RankModel | None = None, *,
                 min_score: float | None = None, index: SchemeIndex | None = None) -> None:
        from assistant.app.config import get_config
        from assistant.schemes.knowledge import get_knowledge_base

        self.kb = kb if kb is not None else get_knowledge_base()
        cfg = get_config()
        self.min_score = float(cfg["suggest"]["min_score"]) if min_score is None else float(min_score)
        self._kb_version = self.kb.version
        self.index = index if index is not None and index.ids == sorted(self.kb.schemes) else shared_index(self.kb)
        self._model = model
        self._cache: dict[tuple[int, str, str], SegmentAnalysis] = {}
        self._state = _State(self.index)
        self._last_refresh = time.monotonic()
        self._lock = threading.Lock()

    @property
    def model(self) -> RankModel:
        if self._model is None:
            self._model = get_model(self.kb)
        return self._model

    # -- public API --------------------------------------------------------------------------
    def update(self, segments: Sequence[Any]) -> list[Suggestion]:
        """The current ranking given every segment so far (new ones appended since the last call).

        Returns the schemes scoring at least ``[suggest] min_score``, best first, followed by schemes
        the household already receives (``status="receiving"``).
        """
        with self._lock:
            self._maybe_refresh()
            self._advance(segments)
            return self._ranking(min_score=self.min_score)

    def suggest(self, transcript: Any, top_k: int = 5) -> list[Suggestion]:
        """Stateless convenience: the top ``top_k`` new suggestions for a whole transcript, followed by
        schemes already received (flagged)."""
        fresh = Suggester(self.kb, self._model, min_score=self.min_score, index=self.index)
        fresh._cache = self._cache  # analysis is a pure function of (id, text, speaker)
        segs = transcript.segments if hasattr(transcript, "segments") else transcript
        ranking = fresh.update(segs)
        new = [s for s in ranking if s.status == "new"][:top_k]
        return new + [s for s in ranking if s.status == "receiving"]

    def reset(self) -> None:
        """Forget the conversation (keep the per-segment cache)."""
        with self._lock:
            self._state = _State(self.index)

    @property
    def facts(self) -> list[Fact]:
        """The facts extracted so far (all stances; see ``Fact.usable``)."""
        return list(self._state.facts)

    # -- internals ---------------------------------------------------------------------------
    def _maybe_refresh(self) -> None:
        now = time.monotonic()
        if now - self._last_refresh < 2.0:
            return
        self._last_refresh = now
        self.kb.refresh()
        if self.kb.version != self._kb_version:
            self._kb_version = self.kb.version
            self.index = shared_index(self.kb)
            self._cache.clear()
            self._state = _State(self.index)

    def _analysis(self, seg: Any) -> SegmentAnalysis:
        key = (int(seg.id), str(seg.text), str(getattr(seg, "speaker", "unknown") or "unknown"))
        a = self._cache.get(key)
        if a is None:
            a = analyse_segment(self.index, *key[:1], key[2], key[1])
            self._cache[key] = a
        return a

    def _advance(self, segments: Sequence[Any]) -> None:
        keys = [(int(s.id), str(s.text), str(getattr(s, "speaker", "unknown") or "unknown")) for s in segments]
        st = self._state
        n = len(st.keys)
        if keys[:n] != st.keys:
            st = self._state = _State(self.index)
            n = 0
        for seg, key in zip(segments[n:], keys[n:], strict=True):
            st.add(self._analysis(seg))
            st.keys.append(key)

    def feature_matrix(self) -> tuple[np.ndarray, np.ndarray, set[str], Situation, list[_RuleOutcome]]:
        """Features of every scheme (rows in ``index.ids`` order) for the current state, the veto
        multipliers, the ids already received, the situation and the rule outcomes."""
        st = self._state
        sit = situation(st.facts)
        receiving = {f.value for f in st.facts if f.kind == "receiving" and f.usable and not f.negated and not f.past}
        tfidf = self._tfidf(st.lemmas)
        X = np.zeros((len(self.index.ids), len(FEATURES)))
        V = np.ones(len(self.index.ids))
        outcomes = []
        for i, sid in enumerate(self.index.ids):
            oc = evaluate_rules(self.index.rules.get(sid), sit)
            outcomes.append(oc)
            acc = st.acc[sid]
            c = acc.counts
            X[i] = (
                oc.score, oc.noisy_or, acc.trig_max, math.log1p(acc.trig_n), tfidf[i],
                math.log1p(c["cit_strong"]), math.log1p(c["cit_weak"]), math.log1p(c["asked"]),
                math.log1p(c["staff_propose"]), math.log1p(c["staff_conditional"]), math.log1p(c["staff_asked"]),
            )
            V[i] = _veto(acc, oc)
        return X, V, receiving, sit, outcomes

    def _tfidf(self, counts: Counter[str]) -> np.ndarray:
        idx = self.index
        if idx.doc_matrix is None or not counts:
            return np.zeros(len(idx.ids))
        cols, vals = [], []
        for w, c in counts.items():
            j = idx.vocab.get(w)
            if j is not None:
                cols.append(j)
                vals.append((1.0 + math.log(c)) * idx.idf_vec[j])
        if not cols:
            return np.zeros(len(idx.ids))
        v = np.asarray(vals)
        v /= np.linalg.norm(v) or 1.0
        sub = idx.doc_matrix[:, cols]
        return np.asarray(sub @ v).ravel()

    def _ranking(self, min_score: float = 0.0) -> list[Suggestion]:
        X, V, receiving, sit, outcomes = self.feature_matrix()
        scores = self.model.score(X) * V
        order = sorted(range(len(self.index.ids)), key=lambda i: (-scores[i], self.index.ids[i]))
        new, recv = [], []
        for i in order:
            sid = self.index.ids[i]
            if sid in receiving:
                recv.append(self._make(i, float(scores[i]), outcomes[i], "receiving"))
            elif scores[i] >= min_score:
                new.append(self._make(i, float(scores[i]), outcomes[i], "new"))
        return new + recv

    def ranked_ids(self) -> tuple[list[str], set[str]]:
        """Scheme ids best first (receiving ones excluded) and the receiving ids (for evaluation)."""
        X, V, receiving, _, _ = self.feature_matrix()
        scores = self.model.score(X) * V
        order = sorted(range(len(self.index.ids)), key=lambda i: (-scores[i], self.index.ids[i]))
        return [self.index.ids[i] for i in order if self.index.ids[i] not in receiving], receiving

    def _make(self, i: int, score: float, oc: _RuleOutcome, status: str) -> Suggestion:
        sid = self.index.ids[i]
        s = self.index.by_id[sid]
        return Suggestion(
            scheme_id=sid, name=s.name, score=score, summary=s.summary, eligibility=s.eligibility,
            how_to_apply=s.how_to_apply, documents=list(s.documents), reasons=self._reasons(sid, oc, status),
            status=status, category=s.category,
        )

    def _reasons(self, sid: str, oc: _RuleOutcome, status: str) -> list[Reason]:
        st = self._state
        acc = st.acc[sid]
        reasons: list[Reason] = []
        if status == "receiving":
            for f in st.facts:
                if f.kind == "receiving" and f.value == sid and not f.negated:
                    reasons.append(Reason("fact", f"受給中・利用中：「{f.text}」", list(f.segment_ids)))
                    break
        for rule, support in sorted(oc.fired, key=lambda x: -x[0].weight)[:2]:
            segs = sorted({i for f in support for i in f.segment_ids})
            reasons.append(Reason("rule", rule.because, segs))
        seen_facts: set[str] = set()
        for _rule, support in oc.fired:
            for f in support:
                if f.kind in seen_facts or len(seen_facts) >= 4:
                    continue  # one piece of evidence per kind of fact is enough to show
                seen_facts.add(f.kind)
                reasons.append(Reason("fact", f"{f.label}：「{f.text}」", list(f.segment_ids)))
        for why, facts in oc.blocked:
            reasons.append(Reason("rule", f"注意：{why}", sorted({i for f in facts for i in f.segment_ids})))
        for f in oc.denied:
            reasons.append(Reason("fact", f"否定された事実：{f.label}（「{f.text}」）", list(f.segment_ids)))
        if acc.trig_max >= 0.5:
            reasons.append(Reason("phrase", f"「{acc.trig_text}」に当たる発言", list(acc.trig_segs)))
        labels = {
            "cit_strong": "相談者が制度名に言及", "cit_weak": "相談者の発言に関連語", "asked": "相談者が制度について質問",
            "staff_propose": "職員が制度を案内", "staff_conditional": "職員が今後の選択肢として言及",
            "staff_asked": "職員が確認", "negated": "「受けていない／当たらない」との発言",
            "staff_rule_out": "職員が対象外と説明", "other": "本人以外（知人など）の話",
        }
        for key, label in labels.items():
            segs = acc.mention_segs.get(key)
            if segs:
                reasons.append(Reason("phrase", label, sorted(set(segs))[:5]))
        return reasons


# -- shared instances, model training and caching -------------------------------------------------
_index_lock = threading.Lock()
_indexes: dict[tuple[int, int], SchemeIndex] = {}


def shared_index(kb: KnowledgeBase) -> SchemeIndex:
    """One index per knowledge-base version (building it tokenizes every trigger: ~0.2 s)."""
    key = (id(kb), kb.version)
    with _index_lock:
        idx = _indexes.get(key)
        if idx is None:
            idx = SchemeIndex(kb.schemes.values())
            _indexes.clear()
            _indexes[key] = idx
        return idx


def load_cases(path: str | Path) -> list[dict[str, Any]]:
    """Read a development-set JSONL file (eval/README.md); raises ValueError with the line number."""
    p = Path(path)
    cases = []
    for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{p}:{n}: not JSON: {exc.msg}") from None
        if not isinstance(d, dict) or not isinstance(d.get("turns"), list):
            raise ValueError(f"{p}:{n}: a consultation needs a 'turns' list")
        d.setdefault("id", f"line{n}")
        d.setdefault("gold_schemes", [])
        d.setdefault("trap_schemes", [])
        d.setdefault("receiving", [])
        cases.append(d)
    return cases


@dataclass
class _Seg:
    id: int
    text: str
    speaker: str


def case_segments(case: dict[str, Any]) -> list[_Seg]:
    return [_Seg(i + 1, str(t.get("text", "")), str(t.get("speaker") or "unknown"))
            for i, t in enumerate(case["turns"])]


@dataclass
class CaseFeatures:
    """Per-prefix features of one consultation: ``X[t]`` is the state after the first t turns."""

    case_id: str
    ids: list[str]
    X: np.ndarray  # (turns + 1, schemes, features)
    V: np.ndarray  # (turns + 1, schemes) veto multipliers
    receiving: list[list[str]]
    first_mention: dict[str, int]  # scheme id → index of the turn that first names it


def case_features(case: dict[str, Any], kb: KnowledgeBase, index: SchemeIndex | None = None) -> CaseFeatures:
    """Feed a consultation turn by turn and record the features after every turn."""
    sug = Suggester(kb, RankModel.default(), min_score=0.0, index=index)
    segs = case_segments(case)
    mats, vetoes = [], []
    recv = []
    first: dict[str, int] = {}
    for t in range(len(segs) + 1):
        sug._advance(segs[:t])
        X, V, receiving, _, _ = sug.feature_matrix()
        mats.append(X)
        vetoes.append(V)
        recv.append(sorted(receiving))
        if t < len(segs):
            for m in sug._analysis(segs[t]).mentions:
                first.setdefault(m.scheme_id, t)
    return CaseFeatures(str(case["id"]), list(sug.index.ids), np.stack(mats), np.stack(vetoes), recv, first)


def training_rows(feats: Sequence[CaseFeatures], cases: Sequence[dict[str, Any]],
                  snapshots: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """Rows for training: each case at ``snapshots`` points through the conversation (so the model
    learns to rank before names are said), receiving schemes left out."""
    Xs, ys = [], []
    for cf, case in zip(feats, cases, strict=True):
        gold = set(case.get("gold_schemes") or [])
        n = cf.X.shape[0] - 1
        points = sorted({max(1, round(n * k / snapshots)) for k in range(1, snapshots + 1)})
        for t in points:
            for i, sid in enumerate(cf.ids):
                if sid in cf.receiving[t]:
                    continue
                Xs.append(cf.X[t, i])
                ys.append(1 if sid in gold else 0)
    if not Xs:
        return np.zeros((0, len(FEATURES))), np.zeros(0)
    return np.asarray(Xs), np.asarray(ys)


def kb_fingerprint(kb: KnowledgeBase) -> str:
    h = hashlib.sha256()
    for s in sorted(kb.schemes.values(), key=lambda s: s.id):
        h.update(Path(s.path).read_bytes() if s.path and Path(s.path).exists() else s.id.encode())
    h.update(RULES_FILE.read_bytes())
    h.update(FEATURE_VERSION.encode())
    h.update(_code_hash().encode())
    return h.hexdigest()[:16]


@lru_cache(maxsize=1)
def _code_hash() -> str:
    from assistant.facts import extract as facts_mod

    h = hashlib.sha256()
    for mod_file in (Path(__file__), Path(facts_mod.__file__)):
        h.update(mod_file.read_bytes())
    return h.hexdigest()[:12]


def dev_set_paths() -> list[Path]:
    """The development set used to train the shipped model: ``[suggest] dev_set`` or, until the
    parts are merged, ``eval/parts/*.jsonl``."""
    from assistant.app.config import get_config, resolve_path

    cfg = get_config()
    main = resolve_path(cfg["suggest"].get("dev_set", "eval/consultations.jsonl"))
    if main.exists():
        return [main]
    parts = sorted((main.parent / "parts").glob("*.jsonl"))
    return parts


def cache_dir() -> Path:
    from assistant.app.config import get_config, resolve_path

    cfg = get_config()
    d = cfg["suggest"].get("cache_dir") or ""
    return resolve_path(d) if d else cfg.data_dir / "cache"


def features_for_cases(cases: Sequence[dict[str, Any]], kb: KnowledgeBase, *, cache_key: str | None = None,
                       ) -> list[CaseFeatures]:
    """Per-prefix features of every case, cached under the data cache keyed by content hashes."""
    index = shared_index(kb)
    path = None
    if cache_key:
        path = cache_dir() / f"suggest-features-{cache_key}-{kb_fingerprint(kb)}.npz"
        if path.exists():
            try:
                with np.load(path, allow_pickle=False) as z:
                    meta = json.loads(str(z["meta"]))
                    if meta["ids"] == index.ids and len(meta["cases"]) == len(cases):
                        return [CaseFeatures(c["id"], meta["ids"], z[f"x{k}"], z[f"v{k}"], c["receiving"], c["first"])
                                for k, c in enumerate(meta["cases"])]
            except (OSError, KeyError, ValueError):
                pass
    feats = [case_features(c, kb, index) for c in cases]
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            meta = {"ids": index.ids, "cases": [{"id": f.case_id, "receiving": f.receiving, "first": f.first_mention}
                                                for f in feats]}
            arrays = {f"x{k}": f.X for k, f in enumerate(feats)}
            arrays.update({f"v{k}": f.V for k, f in enumerate(feats)})
            tmp = path.with_suffix(".tmp.npz")
            np.savez_compressed(tmp, meta=np.array(json.dumps(meta)), **arrays)
            tmp.replace(path)
            _drop_stale(path.parent, "suggest-features-*.npz", kb_fingerprint(kb))
        except OSError:
            pass
    return feats


def _drop_stale(folder: Path, pattern: str, keep: str) -> None:
    """Remove cache files made by other versions of the code, rules or knowledge base."""
    for old in folder.glob(pattern):
        if keep not in old.name:
            old.unlink(missing_ok=True)


def _hash_files(paths: Sequence[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


_model_lock = threading.Lock()
_models: dict[str, RankModel] = {}


def get_model(kb: KnowledgeBase) -> RankModel:
    """The shipped ranking model: trained on the whole development set, cached on disk by the hash
    of the set, the knowledge base, the rules and this code; prior weights if there is no set."""
    paths = dev_set_paths()
    if not paths:
        return RankModel.default()
    key = f"{_hash_files(paths)}-{kb_fingerprint(kb)}"
    with _model_lock:
        if key in _models:
            return _models[key]
        path = cache_dir() / f"suggest-model-{key}.json"
        model = None
        if path.exists():
            try:
                model = RankModel.from_dict(json.loads(path.read_text(encoding="utf-8")))
            except (ValueError, KeyError, json.JSONDecodeError):
                model = None
        if model is None:
            cases = [c for p in paths for c in load_cases(p)]
            model = train(cases, kb, cache_key=_hash_files(paths), trained_on=",".join(p.name for p in paths))
            try:
                from assistant.fileio import atomic_write_text

                atomic_write_text(path, json.dumps(model.to_dict(), ensure_ascii=False, indent=1))
                _drop_stale(path.parent, "suggest-model-*.json", key)
            except OSError:
                pass
        _models.clear()
        _models[key] = model
        return model


def train(cases: Sequence[dict[str, Any]], kb: KnowledgeBase, *, cache_key: str | None = None,
          trained_on: str = "") -> RankModel:
    """Train the ranking model on consultations (all of them: this is the shipped model)."""
    feats = features_for_cases(cases, kb, cache_key=cache_key)
    X, y = training_rows(feats, cases)
    if len(set(y.tolist())) < 2:
        return RankModel.default()
    return fit_model(X, y, trained_on=trained_on, n_cases=len(cases))


def suggestions_json(suggestions: Sequence[Suggestion]) -> str:
    return json.dumps({"schema": SCHEMA, "suggestions": [s.to_dict() for s in suggestions]}, ensure_ascii=False,
                      indent=2)


# -- evaluation (held-out folds only) -------------------------------------------------------------
@dataclass
class EvalReport:
    """Metrics of ``assistant eval suggest``; every case is scored by a model that never saw it."""

    cases: int
    folds: int
    recall_at_3: float
    recall_at_5: float
    mrr: float
    trap_rate_top3: float  # share of cases with a trap (or already-received) scheme in the top 3
    trap_slots_top3: float  # share of top-3 slots taken by trap schemes
    anticipation_recall_at_5: float
    anticipation_n: int
    anticipation_skipped: int  # named before the citizen said anything: nothing to anticipate from
    per_case: list[dict[str, Any]] = field(default_factory=list)
    misses: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


def _fold_of(case_id: str, folds: int) -> int:
    # Deterministic, order-independent assignment (stable when cases are added).
    return int(hashlib.sha256(case_id.encode()).hexdigest(), 16) % folds


def evaluate(cases: Sequence[dict[str, Any]], kb: KnowledgeBase, *, folds: int = 5,
             cache_key: str | None = None,
             train_cases: Sequence[dict[str, Any]] | None = None) -> EvalReport:
    """k-fold cross-validation: the model for fold k is trained on the other folds only.

    recall@k = |gold ∩ top k| / min(k, |gold|) per case (so a case with 4 gold schemes can reach 1.0
    at k=3), averaged over cases; MRR uses the first gold scheme; anticipation ranks each gold
    scheme that is named in the conversation using only the turns before it is first named.

    With ``train_cases`` (a separate set, e.g. the development set when scoring consultations written
    by someone else) one model is trained on them and every case in ``cases`` is scored by it.
    """
    feats = features_for_cases(cases, kb, cache_key=cache_key)
    folds = max(2, min(folds, len(cases)))
    fold = [_fold_of(str(c["id"]), folds) for c in cases]
    models: dict[int, RankModel] = {}
    if train_cases is not None:
        X, y = training_rows(features_for_cases(train_cases, kb), list(train_cases))
        shared = fit_model(X, y) if len(set(y.tolist())) == 2 else RankModel.default()
        models = dict.fromkeys(range(folds), shared)
    for k in range(folds):
        if k in models:
            continue
        tr = [i for i in range(len(cases)) if fold[i] != k]
        X, y = training_rows([feats[i] for i in tr], [cases[i] for i in tr])
        models[k] = fit_model(X, y) if len(set(y.tolist())) == 2 else RankModel.default()

    def ranking(cf: CaseFeatures, t: int, model: RankModel) -> list[str]:
        scores = model.score(cf.X[t]) * cf.V[t]
        order = sorted(range(len(cf.ids)), key=lambda i: (-scores[i], cf.ids[i]))
        return [cf.ids[i] for i in order if cf.ids[i] not in cf.receiving[t]]

    r3, r5, rr, trap_cases, trap_slots = [], [], [], 0, 0
    ant_hits, ant_n, ant_skip = 0, 0, 0
    per_case, misses = [], []
    for i, (case, cf) in enumerate(zip(cases, feats, strict=True)):
        model = models[fold[i]]
        gold = [g for g in case.get("gold_schemes") or [] if g in cf.ids]
        traps = set(case.get("trap_schemes") or []) | set(case.get("receiving") or [])
        final = ranking(cf, cf.X.shape[0] - 1, model)
        if gold:
            r3.append(len(set(final[:3]) & set(gold)) / min(3, len(gold)))
            r5.append(len(set(final[:5]) & set(gold)) / min(5, len(gold)))
            rank = next((j + 1 for j, sid in enumerate(final) if sid in gold), None)
            rr.append(1.0 / rank if rank else 0.0)
        top3_traps = [s for s in final[:3] if s in traps]
        trap_cases += bool(top3_traps)
        trap_slots += len(top3_traps)
        ant = []
        spoke = [i for i, turn in enumerate(case["turns"]) if turn.get("speaker") != "staff"]
        for g in gold:
            t = cf.first_mention.get(g)
            if t is None:
                continue
            if not any(i < t for i in spoke):
                ant_skip += 1  # named before the citizen said anything: nothing to anticipate from
                continue
            ranked = ranking(cf, t, model)
            hit = g in ranked[:5]
            ant_n += 1
            ant_hits += hit
            ant.append({"scheme": g, "turn": t, "rank": ranked.index(g) + 1 if g in ranked else None})
            if not hit:
                misses.append({"case": case["id"], "kind": "anticipation", "scheme": g, "turn": t,
                               "rank": ranked.index(g) + 1 if g in ranked else None, "top5": ranked[:5]})
        for g in gold:
            if g not in final[:5]:
                misses.append({"case": case["id"], "kind": "recall@5", "scheme": g,
                               "rank": final.index(g) + 1 if g in final else None, "top5": final[:5]})
        for s in top3_traps:
            misses.append({"case": case["id"], "kind": "trap@3", "scheme": s, "top3": final[:3]})
        per_case.append({"id": case["id"], "fold": fold[i], "gold": gold, "top5": final[:5],
                         "traps_in_top3": top3_traps, "anticipation": ant})
    n = len(cases)
    return EvalReport(
        cases=n, folds=folds,
        recall_at_3=float(np.mean(r3)) if r3 else 0.0, recall_at_5=float(np.mean(r5)) if r5 else 0.0,
        mrr=float(np.mean(rr)) if rr else 0.0, trap_rate_top3=trap_cases / n if n else 0.0,
        trap_slots_top3=trap_slots / (3 * n) if n else 0.0,
        anticipation_recall_at_5=ant_hits / ant_n if ant_n else 0.0, anticipation_n=ant_n,
        anticipation_skipped=ant_skip, per_case=per_case, misses=misses,
    )
