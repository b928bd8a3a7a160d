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
import weakref
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
from assistant.schemes.suggest import analyse_segment, shared_index

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


_NEGATED_SCHEME = re.compile(
    r"対象外|対象には?なら|対象ではな|対象じゃな|使えない|使えません|当たらない|当たりません|受けられない|受けられません|"
    r"もらえない|もらえません|いらない|要らない|いりません|必要はありません|難しい|できない|できません|なりません|ならない|"
    r"のではなく|じゃなくて|ではなくて|ないです|ありません")


@dataclass
class _SchemeHit:
    sid: str
    name: str
    sentences: list[Sentence] = field(default_factory=list)
    negated: int = 0


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
    hits: dict[str, _SchemeHit] = _suggest_mentions(sentences, kb) if kb is not None else {}
    if names and not hits and not _SUGGEST_OK:
        pat = re.compile("|".join(sorted(map(re.escape, names), key=len, reverse=True)))
        for s in sentences:
            if s.segment.speaker != "staff":
                continue
            found = {names[m.group()] for m in pat.finditer(s.text)}
            for sid in found:
                sch = kb.get(sid) if kb else None
                h = hits.setdefault(sid, _SchemeHit(sid, sch.name if sch else sid))
                h.sentences.append(s)
                if _NEGATED_SCHEME.search(s.text):
                    h.negated += 1
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
        elif h and h.negated == len(h.sentences):
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


_SUGGEST_OK = True


def _suggest_mentions(sentences: Sequence[Sentence], kb: Any) -> dict[str, _SchemeHit]:
    """Scheme names the staff said, as the suggestion engine reads them (misheard names such as
    重強確保給付金 included, and how each was said: proposed, ruled out, only asked about)."""
    global _SUGGEST_OK
    try:

        index = shared_index(kb)
    except Exception:  # noqa: BLE001 - the engine is optional; exact names are matched instead
        _SUGGEST_OK = False
        return {}
    _SUGGEST_OK = True
    hits: dict[str, _SchemeHit] = {}
    hows: dict[str, set[str]] = {}
    surfaces: dict[str, set[str]] = {}
    seen: set[int] = set()
    # without speaker labels every turn may be the staff's explanation
    speakers = ("staff",) if any(x.segment.speaker == "staff" for x in sentences) else ("staff", "unknown")
    by_segment: dict[int, list[Sentence]] = {}
    for x in sentences:
        by_segment.setdefault(x.segment.id, []).append(x)
    for s in sentences:
        seg = s.segment
        if seg.speaker not in speakers or seg.id in seen:
            continue
        seen.add(seg.id)
        try:
            mentions = _mentions_cached(index, analyse_segment, seg.text)
        except Exception:  # noqa: BLE001
            continue
        seg_sents = by_segment[seg.id]
        for m in mentions:
            if m.how in ("asked", "other", "receiving"):
                hows.setdefault(m.scheme_id, set()).add(m.how)
                continue
            pos = seg.text.find(m.surface)
            sent = next((x for x in seg_sents if pos >= 0 and x.start <= pos < x.end), None)
            if sent is None:
                sent = next((x for x in seg_sents if x.start <= m.start < x.end), seg_sents[-1] if seg_sents else None)
            if sent is None:
                continue
            if _background(seg.text, pos, m.surface):
                hows.setdefault(m.scheme_id, set()).add("background")
                continue
            sch = kb.get(m.scheme_id)
            surfaces.setdefault(m.scheme_id, set()).add(m.surface)
            h = hits.setdefault(m.scheme_id, _SchemeHit(m.scheme_id, sch.name if sch else m.scheme_id))
            how = "rule_out" if _ruled_out_after(seg.text, pos, sent) else m.how
            if sent not in h.sentences:
                h.sentences.append(sent)
                if how == "rule_out":
                    h.negated += 1
            hows.setdefault(m.scheme_id, set()).add(how)
    received = _received(sentences, index, analyse_segment)
    for sid, h in hits.items():
        if hows.get(sid, set()) - {"rule_out", "asked", "other", "receiving"}:
            h.negated = min(h.negated, len(h.sentences) - 1)  # proposed somewhere: not ruled out
    hits = {sid: h for sid, h in hits.items() if h.negated or _explained(h, hows.get(sid, set()))}
    # a scheme the citizen already receives is not 案内した (its 証書 asked for is not a proposal)
    hits = {sid: h for sid, h in hits.items() if sid not in received or "propose" in hows.get(sid, set())}
    return _drop_shared_services(hits, surfaces, kb)


# a scheme named as what the citizen already has or as a comparison, not as what is offered:
# 「児童扶養手当を受けている方なら」「障害年金の2級をもらってるので」「保護の受給者証」「成年後見みたいに」
_BACKGROUND = re.compile(
    r"(?:[はをもが]|の[\s\u3000]*[^。、\s]{0,3}[\s\u3000]*[をは])?[\s\u3000]*(?:今も|いま|もう|すでに|既に)?[\s\u3000]*"
    r"(?:受けて(?:い|る|らっしゃ|おら)|受けている|もらって(?:い|る|らっしゃ)|もらってる|受給して|受給中|受け取って|"
    r"使って(?:い|も)|使ってる|利用して(?:い|る)|利用され(?:て|た)|使われ(?:て|た)|持って(?:い|る|らっしゃ)|お持ち|"
    r"申請済|申請して(?:い|る|あ)|みたいに|のように|とは違|と違って|とは別|は別|の証書|の受給者証|の保険証|の決定通知|が終わ)")


def _background(text: str, pos: int, surface: str) -> bool:
    """The words right after the scheme name say it is received already or only compared with."""
    return pos >= 0 and bool(_BACKGROUND.match(text, pos + len(surface)))


def _ruled_out_after(text: str, pos: int, sent: Sentence | None) -> bool:
    """「雇用保険の失業給付の対象にはなりません。その代わり…」: the clause that names the scheme ends
    in a negation, whatever the rest of the turn proposes."""
    if pos < 0:
        return False
    end = sent.end if sent is not None else len(text)
    clause = re.split(r"(?<=[がけど])、|ので、|から、", text[pos:end], maxsplit=1)[0]
    return bool(_NEGATED_SCHEME.search(clause))


# only a turn saying it gets something can say a scheme is already received (keeps this pass cheap)
_RECEIVING_WORDS = re.compile(r"もら|貰|受け|受給|受け取|入って|使って|利用して|通って|持って|出て")


def _received(sentences: Sequence[Sentence], index: Any, analyse: Any) -> set[str]:
    """Schemes the citizen or companion says they already receive (the engine's ``receiving``)."""
    out: set[str] = set()
    seen: set[int] = set()
    for s in sentences:
        if s.segment.speaker == "staff" or s.segment.id in seen or not _RECEIVING_WORDS.search(s.segment.text):
            continue
        seen.add(s.segment.id)
        try:
            out |= {m.scheme_id for m in _mentions_cached(index, analyse, s.segment.text, "citizen")
                    if m.how == "receiving"}
        except Exception:  # noqa: BLE001
            continue
    return out


_EXPLAINED = re.compile(r"申請|手続き|手続|窓口|届け出|届出|支給|給付|助成|減免|免除|貸付|貸し付け|受けられ|使え|利用|"
                        r"対象|もらえ|出ます|出る|払われ|パンフレット|チラシ|資料|お渡し|案内|紹介|ご相談|相談でき|"
                        r"つなぎ|つな|連絡し|予約|できます|制度")


def _explained(h: _SchemeHit, hows: set[str]) -> bool:
    """案内した制度 lists a scheme the staff explained or proposed: proposed in so many words, or
    named in a sentence that explains it (what it gives, who qualifies), an application step or a
    handout — not a name dropped in passing (「ケアマネさんは？」「以前、生活保護の話も出ましたが」)."""
    if hows & {"propose", "conditional"}:
        return True
    return any(_EXPLAINED.search(s.text) for s in h.sentences)


def _drop_shared_services(hits: dict[str, _SchemeHit], surfaces: dict[str, set[str]], kb: Any) -> dict[str, _SchemeHit]:
    """A service the staff names (ヘルパー, デイサービス) belongs to the scheme being explained: when
    every word that raised a scheme is a service that another scheme named in the same conversation
    also provides (its aliases or benefits text), it is that scheme's service, not a second scheme."""
    out = dict(hits)
    for sid in list(hits):
        words = surfaces.get(sid, set())
        sch = kb.get(sid)
        if not words or sch is None or any(w in (sch.name, sch.short_name) for w in words):
            continue
        for other in hits:
            o = kb.get(other)
            if other == sid or other not in out or o is None:
                continue
            provides = " ".join([*o.aliases, o.benefits, o.summary])
            if all(w in provides for w in words):
                del out[sid]
                break
    return out


_mention_cache: weakref.WeakKeyDictionary[Any, dict[str, tuple[Any, ...]]] = weakref.WeakKeyDictionary()


def _mentions_cached(index: Any, analyse: Any, text: str, speaker: str = "staff") -> tuple[Any, ...]:
    """Scheme mentions of one staff segment, computed once per text and knowledge-base index (a
    new index — the knowledge base changed — starts a new cache)."""
    per_index = _mention_cache.setdefault(index, {})
    key = text if speaker == "staff" else f"{speaker}\x00{text}"
    hit = per_index.get(key)
    if hit is None:
        if len(per_index) > 4096:
            per_index.clear()
        hit = per_index[key] = tuple(analyse(index, 0, speaker, text).mentions)
    return hit


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
    _mention_cache.clear()


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
