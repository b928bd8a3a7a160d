"""Command: batch — recordings → transcript, suggestions and draft record, on this PC or a Dask cluster."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from assistant.app import batch as runner
from assistant.app.config import get_config
from assistant.app.store import Store, StoreError
from assistant.asr.batch import collect_jobs
from assistant.asr.model_setup import ModelError, model_dir
from assistant.cli.base import app, fail

FORMATS = "json, srt, vtt, text"


def _progress(console):  # noqa: ANN001, ANN202 - rich types stay lazy

    return Progress(TextColumn("[bold]processing"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[hours]:.2f} h audio"), TimeElapsedColumn(), TextColumn("ETA"),
                    TimeRemainingColumn(), console=console, transient=False)


def _security(ca: Path | None, cert: Path | None, key: Path | None):  # noqa: ANN202
    """TLS client settings for a tls:// scheduler (the office's own CA and certificates)."""
    if not (ca or cert or key):
        return None
    from distributed.security import Security

    return Security(tls_ca_file=str(ca) if ca else None, tls_client_cert=str(cert) if cert else None,
                    tls_client_key=str(key) if key else None, require_encryption=True)


def _open_store(url: str):  # noqa: ANN202

    try:
        return Store(url or None)
    except StoreError as exc:
        raise fail(str(exc)) from None


def _print_summary(console, summary, problems: int) -> None:  # noqa: ANN001

    table = Table(title="batch summary / 処理結果")
    for col in ("done 完了", "skipped 済み", "failed 失敗", "audio h 音声時間", "time s 所要", "RTF"):
        table.add_column(col, justify="right")
    table.add_row(str(summary.count("done")), str(summary.count("skipped")), str(summary.failed + problems),
                  f"{summary.audio_seconds / 3600:.2f}", f"{summary.wall:.1f}", f"{summary.rtf:.3f}")
    console.print(table)
    stages = summary.stage_totals()
    if stages:
        console.print("time per stage (worker s): " + ", ".join(f"{k} {v:.1f}" for k, v in stages.items()),
                      highlight=False)
    stored = [r.store for r in summary.results if r.store]
    if stored:
        console.print("store: " + ", ".join(f"{k} {stored.count(k)}" for k in ("added", "kept", "reviewed")),
                      highlight=False)
    console.print(f"done {summary.count('done')}, skipped {summary.count('skipped')}, failed {summary.failed}"
                  f" in {summary.wall:.1f} s" + (f"; RTF {summary.rtf:.3f}" if summary.rtf else ""), highlight=False)


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _stop_on_signals() -> None:
    """Ctrl-C (and a service manager's SIGTERM) stop the run cleanly, even when the process was
    started with SIGINT ignored (a background job of a script inherits that, and Python then never
    raises KeyboardInterrupt)."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)


@app.command()
def batch(
    inputs: list[Path] = typer.Argument(None, help="Recordings and/or folders of recordings."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder."),
    workers: int = typer.Option(0, "--workers", "-w", help="Local worker processes (0 = [batch] workers)."),
    threads: int = typer.Option(0, "--threads", help="Decoding threads per worker (0 = cores ÷ workers)."),
    format: str = typer.Option("", "--format", "-f", help=f"Extra transcript formats, comma-separated: {FORMATS}."),
    cluster: str = typer.Option("", "--cluster", help="Dask scheduler, e.g. tcp://10.0.0.5:8786 or tls://… "
                                "(default: [batch] cluster; empty = a local cluster on this PC)."),
    store: bool = typer.Option(False, "--store", help="Also put each recording into the configured store as a "
                               "draft consultation for review ([store] url)."),
    store_url: str = typer.Option("", "--store-url", help="…into this database instead (SQLAlchemy URL; "
                                  "implies --store)."),
    watch_dir: Path | None = typer.Option(None, "--watch", help="Keep watching this folder; process each new "
                                          "recording once its copy has finished (Ctrl-C to stop)."),
    tls_ca: Path | None = typer.Option(None, "--tls-ca", help="CA certificate of a tls:// cluster."),
    tls_cert: Path | None = typer.Option(None, "--tls-cert", help="This PC's certificate for a tls:// cluster."),
    tls_key: Path | None = typer.Option(None, "--tls-key", help="Its private key."),
) -> None:
    """Recordings → transcript/1, suggestions/1 and the masked draft record/1 in OUT (with --store, draft
    consultations in the review queue). Resumable; exit 1 if any recording failed."""


    _stop_on_signals()
    cfg = get_config()
    bcfg = cfg["batch"]
    formats = [f.strip() for f in (format or ",".join(bcfg["formats"])).split(",") if f.strip()]
    console = Console(stderr=True)
    jobs, problems = collect_jobs(inputs or [])
    for p in problems:
        console.print(f"[red]error:[/red] {escape(p)}", highlight=False, soft_wrap=True)
    if not jobs and watch_dir is None:
        raise fail("no recordings found in the inputs / 音声ファイルが見つかりません")
    if watch_dir is not None and not watch_dir.is_dir():
        raise fail(f"{watch_dir}: folder not found / フォルダが見つかりません")
    try:
        model_dir(cfg)
    except ModelError as exc:
        raise fail(str(exc)) from None
    try:
        runner.check_formats(formats)
    except ValueError as exc:
        raise fail(str(exc), 2) from None
    options = runner.Options(out_dir=out, formats=formats, store=_open_store(store_url) if store or store_url else None,
                             copy_audio=bool(bcfg.get("copy_audio", True)), counter=str(cfg["record"]["counter"]))
    address = cluster or str(bcfg.get("cluster") or "")
    try:
        planned = runner.plan(jobs, options) if watch_dir is None else None
        n = len(planned[0]) if planned is not None else os.cpu_count() or 1
        w, t = runner.local_plan(workers or int(bcfg["workers"]), threads, n)
        summary = _run(console, jobs, planned, options, address=address, workers=w, threads=threads if address else t,
                       watch_dir=watch_dir, security=_security(tls_ca, tls_cert, tls_key), bcfg=bcfg)
    except KeyboardInterrupt:
        console.print("\ninterrupted: finished outputs are kept; run the same command again to continue. "
                      "/ 中断しました。同じコマンドを再実行すると続きから処理します。")
        raise typer.Exit(130) from None
    except runner.ClusterError as exc:
        raise fail(str(exc)) from None
    finally:
        if options.store is not None:
            options.store.close()
    _print_summary(console, summary, len(problems))
    if summary.failed or problems:
        raise typer.Exit(1)


def _reporter(console, progress, total_jobs: int, watching: bool):  # noqa: ANN001, ANN202
    """(on_start, on_result) callbacks: a line per recording and the progress bar's count and hours."""

    task = progress.add_task("batch", total=0, hours=0.0)

    def on_start(n: int) -> None:
        progress.update(task, total=progress.tasks[0].total + n)
        if n:
            progress.console.print(f"{n} to process, {0 if watching else total_jobs - n} already done",
                                   soft_wrap=True, highlight=False)

    def on_result(r) -> None:  # noqa: ANN001
        if r.status == "failed":
            progress.console.print(f"[red]error:[/red] {escape(r.error)}", highlight=False, soft_wrap=True)
        elif r.status == "done":
            progress.console.print(f"done: {r.job.name} ({r.duration:.0f} s audio, {r.seconds:.1f} s, "
                                   f"{r.suggestions} suggestion(s), {r.threads} thread(s))", markup=False,
                                   highlight=False, soft_wrap=True)
            if r.warning:
                progress.console.print(f"[yellow]warning:[/yellow] {escape(r.warning)}", highlight=False,
                                       soft_wrap=True)
        if r.status != "skipped":
            progress.update(task, advance=1, hours=progress.tasks[0].fields["hours"] + r.duration / 3600)

    return on_start, on_result


def _run(console, jobs, planned, options, *, address: str, workers: int, threads: int,  # noqa: ANN001, ANN202
         watch_dir: Path | None, security, bcfg: dict):  # noqa: ANN001
    """Connect (only when there is work), then run the batch or watch the folder."""

    progress = _progress(console)
    on_start, on_result = _reporter(console, progress, len(jobs), watch_dir is not None)
    if planned is not None and not planned[0]:  # nothing left to do: no cluster needed
        with progress:
            return runner.run_batch(None, jobs, options, on_result=on_result, on_start=on_start, planned=planned)
    with runner.connect(address or None, workers=workers, threads=threads, security=security) as client:
        where = (f"cluster {address}" if address
                 else f"{workers} worker(s) × {threads} thread(s) on {os.cpu_count()} cores (local cluster)")
        link = runner.dashboard(client) if address else ""  # the local cluster runs no dashboard (no bokeh)
        console.print(where + (f"; dashboard {link}" if link else ""), highlight=False, soft_wrap=True)
        with progress:
            if watch_dir is None:
                return runner.run_batch(client, jobs, options, on_result=on_result, on_start=on_start, planned=planned)
            console.print(f"watching {watch_dir} (Ctrl-C to stop) / フォルダを監視しています", highlight=False)
            return runner.watch(client, watch_dir, options, on_result=on_result, on_start=on_start,
                                poll_s=float(bcfg.get("watch_poll_s", 2.0)), settle_s=float(bcfg.get("watch_settle_s", 2.0)))
