"""Content lemmas for matching what is said against scheme triggers and texts.

Sudachi (through the GiNZA tokenizer) gives normalised forms; the domain synonyms and stop words
on top of it are data (``resources/lemmas.yaml``), checked when read.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from assistant.schemes.rules import RESOURCES, RulesError, read_yaml_with_lines
from assistant.text.morph import morphemes
from assistant.text.normalise import normalise

LEMMAS_FILE = RESOURCES / "lemmas.yaml"
_CONTENT_POS = {"NOUN", "PROPN", "VERB", "ADJ", "NUM"}
_NEG_NORMS = {"ない", "ず", "ぬ", "無い"}


class LemmaTables(BaseModel):
    """Domain synonyms (normalised form or surface → lemma) and stop words."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    synonyms: dict[str, str]
    stop: frozenset[str]


@lru_cache(maxsize=2)
def load_lemma_tables(path: Path = LEMMAS_FILE) -> LemmaTables:
    """The tables of ``path``; :class:`RulesError` naming file and line if malformed."""
    data, lines = read_yaml_with_lines(path)
    try:
        return LemmaTables.model_validate({**data, "stop": frozenset(data.get("stop") or ())}
                                          if isinstance(data, dict) else data)
    except ValidationError as exc:
        loc = tuple(exc.errors()[0]["loc"])
        line = next((lines[loc[:n]] for n in range(len(loc), -1, -1) if loc[:n] in lines), 1)
        raise RulesError(f"{path}:{line}: {exc.errors()[0]['msg']} (at {'.'.join(map(str, loc))})") from None


def content_lemmas(text: str) -> list[str]:
    """Normalised content words of ``text`` (Sudachi norm forms, synonyms folded, stop words dropped)."""
    tables = load_lemma_tables()
    out = []
    for m in morphemes(normalise(text)):
        if m.pos not in _CONTENT_POS:
            continue
        lemma = tables.synonyms.get(m.norm, tables.synonyms.get(m.text, m.norm))
        if lemma in tables.stop or len(lemma) == 1 and not re.match(r"[\u4e00-\u9fff]", lemma):
            continue
        out.append(lemma)
    return out


def has_negation(text: str) -> bool:
    """True if ``text`` contains a negative auxiliary (ない, ず, ません …)."""
    return any(m.norm in _NEG_NORMS or m.text in ("ません",) for m in morphemes(normalise(text)))
