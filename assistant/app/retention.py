"""Retention: raw audio is deleted after ``[retention] audio_days`` or as soon as its record is
approved; whole consultations after ``record_days`` (0 = keep). Every deletion leaves an audit entry.

Why delete raw audio early: once the transcript has been reviewed and approved, the recording adds
risk (a voice is personal data) and no value. The audio row stays (offset, duration) so the
timeline of the consultation still reads the same; only the file goes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import MetaData, delete, select

from assistant.app import audit
from assistant.app.store import AudioFile, Consultation, Store, utcnow


def delete_audio(store: Store, cid: int, *, actor: str, reason: str) -> int:
    """Remove the audio files of one consultation; returns how many files were deleted."""
    removed = 0
    for a in store.audio_files(cid):
        path = Path(a.path)
        if path.exists():
            path.unlink()
            removed += 1
    if removed:
        audit.record(store, actor=actor, action="delete", target=f"consultation:{cid}",
                     detail={"what": "audio", "files": removed, "reason": reason})
    return removed


def on_approved(store: Store, cid: int, actor: str) -> int:
    """Hook for the review workflow: called once a record is approved."""
    if not bool(store.cfg["retention"]["delete_audio_on_approval"]):
        return 0
    return delete_audio(store, cid, actor=actor, reason="approved")


def delete_consultation(store: Store, cid: int, *, actor: str, reason: str) -> None:
    """Delete one consultation and every row that refers to it (any table with ``consultation_id``)."""
    delete_audio(store, cid, actor=actor, reason=reason)
    meta = MetaData()
    meta.reflect(store.engine)
    children = [t for t in meta.sorted_tables if "consultation_id" in t.c and t.name != "consultations"]
    with store.session() as s:
        for table in reversed(children):
            s.execute(delete(table).where(table.c.consultation_id == cid))
        s.execute(delete(meta.tables["consultations"]).where(meta.tables["consultations"].c.id == cid))
    audit.record(store, actor=actor, action="delete", target=f"consultation:{cid}",
                 detail={"what": "record", "reason": reason})


def purge(store: Store, *, now: dt.datetime | None = None, actor: str = "retention") -> dict[str, int]:
    """Apply the policy once (at server start and by ``assistant retention``)."""
    now = now or utcnow()
    policy = store.cfg["retention"]
    audio_days, record_days = int(policy["audio_days"]), int(policy["record_days"])
    done = {"audio_files": 0, "records": 0}
    if audio_days > 0:
        cutoff = now - dt.timedelta(days=audio_days)
        with store.session() as s:
            cids = sorted(set(s.scalars(select(AudioFile.consultation_id).where(AudioFile.created_at < cutoff))))
        for cid in cids:
            done["audio_files"] += delete_audio(store, cid, actor=actor, reason=f"older than {audio_days} days")
    if record_days > 0:
        cutoff = now - dt.timedelta(days=record_days)
        with store.session() as s:
            cids = list(s.scalars(select(Consultation.id).where(Consultation.created_at < cutoff,
                                                                Consultation.status == "ended")))
        for cid in cids:
            delete_consultation(store, cid, actor=actor, reason=f"older than {record_days} days")
            done["records"] += 1
    return done
