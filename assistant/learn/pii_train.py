"""Training the personal-data tagger (:mod:`assistant.pii.tagger`) from the development files.

Each development file of personal data (``eval/dev*/personal.jsonl``) lists every personal-data
string of its consultations. A token is a positive example when it overlaps one of them. The
model is a logistic regression over hashed features — small, fast and the same every run.

Figures are leave-files-out: each file is scored by a model trained without it, so the
manifest's precision and recall are figures on consultations the model did not learn from.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from assistant.app.config import REPO_ROOT, get_config
from assistant.learn.dataset import segments_of
from assistant.learn.record_quality import _occurrence_spans
from assistant.pii.mask import _comma_spaced, tagger_inputs
from assistant.pii.tagger import TaggerModel, hash_features

DEFAULT_FILES = "eval/dev*/personal.jsonl"
FOLDS = 4


def training_files() -> list[Path]:
    """The development files the tagger learns from (``[pii] train_files``, a glob)."""
    pattern = str(get_config().get("pii", {}).get("train_files", DEFAULT_FILES))
    return sorted(REPO_ROOT.glob(pattern), key=lambda p: (len(str(p)), str(p)))


def _examples(item: dict[str, Any]) -> tuple[list[dict[str, int]], list[int]]:
    segs = segments_of(item)
    gold: set[tuple[int, int]] = set()
    for p in item.get("pii") or []:
        for occ in _occurrence_spans(segs, str(p.get("text", ""))) if p.get("text") else []:
            gold.update(occ)
    rows: list[dict[str, int]] = []
    labels: list[int] = []
    for seg, toks, feats in tagger_inputs([_comma_spaced(s) for s in segs]):
        rows += feats
        labels += [int(any((seg.id, j) in gold for j in range(t.start, t.end))) for t in toks]
    return rows, labels


def load_examples(paths: Sequence[Path]) -> list[tuple[list[dict[str, int]], list[int]]]:
    """(features, labels) per file."""
    out = []
    for path in paths:
        rows: list[dict[str, int]] = []
        labels: list[int] = []
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    r, y = _examples(json.loads(line))
                    rows += r
                    labels += y
        out.append((rows, labels))
    return out


def fit(rows: list[dict[str, int]], labels: list[int]) -> TaggerModel:
    """A tagger fitted on these tokens."""
    clf = LogisticRegression(C=1.0, max_iter=400)
    clf.fit(hash_features(rows), labels)
    return TaggerModel(coef=clf.coef_[0].astype(np.float32), intercept=float(clf.intercept_[0]))


def cross_validate(files: list[tuple[list[dict[str, int]], list[int]]]) -> dict[str, float | int]:
    """Token precision and recall at both thresholds, each file scored by a model trained without it."""
    counts = {"tp": 0, "fp": 0, "fn": 0, "tp_alone": 0, "fp_alone": 0}
    folds = min(FOLDS, len(files))
    for k in range(folds):
        train = [f for i, f in enumerate(files) if i % folds != k]
        test = [f for i, f in enumerate(files) if i % folds == k]
        model = fit([r for rows, _ in train for r in rows], [y for _, ys in train for y in ys])
        for rows, ys in test:
            p = model.proba(rows)
            for prob, y in zip(p, ys, strict=True):
                counts["tp"] += int(prob >= model.threshold and y == 1)
                counts["fp"] += int(prob >= model.threshold and y == 0)
                counts["fn"] += int(prob < model.threshold and y == 1)
                counts["tp_alone"] += int(prob >= model.alone and y == 1)
                counts["fp_alone"] += int(prob >= model.alone and y == 0)
    pos = counts["tp"] + counts["fn"]
    return {"folds": folds, "files": len(files), "positive_tokens": pos,
            "precision": round(counts["tp"] / max(1, counts["tp"] + counts["fp"]), 4),
            "recall": round(counts["tp"] / max(1, pos), 4),
            "precision_alone": round(counts["tp_alone"] / max(1, counts["tp_alone"] + counts["fp_alone"]), 4),
            "recall_alone": round(counts["tp_alone"] / max(1, pos), 4)}
