"""Command: ``assistant serve`` — the counter view on this PC (127.0.0.1 unless configured)."""

from __future__ import annotations

import typer

from assistant.app.services import ServiceError, get_services
from assistant.cli.base import app, fail


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Address to bind (default [server] host, 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port (default GRADIO_SERVER_PORT or [server] port)."),
) -> None:
    """Open the counter view (Gradio) locally, exactly as `make run` does. No network access."""
    from assistant.ui.app import main

    main(host=host, port=port)


@app.command("consultations")
def consultations(
    close: int | None = typer.Option(None, "--close", help="Close (end) this interrupted consultation."),
) -> None:
    """List consultations (open ones first); ``--close ID`` ends an interrupted one."""

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
