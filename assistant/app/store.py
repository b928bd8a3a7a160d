"""The consultation store: SQLAlchemy 2 over SQLite (WAL) by default, PostgreSQL by changing one URL.

What is kept, and why:

- ``consultations``: one row per counter consultation (start, end, consent, off-the-record state).
- ``segments``: transcript segments, committed *one utterance at a time as it is finalised*, so a
  crash or power cut loses at most the utterance still being spoken.
- ``audio_files``: where the consultation audio lives on disk (for playback in review).
- ``suggestions``: each scheme the assistant showed, with its reasons, and whether staff pinned
  (案内した) or dismissed it.
- ``drafts``: every version of the record draft, automatic or edited by staff (nothing overwritten).
- ``events``: an audit trail (consent given, recording paused, consultation ended, resumed…).

The schema is created and upgraded by Alembic migrations shipped inside the package
(``assistant/migrations``) and applied automatically when the store opens. SQLite runs in WAL mode
with ``synchronous=FULL`` so that a committed segment survives ``kill -9`` and power loss.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from assistant.app import protect
from assistant.app.config import Config, get_config, security_file
from assistant.app.protect import EncryptedJSON, EncryptedText
from assistant.asr.transcript import Segment

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Consultation(Base):
    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)  # open | ended
    staff: Mapped[str] = mapped_column(String(100), default="")
    channel: Mapped[str] = mapped_column(String(16), default="来所")
    counter: Mapped[str] = mapped_column(String(100), default="")
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    off_record: Mapped[bool] = mapped_column(Boolean, default=False)
    meta: Mapped[dict] = mapped_column(EncryptedJSON("consultations.meta"), default=dict)
    # draft (下書き) | pending (確認待ち) | approved (承認済み) | returned (差戻し)
    review_status: Mapped[str] = mapped_column(String(16), default="draft", server_default="draft", index=True)
    source_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)


class SegmentRow(Base):
    __tablename__ = "segments"
    __table_args__ = (UniqueConstraint("consultation_id", "seg_id", name="uq_segment_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    seg_id: Mapped[int] = mapped_column(Integer)
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    speaker: Mapped[str] = mapped_column(String(16), default="unknown")
    speaker_id: Mapped[str | None] = mapped_column(String(16), nullable=True)
    text: Mapped[str] = mapped_column(EncryptedText("segments.text"))
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    flags: Mapped[list] = mapped_column(JSON, default=list)
    # the recognised text when a later stage corrected it, and what changed (migration 0005)
    original_text: Mapped[str | None] = mapped_column(EncryptedText("segments.original_text"), nullable=True)
    corrections: Mapped[list | None] = mapped_column(JSON, nullable=True)
    source: Mapped[str] = mapped_column(String(16), default="live")  # live | upload
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    def to_segment(self) -> Segment:
        return Segment(id=self.seg_id, start=self.start, end=self.end, text=self.text, speaker=self.speaker,
                       speaker_id=self.speaker_id, confidence=self.confidence, flags=list(self.flags or []),
                       original_text=self.original_text, corrections=[dict(c) for c in self.corrections or []])


class AudioFile(Base):
    __tablename__ = "audio_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # live (raw 16 kHz int16 PCM) | upload (original file)
    path: Mapped[str] = mapped_column(Text)
    offset: Mapped[float] = mapped_column(Float, default=0.0)  # where it starts on the consultation timeline
    duration: Mapped[float] = mapped_column(Float, default=0.0)
    original_name: Mapped[str] = mapped_column(EncryptedText("audio_files.original_name"), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class SuggestionRow(Base):
    __tablename__ = "suggestions"
    __table_args__ = (UniqueConstraint("consultation_id", "scheme_id", name="uq_suggestion_scheme"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    scheme_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="shown")  # shown | pinned | dismissed
    score: Mapped[float] = mapped_column(Float, default=0.0)
    payload: Mapped[dict] = mapped_column(EncryptedJSON("suggestions.payload"), default=dict)  # Suggestion.to_dict() when last shown
    first_shown_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # in the engine's current list


class DraftRow(Base):
    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("consultation_id", "version", name="uq_draft_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(16))  # auto | staff
    data: Mapped[dict] = mapped_column(EncryptedJSON("drafts.data"), default=dict)  # auto: the record; staff: {"edits": {...}}
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class EventRow(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict] = mapped_column(EncryptedJSON("events.detail"), default=dict)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class KeyCheck(Base):
    """One value encrypted with the data key, so a wrong key is detected when the store opens."""

    __tablename__ = "key_check"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[str] = mapped_column(Text)


KEY_CHECK_TEXT = "assistant-key-check"


class StoreError(RuntimeError):
    """The database cannot be opened or migrated; the message says what to do."""


def default_url(cfg: Config) -> str:
    url = str(cfg["store"].get("url") or "")
    if url:
        return url
    path = cfg.data_dir / "assistant.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def key_path(cfg: Config) -> Path:
    """The data key file: ``[security] key_file`` or ``<data dir>/keys/data.key``."""
    return security_file(cfg, "key_file", "data.key")


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # noqa: ANN001
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")  # a committed segment survives a power cut
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.close()


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (idempotent)."""

    acfg = AlembicConfig()
    acfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    acfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    with engine.begin() as conn:
        acfg.attributes["connection"] = conn
        command.upgrade(acfg, "heads")


class Store:
    """All reads and writes of consultation data. Thread-safe: one short session per call."""

    def __init__(self, url: str | None = None, cfg: Config | None = None) -> None:
        cfg = cfg or get_config()
        self.cfg = cfg
        self.url = url or default_url(cfg)
        self.audio_dir = cfg.data_dir / "audio"
        is_sqlite = self.url.startswith("sqlite")
        kwargs: dict[str, Any] = {"future": True}
        if is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
        try:
            self.engine = create_engine(self.url, **kwargs)
            if is_sqlite:
                _sqlite_pragmas(self.engine)
            migrate(self.engine)
        except Exception as exc:  # noqa: BLE001 - any driver error becomes one clear message
            raise StoreError(f"データベースを開けません / cannot open the database {self.url}: {exc}") from exc
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock = threading.Lock()  # SQLite has one writer; serialise to avoid busy errors
        self.keyring = self._open_key(key_path(cfg))
        protect.bind_keyring(self.engine.dialect, self.keyring)
        protect.set_keyring(self.keyring)  # default for file helpers (audio) in this process

    def _open_key(self, path: Path) -> protect.Keyring:
        """Load the data key and prove it opens this database (a new database gets a new key)."""
        with self._sessions() as s, s.begin():
            row = s.get(KeyCheck, 1)
            try:
                kr = protect.load_or_create(path, create=row is None)
                if row is None:
                    s.add(KeyCheck(id=1, value=kr.encrypt_text(KEY_CHECK_TEXT, "key_check")))
                elif kr.decrypt_text(row.value, "key_check") != KEY_CHECK_TEXT:
                    raise protect.KeyMismatch(protect.MISMATCH_JA.format(path=path))
            except (protect.KeyFileError, protect.KeyMismatch) as exc:
                self.engine.dispose()
                raise StoreError(str(exc)) from exc
        return kr

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._write_lock, self._sessions() as s, s.begin():
            yield s

    def close(self) -> None:
        self.engine.dispose()

    # -- consultations -------------------------------------------------------------------
    def create_consultation(self, *, staff: str = "", channel: str = "来所", counter: str = "",
                            meta: dict | None = None) -> Consultation:
        with self.session() as s:
            c = Consultation(staff=staff, channel=channel, counter=counter, meta=meta or {})
            s.add(c)
            s.flush()
            s.add(EventRow(consultation_id=c.id, kind="started", detail={}))
            return c

    def get_consultation(self, cid: int) -> Consultation | None:
        with self.session() as s:
            return s.get(Consultation, cid)

    def update_consultation(self, cid: int, **fields: Any) -> Consultation:
        with self.session() as s:
            c = s.get(Consultation, cid)
            if c is None:
                raise KeyError(cid)
            for k, v in fields.items():
                setattr(c, k, v)
            return c

    def open_consultations(self) -> list[Consultation]:
        with self.session() as s:
            rows = s.scalars(select(Consultation).where(Consultation.status == "open")
                             .order_by(Consultation.id.desc()))
            return list(rows)

    def list_consultations(self, limit: int = 50) -> list[Consultation]:
        with self.session() as s:
            return list(s.scalars(select(Consultation).order_by(Consultation.id.desc()).limit(limit)))

    def add_event(self, cid: int, kind: str, detail: dict | None = None) -> None:
        with self.session() as s:
            s.add(EventRow(consultation_id=cid, kind=kind, detail=detail or {}))

    def events(self, cid: int) -> list[EventRow]:
        with self.session() as s:
            return list(s.scalars(select(EventRow).where(EventRow.consultation_id == cid).order_by(EventRow.id)))

    # -- segments ------------------------------------------------------------------------
    def add_segments(self, cid: int, segments: list[Segment], source: str = "live") -> None:
        """Commit finalised segments in one transaction (durable when this returns)."""
        if not segments:
            return
        with self.session() as s:
            for seg in segments:
                s.add(SegmentRow(consultation_id=cid, seg_id=seg.id, start=float(seg.start), end=float(seg.end),
                                 speaker=seg.speaker, speaker_id=seg.speaker_id, text=seg.text,
                                 confidence=float(seg.confidence), flags=list(seg.flags), source=source,
                                 original_text=seg.original_text, corrections=list(seg.corrections) or None))

    def segments(self, cid: int) -> list[Segment]:
        with self.session() as s:
            rows = s.scalars(select(SegmentRow).where(SegmentRow.consultation_id == cid)
                             .order_by(SegmentRow.start, SegmentRow.seg_id))
            return [r.to_segment() for r in rows]

    def max_segment_id(self, cid: int) -> int:
        with self.session() as s:
            return int(s.scalar(select(func.max(SegmentRow.seg_id)).where(SegmentRow.consultation_id == cid)) or 0)

    def set_speaker(self, cid: int, seg_id: int, speaker: str, *, speaker_id: str | None = None) -> bool:
        with self.session() as s:
            row = s.scalar(select(SegmentRow).where(SegmentRow.consultation_id == cid, SegmentRow.seg_id == seg_id))
            if row is None:
                return False
            row.speaker = speaker
            if speaker_id is not None:
                row.speaker_id = speaker_id
            return True

    # -- audio ---------------------------------------------------------------------------
    def add_audio(self, cid: int, kind: str, path: Path, *, offset: float = 0.0, duration: float = 0.0,
                  original_name: str = "") -> AudioFile:
        with self.session() as s:
            a = AudioFile(consultation_id=cid, kind=kind, path=str(path), offset=offset, duration=duration,
                          original_name=original_name)
            s.add(a)
            return a

    def update_audio(self, audio_id: int, **fields: Any) -> None:
        with self.session() as s:
            a = s.get(AudioFile, audio_id)
            if a is not None:
                for k, v in fields.items():
                    setattr(a, k, v)

    def audio_files(self, cid: int) -> list[AudioFile]:
        with self.session() as s:
            return list(s.scalars(select(AudioFile).where(AudioFile.consultation_id == cid).order_by(AudioFile.id)))

    # -- suggestions ---------------------------------------------------------------------
    def record_suggestions(self, cid: int, suggestions: list[dict]) -> None:
        """Upsert the engine's current list; earlier ones not in it stay, marked inactive.

        Pinned/dismissed status set by staff is never overwritten by the engine.
        """
        now = utcnow()
        with self.session() as s:
            rows = {r.scheme_id: r for r in s.scalars(select(SuggestionRow).where(SuggestionRow.consultation_id == cid))}
            current = {d["scheme_id"] for d in suggestions}
            for sid, row in rows.items():
                if sid not in current and row.active:
                    row.active = False
            for d in suggestions:
                row = rows.get(d["scheme_id"])
                if row is None:
                    s.add(SuggestionRow(consultation_id=cid, scheme_id=d["scheme_id"], name=d.get("name", ""),
                                        score=float(d.get("score") or 0.0), payload=d, first_shown_at=now,
                                        updated_at=now, active=True))
                else:
                    if row.payload != d or not row.active:
                        row.payload, row.score, row.updated_at, row.active = d, float(d.get("score") or 0.0), now, True

    def set_suggestion_status(self, cid: int, scheme_id: str, status: str, payload: dict | None = None) -> None:
        with self.session() as s:
            row = s.scalar(select(SuggestionRow).where(SuggestionRow.consultation_id == cid,
                                                       SuggestionRow.scheme_id == scheme_id))
            if row is None:
                payload = payload or {"scheme_id": scheme_id}
                row = SuggestionRow(consultation_id=cid, scheme_id=scheme_id, name=payload.get("name", ""),
                                    payload=payload, active=False)
                s.add(row)
            row.status, row.updated_at = status, utcnow()
            s.add(EventRow(consultation_id=cid, kind=f"suggestion_{status}", detail={"scheme_id": scheme_id}))

    def suggestions(self, cid: int) -> list[SuggestionRow]:
        with self.session() as s:
            return list(s.scalars(select(SuggestionRow).where(SuggestionRow.consultation_id == cid)
                                  .order_by(SuggestionRow.id)))

    # -- drafts --------------------------------------------------------------------------
    def add_draft(self, cid: int, author: str, data: dict) -> int:
        with self.session() as s:
            last = s.scalar(select(func.max(DraftRow.version)).where(DraftRow.consultation_id == cid)) or 0
            s.add(DraftRow(consultation_id=cid, version=last + 1, author=author, data=data))
            return last + 1

    def latest_draft(self, cid: int, author: str) -> DraftRow | None:
        with self.session() as s:
            return s.scalar(select(DraftRow).where(DraftRow.consultation_id == cid, DraftRow.author == author)
                            .order_by(DraftRow.version.desc()).limit(1))

    def draft_versions(self, cid: int) -> list[DraftRow]:
        with self.session() as s:
            return list(s.scalars(select(DraftRow).where(DraftRow.consultation_id == cid).order_by(DraftRow.version)))


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


_store: Store | None = None
_store_lock = threading.Lock()


def get_store() -> Store:
    """The process-wide store (opened and migrated once)."""
    global _store
    with _store_lock:
        if _store is None:
            _store = Store()
        return _store


def reset_store() -> None:
    """Forget the process-wide store (tests switch data folders)."""
    global _store
    with _store_lock:
        if _store is not None:
            _store.close()
        _store = None
