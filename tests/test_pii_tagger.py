"""The learned personal-data tagger: it only adds to the rules, never hides an age, an amount or a
scheme name, and masking keeps working without it."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from assistant import artefacts
from assistant.asr.transcript import Segment
from assistant.learn.pii_train import _examples, fit, training_files
from assistant.pii import mask
from assistant.pii.tagger import TAGGER_ARTEFACT, TokenView, accept, load_tagger, trim


def _segments(*turns: tuple[str, str]) -> list[Segment]:
    return [Segment(id=i + 1, start=float(i), end=float(i + 1), text=t, speaker=s) for i, (s, t) in enumerate(turns)]


TALKS = [
    (("staff", "日中つながる番号はありますか"),
     ("citizen", "うちの電話で 三三の 七〇一二 です 母は八十一歳で 介護保険の 要介護2です")),
    (("staff", "ご住所を伺えますか"),
     ("citizen", "えっと 緑町の 四丁目の じゅうご の さん です 家賃は五万円で 2DKです")),
    (("citizen", "息子の拓海が 中学2年で 児童扶養手当を もらってます"),
     ("staff", "生年月日は"), ("citizen", "平成二十三年の 五月 九日 です")),
    (("citizen", "ケアマネの 小田さんに 訪問介護を 週2回 頼んでます 父は九十二歳です"),),
]
VISIBLE = ("八十一歳", "介護保険", "要介護2", "五万円", "2DK", "中学2年", "児童扶養手当", "訪問介護", "週2回", "九十二歳")


def _masked_chars(entities: list[mask.Entity]) -> set[tuple[int | None, int]]:
    return {(e.segment_id, j) for e in entities for j in range(e.start, e.end)}


@pytest.mark.parametrize("talk", TALKS)
def test_tagger_only_adds_to_the_rules(talk: tuple[tuple[str, str], ...], monkeypatch: pytest.MonkeyPatch) -> None:
    segs = _segments(*talk)
    with_model = mask.detect_segments(segs)
    monkeypatch.setattr(mask, "load_tagger", lambda: None)
    rules_only = mask.detect_segments(segs)
    assert _masked_chars(rules_only) <= _masked_chars(with_model)


@pytest.mark.parametrize("talk", TALKS)
def test_ages_amounts_and_scheme_names_stay_visible(talk: tuple[tuple[str, str], ...]) -> None:
    assert load_tagger() is not None  # the session trains it, as `make setup` does
    segs = _segments(*talk)
    entities = mask.detect_segments(segs)
    for seg in segs:
        masked = mask.mask_text(seg.text, [e for e in entities if e.segment_id == seg.id])
        for word in VISIBLE:
            if word in seg.text:
                assert word in masked, (word, masked)


@pytest.mark.parametrize(("text", "span", "masked", "p", "want"), [
    ("父は89です", "89", set(), 0.99, False),  # an age answered alone
    ("はちじゅう です", "はちじゅう", set(), 0.99, False),
    ("介護保険の申請です", "介護保険", set(), 0.99, False),  # a protected scheme name
    ("家賃は6万円です", "6", set(), 0.99, False),  # an amount
    ("記号 が 12 番号 3456", "が", {0, 1, 7, 8, 12, 13, 14, 15}, 0.6, True),  # between two masks
    ("電話は ろく ろく の よんよん です", "ろく ろく の よんよん", set(), 0.95, True),
    ("電話は ろく ろく の よんよん です", "ろく ろく の よんよん", set(), 0.6, False),  # alone needs more
    ("夜間は0120-11-2233へ", "0120-11-2233", set(), 0.99, False),  # a free-dial office number
    ("直通は 3321-7785 です", "3321-7785", set(), 0.99, False),  # introduced as the office's
    ("三丁目のスーパーです", "三丁目", set(), 0.99, False),  # a landmark: the rules judge places
    ("本町の郵便局の前で", "本町", set(), 0.99, False),
    ("マンションの5階の隣", "5階", set(), 0.99, False),
    ("町田が来ます", "町田", set(), 0.99, True),  # name kanji are no place
    ("大月 が来ます", "大月", set(), 0.99, True),
    ("えー、", "えー、", set(), 0.99, False),  # only a filler
])
def test_accept_guards(text: str, span: str, masked: set[int], p: float, want: bool) -> None:
    start = text.index(span)
    protected = [(text.index("介護保険"), text.index("介護保険") + 4)] if "介護保険" in text else []
    assert accept(text, start, start + len(span), masked, protected, p, 0.85) is want


def _run(text: str, *pieces: tuple[str, str]) -> list[tuple[TokenView, float]]:
    out, pos = [], 0
    for word, tag in pieces:
        start = text.index(word, pos)
        out.append((TokenView(word, tag, start, start + len(word)), 0.9))
        pos = start + len(word)
    return out


def test_trim_keeps_names_that_end_like_a_particle() -> None:
    text = "弟は はると です"
    run = _run(text, ("は", "助詞-係助詞"), (" ", "空白"), ("はると", "名詞-固有名詞-人名-名"), (" ", "空白"),
               ("です", "助動詞"))
    assert trim(run, text, set()) == (3, 6, 0.9)
    gap = "記号 が 12"
    assert trim(_run(gap, (" ", "空白"), ("が", "助詞-格助詞"), (" ", "空白")), gap, {0, 1, 5, 6}) == (2, 5, 0.9)
    said = "わしゃ 藤堂 ゆうもんです"
    run = _run(said, ("藤堂", "名詞-固有名詞-人名-姓"), (" ", "空白"), ("ゆう", "名詞-固有名詞-人名-名"))
    assert trim(run, said, set()) == (4, 6, 0.9)


def test_masking_works_without_the_tagger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(artefacts, "models_dir", lambda: tmp_path)
    caplog.set_level(logging.WARNING)
    assert load_tagger() is None
    found = mask.detect_pii("電話は090-3141-5926です")
    assert [e.type for e in found] == ["phone"]


def test_training_separates_personal_data(tmp_path: Path) -> None:
    """A model fitted on a few invented consultations scores their personal data above the rest."""
    items = []
    for i, (name, phone) in enumerate([("森下", "080-2718-2818"), ("川辺", "090-1414-2135"),
                                       ("片岡", "070-1732-0508"), ("野々村", "080-5772-1566")]):
        items.append({"id": f"t{i}", "turns": [
            {"speaker": "staff", "text": "お名前とお電話番号をお願いします"},
            {"speaker": "citizen", "text": f"{name}です。電話は{phone}です。家賃が払えなくて困っています。"}],
            "pii": [{"type": "name", "text": name}, {"type": "phone", "text": phone}]})
    rows: list[dict[str, int]] = []
    labels: list[int] = []
    for item in items:
        r, y = _examples(json.loads(json.dumps(item)))
        rows += r
        labels += y
    assert 0 < sum(labels) < len(labels)
    model = fit(rows, labels)
    p = model.proba(rows)
    y = np.array(labels)
    assert p[y == 1].mean() > p[y == 0].mean() + 0.2


def test_manifest_lists_its_training_files() -> None:
    manifest = artefacts.read_manifest(TAGGER_ARTEFACT)
    paths = {d["path"] for d in manifest["data"]}
    assert paths and all(p.startswith("eval/dev") and p.endswith("personal.jsonl") for p in paths)
    cv = manifest["cross_validation"]
    assert 0.0 < cv["recall"] <= 1.0 and 0.0 < cv["precision"] <= 1.0


def test_a_new_or_removed_development_file_makes_the_tagger_stale(tmp_path: Path) -> None:
    manifest = artefacts.read_manifest(TAGGER_ARTEFACT)
    paths = training_files()
    assert artefacts.same_training_files(manifest, paths)
    assert not artefacts.same_training_files(manifest, [*paths, tmp_path / "personal.jsonl"])
    assert not artefacts.same_training_files(manifest, paths[:-1])
