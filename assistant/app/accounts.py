"""Accounts: users and roles, argon2id passwords, login throttling, server-side sessions.

Roles are ordered: 職員 (staff) < 監督者 (supervisor) < 管理者 (admin); a higher role may do all a lower
one may. Passwords are stored only as argon2id hashes. A wrong password counts against the user
*and* the client address; ``[security] max_failed_logins`` in a row locks that user or client for
``lockout_minutes`` (so guessing one account from many places, or many accounts from one place,
is both slowed down). Sessions are random tokens; the database keeps only their SHA-256, and a
session idle longer than ``session_idle_minutes`` is refused with a Japanese message.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from assistant.app import audit
from assistant.app.config import Config
from assistant.app.store import Base, Store, utcnow

ROLES = ("staff", "supervisor", "admin")
ROLE_LABELS = {"staff": "職員", "supervisor": "監督者", "admin": "管理者"}
EXPIRED_JA = "一定時間操作がなかったため、ログインの有効期限が切れました。もう一度ログインしてください。"
NOT_LOGGED_IN_JA = "ログインしてください。"
LOCKED_JA = "ログインに続けて失敗したため、しばらくログインできません（{minutes} 分後に再度お試しください）。"
WRONG_JA = "利用者名またはパスワードが違います。"
TOUCH_EVERY = dt.timedelta(seconds=30)  # last_seen is written at most this often (the page polls every second)

_hasher = PasswordHasher()


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class SessionRow(Base):
    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    client: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    ended: Mapped[bool] = mapped_column(Boolean, default=False)


class ThrottleRow(Base):
    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


@dataclass(frozen=True)
class User:
    id: int
    name: str
    display_name: str
    role: str

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


class AccountError(ValueError):
    """A user-management request that cannot be done; the message is Japanese."""


class LoginError(PermissionError):
    """Login refused (wrong password, locked, disabled); the message is Japanese and safe to show."""


class SessionExpired(PermissionError):
    """The session was idle too long (or was ended); the message is Japanese."""


def has_role(user: User | None, role: str) -> bool:
    return user is not None and ROLES.index(user.role) >= ROLES.index(role)


def _user(row: UserRow) -> User:
    return User(id=row.id, name=row.name, display_name=row.display_name or row.name, role=row.role)


def _check_password(password: str, cfg: Config) -> None:
    n = int(cfg["security"]["min_password_length"])
    if len(password) < n:
        raise AccountError(f"パスワードは {n} 文字以上にしてください。")


def new_password() -> str:
    return secrets.token_urlsafe(12)


def add_user(store: Store, name: str, role: str, password: str | None = None, *, display_name: str = "",
             actor: str = "system", cfg: Config | None = None) -> tuple[User, str]:
    """Create a user; returns it with its password (generated when not given, shown once)."""
    cfg = cfg or store.cfg
    if role not in ROLES:
        raise AccountError(f"役割は {', '.join(ROLES)} のどれかです。")
    password = password or new_password()
    _check_password(password, cfg)
    with store.session() as s:
        if s.scalar(select(UserRow).where(UserRow.name == name)) is not None:
            raise AccountError(f"利用者 {name} はすでに登録されています。")
        row = UserRow(name=name, display_name=display_name or name, role=role,
                      password_hash=_hasher.hash(password), password_changed_at=utcnow())
        s.add(row)
        s.flush()
        user = _user(row)
    audit.record(store, actor=actor, action="user_add", target=f"user:{name}", detail={"role": role})
    return user, password


def _get_row(s, name: str) -> UserRow:  # noqa: ANN001
    row = s.scalar(select(UserRow).where(UserRow.name == name))
    if row is None:
        raise AccountError(f"利用者 {name} は登録されていません。")
    return row


def remove_user(store: Store, name: str, *, actor: str = "system") -> None:
    with store.session() as s:
        row = _get_row(s, name)
        s.execute(delete(SessionRow).where(SessionRow.user_id == row.id))
        s.delete(row)
    audit.record(store, actor=actor, action="user_remove", target=f"user:{name}")


def set_password(store: Store, name: str, password: str | None = None, *, actor: str = "system",
                 cfg: Config | None = None) -> str:
    """Set (or generate) a new password; ends the user's sessions."""
    cfg = cfg or store.cfg
    password = password or new_password()
    _check_password(password, cfg)
    with store.session() as s:
        row = _get_row(s, name)
        row.password_hash, row.password_changed_at = _hasher.hash(password), utcnow()
        s.execute(delete(SessionRow).where(SessionRow.user_id == row.id))
        s.execute(delete(ThrottleRow).where(ThrottleRow.key == f"user:{name}"))
    audit.record(store, actor=actor, action="user_passwd", target=f"user:{name}")
    return password


def set_disabled(store: Store, name: str, disabled: bool = True, *, actor: str = "system") -> None:
    with store.session() as s:
        row = _get_row(s, name)
        row.disabled = disabled
        if disabled:
            s.execute(delete(SessionRow).where(SessionRow.user_id == row.id))
    audit.record(store, actor=actor, action="user_disable" if disabled else "user_enable", target=f"user:{name}")


def list_users(store: Store) -> list[dict]:
    with store.session() as s:
        return [{"name": r.name, "display_name": r.display_name, "role": r.role, "disabled": r.disabled,
                 "created": r.created_at.isoformat(timespec="seconds")}
                for r in s.scalars(select(UserRow).order_by(UserRow.name))]


def get_user(store: Store, name: str) -> User | None:
    with store.session() as s:
        row = s.scalar(select(UserRow).where(UserRow.name == name))
        return _user(row) if row is not None else None


def count_admins(store: Store) -> int:
    with store.session() as s:
        return len(list(s.scalars(select(UserRow).where(UserRow.role == "admin", UserRow.disabled.is_(False)))))


# -- login throttling ---------------------------------------------------------------------------
def _locked(s, key: str, now: dt.datetime) -> dt.datetime | None:  # noqa: ANN001
    row = s.get(ThrottleRow, key)
    return row.locked_until if row is not None and row.locked_until and row.locked_until > now else None


def _fail(s, key: str, now: dt.datetime, cfg: Config) -> None:  # noqa: ANN001
    row = s.get(ThrottleRow, key)
    if row is None:
        row = ThrottleRow(key=key, failures=0)
        s.add(row)
    if row.locked_until and row.locked_until <= now:
        row.failures, row.locked_until = 0, None  # the lock-out has passed: count afresh
    row.failures += 1
    row.updated_at = now
    if row.failures >= int(cfg["security"]["max_failed_logins"]):
        row.locked_until = now + dt.timedelta(minutes=float(cfg["security"]["lockout_minutes"]))


def authenticate(store: Store, name: str, password: str, client: str, cfg: Config | None = None) -> User:
    """Check a login; raises :class:`LoginError` (audited) when refused."""
    cfg = cfg or store.cfg
    now = utcnow()
    keys = (f"user:{name[:100]}", f"client:{client[:64]}")
    reason, user = "", None
    with store.session() as s:
        until = max((t for t in (_locked(s, k, now) for k in keys) if t), default=None)
        row = s.scalar(select(UserRow).where(UserRow.name == name))
        if until is not None:
            reason = "locked"
        elif row is None or not _verify(row.password_hash, password):
            reason = "wrong_password" if row is not None else "unknown_user"
            for k in keys:
                _fail(s, k, now, cfg)
        elif row.disabled:
            reason = "disabled"
        else:
            s.execute(delete(ThrottleRow).where(ThrottleRow.key.in_(keys)))
            if _hasher.check_needs_rehash(row.password_hash):
                row.password_hash = _hasher.hash(password)
            user = _user(row)
    if user is None:
        audit.record(store, actor=name[:100], action="login_failed", client=client, detail={"reason": reason})
        if reason == "locked":
            minutes = max(1, int((until - now).total_seconds() // 60) + 1)
            raise LoginError(LOCKED_JA.format(minutes=minutes))
        if reason == "disabled":
            raise LoginError("この利用者は無効になっています。管理者に連絡してください。")
        raise LoginError(WRONG_JA)
    audit.record(store, actor=user.name, role=user.role, action="login", client=client)
    return user


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


# -- sessions -------------------------------------------------------------------------------------
def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_session(store: Store, user: User, client: str) -> str:
    """A new session token for ``user`` (give it to the browser; only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    with store.session() as s:
        s.add(SessionRow(token_hash=_token_hash(token), user_id=user.id, client=client[:64]))
    return token


def resolve_session(store: Store, token: str | None, cfg: Config | None = None) -> User:
    """The user of a live session; raises :class:`SessionExpired` (Japanese message) otherwise."""
    cfg = cfg or store.cfg
    if not token:
        raise SessionExpired(NOT_LOGGED_IN_JA)
    idle = dt.timedelta(minutes=float(cfg["security"]["session_idle_minutes"]))
    now = utcnow()
    with store.session() as s:
        row = s.scalar(select(SessionRow).where(SessionRow.token_hash == _token_hash(token)))
        if row is None or row.ended:
            raise SessionExpired(NOT_LOGGED_IN_JA)
        if now - row.last_seen > idle:
            row.ended = True
            raise_expired = True
        else:
            raise_expired = False
            user_row = s.get(UserRow, row.user_id)
            if user_row is None or user_row.disabled:
                row.ended = True
                raise_expired = True
            elif now - row.last_seen > TOUCH_EVERY:
                row.last_seen = now
    if raise_expired:
        raise SessionExpired(EXPIRED_JA)
    return _user(user_row)


def end_session(store: Store, token: str | None) -> None:
    if not token:
        return
    with store.session() as s:
        row = s.scalar(select(SessionRow).where(SessionRow.token_hash == _token_hash(token)))
        if row is not None:
            row.ended = True
