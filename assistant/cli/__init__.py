"""The ``assistant`` command line: a thin layer over the service functions.

Commands live in one module per stage (``asr``, ``kb``, ``records``, ``serve``); each registers its
commands on the shared apps in ``assistant.cli.base``. Heavy libraries are imported inside the
commands so that ``assistant --help`` stays instant.
"""

from __future__ import annotations

import importlib
import sys

from assistant import offline  # noqa: F401  (offline switches before anything else)
from assistant.artefacts import ArtefactError
from assistant.cli.base import app, eval_app, kb_app, model_app  # noqa: F401

# Each stage's command module; a module that is not there yet is skipped.
COMMAND_MODULES = ("asr", "batch", "kb", "suggestions", "records", "model_train", "serve", "speakers", "export",
                   "users", "audit", "keys", "backup")

for _name in COMMAND_MODULES:
    try:
        importlib.import_module(f"{__name__}.{_name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{_name}":
            raise


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    if argv is not None:
        sys.argv = ["assistant", *argv]
    try:
        app()
    except ArtefactError as exc:  # a learned model missing or stale: say which command fixes it
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
