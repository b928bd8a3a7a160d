"""The audit log: who viewed, edited, corrected, unmasked, approved, returned, exported or deleted
what, when, from which client.

Append-only and tamper-evident: every row stores ``mac = HMAC-SHA256(key, prev_mac ‖ row)`` where
``prev_mac`` is the previous row's mac. The key is a file outside the database, so whoever can edit
the database cannot recompute the chain; ``verify`` names the first entry that does not fit (an
edited row, a deleted row, a deleted newest row via ``audit_head``).

Several writers (threads, processes, counters on one PostgreSQL) are serialised on the single
``audit_head`` row: the first statement of every append updates it, which takes PostgreSQL's row
lock and SQLite's write lock until commit, so ids and chain links are assigned one at a time.
The log holds no personal data (ids, field names, counts): an auditor reads it without the data key.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, mapped_column

from assistant.app.config import Config, get_config, security_file
from assistant.app.store import Base, Store, utcnow

FIELDS = ("id", "at", "actor", "role", "action", "target", "client", "detail")


class AuditRow(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(200))
    client: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text)  # canonical JSON, kept as text so it hashes the same everywhere
    prev_mac: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at.isoformat(), "actor": self.actor, "role": self.role,
                "action": self.action, "target": self.target, "client": self.client,
                "detail": json.loads(self.detail or "{}")}


class AuditHead(Base):
    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(Integer)
    last_mac: Mapped[str] = mapped_column(String(64))


class AuditKeyError(RuntimeError):
    """The audit key file is missing or unreadable."""


def key_path(cfg: Config | None = None) -> Path:
    return security_file(cfg or get_config(), "audit_key_file", "audit.key")


def load_key(cfg: Config | None = None, *, create: bool = True) -> bytes:
    """The HMAC key (32 random bytes, hex in a 0600 file); created on first use when ``create``."""
    path = key_path(cfg)
    if not path.exists():
        if not create:
            raise AuditKeyError(f"監査ログの鍵ファイルがありません: {path} / audit key file missing")
        _create_key_file(path)
    return bytes.fromhex(path.read_text().strip())


def _create_key_file(path: Path) -> None:
    """Write a new key atomically: the whole file appears at once (hard link), and when another
    writer (a second counter starting at the same moment) made it first, theirs is kept."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
    finally:
        tmp.unlink(missing_ok=True)


def _canonical(row: dict[str, Any]) -> bytes:
    return json.dumps({k: row[k] for k in FIELDS}, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def _mac(key: bytes, prev_mac: str, row: dict[str, Any]) -> str:
    return hmac.new(key, prev_mac.encode("ascii") + b"\n" + _canonical(row), hashlib.sha256).hexdigest()


def _row_fields(r: AuditRow) -> dict[str, Any]:
    return {"id": r.id, "at": r.at.isoformat(timespec="microseconds"), "actor": r.actor, "role": r.role,
            "action": r.action, "target": r.target, "client": r.client, "detail": r.detail}


def record(store: Store, *, actor: str, action: str, target: str = "", role: str = "", client: str = "",
           detail: dict[str, Any] | None = None, key: bytes | None = None) -> int:
    """Append one entry (durable when this returns) and return its id."""
    key = key or load_key(store.cfg)
    with store.session() as s:
        s.execute(update(AuditHead).where(AuditHead.id == 1).values(last_id=AuditHead.last_id))  # lock
        head = s.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one()
        row = AuditRow(id=head.last_id + 1, at=utcnow(), actor=actor[:100], role=role[:16], action=action[:32],
                       target=target[:200], client=client[:64],
                       detail=json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
                       prev_mac=head.last_mac)
        row.mac = _mac(key, row.prev_mac, _row_fields(row))
        s.add(row)
        s.flush()
        head.last_id, head.last_mac = row.id, row.mac
        return row.id


def rows(store: Store, limit: int = 200, *, actor: str | None = None, action: str | None = None,
         target: str | None = None) -> list[dict[str, Any]]:
    """Newest first, for the supervisors' audit tab."""
    q = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
    if actor:
        q = q.where(AuditRow.actor == actor)
    if action:
        q = q.where(AuditRow.action == action)
    if target:
        q = q.where(AuditRow.target == target)
    with store.session() as s:
        return [r.as_dict() for r in s.scalars(q)]


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    reason: str = ""


def verify(store: Store, key: bytes | None = None, batch: int = 5000) -> VerifyResult:
    """Walk the chain from the first entry; stop at the first that does not fit."""
    key = key or load_key(store.cfg, create=False)
    prev, last_id, checked = "", 0, 0
    with store.session() as s:
        head = s.get(AuditHead, 1)
        while True:
            chunk = list(s.scalars(select(AuditRow).where(AuditRow.id > last_id).order_by(AuditRow.id).limit(batch)))
            for r in chunk:
                if r.id != last_id + 1:
                    return VerifyResult(False, checked, last_id + 1, f"entry {last_id + 1} is missing (deleted)")
                if r.prev_mac != prev:
                    return VerifyResult(False, checked, r.id, "does not link to the previous entry")
                if not hmac.compare_digest(r.mac, _mac(key, prev, _row_fields(r))):
                    return VerifyResult(False, checked, r.id, "content changed after it was written (or wrong key)")
                prev, last_id, checked = r.mac, r.id, checked + 1
            if len(chunk) < batch:
                break
        if head is None or head.last_id != last_id or head.last_mac != prev:
            bad = head.last_id if head is not None and head.last_id > last_id else last_id
            return VerifyResult(False, checked, bad, "newest entries are missing (head does not match)")
    return VerifyResult(True, checked)


def export(store: Store, path: Path, fmt: str = "jsonl") -> int:
    """Write the whole log (oldest first, with macs) for an auditor; returns the number of rows."""
    n = 0
    with store.session() as s, open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh) if fmt == "csv" else None
        if writer:
            writer.writerow([*FIELDS, "prev_mac", "mac"])
        for r in s.scalars(select(AuditRow).order_by(AuditRow.id)).yield_per(1000):
            d = {**_row_fields(r), "prev_mac": r.prev_mac, "mac": r.mac}
            if writer:
                writer.writerow([d[k] for k in (*FIELDS, "prev_mac", "mac")])
            else:
                fh.write(json.dumps(d, ensure_ascii=False) + "\n")
            n += 1
    return n
