"""Training and held-out scoring of the record category classifier (never imported at run time)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sklearn.model_selection import KFold

from assistant.learn.dataset import segments_of
from assistant.record.categories import CategoryModel, Features, features, predict

MIN_ITEMS = 5  # fewer consultations than this: no model, the lexicon alone decides


def kfold(n: int, k: int, seed: int = 0) -> list[list[int]]:
    """Held-out index sets of a shuffled k-fold split (k clipped to 2…n)."""
    k = max(2, min(k, n))
    return [list(te) for _tr, te in KFold(k, shuffle=True, random_state=seed).split(list(range(n)))]


def labels_of(items: Sequence[dict[str, Any]]) -> tuple[list[list[str]], list[str]]:
    """Gold categories of each consultation and its main category (the first one if not given)."""
    labels = [list(it.get("categories") or []) for it in items]
    mains = [str(it.get("main_category") or (labels[i][0] if labels[i] else "その他")) for i, it in enumerate(items)]
    return labels, mains


def fit(docs: Sequence[Features], items: Sequence[dict[str, Any]]) -> CategoryModel:
    labels, mains = labels_of(items)
    return CategoryModel().fit(list(docs), labels, mains)


def train_categories(items: Sequence[dict[str, Any]]) -> CategoryModel | None:
    """The shipped classifier, trained on every consultation (None with too few of them)."""
    if len(items) < MIN_ITEMS:
        return None
    return fit([features(segments_of(it)) for it in items], items)


def fold_models(docs: Sequence[Features], items: Sequence[dict[str, Any]], *, folds: int = 5,
                seed: int = 0) -> dict[int, CategoryModel]:
    """For every consultation index, a model trained on the other folds only."""
    n = len(items)
    out: dict[int, CategoryModel] = {}
    for held in kfold(n, folds, seed):
        held_set = set(held)
        train_idx = [i for i in range(n) if i not in held_set]
        model = fit([docs[i] for i in train_idx], [items[i] for i in train_idx])
        for i in held:
            out[i] = model
    return out


def category_cv(items: Sequence[dict[str, Any]], *, folds: int = 5, seed: int = 0) -> dict[str, Any]:
    """Held-out precision, recall, F1 and main-category accuracy (what the manifest records)."""
    docs = [features(segments_of(it)) for it in items]
    models = fold_models(docs, items, folds=folds, seed=seed)
    labels, _ = labels_of(items)
    tp = fp = fn = main_ok = 0
    for i, item in enumerate(items):
        got_list = predict(docs[i], models[i])
        got, gold = {c.name for c in got_list}, set(labels[i])
        tp, fp, fn = tp + len(got & gold), fp + len(got - gold), fn + len(gold - got)
        main = next((c.name for c in got_list if c.main), None)
        main_ok += int(main == str(item.get("main_category") or ""))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"folds": max(2, min(folds, len(items))), "precision": round(p, 4), "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
            "main_accuracy": round(main_ok / len(items), 4) if items else 0.0}
