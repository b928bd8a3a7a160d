"""HTML of the review pages (list, record, staff's returned records): plain server-rendered pages.

Why not Gradio: the review page is a document (transcript beside the draft, evidence links, history
diffs) that supervisors read and print; plain HTML with a few lines of local JavaScript is faster to
open for a 60-minute transcript and needs no websocket. No external assets, no CDN.
"""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import urlencode

from assistant.app.review import STATUS_JA
from assistant.app.services import DRAFT_FIELDS
from assistant.asr.transcript import SPEAKER_LABELS_JA
from assistant.facts.urgency import KINDS
from assistant.record.export import jst_text

CSS = """
body{font-family:"Noto Sans CJK JP","Noto Sans JP",sans-serif;margin:0;color:#222;background:#f6f7f9;font-size:15px}
header{background:#2a6f97;color:#fff;padding:.5em 1em;display:flex;gap:1.5em;align-items:center}
header a{color:#fff;text-decoration:none}header .who{margin-left:auto;font-size:.9em}
main{padding:1em;max-width:110em;margin:auto}h1{font-size:1.3em;margin:.2em 0 .6em}h2{font-size:1.1em}
table.list{border-collapse:collapse;width:100%;background:#fff}table.list td,table.list th{border-bottom:1px solid #ddd;
 padding:.35em .5em;text-align:left}table.list tr:hover{background:#eef5fa}
.badge{display:inline-block;border-radius:3px;padding:0 .4em;font-size:.85em;border:1px solid #999}
.st-pending{background:#fff4d6}.st-approved{background:#e3f4e1}.st-returned{background:#fde2e1}.st-draft{background:#eee}
.urgent{color:#b00020;font-weight:bold}form.filters{display:flex;flex-wrap:wrap;gap:.6em;align-items:end;margin-bottom:.8em}
form.filters label{display:flex;flex-direction:column;font-size:.85em}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:1em}.panel{background:#fff;border:1px solid #ddd;padding:.8em;
 border-radius:6px;max-height:80vh;overflow:auto}
.seg{display:grid;grid-template-columns:4.5em 4.5em 1fr 2em;gap:.3em;padding:.2em;border-radius:4px}
.seg.hl{background:#fff1a8}.seg .orig{color:#555;font-size:.85em;margin-left:.4em}.seg .t{color:#666;font-variant-numeric:tabular-nums}.seg .sp{color:#2a6f97}
.line{cursor:pointer;padding:.1em .3em;border-radius:3px}.line:hover{background:#eef5fa}.line.sel{background:#fff1a8}
.ev{color:#777;font-size:.85em}.edited{color:#8a5a00;font-size:.85em}
.msg{background:#e3f4e1;padding:.5em;border-radius:4px}.err{background:#fde2e1;padding:.5em;border-radius:4px}
.gaps{background:#fff4d6;padding:.5em;border-radius:4px}.diff{font-family:monospace;white-space:pre-wrap;font-size:.9em}
.diff .add{color:#1b5e20}.diff .del{color:#b00020}textarea{width:100%;font:inherit}
button{font:inherit;padding:.3em .9em;border-radius:4px;border:1px solid #2a6f97;background:#fff;cursor:pointer}
button.primary{background:#2a6f97;color:#fff}button.danger{border-color:#b00020;color:#b00020}
details{margin:.4em 0}.masknote{font-size:.85em;color:#555}
"""

RECORD_JS = """
function hl(ids){document.querySelectorAll('.seg.hl').forEach(e=>e.classList.remove('hl'));
 let first=null;ids.forEach(i=>{const e=document.getElementById('seg-'+i);if(e){e.classList.add('hl');first=first||e;}});
 if(first){first.scrollIntoView({block:'center'});}}
document.querySelectorAll('.line').forEach(l=>l.addEventListener('click',()=>{
 document.querySelectorAll('.line.sel').forEach(e=>e.classList.remove('sel'));l.classList.add('sel');
 hl((l.dataset.ev||'').split(',').filter(x=>x));}));
const player=document.getElementById('player');
document.querySelectorAll('.play').forEach(b=>b.addEventListener('click',()=>{
 player.src=b.dataset.src;player.play();hl([b.dataset.seg]);}));
"""


def e(text: Any) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def page(title: str, body: str, user: Any = None, script: str = "") -> str:
    who = f"{e(getattr(user, 'display_name', '') or getattr(user, 'name', ''))}（{e(_role(user))}）" if user else ""
    nav = ("<a href='/review'>記録の確認</a><a href='/live'>相談中の窓口</a><a href='/overview'>統計</a>"
           if _role_key(user) in ("supervisor", "admin") else "<a href='/mine'>差戻しと下書き</a>")
    return (f"<!doctype html><html lang='ja'><head><meta charset='utf-8'><title>{e(title)}</title>"
            f"<meta name='viewport' content='width=device-width,initial-scale=1'><style>{CSS}</style></head><body>"
            f"<header><strong>窓口相談アシスタント</strong>{nav}<a href='/'>窓口画面</a>"
            f"<span class='who'>{who} <a href='/logout'>ログアウト</a></span></header>"
            f"<main>{body}</main>" + (f"<script>{script}</script>" if script else "") + "</body></html>")


def _role_key(user: Any) -> str:
    return str(getattr(getattr(user, "role", ""), "value", getattr(user, "role", "")))


def _role(user: Any) -> str:
    return {"staff": "職員", "supervisor": "監督者", "admin": "管理者"}.get(_role_key(user), _role_key(user))


def notices(msg: str = "", err: str = "") -> str:
    return (f"<p class='msg' role='status'>{e(msg)}</p>" if msg else "") + \
        (f"<p class='err' role='alert'>{e(err)}</p>" if err else "")


def _select(name: str, value: str, choices: list[tuple[str, str]], label: str) -> str:
    opts = "".join(f"<option value='{e(v)}'{' selected' if v == value else ''}>{e(t)}</option>" for v, t in choices)
    return f"<label>{e(label)}<select name='{name}' id='f-{name}'>{opts}</select></label>"


def filters_form(q: dict[str, str], choices: dict[str, list[str]]) -> str:
    st = [("", "すべて")] + list(STATUS_JA.items())
    urgent = [("", "指定なし"), ("any", "いずれか")] + list(KINDS.items())
    parts = [_select("status", q.get("status", ""), st, "状態"),
             f"<label>相談日（から）<input type='date' name='since' value='{e(q.get('since', ''))}'></label>",
             f"<label>相談日（まで）<input type='date' name='until' value='{e(q.get('until', ''))}'></label>"]
    for key, label in (("staff", "受付者"), ("counter", "窓口"), ("category", "分類")):
        parts.append(_select(key, q.get(key, ""), [("", "すべて")] + [(v, v) for v in choices.get(key, [])], label))
    parts.append(f"<label>制度ID<input name='scheme' value='{e(q.get('scheme', ''))}' size='14'></label>")
    parts.append(_select("urgent", q.get("urgent", ""), urgent, "緊急性"))
    parts.append(f"<label>検索（マスク済みの本文）<input name='q' id='f-q' value='{e(q.get('q', ''))}'></label>")
    parts.append("<button class='primary' id='f-apply'>絞り込む</button>")
    return "<form class='filters' method='get' action='/review'>" + "".join(parts) + "</form>"


def export_form(q: dict[str, str]) -> str:
    hidden = "".join(f"<input type='hidden' name='{e(k)}' value='{e(v)}'>" for k, v in q.items()
                     if k not in ("fmt", "unmasked", "page") and v)
    fmts = "".join(f"<button name='fmt' value='{v}' id='export-{v}'>{t}</button>"
                   for v, t in (("csv", "CSV"), ("json", "JSON"), ("md", "Markdown"), ("html", "印刷用")))
    return (f"<form method='get' action='/review/export' class='filters'>{hidden}<span>この条件で出力:</span>{fmts}"
            "<label style='flex-direction:row;gap:.3em'><input type='checkbox' name='unmasked' value='1' "
            "id='export-unmasked'>個人情報を含める（記録に残ります）</label></form>")


def list_table(rows: list[dict]) -> str:
    if not rows:
        return "<p>該当する記録はありません。</p>"
    out = ["<table class='list' id='records'><tr><th>番号</th><th>状態</th><th>相談日</th><th>受付者</th><th>窓口</th>"
           "<th>分類</th><th>緊急性</th><th>制度</th><th>差戻し</th></tr>"]
    for r in rows:
        urgent = "、".join(KINDS.get(k, k) for k in r["urgent"])
        out.append(f"<tr data-id='{r['id']}'><td><a href='/review/{r['id']}'>#{r['id']}</a></td>"
                   f"<td><span class='badge st-{e(r['review_status'])}'>{e(STATUS_JA.get(r['review_status'], ''))}"
                   f"</span></td><td>{e(r['date'])}</td><td>{e(r['staff'])}</td><td>{e(r['counter'])}</td>"
                   f"<td>{e(r['category'])}</td><td class='urgent'>{e(urgent)}</td>"
                   f"<td>{e(' '.join(r['pinned']))}</td><td>{r['returned_count'] or ''}</td></tr>")
    return "".join(out) + "</table>"


def pager(q: dict[str, str], total: int, page_no: int, size: int) -> str:
    last = max((total - 1) // size, 0)
    links = []
    for n, label in ((page_no - 1, "← 前へ"), (page_no + 1, "次へ →")):
        if 0 <= n <= last and n != page_no:
            links.append(f"<a href='/review?{urlencode({**q, 'page': n})}'>{label}</a>")
    return f"<p>{total} 件中 {page_no * size + 1 if total else 0}–{min((page_no + 1) * size, total)} 件　" \
        + "　".join(links) + "</p>"


# -- one record ------------------------------------------------------------------------------------
def transcript(view: dict, cid: int, can_play: bool) -> str:
    out = ["<audio id='player' controls preload='none'></audio>"] if can_play else []
    for s in view["segments"]:
        start = int(s["start"])
        play = (f"<button class='play' type='button' title='再生' aria-label='#{s['id']} を再生' data-seg='{s['id']}' "
                f"data-src='/review/{cid}/audio/{s['id']}'>▶</button>") if can_play else ""
        flags = " ⚠" if s.get("flags") else ""
        if s.get("original_text") is not None:
            flags += f"<span class='orig'>（自動補正・原文「{e(s['original_text'])}」）</span>"
        out.append(f"<div class='seg' id='seg-{s['id']}'><span class='t'>#{s['id']} {start // 60:02d}:{start % 60:02d}"
                   f"</span><span class='sp'>{e(SPEAKER_LABELS_JA.get(s['speaker'], s['speaker']))}</span>"
                   f"<span class='tx'>{e(s['text'])}{flags}</span>{play}</div>")
    return "".join(out)


def draft(view: dict) -> str:
    rec = view["record"]
    out = []
    if view["urgency"]:
        out.append("<div class='err'><strong>緊急性:</strong> " + "、".join(
            f"<span class='line' data-ev='{','.join(map(str, u.get('segment_ids', [])))}'>{e(u['label'])}</span>"
            for u in view["urgency"]) + "</div>")
    if rec.get("main_category"):
        out.append(f"<p>主な分類: {e(rec['main_category'])}</p>")
    fields = rec.get("fields") or {}
    for key, label in DRAFT_FIELDS:
        f = fields.get(key)
        if not isinstance(f, dict):
            continue
        edited = " <span class='edited'>（編集済み）</span>" if f.get("edited") else ""
        out.append(f"<h2>{e(label)}{edited}</h2>")
        lines = f.get("lines") or []
        for ln in lines:
            ids = [str(x["segment_id"]) for x in ln.get("evidence", [])]
            ev = f" <span class='ev'>（{', '.join('#' + i for i in ids)}）</span>" if ids else ""
            out.append(f"<div class='line' data-ev='{','.join(ids)}'>{e(ln['text'])}{ev}</div>")
        if not lines:
            out.append(f"<div class='ev'>{e(f.get('value_label') or f.get('text') or '（未記載）')}</div>")
    return "".join(out)


def gaps(items: list[str]) -> str:
    if not items:
        return ""
    return "<div class='gaps' id='gaps'><strong>聞き取り漏れ:</strong><ul>" + \
        "".join(f"<li>{e(g)}</li>" for g in items) + "</ul></div>"


def history(view: dict) -> str:
    out = ["<details id='history'><summary>変更履歴</summary>"]
    for h in reversed(view["history"]):
        out.append(f"<p><strong>版 {h['version']}</strong> {e(jst_text(h['at']))} {e(h['author'])}</p>")
        for d in h["diff"]:
            rows = "".join(f"<div class='{'add' if ln.startswith('+') else 'del' if ln.startswith('-') else ''}'>"
                           f"{e(ln)}</div>" for ln in d["lines"])
            out.append(f"<div class='diff'><em>{e(d['label'])}</em>{rows}</div>")
    out.append("<h3>確認の記録</h3><ul>")
    for a in view["actions"]:
        if a["action"] in ("view",):
            continue
        comment = f"「{e(a['comment'])}」" if a["comment"] else ""
        out.append(f"<li>{e(jst_text(a['at']))} {e(a['actor'])}: {e(a['action_ja'])} {comment}</li>")
    for c in view["corrections"]:
        out.append(f"<li>{e(jst_text(c['at']))} {e(c['actor'])}: #{c['seg_id']} の{'発言' if c['field'] == 'text' else '話者'}"
                   f"を修正（元: {e(c['old'])} → {e(c['new'])}）</li>")
    return "".join(out) + "</ul></details>"


def edit_forms(cid: int, view: dict) -> str:
    opts = "".join(f"<option value='{k}'>{e(label)}</option>" for k, label in DRAFT_FIELDS)
    texts = "".join(f"<template id='text-{k}'>{e(view['fields'].get(k, ''))}</template>" for k, _ in DRAFT_FIELDS)
    return (f"<details id='edit-box'><summary>記録を修正する</summary>{texts}"
            f"<form method='post' action='/review/{cid}/edit'><select name='field' id='edit-field'>{opts}</select>"
            "<textarea name='text' rows='5' id='edit-text'></textarea>"
            "<button class='primary' id='edit-save'>この項目を保存</button></form></details>"
            "<script>(function(){const s=document.getElementById('edit-field'),t=document.getElementById('edit-text');"
            "const load=()=>{t.value=document.getElementById('text-'+s.value).content.textContent;};"
            "s.addEventListener('change',load);load();})();</script>")


def correct_form(cid: int) -> str:
    speakers = "".join(f"<option value='{k}'>{e(v)}</option>" for k, v in SPEAKER_LABELS_JA.items())
    return (f"<details id='correct-box'><summary>文字起こしを修正する（元の内容は残ります）</summary>"
            f"<form method='post' action='/review/{cid}/correct'>"
            "<label>発言番号 <input name='seg_id' type='number' min='1' required id='correct-seg'></label>"
            f"<label> 話者 <select name='speaker' id='correct-speaker'><option value=''>変更しない</option>{speakers}"
            "</select></label><textarea name='text' rows='2' placeholder='正しい発言（空欄なら変更しない）' "
            "id='correct-text'></textarea><button id='correct-save'>修正を保存</button></form></details>")


def review_actions(cid: int, status: str) -> str:
    if status != "pending":
        return ""
    return (f"<form method='post' action='/review/{cid}/return' class='filters'>"
            "<textarea name='comment' rows='2' placeholder='差戻しの理由（職員に表示されます）' id='return-comment'></textarea>"
            "<button class='danger' id='return'>差し戻す</button></form>"
            f"<form method='post' action='/review/{cid}/approve'><button class='primary' id='approve'>承認する</button></form>")


def staff_actions(cid: int, status: str, gaps_html: str) -> str:
    if status not in ("draft", "returned"):
        return ""
    label = "修正して再提出（確認待ちにする）" if status == "returned" else "確認待ちにする（提出）"
    return (f"<form method='post' action='/review/{cid}/submit'>{gaps_html}"
            f"<button class='primary' id='submit'>{label}</button></form>")
