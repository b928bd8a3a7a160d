"""Offline switches, applied before any third-party library is imported.

Several libraries we depend on reach for the network on their own: huggingface_hub (model hub,
telemetry), gradio (version check, analytics), onnxruntime (usage telemetry at exit, used by
faster-whisper's Silero VAD). A counter PC must never send anything, so every entry point imports
this module first and the switches are set in-process, not left to the operator's shell.
"""

from __future__ import annotations

import os

OFFLINE_ENV: dict[str, str] = {
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "GRADIO_TELEMETRY_ENABLED": "False",
    "DO_NOT_TRACK": "1",
    "ORT_DISABLE_TELEMETRY": "1",
    "SPACY_WARNING_IGNORE": "W095",
    "TOKENIZERS_PARALLELISM": "false",
}


def apply() -> None:
    """Force every known offline switch (overriding the caller's environment)."""
    for key, value in OFFLINE_ENV.items():
        os.environ[key] = value


apply()
