"""Review workflow: real store (SQLite and PostgreSQL), real drafter (GiNZA), real exports; roles checked on the server."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import wave

import numpy as np
import pytest

from assistant.app.config import load_config
from assistant.app.review import Actor, Refused, ReviewService
from assistant.app.review_store import ReviewFilter
from assistant.app.services import ServiceError, Services
from assistant.app.store import Store
from assistant.asr.audio import SAMPLE_RATE
from assistant.asr.transcript import Segment
from assistant.record.export import BOM, CSV_COLUMNS, wareki

STAFF = Actor("佐藤", "staff")
OTHER_STAFF = Actor("鈴木", "staff")
BOSS = Actor("課長", "supervisor")
TURNS = [("staff", "本日はどういったご相談でしょうか。"),
         ("citizen", "家賃を二か月滞納していて、大家さんから退去を求められています。"),
         ("staff", "お名前とお電話番号をお願いします。"),
         ("citizen", "山田花子です。電話は090-1234-5678です。"),
         ("staff", "ご家族は。"), ("citizen", "娘と二人暮らしです。もう死にたいと思うこともあります。")]


@pytest.fixture()
def env(tmp_path, db_url):
    """The same suite on SQLite and on PostgreSQL (``db_url`` in conftest)."""
    cfg = load_config(env={"ASSISTANT_DATA_DIR": str(tmp_path)})
    store = Store(db_url, cfg=cfg)
    svc = Services(store=store, cfg=cfg)
    audit: list[tuple] = []
    review = ReviewService(store, audit_sink=lambda a, action, cid, d: audit.append((a.name, action, cid)), live=svc)
    yield svc, review, audit, tmp_path
    svc.shutdown()
    store.close()


def _consultation(svc: Services, tmp_path, staff: str = "佐藤") -> int:
    """A real consultation: stored segments, a live PCM recording (a tone per segment), real drafts."""
    cid = svc.start_consultation(staff=staff, consent=True)
    segs = [Segment(id=i + 1, start=i * 2.0, end=i * 2.0 + 1.5, text=t, speaker=sp) for i, (sp, t) in enumerate(TURNS)]
    svc.store.add_segments(cid, segs)
    s = svc.session(cid)
    s.segments.extend(segs)
    t = np.arange(int(len(TURNS) * 2.0 * SAMPLE_RATE)) / SAMPLE_RATE
    pcm = (0.3 * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2")
    path = tmp_path / f"live-{cid}.pcm"
    path.write_bytes(pcm.tobytes())
    svc.store.add_audio(cid, "live", path, offset=0.0, duration=len(pcm) / SAMPLE_RATE)
    svc.end_consultation(cid)
    return cid


def test_workflow_submit_return_resubmit_approve_with_audit(env):
    svc, review, audit, tmp = env
    cid = _consultation(svc, tmp)
    gaps = review.submission_check(cid, STAFF)
    assert isinstance(gaps, list)
    assert review.submit(cid, STAFF)["review_status"] == "pending"
    with pytest.raises(ServiceError):
        review.submit(cid, STAFF)  # already pending
    with pytest.raises(ServiceError):
        review.return_record(cid, BOSS, "  ")  # a return needs a comment
    review.edit(cid, BOSS, "notes", "再確認: 家賃の滞納額")
    review.return_record(cid, BOSS, "世帯の収入を聞き取ってください")
    mine = review.my_records(STAFF)
    assert [r["id"] for r in mine if r["review_status"] == "returned"] == [cid]
    assert mine[0]["comment"] == "世帯の収入を聞き取ってください"
    review.edit(cid, STAFF, "income_work", "パート収入 月8万円")
    review.submit(cid, STAFF)
    review.approve(cid, BOSS)
    with pytest.raises(ServiceError):
        review.edit(cid, BOSS, "notes", "承認後の修正")
    acts = [a["action"] for a in review.open_record(cid, BOSS)["actions"]]
    assert acts[:6] == ["submit", "edit", "return", "edit", "submit", "approve"]
    assert [a[1] for a in audit][:6] == ["submit", "edit", "return", "edit",
                                         "submit", "approve"]
    hist = review.open_record(cid, BOSS)["history"]
    edited = [h for h in hist if h["author"] in ("課長", "佐藤")]
    assert {h["author"] for h in edited} == {"課長", "佐藤"}
    assert any("+パート収入 月8万円" in ln for h in edited for d in h["diff"] for ln in d["lines"])


def test_staff_is_refused_every_supervisor_action(env):
    svc, review, audit, tmp = env
    cid = _consultation(svc, tmp)
    review.submit(cid, STAFF)
    calls = [lambda: review.approve(cid, STAFF), lambda: review.return_record(cid, STAFF, "x"),
             lambda: review.list_records(STAFF, ReviewFilter()),
             lambda: review.correct_segment(cid, STAFF, 1, text="x"),
             lambda: review.export(STAFF, "csv", ReviewFilter()),
             lambda: review.segment_audio(cid, 1, STAFF), lambda: review.live_view(STAFF),
             lambda: review.open_record(cid, STAFF, unmasked=True),
             lambda: review.edit(cid, STAFF, "notes", "確認待ちの間の修正"),
             lambda: review.open_record(cid, OTHER_STAFF), lambda: review.submit(cid, OTHER_STAFF)]
    for call in calls:
        n = len(audit)
        with pytest.raises(Refused):
            call()
        assert len(audit) == n, "a refused action changes nothing"
    assert svc.store.get_consultation(cid).review_status == "pending"
    with pytest.raises(Refused):
        review.approve(cid, None)


def test_open_record_is_masked_and_unmasking_is_audited(env):
    svc, review, audit, tmp = env
    cid = _consultation(svc, tmp)
    review.edit(cid, BOSS, "notes", "山田花子さんに 090-1234-5678 へ折り返し")
    view = review.open_record(cid, BOSS)
    blob = json.dumps(view, ensure_ascii=False, default=str)
    assert "090-1234-5678" not in blob and "山田花子" not in blob, "edits and their diffs are masked too"
    assert any("折り返し" in ln for h in view["history"] for d in h["diff"] for ln in d["lines"])
    assert not any(a[1] == "unmask" for a in audit)
    raw = review.open_record(cid, BOSS, unmasked=True)
    assert "090-1234-5678" in json.dumps(raw["segments"], ensure_ascii=False)
    assert audit[-1][1] == "unmask"
    ev = {e["segment_id"] for f in view["record"]["fields"].values() for ln in f.get("lines", [])
          for e in ln.get("evidence", [])}
    assert ev <= {s["id"] for s in view["segments"]}, "every evidence link points at a transcript segment"
    assert any(u["kind"] == "suicidal" for u in view["urgency"])


def test_transcript_correction_keeps_the_original(env):
    svc, review, audit, tmp = env
    cid = _consultation(svc, tmp)
    assert review.correct_segment(cid, BOSS, 2, text="家賃を三か月滞納していて", speaker="other") == 2
    assert audit[-1][1] == "correct"
    seg = next(s for s in svc.store.segments(cid) if s.id == 2)
    assert seg.text == "家賃を三か月滞納していて" and seg.speaker == "other"
    corr = review.open_record(cid, BOSS)["corrections"]
    assert {(c["field"], c["old"]) for c in corr} == {("text", TURNS[1][1]), ("speaker", "citizen")}


def test_segment_audio_is_the_segment_slice(env):
    svc, review, audit, tmp = env
    cid = _consultation(svc, tmp)
    data = review.segment_audio(cid, 3, BOSS)
    assert audit[-1][1:] == ("view", cid), "playing a segment is audited"
    with wave.open(io.BytesIO(data)) as w:
        assert w.getframerate() == SAMPLE_RATE
        assert w.getnframes() == pytest.approx(1.5 * SAMPLE_RATE, abs=2)
    with pytest.raises(ServiceError):
        review.segment_audio(cid, 99, BOSS)


def test_csv_export_is_masked_with_bom_and_documented_columns(env):
    svc, review, audit, tmp = env
    cids = [_consultation(svc, tmp) for _ in range(2)]
    for cid in cids:
        review.submit(cid, STAFF)
    review.approve(cids[0], BOSS)
    text, n = review.export(BOSS, "csv", ReviewFilter(status="approved"))
    assert n == 1 and text.startswith(BOM)
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert tuple(rows[0]) == CSV_COLUMNS and len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["相談番号"] == str(cids[0]) and row["状態"] == "承認済み" and row["マスク"] == "あり"
    assert "090-1234-5678" not in text and "山田花子" not in text
    assert "滞納" in row["主訴"]
    assert ("佐藤", "export", cids[0]) not in audit and ("課長", "export", cids[0]) in audit
    raw, _ = review.export(BOSS, "json", ReviewFilter(status="approved"), unmasked=True)
    assert "090-1234-5678" in raw and ("課長", "unmask", cids[0]) in audit


@pytest.mark.parametrize("fmt", ["md", "json", "html"])
def test_other_formats_are_masked(env, fmt):
    svc, review, audit, tmp = env
    cid = _consultation(svc, tmp)
    review.submit(cid, STAFF)
    review.approve(cid, BOSS)
    text, n = review.export(BOSS, fmt, ReviewFilter(status="approved"))
    assert n == 1 and "090-1234-5678" not in text and "山田花子" not in text
    if fmt == "json":
        assert json.loads(text)[0]["schema"] == "record/1"
    if fmt == "html":
        assert "令和" in text and "JST" in text and "<script" not in text and "http" not in text


def test_filters_and_search(env):
    svc, review, audit, tmp = env
    a = _consultation(svc, tmp, staff="佐藤")
    b = _consultation(svc, tmp, staff="鈴木")
    review.ensure_index()
    assert {r["id"] for r in review.list_records(BOSS, ReviewFilter(staff="鈴木"))[1]} == {b}
    assert {r["id"] for r in review.list_records(BOSS, ReviewFilter(query="滞納"))[1]} == {a, b}
    assert review.list_records(BOSS, ReviewFilter(query="山田花子"))[0] == 0, "search never sees personal data"
    assert review.list_records(BOSS, ReviewFilter(urgent="suicidal"))[0] == 2
    assert review.list_records(BOSS, ReviewFilter(urgent="dv"))[0] == 0
    today = dt.date.today()
    assert review.list_records(BOSS, ReviewFilter(since=today + dt.timedelta(days=2)))[0] == 0


def test_help_call_and_live_view(env):
    svc, review, audit, tmp = env
    cid = svc.start_consultation(staff="佐藤", consent=True)
    svc.store.add_segments(cid, [Segment(id=1, start=0, end=1, text="もう死にたいです", speaker="citizen")])
    assert svc.consultation_info(cid)["help_pending"] is False
    review.request_help(cid, STAFF)
    assert svc.consultation_info(cid)["help_pending"] is True  # the counter's badge, read from the store
    live = review.live_view(BOSS)
    row = next(r for r in live if r["id"] == cid)
    assert row["help"]["actor"] == "佐藤" and row["staff"] == "佐藤"
    review.acknowledge_help(cid, BOSS)
    assert next(r for r in review.live_view(BOSS) if r["id"] == cid)["help"] is None
    assert svc.consultation_info(cid)["help_pending"] is False
    detail = review.live_detail(cid, BOSS)
    assert detail["segments"][0]["text"] == "もう死にたいです"


def test_wareki():
    assert wareki(dt.date(2019, 5, 1)) == "令和元年5月1日"
    assert wareki(dt.date(2025, 4, 1)) == "令和7年4月1日"
    assert wareki(dt.date(2019, 4, 30)) == "平成31年4月30日"


def test_office_audit_log_verifies_after_review(env):
    from sqlalchemy import text

    from assistant.app import audit as audit_log

    svc, _, _, tmp = env
    review = ReviewService(svc.store, live=svc)  # default sink: the office's chained audit log
    cid = _consultation(svc, tmp)
    review.submit(cid, STAFF)
    review.return_record(cid, BOSS, "山田花子さんの収入を確認")
    rows = audit_log.rows(svc.store, target=f"consultation:{cid}")
    assert {"submit", "return"} <= {r["action"] for r in rows}
    assert "山田" not in json.dumps(rows, ensure_ascii=False, default=str), "the audit log holds no comment text"
    assert audit_log.verify(svc.store).ok
    with svc.store.engine.connect() as conn:
        stored = conn.execute(text("select comment from review_actions where action='return'")).scalar_one()
    assert "山田" not in stored, "a return comment may quote the citizen: it is encrypted at rest"


def test_overview_figures_and_offline_charts(env):
    from assistant.app import overview

    svc, review, _, tmp = env
    a, b = _consultation(svc, tmp), _consultation(svc, tmp)
    svc.store.record_suggestions(a, [{"scheme_id": "housing-security-benefit", "name": "住居確保給付金"}])
    svc.store.set_suggestion_status(a, "housing-security-benefit", "pinned")
    for cid in (a, b):
        review.submit(cid, STAFF)
    review.return_record(b, BOSS, "再確認")
    review.approve(a, BOSS)
    ov = overview.compute(svc.store)
    assert (ov.submitted, ov.returned, ov.approved) == (2, 1, 1)
    assert ov.returned_share == 0.5 and ov.hours_to_approval is not None and ov.hours_to_approval >= 0
    assert sum(sum(v) for v in ov.per_week.values()) == 2
    proposed = sum(1 for cid in (a, b) for r in svc.store.suggestions(cid) if r.scheme_id == "housing-security-benefit")
    assert ("住居確保給付金", proposed, 1) in ov.schemes
    html = "".join(overview.charts(ov))
    assert "Plotly.newPlot" in html and "<script src" not in html and "cdn" not in html.lower()
    assert "function" in overview.plotly_js()[:5000]


# -- HTTP layer: the same refusals for a hand-made request as for a click ---------------------------
@pytest.fixture()
def http(env):
    import gradio as gr
    from fastapi.testclient import TestClient

    from assistant.app import accounts
    from assistant.ui import supervisor
    from assistant.ui.auth import create_app

    svc, _, _, tmp = env
    for name, role in (("佐藤", "staff"), ("課長", "supervisor")):
        accounts.add_user(svc.store, name, role, "correct-horse-battery")
    with gr.Blocks() as blocks:
        gr.HTML("counter")
    app = create_app(blocks, store_=svc.store, routers=supervisor.routers(svc))

    def client(name: str) -> TestClient:
        c = TestClient(app, base_url="http://127.0.0.1")
        r = c.post("/login", data={"username": name, "password": "correct-horse-battery", "next": "/mine"},
                   follow_redirects=False)
        assert r.status_code == 303, r.text
        return c

    return svc, client


def test_http_staff_is_refused_every_review_route(http):
    from assistant.app import audit as audit_log

    svc, client = http
    cid = _consultation(svc, svc.cfg.data_dir)
    staff = client("佐藤")
    assert staff.post(f"/review/{cid}/submit", follow_redirects=False).status_code == 303
    calls = [("get", "/review", {}), ("get", "/review/export?fmt=csv", {}), ("get", f"/review/{cid}/audio/1", {}),
             ("post", f"/review/{cid}/approve", {}), ("post", f"/review/{cid}/return", {"comment": "x"}),
             ("post", f"/review/{cid}/correct", {"seg_id": "1", "text": "x"}), ("get", "/live", {}),
             ("get", "/live/api", {}), ("get", f"/live/{cid}", {}), ("post", f"/live/{cid}/ack", {}),
             ("get", "/overview", {}), ("get", f"/review/{cid}?unmasked=1", {})]
    for method, url, data in calls:
        r = staff.request(method, url, data=data or None, follow_redirects=False)
        assert r.status_code == 403, (url, r.status_code)
    assert svc.store.get_consultation(cid).review_status == "pending"
    assert len([r for r in audit_log.rows(svc.store, action="denied") if r["actor"] == "佐藤"]) >= len(calls)
    assert staff.get(f"/review/{cid}").status_code == 200, "staff may read their own record"
    anonymous = staff.__class__(staff.app, base_url="http://127.0.0.1")
    assert anonymous.get("/review/export?fmt=csv").status_code in (401, 303)


def test_http_supervisor_reviews_and_exports(http):
    svc, client = http
    cid = _consultation(svc, svc.cfg.data_dir)
    client("佐藤").post(f"/review/{cid}/submit")
    boss = client("課長")
    page = boss.get("/review?status=pending").text
    assert f"/review/{cid}" in page
    rec = boss.get(f"/review/{cid}").text
    assert "090-1234-5678" not in rec and "data-ev=" in rec and f"/review/{cid}/audio/1" in rec
    assert boss.get(f"/review/{cid}/audio/1").headers["content-type"] == "audio/wav"
    assert boss.post(f"/review/{cid}/approve", follow_redirects=False).status_code == 303
    assert svc.store.get_consultation(cid).review_status == "approved"
    r = boss.get("/review/export?fmt=csv&status=approved")
    assert r.content.startswith(b"\xef\xbb\xbf") and "090-1234-5678" not in r.content.decode("utf-8")
    ov = boss.get("/overview").text
    assert "/review-static/plotly.js" in ov and "cdn" not in ov.lower()
    assert boss.get("/review-static/plotly.js").status_code == 200


def test_scrubber_agrees_with_pii_scrub():
    from assistant.pii.mask import Entity, scrub
    from assistant.record.export import scrubber

    ents = [Entity("name", 0, 4, "山田花子", "[氏名1]"), Entity("name", 0, 2, "山田", "[氏名1]"),
            Entity("phone", 0, 13, "090-1234-5678", "[電話番号1]"), Entity("name", 0, 1, "林", "[氏名2]")]
    clean = scrubber(ents)
    for text in ("山田花子です。電話は090-1234-5678です。", "山田さんと林さん", "", "山田山田花子090-1234-5678"):
        assert clean(text) == scrub(text, ents)
    assert scrubber([])("山田") == "山田"


def test_export_command_writes_masked_csv(env):
    """``assistant export`` on the same store (the data key is found in the same data folder)."""
    import subprocess
    import sys
    from pathlib import Path

    svc, review, _, tmp = env
    cid = _consultation(svc, tmp)
    review.submit(cid, STAFF)
    review.approve(cid, BOSS)
    exe = Path(sys.executable).parent / "assistant"
    out = tmp / "records.csv"
    root = Path(__file__).resolve().parent.parent
    env_vars = {"ASSISTANT_DATA_DIR": str(tmp), "ASSISTANT_STORE_URL": svc.store.url, "PATH": "/usr/bin:/bin",
                "PYTHONPATH": str(root)}
    run = subprocess.run([str(exe), "export", "--status", "approved", "--since", dt.date.today().isoformat(),
                          "--format", "csv", "-o", str(out)], env=env_vars, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "090-1234-5678" not in raw.decode("utf-8")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert tuple(rows[0]) == CSV_COLUMNS and [r[0] for r in rows[1:]] == [str(cid)]
    bad = subprocess.run([str(exe), "export", "--since", "yesterday"], env=env_vars, capture_output=True, text=True)
    assert bad.returncode != 0 and "YYYY-MM-DD" in bad.stderr
