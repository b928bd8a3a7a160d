"""Which schemes the staff explained or proposed (案内した制度), with the sentences that show it.

An official record must not claim that a scheme was explained when it was only named: a false line
is worse than a missing one. So a scheme is listed only when the staff named it *and* said something
about it — what it gives or who qualifies, an application step, a referral or a handout, or an
explicit proposal — in the sentence that names it or in what the staff goes on to say about it (the
rest of the turn and the next staff turns, until the staff asks something else or takes up another
scheme). Each naming is first read for what it does, by rules on the sentence's form:

* a question about it (「生活保護は受けていますか」) — not a proposal, unless it proposes
  (「〜を申請してみたらどうですか」); an awareness question (「〜はご存知ですか」) introduces the
  scheme, so an explanation may follow;
* ruled out in its own clause (「〜は対象外になります」「〜は難しいです」), or as the topic of a
  sentence whose main clause, after a reason, says the citizen does not qualify (「〜は…の制度なので、
  今は対象になりにくいです」) — listed as 対象外と説明;
* background: what the citizen already has or uses or has applied for, its certificate, someone
  else's scheme, a comparison (「〜を受けている方なら」「〜の受給者証」「〜は手続き済みですね」
  「ご友人の〜とは別に」「〜みたいに」), or a matter this counter does not handle (「〜は…課の所管で、
  ここでは扱っていません」);
* an example in a list (「〜なども含めて」「〜とか〜とかいろいろな制度」「例えば〜とか〜とか」), a
  check promised (「〜が使えるかどうか確認します」), or a scheme replaced by another (「〜もありますが、
  〜のほうが」);
* a service word (ヘルパー, 一時預かり) or a misheard fragment beside another scheme's own name, or
  in the clause where that scheme is the place (「〜センターで…ヘルパーも使えます」) — part of that
  scheme; a bare common word standing for a longer name said before (手帳 after 母子健康手帳) — not
  a scheme.

A proposal the staff takes back or shelves in the same turn (「あ、持ち家でしたね。関係ないですね」
「今日はいったん置いておきましょう」) is not listed. The staff naming what the citizen just asked about
is an echo, unless the same turn goes on to explain it.

Only what remains is a candidate, and a candidate needs the explanation above to be listed. A scheme
the citizen already receives is listed only when the staff explains a new step for it (申請, 手続き…).
A scheme the citizen asks about is taken up when the staff's next turn answers it with an explanation.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from assistant.record.text import Sentence
from assistant.schemes.suggest import analyse_segment, shared_index
from assistant.text.clauses import negated_after, sentence_of
from assistant.text.normalise import normalise

# -- how a naming reads -------------------------------------------------------------------------------
# what the citizen already has or uses, its paper, or a comparison (「児童扶養手当を受けている方なら」
# 「障害年金の2級をもらってるので」「保護の受給者証」「成年後見みたいに」「雇用保険受給資格者証」
# 「〜とかは申請されてます」)
_BACKGROUND = re.compile(
    r"(?:(?:とか|など|なんか)?[はをもが]|の[\s\u3000、]*[^。、\s]{0,3}[\s\u3000、]*[をは])?[\s\u3000、]*(?:今も|いま|もう|すでに|既に)?[\s\u3000、]*"
    r"(?:受けて(?:い|る|らっしゃ|おら)|受けている|もらって(?:い|る|らっしゃ)|もらってる|受給して|受給中|受け取って|"
    r"使って(?:い|も)|使ってる|利用して(?:い|る)|利用され(?:て|た)|使われ(?:て|た)|持って(?:い|る|らっしゃ)|お持ち|"
    r"申請済|申請して(?:い|る|あ)|申請され(?:て|た)|みたいに|のように|とは違|と違って|とは別|は別|が終わ|"
    r"の?(?:受給)?(?:資格)?者?証(?:書)?(?!明)|の保険証|の決定通知|の通知)")
NEGATED = re.compile(
    r"対象外|対象には?なら|対象ではな|対象じゃな|使えない|使えません|当たらない|当たりません|受けられない|受けられません|"
    r"もらえない|もらえません|いらない|要らない|いりません|必要はありません|難し[いかく]|できない|できません|なりません|ならない|"
    r"のではなく|じゃなくて|ではなくて|ないです|ありません|しないで|せずに|"
    # hard to qualify (「対象になりにくい」), dialect negations (「対象になんねえ」「対象やない」「使えん」)
    r"(?:なり|受け|使い|もらい|通り)にくい|(?:なん|なら|でき|もらえ|使え|受けられ)(?:ねえ|ねぇ|へん|ん(?:です|と|の|やろ|よ|。))|"
    r"対象(?:や|じゃ)な")
# a sentence that asks (the staff hears the citizen out): not a proposal; 「〜しましょうか」「〜しませんか」 offer
_QUESTION_END = re.compile(r"(?<!ましょう)(?<!ません)(?<!と)(?<!なん)(?:か|かね|かな|の|っけ)[。？?\s]*$|[？?][\s]*$")
# a question that proposes (「〜を申請してみたらどうですか」「〜を使ってみてはいかがでしょうか」)
_OFFER_QUESTION = re.compile(r"(?:たら|ては|では|たらば)[\s\u3000、]*(?:どう|いかが)")
_AWARENESS = re.compile(r"ご存[知じ]|知って(?:い|る|ま)|聞いたこと|聞かれたこと|お聞きになった")
# a check promised, not a proposal (「〜の対象になるかどうか、こちらで確認してみますね」)
_CHECK = re.compile(r"(?:かどうか|か(?!もしれ))[、,\s\u3000]*[^。？?]{0,24}?(?:確認|調べ|問い合わせ|問合せ|照会|聞いてみ|見てみ)"
                    r"(?!して(?:ください|下さい|もらえ|いただ|みてくださ))")
# a check at the scheme's counter (「〜の窓口で確認します」「〜で住居確保給付金の確認をして」)
_CHECK_AT = re.compile(r"(?:の窓口|の担当|のほう)?(?:で|に)[^。、]{0,8}?(?:確認|調べ|問い合わせ|照会)")
# a step the citizen has already taken for it (「〜は転入のときに手続き済みですね」「〜の申請はもう終わっています」)
_DONE = re.compile(r"[^。？?、]{0,14}?(?:申請|手続き?|登録|切り?替え|届出|届け出)(?:は|も)?[\s\u3000]*(?:もう|すでに|既に)?[\s\u3000]*(?:済|終わ|完了)")
# a short rest ending in ですね: the staff confirming what the citizen said (「妊婦のための支援給付の面談ですね。」)
# when the citizen has just named it, else a statement (「次は障害者手帳の申請ですね」)
_CONFIRM = re.compile(r"[^。、]{0,10}?(?:ですね|ますね|ましたね|でしたね|んですね)[。！!\s]*")
# a matter this counter does not handle (「〜のことは保育課の所管になりますので、ここでは扱っていません」)
_NOT_HERE = re.compile(r"所管(?:外|に?なり|です)|管轄(?:外|に?なり|です)|担当(?:外|では?な|じゃな)|扱って(?:い|お)?(?:な|りませ|ませ)|"
                       r"お答え(?:し|でき)かね|ご案内(?:し|でき)かね")
# …unless the staff says where to go instead (「そちらにご相談ください」「担当課におつなぎします」)
_REFER = re.compile(r"(?:ご?相談|お?問い?合わせ|お尋ね|お聞き|行って|伺って)(?:くださ|下さ|いただ|みて)|つなぎ|おつなぎ|紹介|"
                    r"連絡先|電話番号|ご案内します")
_DOCUMENT = re.compile(r"(?:証|証書|手帳|通知書?)$")
_BRING = re.compile(r"持ってき|お持ち|持参|ご用意|用意して|見せて|お見せ|コピー")
# an example in a list (「生活保護なども含めて」「生活保護とか障害年金とか」)
_EXAMPLE = re.compile(r"[\s\u3000]*(?:など|等|なんか|(?:とか|や)[\s\u3000、]*(?:(?:制度|支援|もの|サービス)(?:は|も|が)?[\s\u3000、]*)?"
                      r"(?:いろいろ|色々|様々|さまざま|ほか|他|含め))")
# a name given as an example (「例えば〜とか〜とかありますけど」): 例えば before it in its clause, and after
# it a list (a second とか) or a list said to exist (「〜とかあります」); 「例えば〜の申請書とか、学校で
# もらえます」 explains one
_FOR_EXAMPLE = re.compile(r"(?:例えば|たとえば)[^。？?]*$")
_LISTED_AFTER = re.compile(r"[^。、？?]{0,10}?(?:とか|など|なんか)[\s\u3000、]*(?:[^。？?]{0,20}?(?:とか|など|なんか)|"
                           r"(?:も|が)?[\s\u3000]*(?:あり|ある|いろいろ|色々))")
_COORD = re.compile(r"[\s\u3000]*(?:と|や|とか|、|・|も|か|および|及び)[\s\u3000、]*")
# another scheme preferred over this one in the same sentence (「〜もありますが、…〜のほうが」「〜より〜」)
_CONCEDE = re.compile(r"(?:が|けど|けれど|けれども)[、,\s\u3000]|より")
_PREFERRED = re.compile(r"[\s\u3000]*(?:の)?(?:ほう|方)(?:が|を)")
_TOPIC = re.compile(r"[\s\u3000]*(?:では|は|で|の方では|のほうでは)[、\s\u3000]")
# the name as the topic of the sentence (「〜は、」「〜って」「〜ゆうのは」)
_TOPIC_OF_SENTENCE = re.compile(r"[\s\u3000]*(?:は|って|(?:っつう|ゆう|いう|という)のは)[、\s\u3000]")
# a reason clause ending (「〜の制度ですので、」「〜からの制度なんで、」「〜だがら、」「〜やけん、」)
_REASON_BREAK = re.compile(r"(?:ので|んで|から|がら|けん|ため)[、,\s\u3000]")
# a main clause saying the citizen does not qualify (not any negation: 「自分で判断しないで」 is none)
_INELIGIBLE = re.compile(r"対象(?:外|に?は?なら|に?は?なり(?:ませ|にく)|に?は?なんね|ではな|じゃな|やな)|(?:受け|使い|もらい|通り)にくい|"
                         r"(?:受けられ|使え|もらえ)(?:な|ませ|ん|ねえ)|難し[いかく]|無理|いらな|要らな|いりません|"
                         r"必要(?:は|が)?(?:ない|なく|なかっ|ありませ|ねえ|ねぇ)|当たらな|当たりません|該当しな|該当しません|"
                         r"いらねえ|いらねぇ|いらん|要らん|基準を超え|超えてしま|条件に合わな|要件を満たさ|"
                         r"今は(?:よか|いい|大丈夫|結構)(?:でしょう|と思|です|ね|よ|[。]|$)")
_CLAUSE_BREAK = re.compile(r"[。！？!?]|(?:し|が|けど|けれど|ので|から)、")
_UNIT_END = re.compile(r"[。！？!?\n]|(?:(?<=ますか)|(?<=ですか)|(?<=ょうか)|(?<=ますね)|(?<=ですね)|(?<=ですよ)|(?<=ます)|(?<=です)|(?<=した)|(?<=よね))[\s\u3000]+")

# -- what counts as explaining -----------------------------------------------------------------------
# what it gives or who qualifies, an application step, a referral or handout, or a proposal in so many words
_EXPLANATION = re.compile(
    r"支給|給付|助成|援助|補助|減免|免除|軽減|減額|貸付|貸し付け|借りられ|無利子|利子|返済|返さなく|上限|割引|自己負担|"
    r"[一二三1-3１-３]割|払い?ます|支払|出ます|もらえ|受け取れ|受けられ|使え|利用でき|対象(?:に|と)?な|対象です|円|"
    r"[か箇ヶカ]月|仕組み|方向け|のための|"
    r"申請|申し込|申込|申し?立て|申立|手続|届出|届け出|請求|窓口|用紙|書類|持参|お持ちくださ|持ってき|予約|面談|"
    r"電話して|連絡して|連絡先|電話番号|つなぎ|つなぐ|つない|紹介|お渡し|パンフレット|チラシ|資料|この紙|リーフレット|"
    r"案内します|ご案内|(?<!考え)(?<!検討し)(?<!考えていき)ましょう|ませんか|おすすめ|お勧め|勧め|てはどう|いかがでしょう|たら[\s\u3000、]*(?:どう|いかが)|がいいと思|が合って|ご利用くださ|"
    r"相談も?[\s\u3000]*(?:でき|出来)(?:ます|る)|相談にのって|相談に乗って|やってくれ|手伝|訪問|伺って|手配|一緒に|(?:こと|の)も?できます|場合|"
    r"払|軽く|安く|無料|かからな|減り|金額|判定|審査|協力|対応し|見守|渡す|渡し|聞いてくれ|聞けます|"
    r"(?:利用|申請|活用)も?(?:考えられ|検討でき)|選択肢|"
    r"詳しくは[^。？?、]{1,16}?(?:で|に)(?:[。\s]|$|お?聞き|聞いて|ご?相談|お?尋ね|ご?説明|伺)")
# the staff saying what was talked about (「今日お話ししたのは〜と〜です」): each name in it was explained
_SUMMARY = re.compile(r"(?:今日|本日|今回|きょう)[^。？?]{0,6}?(?:お話し|ご説明|説明|ご案内|案内|お伝え)し(?:た|まし)")
# the scheme (a centre, a team) as whom to consult (「〜センターにまず相談してください」): a referral
# (dialect: 「〜さ相談してけさい」)
_ADDRESSEE = re.compile(r"[\s\u3000]*(?:に|へ|さ)[^。、？?]{0,6}?(?:ご|お)?相談(?:して(?:くださ|みて|いただ|けさい|けれ|ちょうだい|おくれ)|"
                        r"くださ|に行|しに)")
# the staff saying a scheme the citizen has goes on as it is (「今届いているものはそのままです」): background
_CONTINUES = re.compile(r"(?:そのまま|今のまま)(?:です|で(?:大丈夫|結構|いい|構いません|かまいません)|お使い|使って|続け|受け)|"
                        r"(?:もう|既に|すでに)[^。？?、]{0,8}?(?:かかって|適用されて|効いて|反映されて)|"
                        r"引き続き[^。？?]{0,6}?(?:受け|使|利用|もら)|(?:今|いま)[^。、？?]{0,4}?(?:届いて|もらって|受けて|使って)(?:い|る)")
# a deferral is not a proposal (「生まれてからまた相談しましょう」「落ち着いたら改めて考えましょう」)
_DEFER = re.compile(r"(?:また|改めて|あとで|後で|その時|そのとき|別の日|次回|てから|たら)[^。？?]{0,12}?(?:相談|考え|検討|話し|ご説明)"
                    r"(?:しましょう|ましょう|します|しよう)")
# the staff taking a proposal back or shelving it in the same turn (「〜も使えるかも…あ、持ち家でしたね。
# 関係ないですね」「〜もありますが、今日は置いておきますね」「それはまた次回にしましょう」)
_WITHDRAW = re.compile(r"関係な[いかく]|関係(?:あり|ござい)ません|当てはまらな|当てはまりません|後回し|見送り?ましょう|"
                       r"(?:まだ)?先の話|その時(?:に|が来たら)|(?:けど|が)[、\s\u3000]*(?:今日|今回)は[^。？?]{0,16}?(?:優先|先に)|"
                       r"(?:今日|今回|いったん|一旦|ひとまず|とりあえず)は?[、\s\u3000]*(?:置いて(?:おき|おこ)|置いとき|保留)|"
                       r"(?:次回|今度|次の機会)に(?:しましょう|します)")
# 「〜が足りなければ、緊急小口資金もあります」: a condition (who it is for) and the scheme offered
_CONDITION = re.compile(r"れば|ければ|なら|たら|場合|とき[はに]|時[はに]")
# (plain and dialect: 「〜っつう制度もあるがら」「〜ゆう制度もあるんよ」)
_EXISTS = re.compile(r"[\s\u3000]*(?:(?:と|って|っ)?(?:いう|つう|ちゅう|ゆう)(?:制度|の))?[\s\u3000]*(?:が|も)[\s\u3000]*"
                     r"(?:あり(?:ます|まして)|ある(?:から|がら|けん|んで|んです|んや|んだ|よ|[。\s\u3000]|$))")
# a name that itself says what it gives (特例の免除, 医療費助成): 「〜があります」 is an explanation
_SAYS_WHAT = re.compile(r"免除|助成|給付|減免|軽減|手当|補助|貸付|支援金|扶助|一時金")
# a new step for a scheme the citizen already has (区分変更の申請, 更新の手続き)
_NEW_STEP = re.compile(r"申請|手続|変更|更新|届出|届け出|請求")
FOLLOW_TURNS = 2  # staff turns after the naming that may still be explaining it


@dataclass
class SchemeHit:
    """A scheme the staff named: the sentences that name or explain it (the line's evidence)."""

    sid: str
    name: str
    sentences: list[Sentence] = field(default_factory=list)
    explained: bool = False
    ruled_out: bool = False

    def add(self, *sents: Sentence) -> None:
        for s in sents:
            if s not in self.sentences:
                self.sentences.append(s)


@dataclass
class _Naming:
    """One scheme name said by the staff, and what the sentence does with it."""

    mention: Any
    sentence: Sentence
    pos: int  # in the segment's text
    role: str  # candidate | introduced | asked | rule_out | background | example | check | replaced | part


def _unit(text: str, pos: int, lo: int, hi: int) -> tuple[int, int]:
    """The spoken unit around ``pos`` inside [lo, hi): a sentence, or in unpunctuated speech the stretch
    between pauses after a sentence-final word (「〜ますか　これは〜」)."""
    s = lo
    for m in _UNIT_END.finditer(text, lo, pos):
        s = m.end()
    m = _UNIT_END.search(text, pos, hi)
    return s, (m.end() if m else hi)


def _role(m: Any, names: Sequence[Any], k: int, sent: Sentence, text: str, pos: int, official: bool,
          roles: Sequence[str], provides: Any, where: Sequence[int]) -> str:
    """What the sentence does with the name at ``pos`` (see the module docstring); ``official``: the
    surface is the scheme's own name, not an alias or service word; ``roles``: those of the earlier
    names of the sentence; ``provides(sid, mention, related)``: whether scheme ``sid`` offers that service;
    ``where``: the position of each of ``names``."""
    end = pos + len(m.surface)
    if m.how == "other":
        return "background"
    if m.how == "receiving" or _BACKGROUND.match(text, end) or _GRADE_HELD.match(text, end):
        return "background"
    if m.how == "rule_out" or _ruled_out_after(text, pos, sent) or _topic_ruled_out(names, text, end, sent):
        return "rule_out"
    if m.fuzzy and _chance_reading(m.surface):
        return "part"
    if not official and _common_noun(text, pos, end, m.strong and len(m.surface) > 2):
        return "part"
    if not official and _belongs_to_other(names, k, text, roles, provides, where):
        return "part"
    nxt = [o for o in names[k + 1:] if o.scheme_id != m.scheme_id]
    if _EXAMPLE.match(text, _run_end(names, k, text, end)) or (
            _FOR_EXAMPLE.search(text, sent.start, pos) and _LISTED_AFTER.match(text, end)):
        return "example"
    after = text[end:sent.end]
    for o in nxt:
        o_pos = text.find(o.surface, end)
        if o_pos >= 0 and _CONCEDE.search(text, end, o_pos) and _PREFERRED.match(text, o_pos + len(o.surface)):
            return "replaced"
    if _CHECK.search(after) or _CHECK_AT.match(text, end):
        return "check"
    if (_CONTINUES.search(after) and not _NEW_STEP.search(after)) or _DONE.match(after):
        return "background"
    if _NOT_HERE.search(after) and not _REFER.search(after):
        return "background"
    if _CONFIRM.fullmatch(after.strip()):
        return "confirm"
    if _DOCUMENT.search(m.surface) and _BRING.search(after):
        return "background"  # a paper to bring (「介護保険証を持ってきてください」), not the scheme explained
    us, ue = _unit(text, pos, sent.start, sent.end)
    if _QUESTION_END.search(text[us:ue].strip()) and not _OFFER_QUESTION.search(text, end, ue):
        return "introduced" if _AWARENESS.search(text[us:ue]) else "asked"
    return "candidate"


def _belongs_to_other(names: Sequence[Any], k: int, text: str, roles: Sequence[str], provides: Any,
                      where: Sequence[int]) -> bool:
    """A service word of another scheme named in the same sentence — coordinated with it (「ヘルパーや
    デイサービス」) or inside the clause that has that scheme as its topic (「こども家庭センターでは、…
    一時預かりにもつないでくれます」) — and that scheme offers it (its text or related schemes): part of
    that scheme's explanation, not a second scheme."""
    me = names[k]
    me_pos = where[k]
    for j in range(len(names)):
        o = names[j]
        if j == k or o.scheme_id == me.scheme_id or not provides(o.scheme_id, me, True):
            continue
        o_end = where[j] + len(o.surface)
        lo, hi = sorted((j, k))
        if provides(o.scheme_id, me, False) and _run_end(names, lo, text, where[lo] + len(names[lo].surface)) \
                >= where[hi] + len(names[hi].surface):
            return True  # one coordinated run
        if j < k and j < len(roles) and roles[j] in ("candidate", "introduced") and _TOPIC.match(text, o_end) \
                and not _CLAUSE_BREAK.search(text, o_end, me_pos):
            return True
    return False


def _chance_reading(surface: str) -> bool:
    """A name recognised by its reading only, that is a chance sound match rather than a misheard
    name: too short (「今日自立」 → 日自) or a particle glued to it (「窓口でサービス」「生活がご」)."""
    return len(surface) < 3 or bool(re.match(r"[ぁ-ん][^ぁ-ん]", surface) or re.search(r"[\u4e00-\u9fff][ぁ-ん]+$", surface))


def _common_noun(text: str, pos: int, end: int, strong: bool) -> bool:
    """A common word that is also a scheme's alias (手帳, 補助, 保育園), used as a plain noun: the tail
    of a compound (年金手帳; for a two-character alias any preceding kanji: 「今日自立」 is no 日自),
    modified by another noun (教材費の補助) or a matter talked about (保育園のことは)."""
    before = text[max(0, pos - 6):pos]
    if re.match(r"[\s\u3000]*の[\s\u3000]*こと", text[end:]):
        return True
    return not strong and bool(re.search(r"[\u4e00-\u9fff\u30a0-\u30ff]の?$", before))


def _run_end(names: Sequence[Any], k: int, text: str, end: int) -> int:
    """Where a run of coordinated names (「生活保護とか障害年金とか介護保険」) ends: the words after
    the last name are said of all of them. も and か join names only when repeated (「〜も〜も」): 「〜も
    包括から頼めて」 is no run."""
    for o in names[k + 1:]:
        o_pos = text.find(o.surface, end)
        if o_pos < 0 or not _COORD.fullmatch(text, end, o_pos):
            break
        sep = text[end:o_pos].strip(" \u3000、")
        o_end = o_pos + len(o.surface)
        if sep in ("も", "か") and not text.startswith(sep, o_end):
            break
        end = o_end
    return end


# a certificate named with the grade the person holds (「療育手帳B1ですと」「手帳の2級なので」): background
_GRADE_HELD = re.compile(r"[\s\u3000]*(?:の)?[\s\u3000]*(?:[ABＡＢ][12１２]?|[1-7１-７一二三四五六七](?:級|度))[\s\u3000]*"
                         r"(?:ですと|だと|でしたら|なら|なので|ですので|ですから|の方|をお持ち|を持って|で[、\s\u3000])")
_TOPIC_LOOSE = re.compile(r"[\s\u3000]*(?:は|って|(?:っつう|ゆう|いう|という)のは)(?![\s\u3000]*(?:受け|もら|使|利用|申請|あり|ない))")
_CONCESSION = re.compile(r"(?:けど|けれど|けれども|ですが|んですが|ますが)[、,\s\u3000]")
_POINTS_BACK = re.compile(r"^[\s\u3000]*(?:ただ|でも|ですが|それと)?[、\s\u3000]*(?:あれ|それ|これ|こちら|そちら)(?:は|って|も)")


def _topic_ruled_out(names: Sequence[Any], text: str, end: int, sent: Sentence) -> bool:
    """「生活保護は、〜の制度ですので、今の状況ですと対象になりにくいです」: the scheme is the topic of
    the sentence, a reason clause follows, and the main clause that closes the sentence is a negation
    naming no other scheme — said of the topic."""
    topic = _TOPIC_OF_SENTENCE.match(text, end) or _TOPIC_LOOSE.match(text, end)
    concede = _CONCESSION.search(text, end, sent.end)  # 「〜もあるとですけど、…けん、今はよかでしょう」
    if not (topic or concede):
        return False
    breaks = list(_REASON_BREAK.finditer(text, end, sent.end)) + ([concede] if concede else [])
    if not breaks:
        return False
    last = max(b.end() for b in breaks)
    if any(text.find(o.surface, last, sent.end) >= 0 for o in names):
        return False
    return bool(_INELIGIBLE.search(text, last, sent.end))


def _ruled_out_after(text: str, pos: int, sent: Sentence | None) -> bool:
    """「雇用保険の失業給付の対象にはなりません。その代わり…」: the clause that names the scheme ends
    in a negation, whatever the rest of the turn proposes."""
    if pos < 0:
        return False
    end = sent.end if sent is not None else len(text)
    clause = re.split(r"(?<=[がけど])、|ので、|から、", text[pos:end], maxsplit=1)[0]
    return bool(NEGATED.search(clause))


def _verdict_next(n: _Naming, staff: Sequence[Sentence], order: dict[int, int], namings: Sequence[_Naming]) -> bool:
    """The scheme is the topic of its sentence, and the staff's next sentence in the same turn names no
    scheme and closes on a verdict that the citizen does not qualify or need it."""
    sent, text = n.sentence, n.sentence.segment.text
    rest = text[n.pos + len(n.mention.surface):sent.end]
    k = order.get(id(sent))
    if k is None:
        return False
    for j in (k + 1, k + 2):  # the verdict may come after one more sentence of explanation
        if j >= len(staff) or staff[j].segment.id != sent.segment.id:
            return False
        nxt = staff[j]
        others = [x for x in namings if x.sentence is nxt and x.mention.scheme_id != n.mention.scheme_id]
        if others and _TOPIC_OF_SENTENCE.match(nxt.segment.text, others[0].pos + len(others[0].mention.surface)):
            return False  # the turn has moved on to another scheme
        last = re.split(r"(?:ので|から|けど|が|し)[、,\s\u3000]", nxt.text)[-1]
        named_last = any(nxt.text.rfind(x.mention.surface) >= len(nxt.text) - len(last) for x in others)
        about = _TOPIC_OF_SENTENCE.match(text, n.pos + len(n.mention.surface)) or _CONFIRM.fullmatch(rest.strip()) \
            or _POINTS_BACK.match(nxt.text) or j == k + 2
        if about and not named_last and _INELIGIBLE.search(last) and not _EXPLANATION.search(last):
            return True
    return False


def _support(namings: Sequence[_Naming], i: int, staff: Sequence[Sentence], order: dict[int, int]) -> list[Sentence]:
    """The sentences that explain naming ``i``: its own sentence after the name, then the staff's next
    sentences (this turn and up to FOLLOW_TURNS more staff turns) until the staff asks a question or
    takes up another scheme."""
    n = namings[i]
    sent, text = n.sentence, n.sentence.segment.text
    own = text[n.pos + len(n.mention.surface):sent.end]
    # what is said after a later name that is ruled out is said of that one (「〜はありますが、〜は対象外です」)
    later = [x for x in namings[i + 1:] if x.sentence is sent and x.mention.scheme_id != n.mention.scheme_id
             and x.role == "rule_out"]
    if later:
        own = text[n.pos + len(n.mention.surface):later[0].pos]
    own = _DEFER.sub("", own)
    if _EXPLANATION.search(own) or _SUMMARY.search(text, sent.start, n.pos) or _ADDRESSEE.match(own):
        return [sent]
    if _EXISTS.match(text, n.pos + len(n.mention.surface)) and (
            _CONDITION.search(text, sent.start, n.pos) or _SAYS_WHAT.search(n.mention.surface)):
        return [sent]
    topic = {id(x.sentence) for x in namings if x.mention.scheme_id != n.mention.scheme_id
             and x.role in ("candidate", "introduced", "rule_out", "asked", "confirm")}
    start = order[id(sent)]
    first_seg = sent.segment.id
    turns = 0
    prev_seg = first_seg
    for s in staff[start + 1:]:
        if s.segment.id != prev_seg:
            turns += 1
            prev_seg = s.segment.id
        if turns > FOLLOW_TURNS or id(s) in topic:
            break
        if _QUESTION_END.search(s.text.strip()) and not _EXPLANATION.search(s.text):
            break
        if _EXPLANATION.search(s.text):
            return [sent, s]
    return []


def staff_scheme_hits(sentences: Sequence[Sentence], kb: Any) -> dict[str, SchemeHit] | None:
    """Schemes the staff explained or ruled out, each with its evidence sentences (None when the
    suggestion engine's name index cannot be built; the caller then matches exact names)."""
    try:
        index = shared_index(kb)
    except Exception:  # noqa: BLE001 - the engine is optional; exact names are matched instead
        return None
    # without speaker labels every turn may be the staff's explanation
    speakers = ("staff",) if any(x.segment.speaker == "staff" for x in sentences) else ("staff", "unknown")
    staff = [s for s in sentences if s.segment.speaker in speakers]
    order = {id(s): i for i, s in enumerate(staff)}
    namings = [replace(n, role="part") if _refers_back(n, sentences, index) else n for n in _namings(staff, index)]
    received = _received(sentences, index)
    for sid, at in _confirmed_received(namings, sentences).items():
        received[sid] = min(at, received.get(sid, at))
    hits: dict[str, SchemeHit] = {}
    surfaces: dict[str, set[str]] = {}
    turns: dict[str, set[int]] = {}  # the staff turns where each scheme was named
    explained_in: dict[str, int] = {}  # the turn of each scheme's last explanation
    for i, n in enumerate(namings):
        sid = n.mention.scheme_id
        if n.role == "rule_out":
            h = _hit(hits, sid, kb)
            h.ruled_out = True
            h.add(n.sentence)
            if explained_in.get(sid) == n.sentence.segment.id:
                h.explained = False  # described first, then said not to apply in the same turn
        elif n.role in ("candidate", "introduced") or (n.role == "confirm" and (
                not _echo(n, sentences, index) or _answers_in_turn(n, sentences, staff))):
            if _withdrawn(namings, i):
                continue
            support = _support(namings, i, staff, order)
            already = received.get(sid, len(sentences)) < n.sentence.index
            if not support or (already and not any(_NEW_STEP.search(s.text) for s in support)):
                continue
            h = _hit(hits, sid, kb)
            if _verdict_next(n, staff, order, namings):
                h.ruled_out = True  # described, then said not to apply (「…選ぶ制度です。今の状態では必要ないと思います」)
                h.add(n.sentence)
                continue
            h.explained = True
            explained_in[sid] = n.sentence.segment.id
            h.add(*support)
            surfaces.setdefault(sid, set()).add(n.mention.surface)
            turns.setdefault(sid, set()).add(n.sentence.segment.id)
    for sid, sents, ruled in _taken_up(sentences, staff, index):
        if sid in hits or (sid in received and not ruled):
            continue
        h = _hit(hits, sid, kb)
        h.ruled_out, h.explained = ruled, not ruled
        h.add(*sents)
    weak = {sid for sid in hits if not any(n.mention.strong for n in namings
                                           if n.mention.scheme_id == sid and n.role in ("candidate", "introduced"))}
    hits = _drop_shared_services(hits, surfaces, turns, weak, kb)
    return _drop_services_of_named(hits, surfaces, namings, kb)


def _withdrawn(namings: Sequence[_Naming], i: int) -> bool:
    """The rest of the staff's turn takes naming ``i`` back or shelves it (``_WITHDRAW``), before the
    turn moves on to another scheme in a sentence of its own."""
    n = namings[i]
    seg = n.sentence.segment
    stop = len(seg.text)
    for x in namings[i + 1:]:
        if x.sentence.segment.id == seg.id and x.sentence is not n.sentence and x.mention.scheme_id != n.mention.scheme_id:
            stop = x.sentence.start
            break
    return bool(_WITHDRAW.search(seg.text, n.pos + len(n.mention.surface), stop))


# a reply that answers a question about a scheme: yes/no, or what the scheme does for the citizen
_ANSWER = re.compile(r"[\s\u3000、。]*(?:(?:あの|えっと|えー|ええと|うーん)[\s\u3000、]*)?(?:はい|ええ|うん|いいえ|いや|そうです|"
                     r"もらえ|受けられ|使え|対象|大丈夫|できます|それは|残念)")


# a question said by its topic alone (「失業保険は。」「医療費のほうって？」)
_ELLIPTIC = re.compile(r"^[^。？?、]{1,24}?(?:は|って|のほうは)[。？?\s…]*$")


def _taken_up(sentences: Sequence[Sentence], staff: Sequence[Sentence], index: Any) -> list[tuple[str, list[Sentence], bool]]:
    """Schemes the citizen asked about (「児童扶養手当ってもらえますか」) that the staff's very next turn
    answers without naming any scheme: explained when that answer explains (「はい、対象になります。申請は
    窓口です」), ruled out when it opens with a negation; a reply that moves on (「まずはお仕事の状況を
    伺えますか」) takes nothing up. Evidence: the question and the answer."""
    out: list[tuple[str, list[Sentence], bool]] = []
    staff_ids = {s.segment.id for s in staff}
    for k, s in enumerate(sentences):
        if s.segment.id in staff_ids or not (_QUESTION_END.search(s.text.strip()) or _ELLIPTIC.match(s.text.strip())):
            continue
        try:
            asked = [m for m in _mentions_cached(index, s.segment.text, "citizen") if m.how == "asked"]
        except Exception:  # noqa: BLE001
            continue
        reply = [x for x in sentences[k + 1:] if x.index == s.index + 1]
        if not asked or not reply or reply[0].segment.id not in staff_ids \
                or _mentions_cached(index, reply[0].segment.text):
            continue
        first = _DEFER.sub("", reply[0].text)
        if not _ANSWER.match(first):
            continue  # the staff moves on (「辞める前に、まず…考えましょう」), it does not answer
        ruled = bool(NEGATED.search(first))
        said = [x for x in reply if _EXPLANATION.search(_DEFER.sub("", x.text))]
        if ruled or (said and not _QUESTION_END.search(first.strip())):
            for m in {m.scheme_id: m for m in asked}.values():
                out.append((m.scheme_id, [s, *(reply[:1] if ruled else said)], ruled))
    return out


def _echo(n: _Naming, sentences: Sequence[Sentence], index: Any) -> bool:
    """「〜の面談ですね。」 right after the citizen named that scheme, or said the words that follow its
    name: the staff repeats what was said."""
    before = [x for x in sentences if x.index == n.sentence.index - 1 and x.segment.speaker != "staff"]
    if not before:
        return False
    said_text = before[0].segment.text
    text = n.sentence.segment.text
    core = re.sub(r"^[\s\u3000]*の|(?:ですね|ますね|ましたね|でしたね|んですね)[。！!\s]*$", "",
                  text[n.pos + len(n.mention.surface):n.sentence.end].strip())
    if len(core) >= 2 and core in said_text:
        return True  # 「給付金の面談で…」→「妊婦のための支援給付の面談ですね」
    try:
        said = _mentions_cached(index, said_text, "citizen")
    except Exception:  # noqa: BLE001
        return False
    return any(m.scheme_id == n.mention.scheme_id for m in said)


def _refers_back(n: _Naming, sentences: Sequence[Sentence], index: Any) -> bool:
    """A bare common word that is a scheme's alias (手帳) standing for a longer name said earlier that is
    not that scheme (「母子健康手帳をもらいに来ました」→「手帳の交付と一緒に」): it refers back to that."""
    sch = index.by_id.get(n.mention.scheme_id)
    word = n.mention.surface
    if sch is None or n.mention.strong or word in (sch.name, sch.short_name) or len(word) > 3:
        return False
    own = {sch.name, sch.short_name, *sch.aliases} - {word}
    compound = re.compile(r"[\u4e00-\u9fff\u30a0-\u30ff]+" + re.escape(word))
    return any(not any(a in c or c in a for a in own)
               for x in sentences if x.index < n.sentence.index for c in compound.findall(x.text))


def _answers_in_turn(n: _Naming, sentences: Sequence[Sentence], staff: Sequence[Sentence]) -> bool:
    """「手帳もあるんですか」→「はい、精神障害者保健福祉手帳ですね。〜なら申請できます」: the staff names
    what the citizen asked about and the same turn goes on to explain it — an answer, not an echo."""
    before = [x for x in sentences if x.index == n.sentence.index - 1 and x.segment.speaker != "staff"]
    if not before or not _QUESTION_END.search(before[0].segment.text.strip()):
        return False
    rest = [s for s in staff if s.segment.id == n.sentence.segment.id and s.start >= n.sentence.end]
    return any(_EXPLANATION.search(s.text) and not _QUESTION_END.search(s.text.strip()) for s in rest)


def _hit(hits: dict[str, SchemeHit], sid: str, kb: Any) -> SchemeHit:
    sch = kb.get(sid)
    return hits.setdefault(sid, SchemeHit(sid, sch.name if sch else sid))


def _namings(staff: Sequence[Sentence], index: Any) -> list[_Naming]:
    """Every scheme name the staff said, in order, with its role."""
    out: list[_Naming] = []
    by_segment: dict[int, list[Sentence]] = {}
    for s in staff:
        by_segment.setdefault(s.segment.id, []).append(s)
    for sents in by_segment.values():
        seg = sents[0].segment
        try:
            mentions = list(_mentions_cached(index, seg.text))
        except Exception:  # noqa: BLE001
            continue
        located = _located(seg.text, sents, mentions, index)
        roles: dict[int, list[str]] = {}
        parts: set[str] = set()  # service words taken as another scheme's part in this turn
        for pos, m, sent, official in located:
            same = [x[1] for x in located if x[2] is sent]
            where = [x[0] for x in located if x[2] is sent]
            done = roles.setdefault(id(sent), [])
            role = _role(m, same, same.index(m), sent, seg.text, pos, official, done,
                         lambda sid, o, loose, ix=index: _provides(ix, sid, o, loose), where)
            if role == "part" and not official:
                parts.add(m.surface)
            elif role == "candidate" and m.surface in parts:
                role = "part"  # the same service word said again later in the turn
            done.append(role)
            out.append(_Naming(m, sent, pos, role))
    out.sort(key=lambda n: (n.sentence.index, n.pos))
    return out


def _located(text: str, sents: Sequence[Sentence], mentions: Sequence[Any],
             index: Any) -> list[tuple[int, Any, Sentence, bool]]:
    """Each mention with its position in the segment's own text, its sentence, and whether it is the
    scheme's own name (official name or short name), in order of position."""
    cursor: dict[str, int] = {}
    taken: list[tuple[int, int]] = []  # spans of the names located so far
    out: list[tuple[int, Any, Sentence, bool]] = []
    for m in sorted(mentions, key=lambda x: -len(x.surface)):
        sch = index.by_id.get(m.scheme_id)
        official = sch is not None and m.surface in (sch.name, sch.short_name)
        pos, raw = _locate(text, m.surface, cursor.get(m.surface, 0), taken)
        if pos >= 0:
            cursor[m.surface] = pos + 1
            taken.append((pos, pos + len(raw)))
            m = replace(m, surface=raw)  # as written in the segment (a pause may split the name)
        sent = next((x for x in sents if pos >= 0 and x.start <= pos < x.end), None)
        if sent is None:
            sent = next((x for x in sents if x.start <= m.start < x.end), sents[-1])
            pos = max(pos, sent.start)
        out.append((pos, m, sent, official))
    return sorted(out, key=lambda x: x[0])


def _locate(text: str, surface: str, start: int, taken: Sequence[tuple[int, int]] = ()) -> tuple[int, str]:
    """Where a name found in the normalised text stands in the segment's own text, spaces and pauses
    included (「今日 自立」 holds 日自 only across a pause), outside the ``taken`` spans of longer names
    (児童扶養手当 is not the one inside 特別児童扶養手当); (-1, surface) when it is not there."""
    pat = re.compile(r"[\s\u3000、]*".join(map(re.escape, surface)))
    found = [m for m in pat.finditer(text) if not any(a <= m.start() and m.end() <= b for a, b in taken)]
    m = next((x for x in found if x.start() >= start), found[0] if found else None)
    return (m.start(), m.group()) if m else (-1, surface)


def _provides(index: Any, sid: str, mention: Any, related: bool) -> bool:
    """Whether scheme ``sid`` offers what ``mention`` names: the word in its aliases, summary, benefits
    or body, or (``related``) the mention's scheme among its related schemes in the knowledge base."""
    sch = index.by_id.get(sid)
    if sch is None:
        return False
    if related and mention.scheme_id in sch.related:
        return True
    return mention.surface in " ".join([*sch.aliases, sch.summary, sch.benefits, sch.body])


_ASKS_RECEIVING = re.compile(r"受け|もら|使って|利用|持って|通って|入って|お持ち")
_YES = re.compile(r"^[\s\u3000、。]*(?:(?:あの|えっと|えー|ええと)[\s\u3000、]*)?(?:はい|ええ|うん|そうです|受けて|もらって|使って|持って)")
_NO = re.compile(r"いいえ|いや|まだ|ない|ません|へん")


def _confirmed_received(namings: Sequence[_Naming], sentences: Sequence[Sentence]) -> dict[str, int]:
    """Schemes the staff asked about receiving (「生活保護は受けてらっしゃる」) and the citizen's next
    turn answers yes to: already received, whatever the staff says of them afterwards."""
    out: dict[str, int] = {}
    for n in namings:
        if n.role not in ("asked", "background", "confirm"):
            continue
        text = n.sentence.segment.text
        if not _ASKS_RECEIVING.search(text, n.pos + len(n.mention.surface), n.sentence.end):
            continue
        answer = next((x for x in sentences if x.index > n.sentence.index), None)
        if answer is not None and answer.segment.speaker != "staff" and _YES.match(answer.text) \
                and not _NO.search(answer.text):
            out.setdefault(n.mention.scheme_id, n.sentence.index)
    return out


_WISH = re.compile(r"[^。？?]{0,16}?(?:たら|れば|ければ|なら|たい|ほうが|方が)")
# only a turn saying it gets something can say a scheme is already received (keeps this pass cheap)
_RECEIVING_WORDS = re.compile(r"もら|貰|受け|受給|受け取|入って|使って|利用して|通って|持って|出て|要介護|要支援|ついて")


def _received(sentences: Sequence[Sentence], index: Any) -> dict[str, int]:
    """Schemes the citizen or companion says they already receive (the engine's ``receiving``), each
    with the position of the turn that says so first; a wish or advice (「包括さんが入ってくれたら」
    「療育を受けたほうがいい」) or a denial further on (「手帳とかまだ何も持ってない」) is not."""
    out: dict[str, int] = {}
    seen: set[int] = set()
    for s in sentences:
        text = s.segment.text
        if s.segment.speaker == "staff" or s.segment.id in seen or not _RECEIVING_WORDS.search(text):
            continue
        seen.add(s.segment.id)
        try:
            mentions = _mentions_cached(index, text, "citizen")
        except Exception:  # noqa: BLE001
            continue
        norm = normalise(text)
        for m in mentions:
            if m.how == "receiving" and not _WISH.match(norm, m.end) \
                    and not negated_after(norm, m.end, sentence_of(norm, m.start)[1]):
                out.setdefault(m.scheme_id, s.index)
    return out


def _own_name(sch: Any, word: str) -> bool:
    """The scheme's own name, its short name, one of the names its official name lists
    (「認知症の相談・認知症初期集中支援チーム」 holds 認知症初期集中支援チーム) or a shortening inside
    it (自立相談支援 of 生活困窮者自立相談支援事業): a proper name, never another scheme's service word."""
    if word in (sch.name, sch.short_name):
        return True
    parts = re.split(r"[・（）()、]", sch.name)
    return len(word) >= 4 and (word in parts or any(word in p for p in parts))


def _drop_shared_services(hits: dict[str, SchemeHit], surfaces: dict[str, set[str]], turns: dict[str, set[int]],
                          weak: set[str], kb: Any) -> dict[str, SchemeHit]:
    """A service the staff names (ヘルパー, 一時預かり) belongs to the scheme being explained: when
    every word that raised a scheme is a service that another scheme named in the same staff turn
    also provides (its aliases or benefits text), it is that scheme's service, not a second scheme.
    A scheme named by its own proper name in a turn of its own (「自立相談支援の相談員が…」) stays,
    whatever the others say about it; a common word (ヘルパー, ``weak``) is another scheme's service
    wherever that scheme was explained."""
    out = dict(hits)
    for sid in list(hits):
        words = surfaces.get(sid, set())
        sch = kb.get(sid)
        if not words or sch is None or any(_own_name(sch, w) for w in words):
            continue
        for other in hits:
            o = kb.get(other)
            if other == sid or other not in out or o is None or not out[other].explained \
                    or (sid not in weak and not turns.get(sid, set()) <= turns.get(other, set())):
                continue
            provides = " ".join([*o.aliases, o.benefits, o.summary])
            if all(w in provides for w in words):
                del out[sid]
                break
    return out


def _drop_services_of_named(hits: dict[str, SchemeHit], surfaces: dict[str, set[str]], namings: Sequence[_Naming],
                            kb: Any) -> dict[str, SchemeHit]:
    """A service word (ショートステイ, ヘルパー) said in a turn that also names another scheme offering
    it — one the citizen already uses (「今のケアマネさんと…ショートステイを増やす」) or one being
    explained — is that scheme's service: not listed unless also named by its own name."""
    out = dict(hits)
    for sid, h in hits.items():
        sch = kb.get(sid)
        words = surfaces.get(sid, set())
        if sch is None or not words or any(_own_name(sch, w) for w in words) or h.ruled_out:
            continue
        segs = {s.segment.id for s in h.sentences}
        others = {n.mention.scheme_id for n in namings if n.sentence.segment.id in segs
                  and n.mention.scheme_id != sid and n.role != "rule_out"}
        for other in others:
            o = kb.get(other)
            if o is not None and all(w in " ".join([*o.aliases, o.benefits, o.summary]) for w in words):
                del out[sid]
                break
    return out


_mention_cache: weakref.WeakKeyDictionary[Any, dict[str, tuple[Any, ...]]] = weakref.WeakKeyDictionary()


def _mentions_cached(index: Any, text: str, speaker: str = "staff") -> tuple[Any, ...]:
    """Scheme mentions of one segment, computed once per text, speaker and knowledge-base index (a
    new index — the knowledge base changed — starts a new cache)."""
    per_index = _mention_cache.setdefault(index, {})
    key = text if speaker == "staff" else f"{speaker}\x00{text}"
    hit = per_index.get(key)
    if hit is None:
        if len(per_index) > 4096:
            per_index.clear()
        hit = per_index[key] = tuple(analyse_segment(index, 0, speaker, text).mentions)
    return hit


def clear_cache() -> None:
    """Forget the per-segment scheme mentions (a redraft then recomputes them)."""
    _mention_cache.clear()
