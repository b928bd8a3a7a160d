"""Protection at rest: AES-256-GCM on personal columns and on stored audio.

Why field level and not SQLCipher: the same code must protect PostgreSQL (several counters, one
store) and the audio files on disk; SQLCipher covers only an SQLite file. With field-level
encryption the SQLite file, its WAL and journal, a PostgreSQL data directory and a database dump
hold only ciphertext for transcripts, drafts and unmasked values.

The key lives outside the database in a key file (mode 0600) holding a small keyring: key id →
256-bit key, one of them active. Ciphertext names its key id, so ``assistant keys rotate`` can add
a new key, re-encrypt, then drop the old one. A value encrypted with a key that is not in the
keyring, or a key file replaced by another, fails loudly with :class:`KeyMismatch`.
"""

from __future__ import annotations

import base64
import io
import json
import os
import secrets
import struct
import threading
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import JSON, Text
from sqlalchemy.types import TypeDecorator

PREFIX = "enc1:"
FILE_MAGIC = b"ASTENC1\n"
NONCE = 12
MISMATCH_JA = ("暗号鍵が一致しないため、データを読めません。正しい鍵ファイル（{path}）を置いてください。"
               " / the data key does not match this data.")


class KeyMismatch(RuntimeError):
    """Data was encrypted with a key this keyring does not hold (or the data was altered)."""


class KeyFileError(RuntimeError):
    """The key file is missing, unreadable or too open."""


class Keyring:
    """Key id → AES-256 key; ``active`` encrypts, every key decrypts."""

    def __init__(self, keys: dict[str, bytes], active: str, path: Path | None = None) -> None:
        self.keys, self.active, self.path = dict(keys), active, path

    @classmethod
    def generate(cls, path: Path | None = None) -> Keyring:
        kid = secrets.token_hex(4)
        return cls({kid: AESGCM.generate_key(bit_length=256)}, kid, path)

    @classmethod
    def load(cls, path: Path) -> Keyring:
        if not path.exists():
            raise KeyFileError(f"暗号鍵ファイルがありません: {path} / key file missing (restore it from the key backup)")
        if path.stat().st_mode & 0o077:
            raise KeyFileError(f"暗号鍵ファイルのアクセス権が広すぎます（chmod 600 {path}） / key file must be mode 0600")
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            keys = {k: base64.b64decode(v) for k, v in raw["keys"].items()}
            return cls(keys, raw["active"], path)
        except (ValueError, KeyError) as exc:
            raise KeyFileError(f"暗号鍵ファイルを読めません: {path} ({exc})") from exc

    def save(self, path: Path | None = None) -> Path:
        path = path or self.path
        assert path is not None
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        tmp = path.with_suffix(".tmp")
        data = {"active": self.active, "keys": {k: base64.b64encode(v).decode() for k, v in self.keys.items()}}
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        self.path = path
        return path

    # -- bytes -------------------------------------------------------------------------------
    def seal(self, data: bytes, aad: bytes = b"") -> bytes:
        """Key id (8 ASCII bytes) ‖ nonce ‖ ciphertext+tag."""
        nonce = os.urandom(NONCE)
        return self.active.encode().ljust(8)[:8] + nonce + AESGCM(self.keys[self.active]).encrypt(nonce, data, aad)

    def open(self, blob: bytes, aad: bytes = b"") -> bytes:
        kid = blob[:8].decode("ascii", "replace").strip()
        key = self.keys.get(kid)
        if key is None:
            raise KeyMismatch(MISMATCH_JA.format(path=self.path))
        try:
            return AESGCM(key).decrypt(blob[8:8 + NONCE], blob[8 + NONCE:], aad)
        except InvalidTag as exc:
            raise KeyMismatch(MISMATCH_JA.format(path=self.path) + " (改ざんの可能性 / data altered)") from exc

    # -- text --------------------------------------------------------------------------------
    def encrypt_text(self, text: str, aad: str = "") -> str:
        return PREFIX + base64.b64encode(self.seal(text.encode("utf-8"), aad.encode())).decode("ascii")

    def decrypt_text(self, value: str, aad: str = "") -> str:
        if not value.startswith(PREFIX):
            return value  # written before encryption was switched on; `keys rotate` encrypts it
        return self.open(base64.b64decode(value[len(PREFIX):]), aad.encode()).decode("utf-8")


# -- the process-wide keyring (SQLAlchemy types have no other way to reach it) ----------------
_active: Keyring | None = None
_lock = threading.Lock()


def set_keyring(keyring: Keyring | None) -> None:
    global _active
    with _lock:
        _active = keyring


def keyring() -> Keyring:
    if _active is None:
        raise KeyFileError("暗号鍵が読み込まれていません / no data key loaded (open the store first)")
    return _active


def load_or_create(path: Path, *, create: bool) -> Keyring:
    """The keyring at ``path``; a new one is created only when ``create`` (an empty database)."""
    if path.exists() or not create:
        return Keyring.load(path)
    kr = Keyring.generate(path)
    kr.save(path)
    return kr


def bind_keyring(dialect: Any, kr: Keyring) -> None:
    """Tie a keyring to one engine's dialect, so stores with different keys can share a process."""
    dialect.assistant_keyring = kr


def _for(dialect: Any) -> Keyring:
    return getattr(dialect, "assistant_keyring", None) or keyring()


class EncryptedText(TypeDecorator):
    """A Text column stored as ``enc1:<base64>``; ``label`` is bound as associated data."""

    impl = Text
    cache_ok = True

    def __init__(self, label: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.label = label

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        return None if value is None else _for(dialect).encrypt_text(str(value), self.label)

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        return None if value is None else _for(dialect).decrypt_text(value, self.label)


class EncryptedJSON(TypeDecorator):
    """A JSON column whose stored value is one encrypted JSON string (valid JSON on PostgreSQL too)."""

    impl = JSON
    cache_ok = True

    def __init__(self, label: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.label = label

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        return _for(dialect).encrypt_text(json.dumps(value, ensure_ascii=False), self.label)

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        if isinstance(value, str) and value.startswith(PREFIX):
            return json.loads(_for(dialect).decrypt_text(value, self.label))
        return value  # legacy plaintext JSON


# -- files: a header, then independently sealed frames (live audio is appended chunk by chunk) --
class EncryptedAppender:
    """File-like ``write`` that appends one sealed frame per call; survives a crash mid-take."""

    def __init__(self, path: Path, kr: Keyring | None = None) -> None:
        self.kr = kr or keyring()
        new = not path.exists() or path.stat().st_size == 0
        self.fh: BinaryIO = open(path, "ab")  # noqa: SIM115 - closed by close()
        if new:
            self.fh.write(FILE_MAGIC)

    def write(self, data: bytes) -> int:
        frame = self.kr.seal(bytes(data))
        self.fh.write(struct.pack(">I", len(frame)) + frame)
        return len(data)

    def flush(self) -> None:
        self.fh.flush()

    def fileno(self) -> int:
        return self.fh.fileno()

    def close(self) -> None:
        self.fh.close()

    @property
    def closed(self) -> bool:
        return self.fh.closed


def open_append(path: Path, kr: Keyring | None = None) -> EncryptedAppender:
    return EncryptedAppender(Path(path), kr)


def encrypt_bytes_to(data: bytes, dst: Path, kr: Keyring | None = None, chunk: int = 1 << 20) -> None:
    kr = kr or keyring()
    tmp = dst.with_name(dst.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(FILE_MAGIC)
        for i in range(0, max(len(data), 1), chunk):
            frame = kr.seal(data[i:i + chunk])
            fh.write(struct.pack(">I", len(frame)) + frame)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, dst)


def encrypt_file(src: Path, dst: Path, kr: Keyring | None = None) -> None:
    """Write ``src`` encrypted to ``dst`` (atomically)."""
    encrypt_bytes_to(Path(src).read_bytes(), Path(dst), kr)


def is_encrypted_file(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(len(FILE_MAGIC)) == FILE_MAGIC


def read_file(path: Path, kr: Keyring | None = None) -> bytes:
    """Decrypted content; a plain (legacy) file is returned as it is. A torn last frame is dropped."""
    kr = kr or keyring()
    raw = Path(path).read_bytes()
    if not raw.startswith(FILE_MAGIC):
        return raw
    out, pos = [], len(FILE_MAGIC)
    while pos + 4 <= len(raw):
        (n,) = struct.unpack(">I", raw[pos:pos + 4])
        if pos + 4 + n > len(raw):
            break  # the frame being written when the power went
        out.append(kr.open(raw[pos + 4:pos + 4 + n]))
        pos += 4 + n
    return b"".join(out)


def plain_length(path: Path) -> int:
    """Bytes of content in a (possibly encrypted) file, reading only the frame headers."""
    size = Path(path).stat().st_size
    with open(path, "rb") as fh:
        if fh.read(len(FILE_MAGIC)) != FILE_MAGIC:
            return size
        pos, total = len(FILE_MAGIC), 0
        while pos + 4 <= size:
            (n,) = struct.unpack(">I", fh.read(4))
            if pos + 4 + n > size:
                break
            total += n - 8 - NONCE - 16
            pos += 4 + n
            fh.seek(pos)
    return total


class DecryptingReader(io.RawIOBase):
    """Read an encrypted file as a stream (frame by frame), e.g. for ``tarfile`` in stream mode."""

    def __init__(self, path: Path, kr: Keyring | None = None) -> None:
        super().__init__()
        self.kr = kr or keyring()
        self.fh: BinaryIO = open(path, "rb")  # noqa: SIM115 - closed by close()
        if self.fh.read(len(FILE_MAGIC)) != FILE_MAGIC:
            self.fh.close()
            raise KeyMismatch(f"暗号化されたファイルではありません: {path} / not an encrypted file")
        self.buf = b""

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        while not self.buf:
            head = self.fh.read(4)
            if len(head) < 4:
                return 0
            (n,) = struct.unpack(">I", head)
            self.buf = self.kr.open(self.fh.read(n))
        k = min(len(b), len(self.buf))
        b[:k], self.buf = self.buf[:k], self.buf[k:]
        return k

    def close(self) -> None:
        self.fh.close()
        super().close()
