"""Live, explainable scheme suggestions from the conversation so far.

How a ranking is made (each step is cheap and cached per segment, so an update costs only the new
segments plus a fixed ~1 ms of aggregation):

1. **Segment analysis** (once per segment id): Sudachi lemmas through the GiNZA tokenizer (表記ゆれ
   and conjugations folded), scheme names and aliases said (:mod:`assistant.schemes.mentions`; also
   by kana reading, so ASR text such as 「ほうかつ」「法照らす」 still counts), how each name was said (staff proposing it, staff ruling it
   out, a question, the citizen denying or already receiving it), trigger expressions of the
   knowledge base matched on lemmas, and situation facts (:mod:`assistant.facts.extract`).
2. **Understanding**: facts fold into situation flags (ひとり親, 小中学生の子, 65歳以上, 失業, 家賃滞納 …)
   (:mod:`assistant.facts.situation`) and the situation rules of
   ``assistant/schemes/resources/scheme_rules.yaml`` (:mod:`assistant.schemes.rules`) say which
   schemes they point to and which situations rule a scheme out (e.g. ``receiving:public-assistance``).
3. **Ranking**: a handful of features per scheme (rule strength, trigger match, TF-IDF similarity,
   mentions by kind) go through a logistic regression trained on the development set and loaded
   from ``models/ranker.json`` (:mod:`assistant.schemes.ranker`; trained by ``assistant model train``
   in :mod:`assistant.learn.suggest_train`, never here). The model is generic — the same weights
   for every scheme — so it carries over to schemes a municipality adds and to conversations
   phrased differently from the development set.

Every suggestion carries its reasons (the rule, the facts and the phrases, with segment ids).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from assistant import offline  # noqa: F401
from assistant.app.config import get_config
from assistant.facts.extract import Fact, SegmentView, link_answer, segment_facts
from assistant.facts.situation import Situation, situation
from assistant.schemes.knowledge import KnowledgeBase, Scheme, get_knowledge_base
from assistant.schemes.lemmas import content_lemmas, has_negation
from assistant.schemes.mentions import Mention, NameIndex, PerKnowledgeBase, name_variants
from assistant.schemes.ranker import FEATURES, RankModel, load_ranker
from assistant.schemes.rules import Rule, SchemeRules
from assistant.text.clauses import negated_after
from assistant.text.normalise import normalise

SCHEMA = "suggestions/1"
# Evidence against a scheme is not learned but applied as fixed discounts (few examples carry it, and
# its meaning does not depend on phrasing): staff said it does not apply, a situation rules it out,
# the citizen denied it, it is someone else's, the key situation was denied.
VETOES = {"ruled_out": 0.25, "partly_ruled_out": 0.6, "blocked": 0.3, "negated": 0.6, "other_person": 0.7, "denied": 0.6}

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
                    self.triggers.append(Trigger(s.id, t, lem, has_negation(t)))
                    lem_s.update(lem)
            df.update(lem_s)
        n = max(len(self.schemes), 1)
        self.idf = {w: math.log((n + 1) / (c + 1)) + 1.0 for w, c in df.items()}
        self.by_lemma: dict[str, list[int]] = {}
        for i, t in enumerate(self.triggers):
            for w in t.lemmas:
                self.by_lemma.setdefault(w, []).append(i)
        # TF-IDF over scheme texts

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
                neg = has_negation(win)
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
        """The ranker passed in, else the trained artefact (:func:`assistant.schemes.ranker.load_ranker`)."""
        if self._model is None:
            self._model = load_ranker()
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


# -- shared instances -------------------------------------------------
_indexes: PerKnowledgeBase[SchemeIndex] = PerKnowledgeBase(SchemeIndex)


def shared_index(kb: KnowledgeBase) -> SchemeIndex:
    """One index per knowledge-base version (building it tokenizes every trigger: ~0.2 s)."""
    return _indexes.get(kb)


def suggestions_json(suggestions: Sequence[Suggestion]) -> str:
    return json.dumps({"schema": SCHEMA, "suggestions": [s.to_dict() for s in suggestions]}, ensure_ascii=False,
                      indent=2)
