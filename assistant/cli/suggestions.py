"""Commands: suggest, eval suggest."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import typer

from assistant.app.config import get_config
from assistant.cli.base import app, eval_app, fail, read_transcript, write_output
from assistant.learn.dataset import load_cases
from assistant.learn.suggest_train import evaluate
from assistant.schemes.knowledge import get_knowledge_base
from assistant.schemes.suggest import Suggester, suggestions_json


def _format_text(suggestions: list) -> str:
    """Plain-text rendering for a terminal: rank, score, name, reasons with segment ids."""
    if not suggestions:
        return "提案できる制度はまだありません（no suggestions yet）\n"
    lines = []
    n = 0
    for s in suggestions:
        if s.status == "receiving":
            head = f"  [受給中] {s.name} ({s.scheme_id})"
        else:
            n += 1
            head = f"{n:>2}. {s.name} ({s.scheme_id})  score {s.score:.2f}"
        lines.append(head)
        lines.append(f"    {s.summary.splitlines()[0] if s.summary else ''}")
        for r in s.reasons[:6]:
            ids = ",".join(str(i) for i in r.segment_ids)
            lines.append(f"    - [{r.kind}] {r.text}" + (f"  (#{ids})" if ids else ""))
    return "\n".join(lines) + "\n"


@app.command()
def suggest(
    input: str = typer.Argument(..., help="transcript/1 JSON, a plain-text dialogue (staff:/citizen: lines), or - for stdin."),
    top_k: int = typer.Option(0, "--top-k", "-k", help="How many new suggestions (0 = [suggest] top_k)."),
    format: str = typer.Option("json", "--format", "-f", help="json or text."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here instead of stdout."),
) -> None:
    """Suggest benefit schemes for a consultation, each with its reasons (segment ids cited)."""

    if format not in ("json", "text"):
        raise fail(f"unknown format {format!r}; choose json or text", 2)
    transcript = read_transcript(input)
    k = top_k or int(get_config()["suggest"]["top_k"])
    suggestions = Suggester().suggest(transcript, top_k=k)
    write_output(suggestions_json(suggestions) if format == "json" else _format_text(suggestions), output)


@eval_app.command("suggest")
def eval_suggest(
    file: Path = typer.Argument(..., help="Development-set JSONL (format: eval/README.md)."),
    folds: int = typer.Option(5, help="Cross-validation folds (each case is scored by a model that did not see it)."),
    as_json: bool = typer.Option(False, "--json", help="Print the full report as JSON."),
    misses: bool = typer.Option(False, help="List each miss (gold outside the top 5, trap in the top 3)."),
    train: Path | None = typer.Option(
        None, help="Train one model on this JSONL instead of cross-validating (score FILE as unseen data)."),
) -> None:
    """recall@3, recall@5, MRR, trap rate in the top 3 and anticipation recall@5, on held-out folds."""


    if not file.exists():
        raise fail(f"{file}: file not found / ファイルが見つかりません")
    try:
        cases = load_cases(file)
    except (ValueError, UnicodeDecodeError) as exc:
        raise fail(str(exc)) from None
    train_cases = None
    if train is not None:
        if not train.exists():
            raise fail(f"{train}: file not found / ファイルが見つかりません")
        train_cases = load_cases(train)
    elif len(cases) < 2:
        raise fail(f"{file}: at least 2 consultations are needed for cross-validation")
    kb = get_knowledge_base()
    key = hashlib.sha256(file.read_bytes()).hexdigest()[:16]
    report = evaluate(cases, kb, folds=folds, cache_key=key, train_cases=train_cases)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return
    out = [
        f"consultations        {report.cases}  "
        + (f"(scored by a model trained on {train})" if train else
           f"({report.folds}-fold cross-validation, held-out scores)"),
        f"recall@3             {report.recall_at_3:.3f}",
        f"recall@5             {report.recall_at_5:.3f}",
        f"MRR                  {report.mrr:.3f}",
        f"trap rate in top 3   {report.trap_rate_top3:.3f}  (cases; {report.trap_slots_top3:.3f} of slots)",
        f"anticipation r@5     {report.anticipation_recall_at_5:.3f}  ({report.anticipation_n} named gold schemes;"
        f" {report.anticipation_skipped} named before the citizen spoke, skipped)",
    ]
    if misses:
        out.append("")
        for m in report.misses:
            out.append(json.dumps(m, ensure_ascii=False))
    write_output("\n".join(out), None)
