"""Service functions shared by the counter view and the CLI: real store, real Whisper, real engines."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.app.config import REPO_ROOT, load_config
from assistant.app.services import AlreadyEnded, AudioRejected, ConsentRequired, Services
from assistant.app.store import Store
from assistant.asr.audio import SAMPLE_RATE, decode

DEMO = REPO_ROOT / "assistant" / "demo" / "demo_dialogue.wav"
pytestmark = pytest.mark.slow


@pytest.fixture()
def make_services(tmp_path, transcriber):
    cfg = load_config(env={"ASSISTANT_DATA_DIR": str(tmp_path)})
    made = []

    def make() -> Services:
        svc = Services(store=Store(f"sqlite:///{tmp_path / 'assistant.db'}", cfg=cfg), cfg=cfg,
                       transcriber_factory=lambda: transcriber)
        made.append(svc)
        return svc

    yield make
    for svc in made:
        svc.shutdown()


@pytest.fixture(scope="module")
def demo_pcm() -> np.ndarray:
    """The demo dialogue as the browser sends it: 48 kHz int16 mono."""
    from assistant.asr.audio import resample

    x = resample(decode(DEMO).samples[: 15 * SAMPLE_RATE], SAMPLE_RATE, 48_000)
    return (np.clip(x, -1, 1) * 32767).astype(np.int16)


def _stream(svc: Services, cid: int, pcm: np.ndarray) -> None:
    for i in range(0, len(pcm), 24_000):
        svc.feed_audio(cid, 48_000, pcm[i:i + 24_000])


def test_no_recording_before_consent(make_services, demo_pcm):
    svc = make_services()
    cid = svc.start_consultation()
    with pytest.raises(ConsentRequired, match="同意"):
        svc.feed_audio(cid, 48_000, demo_pcm[:24_000])
    assert svc.store.audio_files(cid) == [] and svc.transcript(cid).segments == []


def test_live_consultation_is_stored_as_it_goes(make_services, demo_pcm):
    svc = make_services()
    cid = svc.start_consultation()
    svc.set_consent(cid, True)
    assert svc.consultation_info(cid)["consent"] is True
    _stream(svc, cid, demo_pcm)
    svc.stop_recording(cid)
    segs = svc.store.segments(cid)
    assert len(segs) >= 2 and [s.id for s in segs] == list(range(1, len(segs) + 1))
    (audio,) = svc.store.audio_files(cid)
    assert audio.kind == "live" and audio.duration == pytest.approx(15.0, abs=0.05)
    kinds = [e.kind for e in svc.store.events(cid)]
    assert kinds.index("consent") < kinds.index("started") + 2
    wav = svc.recording_wav(cid)
    assert decode(wav).duration == pytest.approx(15.0, abs=0.05)


def test_off_the_record_audio_is_neither_stored_nor_transcribed(make_services, demo_pcm):
    svc = make_services()
    cid = svc.start_consultation(consent=True)
    svc.pause(cid)
    _stream(svc, cid, demo_pcm[: 48_000 * 5])
    assert svc.store.audio_files(cid) == [] and svc.store.segments(cid) == []
    svc.resume_recording(cid)
    assert [e.kind for e in svc.store.events(cid)][-2:] == ["off_record", "on_record"]


def test_upload_then_end_twice_and_bad_upload(make_services, tmp_path):
    svc = make_services()
    cid = svc.start_consultation(consent=True)
    bad = tmp_path / "memo.txt"
    bad.write_text("これは音声ではありません", encoding="utf-8")
    with pytest.raises(AudioRejected, match="音声ファイルとして使えません"):
        svc.upload_recording(cid, bad)
    segs = svc.upload_recording(cid, DEMO)
    assert len(segs) >= 8 and segs[0].id == 1
    assert svc.store.audio_files(cid)[0].kind == "upload"
    svc.end_consultation(cid)
    with pytest.raises(AlreadyEnded, match="すでに終了"):
        svc.end_consultation(cid)
    assert len(svc.store.segments(cid)) == len(segs), "nothing lost by the second end"
    assert svc.consultation_info(cid)["status"] == "ended"


def test_pin_edit_handout_and_resume_after_restart(make_services, demo_pcm):
    svc = make_services()
    cid = svc.start_consultation(consent=True)
    _stream(svc, cid, demo_pcm[: 48_000 * 8])
    svc.stop_recording(cid)
    n = svc.store.max_segment_id(cid)
    hits = svc.search_kb("住居確保給付金")
    assert hits and hits[0]["id"] == "housing-security-benefit"
    svc.pin(cid, "housing-security-benefit")
    assert [p["scheme_id"] for p in svc.pinned(cid)] == ["housing-security-benefit"]
    svc.edit_draft(cid, "main_concern", "家賃の支払いが難しい")
    page = svc.handout_html(cid)
    assert "住居確保給付金" in page and "持ち物リスト" in page and "http" not in page

    # A new process (restart): the consultation is interrupted, everything is there, ids continue.
    again = make_services()
    assert [i["id"] for i in again.interrupted_consultations()] == [cid]
    assert again.draft(cid)["fields"]["main_concern"] == "家賃の支払いが難しい"
    assert "main_concern" in again.draft(cid)["edited"]
    assert [p["scheme_id"] for p in again.pinned(cid)] == ["housing-security-benefit"]
    again.resume_consultation(cid)
    assert again.interrupted_consultations() == []
    _stream(again, cid, demo_pcm[48_000 * 8: 48_000 * 15])
    again.stop_recording(cid)
    segs = again.store.segments(cid)
    assert segs[-1].id > n and min(s.start for s in segs if s.id > n) >= 8.0


def test_suggestions_and_draft_follow_the_conversation(make_services):
    pytest.importorskip("assistant.schemes.suggest")
    pytest.importorskip("assistant.record.draft")
    svc = make_services()
    cid = svc.start_consultation(consent=True)
    svc.upload_recording(cid, DEMO)
    sugg = svc.suggestions(cid)
    assert sugg, "the demo dialogue is about rent arrears and a single parent"
    assert all(s["reasons"] and s["reasons"][0]["text"] for s in sugg)
    ids = {s["scheme_id"] for s in sugg}
    assert ids & {"housing-security-benefit", "child-rearing-allowance", "self-reliance-support"}
    svc.pin(cid, sugg[0]["scheme_id"])
    d = svc.draft(cid)
    assert d["version"] >= 2 and any(d["fields"].values())


def test_automatic_drafts_are_stored_when_changed_and_staff_edits_at_once(make_services):
    """Live redrafts stay in memory and are stored at most every autosave_draft_s; the view always
    shows the newest; staff edits and the end of the consultation are stored at once."""
    pytest.importorskip("assistant.record.draft")
    from assistant.asr.transcript import Segment

    svc = make_services()
    cid = svc.start_consultation(consent=True)
    s = svc.session(cid)
    turns = [("staff", "本日はどういったご相談でしょうか。"), ("citizen", "家賃を二か月滞納していて、大家さんから退去を求められています。"),
             ("staff", "ご家族は。"), ("citizen", "娘と二人暮らしです。")]

    def say(i: int) -> None:
        seg = Segment(id=i + 1, start=i * 4.0, end=i * 4.0 + 3.0, text=turns[i][1], speaker=turns[i][0])
        svc.store.add_segments(cid, [seg])
        s.segments.append(seg)
        svc._analyse(s)

    def auto_versions() -> int:
        return sum(1 for d in svc.store.draft_versions(cid) if d.author == "auto")

    say(0)
    say(1)
    assert auto_versions() == 1, "the first draft is stored, the next one waits for the autosave interval"
    assert "滞納" in svc.draft(cid)["fields"]["main_concern"], "the view shows the newest draft"
    svc._analyse(s)
    assert auto_versions() == 1
    say(2)
    say(3)
    assert "二人暮らし" in svc.draft(cid)["fields"]["household"]
    svc.edit_draft(cid, "notes", "次回は来週")
    assert svc.store.latest_draft(cid, "staff").data["edits"]["notes"] == "次回は来週"
    svc.end_consultation(cid)
    assert auto_versions() == 2
    stored = svc.store.latest_draft(cid, "auto").data
    assert "二人暮らし" in stored["fields"]["household"]["text"]
    assert svc.draft(cid)["fields"]["notes"] == "次回は来週"
