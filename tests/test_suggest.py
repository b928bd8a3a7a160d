"""Scheme suggestions: reasons with segment ids, traps of keyword matching, incremental updates, CLI.

Real GiNZA tokenizer, real scikit-learn model (the ranker artefact under models/, trained from the
development set once per test session when missing or stale: tests/conftest.py). The dialogues are written for these tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.asr.transcript import Segment, Transcript
from assistant.cli import app
from assistant.learn.dataset import load_cases
from assistant.learn.suggest_train import evaluate
from assistant.schemes.knowledge import KnowledgeBase
from assistant.schemes.suggest import SCHEMA, Suggester, Suggestion

ROOT = Path(__file__).resolve().parent.parent

JOB_LOSS = """\
staff: 今日はどうされましたか。
citizen: 先週、派遣の契約を切られてしまって、仕事がなくなりました。
staff: それは大変でしたね。お住まいは。
citizen: アパートで一人暮らしです。来月の家賃がもう払えそうにありません。
staff: 手持ちのお金はどのくらいありますか。
citizen: 2万円くらいしかないです。
"""


def transcript(text: str) -> Transcript:
    return Transcript.from_lines(text)


def ids(suggestions: list[Suggestion]) -> list[str]:
    return [s.scheme_id for s in suggestions if s.status == "new"]


@pytest.fixture(scope="module")
def suggester() -> Suggester:
    return Suggester()


def test_suggestions_with_reasons_and_segment_ids(suggester: Suggester) -> None:
    t = transcript(JOB_LOSS)
    out = suggester.suggest(t, top_k=5)
    top = ids(out)
    assert "housing-security-benefit" in top[:3]
    assert {"unemployment-benefit", "self-reliance-support"} & set(top)
    seg_ids = {s.id for s in t.segments}
    housing = next(s for s in out if s.scheme_id == "housing-security-benefit")
    assert 0.0 <= housing.score <= 1.0 and housing.summary and housing.how_to_apply
    kinds = {r.kind for r in housing.reasons}
    assert {"rule", "fact"} <= kinds
    for r in housing.reasons:
        assert r.text and set(r.segment_ids) <= seg_ids
    # the facts cited are the citizen's own words about the job and the rent
    cited = {i for r in housing.reasons if r.kind == "fact" for i in r.segment_ids}
    assert {2, 4} <= cited
    d = housing.to_dict()
    assert set(d) >= {"scheme_id", "name", "score", "summary", "eligibility", "how_to_apply", "documents", "reasons"}
    assert set(d["reasons"][0]) == {"kind", "text", "segment_ids"}


def test_scores_are_sorted_and_bounded(suggester: Suggester) -> None:
    out = [s for s in suggester.suggest(transcript(JOB_LOSS), top_k=10) if s.status == "new"]
    scores = [s.score for s in out]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= x <= 1.0 for x in scores)


def test_negated_scheme_name_is_not_evidence(suggester: Suggester) -> None:
    base = "staff: ご相談の内容を教えてください。\ncitizen: 膝が痛くて、整形外科に通っています。\n"
    negated = base + "citizen: 生活保護は受けていません。\n"
    said = base + "citizen: 生活保護を受けたいんです。\n"
    score = {}
    for name, text in (("negated", negated), ("said", said)):
        out = Suggester(min_score=0.0).suggest(transcript(text), top_k=35)
        score[name] = next(s.score for s in out if s.scheme_id == "public-assistance")
    assert score["negated"] < score["said"]
    out = suggester.suggest(transcript(negated), top_k=5)
    assert "public-assistance" not in ids(out)


def test_staff_ruling_a_scheme_out(suggester: Suggester) -> None:
    text = """\
staff: ご家族は。
citizen: 主人と、小学3年の息子と1年の娘の4人です。主人の給料が半分になって、給食費も払えていません。
citizen: 友達は母子手当をもらってるって言ってたんですけど。
staff: それは児童扶養手当ですね。ひとり親家庭向けの手当なので、ご主人がいらっしゃる場合は対象外なんです。
staff: 給食費などは、就学援助という制度で補助が受けられます。
"""
    out = suggester.suggest(transcript(text), top_k=5)
    top = ids(out)
    assert top[0] == "school-attendance-aid"
    assert "child-rearing-allowance" not in top[:3]
    every = Suggester(min_score=0.0).suggest(transcript(text), top_k=35)
    cra = next(s for s in every if s.scheme_id == "child-rearing-allowance")
    assert any("対象外" in r.text for r in cra.reasons)


def test_grandparent_with_grandchildren_elsewhere(suggester: Suggester) -> None:
    text = """\
staff: 今日はどんなご相談ですか。
citizen: 78歳で一人暮らしなんですけど、年金だけでは足りなくて、貯金もほとんどないんです。
citizen: 孫が3人いるけど、みんな東京に住んでて、小学生と中学生と高校生でね。
citizen: 最近は足腰が弱って、買い物に行くのもしんどくて。
"""
    top = ids(suggester.suggest(transcript(text), top_k=5))
    assert {"community-general-support-center", "long-term-care-insurance"} & set(top[:3])
    for child_scheme in ("school-attendance-aid", "high-school-tuition-support", "child-rearing-allowance",
                         "child-allowance", "child-medical-subsidy"):
        assert child_scheme not in top


def test_scheme_already_received_is_flagged_not_suggested(suggester: Suggester) -> None:
    text = """\
staff: お子さんは。
citizen: 2歳の娘がいます。児童手当はもうもらっています。
citizen: 来年から働きたいので、保育園に預けたいんです。
"""
    out = suggester.suggest(transcript(text), top_k=5)
    assert "child-allowance" not in ids(out)
    received = [s for s in out if s.status == "receiving"]
    assert [s.scheme_id for s in received] == ["child-allowance"]
    assert received[0].reasons[0].segment_ids == [2]
    assert "early-childhood-education-free" in ids(out)[:3]


def test_incremental_update_equals_batch(suggester: Suggester) -> None:
    t = transcript(JOB_LOSS + "citizen: 国保の保険料も払えてなくて。\nstaff: 住居確保給付金という制度があります。\n")
    live = Suggester()
    for n in range(1, len(t.segments) + 1):
        ranking = live.update(t.segments[:n])
    batch = Suggester().update(t.segments)
    assert [(s.scheme_id, round(s.score, 6), s.status) for s in ranking] == \
        [(s.scheme_id, round(s.score, 6), s.status) for s in batch]
    assert [r.to_dict() for r in ranking[0].reasons] == [r.to_dict() for r in batch[0].reasons]


def test_update_rebuilds_when_an_earlier_segment_changes() -> None:
    s = Suggester()
    segments = [Segment(1, 0, 1, "家賃が払えません", "citizen"), Segment(2, 1, 2, "仕事もクビになって", "citizen")]
    s.update(segments)
    edited = [Segment(1, 0, 1, "家賃は払えています", "citizen"), segments[1]]
    again = [x.scheme_id for x in s.update(edited)]
    fresh = [x.scheme_id for x in Suggester().update(edited)]
    assert again == fresh


def test_asr_style_text_without_punctuation(suggester: Suggester) -> None:
    text = """\
staff: はいどうぞきょうはどうされました
citizen: えっと あの 借金が 消費者金融 3社で 200万くらいあって 返済が 追いつかなくて
citizen: こくほも はらえてなくて とくそくの 紙が きてます
"""
    top = ids(suggester.suggest(transcript(text), top_k=5))
    assert top[0] == "legal-aid"
    assert "nhi-premium-reduction" in top


def test_local_scheme_is_suggested_from_its_triggers(tmp_path: Path) -> None:
    from tests.test_knowledge import write_scheme

    local = tmp_path / "local"
    write_scheme(local)
    kb = KnowledgeBase(dirs=[ROOT / "knowledge" / "schemes", local])
    out = Suggester(kb, min_score=0.0).suggest(
        transcript("citizen: 子どもが二人いて、家賃が重くて子どもの服も買えないんです。"), top_k=35)
    local_s = next(s for s in out if s.scheme_id == "midori-rent-support")
    assert any(r.kind == "phrase" and "子どもの服" in r.text for r in local_s.reasons)
    assert local_s.score > min(s.score for s in out)


def _cli(args: list[str], stdin: str | None = None):
    return CliRunner().invoke(app, args, input=stdin)


def test_cli_json_from_file(tmp_path: Path) -> None:
    p = tmp_path / "dialogue.txt"
    p.write_text(JOB_LOSS, encoding="utf-8")
    result = _cli(["suggest", str(p), "--top-k", "3"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema"] == SCHEMA == "suggestions/1"
    new = [s for s in data["suggestions"] if s["status"] == "new"]
    assert len(new) == 3 and new[0]["reasons"] and new[0]["score"] <= 1.0


def test_cli_transcript_json_from_stdin_and_text_format() -> None:
    t = transcript(JOB_LOSS)
    result = _cli(["suggest", "-", "--format", "text"], stdin=t.to_json())
    assert result.exit_code == 0, result.output
    assert "住居確保給付金" in result.stdout and "[rule]" in result.stdout and "(#" in result.stdout


def test_cli_errors_are_clear(tmp_path: Path) -> None:
    missing = _cli(["suggest", str(tmp_path / "none.txt")])
    assert missing.exit_code == 1 and "file not found" in missing.output
    bad = _cli(["suggest", "-"], stdin='{"schema": "transcript/9", "segments": []}')
    assert bad.exit_code == 1 and "unsupported transcript version" in bad.output


CASES = [
    {"id": "t1", "turns": [{"speaker": "citizen", "text": "会社をクビになって家賃が払えません。"}],
     "gold_schemes": ["housing-security-benefit", "unemployment-benefit"], "trap_schemes": ["public-housing"]},
    {"id": "t2", "turns": [{"speaker": "citizen", "text": "消費者金融の借金が返せなくて。"},
                           {"speaker": "staff", "text": "法テラスで相談できます。"}],
     "gold_schemes": ["legal-aid"], "trap_schemes": ["welfare-fund-loan"]},
    {"id": "t3", "turns": [{"speaker": "citizen", "text": "妊娠5か月です。"}],
     "gold_schemes": ["pregnancy-support-benefit", "childbirth-lump-sum"], "trap_schemes": []},
    {"id": "t4", "turns": [{"speaker": "citizen", "text": "母が物忘れがひどくて。"}],
     "gold_schemes": ["dementia-support"], "trap_schemes": []},
]


def test_evaluate_reports_every_metric_on_held_out_folds() -> None:
    from assistant.schemes.knowledge import get_knowledge_base

    report = evaluate(CASES, get_knowledge_base(), folds=2)
    assert report.cases == 4 and report.folds == 2
    for value in (report.recall_at_3, report.recall_at_5, report.mrr, report.trap_rate_top3,
                  report.anticipation_recall_at_5):
        assert 0.0 <= value <= 1.0
    # t2 names 法テラス in its second turn: anticipation ranks legal-aid from the first turn only
    assert report.anticipation_n == 1
    [t2] = [c for c in report.per_case if c["id"] == "t2"]
    assert t2["anticipation"][0]["turn"] == 1 and t2["fold"] in (0, 1)


def test_cli_eval_suggest(tmp_path: Path) -> None:
    p = tmp_path / "cases.jsonl"
    p.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in CASES) + "\n", encoding="utf-8")
    result = _cli(["eval", "suggest", str(p), "--folds", "2"])
    assert result.exit_code == 0, result.output
    for label in ("recall@3", "recall@5", "MRR", "trap rate in top 3", "anticipation r@5"):
        assert label in result.stdout
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "turns": []}\nnot json\n', encoding="utf-8")
    result = _cli(["eval", "suggest", str(bad)])
    assert result.exit_code == 1 and "bad.jsonl:2" in result.output


def test_load_cases_reads_the_development_set() -> None:
    paths = [ROOT / "eval" / "consultations.jsonl"] if (ROOT / "eval" / "consultations.jsonl").exists() else \
        sorted((ROOT / "eval" / "parts").glob("*.jsonl"))
    cases = [c for p in paths for c in load_cases(p)]
    assert len(cases) >= 40
    assert all(c["gold_schemes"] and c["turns"] for c in cases)


@pytest.fixture(scope="module")
def every() -> Suggester:
    """Ranks every scheme (no score threshold), to compare positions."""
    return Suggester(min_score=0.0)


def test_care_insurance_blocked_below_65_without_a_specified_disease(every: Suggester) -> None:
    """A 44-year-old mother whose illness is not one of the 16 特定疾病: 障害福祉, not 介護保険."""
    t = transcript("""\
citizen: 母が病気で手とか足がしびれて、最近あんまり歩けなくなってて、家事は全部私がやってます。
staff: お母さんは今おいくつですか。
citizen: 44です。
""")
    out = every.suggest(t, top_k=35)
    top = ids(out)
    assert top.index("disability-welfare-services") < top.index("long-term-care-insurance")
    ltc = next(s for s in out if s.scheme_id == "long-term-care-insurance")
    assert any(r.kind == "rule" and "特定疾病" in r.text for r in ltc.reasons)


def test_pension_exemption_blocked_at_sixty(every: Suggester) -> None:
    young = ids(every.suggest(transcript("citizen: 52歳です。国民年金の保険料が払えていません。"), top_k=35))
    old = ids(every.suggest(transcript("citizen: 62歳です。国民年金の保険料が払えていません。"), top_k=35))
    assert young.index("pension-premium-exemption") < old.index("pension-premium-exemption")


def test_fee_waived_or_cap_used_counts_as_receiving(suggester: Suggester) -> None:
    t = transcript("""\
citizen: 4歳の娘は保育園に通ってます。保育料は無償化でもうタダやから助かってます。
citizen: 入院費は限度額の認定証を使ったので月5万くらいで済みました。
""")
    out = suggester.suggest(t, top_k=5)
    status = {s.scheme_id: s.status for s in out}
    assert status.get("early-childhood-education-free") == "receiving"
    assert status.get("high-cost-medical-expense") == "receiving"
    asking = suggester.suggest(transcript("citizen: 保育料は無償化でタダになるんですか？"), top_k=35)
    assert {s.scheme_id: s.status for s in asking}.get("early-childhood-education-free") != "receiving"


def test_generic_word_refers_back_to_the_scheme_staff_named(suggester: Suggester) -> None:
    """「給付金は二回とももらいました」 after staff named 妊婦のための支援給付: already received."""
    t = transcript("""\
citizen: 4か月の娘がいて、夜もほとんど寝られていません。
staff: 妊婦のための支援給付の面談ですね。その保健師さんもこども家庭センターにいます。
citizen: 給付金は二回とももらいました。
""")
    status = {s.scheme_id: s.status for s in suggester.suggest(t, top_k=35)}
    assert status.get("pregnancy-support-benefit") == "receiving"
    assert status.get("child-family-support") == "new"


def test_staff_ruling_out_a_generic_name(every: Suggester) -> None:
    """「介護保険じゃなくて障害福祉サービスのほうで」: 介護保険 is a weak name, but staff ruled it out."""
    base = """\
citizen: 父が最近歩けなくなって、トイレの介助が必要です。
"""
    before = ids(every.suggest(transcript(base), top_k=35))
    after = ids(every.suggest(transcript(
        base + "staff: お父さんの場合は介護保険じゃなくて障害福祉サービスのほうで申請しましょう。\n"), top_k=35))
    assert after.index("long-term-care-insurance") > before.index("long-term-care-insurance")


def test_situation_rules_anticipate_schemes(suggester: Suggester) -> None:
    """Schemes surfaced from the situation alone, before anyone names them."""
    carer = ids(suggester.suggest(transcript("""\
citizen: 高校2年の森本美咲です。
citizen: お母さんが難病で歩けなくなってて、ご飯とか洗濯とか弟の送り迎えとか全部わたしがやってて。
"""), top_k=5))
    assert "child-family-support" in carer
    scam = ids(suggester.suggest(transcript("""\
other: 父のことで相談に来ました。母が亡くなってから一人暮らしです。
other: 父が市役所の職員を名乗る電話を信じて、ATMで300万円を振り込んでしまったんです。訪問販売で高い布団も買っていました。
other: 同じことを何度も聞くようになりましたし、通帳もどこにしまったか分からなくなって再発行を三回もしています。
"""), top_k=5))
    assert {"adult-guardianship", "daily-life-independence-support"} <= set(scam)
    gambling = ids(suggester.suggest(transcript("""\
citizen: 消費者金融が4社で280万くらいあるんよ。ほとんどパチンコと競艇です。
citizen: やめよう思うとるんじゃけど、給料日になると足が向いてしまうんよ。
"""), top_k=5))
    assert "mental-health-consultation" in gambling and "legal-aid" in gambling
    hitting = ids(suggester.suggest(transcript("""\
citizen: 2歳の息子がいて、言うことを聞かないと、かっとなって叩いてしまうんです。夫から暴力を受けているとかはないです。
"""), top_k=3))
    assert "child-family-support" in hitting and "domestic-violence-support" not in hitting


def test_citizen_on_public_assistance_gets_no_rent_or_loan_scheme_first() -> None:
    """Blockers on ``receiving:public-assistance`` apply once the citizen says they receive it."""
    segs = [Segment(id=1, start=0.0, end=2.0, text="今日はどうされましたか。", speaker="staff"),
            Segment(id=2, start=2.0, end=6.0, text="今生活保護を受けています。仕事をなくしてから家賃が払えなくて",
                    speaker="citizen")]
    ranking = Suggester(min_score=0.0).suggest(Transcript(source="t", segments=segs), top_k=5)
    new = [s for s in ranking if s.status == "new"]
    assert new and new[0].scheme_id not in ("housing-security-benefit", "welfare-fund-loan")
    assert [s.status for s in ranking if s.scheme_id == "public-assistance"] == ["receiving"]
    housing = [s for s in new if s.scheme_id == "housing-security-benefit"]
    assert all(any("生活保護を受給中" in r.text for r in s.reasons) for s in housing)
