"""Personal data as people say it at the counter (sentences written here), scored with the leak
definition of the record evaluation: a string leaks when any identifying character of it is left
unmasked, so a half-masked phone number or address fails. Look-alikes (ages, money, times, scheme
names, counts, a street block used as a landmark) must stay visible."""

from __future__ import annotations

import pytest

from assistant.asr.transcript import Segment, Transcript
from assistant.learn.record_quality import leak_check
from assistant.pii.mask import mask_transcript

pytestmark = pytest.mark.slow
S, C = "staff", "citizen"


def _segments(turns: list[tuple[str, str]]) -> list[Segment]:
    return [Segment(id=i + 1, start=float(i), end=float(i + 1), speaker=sp, text=t) for i, (sp, t) in enumerate(turns)]


def _leaks(turns: list[tuple[str, str]], secrets: list[str]) -> list[str]:
    segs = _segments(turns)
    masked, ents = mask_transcript(Transcript(segments=segs))
    gold = [{"type": "any", "text": s} for s in secrets]
    result = leak_check(segs, ents, gold, [masked.to_json()])
    assert all(any(s in a.text or s in a.text + b.text for a, b in zip(segs, [*segs[1:], segs[-1]], strict=True))
               for s in secrets), "test data: every secret must occur in the turns"
    return [f"{x['type']}:{x['how']}" for x in result["leaks"]] + [
        s for s in secrets if s in masked.to_json()]


@pytest.mark.parametrize("turns, secrets", [
    # numbers broken by fillers, corrected, split over two breaths, read digit by digit
    ([(S, "ご連絡先の番号は。"), (C, "ゼロハチゼロの、あのー、6612の、えっと、0937です。")],
     ["ゼロハチゼロの、あのー、6612の、えっと、0937"]),
    ([(S, "お電話は。"), (C, "090の、えー、"), (C, "8123の4567")], ["090の、えー、", "8123の4567"]),
    ([(S, "ご連絡先を。"), (C, "携帯が、ゼロキュウゼロ、いちにーさんよん、の"), (C, "ごーろくななはち、です")],
     ["ゼロキュウゼロ、いちにーさんよん、の", "ごーろくななはち"]),
    ([(S, "電話番号を。"), (C, "〇七〇、八八二一、四三〇五です")], ["〇七〇、八八二一、四三〇五"]),
    ([(S, "ご連絡先は。"), (C, "でんわは ゼロナナゼロ の ごーごーいち あ ちがう ごーごーに の さんよんきゅうご です")],
     ["ゼロナナゼロ の ごーごーいち", "ごーごーに の さんよんきゅうご"]),
    ([(S, "お電話番号は。"), (C, "まるはちまる、いちいちにーにー、さんさんよんよん")], ["まるはちまる、いちいちにーにー、さんさんよんよん"]),
    # account in kanji digits with the bank, マイナンバー and insurance numbers in groups
    ([(S, "振込先を。"), (C, "こだま銀行の駅前支店、普通で、六二〇九一八三です。")], ["こだま銀行の駅前支店、普通で、六二〇九一八三"]),
    ([(S, "マイナンバーを。"), (C, "九一〇二 三三四八 五五六〇 です。")], ["九一〇二 三三四八 五五六〇"]),
    ([(S, "マイナンバーを。"), (C, "6027 の、3318 の、4490 です")], ["6027 の、3318 の、4490"]),
    # addresses: kana 丁目, lots after the town, two turns, fillers, building and room
    ([(S, "ご住所は。"), (C, "ひがし町 さんちょうめ の ななの じゅういち です")], ["ひがし町 さんちょうめ の ななの じゅういち"]),
    ([(S, "ご住所は。"), (C, "西区 ふたば町 いっちょうめ にばんち の さん です")], ["西区 ふたば町 いっちょうめ にばんち の さん"]),
    ([(S, "ご住所を。"), (C, "緑ヶ丘五丁目の三の二十、408号室です。")], ["緑ヶ丘五丁目の三の二十、408号室"]),
    ([(S, "ご住所を。"), (C, "上町、えー、1丁目、あの、7の3です")], ["上町、えー、1丁目、あの、7の3"]),
    ([(S, "ご住所は。"), (C, "東町の"), (S, "はい"), (C, "2の5の18です")], ["東町", "2の5の18"]),
    ([(S, "ご住所は。"), (C, "中区 若宮町 です。"), (S, "番地までお願いします。"), (C, "9の2の15 です。")],
     ["中区 若宮町", "9の2の15"]),
    ([(S, "ご住所は。"), (C, "旭町2丁目8番、ベルメゾン旭の502です。")], ["旭町2丁目8番、ベルメゾン旭の502"]),
    ([(S, "ご住所は。"), (C, "グランドール川西 の 705 です")], ["グランドール川西 の 705"]),
    ([(S, "ご住所は。"), (C, "ひまわり荘の3号室です")], ["ひまわり荘の3号室"]),
    ([(S, "ご住所を。"), (C, "さくら市 中央 三丁目 十一番 二十号 サンハイツ 303")], ["さくら市 中央 三丁目 十一番 二十号 サンハイツ 303"]),
    ([(S, "郵便番号から。"), (C, "〒 939 の 1234、射水市 本町 2の3の4 です")], ["〒 939 の 1234", "射水市 本町 2の3の4"]),
    ([(S, "ご住所は。"), (C, "〒460-0008 名古屋市中区栄 3丁目 5番 12号 です")], ["〒460-0008", "名古屋市中区栄 3丁目 5番 12号"]),
    # dates of birth: the whole date, kana eras, an era said alone, age and birth year
    ([(S, "生年月日を。"), (C, "平成元年、えー、12月の3日です。")], ["平成元年、えー、12月の3日"]),
    ([(S, "お誕生日を。"), (C, "昭和の、えー、五十二年、十月、六日です。")], ["昭和の、えー、五十二年、十月、六日"]),
    ([(S, "生年月日を。"), (C, "へいせい さんねん の くがつ じゅうよっか です")], ["へいせい さんねん の くがつ じゅうよっか"]),
    ([(S, "生年月日は。"), (C, "昭和"), (C, "42年の5月5日です")], ["昭和", "42年の5月5日"]),
    ([(S, "おいくつですか。"), (C, "64歳です。昭和36年生まれで。")], ["昭和36年"]),
    # names: katakana surname first, particles after, fillers inside, split by a pause, said by staff
    ([(S, "今日はどうされました。"), (C, "あの、ニシムラといいますけど、家賃のことで。")], ["ニシムラ"]),
    ([(S, "お名前を。"), (C, "オオタケが名字で、下はサトミです。")], ["オオタケ", "サトミ"]),
    ([(S, "お名前は。"), (C, "ええと、マツダ…マツダ、ヨシコ、です。")], ["マツダ", "ヨシコ"]),
    ([(S, "お名前は。"), (C, "はい。えっと、ヒガシです。ヒガシ、アツコ。")], ["ヒガシ", "アツコ"]),
    ([(S, "お名前は。"), (C, "えー、あのー、高橋、高橋、えー、勝利です。")], ["高橋", "勝利"]),
    ([(S, "お名前は。"), (C, "えっと、もりした"), (C, "あきら です")], ["もりした", "あきら"]),
    ([(S, "お名前は。"), (C, "ふくだ"), (S, "はい"), (C, "ふくだ えみ です")], ["ふくだ", "えみ"]),
    ([(S, "お名前は。"), (C, "えー さいとう です さいとう みなこ")], ["さいとう", "みなこ"]),
    ([(S, "はい、浅野様、こちらへどうぞ。"), (C, "よろしくお願いします。")], ["浅野"]),
    ([(S, "お電話は。"), (C, "090ハイフン4412ハイフン7788です")], ["090ハイフン4412ハイフン7788"]),
    ([(S, "保険証の記号と番号を。"), (C, "記号は いちにーさん、番号は よんご です")], ["いちにーさん", "よんご"]),
    ([(S, "マイナンバーを。"), (C, "ろくななはちきゅう"), (C, "ぜろいちにーさん"), (C, "よんごーろくなな")],
     ["ろくななはちきゅう", "ぜろいちにーさん", "よんごーろくなな"]),
    ([(S, "お部屋番号は。"), (C, "305号室です。")], ["305"]),
    ([(S, "お名前は。"), (C, "えっと、リン、です。リン・メイファ。")], ["リン・メイファ"]),
    ([(S, "生年月日は。"), (C, "1955年の、あの、"), (C, "11月30日")], ["1955年", "11月30日"]),
    ([(S, "口座は。"), (C, "普通預金の、ごーななさんいちにーはちろく です")], ["ごーななさんいちにーはちろく"]),
    ([(S, "ご住所を。"), (C, "桜台の、二丁目、十の、えー、五番地です")], ["桜台の、二丁目、十の、えー、五番地"]),
    ([(S, "生年月日を。"), (C, "S45年の3月8日")], ["S45年の3月8日"]),
    ([(S, "生年月日を。"), (C, "昭和45、3月8日")], ["昭和45、3月8日"]),
    ([(S, "お名前は。"), (C, "僕はオカベっす。オカベ シュン。")], ["オカベ", "シュン"]),
    ([(S, "お電話は。"), (C, "080-1234-"), (C, "5678です")], ["080-1234-", "5678"]),
    # e-mail addresses said aloud
    ([(S, "メールを。"), (C, "アドレスは mika の 0707 アットマーク example ドット jp")], ["mika の 0707 アットマーク example ドット jp"]),
    ([(S, "メールは。"), (C, "minori アンダーバー t アットマーク ジーメール ドット コム です")],
     ["minori アンダーバー t アットマーク ジーメール ドット コム"]),
    ([(S, "メールアドレスは。"), (C, "sato ハイフン k アットマーク example ドット co ドット jp です")],
     ["sato ハイフン k アットマーク example ドット co ドット jp"]),
])
def test_spoken_personal_data_leaves_no_identifying_character(turns, secrets):
    assert _leaks(turns, secrets) == []


@pytest.mark.parametrize("text, visible", [
    ("家賃5万2千円で、82歳の母と二人暮らしです。", ["5万2千円", "82歳", "二人"]),
    ("来月の3日の10時に予約しました。令和7年4月から申請できます。", ["3日の10時", "令和7年4月"]),
    ("児童扶養手当と生活保護の話を聞きました。", ["児童扶養手当", "生活保護"]),
    ("三丁目のスーパーで働いてます。", ["三丁目"]),
    ("一丁目の公園の近くに住んでたこともあります。", ["一丁目"]),
    ("パートです。週3日です。", ["パート", "週3日"]),
    ("それは児童扶養手当といいます。", ["児童扶養手当"]),
    ("施設はグループホームといいます。", ["グループホーム"]),
    ("下は5歳です。上は小学生です。", ["5歳"]),
    ("マンションの5階の502の隣の人がうるさくて。", ["5階"]),
    ("電話は市の相談窓口の 0570-064-556 にかけました。", ["0570-064-556"]),
    ("73歳。妻が70歳で、年金は二人で月14万円です。", ["73歳", "70歳", "14万円"]),
    ("娘のミルクが足りなくて、社協の貸付で10万円借りました。", ["ミルク", "社協", "10万円"]),
    ("番号札は、いちにーさんの順です。", ["いちにーさん"]),
    ("息子は今年で18です。病院は月2回で、1回3千円かかります。", ["18", "月2回", "3千円"]),
    ("うちは3LDKで、2階建てです。来週の火曜日、10時に。", ["3LDK", "2階建て", "10時"]),
])
def test_look_alikes_stay_visible(text, visible):
    segs = _segments([(S, "ご家族や暮らしについて教えてください。"), (C, text)])
    masked, _ents = mask_transcript(Transcript(segments=segs))
    for v in visible:
        assert v in masked.segments[1].text, (v, masked.segments[1].text)
