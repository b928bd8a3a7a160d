"""The counter view (Gradio Blocks): what staff look at during a consultation.

Layout, left to right: the conversation (controls, microphone, upload, live transcript), the
suggested schemes (pin 案内した / dismiss, knowledge-base search, handout), the draft record (with
聞き取り漏れ and field editing). Every button calls one function of ``assistant.app.services``; this
module only turns service data into components (``render``) and back.

Offline: ``assistant.offline`` is imported before gradio, the server binds to 127.0.0.1 unless
configured, ``share`` is never set, and the page uses local CSS/JS only.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

# isort: off
from assistant import offline  # noqa: F401  (analytics and hub calls off before gradio is imported)
import gradio as gr
# isort: on

from assistant.app import retention
from assistant.app.config import get_config
from assistant.app.services import DRAFT_FIELDS, FIELD_LABELS, ServiceError, Services, get_services
from assistant.asr.transcript import SPEAKER_LABELS_JA
from assistant.ui import auth, render, supervisor
from assistant.ui.speakers import LIVE_SPEAKER_CHOICES, LIVE_SPEAKER_LABEL

HERE = Path(__file__).resolve().parent
SLOTS = 5
SPEAKER_CHOICES = [(SPEAKER_LABELS_JA[k], k) for k in ("unknown", "staff", "citizen", "other")]
FIELD_CHOICES = [(label, key) for key, label in DRAFT_FIELDS]


def _css() -> str:
    return (HERE / "style.css").read_text(encoding="utf-8")


def _head() -> str:
    return "<script>" + (HERE / "mic.js").read_text(encoding="utf-8") + "</script>"


def build(services: Services | None = None) -> gr.Blocks:
    """Build the Blocks app around a ``Services`` instance (tests pass their own)."""
    svc = services or get_services()

    # -- view refresh ------------------------------------------------------------------------
    def snapshot(cid: int | None, seen: dict | None, notice: str | None = None, force: bool = False) -> list[Any]:
        """Outputs for REFRESH; unchanged parts are skipped (cheap at minute 60).

        ``notice`` replaces the message under the status line; None keeps the last one, so a
        periodic refresh never wipes an error staff has not read yet.
        """
        seen = dict(seen or {})
        if notice is None:
            notice = seen.get("notice", "")
        seen["notice"] = notice
        info = svc.consultation_info(cid) if cid else None
        versions = svc.versions(cid) if cid else {}
        prov = svc.provisional(cid) if cid else None

        def changed(name: str, extra: Any = None) -> bool:
            key = (cid, versions.get(name, 0), extra)
            if not force and seen.get(name) == key:
                return False
            seen[name] = key
            return True

        recording = svc.recording(cid) if cid else False
        errs = svc.errors(cid) if cid else []
        status_key = (info and (info["status"], info["consent"], info["off_record"]), recording, notice, len(errs))
        out: list[Any] = []
        out.append(render.status(info, recording, notice) + render.errors(errs)
                   if changed("status", status_key) else gr.skip())
        out.append(render.alerts(svc.alerts(cid)) if cid else "") if changed("alerts") else out.append(gr.skip())
        prov_key = (prov or {}).get("text")
        if changed("transcript", prov_key):
            segs = svc.transcript(cid).segments if cid else []
            out.append(render.transcript(segs, prov))
        else:
            out.append(gr.skip())
        if changed("suggestions"):
            items = svc.suggestions(cid)[:SLOTS] if cid else []
            ids = [s["scheme_id"] for s in items] + [None] * (SLOTS - len(items))
            for i in range(SLOTS):
                out.append(render.suggestion(items[i]) if i < len(items) else "")
            for i in range(SLOTS):
                pinned = i < len(items) and items[i].get("status") == "pinned"
                out.append(gr.update(value="案内を取り消す" if pinned else "案内した"))
            for i in range(SLOTS):
                out.append(gr.update(visible=i < len(items)))
            out.append(render.pinned(svc.pinned(cid)) if cid else render.pinned([]))
            out.append(ids)
        else:
            out.extend([gr.skip()] * (SLOTS * 3 + 2))
        if changed("draft"):
            d = svc.draft(cid) if cid else {"fields": {}, "gaps": []}
            out.append(render.draft(d))
            out.append(render.gaps(d.get("gaps") or []) if cid else "")
        else:
            out.extend([gr.skip(), gr.skip()])
        out.append(seen)
        return out

    def _run(action, cid: int | None, seen: dict | None) -> list[Any]:
        """Run a service call; a ServiceError becomes a Japanese notice, nothing else changes."""
        try:
            msg = action() or ""
        except ServiceError as exc:
            gr.Warning(str(exc))
            return snapshot(cid, seen, notice=str(exc), force=False)
        return snapshot(cid, seen, notice=msg)

    with gr.Blocks(title="窓口相談アシスタント", analytics_enabled=False) as demo:
        cid_state = gr.State(None)
        seen_state = gr.State({})
        slot_ids = gr.State([None] * SLOTS)

        with gr.Row(elem_classes=["topbar"]):
            gr.HTML("<h1 class='apptitle'>窓口相談アシスタント</h1>", elem_id="apptitle")
            gr.HTML("<a class='reviewlink' href='/mine' id='my-records'>差戻しと提出前の記録</a>", elem_id="my-records-link")
            status_html = gr.HTML(render.status(None, False), elem_id="status")
        alert_html = gr.HTML("", elem_id="alert")
        gr.HTML("<div id='mic-error' class='mic-error' hidden></div>", elem_id="mic-error-box")
        with gr.Group(visible=False, elem_id="interrupted-box") as interrupted_box:
            interrupted_html = gr.HTML("")
            with gr.Row():
                interrupted_dd = gr.Dropdown(label="中断された相談", choices=[], elem_id="interrupted-dd")
                resume_btn = gr.Button("再開", elem_id="resume-consultation")
                close_btn = gr.Button("終了して閉じる", elem_id="close-consultation")

        with gr.Row(equal_height=False):
            # -- left: conversation -------------------------------------------------------------
            with gr.Column(scale=5, elem_classes=["panel"]):
                with gr.Row():
                    start_btn = gr.Button("相談を開始", variant="primary", elem_id="start")
                    end_btn = gr.Button("相談を終了", variant="stop", elem_id="end")
                consent_cb = gr.Checkbox(label="相談者から録音の同意を得た（録音の前に必ず確認）", elem_id="consent")
                with gr.Row():
                    pause_btn = gr.Button("一時停止（記録外）", elem_id="pause")
                    resume_rec_btn = gr.Button("記録を再開", elem_id="resume-rec")
                    help_btn = gr.Button("相談したい（監督者を呼ぶ）", elem_id="help-call")
                mic = gr.Audio(sources=["microphone"], streaming=True, type="numpy", label="マイク（録音）",
                               elem_id="mic", editable=False)
                live_speaker = gr.Radio(LIVE_SPEAKER_CHOICES, value="unknown", label=LIVE_SPEAKER_LABEL,
                                        elem_id="live-speaker")
                gr.HTML("<h2 class='ph'>会話の文字起こし</h2>")
                transcript_html = gr.HTML(render.transcript([], None), elem_id="transcript")
                with gr.Accordion("話者を修正する", open=False):
                    with gr.Row():
                        fix_seg = gr.Number(label="発言番号 (#)", precision=0, elem_id="fix-seg")
                        fix_spk = gr.Radio(SPEAKER_CHOICES, value="staff", label="話者", elem_id="fix-spk")
                        fix_btn = gr.Button("話者を修正", elem_id="fix-btn")
                with gr.Accordion("録音ファイルから文字起こし", open=True):
                    upload = gr.File(label="録音ファイル（wav, mp3, m4a など）", type="filepath", elem_id="upload")
                    demo_btn = gr.Button("デモ音声を読み込む", elem_id="demo")

            # -- middle: suggestions --------------------------------------------------------------
            with gr.Column(scale=4, elem_classes=["panel"]):
                gr.HTML("<h2 class='ph'>制度の提案</h2>")
                gr.HTML("<div class='empty' id='no-sugg'>会話に合わせて、関係しそうな制度がここに出ます。</div>")
                slot_html, pin_btns, dismiss_btns, slot_groups = [], [], [], []
                for i in range(SLOTS):
                    with gr.Group(elem_classes=["slot"], visible=False, elem_id=f"slot-{i}") as group:
                        slot_html.append(gr.HTML("", elem_id=f"sugg-{i}"))
                        with gr.Row():
                            pin_btns.append(gr.Button("案内した", size="sm", elem_id=f"pin-{i}"))
                            dismiss_btns.append(gr.Button("非表示", size="sm", elem_id=f"dismiss-{i}"))
                    slot_groups.append(group)
                gr.HTML("<h2 class='ph'>案内した制度</h2>")
                pinned_html = gr.HTML(render.pinned([]), elem_id="pinned")
                with gr.Accordion("制度を検索", open=False):
                    search_box = gr.Textbox(label="制度名・キーワード", elem_id="kb-query")
                    search_btn = gr.Button("検索", elem_id="kb-search")
                    search_html = gr.HTML("", elem_id="kb-results")
                    search_dd = gr.Dropdown(label="検索結果から案内した制度に追加", choices=[], elem_id="kb-pick")
                    search_pin = gr.Button("この制度を案内した", elem_id="kb-pin")
                handout_btn = gr.Button("相談者に渡す案内を作成（印刷用）", elem_id="handout")
                handout_file = gr.File(label="案内（印刷用 HTML）", interactive=False, elem_id="handout-file")

            # -- right: draft record ----------------------------------------------------------------
            with gr.Column(scale=4, elem_classes=["panel"]):
                gr.HTML("<h2 class='ph'>相談記録（下書き）</h2>")
                gaps_html = gr.HTML("", elem_id="gaps")
                draft_html = gr.HTML(render.draft({}), elem_id="draft")
                with gr.Group():
                    field_dd = gr.Dropdown(FIELD_CHOICES, value="main_concern", label="編集する項目", elem_id="field")
                    field_text = gr.Textbox(label="内容（編集すると自動保存）", lines=4, elem_id="field-text")
                    save_btn = gr.Button("この項目を保存", elem_id="save-field")
                submit_btn = gr.Button("確認待ちにする（相談の終了後に記録を提出）", elem_id="submit-review")

        timer = gr.Timer(1.0)

        REFRESH = [status_html, alert_html, transcript_html, *slot_html, *pin_btns, *slot_groups, pinned_html,
                   slot_ids, draft_html, gaps_html, seen_state]

        # -- handlers ---------------------------------------------------------------------------
        def on_load(request: gr.Request):
            cid = svc.latest_open()
            if cid:
                auth.gr_audit(request, "view", f"consultation:{cid}")
            items = svc.interrupted_consultations()
            consent = svc.consultation_info(cid)["consent"] if cid else False
            choices = [(f"相談番号 {i['id']}（{i['created']}）", i["id"]) for i in items]
            return [cid, consent, gr.update(visible=bool(items)), render.interrupted(items),
                    gr.update(choices=choices, value=choices[0][1] if choices else None),
                    *snapshot(cid, {}, force=True)]

        LOAD_OUT = [cid_state, consent_cb, interrupted_box, interrupted_html, interrupted_dd, *REFRESH]
        demo.load(on_load, outputs=LOAD_OUT, api_visibility="private")

        def on_start(consent: bool, request: gr.Request):
            user = auth.gr_user(request)
            cid = svc.start_consultation(consent=bool(consent), staff=user.name)
            auth.gr_audit(request, "create", f"consultation:{cid}")
            return [cid, *snapshot(cid, {}, notice="新しい相談を開始しました。録音の前に同意を確認してください。"
                                   if not consent else "新しい相談を開始しました。", force=True)]

        start_btn.click(on_start, inputs=[consent_cb], outputs=[cid_state, *REFRESH], api_name="start", show_progress="hidden")

        def on_consent(cid, given, seen):
            if cid is None:
                return snapshot(cid, seen, notice="")
            return _run(lambda: svc.set_consent(cid, bool(given)) or
                        ("録音の同意を記録しました。" if given else "同意が取り消されたため録音を止めました。"), cid, seen)

        consent_cb.input(on_consent, inputs=[cid_state, consent_cb, seen_state], outputs=REFRESH, show_progress="hidden", api_name="consent")

        def on_end(cid, seen, request: gr.Request):
            def act():
                if cid is None:
                    raise ServiceError("終了する相談がありません。")
                svc.end_consultation(cid)
                auth.gr_audit(request, "end", f"consultation:{cid}")
                return "相談を終了しました。記録は保存されています。"
            return _run(act, cid, seen)

        end_btn.click(on_end, inputs=[cid_state, seen_state], outputs=REFRESH, show_progress="hidden", api_name="end")

        def on_pause(cid, seen):
            return _run(lambda: svc.pause(cid) or "一時停止しました（記録外）。", cid, seen)

        def on_resume_rec(cid, seen):
            return _run(lambda: svc.resume_recording(cid) or "記録を再開しました。", cid, seen)

        pause_btn.click(on_pause, inputs=[cid_state, seen_state], outputs=REFRESH, show_progress="hidden", api_name="pause")
        resume_rec_btn.click(on_resume_rec, inputs=[cid_state, seen_state], outputs=REFRESH, show_progress="hidden", api_name="resume_recording")

        def on_chunk(chunk, cid, seen):
            if chunk is None:
                return snapshot(cid, seen)
            if cid is None:
                return snapshot(cid, seen, notice="相談が開始されていません。「相談を開始」を押してから録音してください。"
                                "この音声は保存していません。")
            rate, data = chunk
            try:
                svc.feed_audio(cid, rate, data)
            except ServiceError as exc:
                return snapshot(cid, seen, notice=str(exc))
            return snapshot(cid, seen)

        mic.stream(on_chunk, inputs=[mic, cid_state, seen_state], outputs=REFRESH, stream_every=0.5,
                   time_limit=None, concurrency_limit=4, show_progress="hidden", api_name="stream")

        def on_stop(cid, seen):
            if cid is None:
                return snapshot(cid, seen)
            return _run(lambda: svc.stop_recording(cid) or "録音を止めました。話し中だった発言も保存しました。", cid, seen)

        mic.stop_recording(on_stop, inputs=[cid_state, seen_state], outputs=REFRESH, show_progress="hidden", api_visibility="private")

        def on_speaker(cid, speaker):
            if cid is not None:
                try:
                    svc.set_live_speaker(cid, speaker)
                except ServiceError as exc:
                    gr.Warning(str(exc))

        live_speaker.change(on_speaker, inputs=[cid_state, live_speaker], api_visibility="private")

        def on_fix(cid, seg, speaker, seen):
            return _run(lambda: svc.set_speaker(cid, int(seg or 0), speaker) or "話者を修正しました。", cid, seen)

        fix_btn.click(on_fix, inputs=[cid_state, fix_seg, fix_spk, seen_state], outputs=REFRESH, show_progress="hidden", api_name="fix_speaker")

        def on_upload(path, cid, seen, request: gr.Request):
            def act():
                if cid is None:
                    raise ServiceError("相談が開始されていません。「相談を開始」を押してからアップロードしてください。")
                if not path:
                    return ""
                try:
                    segs = svc.upload_recording(cid, path, Path(str(path)).name)
                    auth.gr_audit(request, "upload", f"consultation:{cid}", {"segments": len(segs)})
                finally:
                    Path(str(path)).unlink(missing_ok=True)  # Gradio's plain temporary copy: kept encrypted only
                return f"録音ファイルを文字起こししました（{len(segs)} 件の発言）。"
            return _run(act, cid, seen)

        upload.upload(on_upload, inputs=[upload, cid_state, seen_state], outputs=REFRESH, show_progress="full",
                      show_progress_on=[transcript_html], api_name="upload")

        def on_demo(cid, seen):
            def act():
                if cid is None:
                    raise ServiceError("相談が開始されていません。「相談を開始」を押してから読み込んでください。")
                segs = svc.upload_recording(cid, svc.demo_audio_path(), "デモ音声")
                return f"デモ音声を文字起こししました（{len(segs)} 件の発言）。"
            return _run(act, cid, seen)

        demo_btn.click(on_demo, inputs=[cid_state, seen_state], outputs=REFRESH, show_progress="full",
                       show_progress_on=[transcript_html], api_name="demo")

        def slot_action(i: int, kind: str):
            def fn(cid, ids, seen):
                sid = (ids or [None] * SLOTS)[i]
                if cid is None or sid is None:
                    return snapshot(cid, seen)
                if kind == "pin":
                    current = {s["scheme_id"]: s.get("status") for s in svc.suggestions(cid)}
                    if current.get(sid) == "pinned":
                        return _run(lambda: svc.unpin(cid, sid) or "案内を取り消しました。", cid, seen)
                    return _run(lambda: svc.pin(cid, sid) or "案内した制度に追加しました。", cid, seen)
                return _run(lambda: svc.dismiss(cid, sid) or "提案を非表示にしました。", cid, seen)
            return fn

        for i in range(SLOTS):
            pin_btns[i].click(slot_action(i, "pin"), inputs=[cid_state, slot_ids, seen_state], outputs=REFRESH, show_progress="hidden",
                              api_visibility="private")
            dismiss_btns[i].click(slot_action(i, "dismiss"), inputs=[cid_state, slot_ids, seen_state],
                                  outputs=REFRESH, show_progress="hidden", api_visibility="private")

        def on_search(query):
            items = svc.search_kb(query or "")
            choices = [(s["name"], s["id"]) for s in items]
            return render.search_results(items), gr.update(choices=choices, value=choices[0][1] if choices else None)

        search_btn.click(on_search, inputs=[search_box], outputs=[search_html, search_dd], api_visibility="private")
        search_box.submit(on_search, inputs=[search_box], outputs=[search_html, search_dd], api_visibility="private")

        def on_search_pin(cid, sid, seen):
            def act():
                if cid is None:
                    raise ServiceError("相談が開始されていません。")
                if not sid:
                    raise ServiceError("制度を選んでください。")
                svc.pin(cid, sid)
                return "案内した制度に追加しました。"
            return _run(act, cid, seen)

        search_pin.click(on_search_pin, inputs=[cid_state, search_dd, seen_state], outputs=REFRESH, show_progress="hidden",
                         api_visibility="private")

        def on_help(cid, seen, request: gr.Request):
            def act():
                if cid is None:
                    raise ServiceError("相談が開始されていません。")
                supervisor.request_help(svc, int(cid), request)
                return "監督者に「相談したい」を知らせました。"
            return _run(act, cid, seen)

        help_btn.click(on_help, inputs=[cid_state, seen_state], outputs=REFRESH, show_progress="hidden",
                       api_visibility="private")

        def on_handout(cid):
            if cid is None:
                gr.Warning("相談が開始されていません。")
                return None
            return str(svc.write_handout(cid))

        handout_btn.click(on_handout, inputs=[cid_state], outputs=[handout_file], api_name="handout")

        def on_field(cid, key):
            if cid is None:
                return ""
            return svc.draft(cid)["fields"].get(key, "")

        field_dd.change(on_field, inputs=[cid_state, field_dd], outputs=[field_text], api_visibility="private")

        def on_save(cid, key, text, seen, request: gr.Request):
            def act():
                if cid is None:
                    raise ServiceError("相談が開始されていません。")
                if svc.draft(cid)["fields"].get(key, "") == (text or ""):
                    return ""
                svc.edit_draft(cid, key, text or "")
                auth.gr_audit(request, "edit", f"consultation:{cid}", {"field": key})
                return f"「{FIELD_LABELS[key]}」を保存しました。"
            return _run(act, cid, seen)

        save_btn.click(on_save, inputs=[cid_state, field_dd, field_text, seen_state], outputs=REFRESH, show_progress="hidden",
                       api_name="save_field")
        field_text.blur(on_save, inputs=[cid_state, field_dd, field_text, seen_state], outputs=REFRESH, show_progress="hidden",
                        api_visibility="private")

        def on_submit(cid, seen, request: gr.Request):
            def act():
                if cid is None:
                    raise ServiceError("相談が開始されていません。")
                return supervisor.submit_from_counter(svc, int(cid), request)
            return _run(act, cid, seen)

        submit_btn.click(on_submit, inputs=[cid_state, seen_state], outputs=REFRESH, show_progress="hidden",
                         api_visibility="private")

        def on_resume(sel, seen, request: gr.Request):
            if sel is None:
                return [None, gr.update(), *snapshot(None, seen)]
            try:
                svc.resume_consultation(int(sel))
                auth.gr_audit(request, "resume", f"consultation:{int(sel)}")
            except ServiceError as exc:
                gr.Warning(str(exc))
            return [int(sel), gr.update(visible=bool(svc.interrupted_consultations())),
                    *snapshot(int(sel), {}, notice="中断された相談を再開しました。", force=True)]

        def on_close(sel, seen):
            if sel is None:
                return [None, gr.update(), *snapshot(None, seen)]
            try:
                svc.end_consultation(int(sel))
            except ServiceError as exc:
                gr.Warning(str(exc))
            return [int(sel), gr.update(visible=bool(svc.interrupted_consultations())),
                    *snapshot(int(sel), {}, notice="中断された相談を終了しました。記録は保存されています。", force=True)]

        resume_btn.click(on_resume, inputs=[interrupted_dd, seen_state], outputs=[cid_state, interrupted_box, *REFRESH],
                         api_visibility="private")
        close_btn.click(on_close, inputs=[interrupted_dd, seen_state], outputs=[cid_state, interrupted_box, *REFRESH],
                        api_visibility="private")

        timer.tick(lambda cid, seen: snapshot(cid, seen), inputs=[cid_state, seen_state], outputs=REFRESH,
                   show_progress="hidden", api_visibility="private")

        # -- API-only endpoints (gradio_client, scripts): explicit consultation ids ----------------
        def api_view(consultation_id: float, request: gr.Request) -> dict:
            cid = int(consultation_id)
            auth.gr_audit(request, "view", f"consultation:{cid}", {"via": "api"})
            return {"consultation": svc.consultation_info(cid),
                    "segments": [s.to_dict() for s in svc.transcript(cid).segments],
                    "provisional": svc.provisional(cid), "suggestions": svc.suggestions(cid),
                    "pinned": [p["scheme_id"] for p in svc.pinned(cid)], "draft": _jsonable(svc.draft(cid)),
                    "alerts": svc.alerts(cid)}

        def api_pin(consultation_id: float, scheme_id: str) -> list[str]:
            svc.pin(int(consultation_id), scheme_id)
            return [p["scheme_id"] for p in svc.pinned(int(consultation_id))]

        def api_edit(consultation_id: float, field: str, text: str, request: gr.Request) -> dict:
            svc.edit_draft(int(consultation_id), field, text)
            auth.gr_audit(request, "edit", f"consultation:{int(consultation_id)}", {"field": field, "via": "api"})
            return _jsonable(svc.draft(int(consultation_id)))

        def api_search(query: str) -> list[dict]:
            return [{"id": s["id"], "name": s["name"], "summary": s["summary"]} for s in svc.search_kb(query)]

        def api_current() -> float | None:
            return svc.latest_open()

        gr.api(_api_errors(api_view), api_name="view")
        gr.api(_api_errors(api_pin), api_name="pin")
        gr.api(_api_errors(api_edit), api_name="edit_draft")
        gr.api(api_search, api_name="search")
        gr.api(api_current, api_name="current")
    return demo


def _jsonable(d: dict) -> dict:
    import json

    return json.loads(json.dumps(d, ensure_ascii=False, default=str))


def _api_errors(fn):
    """API callers get the same Japanese message as the UI (as a gradio error)."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ServiceError as exc:
            raise gr.Error(str(exc)) from exc

    return wrapper


def server_address() -> tuple[str, int]:
    cfg = get_config()
    host = str(cfg["server"]["host"] or "127.0.0.1")
    port = int(os.environ.get("GRADIO_SERVER_PORT") or cfg["server"]["port"])
    return host, port


def launch(demo: gr.Blocks, *, host: str | None = None, port: int | None = None, block: bool = True,
           quiet: bool = False, store: Any = None, routers: Any = ()) -> Any:
    """Start the server behind the login layer (``assistant.ui.auth``): local only, never shared,
    local CSS/JS, queue on. Returns a handle with ``close()`` when ``block`` is false."""
    default_host, default_port = server_address()
    demo.queue(default_concurrency_limit=1)
    app = auth.create_app(
        demo, store_=store, routers=routers, show_error=True, css=_css(), head=_head(),
        theme=gr.themes.Default(font=["Noto Sans CJK JP", "Noto Sans JP", "sans-serif"],
                                font_mono=["Noto Sans Mono CJK JP", "monospace"]),
        footer_links=[], pwa=False, mcp_server=False, ssr_mode=False, enable_monitoring=False,
        allowed_paths=[str(get_config().data_dir / "handouts")],
    )
    return auth.serve(app, host or default_host, port or default_port, block=block)


def main(host: str | None = None, port: int | None = None) -> None:
    """`make run`, `python app.py` and `assistant serve`: one start-up, so all three behave alike.

    The speech model is loaded first (a missing model is reported before serving); GiNZA, the ranking
    model and the category classifier warm up in the background while the page opens, so the first
    consultation does not wait for them.
    """
    import sys
    import threading

    from assistant.app.store import StoreError
    from assistant.asr.model_setup import ModelError

    try:
        svc = get_services()
        svc.transcriber()
    except (ModelError, StoreError) as exc:
        sys.exit(str(exc))
    threading.Thread(target=svc.engines.warm_up, name="warm-up", daemon=True).start()
    interrupted = svc.interrupted_consultations()
    if interrupted:
        print(f"中断された相談が {len(interrupted)} 件あります（画面で再開または終了できます）", flush=True)
    default_host, default_port = server_address()
    host, port = host or default_host, port or default_port
    print(f"窓口相談アシスタント: http://{host}:{port}  (Ctrl-C で終了)", flush=True)
    done = retention.purge(svc.store)  # raw audio and records past their retention period
    if any(done.values()):
        print(f"保存期間を過ぎた音声 {done['audio_files']} 件・記録 {done['records']} 件を削除しました（監査ログに記録）。")
    print(auth.login_hint(svc.store), flush=True)
    launch(build(svc), host=host, port=port, block=True, quiet=True, store=svc.store,
           routers=supervisor.routers(svc))
