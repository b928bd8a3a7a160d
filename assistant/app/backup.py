"""Backup and restore: one encrypted file holding a consistent copy of the database and the audio.

Consistent: the SQLite database is copied with SQLite's online backup API (a snapshot even while
counters write, WAL included), then packed with the audio folder into a tar stream that is encrypted
frame by frame with the data key as it is written; nothing is ever written in the clear. The keys
are *not* inside: a backup is useless without the key file, which is backed up separately
(README, "Keys and backups"). Restore on a fresh install: put the key files in place, then
``assistant restore FILE``; audio paths are rewritten to the new data folder.

PostgreSQL: use ``pg_dump`` (personal fields are ciphertext in the dump too) plus this command's
``--audio-only`` for the audio folder.
"""

from __future__ import annotations

import io
import json
import sqlite3
import tarfile
import tempfile
from pathlib import Path

from sqlalchemy import update

from assistant.app import audit, protect
from assistant.app.store import AudioFile, Store, utcnow

MANIFEST = "manifest.json"
DB_NAME = "assistant.db"


class BackupError(RuntimeError):
    """Backup or restore cannot proceed; the message says why (Japanese first)."""


def _sqlite_path(store: Store) -> Path | None:
    url = store.engine.url
    return Path(url.database) if url.get_backend_name() == "sqlite" and url.database else None


def create(store: Store, out: Path, *, audio_only: bool = False, actor: str = "admin") -> Path:
    """Write an encrypted backup to ``out``; returns it."""
    db = _sqlite_path(store)
    if db is None and not audio_only:
        raise BackupError("PostgreSQL のデータベースは pg_dump でバックアップしてください（音声は --audio-only）。")
    audio_dir = store.cfg.data_dir / "audio"
    manifest = {"schema": "backup/1", "created": utcnow().isoformat(), "data_dir": str(store.cfg.data_dir),
                "key_ids": sorted(store.keyring.keys), "database": not audio_only}
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp_out = out.with_name(out.name + ".tmp")
    with tempfile.TemporaryDirectory(dir=store.cfg.data_dir) as tmp:
        writer = protect.EncryptedAppender(tmp_out, store.keyring)
        try:
            with tarfile.open(fileobj=writer, mode="w|") as tar:
                _add_bytes(tar, MANIFEST, json.dumps(manifest, ensure_ascii=False).encode())
                if not audio_only:
                    snap = Path(tmp) / DB_NAME
                    with sqlite3.connect(db) as src, sqlite3.connect(snap) as dst:
                        src.backup(dst)
                    tar.add(snap, arcname=DB_NAME)
                if audio_dir.exists():
                    tar.add(audio_dir, arcname="audio")
        finally:
            writer.close()
    tmp_out.replace(out)
    audit.record(store, actor=actor, action="backup", target=str(out.name), detail={"audio_only": audio_only})
    return out


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, fileobj=io.BytesIO(data))


def restore(backup: Path, data_dir: Path, key_file: Path, *, force: bool = False) -> dict:
    """Unpack ``backup`` into ``data_dir`` (a fresh install unless ``force``); returns the manifest."""
    kr = protect.Keyring.load(key_file)
    db = data_dir / DB_NAME
    if db.exists() and not force:
        raise BackupError(f"{db} がすでにあります。上書きするときは --force を付けてください。")
    manifest: dict = {}
    reader = protect.DecryptingReader(backup, kr)
    try:
        with tarfile.open(fileobj=reader, mode="r|") as tar:
            for member in tar:
                if member.name == MANIFEST:
                    manifest = json.loads(tar.extractfile(member).read())
                    continue
                if not (member.name == DB_NAME or member.name.startswith("audio")):
                    continue
                tar.extract(member, data_dir, filter="data")
    finally:
        reader.close()
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)  # the snapshot is complete on its own
    return manifest


def rewrite_audio_paths(store: Store, old_data_dir: str) -> int:
    """After a restore into another folder: point audio rows at the new audio folder."""
    new = str(store.cfg.data_dir)
    n = 0
    with store.session() as s:
        for a in s.query(AudioFile).all():
            if a.path.startswith(old_data_dir) and old_data_dir != new:
                s.execute(update(AudioFile).where(AudioFile.id == a.id)
                          .values(path=new + a.path[len(old_data_dir):]))
                n += 1
    return n
