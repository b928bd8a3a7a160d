"""The citizen's household situation folded from facts: the flags the scheme rules test.

Every flag name this module can set comes from one of its tables below (fact kinds kept as they are,
``<kind>_family`` / ``<kind>_child`` for relatives, age bands, child stages, :class:`Flag` for the
derived ones, ``receiving:<scheme id>``), so :func:`settable_flags` can tell ``assistant kb check``
exactly which flags a rule may name — a rule on a flag nothing sets would silently never fire.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from assistant.facts.extract import FACT_KINDS, Fact, stage_from_age
from assistant.schemes.rules import RECEIVING_FLAG


class Flag:
    """Flags derived from several facts or from a fact's subject (not a fact kind of the same name)."""

    abuse_by_family = "abuse_by_family"
    pregnancy_child = "pregnancy_child"
    self_minor = "self_minor"
    age_known = "age_known"
    elderly_family = "elderly_family"
    elderly_likely = "elderly_likely"
    child_in_household = "child_in_household"
    child_adult_or_apart = "child_adult_or_apart"
    raising_grandchild = "raising_grandchild"
    children_2plus = "children_2plus"
    child_minor = "child_minor"
    single_parent = "single_parent"
    financial_trouble = "financial_trouble"
    care_under_65 = "care_under_65"
    care_under_40 = "care_under_40"


DERIVED_FLAGS = frozenset(v for k, v in vars(Flag).items() if not k.startswith("_"))

# fact kinds that name a flag of the same name when about the citizen's household
HOUSEHOLD_KINDS = frozenset({
    "job_loss", "not_working", "cannot_work", "income_drop", "low_income", "hardship", "no_money", "rent_trouble",
    "eviction", "homeless", "own_home", "debt", "nhi_member", "nhi_arrears", "pension_arrears", "tax_arrears",
    "utility_arrears", "self_employed", "employee", "divorce", "separated", "widowed", "lives_alone", "pensioner",
    "care_need", "dementia", "money_management", "disability", "mental", "suicidal", "illness", "high_medical_cost",
    "intractable_disease", "specified_disease", "pregnancy", "birth", "dv", "child_abuse", "parenting_stress",
    "disaster", "fire", "abuse", "hikikomori", "school_costs", "childcare", "legal_trouble", "moved_in",
    "single_parent", "elderly", "spouse",
})
# a relative's work and income: ``<kind>_family`` (the last two also count for the household)
FAMILY_WORK_KINDS = ("pensioner", "low_income", "employee", "self_employed", "job_loss", "not_working", "lives_alone",
                     "nhi_member", "pension_arrears", "cannot_work")
FAMILY_WORK_ALSO_SELF = ("pension_arrears", "cannot_work")
# a relative's health or care need: ``<kind>_family``, and ``<kind>_child`` for a (grand)child
FAMILY_HEALTH_KINDS = ("disability", "mental", "illness", "dementia", "care_need", "hikikomori", "intractable_disease",
                       "elderly", "money_management", "suicidal", "specified_disease")
CHILD_FAMILY_KINDS = ("hikikomori", "school_costs")
# the citizen's own age said: flag, lowest age, highest age (inclusive)
AGE_BANDS = (("elderly", 65, 200), ("working_age", 20, 64), ("age_40_plus", 40, 200), ("age_60_plus", 60, 200),
             ("age_75_plus", 75, 200), (Flag.self_minor, 0, 17))
# a child's school stage → flags
STAGE_FLAGS: dict[str, tuple[str, ...]] = {
    "infant": ("child_preschool", "child_infant", Flag.child_minor),
    "preschool": ("child_preschool", Flag.child_minor),
    "elementary": ("child_school", Flag.child_minor),
    "junior_high": ("child_school", Flag.child_minor),
    "high_school": ("child_high_school", Flag.child_minor),
    "minor": (Flag.child_minor,),
    "unknown": (Flag.child_minor,),
}
# money troubles that together make ``financial_trouble``
FINANCIAL_KINDS = ("job_loss", "income_drop", "no_money", "rent_trouble", "debt", "hardship", "low_income",
                   "nhi_arrears", "pension_arrears", "tax_arrears", "utility_arrears", "eviction", "homeless",
                   "high_medical_cost")
_FAMILY = ("spouse", "child", "grandchild", "parent")
_SEPARATION = ("widowed", "divorce", "separated")
_KEEP_APART = ("dv", "legal_trouble", "debt")  # about someone elsewhere, still the household's concern


def settable_flags(scheme_ids: Iterable[str] = ()) -> frozenset[str]:
    """Every flag :func:`situation` can set, given the scheme ids a citizen may say they receive."""
    kinds = HOUSEHOLD_KINDS & FACT_KINDS
    out = set(kinds) | DERIVED_FLAGS
    out |= {f"{k}_family" for k in (*FAMILY_WORK_KINDS, *FAMILY_HEALTH_KINDS, *CHILD_FAMILY_KINDS) if k in FACT_KINDS}
    out |= {f"{k}_child" for k in FAMILY_HEALTH_KINDS if k in FACT_KINDS}
    out |= {band for band, _, _ in AGE_BANDS}
    out |= {f for flags in STAGE_FLAGS.values() for f in flags}
    out |= {receiving_flag(sid) for sid in scheme_ids}
    return frozenset(out)


def receiving_flag(scheme_id: str) -> str:
    """The situation flag of a scheme the household already receives (rules block on it)."""
    return RECEIVING_FLAG + scheme_id


@dataclass
class Situation:
    """The citizen's household situation folded from facts: flag → supporting facts.

    Flags are the conditions scheme rules test (e.g. ``child_school``, ``elderly``, ``single_parent``);
    ``denied`` holds flags the citizen explicitly denied (「障害はないです」).
    """

    flags: dict[str, list[Fact]] = field(default_factory=dict)
    denied: dict[str, list[Fact]] = field(default_factory=dict)

    def has(self, flag: str) -> bool:
        return flag in self.flags

    def add(self, flag: str, fact: Fact) -> None:
        lst = self.flags.setdefault(flag, [])
        if fact not in lst:
            lst.append(fact)

    def deny(self, flag: str, fact: Fact) -> None:
        self.denied.setdefault(flag, []).append(fact)


def situation(facts: Iterable[Fact]) -> Situation:
    """Fold facts into situation flags (the understanding the scheme rules work on)."""
    sit = Situation()
    facts_list = list(facts)
    children = _fold_facts(sit, facts_list)
    _fold_children(sit, facts_list, children)
    _household_corrections(sit)
    _age_bands(sit, facts_list)
    for k in FINANCIAL_KINDS:
        for f in sit.flags.get(k, []):
            sit.add(Flag.financial_trouble, f)
    return sit


def _fold_facts(sit: Situation, facts: list[Fact]) -> list[Fact]:
    """Each usable present-tense fact becomes flags (or a denial); facts about children are returned
    for :func:`_fold_children`, which needs them all at once."""
    children: list[Fact] = []
    denied_in = {(f.kind, f.segment_ids[-1]) for f in facts if f.negated and f.usable}
    for f in facts:
        if not f.usable or f.past:
            continue
        if not f.negated and (f.kind, f.segment_ids[-1]) in denied_in and f.kind not in ("child", "age"):
            continue  # 「借入れはもう返し終わっています。借金はないです」
        if f.kind == "dv" and f.subject in ("child", "grandchild") and not f.negated:
            sit.add(Flag.abuse_by_family, f)  # violence from an adult child: elder abuse, not DV
            continue
        if f.kind == "receiving":
            if not f.negated:
                sit.add(receiving_flag(f.value), f)  # 「生活保護を受けています」 → receiving:public-assistance
            continue
        if f.negated:
            sit.deny(f.kind, f)
            if f.kind == "child" and f.subject == "child":
                sit.deny(Flag.child_in_household, f)
            continue
        if f.subject == "other" or f.subject == "ex_spouse" and f.kind not in _KEEP_APART:
            continue
        if f.kind == "pregnancy" and f.subject in ("child", "grandchild"):
            sit.add(Flag.pregnancy_child, f)  # a daughter's (often a teenager's) pregnancy
        if f.kind == "child" and f.subject == "self":
            sit.add(Flag.self_minor, f)  # the citizen is a pupil themself
        elif f.kind in ("child", "children_count"):
            children.append(f)
        elif f.kind == "age":
            _fold_age(sit, f, children)
        elif not (f.apart and f.kind not in _KEEP_APART):  # else: about someone living elsewhere
            _fold_household(sit, f)
    return children


def _fold_age(sit: Situation, f: Fact, children: list[Fact]) -> None:
    """An age said: the citizen's own age bands, an elderly parent or spouse, or a child's age."""
    age = int(f.value)
    if f.subject == "self":
        sit.add(Flag.age_known, f)
        for band, low, high in AGE_BANDS:
            if low <= age <= high:
                sit.add(band, f)
    elif f.subject in ("parent", "spouse") and age >= 65:
        sit.add(Flag.elderly_family, f)
    elif f.subject == "child" and age < 18:
        children.append(f)


def _fold_household(sit: Situation, f: Fact) -> None:
    """A fact about the household: the citizen's own (flag = kind) or a relative's (``<kind>_family``)."""
    if f.kind not in HOUSEHOLD_KINDS:
        return
    if f.subject in ("parent", "sibling", "child", "grandchild") and f.kind in FAMILY_WORK_KINDS:
        sit.add(f"{f.kind}_family", f)
        if f.kind not in FAMILY_WORK_ALSO_SELF:
            return
    if f.subject in _FAMILY and f.kind in FAMILY_HEALTH_KINDS:
        if f.apart and f.subject in ("child", "grandchild"):
            return
        sit.add(f"{f.kind}_family", f)
        if f.subject in ("child", "grandchild"):
            sit.add(f"{f.kind}_child", f)
        if f.subject == "parent" and f.kind in ("care_need", "dementia", "illness"):
            sit.add(Flag.elderly_family, f)
        return
    if f.subject in ("child", "grandchild") and f.kind in CHILD_FAMILY_KINDS:
        sit.add(f"{f.kind}_family", f)
    sit.add(f.kind, f)


def _fold_children(sit: Situation, facts: list[Fact], children: list[Fact]) -> None:
    """Children at home and their stages. A child of unknown age is a minor unless the parent is
    elderly or a child's age says otherwise."""
    older_parent = sit.has("elderly") or sit.has(Flag.elderly_likely) or any(
        int(f.value) >= 55 for f in sit.flags.get(Flag.age_known, []))
    adult_child = any(f.kind == "age" and f.subject == "child" and int(f.value) >= 18 and f.usable and not f.negated
                      for f in facts)
    for f in children:
        if f.negated:
            continue
        stage = stage_from_age(int(f.value)) if f.kind == "age" else f.value
        if f.apart or stage == "adult" or (stage == "unknown" and f.subject == "child" and (older_parent or adult_child)):
            sit.add(Flag.child_adult_or_apart, f)
            continue
        sit.add(Flag.child_in_household, f)
        if f.subject == "grandchild":
            sit.add(Flag.raising_grandchild, f)
        if f.kind == "children_count":
            if int(f.value) >= 2:
                sit.add(Flag.children_2plus, f)
            sit.add(Flag.child_minor, f)
            continue
        for flag in STAGE_FLAGS.get(stage, ()):
            sit.add(flag, f)


def _household_corrections(sit: Situation) -> None:
    """Flags that only make sense together (order matters: later steps read earlier results)."""
    for k in _SEPARATION:
        if sit.has(k) and sit.has("spouse"):
            del sit.flags["spouse"]
    # the strain of raising children needs children to raise (an adult son's temper is not it)
    if sit.has("parenting_stress") and not (sit.has(Flag.child_minor) or sit.has("pregnancy") or sit.has("birth")):
        del sit.flags["parenting_stress"]
    _violence(sit)
    _single_parent(sit)
    if sit.has("pensioner") and not sit.has("working_age"):
        for f in sit.flags["pensioner"]:
            if f.subject == "self":
                sit.add(Flag.elderly_likely, f)
    for f in sit.flags.get("elderly", []):
        sit.add(Flag.elderly_likely, f)


def _violence(sit: Situation) -> None:
    """Violence against an elderly person by family other than a partner is elder abuse, not DV;
    'abuse' in a home with minors is about the children."""
    if sit.has("elderly") or sit.has(Flag.elderly_likely):
        for f in list(sit.flags.get("dv", [])):
            if f.subject not in ("spouse", "ex_spouse"):
                sit.add(Flag.abuse_by_family, f)
        if "dv" in sit.flags and not any(f.subject in ("spouse", "ex_spouse") for f in sit.flags["dv"]):
            del sit.flags["dv"]
        for f in sit.flags.pop("abuse", []):
            sit.add(Flag.abuse_by_family, f)
    elif sit.has("abuse") and sit.has(Flag.child_minor):
        for f in sit.flags["abuse"]:
            sit.add("child_abuse", f)


def _single_parent(sit: Situation) -> None:
    """Said so, or divorced/widowed/separated with a child at home and no spouse at home."""
    if not sit.has(Flag.single_parent) and sit.has(Flag.child_minor) and not sit.has("spouse"):
        for k in _SEPARATION:
            for f in sit.flags.get(k, []):
                sit.add(Flag.single_parent, f)
    if sit.has("spouse") and Flag.single_parent in sit.flags and not any(
            re.search(r"ひとり親|一人親|シングル|母子|父子", f.text) for f in sit.flags[Flag.single_parent]):
        del sit.flags[Flag.single_parent]


def _age_bands(sit: Situation, facts: list[Fact]) -> None:
    """Who is old enough for what, from ages said (a known age overrides what was inferred).

    - A parent or spouse needing care is taken to be elderly (``elderly_family``) unless their age
      is known: 「お母さんは44です」 makes them a 40–64-year-old, for whom 介護保険 covers only the
      16 特定疾病 (``care_under_65``; ``care_under_40``: not at all).
    - The citizen's own care need at a known working age likewise sets ``care_under_65``.
    """
    fam_ages = [f for f in facts if f.kind == "age" and f.usable and not f.negated and not f.past
                and f.subject in ("parent", "spouse")]
    if fam_ages and max(int(f.value) for f in fam_ages) < 65:
        sit.flags.pop(Flag.elderly_family, None)
    cared_family = sit.has("care_need_family") or sit.has("dementia_family")
    young: list[Fact] = []
    if cared_family and not sit.has(Flag.elderly_family) and fam_ages:
        young = fam_ages
    elif (sit.has("care_need") or sit.has("dementia")) and not cared_family and not sit.has(Flag.elderly_likely):
        young = [f for f in sit.flags.get(Flag.age_known, []) if int(f.value) < 65]
    for f in young:
        sit.add(Flag.care_under_65, f)
        if int(f.value) < 40:
            sit.add(Flag.care_under_40, f)
