"""A learned second opinion on personal data: a token classifier trained on the development files.

The rules in :mod:`assistant.pii.mask` and :mod:`assistant.pii.spoken` find the forms they were
written for; real speech keeps producing others (a phone number read as 「二二の四五〇八」 after
「家の電話で」, a lot number in kana between two masked parts). This model reads each Sudachi token
with its neighbours, its part of speech, the dictionary's name entries and the words around it
(「電話」「住所」「記号」 in the turn or the question before) and says how likely it is personal data.

It only ever *adds* to what the rules found, and conservatively:

- a span next to a rule's mask (within two characters) extends that mask — the pieces of one
  number or address the rules cut short;
- a span on its own is masked only when the model is very sure, and only a name-like word or a
  number of four digits or more that no office cue introduces (places, floors, dates and times
  on their own are the rules' to judge);
- never a scheme or office name, never a number followed by 歳/円/か月…, never a lone small
  number (an age answered 「89です」).

Trained by ``assistant model train`` (``models/pii_tagger.pkl`` with its manifest: the sha256 of
every training file and leave-files-out figures). Masking never fails for want of it: without the
artefact the rules alone decide and a warning is logged.
"""

from __future__ import annotations

import logging
import pickle
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.pii.numbers import OFFICE_DIAL

log = logging.getLogger(__name__)

TAGGER_ARTEFACT = "pii_tagger"
FEATURE_VERSION = "pii-tagger-1"
N_FEATURES = 2**18
# Cue words looked for in the 12 characters before a token and in the previous turn.
CUES = ("名前", "氏名", "住所", "お住まい", "電話", "番号", "生年月日", "誕生日", "口座", "メール", "生まれ",
        "フルネーム", "漢字", "字", "書い", "さん", "様", "ちゃん", "くん", "号室", "丁目", "番地", "区", "市", "町",
        "歳", "いくつ", "年齢", "窓口", "直通", "代表", "センター", "家賃", "円", "記号", "保険証", "携帯")
_NOT_AFTER = re.compile(r"^[\s\u3000]*(?:歳|才|さい|か月|ヶ月|カ月|円|万|人|回|年生|階建|LDK|DK|K|時|分)")
_NOISE = re.compile(r"[\s\u3000、。,.…・ー\-]|えーっと|えーと|えっと|えー|あのー|あの|まあ")
# A place, floor, date or time said on its own: the rules judge those. Name kanji (町田, 日野, 大月,
# 市川) are no place: only a place *suffix*, or a digit with a date or floor unit, counts.
_PLACE_OR_TIME = re.compile(r"(?:町|区|市|村|郡)$|丁目|番地|号室|令和|平成|昭和|大正|明治|れいわ|へいせい|しょうわ|"
                            r"[0-9０-９〇一二三四五六七八九十][\s\u3000]*(?:年|月|日|時|階|号)")
_DIGIT = re.compile(r"[0-9０-９〇零一二三四五六七八九]|ゼロ|ぜろ|まる|いち|にー|にい|さん|よん|ろく|なな|はち|きゅう")
_OFFICE_CUE = re.compile(r"窓口|直通|代表|センター|課|役所|事務所|協議会|包括|ハローワーク|病院|クリニック|学校|園")
_FREE_NUMBER = re.compile(rf"{OFFICE_DIAL.pattern}|^(?:ゼロイチニーゼロ|フリーダイヤル)")
# the rest of a free-dial number whose prefix the span left out (「0120-」 + 「11-2233」)
_FREE_PREFIX_BEFORE = re.compile(r"(?:0120|0570|0800|０１２０|０５７０|０８００)[\s\u3000\-‐−－ー]*$")
_SMALL_NUMBER = re.compile(r"^(?:[0-9０-９]{1,3}|[一二三四五六七八九十百]{1,4}|"
                           r"(?:いち|に|さん|よん|し|ご|ろく|なな|しち|はち|きゅう|く|じゅう|ひゃく)+)$")


@dataclass(frozen=True)
class TokenView:
    """What the tagger sees of one token (a Sudachi token of a turn)."""

    text: str
    tag: str
    start: int
    end: int


def _shape(word: str) -> str:
    out: list[str] = []
    for c in word:
        if c.isdigit():
            k = "9"
        elif "ぁ" <= c <= "ん":
            k = "h"
        elif "ァ" <= c <= "ヶ" or c == "ー":
            k = "k"
        elif "一" <= c <= "龯" or c == "々":
            k = "K"
        elif c.isascii() and c.isalpha():
            k = "a"
        else:
            k = "o"
        if not out or out[-1] != k:
            out.append(k)
    return "".join(out)


def _coarse(tag: str) -> str:
    return "-".join(tag.split("-")[:2])


def token_features(toks: Sequence[TokenView], text: str, speaker: str, previous: str,
                   surname: Callable[[str], bool], given: Callable[[str], bool]) -> list[dict[str, int]]:
    """One feature dict per token: the token, its neighbours (±3), shapes, parts of speech,
    dictionary name entries and the cue words before it. Shared by training and run time."""
    before_cues = [f"pk={k}" for k in CUES if k in previous]
    rows = []
    for i, t in enumerate(toks):
        f = {f"w={t.text}", f"t={t.tag}", f"t2={_coarse(t.tag)}", f"sh={_shape(t.text)}",
             f"len={min(len(t.text), 6)}", f"spk={speaker}", f"c0={t.text[:1]}", f"cL={t.text[-1:]}"}
        for d in (-3, -2, -1, 1, 2, 3):
            j = i + d
            if 0 <= j < len(toks):
                f |= {f"w{d}={toks[j].text}", f"t{d}={_coarse(toks[j].tag)}", f"sh{d}={_shape(toks[j].text)}"}
            else:
                f.add(f"w{d}=<B>")
        f.add(f"w-1w0={toks[i - 1].text if i else '<B>'}|{t.text}")
        f.add(f"w0w1={t.text}|{toks[i + 1].text if i + 1 < len(toks) else '<B>'}")
        left = text[max(0, t.start - 12):t.start]
        f |= {f"lk={k}" for k in CUES if k in left}
        f.update(before_cues)
        if "人名" in t.tag:
            f.add("person")
        if surname(t.text):
            f.add("lexsur")
        if given(t.text):
            f.add("lexgiv")
        rows.append(dict.fromkeys(f, 1))
    return rows


def hash_features(rows: list[dict[str, int]]) -> Any:
    """The sparse matrix of ``rows`` (stateless hashing: training and run time agree by construction)."""
    from sklearn.feature_extraction import FeatureHasher

    return FeatureHasher(N_FEATURES, input_type="dict", alternate_sign=False).transform(rows)


@dataclass(eq=False)  # compared and hashed by identity: per-turn scores are cached per loaded model
class TaggerModel:
    """Logistic-regression weights over hashed features, and the two thresholds."""

    coef: np.ndarray
    intercept: float
    threshold: float = 0.5  # a token is a candidate
    alone: float = 0.85  # a span on its own needs this much

    def proba(self, rows: list[dict[str, int]]) -> np.ndarray:
        if not rows:
            return np.zeros(0)
        z = hash_features(rows) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))


Run = list[tuple[TokenView, float]]
# Tokens that never stand at either end of a mask: particles, punctuation, spaces, fillers, です.
_EDGE_POS = ("助詞", "補助記号", "空白", "感動詞", "助動詞")
_NEVER_POS = ("動詞", "形容詞")  # verbs and adjectives are never personal data


def candidate_runs(toks: Sequence[TokenView], probs: np.ndarray, threshold: float) -> list[Run]:
    """Runs of adjacent tokens at or above ``threshold``, each token with its probability."""
    runs: list[Run] = []
    for t, p in zip(toks, probs, strict=True):
        if p < threshold or t.tag.startswith(_NEVER_POS):
            continue
        if runs and runs[-1][-1][0].end == t.start:
            runs[-1].append((t, float(p)))
        else:
            runs.append([(t, float(p))])
    return runs


_SAYING = re.compile(r"^(?:ゆう|いう|言う)$")
_AFTER_SAYING = re.compile(r"^(?:もん|もの|者|て|とる|ちゅう|ん)")


def trim(run: Run, text: str, masked: set[int]) -> tuple[int, int, float] | None:
    """A run without the particles, fillers, spaces and です at its ends — whole where it fills the
    gap between two masks (「記号 が 12」 is one item) — as (start, end, highest probability).
    Trimming whole tokens keeps a name that ends like a particle (はると, ともや) whole."""
    if run[0][0].start - 1 in masked and run[-1][0].end in masked:
        return run[0][0].start, run[-1][0].end, max(p for _t, p in run)
    i, j = 0, len(run)
    while i < j and run[i][0].tag.startswith(_EDGE_POS):
        i += 1
    while j > i and run[j - 1][0].tag.startswith(_EDGE_POS):
        j -= 1
    saying = next((k for k in range(i, j) if _SAYING.match(run[k][0].text) and _AFTER_SAYING.match(text[run[k][0].end:])), None)
    if saying is not None:
        j = saying  # 「藤堂 ゆうもんです」: ゆう is 言う, whatever the dictionary says, and もん after it no name
    while j > i and run[j - 1][0].tag.startswith(_EDGE_POS):
        j -= 1
    if j <= i:
        return None
    return run[i][0].start, run[j - 1][0].end, max(p for _t, p in run[i:j])


def accept(text: str, start: int, end: int, masked: set[int], protected: Sequence[tuple[int, int]],
           p: float, alone: float) -> bool:
    """Whether a candidate span may be masked (see the module docstring for why each test)."""
    core = _NOISE.sub("", text[start:end])
    if not core or any(ps < end and start < pe for ps, pe in protected):
        return False
    if _NOT_AFTER.match(text[end:end + 4]):
        return False
    touches = any(j in masked for j in range(max(0, start - 2), start)) or any(j in masked for j in range(end, end + 2))
    if touches:
        return True
    return p >= alone and _may_stand_alone(text, start, core)


def _may_stand_alone(text: str, start: int, core: str) -> bool:
    """A span with no mask beside it: a name-like word of two characters or more, or a number of
    four digits or more that no office cue introduces. Places, floors, dates and times on their own
    are left to the rules, which know a landmark (三丁目のスーパー) from an address."""
    if len(core) < 2 or core in CUES or _SMALL_NUMBER.match(core) or _PLACE_OR_TIME.search(core):
        return False  # a cue word (記号, 番号) asks for the data; it is none itself
    digits = len(_DIGIT.findall(core))
    if digits == 0:
        return True
    return digits >= 4 and not _FREE_NUMBER.match(core) and not _FREE_PREFIX_BEFORE.search(text[max(0, start - 8):start]) \
        and not _OFFICE_CUE.search(text[max(0, start - 24):start])


def load_tagger() -> TaggerModel | None:
    """The trained tagger, or None (logged) when it is missing or stale: the rules then decide alone."""
    from assistant.artefacts import ArtefactError, load_artefact

    try:
        return load_artefact(TAGGER_ARTEFACT, FEATURE_VERSION, _unpickle)
    except ArtefactError as exc:
        if not getattr(load_tagger, "_warned", False):
            log.warning("personal-data tagger not used: %s", exc)
            load_tagger._warned = True  # type: ignore[attr-defined]
        return None


def _unpickle(manifest: dict[str, Any], folder: Path) -> TaggerModel:
    from assistant.artefacts import verify_payload

    payload = folder / str(manifest["payload"])
    verify_payload(TAGGER_ARTEFACT, manifest, payload)
    with payload.open("rb") as fh:
        model = pickle.load(fh)  # our own file, checked against the manifest's sha256
    if not isinstance(model, TaggerModel):
        raise TypeError("not a tagger model")
    return model
