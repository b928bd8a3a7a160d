"""Protected terms: real names that look or sound like scheme names and must not be "corrected".

The list is ``knowledge/protected_terms.yaml`` (see its header). The scheme-name corrector consults
``ProtectedTerms.blocks`` before rewriting a stretch of text; ``check_protected_terms`` is what
``assistant kb check`` runs on the file (valid entries, no term equal to a scheme name or alias).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "knowledge" / "protected_terms.yaml"


@dataclass(frozen=True)
class ProtectedTerm:
    term: str
    kind: str
    allow_correction_when: tuple[str, ...] = ()


@dataclass
class ProtectedTerms:
    terms: list[ProtectedTerm] = field(default_factory=list)

    def spans(self, text: str) -> list[tuple[int, int, ProtectedTerm]]:
        """Every occurrence of a protected term in ``text`` (spaces and commas inside allowed)."""
        out = []
        for t in self.terms:
            pat = r"[\s　、，,・]*".join(map(re.escape, t.term))
            out += [(m.start(), m.end(), t) for m in re.finditer(pat, text)]
        return out

    def blocks(self, text: str, start: int, end: int, context: str = "") -> ProtectedTerm | None:
        """The protected term a correction of ``text[start:end]`` would touch, unless the turn and
        its ``context`` carry one of the term's ``allow_correction_when`` words."""
        for s, e, t in self.spans(text):
            if e <= start or s >= end:
                continue
            around = text + "\n" + context
            if t.allow_correction_when and any(w in around for w in t.allow_correction_when):
                continue
            return t
        return None


def _entries(path: Path) -> list[dict]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    items = data.get("terms") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ValueError(f"{path}: needs a 'terms' list / terms の一覧がありません")
    return items


@lru_cache(maxsize=4)
def load_protected_terms(path: str | None = None) -> ProtectedTerms:
    """The protected terms (an empty list when the file is missing: correction then works as before)."""
    p = Path(path) if path else DEFAULT_PATH
    if not p.exists():
        return ProtectedTerms()
    out = []
    for d in _entries(p):
        if isinstance(d, dict) and isinstance(d.get("term"), str) and d["term"].strip():
            out.append(ProtectedTerm(d["term"].strip(), str(d.get("kind", "")),
                                     tuple(str(w) for w in d.get("allow_correction_when") or [])))
    return ProtectedTerms(out)


def check_protected_terms(schemes: Iterable, path: Path | None = None) -> list[str]:
    """Errors in the protected-terms file: malformed entries, duplicates, terms equal to a scheme name."""
    p = path or DEFAULT_PATH
    if not p.exists():
        return []
    try:
        items = _entries(p)
    except (ValueError, yaml.YAMLError) as exc:
        return [f"{p}: {exc}"]
    names = {n for s in schemes for n in (s.name, s.short_name, *s.aliases)}
    errors, seen = [], set()
    for i, d in enumerate(items, 1):
        where = f"{p.name} entry {i}"
        if not isinstance(d, dict) or not isinstance(d.get("term"), str) or not d["term"].strip():
            errors.append(f"{where}: needs a non-empty 'term'")
            continue
        term = d["term"].strip()
        if not isinstance(d.get("kind"), str) or not d["kind"].strip():
            errors.append(f"{where} ({term}): needs a 'kind'")
        allow = d.get("allow_correction_when", [])
        if not isinstance(allow, list) or not all(isinstance(w, str) and w for w in allow):
            errors.append(f"{where} ({term}): 'allow_correction_when' must be a list of words")
        if term in names:
            errors.append(f"{where}: {term} is a scheme name or alias; a protected term must not be one")
        if term in seen:
            errors.append(f"{where}: {term} is listed twice")
        seen.add(term)
    return errors
