"""Commands: speakers train / enrol / list, eval speakers."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from assistant.asr.audio import AudioError
from assistant.asr.enrol import enrol as store
from assistant.asr.enrol import enrolled
from assistant.asr.transcribe import get_transcriber
from assistant.cli.base import app, eval_app, fail
from assistant.learn.speaker_eval import load_truth, recordings, score, summarise
from assistant.learn.speaker_roles import train as fit

speakers_app = typer.Typer(help="Speaker roles (staff / citizen) for one-microphone recordings.",
                           no_args_is_help=True)
app.add_typer(speakers_app, name="speakers")


@speakers_app.command("train")
def train(
    data: Path | None = typer.Option(None, help="Consultations JSONL with speaker-labelled turns."),
) -> None:
    """Train the role classifier on the development set and save it under models/."""

    try:
        info = fit(data=data)
    except (OSError, ValueError) as exc:
        raise fail(str(exc)) from None
    typer.echo(f"saved {info['path']}  ({info['turns']} turns; 5-fold line accuracy "
               f"{info['cv_line_accuracy']:.3f}, development set)")


@speakers_app.command("enrol")
def enrol(
    name: str = typer.Argument(..., help="Staff member's name (file name under data/speakers/)."),
    audio: Path = typer.Argument(..., help="A recording of that person alone (≥ 3 s of speech)."),
) -> None:
    """Store a staff voice (its embedding only): afterwards that voice is recognised as staff."""

    try:
        out = store(name, audio)
    except (AudioError, ValueError, OSError) as exc:
        raise fail(str(exc)) from None
    typer.echo(f"enrolled {name}: {out}")


@speakers_app.command("list")
def list_voices() -> None:
    """Enrolled staff voices."""

    for name in enrolled():
        typer.echo(name)


@eval_app.command("speakers")
def eval_speakers(
    paths: list[Path] = typer.Argument(..., help="Folders/files of recordings with same-named .json truth."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Share of speech time with the right role, and diarisation error rate (DER)."""

    pairs = recordings(paths)
    if not pairs:
        raise fail("no recordings with a .json truth file found")
    rows = []
    for audio, truth in pairs:
        try:
            t = get_transcriber().transcribe(audio, source=audio.name)
        except AudioError as exc:
            raise fail(f"{audio}: {exc}") from None
        rows.append({"file": str(audio), **score(load_truth(truth), t)})
        if not json_out:
            r = rows[-1]
            typer.echo(f"{audio.name:40s} role {r['role_time']:.3f}  covered {r['covered']:.3f}  "
                       f"DER {r['der']:.3f}  ({r['speech_s']:.0f} s speech)")
    total = summarise(rows)
    if json_out:
        typer.echo(json.dumps({"recordings": rows, "total": total}, ensure_ascii=False, indent=2))
    else:
        typer.echo(f"{'TOTAL':40s} role {total['role_time']:.3f}  covered {total['covered']:.3f}  "
                   f"DER {total['der']:.3f}  ({total['speech_s']:.0f} s speech, {total['recordings']} recordings)")
