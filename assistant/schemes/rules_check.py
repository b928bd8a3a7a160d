"""``assistant kb check`` for the situation rules: every flag a rule or blocker names must be one the
fact extractor can set, and every scheme id must exist in the knowledge base (the lemma tables and,
at import of the fact extractor, its pattern table are checked too).

Kept apart from :mod:`assistant.schemes.rules` because it needs the fact extractor (to ask which
flags exist), while the rules loader sits below it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from assistant.facts.situation import settable_flags
from assistant.schemes.lemmas import load_lemma_tables
from assistant.schemes.rules import RULES_FILE, RulesError, RulesFile, condition_flag, read_rules_file


def check_rules(scheme_ids: Iterable[str], path: Path = RULES_FILE) -> list[str]:
    """Errors (``file:line: message``) of the rules file; empty when it is usable."""
    ids = set(scheme_ids)
    try:
        load_lemma_tables()
        rf = read_rules_file(path)
    except RulesError as exc:
        return [str(exc)]
    return _unknown_ids(rf, ids) + _unknown_flags(rf, settable_flags(ids))


def _unknown_ids(rf: RulesFile, ids: set[str]) -> list[str]:
    errors = [f"{rf.where(sid)}: scheme id {sid!r} is not in the knowledge base"
              for sid in rf.schemes if sid not in ids]
    errors += [f"{rf.where('receiving', sid)}: scheme id {sid!r} (receiving) is not in the knowledge base"
               for sid in rf.receiving if sid not in ids]
    return errors


def _unknown_flags(rf: RulesFile, flags: frozenset[str]) -> list[str]:
    errors = []
    for sid, entry in rf.schemes.items():
        for i, rule in enumerate(entry.rules):
            for part in ("all", "any", "unless"):
                for j, cond in enumerate(getattr(rule, part)):
                    if condition_flag(cond) not in flags:
                        errors.append(f"{rf.where(sid, 'rules', i, part, j)}: {sid}: flag {condition_flag(cond)!r} "
                                      "is never set by the fact extractor")
        for flag, blocker in entry.blocked_by.items():
            for cond in (flag, *getattr(blocker, "unless", ())):
                if condition_flag(cond) not in flags:
                    errors.append(f"{rf.where(sid, 'blocked_by', flag)}: {sid}: blocked_by flag "
                                  f"{condition_flag(cond)!r} is never set by the fact extractor")
    return errors
