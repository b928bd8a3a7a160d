"""Facts with a subject: who came, about whom, question/answer pairs, statements from facts.

Real GiNZA (tokenizer); conversations written here (not from the development set), plus the
two-voice fixture dialogue whose record a supervisor must be able to sign line by line."""

from __future__ import annotations

import json

import pytest

from assistant.asr.transcript import Segment, Transcript
from assistant.facts.qa import pair_questions, polarity
from assistant.facts.subjects import extract_subjects, kanji_number
from assistant.record.draft import draft_record

pytestmark = pytest.mark.slow


def _segs(turns: list[tuple[str, str]]) -> list[Segment]:
    return [Segment(id=i, start=i * 4.0, end=i * 4.0 + 3.5, speaker=sp, text=t) for i, (sp, t) in enumerate(turns)]


def _fixture_transcript(fixtures_dir) -> Transcript:
    meta = json.loads((fixtures_dir / "dialogue_stereo.json").read_text(encoding="utf-8"))
    segs = [Segment(id=i, start=t["start"], end=t["end"], speaker=t["speaker"], text=t["text"])
            for i, t in enumerate(meta["turns"])]
    return Transcript(source="dialogue_stereo", duration=meta["duration"], segments=segs)


def test_kanji_numbers():
    assert kanji_number("八十二") == 82
    assert kanji_number("七十") == 70
    assert kanji_number("百一") == 101
    assert kanji_number("９５") == 95
    assert kanji_number("足") is None


@pytest.mark.parametrize("answer,expected", [
    ("いいえ、まだ何も申請していません。", "no"),
    ("えっと、いえ、受けてないです。", "no"),
    ("まだしていないんです。", "no"),
    ("はい、去年から受けています。", "yes"),
    ("ええ、そうです。", "yes"),
    ("要介護2です。", "content"),
])
def test_answer_polarity(answer, expected):
    assert polarity(answer) == expected


def test_question_paired_with_following_answers_only():
    segs = _segs([("staff", "お母様の件ですね。障害者手帳はお持ちですか。"), ("citizen", "いいえ、持っていません。"),
                  ("staff", "わかりました。"), ("citizen", "はい。")])
    pairs = pair_questions(segs)
    assert len(pairs) == 1
    assert pairs[0].question == "障害者手帳はお持ちですか。"
    assert pairs[0].answer_ids == (1,)
    assert pairs[0].polarity == "no"


def test_fixture_facts(fixtures_dir):
    sub = extract_subjects(_fixture_transcript(fixtures_dir).segments)
    assert sub.visitor.relation == "子"
    assert (sub.subject.relation, sub.subject.age, sub.subject.living) == ("父", 82, "独居")
    assert sub.visitor.residence == "隣市"
    care = [f for f in sub.facts if f.key == "要介護認定"]
    assert [(f.value, f.status) for f in care] == [("未申請", "denied")]
    assert set(care[0].segment_ids) >= {5}  # the answer is the evidence
    assert all(f.segment_ids for f in sub.facts if f.status != "not_asked")


def test_fixture_record_is_signable(fixtures_dir):
    rec = draft_record(_fixture_transcript(fixtures_dir), classifier=None)
    d = rec.to_dict(masked=True)
    assert d["subject"]["relation"] == "父" and d["subject"]["age"] == 82 and d["subject"]["living"] == "独居"
    assert d["subject"]["visitor"]["relation"] == "子" and d["subject"]["visitor"]["residence"] == "隣市"
    text = {k: f["text"] for k, f in d["fields"].items()}
    assert "要介護認定未申請" in text["health_care"]
    assert "独居" in text["household"] and "82歳" in text["household"]
    assert "隣市在住" in text["household"]
    schemes = [ln["scheme_id"] for ln in d["fields"]["schemes"]["lines"]]
    assert "disability-welfare-services" not in schemes
    assert "long-term-care-insurance" in schemes
    # staff questions are never copied as facts; the transcript is not pasted into the record
    staff = {s.text for s in rec.transcript.segments if s.speaker == "staff" and s.text.endswith("か。")}
    lines = [ln["text"] for f in d["fields"].values() for ln in f["lines"]]
    assert not any(q in ln for q in staff for ln in lines)
    assert "住まい" not in [c["name"] for c in d["categories"]]
    assert d["drafted_at"].endswith("+09:00")
    for f in d["fields"].values():
        for ln in f["lines"]:
            assert ln["evidence"] or ln.get("status") == "presented"
    assert len(d["fields"]["main_concern"]["lines"][0]["text"]) <= 120


def test_self_consultation_has_no_third_party():
    segs = _segs([("staff", "本日はどうされましたか。"),
                  ("citizen", "仕事を辞めてから家賃が払えなくて困っています。"),
                  ("staff", "お一人でお住まいですか。"), ("citizen", "はい、一人暮らしです。")])
    sub = extract_subjects(segs)
    assert sub.visitor.relation == "本人"
    assert sub.subject.living == "独居"


def test_professional_visitor():
    segs = _segs([("staff", "こんにちは。"),
                  ("citizen", "居宅介護支援事業所でケアマネをしております。担当している方のことでご相談です。"),
                  ("staff", "どういった状況でしょうか。"), ("citizen", "最近物忘れがひどくなってきて、一人で通院ができなくなっています。")])
    sub = extract_subjects(segs)
    assert sub.visitor.relation == "ケアマネジャー"
    values = {f.value for f in sub.facts}
    assert "物忘れあり" in values and "通院困難" in values


def test_spouse_subject_and_negated_living_alone():
    segs = _segs([("citizen", "夫のことで相談に来ました。七十五歳の夫が最近転んでしまって。"),
                  ("staff", "ご主人はお一人で暮らしていらっしゃいますか。"), ("citizen", "いいえ、私と二人暮らしです。")])
    sub = extract_subjects(segs)
    assert sub.visitor.relation == "配偶者"
    assert sub.subject.relation == "夫"
    assert sub.subject.living != "独居"


def test_office_vocabulary_for_visitor_and_subject():
    segs = _segs([("citizen", "祖母のことで相談に来ました。九十一歳の祖母が施設に入っていて、費用が払えなくて。")])
    sub = extract_subjects(segs)
    assert (sub.visitor.kind, sub.subject.kind) == ("孫", "その他親族")
    assert sub.subject.age == 91 and sub.subject.living == "施設"


def test_self_age_and_sex_from_the_spouse_word():
    segs = _segs([("staff", "失礼ですが、おいくつですか。"), ("citizen", "えっと、58歳です。"),
                  ("citizen", "主人と二人暮らしで、主人が先月仕事を辞めまして。")])
    sub = extract_subjects(segs)
    assert sub.visitor.kind == "本人" and sub.subject.kind == "本人"
    assert sub.subject.age == 58 and sub.subject.sex == "女" and sub.subject.living == "同居"


def test_care_manager_visitor_has_no_kin_relation():
    segs = _segs([("citizen", "ケアマネをしております田村です。担当の利用者さんのことで伺いました。")])
    sub = extract_subjects(segs)
    assert sub.visitor.kind == "ケアマネ" and sub.subject.kind is None


def test_cli_drafts_the_fixture_dialogue_script(fixtures_dir):
    from typer.testing import CliRunner

    from assistant.cli import app

    res = CliRunner().invoke(app, ["draft", str(fixtures_dir / "dialogue_stereo.json"), "--format", "md"])
    assert res.exit_code == 0, res.output
    assert "要介護認定未申請" in res.output and "隣市在住" in res.output
    assert "障害福祉サービス" not in res.output
    assert "（JST）" in res.output


def test_living_alone_said_in_the_opening_answer():
    segs = _segs([("staff", "今日はどうされましたか。"),
                  ("citizen", "八十二歳の母のことで来ました。一人で住んでいて、最近物忘れがひどくて。")])
    sub = extract_subjects(segs)
    assert (sub.subject.relation, sub.subject.age, sub.subject.sex, sub.subject.living) == ("母", 82, "女", "独居")


def test_subject_age_from_the_answer_to_the_age_question():
    segs = _segs([("staff", "今日はどうされましたか。"), ("citizen", "父のことなんですが、今入院中で。"),
                  ("staff", "お父様はおいくつですか。"), ("citizen", "78です。")])
    sub = extract_subjects(segs)
    assert sub.subject.age == 78 and sub.subject.sex == "男" and sub.subject.living == "入院中"


@pytest.mark.parametrize("text,relation,age,living", [
    ("母が施設に入所していて、費用のことで相談に来ました。", "母", None, "施設"),
    ("祖母のことで来ました。祖母は今年で85歳です。", "祖母", 85, ""),
    ("娘のことで相談です。娘は16歳で、学校に行けなくなって。", "娘", 16, ""),
])
def test_subject_relation_age_and_living_from_statements(text, relation, age, living):
    sub = extract_subjects(_segs([("citizen", text)]))
    assert sub.subject.relation == relation and sub.subject.age == age and sub.subject.living == living


@pytest.mark.parametrize("answer,living", [("一人です。親は田舎にいます。", "独居"), ("いや、ひとりっす。", "独居"),
                                           ("妻と娘がいます。", "")])
def test_living_alone_from_the_answer_to_the_family_question(answer, living):
    sub = extract_subjects(_segs([("staff", "ご家族は。"), ("citizen", answer)]))
    assert sub.subject.living == living or (living == "" and sub.subject.living != "独居")


@pytest.mark.parametrize("text,sex", [("シングルマザーで、子どもが二人います。", "女"), ("俺は今、仕事がなくて。", "男"),
                                      ("家賃が払えなくて困っています。", "")])
def test_self_sex_from_what_the_visitor_says_of_themself(text, sex):
    sub = extract_subjects(_segs([("staff", "今日はどうされましたか。"), ("citizen", text)]))
    assert sub.subject.kind == "本人" and sub.subject.sex == sex


def test_subject_age_said_later_in_the_topic_turn_but_not_the_visitors_own():
    sub = extract_subjects(_segs([("citizen", "息子が家から出ないんです。もう30になるんですけど。")]))
    assert sub.subject.relation == "息子" and sub.subject.age == 30
    sub = extract_subjects(_segs([("citizen", "息子が家から出ないんです。私は60歳で、もう働けなくて。")]))
    assert sub.subject.age != 60
