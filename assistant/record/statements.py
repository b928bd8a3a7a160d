"""Record statements written from understood facts (相談受付票 style), not copied speech.

「父（82歳）独居。」「足腰の衰えで買い物困難。」「要介護認定未申請。」「相談者（子）は隣市在住、
週1回訪問。」 — short noun phrases from the facts of ``assistant.facts.subjects``, by template (no
language model). Each statement cites the segments its facts rest on, so a supervisor can check it
against the transcript; ``why`` names the fact rules. A fact that was never asked (``not_asked``)
is not written as a statement: it is a gap, not a finding.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.facts.subjects import Fact, Subjects

# fields each fact key belongs to
FACT_FIELD = {"住まい": "household", "在住": "household", "訪問": "household", "困りごと": "health_care",
              "要介護認定": "health_care", "障害者手帳": "health_care", "通院": "health_care",
              "生活保護": "income_work", "年金": "income_work", "就労": "income_work", "借入": "income_work",
              "他機関への相談": "next_actions"}


@dataclass
class Statement:
    field: str
    text: str
    segment_ids: list[int]
    why: list[str]


def _person(subj: Subjects) -> str:
    s = subj.subject
    inner = "、".join(x for x in ((f"{s.age}歳" if s.age else ""),) if x)
    label = s.relation if subj.third_party else "本人"
    return f"{label}（{inner}）" if inner else label


def _join(facts: Sequence[Fact], render: Callable[[Fact], str] = Fact.statement) -> str:
    return "、".join(dict.fromkeys(render(f) for f in facts))


def _ids(facts: Sequence[Fact], extra: Sequence[int] = ()) -> list[int]:
    return sorted({i for f in facts for i in f.segment_ids} | set(extra))


def _problems(facts: Sequence[Fact]) -> list[Statement]:
    """「足腰の衰えで買い物困難」: a decline and a difficulty said in the same turn are one statement."""
    out: list[Statement] = []
    used: set[int] = set()
    for i, f in enumerate(facts):
        if i in used or not f.value.endswith("の衰え"):
            continue
        for j, g in enumerate(facts):
            if j not in used and j != i and g.value.endswith("困難") and set(g.segment_ids) & set(f.segment_ids):
                out.append(Statement("health_care", f"{f.value}で{g.value}。", _ids([f, g]), ["事実: 困りごと"]))
                used |= {i, j}
                break
    for i, f in enumerate(facts):
        if i not in used:
            out.append(Statement("health_care", f"{f.value}。", _ids([f]), [f"事実: {f.rule}"]))
    return out


def statements(subj: Subjects) -> list[Statement]:
    """The statements for every field, in field order (household first)."""
    facts = [f for f in subj.facts if f.status != "not_asked"]
    out: list[Statement] = []
    living = [f for f in facts if f.key == "住まい"]
    head_ids = sorted({i for v in subj.subject.evidence.values() for i in v})
    person = _person(subj)
    if subj.subject.age or living:  # the relation alone is already in the 来談者/対象者 block
        text = person + ("".join(f.said or f.value for f in living[:1]) if living else "") + "。"
        out.append(Statement("household", text, _ids(living[:1], head_ids), ["事実: 対象者"]))
    vis = [f for f in facts if f.subject == "相談者"]
    if subj.third_party and vis:
        parts = [f"{f.value}在住" if f.key == "在住" else f"{f.value}訪問" if f.key == "訪問" else f.statement()
                 for f in vis]
        rel = subj.visitor.relation
        text = f"相談者（{rel}）" + ("は" + "、".join(dict.fromkeys(parts)) if parts else "") + "。"
        out.append(Statement("household", text, _ids(vis, subj.visitor.evidence.get("relation", [])), ["事実: 相談者"]))
    out += _problems([f for f in facts if f.key == "困りごと"])
    for key in ("要介護認定", "障害者手帳", "通院", "生活保護", "年金", "就労", "借入", "他機関への相談"):
        fs = [f for f in facts if f.key == key]
        if fs:
            f = fs[-1]  # the last answer on a topic stands
            out.append(Statement(FACT_FIELD[key], f"{f.statement()}。", _ids([f]), [f"事実: {f.rule}"]))
    return out
