"""The development set (eval/README.md format): one loader for every trainer and evaluator.

A consultation is one JSON object per line with ``turns`` (speaker, text) and gold annotations
(``gold_schemes``, ``trap_schemes``, ``receiving``, ``categories``, ``key_facts`` …).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.asr.transcript import Segment

SPEAKERS = ("staff", "citizen", "other")


def _read_jsonl(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line number, object) of every non-empty line; ValueError names the file and line."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{n}: not JSON: {exc.msg}") from None
        if not isinstance(d, dict) or not isinstance(d.get("turns"), list):
            raise ValueError(f"{path}:{n}: a consultation needs a 'turns' list")
        out.append((n, d))
    return out


def load_cases(path: str | Path) -> list[dict[str, Any]]:
    """Consultations of one JSONL file, with the annotation lists defaulted to empty."""
    cases = []
    for n, d in _read_jsonl(Path(path)):
        d.setdefault("id", f"line{n}")
        d.setdefault("gold_schemes", [])
        d.setdefault("trap_schemes", [])
        d.setdefault("receiving", [])
        cases.append(d)
    return cases


def load_dev_set(paths: Sequence[str | Path]) -> list[dict[str, Any]]:
    """Consultations of several JSONL files; a consultation id seen before is skipped."""
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    for p in paths:
        for n, d in _read_jsonl(Path(p)):
            cid = str(d.get("id", f"{Path(p).name}:{n}"))
            if cid not in seen:
                seen.add(cid)
                items.append(d)
    return items


def segments_of(item: dict[str, Any]) -> list[Segment]:
    """A consultation as segments (ids 1…n, one second per turn; unknown speaker labels → unknown)."""
    return [Segment(id=i + 1, start=float(i), end=float(i + 1), text=str(t.get("text", "")),
                    speaker=str(t["speaker"]) if t.get("speaker") in SPEAKERS else "unknown")
            for i, t in enumerate(item.get("turns", []))]
