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
from types import SimpleNamespace
from typing import Any

# isort: off
from assistant import offline  # noqa: F401  (analytics and hub calls off before gradio is imported)
import gradio as gr
# isort: on

import functools
import json
import sys
import threading

from assistant.app import retention
from assistant.app.config import get_config
from assistant.app.services import DRAFT_FIELDS, FIELD_LABELS, ServiceError, Services, get_services
from assistant.app.store import StoreError
from assistant.asr.model_setup import ModelError
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

# events that choose or change the consultation shown: one at a time, in order (see _wire_consultation)
ONE_AT_A_TIME: dict[str, Any] = {"concurrency_id": "consultation", "concurrency_limit": 1}


class CounterHandlers:
    """What each control of the counter view does: one service call, answered with a view refresh."""

    def __init__(self, svc: Services) -> None:
        self.svc = svc
        # The message under the status line, per consultation, kept here and not in the page's state:
        # the periodic refresh runs beside a slow action and would otherwise write back the state it
        # read before the action finished, wiping the action's message.
        self._notices: dict[int, str] = {}

    # -- view refresh ------------------------------------------------------------------------
    def snapshot(self, cid: int | None, seen: dict | None, notice: str | None = None, force: bool = False) -> list[Any]:
        """Outputs for REFRESH; unchanged parts are skipped (cheap at minute 60).

        ``notice`` replaces the message under the status line; None keeps the last one, so a
        periodic refresh never wipes an error staff has not read yet.
        """
        seen = dict(seen or {})
        if cid is None:  # no consultation yet: the page's own state is the only place for it
            notice = seen.get("notice", "") if notice is None else notice
            seen["notice"] = notice
        elif notice is None:
            notice = self._notices.get(int(cid), "")
        else:
            self._notices[int(cid)] = notice
        info = self.svc.consultation_info(cid) if cid else None
        versions = self.svc.versions(cid) if cid else {}
        prov = self.svc.provisional(cid) if cid else None

        def changed(name: str, extra: Any = None) -> bool:
            key = (cid, versions.get(name, 0), extra)
            if not force and seen.get(name) == key:
                return False
            seen[name] = key
            return True

        recording = self.svc.recording(cid) if cid else False
        errs = self.svc.errors(cid) if cid else []
        status_key = (info and (info["status"], info["consent"], info["off_record"], info["help_pending"]), recording, notice, len(errs))
        out: list[Any] = []
        out.append(render.status(info, recording, notice) + render.errors(errs)
                   if changed("status", status_key) else gr.skip())
        out.append(render.alerts(self.svc.alerts(cid)) if cid else "") if changed("alerts") else out.append(gr.skip())
        prov_key = (prov or {}).get("text")
        if changed("transcript", prov_key):
            segs = self.svc.transcript(cid).segments if cid else []
            out.append(render.transcript(segs, prov))
        else:
            out.append(gr.skip())
        if changed("suggestions"):
            items = self.svc.suggestions(cid)[:SLOTS] if cid else []
            ids = [s["scheme_id"] for s in items] + [None] * (SLOTS - len(items))
            for i in range(SLOTS):
                out.append(render.suggestion(items[i]) if i < len(items) else "")
            for i in range(SLOTS):
                pinned = i < len(items) and items[i].get("status") == "pinned"
                out.append(gr.update(value="案内を取り消す" if pinned else "案内した"))
            for i in range(SLOTS):
                out.append(gr.update(visible=i < len(items)))
            out.append(render.pinned(self.svc.pinned(cid)) if cid else render.pinned([]))
            out.append(ids)
        else:
            out.extend([gr.skip()] * (SLOTS * 3 + 2))
        if changed("draft"):
            d = self.svc.draft(cid) if cid else {"fields": {}, "gaps": []}
            out.append(render.draft(d))
            out.append(render.gaps(d.get("gaps") or []) if cid else "")
        else:
            out.extend([gr.skip(), gr.skip()])
        out.append(seen)
        return out

    def _run(self, action, cid: int | None, seen: dict | None) -> list[Any]:
        """Run a service call; a ServiceError becomes a Japanese notice, nothing else changes."""
        try:
            msg = action() or ""
        except ServiceError as exc:
            gr.Warning(str(exc))
            return self.snapshot(cid, seen, notice=str(exc), force=False)
        return self.snapshot(cid, seen, notice=msg)

    # -- controls ----------------------------------------------------------------------------
    def on_load(self, request: gr.Request):
        cid = self.svc.latest_open()
        if cid:
            auth.gr_audit(request, "view", f"consultation:{cid}")
        items = self.svc.interrupted_consultations()
        consent = self.svc.consultation_info(cid)["consent"] if cid else False
        choices = [(f"相談番号 {i['id']}（{i['created']}）", i["id"]) for i in items]
        return [cid, consent, gr.update(visible=bool(items)), render.interrupted(items),
                gr.update(choices=choices, value=choices[0][1] if choices else None),
                *self.snapshot(cid, {}, force=True)]

    def on_start(self, consent: bool, request: gr.Request):
        user = auth.gr_user(request)
        cid = self.svc.start_consultation(consent=bool(consent), staff=user.name)
        auth.gr_audit(request, "create", f"consultation:{cid}")
        # the checkbox shows the new consultation's consent, whatever an earlier page state showed
        return [cid, bool(consent), *self.snapshot(cid, {}, notice="新しい相談を開始しました。録音の前に同意を確認してください。"
                               if not consent else "新しい相談を開始しました。", force=True)]

    def on_consent(self, cid, given, seen):
        if cid is None:
            return self.snapshot(cid, seen, notice="")
        return self._run(lambda: self.svc.set_consent(cid, bool(given)) or
                    ("録音の同意を記録しました。" if given else "同意が取り消されたため録音を止めました。"), cid, seen)

    def on_end(self, cid, seen, request: gr.Request):
        def act():
            if cid is None:
                raise ServiceError("終了する相談がありません。")
            self.svc.end_consultation(cid)
            auth.gr_audit(request, "end", f"consultation:{cid}")
            return "相談を終了しました。記録は保存されています。"
        return self._run(act, cid, seen)

    def on_pause(self, cid, seen):
        return self._run(lambda: self.svc.pause(cid) or "一時停止しました（記録外）。", cid, seen)

    def on_resume_rec(self, cid, seen):
        return self._run(lambda: self.svc.resume_recording(cid) or "記録を再開しました。", cid, seen)

    def on_chunk(self, chunk, cid, seen):
        if chunk is None:
            return self.snapshot(cid, seen)
        if cid is None:
            return self.snapshot(cid, seen, notice="相談が開始されていません。「相談を開始」を押してから録音してください。"
                            "この音声は保存していません。")
        rate, data = chunk
        try:
            self.svc.feed_audio(cid, rate, data)
        except ServiceError as exc:
            return self.snapshot(cid, seen, notice=str(exc))
        return self.snapshot(cid, seen)

    def on_stop(self, cid, seen):
        if cid is None:
            return self.snapshot(cid, seen)
        return self._run(lambda: self.svc.stop_recording(cid) or "録音を止めました。話し中だった発言も保存しました。", cid, seen)

    def on_speaker(self, cid, speaker):
        if cid is not None:
            try:
                self.svc.set_live_speaker(cid, speaker)
            except ServiceError as exc:
                gr.Warning(str(exc))

    def on_fix(self, cid, seg, speaker, seen):
        return self._run(lambda: self.svc.set_speaker(cid, int(seg or 0), speaker) or "話者を修正しました。", cid, seen)

    def on_upload(self, path, cid, seen, request: gr.Request):
        def act():
            if cid is None:
                raise ServiceError("相談が開始されていません。「相談を開始」を押してからアップロードしてください。")
            if not path:
                return ""
            try:
                segs = self.svc.upload_recording(cid, path, Path(str(path)).name)
                auth.gr_audit(request, "upload", f"consultation:{cid}", {"segments": len(segs)})
            finally:
                Path(str(path)).unlink(missing_ok=True)  # Gradio's plain temporary copy: kept encrypted only
            return f"録音ファイルを文字起こししました（{len(segs)} 件の発言）。"
        return self._run(act, cid, seen)

    def on_demo(self, cid, seen):
        def act():
            if cid is None:
                raise ServiceError("相談が開始されていません。「相談を開始」を押してから読み込んでください。")
            segs = self.svc.upload_recording(cid, self.svc.demo_audio_path(), "デモ音声")
            return f"デモ音声を文字起こししました（{len(segs)} 件の発言）。"
        return self._run(act, cid, seen)

    def slot_action(self, i: int, kind: str):
        def fn(cid, ids, seen):
            sid = (ids or [None] * SLOTS)[i]
            if cid is None or sid is None:
                return self.snapshot(cid, seen)
            if kind == "pin":
                current = {s["scheme_id"]: s.get("status") for s in self.svc.suggestions(cid)}
                if current.get(sid) == "pinned":
                    return self._run(lambda: self.svc.unpin(cid, sid) or "案内を取り消しました。", cid, seen)
                return self._run(lambda: self.svc.pin(cid, sid) or "案内した制度に追加しました。", cid, seen)
            return self._run(lambda: self.svc.dismiss(cid, sid) or "提案を非表示にしました。", cid, seen)
        return fn

    def on_search(self, query):
        items = self.svc.search_kb(query or "")
        choices = [(s["name"], s["id"]) for s in items]
        return render.search_results(items), gr.update(choices=choices, value=choices[0][1] if choices else None)

    def on_search_pin(self, cid, sid, seen):
        def act():
            if cid is None:
                raise ServiceError("相談が開始されていません。")
            if not sid:
                raise ServiceError("制度を選んでください。")
            self.svc.pin(cid, sid)
            return "案内した制度に追加しました。"
        return self._run(act, cid, seen)

    def on_help(self, cid, seen, request: gr.Request):
        def act():
            if cid is None:
                raise ServiceError("相談が開始されていません。")
            supervisor.request_help(self.svc, int(cid), request)
            return "監督者に「相談したい」を知らせました。"
        return self._run(act, cid, seen)

    def on_handout(self, cid):
        if cid is None:
            gr.Warning("相談が開始されていません。")
            return None
        return str(self.svc.write_handout(cid))

    def on_field(self, cid, key):
        if cid is None:
            return ""
        return self.svc.draft(cid)["fields"].get(key, "")

    def on_save(self, cid, key, text, seen, request: gr.Request):
        def act():
            if cid is None:
                raise ServiceError("相談が開始されていません。")
            if self.svc.draft(cid)["fields"].get(key, "") == (text or ""):
                return ""
            self.svc.edit_draft(cid, key, text or "")
            auth.gr_audit(request, "edit", f"consultation:{cid}", {"field": key})
            return f"「{FIELD_LABELS[key]}」を保存しました。"
        return self._run(act, cid, seen)

    def on_submit(self, cid, seen, request: gr.Request):
        def act():
            if cid is None:
                raise ServiceError("相談が開始されていません。")
            return supervisor.submit_from_counter(self.svc, int(cid), request)
        return self._run(act, cid, seen)

    def on_resume(self, sel, seen, request: gr.Request):
        if sel is None:
            return [None, gr.update(), gr.update(), *self.snapshot(None, seen)]
        consent: Any = gr.update()
        try:
            self.svc.resume_consultation(int(sel))
            auth.gr_audit(request, "resume", f"consultation:{int(sel)}")
            consent = bool(self.svc.consultation_info(int(sel))["consent"])
        except ServiceError as exc:
            gr.Warning(str(exc))
        return [int(sel), gr.update(visible=bool(self.svc.interrupted_consultations())), consent,
                *self.snapshot(int(sel), {}, notice="中断された相談を再開しました。", force=True)]

    def on_close(self, sel, seen):
        if sel is None:
            return [None, gr.update(), *self.snapshot(None, seen)]
        try:
            self.svc.end_consultation(int(sel))
        except ServiceError as exc:
            gr.Warning(str(exc))
        return [int(sel), gr.update(visible=bool(self.svc.interrupted_consultations())),
                *self.snapshot(int(sel), {}, notice="中断された相談を終了しました。記録は保存されています。", force=True)]

    def api_view(self, consultation_id: float, request: gr.Request) -> dict:
        cid = int(consultation_id)
        auth.gr_audit(request, "view", f"consultation:{cid}", {"via": "api"})
        return {"consultation": self.svc.consultation_info(cid),
                "segments": [s.to_dict() for s in self.svc.transcript(cid).segments],
                "provisional": self.svc.provisional(cid), "suggestions": self.svc.suggestions(cid),
                "pinned": [p["scheme_id"] for p in self.svc.pinned(cid)], "draft": _jsonable(self.svc.draft(cid)),
                "alerts": self.svc.alerts(cid)}

    def api_pin(self, consultation_id: float, scheme_id: str) -> list[str]:
        self.svc.pin(int(consultation_id), scheme_id)
        return [p["scheme_id"] for p in self.svc.pinned(int(consultation_id))]

    def api_edit(self, consultation_id: float, field: str, text: str, request: gr.Request) -> dict:
        self.svc.edit_draft(int(consultation_id), field, text)
        auth.gr_audit(request, "edit", f"consultation:{int(consultation_id)}", {"field": field, "via": "api"})
        return _jsonable(self.svc.draft(int(consultation_id)))

    def api_search(self, query: str) -> list[dict]:
        return [{"id": s["id"], "name": s["name"], "summary": s["summary"]} for s in self.svc.search_kb(query)]

    def api_current(self) -> float | None:
        return self.svc.latest_open()


def build(services: Services | None = None) -> gr.Blocks:
    """Build the Blocks app around a ``Services`` instance (tests pass their own)."""
    ui = _layout()
    h = CounterHandlers(services or get_services())
    with ui.demo:
        _wire_consultation(ui, h)
        _wire_audio(ui, h)
        _wire_suggestions(ui, h)
        _wire_draft(ui, h)
        _wire_api(ui, h)
    return ui.demo


def _layout() -> SimpleNamespace:
    """All components of the page, by name (``refresh``: what every refresh updates, in order)."""
    with gr.Blocks(title="窓口相談アシスタント", analytics_enabled=False) as demo:
        ui = SimpleNamespace(demo=demo, cid_state=gr.State(None), seen_state=gr.State({}),
                             slot_ids=gr.State([None] * SLOTS))
        vars(ui).update(_topbar())
        with gr.Row(equal_height=False):
            vars(ui).update(_conversation_column())
            vars(ui).update(_suggestion_column())
            vars(ui).update(_draft_column())
        ui.timer = gr.Timer(1.0)
    ui.refresh = [ui.status_html, ui.alert_html, ui.transcript_html, *ui.slot_html, *ui.pin_btns, *ui.slot_groups,
                  ui.pinned_html, ui.slot_ids, ui.draft_html, ui.gaps_html, ui.seen_state]
    return ui


def _topbar() -> dict[str, Any]:
    """Title, status line, alerts and the box offering interrupted consultations."""
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
    return locals()


def _conversation_column() -> dict[str, Any]:
    """Left: consultation controls, microphone, live transcript, upload and demo."""
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
    return locals()


def _suggestion_column() -> dict[str, Any]:
    """Middle: suggested schemes (pin / dismiss), pinned schemes, search and handout."""
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
    return locals()


def _draft_column() -> dict[str, Any]:
    """Right: the draft record with 聞き取り漏れ, field editing and submission for review."""
    with gr.Column(scale=4, elem_classes=["panel"]):
        gr.HTML("<h2 class='ph'>相談記録（下書き）</h2>")
        gaps_html = gr.HTML("", elem_id="gaps")
        draft_html = gr.HTML(render.draft({}), elem_id="draft")
        with gr.Group():
            field_dd = gr.Dropdown(FIELD_CHOICES, value="main_concern", label="編集する項目", elem_id="field")
            field_text = gr.Textbox(label="内容（編集すると自動保存）", lines=4, elem_id="field-text")
            save_btn = gr.Button("この項目を保存", elem_id="save-field")
        submit_btn = gr.Button("確認待ちにする（相談の終了後に記録を提出）", elem_id="submit-review")
    return locals()


def _wire_consultation(ui: SimpleNamespace, h: CounterHandlers) -> None:
    """Start, consent, pause, end, resume or close a consultation; the periodic refresh.

    These share one queue (``ONE_AT_A_TIME``), in the order they were sent: a 「相談を開始」 pressed
    while the page is still loading must not be overtaken by the load showing the previous consultation,
    and a consent ticked right after it must reach the new consultation, not the one on screen before.
    """
    one = ONE_AT_A_TIME
    ui.demo.load(h.on_load, outputs=[ui.cid_state, ui.consent_cb, ui.interrupted_box, ui.interrupted_html,
                                     ui.interrupted_dd, *ui.refresh], api_visibility="private", **one)
    ui.start_btn.click(h.on_start, inputs=[ui.consent_cb], outputs=[ui.cid_state, ui.consent_cb, *ui.refresh],
                       api_name="start", show_progress="hidden", **one)
    ui.consent_cb.input(h.on_consent, inputs=[ui.cid_state, ui.consent_cb, ui.seen_state], outputs=ui.refresh,
                        show_progress="hidden", api_name="consent", **one)
    ui.end_btn.click(h.on_end, inputs=[ui.cid_state, ui.seen_state], outputs=ui.refresh, show_progress="hidden",
                     api_name="end", **one)
    ui.pause_btn.click(h.on_pause, inputs=[ui.cid_state, ui.seen_state], outputs=ui.refresh, show_progress="hidden",
                       api_name="pause", **one)
    ui.resume_rec_btn.click(h.on_resume_rec, inputs=[ui.cid_state, ui.seen_state], outputs=ui.refresh,
                            show_progress="hidden", api_name="resume_recording", **one)
    ui.resume_btn.click(h.on_resume, inputs=[ui.interrupted_dd, ui.seen_state],
                        outputs=[ui.cid_state, ui.interrupted_box, ui.consent_cb, *ui.refresh],
                        api_visibility="private", **one)
    ui.close_btn.click(h.on_close, inputs=[ui.interrupted_dd, ui.seen_state],
                       outputs=[ui.cid_state, ui.interrupted_box, *ui.refresh], api_visibility="private", **one)
    ui.timer.tick(h.snapshot, inputs=[ui.cid_state, ui.seen_state], outputs=ui.refresh,
               show_progress="hidden", api_visibility="private")


def _wire_audio(ui: SimpleNamespace, h: CounterHandlers) -> None:
    """Microphone, live speaker, speaker corrections, uploads and the demo recording."""
    ui.mic.stream(h.on_chunk, inputs=[ui.mic, ui.cid_state, ui.seen_state], outputs=ui.refresh, stream_every=0.5,
               time_limit=None, concurrency_limit=4, show_progress="hidden", api_name="stream")
    ui.mic.stop_recording(h.on_stop, inputs=[ui.cid_state, ui.seen_state], outputs=ui.refresh, show_progress="hidden", api_visibility="private")
    ui.live_speaker.change(h.on_speaker, inputs=[ui.cid_state, ui.live_speaker], api_visibility="private")
    ui.fix_btn.click(h.on_fix, inputs=[ui.cid_state, ui.fix_seg, ui.fix_spk, ui.seen_state], outputs=ui.refresh, show_progress="hidden", api_name="fix_speaker")
    ui.upload.upload(h.on_upload, inputs=[ui.upload, ui.cid_state, ui.seen_state], outputs=ui.refresh, show_progress="full",
                  show_progress_on=[ui.transcript_html], api_name="upload")
    ui.demo_btn.click(h.on_demo, inputs=[ui.cid_state, ui.seen_state], outputs=ui.refresh, show_progress="full",
                   show_progress_on=[ui.transcript_html], api_name="demo")


def _wire_suggestions(ui: SimpleNamespace, h: CounterHandlers) -> None:
    """Pin or dismiss suggestions, search the knowledge base, call the supervisor, the handout."""
    for i in range(SLOTS):
        ui.pin_btns[i].click(h.slot_action(i, "pin"), inputs=[ui.cid_state, ui.slot_ids, ui.seen_state], outputs=ui.refresh, show_progress="hidden",
                          api_visibility="private")
        ui.dismiss_btns[i].click(h.slot_action(i, "dismiss"), inputs=[ui.cid_state, ui.slot_ids, ui.seen_state],
                              outputs=ui.refresh, show_progress="hidden", api_visibility="private")
    ui.search_btn.click(h.on_search, inputs=[ui.search_box], outputs=[ui.search_html, ui.search_dd], api_visibility="private")
    ui.search_box.submit(h.on_search, inputs=[ui.search_box], outputs=[ui.search_html, ui.search_dd], api_visibility="private")
    ui.search_pin.click(h.on_search_pin, inputs=[ui.cid_state, ui.search_dd, ui.seen_state], outputs=ui.refresh, show_progress="hidden",
                     api_visibility="private")
    ui.help_btn.click(h.on_help, inputs=[ui.cid_state, ui.seen_state], outputs=ui.refresh, show_progress="hidden",
                   api_visibility="private")
    ui.handout_btn.click(h.on_handout, inputs=[ui.cid_state], outputs=[ui.handout_file], api_name="handout")


def _wire_draft(ui: SimpleNamespace, h: CounterHandlers) -> None:
    """Edit draft fields (saved on change) and submit the record for review."""
    ui.field_dd.change(h.on_field, inputs=[ui.cid_state, ui.field_dd], outputs=[ui.field_text], api_visibility="private")
    ui.save_btn.click(h.on_save, inputs=[ui.cid_state, ui.field_dd, ui.field_text, ui.seen_state], outputs=ui.refresh, show_progress="hidden",
                   api_name="save_field")
    ui.field_text.blur(h.on_save, inputs=[ui.cid_state, ui.field_dd, ui.field_text, ui.seen_state], outputs=ui.refresh, show_progress="hidden",
                    api_visibility="private")
    ui.submit_btn.click(h.on_submit, inputs=[ui.cid_state, ui.seen_state], outputs=ui.refresh, show_progress="hidden",
                     api_visibility="private")


def _wire_api(ui: SimpleNamespace, h: CounterHandlers) -> None:
    """API-only endpoints (gradio_client, scripts) with explicit consultation ids."""
    gr.api(_api_errors(h.api_view), api_name="view")
    gr.api(_api_errors(h.api_pin), api_name="pin")
    gr.api(_api_errors(h.api_edit), api_name="edit_draft")
    gr.api(h.api_search, api_name="search")
    gr.api(h.api_current, api_name="current")


def _jsonable(d: dict) -> dict:

    return json.loads(json.dumps(d, ensure_ascii=False, default=str))


def _api_errors(fn):
    """API callers get the same Japanese message as the UI (as a gradio error)."""

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
