"""Figures of a record a supervisor would sign: retention, length, schemes, leaks, false masks, subjects.

Each function scores one consultation and returns counts; ``assistant.learn.record_eval`` sums
them. Definitions (also in docs/record-1.md and eval/README.md):

* **Key-fact retention** — a gold key fact (``key_facts``, else the development set's ``facts``) is
  retained when all its keywords occur in the record lines of its *compatible* fields: a fact about
  the citizen's situation (主訴, 世帯, 収入・就労, 住まい, 健康・障害・介護) in any of those fields or
  聞き取り内容 (a sentence is written once, in the first field it fits, so rent arrears may stand in
  収入・就労 rather than 住まい); a 今後の対応 fact only in 今後の対応. Fact statements count as lines. The strict figure (all keywords in one line of the
  fact's own field) is reported alongside.
* **Record length** — characters of the record's Markdown without headings, the metadata and 相談者
  blocks, categories, 聞き取り漏れ hints, bullets, speaker labels and evidence markers, divided by the
  transcript's characters.
* **案内した制度** — precision and recall of the schemes listed as explained (status not
  ``not_applicable``) against gold ``explained_schemes`` (only consultations that have the key).
* **Leak (partial counts)** — a gold personal-data string is leaked when any of its identifying
  characters is left unmasked in the masked transcript (fillers, separators such as の and
  whitespace, 生まれ and です are not identifying), or when its raw text survives in any masked output.
  Strings split over two turns are looked up in the two turns joined.
* **False-positive masks** — masked spans that overlap no occurrence of any gold string; the share of
  all masked spans; scheme names and ages (82歳) masked are listed as defects.
* **Subject accuracy** — visitor relation, subject relation, age and living arrangement against gold
  ``visitor`` / ``subject`` (only consultations that have them).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from assistant.asr.transcript import Segment
from assistant.pii.patterns import katakana_word
from assistant.schemes.knowledge import get_knowledge_base

SITUATION = ("main_concern", "household", "income_work", "housing", "health_care", "heard")
COMPATIBLE = {"main_concern": SITUATION, "next_actions": ("next_actions",)}
_NON_IDENTIFYING = re.compile(r"[\s\u3000、。，,・\-－ー〜～…「」]|えーっと|えーと|えっと|えー|あー|あのー|あの|えと|"
                              r"生まれ|です|の|と|さん|普通預金|普通|ふつう|当座|口座番号|口座|記号|番号|[はがで](?=[\s\u3000、0-9０-９〇一二三四五六七八九十]|$)")
_EVIDENCE = re.compile(r"（#\d+[^）]*）")
_SPEAKER = re.compile(r"^(?:相談者|職員|同席者|話者不明|相談者・同席者)(?:・[^:：]+)?[:：]\s*")
_SKIP_SECTIONS = ("相談者", "相談内容の分類", "聞き取り漏れ", "⚠ 緊急性")


def compatible_fields(field: str) -> tuple[str, ...]:
    return COMPATIBLE.get(field, SITUATION)


def key_facts(item: dict[str, Any]) -> list[dict[str, Any]]:
    """Gold key facts: ``key_facts`` when present, else the development set's ``facts``."""
    facts = item.get("key_facts")
    return list(facts if facts is not None else item.get("facts") or [])


def _keywords(fact: Any) -> list[str]:
    if isinstance(fact, str):
        return [fact]
    kws = fact.get("keywords") or ([fact["text"]] if fact.get("text") else [])
    return [str(k) for k in kws if str(k)]


def retained(fact: Any, fields: dict[str, Any]) -> bool:
    """All keywords of the fact in the lines of its compatible fields."""
    kws = _keywords(fact)
    field = str(fact.get("field", "")) if isinstance(fact, dict) else ""
    keys = compatible_fields(field) if field else tuple(fields)
    text = _norm("\n".join(ln["text"] for k in keys for ln in (fields.get(k) or {}).get("lines", [])))
    return bool(kws) and all(_norm(k) in text for k in kws)


def _norm(text: str) -> str:
    """Text normalisation for keyword matching: NFKC (全角/半角) and no spaces."""
    return re.sub(r"[\s\u3000]", "", unicodedata.normalize("NFKC", text))


def retained_strict(fact: Any, fields: dict[str, Any]) -> bool:
    """All keywords in one line of the fact's own field (the stricter figure, reported alongside)."""
    kws = _keywords(fact)
    field = str(fact.get("field", "")) if isinstance(fact, dict) else ""
    lines = [_norm(ln["text"]) for ln in (fields.get(field) or {}).get("lines", [])]
    return bool(kws) and any(all(_norm(k) in ln for k in kws) for ln in lines)


def record_chars(markdown: str) -> int:
    """Characters of the record's content (see the module docstring)."""
    total, section = 0, ""
    for raw in markdown.splitlines():
        if raw.startswith("#"):
            section = raw.lstrip("# ").strip()
            continue
        if not section or section in _SKIP_SECTIONS or section.startswith("相談記録"):
            continue
        text = raw.strip().removeprefix("- ").strip()
        if text in ("（未聴取）", "（未記載）", "なし", "未確認", "（他の欄に記載）"):
            continue
        text = _SPEAKER.sub("", _EVIDENCE.sub("", text))
        text = re.sub(r"（[a-z0-9-]+）", "", text)  # scheme ids
        total += len(text.strip())
    return total


def _occurrence_spans(segs: Sequence[Segment], gold: str) -> list[list[tuple[int, int]]]:
    """Each occurrence of ``gold`` as (segment id, char index) pairs; in one turn or two adjacent ones."""
    out: list[list[tuple[int, int]]] = []
    word = re.compile(rf"(?={_gold_pattern(gold)})")  # overlapping occurrences, as a name word
    for seg in segs:
        for m in word.finditer(seg.text):
            out.append([(seg.id, j) for j in range(m.start(), m.start() + len(gold))])
    if out:
        return out
    for a, b in zip(segs, segs[1:], strict=False):
        joined = a.text + b.text
        i = joined.find(gold)
        if i >= 0 and i < len(a.text) < i + len(gold):
            out.append([(a.id, j) if j < len(a.text) else (b.id, j - len(a.text)) for j in range(i, i + len(gold))])
    return out


def _gold_pattern(gold: str) -> str:
    """A gold string as a pattern: a katakana name inside a longer katakana word (ラン in ボランティア) is not
    an occurrence of that name."""
    return katakana_word(gold) if re.fullmatch(r"[ァ-ヶー・]+", gold) else re.escape(gold)


def _raw_in(gold: str, text: str) -> bool:
    """Whether ``gold`` is left in ``text``."""
    return re.search(_gold_pattern(gold), text) is not None


def _identifying(gold: str) -> list[bool]:
    keep = [True] * len(gold)
    for m in _NON_IDENTIFYING.finditer(gold):
        for j in range(m.start(), m.end()):
            keep[j] = False
    return keep


def leak_check(segs: Sequence[Segment], entities: Sequence[Any], gold: Sequence[dict[str, Any]],
               outputs: Sequence[str]) -> dict[str, Any]:
    """Leaks (partial counts) and false-positive masks of one consultation."""
    masked: set[tuple[int, int]] = {(e.segment_id, j) for e in entities for j in range(e.start, e.end)}
    gold_chars: set[tuple[int, int]] = set()
    leaks: list[dict[str, str]] = []
    found = 0
    for p in gold:
        raw = str(p.get("text", ""))
        if not raw:
            continue
        occ = _occurrence_spans(segs, raw)
        found += bool(occ)
        ident = _identifying(raw)
        partial = any(not all((sj in masked) for sj, k in zip(o, ident, strict=True) if k) for o in occ)
        for o in occ:
            gold_chars.update(o)
        if partial or any(_raw_in(raw, out) for out in outputs):
            leaks.append({"type": str(p.get("type", "other")), "how": "partial" if partial else "raw"})
    false_masks: list[dict[str, Any]] = []
    for e in entities:
        span = {(e.segment_id, j) for j in range(e.start, e.end)}
        if not span & gold_chars:
            false_masks.append({"type": e.type, "rule": e.rule, "segment": e.segment_id,
                                "defect": _defect(e.text)})
    return {"strings": sum(1 for p in gold if p.get("text")), "found": found, "leaks": leaks,
            "masks": len(entities), "false_masks": false_masks}


def _defect(text: str) -> str:
    """Why a false mask is a plain defect: an age or a scheme name hidden from the supervisor."""
    if re.search(r"[0-9０-９〇一二三四五六七八九十]+\s*(?:歳|才)", text):
        return "age"
    try:
        names = {n for s in get_knowledge_base() for n in (s.name, s.short_name, *s.aliases) if len(n) >= 2}
    except Exception:  # noqa: BLE001 - no knowledge base: nothing to compare with
        names = set()
    return "scheme_name" if any(n in text for n in names) else ""


def scheme_counts(listed: set[str], item: dict[str, Any]) -> dict[str, int] | None:
    gold = item.get("explained_schemes")
    if gold is None:
        return None
    g = {str(x) for x in gold}
    return {"tp": len(listed & g), "fp": len(listed - g), "fn": len(g - listed)}


def subject_counts(record: dict[str, Any], item: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """(correct, total) per subject attribute present in the gold: the visitor's and the subject's
    relation in the office's vocabulary (``kind``), age, sex (男/女/null), living (不明 when unknown)."""
    out: dict[str, tuple[int, int]] = {}
    sub = record.get("subject") or {}
    gv = item.get("visitor")
    if gv is not None:
        want = gv.get("relation") if isinstance(gv, dict) else gv
        out["visitor"] = (int(str(want) == str((sub.get("visitor") or {}).get("kind"))), 1)
    gs = item.get("subject")
    if isinstance(gs, dict):
        got = {"relation": sub.get("kind"), "age": sub.get("age"), "sex": sub.get("sex") or None,
               "living": sub.get("living") or "不明"}
        for key in ("relation", "age", "sex", "living"):
            if key in gs:
                out[f"subject_{key}"] = (int(gs[key] == got[key]), 1)
    return out


def answered_no_counts(record: dict[str, Any], item: dict[str, Any]) -> tuple[int, int]:
    """(found, total): gold answered-no items found as denied facts or in the record's lines."""
    gold = item.get("answered_no")
    if not gold:
        return 0, 0
    denied = " ".join(f"{f.get('key', '')}{f.get('value', '')}" for f in record.get("facts") or []
                      if f.get("status") == "denied")
    lines = " ".join(ln["text"] for f in (record.get("fields") or {}).values() for ln in f.get("lines", []))
    hit = sum(1 for g in gold if (kws := _keywords(g)) and all(k in denied or k in lines for k in kws))
    return hit, len(gold)
