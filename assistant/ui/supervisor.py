"""Supervisor pages: the live view of the counters and the office overview (charts).

- ``GET /live``: consultations in progress (counter, staff, duration, category, urgent signs, help
  calls); the table refreshes itself every 2 s from ``GET /live/api`` (local fetch, no websocket).
- ``GET /live/{id}``: that consultation's live transcript and suggestions, read-only (masked);
  ``POST /live/{id}/ack`` answers a 「相談したい」 call.
- ``GET /overview``: charts of ``assistant.app.overview``; plotly.js comes from the installed Python
  package through ``GET /review-static/plotly.js`` — never a CDN.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from assistant.app import overview
from assistant.app.accounts import User
from assistant.app.review import Actor, Refused, ReviewService
from assistant.asr.transcript import SPEAKER_LABELS_JA
from assistant.ui import review as review_pages
from assistant.ui import review_html as H
from assistant.ui.auth import client_of, gr_user, require_role
from assistant.ui.review import _refused, actor_of

LIVE_JS = """
function fmt(s){s=Math.floor(s);const m=Math.floor(s/60);return m+'分'+String(s%60).padStart(2,'0')+'秒';}
function esc(t){const d=document.createElement('div');d.textContent=t==null?'':String(t);return d.innerHTML;}
async function refresh(){
 try{const r=await fetch('/live/api',{credentials:'same-origin'});if(!r.ok)return;const rows=await r.json();
 const tb=document.getElementById('live-rows');
 tb.innerHTML=rows.length?rows.map(x=>`<tr data-id="${x.id}" class="${x.help?'help':''}">
 <td><a href="/live/${x.id}">#${x.id}</a></td><td>${esc(x.counter)}</td><td>${esc(x.staff)}</td><td>${fmt(x.duration)}</td>
 <td>${esc(x.category)}</td><td class="urgent">${esc(x.urgent.join('、'))}</td>
 <td>${x.help?'<strong class="helpcall">相談したい（'+esc(x.help.actor)+'）</strong>':''}</td></tr>`).join('')
 :'<tr><td colspan="7">相談中の窓口はありません。</td></tr>';}catch(e){}
}
refresh();setInterval(refresh,2000);
"""
LIVE_CSS = "<style>tr.help{background:#fff1a8}.helpcall{color:#b00020}</style>"


def routers(services: Any) -> list[APIRouter]:
    """Every review and supervisor route, for the FastAPI app in front of Gradio (``ui.auth``)."""
    svc = ReviewService(services.store, live=services)
    return [review_pages.router(svc), router(svc)]


def request_help(services: Any, cid: int, request: Any) -> None:
    """The counter view's 「相談したい」 button (a Gradio handler passes its ``gr.Request``)."""
    user = gr_user(request)
    ReviewService(services.store, live=services).request_help(cid, Actor.of(user, client_of(request)))


def submit_from_counter(services: Any, cid: int, request: Any) -> str:
    """The counter view's 「確認待ちにする」 after the consultation ended; the notice names open gaps."""
    user = gr_user(request)
    result = ReviewService(services.store, live=services).submit(cid, Actor.of(user, client_of(request)))
    gaps = result["gaps"]
    return "記録を確認待ちにしました。" + (f"聞き取り漏れが {len(gaps)} 件残っています（監督者にも表示されます）。"
                                       if gaps else "")


def router(review: ReviewService) -> APIRouter:
    r = APIRouter()
    boss_dep = Depends(require_role("supervisor"))

    @r.get("/live", response_class=HTMLResponse)
    def live_page(request: Request, user: User = boss_dep) -> HTMLResponse:
        body = (LIVE_CSS + "<h1>相談中の窓口</h1><table class='list' id='live'><thead><tr><th>番号</th><th>窓口</th>"
                "<th>職員</th><th>経過</th><th>分類</th><th>緊急性</th><th>呼び出し</th></tr></thead>"
                "<tbody id='live-rows'></tbody></table>")
        return HTMLResponse(H.page("相談中の窓口", body, user, LIVE_JS))

    @r.get("/live/api")
    def live_api(request: Request, user: User = boss_dep) -> Response:
        actor = actor_of(user, request)
        try:
            rows = review.live_view(actor)
        except Refused as exc:
            return _refused(review, actor, "live", None, exc)
        return JSONResponse([{**x, "help": {"actor": x["help"]["actor"]} if x["help"] else None} for x in rows])

    @r.get("/live/{cid}", response_class=HTMLResponse)
    def live_detail(cid: int, request: Request, user: User = boss_dep) -> Response:
        actor = actor_of(user, request)
        try:
            d = review.live_detail(cid, actor)
        except Refused as exc:
            return _refused(review, actor, "live", cid, exc)
        return HTMLResponse(H.page(f"相談中 #{cid}", _detail(cid, d), user,
                                   "setTimeout(()=>location.reload(),3000);" if d["consultation"]["status"] == "open"
                                   else ""))

    @r.post("/live/{cid}/ack")
    def ack(cid: int, request: Request, user: User = boss_dep) -> Response:
        actor = actor_of(user, request)
        try:
            review.acknowledge_help(cid, actor)
        except Refused as exc:
            return _refused(review, actor, "help_ack", cid, exc)
        return RedirectResponse(f"/live/{cid}", status_code=303)

    @r.get("/overview", response_class=HTMLResponse)
    def overview_page(request: Request, user: User = boss_dep) -> HTMLResponse:
        review.ensure_index()
        ov = overview.compute(review.store)
        share = f"{ov.returned_share:.0%}" if ov.returned_share is not None else "—"
        hours = f"{ov.hours_to_approval:.1f} 時間" if ov.hours_to_approval is not None else "—"
        body = ("<h1>統計</h1><script src='/review-static/plotly.js'></script>"
                f"<p id='kpi'>確認依頼 {ov.submitted} 件 ・ 差戻しのあった記録 {share} ・ "
                f"相談終了から承認までの平均 {hours}（承認 {ov.approved} 件）</p>"
                + "".join(f"<section class='panel' style='max-height:none;margin-bottom:1em'>{c}</section>"
                          for c in overview.charts(ov)))
        return HTMLResponse(H.page("統計", body, user))

    @r.get("/review-static/plotly.js")
    def plotly_js(user: User = boss_dep) -> Response:
        return Response(overview.plotly_js(), media_type="application/javascript",
                        headers={"Cache-Control": "private, max-age=86400"})

    return r


def _detail(cid: int, d: dict) -> str:
    c = d["consultation"]
    help_box = ""
    if d["help"]:
        help_box = (f"<form method='post' action='/live/{cid}/ack' class='err'>「相談したい」: {H.e(d['help']['actor'])}　"
                    "<button id='ack'>対応します</button></form>")
    urgent = "".join(f"<p class='err'>緊急性: {H.e(u['label'])}</p>" for u in d["urgency"])
    segs = "".join(f"<div class='seg' id='seg-{s['id']}'><span class='t'>#{s['id']} {int(s['start']) // 60:02d}:"
                   f"{int(s['start']) % 60:02d}</span><span class='sp'>{H.e(SPEAKER_LABELS_JA.get(s['speaker'], ''))}"
                   f"</span><span>{H.e(s['text'])}</span></div>" for s in d["segments"])
    sugg = "".join(f"<li>{H.e(s['name'] or s['scheme_id'])}{'（案内した）' if s['status'] == 'pinned' else ''}</li>"
                   for s in d["suggestions"])
    return (f"<h1>相談中 #{cid}（閲覧のみ）</h1><p>{H.e(c['counter'])}　{H.e(c['staff'])}</p>{help_box}{urgent}"
            f"<div class='cols'><section class='panel' id='live-transcript'><h2>文字起こし</h2>{segs or '（まだ発言はありません）'}"
            f"</section><section class='panel'><h2>制度の提案</h2><ul id='live-suggestions'>{sugg}</ul></section></div>")
