"""The suggestion ranking model: a logistic regression over a few generic features per scheme.

Run time only loads it (``models/ranker.json``, written by ``assistant model train``); training and
cross-validation live in :mod:`assistant.learn.suggest_train`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.artefacts import load_artefact

RANKER = "ranker"
# Bump when features change: the trained model and cached dev-set features are keyed by it.
FEATURE_VERSION = "4"
FEATURES = (
    "rule_max", "rule_or", "trig_max", "trig_n", "tfidf", "cit_strong", "cit_weak", "cit_asked", "staff_propose",
    "staff_cond", "staff_asked",
)
# Prior weights: what feature extraction runs with (the scores do not matter there) and what training
# falls back to when the development set has no positive or no negative example.
DEFAULT_COEF = {
    "rule_max": 3.0, "rule_or": 1.5, "trig_max": 1.0, "trig_n": 0.8, "tfidf": 4.0, "cit_strong": 0.5,
    "cit_weak": 1.0, "cit_asked": 0.0, "staff_propose": 3.5, "staff_cond": 1.0, "staff_asked": 1.5,
}
DEFAULT_INTERCEPT = -4.0


@dataclass
class RankModel:
    """Logistic regression over the features of :data:`FEATURES` (same weights for every scheme)."""

    coef: np.ndarray
    intercept: float
    features: tuple[str, ...] = FEATURES
    trained_on: str = "default"
    n_cases: int = 0

    @classmethod
    def default(cls) -> RankModel:
        return cls(np.array([DEFAULT_COEF[f] for f in FEATURES]), DEFAULT_INTERCEPT)

    def score(self, X: np.ndarray) -> np.ndarray:
        z = X @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def to_dict(self) -> dict[str, Any]:
        return {"features": list(self.features), "coef": [float(c) for c in self.coef],
                "intercept": float(self.intercept), "trained_on": self.trained_on, "n_cases": self.n_cases}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RankModel:
        if tuple(d["features"]) != FEATURES:
            raise ValueError("model features do not match this version")
        return cls(np.array(d["coef"], dtype=float), float(d["intercept"]), FEATURES, d.get("trained_on", ""),
                   int(d.get("n_cases", 0)))


def load_ranker() -> RankModel:
    """The trained ranker of ``models/ranker.json``; :class:`assistant.artefacts.ArtefactError`
    if it is missing or was trained from other data (run ``assistant model train``)."""
    return load_artefact(RANKER, FEATURE_VERSION, lambda manifest, _folder: RankModel.from_dict(manifest["model"]))
