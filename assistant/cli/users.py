"""Commands: ``assistant users add|remove|passwd|list|disable|enable|bootstrap`` (accounts on this store)."""

from __future__ import annotations

import getpass
import os

import typer

from assistant.app import accounts
from assistant.app.store import StoreError, get_store
from assistant.cli.base import app, fail

users_app = typer.Typer(help="Users and roles (職員 staff / 監督者 supervisor / 管理者 admin).", no_args_is_help=True)
app.add_typer(users_app, name="users")


def actor() -> str:
    """Who runs the command, for the audit log (the operating-system account)."""
    return f"cli:{getpass.getuser()}"


def _store():

    try:
        return get_store()
    except StoreError as exc:
        raise fail(str(exc)) from None


def _password(ask: bool) -> str | None:
    if not ask:
        return None
    first = getpass.getpass("パスワード / password: ")
    if first != getpass.getpass("もう一度 / again: "):
        raise fail("パスワードが一致しません / passwords differ")
    return first


def _show_once(name: str, password: str) -> None:
    typer.echo(f"利用者 {name} のパスワード（この一度だけ表示します。本人に安全に渡してください）: {password}")


@users_app.command("add")
def add(name: str, role: str = typer.Option("staff", help="staff | supervisor | admin"),
        display_name: str = typer.Option("", help="表示名 (shown in the page)"),
        ask: bool = typer.Option(False, "--ask", help="type the password instead of generating one")) -> None:
    """Add a user; a random password is generated and printed once unless --ask."""

    try:
        user, password = accounts.add_user(_store(), name, role, _password(ask), display_name=display_name,
                                           actor=actor())
    except accounts.AccountError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"追加しました: {user.name}（{user.role_label}）")
    if not ask:
        _show_once(user.name, password)


@users_app.command("remove")
def remove(name: str) -> None:
    """Remove a user (their audit entries stay)."""

    store = _store()
    user = accounts.get_user(store, name)
    if user and user.role == "admin" and accounts.count_admins(store) <= 1:
        raise fail("最後の管理者は削除できません / cannot remove the last admin")
    try:
        accounts.remove_user(store, name, actor=actor())
    except accounts.AccountError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"削除しました: {name}")


@users_app.command("passwd")
def passwd(name: str, ask: bool = typer.Option(False, "--ask", help="type the new password")) -> None:
    """Set a new password (generated and printed once unless --ask); ends the user's sessions."""

    try:
        password = accounts.set_password(_store(), name, _password(ask), actor=actor())
    except accounts.AccountError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"パスワードを変更しました: {name}")
    if not ask:
        _show_once(name, password)


@users_app.command("disable")
def disable(name: str) -> None:
    """Disable a user at once (sessions end; can be enabled again)."""

    try:
        accounts.set_disabled(_store(), name, True, actor=actor())
    except accounts.AccountError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"無効にしました: {name}")


@users_app.command("enable")
def enable(name: str) -> None:
    """Enable a disabled user again."""

    try:
        accounts.set_disabled(_store(), name, False, actor=actor())
    except accounts.AccountError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"有効にしました: {name}")


@users_app.command("list")
def list_() -> None:
    """List users: name, role, state."""

    for u in accounts.list_users(_store()):
        state = "無効 disabled" if u["disabled"] else "有効 active"
        typer.echo(f"{u['name']}\t{u['role']}（{accounts.ROLE_LABELS[u['role']]}）\t{state}\t{u['display_name']}")


@users_app.command("bootstrap")
def bootstrap(name: str = typer.Option("admin", help="name of the first admin")) -> None:
    """Set-up: create the first admin if there is none (password from ASSISTANT_ADMIN_PASSWORD or printed once)."""

    store = _store()
    if accounts.count_admins(store):
        typer.echo("管理者は登録済みです / an admin exists already")
        return
    given = os.environ.get("ASSISTANT_ADMIN_PASSWORD") or None
    try:
        user, password = accounts.add_user(store, name, "admin", given, display_name="管理者", actor=actor())
    except accounts.AccountError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"最初の管理者 {user.name} を作成しました。")
    if given is None:
        _show_once(user.name, password)
    else:
        typer.echo("パスワードは ASSISTANT_ADMIN_PASSWORD で指定されたものです。")
