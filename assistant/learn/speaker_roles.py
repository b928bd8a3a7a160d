"""Train the speaker-role text classifier (``assistant.asr.roles``) on the development set.

The development consultations (``eval/consultations.jsonl``) give every turn's speaker, so each
staff or citizen turn is one training text. Features: character 1–3-grams (TF-IDF, so 敬語 endings,
「ください」「できます」 and question endings are picked up whatever the words around them) and the
cue-family counts of ``assistant.asr.roles.cue_counts``; a logistic regression on top gives
calibrated probabilities, which the run-time averages per voice. Saved with joblib under
``models/``; run-time code only loads it.
"""

from __future__ import annotations

import json
from pathlib import Path

import joblib
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from assistant.app.config import Config, get_config, resolve_path
from assistant.asr.roles import cue_counts, model_path


def turns(path: Path) -> tuple[list[str], list[str]]:
    """(texts, labels) of every staff/citizen turn in a consultations JSONL file."""
    texts: list[str] = []
    labels: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        for t in json.loads(line).get("turns", []):
            if t.get("speaker") in ("staff", "citizen") and str(t.get("text", "")).strip():
                texts.append(str(t["text"]))
                labels.append(str(t["speaker"]))
    return texts, labels


def build_pipeline():
    """Unfitted pipeline: text list → char n-grams + cue counts → logistic regression."""
    cues = Pipeline([("count", FunctionTransformer(cue_counts)), ("scale", StandardScaler())])
    features = FeatureUnion([
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), min_df=2, sublinear_tf=True)),
        ("cues", cues),
    ])
    return Pipeline([("features", features),
                     ("clf", LogisticRegression(C=2.0, max_iter=2000, class_weight="balanced"))])


def train(cfg: Config | None = None, data: Path | None = None, out: Path | None = None) -> dict:
    """Fit on the development set, save the artefact, and report cross-validated line accuracy."""
    cfg = cfg or get_config()
    data = data or resolve_path(cfg["record"].get("train_file") or "eval/consultations.jsonl")
    texts, labels = turns(data)
    if len(set(labels)) < 2:
        raise ValueError(f"{data}: needs staff and citizen turns to train on")
    pipe = build_pipeline()
    cv = cross_val_score(build_pipeline(), texts, labels, cv=5, scoring="accuracy")
    pipe.fit(texts, labels)
    out = out or model_path(cfg)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    joblib.dump(pipe, tmp)
    tmp.replace(out)
    return {"path": str(out), "turns": len(texts), "cv_line_accuracy": float(cv.mean())}
