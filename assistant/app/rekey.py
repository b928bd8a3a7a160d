"""Key rotation: re-encrypt every encrypted column and audio file with a new data key.

Safe against interruption: the new key is first *added* to the key file (old keys stay), so data
already re-encrypted and data not yet reached are both readable if the run stops half-way; a
second run finishes the job. Only at the end are old keys dropped from the file. Values written
before encryption was switched on (plain text) are encrypted on the way. Run with the counter
view stopped (a live recording appends to its file).
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import JSON, Column, Table, Text, and_, select, type_coerce, update

from assistant.app import audit, protect
from assistant.app.protect import EncryptedJSON, EncryptedText, Keyring
from assistant.app.store import AudioFile, Base, KeyCheck, Store

BATCH = 500


def encrypted_columns() -> list[tuple[Table, Column]]:
    """Every column typed EncryptedText/EncryptedJSON in the models imported so far."""
    return [(t, c) for t in Base.metadata.sorted_tables for c in t.columns
            if isinstance(c.type, EncryptedText | EncryptedJSON)]


def _reseal(kr: Keyring, col: Column, raw: object) -> object:
    label = col.type.label
    if isinstance(col.type, EncryptedJSON):
        plain = (kr.decrypt_text(raw, label) if isinstance(raw, str) and raw.startswith(protect.PREFIX)
                 else json.dumps(raw, ensure_ascii=False))
        return type_coerce(kr.encrypt_text(plain, label), JSON)
    return type_coerce(kr.encrypt_text(kr.decrypt_text(str(raw), label), label), Text)


def _column(store: Store, kr: Keyring, table: Table, col: Column) -> int:
    pk = list(table.primary_key.columns)
    raw_col = type_coerce(col, JSON if isinstance(col.type, EncryptedJSON) else Text)
    done, last = 0, None
    while True:
        q = select(*pk, raw_col).where(col.isnot(None)).order_by(*pk).limit(BATCH)
        if last is not None:
            q = q.where(pk[0] > last)
        with store.session() as s:
            rows = list(s.execute(q))
            for row in rows:
                key = and_(*(c == v for c, v in zip(pk, row[:-1], strict=True)))
                s.execute(update(table).where(key).values({col.name: _reseal(kr, col, row[-1])}))
        done += len(rows)
        if len(rows) < BATCH:
            return done
        last = rows[-1][0]


def rotate(store: Store, *, actor: str = "admin") -> dict[str, int]:
    """Add a new active key, re-encrypt everything, then drop the old keys."""
    kr = store.keyring
    old = set(kr.keys)
    kid = secrets.token_hex(4)
    kr.keys[kid] = AESGCM.generate_key(bit_length=256)
    kr.active = kid
    kr.save()
    counts = {"values": 0, "audio_files": 0}
    for table, col in encrypted_columns():
        counts["values"] += _column(store, kr, table, col)
    with store.session() as s:
        check = s.get(KeyCheck, 1)
        check.value = kr.encrypt_text(kr.decrypt_text(check.value, "key_check"), "key_check")
        paths = [Path(p) for p in s.scalars(select(AudioFile.path))]
    for path in paths:
        if path.exists():
            protect.encrypt_bytes_to(protect.read_file(path, kr), path, kr)
            counts["audio_files"] += 1
    for k in old:
        kr.keys.pop(k, None)
    kr.save()
    audit.record(store, actor=actor, action="key_rotate", target="data_key", detail={"key_id": kid, **counts})
    return counts
