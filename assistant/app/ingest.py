"""Putting a batch-processed recording into the store, ready for the review queue.

One consultation per recording, found again by the recording's content hash (``source_sha256``):

- a recording already reviewed (``review_status`` other than ``draft``) is never touched;
- a re-run adds nothing for a recording whose consultation is complete;
- ingestion is resumable: the consultation is created first (ended, ``draft``, hash set, marked
  incomplete in ``meta``), then the audio reference, segments, suggestions and the automatic draft
  are each added only if missing, and the ``complete`` mark comes last. A crash in between leaves
  an incomplete consultation that the next run finishes, never a duplicate.

Only the Store's public methods and its ORM model are used, so any URL the Store accepts works.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import select

from assistant.app.store import Consultation, Store, utcnow
from assistant.asr.transcript import Transcript

REVIEWED = "reviewed"  # state of a consultation a supervisor has already acted on
COMPLETE = "complete"
INCOMPLETE = "incomplete"
ABSENT = "absent"


def find(store: Store, digest: str) -> tuple[int | None, str]:
    """(consultation id, state) of the recording with this content hash."""
    with store.session() as s:
        rows = s.execute(select(Consultation.id, Consultation.review_status, Consultation.meta)
                         .where(Consultation.source_sha256 == digest).order_by(Consultation.id)).all()
    if not rows:
        return None, ABSENT
    for cid, review, _meta in rows:
        if review != "draft":
            return cid, REVIEWED
    cid, _review, meta = rows[0]
    return cid, COMPLETE if (meta or {}).get("batch", {}).get("complete") else INCOMPLETE


def _keep_audio(store: Store, cid: int, source: Path, digest: str) -> Path:
    """A copy of the recording beside the counter's own uploads, for playback in review."""
    folder = store.audio_dir / str(cid)
    folder.mkdir(parents=True, exist_ok=True)
    kept = folder / f"batch-{digest[:16]}{source.suffix.lower() or '.bin'}"
    if not kept.exists():
        tmp = kept.with_name(f".{kept.name}.tmp")
        shutil.copyfile(source, tmp)
        tmp.replace(kept)
    return kept


def ingest(store: Store, *, source: Path, name: str, digest: str, transcript: dict, suggestions: list[dict],
           record: dict, counter: str = "", copy_audio: bool = True) -> tuple[int | None, str]:
    """Add (or finish adding) one recording. Returns (consultation id, what happened):
    ``added``, ``kept`` (already complete) or ``reviewed`` (left as the reviewer left it)."""
    cid, state = find(store, digest)
    if state == REVIEWED:
        return cid, "reviewed"
    if state == COMPLETE:
        return cid, "kept"
    meta = {"batch": {"name": name, "source": str(source), "complete": False}}
    if cid is None:
        cid = store.create_consultation(channel="録音", counter=counter, meta=meta).id
        store.update_consultation(cid, status="ended", ended_at=utcnow(), source_sha256=digest, review_status="draft")
    t = Transcript.from_dict(transcript)
    if not store.audio_files(cid):
        path = _keep_audio(store, cid, source, digest) if copy_audio else source.resolve()
        store.add_audio(cid, "upload", path, duration=float(t.duration or 0.0), original_name=source.name)
    if not store.segments(cid):
        store.add_segments(cid, t.segments, source="upload")
    store.record_suggestions(cid, suggestions)
    if store.latest_draft(cid, "auto") is None:
        store.add_draft(cid, "auto", record)
    meta["batch"]["complete"] = True
    store.update_consultation(cid, meta=meta)
    store.add_event(cid, "batch_import", {"name": name, "segments": len(t.segments), "sha256": digest})
    return cid, "added"
