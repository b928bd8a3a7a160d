"""Drafted consultation records (相談記録) with evidence, masked by default.

``draft_record`` reads a transcript/1 and drafts the fields of docs/record-format.md: concern
categories, 主訴, 世帯状況, 収入・就労状況, 住まいの状況, 健康・障害・介護, 聞き取り内容, 案内した制度,
今後の対応, 緊急性 and 同意, plus 聞き取り漏れ (``gaps``: fields still empty, so the counter view can
remind the staff member what to ask). The counter UI calls it every time a segment is finalised;
everything is cached per segment text, so a redraft costs little more than the new segment.

Nothing is invented: every drafted line is made of character ranges of transcript segments
(``Line.pieces``; condensing only leaves fillers and small talk out) and carries the ids and times of
those segments as evidence. The only lines not taken from the transcript are scheme names (from the
knowledge base, with the segments where the staff explained them) and category labels (with the
segments holding their strongest features). A line with no evidence is not drafted.

Output formats: ``to_dict`` (record/1 JSON, docs/record-1.md), ``to_markdown``, ``to_html``
(printable, self-contained). All are masked unless ``masked=False``: personal data is replaced by
the transcript-wide placeholders of ``assistant.pii.mask`` ([氏名1], [住所1] …).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant import offline  # noqa: F401
from assistant.app.config import get_config
from assistant.asr.transcript import Segment, Transcript
from assistant.facts.subjects import Subjects, extract_subjects, subject_words
from assistant.facts.urgency import UrgencyFlag, detect_urgency
from assistant.pii import mask as pii
from assistant.pii.mask import Entity, detect_segments, scrub
from assistant.record import categories as record_categories
from assistant.record import fields as record_fields
from assistant.record import text as record_text
from assistant.record.categories import (
    CATEGORIES,
    CategoryModel,
    CategoryResult,
    features,
    get_model,
    predict,
)
from assistant.record.compress import compress_all
from assistant.record.explained import NEGATED, SchemeHit, staff_scheme_hits
from assistant.record.explained import clear_cache as explained_clear_cache
from assistant.record.fields import (
    FIELD_LABELS,
    SUMMARY_FIELDS,
    ConsentFinding,
    FieldDraft,
    _problem,
    draft_fields,
    find_consent,
    heard_sentences,
)
from assistant.record.render import to_html, to_markdown
from assistant.record.statements import statements
from assistant.record.text import Piece, Sentence, sentences_of
from assistant.record.when import now_jst
from assistant.schemes.knowledge import get_knowledge_base

__all__ = ["SCHEMA", "Record", "Line", "Evidence", "Gap", "draft_record", "detect_urgency", "UrgencyFlag",
           "FIELD_LABELS", "CATEGORIES"]

SCHEMA = "record/1"
FIELD_ORDER = ("main_concern", "household", "income_work", "housing", "health_care", "heard", "schemes",
               "next_actions", "consent")
GAP_HINTS: dict[str, str] = {
    "main_concern": "相談の主訴（何に困っているか）を確認してください",
    "household": "同居の家族・世帯構成を確認してください",
    "income_work": "収入・仕事の状況（就労、年金、手当、貯金）を確認してください",
    "housing": "住まいの形態（持ち家・賃貸・公営など）と家賃を確認してください",
    "health_care": "健康状態・障害・介護の状況を確認してください",
    "next_actions": "次回の予約・持参する書類・つなぎ先を伝えてください",
    "consent": "他の機関との情報共有について同意を確認してください",
    "contact": "連絡先（電話・住所など）を確認してください",
}
GAP_LABELS = {**FIELD_LABELS, "contact": "連絡先"}
CONSENT_LABELS = {"yes": "同意あり", "no": "同意なし", "asked": "確認したが回答不明", "not_asked": "未確認"}
SCHEME_STATUS = {"presented": "案内した（職員が記録）", "explained": "説明した", "not_applicable": "対象外と説明"}
CITIZEN_LABELS = {"name": "氏名", "birthdate": "生年月日", "address": "住所", "phone": "電話", "email": "メール"}
_JOIN = "。"
_SENT_PUNCT = "。！？!?…"


@dataclass
class Evidence:
    """A transcript segment a line was taken from, and which characters."""

    segment_id: int
    start: float
    end: float
    speaker: str
    chars: list[tuple[int, int]] = field(default_factory=list)
    original_text: str | None = None  # the segment as recognised, when the scheme-name correction changed it

    def to_dict(self) -> dict[str, Any]:
        d = {"segment_id": self.segment_id, "start": round(self.start, 3), "end": round(self.end, 3),
             "speaker": self.speaker, "chars": [list(c) for c in self.chars]}
        if self.original_text is not None:
            d["original_text"] = self.original_text
        return d

    @classmethod
    def of(cls, seg: Segment) -> Evidence:
        return cls(seg.id, float(seg.start), float(seg.end), seg.speaker, original_text=seg.original_text)


@dataclass
class Line:
    """One drafted line. ``pieces`` are the transcript ranges its text is made of (empty for a
    scheme name, which comes from the knowledge base)."""

    text: str
    evidence: list[Evidence]
    pieces: list[Piece] = field(default_factory=list)
    why: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def segment_ids(self) -> list[int]:
        return [e.segment_id for e in self.evidence]


@dataclass
class Gap:
    """聞き取り漏れ: a field still empty."""

    field: str
    label: str
    hint: str

    def to_dict(self) -> dict[str, str]:
        return {"field": self.field, "label": self.label, "hint": self.hint}


@dataclass
class Record:
    """A drafted record: fields of lines with evidence, categories, urgency, gaps and the personal
    data found (to mask every output the same way)."""

    transcript: Transcript
    entities: list[Entity]
    fields: dict[str, list[Line]]
    categories: list[CategoryResult]
    urgency: list[UrgencyFlag]
    gaps: list[Gap]
    consent: str
    citizen: dict[str, Line | None]
    visitor: dict[str, Any]
    meta: dict[str, Any]
    drafted_at: str = ""
    subjects: Subjects | None = None

    # -- masking -----------------------------------------------------------------------------
    def _seg(self, seg_id: int) -> Segment | None:
        return self._segments.get(seg_id)

    @property
    def _segments(self) -> dict[int, Segment]:
        cache = self.__dict__.get("_seg_cache")
        if cache is None:
            cache = {s.id: s for s in self.transcript.segments}
            self.__dict__["_seg_cache"] = cache
        return cache

    def _entities_of(self, seg_id: int) -> list[Entity]:
        cache = self.__dict__.setdefault("_ent_cache", {})
        if not cache:
            for e in self.entities:
                cache.setdefault(e.segment_id, []).append(e)
        return cache.get(seg_id, [])

    def mask_range(self, seg_id: int, start: int, end: int, emitted: set[int] | None = None) -> str:
        """``segment.text[start:end]`` with personal data replaced by placeholders; an entity cut by
        the range is replaced whole (its placeholder once per line when ``emitted`` is shared)."""
        seg = self._seg(seg_id)
        if seg is None:
            return ""
        text = seg.text
        out: list[str] = []
        pos = start
        emitted = emitted if emitted is not None else set()
        for e in sorted(self._entities_of(seg_id), key=lambda x: x.start):
            if e.end <= start or e.start >= end:
                continue
            s = max(e.start, start)
            if s > pos:
                out.append(text[pos:s])
            if id(e) not in emitted:
                out.append(e.placeholder)
                emitted.add(id(e))
            pos = max(pos, min(e.end, end))
        if pos < end:
            out.append(text[pos:end])
        return "".join(out)

    def line_text(self, line: Line, masked: bool) -> str:
        if not line.pieces:
            return scrub(line.text, self.entities) if masked else line.text
        emitted: set[int] = set()
        out: list[str] = []
        prev: Piece | None = None
        for p in line.pieces:
            seg = self._seg(p.segment_id)
            if seg is None:
                continue
            chunk = self.mask_range(p.segment_id, p.start, p.end, emitted) if masked else seg.text[p.start:p.end]
            if prev is not None and prev.segment_id != p.segment_id and out and out[-1][-1:] not in _SENT_PUNCT:
                out.append(_JOIN)
            out.append(chunk)
            prev = p
        text = "".join(out)
        return scrub(text, self.entities) if masked else text

    # -- record/1 ------------------------------------------------------------------------------
    def _line_dict(self, line: Line, masked: bool) -> dict[str, Any]:
        d: dict[str, Any] = {"text": self.line_text(line, masked), "evidence": [e.to_dict() for e in line.evidence]}
        if line.why:
            d["why"] = list(dict.fromkeys(line.why))
        d.update(line.extra)
        return d

    def to_dict(self, masked: bool = True) -> dict[str, Any]:
        """The record/1 JSON object (docs/record-1.md): drafted content only, no workflow state."""
        fields: dict[str, Any] = {}
        for key in FIELD_ORDER:
            lines = [self._line_dict(ln, masked) for ln in self.fields.get(key, [])]
            fd: dict[str, Any] = {"label": FIELD_LABELS[key], "text": "\n".join(x["text"] for x in lines), "lines": lines}
            if key == "consent":
                fd["value"] = self.consent
                fd["value_label"] = CONSENT_LABELS[self.consent]
                if not lines:
                    fd["text"] = CONSENT_LABELS[self.consent]
            fields[key] = fd
        citizen = {k: (self._line_dict(v, masked) if v else None) for k, v in self.citizen.items()}
        visitor = {"present": bool(self.visitor.get("present")),
                   "role": self.subjects.visitor.relation if self.subjects else None,
                   "name": self._line_dict(self.visitor["name"], masked) if self.visitor.get("name") else None,
                   "relation": self._line_dict(self.visitor["relation"], masked) if self.visitor.get("relation") else None}
        urgency = []
        for f in self.urgency:
            u = f.to_dict()
            if masked:
                u["sentences"] = [self._mask_sentence(s, f.segment_ids) for s in f.sentences]
            urgency.append(u)
        categories = [c.to_dict() for c in self.categories]
        n_lines = sum(len(v) for v in self.fields.values())
        d: dict[str, Any] = {
            "schema": SCHEMA,
            "masked": masked,
            "drafted_at": self.drafted_at,
            "source": self.transcript.source,
            "meta": dict(self.meta),
            "citizen": citizen,
            "visitor": visitor,
            "subject": self._subject_dict(),
            "facts": [f.to_dict() for f in self.subjects.facts] if self.subjects else [],
            "categories": categories,
            "main_category": next((c.name for c in self.categories if c.main), None),
            "fields": fields,
            "urgency": urgency,
            "gaps": [g.to_dict() for g in self.gaps],
            "entities": [e.to_dict(reveal=not masked) for e in self.entities],
            "stats": {"segments": len(self.transcript.segments), "lines": n_lines,
                      "lines_without_evidence": sum(1 for v in self.fields.values() for ln in v if not ln.evidence)},
        }
        if masked:
            d = _scrub_tree(d, self.entities, skip=("meta",))
        return d

    def _subject_dict(self) -> dict[str, Any] | None:
        if self.subjects is None:
            return None
        return {"visitor": self.subjects.visitor.to_dict(), **self.subjects.subject.to_dict()}

    def _mask_sentence(self, sentence: str, seg_ids: Sequence[int]) -> str:
        for sid in seg_ids:
            seg = self._seg(sid)
            if seg is None:
                continue
            i = seg.text.find(sentence)
            if i >= 0:
                return self.mask_range(sid, i, i + len(sentence))
        return scrub(sentence, self.entities)

    def to_markdown(self, masked: bool = True) -> str:

        return to_markdown(self.to_dict(masked=masked))

    def to_html(self, masked: bool = True) -> str:

        return to_html(self.to_dict(masked=masked))


def _scrub_tree(obj: Any, entities: list[Entity], skip: tuple[str, ...] = ()) -> Any:
    """Safety net: no raw personal-data string survives anywhere in a masked record."""
    if isinstance(obj, str):
        return scrub(obj, entities)
    if isinstance(obj, list):
        return [_scrub_tree(x, entities) for x in obj]
    if isinstance(obj, dict):
        return {k: (v if k in skip else _scrub_tree(v, entities)) for k, v in obj.items()}
    return obj


# -- drafting --------------------------------------------------------------------------------------
def _evidence(pieces: Sequence[Piece], segs: dict[int, Segment]) -> list[Evidence]:
    out: dict[int, Evidence] = {}
    for p in pieces:
        seg = segs.get(p.segment_id)
        if seg is None:
            continue
        ev = out.get(seg.id)
        if ev is None:
            ev = out[seg.id] = Evidence.of(seg)
        ev.chars.append((p.start, p.end))
    return list(out.values())


def _line_from_sentences(sents: Sequence[Sentence], segs: dict[int, Segment], why: Sequence[str] = ()) -> Line | None:
    pieces = compress_all(sents)
    if not pieces:
        return None
    text = _join_plain(pieces, segs)
    return Line(text=text, evidence=_evidence(pieces, segs), pieces=pieces, why=[w for w in why if w])


def _join_plain(pieces: Sequence[Piece], segs: dict[int, Segment]) -> str:
    out: list[str] = []
    prev: Piece | None = None
    for p in pieces:
        chunk = segs[p.segment_id].text[p.start:p.end]
        if prev is not None and prev.segment_id != p.segment_id and out and out[-1][-1:] not in _SENT_PUNCT:
            out.append(_JOIN)
        out.append(chunk)
        prev = p
    return "".join(out)


_RESIDUE = re.compile(r"[\s\u3000。、！？!?…・]|です|でした|と申します|といいます|生まれ|はい|ええ|電話は|住所は|番号は|"
                      r"携帯は|携帯|メールは|の|で")


def _only_personal_data(s: Sentence, entities: Sequence[Entity]) -> bool:
    """「山本花子です。」「090の…です。」: the answer to a data question says nothing for 聞き取り内容
    (the data itself is in the 相談者 block)."""
    covered = [e for e in entities if e.start < s.end and s.start < e.end]
    if not covered:
        return False
    keep = [False] * (s.end - s.start)
    for p in s.pieces:  # fillers already left out
        for i in range(p.start, p.end):
            keep[i - s.start] = True
    for e in covered:
        for i in range(max(e.start, s.start), min(e.end, s.end)):
            keep[i - s.start] = False
    rest = "".join(c for c, k in zip(s.text, keep, strict=True) if k)
    return not _RESIDUE.sub("", rest)


def _entity_line(e: Entity, segs: dict[int, Segment]) -> Line:
    p = Piece(e.segment_id, e.start, e.end)
    return Line(text=e.text, evidence=_evidence([p], segs), pieces=[p], why=[e.rule])


_RELATION = re.compile(r"息子|娘|夫|妻|主人|母|父|兄|姉|弟|妹|孫|友だち|友達|友人|隣|近所|付き添い|義母|義父|知り合い|支援者")


def _citizen_info(entities: Sequence[Entity], segs: dict[int, Segment]) -> tuple[dict[str, Line | None], dict[str, Any]]:
    citizen: dict[str, Line | None] = {k: None for k in CITIZEN_LABELS}

    def first(kind: str, speakers: tuple[str, ...], rules: tuple[str, ...] = ()) -> Entity | None:
        for e in entities:
            seg = segs.get(e.segment_id)
            if e.type == kind and seg is not None and seg.speaker in speakers and (not rules or e.rule in rules):
                return e
        return None

    name = first("name", ("citizen", "unknown"), ("name:answer",)) or first("name", ("citizen", "unknown"))
    if name:
        citizen["name"] = _entity_line(name, segs)
    for kind in ("birthdate", "address", "phone", "email"):
        e = first(kind, ("citizen", "unknown")) or first(kind, ("other",))
        if e:
            citizen[kind] = _entity_line(e, segs)
    visitor: dict[str, Any] = {"present": any(s.speaker == "other" for s in segs.values()), "name": None, "relation": None}
    if visitor["present"]:
        vname = first("name", ("other",))
        if vname:
            visitor["name"] = _entity_line(vname, segs)
        for seg in segs.values():
            if seg.speaker != "other":
                continue
            m = _RELATION.search(seg.text)
            if m:
                s = max(seg.text.rfind(c, 0, m.start()) for c in "。！？!?") + 1
                e = min([i for i in (seg.text.find(c, m.end()) for c in "。！？!?") if i >= 0] + [len(seg.text)])
                p = Piece(seg.id, s, min(e + 1, len(seg.text)))
                visitor["relation"] = Line(text=seg.text[p.start:p.end].strip(), evidence=_evidence([p], segs),
                                           pieces=[p], why=["同席者の発言（" + m.group() + "）"])
                break
    return citizen, visitor


def _scheme_lines(sentences: Sequence[Sentence], segs: dict[int, Segment], suggestions: Sequence[Any] | None,
                  pinned: Sequence[str] | None) -> list[Line]:
    try:

        kb = get_knowledge_base()
        schemes = list(kb)
    except Exception:  # noqa: BLE001 - without a knowledge base only pinned ids can be listed
        kb, schemes = None, []
    names: dict[str, str] = {}
    for s in schemes:
        for n in {s.name, s.short_name, *s.aliases}:
            n = n.strip()
            if len(n) >= 2:
                names.setdefault(n, s.id)
    found = staff_scheme_hits(sentences, kb) if kb is not None else None
    hits: dict[str, SchemeHit] = found or {}
    if names and found is None:
        pat = re.compile("|".join(sorted(map(re.escape, names), key=len, reverse=True)))
        for s in sentences:
            if s.segment.speaker != "staff":
                continue
            found = {names[m.group()] for m in pat.finditer(s.text)}
            for sid in found:
                sch = kb.get(sid) if kb else None
                h = hits.setdefault(sid, SchemeHit(sid, sch.name if sch else sid))
                h.add(s)
                if NEGATED.search(s.text):
                    h.ruled_out = True
                else:
                    h.explained = True
    sugg_ids: dict[str, list[int]] = {}
    sugg_names: dict[str, str] = {}
    for sg in suggestions or []:
        sid = _get(sg, "scheme_id") or _get(sg, "id")
        if not sid:
            continue
        sugg_names[str(sid)] = str(_get(sg, "name") or sid)
        ids: list[int] = []
        for r in _get(sg, "reasons") or []:
            ids += [int(x) for x in (_get(r, "segment_ids") or []) if str(x).lstrip("-").isdigit()]
        sugg_ids[str(sid)] = ids
    lines: list[Line] = []
    pinned = [str(p) for p in (pinned or [])]
    order = list(dict.fromkeys([*pinned, *hits]))
    for sid in order:
        h = hits.get(sid)
        sch = kb.get(sid) if kb else None
        # the name without its parenthesised details (障害者手帳, not the three kinds of 手帳 in full)
        name = sch.short_name if sch else (h.name if h else sugg_names.get(sid, sid))
        if sid in pinned:
            status = "presented"
        elif h and h.ruled_out and not h.explained:
            status = "not_applicable"
        else:
            status = "explained"
        if h:
            pieces = [Piece(s.segment.id, s.start, s.end) for s in h.sentences]
            ev = _evidence(pieces, segs)
        else:
            ev = [Evidence.of(segs[i]) for i in sugg_ids.get(sid, []) if i in segs]
        why = ["職員が「案内した」と記録"] if sid in pinned else []
        if h:
            why.append("職員の説明に制度名")
        if sid in pinned and not ev:
            # the staff's own action is the evidence; no transcript segment to cite
            ev = []
        lines.append(Line(text=name, evidence=ev, why=why,
                          extra={"scheme_id": sid, "status": status, "status_label": SCHEME_STATUS[status]}))
    return lines


def clear_caches() -> None:
    """Forget every per-segment analysis (sentences, field words, features, scheme mentions, personal
    data). A redraft is then computed from scratch; the results are the same, only slower — which
    is what the tests check (a live redraft must equal a full one)."""

    for fn in (record_text._segment_sentences, record_text.is_small_talk, record_categories._segment_features,
               record_fields._question_topics, record_fields._staff_question, record_fields._field_hits,
               record_fields._is_question, record_fields._informative_text, record_fields._problem,
               record_fields._action_cue, record_fields._asks_consent):
        fn.cache_clear()
    for name in ("sudachi_tokens", "ner_persons", "_detect_cached"):
        fn = getattr(pii, name, None)
        if fn is not None and hasattr(fn, "cache_clear"):
            fn.cache_clear()
    explained_clear_cache()


def _get(obj: Any, key: str) -> Any:
    if isinstance(obj, dict):
        return obj.get(key)
    return getattr(obj, key, None)


def _consent_line(c: ConsentFinding, segs: dict[int, Segment]) -> Line | None:
    sents = [s for s in (c.question, c.answer) if s is not None]
    if not sents:
        return None
    pieces = [Piece(s.segment.id, s.start, s.end) for s in sents]
    return Line(text=_join_plain(pieces, segs), evidence=_evidence(pieces, segs), pieces=pieces,
                why=["情報共有の確認と回答"])


def _meta(meta: dict[str, Any] | None, transcript: Transcript, sentences: Sequence[Sentence]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in (meta or {}).items():
        if isinstance(v, (str, int, float, bool)) or v is None:
            out[k] = v
    if "counter" not in out or not out.get("counter"):
        try:

            out["counter"] = get_config()["record"]["counter"]
        except Exception:  # noqa: BLE001
            pass
    if transcript.segments and "duration" not in out:
        out["duration"] = round(max(s.end for s in transcript.segments) - min(s.start for s in transcript.segments), 1)
    if not out.get("channel"):
        first_staff = next((s for s in sentences if s.segment.speaker == "staff"), None)
        if first_staff is not None and re.search(r"お電話|もしもし", first_staff.segment.text):
            out["channel"] = "電話"
            out["channel_evidence"] = [first_staff.segment.id]
    return out


def _consent_value(meta: dict[str, Any] | None, found: ConsentFinding) -> str:
    v = (meta or {}).get("consent")
    if v in (True, "yes", "同意あり", "agreed"):
        return "yes"
    if v in (False, "no", "同意なし", "refused"):
        return "no"
    return found.value


MAX_MAIN_CONCERN = 2
_CITIZEN_QUESTION = re.compile(r"(?:か|でしょうか|ですか|の)[。？?]?$|[？?]$")


def _main_concern(sents: Sequence[Sentence], keep: list[int], urgent: set[tuple[int, str]]) -> list[int]:
    """主訴 is one or two sentences in the citizen's words: the first concern sentences, plus any
    urgent statement (never dropped)."""
    out = keep[:MAX_MAIN_CONCERN]
    out += [i for i in keep[MAX_MAIN_CONCERN:] if (sents[i].segment.id, sents[i].text.strip()) in urgent]
    return out


def _said_by_facts(s: Sentence, key: str, fact_lines: Sequence[Line], visitor_ids: set[int]) -> bool:
    """A citizen's answer already written as a fact of this field (「いいえ、まだ何も申請していません」
    → 要介護認定未申請) is not copied again; and what the visitor says about their own home (「私は
    隣の市に住んでいて」) is neither the subject's housing nor the concern."""
    if s.segment.speaker == "staff":
        return False
    if key in ("main_concern", "housing") and s.segment.id in visitor_ids:
        return True
    cited = {i for ln in fact_lines for i in ln.segment_ids}
    return s.segment.id in cited and key != "main_concern" and len(s.text) <= 30


# a citizen's question (「手術って、お金かかりますよね？」) asks, it does not tell: not a situation line
_ASKS = re.compile(r"[？?]\s*$")
# …and so does one ending in a polite question form without a question mark (「失業保険って出ないんですか。」)
_CITIZEN_ASKS = re.compile(r"(?:[？?]|(?:です|ます|でしょう|ません)か[。\s\u3000]*)\s*$")
MAX_HEARD = 2
HEARD_SENTENCES = 2  # per line: the gist of a turn  # 聞き取り内容 lines
BARE_ANSWER = 32  # characters: an answer this short says no more than the fact written from it


def _asks(s: Sentence) -> bool:
    """A question, not a situation line (a staff member's 「来られますか。」 still proposes a date)."""
    return bool((_ASKS if s.segment.speaker == "staff" else _CITIZEN_ASKS).search(s.text))


def _only_subject_words(reason: str, kin: set[str]) -> bool:
    """A household line chosen only because it names the subject (「父とも話してみます」) adds nothing
    to the subject block already written."""
    words = {w for w in re.split(r"[、,\s]+", reason) if w}
    return bool(words) and bool(kin) and words <= kin


def _citizen_question(s: Sentence) -> bool:
    """A citizen's own question (費用はどのくらいかかるんでしょうか) asks, it does not tell: not part of
    the account summarised in 聞き取り内容."""
    return s.segment.speaker != "staff" and bool(_CITIZEN_QUESTION.search(s.text.strip()))


def draft_record(transcript: Transcript, *, suggestions: list | None = None, pinned: list[str] | None = None,
                 meta: dict | None = None, classifier: CategoryModel | None | str = "auto") -> Record:
    """Draft the consultation record of ``transcript``.

    ``suggestions`` are the suggestion engine's results (dicts or objects with ``scheme_id``),
    ``pinned`` the scheme ids the staff marked 案内した, ``meta`` the session's date/time, channel,
    staff, counter and ``consent``. ``classifier`` is the category model ("auto": the cached model
    trained on the development set; None: lexicon only)."""
    segments = [s for s in transcript.segments if s.text and s.text.strip()]
    segs = {s.id: s for s in segments}
    entities = detect_segments(segments)
    sentences = sentences_of(segments)
    urgency = detect_urgency(segments)
    urgent = {(i, sent.strip()) for f in urgency for i in f.segment_ids for sent in f.sentences}
    drafts: dict[str, FieldDraft] = draft_fields(sentences, urgent)

    by_seg: dict[int, list[Entity]] = {}
    for e in entities:
        by_seg.setdefault(e.segment_id, []).append(e)
    fields: dict[str, list[Line]] = {k: [] for k in FIELD_ORDER}
    subjects = extract_subjects(segments)
    for st in statements(subjects):
        ev = [Evidence.of(segs[i]) for i in st.segment_ids if i in segs]
        fields[st.field].append(Line(text=st.text, evidence=ev, why=st.why, extra={"kind": "fact"}))
    used: set[tuple[int, int]] = set()  # each sentence once in the record
    visitor_ids = {i for f in subjects.facts if f.subject == "相談者" for i in f.segment_ids}
    kin = subject_words(subjects)
    heard_in: set[str] = set()  # fields with an answer, wherever it is written
    for key in ("main_concern", *SUMMARY_FIELDS, "next_actions"):
        d = drafts[key]
        keep = [i for i, s in enumerate(d.sentences) if not _only_personal_data(s, by_seg.get(s.segment.id, []))]
        relevant = [i for i in keep if not _said_by_facts(d.sentences[i], key, fields[key], visitor_ids)
                    and not (key == "household" and i < len(d.reasons) and _only_subject_words(d.reasons[i], kin))]
        if relevant:
            heard_in.add(key)
        keep = [i for i in relevant if (d.sentences[i].segment.id, d.sentences[i].start) not in used
                and (key == "main_concern" or not _asks(d.sentences[i]))]
        if key == "main_concern":
            keep = _main_concern(d.sentences, keep, urgent)
        used.update((d.sentences[i].segment.id, d.sentences[i].start) for i in keep)
        line = _line_from_sentences([d.sentences[i] for i in keep], segs,
                                    [d.reasons[i] for i in keep if i < len(d.reasons)])
        if line is not None:
            fields[key].append(line)
    fact_ids = {i for lines in fields.values() for ln in lines if ln.extra.get("kind") == "fact" for i in ln.segment_ids}
    heard: list[tuple[int, int, Line]] = []
    for n, group in enumerate(heard_sentences(sentences)):
        group = [s for s in group if not _only_personal_data(s, by_seg.get(s.segment.id, []))
                 and (s.segment.id, s.start) not in used and not _citizen_question(s)
                 and not (s.segment.id in fact_ids and len(s.segment.text) <= BARE_ANSWER)]
        line = _line_from_sentences(group[:HEARD_SENTENCES], segs)
        if line is not None:
            heard.append((-sum(1 for s in group if _problem(s.condensed)), n, line))
    # a summary, not the transcript: the account's remaining turns, those telling a problem first
    fields["heard"] = [ln for _p, _n, ln in sorted(sorted(heard)[:MAX_HEARD], key=lambda h: h[1])]
    fields["schemes"] = _scheme_lines(sentences, segs, suggestions, pinned)
    consent_found = find_consent(sentences)
    consent = _consent_value(meta, consent_found)
    cl = _consent_line(consent_found, segs)
    if cl is not None:
        fields["consent"].append(cl)
    # a line without evidence is not drafted (pinned schemes cite the staff's own action instead)
    for key, lines in fields.items():
        fields[key] = [ln for ln in lines if ln.evidence or (key == "schemes" and ln.extra.get("status") == "presented")]

    model = get_model() if classifier == "auto" else classifier
    categories = predict(features(segments), model) if segments else []
    citizen, visitor = _citizen_info(entities, segs)

    gaps: list[Gap] = []
    for key in ("main_concern", *SUMMARY_FIELDS, "next_actions"):
        # a field whose answers are already written in an earlier field (each sentence once) was heard
        if not fields[key] and key not in heard_in:
            gaps.append(Gap(key, FIELD_LABELS[key], GAP_HINTS[key]))
    if consent in ("not_asked", "asked"):
        gaps.append(Gap("consent", FIELD_LABELS["consent"], GAP_HINTS["consent"]))
    if not any(e.type in ("phone", "email", "address") for e in entities):
        gaps.append(Gap("contact", GAP_LABELS["contact"], GAP_HINTS["contact"]))

    return Record(
        transcript=Transcript(source=transcript.source, duration=transcript.duration, language=transcript.language,
                              model=transcript.model, segments=segments),
        entities=entities, fields=fields, categories=categories, urgency=urgency, gaps=gaps, consent=consent,
        citizen=citizen, visitor=visitor, meta=_meta(meta, transcript, sentences),
        drafted_at=now_jst().isoformat(timespec="seconds"), subjects=subjects,
    )
