"""Shared Typer apps and small helpers for the command modules."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from assistant.asr.transcript import TranscriptFormatError, load_any
from assistant.fileio import atomic_write_text

app = typer.Typer(
    name="assistant",
    help="窓口相談アシスタント — offline transcription, scheme suggestions and record drafting.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
eval_app = typer.Typer(help="Quality evaluation (CER, suggestion recall, record coverage).", no_args_is_help=True)
kb_app = typer.Typer(help="Knowledge base of schemes.", no_args_is_help=True)
model_app = typer.Typer(help="Speech model set-up.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
app.add_typer(kb_app, name="kb")
app.add_typer(model_app, name="model")


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print a one-line error to stderr and return an Exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def read_input(path: str) -> tuple[str, str]:
    """Read INPUT (a path or ``-`` for stdin); returns (name, text)."""
    if path == "-":
        return "<stdin>", sys.stdin.read()
    p = Path(path)
    if not p.exists():
        raise fail(f"{path}: file not found / ファイルが見つかりません")
    try:
        return str(p), p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise fail(f"{path}: not UTF-8 text / UTF-8 のテキストではありません") from None


def read_transcript(path: str):
    """INPUT as a Transcript: transcript/1 JSON or a plain-text dialogue (``-`` = stdin).

    Exits with a one-line error when the input cannot be read or holds no utterance.
    """

    name, text = read_input(path)
    try:
        transcript = load_any(name, text)
    except TranscriptFormatError as exc:
        raise fail(f"{name}: {exc} / 文字起こしの形式が正しくありません") from None
    if not transcript.segments:
        raise fail(f"{name}: no utterances / 発言がありません")
    return transcript


def write_output(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        if not text.endswith("\n"):
            sys.stdout.write("\n")
    else:

        atomic_write_text(output, text)
