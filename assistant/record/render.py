"""Markdown and printable HTML views of a record/1 dict.

Both render from ``Record.to_dict(masked=…)``, so masking happens in one place. The HTML is one
self-contained page (inline CSS, system fonts, no scripts, no external assets) that prints on A4;
each line shows the segments it came from (#12 03:41) so a reader can check it against the
transcript.
"""

from __future__ import annotations

import html
from typing import Any

from assistant.record.when import jst_label

SPEAKER_JA = {"staff": "職員", "citizen": "相談者", "other": "同席者", "unknown": "話者不明"}
META_LABELS = (("date", "相談日"), ("time", "時刻"), ("duration", "所要時間（秒）"), ("channel", "相談方法"),
               ("staff", "受付者"), ("counter", "担当窓口"), ("consultation_id", "相談番号"))
CITIZEN_LABELS = {"name": "氏名", "birthdate": "生年月日", "address": "住所", "phone": "電話", "email": "メール"}
SUMMARY_KEYS = ("main_concern", "household", "income_work", "housing", "health_care", "next_actions")


def _mmss(seconds: float) -> str:
    s = int(max(seconds, 0))
    return f"{s // 60:02d}:{s % 60:02d}"


def evidence_label(evidence: list[dict[str, Any]]) -> str:
    """「#3 00:12, #5 00:40」: the segment ids and start times of a line."""
    return ", ".join(f"#{e['segment_id']} {_mmss(e.get('start', 0.0))}"
                     + (f" 原文「{e['original_text']}」" if e.get("original_text") else "") for e in evidence)


def _status_mark(line: dict[str, Any]) -> str:
    """A scheme line's status as shown: the heading 案内した制度 already says a scheme was explained,
    so only the other statuses (対象外と説明, 案内した（職員が記録）) are written next to the name."""
    return "" if line.get("status") == "explained" else str(line.get("status_label", ""))


def _speaker(line: dict[str, Any]) -> str:
    sp = {e.get("speaker") for e in line.get("evidence", [])}
    return "・".join(SPEAKER_JA.get(s, s) for s in sorted(sp) if s)


def _parties(rec: dict[str, Any]) -> list[str]:
    """「来談者: 子」「対象者: 父（82歳・男性）独居」 from the record's subject block."""  # noqa: RUF002
    sub = rec.get("subject") or {}
    if not sub:
        return []
    vis = (sub.get("visitor") or {}).get("relation") or "本人"
    out = [f"- 来談者: {vis}"]
    if vis != "本人":
        bits = "・".join(x for x in ((f"{sub['age']}歳" if sub.get("age") else ""),
                                    (f"{sub['sex']}性" if sub.get("sex") else "")) if x)
        out.append(f"- 対象者: {sub.get('relation', '')}" + (f"（{bits}）" if bits else "") + (sub.get("living") or ""))
    return out


def to_markdown(rec: dict[str, Any]) -> str:
    out: list[str] = []
    masked = rec.get("masked", True)
    out.append("# 相談記録（下書き）")
    out.append("")
    out.append(f"- 形式: {rec.get('schema')}　{'個人情報マスク済み' if masked else '**マスクなし（取り扱い注意）**'}")
    meta = rec.get("meta") or {}
    for key, label in META_LABELS:
        if meta.get(key) not in (None, ""):
            out.append(f"- {label}: {meta[key]}")
    out.append(f"- 作成: {jst_label(str(rec.get('drafted_at', '')))}")
    out.append("")
    if rec.get("urgency"):
        out.append("## ⚠ 緊急性")
        for u in rec["urgency"]:
            segs = ", ".join(f"#{i}" for i in u.get("segment_ids", []))
            out.append(f"- **{u['label']}**（{segs}）: " + " / ".join(u.get("sentences", [])))
        out.append("")
    out.append("## 相談者")
    out += _parties(rec)
    cit = rec.get("citizen") or {}
    for key, label in CITIZEN_LABELS.items():
        line = cit.get(key)
        if line:
            out.append(f"- {label}: {line['text']}（{evidence_label(line['evidence'])}）")
    vis = rec.get("visitor") or {}
    if vis.get("present"):
        parts = []
        if vis.get("name"):
            parts.append(vis["name"]["text"])
        if vis.get("relation"):
            parts.append(f"「{vis['relation']['text']}」（{evidence_label(vis['relation']['evidence'])}）")
        out.append("- 来所者（同席者）: " + ("、".join(parts) if parts else "あり"))
    out.append("")
    if rec.get("categories"):
        out.append("## 相談内容の分類")
        for c in rec["categories"]:
            main = "【主】" if c.get("main") else ""
            why = "、".join(c.get("why", []))
            segs = ", ".join(f"#{i}" for i in c.get("evidence", []))
            out.append(f"- {main}{c['name']}（{c['score']:.2f}；根拠: {why} {segs}）")
        out.append("")
    fields = rec.get("fields") or {}
    for key in ("main_concern", "household", "income_work", "housing", "health_care"):
        f = fields.get(key) or {}
        out.append(f"## {f.get('label', key)}")
        for line in f.get("lines", []):
            out.append(f"- {line['text']}（{evidence_label(line['evidence'])}）")
        if not f.get("lines"):
            gap = any(g.get("field") == key for g in rec.get("gaps") or [])
            out.append("- （未聴取）" if gap else "- （他の欄に記載）")
        out.append("")
    f = fields.get("heard") or {}
    out.append(f"## {f.get('label', '聞き取り内容')}")
    for line in f.get("lines", []):
        out.append(f"- {_speaker(line)}: {line['text']}（{evidence_label(line['evidence'])}）")
    out.append("")
    f = fields.get("schemes") or {}
    out.append(f"## {f.get('label', '案内した制度')}")
    for line in f.get("lines", []):
        ev = evidence_label(line["evidence"])
        label = _status_mark(line)
        out.append(f"- {line['text']}（{line.get('scheme_id', '')}）" + (f": {label}" if label else "")
                   + (f"（{ev}）" if ev else ""))
    if not f.get("lines"):
        out.append("- なし")
    out.append("")
    f = fields.get("next_actions") or {}
    out.append(f"## {f.get('label', '今後の対応')}")
    for line in f.get("lines", []):
        out.append(f"- {line['text']}（{evidence_label(line['evidence'])}）")
    if not f.get("lines"):
        out.append("- （未記載）")
    out.append("")
    f = fields.get("consent") or {}
    out.append(f"## {f.get('label', '同意')}")
    out.append(f"- {f.get('value_label', '')}")
    for line in f.get("lines", []):
        out.append(f"  - {line['text']}（{evidence_label(line['evidence'])}）")
    out.append("")
    if rec.get("gaps"):
        out.append("## 聞き取り漏れ")
        for g in rec["gaps"]:
            out.append(f"- {g['label']}: {g['hint']}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


_CSS = """
body{font-family:"Noto Sans CJK JP","Noto Sans JP","Hiragino Sans","Yu Gothic","Meiryo",sans-serif;
 color:#222;max-width:52em;margin:1.5em auto;line-height:1.7;font-size:11pt}
h1{font-size:1.5em;border-bottom:2px solid #333;margin-bottom:.2em}
h2{font-size:1.1em;margin:1.2em 0 .3em;border-left:5px solid #2a6f97;padding-left:.4em;page-break-after:avoid}
table.meta{border-collapse:collapse;margin:.5em 0}table.meta td,table.meta th{border:1px solid #999;padding:.15em .6em;
 text-align:left;font-weight:normal}table.meta th{background:#f0f0f0;white-space:nowrap}
ul{margin:.2em 0;padding-left:1.4em}li{margin:.15em 0}
.ev{color:#666;font-size:.85em;white-space:nowrap}.sp{color:#2a6f97;font-size:.9em}
.urgent{border:2px solid #b00020;background:#fff3f3;padding:.4em .8em;margin:.8em 0}
.urgent h2{border-left-color:#b00020;color:#b00020;margin-top:.2em}
.gap{color:#8a5a00}.empty{color:#999}.badge{display:inline-block;border:1px solid #999;border-radius:3px;
 padding:0 .3em;font-size:.85em;margin-right:.3em}.mask{font-size:.9em;padding:.2em .5em;border:1px solid #2a6f97;
 display:inline-block}.unmasked{border-color:#b00020;color:#b00020;font-weight:bold}
@media print{body{margin:0;max-width:none}.urgent{break-inside:avoid}a{color:inherit}}
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _ev(line: dict[str, Any]) -> str:
    label = evidence_label(line.get("evidence", []))
    return f" <span class='ev'>（{_e(label)}）</span>" if label else ""


def to_html(rec: dict[str, Any]) -> str:
    masked = rec.get("masked", True)
    meta = rec.get("meta") or {}
    p: list[str] = []
    p.append("<!doctype html><html lang='ja'><head><meta charset='utf-8'>")
    p.append("<meta name='viewport' content='width=device-width,initial-scale=1'>")
    p.append(f"<title>相談記録（下書き）</title><style>{_CSS}</style></head><body>")
    p.append("<h1>相談記録（下書き）</h1>")
    cls = "mask" if masked else "mask unmasked"
    p.append(f"<p class='{cls}'>{'個人情報はマスクしています' if masked else 'マスクなし：個人情報を含みます（取り扱い注意）'}</p>")
    rows = [(label, meta[k]) for k, label in META_LABELS if meta.get(k) not in (None, "")]
    rows.append(("作成", jst_label(str(rec.get("drafted_at", "")))))
    p.append("<table class='meta'>" + "".join(f"<tr><th>{_e(a)}</th><td>{_e(b)}</td></tr>" for a, b in rows) + "</table>")
    if rec.get("urgency"):
        p.append("<section class='urgent'><h2>緊急性</h2><ul>")
        for u in rec["urgency"]:
            segs = ", ".join(f"#{i}" for i in u.get("segment_ids", []))
            p.append(f"<li><strong>{_e(u['label'])}</strong> <span class='ev'>（{_e(segs)}）</span><br>"
                     + " / ".join(_e(s) for s in u.get("sentences", [])) + "</li>")
        p.append("</ul></section>")
    p.append("<h2>相談者</h2><table class='meta'>")
    cit = rec.get("citizen") or {}
    for key, label in CITIZEN_LABELS.items():
        line = cit.get(key)
        val = f"{_e(line['text'])}{_ev(line)}" if line else "<span class='empty'>—</span>"
        p.append(f"<tr><th>{_e(label)}</th><td>{val}</td></tr>")
    vis = rec.get("visitor") or {}
    if vis.get("present"):
        bits = []
        if vis.get("name"):
            bits.append(_e(vis["name"]["text"]))
        if vis.get("relation"):
            bits.append("「" + _e(vis["relation"]["text"]) + "」" + _ev(vis["relation"]))
        p.append(f"<tr><th>来所者（同席者）</th><td>{'、'.join(bits) or 'あり'}</td></tr>")
    p.append("</table>")
    if rec.get("categories"):
        p.append("<h2>相談内容の分類</h2><ul>")
        for c in rec["categories"]:
            main = "<span class='badge'>主</span>" if c.get("main") else ""
            segs = ", ".join(f"#{i}" for i in c.get("evidence", []))
            p.append(f"<li>{main}{_e(c['name'])} <span class='ev'>（{c['score']:.2f}；根拠: "
                     f"{_e('、'.join(c.get('why', [])))} {_e(segs)}）</span></li>")
        p.append("</ul>")
    fields = rec.get("fields") or {}
    for key in ("main_concern", "household", "income_work", "housing", "health_care"):
        f = fields.get(key) or {}
        p.append(f"<h2>{_e(f.get('label', key))}</h2>")
        if f.get("lines"):
            p.append("<ul>" + "".join(f"<li>{_e(ln['text'])}{_ev(ln)}</li>" for ln in f["lines"]) + "</ul>")
        else:
            p.append("<p class='empty'>（未聴取）</p>")
    f = fields.get("heard") or {}
    p.append(f"<h2>{_e(f.get('label', '聞き取り内容'))}</h2><ul>")
    for ln in f.get("lines", []):
        p.append(f"<li><span class='sp'>{_e(_speaker(ln))}</span>: {_e(ln['text'])}{_ev(ln)}</li>")
    p.append("</ul>")
    f = fields.get("schemes") or {}
    p.append(f"<h2>{_e(f.get('label', '案内した制度'))}</h2>")
    if f.get("lines"):
        p.append("<ul>" + "".join(
            f"<li>{_e(ln['text'])}"
            + (f" <span class='badge'>{_e(_status_mark(ln))}</span>" if _status_mark(ln) else "") + f"{_ev(ln)}</li>"
            for ln in f["lines"]) + "</ul>")
    else:
        p.append("<p class='empty'>なし</p>")
    f = fields.get("next_actions") or {}
    p.append(f"<h2>{_e(f.get('label', '今後の対応'))}</h2>")
    if f.get("lines"):
        p.append("<ul>" + "".join(f"<li>{_e(ln['text'])}{_ev(ln)}</li>" for ln in f["lines"]) + "</ul>")
    else:
        p.append("<p class='empty'>（未記載）</p>")
    f = fields.get("consent") or {}
    p.append(f"<h2>{_e(f.get('label', '同意'))}</h2><p>{_e(f.get('value_label', ''))}</p>")
    if f.get("lines"):
        p.append("<ul>" + "".join(f"<li>{_e(ln['text'])}{_ev(ln)}</li>" for ln in f["lines"]) + "</ul>")
    if rec.get("gaps"):
        p.append("<h2>聞き取り漏れ</h2><ul class='gap'>")
        p.append("".join(f"<li>{_e(g['label'])}: {_e(g['hint'])}</li>" for g in rec["gaps"]))
        p.append("</ul>")
    p.append("</body></html>")
    return "\n".join(p) + "\n"
