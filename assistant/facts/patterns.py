"""The situation patterns of the fact extractor (``resources/patterns.yaml``) as typed, validated data.

The table is edited by people who know counter talk, not the code: each entry is checked when read
(known fact kind, regex compiles, no unknown keys), and an error names the file and line.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from assistant.schemes.rules import RulesError, read_yaml_with_lines

PATTERNS_FILE = Path(__file__).resolve().parent / "resources" / "patterns.yaml"
_FRAGMENT = re.compile(r"<<(\w+)>>")


@dataclass(frozen=True)
class Pattern:
    """One situation pattern: a match is a fact of ``kind`` (``value`` replaces the matched words);
    ``check_negation`` is False for phrases that already state a lack (働いていない)."""

    kind: str
    regex: re.Pattern[str]
    value: str = ""
    check_negation: bool = True


class PatternEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str
    regex: str
    value: str = ""
    check_negation: bool = True


class PatternsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fragments: dict[str, str] = {}
    patterns: list[PatternEntry]

    @field_validator("patterns")
    @classmethod
    def _not_empty(cls, v: list[PatternEntry]) -> list[PatternEntry]:
        if not v:
            raise ValueError("no patterns")
        return v


def load_patterns(kinds: Collection[str], path: Path = PATTERNS_FILE) -> list[Pattern]:
    """The patterns of ``path`` in order; :class:`RulesError` (file:line) on an unknown kind, an
    unknown fragment or a regex that does not compile."""
    data, lines = read_yaml_with_lines(path)
    try:
        table = PatternsFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        line = next((lines[loc[:n]] for n in range(len(loc), -1, -1) if loc[:n] in lines), 1)
        raise RulesError(f"{path}:{line}: {err['msg']} (at {'.'.join(map(str, loc))})") from None
    out = []
    for i, e in enumerate(table.patterns):
        where = f"{path}:{lines.get(('patterns', i), 1)}"
        if e.kind not in kinds:
            raise RulesError(f"{where}: unknown fact kind {e.kind!r}")
        missing = [m for m in _FRAGMENT.findall(e.regex) if m not in table.fragments]
        if missing:
            raise RulesError(f"{where}: unknown fragment <<{missing[0]}>>")
        source = _FRAGMENT.sub(lambda m: table.fragments[m.group(1)], e.regex)
        try:
            regex = re.compile(source)
        except re.error as exc:
            raise RulesError(f"{where}: regex of {e.kind} does not compile: {exc}") from None
        out.append(Pattern(e.kind, regex, e.value, e.check_negation))
    return out
