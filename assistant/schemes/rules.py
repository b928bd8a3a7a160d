"""The situation rules of scheme suggestions (``resources/scheme_rules.yaml``) as typed, validated data.

The rules are edited by hand by people who know the schemes, not the code, so a slip (a misspelt
flag, a bad regex, a scheme id that was renamed) must be caught when the file is read — with the
file and line — instead of silently never firing. Loading checks shape and types (pydantic) and
compiles every regex; :mod:`assistant.schemes.rules_check` checks flags and scheme ids against the
fact extractor and the knowledge base (``assistant kb check``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

RESOURCES = Path(__file__).resolve().parent / "resources"
RULES_FILE = RESOURCES / "scheme_rules.yaml"
RECEIVING_KEY = "receiving"
RECEIVING_FLAG = "receiving:"  # flag prefix: ``receiving:<scheme id>``


class RulesError(ValueError):
    """A rules file that cannot be used; the message names the file and line."""


class Rule(BaseModel):
    """A rule fires when every flag in ``all``, at least one in ``any`` (if given) and none in
    ``unless`` is present; ``because`` is shown to staff. A flag ``kind~regex`` needs a supporting
    fact whose text matches the regex."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    all: tuple[str, ...] = ()
    any: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    weight: float = Field(ge=0.0, le=1.0)
    because: str = ""

    @field_validator("all", "any", "unless")
    @classmethod
    def _conditions_compile(cls, conds: tuple[str, ...]) -> tuple[str, ...]:
        for c in conds:
            _compile_condition(c)
        return conds


class Blocker(BaseModel):
    """``blocked_by`` entry written as a mapping: the reason, and flags that lift the block."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    because: str = ""
    unless: tuple[str, ...] = ()


class SchemeEntry(BaseModel):
    """One scheme's entry in the rules file."""

    model_config = ConfigDict(extra="forbid")

    rules: list[Rule] = []
    blocked_by: dict[str, str | Blocker] = {}


def _compile_condition(cond: str) -> None:
    flag, _, rx = cond.partition("~")
    if not flag.strip():
        raise ValueError(f"empty flag in {cond!r}")
    if rx:
        try:
            re.compile(rx)
        except re.error as exc:
            raise ValueError(f"regex of {cond!r} does not compile: {exc}") from None


def condition_flag(cond: str) -> str:
    """The flag a condition tests (``no_money~食べ`` → ``no_money``)."""
    return cond.split("~")[0]


@dataclass
class SchemeRules:
    """The rules of one scheme in the form the suggester evaluates them."""

    rules: list[Rule] = field(default_factory=list)
    blocked_by: dict[str, str] = field(default_factory=dict)
    block_unless: dict[str, tuple[str, ...]] = field(default_factory=dict)
    receiving: list[re.Pattern[str]] = field(default_factory=list)

    @property
    def key_flags(self) -> set[str]:
        """Flags every strong rule needs: if the citizen denies one, the scheme loses its footing."""
        return {condition_flag(f) for r in self.rules if r.weight >= 0.6 for f in r.all}


# -- reading the YAML with line numbers -----------------------------------------------------------
def _plain(node: yaml.Node, lines: dict[tuple[Any, ...], int], path: tuple[Any, ...]) -> Any:
    """A composed YAML node as plain Python, recording the 1-based line of every path."""
    lines.setdefault(path, node.start_mark.line + 1)  # a mapping key keeps the line of the key
    if isinstance(node, yaml.MappingNode):
        out = {}
        for k, v in node.value:
            key = yaml.safe_load(yaml.serialize(k)) if not isinstance(k, yaml.ScalarNode) else k.value
            lines[(*path, key)] = k.start_mark.line + 1
            out[key] = _plain(v, lines, (*path, key))
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_plain(v, lines, (*path, i)) for i, v in enumerate(node.value)]
    return yaml.safe_load(yaml.serialize(node))


@dataclass
class RulesFile:
    """The parsed rules file with the line of every entry (for error messages)."""

    path: Path
    schemes: dict[str, SchemeEntry]
    receiving: dict[str, list[str]]
    lines: dict[tuple[Any, ...], int]

    def where(self, *path: Any) -> str:
        """``file:line`` of the deepest known part of ``path``."""
        for n in range(len(path), -1, -1):
            if path[:n] in self.lines:
                return f"{self.path}:{self.lines[path[:n]]}"
        return str(self.path)


def read_yaml_with_lines(path: Path) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """A hand-edited YAML file as plain data plus the 1-based line of every key path; raises
    :class:`RulesError` naming the file and line of a syntax error."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise RulesError(f"{path}{line}: not valid YAML: {exc}") from None
    lines: dict[tuple[Any, ...], int] = {}
    data = _plain(root, lines, ()) if root is not None else {}
    return data, lines


def read_rules_file(path: Path = RULES_FILE) -> RulesFile:
    """Parse and type-check a rules file; raises :class:`RulesError` naming file and line."""
    data, lines = read_yaml_with_lines(path)
    if not isinstance(data, dict):
        raise RulesError(f"{path}:1: the rules file must be a mapping of scheme ids")
    rf = RulesFile(path, {}, {}, lines)
    for sid, entry in data.items():
        if sid == RECEIVING_KEY:
            continue
        try:
            rf.schemes[str(sid)] = SchemeEntry.model_validate(entry or {})
        except ValidationError as exc:
            err = exc.errors()[0]
            raise RulesError(f"{rf.where(sid, *err['loc'])}: {sid}: {err['msg']} "
                             f"(at {'.'.join(map(str, err['loc']))})") from None
    for sid, pats in (data.get(RECEIVING_KEY) or {}).items():
        if not isinstance(pats, list) or not all(isinstance(p, str) for p in pats):
            raise RulesError(f"{rf.where(RECEIVING_KEY, sid)}: receiving patterns of {sid} must be a list of regexes")
        for i, p in enumerate(pats):
            try:
                re.compile(p)
            except re.error as exc:
                raise RulesError(f"{rf.where(RECEIVING_KEY, sid, i)}: regex does not compile: {exc}") from None
        rf.receiving[str(sid)] = list(pats)
    return rf


def compile_rules(rf: RulesFile) -> dict[str, SchemeRules]:
    """The rules in evaluation form, keyed by scheme id."""
    out: dict[str, SchemeRules] = {}
    for sid, entry in rf.schemes.items():
        sr = out.setdefault(sid, SchemeRules(rules=list(entry.rules)))
        for flag, v in entry.blocked_by.items():
            if isinstance(v, Blocker):
                sr.blocked_by[flag] = v.because
                sr.block_unless[flag] = v.unless
            else:
                sr.blocked_by[flag] = v
    for sid, pats in rf.receiving.items():
        out.setdefault(sid, SchemeRules()).receiving = [re.compile(p) for p in pats]
    return out


@lru_cache(maxsize=4)
def _load_cached(path: Path, mtime_ns: int) -> dict[str, SchemeRules]:
    del mtime_ns  # part of the cache key only
    return compile_rules(read_rules_file(path))


def load_rules(path: Path = RULES_FILE) -> dict[str, SchemeRules]:
    """The situation rules of ``path`` (re-read when the file changes)."""
    return _load_cached(path, path.stat().st_mtime_ns)
