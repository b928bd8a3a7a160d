"""Protection at rest: personal data never readable in the database files or stored audio without the key.

Known strings go in through the real store and services; the raw bytes of the database, its WAL and
journal, and every stored audio file are then searched for them.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text, update

from assistant.app import audit, backup, protect, rekey, retention
from assistant.app.config import load_config
from assistant.app.store import AudioFile, Consultation, Store, StoreError
from assistant.asr.audio import decode
from assistant.asr.transcript import Segment

FIXTURES = Path(__file__).resolve().parent / "fixtures"
NAME, PHONE, ADDRESS = "山田花子", "090-4321-8765", "桜ヶ丘三丁目"
SECRETS = [NAME, PHONE, ADDRESS, "家賃を三か月滞納"]


def _cfg(data_dir: Path, **extra: str):
    return load_config(env={"ASSISTANT_DATA_DIR": str(data_dir), **extra})


def _fill(store: Store) -> int:
    c = store.create_consultation(staff="tanaka", meta={"citizen": NAME})
    store.add_segments(c.id, [Segment(1, 0.0, 2.0, f"{NAME}と申します。電話は{PHONE}です。", speaker="citizen"),
                              Segment(2, 2.0, 4.0, f"{ADDRESS}に住んでいて、家賃を三か月滞納しています。")])
    store.add_draft(c.id, "auto", {"fields": {"main_concern": f"{NAME}さん 家賃を三か月滞納"}, "phone": PHONE})
    store.record_suggestions(c.id, [{"scheme_id": "housing", "name": "住居確保給付金",
                                     "reasons": [{"text": f"「{ADDRESS}に住んでいて」"}]}])
    store.add_event(c.id, "urgent", {"quote": f"{NAME} 家賃を三か月滞納"})
    return c.id


def _raw_files(data_dir: Path) -> list[Path]:
    return [p for p in data_dir.rglob("*") if p.is_file() and "keys" not in p.parts]


def _assert_unreadable(files: list[Path]) -> None:
    assert files
    for p in files:
        raw = p.read_bytes()
        for s in SECRETS:
            assert s.encode("utf-8") not in raw, f"{s} readable in {p.name}"


@pytest.fixture()
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'assistant.db'}", cfg=_cfg(tmp_path))
    yield s
    s.close()


def test_db_wal_and_journal_hold_no_personal_data(tmp_path, store):
    cid = _fill(store)
    assert store.segments(cid)[0].text.startswith(NAME)  # readable through the store, with the key
    assert store.latest_draft(cid, "auto").data["phone"] == PHONE
    assert store.get_consultation(cid).meta == {"citizen": NAME}
    db_files = [p for p in tmp_path.iterdir() if p.name.startswith("assistant.db")]
    assert any(p.name.endswith("-wal") for p in db_files)  # the WAL is searched too, before a checkpoint
    _assert_unreadable(db_files)
    store.close()
    con_store = Store(f"sqlite:///{tmp_path / 'assistant.db'}", cfg=_cfg(tmp_path))
    with con_store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.exec_driver_sql("PRAGMA journal_mode=DELETE")  # a rollback journal appears on the next write
        con_store.add_event(cid, "note", {"quote": NAME})
    _assert_unreadable([p for p in tmp_path.iterdir() if p.name.startswith("assistant.db")])
    con_store.close()


def test_stored_audio_is_encrypted(tmp_path, store):
    wav = FIXTURES / "asr" / "01_greeting.wav"
    raw = wav.read_bytes()
    sample = raw[len(raw) // 2: len(raw) // 2 + 64]
    kept = tmp_path / "audio" / "1" / "upload.wav"
    kept.parent.mkdir(parents=True)
    protect.encrypt_file(wav, kept)
    live = tmp_path / "audio" / "1" / "live.pcm"
    pcm = (np.sin(np.arange(16000) / 7.0) * 20000).astype("<i2").tobytes()
    writer = protect.open_append(live)
    for i in range(0, len(pcm), 4000):
        writer.write(pcm[i:i + 4000])
    writer.close()
    for path, plain in ((kept, raw), (live, pcm)):
        stored = path.read_bytes()
        assert b"RIFF" not in stored and plain[1000:1064] not in stored and sample not in stored
        assert protect.read_file(path) == plain
    assert protect.plain_length(live) == len(pcm)
    assert decode(kept.with_suffix(".check.wav").write_bytes(protect.read_file(kept)) and
                  kept.with_suffix(".check.wav")).duration > 0.5


@pytest.mark.slow
def test_counter_upload_keeps_only_encrypted_audio_and_text(tmp_path, transcriber):
    from assistant.app.services import Services

    cfg = _cfg(tmp_path)
    svc = Services(store=Store(f"sqlite:///{tmp_path / 'assistant.db'}", cfg=cfg), cfg=cfg,
                   transcriber_factory=lambda: transcriber)
    cid = svc.start_consultation(consent=True)
    svc.upload_recording(cid, FIXTURES / "asr" / "01_greeting.wav", f"{NAME}.wav")
    words = [s.text for s in svc.store.segments(cid) if len(s.text) >= 4]
    assert words
    stored = [Path(a.path) for a in svc.store.audio_files(cid)]
    assert stored and all(protect.is_encrypted_file(p) for p in stored)
    for p in _raw_files(tmp_path):
        raw = p.read_bytes()
        assert NAME.encode() not in raw
        assert not any(w.encode("utf-8") in raw for w in words), f"transcript text readable in {p.name}"
    svc.shutdown()


def test_wrong_or_missing_key_cannot_read_and_says_so(tmp_path, store):
    cid = _fill(store)
    audio = tmp_path / "a.pcm"
    protect.encrypt_bytes_to(b"\x01\x02" * 500, audio)
    store.close()
    other = tmp_path / "other.key"
    protect.Keyring.generate(other).save()
    with pytest.raises(StoreError, match="暗号鍵が一致しない"):
        Store(f"sqlite:///{tmp_path / 'assistant.db'}", cfg=_cfg(tmp_path, ASSISTANT_SECURITY_KEY_FILE=str(other)))
    with pytest.raises(protect.KeyMismatch, match="暗号鍵が一致しない"):
        protect.read_file(audio, protect.Keyring.load(other))
    with pytest.raises(StoreError, match="鍵ファイルがありません"):
        Store(f"sqlite:///{tmp_path / 'assistant.db'}",
              cfg=_cfg(tmp_path, ASSISTANT_SECURITY_KEY_FILE=str(tmp_path / "nope.key")))
    key = tmp_path / "keys" / "data.key"
    assert key.stat().st_mode & 0o777 == 0o600
    key.chmod(0o644)
    with pytest.raises(StoreError, match="chmod 600"):
        Store(f"sqlite:///{tmp_path / 'assistant.db'}", cfg=_cfg(tmp_path))
    key.chmod(0o600)
    again = Store(f"sqlite:///{tmp_path / 'assistant.db'}", cfg=_cfg(tmp_path))
    assert again.segments(cid)[0].text.startswith(NAME)
    again.close()


def test_ciphertext_cannot_be_moved_to_another_column(store):
    cid = _fill(store)
    with store.engine.begin() as conn:
        draft = conn.execute(text("SELECT data FROM drafts LIMIT 1")).scalar_one()
        conn.execute(text("UPDATE events SET detail = :d WHERE consultation_id = :c"), {"d": draft, "c": cid})
    with pytest.raises(protect.KeyMismatch):
        store.events(cid)


def test_rotate_re_encrypts_everything(tmp_path, store):
    cid = _fill(store)
    audio = tmp_path / "audio" / str(cid) / "live.pcm"
    audio.parent.mkdir(parents=True)
    protect.encrypt_bytes_to(b"\x05\x06" * 800, audio)
    store.add_audio(cid, "live", audio)
    old_key = tmp_path / "old.key"
    shutil.copy(tmp_path / "keys" / "data.key", old_key)
    old_ids = set(store.keyring.keys)
    with store.engine.connect() as conn:
        before = conn.execute(text("SELECT text FROM segments ORDER BY id")).scalars().all()
    counts = rekey.rotate(store, actor="test")
    assert counts["audio_files"] == 1 and counts["values"] >= 7
    assert not old_ids & set(protect.Keyring.load(tmp_path / "keys" / "data.key").keys)
    with store.engine.connect() as conn:
        after = conn.execute(text("SELECT text FROM segments ORDER BY id")).scalars().all()
    assert all(a != b and a.startswith(protect.PREFIX) for a, b in zip(after, before, strict=True))
    store.close()
    fresh = Store(f"sqlite:///{tmp_path / 'assistant.db'}", cfg=_cfg(tmp_path))
    assert fresh.segments(cid)[1].text.startswith(ADDRESS)
    assert fresh.latest_draft(cid, "auto").data["phone"] == PHONE
    assert protect.read_file(audio) == b"\x05\x06" * 800
    assert any(r["action"] == "key_rotate" for r in audit.rows(fresh))
    fresh.close()
    with pytest.raises(StoreError, match="暗号鍵が一致しない"):
        Store(f"sqlite:///{tmp_path / 'assistant.db'}", cfg=_cfg(tmp_path, ASSISTANT_SECURITY_KEY_FILE=str(old_key)))


def test_backup_restores_on_a_fresh_install_with_the_key(tmp_path):
    site, fresh = tmp_path / "site", tmp_path / "fresh"
    site.mkdir()
    store = Store(f"sqlite:///{site / 'assistant.db'}", cfg=_cfg(site))
    cid = _fill(store)
    audio = site / "audio" / str(cid) / "live.pcm"
    audio.parent.mkdir(parents=True)
    protect.encrypt_bytes_to(b"\x07\x08" * 900, audio)
    store.add_audio(cid, "live", audio)
    out = backup.create(store, tmp_path / "b.abk", actor="test")
    _assert_unreadable([out])
    store.close()
    # wrong key: refused clearly
    protect.Keyring.generate(tmp_path / "wrong.key").save()
    with pytest.raises(protect.KeyMismatch):
        backup.restore(out, fresh, tmp_path / "wrong.key")
    # the right key file, copied to the new PC
    (fresh / "keys").mkdir(parents=True)
    shutil.copy(site / "keys" / "data.key", fresh / "keys" / "data.key")
    shutil.copy(site / "keys" / "audit.key", fresh / "keys" / "audit.key")
    manifest = backup.restore(out, fresh, fresh / "keys" / "data.key")
    restored = Store(f"sqlite:///{fresh / 'assistant.db'}", cfg=_cfg(fresh))
    assert backup.rewrite_audio_paths(restored, manifest["data_dir"]) == 1
    assert restored.segments(cid)[0].text.startswith(NAME)
    path = Path(restored.audio_files(cid)[0].path)
    assert path.is_relative_to(fresh) and protect.read_file(path) == b"\x07\x08" * 900
    assert audit.verify(restored).ok
    with pytest.raises(backup.BackupError):
        backup.restore(out, fresh, fresh / "keys" / "data.key")  # never over an existing database by accident
    restored.close()


def test_retention_deletes_audio_on_approval_and_by_age_with_audit(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'assistant.db'}",
                  cfg=_cfg(tmp_path, ASSISTANT_RETENTION_AUDIO_DAYS="30", ASSISTANT_RETENTION_RECORD_DAYS="365"))
    files = []
    for _ in range(3):
        cid = _fill(store)
        p = tmp_path / "audio" / str(cid) / "live.pcm"
        p.parent.mkdir(parents=True)
        protect.encrypt_bytes_to(b"\x00" * 100, p)
        store.add_audio(cid, "live", p)
        files.append((cid, p))
    (c1, p1), (c2, p2), (c3, p3) = files
    assert retention.on_approved(store, c1, "sato") == 1 and not p1.exists()
    old = dt.datetime.now() - dt.timedelta(days=40)
    ancient = dt.datetime.now() - dt.timedelta(days=400)
    with store.session() as s:
        s.execute(update(AudioFile).where(AudioFile.consultation_id == c2).values(created_at=old))
        s.execute(update(Consultation).where(Consultation.id == c3).values(created_at=ancient, status="ended"))
    done = retention.purge(store)
    assert not p2.exists() and not p3.exists() and done["records"] == 1
    assert store.get_consultation(c3) is None and store.segments(c3) == []
    assert store.get_consultation(c2) is not None and store.segments(c2)
    deletes = [r for r in audit.rows(store) if r["action"] == "delete"]
    assert {(r["target"], r["detail"]["what"]) for r in deletes} >= {
        (f"consultation:{c1}", "audio"), (f"consultation:{c2}", "audio"), (f"consultation:{c3}", "record")}
    assert audit.verify(store).ok
    store.close()
