"""Which voice is the staff member: decided from what each voice says, plus enrolled voices.

Never "the first speaker is staff": citizens often open the conversation. A text classifier
(scikit-learn, trained by ``assistant.learn.speaker_roles`` on the development consultations and
saved under ``models/``) scores every line for staff-like speech — 敬語 and counter formulas
(「本日はどのようなご相談でしょうか」), questions, scheme explanations, asking for documents
(「〜をお持ちください」「〜できます」) — against first-person accounts of a situation. A voice's
score is the length-weighted mean log-odds of its lines. Acoustics enter through enrolment: a voice
whose centroid matches an enrolled staff voice is staff whatever it says.

Roles per voice: the staff voice is the enrolled one, else the one whose lines score most
staff-like (with one voice only, staff if its score is positive); of the others the voice with the
most speech is the citizen and any further voice (a companion) is ``other``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import joblib
import numpy as np

from assistant.app.config import Config, get_config, resolve_path

ENROLLED_SIM = 0.86  # centroid similarity to an enrolled staff voice that makes a voice staff (same TTS voice ≈ 0.92, others ≤ 0.80)
MODEL_FILE = "models/speaker_roles.joblib"

# Cue families (regular expressions over the surface text) that the classifier sees as counts.
CUES: dict[str, str] = {
    "polite_question": r"(でしょうか|ますか|ですか|いかがですか|ませんか)[。？?]?$",
    "honorific": r"(ご相談|ご案内|ご用意|ご提出|ご記入|ご家族|お持ち|お住まい|お待たせ|伺|拝見|頂戴|いただ|ございます|いらっしゃ)",
    "request": r"(ください|くださいね|お願いできますか|いただけますか)",
    "offer": r"(できます|ご利用|対象に|制度|申請|支給|助成|窓口|手続き|ご案内します|しましょう)",
    "first_person": r"(私|僕|俺|うち|自分|主人|夫|妻|母|父|息子|娘|子ども|子供)",
    "account": r"(んです|んですが|てしまって|なくて|困って|られて|ちゃって|ません。|たいんです|ないんです)",
    "hedge": r"^(あの|えっと|ええと|すみません|あ、)",
    "thanks": r"(ありがとうございます|助かります|わかりました|お願いします)",
}
_CUE_RES = {k: re.compile(v) for k, v in CUES.items()}


class RoleModelMissing(RuntimeError):
    """The trained role classifier is not there (``assistant speakers train`` makes it)."""


def cue_counts(texts: list[str]) -> np.ndarray:
    """Counts of each cue family per text, plus length (the classifier's hand-made features)."""
    rows = []
    for t in texts:
        row = [len(r.findall(t)) for r in _CUE_RES.values()]
        row.append(np.log1p(len(t)))
        rows.append(row)
    return np.asarray(rows, dtype=np.float64)


def model_path(cfg: Config | None = None) -> Path:
    cfg = cfg or get_config()
    return resolve_path(cfg["speakers"].get("role_model") or MODEL_FILE)


@lru_cache(maxsize=4)
def _load(path: str, mtime: float):
    return joblib.load(path)


def load_model(cfg: Config | None = None):
    """The trained text classifier (a scikit-learn pipeline over a list of texts)."""
    path = model_path(cfg)
    if not path.exists():
        raise RoleModelMissing(f"speaker-role model {path} is missing: run `assistant speakers train` "
                               "(make setup does it)")
    return _load(str(path), path.stat().st_mtime)


def staff_log_odds(model, texts: list[str]) -> np.ndarray:
    """Per-text log-odds that the speaker is the staff member."""
    if not texts:
        return np.zeros(0)
    proba = model.predict_proba(texts)
    col = list(model.classes_).index("staff")
    p = np.clip(proba[:, col], 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


@dataclass
class VoiceEvidence:
    """What one voice said and how long, plus how close it is to an enrolled staff voice."""

    texts: list[str] = field(default_factory=list)
    seconds: float = 0.0
    enrolled_sim: float = 0.0
    pinned: str | None = None  # a role staff set by hand for this voice

    def add(self, text: str, seconds: float) -> None:
        self.texts.append(text)
        self.seconds += max(0.0, seconds)


def voice_scores(model, voices: dict[str, VoiceEvidence]) -> dict[str, float]:
    """Length-weighted mean staff log-odds of each voice's lines."""
    out: dict[str, float] = {}
    for vid, ev in voices.items():
        texts = [t for t in ev.texts if t.strip()]
        if not texts:
            out[vid] = 0.0
            continue
        lo = staff_log_odds(model, texts)
        w = np.sqrt([len(t) for t in texts])
        out[vid] = float((lo * w).sum() / w.sum())
    return out


def assign_roles(voices: dict[str, VoiceEvidence], scores: dict[str, float]) -> dict[str, str]:
    """Role per voice id (see the module docstring)."""
    if not voices:
        return {}
    roles = {v: ev.pinned for v, ev in voices.items() if ev.pinned}
    free = [v for v in voices if v not in roles]
    if "staff" not in roles.values() and free:
        enrolled = [v for v in free if voices[v].enrolled_sim >= ENROLLED_SIM]
        if enrolled:
            staff = max(enrolled, key=lambda v: voices[v].enrolled_sim)
        elif len(voices) == 1:
            staff = free[0] if scores.get(free[0], 0.0) > 0 else None
        else:
            staff = max(free, key=lambda v: scores.get(v, 0.0))
        if staff is not None:
            roles[staff] = "staff"
            free.remove(staff)
    has_citizen = "citizen" in roles.values()
    for v in sorted(free, key=lambda v: -voices[v].seconds):
        roles[v] = "other" if has_citizen else "citizen"
        has_citizen = True
    return roles
