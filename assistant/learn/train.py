"""``assistant model train``: train the learned parts from the development set and save them as
artefacts under ``models/`` with their manifests (see :mod:`assistant.artefacts`).

Each manifest records what the model was trained from (sha256 of every training file), the
knowledge-base fingerprint, the code version and cross-validated figures, so an operator can see
what a counter runs and run time can refuse an artefact that no longer fits its data.
"""

from __future__ import annotations

import datetime as dt
import json
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from assistant.artefacts import (
    ArtefactError,
    check_fresh,
    data_manifest,
    manifest_path,
    read_manifest,
    same_training_files,
    sha256_file,
    training_data_paths,
)
from assistant.fileio import atomic_write_bytes, atomic_write_text
from assistant.learn.category_train import MIN_ITEMS, category_cv, train_categories
from assistant.learn.dataset import load_dev_set
from assistant.learn.pii_train import cross_validate, fit, load_examples, training_files
from assistant.learn.suggest_train import _hash_files, code_version, evaluate, kb_fingerprint, train
from assistant.pii.tagger import FEATURE_VERSION as TAGGER_FEATURES
from assistant.pii.tagger import TAGGER_ARTEFACT
from assistant.record.categories import CATEGORY_ARTEFACT
from assistant.record.categories import FEATURE_VERSION as CATEGORY_FEATURES
from assistant.schemes.knowledge import KnowledgeBase, get_knowledge_base
from assistant.schemes.ranker import FEATURE_VERSION as RANKER_FEATURES
from assistant.schemes.ranker import RANKER

Report = Callable[[str], None]


def _base_manifest(name: str, feature_version: str, paths: list[Path], kb: KnowledgeBase) -> dict[str, Any]:
    return {"name": name, "feature_version": feature_version, "data": data_manifest(paths),
            "knowledge": kb_fingerprint(kb), "code": code_version(),
            "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}


def _ranker_paths() -> list[Path]:
    return training_data_paths("suggest", "dev_set")


def _category_paths() -> list[Path]:
    return training_data_paths("record", "train_file")


def train_ranker(kb: KnowledgeBase, report: Report) -> dict[str, Any]:
    """Fit the ranker on every development-set case; record 5-fold held-out figures."""
    paths = _ranker_paths()
    cases = [c for p in paths for c in load_dev_set([p])]
    key = _hash_files(paths) if paths else None
    manifest = _base_manifest(RANKER, RANKER_FEATURES, paths, kb)
    model = train(cases, kb, cache_key=key, trained_on=",".join(p.name for p in paths))
    manifest["model"] = model.to_dict()
    if len(cases) >= 2:
        cv = evaluate(cases, kb, folds=5, cache_key=key)
        manifest["cross_validation"] = {
            "cases": cv.cases, "folds": cv.folds, "recall_at_3": round(cv.recall_at_3, 4),
            "recall_at_5": round(cv.recall_at_5, 4), "mrr": round(cv.mrr, 4),
            "trap_rate_top3": round(cv.trap_rate_top3, 4),
            "anticipation_recall_at_5": round(cv.anticipation_recall_at_5, 4)}
    atomic_write_text(manifest_path(RANKER), json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
    report(f"ranker: {len(cases)} consultations → {manifest_path(RANKER)}")
    return manifest


def train_category_model(kb: KnowledgeBase, report: Report) -> dict[str, Any]:
    """Fit the category classifier on every development-set case; record 5-fold held-out figures."""
    paths = _category_paths()
    items = load_dev_set(paths)
    manifest = _base_manifest(CATEGORY_ARTEFACT, CATEGORY_FEATURES, paths, kb)
    model = train_categories(items)
    target = manifest_path(CATEGORY_ARTEFACT)
    if model is not None:
        payload = target.with_suffix(".pkl")
        atomic_write_bytes(payload, pickle.dumps(model))
        manifest["payload"] = payload.name
        manifest["payload_sha256"] = sha256_file(payload)
        manifest["cross_validation"] = category_cv(items)
    else:
        manifest["payload"] = None  # fewer than MIN_ITEMS consultations: the lexicon decides
        manifest["note"] = f"fewer than {MIN_ITEMS} consultations: no classifier, lexicon only"
    atomic_write_text(target, json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
    report(f"categories: {len(items)} consultations → {target}")
    return manifest


def train_pii_tagger(kb: KnowledgeBase, report: Report) -> dict[str, Any]:
    """Fit the personal-data tagger on every development file of personal data; record
    leave-files-out figures."""
    paths = training_files()
    files = load_examples(paths)
    manifest = _base_manifest(TAGGER_ARTEFACT, TAGGER_FEATURES, paths, kb)
    target = manifest_path(TAGGER_ARTEFACT)
    rows = [r for rs, _ in files for r in rs]
    labels = [y for _, ys in files for y in ys]
    if len(set(labels)) < 2:
        raise ValueError("no personal-data examples to train the tagger from / 個人情報の学習データがありません")
    payload = target.with_suffix(".pkl")
    atomic_write_bytes(payload, pickle.dumps(fit(rows, labels)))
    manifest["payload"] = payload.name
    manifest["payload_sha256"] = sha256_file(payload)
    manifest["tokens"] = len(labels)
    manifest["cross_validation"] = cross_validate(files)
    atomic_write_text(target, json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
    report(f"pii tagger: {len(paths)} files, {len(labels)} tokens → {target}")
    return manifest


class Trainer(NamedTuple):
    """How one learned part is trained: its feature version, its training files, its trainer."""

    version: str
    paths: Callable[[], list[Path]]
    train: Callable[[KnowledgeBase, Report], dict[str, Any]]


TRAINERS: dict[str, Trainer] = {
    RANKER: Trainer(RANKER_FEATURES, _ranker_paths, train_ranker),
    CATEGORY_ARTEFACT: Trainer(CATEGORY_FEATURES, _category_paths, train_category_model),
    TAGGER_ARTEFACT: Trainer(TAGGER_FEATURES, training_files, train_pii_tagger),
}


def train_all(report: Report = print, only: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """Train and save the learned parts (``only`` those named)."""
    kb = get_knowledge_base()
    return {name: t.train(kb, report) for name, t in TRAINERS.items() if only is None or name in only}


def needs_training(*, strict: bool = True) -> list[str]:
    """Names of artefacts that are missing or stale (other training data, files added or removed,
    other features). ``strict`` also counts a changed knowledge
    base or feature code (what set-up and the test session retrain for; run time only refuses
    changed training data)."""
    kb = get_knowledge_base() if strict else None
    out = []
    for name, t in TRAINERS.items():
        try:
            manifest = read_manifest(name)
            check_fresh(name, manifest, feature_version=t.version)
        except ArtefactError:
            out.append(name)
            continue
        if not same_training_files(manifest, t.paths()):
            out.append(name)  # a training file added or removed (a new development file)
            continue
        if kb is not None and (manifest.get("knowledge") != kb_fingerprint(kb) or manifest.get("code") != code_version()):
            out.append(name)
    return out
