"""Personal data in the forms real speech gives it, found after the per-turn rules of ``mask``.

People do not say numbers and addresses the way forms print them:

* digits broken by fillers and pauses — 「ゼロキューゼロの、えーと、4821の、あー、7730」 — or split over
  two turns (「080の3391の」 / 「5527です」), in kanji digits without the word 口座 (「七三〇五五一二」);
* lot and room numbers after the town, with a pause between (「東山町 2の14の3 の コーポ東山 201」,
  「桜木町です。」 then 「3の12の6です。」), 丁目 in kana (「にちょうめ」);
* a birth date whose year and day are said apart (「昭和56年、7月2日です」), or all in kana
  (「しょうわ ごじゅうろく ねん しちがつ ふつか」);
* a number corrected mid-way (「さんいちいち あ ちがう さんいちよん」) or carried over three turns;
* a given name after a surname already masked (「ヤマグチ ミドリです」, 「高橋、えー、勝利です」), a name
  said in two breaths (「えっと、もりした」 then 「あきら です」), a katakana name joined by ・;
* a building name without a building word before a room (「サンライズ栄町 805号室」), a room alone in
  the answer to 「お部屋番号は」.

A staff 「はい」 between two breaths does not end the answer to the question before it.

``extend`` works on the whole conversation, so a span that continues into the next turn is masked
in both, with one placeholder (the pieces share ``Entity.group``). It only adds or widens spans; it
never removes what the per-turn rules found.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.asr.transcript import Segment
from assistant.pii.numbers import OFFICE_DIAL, digit_value, office_number
from assistant.pii.patterns import BUILDING_KW
from assistant.text.kana import hiragana, katakana

# fillers, dialect ones included (ほれ, ほら, まあ, んーと)
_FILLERS = r"(?:えーっと|えーと|えー[\s\u3000、,]+と(?=[\s\u3000、,])|えっと|ええっと|ええと|えー+|あー+|あのー*|うーんと|うーん|ん[\s\u3000]?ー[\s\u3000]?と|んー|その+|ほれ|ほら|まあ)"
# a pause written as dots, or the speaker searching their memory (「何やったかな」「なんだっけ」)
_PAUSE = (r"(?:\.{2,}|・{2,}|(?:何|なん)[階番号]?(?:だ|や|じゃ)(?:っけ(?:な|ね)?|ったかな|ったっけ|ったか)|ええと何番|"
          r"(?<=[、,\s\u3000])(?:そう|はい|ええ|うん)(?=[、,\s\u3000])|"  # 「448の、そう、4481」: a confirmation mid-number
          r"(?<=[、,\s\u3000…])(?:ちょっと)?待って(?:な|ね|ください)?(?:[、,][^0-9０-９。？?…、,]{1,8}(?=…))?(?=[、,\s\u3000…]))")  # 「4の…ちょっと待ってな、4037」
# 「4・6・7・1」: digits read one by one, written with a middle dot between them
_GAP = rf"(?:[\s\u3000、,…\-‐−－]|(?<=[0-9０-９])・(?=[0-9０-９])|の|(?<=[\s\u3000])ノ(?=[\s\u3000])|(?<=の)[なねさ](?=[\s\u3000、,])|ハイフン|はいふん|{_PAUSE}|{_FILLERS}|(?<=[\s\u3000、,])え(?=[\s\u3000、,]))*"
# a self-correction between digit groups (「さんいちいち あ ちがう さんいちよん」): the run goes on
_CORRECTION = (r"(?:あっ?|いや|いえ)?[\s\u3000、,]*(?:ちがう|ちがった|違う|違った|(?:ちがい|違い)[\s\u3000]?ます|ちゃう(?:わ|ねん)?|ちゃいます|じゃなくて|じゃない|まちがえた|間違えた|まちがった|間違った|"
               r"間違えました|すみません|すいません|ごめんなさい|失礼しました)")
# 「0248 あ 0428173」: a lone あ between digit groups is the speaker catching a slip
_GAP_C = rf"(?:{_GAP}(?:{_CORRECTION}|(?<=[\s\u3000、,…])あっ?(?=[\s\u3000、,…])))?{_GAP}"
_KANA_DIGIT = (r"(?:ゼロ|ぜろ|レイ|れい|マル|まる|イチ|いち|ニー|にー|ニイ|にい|にぃ|ニィ|ニ|に|サン|さん|ヨン|よん|ゴー|ごー|ゴオ|ごお|ゴ|ご|ロク|ろく|"
               r"ナナ|なな|シチ|しち|ハチ|はち|キュー|キュウ|きゅう|きゅー)")
# hiragana digit words that are also particles or honorifics (に, ご, さん, まる): never the first or
# last digit of a run (「4452 に お願いします」, 「山田さん、090…」)
_EDGE_GAP = r"(?:[\s\u3000、,の]|えー+|あー+)*"
_AMBIGUOUS_LEAD = re.compile(rf"^(?:に|ご(?![\s\u3000]+{_KANA_DIGIT})|さん|まる)(?!ー){_EDGE_GAP}")  # ごー, にー are digits only;
# 「ご なな ぜろ」: ご before a space and a spoken digit is a five (the honorific ご sticks to its word)
_AMBIGUOUS_TAIL = re.compile(rf"{_EDGE_GAP}(?:に|ご|さん|まる)$")
_DIGIT = rf"(?:[0-9０-９〇零一二三四五六七八九]|{_KANA_DIGIT})"
# a run of digits, each group separated by pauses, の, commas or fillers
# 「ゼロが四つで381526」: zeros counted out loud are digits of the number
_ZEROS = r"(?:ゼロ|ぜろ|0|０|〇|零)が[\s\u3000]*(?:二つ|三つ|四つ|五つ|六つ|ふたつ|みっつ|よっつ|いつつ|むっつ)(?:で|と)?"
_RUN = re.compile(rf"(?:{_ZEROS}{_GAP})?{_DIGIT}+(?:{_GAP_C}{_DIGIT}+)*")
_UNIT_AFTER = re.compile(r"^[\s\u3000]*(?:歳|才|円|万|千|年|月|日|時|分|秒|人|回|階|%|％|か月|ヶ月|カ月|号|番(?!号)|丁目|度|週|枚)")
_NUMBER_Q = re.compile(r"電話|でんわ|携帯|けいたい|連絡先|れんらくさき|番号|ばんごう|口座|振込|振り込み|記号|通帳|ナンバー|なんばー|保険証|手帳")
_ACCOUNT = re.compile(r"口座|普通|当座|ふつう|預金|銀行|信金|信用金庫|支店|ゆうちょ|振込|振り込み|通帳")
_INSURANCE = re.compile(r"保険証|被保険者|記号|基礎年金|手帳|受給者証|受給者番号|証書|ケース番号")  # 手帳: 年金・障害者・療育手帳
_PHONE = re.compile(r"電話|でんわ|携帯|けいたい|連絡先|れんらくさき|TEL|ＴＥＬ")
_MYNUMBER = re.compile(r"マイナンバー|個人番号")
_NUMBER_KINDS = ("phone", "mynumber", "account", "insurance_id", "id")
_AFTER_NUMBER_WORD = re.compile(r"(?:番号|記号)[\s\u3000]*[はがもで]?[\s\u3000、,]*$")

# lot numbers never start with 0; a recogniser may space kanji digits (「二 十 三」)
_NUMK = r"(?:[1-9１-９][0-9０-９]{0,3}|[一二三四五六七八九十](?:[\s\u3000]?[一二三四五六七八九十〇]){0,3})"
_KANA_NUM = r"(?:いち|に|さん|よん|し|ご|ろく|なな|しち|はち|きゅう|く|じゅう|ひゃく|びゃく|ぴゃく|ろっ|はっ|せん|ぜん)+"
_S = r"[\s\u3000]*"
# (a lot number read digit by digit: 「1 5 0 7 の 3」)
_LOT = (rf"(?:[1-9](?:[\s\u3000][0-9]){{1,3}}(?![0-9])|{_NUMK})(?:{_S}(?:の|[-‐−－ー]|番地?の?|番|ばんち?(?:{_S}の)?){_S}{_NUMK}){{1,2}}"
        rf"(?:{_S}(?:号|ごう)(?![室棟]|{_S}しつ))?")
_KANA_LOT = rf"{_KANA_NUM}(?:{_S}の{_S}{_KANA_NUM}){{1,2}}"
_PLACE = r"(?:町|丁目|ちょうめ|ちょう|まち|台|丘|野|原|谷|沢|川|山|田|浜|島|通り|区|市|村|番地|団地)"
# 番地 and 号 said in kana (「じゅうごばん よんごう」, 「さんばんち の に」)
_KANA_BANGOU = rf"{_KANA_NUM}{_S}ばん(?:ち)?(?:[\s\u3000、,]*の?{_S}(?:{_KANA_NUM}{_S}ごう|{_KANA_NUM}|{_NUMK}(?:{_S}号)?))?"
# a lot with kana and kanji numbers mixed (「よんの二の十五」)
_MIXED_LOT = rf"(?:{_KANA_NUM}|{_NUMK})(?:{_S}の{_S}(?:{_KANA_NUM}|{_NUMK})){{1,2}}(?![0-9０-９一二三四五六七八九十])"
# (pauses written as dots, and the dialect's interjections between the parts: 「3丁目のな 14の2」「市営の ね 本町」)
_PLACE_GAP = rf"(?:[\s\u3000、,]|{_FILLERS}|{_PAUSE}|…+|たしか|確か|たぶん|多分|(?<=[\s\u3000の])(?:ね|な|さ|よ)(?=[\s\u3000、,]))*"
_TOWN_LOT = re.compile(rf"(?P<town>[一-龯々ヶァ-ヶーぁ-ん]{{0,10}}?{_PLACE}){_S}(?:[、,]{_S})?(?:の{_PLACE_GAP})?"
                       rf"(?P<lot>{_LOT}|{_KANA_LOT}|{_MIXED_LOT}|{_KANA_BANGOU}|[1-9](?:[\s\u3000][0-9]){{2,3}}(?![0-9０-９]))")  # 「南町 5 3 8」
# a place name without a suffix (本郷, 工業団地南) before a pause and a lot number: an address only
# when the lot has three parts or a building or room follows
_WORD_LOT = re.compile(rf"(?P<town>[一-龯々ヶァ-ヶー]{{1,8}}|(?<![ぁ-ん])[ぁ-ん]{{3,8}})(?:[\s\u3000]+(?:の[\s\u3000]*)?|の[\s\u3000、,]+)"
                       rf"(?P<lot>{_LOT})")
_GEMINATE = r"(?:いっ|はっ|ろっ|じゅっ|じっ)"  # いっちょうめ, はっちょうめ, じゅういっちょうめ
# a 丁目 said in kana, with its lot (「さんちょうめ の えー にじゅうよん」: a lone number after it is the 番地)
_KANA_CHOME = re.compile(rf"(?:{_KANA_NUM}{_GEMINATE}?|{_GEMINATE}|[0-9０-９]{{1,2}}){_S}ちょうめ(?:{_PLACE_GAP}(?:の{_PLACE_GAP})?"
                         rf"(?:{_KANA_BANGOU}|{_KANA_LOT}|{_LOT}|{_KANA_NUM}(?![ぁ-ん])))?")
# the town, ward or city said before an address span, with a pause between (「ひがし区 あおば町 …」)
# … also with fillers between, and one unsuffixed district word after it (「さくら市 中央 三丁目」)
_PLACE_BEFORE = re.compile(rf"(?:(?:駅前|駅裏|駅の裏|駅の前|駅の近く)|[一-龯々ヶァ-ヶーぁ-ん]{{1,8}}?(?:都|道|府|県|市|区|町|村|郡|丘|台|野)){_PLACE_GAP}(?:の[\s\u3000、,]*)?"
                           rf"(?:(?![はがをにでともへやの])[一-龯々ヶァ-ヶーぁ-ん]{{1,8}}[\s\u3000、,]+)?$")
# a lot, 号, building or room said after an address span (「の 12番地 の 5」)
_LOT_AFTER = re.compile(rf"^{_PLACE_GAP}(?:の{_PLACE_GAP})?(?:[一-龯々]{{1,4}}(?:組|班|地割)の?{_S})?"  # 西組, 三地割: a hamlet
                        rf"(?:{_NUMK}{_S}(?:番{_S}地|番|号)(?!室)|{_KANA_BANGOU})")  # 「9 番 地」: the recogniser's split
# after 番 or 番地, the 号 said as a bare number (「五番 の にじゅうに」, 「12番地の3」)
_GOU_AFTER_BAN = re.compile(rf"^(?:[\s\u3000]*地)?{_PLACE_GAP}の{_PLACE_GAP}(?:{_NUMK}|{_KANA_NUM})(?:[\s\u3000]{_NUMK}(?=[\s\u3000]|$))?"
                            rf"(?:{_PLACE_GAP}の{_PLACE_GAP}{_NUMK}(?![0-9０-９一二三四五六七八九十]))?(?:{_S}(?:号|ごう))?(?![0-9０-９〇一二三四五六七八九十]|(?!です|でした|だ[。、\s]|や[。、\s])[ぁ-ん])")
# after 丁目, a lot said as 「7の3」 (with pauses and fillers before it)
_LOT_AFTER_CHOME = re.compile(rf"^{_PLACE_GAP}(?:の{_PLACE_GAP})?(?:[東西南北]{_S})?{_NUMK}(?:{_PLACE_GAP}(?:の|[-‐−－ー]){_PLACE_GAP}{_NUMK}){{1,2}}"
                              rf"(?![0-9０-９])(?:{_S}(?:番地|番|号)(?!室))?")
# the side of the street and the lot after 丁目, as in Asahikawa's grid (「4条通15丁目左10号」)
_SIDE_LOT_AFTER_CHOME = re.compile(rf"^{_PLACE_GAP}(?:の{_PLACE_GAP})?(?:左|右){_PLACE_GAP}(?:の{_PLACE_GAP})?{_NUMK}{_S}号(?!室)")
_CHOME = re.compile(rf"(?<![0-9０-９一二三四五六七八九十]){_NUMK}{_S}丁目")
# a block said as a letter or in kana (「ビー棟」「ななごうとう」)
_BLOCK_WORD = r"(?:(?:エー|ビー|シー|ディー|[A-ZＡ-Ｚ]){_S}棟|(?:いち|に|さん|よん|ご|ろく|なな|はち|きゅう|じゅう)+{_S}ごう{_S}とう)".replace("{_S}", r"[\s\u3000]*")
_ROOM_UNIT = r"(?:[\s\u3000]*(?:号[\s\u3000]*室|ごう[\s\u3000]*しつ|(?:号|ごう)(?![\s\u3000]*(?:棟|とう))))"  # 「6号 室」「408 ごうしつ」
_ROOM_UNIT_FULL = r"(?:[\s\u3000]*(?:号[\s\u3000]*室|ごう[\s\u3000]*しつ))"
_BNAME = r"[ァ-ヶー一-龯々A-Za-zぁ-ん・0-9０-９]"
_RD = r"[0-9０-９一二三四五六七八九〇]"
# a room number, also read digit by digit (「2 0 1」) or as a number in kanji (「千 百 三」「七百二」)
_ROOM_KANJI = (r"(?:[一二三四五六七八九][\s\u3000]?)?(?:千(?:[\s\u3000]?(?:[一二三四五六七八九][\s\u3000]?)?百)?|百)"
               r"(?:[\s\u3000]?[一二三四五六七八九十〇]){0,2}(?![\s\u3000]?[万千円人])(?!(?!号)[一-龯々ァ-ヶ])")  # not 八百屋
_ROOM = rf"(?:{_RD}(?:[\s\u3000]?{_RD}){{1,3}}|{_ROOM_KANJI})"
# a building name: one ending in a building word (コーポ東山), or a katakana name with a place word
# after it (サンライズ栄町, パークサイド富塚) — the second only when a room number follows
_BUILDING = rf"(?:(?:市営|県営|都営|町営|府営|村営|公営){_S}(?:[一-龯々ァ-ヶーぁ-ん]{{1,6}}[\s\u3000]+)?{BUILDING_KW}|第{_S}[0-9０-９一二三四五六七八九十]{{1,2}}{_S}{BUILDING_KW}|(?:第{_S}[0-9０-９一二三四五六七八九十]{{1,2}}{_S})?(?:[ァ-ヶー一-龯々ぁ-ん]{{2,8}}[\s\u3000])?{_BNAME}{{0,12}}?{BUILDING_KW}(?:[\s\u3000]?[ァ-ヶー一-龯々ぁ-ん]{{1,8}})?|[ァ-ヶー]{{3,}}(?:{_S}[一-龯々ァ-ヶー]{{1,6}})?)"
# where on the floor the room is (「二階の、奥から二番目の部屋」「2かいのおく」「2階 の 一番 奥」)
_ROOM_POSITION = (rf"{_S}の{_S}[、,]?{_S}(?:一番{_S})?(?:奥|手前|右|左|端|角|おく|てまえ)"
                  rf"(?:から{_S}{_NUMK}{_S}(?:番目|つ目|軒目))?(?:{_S}の{_S}部屋)?")
_FLOOR = rf"(?:{_NUMK}{_S}(?:階|かい)(?!建|だて)(?:{_ROOM_POSITION})?)"
_AFTER = re.compile(rf"(?:{_PLACE_GAP}(?:の{_PLACE_GAP})?(?:{_BUILDING}(?:{_S}(?:って|と)いう{_S}{BUILDING_KW})?)?{_PLACE_GAP}"
                    rf"(?:の{_PLACE_GAP})?(?:{_FLOOR}{_PLACE_GAP}(?:の{_PLACE_GAP})?)?"
                    rf"(?:{_RD}{_PLACE_GAP}(?:の{_PLACE_GAP})?(?={_RD}{{2}}))?"  # 「2 の ... 202」: the room started again
                    rf"(?:{_ROOM}(?![0-9０-９万千円年月日時分階人回歳才か])(?:{_ROOM_UNIT})?|{_RD}{_ROOM_UNIT_FULL}|(?<![A-Za-z])[A-ZＡ-Ｚ]{_S}号{_S}室)"
                    rf"|{_PLACE_GAP}(?:の{_PLACE_GAP})?(?:{_BUILDING}{_PLACE_GAP}(?:の{_PLACE_GAP})?)?(?:{_NUMK}{_S}(?:号{_S})?棟|{_BLOCK_WORD})(?:{_PLACE_GAP}(?:{_CORRECTION}|いや|あっ?){_PLACE_GAP}"
                    rf"{_NUMK}{_S}(?:号{_S})?棟)?(?:{_PLACE_GAP}(?:の{_PLACE_GAP})?{_ROOM})?"
                    rf"|{_PLACE_GAP}(?:の{_PLACE_GAP})?{_BUILDING}{_PLACE_GAP}(?:の{_PLACE_GAP})?{_KANA_DIGIT}(?:[\s\u3000]?[、,]?[\s\u3000]?{_KANA_DIGIT}){{1,3}}"
                    rf"|{_PLACE_GAP}(?:の{_PLACE_GAP})?(?:{_BUILDING}{_PLACE_GAP}(?:の{_PLACE_GAP})?)?{_FLOOR}"
                    rf"|{_PLACE_GAP}(?:の{_PLACE_GAP})?(?:[ァ-ヶー一-龯々ぁ-ん]{{2,8}}[\s\u3000])?{_BNAME}{{0,12}}?{BUILDING_KW}[ァ-ヶー一-龯々A-Za-zぁ-ん]{{0,8}}"
                    rf"(?:{_S}の?{_S}{_NUMK}{_S}(?:階|号室|号))?)?")
_BUILDING_ROOM = re.compile(rf"(?:{_BNAME}{{0,12}}?{BUILDING_KW}(?:[\s\u3000]?{_BNAME}{{1,6}}?)?|(?:[ァ-ヶー]{{1,6}}・)?[ァ-ヶー]{{3,}}[一-龯々ァ-ヶー]{{0,6}})"
                            rf"[\s\u3000、,]*(?:の{_PLACE_GAP})?(?:{_FLOOR}{_PLACE_GAP}(?:の{_PLACE_GAP})?)?"  # 「…青葉の、7階、705」
                            rf"(?:{_ROOM}(?![0-9０-９])(?:{_S}号室|{_S}号)?|{_NUMK}{_S}号室"
                            rf"|{_KANA_DIGIT}(?:[\s\u3000]?[、,]?[\s\u3000]?{_KANA_DIGIT}){{2,3}}(?![ぁ-んァ-ヶー])"  # 「の、いち、まる、に」
                            rf"|[0-9０-９一二三四五六七八九]{{1,2}}(?:{_PLACE_GAP}の{_PLACE_GAP}|[\s\u3000]?)[A-ZＡ-Ｚ](?![A-Za-zＡ-Ｚ]))")  # 「の、2の、B」
# a home or a care facility with the floor and the room (「グループホームさくらの、1階の6号室」): an address
# wherever it is said, since a 号室 leaves no doubt
_FACILITY_ROOM = re.compile(rf"{_BNAME}{{0,12}}?{BUILDING_KW}{_BNAME}{{0,8}}?{_PLACE_GAP}(?:の{_PLACE_GAP})?"
                            rf"(?:(?:{_FLOOR}|ユニット{_S}{_NUMK}|{_NUMK}{_S}ユニット){_PLACE_GAP}(?:の{_PLACE_GAP})?)?{_NUMK}{_S}号室")
# a named building with the floor and where on it the room is (「ひまわり荘の2階の奥」「さつき コーポ の B棟 の 2階 の 一番 奥」):
# an address wherever it is said
# a floor alone identifies only a building with a name of its own (グリーンハイツ, not 市営住宅 or アパート)
_NAMED_BUILDING = re.compile(rf"(?:^|[のは\s\u3000])(?:[ァ-ヶー]{{2,}}{BUILDING_KW}|{BUILDING_KW}[ァ-ヶー一-龯々]{{1,6}}|(?!市営|県営|都営|町営|公営|文化|古い)[ぁ-ん一-龯々]{{2,5}}荘|[ぁ-ん]{{2,5}}(?<![いなのすたるねよでがはをにとも])[\s\u3000]?{BUILDING_KW})$")
_BUILDING_FLOOR = re.compile(rf"(?P<b>(?:[ァ-ヶーぁ-ん一-龯々]{{1,8}}[\s\u3000])?{_BNAME}{{0,12}}?{BUILDING_KW}{_BNAME}{{0,8}}?"
                             rf"(?:[\s\u3000]+[一-龯々ヶァ-ヶーぁ-ん]{{1,6}}(?=[\s\u3000]*の))?){_PLACE_GAP}"
                             rf"(?:の{_PLACE_GAP})?(?:(?:{_NUMK}|[A-ZＡ-Ｚ]){_S}(?:号{_S})?棟{_PLACE_GAP}(?:の{_PLACE_GAP})?)?"
                             rf"{_NUMK}{_S}(?:階|かい)(?!建|だて)(?:{_ROOM_POSITION}|{_PLACE_GAP}(?:の{_PLACE_GAP})?(?:{_ROOM}(?![0-9０-９万千円年月日時分人回歳才])|{_NUMK}{_S}号)"
                             rf"|(?=[\s\u3000]*(?:に|で|の部屋|。|、|,|です)))")  # 「駅前のグリーンハイツの2階に住んでいる」
# a block of a housing estate and its room (「7号棟の 304」「5棟の 102」)
# a katakana building name without a keyword, then its room (「ルピナスの二〇三号室」)
_KATA_ROOM = re.compile(rf"(?<![ァ-ヶー])[ァ-ヶー]{{3,}}[一-龯々ァ-ヶー]{{0,6}}{_PLACE_GAP}(?:の{_PLACE_GAP})?{_ROOM}{_S}号室")
# a building word with its name, then a room number (「ハイツ ミモザ の 102」「グループホームひまわりの203」)
_KW_ROOM = re.compile(rf"{_BNAME}{{0,12}}?{BUILDING_KW}(?:[\s\u3000]?[ァ-ヶー一-龯々ぁ-ん]{{1,8}})?{_PLACE_GAP}の{_PLACE_GAP}"
                      rf"{_RD}(?:[\s\u3000]?{_RD}){{2,3}}(?![0-9０-９万千円年月日時分階人回歳才か世件戸台])")
_BLOCK_ROOM = re.compile(rf"(?:{_NUMK}|{_KANA_NUM}{_S}ごう|(?<![A-Za-z])[A-ZＡ-Ｚ]|エー|ビー|シー|ディー){_S}(?:号{_S})?(?:棟|とう){_PLACE_GAP}(?:の{_PLACE_GAP})?(?:{_ROOM}|{_NUMK}{_S}号室?)")
_ROOM_ANSWER = re.compile(rf"(?<![0-9０-９])[0-9０-９一二三四五六七八九〇]{{2,4}}{_S}号室")
# (also after a correction: 「あ ちゃうちゃう 3 の 21 です」)
_LOT_ALONE = re.compile(rf"^(?:{_FILLERS}|[\s\u3000、,…]|あっ?|ちゃうちゃう|ちゃう|ちがう|違う|違います|いや|いえ)*"
                        r"(?:[^。？?0-9０-９]{0,16}?番地[\s\u3000]*(?:は|が|だけ)?[\s\u3000]*(?:です|で)?[\s\u3000、,…]*)?"  # 「番地だけです、7の15です」
                        rf"(?P<lot>{_LOT}|{_KANA_LOT}|{_MIXED_LOT})")
# a lot number said again before the building (「すんません 21 の コーポ みやまえ の 2 階」)
_ROOM_NUMBER_SAID = re.compile(rf"部屋[\s\u3000]*(?:の[\s\u3000]*)?番号[^。？?]{{0,12}}?(?P<r>{_ROOM}|{_KANA_DIGIT}(?:[\s\u3000]?{_KANA_DIGIT}){{1,3}})"
                               rf"(?:{_S}号室?)?(?=[\s\u3000]*(?:です|。|$))")
_ROOM_ALONE = re.compile(rf"^(?:{_FILLERS}|[\s\u3000、,])*(?P<r>(?:{_ROOM}(?:{_S}号室?)?(?:[\s\u3000、,…]|{_FILLERS})*{_CORRECTION}[\s\u3000、,…]*)?"
                         rf"{_ROOM}(?:{_S}号室?)?)(?=[\s\u3000]*(?:です|。|$))")  # 「201…じゃない、202です」
_ROOM_Q = re.compile(r"(?:部屋|号室|何号)(?:番号)?(?:[はを][^。？?]{0,12}(?:か|[？?])|[はも]|何号室?(?:です)?か)[\s\u3000。？?]*$")  # asked last
_NUMBER_BUILDING = re.compile(rf"(?<![0-9０-９]){_NUMK}{_PLACE_GAP}の{_PLACE_GAP}(?={_BUILDING})")
_BLOCK_NO = rf"(?:{_NUMK}|[A-ZＡ-Ｚ]|エー|ビー|シー|ディー){_S}(?:号{_S})?棟"  # 「7号棟」「C棟」
_BLOCK_FIRST = re.compile(rf"{_S}{_BLOCK_NO}")
# the building before a block and its room (「ひばり台団地の……えっと、C棟の、507」「ハイツみどり、の、B棟の」)
_BUILDING_BEFORE_BLOCK = re.compile(rf"(?:{_BNAME}{{0,12}}?{BUILDING_KW}{_BNAME}{{0,8}}?|{BUILDING_KW}[ァ-ヶー一-龯々ぁ-ん]{{1,8}})"
                                    rf"{_PLACE_GAP}(?:の{_PLACE_GAP})?$")
# a named estate and its block where someone lives (「みどり野団地の4号棟に住んで」), without the room
_NAMED_BLOCK = re.compile(rf"(?<![ァ-ヶー一-龯々ぁ-ん])(?!市営|県営|都営|町営|府営|村営|公営|古い|近く|隣の|そこの)[ァ-ヶー一-龯々ぁ-ん]{{2,10}}?{BUILDING_KW}"
                          rf"{_PLACE_GAP}(?:の{_PLACE_GAP})?{_BLOCK_NO}")
_HOME_TALK = re.compile(r"住ん|住所|住まい|家は|実家|暮らし|自宅|お宅")
# a home described by a landmark: after the town (「上野町の あの 郵便局の 裏の 家」), or after a landmark with a
# place name of its own (「原田小学校の裏の、赤い屋根の平屋」)
_LANDMARK_PIECE = rf"(?:{_PLACE_GAP}の{_PLACE_GAP}(?:あの|その)?{_PLACE_GAP}[^。、,\s]{{1,12}}?)"
_LANDMARK_HOME = re.compile(rf"(?:(?![0-9０-９一二三四五六七八九十]+(?:町|丁目))[一-龯々ヶァ-ヶーぁ-ん]{{1,8}}?(?:町|丁目){_LANDMARK_PIECE}{{1,3}}|"
                            rf"[一-龯々ヶァ-ヶー]{{1,8}}?(?:小学校|中学校|高校|公園|神社|寺|駅|病院|郵便局|交番|公民館|市場|商店街|沿い){_LANDMARK_PIECE}{{0,2}})"
                            r"の[\s\u3000、,]*(?:裏|隣|向かい|前|横|そば|近く|角|二軒隣|並び)"
                            r"(?:の[\s\u3000、,]*(?:[^。、,\s]{1,10}?の[\s\u3000]*)?(?:家|うち|アパート|平屋|一軒家|マンション)"
                            r"|(?=[\s\u3000]*(?:に|で)[\s\u3000]*(?:住|すん|暮ら|一人|ひとり)))")  # 「…郵便局のそばに住んでいます」
_HOME_TOWN = re.compile(rf"(?:住所|じゅうしょ|お住まい|住まい|家|実家)[\s\u3000]*(?:は|が)(?:[\s\u3000、,…]|{_FILLERS})*"
                        r"(?P<t>(?![はがをにでともへやの])[一-龯々ヶァ-ヶーぁ-ん]{1,8}?(?:町|丁目|台|丘|団地|ニュータウン))(?=の|[\s\u3000、。…]|です|$)")
# the 大字 said after the rest of a rural address (「字 中原 の 三百 番地 大字は 高森です」)
_AZA_AFTER = re.compile(r"(?:大字|おおあざ)[\s\u3000]*(?:は|が)?[\s\u3000、,]*[一-龯々ァ-ヶーぁ-ん]{1,8}?(?=[\s\u3000]*(?:です|だ|や|じゃ|。|、|$))")
_ADDRESS_Q = re.compile(r"住所|お住まい|どちらに住|番地|部屋番号|何丁目|何[\s\u3000]丁目")
_WHOSE_HOME = re.compile(r"(?:母|父|姉|兄|妹|弟|娘|息子|祖母|祖父|夫|妻|主人|義母|義父|家|実家|住まい|住所|うち|私|わたし)"
                         r"[\s\u3000]*(?:は|が)[\s\u3000、,]*")
_ERA = r"(?:明治|大正|昭和|平成|令和|めいじ|たいしょう|しょうわ|へいせい|れいわ)"
# pauses, commas, fillers and の between the parts (「しょうわ、にじゅうはちねん、いちがつ なのか」)
_KS = rf"(?:[\s\u3000、,…の]|{_FILLERS})*"
_KANA_DATE = re.compile(rf"(?:{_ERA}{_KS}(?:{_KANA_NUM}よ?|よ|がん)|(?:せん(?:きゅうひゃく|はっぴゃく)|にせん){_KANA_NUM}?){_S}ねん(?:{_KS}{_KANA_NUM}{_S}がつ"
                        rf"(?:{_KS}(?:(?:じゅう|にじゅう)?(?:よっか|ようか)|{_KANA_NUM}{_S}にち|ついたち|ふつか|みっか|いつか|むいか|なのか|ここのか|とおか|はつか))?)?")
_BIRTH_Q = re.compile(r"生年[\s\u3000]*月日|誕生日|生まれ|何年生")
_AGE_Q = re.compile(r"お歳|お年(?!寄|玉)|おとし(?!より|だま)|年齢|おいくつ|何歳|なんさい")
_AGE_TALK = re.compile(r"[0-9０-９一二三四五六七八九十][\s\u3000]*(?:歳|才|さい|か月|ヶ月|カ月)")
# a date whose numbers and units mix digits, kanji and kana (「へいせい 10ねん えー 4がつ」「1987ねん 3がつ 8にち」
# 「昭和 にじゅう… にじゅうにねん 一月 十五日」): read in answer to a birth-date question
# (a number said in pieces: 「にじゅう3」「二十 二」「じゅう しち」「二、十」 once commas are read as spaces)
_NUM_ANY = rf"(?:{_NUMK}|{_KANA_NUM})(?:[\s\u3000、,]*(?:{_NUMK}|{_KANA_NUM})){{0,2}}"  # 「二十、八日」: a pause inside
_KANA_DAY = r"(?:ついたち|ふつか|(?:じゅう|にじゅう|さんじゅう)?(?:みっか|よっか|いつか|むいか|なのか|ようか|ここのか)|とおか|はつか)"
_MIXED_DATE = re.compile(
    rf"(?:{_ERA}{_KS}(?:{_NUM_ANY}(?:[\s\u3000、,…]|{_CORRECTION})+)?|(?<![0-9０-９])(?=[12１２][0-9０-９]{{3}})|(?<![ぁ-ん])(?=にせん|せんきゅうひゃく)|(?<![一-龯々〇])(?=[一二][〇一二三四五六七八九]{{3}}[\s\u3000]?年)|(?=千[\s\u3000]*九百|二千))(?:[一二][〇一二三四五六七八九]{{3}}|(?:千[\s\u3000]*九百|二千)[\s\u3000]*(?:{_NUM_ANY})?|{_NUM_ANY}(?:[\s\u3000]?よ(?=ねん))?|元|がん){_S}(?:年|ねん)"
    rf"(?:{_KS}{_NUM_ANY}{_S}(?:月|がつ)(?:{_KS}(?:{_NUM_ANY}{_S}(?:日|にち)|{_KANA_DAY}))?)?")
# the rest of a date of birth said by the next speaker or breath (「4月 29日 ですね」)
_MD_HEAD = re.compile(rf"^(?:{_FILLERS}|[\s\u3000、,…の])*(?:{_NUM_ANY}{_S}(?:月|がつ){_KS})?{_NUM_ANY}{_S}(?:日|にち)")
# a year said alone at the end of a turn (「1973年の」), the month and day following in the next
_YEAR_ENDING_TURN = re.compile(rf"(?:{_ERA}{_S}[、,]?{_S}{_NUMK}|(?:19|20)[0-9]{{2}}|[１２][０-９]{{3}}){_S}年(?:[\s\u3000、,の…]|{_FILLERS})*$")
_DATE_GAP = rf"(?:[\s\u3000、,…。]|の|(?<=[\s\u3000])や(?=[\s\u3000])|{_PAUSE}|{_FILLERS}|たしか|確か|暮れ|くれ|年末|はじめ|初め|終わり|おわり|(?<=[\s\u3000の])(?:ね|な|さ)(?=[\s\u3000、,]))*"  # 「昭和14年の。 えー 11月の」: a date said with a pause
_MD_TAIL = re.compile(rf"^{_DATE_GAP}{_NUM_ANY}{_S}(?:月|がつ)(?:{_GAP}{_NUM_ANY}{_S}(?:日|にち))?")
# the day after a pause (「5月、ええと、5日」), also with the month said again or corrected (「10月……あ、違う、11月の5日」),
# the day begun again or misread and corrected (「六月の、十…十三日」「はづか、あ、20日」)
_DAY_TAIL = re.compile(rf"^{_GAP_C}(?:たしか|確か)?{_GAP}(?:{_NUM_ANY}{_S}(?:月|がつ)(?:だ|や)?[！!]?{_GAP}){{0,2}}"
                       rf"(?:{_NUM_ANY}(?:…+|\.{{2,}}|[、,])[\s\u3000]*"
                       rf"|[ぁ-ん]{{2,4}}[、,\s\u3000]*(?:あっ?|いや|{_CORRECTION})[、,\s\u3000]*)?"
                       rf"(?:{_NUM_ANY}{_S}(?:日|にち)|{_KANA_DAY}|{_NUMK}(?=[\s\u3000]*(?:です|。|$)))")  # 「1月の、19。」
_READING_CUT = re.compile(r"[\s\u3000、,]*[ぁ-んァ-ヶー]{1,4}(?:…+|\.{2,})[\s\u3000]*")
_CUT_NAME_END = re.compile(r"^[\s\u3000]+[子江美代枝恵](?=[\s\u3000、。,]|です|$)")
_GIVEN_TAIL = re.compile(r"^(?P<gap>[\s\u3000・、,]+)(?P<g>[ァ-ヶー]{2,6}|[ァ-ヶー]{1,4}[子江美代枝恵])(?=です|と申し|っていい|といい|さん|[。、\s]|$)")
# 「さいとう みなこ」: a hiragana word after a masked surname, when the dictionary allows a name there
# 「高橋、高橋、えー、勝利です」: the given name after the surname and a pause, in a name answer
_GIVEN_AFTER_PAUSE = re.compile(rf"^(?:で(?=[、,]))?(?:[、,\s\u3000]|{_FILLERS})+(?P<g>[一-龯々]{{1,3}}|[ァ-ヶー]{{2,6}}|[ぁ-ん]{{2,5}}?)"
                                r"(?=[\s\u3000]*(?:です|と申し|ともうし|っていい|といい|[。]|$))")  # 「■■で、かける。」
_VERB_END = r"(?:ます|です|もん|した|ない)$"
_VERB_LIKE = re.compile(rf"^(?:と|って)?(?:いい|いう|ゆう|ゆいま|もうし|いわ)|{_VERB_END}")
_COUNT_LEAD = re.compile(r"[一二三四五六七八九十何]")  # 「一人」「何人」: a count, not a name
_GIVEN_TAIL_HIRA = re.compile(r"^[\s\u3000・、,]+(?P<g>[ぁ-ん]{2,5})(?=です|と申し|ともうし|っていい|といい|さん|[。、\s]|$)")
# 「大西 凛も一緒に」: a kanji given name after a masked surname and a pause, before a particle
_GIVEN_TAIL_KANJI = re.compile(r"^[\s\u3000、,]+(?P<g>[一-龯々]{1,3})(?=[もはがとを]|です|で(?=[、,。\s]|$)|じゃ|や[。、\s]|だ[。、\s]|さん|ちゃん|くん|[。、\s]|$)")
# 「中西ふみ江いいます」: a given name in kana or kanji right after the surname, before a naming verb
_GIVEN_BEFORE_VERB = re.compile(r"^(?P<g>(?!さん|さま|様|ちゃん|くん|君|の|は|が|と|も|で|っ)[ぁ-んァ-ヶー一-龯々]{1,5}?)"
                                r"(?=(?:と|って|て)?(?:申します|いいます|言います|ゆいます)|です(?:[。、\s]|$))")


@dataclass
class _Turn:
    seg: Segment
    asked: str  # the staff turn this one answers ("" for staff turns)


def _turns(segments: Sequence[Segment]) -> list[_Turn]:
    out, last, said = [], "", ""
    for s in segments:
        if s.speaker == "staff":
            if not _passes(s.text, said):  # 「はい」 between two breaths: the question still stands
                last = s.text
            out.append(_Turn(s, ""))
        else:
            said = s.text
            out.append(_Turn(s, last))
    return out


def _digits(text: str) -> int:
    """Digits of a run as finally said: the group before a self-correction is replaced by the one after
    it, or the whole number when it is started over (「090 の 4 4 ... ちがう 090 の 4 7…」); digits said
    again after a pause count once (「080の3 3 ... 3 3 9 1の…」)."""
    parts = re.split(_CORRECTION, text)
    total = len(re.findall(_DIGIT, parts[-1])) - _restarted(parts[-1])
    for k, part in enumerate(parts[:-1]):
        if _starts_over(_digit_string(part), _digit_string("".join(parts[k + 1:]))):
            continue  # the number said again from its start
        # the group a correction replaces: digits read one by one with spaces (「4 1 0 3」) are one group
        groups = re.findall(rf"{_DIGIT}+", re.sub(r"(?<=[0-9０-９])[\s\u3000](?=[0-9０-９])", "", part))
        total += sum(len(re.findall(_DIGIT, g)) for g in groups[:-1]) - _restarted(part)
    return total


def _starts_over(before: str, after: str) -> bool:
    """Whether the digits ``after`` a pause or a correction begin the number ``before`` it again."""
    if len(before) >= 2 and after.startswith(before[:3]):
        return True
    # 「0456、…えーと、0465-32-7781」: an area code begun wrongly and said again in full
    return 2 <= len(before) <= 5 and before[0] == after[:1] == "0" and len(after) >= 9


def _restarted(text: str) -> int:
    """How many digits before a pause the speaker says again after it: the whole beginning (the number
    started over) or the end of what came before (the last group repeated)."""
    pieces = [d for p in re.split(rf"{_PAUSE}|…+", text) if (d := _digit_string(p))]
    said = 0
    for before, after in zip(pieces, pieces[1:], strict=False):
        if _starts_over(before, after) and len(after) > len(before):
            said += len(before)
        else:
            said += next((k for k in range(min(len(before), len(after)), 1, -1) if before.endswith(after[:k])), 0)
    return said


def _number_type(run: str, context: str) -> str | None:
    n = _digits(run)
    first = re.match(_DIGIT, run)
    zero = bool(first and first.group() in ("0", "０", "〇", "零", "ゼロ", "ぜろ", "レイ", "れい", "マル", "まる"))
    if _MYNUMBER.search(context) and n >= 10:
        return "mynumber"
    if _PHONE.search(context) and zero and 9 <= n <= 11:
        return "phone"
    if _ACCOUNT.search(context) and n >= 5:
        return "account"
    if _INSURANCE.search(context) and (n >= 4 or (n >= 2 and _AFTER_NUMBER_WORD.search(context))):
        return "insurance_id"  # the 番号 of a 記号・番号 pair may be two or three digits
    if zero and 10 <= n <= 11:
        return "phone"
    return "id" if n >= 7 and _NUMBER_Q.search(context) else None


# a card's or a certificate's number: 第 (or だい) before it, 号 (not 号室) after it
# 「第、えー、3902117号」「第C-30582号」
_CARD_LEAD = re.compile(rf"(?:第|だい)(?:[\s\u3000、,…]|{_FILLERS})*(?:[A-ZＡ-Ｚ][\s\u3000]*(?:[-‐−－ー]|の)?[\s\u3000]*)?$")  # 「第 B の 3 0 7 2 1 号」
_CARD_TAIL = re.compile(r"[\s\u3000]*号(?!室)")


def _card_number(text: str, s: int, e: int) -> bool:
    """「第20417号」「番号が 3 2 0 1 号」: a number between 第 (or its card word) and 号 is a card's or a
    certificate's number, not a count."""
    if not _CARD_TAIL.match(text, e):
        return False
    return _CARD_LEAD.search(text[:s]) is not None or re.search(r"(?:番号|記号)[\s\u3000]*[はがも]?[\s\u3000、,]*$", text[:s]) is not None


def _overlaps(ents: Sequence[Any], sid: int, s: int, e: int) -> list[Any]:
    return [x for x in ents if x.segment_id == sid and x.start < e and s < x.end]


def _add(ents: list[Any], new: Any) -> None:
    """Add a span; where it overlaps spans already found, widen the first of them to the union
    (the texts are refreshed from the segment at the end)."""
    hit = _overlaps(ents, new.segment_id or 0, new.start, new.end)
    if not hit:
        ents.append(new)
        return
    keep = hit[0]
    if keep.type == "id" and new.type != "id":  # the context says what the number is
        keep.type, keep.rule = new.type, new.rule
    elif keep.type in _NUMBER_KINDS and new.type in _NUMBER_KINDS and new.type != "id" and new.start <= keep.start \
            and keep.end <= new.end:
        # the per-turn rule saw part of the number (〇一 二二八三 九〇一六 read as a phone number);
        # the whole run and the question it answers say what it is
        keep.type, keep.rule = new.type, new.rule
    elif keep.type == "name" and new.type == "address" and new.end > keep.end and re.search(r"[0-9０-９]", str(new.text)):
        keep.type, keep.rule = new.type, new.rule  # 「十条 仲原 1の22の4」: the place read as a name, then its lot
    elif keep.type == "name" and new.type in (*_NUMBER_KINDS, "address", "birthdate") and new.start <= keep.start and keep.end <= new.end:
        # 「いちに」 read as a name inside a spoken number, 「本郷」 as a surname before a lot number, 「じゅう|さん」
        # as a name and its honorific inside a date said in kana
        keep.type, keep.rule = new.type, new.rule
    elif keep.type != new.type:
        return  # one span cannot be two kinds of data: the per-turn rule stands
    keep.group = keep.group or new.group
    if keep.start <= new.start and keep.end >= new.end:
        return
    keep.start, keep.end = min(keep.start, new.start), max(keep.end, new.end)
    for extra in hit[1:]:
        if extra.start >= keep.start and extra.end <= keep.end:
            ents.remove(extra)


@dataclass
class _Span:
    text: str
    s: int
    e: int

    def group(self) -> str:
        return self.text

    def start(self) -> int:
        return self.s

    def end(self) -> int:
        return self.e


def _trimmed(m: re.Match[str]) -> _Span | None:
    """The run without ambiguous kana words at its edges (None when no digit is left)."""
    s, e, text = m.start(), m.end(), m.group()
    changed = True
    while changed and text:
        changed = False
        lead = _AMBIGUOUS_LEAD.match(text)
        if lead and _CARD_LEAD.search(m.string[:s]) and _CARD_TAIL.match(m.string, e):
            lead = None  # 「第 さん まる ご … 号」: between 第 and 号 every word is a digit
        if lead and lead.end() < len(text):
            s, text, changed = s + lead.end(), text[lead.end():], True
        tail = _AMBIGUOUS_TAIL.search(text)
        if tail and tail.start() > 0 and not _kana_digit_ending(text, tail.start() + len(tail.group()) - len(
                tail.group().lstrip(" \u3000、,の")), m.string, e):
            e, text, changed = e - (len(text) - tail.start()), text[:tail.start()], True
    return _Span(text, s, e) if re.search(_DIGIT, text) else None


def _kana_digit_ending(run: str, k: int, whole: str, end: int) -> bool:
    """「ななななにーご です」: a ご/に said straight after another spoken digit, at the end of the word,
    is the last digit (a particle would be followed by the word it marks: 「…なな に 電話」)."""
    if k == 0 or not re.search(rf"{_KANA_DIGIT}{_EDGE_GAP}$", run[:k]):
        return False
    if run[k:] in ("さん", "まる"):  # 「いち さん」 at the end of a run of spoken digits: a 3, not an honorific
        if len(re.findall(_KANA_DIGIT, run[:k])) < 2:
            return False
    elif run[k:] not in ("に", "ご"):
        return False
    return end >= len(whole) or whole[end] in " \u3000、。,.!！?？…"


_BACKCHANNEL = re.compile(r"^[\s\u3000、。…]*(?:はい|ええ|うん|はいはい|どうぞ|続けて|それから)[\s\u3000、。…はいどうぞ]*$")
_ECHO_EDGES = re.compile(r"^[\s\u3000、。…]*(?:はい|ええ|うん)?[\s\u3000、。…]*|[\s\u3000、。…]*(?:ですね|ですか|ね)?[\s\u3000、。…？?]*"
                         r"(?:はい)?[\s\u3000、。…]*$")


def _passes(text: str, said: str) -> bool:
    """A turn that lets the other speaker's answer go on: a back-channel (「はい」) or an echo of what
    was just said (「はい、090の3355の。」, 「昭和三十七年、はい」) while the rest is still to come."""
    if _BACKCHANNEL.match(text):
        return True
    core = _ECHO_EDGES.sub("", text)
    if not core or len(core) > 24:
        return False
    if _flat(core) in _flat(said):
        return True
    return bool(re.fullmatch(rf"{_DIGIT}+(?:{_GAP}{_DIGIT}+)*{_GAP}", core))


def _prev_own_turn(turns: Sequence[_Turn], i: int) -> _Turn | None:
    """The speaker's turn before ``i``, when nothing but a back-channel (「はい」) came between."""
    j = i - 1
    if j >= 1 and turns[j].seg.speaker != turns[i].seg.speaker and _passes(turns[j].seg.text, turns[j - 1].seg.text):
        j -= 1
    if j >= 0 and turns[j].seg.speaker == turns[i].seg.speaker:
        return turns[j]
    return None


def _next_own_turn(turns: Sequence[_Turn], i: int) -> _Turn | None:
    """The speaker's next turn, when nothing but a back-channel (「はい」) came between: a number
    said in two breaths goes on after the staff member's 「はい」."""
    j = i + 1
    if j < len(turns) and turns[j].seg.speaker != turns[i].seg.speaker and _passes(turns[j].seg.text, turns[i].seg.text):
        j += 1
    if j < len(turns) and turns[j].seg.speaker == turns[i].seg.speaker:
        return turns[j]
    return None


def _continuations(turns: Sequence[_Turn], i: int, text: str, end: int) -> list[tuple[_Turn, re.Match[str]]]:
    """The digit runs that carry a number on into the speaker's next turns (at most three breaths:
    「ろくななはちきゅう」「ぜろいちにーさん」「よんごーろくなな」), each turn ending in a pause."""
    out: list[tuple[_Turn, re.Match[str]]] = []
    idx = i
    while len(out) < 3 and re.fullmatch(rf"{_GAP}[。.]?", text[end:]):
        nxt = _next_own_turn(turns, idx)
        m = re.match(rf"^(?:{_FILLERS}|[\s\u3000、,…の])*({_DIGIT}+(?:{_GAP_C}{_DIGIT}+)*)", nxt.seg.text) if nxt else None
        if nxt is None or m is None:
            break
        out.append((nxt, m))
        idx, text, end = turns.index(nxt), nxt.seg.text, m.end(1)
    return out


# a number the staff member reads off a card the citizen shows, ending in a check (「…ですね」「…で合ってますか」)
_READ_BACK_END = re.compile(r"^[\s\u3000、,]*(?:です(?:ね|よね)|ね|で(?:合って|あって|よろし|間違い|まちがい))")


def _read_off_card(asked: str, text: str, m: Any) -> bool:
    """「はい、なな ぜろ さん いち の …ですね」: seven or more digits the staff member checks aloud, a few
    turns after asking for a card's or an account's number (the office's own numbers are told, not checked)."""
    if _digits(m.group()) < 7 or not _READ_BACK_END.match(text[m.end():]):
        return False
    if re.fullmatch(r"0[0-9]{9,10}", _digit_string(m.group())):
        return False  # a telephone number the staff member checks is one read off a notice: an office's
    return _NUMBER_Q.search(asked + text[:m.start()]) is not None


def _staff_context(turns: Sequence[_Turn], i: int) -> str:
    """What the staff member asked in the three turns before ``i`` (a staff turn has no ``asked``)."""
    return "".join(t.seg.text for t in turns[max(0, i - 3):i] if t.seg.speaker == "staff")


def _numbers(turns: Sequence[_Turn], ents: list[Any], make: Callable[..., Any]) -> None:
    """Digit runs broken by fillers or carried into the next turns; in the staff's turns, only a card's
    number read aloud after its keyword or checked aloud after asking for it (the staff's own phone
    numbers are the office's)."""
    for i, t in enumerate(turns):
        text = t.seg.text
        staff = t.seg.speaker == "staff"
        asked = _staff_context(turns, i) if staff else t.asked  # what the number answers, once per turn
        for m0 in _RUN.finditer(text):
            m = _trimmed(m0)
            if m is None or (staff and not _CARD_WORD_BEFORE.search(text[:m.start()]) and not _card_number(text, m.start(), m.end())
                             and not _read_off_card(asked, text, m)) or (staff and office_number(text, m.start())):
                continue  # (「窓口の番号を読みますね…」: the office's number is public)
            run, end = m.group(), m.end()
            conts = [] if staff else _continuations(turns, i, text, end)
            whole = run + "".join(c.group(1) for _t, c in conts)
            last_text, last_end = (conts[-1][0].seg.text, conts[-1][1].end(1)) if conts else (text, end)
            card = _card_number(text, m.start(), end)
            if not card and (_UNIT_AFTER.match(text[end:end + 4]) or _UNIT_AFTER.match(last_text[last_end:last_end + 4])):
                continue
            if OFFICE_DIAL.match(re.sub(r"[^0-9０-９]", "", whole)):
                continue  # 0120/0570/0800: an office's free dial, not the citizen's number
            context = asked + text[:m.start()]
            kind = _number_type(whole, context)
            if kind is None and card and _digits(whole) >= 4 and _NUMBER_Q.search(context):
                kind = "insurance_id"  # 「番号が第8826号」: a card's number
            if kind is None or (_digits(whole) < 7 and not _NUMBER_Q.search(context)):
                continue
            group = f"spoken:{t.seg.id}:{m.start()}" if conts else ""
            lead = _CARD_LEAD.search(text[:m.start()]) if card else None
            start, end = ((lead.start() if lead else m.start()), text.index("号", end) + 1) if card else (m.start(), end)
            _add(ents, make(kind, start, end, text[start:end], segment_id=t.seg.id, rule=f"{kind}:spoken", group=group))
            for nt, c in conts:
                _add(ents, make(kind, c.start(1), c.end(1), c.group(1), segment_id=nt.seg.id,
                                rule=f"{kind}:spoken-continued", group=group))


# a short 記号 or 番号 said as a number word (「記号が じゅうに」「番号は二百十五」), not digit by digit
_WORD_NUMBER = re.compile(rf"(?:記号|番号)(?:は|が|も)?[\s\u3000、,]*(?P<n>{_KANA_NUM}|[一二三四五六七八九十百〇]+)"
                          r"(?=[\s\u3000、。]*(?:です|番(?!地)|$))")


def _number_words(turns: Sequence[_Turn], ents: list[Any], make: Callable[..., Any]) -> None:
    """The 記号・番号 of an insurance card read as a number word in a turn about the card."""
    for t in turns:
        if not _INSURANCE.search(t.asked + t.seg.text):
            continue
        for m in _WORD_NUMBER.finditer(t.seg.text):
            if not _overlaps(ents, t.seg.id, m.start("n"), m.end("n")):
                ents.append(make("insurance_id", m.start("n"), m.end("n"), m.group("n"), segment_id=t.seg.id,
                                 rule="insurance_id:word"))


_CARD_WORD_BEFORE = re.compile(r"(?:記号|番号|被保険者番号|基礎年金番号|口座番号|マイナンバー|個人番号|普通[\s\u3000]*預金|当座[\s\u3000]*預金)[\s\u3000]*[はがもの]?[\s\u3000、,]*"
                               r"(?:(?:ですね|ですか|ね)[\s\u3000、,]*)?"  # 「基礎年金番号ですね、2134の…」: the staff reading it back
                               r"(?:[をもは]?[\s\u3000]*(?:読み(?:上げ)?ます|書きます|控えます|確認します|言います)(?:ね)?[\s\u3000、,]*)?"  # 「番号 を 読みますね」
                               r"(?:[0-9０-９〇一二三四五六七八九\s\u3000、の\-]{0,12}(?:番号|記号)[\s\u3000]*[はがもの]?[\s\u3000、,]*)?(?:第[\s\u3000]*)?$")


# the bank, branch and kind of account said before the number (「しもつけ銀行の東原支店、普通預金で」)
_BANK_BEFORE = re.compile(r"(?:[一-龯々ァ-ヶーぁ-んA-Za-zＡ-Ｚ]{1,12}?(?:銀行|信金|信用金庫|信用組合|労働金庫|労金|農協|ゆうちょ)"
                          r"|ゆうちょ|JA|ＪＡ)[^。？?]{0,40}$")


def _banks(turns: Sequence[_Turn], ents: list[Any]) -> None:
    """An account is the bank and branch as much as the number: its mask starts at the bank name."""
    for t in turns:
        for e in [x for x in ents if x.segment_id == t.seg.id and x.type == "account"]:
            m = _BANK_BEFORE.search(t.seg.text[:e.start])
            if m and not _overlaps(ents, t.seg.id, m.start(), e.start):
                e.start = m.start()


# a rural address: 大字 and 字 with the lot (「大字久保田字東の312番地」)
# (ASR text puts spaces between the words and the digits: 「大字 金沢の 字 中島 の 58番地」「字 古謝 の 5 4 3 番地」)
_AZA_NUM = (rf"(?:[0-9](?:[\s\u3000][0-9]){{1,4}}(?![0-9])|{_NUMK}"
            rf"|(?:[一二三四五六七八九十百千〇]|{_KANA_NUM})(?:{_S}(?:[一二三四五六七八九十百千〇]|{_KANA_NUM}))*)")
_AZA = re.compile(rf"(?:(?:(?:大字|おおあざ)(?:{_S}は(?=[\s\u3000、,]))?{_PLACE_GAP}[一-龯々ァ-ヶーぁ-ん]{{1,8}}?(?:[\s\u3000][ぁ-ん]{{1,2}}(?=[\s\u3000]))?(?:{_S}の)?"
                  rf"(?:{_PLACE_GAP}字{_PLACE_GAP}[一-龯々ァ-ヶーノぁ-ん](?:[\s\u3000]?[一-龯々ァ-ヶーノぁ-ん]){{0,7}}?)?"  # 「字 川 端 の」
                  rf"|(?<![一-龯々ぁ-ん])字{_S}[一-龯々ァ-ヶーノぁ-ん]{{1,8}}?){_PLACE_GAP}(?:の{_PLACE_GAP})?"
                  rf"(?:{_AZA_NUM}{_S}(?:番地|番|ばんち|ばん)(?:{_S}の?{_S}{_NUMK}(?:{_S}号)?)?|{_LOT}"
                  rf"|{_AZA_NUM}(?:{_S}の{_S}{_AZA_NUM}){{1,2}}|{_AZA_NUM}(?=[\s\u3000]*(?:です|ですね|。|$))))")  # 「大字 大塚 の 千二百三十四 の 一」


# a Kyoto address: the street, the crossing and the direction (「上京区今出川通千本東入ル般舟院前町138番地」)
_KYOTO_TURN = (rf"(?:(?:東|西){_S}入{_S}(?:ル|る)|(?:上|下){_S}(?:ル|る)|を?{_S}(?:東|西){_S}(?:へ|に)?{_S}入った"
               rf"|を?{_S}(?:上|下)がった)")
_KYOTO = re.compile(rf"(?:[一-龯々]{{1,4}}区{_S}(?:の{_S})?)?[一-龯々](?:{_S}[一-龯々]){{0,5}}?{_S}通(?:り)?{_PLACE_GAP}(?:の{_PLACE_GAP})?"
                    rf"[一-龯々](?:[\s\u3000]?[一-龯々]){{0,5}}?{_S}(?:{_KYOTO_TURN}[\s\u3000、,]*){{1,2}}"
                    rf"(?:{_PLACE_GAP}[一-龯々ヶ](?:[\s\u3000]?[一-龯々ヶ]){{0,7}}?{_S}町"
                    rf"(?:{_PLACE_GAP}(?:の{_PLACE_GAP})?{_AZA_NUM}{_S}(?:番地?)?(?:{_S}の?{_S}{_NUMK})?)?)?")


def _addresses(turns: Sequence[_Turn], ents: list[Any], make: Callable[..., Any]) -> None:
    for i, t in enumerate(turns):
        text = t.seg.text
        if t.seg.speaker == "staff" and not (_reads_back_address(turns, i, ents) or re.search(r"住所|お住まい", text)):
            for m in [*_FACILITY_ROOM.finditer(text), *_KATA_ROOM.finditer(text)]:  # 「ルピナスの二〇三号室ですね」
                _add(ents, make("address", m.start(), m.end(), m.group(), segment_id=t.seg.id, rule="address:spoken"))
            _widen_addresses(text, ents, t.seg.id)  # an address the staff reads from a card, found per turn
            continue
        spans: list[tuple[int, int]] = [(m.start(), m.end()) for r in (_AZA, _KYOTO, _FACILITY_ROOM, _BLOCK_ROOM, _KATA_ROOM, _KW_ROOM)
                                        for m in r.finditer(text)]
        spans += [m.span() for m in _BUILDING_FLOOR.finditer(text) if not re.fullmatch(BUILDING_KW, m.group("b"))  # not 「マンションの5階」
                  and (not re.search(r"(?:階|かい)$", m.group()) or _NAMED_BUILDING.search(m.group("b")))]
        for m in _TOWN_LOT.finditer(text):
            if _UNIT_AFTER.match(text[m.end("lot"):m.end("lot") + 4]) and not text[m.end("lot"):].lstrip().startswith("号"):
                continue
            after = _AFTER.match(text, m.end())
            spans.append((m.start("town"), after.end() if after else m.end()))
        for m in _WORD_LOT.finditer(text):
            after = _AFTER.match(text, m.end())
            three = len(re.findall(_NUMK, m.group("lot"))) >= 3
            if three or (after and after.end() > m.end() and re.search(r"[0-9０-９一二三四五六七八九〇]", text[m.end():after.end()])):
                spans.append((m.start("town"), after.end() if after else m.end()))
        for m in _CHOME.finditer(text):  # 「桜台 3丁目の えー 12の 5」: the 丁目 and its lot, the town found from them
            if (lot := _LOT_AFTER_CHOME.match(text[m.end():]) or _SIDE_LOT_AFTER_CHOME.match(text[m.end():])) and not _UNIT_AFTER.match(text[m.end() + lot.end():][:4]):
                spans.append((m.start(), m.end() + lot.end()))
            elif (b := _AFTER.match(text, m.end())) and re.search(rf"{BUILDING_KW}.*[0-9０-９]", text[m.end():b.end()]):
                spans.append((m.start(), b.end()))  # 「栄町の、4丁目の、ハイツ栄の101」: a building and its room, no lot
            elif _named_town_before(text, m.start()) and not _UNIT_AFTER.match(text[m.end():m.end() + 4]):
                spans.append((m.start(), m.end()))  # 「あさひ町の、3丁目の、角の…」: a town and its chome, the lot unsaid
        for m in _KANA_CHOME.finditer(text):
            s = m.start()
            while s > 0 and re.match(r"[一-龯々ヶァ-ヶーぁ-ん]", text[s - 1]) and text[s - 1] not in "はがをでにと" and m.start() - s < 10:
                s -= 1
            spans.append((s, m.end()))
        prev_addr = any(x.segment_id == turns[k].seg.id and x.type == "address" for k in range(max(0, i - 2), i)
                        if turns[k].seg.speaker == t.seg.speaker for x in ents)
        home_asked = prev_addr or _ADDRESS_Q.search(t.asked) is not None  # an address asked for or just given
        if home_asked:
            m = _LOT_ALONE.match(text)
            if m and not _UNIT_AFTER.match(text[m.end("lot"):m.end("lot") + 4]):
                after = _AFTER.match(text, m.end("lot"))
                spans.append((m.start("lot"), after.end() if after else m.end("lot")))
                prev = _prev_own_turn(turns, i)
                if prev is not None and not prev_addr:
                    _town_in_turn_before(prev, t, ents, make)
            if (k := _ROOM_NUMBER_SAID.search(text)) and not _overlaps(ents, t.seg.id, *k.span("r")):
                spans.append(k.span("r"))  # 「部屋 番号 も いる でしょ いちまるいち」
        if _ROOM_Q.search(t.asked) and (r := _ROOM_ALONE.match(text)):
            spans.append(r.span("r"))  # 「お部屋番号は」「201…じゃない、202です」
        for k in _FLOOR_ROOM.finditer(text):  # 「…の902です。9階の2号室です」「一階 の 一号 室 の 山田 さん」: a home's room
            spans.append(k.span("r"))
        if home_asked or spans:  # (or an address already found in this turn: its building and room follow)
            for k in _FLOOR_THEN_ROOM.finditer(text):
                spans.append(k.span())  # 「…ロイヤル山下。6階の、604。」
            for k in _ROOM_WORD_LETTER.finditer(text):
                spans.append(k.span("r"))  # 「部屋が、C-12です」
            if (r := _ROOM_ALONE.match(text)) and (prev := _prev_own_turn(turns, i)) is not None and any(
                    x.segment_id == prev.seg.id and x.type == "address" and not prev.seg.text[x.end:].strip(" \u3000、,の…")
                    for x in ents):
                spans.append((r.start("r"), r.end("r")))  # 「…市営住宅の4号棟の」 then 「305です」
            for m in _NUMBER_BUILDING.finditer(text):
                after = _AFTER.match(text, m.end())
                if after and after.end() > m.end():
                    spans.append((m.start(), after.end()))
            # in the answer to 「ご住所は」 or after an address: a building name and its room (グランドール川西 の 705)
            for m in [*_BUILDING_ROOM.finditer(text), *_ROOM_ANSWER.finditer(text)]:
                if not _UNIT_AFTER.match(text[m.end():m.end() + 4]):
                    spans.append((m.start(), m.end()))
        if _HOME_TALK.search(text) or _HOME_TALK.search(t.asked):  # a home described by a landmark
            spans += [m.span() for m in _LANDMARK_HOME.finditer(text)]
            spans += [m.span() for m in _NAMED_BLOCK.finditer(text)]
        if home_asked or any(x.segment_id == t.seg.id and x.type == "address" for x in ents):
            spans += [m.span() for m in _AZA_AFTER.finditer(text)]  # 「…二百十三番地 大字は 小松沢」
        for m in _HOME_TOWN.finditer(text):  # 「住所は松が枝町の…えっと、何番だったかしら」: the town, even without its number
            spans.append(m.span("t"))
        for s, e in spans:
            if _BLOCK_FIRST.match(text, s, e) and (b := _BUILDING_BEFORE_BLOCK.search(text[max(0, s - 30):s])):
                s = max(0, s - 30) + b.start()
            while e > s and text[e - 1] in " \u3000、,の":
                e -= 1
            if (lead := _WHOSE_HOME.match(text, s, e)) is not None:
                s = lead.end()  # 「母は緑町の…」「家は本町の…」: whose home, not part of the address
            _add(ents, make("address", s, e, text[s:e], segment_id=t.seg.id, rule="address:spoken"))
        _widen_addresses(text, ents, t.seg.id)
        if t.seg.speaker != "staff":
            _later_lots(text, ents, make, t.seg.id)
        for x in [x for x in ents if x.segment_id == t.seg.id and x.type == "address"]:
            fix = _LOT_CORRECTED.match(text[x.end:])
            if fix and not _overlaps(ents, t.seg.id, x.end + fix.start("lot"), x.end + fix.end("lot")):
                ents.append(make("address", x.end + fix.start("lot"), x.end + fix.end("lot"), fix.group("lot"),
                                 segment_id=t.seg.id, rule="address:corrected", group=x.group))


_LATER_LOT = re.compile(rf"(?<![0-9０-９一二三四五六七八九十])(?P<lot>{_NUMK}{_S}(?:の|[-‐−－]){_S}{_NUMK}"
                        rf"(?:{_S}(?:の|[-‐−－]){_S}{_NUMK})?)(?![0-9０-９一二三四五六七八九十])"
                        rf"|(?<=の)(?P<room>{_S}{_RD}(?:[\s\u3000]?{_RD}){{2,3}}(?:{_S}号{_S}室|{_S}号)?)(?=[\s\u3000]*(?:です|で[、,]|。|、|$))")


def _later_lots(text: str, ents: list[Any], make: Callable[..., Any], sid: int) -> None:
    """A lot number said again or on its own later in a turn that gave an address (「…二丁目で、角の、18の6。
    うちが18の7なんで」) is part of the address; one said within the same sentence joins its span."""
    found = sorted((x for x in ents if x.segment_id == sid and x.type == "address"), key=lambda x: x.start)
    if not found:
        return
    for m in _LATER_LOT.finditer(text, found[0].end):  # (or a room after the building's name: 「…の 30 ライオンズ なんとか の 1102」)
        s, e = m.span("lot") if m.group("lot") else m.span("room")
        if _overlaps(ents, sid, s, e) or _UNIT_AFTER.match(text[e:e + 4]):
            continue
        last = max((x for x in ents if x.segment_id == sid and x.type == "address" and x.end <= s), key=lambda x: x.end)
        gap = text[last.end:s]
        if len(gap) <= 15 and not re.search(r"[。？?！!]", gap):
            last.end = e
        elif m.group("lot"):  # a room alone only within the sentence
            ents.append(make("address", s, e, text[s:e], segment_id=sid, rule="address:later-lot", group=last.group))


_LOT_CORRECTED = re.compile(rf"^(?:です|で)?(?:[\s\u3000、。,]|{_FILLERS}|あっ?)*{_CORRECTION}(?:です)?(?:[\s\u3000、。,]|{_FILLERS})*"
                            rf"(?P<lot>{_LOT}|{_KANA_LOT})")


_TOWN_ENDING_TURN = re.compile(r"(?P<town>[一-龯々ヶァ-ヶーぁ-ん]{1,10}?(?:町|丁目|ちょうめ|台|丘|区|市|村|団地))"
                               r"[\s\u3000、,]*(?:の|です|でして|で)?[\s\u3000、,。…]*$")


_OWNER = re.compile(r"^(?:えー|えっと|あの|はい|私|わたし|僕|ぼく|うち|住所|家)*(?:は|が|の)?")


def _town_in_turn_before(prev: _Turn, t: _Turn, ents: list[Any], make: Callable[..., Any]) -> None:
    """「みどり町の」 then 「3の5の12です」: the town that ends the same speaker's turn before a lot
    number is part of the address."""
    if prev.seg.speaker != t.seg.speaker:
        return
    m = _TOWN_ENDING_TURN.search(prev.seg.text)
    if m:
        lead = _OWNER.match(m.group("town"))
        start = m.start("town") + (lead.end() if lead else 0)
        before = _PLACE_BEFORE.search(prev.seg.text[:start])
        start = before.start() if before else start
        _add(ents, make("address", start, m.end("town"), prev.seg.text[start:m.end("town")],
                        segment_id=prev.seg.id, rule="address:spoken-town"))


_AFTER_ADDRESS_WORD = re.compile(rf"(?:住所|じゅうしょ|お住まい)[\s\u3000]*(?:は|が)(?:[\s\u3000、,]|{_FILLERS})*"
                                 r"(?P<w>[一-龯々ァ-ヶーぁ-ん]{1,8})[\s\u3000、,]+$")
# the town said before a lot that starts with a number, as its own word (ASR puts spaces between the parts:
# 「みどりまち よんちょうめ」「胡屋 の 1丁目」「こうよう だい の さんちょうめ」); a word ending in a particle,
# a filler or a word about the home (住所, 実家) is not a town
_TOWN_BEFORE = re.compile(r"(?:^|(?<=[\s\u3000、,。]))(?P<w>(?:(?:かみ|しも|なか|ひがし|にし|みなみ|きた|しん|上|下|中|東|西|南|北|新)"
                          r"[\s\u3000]+)?[一-龯々ヶノァ-ヶーぁ-ん]{1,10}?"
                          r"(?:[\s\u3000]+(?:ちょう|まち|だい|がおか|おか|台|町|丘|ケ丘|ヶ丘))?)[\s\u3000]*(?:の[\s\u3000、,…]*(?:な[\s\u3000]*)?)?"
                          rf"(?:(?:{_FILLERS}|{_PAUSE})[\s\u3000、,…]*)*$")
_NOT_TOWN = re.compile(rf"^(?:{_FILLERS}|はい|ええ|うん|住所|じゅうしょ|家|うち|実家|自宅|今|いま|前|元|先月|番地|部屋|号室|"
                       r"あの|その|この|それ|ここ|そこ)$|[はがをにでともへやねよ]$|(?:です|ます|した|けど)$")
_NUMBER_LEAD = re.compile(rf"^(?:[0-9０-９一二三四五六七八九十]|{_KANA_NUM}{_GEMINATE}?[\s\u3000]*ちょうめ|{_GEMINATE})")


_PUBLIC_BEFORE = re.compile(rf"(?:県営|市営|町営|都営|府営|村営|道営|公営)(?:{_PLACE_GAP}の)?{_PLACE_GAP}$")
_DIRECTION_BEFORE = re.compile(r"(?:^|(?<=[\s\u3000、,。]))(?:かみ|しも|なか|ひがし|にし|みなみ|きた|しん|上|下|中|東|西|南|北|新)"
                               r"[\s\u3000]+$")  # 「ひがし さくらぎ 2 の 9 の 4」: the first word of the town
_FACILITY_BEFORE = re.compile(rf"(?:^|(?<=[\s\u3000、,。はにで]))[ァ-ヶー一-龯々ぁ-ん]{{0,12}}?{BUILDING_KW}"
                              r"(?:[\s\u3000]+[ァ-ヶー一-龯々ぁ-ん]{1,8})?[\s\u3000]*(?:の[\s\u3000]*)?$")
_JO_BEFORE = re.compile(rf"(?:[東西南北]{_S}(?:の{_S})?)?{_NUMK}{_S}条[\s\u3000、,]*(?:の[\s\u3000、,]*)?(?:[東西南北]{_S}(?:の{_S})?)?$")
_JO_NUMBER_BEFORE = re.compile(rf"(?:[東西南北]{_S}(?:の{_S})?)?{_NUMK}{_S}$")
_SUFFIX_LEAD = re.compile(rf"^(?:ちょう|まち|だい|がおか|台|町|丘|ケ丘|ヶ丘|{BUILDING_KW})")
_GLUED_HEAD = re.compile(r"(?:^|(?<=[\s\u3000、,。はをでへ]))(?P<w>[ぁ-んァ-ヶー一-龯々]{1,12}?[がケヶノの]?)$")


def _glued_kanji_head(text: str, start: int) -> int:
    """An address span that starts inside a kanji word (「東|雲町の3丁目」) starts at that word."""
    j = start
    while j > 0 and start - j < 4 and re.match(r"[一-龯々ヶ]", text[j - 1]):
        j -= 1
    return j if j == 0 or re.match(r"[一-龯々ヶ]", text[j - 1]) is None else start


_TOWN_END = re.compile(r"(?:町|まち|ちょう|台|だい|丘|おか|野|原|谷|沢|川|山|田|浜|島|通り?|村|団地|森|岡|坂|橋|崎|井|里|園|寺|池|江|津|見|ヶ?浦)$")


def _named_town_before(text: str, start: int) -> bool:
    """Whether a town's name stands before the 丁目 at ``start`` (「あさひ町の、3丁目」「高森6丁目」), not a word
    such as 駅前 or 近く: a town and its chome say where someone lives even without the lot."""
    if start > 0 and re.match(r"[一-龯々ヶ]", text[start - 1]):
        return _glued_kanji_head(text, start) < start - 1 or _TOWN_END.search(text[:start]) is not None
    m = _TOWN_BEFORE.search(text[:start])
    return bool(m and m.start("w") < start and not _NOT_TOWN.search(m.group("w")) and _TOWN_END.search(m.group("w").strip()))


def _town_before(text: str, start: int, span: str) -> int:
    """Start of the town said before an address that begins with its number (「胡屋 の 1丁目」), or of the
    head of a town or building name the span starts inside of (「ふじみ 台 の 3」「つつじが丘」「みどりが丘 団地の」),
    else ``start``."""
    if span[:1] and re.match(r"[一-龯々]", span) and start > 0 and re.match(r"[一-龯々ヶ]", text[start - 1]):
        return _glued_kanji_head(text, start)
    if span[:1] and re.match(r"[一-龯々]", span) and (k := re.search(r"(?<![ァ-ヶー])[ァ-ヶー]{2,10}$", text[:start])):
        return k.start()  # 「ソレイユ東が丘 102」: a katakana building name written straight before the town
    if _SUFFIX_LEAD.match(span) and start > 0 and not re.match(r"[\s\u3000、,。]", text[start - 1]):
        g = _GLUED_HEAD.search(text[:start])  # つつじが|丘: the head of the word
        if g and not _NOT_TOWN.match(g.group("w")) and (len(g.group("w")) <= 6 or not re.match(r"ちょう|まち|だい|がおか|台|町|丘", span)):
            return g.start("w")
    if re.match(r"丁目|ちょうめ", span) and (n := re.search(rf"(?:{_NUMK}|(?<![ぁ-ん]){_KANA_NUM}{_GEMINATE}?){_S}$", text[:start])):
        start = n.start()  # 「3丁目」 taken from its 丁目: its number too
    if (p := _PUBLIC_BEFORE.search(text[:start]) or _DIRECTION_BEFORE.search(text[:start])
            or _FACILITY_BEFORE.search(text[:start])) is not None and p.start() < start:
        return p.start()
    if (span.startswith("条") and (j := _JO_NUMBER_BEFORE.search(text[:start]))) or (j := _JO_BEFORE.search(text[:start])):
        return j.start()  # 札幌の条丁目 (「北 の 十五条 東 の 三丁目」「北15条東3丁目」)
    if not (_NUMBER_LEAD.match(span) or _SUFFIX_LEAD.match(span) or span.startswith(("字", "大字", "おおあざ"))):
        return start
    m = _TOWN_BEFORE.search(text[:start])
    if m is None or m.start("w") == start:
        return start
    w = m.group("w")
    if _NOT_TOWN.search(w) or (re.fullmatch(r"[ぁ-ん]+", w) and len(w) < 3):
        return start
    return m.start("w")


_FLOOR_AFTER_LOT = re.compile(rf"^{_S}(?:階|かい)(?!建|だて)(?:{_ROOM_POSITION})?")  # 「6 の 14 の 1階」
# a building without a keyword, then its room (「…3番5号のひだまり、102号室」)
_NAMED_ROOM_AFTER = re.compile(rf"^{_PLACE_GAP}の{_PLACE_GAP}[ぁ-んァ-ヶー一-龯々A-Za-z]{{1,10}}?{_PLACE_GAP}(?:の{_PLACE_GAP})?{_ROOM}{_S}号室")
# a room number said again or hedged (「402 か 403 かな たぶん 403」)
_ROOM_AGAIN = re.compile(rf"(?:[\s\u3000、,…]|{_FILLERS}|かな|かも|か|たぶん|多分|いや|あっ?|{_CORRECTION})+"
                         rf"{_ROOM}(?![0-9０-９万千円年月日時分階人回歳才か個])(?:{_S}号室?)?")
_ONE_DIGIT_ROOM = re.compile(r"[\s\u3000]*(?:の[\s\u3000]*)?[0-9０-９一二三四五六七八九](?:[\s\u3000]*号)(?![\s\u3000]*(?:棟|とう|室))")
_ORDINAL_BEFORE = re.compile(r"第[\s\u3000]*[0-9０-９一二三四五六七八九十]{1,2}[\s\u3000]*$")
_AZA_WORD_BEFORE = re.compile(r"(?:^|(?<=[\s\u3000、,。はで]))(?:大字|おおあざ|字)[\s\u3000、,]*$")
_ROOM_AFTER_FLOOR = re.compile(rf"[\s\u3000、,。]*{_ROOM}(?:{_S}号室?)?(?=[\s\u3000。、]|です|$)")  # 「さくら荘の、2階。203。」
_DIGITS_BEFORE = re.compile(r"(?<![0-9０-９])(?:[0-9０-９][\s\u3000]){1,4}$")
# what may stand between two parts of one address: pauses, fillers, a self-correction (「コーポ…いや、サンハイツの106」)
_ADDRESS_GAP = re.compile(rf"(?:[\s\u3000、,の…]|{_FILLERS}|いや|いえ|あっ?|ちゃう|{_CORRECTION})*")
_ADDRESS_PIECE = re.compile(r"[\s\u3000]*の?[\s\u3000]*[一-龯々ヶ]{1,3}[\s\u3000]*の[\s\u3000]*"  # 「室戸の 元 の 215番地」
                            r"|[\s\u3000]+(?![とやかもはがをにで][\s\u3000])[ぁ-んァ-ヶー一-龯々]{1,5}[\s\u3000]+")  # 「北区 もず 赤畑町」
_CARE_OF = re.compile(r"[\s\u3000、,]*[一-龯々ァ-ヶー]{1,6}[\s\u3000]*(?:さん|様|さま)方")  # 「…番地の3、山下さん方」


def _reads_back_address(turns: Sequence[_Turn], i: int, ents: Sequence[Any]) -> bool:
    """A staff turn right after the citizen gave an address reads it back (「西が丘 2の9の4 ですね」)."""
    prev = [turns[k] for k in range(max(0, i - 2), i) if turns[k].seg.speaker != "staff"]
    return any(x.segment_id == p.seg.id and x.type == "address" for p in prev for x in ents)


def _start_before(text: str, start: int, end: int) -> int:
    """One round of widening an address span to the left: the town, ward, 大字 or building number before it."""
    if (before := _PLACE_BEFORE.search(text[:start])) and before.start() < start:
        start = before.start()
    word = _AFTER_ADDRESS_WORD.search(text[:start])
    if word and not re.fullmatch(rf"{_FILLERS}|はい|ええ", word.group("w")):
        start = word.start("w")
    if re.match(r"[0-9０-９]", text[start:end]) and (d := _DIGITS_BEFORE.search(text[:start])):
        start = d.start()  # 「2 1 5 番地」 read digit by digit: the whole number
    if (d := _ORDINAL_BEFORE.search(text[:start])) is not None and re.search(BUILDING_KW, text[start:end]):
        start = d.start()  # 「第二 ひかり荘」: the building's number before its name
    if (a := _AZA_WORD_BEFORE.search(text[:start])) is not None:
        start = a.start()  # 「大字 ■■」: the word 大字 or 字 before the place is part of it
    return min(start, _town_before(text, start, text[start:end]))


# 「メゾン本町のAの…えっと、3A号室」「…ってとこのB号室」: a room named with a letter
_LETTERED = r"(?:[0-9０-９]{1,4}[A-ZＡ-Ｚ]|[A-ZＡ-Ｚ][0-9０-９]{0,4})"  # 3A, B, B2
# a floor and its room said with an address (「9階の2号室」), and a room named after 部屋 (「部屋が、C-12です」)
_FLOOR_ROOM = re.compile(rf"(?P<r>{_NUMK}{_S}(?:階|かい){_PLACE_GAP}(?:の{_PLACE_GAP})?{_NUMK}{_S}号{_S}室)(?![\s\u3000]*(?:に入院|で入院|の病室|病棟))")
_FLOOR_THEN_ROOM = re.compile(rf"(?<![0-9０-９一二三四五六七八九十]){_NUMK}{_S}(?:階|かい){_PLACE_GAP}(?:の{_PLACE_GAP})?"
                              rf"{_RD}(?:[\s\u3000]?{_RD}){{2,3}}(?![0-9０-９])(?:{_S}号室?)?(?=[\s\u3000]*(?:です|。|、|$))")
_ROOM_WORD_LETTER = re.compile(rf"部屋(?:{_S}番号)?{_S}(?:は|が|も)?(?:[\s\u3000、,]|{_FILLERS})*"
                               rf"(?P<r>[A-ZＡ-Ｚ]{_S}[-‐−－]?{_S}[0-9０-９]{{1,4}}|[0-9０-９]{{1,4}}{_S}[A-ZＡ-Ｚ]|[0-9０-９]{{3,4}})"
                               r"(?=[\s\u3000]*(?:です|や|だ|。|、|$))")
_LETTER_ROOM = re.compile(rf"(?:[\s\u3000、,…の]|{_FILLERS}|あっ?|(?:って|と)?(?:いう|ゆう)?(?:とこ|ところ)|(?:って|と)?(?:いう|ゆう))*"
                          rf"(?<![A-Za-zＡ-Ｚａ-ｚ]){_LETTERED}{_S}号{_S}室")
# 「若葉台1丁目の、「コーポわかば」ってとこのC号室」: a building named in quotes, and its room
_QUOTED_BUILDING = re.compile(rf"(?:[\s\u3000、,…の]|{_FILLERS})*「(?=[^」]{{0,16}}(?:{BUILDING_KW}|[ァ-ヶー]{{3}}))[^」]{{1,16}}」"
                              rf"(?:(?:って|と|っていう|という)(?:とこ|ところ)?)?(?:{_S}の?[\s\u3000、,]*"
                              rf"(?:(?:[0-9０-９]{{1,4}}|{_LETTERED}){_S}号{_S}室|{_ROOM}(?:{_S}号室?)?))?")
# 「…12、12の、6です」: the last number of a lot, after の, where the sentence ends
_LAST_PIECE = re.compile(rf"^{_PLACE_GAP}の{_PLACE_GAP}{_NUMK}(?![0-9０-９〇一二三四五六七八九十百千万])(?:{_S}(?:番地|番|号)(?!室))?"
                         r"(?=[\s\u3000、。]*(?:です|でした|だ|や|じゃ|。|$))")


def _end_after(text: str, start: int, end: int) -> int:
    """One round of widening an address span to the right: the lot, 号, building, floor and room after it."""
    if re.search(rf"{BUILDING_KW}$", text[start:end]) and (g := _ONE_DIGIT_ROOM.match(text, end)):
        end = g.end()  # 「松葉 荘 2号」: a one-digit room right after the building
    span = text[start:end]
    after = _LOT_AFTER.match(text[end:])
    if after is None and re.search(r"(?:丁目|ちょうめ)$", span):
        after = _LOT_AFTER_CHOME.match(text[end:])
        if after and _UNIT_AFTER.match(text[end + after.end():end + after.end() + 4]):
            after = None
    if after is None and re.search(r"[0-9０-９一二三四五六七八九十]$", span):
        after = _FLOOR_AFTER_LOT.match(text[end:]) or _NAMED_ROOM_AFTER.match(text[end:]) or _LAST_PIECE.match(text[end:])
    if after is None and re.search(r"(?:番地?|ばんち?|号)$", span):
        after = _NAMED_ROOM_AFTER.match(text[end:])
    if after is None and re.search(r"(?:番[\s\u3000]*地?|ばんち?)$", span):
        after = _GOU_AFTER_BAN.match(text[end:])
    if after:
        end += after.end()
    if re.match(r"[0-9０-９一二三四五六七八九〇]", text[end - 1:end]) and (u := re.match(_ROOM_UNIT_FULL, text[end:])):
        end += u.end()  # 「5 の 2 の 408 ごうしつ」
    again = _ROOM_AGAIN.match(text, end) if re.match(r"[0-9０-９]", text[end - 1:end]) else \
        _ROOM_AFTER_FLOOR.match(text, end) if text[end - 1:end] in ("階", "い") else None
    for nxt in (_AFTER.match(text, end), _CARE_OF.match(text, end), again, _LETTER_ROOM.match(text, end), _QUOTED_BUILDING.match(text, end)):
        if nxt and nxt.end() > end:
            end = nxt.end()
    return end


def _widen_addresses(text: str, ents: list[Any], sid: int) -> None:
    """Every part of an address is masked: the town or ward said before it and the lot, 号, building
    and room said after it, across pauses. Only spans already found as addresses are widened, so a
    ward named on its own (「北区に住んでいます」) stays readable; spans that meet become one."""
    found = sorted((x for x in ents if x.segment_id == sid and x.type == "address"), key=lambda x: x.start)
    for e in found:
        changed = True
        while changed:
            start, end = _start_before(text, e.start, e.end), _end_after(text, e.start, e.end)
            changed = (start, end) != (e.start, e.end)
            e.start, e.end = start, end
    for x in [x for x in ents if x.segment_id == sid and x.type == "name"]:
        if any(e.start <= x.start and x.end <= e.end for e in found):
            ents.remove(x)  # the householder of a 〜さん方 address is part of it
    for a, b in zip(found, found[1:], strict=False):
        if b.start <= a.end or _ADDRESS_GAP.fullmatch(text[a.end:b.start]) or _ADDRESS_PIECE.fullmatch(text[a.end:b.start]):
            b.start, b.end = a.start, max(a.end, b.end)
            b.group = b.group or a.group
            ents.remove(a)


def widen_address(seg: Segment, ents: list[Any]) -> None:
    """Widen the addresses of one turn as the rules' own are widened (the town before, the lot, building
    and room after): for an address the learned tagger found or stretched after the rules had run."""
    _widen_addresses(seg.text, ents, seg.id)
    _refresh_texts({seg.id: seg}, [e for e in ents if e.segment_id == seg.id])


# a birthday said after the word (「生まれたのは今年の1月9日です」「誕生日は去年の12月3日」)
_BORN_ON = re.compile(rf"(?:生まれ|うまれ|誕生日|たんじょうび)[^。？?0-9０-９]{{0,6}}?(?:は|が)[\s\u3000、,]*"
                      rf"(?P<d>(?:(?:今年|去年|昨年|おととし|一昨年)の?{_S})?{_NUMK}{_S}月{_GAP}{_NUMK}{_S}日)")


_OLD_ERA_LEAD = r"(?:明治|大正|昭和|めいじ|たいしょう|しょうわ|メイジ|タイショウ|ショウワ)"
# a month and day said in kana or mixed numerals before 生まれ (「きょねんの じゅういちがつ みっか うまれ」)
_KANA_BORN = re.compile(rf"(?P<d>(?:(?:今年|去年|昨年|おととし|一昨年|ことし|きょねん|さくねん)の?{_S})?{_NUM_ANY}{_S}(?:月|がつ){_KS}"
                        rf"(?:{_NUM_ANY}{_S}(?:日|にち)|{_KANA_DAY}))[\s\u3000]*(?:の)?[\s\u3000]*(?:うまれ|生まれ)")


def _birthdates(turns: Sequence[_Turn], ents: list[Any], make: Callable[..., Any]) -> None:
    for i, t in enumerate(turns):
        text = t.seg.text
        for m in _KANA_BORN.finditer(text):
            _add(ents, make("birthdate", m.start("d"), m.end("d"), m.group("d"), segment_id=t.seg.id, rule="birthdate:born-on"))
        birth = bool(_BIRTH_Q.search(t.asked) or _BIRTH_Q.search(text))
        for m in _MIXED_DATE.finditer(text):
            # a whole date in an old era (昭和55年2月29日) is someone's date of birth even when not asked for
            whole = re.search(r"(?:日|にち|" + _KANA_DAY + r")$", m.group()) is not None
            whole_old = bool(re.match(_OLD_ERA_LEAD, m.group()) and whole)
            # a whole date in a turn about a child's age (「上の子が平成31年4月18日で」「4か月です 令和6年8月2日」)
            child = whole and bool(_AGE_TALK.search(text) or re.search(r"(?:上|下|真ん中)の?[\s\u3000]*子", text))
            # an old-era year and month given with one's age (「お歳は」「七十四。昭和、二十六年の、三月」)
            # (any era when the age was just asked: 「おいくつ…」「27です。平成、えっと、9年…の、10月」)
            aged = bool(re.search(r"月|がつ", m.group()) and re.match(rf"{_ERA}|(?:19|20)[0-9]{{2}}[\s\u3000]*年", m.group())
                        and (_AGE_Q.search(t.asked) or (re.match(_OLD_ERA_LEAD, m.group())
                                                        and _AGE_TALK.search(text[max(0, m.start() - 12):m.start()])))
                        and not re.match(r"[\s\u3000]*(?:に|から|まで|頃|ごろ|以来)", text[m.end():]))
            if not (birth or whole_old or child or aged):
                continue
            if not _UNIT_AFTER.match(text[m.end():m.end() + 3]) or text[m.end():m.end() + 2].strip().startswith("日"):
                _add(ents, make("birthdate", m.start(), m.end(), m.group(), segment_id=t.seg.id, rule="birthdate:mixed"))
        for m in _BORN_ON.finditer(text):
            _add(ents, make("birthdate", m.start("d"), m.end("d"), m.group("d"), segment_id=t.seg.id, rule="birthdate:born-on"))
        if _BIRTH_Q.search(t.asked) and (md := _MD_HEAD.match(text)) and re.search(r"月|がつ", md.group()):
            s0 = _ONLY_FILLERS.match(text).end()  # type: ignore[union-attr]  # 「お誕生日は」「12月の 24日」: the year left out
            _add(ents, make("birthdate", s0, md.end(), text[s0:md.end()], segment_id=t.seg.id, rule="birthdate:month-day"))
        for m in _KANA_DATE.finditer(text):
            if _BIRTH_Q.search(t.asked) or _BIRTH_Q.search(text) or re.match(r"^[\s\u3000]*(?:の)?(?:うまれ|生まれ)", text[m.end():]):
                _add(ents, make("birthdate", m.start(), m.end(), m.group(), segment_id=t.seg.id, rule="birthdate:kana"))
        for e in [x for x in ents if x.segment_id == t.seg.id and x.type == "birthdate" and re.search(r"(?:日|にち)$", x.text)]:
            fix = _DAY_FIXED.match(text[e.end:])
            if fix:
                e.end += fix.end()  # 「4月の1日 あ じゅういち日」: the day said again, corrected
        for e in [x for x in ents if x.segment_id == t.seg.id and x.type == "birthdate" and re.search(r"月$", x.text)]:
            day = _DAY_TAIL.match(text[e.end:])
            if day:
                e.end += day.end()
        for e in [x for x in ents if x.segment_id == t.seg.id and x.type == "birthdate" and "月" not in x.text]:
            tail = _MD_TAIL.match(text[e.end:])
            if tail:
                e.end += tail.end()
            elif not text[e.end:].strip("、,の \u3000…。です") and (own := _next_own_turn(turns, i)) is not None:
                nxt = own.seg
                tail = _MD_TAIL.match(nxt.text)
                if tail and nxt.speaker == t.seg.speaker:
                    s = len(nxt.text) - len(nxt.text.lstrip("、,の \u3000…"))
                    e.group = e.group or f"birth:{t.seg.id}:{e.start}"
                    ents.append(make("birthdate", s, tail.end(), nxt.text[s:tail.end()], segment_id=nxt.id,
                                       rule="birthdate:continued", group=e.group))


# the day of a birth date given as a year and month, said later in the turn or the next breath: with the
# month again (「1983年の、11月です。…11月の、27日」) or after the word for it (「日にちは、七日」)
_LATER_DAY = re.compile(rf"(?:(?P<cue>日[\s\u3000]*に[\s\u3000]*ち|日付|ひにち|(?<![0-9０-９一二三四五六七八九十])日(?=[\s\u3000]*は))[\s\u3000]*(?:は|が|も)?{_GAP}"
                        r"(?:たしか|確か)?[\s\u3000]*)?"
                        rf"(?P<d>(?:(?P<m>{_NUM_ANY}){_S}(?:月|がつ){_GAP})?(?:{_NUM_ANY}{_S}(?:日|にち)|{_KANA_DAY}))")


# the month and day after 生まれ, said later (「昭和 五十 二年 生まれ えっと 七月 の 十八日」)
_BORN_THEN_DAY = re.compile(rf"^[\s\u3000]*(?:生まれ|うまれ)(?:{_GAP})(?:{_NUM_ANY}{_S}(?:月|がつ))(?:{_GAP}{_NUM_ANY}{_S}(?:日|にち))?")
# the era and a first try of the year before the year said again (「昭和…五十、えーと、五十二年の…」)
_ERA_BEFORE_YEAR = re.compile(rf"{_ERA}(?:[\s\u3000、,…]|{_FILLERS})*(?:{_NUMK}{_S}(?:年{_S})?(?:の)?(?:[\s\u3000、,…]|{_FILLERS})+)?$")
# the head of a phone number begun and cut before the rest was said again (「080の7…7126の、0358」)
_PHONE_TRIED = re.compile(rf"(?<![0-9０-９])0[0-9０-９]{{1,4}}(?:…+|[、,])[\s\u3000、,]*(?:{_FILLERS}[\s\u3000、,…]*)*$")
_PHONE_HEAD = re.compile(rf"(?<![0-9０-９])0[0-9０-９]{{1,4}}[\s\u3000]*(?:の|[-‐−－])?[\s\u3000、,]*(?:[0-9０-９]{{1,3}}[\s\u3000]*)?(?:…+|、)(?:[\s\u3000、,…]|{_FILLERS})*$")
_SPACED_YEAR_HEAD = re.compile(r"(?<![0-9０-９])(?:[12１２][\s\u3000])(?:[0-9０-９][\s\u3000]){0,2}$")
_SPACED_KANJI_YEAR_HEAD = re.compile(r"(?<![〇一二三四五六七八九十])(?:一九|二〇|一[\s\u3000]九|二[\s\u3000]〇)[\s\u3000](?:[〇一二三四五六七八九][\s\u3000])?$")  # 「一九 八 二 年」


def _birth_tails(text_of: dict[int, str], ents: list[Any]) -> None:
    """A birth date's day said after a restart (「8月…8月12日」), the month and day after 生まれ, the era and a
    first try of the year before it, and the first digits of a western year the recogniser spaced apart
    (「1 9 8 7 年」) belong to the date found (after a slip and its correction are joined)."""
    for sid, text in text_of.items():
        for e in [x for x in ents if x.segment_id == sid and x.type == "birthdate"]:
            if re.search(r"(?:月|がつ)$", text[e.start:e.end]) and (day := _DAY_TAIL.match(text[e.end:])):
                e.end += day.end()
            if re.match(r"[0-9０-９]", text[e.start:e.end]) and (head := _SPACED_YEAR_HEAD.search(text[:e.start])):
                e.start = head.start()
            year = re.match(r"(?:[〇一二三四五六七八九][\s\u3000]?){1,2}年", text[e.start:e.end])
            if year and (head := _SPACED_KANJI_YEAR_HEAD.search(text[:e.start])) and \
                    len(re.sub(r"[^〇一二三四五六七八九]", "", head.group() + year.group())) == 4:
                e.start = head.start()
            if not re.search(r"月|がつ", text[e.start:e.end]) and (day := _BORN_THEN_DAY.match(text[e.end:])):
                e.end += day.end()
            if not re.match(_ERA, text[e.start:e.end]) and (era := _ERA_BEFORE_YEAR.search(text[max(0, e.start - 20):e.start])):
                e.start = max(0, e.start - 20) + era.start()


# an area code said in words right before the rest (「ゼロ いち 九 ろく の 六 二 の 三 四 五 六」)
_PHONE_AREA = re.compile(rf"(?:ゼロ|ぜろ|れい|〇|0|０)(?:[\s\u3000]?{_DIGIT}){{1,4}}[\s\u3000]*(?:の|[-‐−－])[\s\u3000、,]*$")


def _phone_heads(text_of: dict[int, str], ents: list[Any]) -> None:
    """The head of a phone number begun and cut before the rest was said again (「080…えっと、080の7…7126の、
    0358」) belongs to the number found, when the two make a phone number's length."""
    for sid, text in text_of.items():
        for e in [x for x in ents if x.segment_id == sid and x.type in ("phone", "id")]:
            said = re.split(_CORRECTION, text[e.start:e.end])[0]  # 「…三 四 五 六 … あ 違った ゼロ いち 九 なな」: before the fix
            digits = re.sub(r"\D", "", said) or _digit_string(said)
            head = _PHONE_HEAD.search(text[max(0, e.start - 16):e.start]) or _PHONE_AREA.search(text[max(0, e.start - 16):e.start])
            if head is None or len(digits) < 6:
                continue
            groups = re.findall(r"[0-9０-９]+", head.group()) or [_digit_string(head.group())]
            if len(groups) > 1 and digits.startswith(groups[-1]):
                groups = groups[:-1]  # 「080の7…7126の」: the 7 begun and said again
            if 10 <= len(digits) + len("".join(groups)) <= 11:
                e.start, e.type = max(0, e.start - 16) + head.start(), "phone"
                while (again := _PHONE_TRIED.search(text[max(0, e.start - 16):e.start])) is not None:
                    e.start = max(0, e.start - 16) + again.start()  # 「080…えっと、080の7…」: the first try


def _days_said_later(turns: Sequence[_Turn], ents: list[Any], make: Callable[..., Any]) -> None:
    for i, t in enumerate(turns):
        for x in [e for e in ents if e.segment_id == t.seg.id and e.type == "birthdate"]:
            month = re.search(rf"(?P<m>{_NUM_ANY}){_S}(?:月|がつ)[\s\u3000、,…の。]*$", x.text)
            if month is None:
                continue
            own = _next_own_turn(turns, i)
            places = [(t.seg, x.end)] + ([(own.seg, 0)] if own is not None and own.seg.speaker == t.seg.speaker else [])
            for seg, start in places:
                m = next((m for m in _LATER_DAY.finditer(seg.text, start)
                          if (m.group("m") and _flat(m.group("m")) == _flat(month.group("m")))
                          or (m.group("cue") and not m.group("m"))
                          or (seg is t.seg and m.start() - start < 20 and re.search(_CORRECTION, seg.text[start:m.start()]))), None)
                if m is not None and not _overlaps(ents, seg.id, m.start("d"), m.end("d")):
                    x.group = x.group or f"birth:{seg.id}:{x.start}"
                    ents.append(make("birthdate", m.start("d"), m.end("d"), m.group("d"), segment_id=seg.id,
                                     rule="birthdate:day-later", group=x.group))
                    break


_YEAR_BEFORE = re.compile(rf"(?:{_ERA}{_KS}(?:{_NUM_ANY}|元|がん)|(?<![0-9０-９])[12１２][0-9０-９]{{3}}|(?<![ぁ-ん])(?:にせん|せんきゅうひゃく){_S}{_NUM_ANY}?)"
                          rf"{_S}(?:年|ねん){_DATE_GAP}$")
_DAY_FIXED = re.compile(rf"^(?:[\s\u3000]*(?:です|や|だ)(?=[\s\u3000、,]*(?:あっ?|いや|いえ)))?"  # 「…十二 日 です あ いや 十三 日」
                        rf"(?:[\s\u3000、,…]|{_FILLERS}|{_CORRECTION}|あっ?|いや|いえ)*(?:あっ?|いや|いえ|{_CORRECTION})"
                        rf"(?:[\s\u3000、,…]|{_FILLERS})*(?:{_NUM_ANY}{_S}(?:月|がつ){_GAP})?{_NUM_ANY}{_S}(?:日|にち)")
_ERA_ENDING_TURN = re.compile(rf"{_ERA}[\s\u3000、,…の]*$")
_YEAR_HEAD = re.compile(rf"^(?:{_FILLERS}|[\s\u3000、,…])*(?:{_NUMK}|元){_S}年(?:{_GAP}{_NUMK}{_S}月(?:{_S}の?{_S}{_NUMK}{_S}日)?)?")


def _split_era(turns: Sequence[_Turn], ents: list[Any], make: Callable[..., Any]) -> None:
    """「昭和」 then 「42年の5月5日です」 in answer to a birth-date question: both turns, one placeholder."""
    for i, t in enumerate(turns):
        if t.seg.speaker == "staff" or not _BIRTH_Q.search(t.asked + t.seg.text):
            continue
        m = _ERA_ENDING_TURN.search(t.seg.text)
        nxt = _next_own_turn(turns, i)
        head = _YEAR_HEAD.match(nxt.seg.text) if (m and nxt is not None) else None
        if m is None or nxt is None or head is None:
            continue
        group = f"birth:{t.seg.id}:{m.start()}"
        end = m.start() + len(m.group().rstrip("、,の \u3000…"))
        _add(ents, make("birthdate", m.start(), end, t.seg.text[m.start():end], segment_id=t.seg.id,
                        rule="birthdate:split", group=group))
        s0 = _ONLY_FILLERS.match(nxt.seg.text).end()  # type: ignore[union-attr]
        _add(ents, make("birthdate", s0, head.end(), nxt.seg.text[s0:head.end()], segment_id=nxt.seg.id,
                        rule="birthdate:continued", group=group))


def _split_birth_year(turns: Sequence[_Turn], ents: list[Any], make: Callable[..., Any]) -> None:
    """「1973年の」 then 「3月15日です」 in answer to a birth-date question: both turns, one placeholder."""
    for i, t in enumerate(turns):
        if t.seg.speaker == "staff" or not _BIRTH_Q.search(t.asked + t.seg.text):
            continue
        m = _YEAR_ENDING_TURN.search(t.seg.text)
        nxt = _next_own_turn(turns, i)
        tail = _MD_TAIL.match(nxt.seg.text.lstrip("、,の \u3000…")) if (m and nxt is not None) else None
        if m is None or nxt is None or tail is None:
            continue
        group = f"birth:{t.seg.id}:{m.start()}"
        end = m.start() + len(m.group().rstrip("、,の \u3000…"))
        _add(ents, make("birthdate", m.start(), end, t.seg.text[m.start():end], segment_id=t.seg.id,
                        rule="birthdate:split", group=group))
        s0 = len(nxt.seg.text) - len(nxt.seg.text.lstrip("、,の \u3000…"))
        _add(ents, make("birthdate", s0, s0 + tail.end(), nxt.seg.text[s0:s0 + tail.end()], segment_id=nxt.seg.id,
                        rule="birthdate:continued", group=group))


# 「斉藤悠斗令和元年の…」「前田誠で」: a kanji given name written straight after the surname (ASR text has no
# spaces); the longest name-like head, when what follows is not kanji or starts a date
_AFTER_GIVEN = re.compile(rf"[^一-龯々]|$|{_ERA}|[0-9０-９]")


def _masked_next(ents: Sequence[Any], sid: int, text: str, pos: int) -> bool:
    """Whether the next word after ``pos`` (past spaces) is already masked (「娘が ■■ ひなた ■■■■ です」)."""
    nxt = pos + len(text[pos:]) - len(text[pos:].lstrip(" \u3000"))
    return nxt > pos and any(x.segment_id == sid and x.start == nxt for x in ents)


def _given_kanji_joined(text: str, end: int, kana_name_ok: Callable[[str], bool]) -> re.Match[str] | None:
    for n in (3, 2, 1):
        word = text[end:end + n]
        if len(word) == n and re.fullmatch(r"[一-龯々]+", word) and kana_name_ok(word) \
                and _AFTER_GIVEN.match(text, end + n):
            return re.match(rf"(?P<g>{re.escape(word)})", text[end:])
    return None


def _given_names(turns: Sequence[_Turn], ents: list[Any], make: Callable[..., Any],
                 kana_name_ok: Callable[[str], bool], name_shape_ok: Callable[[str], bool] = lambda w: False) -> set[str]:
    """「ヤマグチ ミドリです」: the word right after a masked surname, before です/さん, is the given name.
    Returns the given names found this way, to be masked where they are said again."""
    given: set[str] = set()
    for t in turns:
        text = t.seg.text
        for e in [x for x in ents if x.segment_id == t.seg.id and x.type == "name"]:
            if re.search(r"[ァ-ヶーぁ-ん]$", text[e.start:e.end]) and (c := _CUT_NAME_END.match(text[e.end:])) \
                    and not _overlaps(ents, t.seg.id, e.end, e.end + c.end()):
                e.end += c.end()  # 「中島 キヨ 子」: the recogniser cut the last character of the given name off
                continue
            m = _GIVEN_TAIL.match(text[e.end:])
            if m and re.search("[、,]", m.group("gap")) and not kana_name_ok(m.group("g")):
                m = None  # 「ヤマダ、パートで」: after a pause only a word that may be a name
            m = m or _GIVEN_BEFORE_VERB.match(text[e.end:])
            if m is None and (h := _GIVEN_TAIL_HIRA.match(text[e.end:])) and not _VERB_LIKE.search(h.group("g")) \
                    and (kana_name_ok(h.group("g")) or re.match(r"[\s\u3000]*(?:さん|ちゃん|くん|様)", text[e.end + h.end("g"):])
                         or ((_NAME_Q.search(t.asked + text[:e.start]) or _KIN_OF.search(text[:e.start]))
                             and re.match(r"[\s\u3000]*(?:です|$)", text[e.end + h.end("g"):]))
                         or (name_shape_ok(h.group("g")) and (re.match(r"[\s\u3000]*(?:です|$)", text[e.end + h.end("g"):])
                             or _masked_next(ents, t.seg.id, text, e.end + h.end("g")) or (
                             h.group().startswith((" ", "\u3000"))
                             and re.match(r"[\s\u3000]+(?:で|が|は|と|も)(?:[\s\u3000]|$)", text[e.end + h.end("g"):]))))):
                m = h  # 「吉村 とめ さん」「名前 は いしかわ れん です」「孫の 知念 りく です」「下 が 工藤 りく で」:
                # the given name, whatever the dictionary says
            if m is None and re.match(r"[一-龯々]", text[e.end - 1:e.end] or " ") and \
                    (k2 := _GIVEN_GLUED_KATA.match(text[e.end:])) and (kana_name_ok(k2.group("g")) or _NAME_Q.search(t.asked)):
                m = k2  # 「森下アヤカって」: a katakana given name written straight after the kanji surname
            if m is None and re.match(r"[一-龯々]", text[e.end - 1:e.end] or " ") and (h2 := _GIVEN_GLUED_HIRA.match(text[e.end:])) \
                    and name_shape_ok(h2.group("g")):
                m = h2  # 「上が玉城りく、小学2年生」: a kana given name written straight after the kanji surname
            if m is None and (k := _GIVEN_TAIL_KANJI.match(text[e.end:])) and kana_name_ok(k.group("g")):
                m = k
            if m is None and re.match(r"[一-龯々]", text[e.end - 1:e.end] or " "):
                m = _given_kanji_joined(text, e.end, kana_name_ok)
            if m and re.match(r"(?:さん|さま|様|ちゃん|くん|です|でし|ます|先生|せんせい|社長|課長|部長|主任|先輩|医師)", m.group("g")):
                m = None  # an honorific or a copula is not a given name (「みずの さん ですね」)
            if m and not _overlaps(ents, t.seg.id, e.end, e.end + m.end("g")):
                e.end += m.end("g")
                given.add(m.group("g"))
                continue
            p = _GIVEN_AFTER_PAUSE.match(text[e.end:]) if _NAME_Q.search(t.asked) else None
            if p and not _VERB_LIKE.search(p.group("g")) and kana_name_ok(p.group("g")) \
                    and not re.match(r"(?:です|でし|だ|じゃ|や)", p.group("g")):
                s, g_end = e.end + p.start("g"), e.end + p.end("g")
                if not _overlaps(ents, t.seg.id, s, g_end):
                    ents.append(make("name", s, g_end, p.group("g"), segment_id=t.seg.id, rule="name:given-after-pause"))
    return given


_NAME_Q = re.compile(r"名前|なまえ|氏名|フルネーム|どちら様|どちらさま")
_GIVEN_GLUED_HIRA = re.compile(r"^(?P<g>[ぁ-ん]{2,4})(?=[、,。]|です|$)")
_GIVEN_GLUED_KATA = re.compile(r"^(?P<g>[ァ-ヶー]{1,4}[子江美代枝恵](?![一-龯々])|[ァ-ヶー]{2,6})(?=って|です|さん|ちゃん|と申|といい|[。、\s\u3000]|$)")
# 「ツル子じゃなくて鶴子でしょ」: the word a name is corrected to is the name too
_CORRECTED_TO = re.compile(r"^[\s\u3000]*(?:じゃなくて|ではなくて|やなくて|じゃのうて|じゃない|でなくて)[\s\u3000、,]*"
                           r"(?P<g>[一-龯々]{1,4}|[ァ-ヶー]{2,8}|[ぁ-ん]{2,6}?)(?=[\s\u3000]*(?:です|でしょ|で|や|じゃ|だ|って|[、。]|$))")


def _corrected_names(turns: Sequence[_Turn], ents: list[Any], make: Callable[..., Any]) -> None:
    for t in turns:
        text = t.seg.text
        for e in [x for x in ents if x.segment_id == t.seg.id and x.type == "name"]:
            m = _CORRECTED_TO.match(text[e.end:])
            if m and not _overlaps(ents, t.seg.id, e.end + m.start("g"), e.end + m.end("g")):
                ents.append(make("name", e.end + m.start("g"), e.end + m.end("g"), m.group("g"), segment_id=t.seg.id,
                                 rule="name:corrected", group=e.group))
_TRAILING_WORD = re.compile(r"(?:^|[\s\u3000、,…]|(?<=は))(?P<w>[一-龯々ァ-ヶー]{1,6}|[ぁ-ん]{2,6})[\s\u3000、,…]*$")
_LEADING_WORD = re.compile(rf"^(?:{_FILLERS}|[\s\u3000、,…])*(?P<w>[一-龯々ァ-ヶー]{{1,6}}|[ぁ-ん]{{2,6}}?)"
                           r"(?=[\s\u3000]*(?:です|と申し|ともうし|っていい|といい|[。、]|$))")
_ONLY_FILLERS = re.compile(rf"(?:{_FILLERS}|[\s\u3000、,…])*")
_NOT_NAME_WORDS = re.compile(rf"^(?:{_FILLERS}|はい|ええ|うん|です|なまえ|名前|わたし|私|ぼく|僕)$")


def _names_over_turns(turns: Sequence[_Turn], ents: list[Any], make: Callable[..., Any],
                      kana_name_ok: Callable[[str], bool]) -> None:
    """A name said in two breaths (「えっと、もりした」 then 「あきら です」): in the answer to a name
    question, the word that ends one turn and the word that starts the speaker's next turn belong to
    the name found on the other side of the pause."""
    for i, t in enumerate(turns):
        nxt = _next_own_turn(turns, i)
        if t.seg.speaker == "staff" or nxt is None or not _NAME_Q.search(t.asked):
            continue
        a, b = t.seg, nxt.seg
        names_a = [x for x in ents if x.segment_id == a.id and x.type == "name"]
        names_b = [x for x in ents if x.segment_id == b.id and x.type == "name"]
        if any(_ONLY_FILLERS.fullmatch(b.text[:x.start]) for x in names_b):
            m = _TRAILING_WORD.search(a.text)
            if m and _name_word_ok(m.group("w"), kana_name_ok) and not _overlaps(ents, a.id, m.start("w"), m.end("w")):
                ents.append(make("name", m.start("w"), m.end("w"), m.group("w"), segment_id=a.id, rule="name:over-turns"))
        if any(not a.text[x.end:].strip(" \u3000、,…の") for x in names_a):
            m = _LEADING_WORD.match(b.text)
            if m and _name_word_ok(m.group("w"), kana_name_ok) and not _overlaps(ents, b.id, m.start("w"), m.end("w")):
                ents.append(make("name", m.start("w"), m.end("w"), m.group("w"), segment_id=b.id, rule="name:over-turns"))


def _name_word_ok(word: str, kana_name_ok: Callable[[str], bool]) -> bool:
    if _NOT_NAME_WORDS.match(word):
        return False
    return kana_name_ok(word) if re.fullmatch(r"[ぁ-ん]+", word) else True


_KATA_JOINED = re.compile(r"[ァ-ヶー]{2,}・$")
_KATA_JOINED_AFTER = re.compile(r"(?:・[ァ-ヶー]{1,10})+")
# children named by their order (「上が悠斗で中2、下が美桜で」「一番下はひなたです」)
_SIBLING = re.compile(r"(?:一番[\s\u3000]*上|一番[\s\u3000]*下|真ん中|上の子|下の子|長男|長女|次男|次女|三男|三女|末っ子|上|下)[\s\u3000]*(?:(?:が|は)(?:[\s\u3000、,…]|えっと|えーと|えー|あの)*|の[\s\u3000]*(?!子|方|名|階|部屋|段|人))"
                      r"(?:(?:(?:保育園|保育所|幼稚園|こども園|小学校|中学校)[\s\u3000]*の[\s\u3000]*)?"
                      r"(?:(?:小学|中学|高校|小|中|高)?[\s\u3000]*[0-9０-９一二三四五六七八九十]{1,2}[\s\u3000]*(?:年生|年|歳|才|か月|ヶ月)|"
                      r"(?:小|中|高)[0-9０-９一二三四五六]|年少|年中|年長)[\s\u3000]*(?:の|で[\s\u3000、,]*)[\s\u3000]*)?"
                      r"(?!(?:上|下|真ん中)[\s\u3000]*(?:が|は))(?P<n>[一-龯々]{1,3}|[ァ-ヶー]{2,6}|[ぁ-ん]{2,5}?)(?=[\s\u3000]*(?:で|です|が|は|、|。|って|ちゃん|くん|$)|[\s\u3000])")
_NOT_CHILD_NAME = re.compile(r"^(?:子|娘|息子|妹|弟|姉|兄|長男|長女|次男|次女|三男|三女|双子|方|人|名前|名|階|部屋|段|歳|才|年|学年|学校|小学|中学|高校|保育|男|女|男の子|女の子|年少|年中|年長|"
                             r"[小中高][1-6１-６一二三四五六]|保育園|保育所|幼稚園|小学校|中学校|大学|大学生|社会人|俺|僕|私|自分|"
                             r"こ|ほう|ひと|まだ|もう|今|いま|一人|二人|ひとり|ふたり|独身|無職)$")
_CHILD_TALK = re.compile(r"子ども|子供|こども|お子|息子|娘|歳|才|[0-9０-９][\s\u3000]*さい|年生|小学|中学|高校|保育|幼稚|[小中][0-9０-９一二三四五六]|年[長中少]")


# a kana name before a naming verb, also with the recogniser's spaces and in dialect (「はると って いいます」
# 「ゆかり いうがよ」「はやと 言うんだけど」), in a turn about a family member or a name
_NAMED_SPACED = re.compile(r"(?:^|(?<=[\s\u3000、。]))(?P<n>[ぁ-ん]{2,5}|[ァ-ヶー]{2,6}|[一-龯々]{1,3})(?:[\s\u3000]*(?:って|て|[、,])[\s\u3000]*|"
                           r"[\s\u3000]*と[\s\u3000]*(?=申し|もうし|いいます|いう(?:んです|んだ|ん|の(?:です|よ|で)|て))|[\s\u3000]+|(?=っ?ちゅう))"
                           r"(?:っ?ちゅう(?:て|た|ん)|いい[\s\u3000]*(?:ます|まして|よる|よります)|いう(?!こと|わけ|感じ|話|の)|言う(?!こと|わけ|の)|"
                           r"言い(?:ます|まして)|ゆう(?!こと|わけ|の)|ゆい(?:ます|よる)|申し|もうし)")
_KIN = r"(?:息子|娘|長男|長女|次男|次女|夫|妻|主人|旦那|嫁|婿|母|父|お兄ちゃん|お姉ちゃん|兄ちゃん|姉ちゃん|兄|姉|弟|妹|孫|甥|姪)"
_AGE_NEXT = re.compile(r"[\s\u3000、。,]*[0-9０-９一二三四五六七八九十]{1,2}[\s\u3000]*(?:歳|才|さい|か月|ヶ月)")  # 「そうた。4歳」
_KIN_OF = re.compile(rf"{_KIN}の[\s\u3000]*$")
_READING_IS = re.compile(r"(?:読み(?:方)?|フリガナ|ふりがな)(?:は|が)[\s\u3000、,]*(?P<n>[ぁ-ん]{3,14}?|[ァ-ヶー]{3,14}?)"
                         r"(?=[\s\u3000]*(?:さん|さま|様|です|で(?:よろし|いい|合って|あって)|[、。]|$))")
_NAME_THEN_AGE = re.compile(rf"^(?:[\s\u3000、,]|{_FILLERS})*(?P<n>[ぁ-ん]{{2,5}}|[ァ-ヶー]{{2,6}})(?={_AGE_NEXT.pattern})")
_KIN_OR_NAME = re.compile(rf"名前|なまえ|子|{_KIN}|おじ|おば|彼|彼女|男の子|女の子|"
                          r"大家|家主|上司|社長|担任|先生|ケアマネ|民生委員|友達|友人|知り合い|近所|隣|相手|元夫|元妻")
_NOT_KANA_NAME = re.compile(r"^(?:そう|こう|ああ|どう|なんて|なんと|なん|なに|これ|それ|あれ|どれ|ほんと|まあ|ちょっと|もう|だから|なんか|"
                            r"あの|その|この|いつも|よく|みんな|ほか|そんな|こんな|あんな|どんな|ばあ|じい|おばあ|おじい|ママ|パパ)$")
_KIN_IS_NAME = re.compile(rf"(?:{_KIN}|男の子|女の子)(?:さん)?[\s\u3000]*(?:は|が|[、,])[\s\u3000、,]*(?P<c>(?:ひとり|一人|1人)(?:[\s\u3000]*(?:で|、)[\s\u3000]*|[\s\u3000]+))?"
                          r"(?P<n>[一-龯々]{1,3}|[ァ-ヶー]{2,6}|[ぁ-ん]{2,5})(?=[\s\u3000]*(?:。|です|でして|で、|$))")
# a relative named again after a pause (「夫は…隼人は、毎日」)
_KIN_PAUSED_NAME = re.compile(rf"{_KIN}(?:さん)?(?:は|が)(?:…+|[、,])[\s\u3000]*(?P<n>[一-龯々]{{1,3}})(?=(?:は|が|も)[、,\s\u3000…])")
# a relative's kana given name between the recogniser's spaces (「娘 の けいこ が」「弟 の ゆうき と」)
_KIN_OF_SPACED = re.compile(rf"{_KIN}[\s\u3000]*の[\s\u3000、,]+(?P<n>[ぁ-ん]{{2,5}})(?=[\s\u3000、,]+(?:が|は|の|と|も|を|に|です|って)(?![ぁ-ん])|[\s\u3000]*[、。]|$)")
# a name's reading given alone in answer to 「なんて読むんですか」 or to a read-back of its characters
# (「はやて、です。」「はい。ユウト です」)
_READING_Q = re.compile(r"読み|読む|読ん|よみ|ふりがな|フリガナ|なんて|なんと")
_READ_BACK_Q = re.compile(r"^.{0,30}の[\s\u3000]*[一-龯々][\s\u3000]*(?:です|で)?[\s\u3000]*(?:ね|か)[\s\u3000]*[。？?]?[\s\u3000]*$")
_READING_ANSWER = re.compile(rf"^(?:(?:はい|ええ|{_FILLERS})[\s\u3000、。,]*)*(?P<n>[ぁ-ん]{{2,6}}?|[ァ-ヶー]{{2,8}}?)[\s\u3000、,]*"
                             r"(?:です|と読みます|って読みます|と読む|って読む|って|。|$)")
# a given name before ちゃん/くん with the recogniser's space (「めい ちゃん」)
_SPACED_CHAN = re.compile(r"(?:^|(?<=[\s\u3000、。]))(?P<n>[ぁ-ん]{2,5}|[ァ-ヶー]{2,6})[\s\u3000]+(?P<h>ちゃん|くん|さん)(?![ぁ-ん])")
_JAPANESE_READING = re.compile(r"日本語?(?:読み|の読み)?[\s\u3000]*(?:だと|では|で|は)[\s\u3000、,「]*"
                               r"(?P<n>[ぁ-んァ-ヶー]{1,5}(?:[\s\u3000][ぁ-んァ-ヶー]{1,6})?)(?=[\s\u3000]*(?:」|、|。|です|って|$))")
_SPACED_KANJI_SAN = re.compile(r"(?:^|(?<=[\s\u3000、。]))(?P<a>[一-龯々]{1,3})[\s\u3000]+(?P<b>[一-龯々]{1,3})[\s\u3000]*(?:さん|さま|様)")
_ROLE_WORD = re.compile(r"(?:課長|部長|先生|社長|主任|係長|店長|所長|院長|園長|校長|会長|役所|病院|銀行|会社)")
_SPACED_SAN = re.compile(r"(?:^|(?<=[\s\u3000、。]))(?P<a>[ぁ-ん]{2,5})[\s\u3000]+(?P<b>[ぁ-ん]{2,5})[\s\u3000]+(?:さん|さま)(?![ぁ-ん])")
# a name said once more right after its characters are explained (「飛翔の翔で、はるとです」「一文字で、あい」
# 「蒼い空で、蒼空」「正しいに 則る で 正則」)
_SPELT_THEN_SAID = re.compile(r"(?:[一-龯々ぁ-んァ-ヶー]{1,6}(?:[\s\u3000]?(?:の|に)|い)[\s\u3000]*[一-龯々](?:[ぁ-ん]{1,2}(?=[\s\u3000]))?|一文字|書いて|書きます|書く)"
                              r"[\s\u3000]*(?:で[\s\u3000、,]+|、[\s\u3000]*|で(?=[ァ-ヶ]))(?P<n>[ぁ-ん]{2,6}?|[ァ-ヶー]{2,8}?|[一-龯々]{1,3})(?=[\s\u3000]*(?:です|。|、|$))")
# a kana name, then its characters explained (「そうた 颯爽 の 颯 に 太い」)
_SAID_THEN_SPELT = re.compile(r"(?:^|(?<=[\s\u3000、。]))(?P<n>[ぁ-ん]{2,6})[\s\u3000、,]+(?=[一-龯々]{1,4}[ぁ-ん]{0,2}[\s\u3000]?の[\s\u3000]?[一-龯々][\s\u3000]?(?:に|と)[\s\u3000、,])")
# a friend's or acquaintance's name with the recogniser's space before さん (「知り合い の 岡 さん」「友達 の ファム さん」)
_ACQUAINTANCE_SAN = re.compile(r"(?:友達|友だち|友人|知り合い|知人|同僚|近所|隣|幼なじみ|先輩|後輩)[\s\u3000]*の[\s\u3000]*"
                               r"(?P<n>[ァ-ヶー]{2,8}|[一-龯々]{1,3})[\s\u3000]+(?:さん|さま|ちゃん|くん)(?![ぁ-ん])")
# a child's name cut into single kanji by the recogniser after the grade or age (「6 年 の 美 桜 と」)
_CUT_KANJI_NAME = re.compile(r"(?:年|歳|才|年生)[\s\u3000]*の[\s\u3000]*(?P<n>[一-龯々](?:[\s\u3000][一-龯々]){1,2})(?=[\s\u3000]*(?:と|です|が|は|、|。|$))")
# children listed from the eldest, or after their ages (「上から みなと めい そら です」「上から、ゆい、はると」
# 「8歳と5歳で、ゆうき と みお です」)
_ELDEST_FIRST = re.compile(r"(?:上[\s\u3000]*から|(?:[0-9０-９一二三四五六七八九十]{1,2}[\s\u3000]*(?:歳|才|さい)[\s\u3000、,]*(?:と[\s\u3000]*)?){2,4}で)"
                           r"[\s\u3000、,]*(?P<l>(?:(?!です|でし)(?:[ぁ-ん]{2,5}|[ァ-ヶー]{2,6}|[一-龯々]{1,3})(?:[\s\u3000、,]+|[\s\u3000]*と[\s\u3000、,]*)){1,4}"
                           r"(?!です|でし)(?:[ぁ-ん]{2,5}|[ァ-ヶー]{2,6}|[一-龯々]{1,3}))(?=[\s\u3000]*(?:です|で[、\s\u3000]|。|$))")
_NOT_SAID_NAME = re.compile(r"^(?:いい|よい|ええ|だっ|でし|だす|どす|やで|やけ|じゃけ|ばい|たい|[一-龯々]$)")  # 「康で いいですか」; 「拓で、海」 is one more character
_SPELLING_Q = re.compile(r"名前|なまえ|氏名|漢字|字|読み|お子さん|お子様")
_KIN_WORD = re.compile(r"^(?:お?ねえ|お?にい|お?ばあ|お?じい|おかあ|おとう|かあ|とう|あか|ママ|パパ|ばば|じじ|ねね)$")


def _reading_answer(turns: Sequence[_Turn], k: int, ents: list[Any], make: Callable[..., Any],
                    kana_name_ok: Callable[[str], bool], name_shape_ok: Callable[[str], bool]) -> None:
    """「下のお子さん、なんて読むんですか」「はやて、です。」: a kana word said alone as the reading asked for."""
    t = turns[k]
    if k and (r := _READING_ANSWER.match(t.seg.text)) and _reading_asked(turns, k, ents) \
            and (name_shape_ok(hiragana(r.group("n"))) or kana_name_ok(r.group("n"))) and not _NOT_KANA_NAME.match(r.group("n")) \
            and not r.group("n").startswith(("そう", "こう", "ああ", "どう", "いい", "ええ", "はい")):  # 「そうなんです」
        _add(ents, make("name", r.start("n"), r.end("n"), r.group("n"), segment_id=t.seg.id, rule="name:reading"))


def _reading_asked(turns: Sequence[_Turn], k: int, ents: list[Any]) -> bool:
    """The staff turn just before asks how a name is read, or reads its characters back, with a name masked
    in the turns before (so 「なんて読むんですか」 about a word on a form does not count)."""
    prev = turns[k - 1].seg
    if prev.speaker != "staff" or not (_READING_Q.search(prev.text) or _READ_BACK_Q.search(prev.text)):
        return False
    ids = {u.seg.id for u in turns[max(0, k - 3):k]}
    return any(x.type == "name" and x.segment_id in ids for x in ents)


def _names_by_spelling(turns: Sequence[_Turn], ents: list[Any], make: Callable[..., Any],
                       given_ok: Callable[[str], bool], name_shape_ok: Callable[[str], bool]) -> None:
    """A given name said once more right after its characters are explained, or just before them."""
    for t in turns:
        text = t.seg.text
        for m in _SPELT_THEN_SAID.finditer(text):
            n = m.group("n")
            named = any(x.type == "name" and x.segment_id == t.seg.id and x.end <= m.start("n")
                        and "。" not in text[x.end:m.start("n")] for x in ents)
            if not (named or _SPELLING_Q.search(t.asked)) or _NOT_KANA_NAME.match(n) or _NOT_SAID_NAME.match(n):
                continue
            explained = all(c in text[max(0, m.start() - 12):m.start("n")] for c in n)  # 「蒼い空で、蒼空」
            if (given_ok(n) or explained) if re.match("[一-龯々]", n) else name_shape_ok(hiragana(n)):
                _add(ents, make("name", m.start("n"), m.end("n"), n, segment_id=t.seg.id, rule="name:spelt-then-said"))
        for m in _SAID_THEN_SPELT.finditer(text):
            if (_SPELLING_Q.search(t.asked) or _KIN_OR_NAME.search(t.asked + text[:m.start()])) and name_shape_ok(m.group("n")) \
                    and not (_NOT_KANA_NAME.match(m.group("n")) or _NOT_SAID_NAME.match(m.group("n"))):
                _add(ents, make("name", m.start("n"), m.end("n"), m.group("n"), segment_id=t.seg.id, rule="name:said-then-spelt"))


def _names_listed(turns: Sequence[_Turn], ents: list[Any], make: Callable[..., Any], kana_name_ok: Callable[[str], bool],
                  given_ok: Callable[[str], bool], name_shape_ok: Callable[[str], bool],
                  person_ok: Callable[[str], bool]) -> None:
    """Children listed from the eldest, an acquaintance with the recogniser's space before さん, a child's
    name cut into single kanji after the grade."""
    for t in turns:
        text = t.seg.text
        for m in _ELDEST_FIRST.finditer(text):
            words = [(w.start() + m.start("l"), w.end() + m.start("l"), w.group())  # 「蓮と」 is 蓮; 「はると」 stays whole
                     for w in re.finditer(r"[一-龯々ァ-ヶー]+(?=と)|[^\s\u3000、,]+", m.group("l")) if w.group() != "と"]
            sure = [_listed_name_ok(w, kana_name_ok, given_ok, name_shape_ok) for _, _, w in words]
            if any(sure) and all(ok or (re.fullmatch(r"[一-龯々]{1,2}", w) and not _NOT_CHILD_NAME.match(w) and not _COUNT_LEAD.match(w))
                                 for ok, (_, _, w) in zip(sure, words, strict=True)):  # 「蓮と、陽菜」: 蓮 is a word too
                for s, e, w in words:
                    _add(ents, make("name", s, e, w, segment_id=t.seg.id, rule="name:listed"))
        for m in _ACQUAINTANCE_SAN.finditer(text):
            n = m.group("n")
            if not (_ROLE_WORD.search(n) or _KIN_WORD.match(n) or _NOT_KANA_NAME.match(n)) and \
                    (re.fullmatch(r"[ァ-ヶー]+", n) or given_ok(n) or person_ok(n)):
                _add(ents, make("name", m.start("n"), m.end("n"), n, segment_id=t.seg.id, rule="name:honorific-spaced"))
        for m in _CUT_KANJI_NAME.finditer(text):
            joined = re.sub(r"[\s\u3000]", "", m.group("n"))
            if given_ok(joined) or all(given_ok(c) for c in joined):
                _add(ents, make("name", m.start("n"), m.end("n"), m.group("n"), segment_id=t.seg.id, rule="name:cut"))


def _listed_name_ok(word: str, kana_name_ok: Callable[[str], bool], given_ok: Callable[[str], bool],
                    name_shape_ok: Callable[[str], bool]) -> bool:
    if _NOT_KANA_NAME.match(word) or (_NOT_SAID_NAME.match(word) and len(word) > 1) or _COUNT_LEAD.match(word) \
            or _NOT_CHILD_NAME.match(word) or _KIN_WORD.match(word):
        return False
    if re.fullmatch(r"[ぁ-ん]+", word):
        return name_shape_ok(word)
    return given_ok(word) if re.match(r"[一-龯々]", word) else kana_name_ok(word)


def _kana_names(turns: Sequence[_Turn], ents: list[Any], make: Callable[..., Any],
                kana_name_ok: Callable[[str], bool], given_ok: Callable[[str], bool],
                name_shape_ok: Callable[[str], bool] = lambda w: False) -> None:
    """Kana given names the per-turn rules miss in spaced or dialect speech."""
    for k, t in enumerate(turns):
        text = t.seg.text
        for m in _NAMED_SPACED.finditer(text):
            n = m.group("n")
            if _NOT_KANA_NAME.match(n) or re.fullmatch(_FILLERS, n) or re.search(_VERB_END, n) or re.search(r"[のでもらはがをにへや]$|^(?:さん|ちゃん|くん|へ|を)", n) \
                    or not _KIN_OR_NAME.search(t.asked + text[:m.start()]):
                continue
            kanji = re.match("[一-龯々]", n) is not None
            if kanji and _COUNT_LEAD.match(n):
                continue  # 「一人っていう」
            if given_ok(n) if kanji else (kana_name_ok(n) or len(n) >= 3):
                _add(ents, make("name", m.start("n"), m.end("n"), n, segment_id=t.seg.id, rule="name:named-as"))
        for m in _KIN_IS_NAME.finditer(text):
            if _COUNT_LEAD.match(m.group("n")) or re.search(r"[るたいう]ん$", m.group("n")):
                continue  # 「息子は一人」「弟が 一人 いるんです」
            hira = re.fullmatch(r"[ぁ-ん]+", m.group("n")) is not None  # 「娘 が ひとり で ひなた です」: only after the count
            if (hira and m.group("c") and name_shape_ok(m.group("n"))) or (not hira and (
                    given_ok(m.group("n")) or re.fullmatch(r"[ァ-ヶー]+", m.group("n")) and (
                        kana_name_ok(m.group("n")) or _AGE_NEXT.match(text, m.end())))) \
                    or (hira and name_shape_ok(m.group("n")) and _AGE_NEXT.match(text, m.end())):  # 「息子は誠。」「弟は、そうた。4歳」
                _add(ents, make("name", m.start("n"), m.end("n"), m.group("n"), segment_id=t.seg.id, rule="name:named-as"))
        _reading_answer(turns, k, ents, make, kana_name_ok, name_shape_ok)
        for m in _KIN_PAUSED_NAME.finditer(text):
            if given_ok(m.group("n")) and not _COUNT_LEAD.match(m.group("n")):
                _add(ents, make("name", m.start("n"), m.end("n"), m.group("n"), segment_id=t.seg.id, rule="name:kinship"))
        for m in _KIN_OF_SPACED.finditer(text):  # the dictionary must know the word as a name (けいこ, not こと)
            if kana_name_ok(m.group("n")) and name_shape_ok(m.group("n")) and not _NOT_KANA_NAME.match(m.group("n")):
                _add(ents, make("name", m.start("n"), m.end("n"), m.group("n"), segment_id=t.seg.id, rule="name:kinship"))
        if (a := _NAME_THEN_AGE.match(text)) and name_shape_ok(a.group("n")) and _KIN_OR_NAME.search(t.asked) \
                and not _NOT_KANA_NAME.match(a.group("n")):
            _add(ents, make("name", a.start("n"), a.end("n"), a.group("n"), segment_id=t.seg.id, rule="name:before-age"))
            # 「お子さんは」「そうた 6歳 …」: the answer starts with the child's name and age
        for m in _READING_IS.finditer(text):  # 「読みはやまもとげんぞうさんで…」: a masked name's reading
            if any(x.type == "name" and x.segment_id in (t.seg.id, turns[max(0, k - 1)].seg.id) for x in ents):
                _add(ents, make("name", m.start("n"), m.end("n"), m.group("n"), segment_id=t.seg.id, rule="name:reading"))
        for m in _JAPANESE_READING.finditer(text):  # 「日本語読みだと、おう れいか」: a foreign name's Japanese reading
            if any(x.segment_id == t.seg.id and x.type == "name" for x in ents) or _NAME_Q.search(t.asked):
                _add(ents, make("name", m.start("n"), m.end("n"), m.group("n"), segment_id=t.seg.id, rule="name:reading"))
        for m in _SPACED_KANJI_SAN.finditer(text):  # 「葵 空 さん」: a full name in kanji, spaced, with its honorific
            if (given_ok(m.group("b")) or kana_name_ok(m.group("b")) or kana_name_ok(m.group("a"))) and not _ROLE_WORD.match(m.group("b")):
                _add(ents, make("name", m.start("a"), m.end("b"), text[m.start("a"):m.end("b")], segment_id=t.seg.id,
                                rule="name:honorific-spaced"))
        for m in _SPACED_SAN.finditer(text):  # 「さくら みう さん」: a full name in kana, spaced
            if all(name_shape_ok(m.group(g)) and not _KIN_WORD.match(m.group(g)) for g in ("a", "b")) and not m.group("a").startswith(("お", "ご")):
                _add(ents, make("name", m.start("a"), m.end("b"), text[m.start("a"):m.end("b")], segment_id=t.seg.id,
                                rule="name:honorific-spaced"))
        for m in _SPACED_CHAN.finditer(text):
            n = m.group("n")
            if _KIN_WORD.match(n) or _NOT_KANA_NAME.match(n) or re.search(_VERB_END, n):
                continue
            if m.group("h") == "さん" and (n[0] in "おご" or not (name_shape_ok(n) if re.match("[ぁ-ん]", n) else kana_name_ok(n))):
                continue  # 「きよ さん の 2軒 となり」, not 「おば さん」「みな さん」「ヘルパー さん」
            _add(ents, make("name", m.start("n"), m.end("n"), n, segment_id=t.seg.id, rule="name:honorific-spaced"))


# a name in Latin capitals as on a residence card (「SANTOS MARIA CRISTINA」「GURUNG SITA」)
_LATIN_NAME = re.compile(r"(?<![A-Za-z])(?:[A-Z]{2,}[\s\u3000]+){1,3}[A-Z]{2,}(?![A-Za-z])")
_LATIN_LETTERS = re.compile(r"(?<![A-Za-z])(?:[A-Z](?:[\s\u3000、,-]|、[\s\u3000]+)){3,}[A-Z](?![A-Za-z])")
_ACRONYMS = frozenset("ATM NPO DV JR ETC ID PDF LINE SNS URL OK TV PC USB ADHD LGBT NHK JA UR GPS FAX TEL NG QR HIV IT AI".split())
# a foreign name written with ・ between its parts (「ワン・リーファ」), in a turn about a name
_DOTTED_KATA = re.compile(r"(?<![ァ-ヶー・])[ァ-ヶー]{1,6}(?:・[ァ-ヶー]{1,6}){1,3}(?![ァ-ヶー・])")
# a name spelled out in katakana syllables (「グ、エ、ン、ティ、ラ、ン」)
_KANA_SPELLED = re.compile(r"(?<![ァ-ヶー])(?:[ァ-ヶ][ァィゥェォャュョー]?(?:[、,・\s\u3000][\s\u3000]*)){2,}[ァ-ヶ][ァィゥェォャュョー]?(?![ァ-ヶー])")


def _latin_and_spelled_names(turns: Sequence[_Turn], ents: list[Any], make: Callable[..., Any]) -> None:
    for t in turns:
        text = t.seg.text
        for m in _LATIN_NAME.finditer(text):
            words = m.group().split()
            if any(w in _ACRONYMS for w in words) or max(len(w) for w in words) < 4:
                continue
            _add(ents, make("name", m.start(), m.end(), m.group(), segment_id=t.seg.id, rule="name:latin"))
        if not (_NAME_Q.search(t.asked) or re.search(r"カタカナ|かたかな|名前|ローマ字|スペル|つづり|綴り|アルファベット", t.asked + text)
                or any(x.segment_id == t.seg.id and x.type == "name" for x in ents)):
            continue
        for m in _LATIN_LETTERS.finditer(text):  # 「ローマ字 P H A M T H I」: a name spelled letter by letter
            _add(ents, make("name", m.start(), m.end(), m.group(), segment_id=t.seg.id, rule="name:letters"))
        for m in _KANA_SPELLED.finditer(text):
            _add(ents, make("name", m.start(), m.end(), m.group(), segment_id=t.seg.id, rule="name:kana-letters"))
        for m in _DOTTED_KATA.finditer(text):
            _add(ents, make("name", m.start(), m.end(), m.group(), segment_id=t.seg.id, rule="name:dotted"))


_COMPANY = re.compile(r"(?:株式会社|有限会社|合同会社|（株）|\(株\))[\s\u3000]*[一-龯々ァ-ヶーA-Za-zＡ-Ｚ]{1,14}"
                      r"|(?<![ァ-ヶー])[一-龯々ァ-ヶA-Za-zＡ-Ｚ][一-龯々ァ-ヶーA-Za-zＡ-Ｚ]{0,13}(?:株式会社|有限会社|（株）|\(株\))")


# a family business named after its owner (丸山運輸, 佐藤工務店): the surname is the identifying part
_TRADE = re.compile(r"(?<![一-龯々])(?P<s>[一-龯々]{2,3})(?:運輸|運送|建設|工業|工務店|商店|製作所|産業|興業|電機|"
                    r"電気|物流|食品|鉄工所?|水産|農園|不動産|商事|物産|精機|塗装|板金|自動車|設備|土木|造園|酒店|"
                    r"精肉店?|鮮魚店|青果|印刷|クリーニング)(?![一-龯々])")


# a companion who introduces themselves with their organisation (「NPO『つなぐ』の佐伯です」「留学生で、小林です」)
# (「…のケアマネジャー、桑原です」「民生委員 やってます てらおか です」)
_AFFILIATED_INTRO = re.compile(r"(?:の|で、|で|(?<=[ァ-ヶー一-龯々])、|いる|てる|てます|てまして|しよる|しとる|しちょる|やっとる|やりよる)[\s\u3000]*"
                               r"(?P<n>[一-龯々]{2,4}|[ぁ-ん]{3,6})[\s\u3000]*(?:です|と申します|といいます|でございます)(?=[。、！!\s\u3000]|$)")


def _affiliated_intros(turns: Sequence[_Turn], ents: list[Any], make: Callable[..., Any],
                       surname_ok: Callable[[str], bool], name_shape_ok: Callable[[str], bool] = lambda w: False,
                       common_word: Callable[[str], bool] = lambda w: True,
                       kana_name_ok: Callable[[str], bool] = lambda w: False) -> None:
    for t in turns:
        if t.seg.speaker == "staff":
            continue
        for m in _AFFILIATED_INTRO.finditer(t.seg.text):
            n = m.group("n")  # a kana surname only where the dictionary has no word for it (てらおか, not よろしく)
            kana_ok = re.fullmatch(r"[ぁ-ん]+", n) is not None and name_shape_ok(n) and not common_word(n) \
                and not _NOT_KANA_NAME.match(n) and not n.startswith(("でい", "でも", "でし", "でな", "でよ")) and (re.search(r"(?:てます|てまして)[\s\u3000]+$", t.seg.text[:m.start("n")]) is not None or (
                    kana_name_ok(n) and re.search(r"[ァ-ヶー一-龯々]、[\s\u3000]*$", t.seg.text[:m.start("n")]) is not None))
            if (kana_ok or (re.match(r"[一-龯々]", n) and surname_ok(n))) and not _NOT_WRITTEN_NAME.match(n) \
                    and not _overlaps(ents, t.seg.id, m.start("n"), m.end("n")):  # 「漢字の一文字です」: how it is written
                ents.append(make("name", m.start("n"), m.end("n"), m.group("n"), segment_id=t.seg.id, rule="name:introduced"))


def _companies(turns: Sequence[_Turn], ents: list[Any], make: Callable[..., Any],
               surname_ok: Callable[[str], bool]) -> None:
    """A company named by the citizen with its legal form, or a trade after a surname: where they or their
    family work identifies them."""
    for t in turns:
        if t.seg.speaker == "staff":
            continue
        found = list(_COMPANY.finditer(t.seg.text))
        found += [m for m in _TRADE.finditer(t.seg.text) if surname_ok(m.group("s"))]
        for m in found:
            if not _overlaps(ents, t.seg.id, m.start(), m.end()):
                ents.append(make("name", m.start(), m.end(), m.group(), segment_id=t.seg.id, rule="name:company"))


def _siblings(turns: Sequence[_Turn], ents: list[Any], make: Callable[..., Any],
              kana_name_ok: Callable[[str], bool], name_shape_ok: Callable[[str], bool] = lambda w: False,
              common_word: Callable[[str], bool] = lambda w: False) -> None:
    """Children named by their order in a turn about children: a word the dictionary allows as a name,
    or a kana word of three or more characters that is no verb or adjective."""
    for t in turns:
        text = t.seg.text
        if t.seg.speaker == "staff" or not (_CHILD_TALK.search(text) or _CHILD_TALK.search(t.asked)):
            continue
        for m in _SIBLING.finditer(text):
            n = m.group("n")
            kana = re.fullmatch(r"[ぁ-ん]+", n) is not None
            if _NOT_CHILD_NAME.match(n) or re.fullmatch(_FILLERS, n) or (kana and m.start("n") == m.end() - len(n) and re.match(r"(?:上|下)が[るりっられろ]", text[m.start():])):
                continue  # 「上がってしまう」「下がるんです」: the verb, not a child
            # a child's name in kanji after 上の子が/下が is a name even when it is also a word (空, 海)
            kanji = re.fullmatch(r"[一-龯々]{1,2}", n) is not None and re.match(r"[\s\u3000]*(?:で|です|、|。|ちゃん|くん|$)",
                                                                            text[m.end("n"):]) is not None
            if re.fullmatch(r"[一-龯々]{2}", n) and common_word(n):
                continue  # 「長男が東京で」「上が地元で」: a place, a word
            asked_name = kana and bool(_NAME_Q.search(t.asked)) and not _VERB_LIKE.search(n)  # 「お名前は」「下 が めい です」
            if not (kana_name_ok(n) or kanji or asked_name or (kana and len(n) >= 3 and not _VERB_LIKE.search(n))
                    or (kana and name_shape_ok(n) and re.search(r"(?:歳|才|月|年生?|年[少中長]|[小中高][0-9０-９一二三四五六])[\s\u3000]*の[\s\u3000]*$", text[:m.start("n")]))):
                continue
            if not _overlaps(ents, t.seg.id, m.start("n"), m.end("n")):
                ents.append(make("name", m.start("n"), m.end("n"), n, segment_id=t.seg.id, rule="name:sibling"))


_AND_AFTER = re.compile(r"^[\s\u3000]*と[\s\u3000、,]*(?P<n>[一-龯々]{1,3}|[ァ-ヶー]{2,6}|[ぁ-ん]{2,5}?)"
                        r"(?=[\s\u3000]*(?:です|で[\s\u3000、。]|で$|や[\s\u3000、。]|だ[\s\u3000、。]|[。、,]|$))")
_AND_BEFORE = re.compile(r"(?:^|(?<=[\s\u3000、,。はが]))(?P<n>[一-龯々]{1,3}|[ァ-ヶー]{2,6}|[ぁ-ん]{2,5})[\s\u3000]*と[\s\u3000]*$")
# 「お母さんが「つばさ」と呼んでいる」: a word in quotes that someone is called by
_CALLED = re.compile(r"「(?P<n>[ぁ-んァ-ヶー一-龯々]{1,6}?)(?:ちゃん|くん|君|さん)?」[\s\u3000]*(?:と|って)[\s\u3000]*(?:呼|よ)[ぶびばん]")


def _listed_with_names(turns: Sequence[_Turn], ents: list[Any], make: Callable[..., Any],
                       name_shape_ok: Callable[[str], bool], person_ok: Callable[[str], bool],
                       common_word: Callable[[str], bool]) -> None:
    """「■ と れん」「蓮 と ■」: in a citizen's turn about children or names, a word joined by と to a masked
    name is a name too, when it may be one; and a word in quotes someone is called by."""
    for t in turns:
        text = t.seg.text
        for m in _CALLED.finditer(text):
            if not _KIN_WORD.match(m.group("n")) and not _overlaps(ents, t.seg.id, m.start("n"), m.end("n")):
                ents.append(make("name", m.start("n"), m.end("n"), m.group("n"), segment_id=t.seg.id, rule="name:called"))
        if t.seg.speaker == "staff" or not (_CHILD_TALK.search(t.asked + text) or _NAME_Q.search(t.asked)):
            continue
        for x in [x for x in ents if x.segment_id == t.seg.id and x.type == "name"]:
            for m, off in ((_AND_AFTER.match(text[x.end:]), x.end), (_AND_BEFORE.search(text[:x.start]), 0)):
                if m is None:
                    continue
                n, s0 = m.group("n"), off + m.start("n")
                if _NOT_CHILD_NAME.match(n) or _KIN_WORD.match(n) or _NOT_KANA_NAME.match(n) or _COUNT_LEAD.match(n):
                    continue
                kanji = re.fullmatch(r"[一-龯々]+", n) is not None
                if (kanji and not (person_ok(n) or (len(n) <= 2 and not common_word(n)))) or \
                        (not kanji and (_VERB_LIKE.search(n) or not (name_shape_ok(n) or re.fullmatch(r"[ァ-ヶー]+", n)))):
                    continue
                if not _overlaps(ents, t.seg.id, s0, s0 + len(n)):
                    ents.append(make("name", s0, s0 + len(n), n, segment_id=t.seg.id, rule="name:listed"))


# 「岡田 ま さ と って いいます」「平野 の り こ です」: a kana given name the recogniser cut into single characters
_SPACED_KANA_GIVEN = re.compile(r"^[\s\u3000]+(?P<g>[ぁ-ん](?:[\s\u3000][ぁ-ん]){1,3})"
                                r"(?=[\s\u3000]*(?:です|(?:って|と)[\s\u3000]*(?:申|もう|いい|言|ゆう|呼)|や[\s\u3000。、]|だ[\s\u3000。、]|[。、]|$))")


def _spaced_kana_given_names(turns: Sequence[_Turn], ents: list[Any], name_shape_ok: Callable[[str], bool]) -> None:
    for t in turns:
        text = t.seg.text
        for x in [x for x in ents if x.segment_id == t.seg.id and x.type == "name"]:
            m = _SPACED_KANA_GIVEN.match(text[x.end:])
            if m and name_shape_ok(re.sub(r"[\s\u3000]", "", m.group("g"))) and not _overlaps(ents, t.seg.id, x.end, x.end + m.end("g")):
                x.end += m.end("g")


def _dotted_names(turns: Sequence[_Turn], ents: list[Any]) -> None:
    """「リン・メイファ」: a katakana word joined by ・ to a masked katakana name is part of the name."""
    for t in turns:
        text = t.seg.text
        for e in [x for x in ents if x.segment_id == t.seg.id and x.type == "name"]:
            m = _KATA_JOINED.search(text[:e.start])
            if m and re.match(r"[ァ-ヶー]", text[e.start:e.start + 1]) and not _overlaps(ents, t.seg.id, m.start(), e.start):
                e.start = m.start()
            after = _KATA_JOINED_AFTER.match(text, e.end)  # 「グエン・ヴァン・ナム」: the parts after it too
            if after and after.end() > e.end and re.search(r"[ァ-ヶー]$", text[e.start:e.end]) \
                    and not _overlaps(ents, t.seg.id, e.end, after.end()):
                e.end = after.end()


# names the per-turn pass has not spread
_SPOKEN_NAME_RULES = ("name:over-turns", "name:given-after-pause", "name:named-as", "name:honorific-spaced", "name:sibling",
                      "name:in-passing", "name:read-as", "name:answer")
_OWNER_AFTER = re.compile(r"本人|自身|名義|宛")  # 「俊介本人も」「健一宛て」
_HIRA_AFTER_NAME = ("くん", "ちゃん", "さん", "です", "って", "と", "や", "の", "に", "は", "が", "も", "を", "で")


_HIRA_GIVEN_AFTER = re.compile(r"(?P<g>[ぁ-ん]{2,4})(?=[\s\u3000、。]|です|$)")


def _repeat_names(turns: Sequence[_Turn], ents: list[Any], make: Callable[..., Any], given: set[str] = frozenset(),
                  name_shape_ok: Callable[[str], bool] = lambda w: False) -> None:
    """A name word found by this pass (or widened over ・) is masked wherever else it stands as a word of its own
    (「リン、です。リン・メイファ。」): katakana and kanji words of two or more characters."""
    words = {w for t in turns for x in ents if x.segment_id == t.seg.id and x.type == "name"
             and (x.rule in _SPOKEN_NAME_RULES or "・" in t.seg.text[x.start:x.end])
             for w in re.split(r"[・\s\u3000、]+", t.seg.text[x.start:x.end])
             if (len(w) >= 2 and re.fullmatch(r"[ァ-ヶー]+|[一-龯々]+", w)) or (len(w) >= 3 and re.fullmatch(r"[ぁ-ん]+", w))}
    words |= {w for w in given if len(w) >= 2}
    single = {w for w in given if re.fullmatch(r"[一-龯々]", w)}  # 「誠も」: a one-kanji given name, before a particle only
    single |= {t.seg.text[x.start:x.end].strip() for t in turns for x in ents if x.segment_id == t.seg.id
               and x.type == "name" and x.rule in _SPOKEN_NAME_RULES
               and re.fullmatch(r"[\s\u3000]*[一-龯々][\s\u3000]*", t.seg.text[x.start:x.end])}  # 「上が蓮で」
    for t in turns:
        text = t.seg.text
        for w in sorted(words | single, key=len, reverse=True):
            for m in re.finditer(re.escape(w), text):
                s, e = m.start(), m.end()
                if w in single and (re.match(r"[一-龯々]", text[s - 1:s] or " ") or not re.match(r"(?:も|は|が|を|に|と|の|くん|ちゃん|です)", text[e:])
                                    or re.match(r"[一-龯々]", text[e:e + 1] or " ")):
                    continue
                if re.match("[ぁ-ん]", w):  # a kana name between particles (「■■とそうたを」)
                    if re.match("[ぁ-ん]", text[e:e + 1] or " ") and (whole := _HIRA_GIVEN_AFTER.match(text, e)) \
                            and not re.match("[ぁ-ん]", text[s - 1:s] or " ") and name_shape_ok(whole.group("g")):
                        e = whole.end("g")  # 「なかしまゆうと」: the family name said again with the given name
                    elif (re.match("[ぁ-ん]", text[s - 1:s] or " ") and text[s - 1] not in "とやのにはがもを") or \
                            (re.match("[ぁ-ん]", text[e:e + 1] or " ") and not text.startswith(_HIRA_AFTER_NAME, e)):
                        continue
                else:
                    script = ("[ァ-ヶー]" if re.fullmatch("[ァ-ヶー]+", w) else
                              "[一-龯々]" if re.fullmatch("[一-龯々]+", w) else "[一-龯々ァ-ヶー]")
                    if re.match(script, text[s - 1:s] or " ") or (re.match(script, text[e:e + 1] or " ")
                                                                   and not _OWNER_AFTER.match(text, e)):
                        continue
                if not _overlaps(ents, t.seg.id, s, e):
                    ents.append(make("name", s, e, text[s:e], segment_id=t.seg.id, rule="name:same-as-earlier"))


def _digit_string(text: str) -> str:
    """The digits a spoken or written run says, in ASCII (「〇九〇の、いち」 → 0901)."""
    return "".join(str(v) for d in re.findall(_DIGIT, text) if (v := digit_value(d)) is not None)


_REST_OF = re.compile(r"(?:残り|のこり|最後|さいご|続き|つづき|後半|下[のの]?桁|あと)(?:の[^。？?]{0,4})?(?:は|が|[\s\u3000、,])*$")


def _number_digits(text: str) -> str:
    """The digits of the numbers in an entity's text (a bank or a word like 大家さん before them has none)."""
    return "".join(d for m in _RUN.finditer(text) if len(d := _digit_string(m.group())) >= 2)


_DIG = rf"(?:[0-9０-９〇一二三四五六七八九]|{_KANA_DIGIT})"


# after a number: its last group said again (「807や。807。」) or corrected (「0497です。あ、違う、0479。」)
_SLIP = (rf"(?:{_CORRECTION}|(?:あっ?|いや|いえ)?[\s\u3000、,]*(?:ちが(?=[、,\s\u3000…])|じゃ[\s\u3000]+なくて|あれ(?=[、,\s\u3000…])|"
         r"(?:ちょっと)?待ってな?)"
         r"|(?<=[\s\u3000、,…。])(?:あっ?[\s\u3000、,]*)?(?:いや|いえ)(?=[\s\u3000、,])"  # 「。あ、いや、7704です」
         r"|(?<=[\s\u3000、,…。])あっ?(?=[\s\u3000、,]))")
_GROUP_AGAIN = re.compile(rf"^[\s\u3000]*(?:です|でした|や|だ|ね|よ)?(?:[\s\u3000、。,…の]|{_FILLERS})*(?P<c>{_SLIP}(?:です)?(?:[\s\u3000、。,…]|{_FILLERS})*)?"
                          r"(?:(?:最後|さいご|後ろ|うしろ)(?:の[\s\u3000]*[0-9０-９一二三四][\s\u3000]*桁)?(?:は|が|の)?[\s\u3000、,]*)?"  # 「あ 最後 3082 でした」
                          rf"(?P<g>{_DIG}(?:(?:[\s\u3000]?|…+){_DIG}){{1,4}})(?![\s\u3000]?{_DIG})(?=[\s\u3000、。,…]|です|や|だ|ね|$)")
_LAST_GROUP = re.compile(rf"(?P<g>{_DIG}(?:[\s\u3000]?{_DIG}){{0,3}})(?:[\s\u3000]*(?:号室|号))?$")


def _numbers_said_again(turns: Sequence[_Turn], ents: list[Any]) -> None:
    """A number's last group said once more right after it, the same or — after a correction — another of
    the same length, is part of that number (the group a listener would write down)."""
    for t in turns:
        text = t.seg.text
        for x in [e for e in ents if e.segment_id == t.seg.id and e.type in (*_NUMBER_KINDS, "address")]:
            last = _LAST_GROUP.search(text[x.start:x.end])
            m = _GROUP_AGAIN.match(text[x.end:]) if last else None
            if m is None or _UNIT_AFTER.match(text[x.end + m.end():x.end + m.end() + 4]):
                continue
            before, again = _digit_string(last.group("g")), _digit_string(m.group("g"))  # type: ignore[union-attr]
            same = len(before) >= 2 and again == before
            slip = bool(m.group("c")) and len(before) <= len(again) <= max(len(before) + 1, 4)  # 「1…あ、ちが、2196」
            if not (same or slip):
                continue
            if _overlaps([e for e in ents if e is not x], t.seg.id, x.end, x.end + m.end()):
                continue
            x.end += m.end("g")
            x.text = text[x.start:x.end]


_ROOM_SAID = re.compile(rf"(?<![0-9０-９〇一二三四五六七八九])(?P<g>{_DIG}(?:[\s\u3000]?{_DIG}){{2,3}})(?![\s\u3000]?{_DIG})"
                        rf"(?=[\s\u3000]*(?:号室|号|ですね|です|[、。]|$))")


def _room_echoes(turns: Sequence[_Turn], ents: list[Any], make: Callable[..., Any]) -> None:
    """The room number of an address read back in the next turns (「807号室。ご連絡先は」) is masked with it."""
    index = {t.seg.id: k for k, t in enumerate(turns)}
    for x in [e for e in ents if e.type == "address"]:
        k0 = index.get(x.segment_id)
        last = _LAST_GROUP.search(x.text or "")
        room = _digit_string(last.group("g")) if last else ""
        if k0 is None or len(room) < 3:
            continue
        for t in turns[k0 + 1:k0 + 4]:
            for m in _ROOM_SAID.finditer(t.seg.text):
                if _digit_string(m.group("g")) == room and not _overlaps(ents, t.seg.id, m.start("g"), m.end("g")):
                    x.group = x.group or f"address:{x.segment_id}:{x.start}"
                    ents.append(make("address", m.start("g"), m.end("g"), m.group("g"), segment_id=t.seg.id,
                                     rule="address:room-echo", group=x.group))


def _echoes(turns: Sequence[_Turn], ents: list[Any], make: Callable[..., Any]) -> None:
    """A number said again — read back by the staff (「3371ですね」) or finished later (「続きは5561です」) —
    is masked like the number it repeats: a run of three or more digits found inside a masked number
    of the same conversation (three digits only within three turns of it; four or more anywhere)."""
    index = {t.seg.id: k for k, t in enumerate(turns)}
    known = [(x, _number_digits(x.text), index.get(x.segment_id, -99)) for x in ents if x.type in _NUMBER_KINDS]
    pieces: dict[str, list[tuple[int, int, str]]] = {}
    for x, d, k in known:
        if x.group:
            pieces.setdefault(x.group, []).append((k, x.start, d))
    whole = {g: "".join(d for _k, _s, d in sorted(v)) for g, v in pieces.items()}  # a number said in breaths
    known = [(x, whole.get(x.group, d) if x.group else d, k) for x, d, k in known]
    per_turn: dict[int, list[tuple[int, str, Any]]] = {}
    for x, d, k in known:
        per_turn.setdefault(k, []).append((x.start, d, x))
    for k, v in per_turn.items():  # 記号 and 番号 said in one breath, read back as one number
        if len(v) > 1:
            v.sort(key=lambda z: z[0])
            known.append((v[0][2], "".join(d for _s, d, _x in v), k))
    known = [(x, d, k) for x, d, k in known if len(d) >= 3]
    for k, t in enumerate(turns):
        text = t.seg.text
        for m0 in _RUN.finditer(text):
            m = _trimmed(m0)
            if m is None:
                continue
            d = _digit_string(m.group())
            # 「240815号ですね」: a card's number read back with its 号 is still that number
            card_again = _CARD_TAIL.match(text, m.end()) is not None and any(
                len(d) >= 4 and d == digits for _x, digits, _k in known)
            if _UNIT_AFTER.match(text[m.end():m.end() + 4]) and not _card_number(text, m.start(), m.end()) and not card_again:
                continue
            inside = _overlaps(ents, t.seg.id, m.start(), m.end())
            if any(x.type not in ("name", *_NUMBER_KINDS) or x.start < m.start() or x.end > m.end() for x in inside):
                continue  # a name (なな) or part of the number read alone inside the run gives way to it
            if _REST_OF.search(text[:m.start()]):  # 「残りが9913です」: the rest of the speaker's last number
                src = next((x for x, _d, kx in reversed(known) if 0 < k - kx <= 4
                            and "staff" not in (turns[kx].seg.speaker, t.seg.speaker)), None)
                if src is not None:
                    for x in inside:
                        ents.remove(x)
                    ents.append(make(src.type, m.start(), m.end(), m.group(), segment_id=t.seg.id,
                                     rule=f"{src.type}:rest", group=src.group))
                    continue
            src = next((x for x, digits, kx in known if len(d) >= 3 and d in digits and (len(d) >= 4 or abs(kx - k) <= 3)), None)
            if src is not None:
                for x in inside:
                    ents.remove(x)
                ents.append(make(src.type, m.start(), m.end(), m.group(), segment_id=t.seg.id, rule=f"{src.type}:echo",
                                 group=src.group))


# a local number without its area code, said in two groups after the word 電話 (「家の電話で 七七 の 一二〇三」
# 「電話 は ろく に の よん よん さん きゅう」): two to four digits, then four
_LOCAL_PHONE = re.compile(rf"(?:^|(?<=[\s\u3000、,はでがも]))(?<![0-9０-９〇一二三四五六七八九][\s\u3000]の[\s\u3000])(?<![0-9０-９][-‐−－ー])(?P<n>{_DIG}(?:[\s\u3000]?{_DIG}){{1,3}}[\s\u3000]*(?:の|[-‐−－ー])[\s\u3000、,]*"
                          rf"{_DIG}(?:[\s\u3000]?{_DIG}){{3}})(?![\s\u3000]?{_DIG}|[\s\u3000]*(?:の|[-‐−－ー])[\s\u3000]*{_DIG})")


def _local_phones(turns: Sequence[_Turn], ents: list[Any], make: Callable[..., Any]) -> None:
    """A home number said without its area code, in a turn that names the telephone or answers a
    question for it: a phone number, wherever the per-turn rules saw only its four last digits."""
    for t in turns:
        text = t.seg.text
        if not (_PHONE.search(text) or _PHONE.search(t.asked)):
            continue
        for m in _LOCAL_PHONE.finditer(text):
            if _UNIT_AFTER.match(text[m.end():m.end() + 4]) or _digits(m.group("n")) < 6 or office_number(text, m.start("n")):
                continue  # a count or an amount; an office's number (「窓口の直通は…」) is public
            _add(ents, make("phone", m.start("n"), m.end("n"), m.group("n"), segment_id=t.seg.id, rule="phone:local"))


_DATE_SPAN = re.compile(rf"(?:{_ERA}|(?:19|20)(?=[0-9]{{2}}))[\s\u3000、,…]*(?:{_FILLERS}[\s\u3000、,…]*)?[0-9０-９一二三四五六七八九十元]{{1,4}}{_S}年"
                        rf"(?:{_GAP}{_NUMK}{_S}月(?:{_GAP}{_NUMK}{_S}日)?)?|{_NUMK}{_S}月{_GAP}{_NUMK}{_S}日")


_FULL_DATE_LEAD = re.compile(rf"^(?:{_FILLERS}|はい|ええ|[\s\u3000、,…])*(?P<d>(?:{_ERA}|(?:19|20)(?=[0-9]{{2}}))"
                             rf"{_S}[0-9０-９一二三四五六七八九十元]{{1,4}}{_S}年{_GAP}{_NUMK}{_S}月{_GAP}{_NUMK}{_S}日)")


def _flat(text: str) -> str:
    return re.sub(rf"{_FILLERS}|[\s\u3000、,…の]", "", text)


def _date_echoes(turns: Sequence[_Turn], ents: list[Any], make: Callable[..., Any]) -> None:
    """A date of birth read back in the next turns (「昭和三十七年、はい」) is masked with it, and so is
    its day when the next turn — a companion's, or the speaker's next breath — completes it."""
    index = {t.seg.id: k for k, t in enumerate(turns)}
    for x in [e for e in ents if e.type == "birthdate"]:
        k0 = index.get(x.segment_id)
        if k0 is None:
            continue
        key = _flat(x.text)
        if not re.search(rf"(?:日|にち|{_KANA_DAY})$", x.text) and k0 + 1 < len(turns):
            t = turns[k0 + 1]
            head = _MD_HEAD.match(t.seg.text)
            if head and not _overlaps(ents, t.seg.id, 0, head.end()):
                s0 = _ONLY_FILLERS.match(t.seg.text).end()  # type: ignore[union-attr]
                ents.append(make("birthdate", s0, head.end(), t.seg.text[s0:head.end()], segment_id=t.seg.id,
                                 rule="birthdate:completed", group=x.group))
        if k0 + 1 < len(turns):  # the whole date read back at once in the next turn, in other numerals
            t = turns[k0 + 1]
            m = _FULL_DATE_LEAD.match(t.seg.text)
            if m and not _overlaps(ents, t.seg.id, m.start("d"), m.end("d")):
                ents.append(make("birthdate", m.start("d"), m.end("d"), m.group("d"), segment_id=t.seg.id,
                                 rule="birthdate:echo", group=x.group))
        for t in turns[k0 + 1:k0 + 3]:
            for m in _DATE_SPAN.finditer(t.seg.text):
                if len(_flat(m.group())) >= 3 and _flat(m.group()) in key and not _overlaps(ents, t.seg.id, m.start(), m.end()):
                    ents.append(make("birthdate", m.start(), m.end(), m.group(), segment_id=t.seg.id,
                                     rule="birthdate:echo", group=x.group))


# 「太陽の陽に、飛翔の翔」「田んぼの 田に 中」: how a name is written, explained by words that contain its
# characters — it spells the name out as surely as the name itself
_EXPLAINED_CHAR = re.compile(r"の[\s\u3000]*(?P<c>[一-龯々]{1,2}?)(?![一-龯々])")
_NEXT_CHAR = re.compile(r"^[\s\u3000]*(?:に|、|,|と)[\s\u3000]*(?P<c>[一-龯々])(?:(?![はがをもでのとにやだ])[ぁ-ん]?[いうくすつぬぶむる])?(?=[\s\u3000]*(?:です|。|、|$))")  # 「和に 代わる」


def _word_before(text: str, pos: int) -> int:
    """Start of the word that ends at ``pos`` (a run of one script, kanji with its okurigana)."""
    j = pos
    while j > 0 and pos - j < 8 and re.match(r"[一-龯々ァ-ヶーぁ-ん]", text[j - 1]):
        j -= 1
    return j


_LETTER = (r"(?:エー|エイ|ビー|シー|ディー|デー|イー|エフ|ジー|エイチ|エッチ|アイ|ジェー|ジェイ|ケー|ケイ|エル|エム|エヌ|オー|"
           r"ピー|キュー|アール|エス|ティー|テー|ユー|ブイ|ヴィー|ダブリュー|エックス|ワイ|ゼット|ズィー)")
_SPELLED_LETTERS = re.compile(rf"(?<![ァ-ヶー]){_LETTER}(?:[\s\u3000、,・]+{_LETTER}){{2,}}(?![ァ-ヶー])")


# how a name is read or written (「ここあって読む」「正しい男って書いてまさお」「カタカナでトシ」)
_READING = re.compile(r"(?P<r>[ぁ-んァ-ヶー]{2,8}?)[」』]?[、,\s\u3000]*(?:って|と)[\s\u3000]*(?:読|よ[むみ])|"
                      r"(?:書いて|かいて)[\s\u3000、,]*(?!あ[るり]|い[るま]|な[いく]|も|ます|くだ|ね)"
                      r"(?P<r2>[ぁ-んァ-ヶー]{2,8}?)(?=[\s\u3000。、,]|です|$)|"
                      r"(?:カタカナ|かたかな|片仮名|ひらがな|平仮名)(?:で|の)[\s\u3000、,]*(?P<r3>[ぁ-んァ-ヶー]{2,8}?)(?=[\s\u3000。、,]|です|$)")


# a name written out as a list of the words or parts that give its characters, in a turn about the name
# (「我妻に 茂る 男」「五百に 旗に 頭」「良い に 太い」「木へんに 南 の 楠 に 木」「数字の 三に 戸棚の 戸」)
_RADICAL = (r"(?:木へん|きへん|さんずい|にんべん|くさかんむり|たけかんむり|いとへん|糸へん|ごんべん|言偏|てへん|しんにょう|"
            r"うかんむり|おんなへん|女へん|ひへん|日へん|つちへん|土へん|こざとへん|おおざと|りっしんべん|しめすへん|のぎへん|"
            r"かねへん|金へん|やまへん|山へん|いしへん|石へん|こめへん|米へん|ふるとり|まだれ|がんだれ|あめかんむり|くちへん|口へん|"
            r"ころもへん|衣へん|ぎょうにんべん|けものへん|ゆみへん|おうへん|王へん|たまへん|つきへん|月へん|めへん|目へん|"
            r"うまへん|馬へん|くるまへん|車へん|むしへん|虫へん|かいへん|貝へん|あしへん|足へん|しょくへん|食へん|"
            r"おおがい|りっとう|れっか|れんが|したごころ|あなかんむり|わかんむり|なべぶた|ひとやね|しかばね|えんにょう|"
            r"草かんむり|竹かんむり|雨かんむり|穴かんむり|人べん|言べん|手へん|示へん|[木糸言手金山女日土石米口衣王月目馬車虫貝足食火人]偏)")
_SPELL_ITEM = (rf"(?:{_RADICAL}[\s\u3000]*(?:に|の)[\s\u3000]*)?(?:[一-龯々ぁ-んァ-ヶー]{{1,6}}?[\s\u3000]*の[\s\u3000]*)?"
               r"[一-龯々]{1,3}(?:しい|[いるせきくしうすつむぶ](?![ぁ-ん]))?")
_SPELL_SEP = r"(?:[\s\u3000、,]*(?:に|と|、)[\s\u3000、,]*|[\s\u3000]+)"
_SPELL_SEQ = re.compile(rf"(?<![一-龯々ぁ-ん]){_SPELL_ITEM}(?:{_SPELL_SEP}{_SPELL_ITEM}){{1,4}}")
_SPELL_CUE = re.compile(r"字は|字が|漢字|どう[\s\u3000]*書|どんな[\s\u3000]*字|"
                        r"(?:って|と)[\s\u3000]*書(?!いて[\s\u3000]*(?:もら|あ[るりっ]|くだ|い[るまた]|おい|ほし)|かな|かれ|け)")  # not 「書いてもらいます」
# where a spelling starts: the turn's start, or right after the name (and 「字は」)
_SPELL_LEAD = re.compile(rf"(?:^|[。、]|です|[\s\u3000]*(?:の)?(?:字|漢字)[\s\u3000]*(?:は|が|で|を)?)(?:{_FILLERS}|はい|ええ|[\s\u3000、,])*$")
_VERB_TAIL = re.compile(r"[\s\u3000]*(?:[はがを]|(?!に|と|で|って|や|じゃ|だ)[ぁ-ん])")
_SPELL_END = re.compile(r"^[\s\u3000]*(?:です|で[\s\u3000、。]|で$|って|と書|書|。|、|$|や|じゃ|だ)")
_SPELL_STOP = re.compile(r"^(?:住所|電話|番号|名前|字|漢字|生年月日|今|前|家|年|月|日)$")


def _spelled_sequences(turns: Sequence[_Turn], ents: list[Any], make: Callable[..., Any], chars: set[str]) -> None:
    for t in turns:
        text = t.seg.text
        named = any(x.segment_id == t.seg.id and x.type == "name" for x in ents)
        cue = bool(_SPELL_CUE.search(text) or _SPELL_CUE.search(t.asked))
        if t.seg.speaker == "staff" or not (named or cue or _NAME_Q.search(t.asked)):
            continue
        for m in _SPELL_SEQ.finditer(text):
            items = [(i.start(), i.end()) for i in re.finditer(_SPELL_ITEM, m.group())]
            popped = False
            while items and (_SPELL_STOP.match(re.sub(r"[ぁ-ん]+$", "", m.group()[items[-1][0]:items[-1][1]]))
                             or _VERB_TAIL.match(text[m.start() + items[-1][1]:])):
                items.pop()  # 「…男 住所は」「…頭 書きます」: a new clause starts
                popped = True
            if len(items) < 2:
                continue
            s0, e0 = m.start() + items[0][0], m.start() + items[-1][1]
            before = [x for x in ents if x.segment_id == t.seg.id and x.type == "name" and x.end <= s0]
            lead_from = max((x.end for x in before), default=0)
            topic = bool(before) and re.fullmatch(r"[\s\u3000]*は[\s\u3000、,]*", text[lead_from:s0]) is not None  # 「たくみ は 開拓の 拓 に 海」
            kana = max(before, key=lambda x: x.end).text if before else ""
            topic = topic or (re.fullmatch(r"[ぁ-んァ-ヶー]{2,8}", str(kana)) is not None  # 「ゆい 結ぶ に 衣 で」: a kana name, then its characters
                              and re.fullmatch(r"[\s\u3000、,]*", text[lead_from:s0]) is not None and _NAME_Q.search(t.asked) is not None
                              and any(re.search(r"[一-龯々][ぁ-ん]|の", m.group()[a:b]) for a, b in items))  # (not 「第二 中学」)
            if not (topic or _SPELL_LEAD.search(text[lead_from:s0])) or not (popped or _SPELL_END.match(text[e0:])):
                continue
            heads = [re.findall(r"[一-龯々]+", m.group()[a:b])[-1] for a, b in items]
            known = sum(1 for h in heads if set(h) & chars)
            if known >= 2 or ((cue or topic) and sum(len(h) for h in heads) <= 8):
                _add(ents, make("name", s0, e0, text[s0:e0], segment_id=t.seg.id, rule="name:spelled"))


# a name given as how it is written (「漢字では湊と書きます」「字は、杏って書きます」)
_WRITTEN_AS = re.compile(r"(?:漢字(?:では|で|は|だと)|字は)[\s\u3000、,]*(?P<n>[一-龯々]{1,4})[\s\u3000]*(?:と|って)[\s\u3000]*書(?:きます|く|いて)")


def _name_spellings(turns: Sequence[_Turn], ents: list[Any], make: Callable[..., Any],
                    kana_name_ok: Callable[[str], bool] = lambda w: True) -> None:
    """A name spelled out: letter by letter, read aloud, or character by character through words that
    contain them."""
    for t in turns:
        if any(x.segment_id == t.seg.id and x.type == "name" for x in ents) or _NAME_Q.search(t.asked):
            for m in _SPELLED_LETTERS.finditer(t.seg.text):
                _add(ents, make("name", m.start(), m.end(), m.group(), segment_id=t.seg.id, rule="name:letters"))
            for m in _WRITTEN_AS.finditer(t.seg.text):
                _add(ents, make("name", m.start("n"), m.end("n"), m.group("n"), segment_id=t.seg.id, rule="name:written"))
            for m in _READING.finditer(t.seg.text):
                g = next(k for k in ("r", "r2", "r3") if m.group(k))
                word = m.group(g)
                if word not in ("カタカナ", "ひらがな", "かたかな") and not _VERB_LIKE.search(word) and (
                        kana_name_ok(word) or re.fullmatch(r"[ァ-ヶー]+", word) or g == "r"):  # 「りく、って読みます」
                    _add(ents, make("name", m.start(g), m.end(g), m.group(g), segment_id=t.seg.id, rule="name:reading"))
    chars = explained_characters(turns, ents, make)
    _spelled_sequences(turns, ents, make, chars)
    _spelling_sentences(turns, ents, make, chars)


# 「ころもへんの、裕」「難しいほうの 龍」: a character of the name told by its radical or as the harder of two
_TOLD_CHAR = re.compile(rf"(?:{_RADICAL}|(?:難し[いか]|むずかし[いか]|簡単な|かんたんな|普通の|ふつうの|旧字の)[\s\u3000]*(?:方|ほう))"
                        r"[\s\u3000]*の?[\s\u3000、,]*(?P<c>[一-龯々])(?![一-龯々])")
# 「さんずいに少ない、」: a radical and the word whose character it joins, said before the rest of a spelling
_RADICAL_PART_BEFORE = re.compile(rf"{_RADICAL}[\s\u3000]*に[\s\u3000]*[一-龯々]{{1,2}}[ぁ-ん]{{0,3}}(?:[\s\u3000、,]|に)*$")


def explained_characters(turns: Sequence[Any], ents: list[Any], make: Callable[..., Any]) -> set[str]:
    """「太陽の陽に、飛翔の翔」: the words that tell how a name's characters are written, wherever a
    character of a masked name is explained (also run after the learned tagger, whose names add
    characters); returns the names' characters."""
    chars = {c for x in ents if x.type == "name" for c in x.text if re.match(r"[一-龯々]", c)}
    for t in turns:
        text = t.seg.text
        spans: list[tuple[int, int]] = []
        found = [(m.start("c"), m.end("c"), _word_before(text, m.start()), text[_word_before(text, m.start()):m.start()])
                 for m in _EXPLAINED_CHAR.finditer(text)]  # the word that contains the character, before の
        found += [(m.start("c"), m.end("c"), m.start(), None) for m in _TOLD_CHAR.finditer(text)]
        for cs, ce, j, word in sorted(found, key=lambda f: f[:3]):
            c = text[cs:ce]
            if not set(c) <= chars or (word is not None and (not word or c not in word or word == c)):
                continue
            if (radical := _RADICAL_PART_BEFORE.search(text[:j])) is not None:
                j = radical.start()
            end = ce
            nxt = _NEXT_CHAR.match(text[end:])
            if nxt and nxt.group("c") in chars:
                end += nxt.end()
            if spans and (j < spans[-1][1] or re.fullmatch(r"[\s\u3000、,]*(?:に|と)?[\s\u3000、,]*", text[spans[-1][1]:j])):
                spans[-1] = (spans[-1][0], max(end, spans[-1][1]))  # 「太陽の陽に、飛翔の翔」: one spelling
            else:
                spans.append((j, end))
        spans += [m.span() for m in _ONE_CHARACTER_OF.finditer(text) if set(m.group("w")) & chars]  # 「勝つ、の一文字」
        for j, end in spans:
            if not any(x.start <= j and end <= x.end for x in _overlaps(ents, t.seg.id, j, end)):
                _add(ents, make("name", j, end, text[j:end], segment_id=t.seg.id, rule="name:spelled"))
    return chars


# a sentence that explains how a name is written (「毛に、利益の利です」「水が無い瀬、と書きます」「魚へん に 交わる の 鮫」
# 「東に、條は旧字の方の條です」): what shows it, and where it stops
_RADICAL_WORD = rf"(?:{_RADICAL}|[一-龯]へん|[一-龯]{{1,2}}かんむり)"
_SPELL_WORDS = re.compile(rf"(?:(?<![ぁ-んっ])|(?<=[にのは])){_RADICAL_WORD}|"  # not 「言うてへん」
                          r"(?:って|と)[\s\u3000]*書(?:いて|きます|く)(?![\s\u3000]*(?:あ[るりっ]|もら|くだ|い[るまた]|な[いく]|ほし|おい|おか|し?ま))|"
                          r"という字|って(?:いう)?字|旧字|の字(?![がはを])")
_SENTENCE = re.compile(r"[^。！？!?]+")
_RADICAL_JOINS = re.compile(r"[\s\u3000、,…]*に[\s\u3000、,…]*[一-龯々]{1,3}(?:[ぁ-ん]{0,3}(?=[\s\u3000、,。…]|の|です|$)|(?=で))")
_RADICAL_END = re.compile(rf"{_RADICAL_WORD}$")
_SELF_EXPLAINED = re.compile(r"(?P<w>[一-龯々]{1,3})[ぁ-ん]{0,3}[\s\u3000]*の[\s\u3000]*(?P<c>[一-龯々])(?![一-龯々])")  # 「利益の利」
_SPELL_START = re.compile(rf"^(?:[\s\u3000、,…]|{_FILLERS}|はい|いえ|いや|ええ|あっ?|そう|です|だす|さん|[はがのも](?=[\s\u3000、,]))*")
# what follows the last sign, up to the character it tells (「うかんむり の 宏」「魚へん に 交わる の 鮫」)
_SPELL_TAILS = [re.compile(rf"(?:[\s\u3000、,…]*(?:の|に)[\s\u3000、,…]*[一-龯々]{{1,3}}[ぁ-ん]{{0,2}}?){{{n}}}(?<=[一-龯々])") for n in (1, 2, 3)]


def _spelling_sentences(turns: Sequence[Any], ents: list[Any], make: Callable[..., Any], chars: set[str]) -> None:
    """A sentence about a named person's characters is masked from its start (or the name before it) to its last
    sign of a spelling: a radical, 「と書きます」「という字」, or a character explained by a word that holds it."""
    for k, t in enumerate(turns):
        text = t.seg.text
        ids = {u.seg.id for u in turns[max(0, k - 2):k + 1]}
        if not any(x.type == "name" and x.segment_id in ids for x in ents):
            continue
        for sent in _SENTENCE.finditer(text):
            a, b = sent.span()
            signs = [m.span() for m in _SPELL_WORDS.finditer(text, a, b)]
            signs += [m.span() for m in _SELF_EXPLAINED.finditer(text, a, b)
                      if m.group("c") in m.group("w") and (m.group("c") in chars or signs)]
            if not signs or not any(c in chars for c in text[a:b] if "一" <= c <= "龯") and not _SELF_EXPLAINED.search(text, a, b):
                continue
            first, last = min(s for s, _ in signs), max(e for _, e in signs)
            if (joined := _RADICAL_JOINS.match(text, last, b)) and _RADICAL_END.search(text, 0, last):
                last = joined.end()  # 「さんずいに少ない」: a radical and the word it joins make one character
            tails = [m.end() for r in _SPELL_TAILS if (m := r.match(text, last, b)) and text[m.end() - 1] in chars]
            last = max([last, *tails])
            names = [x for x in ents if x.segment_id == t.seg.id and x.type == "name" and a <= x.start and x.end <= first]
            start = max([a, *(x.end for x in names)])
            start += _SPELL_START.match(text[start:first]).end()  # type: ignore[union-attr]
            if first - start > 24:
                start = first
            if said := list(re.finditer(r"(?:ます|です|でした)[\s\u3000。、,]+", text[start:first])):
                start += said[-1].end()  # 「伸ばします 毛に、…」: the sentence before, where 。 was read as a space
            right_after = bool(names) and start - max(x.end for x in names) <= 1  # 「[一]と書いて」: the sign joins the name
            if last - start >= 3 and (right_after or re.search(r"[一-龯々ァ-ヶ]", _SPELL_WORDS.sub("", text[start:last]))):  # not 「と書きます」 alone
                _add(ents, make("name", start, last, text[start:last], segment_id=t.seg.id, rule="name:spelled"))


_ONE_CHARACTER_OF = re.compile(r"(?<![一-龯々])(?P<w>(?!漢字|名前|苗字|名字)[一-龯々]{1,3}[ぁ-ん]{0,3})(?:[\s\u3000、,]*の[\s\u3000、,]*(?:漢字)?(?:一文字|一字)|って(?:いう)?字|という字)")


def extend(segments: Sequence[Segment], entities: list[Any], make: Callable[..., Any],
           kana_name_ok: Callable[[str], bool] = lambda w: False,
           surname_ok: Callable[[str], bool] = lambda w: False,
           given_ok: Callable[[str], bool] = lambda w: False,
           name_shape_ok: Callable[[str], bool] = lambda w: False,
           person_ok: Callable[[str], bool] = lambda w: False,
           common_word: Callable[[str], bool] = lambda w: False) -> list[Any]:
    """The entities with the spoken forms above added or widened (texts refreshed from the segments);
    ``make`` builds a new entity (``mask.Entity``: passed in, so this pass does not import ``mask``);
    ``kana_name_ok`` says whether a word may be a name where the sentence expects one, ``surname_ok`` and
    ``given_ok`` whether the dictionary knows it as a family or a given name, ``person_ok`` as a person's name of
    either kind, ``common_word`` whether it is one ordinary word or place name and no name, ``name_shape_ok`` whether a hiragana
    word may be a name where the sentence says one is given (the checks of ``mask``)."""
    turns = _turns([s for s in segments if s.text])
    ents = list(entities)
    _numbers(turns, ents, make)
    _number_words(turns, ents, make)
    _addresses(turns, ents, make)
    _birthdates(turns, ents, make)
    _split_birth_year(turns, ents, make)
    _split_era(turns, ents, make)
    given = _given_names(turns, ents, make, kana_name_ok, name_shape_ok)
    _names_over_turns(turns, ents, make, kana_name_ok)
    _dotted_names(turns, ents)
    _siblings(turns, ents, make, kana_name_ok, name_shape_ok, common_word)
    _kana_names(turns, ents, make, kana_name_ok, given_ok, name_shape_ok)
    _names_by_spelling(turns, ents, make, given_ok, name_shape_ok)
    _names_listed(turns, ents, make, kana_name_ok, given_ok, name_shape_ok, person_ok)
    _latin_and_spelled_names(turns, ents, make)
    _companies(turns, ents, make, surname_ok)
    _affiliated_intros(turns, ents, make, surname_ok, name_shape_ok, common_word, kana_name_ok)
    _named_in_passing(turns, ents, make, kana_name_ok, name_shape_ok)
    _kanji_before_child_honorific(turns, ents, make, person_ok)
    _kana_child_names(turns, ents, make, name_shape_ok)
    _surnames_before(turns, ents, surname_ok, name_shape_ok)
    _joined_katakana_names(turns, ents, kana_name_ok, name_shape_ok)
    _listed_with_names(turns, ents, make, name_shape_ok, person_ok, common_word)
    _spaced_kana_given_names(turns, ents, name_shape_ok)
    _repeat_names(turns, ents, make, given, name_shape_ok)
    _joined_katakana_names(turns, ents, kana_name_ok, name_shape_ok)  # again: parts of a name found as repeats meet
    _corrected_names(turns, ents, make)
    _banks(turns, ents)
    _join_corrected(turns, ents)
    by_id = {s.id: s for s in segments}
    _refresh_texts(by_id, ents)  # the passes below compare what the spans now say
    _name_spellings(turns, ents, make, kana_name_ok)
    for t in turns:  # readings found by the spelling pass
        _written_before_reading(t, ents, make, kana_name_ok)
        _reading_after_name(t, ents, make, kana_name_ok, name_shape_ok)
    _local_phones(turns, ents, make)
    _numbers_said_again(turns, ents)
    _room_echoes(turns, ents, make)
    _echoes(turns, ents, make)
    _date_echoes(turns, ents, make)
    _days_said_later(turns, ents, make)
    _years_before(turns, ents)
    _join_corrected(turns, ents)  # again: slips whose correction the passes above found
    _card_marks(turns, ents)
    _false_starts(turns, ents)
    _address_restarts(turns, ents)
    _refresh_texts(by_id, ents)
    return ents


# one word that may be a name, in any script (the rules below add what the sentence around it must say)
_NAME_WORD = r"(?:[一-龯々]{1,3}|[ァ-ヶー]{2,6}|[ぁ-ん]{2,5})"
_AGE_UNIT = r"(?:歳|才|か月|ヶ月|カ月)"
# 「大家の かねださん」「担任の くろき 先生」: a person named by their role, then the name and its honorific
_ROLE_NAMED = re.compile(r"(?:大家|家主|管理人|担任|隣|近所|上司|同僚|友達|友人|先輩|後輩|店長|社長|主治医|ケアマネ|民生委員|"
                         r"相談員|支援員|保育士|先生)(?:さん)?[\s\u3000]*の[\s\u3000]*"
                         rf"(?P<n>{_NAME_WORD})[\s\u3000]*(?=さん|さま|様|先生|せんせい|ちゃん|くん)")
# 「きよは ひらがな です」: a word of the name, said to tell how it is written
_SCRIPT_OF = re.compile(rf"(?:^|(?<=[\s\u3000、,。]))(?P<n>{_NAME_WORD})[\s\u3000]*(?:は|が|の方は)[\s\u3000、,]*"
                        r"(?:ひらがな|平仮名|カタカナ|片仮名|漢字)")
# children listed with their ages or grades (「■■が6歳で、蒼が3歳です」「翼、小学2年生です」)
_WITH_AGE = re.compile(rf"(?:^|(?<=[\s\u3000、,。]))(?P<n>{_NAME_WORD})[\s\u3000]*(?P<p>が|は|、|,|(?<=[\s\u3000]))[\s\u3000]*"
                       r"(?:(?:小学|中学|高校|小|中|高)[\s\u3000]*[0-9０-９一二三四五六]{1}[\s\u3000]*年生?|[0-9０-９一二三四五六七八九十]{1,2}[\s\u3000]*(?:歳|才|か月|ヶ月|(?<=[0-9０-９\s\u3000])さい(?![ぁ-ん])))")
# 「4歳の そら と 1歳の ひなの」「小学2年の颯」: a child named after their age or grade
_AGE_OF = re.compile(rf"(?:[0-9０-９一二三四五六七八九十]{{1,2}}[\s\u3000]*{_AGE_UNIT}|(?:小学|中学|高校|小|中|高)[\s\u3000]*"
                     r"[0-9０-９一二三四五六][\s\u3000]*(?:年生?)?|年少|年中|年長)[\s\u3000]*の[\s\u3000]*"
                     r"(?P<n>[一-龯々]{1,3}|[ァ-ヶー]{2,6}|[ぁ-ん]{2,5}?)(?=[\s\u3000]*(?:と|です|で|、|。|が|は|$)|[\s\u3000])")
_AGE_OF_NOT = re.compile(r"^(?:間|あいだ|時|とき|頃|ころ|うち|前|後|まま|分|ぶん|方|人|誕生日|春|夏|秋|冬|夜|朝)")  # 「5歳の間は」
# 「息子さん は」 then 「蒼 です 13歳」: the answer to a question about a relative starts with their name
_KIN_ASKED = re.compile(rf"(?:{_KIN}|お子|奥|ご主人|お父|お母|お兄|お姉|弟|妹)(?:さん|様|さま)?[\s\u3000]*(?:は|の[\s\u3000]*(?:お名前|名前)は?)"
                        r"[\s\u3000？?]*$")
_NAME_FIRST = re.compile(r"^(?:はい|ええ|えっと|えー|あの)?[\s\u3000、]*(?P<n>[一-龯々]{1,3}|[ァ-ヶー]{2,6}|[ぁ-ん]{2,5}?)[\s\u3000]*(?:です|で[、,\s]|。)")
# 「おう れいか さん で よろしいですか」 then 「あ ワン リーファ です」: the name as the citizen says it
_KATA_ANSWER = re.compile(r"^(?:はい|あ|いえ|いや|ええ|えっと)?[\s\u3000、,]*(?P<n>[ァ-ヶー]{2,8}(?:[\s\u3000・][ァ-ヶー]{2,8}){0,2})[\s\u3000]*です")
_KIN_CALL = re.compile(r"^(?:お?ばあ|お?じい|おば|おじ|お?ねえ|お?にい|おか|おと|あか|すが|ので)")  # 「隣の おばあさん」
# the name written, then its reading (「大橋蒼空。■■、って読むの」)
_READ_AS = re.compile(r"^[\s\u3000、,]*(?:って|と)[\s\u3000]*(?:読|よ)")
# 「王秀英です。ワンシュウエン」: the name, then its reading as a sentence of its own
_KATA_READING_AFTER = re.compile(r"^(?:です|と申します|じゃ|や|だ)?[。、,\s\u3000]+(?P<k>[ァ-ヶー]{3,12}|[ぁ-ん]{2,5})(?=[\s\u3000]*(?:。|$|です))")
_WORD_BEFORE = re.compile(r"(?:^|(?<=[\s\u3000、,。]))(?P<w>[一-龯々]{2,6})[\s\u3000]*[。、,]?[\s\u3000]*$")


def _named_in_passing(turns: Sequence[_Turn], ents: list[Any], make: Callable[..., Any],
                      kana_name_ok: Callable[[str], bool], name_shape_ok: Callable[[str], bool]) -> None:
    """Names said in passing that the sentence shape gives away: after a person's role, before how the name is
    written, beside a child's age or grade, or before the reading of that name."""
    text_of = {t.seg.id: t.seg.text for t in turns}
    said = " ".join(text_of[x.segment_id][x.start:x.end] for x in ents if x.type == "name" and x.segment_id in text_of)
    said_kata = katakana(said)
    for i, t in enumerate(turns):
        text = t.seg.text
        found = [m for m in _ROLE_NAMED.finditer(text) if not _KIN_CALL.match(m.group("n"))
                 and (kana_name_ok(m.group("n")) or re.fullmatch(r"[ぁ-ん]{3,5}", m.group("n")))]
        found += [m for m in _SCRIPT_OF.finditer(text) if kana_name_ok(m.group("n")) or m.group("n") in said
                  or (len(m.group("n")) >= 2 and katakana(m.group("n")) in said_kata)]  # 「工藤ハル」「はるは、カタカナで」
        if _CHILD_TALK.search(text) or _CHILD_TALK.search(t.asked):
            found += _children_by_age(t, ents, kana_name_ok, name_shape_ok)
        found = [m for m in found if not _VERB_LIKE.search(m.group("n")) or kana_name_ok(m.group("n"))]
        if t.seg.speaker != "staff" and _KIN_ASKED.search(t.asked) and (a := _NAME_FIRST.match(text)) \
                and not _NOT_CHILD_NAME.match(a.group("n")) and not _COUNT_LEAD.match(a.group("n")) \
                and (kana_name_ok(a.group("n")) or name_shape_ok(a.group("n"))):
            found.append(a)
        prev = turns[i - 1] if i > 0 else None
        if t.seg.speaker != "staff" and prev is not None and prev.seg.speaker == "staff" and (c := _KATA_ANSWER.match(text)) \
                and any(x.segment_id == prev.seg.id and x.type == "name" for x in ents):
            found.append(c)
        for m in found:
            if not _overlaps(ents, t.seg.id, m.start("n"), m.end("n")):
                ents.append(make("name", m.start("n"), m.end("n"), m.group("n"), segment_id=t.seg.id, rule="name:in-passing"))
        _written_before_reading(t, ents, make, kana_name_ok)
        for x in [x for x in ents if x.segment_id == t.seg.id and x.type == "name"]:
            if (k := _KATA_READING_AFTER.match(text[x.end:])) and (re.match(r"[ァ-ヶ]", k.group("k")) or name_shape_ok(k.group("k"))) \
                    and not _overlaps(ents, t.seg.id, x.end + k.start("k"), x.end + k.end("k")):
                ents.append(make("name", x.end + k.start("k"), x.end + k.end("k"), k.group("k"), segment_id=t.seg.id, rule="name:read-as"))


_KANA_SURNAME_BEFORE = re.compile(r"(?:^|(?<=[。\s\u3000]))(?!さん|さま|ちゃん|くん|です|ます)(?P<s>[ァ-ヶー]{2,8}|[ぁ-ん]{2,5})(?:[、,][\s\u3000]*|[\s\u3000]+)$")
_SURNAME_BEFORE = re.compile(r"(?:^|(?<=[\s\u3000、,。はがのも]))(?P<s>[一-龯々]{1,3})[\s\u3000]+$")


_NOT_WRITTEN_NAME = re.compile(r"^(?:一文字|二文字|漢字|名前|苗字|名字|旧字|略字|平仮名|片仮名|本名)$")


def _children_by_age(t: _Turn, ents: Sequence[Any], kana_name_ok: Callable[[str], bool],
                     name_shape_ok: Callable[[str], bool]) -> list[re.Match[str]]:
    """Children named beside their age or grade in a turn about children (「■■が6歳で、蒼が3歳です」「4歳の そら」)."""
    text, found = t.seg.text, []
    sibling = any(x.type == "name" and x.segment_id == t.seg.id for x in ents)
    for m in _WITH_AGE.finditer(text):
        n = m.group("n")
        if _NOT_CHILD_NAME.match(n) or re.fullmatch(_FILLERS, n) or _COUNT_LEAD.match(n):
            continue
        if (_VERB_LIKE.search(n) and not kana_name_ok(n)) or re.search(r"[てで]$", n):
            continue
        # beside a named sibling, or after a pause: a word that may be a name
        kata = re.fullmatch(r"[ァ-ヶー]+", n) is not None
        spaced = m.group("p").strip() == ""  # 「■■■■ 10歳 と アナ 7歳」: only a name-like word or katakana
        may = kana_name_ok(n) or (kata and sibling) or (name_shape_ok(n) and not spaced)
        if may and (m.group("p") in ("、", ",") or sibling or (m.group("p") in ("が", "は") and kana_name_ok(n))):
            found.append(m)
    for m in _AGE_OF.finditer(text):
        n = m.group("n")
        listed = re.fullmatch(r"[一-龯々]{1,2}", n) is not None and re.search(r"上|下|次|真ん中|一番", text) is not None \
            and not re.match(rf"{_KIN}|担任|先生|友達|クラス|組", n)  # 「上は高校2年の■、次が小学2年の颯」
        if not (_NOT_CHILD_NAME.match(n) or _AGE_OF_NOT.match(n) or re.fullmatch(_FILLERS, n) or _COUNT_LEAD.match(n)) \
                and (kana_name_ok(n) or name_shape_ok(n) or listed):
            found.append(m)
    return found


def _written_before_reading(t: _Turn, ents: list[Any], make: Callable[..., Any], kana_name_ok: Callable[[str], bool]) -> None:
    """「大橋蒼空。■■、って読むの」: the kanji word said before a masked reading of it is the name."""
    text = t.seg.text
    for x in [x for x in ents if x.segment_id == t.seg.id and x.type == "name"]:
        if _READ_AS.match(text[x.end:]) and (w := _WORD_BEFORE.search(text[:x.start])) \
                and (kana_name_ok(w.group("w")) or len(w.group("w")) >= 3) and not _NOT_WRITTEN_NAME.match(w.group("w")) \
                and not _overlaps(ents, t.seg.id, w.start("w"), w.end("w")):
            ents.append(make("name", w.start("w"), w.end("w"), w.group("w"), segment_id=t.seg.id, rule="name:read-as"))


# 「陽葵 で ひまり」「颯太、そうた です」: a kanji name followed by its reading
_READING_AFTER = re.compile(r"^(?:[\s\u3000]*(?:です|で|や)[\s\u3000、,。「]+|[\s\u3000、,「]+)(?P<r>[ぁ-ん]{2,5}?|[ァ-ヶー]{2,6})"
                            r"(?=」?[\s\u3000]*(?:$|[、。]|です|と(?:読|よ)|って|[\s\u3000]))")


_CONJUNCTION = re.compile(r"(?:それ|これ|あれ|あと|でも|だから|また|ただ|じゃあ|なので|ほんで|ほな)")
_READING_CLOSE = re.compile(r"^[\s\u3000]*(?:(?:です|や|だ)(?:[\s\u3000、。,]|$)|[、。]|[0-9０-９一二三四五六七八九十]{1,2}[\s\u3000]*(?:歳|才|さい|か月|ヶ月))")


def _reading_after_name(t: _Turn, ents: list[Any], make: Callable[..., Any], kana_name_ok: Callable[[str], bool],
                        name_shape_ok: Callable[[str], bool]) -> None:
    """A kana word straight after a name written in kanji, as long as a reading of it, is how the name is read:
    it identifies the person as surely as the kanji (the dictionary may not know the reading: ひまり for 陽葵)."""
    text = t.seg.text
    if t.seg.speaker == "staff" or not (_NAME_Q.search(t.asked + text) or _CHILD_TALK.search(t.asked + text)):
        return  # only where the speaker is giving a name
    for x in [x for x in ents if x.segment_id == t.seg.id and x.type == "name"]:
        kanji = re.sub(r"[\s\u3000]", "", text[x.start:x.end])
        m = _READING_AFTER.match(text[x.end:]) if re.fullmatch(r"[一-龯々]{1,4}", kanji) else None
        if m is None or len(m.group("r")) > 3 * len(kanji) + 1:
            continue
        r, after = m.group("r"), text[x.end + m.end("r"):]
        closing = re.fullmatch(r"[\s\u3000、。,.!?！？…]*", after) is not None  # the reading ends the turn
        # 「心愛 こころ です」「蓮 れん 八 歳」: the reading closes the naming, or the age follows it
        closing = closing or (_READING_CLOSE.match(after) is not None and not _NOT_KANA_NAME.match(r) and not _VERB_LIKE.search(r)
                              and not _CONJUNCTION.match(r))
        if r[0] < "ァ" and not (name_shape_ok(r) and (kana_name_ok(r) or closing)):
            continue
        if r[0] >= "ァ" and not kana_name_ok(r):
            continue
        if not _overlaps(ents, t.seg.id, x.end + m.start("r"), x.end + m.end("r")):
            x.group = x.group or kanji  # one placeholder for the name and its reading
            ents.append(make("name", x.end + m.start("r"), x.end + m.end("r"), r, segment_id=t.seg.id,
                             rule="name:reading-after", group=x.group))


# 「男の子で蒼くんです」: the dictionary reads 蒼く as an adjective and loses the honorific
_CHILD_HONORIFIC = re.compile(r"(?:^|(?<=[\s\u3000、。,がはでとのも]))(?P<n>[一-龯々]{1,3})[\s\u3000]*(?:くん|ちゃん)"
                              r"(?=[\s\u3000、。,]|です|は|が|の|と|も|に|を|$)")


# 「はると君と、こはるちゃんですね」: a child's name in kana before ちゃん or くん, which the dictionary may split
# into a verb's ending (はる + と)
_KANA_CHILD = re.compile(r"(?:^|(?<=[\s\u3000、。,「…]))(?P<n>[ぁ-ん]{2,5})(?:ちゃん|くん|君)(?=[\s\u3000、。,とはがもの」?？]|です|$)")
_KIN_CHAN = re.compile(r"^(?:お|ご)|^(?:ばあ|じい|にい|ねえ|あか|かあ|とう|ぼう|ぼっ|じょう|あん|ねぇ|にぃ|みな|みんな)|の|(?:ばあ|じい|にい|ねえ|かあ|とう)$")


def _kana_child_names(turns: Sequence[_Turn], ents: list[Any], make: Callable[..., Any],
                      name_shape_ok: Callable[[str], bool]) -> None:
    for i, t in enumerate(turns):
        near = {u.seg.id for u in turns[max(0, i - 2):i + 1]}
        named_before = any(x.type == "name" and x.segment_id in near for x in ents)
        if not (named_before or _CHILD_TALK.search(t.asked + t.seg.text)):
            continue
        for m in _KANA_CHILD.finditer(t.seg.text):
            n = m.group("n")
            if re.match(r"くん[\s\u3000]*(?:です|で|だ)", t.seg.text[m.end("n"):]) and n[-1] in "だたらかさまなわがばや":
                continue  # 「いただくんですか」: a verb before ん
            if _KIN_CHAN.search(n) or not name_shape_ok(n) or _overlaps(ents, t.seg.id, m.start("n"), m.end("n")):
                continue
            ents.append(make("name", m.start("n"), m.end("n"), n, segment_id=t.seg.id, rule="name:kana-child"))


def _kanji_before_child_honorific(turns: Sequence[_Turn], ents: list[Any], make: Callable[..., Any],
                                  person_ok: Callable[[str], bool]) -> None:
    for t in turns:
        if not (_CHILD_TALK.search(t.asked + t.seg.text) or re.search(r"男の子|女の子|孫|名前|なまえ", t.asked + t.seg.text)):
            continue  # 「連絡が行くんですか」: a verb, not a child's name
        for m in _CHILD_HONORIFIC.finditer(t.seg.text):
            if person_ok(m.group("n")) and not _overlaps(ents, t.seg.id, m.start("n"), m.end("n")):
                ents.append(make("name", m.start("n"), m.end("n"), m.group("n"), segment_id=t.seg.id,
                                 rule="name:honorific-child"))


def _surnames_before(turns: Sequence[_Turn], ents: list[Any], surname_ok: Callable[[str], bool],
                     name_shape_ok: Callable[[str], bool] = lambda w: False) -> None:
    """「大橋 ■さん」: a family name the dictionary knows, said with a space before a masked given name; in a turn
    about a name, a kana word that starts the sentence before it (「サントス、■・■」「こが ■さん」)."""
    for t in turns:
        text = t.seg.text
        for x in [x for x in ents if x.segment_id == t.seg.id and x.type == "name"]:
            m = _SURNAME_BEFORE.search(text[:x.start])
            if m and surname_ok(m.group("s")) and not _overlaps(ents, t.seg.id, m.start("s"), x.start):
                x.start = m.start("s")
                continue
            k = _KANA_SURNAME_BEFORE.search(text[:x.start])
            if k and (_NAME_Q.search(t.asked + text[:k.start()]) or re.search(r"さん|様|さま", text[x.end:x.end + 3])) \
                    and (re.fullmatch(r"[ァ-ヶー]{2,8}", k.group("s")) or name_shape_ok(k.group("s"))) \
                    and not _overlaps(ents, t.seg.id, k.start("s"), x.start):
                x.start = k.start("s")


# 「オリベイラ ダ シルバ」「サントス ダ コスタ マリア」: katakana words between two parts of a name are parts of it
_KATA_LINK = re.compile(r"(?:[\s\u3000・]+[ァ-ヶー]{1,10}){1,2}[\s\u3000・]+")


_HIRA_PIECE = re.compile(r"[\s\u3000]+(?![をがはにでともへやかねよなおご])[ぁ-ん](?=[\s\u3000]|$)")  # 「杉山 とく じ」
_KATA_PIECE = re.compile(r"[\s\u3000]+[ァ-ヶ][ァィゥェォャュョー]?(?=[\s\u3000]*(?:です|さん|さま|様|、|。|$))")


def _joined_katakana_names(turns: Sequence[_Turn], ents: list[Any], kana_name_ok: Callable[[str], bool],
                           name_shape_ok: Callable[[str], bool] = lambda w: False) -> None:
    """Parts of one foreign name with katakana words between them (da, van, de, a middle name) are one span;
    a katakana name the recogniser broke before its last sound (「シズ エ です」) takes that sound back; a kana
    family name said with the given name written straight after it (「なかしまゆうと」) takes the given name."""
    for t in turns:
        text = t.seg.text
        for x in [x for x in ents if x.segment_id == t.seg.id and x.type == "name" and re.search(r"[ぁ-ん]{2}$", text[x.start:x.end])]:
            if (k := _HIRA_PIECE.match(text, x.end)) and not _overlaps(ents, t.seg.id, x.end, k.end()):
                x.end = k.end()
        for x in [x for x in ents if x.segment_id == t.seg.id and x.type == "name" and re.fullmatch(r"[ぁ-ん]{2,6}", text[x.start:x.end])]:
            if not re.match("[ぁ-ん]", text[x.start - 1:x.start] or " ") and (g := _HIRA_GIVEN_AFTER.match(text, x.end)) \
                    and name_shape_ok(g.group("g")) and not _overlaps(ents, t.seg.id, x.end, g.end("g")):
                x.end = g.end("g")
        for x in [x for x in ents if x.segment_id == t.seg.id and x.type == "name" and re.search(r"[ァ-ヶー]$", text[x.start:x.end])]:
            if (k := _KATA_PIECE.match(text[x.end:])) and not _overlaps(ents, t.seg.id, x.end, x.end + k.end()):
                x.end += k.end()
        for x in [x for x in ents if x.segment_id == t.seg.id and x.type == "name" and re.search(r"[ァ-ヶー]$", text[x.start:x.end])]:
            g = re.match(r"[\s\u3000]+(?P<g>[ァ-ヶー]{2,8})(?=[\s\u3000、。]|です|さん|$)", text[x.end:])
            if g and kana_name_ok(g.group("g")) and not _overlaps(ents, t.seg.id, x.end, x.end + g.end()):
                x.end += g.end()  # 「グエン ヴァン トゥアン」: the given name after a name found late
        names = sorted((x for x in ents if x.segment_id == t.seg.id and x.type == "name"), key=lambda x: x.start)
        for a, b in zip(names, names[1:], strict=False):
            if _READING_CUT.fullmatch(text[a.end:b.start]):
                b.start = a.start  # 「村井、かず…和美」: the reading begun and the name said, between two masked names
                ents.remove(a)
                continue
            if re.search(r"[ァ-ヶー]$", text[a.start:a.end]) and re.match(r"[ァ-ヶー]", text[b.start:b.end]) \
                    and _KATA_LINK.fullmatch(text[a.end:b.start]):
                b.start = a.start
                ents.remove(a)


# between a slip and its correction: 「。あ、ちゃう、」「…あ、ちが、」「だ。」「です あ 違う」
_SLIP_GAP = re.compile(rf"(?:[\s\u3000、,。の…]|{_FILLERS}|{_PAUSE}|いや|いえ|あっ?|あれ|ちが(?:う)?|です|だっけな?|だったかな|だな|だ|や|かな|ね|"
                       rf"(?:ちょっと)?待って(?:ください|な)?|じゃ[\s\u3000]*なくて|{_CORRECTION})*")
# kinds that are one item when said twice: a number first heard as a bare number (id) is the phone it becomes
_JOIN_KINDS = (("phone", "id"), ("account", "id"), ("insurance_id", "id"), ("mynumber", "id"), ("birthdate",), ("address",))


def _join_corrected(turns: Sequence[_Turn], ents: list[Any]) -> None:
    """Two spans of one kind in a turn with only a pause or a self-correction between them are one item
    said twice (「平成元年の あ 違う 平成2年の6月18日」「0248 あ えっと 0428173」): the correction is masked too."""
    _join_slips({t.seg.id: t.seg.text for t in turns}, ents)


def explain_after_learned(segments: Sequence[Segment], ents: list[Any], make: Callable[..., Any],
                          kana_name_ok: Callable[[str], bool] = lambda w: False,
                          name_shape_ok: Callable[[str], bool] = lambda w: False) -> None:
    """The explanations of names' characters and the readings after names, for names found after this
    pass (by the learned tagger)."""
    turns = _turns([s for s in segments if s.text])
    _spelling_sentences(turns, ents, make, explained_characters(turns, ents, make))
    for k, t in enumerate(turns):
        _reading_after_name(t, ents, make, kana_name_ok, name_shape_ok)
        _reading_answer(turns, k, ents, make, kana_name_ok, name_shape_ok)


def join_slips(segments: Sequence[Segment], ents: list[Any]) -> None:
    """The joining of a slip and its correction, for spans found after this pass (by the learned tagger);
    the caller refreshes the entities' texts."""
    _join_slips({s.id: s.text for s in segments}, ents)


# what lies between two pieces of one spelling (「剛に、」「志すという字で、」「の字、」「って書いて」)
_SPELL_GLUE = re.compile(r"[\s\u3000、,]*(?:に|で|(?:という|って(?:いう)?|の)[\s\u3000]*字(?:で|に|は)?|(?:と|って)[\s\u3000]*書いて)?[\s\u3000、,]*")


def join_spelling_pieces(segments: Sequence[Segment], ents: list[Any]) -> None:
    """「[剛の説明]に、[志の説明]で、[つよし]」: a name's spelling masked in pieces is masked whole, since the
    particles between the pieces (に, という字で) are part of the spelling; two names side by side stay
    apart unless one of them is a spelling (「蓮、陽菜」). The caller refreshes the entities' texts."""
    text_of = {s.id: s.text for s in segments}
    names = sorted((e for e in ents if e.type == "name"), key=lambda e: (e.segment_id, e.start))
    keep = names[:1]
    for b in names[1:]:
        a = keep[-1]
        glue = text_of.get(b.segment_id, "")[a.end:b.start] if a.segment_id == b.segment_id else "。"
        spelled = "name:spelled" in (a.rule, b.rule) or re.search(r"字|書い|に", glue) is not None
        if len(glue) <= 12 and glue.strip(" \u3000、,") and _SPELL_GLUE.fullmatch(glue) and spelled:
            a.end, a.group = max(a.end, b.end), a.group or b.group
            ents.remove(b)
        else:
            keep.append(b)


def _group_said_again(a: str, b: str) -> bool:
    """「…6715や、6715の0348」: the second number starts with the group the first ended on."""
    last = _LAST_GROUP.search(a)
    first = re.match(rf"{_DIG}(?:[\s\u3000]?{_DIG}){{1,3}}", b)
    return bool(last and first) and len(_digit_string(last.group("g"))) >= 2 and \
        _digit_string(last.group("g")) == _digit_string(first.group())  # type: ignore[union-attr]


_AZA_GAP = re.compile(rf"(?:[\s\u3000、,…の]|{_FILLERS})*(?:大字|字)(?:[\s\u3000、,…]|{_FILLERS}|大字|字)*")
_AZA_LEAD = re.compile(rf"(?:大字|おおあざ|字)(?:[\s\u3000、,…]|{_FILLERS})*$")


def _towns_taken_for_names(text_of: dict[int, str], ents: list[Any]) -> None:
    """「岩田、えっと、字…字北野の27番地」「大字、えー、上原の、字…」: a word taken for a family name, said
    before 字 and the rest of an address (or after 大字), is the town of that address."""
    for x in sorted((e for e in ents if e.type == "name"), key=lambda e: (e.segment_id, e.start)):
        text = text_of.get(x.segment_id, "")
        nxt = min((e for e in ents if e.segment_id == x.segment_id and e.type == "address" and e.start >= x.end),
                  key=lambda e: e.start, default=None)
        if nxt is None or not (_AZA_GAP.fullmatch(text[x.end:nxt.start]) or (
                _AZA_LEAD.search(text[:x.start]) and re.fullmatch(rf"(?:[\s\u3000、,…の]|{_FILLERS}|字)*", text[x.end:nxt.start]))):
            continue
        lead = _AZA_LEAD.search(text[:x.start])
        nxt.start = lead.start() if lead else x.start
        nxt.group = nxt.group or x.group
        ents.remove(x)


_ERA_BEFORE = re.compile(rf"{_ERA}(?:[\s\u3000、,…]|{_FILLERS}|{_CORRECTION}|じゃ[\s\u3000]*(?:ない|なくて))*$")
_LETTER_AFTER_ROOM = re.compile(r"[A-ZＡ-Ｚ](?![A-Za-zＡ-Ｚ])")
_ROOM_AFTER_LETTER = re.compile(r"[-‐−－][0-9０-９]{1,4}(?![0-9０-９])")


def _started_again(text_of: dict[int, str], ents: list[Any]) -> None:
    """「昭和…昭和47年の3月」: an era said and started again before a masked date is part of it; and
    「石嶺ハイツのB-203」: the room after a letter that ends an address."""
    for x in ents:
        text = text_of.get(x.segment_id, "")
        if x.type == "birthdate" and re.match(_ERA, text[x.start:x.end]) and (m := _ERA_BEFORE.search(text[:x.start])):
            x.start = m.start()
        if x.type == "address" and re.search(r"[A-ZＡ-Ｚ]$", text[x.start:x.end]) and (r := _ROOM_AFTER_LETTER.match(text, x.end)):
            x.end = r.end()
        if x.type == "address" and re.search(r"[0-9０-９]$", text[x.start:x.end]) and (r := _LETTER_AFTER_ROOM.match(text, x.end)):
            x.end = r.end()  # 「コーポ緑2B」: the letter of the room


def _join_slips(text_of: dict[int, str], ents: list[Any]) -> None:
    _towns_taken_for_names(text_of, ents)
    _started_again(text_of, ents)
    for kinds in _JOIN_KINDS:
        spans = sorted((x for x in ents if x.type in kinds), key=lambda x: (x.segment_id, x.start))
        for a, b in zip(spans, spans[1:], strict=False):
            text = text_of.get(a.segment_id, "")
            gap = text[a.end:b.start]
            if a.type == "birthdate":  # 「6月…6月だっけな、6月の14日」: a part of the date said again while recalling
                gap = re.sub(rf"{_NUMK}{_S}(?:年|月)", "", gap)
            if re.match(r"[0-9０-９]", text[a.end - 1:a.end]) and re.match(r"か[、,\s\u3000…]", gap):
                gap = gap[1:]  # 「7735、あ、7753か、7753の…」: a group said, checked and said again
            if a.type == "address":  # 「宮下の、字、えー、上川原の12番地」: the word 字 between the parts
                gap = re.sub(r"大?字", "", gap)
                if (lead := re.match(_NUMK, text[b.start:b.end])) and re.search(r"あ|いや|違", gap):
                    gap = gap.replace(lead.group(), "", 1)  # 「若葉台の、2の、あ、2丁目の…」: a piece begun and started again
            if a.segment_id != b.segment_id or a.end > b.start or not _SLIP_GAP.fullmatch(gap):
                continue
            if a.type != b.type and not re.search(r"[あいちじま]|。", gap) and not _group_said_again(text[a.start:a.end], text[b.start:b.end]):
                continue  # two numbers of different kinds side by side, no slip between them
            if b.type == "id" and a.type != "id":
                b.type = a.type
            b.start, b.group = a.start, b.group or a.group
            ents.remove(a)
    _birth_tails(text_of, ents)
    _phone_heads(text_of, ents)


# the letter or kana that leads a 記号 or a case number (「い-2305の41886」「H、えー、04529」)
_ID_LETTER = re.compile(rf"(?:^|(?<=[\s\u3000、,。はが「]))(?:[ぁ-んァ-ヶ][-‐−－]|[A-Za-zＡ-Ｚ](?:[-‐−－ー]|(?:[\s\u3000、,の]|{_FILLERS})+))$")
# a phone number begun wrongly, then said again (「090の、あ、違う、080だ、080の…」)
_PHONE_RESTART = re.compile(rf"(?<![0-9０-９])0[0-9０-９]{{1,4}}(?:[\s\u3000、,の…]|{_FILLERS})*{_SLIP}"
                            rf"(?:[\s\u3000、,。の…]|{_FILLERS}|です|だ|や)*(?:0[0-9０-９]{{1,4}}(?:[\s\u3000、,…]|だ|です|や)*)?$")
# a year said again, corrected, before the month and day (「12年…いや13年か。13年の、10月5日」)
_YEAR_REDONE = re.compile(rf"^(?:[\s\u3000、,…。]|{_FILLERS}|いや|あっ?|{_CORRECTION})*(?:{_NUMK}{_S}年(?:か|や|だ)?[\s\u3000、,…。]*)?"
                          rf"{_NUMK}{_S}年{_DATE_GAP}{_NUM_ANY}{_S}月(?:{_GAP}{_NUM_ANY}{_S}日)?")


_SERIES_CARD_LEAD = re.compile(rf"(?:(?<![一-龯々])[一-龯々]|(?<![A-Za-zＡ-Ｚ])[A-ZＡ-Ｚ][\s\u3000]?)?{_CARD_LEAD.pattern}")  # 福第, A第


def _card_marks(turns: Sequence[_Turn], ents: list[Any]) -> None:
    """「第34625号」: a card's or a certificate's number is masked with its 第 and 号 (they say which card
    it is and where the number starts and ends) and the letter that leads it."""
    text_of = {t.seg.id: t.seg.text for t in turns}
    for x in [e for e in ents if e.type in ("insurance_id", "id")]:
        text = text_of.get(x.segment_id, "")
        # (a one-kanji series before 第 is part of the number: 「福第20457号」「身第047193号」)
        before = _SERIES_CARD_LEAD.search(text[:x.start])
        after = re.match(r"(?:[\s\u3000、,]*[0-9０-９])?[\s\u3000、,]*号(?!室)", text[x.end:])  # 「…3071、9 号」: its last digit
        if before and after:
            x.start, x.end = before.start(), x.end + after.end()
        elif re.match(r"第|だい", text[x.start:x.end]) and (
                k := re.search(r"(?<![一-龯々])[一-龯々]$|(?<![A-Za-zＡ-Ｚ])[A-ZＡ-Ｚ][\s\u3000]?$", text[:x.start])):
            x.start = k.start()
        elif (lead := _ID_LETTER.search(text[:x.start])) and x.type == "insurance_id":
            x.start = lead.start()


def _false_starts(turns: Sequence[_Turn], ents: list[Any]) -> None:
    """A phone number with the false start before it; a year of birth with its corrected year, month and
    day after it."""
    text_of = {t.seg.id: t.seg.text for t in turns}
    for x in [e for e in ents if e.type in ("phone", "birthdate")]:
        text = text_of.get(x.segment_id, "")
        if x.type == "phone":
            if (r := _PHONE_RESTART.search(text[:x.start])) and not _overlaps(ents, x.segment_id, r.start(), x.start):
                x.start = r.start()
        elif "月" not in x.text and (y := _YEAR_REDONE.match(text[x.end:])) and y.end() and re.search(
                r"いや|ちが|違|ちゃう|[0-9０-９一二三四五六七八九十]\s*年", text[x.end:x.end + y.end()]):
            x.end += y.end()


# the pieces of an address said before it starts over (「三丁目の、えっと、11番の…11番の5」「四十…四十二番地」
# 「3丁目…あ、違う、4丁目だ。4丁目の、26の9」): numbers, 丁目/番, pauses and slips only
_ADDRESS_FALSE_START = re.compile(rf"(?:[0-9０-９一二三四五六七八九十百]+[\s\u3000]*(?:丁目|ちょうめ|番地|番|号)?|の|[\s\u3000、,…。]|{_FILLERS}"
                                  rf"|{_SLIP}|だ|です|や)+$")
# a room said after the word 部屋 in a turn that gave the address (「…9の1、で、部屋が…302」)
_ROOM_AFTER_WORD = re.compile(rf"部屋[\s\u3000]*(?:は|が|の番号は)?[\s\u3000、,…]*(?:{_FILLERS}[\s\u3000、,…]*)?(?P<r>{_ROOM})(?:{_S}号室?)?(?![0-9０-９])")


def _address_restarts(turns: Sequence[_Turn], ents: list[Any]) -> None:
    """An address said again from a piece of it is masked from its first try (the town before it too); a room
    named with the word 部屋 after the address is part of it."""
    for t in turns:
        text = t.seg.text
        for x in sorted((e for e in ents if e.segment_id == t.seg.id and e.type == "address"), key=lambda e: e.start):
            m = _ADDRESS_FALSE_START.search(text[max(0, x.start - 30):x.start])
            if m and re.search(r"[0-9０-９一二三四五六七八九十]", m.group()) and re.search(r"[…、。]|ちが|違|ちゃう", m.group()):
                start = max(0, x.start - 30) + m.start()
                before = _overlaps([e for e in ents if e is not x], t.seg.id, start, x.start)
                if all(b.type == "address" for b in before):
                    for b in before:  # 「上野原、三丁目の…えっと、四十…四十二番地」: the first try was found too
                        start = min(start, b.start)
                        x.group = x.group or b.group
                        ents.remove(b)
                    x.start = _start_before(text, start, x.end)
            r = _ROOM_AFTER_WORD.search(text, x.end)
            if r and r.start() - x.end < 12 and not _overlaps([e for e in ents if e is not x], t.seg.id, x.end, r.end("r")):
                x.end = r.end()


def _years_before(turns: Sequence[_Turn], ents: list[Any]) -> None:
    """「にせん じゅうきゅう年 8月3日」: the year said right before a masked month and day is part of the date."""
    for t in turns:
        text = t.seg.text
        for e in [x for x in ents if x.segment_id == t.seg.id and x.type == "birthdate"]:
            if re.match(r"[0-9０-９一二三四五六七八九十]{1,2}[\s\u3000]*月", text[e.start:e.end]) and (y := _YEAR_BEFORE.search(text[:e.start])):
                e.start = y.start()


def _refresh_texts(by_id: dict[int, Segment], ents: Sequence[Any]) -> None:
    """Spans widened by ``_add`` keep their old text until refreshed from their segment."""
    for e in ents:
        seg = by_id.get(e.segment_id)  # type: ignore[arg-type]
        if seg is not None:
            e.text = seg.text[e.start:e.end]
