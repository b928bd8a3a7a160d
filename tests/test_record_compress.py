"""Compressed record lines: hedges and padding out, content, numbers and negation kept."""

from assistant.asr.transcript import Segment
from assistant.record.compress import compress, compress_all
from assistant.record.text import sentences_of


def _line(text: str, speaker: str = "citizen") -> str:
    seg = Segment(id=1, start=0.0, end=1.0, text=text, speaker=speaker)
    sents = sentences_of([seg])
    return "".join(text[p.start:p.end] for p in compress_all(sents))


def test_padding_and_hedges_are_left_out() -> None:
    out = _line("えっと、たぶん家賃は6万2千円なんですけど、まあ今月は払えないんです。")
    assert "6万2千円" in out and "払えない" in out and "家賃" in out
    assert "たぶん" not in out and "まあ" not in out and "んです" not in out
    assert len(out) < len("えっと、たぶん家賃は6万2千円なんですけど、まあ今月は払えないんです。")


def test_negation_and_numbers_survive() -> None:
    out = _line("通院はしていません。年金は月に8万円くらいです。")
    assert "していません" in out and "8万円" in out


def test_amount_with_a_little_more_keeps_its_words() -> None:
    assert "3万ちょっと" in _line("口座に3万ちょっとです。")


def test_staff_vocative_and_question_padding() -> None:
    out = _line("田中さん、次回は木曜日の午前10時でいかがでしょうか。", speaker="staff")
    assert out.startswith("次回") and "木曜日の午前10時" in out and "いかが" not in out


def test_citizen_vocative_kept_and_repeats_dropped() -> None:
    assert _line("大家さん、怒ってました。").startswith("大家さん")
    assert _line("家賃が払えない。家賃が払えない。").count("家賃") == 1


def test_pieces_stay_inside_their_segment() -> None:
    text = "それで、なんか、仕事が見つからないんですよね。"
    seg = Segment(id=7, start=0.0, end=1.0, text=text, speaker="citizen")
    for s in sentences_of([seg]):
        for p in compress(s):
            assert p.segment_id == 7 and 0 <= p.start < p.end <= len(text)


def test_unpunctuated_speech_is_split_after_sentence_final_forms() -> None:
    text = "はい 分かりました 書類を 持ってきてください 来週の 火曜日に 面談を 入れます 娘が ひとり います"
    seg = Segment(id=1, start=0.0, end=1.0, text=text, speaker="staff")
    parts = [s.text.strip() for s in sentences_of([seg])]
    assert len(parts) >= 3
    assert any("娘が ひとり" in p for p in parts)  # a pause inside a sentence does not split it
    assert "".join(p.replace(" ", "") for p in parts) == text.replace(" ", "")


def test_staff_opening_acknowledgements_are_left_out() -> None:
    out = _line("分かりました。まず、今日このあと申請書をお渡しします。", speaker="staff")
    assert "申請書をお渡しします" in out and "分かりました" not in out


def test_opinion_hedge_dropped_negation_kept() -> None:
    out = _line("今の仕事は続けられないと思います。")
    assert "続けられない" in out and "思います" not in out


def test_words_ending_like_sentence_forms_do_not_split() -> None:
    text = "あした 小さい 子どもを 連れて 行きます"
    seg = Segment(id=1, start=0.0, end=1.0, text=text, speaker="citizen")
    assert len(sentences_of([seg])) == 1


def test_pauses_inside_a_sentence_are_left_out_but_digits_stay_apart() -> None:
    out = _line("えー 妹と 二人で 暮らしてて 家賃は 4万8千円 くらい")
    assert " " not in out and "妹と二人で" in out and "4万8千円くらい" in out
    assert "3 14" in _line("番号は 3 14 です")  # digit groups are not run together


def test_two_unpunctuated_sentences_of_one_turn_keep_their_pause() -> None:
    out = _line("週に三回 透析に 通ってます 仕事は 先月 辞めました")
    assert "通ってます 仕事は先月辞めました" in out


def test_plain_speech_padding_goes_but_past_verbs_and_prohibitions_stay() -> None:
    out = _line("息子がね、先週死んだんだよ。もう一人で住んだことはないわ。")
    assert "息子が、" in out and "死んだ" in out and "住んだ" in out and "ない" in out
    assert "ね、" not in out and "んだよ" not in out and "ないわ" not in out
    assert _line("車は運転するな。").endswith("するな。")


def test_verbal_noun_states_end_on_the_noun() -> None:
    out = _line("月に2回通院しています。今は求職してて、仕事を探している。家賃は滞納していません。")
    assert "2回通院。" in out and "求職、" in out
    assert "探している" in out  # a verb, not a verbal noun, keeps its ending
    assert "滞納していません" in out  # negation is never shortened


def test_staff_reason_before_an_action_is_left_out_unless_it_names_something() -> None:
    out = _line("台風で屋根が壊れて不安だと思うので、明日、区役所で罹災証明の申請をしましょう。", speaker="staff")
    assert out.startswith("明日、区役所で") and "不安" not in out
    kept = _line("来月から介護保険のサービスが使えますので、ケアマネに連絡してください。", speaker="staff")
    assert "介護保険" in kept  # the clause names the service the action is about
    short = _line("書類を探してきますので、お待ちください。", speaker="staff")
    assert "書類" in short  # what follows alone would say nothing


def test_a_verbal_noun_before_a_bare_pause_keeps_its_ending() -> None:
    out = _line("家計は 夫が 管理してて 私は 何も 知らない")
    assert "管理してて私は" in out  # not 「管理私は」: two nouns running together


def test_a_pause_after_a_dropped_clause_ending_still_separates() -> None:
    out = _line("前は 工場で 働いてたんですけど 今は 無職")
    assert "働いてた 今は無職" in out
