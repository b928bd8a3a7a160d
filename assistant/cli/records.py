"""Commands: draft, mask, eval record.

``draft`` and ``mask`` are masked by default. ``--unmasked`` only shows what the operator's own
input file already holds (in the app, unmasking is role-gated and audited). Masked output never
contains the raw personal data: ``mask`` reports each entity by type, placeholder, segment id and
character offsets only, so an authorised user can look at the original locally.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from assistant.asr.transcript import to_text
from assistant.cli.base import app, eval_app, fail, read_transcript, write_output
from assistant.fileio import atomic_write_text
from assistant.learn.dataset import load_dev_set
from assistant.learn.record_eval import evaluate, format_report
from assistant.pii.mask import mask_transcript
from assistant.record.draft import draft_record

FORMATS_DRAFT = ("json", "md", "html")
FORMATS_MASK = ("json", "text")


@app.command("draft")
def draft(
    input: str = typer.Argument(..., help="transcript/1 JSON or a plain-text dialogue (staff:/citizen: lines); - = stdin"),
    format: str = typer.Option("json", "--format", "-f", help="json (record/1), md or html"),
    unmasked: bool = typer.Option(False, "--unmasked", help="Show personal data (only what INPUT already holds)."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
    date: str | None = typer.Option(None, help="Consultation date (相談日), e.g. 2025-04-01."),
    channel: str | None = typer.Option(None, help="来所 / 電話 / 訪問"),
    staff: str | None = typer.Option(None, help="Staff member (受付者)."),
    consent: str | None = typer.Option(None, help="Data-sharing consent already recorded: yes / no."),
    pinned: list[str] = typer.Option([], "--pinned", help="Scheme id the staff marked 案内した (repeatable)."),
) -> None:
    """Draft the consultation record (相談記録) of a transcript: masked record/1 JSON, Markdown or HTML."""
    if format not in FORMATS_DRAFT:
        raise fail(f"unknown format {format!r}; choose from {', '.join(FORMATS_DRAFT)}")
    t = read_transcript(input)

    meta = {k: v for k, v in {"date": date, "channel": channel, "staff": staff, "consent": consent}.items() if v}
    rec = draft_record(t, meta=meta, pinned=list(pinned))
    masked = not unmasked
    if format == "json":
        out = json.dumps(rec.to_dict(masked=masked), ensure_ascii=False, indent=2) + "\n"
    elif format == "md":
        out = rec.to_markdown(masked=masked)
    else:
        out = rec.to_html(masked=masked)
    write_output(out, output)
    if unmasked:
        typer.echo("注意: マスクなしの出力です（個人情報を含みます） / unmasked output: contains personal data", err=True)


@app.command("mask")
def mask(
    input: str = typer.Argument(..., help="transcript/1 JSON or a plain-text dialogue; - = stdin"),
    format: str = typer.Option("json", "--format", "-f", help="json (masked transcript/1 + entities) or text"),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
) -> None:
    """Mask personal data in a transcript; entities are listed by type, segment id and offsets only."""
    if format not in FORMATS_MASK:
        raise fail(f"unknown format {format!r}; choose from {', '.join(FORMATS_MASK)}")
    t = read_transcript(input)

    masked, entities = mask_transcript(t)
    if format == "json":
        d = masked.to_dict()
        d["pii"] = {"masked": True, "entities": [e.to_dict(reveal=False) for e in entities]}
        out = json.dumps(d, ensure_ascii=False, indent=2) + "\n"
    else:
        out = to_text(masked)
    write_output(out, output)
    counts: dict[str, int] = {}
    for e in entities:
        counts[e.label] = counts.get(e.label, 0) + 1
    summary = "、".join(f"{k} {v}" for k, v in counts.items()) or "なし"
    typer.echo(f"masked {len(entities)} entities / マスクした個人情報: {summary}", err=True)


@eval_app.command("record")
def eval_record(
    files: list[Path] = typer.Argument(..., help="Development-set JSONL file(s) (eval/README.md format)."),
    folds: int = typer.Option(5, help="Folds for held-out scoring of the category classifier."),
    json_out: Path | None = typer.Option(None, "--json", help="Also write all figures (and misses) as JSON."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="List missed facts, extra masks, urgency errors."),
    summary: bool = typer.Option(False, "--summary", help="Aggregate figures only (no line naming a case): for a held-out set."),
) -> None:
    """Personal-data recall/precision, key-fact coverage, evidence, held-out categories, urgency, record quality."""

    for f in files:
        if not f.exists():
            raise fail(f"{f}: file not found / ファイルが見つかりません")
    try:
        items = load_dev_set(files)
        report = evaluate(items, folds=folds)
    except ValueError as exc:
        raise fail(str(exc)) from None
    typer.echo(format_report(report, verbose=verbose, summary=summary), nl=False)
    if json_out is not None:

        atomic_write_text(json_out, json.dumps(report, ensure_ascii=False, indent=2) + "\n")
