"""Store queries of the review workflow, kept apart from ``store.py`` (same engine and sessions).

The review list must stay fast with years of records, so it reads only ``review_index`` (one row
per consultation: the non-personal fields it filters on and the masked text it searches) joined to
``consultations`` for the status; drafts are opened only for the one record being reviewed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text, func, or_, select
from sqlalchemy.orm import Mapped, mapped_column

from assistant.app.protect import EncryptedText
from assistant.app.store import Base, Consultation, SegmentRow, Store, utcnow


class ReviewAction(Base):
    __tablename__ = "review_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[str] = mapped_column(String(32), default="")
    action: Mapped[str] = mapped_column(String(32), index=True)
    comment: Mapped[str] = mapped_column(EncryptedText("review_actions.comment"), default="")  # may quote the citizen
    detail: Mapped[dict] = mapped_column(JSON, default=dict)  # ids, field names, counts only


class SegmentCorrection(Base):
    __tablename__ = "segment_corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    seg_id: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(16))  # text | speaker
    old: Mapped[str] = mapped_column(EncryptedText("segment_corrections.old"))
    new: Mapped[str] = mapped_column(EncryptedText("segment_corrections.new"))
    actor: Mapped[str] = mapped_column(String(100), default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ReviewIndex(Base):
    __tablename__ = "review_index"

    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), primary_key=True)
    date: Mapped[dt.date | None] = mapped_column(Date, nullable=True, index=True)
    staff: Mapped[str] = mapped_column(String(100), default="", index=True)
    counter: Mapped[str] = mapped_column(String(100), default="", index=True)
    category: Mapped[str] = mapped_column(String(100), default="", index=True)
    schemes: Mapped[str] = mapped_column(Text, default="")  # scheme ids, space-separated, padded
    pinned: Mapped[str] = mapped_column(Text, default="")
    urgent: Mapped[str] = mapped_column(String(200), default="")  # urgency kinds, space-separated
    search_text: Mapped[str] = mapped_column(Text, default="")  # masked record text only
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    returned_count: Mapped[int] = mapped_column(Integer, default=0)
    comment: Mapped[str] = mapped_column(EncryptedText("review_index.comment"), default="")  # newest return/approval


@dataclass
class ReviewFilter:
    """What the review list is narrowed by; empty values do not filter."""

    status: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    staff: str = ""
    counter: str = ""
    category: str = ""
    scheme: str = ""
    urgent: str = ""  # a kind, or "any"
    query: str = ""
    ids: list[int] = field(default_factory=list)
    limit: int = 200
    offset: int = 0


def _padded(words: list[str]) -> str:
    """`` a b `` so that ``LIKE '% a %'`` matches whole ids only."""
    return " " + " ".join(w for w in words if w) + " " if words else ""


def upsert_index(store: Store, cid: int, **values: Any) -> None:
    """Create or update the index row of a consultation (lists become padded word strings)."""
    for key in ("schemes", "pinned", "urgent"):
        if isinstance(values.get(key), list):
            values[key] = _padded(values[key])
    with store.session() as s:
        row = s.get(ReviewIndex, cid)
        if row is None:
            row = ReviewIndex(consultation_id=cid, staff="", counter="", category="", schemes="", pinned="",
                              urgent="", search_text="", returned_count=0, comment="")
            s.add(row)
        for k, v in values.items():
            setattr(row, k, v)


def get_index(store: Store, cid: int) -> ReviewIndex | None:
    with store.session() as s:
        return s.get(ReviewIndex, cid)


def _where(f: ReviewFilter) -> list[Any]:
    cond: list[Any] = []
    if f.status:
        cond.append(Consultation.review_status == f.status)
    if f.since:
        cond.append(ReviewIndex.date >= f.since)
    if f.until:
        cond.append(ReviewIndex.date <= f.until)
    for col, value in ((ReviewIndex.staff, f.staff), (ReviewIndex.counter, f.counter),
                       (ReviewIndex.category, f.category)):
        if value:
            cond.append(col == value)
    if f.scheme:
        cond.append(ReviewIndex.schemes.like(f"% {f.scheme} %"))
    if f.urgent == "any":
        cond.append(ReviewIndex.urgent != "")
    elif f.urgent:
        cond.append(ReviewIndex.urgent.like(f"% {f.urgent} %"))
    for word in f.query.split():
        pattern = f"%{word}%"
        cond.append(or_(ReviewIndex.search_text.like(pattern), ReviewIndex.category.like(pattern),
                        ReviewIndex.staff.like(pattern), ReviewIndex.counter.like(pattern)))
    if f.ids:
        cond.append(ReviewIndex.consultation_id.in_(f.ids))
    return cond


def list_records(store: Store, f: ReviewFilter) -> tuple[int, list[dict]]:
    """(total matching, one page of rows) — newest first; rows hold no personal data."""
    cond = _where(f)
    base = select(ReviewIndex, Consultation.review_status, Consultation.created_at, Consultation.ended_at,
                  Consultation.status).join(Consultation, Consultation.id == ReviewIndex.consultation_id)
    with store.session() as s:
        total = s.scalar(select(func.count()).select_from(ReviewIndex)
                         .join(Consultation, Consultation.id == ReviewIndex.consultation_id).where(*cond))
        rows = s.execute(base.where(*cond).order_by(ReviewIndex.consultation_id.desc())
                         .limit(f.limit).offset(f.offset)).all()
    return int(total or 0), [_row(ix, rs, created, ended, st) for ix, rs, created, ended, st in rows]


def _row(ix: ReviewIndex, review_status: str, created: dt.datetime, ended: dt.datetime | None,
         status: str) -> dict:
    return {"id": ix.consultation_id, "review_status": review_status, "status": status,
            "date": ix.date.isoformat() if ix.date else "", "created_at": created, "ended_at": ended,
            "staff": ix.staff, "counter": ix.counter, "category": ix.category,
            "schemes": ix.schemes.split(), "pinned": ix.pinned.split(), "urgent": ix.urgent.split(),
            "submitted_at": ix.submitted_at, "approved_at": ix.approved_at,
            "returned_count": ix.returned_count, "comment": ix.comment}


def distinct_values(store: Store) -> dict[str, list[str]]:
    """Choices for the filter drop-downs."""
    out: dict[str, list[str]] = {}
    with store.session() as s:
        for name, col in (("staff", ReviewIndex.staff), ("counter", ReviewIndex.counter),
                          ("category", ReviewIndex.category)):
            out[name] = sorted(v for v in s.scalars(select(col).distinct()) if v)
    return out


def add_action(store: Store, cid: int, *, actor: str, role: str, action: str, comment: str = "",
               detail: dict | None = None) -> ReviewAction:
    with store.session() as s:
        row = ReviewAction(consultation_id=cid, actor=actor, role=role, action=action, comment=comment,
                           detail=detail or {}, at=utcnow())
        s.add(row)
        return row


def actions(store: Store, cid: int) -> list[ReviewAction]:
    with store.session() as s:
        return list(s.scalars(select(ReviewAction).where(ReviewAction.consultation_id == cid)
                              .order_by(ReviewAction.id)))


HELP_WINDOW = dt.timedelta(hours=2)  # a 「相談したい」 older than this is no longer shown as open


def help_pending(store: Store, cid: int) -> bool:
    """Whether this consultation's newest 「相談したい」 is still waiting for a supervisor.

    Read from the store, not from memory, so an acknowledgement given from another process (a
    supervisor's PC sharing the database) clears the counter's badge too.
    """
    since = utcnow() - HELP_WINDOW
    with store.session() as s:
        last = s.scalar(select(ReviewAction.action)
                        .where(ReviewAction.consultation_id == cid, ReviewAction.at >= since,
                               ReviewAction.action.in_(("help", "help_ack")))
                        .order_by(ReviewAction.id.desc()).limit(1))
    return last == "help"


def recent_actions(store: Store, action: str, since: dt.datetime) -> list[ReviewAction]:
    with store.session() as s:
        return list(s.scalars(select(ReviewAction).where(ReviewAction.action == action, ReviewAction.at >= since)
                              .order_by(ReviewAction.id)))


def correct_segment(store: Store, cid: int, seg_id: int, *, actor: str, text: str | None = None,
                    speaker: str | None = None) -> list[SegmentCorrection]:
    """Change a segment's text and/or speaker; the previous value is kept as a correction row."""
    done: list[SegmentCorrection] = []
    with store.session() as s:
        row = s.scalar(select(SegmentRow).where(SegmentRow.consultation_id == cid, SegmentRow.seg_id == seg_id))
        if row is None:
            raise KeyError(seg_id)
        for name, value in (("text", text), ("speaker", speaker)):
            if value is None or value == getattr(row, name):
                continue
            corr = SegmentCorrection(consultation_id=cid, seg_id=seg_id, field=name, old=getattr(row, name),
                                     new=value, actor=actor, at=utcnow())
            s.add(corr)
            setattr(row, name, value)
            done.append(corr)
    return done


def corrections(store: Store, cid: int) -> list[SegmentCorrection]:
    with store.session() as s:
        return list(s.scalars(select(SegmentCorrection).where(SegmentCorrection.consultation_id == cid)
                              .order_by(SegmentCorrection.id)))


def unindexed_ids(store: Store) -> list[int]:
    """Ended consultations without an index row (one SQL query: cheap on every list request)."""
    with store.session() as s:
        return list(s.scalars(select(Consultation.id).where(
            Consultation.status == "ended", Consultation.id.not_in(select(ReviewIndex.consultation_id)))))
