"""Exports of reviewed records: Markdown, JSON (record/1), CSV and a printable HTML page.

Input is a list of *export items* ``{"record": record/1 dict, "review": {...}}`` built by the review
service (the record with the staff's and supervisor's edits applied, the workflow state beside it).
Masking happens here, once, for every format: ``mask_record`` replaces every personal-data string the
drafter found (and any copy of it inside an edited field) by its placeholder, so an export is masked
unless the caller deliberately passes ``masked=False`` (the service allows that only to roles that may
and audits it). Markdown and the printable page reuse ``record.render``; nothing is rendered twice.

CSV: one row per record, the columns of ``CSV_COLUMNS``, UTF-8 with a byte-order mark so that Excel
opens Japanese text correctly. Dates on the printable page are 和暦 (令和7年4月1日) and times JST.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import html
import io
import json
import re
from collections.abc import Callable
from typing import Any

from assistant.pii.mask import Entity
from assistant.record.fields import EDIT_LABELS
from assistant.record.render import to_html, to_markdown

JST = dt.timezone(dt.timedelta(hours=9), "JST")
BOM = "\ufeff"
EDITABLE = ("main_concern", "household", "income_work", "housing", "health_care", "heard", "schemes",
            "next_actions", "consent", "notes")
# (column header, how to read it) — documented in README "Exports".
CSV_COLUMNS: tuple[str, ...] = (
    "相談番号", "相談日", "相談日（和暦）", "開始時刻（JST）", "受付者", "担当窓口", "相談方法", "主な分類", "分類",
    "緊急性", "主訴", "世帯状況", "収入・就労状況", "住まいの状況", "健康・障害・介護", "案内した制度", "今後の対応",
    "同意", "職員メモ", "状態", "承認日時（JST）", "承認者", "差戻し回数", "マスク",
)
ERAS = ((dt.date(2019, 5, 1), "令和"), (dt.date(1989, 1, 8), "平成"), (dt.date(1926, 12, 25), "昭和"))
STATUS_JA = {"draft": "下書き", "pending": "確認待ち", "approved": "承認済み", "returned": "差戻し"}


def wareki(day: dt.date) -> str:
    """令和7年4月1日 (元年 for the first year of an era)."""
    for start, name in ERAS:
        if day >= start:
            year = day.year - start.year + 1
            return f"{name}{'元' if year == 1 else year}年{day.month}月{day.day}日"
    return f"{day.year}年{day.month}月{day.day}日"


def jst(ts: dt.datetime | None) -> dt.datetime | None:
    """A stored (naive UTC) timestamp in Japan time."""
    if ts is None:
        return None
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=dt.UTC)
    return ts.astimezone(JST)


def jst_text(ts: dt.datetime | None) -> str:
    t = jst(ts)
    return t.strftime("%Y-%m-%d %H:%M") if t else ""


# -- edits and masking ---------------------------------------------------------------------------
def apply_edits(record: dict, edits: dict[str, str]) -> dict:
    """The record with edited fields replaced by their edited text (marked ``edited``; no evidence)."""
    rec = copy.deepcopy(record)
    fields = rec.setdefault("fields", {})
    for key, text in edits.items():
        if key not in EDITABLE:
            continue
        old = fields.get(key) or {}
        lines = [{"text": t, "evidence": [], "why": ["職員が編集"]} for t in text.splitlines() if t.strip()]
        fields[key] = {**old, "label": old.get("label", EDIT_LABELS[key]), "text": text, "lines": lines,
                       "edited": True}
    return rec


def entities_of(record: dict) -> list[Entity]:
    """The personal data an unmasked record/1 carries (with ``text``)."""
    return [Entity(type=e.get("type", ""), start=int(e.get("start", 0)), end=int(e.get("end", 0)),
                   text=e["text"], placeholder=e.get("placeholder", ""), segment_id=e.get("segment_id"))
            for e in record.get("entities") or [] if e.get("text")]


def scrubber(entities: list[Entity]) -> Callable[[str], str]:
    """``pii.scrub`` for many strings: the raw strings are sorted and compiled once.

    Same rule as ``scrub``: longest raw string first, one-character names left alone."""
    pairs = dict(sorted({(en.text, en.placeholder or "[個人情報]") for en in entities if len(en.text.strip()) >= 2},
                        key=lambda p: len(p[0]), reverse=True))
    if not pairs:
        return lambda text: text
    pattern = re.compile("|".join(re.escape(raw) for raw in pairs))
    return lambda text: pattern.sub(lambda m: pairs[m.group(0)], text)


def _scrub(obj: Any, clean: Callable[[str], str]) -> Any:
    if isinstance(obj, str):
        return clean(obj)
    if isinstance(obj, list):
        return [_scrub(x, clean) for x in obj]
    if isinstance(obj, dict):
        return {k: _scrub(v, clean) for k, v in obj.items()}
    return obj


def mask_record(record: dict) -> dict:
    """record/1 with every personal-data string replaced by its placeholder; entities lose ``text``."""
    if record.get("masked", False) and not any("text" in e for e in record.get("entities") or []):
        return record
    clean = scrubber(entities_of(record))
    out = {k: (v if k in ("meta", "entities") else _scrub(v, clean)) for k, v in record.items()}
    out["entities"] = [{k: v for k, v in e.items() if k != "text"} for e in record.get("entities") or []]
    out["masked"] = True
    return out


def prepare(items: list[dict], masked: bool = True) -> list[dict]:
    """Export items with the record masked (default) — every format goes through here."""
    return [{**it, "record": mask_record(it["record"]) if masked else it["record"]} for it in items]


# -- formats --------------------------------------------------------------------------------------
def to_json(items: list[dict], masked: bool = True) -> str:
    """A JSON array of record/1 dicts; the workflow state is in each record's optional ``review`` key."""
    out = [{**it["record"], "review": _jsonable(it.get("review") or {})} for it in prepare(items, masked)]
    return json.dumps(out, ensure_ascii=False, indent=2) + "\n"


def _jsonable(d: dict) -> dict:
    return {k: (jst(v).isoformat() if isinstance(v, dt.datetime) else v) for k, v in d.items()}


def _field(rec: dict, key: str) -> str:
    f = (rec.get("fields") or {}).get(key) or {}
    if key == "consent" and not f.get("edited"):
        return str(f.get("value_label") or f.get("text") or "")
    return str(f.get("text") or "")


def csv_row(item: dict) -> list[str]:
    rec, rv = item["record"], item.get("review") or {}
    meta = rec.get("meta") or {}
    created = rv.get("created_at")
    day = jst(created).date() if created else None
    return [
        str(rv.get("id", meta.get("consultation_id", ""))), day.isoformat() if day else str(meta.get("date", "")),
        wareki(day) if day else "", jst(created).strftime("%H:%M") if created else "", str(rv.get("staff", "")),
        str(rv.get("counter", meta.get("counter", ""))), str(meta.get("channel", "")),
        str(rec.get("main_category") or ""), "、".join(c["name"] for c in rec.get("categories") or []),
        "、".join(u.get("label", "") for u in rec.get("urgency") or []),
        *(_field(rec, k) for k in ("main_concern", "household", "income_work", "housing", "health_care",
                                   "schemes", "next_actions", "consent", "notes")),
        STATUS_JA.get(rv.get("review_status", ""), str(rv.get("review_status", ""))),
        jst_text(rv.get("approved_at")), str(rv.get("approved_by", "")), str(rv.get("returned_count", 0)),
        "あり" if rec.get("masked", True) else "なし",
    ]


def to_csv(items: list[dict], masked: bool = True) -> str:
    """UTF-8 text starting with a BOM (write it as UTF-8 bytes), CRLF line ends, all fields quoted."""
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for it in prepare(items, masked):
        w.writerow(csv_row(it))
    return BOM + buf.getvalue()


def to_md(items: list[dict], masked: bool = True) -> str:
    parts = []
    for it in prepare(items, masked):
        md = to_markdown(it["record"]).replace("# 相談記録（下書き）", f"# 相談記録 {_title(it)}", 1)
        parts.append(md + _review_md(it))
    return "\n---\n\n".join(parts)


def _title(it: dict) -> str:
    rv = it.get("review") or {}
    return f"（{STATUS_JA.get(rv.get('review_status', ''), '')}・相談番号 {rv.get('id', '')}）"


def _review_md(it: dict) -> str:
    rv = it.get("review") or {}
    lines = ["", "## 確認"]
    lines.append(f"- 状態: {STATUS_JA.get(rv.get('review_status', ''), '')}")
    if rv.get("approved_at"):
        lines.append(f"- 承認: {jst_text(rv['approved_at'])}（JST） {rv.get('approved_by', '')}")
    return "\n".join(lines) + "\n"


def to_printable(items: list[dict], masked: bool = True, now: dt.datetime | None = None) -> str:
    """One printable page (A4, no scripts, no external assets): each record on its own sheet."""
    stamp = jst(now or dt.datetime.now(dt.UTC))
    sheets, head = [], ""
    for it in prepare(items, masked):
        page = to_html(it["record"])
        head = head or page[: page.index("<body>")]
        body = page[page.index("<body>") + len("<body>"): page.rindex("</body>")]
        body = body.replace("<h1>相談記録（下書き）</h1>", f"<h1>相談記録 {html.escape(_title(it))}</h1>" + _sheet_header(it), 1)
        sheets.append(f"<article class='sheet'>{body}</article>")
    head = head or "<!doctype html><html lang='ja'><head><meta charset='utf-8'><title>相談記録</title></head>"
    head = head.replace("</style>", ".sheet{page-break-after:always}.sheet:last-child{page-break-after:auto}"
                        ".printed{color:#555;font-size:.9em}</style>")
    printed = f"<p class='printed'>出力日時: {wareki(stamp.date())} {stamp:%H:%M}（JST）　{len(sheets)} 件</p>"
    return head + "<body>" + printed + "\n".join(sheets) + ("<p>該当する記録はありません。</p>" if not sheets else "") \
        + "</body></html>\n"


def _sheet_header(it: dict) -> str:
    rv = it.get("review") or {}
    created = jst(rv.get("created_at"))
    bits = []
    if created:
        bits.append(f"相談日時: {wareki(created.date())} {created:%H:%M}（JST）")
    if rv.get("approved_at"):
        ap = jst(rv["approved_at"])
        bits.append(f"承認: {wareki(ap.date())} {ap:%H:%M}（JST） {html.escape(str(rv.get('approved_by', '')))}")
    return "<p class='printed'>" + "　".join(bits) + "</p>" if bits else ""


FORMATS = {"csv": to_csv, "json": to_json, "md": to_md, "html": to_printable}
MEDIA = {"csv": ("text/csv; charset=utf-8", "csv"), "json": ("application/json", "json"),
         "md": ("text/markdown; charset=utf-8", "md"), "html": ("text/html; charset=utf-8", "html")}


def export(items: list[dict], fmt: str, masked: bool = True) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    return FORMATS[fmt](items, masked=masked)
