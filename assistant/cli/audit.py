"""Commands: ``assistant audit verify|export|show`` (the HMAC-chained audit log)."""

from __future__ import annotations

from pathlib import Path

import typer

from assistant.app import audit
from assistant.cli.base import app, fail
from assistant.cli.users import _store, actor

audit_app = typer.Typer(help="Audit log: verify the chain, export for an auditor.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def verify() -> None:
    """Check every entry's HMAC chain; exit 1 naming the first entry that was edited or deleted."""

    try:
        result = audit.verify(_store())
    except audit.AuditKeyError as exc:
        raise fail(str(exc)) from None
    if not result.ok:
        raise fail(f"監査ログの改ざんを検出しました: entry {result.first_bad_id}: {result.reason} "
                   f"({result.checked} entries before it are intact)")
    typer.echo(f"OK: {result.checked} 件の監査ログは改ざんされていません / chain intact")


@audit_app.command("export")
def export(out: Path = typer.Argument(..., help="output file"),
           fmt: str = typer.Option("jsonl", "--format", "-f", help="jsonl | csv")) -> None:
    """Write the whole log (oldest first, with the chain's macs) for an auditor."""

    if fmt not in ("jsonl", "csv"):
        raise fail("--format は jsonl か csv です")
    store = _store()
    n = audit.export(store, out, fmt)
    audit.record(store, actor=actor(), action="export", target="audit_log", detail={"rows": n, "format": fmt})
    typer.echo(f"{n} 件を書き出しました: {out}")


@audit_app.command("show")
def show(limit: int = typer.Option(30, help="newest N entries"), who: str = typer.Option("", "--actor", help="only this actor"),
         action: str = typer.Option("", help="only this action")) -> None:
    """Print the newest entries."""

    for r in audit.rows(_store(), limit, actor=who or None, action=action or None):
        typer.echo(f"{r['id']}\t{r['at']}\t{r['actor']}\t{r['role']}\t{r['action']}\t{r['target']}\t{r['client']}")

