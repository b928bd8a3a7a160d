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
