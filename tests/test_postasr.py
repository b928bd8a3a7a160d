"""The post-ASR scheme-name correction: originals kept, protected real names untouched, shown in the
record; the protected-terms list is checked by kb check. Real knowledge base, Sudachi, OpenJTalk."""

from __future__ import annotations

import json

import pytest
import yaml

from assistant.app.config import load_config
from assistant.app.review import Actor, ReviewService
from assistant.app.store import Store
from assistant.asr.transcript import Segment, Transcript
from assistant.record.draft import draft_record
from assistant.schemes.knowledge import KnowledgeBase
from assistant.schemes.postasr import correct_segments
from assistant.schemes.protected import DEFAULT_PATH, check_protected_terms, load_protected_terms
from assistant.schemes.vocab import SchemeNameCorrector
from assistant.ui import render, review_html

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fixer() -> SchemeNameCorrector:
    return SchemeNameCorrector(KnowledgeBase())


def _segs(turns: list[tuple[str, str]]) -> list[Segment]:
    return [Segment(id=i + 1, start=i * 3.0, end=i * 3.0 + 2.5, speaker=sp, text=t) for i, (sp, t) in enumerate(turns)]


@pytest.mark.parametrize("text", [
    "平日は地域生活支援センターに通っています。",
    "今は公団住宅に住んでいます。",
    "職場から指導手当が出ているので、収入はそれだけです。",
])
def test_real_names_survive(fixer, text):
    segs = _segs([("citizen", text)])
    assert correct_segments(segs, fixer) == 0
    assert segs[0].text == text and segs[0].original_text is None and "corrected" not in segs[0].flags


def test_allowance_heard_in_a_child_context_is_corrected_with_its_original(fixer):
    segs = _segs([("citizen", "小学生の子どもが二人いて、指導手当をもらっています。")])
    assert correct_segments(segs, fixer) == 1
    s = segs[0]
    assert "児童手当" in s.text and s.original_text == "小学生の子どもが二人いて、指導手当をもらっています。"
    assert s.corrections[0]["from"] == "指導手当" and s.corrections[0]["to"] == "児童手当"


def test_every_corrected_segment_shows_its_original_in_the_record(fixer):
    segs = _segs([("staff", "重強確保給付金という制度で家賃を支援できます。申請書をお渡しします。"),
                  ("citizen", "ありがとうございます。")])
    correct_segments(segs, fixer)
    corrected = [s for s in segs if "corrected" in s.flags]
    assert corrected and all(s.original_text and s.corrections for s in corrected)
    # round trip through transcript/1 keeps them
    again = Transcript.from_dict(json.loads(Transcript(segments=segs).to_json()))
    assert again.segments[0].original_text == segs[0].original_text
    assert again.segments[0].corrections == segs[0].corrections
    rec = draft_record(Transcript(segments=segs), classifier=None)
    md = rec.to_markdown(masked=True)
    for s in corrected:
        assert f"原文「{s.original_text}」" in md
    data = rec.to_dict(masked=True)
    evid = [e for f in data["fields"].values() for ln in f["lines"] for e in ln["evidence"] if e["segment_id"] == 1]
    assert evid and all(e.get("original_text") == segs[0].original_text for e in evid)


def test_correction_is_idempotent_and_keeps_first_original(fixer):
    segs = _segs([("staff", "重強確保給付金の申請をしましょう。")])
    correct_segments(segs, fixer)
    first = (segs[0].text, segs[0].original_text, list(segs[0].corrections))
    correct_segments(segs, fixer)
    assert (segs[0].text, segs[0].original_text, segs[0].corrections) == first


def test_protected_terms_file_is_valid_and_holds_no_scheme_name():
    kb = KnowledgeBase()
    assert check_protected_terms(list(kb)) == []
    terms = {t.term for t in load_protected_terms().terms}
    assert {"地域生活支援センター", "公団住宅", "指導手当"} <= terms


def test_kb_check_reports_a_protected_term_equal_to_a_scheme_name(tmp_path):
    kb = list(KnowledgeBase())
    bad = tmp_path / "protected_terms.yaml"
    bad.write_text(yaml.safe_dump({"terms": [{"term": kb[0].name, "kind": "x"}, {"term": "", "kind": "y"},
                                             {"term": "社宅"}]}, allow_unicode=True), encoding="utf-8")
    errors = check_protected_terms(kb, bad)
    assert len(errors) == 3
    assert DEFAULT_PATH.exists()


def test_stored_correction_keeps_its_original_after_reload_and_in_both_views(fixer, tmp_path, db_url):
    """The original lives in the store, not only in memory: a restart or the supervisor still sees it."""
    segs = _segs([("staff", "重強確保給付金という制度で家賃を支援できます。申請書をお渡しします。"),
                  ("citizen", "お願いします。")])
    correct_segments(segs, fixer)
    assert segs[0].original_text is not None
    cfg = load_config(env={"ASSISTANT_DATA_DIR": str(tmp_path)})
    store = Store(db_url, cfg=cfg)
    try:
        cid = store.create_consultation(staff="佐藤").id
        store.add_segments(cid, segs)
        back = store.segments(cid)
        assert [(s.text, s.original_text, s.corrections, s.flags) for s in back] == \
               [(s.text, s.original_text, s.corrections, s.flags) for s in segs]
        assert back[1].original_text is None and back[1].corrections == []
        counter = render.transcript(back, None)
        assert f"原文「{segs[0].original_text}」" in counter and "制度名を自動補正" in counter
        view = ReviewService(store).open_record(cid, Actor("課長", "supervisor"))
        assert view["segments"][0]["original_text"] == segs[0].original_text
        assert segs[0].original_text in review_html.transcript(view, cid, can_play=False)
    finally:
        store.close()
