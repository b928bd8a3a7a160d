"""Command: ``assistant export`` — reviewed records as CSV, JSON (record/1), Markdown or printable HTML.

Masked by default, like every export. Whoever runs this command has the database and its key on
this PC, so the command acts with the administrator's role under the operating-system user's name;
every exported record leaves an audit entry (``unmask`` instead of ``export`` with ``--unmasked``).
"""

from __future__ import annotations

import datetime as dt
import getpass
from pathlib import Path

import typer

from assistant.app.review import Actor, ReviewService
from assistant.app.review_store import ReviewFilter
from assistant.app.store import StoreError, get_store
from assistant.cli.base import app, fail, write_output

FORMATS = ("csv", "json", "md", "html")
STATUSES = ("approved", "pending", "returned", "draft")


def _date(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise fail(f"{name} {value!r}: not a date (YYYY-MM-DD) / 日付の形式が正しくありません") from None


@app.command("export")
def export_cmd(
    status: str = typer.Option("approved", help="Review status: approved, pending, returned or draft."),
    since: str | None = typer.Option(None, help="First consultation date (JST), YYYY-MM-DD."),
    until: str | None = typer.Option(None, help="Last consultation date (JST), YYYY-MM-DD."),
    format: str = typer.Option("csv", "--format", "-f", help="csv (UTF-8 with BOM), json (record/1), md or html"),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
    unmasked: bool = typer.Option(False, "--unmasked", help="Include personal data (audited)."),
) -> None:
    """Export reviewed consultation records; personal data masked unless --unmasked (audited)."""
    if format not in FORMATS:
        raise fail(f"unknown format {format!r}; choose from {', '.join(FORMATS)}")
    if status not in STATUSES:
        raise fail(f"unknown status {status!r}; choose from {', '.join(STATUSES)}")

    f = ReviewFilter(status=status, since=_date(since, "--since"), until=_date(until, "--until"))
    try:
        review = ReviewService(get_store())
    except StoreError as exc:
        raise fail(str(exc)) from None
    text, n = review.export(Actor(f"cli:{getpass.getuser()}", "admin", "cli"), format, f, unmasked=unmasked)
    write_output(text, output)
    typer.echo(f"exported {n} record(s) / {n} 件を出力しました", err=True)
    if unmasked:
        typer.echo("注意: マスクなしの出力です（個人情報を含みます） / unmasked output: contains personal data", err=True)
