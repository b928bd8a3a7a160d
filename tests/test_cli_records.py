"""CLI: assistant draft, assistant mask, assistant eval record (real models, small inputs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app

pytestmark = pytest.mark.slow

DIALOGUE = """staff: こんにちは。今日はどうされましたか。
citizen: 夫が入院して、医療費の請求が35万円来て払えないんです。
staff: お名前をお願いします。
citizen: 宮下理沙です。
staff: 宮下さん、ご家族は。
citizen: 夫と小学3年の娘と三人です。
staff: ご住所とお電話番号を。
citizen: 東区栄町3丁目4番12号です。電話は080の6234の1187です。
staff: 高額療養費制度で、ひと月の自己負担に上限があります。次回は病院の請求書と保険証を持ってきてください。
"""
RAW = ("宮下", "理沙", "東区栄町3丁目4番12号", "080の6234の1187")


@pytest.fixture()
def dialogue(tmp_path: Path) -> Path:
    p = tmp_path / "consultation.txt"
    p.write_text(DIALOGUE, encoding="utf-8")
    return p


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_draft_json_is_masked_record1(dialogue: Path) -> None:
    r = run("draft", str(dialogue))
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["schema"] == "record/1" and d["masked"] is True
    for raw in RAW:
        assert raw not in r.stdout
    assert "35万円" in d["fields"]["main_concern"]["text"]
    assert d["fields"]["next_actions"]["lines"][0]["evidence"][0]["segment_id"] == 9


@pytest.mark.parametrize("fmt, marker", [("md", "## 主訴"), ("html", "<!doctype html>")])
def test_draft_markdown_and_html(dialogue: Path, fmt: str, marker: str) -> None:
    r = run("draft", str(dialogue), "--format", fmt, "--date", "2025-06-02", "--staff", "窓口2")
    assert r.exit_code == 0, r.output
    assert marker in r.stdout and "2025-06-02" in r.stdout
    for raw in RAW:
        assert raw not in r.stdout


def test_draft_unmasked_shows_the_input_and_warns(dialogue: Path, tmp_path: Path) -> None:
    out = tmp_path / "draft.md"
    r = run("draft", str(dialogue), "--format", "md", "--unmasked", "-o", str(out))
    assert r.exit_code == 0, r.output
    text = out.read_text(encoding="utf-8")
    assert "宮下理沙" in text and "マスクなし" in text
    assert "unmasked" in r.stderr


def test_draft_reads_transcript_json(dialogue: Path, tmp_path: Path) -> None:
    from assistant.asr.transcript import load_any

    p = tmp_path / "t.json"
    p.write_text(load_any(dialogue).to_json(), encoding="utf-8")
    r = run("draft", str(p), "--pinned", "high-cost-medical-expense")
    assert r.exit_code == 0, r.output
    schemes = json.loads(r.stdout)["fields"]["schemes"]["lines"]
    assert any(s["scheme_id"] == "high-cost-medical-expense" and s["status"] == "presented" for s in schemes)


def test_mask_json_lists_entities_without_raw_text(dialogue: Path) -> None:
    r = run("mask", str(dialogue))
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["schema"] == "transcript/1"
    for raw in RAW:
        assert raw not in r.stdout
    ents = d["pii"]["entities"]
    assert {e["type"] for e in ents} == {"name", "address", "phone"}
    original = DIALOGUE.splitlines()
    for e in ents:
        assert "text" not in e
        line = original[e["segment_id"] - 1].split(":", 1)[1].strip()
        assert line[e["start"]:e["end"]] in ("宮下理沙", "宮下", "東区栄町3丁目4番12号", "080の6234の1187")
    assert "マスクした個人情報" in r.stderr


def test_mask_text(dialogue: Path) -> None:
    r = run("mask", str(dialogue), "--format", "text")
    assert r.exit_code == 0, r.output
    assert "[氏名1]です。" in r.stdout and "[電話番号1]" in r.stdout
    for raw in RAW:
        assert raw not in r.stdout


def test_errors_are_clear(tmp_path: Path, dialogue: Path) -> None:
    r = run("draft", str(tmp_path / "missing.txt"))
    assert r.exit_code == 1 and "not found" in r.stderr
    r = run("draft", str(dialogue), "--format", "pdf")
    assert r.exit_code == 1 and "unknown format" in r.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "transcript/9", "segments": []}', encoding="utf-8")
    r = run("mask", str(bad))
    assert r.exit_code == 1 and "形式" in r.stderr


def _consultation(cid: str, name: str, phone: str, cats: list[str]) -> dict:
    return {
        "id": cid, "style": "clean",
        "turns": [
            {"speaker": "staff", "text": "今日はどうされましたか。"},
            {"speaker": "citizen", "text": "借金の返済が苦しくて、家賃も払えていません。"},
            {"speaker": "staff", "text": "お名前をお願いします。"},
            {"speaker": "citizen", "text": f"{name}です。"},
            {"speaker": "staff", "text": "ご家族は。"},
            {"speaker": "citizen", "text": "一人暮らしです。"},
            {"speaker": "staff", "text": "ご連絡先を。"},
            {"speaker": "citizen", "text": f"{phone}です。"},
            {"speaker": "staff", "text": "次回は通帳を持ってきてください。"},
        ],
        "pii": [{"type": "name", "text": name}, {"type": "phone", "text": phone}],
        "facts": [{"field": "household", "text": "単身", "keywords": ["一人暮らし"]},
                  {"field": "next_actions", "text": "通帳持参", "keywords": ["通帳"]}],
        "categories": cats, "main_category": cats[0], "urgency": [],
    }


def test_eval_record_prints_all_figures(tmp_path: Path) -> None:
    items = [_consultation("t1", "青山誠", "090-1111-2233", ["債務", "家賃・ローンの支払い"]),
             _consultation("t2", "川端みのり", "080の4455の6677", ["債務"]),
             _consultation("t3", "杉本隆", "070-9988-7766", ["家賃・ローンの支払い", "債務"]),
             _consultation("t4", "大森あや", "090-2222-3344", ["債務"])]
    p = tmp_path / "dev.jsonl"
    p.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in items) + "\n", encoding="utf-8")
    out = tmp_path / "report.json"
    r = run("eval", "record", str(p), "--folds", "2", "--json", str(out))
    assert r.exit_code == 0, r.output
    assert "recall (strings not leaked)   1.0000  (8/8)" in r.stdout
    assert "key facts" in r.stdout and "held-out" in r.stdout
    rep = json.loads(out.read_text(encoding="utf-8"))
    assert rep["pii"]["recall"] == 1.0 and rep["facts"]["coverage"] == 1.0
    assert rep["evidence"]["without_evidence"] == 0 and rep["categories"]["folds"] == 2


def test_eval_record_rejects_bad_input(tmp_path: Path) -> None:
    p = tmp_path / "bad.jsonl"
    p.write_text("{not json}\n", encoding="utf-8")
    r = run("eval", "record", str(p))
    assert r.exit_code == 1 and "not JSON" in r.stderr
