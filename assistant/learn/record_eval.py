"""``assistant eval record``: personal-data masking and record drafting on the development set.

Measures (definitions also in docs/record-1.md):

* **PII recall (strings)** — share of the gold personal-data strings (``pii`` of each consultation)
  that appear in *none* of the masked outputs: the masked transcript (``assistant mask``) and the
  masked draft in JSON, Markdown and HTML (``assistant draft``). A string that survives anywhere is
  a leak. Also per type.
* **PII precision (characters)** — of all characters the detector masks in the transcript, the
  share that lie inside an occurrence of a gold string (every occurrence of every gold string in
  that consultation counts). Character recall is reported alongside: gold strings sometimes
  include fillers or 生まれ, which the detector leaves visible on purpose.
* **Key-fact coverage** — a fact is covered when one drafted line of its field (unmasked draft)
  contains all its keywords.
* **Evidence** — every drafted line must cite segments, and a line's text must be reproducible
  from the cited character ranges (nothing invented).
* **Categories** — the classifier is trained on k−1 folds and scored on the held-out fold only;
  the drafts used for every other figure also use the fold model that did not see them.
* **Urgency** — flags per consultation against the gold ``urgency`` list.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.asr.transcript import Transcript
from assistant.learn import record_quality as rq
from assistant.learn.category_train import fold_models
from assistant.learn.dataset import segments_of
from assistant.pii.mask import mask_transcript
from assistant.record.categories import CATEGORIES, features, predict
from assistant.record.draft import draft_record


def _occurrences(text: str, word: str) -> list[int]:
    out, i = [], text.find(word)
    while i >= 0 and word:
        out.append(i)
        i = text.find(word, i + 1)
    return out


def evaluate(items: Sequence[dict[str, Any]], *, folds: int = 5, seed: int = 0,
             progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """All record figures for a development set (a list of eval/README.md consultations)."""
    n = len(items)
    if n < 2:
        raise ValueError("at least two consultations are needed for held-out scoring")
    docs = [features(segments_of(it)) for it in items]
    fold_of = fold_models(docs, items, folds=folds, seed=seed)
    t = _Tallies()
    for i, item in enumerate(items):
        cid = str(item.get("id", i))
        segs = segments_of(item)
        t.chars += sum(len(s.text) for s in segs)
        tr = Transcript(source=cid, segments=segs)
        t0 = time.perf_counter()
        rec = draft_record(tr, classifier=fold_of[i])
        t.times.append(time.perf_counter() - t0)
        masked_tr, ents = mask_transcript(tr)
        outputs = [masked_tr.to_json(), json.dumps(rec.to_dict(masked=True), ensure_ascii=False),
                   rec.to_markdown(masked=True), rec.to_html(masked=True)]
        _score_leaks(t.pii, item, cid, outputs)
        _score_masked_chars(t.pii, item, cid, segs, ents)
        data = rec.to_dict(masked=False)
        _score_facts(t.facts, item, cid, data)
        _quality(t.quality, item, rec, data, segs, ents, outputs)
        _score_evidence(t.ev, rec, tr)
        _score_categories(t.cat, item, rec, docs[i])
        _score_schemes(t.sch, item, rec)
        _score_urgency(t.urg, item, cid, rec)
        if progress:
            progress(f"{cid} done")
    return _summary(t, n, folds)


@dataclass
class _Tallies:
    """Running counts of every figure over the consultations."""

    pii: dict[str, Any] = field(default_factory=lambda: {
        "strings": 0, "leaked": 0, "by_type": {}, "leaks": [], "masked_chars": 0, "gold_chars": 0,
        "overlap_chars": 0, "false_masks": []})
    facts: dict[str, Any] = field(default_factory=lambda: {"total": 0, "covered": 0, "by_field": {}, "missed": []})
    ev: dict[str, int] = field(default_factory=lambda: {"lines": 0, "without_evidence": 0, "not_reproducible": 0})
    cat: dict[str, Any] = field(default_factory=lambda: {
        "tp": 0, "fp": 0, "fn": 0, "main_ok": 0, "lex_tp": 0, "lex_fp": 0, "lex_fn": 0, "lex_main_ok": 0,
        "per_category": {c: {"tp": 0, "fp": 0, "fn": 0} for c in CATEGORIES}})
    urg: dict[str, Any] = field(default_factory=lambda: {"tp": 0, "fp": 0, "fn": 0, "errors": []})
    sch: dict[str, int] = field(default_factory=lambda: {"tp": 0, "fp": 0, "fn": 0, "traps_explained": 0,
                                                         "traps_said": 0})
    times: list[float] = field(default_factory=list)
    chars: int = 0
    quality: dict[str, Any] = field(default_factory=lambda: {
        "kf_total": 0, "kf_kept": 0, "rec_chars": 0, "shares": [], "leak_strings": 0, "leaked": 0,
        "leak_by_type": {}, "masks": 0, "false_masks": 0, "defects": {}, "sch": None, "subject": {},
        "no_hit": 0, "no_total": 0})


def _score_leaks(pii: dict[str, Any], item: dict[str, Any], cid: str, outputs: list[str]) -> None:
    """A gold personal-data string found in any masked output is a leak."""
    for p in item.get("pii") or []:
        raw = str(p.get("text", ""))
        if not raw:
            continue
        t = str(p.get("type", "other"))
        bt = pii["by_type"].setdefault(t, {"strings": 0, "leaked": 0})
        pii["strings"] += 1
        bt["strings"] += 1
        leaked_in = [name for name, out in zip(("mask", "json", "md", "html"), outputs, strict=True) if raw in out]
        if leaked_in:
            pii["leaked"] += 1
            bt["leaked"] += 1
            pii["leaks"].append({"id": cid, "type": t, "text": raw, "in": leaked_in})


def _score_masked_chars(pii: dict[str, Any], item: dict[str, Any], cid: str, segs: Sequence[Any],
                        ents: Sequence[Any]) -> None:
    """Characters masked in the transcript against every occurrence of the gold strings."""
    golds = [str(p.get("text", "")) for p in item.get("pii") or [] if p.get("text")]
    for seg in segs:
        gold: set[int] = set()
        for g in golds:
            for s in _occurrences(seg.text, g):
                gold.update(range(s, s + len(g)))
        masked: set[int] = set()
        for e in ents:
            if e.segment_id == seg.id:
                span = set(range(e.start, e.end))
                masked |= span
                extra = span - gold
                if extra and len(pii["false_masks"]) < 200:
                    pii["false_masks"].append({"id": cid, "segment": seg.id, "type": e.type, "rule": e.rule,
                                               "text": e.text})
        pii["masked_chars"] += len(masked)
        pii["gold_chars"] += len(gold)
        pii["overlap_chars"] += len(masked & gold)


def _score_facts(facts: dict[str, Any], item: dict[str, Any], cid: str, data: dict[str, Any]) -> None:
    """A key fact is covered when one line of its field holds all its keywords."""
    for f in item.get("facts") or []:
        key = str(f.get("field"))
        kws = [str(k) for k in f.get("keywords") or []]
        lines = (data["fields"].get(key) or {}).get("lines", [])
        ok = any(all(k in ln["text"] for k in kws) for ln in lines)
        bf = facts["by_field"].setdefault(key, {"total": 0, "covered": 0})
        facts["total"] += 1
        bf["total"] += 1
        if ok:
            facts["covered"] += 1
            bf["covered"] += 1
        else:
            facts["missed"].append({"id": cid, "field": key, "keywords": kws})


def _score_evidence(ev: dict[str, int], rec: Any, tr: Transcript) -> None:
    """Every line cites segments and is reproducible from the cited characters."""
    for lines in rec.fields.values():
        for ln in lines:
            ev["lines"] += 1
            if not ln.evidence:
                ev["without_evidence"] += 1
            if ln.pieces and rec.line_text(ln, masked=False) != _rebuild(ln, tr):
                ev["not_reproducible"] += 1


def _score_categories(cat: dict[str, Any], item: dict[str, Any], rec: Any, doc: Any) -> None:
    """Held-out categories of the draft, and the lexicon alone for comparison."""
    got = {c.name for c in rec.categories}
    gold_c = set(item.get("categories") or [])
    main_gold = str(item.get("main_category") or "")
    cat["tp"] += len(got & gold_c)
    cat["fp"] += len(got - gold_c)
    cat["fn"] += len(gold_c - got)
    for c in CATEGORIES:
        pc = cat["per_category"][c]
        pc["tp"] += int(c in got and c in gold_c)
        pc["fp"] += int(c in got and c not in gold_c)
        pc["fn"] += int(c not in got and c in gold_c)
    main = next((c.name for c in rec.categories if c.main), None)
    cat["main_ok"] += int(main == main_gold)
    lex = predict(doc, None)
    lg = {c.name for c in lex}
    cat["lex_tp"] += len(lg & gold_c)
    cat["lex_fp"] += len(lg - gold_c)
    cat["lex_fn"] += len(gold_c - lg)
    cat["lex_main_ok"] += int(bool(lex) and lex[0].name == main_gold)


def _score_schemes(sch: dict[str, int], item: dict[str, Any], rec: Any) -> None:
    """Schemes the draft lists as explained by staff, against the gold and trap schemes."""
    explained = {ln.extra.get("scheme_id") for ln in rec.fields["schemes"] if ln.extra.get("status") != "not_applicable"}
    said = {ln.extra.get("scheme_id") for ln in rec.fields["schemes"]}
    gold_s = set(item.get("gold_schemes") or [])
    traps = set(item.get("trap_schemes") or [])
    sch["tp"] += len(explained & gold_s)
    sch["fp"] += len(explained - gold_s)
    sch["fn"] += len(gold_s - explained)
    sch["traps_said"] += len(traps & said)
    sch["traps_explained"] += len(traps & explained)


def _score_urgency(urg: dict[str, Any], item: dict[str, Any], cid: str, rec: Any) -> None:
    """Urgency flags against the gold list: false flags and misses are listed."""
    gu = set(item.get("urgency") or [])
    ru = {f.kind for f in rec.urgency}
    urg["tp"] += len(gu & ru)
    urg["fp"] += len(ru - gu)
    urg["fn"] += len(gu - ru)
    for k in ru - gu:
        urg["errors"].append({"id": cid, "kind": k, "error": "false flag"})
    for k in gu - ru:
        urg["errors"].append({"id": cid, "kind": k, "error": "missed"})


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def _summary(t: _Tallies, n: int, folds: int) -> dict[str, Any]:
    """The report dictionary (``--json`` output and :func:`format_report` input)."""
    pii, facts, cat, urg, sch = t.pii, t.facts, t.cat, t.urg, t.sch
    return {
        "consultations": n,
        "characters": t.chars,
        "pii": {
            "strings": pii["strings"], "leaked": pii["leaked"],
            "recall": round(1 - pii["leaked"] / pii["strings"], 4) if pii["strings"] else None,
            "char_precision": round(pii["overlap_chars"] / pii["masked_chars"], 4) if pii["masked_chars"] else None,
            "char_recall": round(pii["overlap_chars"] / pii["gold_chars"], 4) if pii["gold_chars"] else None,
            "by_type": {k: {**v, "recall": round(1 - v["leaked"] / v["strings"], 4)} for k, v in sorted(pii["by_type"].items())},
            "leaks": pii["leaks"], "false_masks": pii["false_masks"],
        },
        "facts": {
            "total": facts["total"], "covered": facts["covered"],
            "coverage": round(facts["covered"] / facts["total"], 4) if facts["total"] else None,
            "by_field": {k: {**v, "coverage": round(v["covered"] / v["total"], 4)} for k, v in sorted(facts["by_field"].items())},
            "missed": facts["missed"],
        },
        "evidence": t.ev,
        "categories": {
            "folds": max(2, min(folds, n)),
            **_prf(cat["tp"], cat["fp"], cat["fn"]),
            "main_accuracy": round(cat["main_ok"] / n, 4),
            "lexicon_only": {**_prf(cat["lex_tp"], cat["lex_fp"], cat["lex_fn"]),
                             "main_accuracy": round(cat["lex_main_ok"] / n, 4)},
            "per_category": {c: _prf(**v) | {"support": v["tp"] + v["fn"]} for c, v in cat["per_category"].items()},
        },
        "urgency": {**_prf(urg["tp"], urg["fp"], urg["fn"]), "errors": urg["errors"]},
        "schemes": {**_prf(sch["tp"], sch["fp"], sch["fn"]), "traps_said": sch["traps_said"],
                    "traps_listed_as_explained": sch["traps_explained"]},
        "quality": _quality_figures(t.quality, t.chars),
        "draft_seconds": {"mean": round(sum(t.times) / len(t.times), 3), "max": round(max(t.times), 3)},
    }


def _quality(q: dict[str, Any], item: dict[str, Any], rec: Any, data: dict[str, Any], segs: list, ents: list,
             outputs: list[str]) -> None:
    """Add one consultation's retention, length, scheme, leak, false-mask and subject counts to ``q``."""
    for f in rq.key_facts(item):
        q["kf_total"] += 1
        q["kf_kept"] += int(rq.retained(f, data["fields"]))
        q["kf_strict"] = q.get("kf_strict", 0) + int(rq.retained_strict(f, data["fields"]))
    n = rq.record_chars(rec.to_markdown(masked=False))
    q["rec_chars"] += n
    q["shares"].append(n / max(1, sum(len(s.text) for s in segs)))
    lk = rq.leak_check(segs, ents, item.get("pii") or [], outputs)
    q["leak_strings"] += lk["strings"]
    q["leaked"] += len(lk["leaks"])
    for x in lk["leaks"]:
        q["leak_by_type"][x["type"]] = q["leak_by_type"].get(x["type"], 0) + 1
    q["masks"] += lk["masks"]
    q["false_masks"] += len(lk["false_masks"])
    for fm in lk["false_masks"]:
        if fm["defect"]:
            q["defects"][fm["defect"]] = q["defects"].get(fm["defect"], 0) + 1
    listed = {ln.extra.get("scheme_id") for ln in rec.fields["schemes"] if ln.extra.get("status") != "not_applicable"}
    sc = rq.scheme_counts({str(x) for x in listed if x}, item)
    if sc is not None:
        q["sch"] = {k: (q["sch"] or {}).get(k, 0) + v for k, v in sc.items()}
        gold = {str(x) for x in item.get("explained_schemes") or []}
        got = {str(x) for x in listed if x}
        if got != gold:
            q.setdefault("sch_errors", []).append({"id": str(item.get("id", "")), "listed_not_gold": sorted(got - gold),
                                                   "gold_not_listed": sorted(gold - got)})
    for k, (ok, tot) in rq.subject_counts(data, item).items():
        a, b = q["subject"].get(k, (0, 0))
        q["subject"][k] = (a + ok, b + tot)
    hit, tot = rq.answered_no_counts(data, item)
    q["no_hit"] += hit
    q["no_total"] += tot


def _quality_figures(q: dict[str, Any], transcript_chars: int) -> dict[str, Any]:
    def ratio(a: int, b: int) -> float | None:
        return round(a / b, 4) if b else None

    sch = q["sch"]
    out: dict[str, Any] = {
        "key_fact_retention": ratio(q["kf_kept"], q["kf_total"]), "key_facts": q["kf_total"],
        "key_fact_retention_strict": ratio(q.get("kf_strict", 0), q["kf_total"]),
        "record_share": ratio(q["rec_chars"], transcript_chars),
        "record_share_max": round(max(q["shares"]), 4) if q["shares"] else None,
        "leak_rate": ratio(q["leaked"], q["leak_strings"]), "leaked": q["leaked"], "pii_strings": q["leak_strings"],
        "leak_by_type": q["leak_by_type"],
        "false_mask_rate": ratio(q["false_masks"], q["masks"]), "false_masks": q["false_masks"], "masks": q["masks"],
        "false_mask_defects": q["defects"],
        "subject_accuracy": {k: ratio(a, b) for k, (a, b) in sorted(q["subject"].items())},
        "answered_no": ratio(q["no_hit"], q["no_total"]),
    }
    if sch is not None:
        p = sch["tp"] / (sch["tp"] + sch["fp"]) if sch["tp"] + sch["fp"] else 0.0
        r = sch["tp"] / (sch["tp"] + sch["fn"]) if sch["tp"] + sch["fn"] else 0.0
        out["explained_schemes"] = {"precision": round(p, 4), "recall": round(r, 4), **sch,
                                    "errors": q.get("sch_errors", [])}
    return out


def format_quality(r: dict[str, Any]) -> list[str]:
    """The record-quality lines of the report."""
    q = r["quality"]

    def f(x: Any) -> str:
        return "n/a" if x is None else f"{x:.4f}"

    lines = [
        "",
        "record quality",
        f"  key-fact retention (compatible fields)  {f(q['key_fact_retention'])}  ({q['key_facts']} facts; "
        f"strict, one line of its own field: {f(q['key_fact_retention_strict'])})",
        f"  record length / transcript length       {f(q['record_share'])}  (max per consultation {f(q['record_share_max'])})",
        f"  personal-data leak (partial counts)     {f(q['leak_rate'])}  ({q['leaked']}/{q['pii_strings']}"
        + (f"; {', '.join(f'{k} {v}' for k, v in sorted(q['leak_by_type'].items()))})" if q.get("leak_by_type") else ")"),
        f"  false-positive masks                    {f(q['false_mask_rate'])}  ({q['false_masks']}/{q['masks']}; "
        f"defects {q['false_mask_defects'] or 'none'})",
    ]
    if "explained_schemes" in q:
        e = q["explained_schemes"]
        lines.append(f"  案内した制度 vs explained_schemes        P {e['precision']:.4f}  R {e['recall']:.4f}")
    else:
        s = r["schemes"]
        lines.append(f"  案内した制度 vs explained_schemes        n/a (no gold explained_schemes; vs gold_schemes "
                     f"P {s['precision']:.4f}  R {s['recall']:.4f}, trap schemes listed {s['traps_listed_as_explained']})")
    if q["subject_accuracy"]:
        lines.append("  subject accuracy  " + "  ".join(f"{k} {f(v)}" for k, v in q["subject_accuracy"].items()))
    else:
        lines.append("  subject accuracy                        n/a (no gold visitor/subject)")
    if q["answered_no"] is not None:
        lines.append(f"  asked-and-denied facts found            {f(q['answered_no'])}")
    return lines


def _rebuild(line: Any, tr: Transcript) -> str:
    """A line's text rebuilt from its evidence character ranges alone (must equal the line)."""
    segs = {s.id: s for s in tr.segments}
    out: list[str] = []
    prev_seg = None
    for ev in line.evidence:
        seg = segs[ev.segment_id]
        chunk = "".join(seg.text[a:b] for a, b in ev.chars)
        if prev_seg is not None and out and out[-1][-1:] not in "。！？!?…":
            out.append("。")
        out.append(chunk)
        prev_seg = ev.segment_id
    return "".join(out)


def _num(x: float | None) -> str:
    """A figure, or n/a when the set has nothing to measure it on (a file without ``pii`` or ``facts``)."""
    return "n/a" if x is None else f"{x:.4f}"


def format_report(r: dict[str, Any], verbose: bool = False, summary: bool = False) -> str:
    """A plain-text report of ``evaluate``'s figures (``summary``: aggregate figures only, no line
    that names a case — for a held-out set)."""
    p, f, c, u = r["pii"], r["facts"], r["categories"], r["urgency"]
    lines = [
        f"record eval: {r['consultations']} consultations, {r['characters']} characters",
        "",
        "personal data (masked transcript + masked draft json/md/html)",
        f"  recall (strings not leaked)   {_num(p['recall'])}  ({p['strings'] - p['leaked']}/{p['strings']})",
        f"  precision (characters)        {_num(p['char_precision'])}",
        f"  recall (characters)           {_num(p['char_recall'])}",
    ]
    for t, v in p["by_type"].items():
        lines.append(f"    {t:<13} {v['recall']:.4f}  ({v['strings'] - v['leaked']}/{v['strings']})")
    for leak in [] if summary else p["leaks"]:
        lines.append(f"  LEAK {leak['id']} {leak['type']} in {','.join(leak['in'])}")
    lines += [
        "",
        f"key facts (unmasked draft)      {_num(f['coverage'])}  ({f['covered']}/{f['total']})",
    ]
    for k, v in f["by_field"].items():
        lines.append(f"    {k:<13} {v['coverage']:.4f}  ({v['covered']}/{v['total']})")
    e = r["evidence"]
    lines += [
        f"evidence: {e['lines']} lines, {e['without_evidence']} without evidence, "
        f"{e['not_reproducible']} not reproducible from their evidence",
        "",
        f"categories (held-out, {c['folds']} folds)  P {c['precision']:.3f}  R {c['recall']:.3f}  F1 {c['f1']:.3f}  "
        f"main {c['main_accuracy']:.3f}",
        f"  lexicon only                  P {c['lexicon_only']['precision']:.3f}  R {c['lexicon_only']['recall']:.3f}  "
        f"F1 {c['lexicon_only']['f1']:.3f}  main {c['lexicon_only']['main_accuracy']:.3f}",
        f"urgency flags                   P {u['precision']:.3f}  R {u['recall']:.3f}  F1 {u['f1']:.3f}",
        f"schemes explained vs gold       P {r['schemes']['precision']:.3f}  R {r['schemes']['recall']:.3f}  "
        f"(trap schemes named by staff: {r['schemes']['traps_said']}, listed as explained: "
        f"{r['schemes']['traps_listed_as_explained']})",
        f"draft time per consultation     mean {r['draft_seconds']['mean']:.3f} s  max {r['draft_seconds']['max']:.3f} s",
        *format_quality(r),
    ]
    if verbose and not summary:
        lines.append("")
        for m in f["missed"]:
            lines.append(f"  missed fact {m['id']} {m['field']}: {' / '.join(m['keywords'])}")
        for fm in p["false_masks"]:
            lines.append(f"  extra mask {fm['id']} #{fm['segment']} {fm['type']} {fm['rule']}")
        for err in u["errors"]:
            lines.append(f"  urgency {err['id']} {err['kind']}: {err['error']}")
        for err in r["quality"].get("explained_schemes", {}).get("errors", []):
            lines.append(f"  案内した制度 {err['id']}: listed, not explained {','.join(err['listed_not_gold']) or '-'}; "
                         f"explained, not listed {','.join(err['gold_not_listed']) or '-'}")
        for name, v in c["per_category"].items():
            if v["support"]:
                lines.append(f"  {name:<16} F1 {v['f1']:.3f}  support {v['support']}")
    return "\n".join(lines) + "\n"
