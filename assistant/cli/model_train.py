"""Command: model train (the learned parts of suggestions and records, from the development set)."""

from __future__ import annotations

import typer

from assistant.cli.base import fail, model_app
from assistant.learn.train import needs_training, train_all


@model_app.command("train")
def model_train(
    if_stale: bool = typer.Option(False, "--if-stale", help="Only train when an artefact is missing or out of date."),
) -> None:
    """Train the suggestion ranker, the record category classifier and the personal-data tagger; save them under models/
    with manifests (training-data sha256, knowledge-base fingerprint, code version, held-out figures)."""

    stale = needs_training() if if_stale else None
    if stale == []:
        typer.echo("model train: artefacts are up to date / 学習済みモデルは最新です")
        return
    try:
        manifests = train_all(report=lambda line: typer.echo(line, err=True), only=stale)
    except (OSError, ValueError) as exc:
        raise fail(f"model train: {exc}") from None
    for name, m in manifests.items():
        cv = m.get("cross_validation") or {}
        figures = ", ".join(f"{k} {v}" for k, v in cv.items() if isinstance(v, float))
        typer.echo(f"{name}: trained ({figures or 'no held-out figures'}) / 学習しました")
