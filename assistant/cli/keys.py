"""Commands: ``assistant keys init|check|rotate`` (the data key and the audit key)."""

from __future__ import annotations

import importlib

import typer

from assistant.app import audit, rekey
from assistant.app.store import key_path
from assistant.cli.base import app, fail
from assistant.cli.users import _store, actor

keys_app = typer.Typer(help="Encryption keys (data key, audit-chain key).", no_args_is_help=True)
app.add_typer(keys_app, name="keys")

# Modules whose tables have encrypted columns; each is imported (if present) before a rotation so
# that none is missed.
MODEL_MODULES = ("assistant.app.store", "assistant.app.review_store")


@keys_app.command("init")
def init() -> None:
    """Set-up: create the key files (0600) if missing and open the store with them."""

    store = _store()  # creates the data key for a new database, or proves the existing one fits
    audit.load_key(store.cfg)
    typer.echo(f"データ鍵: {key_path(store.cfg)}\n監査鍵: {audit.key_path(store.cfg)}\n"
               "この2つのファイルはデータとは別の場所（USBメモリを金庫に保管など）にバックアップしてください。")


@keys_app.command("check")
def check() -> None:
    """Prove the key file opens this database (exit 1 with a clear message if not)."""
    store = _store()
    typer.echo(f"OK: 鍵はこのデータベースに一致します（key ids: {', '.join(sorted(store.keyring.keys))}）")


@keys_app.command("rotate")
def rotate() -> None:
    """Re-encrypt every encrypted value and audio file with a new data key (stop the server first)."""

    for name in MODEL_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    store = _store()
    if store.open_consultations():
        typer.echo("注意: 開いている相談があります。録音中の端末がないことを確認してください。", err=True)
    try:
        counts = rekey.rotate(store, actor=actor())
    except Exception as exc:  # noqa: BLE001 - report, keys on disk still open everything
        raise fail(f"鍵の更新が途中で止まりました（もう一度実行すると続きから行います）: {exc}") from None
    typer.echo(f"新しい鍵で暗号化し直しました: 値 {counts['values']} 件、音声 {counts['audio_files']} 件。"
               "新しい鍵ファイルをバックアップしてください。")
