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


# -- forms that generalise: ruled out after a reason, steps done, withdrawals, referrals in dialect ----------
@pytest.mark.parametrize("sentence, sid", [
    # the scheme is the topic, a reason clause follows and the main clause negates eligibility
    ("生活保護は、預金を使い切ってから利用する制度なので、今の貯金額だと受けにくいです。", "public-assistance"),
    ("障害年金は、初診から一年半たってからの制度やから、今はまだ対象やないです。", "disability-pension"),
])
def test_scheme_ruled_out_in_the_main_clause_after_a_reason_is_not_listed(sentence: str, sid: str) -> None:
    got = _listed([*OPENING, ("staff", sentence)])
    assert got.get(sid) == "not_applicable"


def test_scheme_whose_reason_clause_leads_to_a_proposal_is_listed() -> None:
    got = _listed([*OPENING, ("staff", "生活保護は、最低限の生活を支える制度なので、一度申請してみましょう。")])
    assert got.get("public-assistance") == "explained"


def test_a_name_inside_a_longer_name_is_read_where_it_stands() -> None:
    got = _listed([*OPENING, ("staff", "特別児童扶養手当は障害のあるお子さんの手当なので対象外ですが、児童扶養手当は申請できます。")])
    assert got.get("special-child-rearing-allowance") == "not_applicable"
    assert got.get("child-rearing-allowance") == "explained"


@pytest.mark.parametrize("sentence", [
    "児童扶養手当は転入のときに手続き済みですね。",
    "児童扶養手当は手続きはもう終わっていますね。",
])
def test_scheme_whose_step_is_already_done_is_not_listed(sentence: str) -> None:
    got = _listed([*OPENING, ("staff", sentence)])
    assert got.get("child-rearing-allowance") in (None, "not_applicable")


@pytest.mark.parametrize("sentence, sid", [
    ("障害者手帳の申請をしてみたらどうですか。", "disability-certificate"),
    ("就学援助を申し込んでみてはいかがですか。", "school-attendance-aid"),
])
def test_a_question_that_proposes_is_a_proposal(sentence: str, sid: str) -> None:
    got = _listed([*OPENING, ("staff", sentence)])
    assert got.get(sid) == "explained"


def test_staff_naming_what_the_citizen_asked_about_and_explaining_it_is_listed() -> None:
    answer = _listed([*OPENING, ("citizen", "手帳みたいなものもあるんですか。"),
                      ("staff", "はい、障害者手帳ですね。病院の診断書を付けて申請できます。")])
    assert answer.get("disability-certificate") == "explained"
    echo = _listed([*OPENING, ("citizen", "手帳みたいなものもあるんですか。"),
                    ("staff", "障害者手帳ですね。ご家族は何人ですか。")])
    assert echo.get("disability-certificate") in (None, "not_applicable")


def test_a_bare_word_referring_back_to_another_thing_is_not_a_scheme() -> None:
    got = _listed([*OPENING, ("citizen", "年金手帳をなくしてしまって。"),
                   ("staff", "手帳の再発行は年金事務所で申請できます。")])
    assert "disability-certificate" not in got


@pytest.mark.parametrize("sentence, sid", [
    # taken back in the same turn
    ("住居確保給付金も使えるかも……あ、持ち家でしたね。それなら関係ないですね。", "housing-security-benefit"),
    # shelved for today
    ("成年後見制度もありますが、今日はいったん置いておきましょう。", "adult-guardianship"),
    # a matter this counter does not handle, with nowhere to go instead
    ("保育所の申し込みや保育料は子ども保育課の所管なので、こちらの窓口では扱っていないんです。",
     "early-childhood-education-free"),
    # an example led by 例えば in a list
    ("例えば障害年金の手続きとか、家計の相談の窓口とか、使える仕組みはいくつかあります。", "disability-pension"),
])
def test_scheme_withdrawn_shelved_declined_or_given_as_example_is_not_listed(sentence: str, sid: str) -> None:
    got = _listed([*OPENING, ("staff", sentence)])
    assert got.get(sid) in (None, "not_applicable")


def test_a_single_example_with_its_application_step_is_listed() -> None:
    got = _listed([*OPENING, ("staff", "お子さんの場合、例えば就学援助の申請書とか、学校でもらえますよ。")])
    assert got.get("school-attendance-aid") == "explained"


@pytest.mark.parametrize("turns", [
    # the service is offered where the other scheme is the place
    [("staff", "こども家庭センターで、保健師さんが相談に乗ってくれて、ヘルパーの派遣も使えます。")],
    # the same service word said again later in the turn
    [("staff", "こども家庭センターのヘルパー申込書をお渡しします。明日保健師から電話して、ヘルパーの日程を決めましょう。")],
])
def test_a_service_of_the_scheme_explained_is_not_a_second_scheme(turns: list[tuple[str, str]]) -> None:
    got = _listed([*OPENING, *turns])
    assert got.get("child-family-support") == "explained"
    assert "disability-welfare-services" not in got


def test_a_shortening_of_a_schemes_official_name_is_its_own_name() -> None:
    got = _listed([*OPENING, ("staff", "住居確保給付金という制度があります。家賃を大家さんに直接払う給付金です。"
                                       "申請は生活困窮者自立相談支援の窓口で受け付けています。")])
    assert got.get("housing-security-benefit") == "explained"
    assert got.get("self-reliance-support") == "explained"


@pytest.mark.parametrize("turns, sid", [
    # a petition to the court is an application step
    ([("staff", "成年後見制度というのがあります。"), ("citizen", "はい。"),
      ("staff", "家庭裁判所に申し立てると、後見人が財産を管理してくれます。")], "adult-guardianship"),
    # a condition, then the scheme said to exist (dialect)
    ([("staff", "お金の管理が難しくなったら、成年後見っちゅう制度もあるけん。")], "adult-guardianship"),
    # a condition, then the counter offering to take it up
    ([("staff", "家賃が払えなくなったら、生活保護の相談もできますので、また来てください。")], "public-assistance"),
    # a referral in dialect
    ([("staff", "地域包括支援センターさ相談してけさい。")], "community-general-support-center"),
])
def test_scheme_proposed_in_other_forms_is_listed(turns: list[tuple[str, str]], sid: str) -> None:
    got = _listed([*OPENING, *turns])
    assert got.get(sid) == "explained"


def test_guardian_is_not_public_assistance() -> None:
    listed = _listed([*OPENING, ("staff", "児童扶養手当は、ひとり親の保護者に支給される手当です。申請書をお渡ししますね。")])
    assert "public-assistance" not in listed
    assert listed.get("child-rearing-allowance") == "explained"


def test_a_sentence_that_sounds_like_a_scheme_name_is_not_that_scheme() -> None:
    listed = _listed([*OPENING, ("staff", "家賃は市が大家さんに直接払う制度になっています。申請は2階の窓口です。")])
    assert "childbirth-lump-sum" not in listed


def test_scheme_described_then_said_not_needed_is_not_explained() -> None:
    listed = _listed([*OPENING, ("staff", "成年後見制度は、判断する力が弱くなった方に家庭裁判所が後見人を選ぶ制度です。"
                                           "お母様はご自分で手続きができていますので、今は必要ないと思います。")])
    assert listed.get("adult-guardianship") != "explained"


@pytest.mark.parametrize("turn,sid", [
    # a list closed by 「制度はいろいろある」, then another scheme preferred
    ("生活保護とか社協の貸付とか、制度はいろいろあるんですけど、今回はまず住居確保給付金が合うと思います。", "public-assistance"),
    # described, then judged not needed in the same sentence (dialect)
    ("成年後見は家庭裁判所に申し立てる仕組みなんですけど、ご自分で決められてますから、そこまではいらねえと思います。", "adult-guardianship"),
    # named, described, and two sentences later judged not needed
    ("生活福祉資金の教育支援資金ですね。入学金を無利子で借りられる制度です。ただ、今のお話なら給付で足りそうですし、借りる必要はないと思いますよ。",
     "welfare-fund-loan"),
    # a scheme for later, not today
    ("小学校に上がったら就学援助いうのもあるけど、それはまだ先の話やね。", "school-attendance-aid"),
    # already applied automatically
    ("国保の軽減は申告済みなので、もう自動的にかかってますね。", "nhi-premium-reduction"),
    # a certificate named with the grade the child holds
    ("特別児童扶養手当は障害のあるお子さんを育てる方の手当で、療育手帳B1ですと2級に当たる可能性があります。申請書をお渡しします。",
     "disability-certificate"),
])
def test_named_but_not_proposed_in_these_forms(turn: str, sid: str) -> None:
    assert _listed([*OPENING, ("staff", turn)]).get(sid) != "explained"


def test_a_loan_offered_for_when_money_is_needed_is_explained() -> None:
    listed = _listed([*OPENING, ("staff", "当面の生活費が足りないときは、緊急小口資金という貸付があります。10万円以内を無利子で借りられます。"
                                           "あとで返すものですが、すぐにお金が必要なときの手段になります。")])
    assert listed.get("welfare-fund-loan") == "explained"
