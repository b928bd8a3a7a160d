"""Commands: kb check, kb list, kb show."""

from __future__ import annotations

from pathlib import Path

import typer

from assistant.app.config import get_config, resolve_path
from assistant.cli.base import kb_app
from assistant.schemes.knowledge import KnowledgeBase, check
from assistant.schemes.rules import RULES_FILE, RulesError


@kb_app.command("check")
def kb_check(
    dirs: list[Path] = typer.Argument(None, help="Scheme folders (default: bundled + local folders)."),
    catalogue: Path | None = typer.Option(None, help="Catalogue TSV that must be covered (default: [knowledge] catalogue)."),
    no_catalogue: bool = typer.Option(False, help="Do not check catalogue coverage (e.g. a local-only folder)."),
    rules: Path = typer.Option(RULES_FILE, help="Situation rules file to check against the fact extractor."),
) -> None:
    """Validate scheme files and the situation rules; exit 1 on any error (warnings, such as old
    as_of dates, do not fail). A rule naming a flag the fact extractor never sets, an unknown scheme
    id or a regex that does not compile is an error, reported as file:line."""

    cfg = get_config()
    installed = KnowledgeBase(cfg)
    if not dirs:
        dirs = installed.dirs
    cat = None if no_catalogue else (catalogue or resolve_path(cfg["knowledge"]["catalogue"]))
    report = check(list(dirs), cat, stale_after_days=int(cfg["knowledge"]["stale_after_days"]))
    ids = set(installed.schemes) | set(KnowledgeBase(cfg, dirs=list(dirs)).schemes)
    try:  # the fact extractor reads its pattern table at import: a broken table is reported here too
        from assistant.schemes.rules_check import check_rules
    except RulesError as exc:
        report.errors.append(str(exc))
    else:
        report.errors += check_rules(ids, rules)
    for w in report.warnings:
        typer.echo(f"warning: {w}", err=True)
    for e in report.errors:
        typer.echo(f"error: {e}", err=True)
    if not report.ok:
        typer.echo(f"kb check: {len(report.errors)} error(s) in {', '.join(map(str, dirs))}", err=True)
        raise typer.Exit(1)
    typer.echo(f"kb check: ok, {report.schemes} schemes, {len(report.warnings)} warning(s)")


@kb_app.command("list")
def kb_list() -> None:
    """List the schemes in the knowledge base."""

    for s in sorted(KnowledgeBase(), key=lambda s: s.id):
        local = "\t(local)" if s.local else ""
        typer.echo(f"{s.id}\t{s.name}\t{s.category}\t{s.as_of}{local}")
