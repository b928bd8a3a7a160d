"""Concern categories (相談内容の分類): a scikit-learn classifier over GiNZA (Sudachi) features.

Features are the Sudachi normalised forms (表記ゆれ folded: 子供/子ども/こども → 子供) of the content
words of the whole conversation, plus one count per category of words from a small hand-written
lexicon (家賃 → 家賃・ローンの支払い, 借金 → 債務 …) so that a category with few training examples
still has a signal. One logistic regression per category (one-vs-rest, class weights balanced);
the main category is the most probable one. Every category in a record cites the segments that
hold its strongest features — the answer to "why this category?".

The model is trained on the project's development set by ``assistant model train`` (run by
``make setup``) and loaded from ``models/categories.pkl``; trained without a development set, the
lexicon alone decides (documented in docs/record-1.md). Quality is measured on held-out folds only
(``assistant eval record``).
"""

from __future__ import annotations

import pickle
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from assistant.artefacts import load_artefact, verify_payload
from assistant.asr.transcript import Segment
from assistant.pii.mask import sudachi_tokens
from assistant.pii.numbers import _kana_parse

CATEGORIES: tuple[str, ...] = (
    "病気・健康・障害", "住まい", "収入・生活費", "家賃・ローンの支払い", "税金・公共料金の支払い", "債務",
    "仕事探し・就職", "仕事上の不安・トラブル", "地域との関係", "家族関係・人間関係", "子育て", "介護",
    "ひきこもり・不登校", "DV・虐待", "食べるものがない", "その他",
)
FEATURE_VERSION = "cat-features/3"

LEXICON: dict[str, re.Pattern[str]] = {
    "病気・健康・障害": re.compile(r"病気|病院|通院|入院|障害|障がい|手帳|うつ|症|難病|治療|手術|まひ|麻痺|薬|診断|医療費|"
                            r"発達|メンタル|精神|骨折|痛|療養|リハビリ|透析|がん|癌|心臓|脳"),
    "住まい": re.compile(r"住まい|住む|住める|アパート|賃貸|市営住宅|公営住宅|引っ越|転居|立ち退|退去|明け渡|寮を出|"
                      r"ホームレス|住居|階段|エレベーター|浸水|床上|建て替え|住む場所|住むところ|保証人"),
    "収入・生活費": re.compile(r"収入|生活費|年金|貯金|手取り|お金|生活保護|給料|手当|家計|所持金|手持ち|底をつ|足りな|"
                          r"生活が苦し|やりくり"),
    "家賃・ローンの支払い": re.compile(r"家賃(?:が|を|も)?(?:払え|滞納|たま|ため)|家賃|住宅ローン|ローン|滞納|明け渡"),
    "税金・公共料金の支払い": re.compile(r"税金|国保|国民健康保険|保険料|住民税|電気|ガス|水道|公共料金|督促|国民年金|"
                                r"未納|減免|止められ"),
    "債務": re.compile(r"借金|借入|借り入れ|消費者金融|キャッシング|リボ|返済|債務|多重|法テラス|自己破産|任意整理|"
                     r"買掛|融資"),
    "仕事探し・就職": re.compile(r"仕事を探|仕事探し|求職|ハローワーク|就職|失業|解雇|クビ|雇い止め|辞め|退職|離職|"
                          r"再就職|面接|求人|就労"),
    "仕事上の不安・トラブル": re.compile(r"職場|上司|残業|シフト|パワハラ|フリーランス|取引先|介護休業|両立|働き方|"
                                r"続けられ|会社にばれ|廃業|閉め|売り上げ|売上"),
    "地域との関係": re.compile(r"近所|隣|地域|町内会|民生委員|騒音|苦情|見守り"),
    "家族関係・人間関係": re.compile(r"離婚|別居|夫婦|けんか|喧嘩|親子|連絡が取れ|連絡つかな|頼れ|養育費|関係|"
                             r"出ていって|家を出|盗られ"),
    "子育て": re.compile(r"子育て|保育園|幼稚園|学校|子ども|子供|息子|娘|妊娠|出産|母子手帳|母子健康手帳|育児|"
                      r"イヤイヤ|就学|児童手当|修学旅行|給食|赤ちゃん"),
    "介護": re.compile(r"介護|要介護|要支援|デイサービス|ケアマネ|認知症|物忘れ|包括|ヘルパー|施設|高齢|徘徊|"
                     r"夜中に外|ショートステイ"),
    "ひきこもり・不登校": re.compile(r"ひきこもり|引きこもり|家から出な|部屋から出な|部屋にいて|不登校|学校に行け|"
                             r"外に出な|閉じこも"),
    "DV・虐待": re.compile(r"暴力|DV|ＤＶ|殴|叩|あざ|痣|虐待|怒鳴|手が出|暴言|押しつけ|つかまれ"),
    "食べるものがない": re.compile(r"食べてない|食べていない|食べるもの|食べ物がない|食料|フードバンク|米が|お米が|"
                             r"腹が減|1日1食|一日一食"),
    "その他": re.compile(r"災害|地震|大雨|浸水|被災|外国|在留|ビザ|通訳"),
}
_CONTENT_POS = ("名詞", "動詞", "形容詞", "形状詞")
_STOP = {"する", "ある", "いる", "なる", "思う", "言う", "こと", "もの", "よう", "ため", "方", "感じ", "所", "今", "前",
         "さん", "様", "くらい", "ぐらい", "ちょっと", "そう", "これ", "それ", "あれ", "どう", "何", "いう", "できる",
         "いく", "くる", "来る", "行く", "てる", "ちゃう", "とく", "分かる", "わかる", "大丈夫", "はい", "居る", "有る",
         "為る", "成る", "出来る", "良い", "いい", "無い", "ない",
         # where someone lives is not a housing problem (「隣の市に住んでいて」): 住まい needs its own words
         "住む", "暮らす"}


def _spoken_digits(word: str) -> bool:

    parsed = _kana_parse(word, 0) if word else []
    return bool(parsed) and parsed[-1].end == len(word)


def _identity(doc: list[str]) -> list[str]:
    return doc


@dataclass
class Features:
    """Tokens for the classifier, and where each came from (for evidence)."""

    tokens: list[str]
    where: dict[str, list[int]] = field(default_factory=dict)  # feature → segment ids
    surface: dict[str, str] = field(default_factory=dict)  # feature → a surface form to show


def features(segments: Sequence[Segment]) -> Features:
    """Content-word normalised forms and lexicon hits of a conversation."""
    f = Features([])
    for seg in segments:
        words, lexicon = _segment_features(seg.text, seg.speaker == "staff")
        for norm, surface in words:
            f.tokens.append(norm)
            f.where.setdefault(norm, []).append(seg.id)
            f.surface.setdefault(norm, surface)
        for key, word_key in lexicon:
            f.tokens.append(key)
            f.where.setdefault(key, []).append(seg.id)
            f.where.setdefault(word_key, []).append(seg.id)
    return f


@lru_cache(maxsize=16384)
def _segment_features(text: str, staff: bool) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """One segment's (normalised form, surface) content words and (LEX:, LEXW:) lexicon hits.

    Cached by text: the counter view redrafts after every utterance and only new text is read."""

    words: list[tuple[str, str]] = []
    for t in sudachi_tokens(text):
        if not t.tag.startswith(_CONTENT_POS) or "固有名詞-人名" in t.tag or "数詞" in t.tag or "非自立" in t.tag:
            continue
        norm = t.norm or t.text
        if _spoken_digits(t.text):
            continue  # ぜろきゅうぜろ… is a phone number, not a word
        if norm in _STOP or t.text in _STOP or (len(norm) < 2 and not re.match(r"[一-龯]", norm)):
            continue
        words.append((norm, t.text))
    lexicon: list[tuple[str, str]] = []
    if not staff:  # lexicon hits count only in what the citizen says
        for cat, pat in LEXICON.items():
            for m in pat.finditer(text):
                lexicon.append((f"LEX:{cat}", "LEXW:" + cat + ":" + m.group()))
    return tuple(words), tuple(lexicon)


@dataclass
class CategoryResult:
    name: str
    score: float
    main: bool
    why: list[str]
    segment_ids: list[int]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "score": round(self.score, 3), "main": self.main, "why": self.why,
                "evidence": self.segment_ids}


class CategoryModel:
    """One-vs-rest logistic regression over TF-IDF of GiNZA features, plus a multinomial one for the
    main category (choosing the main one by the highest one-vs-rest probability was right only
    ~30 % of the time on held-out folds, the multinomial model ~58 %)."""

    threshold = 0.4  # chosen on held-out folds of the development set (see docs/record-1.md)

    def __init__(self, C: float = 4.0) -> None:
        self.C = C
        self.vectorizer: Any = None
        self.main_model: Any = None
        self.models: dict[str, Any] = {}
        self.constant: dict[str, float] = {}
        self.trained_on = 0

    def fit(self, docs: list[Features], labels: list[list[str]], mains: list[str] | None = None) -> CategoryModel:

        self.vectorizer = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=1)
        x = self.vectorizer.fit_transform([d.tokens for d in docs])
        self.trained_on = len(docs)
        for cat in CATEGORIES:
            y = [1 if cat in ls else 0 for ls in labels]
            if sum(y) < 2 or sum(y) == len(y):
                self.constant[cat] = sum(y) / max(len(y), 1)
                continue
            clf = LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000)
            clf.fit(x, y)
            self.models[cat] = clf
        if mains and len(set(mains)) >= 2:
            self.main_model = LogisticRegression(C=self.C, class_weight="balanced", max_iter=3000).fit(x, mains)
        return self

    def main(self, doc: Features) -> str | None:
        if self.main_model is None:
            return None
        return str(self.main_model.predict(self.vectorizer.transform([doc.tokens]))[0])

    def proba(self, doc: Features) -> dict[str, float]:
        x = self.vectorizer.transform([doc.tokens])
        out: dict[str, float] = {}
        for cat in CATEGORIES:
            if cat in self.models:
                out[cat] = float(self.models[cat].predict_proba(x)[0, 1])
            else:
                # too few examples to learn: the lexicon decides
                out[cat] = 0.75 if doc.where.get(f"LEX:{cat}") else min(self.constant.get(cat, 0.0), 0.2)
        return out

    def why(self, doc: Features, cat: str, k: int = 3) -> list[str]:
        """The features that push most towards ``cat`` in this document."""
        if cat not in self.models:
            return [f for f in doc.where if f.startswith(f"LEXW:{cat}:")][:k]
        x = self.vectorizer.transform([doc.tokens]).tocsr()
        coef = self.models[cat].coef_[0]
        vocab = self.vectorizer.get_feature_names_out()
        contrib = [(v * coef[j], vocab[j]) for j, v in zip(x.indices, x.data, strict=True) if coef[j] > 0]
        contrib.sort(reverse=True)
        return [name for _c, name in contrib[:k]]


def lexicon_proba(doc: Features) -> dict[str, float]:
    """Without a trained model: a category whose words the citizen used, more hits → higher."""
    out = {}
    for cat in CATEGORIES:
        n = len(doc.where.get(f"LEX:{cat}", []))
        out[cat] = 0.0 if n == 0 else min(0.5 + 0.1 * n, 0.95)
    return out


def predict(doc: Features, model: CategoryModel | None) -> list[CategoryResult]:
    """Categories above threshold (at least one when the citizen said anything), main first."""
    probs = model.proba(doc) if model is not None else lexicon_proba(doc)
    threshold = CategoryModel.threshold if model is not None else 0.5
    chosen = [c for c, p in probs.items() if p >= threshold]
    if not chosen and doc.tokens:
        chosen = [max(probs, key=probs.get)]
    chosen.sort(key=lambda c: -probs[c])
    main = model.main(doc) if model is not None and doc.tokens else None
    if main:
        chosen = [main] + [c for c in chosen if c != main]
    results = []
    for i, cat in enumerate(chosen):
        why = model.why(doc, cat) if model is not None else [f for f in doc.where if f.startswith(f"LEXW:{cat}:")][:3]
        seg_ids: list[int] = []
        words: list[str] = []
        for w in why:
            ids = doc.where.get(w, [])
            if w.startswith("LEX:"):
                words_lex = [f.split(":", 2)[2] for f in doc.where if f.startswith(f"LEXW:{cat}:")][:2]
                words += words_lex
                for f in doc.where:
                    if f.startswith(f"LEXW:{cat}:"):
                        ids = ids or doc.where[f]
            elif w.startswith("LEXW:"):
                words.append(w.split(":", 2)[2])
            else:
                words.append(w)  # the dictionary form (住む), never a conjugation fragment (住ん)
            for sid in ids[:2]:
                if sid not in seg_ids:
                    seg_ids.append(sid)
        if not seg_ids:
            for f, ids in doc.where.items():
                if f.startswith(f"LEXW:{cat}:"):
                    seg_ids = ids[:2]
                    words.append(f.split(":", 2)[2])
                    break
        results.append(CategoryResult(cat, probs[cat], i == 0, list(dict.fromkeys(words))[:4], seg_ids[:4]))
    return results


# -- the trained artefact ------------------------------------------------------------------------
CATEGORY_ARTEFACT = "categories"


def get_model() -> CategoryModel | None:
    """The classifier trained by ``assistant model train`` (``models/categories.pkl``), or None when
    it was trained without a development set (the lexicon then decides). Raises
    :class:`assistant.artefacts.ArtefactError` if it is missing or stale — it is never trained here."""
    return load_artefact(CATEGORY_ARTEFACT, FEATURE_VERSION, _unpickle)


def _unpickle(manifest: dict[str, Any], folder: Path) -> CategoryModel | None:
    if not manifest.get("payload"):
        return None
    payload = folder / str(manifest["payload"])
    verify_payload(CATEGORY_ARTEFACT, manifest, payload)
    with payload.open("rb") as fh:
        return pickle.load(fh)  # our own file, checked against the manifest's sha256
