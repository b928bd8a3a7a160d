"""Supervisor review of consultation records: submit → check against evidence → approve or return.

Every action is a method of ``ReviewService`` that takes the ``Actor`` doing it, checks the actor's
role on the server side (``Refused`` otherwise, whatever the page showed), changes the store and
leaves an audit entry (a ``review_actions`` row for the record's history, and the office's chained
audit log),
so the UI and the CLI only render and parse. Status moves only along ``TRANSITIONS``.

Personal data: the stored draft is unmasked (staff need it at the counter); everything this service
hands out is masked unless the caller asks for ``unmasked=True``, which only ``UNMASK_ROLES`` may do
and which is audited. Transcript corrections keep the original value (``segment_corrections``).
"""

from __future__ import annotations

import difflib
import io
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.app import audit, protect, retention
from assistant.app import review_store as rs
from assistant.app.review_store import ReviewFilter
from assistant.app.services import DRAFT_FIELDS, NotFound, ServiceError, record_fields, record_gaps
from assistant.app.store import Consultation, Store, get_store, utcnow
from assistant.asr.audio import SAMPLE_RATE, decode
from assistant.asr.transcript import SPEAKERS
from assistant.record.export import apply_edits, entities_of, export, jst, mask_record, scrubber

STATUS_JA = {"draft": "下書き", "pending": "確認待ち", "approved": "承認済み", "returned": "差戻し"}
ACTION_JA = {"submit": "確認依頼", "edit": "記録の修正", "correct": "文字起こしの修正", "return": "差戻し",
             "approve": "承認", "unmask": "個人情報の表示", "export": "出力", "help": "相談したい",
             "help_ack": "相談対応", "view": "閲覧", "audio": "音声再生"}
# (from statuses, to status) of each workflow action
TRANSITIONS = {"submit": (("draft", "returned"), "pending"), "return": (("pending",), "returned"),
               "approve": (("pending",), "approved")}
REVIEW_ROLES = frozenset({"supervisor", "admin"})
UNMASK_ROLES = frozenset({"supervisor", "admin"})
SUBMIT_ROLES = frozenset({"staff", "supervisor", "admin"})
HELP_WINDOW = rs.HELP_WINDOW


@dataclass(frozen=True)
class Actor:
    """Who acts: the signed-in user's name and role (staff | supervisor | admin), and from where."""

    name: str
    role: str
    client: str = ""

    @classmethod
    def of(cls, user: Any, client: str = "") -> Actor:
        """From an ``accounts.User`` (anything with ``name`` and ``role``)."""
        role = getattr(user.role, "value", user.role)
        return cls(str(user.name), str(role), client)


class Refused(ServiceError):
    """The actor's role may not do this (checked on the server for every action)."""


AuditSink = Callable[[Actor, str, int | None, dict], None]


def office_audit(store: Store) -> AuditSink:
    """Write to the office's HMAC-chained audit log (``assistant audit verify`` checks it)."""
    def sink(actor: Actor, action: str, cid: int | None, detail: dict) -> None:
        audit.record(store, actor=actor.name, role=actor.role, action=action,
                     target=f"consultation:{cid}" if cid is not None else "consultations",
                     client=actor.client, detail=detail)
    return sink


def _need(actor: Actor | None, roles: frozenset[str], what: str) -> Actor:
    if actor is None or actor.role not in roles:
        raise Refused(f"この操作（{what}）を行う権限がありません。必要な役割: "
                      + "・".join(sorted(roles)) + "。")
    return actor


class ReviewService:
    """The review workflow over one store; ``audit`` receives (actor, action, consultation id, detail)."""

    def __init__(self, store: Store | None = None, audit_sink: AuditSink | None = None,
                 live: Any = None) -> None:
        self.store = store or get_store()
        self._audit = audit_sink if audit_sink is not None else office_audit(self.store)
        self.live = live  # the counter Services, for in-progress drafts and alerts (optional)

    # -- audit ---------------------------------------------------------------------------------
    def _log(self, actor: Actor, action: str, cid: int, comment: str = "", detail: dict | None = None) -> None:
        rs.add_action(self.store, cid, actor=actor.name, role=actor.role, action=action, comment=comment,
                      detail=detail or {})
        # the audit log is kept in the clear: ids, field names and counts only, never the comment
        self._audit(actor, action, cid, {"comment_len": len(comment), **(detail or {})})

    # -- reading a record ----------------------------------------------------------------------
    def _consultation(self, cid: int) -> Consultation:
        c = self.store.get_consultation(int(cid))
        if c is None:
            raise NotFound(f"相談 {cid} が見つかりません。")
        return c

    def _record(self, cid: int) -> tuple[dict, dict[str, str], int]:
        """(newest automatic record/1, merged edits, newest version)."""
        auto = self.store.latest_draft(cid, "auto")
        staff = self.store.latest_draft(cid, "staff")
        record = auto.data if auto else {}
        sess = getattr(self.live, "_sessions", {}).get(cid) if self.live is not None else None
        if sess is not None and sess.draft_data is not None:
            record = sess.draft_data
        edits = dict(staff.data.get("edits", {})) if staff else {}
        return record, edits, max(auto.version if auto else 0, staff.version if staff else 0)

    def final_record(self, cid: int, masked: bool = True) -> dict:
        record, edits, _ = self._record(cid)
        rec = apply_edits(record, edits)
        return mask_record(rec) if masked else rec

    def _guard_own(self, actor: Actor, c: Consultation) -> None:
        if actor.role not in REVIEW_ROLES and c.staff != actor.name:
            raise Refused("この相談記録を見る権限がありません（担当した記録のみ見られます）。")

    def open_record(self, cid: int, actor: Actor, unmasked: bool = False) -> dict:
        """Everything the review page shows: transcript, draft with evidence, gaps, history, actions."""
        c = self._consultation(cid)
        self._guard_own(_need(actor, SUBMIT_ROLES, "記録の閲覧"), c)
        if unmasked:
            _need(actor, UNMASK_ROLES, "個人情報の表示")
        self._log(actor, "unmask" if unmasked else "view", c.id, detail={"view": "record"})
        record, edits, version = self._record(c.id)
        rec = apply_edits(record, edits)
        clean = (lambda t: t) if unmasked else scrubber(entities_of(record))
        segments = [_segment_view(s, clean) for s in self.store.segments(c.id)]
        if not unmasked:
            rec = mask_record(rec)
        return {"consultation": self.info(c), "record": rec, "segments": segments, "edited": sorted(edits),
                "fields": record_fields(rec), "gaps": record_gaps(record), "urgency": rec.get("urgency") or [],
                "version": version, "history": self.history(c.id, masked=not unmasked),
                "actions": [self._action_dict(a) for a in rs.actions(self.store, c.id)],
                "corrections": [self._correction_dict(x, clean) for x in rs.corrections(self.store, c.id)],
                "masked": not unmasked,
                "has_audio": any(Path(a.path).exists() for a in self.store.audio_files(c.id))}

    def info(self, c: Consultation) -> dict:
        ix = rs.get_index(self.store, c.id)
        return {"id": c.id, "status": c.status, "review_status": c.review_status,
                "review_status_ja": STATUS_JA.get(c.review_status, c.review_status), "staff": c.staff,
                "counter": c.counter, "channel": c.channel, "created_at": c.created_at, "ended_at": c.ended_at,
                "comment": ix.comment if ix else "", "returned_count": ix.returned_count if ix else 0,
                "approved_at": ix.approved_at if ix else None}

    @staticmethod
    def _action_dict(a: rs.ReviewAction) -> dict:
        return {"at": a.at, "actor": a.actor, "role": a.role, "action": a.action,
                "action_ja": ACTION_JA.get(a.action, a.action), "comment": a.comment, "detail": a.detail}

    @staticmethod
    def _correction_dict(x: rs.SegmentCorrection, clean: Callable[[str], str]) -> dict:
        return {"seg_id": x.seg_id, "field": x.field, "old": clean(x.old), "new": clean(x.new), "actor": x.actor,
                "at": x.at}

    # -- version history -----------------------------------------------------------------------
    def history(self, cid: int, masked: bool = True) -> list[dict]:
        """Each stored version with who made it and a readable diff of the fields it changed."""
        versions = self.store.draft_versions(cid)
        latest_auto = next((v.data for v in reversed(versions) if v.author == "auto"), {})
        clean = scrubber(entities_of(latest_auto)) if masked else None
        auto: dict[str, str] = {}
        edits: dict[str, str] = {}
        prev: dict[str, str] = {}
        out = []
        for v in versions:
            if v.author == "auto":
                auto = record_fields(v.data)
            else:
                edits = dict(v.data.get("edits", {}))
            state = {**auto, **edits}
            diff = _diff(prev, state, clean)
            prev = state
            if diff or v.author != "auto":
                who = "自動下書き" if v.author == "auto" else str(v.data.get("by") or "職員")
                out.append({"version": v.version, "at": v.created_at, "author": who,
                            "role": v.data.get("role", v.author), "diff": diff})
        return out

    # -- the workflow --------------------------------------------------------------------------
    def _move(self, actor: Actor, cid: int, action: str, comment: str = "", detail: dict | None = None) -> dict:
        c = self._consultation(cid)
        allowed, target = TRANSITIONS[action]
        if c.review_status not in allowed:
            raise ServiceError(f"相談 {c.id} は「{STATUS_JA.get(c.review_status, c.review_status)}」のため"
                               f"{ACTION_JA[action]}できません。")
        self.store.update_consultation(c.id, review_status=target)
        self._log(actor, action, c.id, comment, {"from": c.review_status, "to": target, **(detail or {})})
        return self.reindex(c.id)

    def submission_check(self, cid: int, actor: Actor) -> list[str]:
        """聞き取り漏れ still open in the draft: shown to staff (and the supervisor) before submitting."""
        c = self._consultation(cid)
        self._guard_own(_need(actor, SUBMIT_ROLES, "確認依頼"), c)
        return record_gaps(self._record(c.id)[0])

    def submit(self, cid: int, actor: Actor, comment: str = "") -> dict:
        """確認待ち: the consultation must have ended; open 聞き取り漏れ are recorded with the request."""
        c = self._consultation(cid)
        self._guard_own(_need(actor, SUBMIT_ROLES, "確認依頼"), c)
        if c.status != "ended":
            raise ServiceError("相談がまだ終了していません。「相談を終了」を押してから確認依頼してください。")
        gaps = record_gaps(self._record(c.id)[0])
        row = self._move(actor, c.id, "submit", comment, {"gaps": len(gaps)})
        rs.upsert_index(self.store, c.id, submitted_at=utcnow())
        return {**row, "gaps": gaps}

    def return_record(self, cid: int, actor: Actor, comment: str) -> dict:
        _need(actor, REVIEW_ROLES, "差戻し")
        if not comment.strip():
            raise ServiceError("差戻しの理由（コメント）を書いてください。職員に表示されます。")
        ix = rs.get_index(self.store, int(cid))
        self._move(actor, cid, "return", comment.strip())
        rs.upsert_index(self.store, int(cid), comment=comment.strip(),
                        returned_count=(ix.returned_count if ix else 0) + 1)
        return self.reindex(int(cid))

    def approve(self, cid: int, actor: Actor, comment: str = "") -> dict:
        _need(actor, REVIEW_ROLES, "承認")
        row = self._move(actor, cid, "approve", comment.strip())
        rs.upsert_index(self.store, int(cid), approved_at=utcnow(), comment=comment.strip())
        retention.on_approved(self.store, int(cid), actor.name)  # raw audio deleted if the policy says so
        return row

    def edit(self, cid: int, actor: Actor, key: str, text: str) -> int:
        """The supervisor's (or, on a returned record, the staff's) wording of one field: a new version."""
        c = self._consultation(cid)
        if c.review_status == "approved":
            raise ServiceError("承認済みの記録は修正できません。")
        if actor.role not in REVIEW_ROLES:
            self._guard_own(_need(actor, SUBMIT_ROLES, "記録の修正"), c)
            if c.review_status == "pending":
                raise Refused("確認待ちの記録は、差し戻されるまで修正できません。")
        if key not in dict(DRAFT_FIELDS):
            raise ServiceError(f"記録の項目が正しくありません: {key}")
        _, edits, _ = self._record(c.id)
        old = edits.get(key, record_fields(self._record(c.id)[0]).get(key, ""))
        if old == text:
            return 0
        edits[key] = text
        version = self.store.add_draft(c.id, "staff", {"edits": edits, "changed": key, "by": actor.name,
                                                       "role": actor.role})
        self._log(actor, "edit", c.id, detail={"field": key, "version": version})
        self.reindex(c.id)
        return version

    def correct_segment(self, cid: int, actor: Actor, seg_id: int, *, text: str | None = None,
                        speaker: str | None = None) -> int:
        """Fix what the recogniser got wrong; the original is kept and the change audited."""
        _need(actor, REVIEW_ROLES, "文字起こしの修正")
        c = self._consultation(cid)
        if speaker is not None and speaker not in SPEAKERS:
            raise ServiceError(f"話者の指定が正しくありません: {speaker}")
        if text is not None and not text.strip():
            raise ServiceError("発言を空にはできません。")
        try:
            done = rs.correct_segment(self.store, c.id, int(seg_id), actor=actor.name, text=text, speaker=speaker)
        except KeyError:
            raise NotFound(f"発言番号 {seg_id} が見つかりません。") from None
        if done:
            self._log(actor, "correct", c.id, detail={"seg_id": int(seg_id), "fields": [d.field for d in done]})
        return len(done)

    # -- staff's side -----------------------------------------------------------------------------
    def my_records(self, actor: Actor, statuses: tuple[str, ...] = ("returned", "draft")) -> list[dict]:
        """The actor's own records waiting for them (差戻し first), with the supervisor's comment."""
        _need(actor, SUBMIT_ROLES, "自分の記録")
        self.ensure_index()
        out = []
        for st in statuses:
            _, rows = rs.list_records(self.store, ReviewFilter(status=st, staff=actor.name, limit=100))
            out += [r for r in rows if r["status"] == "ended"]
        return out

    # -- listing and search --------------------------------------------------------------------
    def list_records(self, actor: Actor, f: ReviewFilter) -> tuple[int, list[dict]]:
        _need(actor, REVIEW_ROLES, "記録の一覧")
        return rs.list_records(self.store, f)

    def reindex(self, cid: int) -> dict:
        """Refresh the index row (filters + masked search text) from the current draft."""
        c = self._consultation(cid)
        rec = self.final_record(c.id, masked=True)
        suggestions = self.store.suggestions(c.id)
        text = "\n".join(f.get("text", "") for f in (rec.get("fields") or {}).values() if isinstance(f, dict))
        created = jst(c.created_at)
        rs.upsert_index(self.store, c.id, date=created.date() if created else None, staff=c.staff or "",
                        counter=c.counter or "", category=str(rec.get("main_category") or ""),
                        schemes=[s.scheme_id for s in suggestions if s.status != "dismissed"],
                        pinned=[s.scheme_id for s in suggestions if s.status == "pinned"],
                        urgent=[u.get("kind", "") for u in rec.get("urgency") or []], search_text=text)
        return {"id": c.id, "review_status": self._consultation(c.id).review_status}

    def ensure_index(self) -> int:
        """Index ended consultations that are not yet (records made before this workflow existed)."""
        todo = rs.unindexed_ids(self.store)
        for cid in todo:
            self.reindex(cid)
        return len(todo)

    def filter_choices(self) -> dict[str, list[str]]:
        return rs.distinct_values(self.store)

    # -- exports -------------------------------------------------------------------------------
    def export_items(self, ids: list[int]) -> list[dict]:
        items = []
        for cid in ids:
            c = self._consultation(cid)
            approvals = [a for a in rs.actions(self.store, cid) if a.action == "approve"]
            ix = rs.get_index(self.store, cid)
            review = {"id": c.id, "review_status": c.review_status, "created_at": c.created_at,
                      "ended_at": c.ended_at, "staff": c.staff, "counter": c.counter,
                      "approved_at": approvals[-1].at if approvals else None,
                      "approved_by": approvals[-1].actor if approvals else "",
                      "returned_count": ix.returned_count if ix else 0}
            items.append({"record": self.final_record(cid, masked=False), "review": review})
        return items

    def export(self, actor: Actor, fmt: str, f: ReviewFilter, unmasked: bool = False) -> tuple[str, int]:
        """(text, number of records) of the records matching ``f``; masked unless deliberately unmasked."""
        _need(actor, REVIEW_ROLES, "出力")
        if unmasked:
            _need(actor, UNMASK_ROLES, "個人情報を含む出力")
        self.ensure_index()
        ids = _all_ids(self.store, f)
        text = export(self.export_items(ids), fmt, masked=not unmasked)
        for cid in ids:
            self._log(actor, "unmask" if unmasked else "export", cid, detail={"format": fmt})
        self._audit(actor, "export", None, {"format": fmt, "records": len(ids), "unmasked": unmasked})
        return text, len(ids)

    # -- audio ---------------------------------------------------------------------------------
    def segment_audio(self, cid: int, seg_id: int, actor: Actor) -> bytes:
        """One segment's audio as a WAV (16 kHz mono), cut from the stored recording."""
        _need(actor, REVIEW_ROLES, "音声の再生")
        c = self._consultation(cid)
        seg = next((s for s in self.store.segments(c.id) if s.id == int(seg_id)), None)
        if seg is None:
            raise NotFound(f"発言番号 {seg_id} が見つかりません。")
        for a in self.store.audio_files(c.id):
            samples = _slice(a, lambda p: protect.read_file(p, self.store.keyring), seg.start, seg.end)
            if samples is not None:
                self._log(actor, "view", c.id, detail={"audio_segment": int(seg_id)})  # listening is access too
                return wav_bytes(samples)
        raise NotFound("この発言の音声は保存されていません（録音なし、または保存期間を過ぎています）。")

    # -- help calls and the live view ------------------------------------------------------------
    def request_help(self, cid: int, actor: Actor) -> None:
        """The counter's 「相談したい」: a notice on the supervisor's live view."""
        c = self._consultation(cid)
        self._guard_own(_need(actor, SUBMIT_ROLES, "相談したい"), c)
        self._log(actor, "help", c.id)

    def acknowledge_help(self, cid: int, actor: Actor) -> None:
        _need(actor, REVIEW_ROLES, "相談対応")
        self._log(actor, "help_ack", int(cid))

    def help_calls(self) -> dict[int, dict]:
        """Open help calls by consultation: the newest 「相談したい」 not yet acknowledged."""
        since = utcnow() - HELP_WINDOW
        calls: dict[int, dict] = {}
        for a in rs.recent_actions(self.store, "help", since):
            calls[a.consultation_id] = {"at": a.at, "actor": a.actor}
        for a in rs.recent_actions(self.store, "help_ack", since):
            if a.consultation_id in calls and a.at >= calls[a.consultation_id]["at"]:
                calls.pop(a.consultation_id)
        return calls

    def live_view(self, actor: Actor) -> list[dict]:
        """Consultations in progress: counter, staff, duration, category, urgent signs, help calls."""
        _need(actor, REVIEW_ROLES, "相談中の窓口")
        calls = self.help_calls()
        now = utcnow()
        out = []
        for c in self.store.open_consultations():
            record, _, _ = self._record(c.id)
            alerts = [e.detail for e in self.store.events(c.id) if e.kind == "urgent"]
            out.append({"id": c.id, "counter": c.counter, "staff": c.staff,
                        "duration": (now - c.created_at).total_seconds(),
                        "category": record.get("main_category") or "",
                        "urgent": [a.get("label", "") for a in alerts], "help": calls.get(c.id)})
        return out

    def live_detail(self, cid: int, actor: Actor) -> dict:
        """Read-only: the live transcript (masked) and the current suggestions."""
        _need(actor, REVIEW_ROLES, "相談中の窓口")
        c = self._consultation(cid)
        record, _, _ = self._record(c.id)
        clean = scrubber(entities_of(record))
        segs = [{**s.to_dict(), "text": clean(s.text)} for s in self.store.segments(c.id)]
        sugg = [{"scheme_id": r.scheme_id, "name": r.name, "status": r.status}
                for r in self.store.suggestions(c.id) if r.active and r.status != "dismissed"]
        self._log(actor, "view", c.id, detail={"view": "live"})
        return {"consultation": self.info(c), "segments": segs, "suggestions": sugg,
                "urgency": mask_record(record).get("urgency") or [] if record else [],
                "help": self.help_calls().get(c.id)}


def _segment_view(seg: Any, clean: Callable[[str], str]) -> dict:
    """A segment for the review page; the recognised original (when corrected) is masked like the text."""
    d = {**seg.to_dict(), "text": clean(seg.text)}
    if seg.original_text is not None:
        d["original_text"] = clean(seg.original_text)
    return d


def _diff(before: dict[str, str], after: dict[str, str], clean: Callable[[str], str] | None) -> list[dict]:
    """Per changed field: unified diff lines (masked when ``clean`` is given)."""
    labels = dict(DRAFT_FIELDS)
    out = []
    for key in labels:
        a, b = before.get(key, ""), after.get(key, "")
        if a == b:
            continue
        if clean is not None:
            a, b = clean(a), clean(b)
        lines = [ln for ln in difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=1)
                 if not ln.startswith(("---", "+++"))]
        out.append({"field": key, "label": labels[key], "lines": lines})
    return out


def _all_ids(store: Store, f: ReviewFilter) -> list[int]:
    page = ReviewFilter(**{**f.__dict__, "limit": 10**9, "offset": 0})
    return [r["id"] for r in reversed(rs.list_records(store, page)[1])]


def _slice(a: Any, read: Callable[[Path], bytes], start: float, end: float) -> np.ndarray | None:
    """Samples of [start, end] on the consultation timeline from one audio file, or None."""
    lo, hi = start - a.offset, end - a.offset
    if a.duration and (lo >= a.duration or hi <= 0):
        return None
    path = Path(a.path)
    if not path.exists():
        return None
    data = read(path)
    if a.kind == "live":
        pcm = np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2").astype(np.float32) / 32767
    else:
        pcm = decode(io.BytesIO(data)).samples
    i, j = max(int(lo * SAMPLE_RATE), 0), min(int(hi * SAMPLE_RATE), len(pcm))
    return pcm[i:j] if j > i else None


def wav_bytes(samples: np.ndarray, rate: int = SAMPLE_RATE) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes())
    return buf.getvalue()
