"""Training and cross-validation of the suggestion ranker (never imported by run-time code).

Features are computed by feeding each development-set consultation to a :class:`Suggester` turn by
turn (cached on disk, keyed by the data, the knowledge base, the rules and the feature code); the
ranker is a non-negative logistic regression over them. ``evaluate`` scores every case with a model
that never saw it (k-fold); ``train`` fits the shipped model on all cases.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from assistant.app.config import get_config, resolve_path
from assistant.learn.dataset import segments_of
from assistant.schemes.knowledge import KnowledgeBase
from assistant.schemes.ranker import FEATURE_VERSION, FEATURES, RankModel
from assistant.schemes.rules import RULES_FILE
from assistant.schemes.suggest import SchemeIndex, Suggester, shared_index

PACKAGE = Path(__file__).resolve().parent.parent


def fit_model(X: np.ndarray, y: np.ndarray, *, C: float = 1.0, trained_on: str = "", n_cases: int = 0) -> RankModel:
    """Fit the ranking model (scikit-learn logistic regression, L2, no per-scheme terms).

    Every feature is evidence *for* a scheme, so weights are kept non-negative: a feature that comes
    out negative (e.g. because the development set happens to contain many schemes that citizens
    name but that do not apply) is dropped and the rest refitted. Evidence against a scheme is
    handled by the fixed :data:`VETOES`, not learned from a few examples.
    """
    active = list(range(X.shape[1]))
    coef = np.zeros(X.shape[1])
    intercept = 0.0
    while active:
        clf = LogisticRegression(C=C, max_iter=2000)
        clf.fit(X[:, active], y)
        w = clf.coef_[0]
        if (w >= 0).all():
            coef[:] = 0.0
            coef[active] = w
            intercept = float(clf.intercept_[0])
            break
        active = [a for a, wi in zip(active, w, strict=True) if wi >= 0]
    return RankModel(coef, intercept, FEATURES, trained_on, n_cases)



@dataclass
class CaseFeatures:
    """Per-prefix features of one consultation: ``X[t]`` is the state after the first t turns."""

    case_id: str
    ids: list[str]
    X: np.ndarray  # (turns + 1, schemes, features)
    V: np.ndarray  # (turns + 1, schemes) veto multipliers
    receiving: list[list[str]]
    first_mention: dict[str, int]  # scheme id → index of the turn that first names it


def case_features(case: dict[str, Any], kb: KnowledgeBase, index: SchemeIndex | None = None) -> CaseFeatures:
    """Feed a consultation turn by turn and record the features after every turn."""
    sug = Suggester(kb, RankModel.default(), min_score=0.0, index=index)
    segs = segments_of(case)
    mats, vetoes = [], []
    recv = []
    first: dict[str, int] = {}
    for t in range(len(segs) + 1):
        sug._advance(segs[:t])
        X, V, receiving, _, _ = sug.feature_matrix()
        mats.append(X)
        vetoes.append(V)
        recv.append(sorted(receiving))
        if t < len(segs):
            for m in sug._analysis(segs[t]).mentions:
                first.setdefault(m.scheme_id, t)
    return CaseFeatures(str(case["id"]), list(sug.index.ids), np.stack(mats), np.stack(vetoes), recv, first)


def training_rows(feats: Sequence[CaseFeatures], cases: Sequence[dict[str, Any]],
                  snapshots: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """Rows for training: each case at ``snapshots`` points through the conversation (so the model
    learns to rank before names are said), receiving schemes left out."""
    Xs, ys = [], []
    for cf, case in zip(feats, cases, strict=True):
        gold = set(case.get("gold_schemes") or [])
        n = cf.X.shape[0] - 1
        points = sorted({max(1, round(n * k / snapshots)) for k in range(1, snapshots + 1)})
        for t in points:
            for i, sid in enumerate(cf.ids):
                if sid in cf.receiving[t]:
                    continue
                Xs.append(cf.X[t, i])
                ys.append(1 if sid in gold else 0)
    if not Xs:
        return np.zeros((0, len(FEATURES))), np.zeros(0)
    return np.asarray(Xs), np.asarray(ys)


def kb_fingerprint(kb: KnowledgeBase) -> str:
    h = hashlib.sha256()
    for s in sorted(kb.schemes.values(), key=lambda s: s.id):
        h.update(Path(s.path).read_bytes() if s.path and Path(s.path).exists() else s.id.encode())
    h.update(RULES_FILE.read_bytes())
    h.update(FEATURE_VERSION.encode())
    h.update(code_version().encode())
    return h.hexdigest()[:16]


@lru_cache(maxsize=1)
def code_version() -> str:
    """Hash of the code and tables that compute the features (text, facts, schemes and their
    resources/*.yaml): cached features and the ranker's manifest are keyed by it."""
    h = hashlib.sha256()
    for folder in ("text", "facts", "schemes"):
        for f in sorted([*(PACKAGE / folder).glob("*.py"), *(PACKAGE / folder).glob("resources/*.yaml")]):
            h.update(f.read_bytes())
    return h.hexdigest()[:12]


def cache_dir() -> Path:
    """Where dev-set features are cached (``[suggest] cache_dir``, default ``<data dir>/cache``)."""
    cfg = get_config()
    d = cfg["suggest"].get("cache_dir") or ""
    return resolve_path(d) if d else cfg.data_dir / "cache"


def features_for_cases(cases: Sequence[dict[str, Any]], kb: KnowledgeBase, *, cache_key: str | None = None,
                       ) -> list[CaseFeatures]:
    """Per-prefix features of every case, cached under the data cache keyed by content hashes."""
    index = shared_index(kb)
    path = None
    if cache_key:
        path = cache_dir() / f"suggest-features-{cache_key}-{kb_fingerprint(kb)}.npz"
        if path.exists():
            try:
                with np.load(path, allow_pickle=False) as z:
                    meta = json.loads(str(z["meta"]))
                    if meta["ids"] == index.ids and len(meta["cases"]) == len(cases):
                        return [CaseFeatures(c["id"], meta["ids"], z[f"x{k}"], z[f"v{k}"], c["receiving"], c["first"])
                                for k, c in enumerate(meta["cases"])]
            except (OSError, KeyError, ValueError):
                pass
    feats = [case_features(c, kb, index) for c in cases]
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            meta = {"ids": index.ids, "cases": [{"id": f.case_id, "receiving": f.receiving, "first": f.first_mention}
                                                for f in feats]}
            arrays = {f"x{k}": f.X for k, f in enumerate(feats)}
            arrays.update({f"v{k}": f.V for k, f in enumerate(feats)})
            tmp = path.with_suffix(".tmp.npz")
            np.savez_compressed(tmp, meta=np.array(json.dumps(meta)), **arrays)
            tmp.replace(path)
            _drop_stale(path.parent, "suggest-features-*.npz", kb_fingerprint(kb))
        except OSError:
            pass
    return feats


def _drop_stale(folder: Path, pattern: str, keep: str) -> None:
    """Remove cache files made by other versions of the code, rules or knowledge base."""
    for old in folder.glob(pattern):
        if keep not in old.name:
            old.unlink(missing_ok=True)


def _hash_files(paths: Sequence[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def train(cases: Sequence[dict[str, Any]], kb: KnowledgeBase, *, cache_key: str | None = None,
          trained_on: str = "") -> RankModel:
    """Train the ranking model on consultations (all of them: this is the shipped model)."""
    feats = features_for_cases(cases, kb, cache_key=cache_key)
    X, y = training_rows(feats, cases)
    if len(set(y.tolist())) < 2:
        return RankModel.default()
    return fit_model(X, y, trained_on=trained_on, n_cases=len(cases))



# -- evaluation (held-out folds only) -------------------------------------------------------------
@dataclass
class EvalReport:
    """Metrics of ``assistant eval suggest``; every case is scored by a model that never saw it."""

    cases: int
    folds: int
    recall_at_3: float
    recall_at_5: float
    mrr: float
    trap_rate_top3: float  # share of cases with a trap (or already-received) scheme in the top 3
    trap_slots_top3: float  # share of top-3 slots taken by trap schemes
    anticipation_recall_at_5: float
    anticipation_n: int
    anticipation_skipped: int  # named before the citizen said anything: nothing to anticipate from
    per_case: list[dict[str, Any]] = field(default_factory=list)
    misses: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


def _fold_of(case_id: str, folds: int) -> int:
    # Deterministic, order-independent assignment (stable when cases are added).
    return int(hashlib.sha256(case_id.encode()).hexdigest(), 16) % folds


def evaluate(cases: Sequence[dict[str, Any]], kb: KnowledgeBase, *, folds: int = 5,
             cache_key: str | None = None,
             train_cases: Sequence[dict[str, Any]] | None = None) -> EvalReport:
    """k-fold cross-validation: the model for fold k is trained on the other folds only.

    recall@k = |gold ∩ top k| / min(k, |gold|) per case (so a case with 4 gold schemes can reach 1.0
    at k=3), averaged over cases; MRR uses the first gold scheme; anticipation ranks each gold
    scheme that is named in the conversation using only the turns before it is first named.

    With ``train_cases`` (a separate set, e.g. the development set when scoring consultations written
    by someone else) one model is trained on them and every case in ``cases`` is scored by it.
    """
    feats = features_for_cases(cases, kb, cache_key=cache_key)
    folds = max(2, min(folds, len(cases)))
    fold = [_fold_of(str(c["id"]), folds) for c in cases]
    models: dict[int, RankModel] = {}
    if train_cases is not None:
        X, y = training_rows(features_for_cases(train_cases, kb), list(train_cases))
        shared = fit_model(X, y) if len(set(y.tolist())) == 2 else RankModel.default()
        models = dict.fromkeys(range(folds), shared)
    for k in range(folds):
        if k in models:
            continue
        tr = [i for i in range(len(cases)) if fold[i] != k]
        X, y = training_rows([feats[i] for i in tr], [cases[i] for i in tr])
        models[k] = fit_model(X, y) if len(set(y.tolist())) == 2 else RankModel.default()

    def ranking(cf: CaseFeatures, t: int, model: RankModel) -> list[str]:
        scores = model.score(cf.X[t]) * cf.V[t]
        order = sorted(range(len(cf.ids)), key=lambda i: (-scores[i], cf.ids[i]))
        return [cf.ids[i] for i in order if cf.ids[i] not in cf.receiving[t]]

    r3, r5, rr, trap_cases, trap_slots = [], [], [], 0, 0
    ant_hits, ant_n, ant_skip = 0, 0, 0
    per_case, misses = [], []
    for i, (case, cf) in enumerate(zip(cases, feats, strict=True)):
        model = models[fold[i]]
        gold = [g for g in case.get("gold_schemes") or [] if g in cf.ids]
        traps = set(case.get("trap_schemes") or []) | set(case.get("receiving") or [])
        final = ranking(cf, cf.X.shape[0] - 1, model)
        if gold:
            r3.append(len(set(final[:3]) & set(gold)) / min(3, len(gold)))
            r5.append(len(set(final[:5]) & set(gold)) / min(5, len(gold)))
            rank = next((j + 1 for j, sid in enumerate(final) if sid in gold), None)
            rr.append(1.0 / rank if rank else 0.0)
        top3_traps = [s for s in final[:3] if s in traps]
        trap_cases += bool(top3_traps)
        trap_slots += len(top3_traps)
        ant = []
        spoke = [i for i, turn in enumerate(case["turns"]) if turn.get("speaker") != "staff"]
        for g in gold:
            t = cf.first_mention.get(g)
            if t is None:
                continue
            if not any(i < t for i in spoke):
                ant_skip += 1  # named before the citizen said anything: nothing to anticipate from
                continue
            ranked = ranking(cf, t, model)
            hit = g in ranked[:5]
            ant_n += 1
            ant_hits += hit
            ant.append({"scheme": g, "turn": t, "rank": ranked.index(g) + 1 if g in ranked else None})
            if not hit:
                misses.append({"case": case["id"], "kind": "anticipation", "scheme": g, "turn": t,
                               "rank": ranked.index(g) + 1 if g in ranked else None, "top5": ranked[:5]})
        for g in gold:
            if g not in final[:5]:
                misses.append({"case": case["id"], "kind": "recall@5", "scheme": g,
                               "rank": final.index(g) + 1 if g in final else None, "top5": final[:5]})
        for s in top3_traps:
            misses.append({"case": case["id"], "kind": "trap@3", "scheme": s, "top3": final[:3]})
        per_case.append({"id": case["id"], "fold": fold[i], "gold": gold, "top5": final[:5],
                         "traps_in_top3": top3_traps, "anticipation": ant})
    n = len(cases)
    return EvalReport(
        cases=n, folds=folds,
        recall_at_3=float(np.mean(r3)) if r3 else 0.0, recall_at_5=float(np.mean(r5)) if r5 else 0.0,
        mrr=float(np.mean(rr)) if rr else 0.0, trap_rate_top3=trap_cases / n if n else 0.0,
        trap_slots_top3=trap_slots / (3 * n) if n else 0.0,
        anticipation_recall_at_5=ant_hits / ant_n if ant_n else 0.0, anticipation_n=ant_n,
        anticipation_skipped=ant_skip, per_case=per_case, misses=misses,
    )
