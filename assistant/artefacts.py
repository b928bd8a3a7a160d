"""Learned parts shipped as files: where they live, what they were trained from, and whether they still fit.

The suggestion ranker and the record category classifier are trained once, at set-up
(``assistant model train``, run by ``make setup``), and saved under ``models/`` with a manifest
(``<name>.json``): sha256 of every training file, the knowledge-base fingerprint, the code version
and the cross-validated figures. Run-time code only loads them; a missing artefact, or one trained
from training data that has since changed, is a clear error naming the command that fixes it —
never a silent retrain in the middle of a consultation.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from assistant.app.config import REPO_ROOT, get_config, resolve_path

MODELS_DIR = "models"


class ArtefactError(RuntimeError):
    """A learned artefact is missing, broken or stale (message in English and Japanese)."""


def models_dir() -> Path:
    """Folder of the learned artefacts (``[models] dir``, default ``models/`` in the install folder)."""
    return resolve_path(str(get_config().get("models", {}).get("dir", MODELS_DIR)))


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def training_data_paths(section: str = "suggest", key: str = "dev_set") -> list[Path]:
    """The development set a learned part is trained on: ``[suggest] dev_set`` (the ranker) or
    ``[record] train_file`` (the category classifier); until the parts are merged, ``eval/parts/*.jsonl``."""
    main = resolve_path(str(get_config().get(section, {}).get(key, "eval/consultations.jsonl")))
    if main.exists():
        return [main]
    return sorted((main.parent / "parts").glob("*.jsonl"))


def data_manifest(paths: list[Path]) -> list[dict[str, str]]:
    """Path and sha256 of each training file (what a manifest records)."""
    return [{"path": _relative(p), "sha256": sha256_file(p)} for p in paths]


def same_training_files(manifest: dict[str, Any], paths: list[Path]) -> bool:
    """Whether ``paths`` are the files the manifest was trained from (none added, none removed)."""
    return {_relative(p) for p in paths} == {d.get("path") for d in manifest.get("data") or []}


def _relative(path: Path) -> str:
    """``path`` relative to the install folder when inside it (manifests move with the install)."""
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def _problem(name: str, what_en: str, what_ja: str) -> ArtefactError:
    return ArtefactError(
        f"learned model '{name}' {what_en}: run `make setup` or `assistant model train`. "
        f"/ 学習済みモデル「{name}」{what_ja}。`make setup` または `assistant model train` を実行してください。"
    )


def manifest_path(name: str) -> Path:
    return models_dir() / f"{name}.json"


def read_manifest(name: str) -> dict[str, Any]:
    """The manifest of artefact ``name``; raises :class:`ArtefactError` if it is missing or unreadable."""
    path = manifest_path(name)
    if not path.exists():
        raise _problem(name, f"is missing ({path})", f"がありません（{path}）")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise _problem(name, f"cannot be read ({path}: {exc})", f"を読み込めません（{path}）") from None
    if not isinstance(manifest, dict):
        raise _problem(name, f"is not a manifest ({path})", f"の形式が正しくありません（{path}）")
    return manifest


def stale_reason(manifest: dict[str, Any], *, feature_version: str) -> str | None:
    """Why an artefact no longer fits (None if it does): another feature version, or a training
    file that changed since. Training files absent from this install are not checked."""
    if manifest.get("feature_version") != feature_version:
        return f"feature version {manifest.get('feature_version')!r} != {feature_version!r}"
    for entry in manifest.get("data") or []:
        p = resolve_path(entry.get("path", ""))
        if p.exists() and sha256_file(p) != entry.get("sha256"):
            return f"training data changed: {p}"
    return None


def check_fresh(name: str, manifest: dict[str, Any], *, feature_version: str) -> None:
    """Raise :class:`ArtefactError` if the artefact was trained from other data or features."""
    why = stale_reason(manifest, feature_version=feature_version)
    if why is not None:
        raise _problem(name, f"is out of date ({why})", "が古くなっています（学習データまたは特徴量が変わりました）")


def verify_payload(name: str, manifest: dict[str, Any], payload: Path) -> None:
    """Raise unless ``payload`` is the file the manifest was written for (sha256)."""
    if not payload.exists():
        raise _problem(name, f"is missing ({payload})", f"がありません（{payload}）")
    if sha256_file(payload) != manifest.get("payload_sha256"):
        raise _problem(name, f"does not match its manifest ({payload})", f"がマニフェストと一致しません（{payload}）")


T = TypeVar("T")
_load_lock = threading.Lock()
_loaded: dict[tuple[str, str, int], Any] = {}


def load_artefact(name: str, feature_version: str, build: Callable[[dict[str, Any], Path], T]) -> T:
    """Artefact ``name`` built from its (fresh) manifest by ``build(manifest, models folder)``;
    cached until the manifest file changes. Raises :class:`ArtefactError` (never trains)."""
    path = manifest_path(name)
    key = (name, str(path), path.stat().st_mtime_ns if path.exists() else 0)
    with _load_lock:
        if key not in _loaded:
            manifest = read_manifest(name)
            check_fresh(name, manifest, feature_version=feature_version)
            try:
                value = build(manifest, path.parent)
            except (KeyError, TypeError, ValueError) as exc:
                raise _problem(name, f"is broken ({path}: {exc})", f"が壊れています（{path}）") from None
            for old in [k for k in _loaded if k[0] == name]:
                del _loaded[old]
            _loaded[key] = value
        return _loaded[key]
