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
