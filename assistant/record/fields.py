"""Which sentences of a conversation go into which record field, and why.

Rules, not a model, so that every choice can be explained to staff and supervisors:

* a citizen's (or companion's) sentence goes to a field when it contains that field's words
  (世帯: 家族, 一人, 息子 …; 収入・就労: 仕事, パート, 手取り, 年金 …; 住まい: 家賃, 賃貸, 階段 …;
  健康・障害・介護: 病院, 通院, 障害, 要介護 …), or when it answers a staff question about that field
  (「ご家族は。」 → the answer is 世帯状況 even if it is just 「一人です。」);
* 主訴 is what the citizen says first, as the staff member explores it, until the staff moves on
  to another area — plus sentences that state a problem (滞納, 督促, 払えない …) anywhere;
* 今後の対応 is what the staff says about documents to bring, referrals and appointments;
* 聞き取り内容 is every informative citizen/companion sentence, in order.

Each field keeps at most a handful of sentences (highest score first, shown in spoken order).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from assistant.record.text import Sentence, is_small_talk

FIELD_LABELS: dict[str, str] = {
    "main_concern": "主訴",
    "household": "世帯状況",
    "income_work": "収入・就労状況",
    "housing": "住まいの状況",
    "health_care": "健康・障害・介護",
    "heard": "聞き取り内容",
    "schemes": "案内した制度",
    "next_actions": "今後の対応",
    "consent": "同意",
}
# Everything staff and supervisors may edit, in display order: the drafted fields, the urgency note and
# the staff memo. The one table for the counter view, the review page and the exports.
EDIT_LABELS: dict[str, str] = {
    **{k: v for k, v in FIELD_LABELS.items() if k != "consent"},
    "urgency": "緊急性", "consent": FIELD_LABELS["consent"], "notes": "職員メモ",
}
SUMMARY_FIELDS = ("household", "income_work", "housing", "health_care")

FIELD_WORDS: dict[str, re.Pattern[str]] = {
    "household": re.compile(
        r"家族|世帯|一人暮らし|ひとり暮らし|一人で|ひとりで|一人です|ひとりです|二人暮らし|二人きり|[二三四五六七2-7]人(?:暮らし|家族|世帯|です|で)|"
        r"同居|一緒に住|一緒に暮ら|夫|妻|主人|旦那|女房|嫁|息子|娘|子ども|子供|こども|子が|長男|長女|次男|次女|父|母|両親|"
        r"親|兄|姉|弟|妹|孫|祖父|祖母|おやじ|おふくろ|独身|離婚|別居|死別|亡くな|単身|身寄り|実家|親戚|扶養|誰もおらん|"
        r"誰もいない|バツイチ|シングル|ひとり親|母子|父子|赤ちゃん|妊娠"),
    "income_work": re.compile(
        r"仕事|働|勤め|勤務|会社|職場|(?<!ア)パート|バイト|アルバイト|正社員|社員|派遣|日雇い|自営|フリーランス|個人事業|開業|"
        r"廃業|閉め|給料|給与|手取り|月収|年収|収入|所得|賃金|年金|手当|貯金|預金|貯蓄|通帳|残高|財布|手持ち|所持金|お金|"
        r"生活費|家計|借金|借入|借り入れ|キャッシング|リボ|ローン|返済|滞納|未納|督促|払え|払って|支払|失業|解雇|クビ|"
        r"雇い止め|辞め|やめ|退職|離職|休職|育休|求職|ハローワーク|雇用保険|保険料|国保|税金|養育費|仕送り|援助|"
        r"生活保護|受給|収入|課長|店|管理して|握って"),
    "housing": re.compile(
        r"住まい|住ん|住む|住居|家賃|賃貸|アパート|マンション|持ち家|一戸建て|借家|社宅|寮|公営|市営|県営|団地|"
        r"住宅ローン|大家|管理会社|立ち退|退去|出ていけ|出てほしい|追い出|明け渡|引っ越|転居|転入|部屋|"
        r"[0-9０-９一二三四五六七八九十]+階|階段|エレベーター|ワンルーム|[0-9０-９][SL]?DK|平屋|ホームレス|路上|ネットカフェ|"
        r"友達の家|避難所|家を出|保証人|敷金|浸水|床上|建て替え|坂の上|"
        # no fixed home, and homes lost to disaster
        r"仮設|応急住宅|みなし仮設|全壊|半壊|半焼|全焼|公園|漫画喫茶|マンガ喫茶|ファストフード|24時間|野宿|車中泊|車で寝|"
        r"寝泊まり|泊ま|宿泊所|シェルター|実家に戻|居候"),
    "health_care": re.compile(
        r"病院|通院|入院|退院|病気|病|症|障害|障がい|手帳|介護|要介護|要支援|ようかいご|認知|物忘れ|薬|痛|膝|腰|心臓|"
        r"血圧|糖尿|がん|癌|うつ|鬱|精神|診断|医者|医師|主治医|受診|治療|手術|リハビリ|まひ|麻痺|骨折|けが|怪我|体調|"
        r"元気|眠れ|寝れ|寝てない|食欲|食べたくな|妊娠|妊婦|つわり|出産|健診|デイサービス|デイ|ショートステイ|ヘルパー|"
        r"ケアマネ|車椅子|杖|歩け|寝たきり|発達|療育|アレルギー|アトピー|喘息|難病|透析|クリニック|内科|整形|"
        r"心療内科|メンタル|ストレス|疲れ|骨|脳|しんきん|検査|点滴|こだわり|パニック|ことば|言葉が|お腹|体が|耳"),
}
# What a staff question is about (its answer goes to that field).
QUESTION_WORDS: dict[str, re.Pattern[str]] = {
    "household": re.compile(r"ご家族|家族|一人暮らし|お一人|お二人|同居|世帯|何人|お子さん|ご主人|奥様|頼れる|身寄り|"
                            r"ご兄弟|ご実家|どなたと|お母様|お父様|息子さん|娘さん|おいくつ"),
    "income_work": re.compile(r"お仕事|仕事|収入|給料|生活費|お金|貯金|預金|年金|手持ち|所持金|手当|借金|借入|借り入れ|"
                              r"返済|保険料|税金|雇用保険|家計|援助|養育費|経済的|辞め|退職|失業|払え|支払|滞納|通帳|管理"),
    "housing": re.compile(r"お住まい|住まい|家賃|賃貸|持ち家|部屋|大家|寮|住む|住んで|どちらで(?:生活|暮らし|過ごし)|"
                          r"立ち退き|退去"),
    "health_care": re.compile(r"体調|お体|病院|通院|病気|障害|手帳|介護|お薬|健康|具合|けが|診断|医療費|受診|治療|"
                              r"お医者|医者|後遺症|眠れ|気分|様子|認定|サービス|妊娠|何週|入院|手術|症状|診察|"
                              r"通って|主治医|クリニック|食事|食欲"),
}
PII_QUESTION = re.compile(r"お名前|名前|生年月日|ご住所|住所|連絡先|電話番号|お電話番号|メール|マイナンバー|番号|口座|振込先|"
                          r"本人確認|フルネーム|アドレス|保険証|被保険者証|証書|在留カード")
PROBLEM = re.compile(
    r"滞納|督促|借金|払えな|払えて(?:い)?な|払ってな|未納|返せな|食べてな|食べるもの|死にた|消えて|暴力|殴|叩か|あざ|"
    r"虐待|出ていけ|出てほしい|退去|立ち退|明け渡|追い出|倒れ|物忘れ|盗られ|止められ|止まりそう|止まって|差し押さえ|"
    r"底をつ|尽き|続かな|困って|どうしていいか|どうしたらいいか|請求|膨ら|減らな|クビ|解雇|切られ|閉め|廃業|"
    r"いなくなって|保護され|手が出|イライラ|行方|家から出な|離婚が成立|療育|無理")
NEXT_ACTION = re.compile(
    r"持ってきて|お持ちください|お持ちいただ|持参|ご用意|用意して|用意しておいて|準備して|まとめておいて|"
    r"が必要です|が要ります|が必要になります|次回|次は|次の募集|予約|面談|連絡します|ご連絡します|連絡させ|お電話します|"
    r"お電話させ|電話が入|電話します|伺います|訪問|紹介します|つなぎます|つなぎ|手配|調整します|呼んで|同行|"
    r"申請しましょう|申請をしましょう|手続きを(?:して|お願い)|手続きしましょう|行きましょう|来てください|お越しください|"
    r"お越しいただけ|来られますか|提出して|出してください|お渡しします|お渡しでき|お送りします|送ります|入れておきます|"
    r"入れますね|入れますので|入れておきますね|この後|このあと|110番|決めましょう|"
    # referrals and applications the staff explains as open to the citizen (「…で申請できます」)
    r"(?:申請|相談|手続き|利用|申し込み|申込み)(?:が|も|を)?(?:でき|出来)ます|確認してください|確認しておいて|"
    r"書いてもらって|伝えてください|連絡しておきます|連絡して|つなぎますね|お伝えします|お渡しでき|"
    r"(?:曜日?|[0-9０-９一二三四五六七八九十]日|[0-9０-９一二三四五六七八九十]時|午前|午後|夕方)[^。]{0,12}(?:いかが|どう|大丈夫)")
STRONG_ACTION = re.compile(r"持ってきてください|お持ちください|ご持参|ご用意ください|予約(?:を)?(?:入れ|取り)|次回は|"
                           r"伺います|お電話します|ご連絡します|お越しください|来てください")
INSTRUCTION = re.compile(r"てください|でください|ましょう|お願いします|しておきます|しますね|します。")
DOCUMENTS = re.compile(r"書類|証明書|証書|明細|通帳|契約書|保険証|手帳|診断書|意見書|謄本|住民票|届(?![いかきくけこ])|通知書|控え|"
                       r"請求書|カード|申請書|申込書|写真|帳簿|源泉徴収票|車検証|パスポート")
WHEN = re.compile(r"明日|明後日|あさって|来週|再来週|今週|今日|来月|今月|[0-9０-９一二三四五六七八九十]+日|月曜|火曜|水曜|木曜|"
                  r"金曜|土曜|日曜|[0-9０-９]+時|午前|午後|夕方|朝")
CONSENT_Q = re.compile(r"(?:情報|個人情報|お話|内容|状況)[^。]{0,12}(?:共有|提供|お伝え|伝え|連絡|お知らせ)|共有して|"
                       r"同意|了解をいただ|お伝えしても|お知らせしても|つないでも")
YES = re.compile(r"^(?:[\s、…]*)(?:はい|お願いします|大丈夫|構いません|いいです|ええ|どうぞ|ぜひ|もちろん|うん|"
                 r"そうしてもらえると|助かります)")
NO = re.compile(r"^(?:[\s、…]*)(?:いや|いいえ|困ります|やめて|嫌|ちょっと|ダメ|だめ|それは|知られたくない|言わないで)")

MAX_SENTENCES = {"main_concern": 6, "household": 5, "income_work": 7, "housing": 5, "health_care": 6,
                 "next_actions": 4}
ACTION_CHARS = 80  # 今後の対応 beyond its two most concrete sentences: a few lines, not the staff's explanations


@dataclass
class FieldDraft:
    """Selected sentences of one field (in spoken order) and why each was chosen."""

    key: str
    sentences: list[Sentence] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


# The counter view redrafts after every utterance. Everything below that looks at one sentence or one
# turn is a pure function of its text and cached, so a redraft only reads the new segments' text;
# what depends on the order of turns (which question an answer belongs to) is recomputed, cheaply.
_CACHE = 32768


def _topics_of_question(text: str) -> set[str]:
    return set(_question_topics(text))


@lru_cache(maxsize=_CACHE)
def _question_topics(text: str) -> frozenset[str]:
    return frozenset(k for k, p in QUESTION_WORDS.items() if p.search(text))


@lru_cache(maxsize=_CACHE)
def _staff_question(text: str) -> tuple[bool, frozenset[str], bool, bool]:
    """A staff turn as a question: (is a question, topics, asks for personal data, explores the concern)."""
    if not _is_question(text):
        return False, frozenset(), False, False
    q = _last_sentences(text, 2)
    return True, _question_topics(q), bool(PII_QUESTION.search(q)), bool(MAIN_QUESTION.search(q))


@lru_cache(maxsize=_CACHE)
def _field_hits(key: str, condensed: str) -> tuple[str, ...]:
    """The field's words in a sentence, sorted and unique."""
    return tuple(sorted(set(FIELD_WORDS[key].findall(condensed))))


def _last_sentences(text: str, n: int = 2) -> str:
    parts = [p for p in re.split(r"(?<=[。？?！!])", text) if p.strip()]
    return "".join(parts[-n:])


@lru_cache(maxsize=_CACHE)
def _is_question(text: str) -> bool:
    """Does a staff turn end by asking something? (「ご家族は。」「お仕事は何を。」「体調はいかがですか。」)"""
    last = _last_sentences(text, 1).strip()
    if re.search(r"[？?]\s*$", last):
        return True
    core = re.sub(r"[。！!…\s\u3000]+$", "", last)
    if re.search(r"(?:か|かね|かな|でしょう|ですか|ますか|は|って|から|けど|の|を|も)$", core):
        return True
    return bool(re.search(r"どのくらい|いくら|何|どう|どちら|どこ|いつ|どなた|おいくつ|教えて|伺|お聞かせ|お願いします", core))


MAIN_QUESTION = re.compile(r"どうされ|どんな|どういった|どのような|どういう|ご様子|お困り|ご相談|いつ頃|いつから|きっかけ|"
                           r"何があった|何から|どうしました|ご用件")
# answers per field: a record is a summary (≤ 40 % of the conversation), not the transcript
MAX_UNITS = {"household": 2, "income_work": 3, "housing": 2, "health_care": 3}


def answer_topics(sentences: list[Sentence]) -> dict[int, tuple[set[str], bool]]:
    """For each non-staff segment index: the topics of the staff question it answers, and whether
    that question asked for personal data (name, address …). A follow-up question without topic
    words (「窓口ではどのくらい払ってます？」) keeps the topic of the question before it."""
    out: dict[int, tuple[set[str], bool]] = {}
    last_q: tuple[set[str], bool] = (set(), False)
    prev_topics: set[str] = set()
    segs: dict[int, Any] = {}
    for s in sentences:
        segs.setdefault(s.index, s.segment)
    for idx in sorted(segs):
        seg = segs[idx]
        if seg.speaker == "staff":
            question, qtopics, pii, _main = _staff_question(seg.text)
            if question:
                topics = set(qtopics)
                if not topics and not pii:
                    topics = set(prev_topics)
                last_q = (topics, pii)
                if topics:
                    prev_topics = topics
            else:
                last_q = (set(), False)
        else:
            out[idx] = last_q
    return out


def _informative(s: Sentence) -> bool:
    return _informative_text(s.condensed)


@lru_cache(maxsize=_CACHE)
def _informative_text(condensed: str) -> bool:

    return not is_small_talk(condensed) and len(re.sub(r"[\s\u3000。、！？!?…]", "", condensed)) >= 2


def draft_fields(sentences: list[Sentence], urgent: set[tuple[int, str]]) -> dict[str, FieldDraft]:
    """Select sentences for 主訴, the four summary fields and 今後の対応.

    ``urgent`` holds (segment id, sentence) pairs of urgency flags: they always reach 主訴."""
    topics = answer_topics(sentences)
    citizen = [s for s in sentences if s.segment.speaker != "staff" and _informative(s)]
    drafts = {k: FieldDraft(k) for k in ("main_concern", *SUMMARY_FIELDS, "next_actions")}
    by_index: dict[int, list[Sentence]] = {}
    for s in citizen:
        by_index.setdefault(s.index, []).append(s)

    # -- summary fields: answers to a question on the field (whole answer), or the field's words --
    for key in SUMMARY_FIELDS:
        units: list[tuple[float, int, list[Sentence], str]] = []
        for idx, sents in by_index.items():
            qtopics, pii_q = topics.get(idx, (set(), False))
            hits = [(s, _field_hits(key, s.condensed)) for s in sents]
            hit_sents = [s for s, h in hits if h]
            words = sorted({w for _s, h in hits for w in h})
            if key in qtopics and not pii_q:
                chosen = sents[:4]
                score = 2.0 + len(words)
                reason = "職員の質問への回答" + (f"（{'、'.join(words[:3])}）" if words else "")
            elif hit_sents:
                chosen = hit_sents
                score = float(len(words))
                reason = "、".join(words[:3])
            else:
                continue
            units.append((score, idx, chosen, reason))
        best = sorted(units, key=lambda u: (-u[0], u[1]))[:MAX_UNITS[key]]
        best.sort(key=lambda u: u[1])
        drafts[key].sentences = [s for u in best for s in u[2]]
        drafts[key].reasons = [u[3] for u in best]

    # -- main concern: the opening topic as the staff explores it, then problems anywhere ----------
    main: list[tuple[Sentence, str]] = []
    opening_fields: set[str] = set()
    segs_used = 0
    all_by_index: dict[int, list[Sentence]] = {}
    for s in sentences:
        all_by_index.setdefault(s.index, []).append(s)
    for idx in sorted(all_by_index):
        seg = all_by_index[idx][0].segment
        if seg.speaker == "staff":
            question, qtopics, pii, main_q = _staff_question(seg.text)
            if question:
                qt = set(qtopics)
                exploring = main_q or pii or not qt
                if segs_used and not exploring:
                    if not opening_fields:
                        opening_fields |= qt
                    elif not (qt & opening_fields):
                        break
            continue
        qtopics, pii_q = topics.get(idx, (set(), False))
        if pii_q:
            continue  # the answer to 「お名前は？」 is not the concern
        informative = by_index.get(idx, [])
        if not informative:
            continue
        for s in informative:
            main.append((s, "相談の冒頭"))
            if segs_used == 0:  # the first statement sets the topic the staff then explores
                for key in SUMMARY_FIELDS:
                    if _field_hits(key, s.condensed):
                        opening_fields.add(key)
        segs_used += 1
        if segs_used >= 5:
            break
    chosen_ids = {id(s) for s, _ in main}
    urgent_sents = [s for s in citizen if (s.segment.id, s.text.strip()) in urgent and id(s) not in chosen_ids]
    for s in urgent_sents:
        main.append((s, "緊急性のある発言"))
        chosen_ids.add(id(s))
    n_problem = 0
    for s in citizen:
        if n_problem >= 3 or id(s) in chosen_ids:
            continue
        problem = _problem(s.condensed)
        if problem is None:
            continue
        # the sentence before it in the same turn often says what the problem is about (40万近く来て。まだ払ってない)
        sib = by_index.get(s.index, [])
        pos = sib.index(s)
        if pos > 0 and id(sib[pos - 1]) not in chosen_ids:
            main.append((sib[pos - 1], "困りごとの発言の前後"))
            chosen_ids.add(id(sib[pos - 1]))
        main.append((s, f"困りごとの発言（{problem}）"))
        chosen_ids.add(id(s))
        n_problem += 1
    main.sort(key=lambda t: (t[0].index, t[0].start))
    drafts["main_concern"].sentences = [m[0] for m in main]
    drafts["main_concern"].reasons = [m[1] for m in main]

    # -- next actions: what the staff says about documents, referrals and appointments ------------
    staff = [s for s in sentences if s.segment.speaker == "staff" and not s.small_talk]
    if not any(s.segment.speaker == "staff" for s in sentences):
        # no speaker labels: any turn may be the staff's; the cues below still have to match
        staff = [s for s in sentences if not s.small_talk]
    n_segments = max((s.index for s in sentences), default=0) + 1
    acts: list[tuple[Sentence, str]] = []
    for s in staff:
        cue = _action_cue(s.condensed, s.index >= n_segments * 0.5)
        if cue is not None:
            acts.append((s, cue))
    # the concrete ones first (a date or time, documents to bring), then the latest; in spoken order
    ranked = sorted(range(len(acts)), key=lambda i: (-_concrete(acts[i][0].condensed), -i))
    top = ranked[:MAX_SENTENCES["next_actions"]]
    keep = sorted(_within_budget([acts[i][0].condensed for i in top], top))
    acts = [acts[i] for i in keep]
    drafts["next_actions"].sentences = [a[0] for a in acts]
    drafts["next_actions"].reasons = [a[1] for a in acts]
    return drafts


def _within_budget(texts: list[str], order: list[int]) -> list[int]:
    """The ranked next actions a record keeps: the two most concrete always, then the next ones only
    while the field stays within ``ACTION_CHARS`` (a long explanation gives way to a short step)."""
    out: list[int] = []
    used = 0
    for t, i in zip(texts, order, strict=True):
        if len(out) >= 2 and used + len(t) > ACTION_CHARS:
            continue
        out.append(i)
        used += len(t)
    return out


def _concrete(text: str) -> int:
    """How concrete a next action is: a date or time, documents, a firm step (予約, 伺います,
    持ってきてください) — each counts once."""
    return sum(bool(p.search(text)) for p in (WHEN, DOCUMENTS, STRONG_ACTION))


@lru_cache(maxsize=_CACHE)
def _problem(condensed: str) -> str | None:
    m = PROBLEM.search(condensed)
    return m.group() if m else None


@lru_cache(maxsize=_CACHE)
def _action_cue(text: str, late: bool) -> str | None:
    """The words that make a staff sentence 今後の対応 (``late``: in the second half of the talk)."""
    if PII_QUESTION.search(text) and not DOCUMENTS.search(text):
        return None  # 「ご連絡先をお願いします」 asks for data, it is not an action
    if MAIN_QUESTION.search(text) and not DOCUMENTS.search(text):
        return None  # 「今日はどうされましたか」
    m = NEXT_ACTION.search(text)
    if m is None and late:
        m = INSTRUCTION.search(text)
    if m is None:
        return None
    if re.search(r"[？?]\s*$", text) and not WHEN.search(text):
        return None
    if not (late or WHEN.search(text) or DOCUMENTS.search(text)):
        return None
    return m.group()


def heard_sentences(sentences: list[Sentence]) -> list[list[Sentence]]:
    """聞き取り内容 candidates: per citizen/companion segment, its informative sentences (in order);
    the record keeps those not already written in another field (``record.draft``). Left out: the
    answer to a personal-data question (the data stands in the 相談者 block) and a reaction to what
    the staff explained (「助かります」「そうか、違うんだ」) — a turn after a staff turn that asked
    nothing, with no field or problem words: it tells nothing about the situation."""
    groups: dict[int, list[Sentence]] = {}
    for s in sentences:
        if s.segment.speaker == "staff" or not _informative(s):
            continue
        groups.setdefault(s.index, []).append(s)
    replies = _reply_kinds(sentences)
    out: list[list[Sentence]] = []
    for k in sorted(groups):
        kind = replies.get(k, "answer")
        if kind == "pii":
            continue
        if kind == "reaction" and not any(_tells_situation(s.condensed) for s in groups[k]):
            continue
        out.append(groups[k])
    return out


def _reply_kinds(sentences: list[Sentence]) -> dict[int, str]:
    """What each non-staff turn replies to: ``pii`` (a personal-data question), ``answer`` (another
    question, or no staff turn yet) or ``reaction`` (a staff turn that asked nothing)."""
    out: dict[int, str] = {}
    last = "answer"
    seen: set[int] = set()
    for s in sentences:
        if s.index in seen:
            continue
        seen.add(s.index)
        if s.segment.speaker == "staff":
            question, _topics, pii, _main = _staff_question(s.segment.text)
            last = "pii" if question and pii else "answer" if question else "reaction"
        else:
            out[s.index] = last
    return out


@lru_cache(maxsize=_CACHE)
def _tells_situation(condensed: str) -> bool:
    """A sentence with a field's words or a problem says something about the situation."""
    return _problem(condensed) is not None or any(_field_hits(k, condensed) for k in SUMMARY_FIELDS)


@dataclass
class ConsentFinding:
    value: str  # "yes" | "no" | "not_asked"
    question: Sentence | None = None
    answer: Sentence | None = None


@lru_cache(maxsize=_CACHE)
def _asks_consent(text: str) -> bool:
    return bool(CONSENT_Q.search(text))


def find_consent(sentences: list[Sentence]) -> ConsentFinding:
    """同意: did the staff ask to share information with other offices, and what was the answer?"""
    found = ConsentFinding("not_asked")
    for i, s in enumerate(sentences):
        if s.segment.speaker != "staff" or not _asks_consent(s.text):
            continue
        if not _is_question(s.segment.text) and not re.search(r"よろしい|いい|構いません|大丈夫", s.text):
            continue
        answer = next((a for a in sentences[i + 1:] if a.segment.speaker != "staff"), None)
        if answer is None or answer.index > s.index + 2:
            found = ConsentFinding("asked", s, None)
            continue
        if NO.search(answer.condensed or answer.text):
            found = ConsentFinding("no", s, answer)
        elif YES.search(answer.condensed or answer.text):
            found = ConsentFinding("yes", s, answer)
        else:
            found = ConsentFinding("asked", s, answer)
    return found
