"""Situation facts: negation, speakers, subjects, answers to questions, transcript styles.

Uses the real GiNZA (Sudachi) tokenizer; the utterances are written for these tests.
"""

from __future__ import annotations

import datetime as dt

from assistant.asr.transcript import Segment
from assistant.facts.extract import Fact, extract_facts, normalise
from assistant.facts.situation import situation


def segs(*lines: tuple[str, str]) -> list[Segment]:
    return [Segment(id=i + 10, start=float(i), end=float(i + 1), text=t, speaker=s) for i, (s, t) in enumerate(lines)]


def kinds(facts: list[Fact], *, usable: bool = True) -> dict[str, Fact]:
    return {f.kind: f for f in facts if f.usable or not usable}


def test_fact_api_and_evidence() -> None:
    facts = extract_facts(segs(("citizen", "先月、会社をクビになって、家賃が2か月払えていません。")))
    by = kinds(facts)
    assert {"job_loss", "rent_trouble"} <= set(by)
    f = by["job_loss"]
    assert f.segment_ids == (10,) and "クビ" in f.text and f.negated is False and f.speaker == "citizen"
    d = f.to_dict()
    assert set(d) >= {"kind", "value", "text", "segment_ids", "negated"} and d["label"] == "失業・離職"


def test_negation_is_read() -> None:
    facts = extract_facts(segs(("citizen", "障害はないです。借金もありません。ただ最近眠れなくて。")))
    by = {f.kind: f for f in facts}
    assert by["disability"].negated and by["debt"].negated
    assert not by["mental"].negated
    sit = situation(facts)
    assert "disability" in sit.denied and not sit.has("disability") and sit.has("mental")


def test_negation_without_punctuation_and_word_spacing() -> None:
    asr = extract_facts(segs(("citizen", "えっと 先月 会社クビになって 家賃も払えてなくて")))
    assert {"job_loss", "rent_trouble"} <= set(kinds(asr))
    spaced = extract_facts(segs(("other", "あと 物忘れ とかは ないんです 頭は しっかりしてて")))
    assert kinds(spaced)["dementia"].negated
    assert normalise("物忘れ とかは ないんです") == "物忘れとかはないんです"


def test_staff_question_and_explanation_are_not_facts() -> None:
    facts = extract_facts(segs(
        ("staff", "お体の具合はいかがですか。障害をお持ちだったりは。"),
        ("citizen", "体は元気です。"),
        ("staff", "離職や収入減で家賃が払えなくなった方向けの給付金があります。"),
    ))
    assert {f.stance for f in facts if f.kind == "disability"} == {"asked"}
    explained = [f for f in facts if f.kind == "rent_trouble"]
    assert explained and all(f.stance == "explained" and not f.usable for f in explained)
    assert not situation(facts).has("rent_trouble")


def test_answer_to_a_staff_question() -> None:
    yes = extract_facts(segs(("staff", "今、借金はありますか。"), ("citizen", "はい、カードで少し。")))
    [debt] = [f for f in yes if f.kind == "debt" and f.stance == "answered"]
    assert debt.segment_ids == (10, 11) and not debt.negated
    no = extract_facts(segs(("staff", "障害をお持ちですか。"), ("citizen", "いいえ。")))
    [dis] = [f for f in no if f.kind == "disability" and f.stance == "answered"]
    assert dis.negated


def test_elliptical_answer_takes_the_question_topic() -> None:
    facts = extract_facts(segs(("staff", "家賃はいつから払えていないですか。"), ("citizen", "先々月からです、2か月分。")))
    [rent] = [f for f in facts if f.kind == "rent_trouble" and f.usable]
    assert rent.segment_ids == (10, 11)


def test_staff_paraphrase_confirms_a_fact() -> None:
    facts = extract_facts(segs(("staff", "契約を更新してもらえなかったんですね。")))
    [f] = [f for f in facts if f.kind == "job_loss"]
    assert f.stance == "confirmed" and f.usable


def test_grandchildren_living_elsewhere_are_not_the_household() -> None:
    facts = extract_facts(segs(
        ("citizen", "私は一人暮らしで、年金だけで暮らしてます。孫が二人いるけど、遠くに住んでてなかなか会えません。"),
    ))
    grand = [f for f in facts if f.kind == "child"]
    assert grand and all(f.subject == "grandchild" and f.apart for f in grand)
    sit = situation(facts)
    assert not sit.has("child_in_household") and not sit.has("child_minor")
    assert sit.has("lives_alone") and sit.has("low_income")


def test_grandparent_raising_grandchildren() -> None:
    facts = extract_facts(segs(("citizen", "娘が家を出てしまって、孫を引き取って育てています。孫は小学3年生です。")))
    sit = situation(facts)
    assert sit.has("raising_grandchild") and sit.has("child_school")


def test_children_stages_and_single_parent() -> None:
    facts = extract_facts(segs(("citizen", "去年離婚して、中2の息子と5歳の娘と三人で暮らしています。")))
    sit = situation(facts)
    assert sit.has("child_school") and sit.has("child_preschool") and sit.has("single_parent")
    assert not sit.has("child_high_school")


def test_spouse_at_home_is_not_single_parent() -> None:
    facts = extract_facts(segs(("citizen", "主人と小学生の子ども2人の4人家族です。母子家庭じゃないんですけど。")))
    sit = situation(facts)
    assert sit.has("spouse") and sit.has("child_school") and not sit.has("single_parent")


def test_subject_of_a_family_members_condition() -> None:
    facts = extract_facts(segs(("citizen", "母が最近物忘れがひどくて、同じことを何度も聞いてくるんです。")))
    dementia = [f for f in facts if f.kind == "dementia"]
    assert dementia and dementia[0].subject == "parent"
    assert situation(facts).has("dementia_family")


def test_age_from_era_birth_date_and_who_it_belongs_to() -> None:
    today = dt.date(2026, 4, 1)
    own = extract_facts(segs(("citizen", "昭和19年3月3日生まれです。")), today=today)
    [age] = [f for f in own if f.kind == "age"]
    assert age.value == "82" and age.subject == "self"
    assert situation(own).has("elderly")
    mother = extract_facts(segs(("staff", "お母様の生年月日を教えてください。"), ("citizen", "昭和16年10月5日です。")),
                           today=today)
    [age] = [f for f in mother if f.kind == "age"]
    assert age.subject == "parent" and age.segment_ids == (10, 11)
    sit = situation(mother)
    assert sit.has("elderly_family") and not sit.has("elderly")


def test_quoted_denial_of_someone_else_is_not_a_denial() -> None:
    facts = extract_facts(segs(("citizen", "母は物忘れがひどいのに、本人は「私はボケてない」って病院を嫌がるんです。")))
    dementia = [f for f in facts if f.kind == "dementia"]
    assert dementia and not any(f.negated for f in dementia)


def test_scheme_names_and_schemes_already_received() -> None:
    facts = extract_facts(segs(
        ("citizen", "障害年金とかじゃなくて、普通の年金です。"),
        ("citizen", "児童扶養手当と児童手当はもらっています。"),
        ("citizen", "ママ友は就学援助をもらってるって言ってました。"),
    ))
    assert not [f for f in facts if f.kind == "disability"]  # 障害 is part of a scheme name here
    received = {f.value for f in facts if f.kind == "receiving" and f.usable and not f.negated}
    assert received == {"child-rearing-allowance", "child-allowance"}
    assert not any(f.segment_ids == (12,) for f in facts if f.kind == "receiving")


def test_known_age_sets_care_bands() -> None:
    """A parent needing care is elderly only until their age is said; 40–64 needs a 特定疾病."""
    young = segs(("citizen", "母が病気で最近あまり歩けなくなってて、家事は全部私がやっています。"),
                 ("staff", "お母さんは今おいくつですか。"), ("citizen", "44です。"))
    sit = situation(extract_facts(young))
    assert sit.has("care_need_family") and not sit.has("elderly_family")
    assert sit.has("care_under_65") and not sit.has("care_under_40")
    assert not sit.has("specified_disease_family")
    stroke = segs(("citizen", "父が脳梗塞で倒れて、左の手足が動かなくて介助が必要です。"),
                  ("staff", "お父さんはおいくつですか。"), ("citizen", "58です。"))
    sit = situation(extract_facts(stroke))
    assert sit.has("care_under_65") and sit.has("specified_disease_family")
    old = segs(("citizen", "母が最近歩けなくなって介助が必要です。"))
    sit = situation(extract_facts(old))
    assert sit.has("elderly_family") and not sit.has("care_under_65")


def test_whose_school_year() -> None:
    """A sibling's school year is not a child at home; a pupil introducing themself is a minor."""
    sibling = situation(extract_facts(segs(("citizen", "妹が高校生で授業料は母が払っています。"))))
    assert not sibling.has("child_high_school") and not sibling.has("self_minor")
    pupil = situation(extract_facts(segs(("citizen", "高校2年の森本美咲です。"))))
    assert pupil.has("self_minor") and not pupil.has("child_high_school")
    parent = situation(extract_facts(segs(("citizen", "息子が高校2年で、学費が心配です。"))))
    assert parent.has("child_high_school") and not parent.has("self_minor")


def test_own_violence_is_not_dv() -> None:
    facts = extract_facts(segs(
        ("citizen", "言うことを聞かないと、かっとなって頭や背中を叩いてしまって。"),
        ("citizen", "2歳の息子がいます。夫から暴力を受けているとかはないです。"),
    ))
    sit = situation(facts)
    assert not sit.has("dv") and "dv" in sit.denied
    assert sit.has("child_abuse")
    victim = situation(extract_facts(segs(("citizen", "夫が酔うと叩いてくるんです。"))))
    assert victim.has("dv")


def test_situations_that_are_over() -> None:
    """「妊娠中に…会ったことがあります」 is an earlier pregnancy; a settled hospital bill is no burden."""
    sit = situation(extract_facts(segs(("citizen", "妊娠中に、給付金の面談で保健師さんに会ったことがあります。"))))
    assert not sit.has("pregnancy")
    assert situation(extract_facts(segs(("citizen", "妊娠していて、予定日は3月です。")))).has("pregnancy")
    sit = situation(extract_facts(segs(("citizen", "入院費は月5万くらいで済みました。もう全部払いました。"))))
    assert not sit.has("high_medical_cost")
    assert situation(extract_facts(segs(("citizen", "入院費が30万も請求されて払えません。")))).has("high_medical_cost")


def test_understanding_beyond_keywords() -> None:
    """Scams on an elderly parent, sleeplessness, gambling and a daughter's pregnancy."""
    scam = situation(extract_facts(segs(
        ("other", "父が市役所の職員を名乗る電話を信じて、ATMで300万円を振り込んでしまったんです。"))))
    assert scam.has("money_management_family")
    assert situation(extract_facts(segs(("citizen", "夜中に何度も起きるので、ほとんど寝られていません。")))).has("mental")
    assert situation(extract_facts(segs(("citizen", "借金はほとんどパチンコと競艇です。")))).has("mental")
    assert not situation(extract_facts(segs(("citizen", "パチンコ屋でバイトしています。")))).has("mental")
    teen = situation(extract_facts(segs(("other", "娘のあかりが、妊娠したみたいで。まだ17なんです。"))))
    assert teen.has("pregnancy_child")
