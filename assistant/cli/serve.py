"""Command: ``assistant serve`` — the counter view on this PC (127.0.0.1 unless configured)."""

from __future__ import annotations

import typer

from assistant.cli.base import app, fail


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Address to bind (default [server] host, 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port (default GRADIO_SERVER_PORT or [server] port)."),
) -> None:
    """Open the counter view (Gradio) locally. Never shared; no network access."""
    from assistant.app import retention
    from assistant.app.services import get_services
    from assistant.app.store import StoreError
    from assistant.asr.model_setup import ModelError
    from assistant.ui.app import build, launch, server_address
    from assistant.ui.auth import login_hint

    try:
        svc = get_services()
        svc.transcriber()
    except (ModelError, StoreError) as exc:
        raise fail(str(exc)) from None
    default_host, default_port = server_address()
    host, port = host or default_host, port or default_port
    done = retention.purge(svc.store)
    if any(done.values()):
        typer.echo(f"保存期間を過ぎた音声 {done['audio_files']} 件・記録 {done['records']} 件を削除しました（監査ログに記録）。")
    open_ = svc.interrupted_consultations()
    if open_:
        typer.echo(f"中断された相談が {len(open_)} 件あります（画面で再開または終了できます） / "
                   f"{len(open_)} interrupted consultation(s) can be resumed or closed in the view.")
    typer.echo(f"窓口相談アシスタント: http://{host}:{port}  (Ctrl-C で終了 / to stop)")
    typer.echo(login_hint(svc.store))
    launch(build(svc), host=host, port=port, block=True, quiet=True, store=svc.store)


@app.command("consultations")
def consultations(
    close: int | None = typer.Option(None, "--close", help="Close (end) this interrupted consultation."),
) -> None:
    """List consultations (open ones first); ``--close ID`` ends an interrupted one."""
    from assistant.app.services import ServiceError, get_services

    svc = get_services()
    if close is not None:
        try:
            svc.end_consultation(close)
        except ServiceError as exc:
            raise fail(str(exc)) from None
        typer.echo(f"closed {close} / 相談 {close} を終了しました")
        return
    for c in svc.store.list_consultations():
        info = svc.consultation_info(c.id)
        typer.echo(f"{info['id']}\t{info['status']}\t{info['created']}\tsegments={info['segments']}\t"
                   f"consent={'yes' if info['consent'] else 'no'}")
