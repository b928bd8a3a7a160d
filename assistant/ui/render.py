"""HTML fragments of the counter view. Pure functions of service data: no pipeline logic here.

Everything user-visible is Japanese and escaped; the page uses only the local stylesheet
(``style.css``), never external fonts, scripts or images.
"""

from __future__ import annotations

import html
from typing import Any

from assistant.app.services import DRAFT_FIELDS, fmt_time, speaker_label

E = html.escape


def status(info: dict | None, recording: bool, notice: str = "") -> str:
    if not info:
        return ("<div class='status idle'><span class='dot off'></span>相談は開始されていません。"
                "「相談を開始」を押してください。</div>")
    if info["status"] == "ended":
        state = "<span class='dot off'></span>終了した相談です（記録は保存済み）"
        cls = "ended"
    elif info["off_record"]:
        state = "<span class='dot paused'></span>一時停止中（記録外：音声は保存も文字起こしもしていません）"
        cls = "paused"
    elif recording:
        state = "<span class='dot rec'></span><b>録音中</b>"
        cls = "recording"
    else:
        state = "<span class='dot off'></span>録音していません"
        cls = "stopped"
    consent = ("<span class='badge ok'>録音同意あり</span>" if info["consent"]
               else "<span class='badge warn'>録音同意 未確認</span>")
    if info.get("help_pending"):
        consent += "<span class='badge help' id='help-pending'>「相談したい」送信済み・監督者を待っています</span>"
    extra = f"<div class='notice'>{E(notice)}</div>" if notice else ""
    return (f"<div class='status {cls}' id='rec-indicator' data-state='{cls}'>"
            f"<span class='cid'>相談番号 {info['id']}</span>{consent}<span class='state'>{state}</span>"
            f"<span class='saved'>自動保存</span></div>{extra}")


def transcript(segments: list[Any], provisional: dict | None) -> str:
    if not segments and not provisional:
        return ("<div class='tscroll'><div class='tinner'><p class='empty'>ここに会話の文字起こしが表示されます。"
                "</p></div></div>")
    lines = []
    for s in segments:
        flags = "".join(f"<span class='flag'>{E(_flag(f))}</span>" for f in s.flags)
        if s.original_text is not None:  # an automatic correction is never silent: the recognised text stays in view
            flags += f"<span class='orig' title='認識された文のまま'>原文「{E(s.original_text)}」</span>"
        lines.append(
            f"<div class='line spk-{E(s.speaker)}' data-seg='{s.id}'>"
            f"<span class='time'>{fmt_time(s.start)}</span>"
            f"<span class='spk'>{E(speaker_label(s.speaker))}</span>"
            f"<span class='text'>{E(s.text)}{flags}</span><span class='sid'>#{s.id}</span></div>")
    if provisional:
        lines.append(
            f"<div class='line provisional'><span class='time'>{fmt_time(provisional['start'])}</span>"
            f"<span class='spk'>…</span><span class='text'>{E(provisional['text'])}"
            "<span class='hint'>（話し中・未確定）</span></span></div>")
    return f"<div class='tscroll'><div class='tinner'>{''.join(lines)}</div></div>"


def _flag(flag: str) -> str:
    return {"low_confidence": "聞き取り不確か", "repetition": "繰り返し", "no_speech": "音声弱",
            "corrected": "制度名を自動補正"}.get(flag, flag)


def suggestion(s: dict | None) -> str:
    if not s:
        return ""
    reasons = s.get("reasons") or []
    reason = reasons[0]["text"] if reasons else ""
    cites = sorted({i for r in reasons for i in (r.get("segment_ids") or [])})
    cite = f"<span class='cite'>発言 {'・'.join('#' + str(i) for i in cites[:6])}</span>" if cites else ""
    pinned = "<span class='badge ok'>案内した</span>" if s.get("status") == "pinned" else ""
    docs = "".join(f"<li>{E(d)}</li>" for d in s.get("documents") or [])
    more_reasons = "".join(f"<li>{E(r.get('text', ''))}</li>" for r in reasons[1:])
    return (
        f"<div class='sugg' data-scheme='{E(s['scheme_id'])}'>"
        f"<div class='sname'>{E(s.get('name', s['scheme_id']))}{pinned}</div>"
        f"<div class='reason'>理由：{E(reason)} {cite}</div>"
        "<details><summary>詳しく見る</summary>"
        f"<p><b>概要</b><br>{E(s.get('summary', ''))}</p>"
        f"<p><b>対象となる人</b><br>{E(s.get('eligibility', ''))}</p>"
        f"<p><b>申し込み方法</b><br>{E(s.get('how_to_apply', ''))}</p>"
        + (f"<p><b>持ち物</b></p><ul>{docs}</ul>" if docs else "")
        + (f"<p><b>ほかの理由</b></p><ul>{more_reasons}</ul>" if more_reasons else "")
        + "</details></div>")


def pinned(items: list[dict]) -> str:
    if not items:
        return "<div class='pinned empty'>案内した制度はまだありません。</div>"
    lis = "".join(f"<li data-scheme='{E(p['scheme_id'])}'>{E(p.get('name') or p['scheme_id'])}</li>" for p in items)
    return f"<div class='pinned'><ul>{lis}</ul></div>"


def draft(d: dict) -> str:
    rows = []
    edited = set(d.get("edited") or [])
    for key, label in DRAFT_FIELDS:
        text = (d.get("fields") or {}).get(key, "")
        if not text and key not in edited:
            continue
        badge = "<span class='badge edit'>職員が編集</span>" if key in edited else ""
        rows.append(f"<tr data-field='{key}'><th>{E(label)}{badge}</th><td>{E(text)}</td></tr>")
    if not rows:
        return "<div class='draft empty'>会話が進むと、ここに相談記録の下書きができていきます。</div>"
    return f"<div class='draft'><table>{''.join(rows)}</table><div class='ver'>版 {d.get('version', 0)}</div></div>"


def gaps(items: list[str]) -> str:
    if not items:
        return "<div class='gaps none'>聞き取り漏れ：なし</div>"
    lis = "".join(f"<li>{E(g)}</li>" for g in items)
    return f"<div class='gaps'><b>聞き取り漏れ（まだ聞いていない項目）</b><ul>{lis}</ul></div>"


def alerts(items: list[dict]) -> str:
    if not items:
        return ""
    lis = []
    for a in items:
        label = a.get("label") or a.get("name") or a.get("kind") or a.get("key") or "緊急"
        sentences = a.get("sentences") or []
        text = "　".join(f"「{x}」" for x in sentences) if sentences else (a.get("text") or "")
        cites = a.get("segment_ids") or []
        cite = f"（発言 {'・'.join('#' + str(i) for i in cites)}）" if cites else ""
        lis.append(f"<li><b>{E(str(label))}</b> {E(str(text))}{E(cite)}</li>")
    return (f"<div class='alert' role='alert'><div class='alert-title'>⚠ 緊急の対応が必要な可能性があります</div>"
            f"<ul>{''.join(lis)}</ul></div>")


def search_results(items: list[dict]) -> str:
    if not items:
        return "<div class='kb empty'>該当する制度は見つかりませんでした。</div>"
    out = []
    for s in items:
        out.append(f"<div class='kbitem' data-scheme='{E(s['id'])}'><b>{E(s['name'])}</b>"
                   f"<span class='cat'>{E(s.get('category_ja', ''))}</span><div>{E(s.get('summary', ''))}</div></div>")
    return "<div class='kb'>" + "".join(out) + "</div>"


def interrupted(items: list[dict]) -> str:
    if not items:
        return ""
    lis = "".join(f"<li>相談番号 {i['id']}（{E(i['created'])} 開始、発言 {i['segments']} 件保存済み）</li>"
                  for i in items)
    return ("<div class='interrupted'><b>中断された相談があります。</b>保存済みの内容は失われていません。"
            f"続ける場合は「再開」、終える場合は「終了して閉じる」を押してください。<ul>{lis}</ul></div>")


def errors(items: list[str]) -> str:
    if not items:
        return ""
    return "<div class='errors'>" + "".join(f"<div>{E(e)}</div>" for e in items[-3:]) + "</div>"
