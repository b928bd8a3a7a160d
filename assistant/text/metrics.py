"""Quality metrics shared by the evaluation commands and the tests."""

from __future__ import annotations

import unicodedata

from rapidfuzz.distance import Levenshtein

_PUNCT_CLASSES = ("P", "S", "Z", "C")


def normalise_for_cer(text: str) -> str:
    """NFKC, then drop punctuation, symbols, spaces and control characters (CER convention)."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in _PUNCT_CLASSES)


def char_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(edit distance, reference length) after normalisation."""
    ref, hyp = normalise_for_cer(reference), normalise_for_cer(hypothesis)
    return Levenshtein.distance(ref, hyp), len(ref)


def cer(reference: str, hypothesis: str) -> float:
    errors, n = char_errors(reference, hypothesis)
    return errors / n if n else float(bool(normalise_for_cer(hypothesis)))
