"""Commands: ``assistant backup``, ``assistant restore``, ``assistant retention``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from assistant.app import audit, protect
from assistant.app import backup as bk
from assistant.app import retention as ret
from assistant.app.config import get_config
from assistant.app.store import Store, StoreError, key_path
from assistant.cli.base import app, fail
from assistant.cli.users import _store, actor


@app.command("backup")
def backup(out: Path = typer.Argument(None, help="backup file (default <data dir>/backups/backup-<time>.abk)"),
           audio_only: bool = typer.Option(False, "--audio-only", help="only the audio folder (PostgreSQL sites)")) -> None:
    """Write a consistent, encrypted backup of the database and audio (keys are NOT inside)."""

    store = _store()
    out = out or store.cfg.data_dir / "backups" / f"backup-{dt.datetime.now():%Y%m%d-%H%M%S}.abk"
    try:
        path = bk.create(store, out, audio_only=audio_only, actor=actor())
    except bk.BackupError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"バックアップしました: {path}\n復元には鍵ファイルが必要です（別に保管してください）。")


@app.command("restore")
def restore(file: Path = typer.Argument(..., help="backup file written by `assistant backup`"),
            force: bool = typer.Option(False, "--force", help="replace an existing database")) -> None:
    """Restore a backup into the data folder (fresh install: put the key files in place first)."""

    cfg = get_config()
    if not file.exists():
        raise fail(f"{file}: ファイルがありません")
    try:
        manifest = bk.restore(file, cfg.data_dir, key_path(cfg), force=force)
        store = Store(cfg=cfg)
    except (bk.BackupError, protect.KeyFileError, protect.KeyMismatch, StoreError) as exc:
        raise fail(str(exc)) from None
    moved = bk.rewrite_audio_paths(store, manifest.get("data_dir", ""))
    audit.record(store, actor=actor(), action="restore", target=file.name, detail={"audio_paths": moved})
    typer.echo(f"復元しました（{manifest.get('created', '?')} のバックアップ）: {cfg.data_dir}")


@app.command("retention")
def retention() -> None:
    """Apply the retention policy now (raw audio after [retention] audio_days, records after record_days)."""

    done = ret.purge(_store(), actor=actor())
    typer.echo(f"削除: 音声ファイル {done['audio_files']} 件、相談記録 {done['records']} 件（監査ログに記録）")
