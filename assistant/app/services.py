"""Service functions of a counter consultation, shared by the counter view and the command line.

Every action staff can take lives here (start, consent, record, pause, upload, end, resume, pin,
dismiss, edit the draft, search, print a handout), so the UI only renders and the CLI only parses
arguments. Each function commits what it changed before returning: the store is the truth, the
in-memory ``LiveSession`` only holds what cannot be stored yet (the utterance being spoken).

Errors meant for staff are ``ServiceError`` with a Japanese message (``str(exc)``).
"""

from __future__ import annotations

import datetime as dt
import html
import io
import os
import threading
import time
import wave
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant import offline  # noqa: F401
from assistant.app import protect
from assistant.app import review_store as rs
from assistant.app.config import Config, get_config, resolve_path
from assistant.app.store import Consultation, Store, get_store
from assistant.asr.audio import SAMPLE_RATE, Audio, AudioError, decode, from_array
from assistant.asr.live_speakers import LiveSpeakers
from assistant.asr.stream import LiveTranscription, StreamConfig, StreamingTranscriber
from assistant.asr.transcribe import get_transcriber
from assistant.asr.transcript import SPEAKER_LABELS_JA, SPEAKERS, Segment, Transcript
from assistant.fileio import atomic_write_text
from assistant.record.draft import detect_urgency, draft_record
from assistant.record.fields import EDIT_LABELS
from assistant.schemes import postasr
from assistant.schemes.knowledge import get_knowledge_base
from assistant.schemes.suggest import Suggester
from assistant.schemes.vocab import attach_vocabulary

# Draft-record fields staff can edit, in display order (key, label). Matches docs/record-format.md.
DRAFT_FIELDS: list[tuple[str, str]] = list(EDIT_LABELS.items())
FIELD_LABELS = EDIT_LABELS


class ServiceError(RuntimeError):
    """An action that cannot be done; ``str()`` is a Japanese message for staff."""


class NotFound(ServiceError):
    pass


class AlreadyEnded(ServiceError):
    pass


class ConsentRequired(ServiceError):
    pass


class AudioRejected(ServiceError):
    pass


# -- the suggestion and record engines ---------------------------------------------------------
class Engines:
    """The suggestion engine and the record drafter, imported lazily.

    They load GiNZA and the knowledge base (seconds), so they are created once per process and
    shared; one ``Suggester`` is kept per consultation because it carries conversation state.
    ``warm_up`` loads everything ahead of the first consultation, so that the first utterance (or
    ending a consultation) never waits for model loading or first-use training.
    """

    def new_suggester(self) -> Any:

        return Suggester()

    def suggest(self, suggester: Any, segments: list[Segment]) -> list[dict]:
        return [s.to_dict() for s in suggester.update(list(segments))]

    def draft(self, transcript: Transcript, suggestions: list[dict], pinned: list[str], meta: dict) -> Any:

        return draft_record(transcript, suggestions=suggestions, pinned=pinned, meta=meta)

    def urgency(self, segments: list[Segment]) -> list[dict]:

        return [_as_dict(f) for f in detect_urgency(list(segments))] if segments else []

    def warm_up(self) -> None:
        """Run the whole analysis once on a two-line conversation (loads and caches every model)."""
        segments = [Segment(id=1, start=0.0, end=1.0, text="今日はどうされましたか", speaker="staff"),
                    Segment(id=2, start=1.0, end=2.0, text="仕事を辞めて家賃が払えません", speaker="citizen")]
        suggestions = self.suggest(self.new_suggester(), segments)
        self.draft(Transcript(segments=segments), suggestions, [], {})
        self.urgency(segments)


def _as_dict(obj: Any) -> dict:
    if isinstance(obj, dict):
        return obj
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    if hasattr(obj, "__dataclass_fields__"):

        return asdict(obj)
    return {"label": str(obj)}


# -- in-memory state of an open consultation ---------------------------------------------------
@dataclass
class LiveSession:
    cid: int
    segments: list[Segment] = field(default_factory=list)
    suggester: Any = None
    live: Any = None  # stream.LiveTranscription, created on the first microphone chunk
    pcm: Any = None  # open file of the current live recording (16 kHz int16)
    audio_id: int | None = None
    audio_offset: float = 0.0
    audio_samples: int = 0
    live_speaker: str = "unknown"
    voices: LiveSpeakers | None = None  # mono microphone: voices and roles, kept across takes
    versions: dict[str, int] = field(default_factory=lambda: {"transcript": 0, "suggestions": 0, "draft": 0,
                                                              "alerts": 0, "status": 0})
    metrics: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)
    analysis_lock: threading.Lock = field(default_factory=threading.Lock)
    analysis_wanted: threading.Event = field(default_factory=threading.Event)
    analysis_thread: threading.Thread | None = None
    closing: bool = False
    last_fsync: float = 0.0
    draft_data: dict | None = None  # newest automatic draft (stored at most every autosave_draft_s)
    draft_saved: dict | None = None  # content of the last stored automatic version
    draft_saved_at: float = 0.0

    def bump(self, *names: str) -> None:
        for n in names:
            self.versions[n] = self.versions.get(n, 0) + 1


def _fmt_time(seconds: float) -> str:
    m, s = divmod(int(max(seconds, 0)), 60)
    h, m = divmod(m, 60)
    return f"{h:d}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def _local(ts: dt.datetime | None) -> str:
    if ts is None:
        return ""
    return ts.replace(tzinfo=dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M")


class Services:
    """One per process; thread-safe. ``get_services()`` returns the shared instance."""

    def __init__(self, store: Store | None = None, cfg: Config | None = None,
                 transcriber_factory: Callable[[], Any] | None = None, engines: Engines | None = None) -> None:
        self.cfg = cfg or get_config()
        self.store = store or get_store()
        self.engines = engines or Engines()
        self._transcriber_factory = transcriber_factory
        self._sessions: dict[int, LiveSession] = {}
        self._lock = threading.Lock()
        self.audio_dir = self.cfg.data_dir / "audio"

    # -- helpers -----------------------------------------------------------------------------
    def transcriber(self) -> Any:
        if self._transcriber_factory is not None:
            return self._transcriber_factory()

        t = get_transcriber(self.cfg)
        attach_vocabulary(t, self.cfg)
        return t

    def _consultation(self, cid: int | None) -> Consultation:
        if cid is None:
            raise NotFound("相談が開始されていません。「相談を開始」を押してください。")
        c = self.store.get_consultation(int(cid))
        if c is None:
            raise NotFound(f"相談 {cid} が見つかりません。")
        return c

    def _open(self, cid: int | None) -> Consultation:
        c = self._consultation(cid)
        if c.status == "ended":
            raise AlreadyEnded(f"相談 {c.id} はすでに終了しています（{_local(c.ended_at)} 終了）。"
                               "記録はそのまま保存されています。新しい相談は「相談を開始」から始めてください。")
        return c

    def session(self, cid: int) -> LiveSession:
        """The in-memory session of an open consultation (rebuilt from the store after a restart)."""
        with self._lock:
            s = self._sessions.get(cid)
            if s is None:
                s = LiveSession(cid=cid, segments=self.store.segments(cid))
                self._sessions[cid] = s
            return s

    def is_interrupted(self, cid: int) -> bool:
        c = self.store.get_consultation(cid)
        return c is not None and c.status == "open" and cid not in self._sessions

    # -- consultation lifecycle --------------------------------------------------------------
    def start_consultation(self, *, staff: str = "", channel: str = "来所", consent: bool = False) -> int:
        """Open a new consultation; recording waits for consent (``set_consent``)."""
        c = self.store.create_consultation(staff=staff, channel=channel, counter=self.cfg["record"]["counter"])
        self.session(c.id)
        if consent:
            self.set_consent(c.id, True)
        return c.id

    def set_consent(self, cid: int, given: bool) -> None:
        """Record the citizen's answer to 「録音してよろしいですか」 (kept with the consultation)."""
        c = self._open(cid)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        self.store.update_consultation(c.id, consent=bool(given), consent_at=now if given else None)
        self.store.add_event(c.id, "consent", {"given": bool(given)})
        if not given:
            self.stop_recording(c.id)
        self.session(c.id).bump("status")

    def pause(self, cid: int) -> None:
        """Off the record: what is said from now on is neither stored nor transcribed."""
        c = self._open(cid)
        self.stop_recording(c.id)
        self.store.update_consultation(c.id, off_record=True)
        self.store.add_event(c.id, "off_record", {})
        self.session(c.id).bump("status")

    def resume_recording(self, cid: int) -> None:
        c = self._open(cid)
        self.store.update_consultation(c.id, off_record=False)
        self.store.add_event(c.id, "on_record", {})
        self.session(c.id).bump("status")

    def end_consultation(self, cid: int) -> dict:
        """Finalise what is in progress, draft the record one last time and close."""
        c = self._open(cid)
        s = self.session(c.id)
        with s.lock:
            s.closing = True
        self.stop_recording(c.id)
        self._analyse(s, save=True)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        self.store.update_consultation(c.id, status="ended", ended_at=now)
        self.store.add_event(c.id, "ended", {"segments": len(s.segments)})
        s.analysis_wanted.set()
        with self._lock:
            self._sessions.pop(c.id, None)
        return self.consultation_info(c.id)

    def interrupted_consultations(self) -> list[dict]:
        """Consultations left open by a previous run (crash, power cut): resume or close them."""
        return [self.consultation_info(c.id) for c in self.store.open_consultations() if c.id not in self._sessions]

    def resume_consultation(self, cid: int) -> dict:
        """Take an interrupted consultation up again.

        Answers at once: the stored transcript, suggestions and draft are shown as they were, and the
        fresh analysis runs in the background (after a restart it may wait for the language model's
        warm-up, which staff should not wait for).
        """
        c = self._open(cid)
        s = self.session(c.id)
        self.store.add_event(c.id, "resumed", {})
        self._request_analysis(s)
        return self.consultation_info(c.id)

    def latest_open(self) -> int | None:
        rows = self.store.open_consultations()
        return rows[0].id if rows else None

    def consultation_info(self, cid: int) -> dict:
        c = self._consultation(cid)
        return {
            "id": c.id, "status": c.status, "consent": c.consent, "off_record": c.off_record,
            "staff": c.staff, "channel": c.channel, "created": _local(c.created_at), "ended": _local(c.ended_at),
            "interrupted": c.status == "open" and c.id not in self._sessions,
            "segments": self.store.max_segment_id(c.id),
            "help_pending": c.status == "open" and rs.help_pending(self.store, c.id),
        }

    # -- audio in ------------------------------------------------------------------------------
    def _timeline_end(self, cid: int, s: LiveSession) -> float:
        end = max((seg.end for seg in s.segments), default=0.0)
        for a in self.store.audio_files(cid):
            dur = a.duration
            if a.kind == "live" and Path(a.path).exists():
                dur = protect.plain_length(Path(a.path)) / (2 * SAMPLE_RATE)
            end = max(end, a.offset + dur)
        return round(end + 0.5, 3) if end else 0.0

    def _ensure_live(self, c: Consultation, s: LiveSession) -> None:
        if s.live is not None:
            return

        offset = self._timeline_end(c.id, s)
        first_id = self.store.max_segment_id(c.id) + 1
        s.voices = s.voices or LiveSpeakers(self.cfg)
        engine = StreamingTranscriber(
            self.transcriber(), config=StreamConfig.from_config(self.cfg.get("stream")), first_id=first_id,
            offset=offset, speaker=lambda: s.live_speaker, voices=s.voices,
        )
        folder = self.audio_dir / str(c.id)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"live-{int(time.time())}.pcm"
        s.pcm = protect.open_append(path, self.store.keyring)  # encrypted frame by frame; stays open for the whole take
        s.audio_offset, s.audio_samples = offset, 0
        s.audio_id = self.store.add_audio(c.id, "live", path, offset=offset).id
        s.live = LiveTranscription(engine, lambda r: self._on_final(s, r))

    def feed_audio(self, cid: int, rate: int, data: np.ndarray) -> None:
        """One microphone chunk (int16 or float, mono or (n, 2)). Never blocks on decoding."""
        c = self._open(cid)
        if not c.consent:
            raise ConsentRequired("録音の前に、相談者に録音への同意を確認し「同意を得た」にチェックしてください。"
                                  "同意がないため、この音声は保存も文字起こしもしていません。")
        if c.off_record:
            return  # off the record: dropped on purpose, not even kept in memory
        try:
            audio = from_array(np.asarray(data), int(rate))
        except Exception as exc:  # noqa: BLE001
            raise AudioRejected(f"マイクの音声を読み取れませんでした（{type(exc).__name__}）。") from exc
        s = self.session(c.id)
        with s.lock:
            if s.closing:
                return
            self._ensure_live(c, s)
            pcm = (np.clip(audio.samples, -1.0, 1.0) * 32767).astype("<i2")
            s.pcm.write(pcm.tobytes())
            s.pcm.flush()  # in the OS's hands: survives kill -9
            s.audio_samples += len(pcm)
            if time.monotonic() - s.last_fsync > 5:
                os.fsync(s.pcm.fileno())
                s.last_fsync = time.monotonic()
                self.store.update_audio(s.audio_id, duration=s.audio_samples / SAMPLE_RATE)
            s.live.feed(audio)
            s.bump("status")

    def stop_recording(self, cid: int) -> None:
        """End of a microphone take: the utterance in progress becomes final and is stored."""
        s = self.session(int(cid))
        with s.lock:
            live, s.live = s.live, None
            pcm, s.pcm = s.pcm, None
        if live is not None:
            live.flush()
            live.close()
            s.errors.extend(live.errors + live.engine.speaker_errors)
        if pcm is not None:
            pcm.flush()
            os.fsync(pcm.fileno())
            pcm.close()
            self.store.update_audio(s.audio_id, duration=s.audio_samples / SAMPLE_RATE)
        s.bump("status")

    def set_live_speaker(self, cid: int, speaker: str) -> None:
        """Who is talking now, overriding the automatic voice roles for the next final lines
        (``unknown`` = automatic again)."""
        if speaker not in SPEAKERS:
            raise ServiceError(f"話者の指定が正しくありません: {speaker}")
        self.session(self._open(cid).id).live_speaker = speaker

    def set_speaker(self, cid: int, seg_id: int, speaker: str) -> None:
        """Correct the speaker of one transcript line."""
        c = self._consultation(cid)
        if speaker not in SPEAKERS:
            raise ServiceError(f"話者の指定が正しくありません: {speaker}")
        before = next((x for x in self.store.segments(c.id) if x.id == int(seg_id)), None)
        if before is None or not self.store.set_speaker(c.id, int(seg_id), speaker):
            raise NotFound(f"発言番号 {seg_id} が見つかりません。")
        self.store.add_event(c.id, "speaker_corrected", {"seg_id": int(seg_id), "from": before.speaker,
                                                         "to": speaker, "speaker_id": before.speaker_id})
        s = self.session(c.id)
        with s.lock:
            for seg in s.segments:
                if seg.id == int(seg_id):
                    seg.speaker = speaker
        if s.voices is not None:  # the voice follows the correction; its other lines are revised
            self._revise(s, s.voices.correct(int(seg_id), speaker))
        s.bump("transcript")
        self._request_analysis(s)

    def _on_final(self, s: LiveSession, result: Any) -> None:
        """Worker thread: commit the finished utterance first, then the rest can follow."""
        if not result.segments:
            return
        if postasr.enabled(self.cfg):
            postasr.correct_segments(result.segments, context=s.segments[-2:])
        self.store.add_segments(s.cid, result.segments, source="live")
        with s.lock:
            s.segments.extend(result.segments)
            s.bump("transcript")
        self._revise(s, result.revisions)
        s.metrics.append({"seg_ids": [x.id for x in result.segments],
                          "speech_end": result.utterance.speech_end_wall, "closed_at": result.utterance.closed_at,
                          "decode_started": result.started_at, "decode_seconds": result.decode_seconds,
                          "early": result.early, "final_at": result.decoded_at, "committed_at": time.monotonic(),
                          "speaker_seconds": result.speaker_seconds,
                          "suggested_at": None, "drafted_at": None, "analysed_at": None})
        self._check_urgency(s, result.segments)
        self._request_analysis(s)

    def _revise(self, s: LiveSession, revisions: list[Segment]) -> None:
        """Apply automatic role/voice revisions of earlier lines (store first, then memory)."""
        if not revisions:
            return
        new = {r.id: r for r in revisions}
        for r in revisions:
            self.store.set_speaker(s.cid, r.id, r.speaker, speaker_id=r.speaker_id)
        with s.lock:
            for seg in s.segments:
                if seg.id in new:
                    seg.speaker, seg.speaker_id = new[seg.id].speaker, new[seg.id].speaker_id
            s.bump("transcript")

    def upload_recording(self, cid: int, path: str | Path, original_name: str | None = None) -> list[Segment]:
        """Transcribe a recording (batch path) into this consultation; the file is kept for review."""
        c = self._open(cid)
        path = Path(path)
        name = original_name or path.name
        try:
            audio = decode(path)
        except AudioError as exc:
            msg = str(exc).split(" / ")[-1]
            raise AudioRejected(f"「{name}」は音声ファイルとして使えません（{msg}）。"
                                "wav・mp3・m4a・ogg・webm・flac の録音ファイルを選んでください。"
                                "これまでの記録はそのまま残っています。") from exc
        s = self.session(c.id)
        self.stop_recording(c.id)
        folder = self.audio_dir / str(c.id)
        folder.mkdir(parents=True, exist_ok=True)
        kept = folder / f"upload-{int(time.time() * 1000)}{path.suffix.lower() or '.bin'}"
        protect.encrypt_file(path, kept, self.store.keyring)
        offset = self._timeline_end(c.id, s)
        self.store.add_audio(c.id, "upload", kept, offset=offset, duration=audio.duration, original_name=name)
        t = self.transcriber()
        first = self.store.max_segment_id(c.id) + 1
        transcript = t.transcribe(audio, source=name, first_id=first, offset=offset)
        if postasr.enabled(self.cfg):
            postasr.correct_segments(transcript.segments)
        self.store.add_segments(c.id, transcript.segments, source="upload")
        self.store.add_event(c.id, "upload", {"name": name, "segments": len(transcript.segments)})
        with s.lock:
            s.segments.extend(transcript.segments)
            s.bump("transcript")
        self._check_urgency(s, transcript.segments)
        self._analyse(s, save=True)
        return transcript.segments

    def demo_audio_path(self) -> Path:
        return resolve_path(self.cfg["server"]["demo_audio"])

    # -- analysis: suggestions, draft, urgency -----------------------------------------------------
    def _request_analysis(self, s: LiveSession) -> None:
        """Coalesce: the analysis thread always works on the newest transcript."""
        s.analysis_wanted.set()
        if s.analysis_thread is None or not s.analysis_thread.is_alive():
            s.analysis_thread = threading.Thread(target=self._analysis_loop, args=(s,), daemon=True,
                                                 name=f"analysis-{s.cid}")
            s.analysis_thread.start()

    def _analysis_loop(self, s: LiveSession) -> None:
        while True:
            if not s.analysis_wanted.wait(timeout=self._autosave_interval()):
                try:
                    self._save_auto_draft(s, force=True)  # a quiet moment: store the newest draft
                except Exception as exc:  # noqa: BLE001 - the transcript is safe; the draft is rebuilt from it
                    s.errors.append(f"記録案の保存に失敗しました: {type(exc).__name__}: {exc}")
                return
            s.analysis_wanted.clear()
            if s.cid not in self._sessions:
                return
            try:
                self._analyse(s)
            except Exception as exc:  # noqa: BLE001 - shown to staff; the transcript is already safe
                s.errors.append(f"提案・記録案の更新に失敗しました: {type(exc).__name__}: {exc}")

    def _analyse(self, s: LiveSession, *, save: bool = False) -> None:
        """Suggestions first (cheap, incremental; staff look at them), then the draft record.

        The automatic draft is kept in memory at once and stored when its content changed, at most
        every ``autosave_draft_s`` (``save=True``: now). Losing an unsaved automatic draft in a crash
        loses nothing: it is drafted again from the committed transcript on resume.
        """
        with s.analysis_lock:
            with s.lock:
                segments = list(s.segments)
            if s.suggester is None:
                s.suggester = self.engines.new_suggester()
            suggestions = self.engines.suggest(s.suggester, segments) if segments else []
            self.store.record_suggestions(s.cid, suggestions)
            s.bump("suggestions")
            self._mark(s, segments, "suggested_at")
            pinned = [r.scheme_id for r in self.store.suggestions(s.cid) if r.status == "pinned"]
            c = self.store.get_consultation(s.cid)
            meta = {"consultation_id": s.cid, "staff": c.staff, "channel": c.channel, "counter": c.counter,
                    "date": _local(c.created_at), "consent_recording": c.consent}
            record = self.engines.draft(Transcript(segments=segments), suggestions, pinned, meta)
            s.draft_data = record.to_dict(masked=False)
            self._save_auto_draft(s, force=save)
            s.bump("draft")
            self._mark(s, segments, "drafted_at", "analysed_at")
            for flag in getattr(record, "urgency", None) or []:
                self._raise_alert(s, _as_dict(flag))

    @staticmethod
    def _mark(s: LiveSession, segments: list[Segment], *names: str) -> None:
        """Benchmark timestamps: when each utterance's effect reached suggestions / the draft."""
        if not segments:
            return
        now, last = time.monotonic(), segments[-1].id
        for m in s.metrics:
            if m[names[0]] is None and max(m["seg_ids"]) <= last:
                for n in names:
                    m[n] = now

    def _autosave_interval(self) -> float:
        return float(self.cfg.get("stream", {}).get("autosave_draft_s", 30.0))

    def _save_auto_draft(self, s: LiveSession, *, force: bool = False) -> None:
        """Store the newest automatic draft as a version if its content changed (not just the time)."""
        data = s.draft_data
        if data is None:
            return
        content = {k: v for k, v in data.items() if k != "drafted_at"}
        if s.draft_saved is None:
            last = self.store.latest_draft(s.cid, "auto")
            s.draft_saved = {k: v for k, v in last.data.items() if k != "drafted_at"} if last else {}
            s.draft_saved_at = 0.0
        if content == s.draft_saved:
            return
        if not force and time.monotonic() - s.draft_saved_at < self._autosave_interval():
            return
        self.store.add_draft(s.cid, "auto", data)
        s.draft_saved, s.draft_saved_at = content, time.monotonic()

    def _check_urgency(self, s: LiveSession, segments: list[Segment]) -> None:
        """Urgent words raise an alert at once, before the slower suggestion/draft pass."""
        for flag in self.engines.urgency(segments):
            self._raise_alert(s, flag)

    def _raise_alert(self, s: LiveSession, flag: dict) -> None:
        key = str(flag.get("kind") or flag.get("flag") or flag.get("id") or flag.get("label"))
        existing = {str(e.detail.get("key")) for e in self.store.events(s.cid) if e.kind == "urgent"}
        if key in existing:
            return
        self.store.add_event(s.cid, "urgent", {"key": key, **flag})
        s.bump("alerts")

    def alerts(self, cid: int) -> list[dict]:
        return [e.detail for e in self.store.events(int(cid)) if e.kind == "urgent"]

    # -- suggestions ---------------------------------------------------------------------------
    def suggestions(self, cid: int) -> list[dict]:
        """Current suggestions (not dismissed), best first, each with its ``status``."""
        rows = [r for r in self.store.suggestions(int(cid)) if r.active and r.status != "dismissed"]
        rows.sort(key=lambda r: (r.status != "pinned", -r.score))
        return [{**r.payload, "scheme_id": r.scheme_id, "engine_status": r.payload.get("status", "new"),
                 "status": r.status} for r in rows]

    def pinned(self, cid: int) -> list[dict]:
        return [{**r.payload, "scheme_id": r.scheme_id, "name": r.name or r.payload.get("name", r.scheme_id)}
                for r in self.store.suggestions(int(cid)) if r.status == "pinned"]

    def _scheme_payload(self, scheme_id: str) -> dict:

        s = get_knowledge_base().get(scheme_id)
        if s is None:
            raise NotFound(f"制度 {scheme_id} が知識ベースにありません。")
        return {"scheme_id": s.id, "name": s.name, "score": 0.0, "summary": s.summary,
                "eligibility": s.eligibility, "how_to_apply": s.how_to_apply, "documents": s.documents,
                "reasons": [{"kind": "staff", "text": "職員が検索して追加", "segment_ids": []}]}

    def pin(self, cid: int, scheme_id: str) -> None:
        """案内した: the scheme goes into 案内した制度 of the record and onto the handout."""
        c = self._consultation(cid)
        known = {r.scheme_id for r in self.store.suggestions(c.id)}
        payload = None if scheme_id in known else self._scheme_payload(scheme_id)
        self.store.set_suggestion_status(c.id, scheme_id, "pinned", payload)
        self._after_staff_change(c)

    def unpin(self, cid: int, scheme_id: str) -> None:
        c = self._consultation(cid)
        self.store.set_suggestion_status(c.id, scheme_id, "shown")
        self._after_staff_change(c)

    def dismiss(self, cid: int, scheme_id: str) -> None:
        c = self._consultation(cid)
        self.store.set_suggestion_status(c.id, scheme_id, "dismissed")
        self._after_staff_change(c)

    def _after_staff_change(self, c: Consultation) -> None:
        s = self.session(c.id)
        s.bump("suggestions")
        if c.status == "open":
            self._analyse(s, save=True)  # 案内した制度 in the draft follows at once, stored with the action

    # -- draft record ------------------------------------------------------------------------------
    def draft(self, cid: int) -> dict:
        """The current draft: automatic fields overlaid with staff edits, plus gaps and urgency."""
        c = self._consultation(cid)
        auto = self.store.latest_draft(c.id, "auto")
        staff = self.store.latest_draft(c.id, "staff")
        record = auto.data if auto else {}
        live = self._sessions.get(c.id)
        if live is not None and live.draft_data is not None:
            record = live.draft_data  # newer than the stored version while autosave waits
        edits = dict(staff.data.get("edits", {})) if staff else {}
        fields = record_fields(record)
        for key, text in edits.items():
            fields[key] = text
        return {"fields": fields, "edited": sorted(edits), "gaps": record_gaps(record),
                "urgency": record.get("urgency") or [], "record": record,
                "version": max(auto.version if auto else 0, staff.version if staff else 0)}

    def edit_draft(self, cid: int, key: str, text: str) -> int:
        """Staff's wording wins over later automatic drafts; every edit is a new version."""
        c = self._consultation(cid)
        if key not in FIELD_LABELS:
            raise ServiceError(f"記録の項目が正しくありません: {key}")
        staff = self.store.latest_draft(c.id, "staff")
        edits = dict(staff.data.get("edits", {})) if staff else {}
        edits[key] = text
        version = self.store.add_draft(c.id, "staff", {"edits": edits, "changed": key})
        self.session(c.id).bump("draft")
        return version

    # -- transcript and view ---------------------------------------------------------------------
    def transcript(self, cid: int) -> Transcript:
        c = self._consultation(cid)
        return Transcript(source=f"consultation-{c.id}", segments=self.store.segments(c.id))

    def provisional(self, cid: int) -> dict | None:
        s = self._sessions.get(int(cid))
        if s is None or s.live is None:
            return None
        p = s.live.provisional
        return {"text": p.text, "start": p.start} if p.text else None

    def recording(self, cid: int) -> bool:
        s = self._sessions.get(int(cid))
        return bool(s and s.live is not None)

    def versions(self, cid: int) -> dict[str, int]:
        s = self._sessions.get(int(cid))
        return dict(s.versions) if s else {}

    def errors(self, cid: int) -> list[str]:
        s = self._sessions.get(int(cid))
        if s is None:
            return []
        errs = list(s.errors)
        if s.live is not None:
            errs += s.live.errors
        return errs

    # -- knowledge base and handout ----------------------------------------------------------------
    def search_kb(self, query: str, limit: int = 8) -> list[dict]:

        return [s.to_dict() for s in get_knowledge_base().search(query, limit=limit)]

    def handout_html(self, cid: int) -> str:
        """A printable page for the citizen: each pinned scheme's summary, how to apply, 持ち物."""

        c = self._consultation(cid)
        kb = get_knowledge_base()
        parts = []
        for p in self.pinned(c.id):
            sch = kb.get(p["scheme_id"])
            name = sch.name if sch else p.get("name", p["scheme_id"])
            summary = sch.summary if sch else p.get("summary", "")
            how = sch.how_to_apply if sch else p.get("how_to_apply", "")
            docs = sch.documents if sch else p.get("documents", [])
            items = "".join(f"<li>☐ {html.escape(d)}</li>" for d in docs) or "<li>窓口でご確認ください</li>"
            parts.append(
                f"<section class='scheme'><h2>{html.escape(name)}</h2>"
                f"<h3>どんな制度？</h3><p>{html.escape(summary)}</p>"
                f"<h3>申し込み方法</h3><p>{html.escape(how)}</p>"
                f"<h3>持ち物リスト</h3><ul class='docs'>{items}</ul></section>")
        body = "".join(parts) or "<p>案内した制度はまだありません。提案の「案内した」を押すと、ここに載ります。</p>"
        counter = html.escape(c.counter or self.cfg["record"]["counter"])
        return (
            "<!doctype html><html lang='ja'><head><meta charset='utf-8'><title>ご案内した制度</title>"
            "<style>body{font-family:'Noto Sans CJK JP','Noto Sans JP',sans-serif;max-width:46em;margin:2em auto;"
            "line-height:1.8;color:#222}h1{font-size:1.6em;border-bottom:2px solid #333}"
            "h2{font-size:1.3em;margin-top:1.6em;border-left:6px solid #2a6f97;padding-left:.4em}"
            "h3{font-size:1.05em;margin:.8em 0 .2em}ul.docs{list-style:none;padding-left:.5em}"
            ".scheme{page-break-inside:avoid}footer{margin-top:2em;font-size:.9em;color:#555}"
            "@media print{body{margin:0}}</style></head><body>"
            f"<h1>ご案内した制度</h1><p>{counter}　{_local(c.created_at)}</p>{body}"
            "<footer>制度の内容や必要な書類は変わることがあります。申し込みの前に担当窓口でご確認ください。</footer>"
            "</body></html>")

    def write_handout(self, cid: int) -> Path:

        path = self.cfg.data_dir / "handouts" / f"handout-{int(cid)}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, self.handout_html(cid))
        return path

    def recording_wav(self, cid: int) -> bytes | None:
        """The live recording of a consultation as one WAV, in memory (the files on disk stay encrypted)."""
        files = [a for a in self.store.audio_files(int(cid)) if a.kind == "live" and Path(a.path).exists()]
        if not files:
            return None
        pcm = b"".join(protect.read_file(Path(a.path), self.store.keyring) for a in files)
        buf = io.BytesIO()
        with wave.open(buf, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(SAMPLE_RATE)
            w.writeframes(pcm[: len(pcm) // 2 * 2])
        return buf.getvalue()

    def shutdown(self) -> None:
        for cid in list(self._sessions):
            try:
                self.stop_recording(cid)
                self._save_auto_draft(self._sessions[cid], force=True)
            except Exception:  # noqa: BLE001
                pass


def record_fields(record: dict) -> dict[str, str]:
    """Flatten a record dict (record.py's to_dict) into the editable text fields of the panel."""
    fields: dict[str, str] = {}
    source = record.get("fields") if isinstance(record.get("fields"), dict) else record
    for key, _label in DRAFT_FIELDS:
        value = source.get(key, record.get(key))
        fields[key] = _field_text(value)
    return fields


def _field_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n".join(t for t in (_field_text(v) for v in value) if t)
    if isinstance(value, dict):
        if isinstance(value.get("text"), str):
            return value["text"]
        for k in ("lines", "items", "sentences"):
            if isinstance(value.get(k), list):
                return _field_text(value[k])
        for k in ("value", "name", "label"):
            if k in value and isinstance(value[k], str):
                return value[k]
        return "、".join(f"{k}: {_field_text(v)}" for k, v in value.items() if _field_text(v))
    return str(value)


def record_gaps(record: dict) -> list[str]:
    """聞き取り漏れ as short lines: 「世帯状況 — 家族構成を確認してください」."""
    out = []
    for g in record.get("gaps") or []:
        if isinstance(g, dict):
            label, hint = str(g.get("label") or g.get("field") or ""), str(g.get("hint") or "")
            out.append(f"{label} — {hint}" if hint and label else label or hint)
        else:
            out.append(str(g))
    return out


def speaker_label(speaker: str) -> str:
    return SPEAKER_LABELS_JA.get(speaker, speaker)


def fmt_time(seconds: float) -> str:
    return _fmt_time(seconds)


_services: Services | None = None
_services_lock = threading.Lock()


def get_services() -> Services:
    global _services
    with _services_lock:
        if _services is None:
            _services = Services()
        return _services


def reset_services() -> None:
    global _services
    with _services_lock:
        if _services is not None:
            _services.shutdown()
        _services = None


__all__ = [
    "AlreadyEnded", "AudioRejected", "ConsentRequired", "DRAFT_FIELDS", "Engines", "NotFound", "ServiceError",
    "Services", "get_services", "reset_services", "Audio",
]
