"""案内した制度 lists what the staff explained or proposed, not schemes only named around it."""

import pytest

from assistant.asr.transcript import Segment, Transcript
from assistant.record.draft import draft_record


def _listed(turns: list[tuple[str, str]]) -> dict[str, str]:
    tr = Transcript(source="t", segments=[Segment(id=i + 1, start=i * 4.0, end=i * 4.0 + 3.0, text=t, speaker=sp)
                                          for i, (sp, t) in enumerate(turns)])
    rec = draft_record(tr, classifier=None)
    return {ln.extra["scheme_id"]: ln.extra["status"] for ln in rec.fields["schemes"]}


OPENING = [("staff", "今日はどうされましたか。"), ("citizen", "子どもの学校のお金が払えなくて困っています。")]


def test_scheme_explained_with_what_it_gives_and_how_to_apply() -> None:
    got = _listed([*OPENING, ("staff", "就学援助という制度があって、給食費や学用品費が援助されます。学校で申請できます。")])
    assert got.get("school-attendance-aid") == "explained"


@pytest.mark.parametrize("sentence", [
    "児童扶養手当を受けている方なら、所得の条件はほぼ満たしています。",
    "児童扶養手当を もらってるなら たぶん 条件に 合うと 思います",
    "次回、児童扶養手当の証書をお持ちください。",
    "児童扶養手当は今も受けていらっしゃいますよね。",
    "以前、児童扶養手当を利用されていたんですね。",
])
def test_scheme_named_as_what_the_citizen_already_has_is_not_listed(sentence: str) -> None:
    got = _listed([*OPENING, ("staff", sentence)])
    assert got.get("child-rearing-allowance") in (None, "not_applicable")


def test_scheme_ruled_out_is_not_listed_as_explained() -> None:
    got = _listed([*OPENING, ("staff", "生活保護は、今の収入だと対象外になります。")])
    assert got.get("public-assistance") in (None, "not_applicable")


def test_scheme_only_the_citizen_names_is_not_listed() -> None:
    got = _listed([*OPENING, ("citizen", "生活保護とかは受けられないんですか。"), ("staff", "そうですね。")])
    assert "public-assistance" not in got


# -- named, but not explained or proposed -------------------------------------------------------------
@pytest.mark.parametrize("turns, sid", [
    # the staff asks whether the citizen already gets it
    ([("staff", "障害年金は今もらっていらっしゃいますか。"), ("citizen", "いいえ。")], "disability-pension"),
    # the staff repeats what the citizen asked about and moves on
    ([("citizen", "住居確保給付金って私でも使えますか。"), ("staff", "住居確保給付金ですね。ご家族は何人ですか。")],
     "housing-security-benefit"),
    # an example in a list of what the counter deals with
    ([("staff", "ここでは介護保険や障害年金などのご相談も受けています。")], "long-term-care-insurance"),
    # a check promised, nothing proposed yet
    ([("staff", "国民年金の保険料の免除に当たるかどうか、年金係に問い合わせてみます。")], "pension-premium-exemption"),
    # someone else's scheme
    ([("staff", "お兄さんが受けていらっしゃる生活保護とは別に考えましょう。")], "public-assistance"),
])
def test_scheme_named_without_explanation_is_not_listed(turns: list[tuple[str, str]], sid: str) -> None:
    got = _listed([*OPENING, *turns])
    assert got.get(sid) in (None, "not_applicable")


def test_a_scheme_replaced_by_another_is_not_listed_but_the_other_is() -> None:
    got = _listed([*OPENING, ("staff", "就学援助もありますけど、高校生なら高校生等奨学給付金のほうが合っています。"
                                       "教材費のための給付で、学校の事務室で申請できます。")])
    assert got.get("school-attendance-aid") in (None, "not_applicable")
    assert got.get("high-school-tuition-support") == "explained"


def test_ruled_out_scheme_is_listed_as_ruled_out_only() -> None:
    got = _listed([*OPENING, ("staff", "児童手当は中学生までなので、上のお子さんはもう難しいです。")])
    assert got.get("child-allowance") in (None, "not_applicable")


# -- explained: with what it gives, an application step or a handout ------------------------------------
def _record(turns: list[tuple[str, str]]):
    tr = Transcript(source="t", segments=[Segment(id=i + 1, start=i * 4.0, end=i * 4.0 + 3.0, text=t, speaker=sp)
                                          for i, (sp, t) in enumerate(turns)])
    return draft_record(tr, classifier=None)


def test_explanation_in_the_next_staff_turn_counts_and_is_cited() -> None:
    rec = _record([*OPENING, ("staff", "就学援助という制度があります。"), ("citizen", "はあ。"),
                   ("staff", "給食費や修学旅行の費用を市が出してくれるもので、申請書は学校でもらえます。")])
    line = next(ln for ln in rec.fields["schemes"] if ln.extra["scheme_id"] == "school-attendance-aid")
    assert line.extra["status"] == "explained"
    assert {3, 5} <= set(line.segment_ids)
    assert all(e.speaker == "staff" for e in line.evidence)


def test_awareness_question_followed_by_explanation_is_listed() -> None:
    got = _listed([*OPENING, ("staff", "就学援助ってお聞きになったことはありますか。"), ("citizen", "ないです。"),
                   ("staff", "学用品や給食の費用を援助する仕組みで、このパンフレットに申請の仕方が載っています。")])
    assert got.get("school-attendance-aid") == "explained"


def test_unpunctuated_explanation_with_fillers_is_listed() -> None:
    got = _listed([("staff", "えーと今日はどうされました"), ("citizen", "あの仕事がなくなって家賃が"),
                   ("staff", "あーそれでしたら えー住居確保給付金っていうのがあって 家賃を市が大家さんに払ってくれるんですね"
                             " 申請は三階の窓口です")])
    assert got.get("housing-security-benefit") == "explained"


def test_question_then_proposal_lists_only_the_proposed_scheme() -> None:
    got = _listed([*OPENING, ("staff", "児童扶養手当はもう受け取っていますか。"), ("citizen", "はい、受け取っています。"),
                   ("staff", "それなら、ひとり親家庭等医療費助成も申請できます。保険年金課の窓口に申請書を出してください。")])
    assert got.get("child-rearing-allowance") in (None, "not_applicable")
    assert got.get("single-parent-medical") == "explained"


def test_every_listed_scheme_cites_staff_segments() -> None:
    rec = _record([*OPENING, ("staff", "生活保護は今の預金額だと対象外になります。"),
                   ("staff", "その代わりに緊急小口資金で十万円まで無利子で借りられます。社協の窓口に行ってください。")])
    listed = [ln for ln in rec.fields["schemes"] if ln.extra["status"] != "not_applicable"]
    assert listed, "the loan explained with its amount and where to apply must be listed"
    for ln in listed:
        assert ln.evidence and all(e.speaker == "staff" for e in ln.evidence)
    assert "public-assistance" not in {ln.extra["scheme_id"] for ln in listed}


def test_scheme_the_citizen_confirms_receiving_is_not_listed_for_routine_advice() -> None:
    got = _listed([*OPENING, ("staff", "障害年金はもう受け取っていますか"), ("citizen", "はい、二級で受け取っています。"),
                   ("staff", "それなら、障害年金から出る分で通院の費用をまかなえますね。毎月使える額を一緒に見てみましょう。")])
    assert got.get("disability-pension") in (None, "not_applicable")


def test_scheme_the_citizen_asks_about_is_listed_when_the_staff_answers_with_an_explanation() -> None:
    rec = _record([*OPENING, ("citizen", "高額療養費って、うちでも使えるんでしょうか。"),
                   ("staff", "はい、使えます。ひと月の医療費が上限を超えた分が戻ってきますので、保険証を持って窓口に来てください。")])
    line = next((ln for ln in rec.fields["schemes"] if ln.extra["scheme_id"] == "high-cost-medical-expense"), None)
    assert line is not None and line.extra["status"] == "explained"
    assert 4 in line.segment_ids  # the staff's answer is cited


def test_scheme_the_citizen_asks_about_is_not_listed_when_the_staff_moves_on() -> None:
    got = _listed([*OPENING, ("citizen", "高額療養費って、うちでも使えるんでしょうか。"),
                   ("staff", "その前に、今どちらの病院に通っていらっしゃるか教えてもらえますか。")])
    assert "high-cost-medical-expense" not in got


def test_scheme_named_as_already_applied_for_is_not_listed() -> None:
    got = _listed([*OPENING, ("staff", "就学援助は、もう申請されていますよね。")])
    assert got.get("school-attendance-aid") in (None, "not_applicable")


def test_a_paper_to_bring_is_not_an_explained_scheme() -> None:
    got = _listed([*OPENING, ("staff", "来週は介護保険証と印鑑をお持ちください。")])
    assert got.get("long-term-care-insurance") in (None, "not_applicable")


def test_staff_repeating_the_citizens_words_is_not_listed_but_announcing_a_step_is() -> None:
    echo = _listed([*OPENING, ("citizen", "手帳の申請のことで来ました。"), ("staff", "障害者手帳の申請ですね。")])
    assert echo.get("disability-certificate") in (None, "not_applicable")
    step = _listed([*OPENING, ("citizen", "病院で発達障害と言われました。"),
                    ("staff", "それでは次は障害者手帳の申請ですね。診断書の用紙をお渡しします。")])
    assert step.get("disability-certificate") == "explained"


# -- summaries, referrals, options, schemes that go on as they are ---------------------------------------
def test_schemes_named_in_the_staff_summary_are_listed() -> None:
    got = _listed([*OPENING, ("staff", "お子さんの学校のことは学校の先生とも話してみてくださいね。"),
                   ("staff", "本日ご説明したのは就学援助と児童扶養手当です。")])
    assert got.get("school-attendance-aid") == "explained"
    assert got.get("child-rearing-allowance") == "explained"


def test_scheme_referred_for_details_to_another_office_is_listed() -> None:
    got = _listed([*OPENING, ("staff", "障害年金のことは、詳しくは年金事務所でお聞きください。")])
    assert got.get("disability-pension") == "explained"


def test_topic_only_question_answered_by_a_referral_is_listed() -> None:
    got = _listed([*OPENING, ("citizen", "障害年金は。"), ("staff", "それは詳しくは年金事務所でご相談ください。")])
    assert got.get("disability-pension") == "explained"


def test_scheme_offered_as_an_option_to_consider_is_listed() -> None:
    got = _listed([*OPENING, ("staff", "物忘れが進んだら、成年後見制度の利用も考えられます。")])
    assert got.get("adult-guardianship") == "explained"


@pytest.mark.parametrize("sentence", [
    "児童扶養手当は、いま受け取っている分はそのままで大丈夫です。",
    "児童扶養手当は引き続き受けられますので、何もしなくていいですよ。",
])
def test_scheme_said_to_go_on_as_it_is_is_not_listed(sentence: str) -> None:
    got = _listed([*OPENING, ("staff", sentence)])
    assert got.get("child-rearing-allowance") in (None, "not_applicable")


def test_a_name_listed_in_a_schemes_official_name_is_not_another_schemes_service() -> None:
    got = _listed([*OPENING, ("staff", "地域包括支援センターにまず相談してください。認知症初期集中支援チームも"
                                       "包括から頼めて、看護師さんがご自宅に訪問します。")])
    assert got.get("community-general-support-center") == "explained"
    assert got.get("dementia-support") == "explained"
