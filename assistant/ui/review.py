"""Review pages and routes: the supervisor's list and record view, the staff's returned records.

Routes (all behind the login middleware of ``assistant.ui.auth``; roles checked again by the
service, so a hand-made request is refused just like a click):

- ``GET /review`` list with filters and search, export buttons; ``GET /review/export`` the file;
- ``GET /review/{id}`` transcript beside the draft; ``GET /review/{id}/audio/{seg}`` one segment's audio;
- ``POST /review/{id}/edit|correct|return|approve|submit``;
- ``GET /mine`` the staff member's returned records (with the supervisor's comment) and unsent drafts.

Every action redirects back (303) with a Japanese notice; a refusal is HTTP 403 and audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from assistant.app import audit
from assistant.app.accounts import User
from assistant.app.review import Actor, Refused, ReviewService
from assistant.app.review_store import ReviewFilter
from assistant.app.services import NotFound, ServiceError
from assistant.record.export import MEDIA
from assistant.ui import review_html as H
from assistant.ui.auth import client_of, require_role

PAGE_SIZE = 50
FILTER_KEYS = ("status", "since", "until", "staff", "counter", "category", "scheme", "urgent", "q")


def actor_of(user: User, request: Request) -> Actor:
    return Actor.of(user, client_of(request))


def parse_filter(q: dict[str, str], page_no: int = 0, size: int = PAGE_SIZE) -> ReviewFilter:
    def day(v: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat(v) if v else None
        except ValueError:
            return None

    return ReviewFilter(status=q.get("status", ""), since=day(q.get("since", "")), until=day(q.get("until", "")),
                        staff=q.get("staff", ""), counter=q.get("counter", ""), category=q.get("category", ""),
                        scheme=q.get("scheme", "").strip(), urgent=q.get("urgent", ""), query=q.get("q", ""),
                        limit=size, offset=page_no * size)


def _back(path: str, msg: str = "", err: str = "") -> RedirectResponse:
    qs = f"?msg={quote(msg)}" if msg else f"?err={quote(err)}" if err else ""
    return RedirectResponse(path + qs, status_code=303)


def _refused(review: ReviewService, actor: Actor, action: str, cid: int | None, exc: Refused) -> HTMLResponse:
    audit.record(review.store, actor=actor.name, role=actor.role, action="denied", client=actor.client,
                 target=f"consultation:{cid}" if cid else "consultations", detail={"wanted": action})
    return HTMLResponse(H.page("権限がありません", H.notices(err=str(exc))), status_code=403)


def _act(review: ReviewService, actor: Actor, cid: int, name: str, fn: Callable[[], Any], done: str,
         back: str | None = None) -> Response:
    """Run one review action; the notice (or the Japanese error) is shown on the record page."""
    back = back or f"/review/{cid}"
    try:
        fn()
    except Refused as exc:
        return _refused(review, actor, name, cid, exc)
    except NotFound as exc:
        return HTMLResponse(H.page("見つかりません", H.notices(err=str(exc))), status_code=404)
    except ServiceError as exc:
        return _back(back, err=str(exc))
    return _back(back, msg=done)


def router(review: ReviewService) -> APIRouter:
    r = APIRouter()
    staff_dep = Depends(require_role("staff"))
    boss_dep = Depends(require_role("supervisor"))

    @r.get("/review", response_class=HTMLResponse)
    def list_page(request: Request, user: User = boss_dep) -> HTMLResponse:
        q = {k: request.query_params.get(k, "") for k in FILTER_KEYS}
        page = request.query_params.get("page", "0")
        page_no = int(page) if page.isdigit() else 0
        review.ensure_index()
        total, rows = review.list_records(actor_of(user, request), parse_filter(q, page_no))
        body = ("<h1>記録の確認</h1>" + H.notices(request.query_params.get("msg", ""), request.query_params.get("err", ""))
                + H.filters_form(q, review.filter_choices()) + H.export_form(q) + H.pager(q, total, page_no, PAGE_SIZE)
                + H.list_table(rows))
        return HTMLResponse(H.page("記録の確認", body, user))

    @r.get("/review/export")
    def export(request: Request, user: User = boss_dep) -> Response:
        q = {k: request.query_params.get(k, "") for k in FILTER_KEYS}
        fmt = request.query_params.get("fmt", "csv")
        unmasked = request.query_params.get("unmasked") == "1"
        actor = actor_of(user, request)
        try:
            text, _ = review.export(actor, fmt, parse_filter(q, 0, 10**9), unmasked=unmasked)
        except Refused as exc:
            return _refused(review, actor, "export", None, exc)
        except ValueError as exc:
            return _back("/review", err=str(exc))
        media, ext = MEDIA[fmt]
        name = f"records-{dt.date.today():%Y%m%d}{'-unmasked' if unmasked else ''}.{ext}"
        return Response(text.encode("utf-8"), media_type=media,
                        headers={"Content-Disposition": f"attachment; filename={name}"})

    @r.get("/review/{cid}", response_class=HTMLResponse)
    def record_page(cid: int, request: Request, user: User = staff_dep) -> Response:
        actor = actor_of(user, request)
        unmasked = request.query_params.get("unmasked") == "1"
        try:
            view = review.open_record(cid, actor, unmasked=unmasked)
        except Refused as exc:
            return _refused(review, actor, "view", cid, exc)
        except NotFound as exc:
            return HTMLResponse(H.page("見つかりません", H.notices(err=str(exc)), user), status_code=404)
        return HTMLResponse(H.page(f"相談記録 #{cid}", _record_body(cid, view, actor, request), user, H.RECORD_JS))

    @r.get("/review/{cid}/audio/{seg_id}")
    def audio(cid: int, seg_id: int, request: Request, user: User = boss_dep) -> Response:
        actor = actor_of(user, request)
        try:
            data = review.segment_audio(cid, seg_id, actor)
        except Refused as exc:
            return _refused(review, actor, "audio", cid, exc)
        except ServiceError as exc:
            return Response(str(exc), status_code=404, media_type="text/plain; charset=utf-8")
        return Response(data, media_type="audio/wav", headers={"Cache-Control": "no-store"})

    @r.post("/review/{cid}/edit")
    def edit(cid: int, request: Request, field: str = Form(...), text: str = Form(""),
             user: User = staff_dep) -> Response:
        a = actor_of(user, request)
        return _act(review, a, cid, "edit", lambda: review.edit(cid, a, field, text), "記録を保存しました。")

    @r.post("/review/{cid}/correct")
    def correct(cid: int, request: Request, seg_id: int = Form(...), text: str = Form(""),
                speaker: str = Form(""), user: User = boss_dep) -> Response:
        a = actor_of(user, request)
        return _act(review, a, cid, "correct",
                    lambda: review.correct_segment(cid, a, seg_id, text=text.strip() or None, speaker=speaker or None),
                    f"発言 #{seg_id} を修正しました（元の内容は履歴に残っています）。")

    @r.post("/review/{cid}/return")
    def return_(cid: int, request: Request, comment: str = Form(""), user: User = boss_dep) -> Response:
        a = actor_of(user, request)
        return _act(review, a, cid, "return", lambda: review.return_record(cid, a, comment),
                    "差し戻しました。職員の画面にコメントが表示されます。")

    @r.post("/review/{cid}/approve")
    def approve(cid: int, request: Request, user: User = boss_dep) -> Response:
        a = actor_of(user, request)
        return _act(review, a, cid, "approve", lambda: review.approve(cid, a), "承認しました。")

    @r.post("/review/{cid}/submit")
    def submit(cid: int, request: Request, user: User = staff_dep) -> Response:
        a = actor_of(user, request)
        return _act(review, a, cid, "submit", lambda: review.submit(cid, a), "確認待ちにしました。")

    @r.get("/mine", response_class=HTMLResponse)
    def mine(request: Request, user: User = staff_dep) -> HTMLResponse:
        rows = review.my_records(actor_of(user, request))
        items = "".join(
            f"<tr data-id='{x['id']}'><td><a href='/review/{x['id']}'>#{x['id']}</a></td>"
            f"<td><span class='badge st-{H.e(x['review_status'])}'>{H.e(H.STATUS_JA[x['review_status']])}</span></td>"
            f"<td>{H.e(x['date'])}</td><td class='comment'>{H.e(x['comment'] if x['review_status'] == 'returned' else '')}"
            "</td></tr>" for x in rows)
        body = ("<h1>差戻しと提出前の記録</h1>" + H.notices(request.query_params.get("msg", ""))
                + ("<table class='list' id='mine'><tr><th>番号</th><th>状態</th><th>相談日</th><th>監督者のコメント</th></tr>"
                   + items + "</table>" if rows else "<p>差し戻された記録はありません。</p>"))
        return HTMLResponse(H.page("差戻しと下書き", body, user))

    return r


def _record_body(cid: int, view: dict, actor: Actor, request: Request) -> str:
    c = view["consultation"]
    boss = actor.role in ("supervisor", "admin")
    status = c["review_status"]
    head = (f"<h1>相談記録 #{cid} <span class='badge st-{H.e(status)}' id='review-status'>{H.e(c['review_status_ja'])}"
            f"</span></h1><p>{H.e(c['staff'])}　{H.e(c['counter'])}　{H.e(H.jst_text(c['created_at']))}（JST）</p>")
    if status == "returned" and c["comment"]:
        head += f"<p class='err' id='return-comment-shown'>差戻しのコメント: {H.e(c['comment'])}</p>"
    mask = ("<p class='masknote'>個人情報はマスクしています。"
            + (f"<a href='/review/{cid}?unmasked=1' id='unmask' onclick=\"return confirm('個人情報を表示します。"
               "この操作は記録に残ります。よろしいですか。')\">個人情報を表示する（記録に残ります）</a>" if boss else "")
            + "</p>") if view["masked"] else "<p class='err'>個人情報を表示しています（この閲覧は記録に残りました）。</p>"
    gaps = H.gaps(view["gaps"])
    no_audio = "" if view["has_audio"] else "<p class='masknote'>音声は保存されていません（録音なし、または保存期間の終了）。</p>"
    left = ("<h2>文字起こし</h2>" + no_audio + H.transcript(view, cid, boss and view["has_audio"])
            + (H.correct_form(cid) if boss else ""))
    editable = status != "approved" and (boss or status in ("returned", "draft"))
    right = ("<h2>記録（下書き）</h2>" + gaps + H.draft(view) + (H.edit_forms(cid, view) if editable else "")
             + (H.review_actions(cid, status) if boss else H.staff_actions(cid, status, ""))
             + H.history(view))
    return (head + H.notices(request.query_params.get("msg", ""), request.query_params.get("err", "")) + mask
            + f"<div class='cols'><section class='panel' id='transcript-panel'>{left}</section>"
            f"<section class='panel' id='draft-panel'>{right}</section></div>")
