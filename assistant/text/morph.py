"""Sudachi morphemes (through the shared GiNZA tokenizer) as small picklable records, cached per text."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from assistant.text import nlp


@dataclass(frozen=True)
class Morpheme:
    """A picklable token of the GiNZA (Sudachi) tokenizer: surface, normalised form, POS, reading."""

    text: str
    norm: str
    pos: str
    tag: str
    reading: str
    idx: int


@lru_cache(maxsize=4096)
def _morphemes_cached(text: str) -> tuple[Morpheme, ...]:
    doc = nlp.tokenize(text)  # the tokenizer alone: normalised forms, POS tags, readings
    out = []
    for t in doc:
        reading = t.morph.get("Reading")
        out.append(Morpheme(t.text, t.norm_ or t.lemma_, t.pos_, t.tag_, reading[0] if reading else t.text, t.idx))
    return tuple(out)


def morphemes(text: str) -> tuple[Morpheme, ...]:
    """Sudachi morphemes of ``text`` (cached: a live transcript re-asks for the same segments)."""
    return _morphemes_cached(text)
