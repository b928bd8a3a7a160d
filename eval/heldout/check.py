"""Validate the held-out consultations file (standard library only).

Checks what can be checked mechanically: JSON, keys and value sets, scheme ids
against knowledge/catalogue.tsv, and that every pii string and every gold keyword
occurs literally in the turns. Whether a scheme was really explained by staff is
a judgement and is not checked.

Usage: python3 eval/heldout/check.py [eval/heldout/consultations.jsonl]
"""
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = ["id", "title", "style", "tags", "turns", "gold_schemes", "trap_schemes", "receiving", "pii",
            "facts", "categories", "main_category", "urgency", "visitor", "subject",
            "explained_schemes", "key_facts", "answered_no"]
STYLES = {"clean", "asr", "colloquial"}
SPEAKERS = {"staff", "citizen", "other"}
PII_TYPES = {"name", "address", "phone", "mynumber", "birthdate", "account", "insurance_id", "email"}
FIELDS = {"main_concern", "household", "income_work", "housing", "health_care", "next_actions"}
URGENCY = {"no_food", "dv", "abuse", "suicidal", "eviction"}
CATEGORIES = {"病気・健康・障害", "住まい", "収入・生活費", "家賃・ローンの支払い", "税金・公共料金の支払い", "債務",
              "仕事探し・就職", "仕事上の不安・トラブル", "地域との関係", "家族関係・人間関係", "子育て", "介護",
              "ひきこもり・不登校", "DV・虐待", "食べるものがない", "その他"}
RELATIONS = {"本人", "子", "配偶者", "親", "兄弟姉妹", "孫", "その他親族", "ケアマネ", "民生委員", "知人", "支援者"}
LIVING = {"独居", "同居", "施設", "入院中", "不明"}
TAGS = {"asr", "dialect", "citizen_first", "proxy", "multi_problem", "urgent", "receiving", "long",
        "pii_filler", "pii_split", "pii_kana_address", "pii_two_part_address", "pii_room", "pii_kanji_account",
        "pii_wareki", "pii_wareki_kana", "pii_katakana_name", "pii_trap"}


def scheme_ids() -> set:
    lines = (ROOT / "knowledge" / "catalogue.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return {ln.split("\t")[0] for ln in lines if ln.strip()}


def check_case(case: dict, schemes: set) -> list:
    err = []
    cid = case.get("id", "?")
    for k in REQUIRED:
        if k not in case:
            err.append(f"{cid}: missing key {k}")
    if err:
        return err
    turns = case["turns"]
    if case["style"] not in STYLES:
        err.append(f"{cid}: style {case['style']}")
    if not 8 <= len(turns) <= 40:
        err.append(f"{cid}: {len(turns)} turns")
    for t in turns:
        if t.get("speaker") not in SPEAKERS or not t.get("text"):
            err.append(f"{cid}: bad turn {t}")
    alltext = "\n".join(t["text"] for t in turns)
    staff_text = "\n".join(t["text"] for t in turns if t["speaker"] == "staff")
    for key in ("gold_schemes", "trap_schemes", "receiving", "explained_schemes"):
        for s in case[key]:
            if s not in schemes:
                err.append(f"{cid}: unknown scheme {s} in {key}")
    if set(case["gold_schemes"]) & (set(case["trap_schemes"]) | set(case["receiving"])):
        err.append(f"{cid}: gold overlaps trap/receiving")
    for p in case["pii"]:
        if p["type"] not in PII_TYPES:
            err.append(f"{cid}: pii type {p['type']}")
        if p["text"] not in alltext:
            err.append(f"{cid}: pii not in turns: {p['text']}")
        if p.get("split") and not any(p["text"] in t["text"] for t in turns):
            err.append(f"{cid}: split pii part not within one turn: {p['text']}")
    for key in ("facts", "key_facts"):
        for f in case[key]:
            if f["field"] not in FIELDS:
                err.append(f"{cid}: field {f['field']}")
            if not 1 <= len(f["keywords"]) <= 3:
                err.append(f"{cid}: keyword count {f}")
            for kw in f["keywords"]:
                if kw not in alltext:
                    err.append(f"{cid}: keyword not in turns: {kw}")
    if not 4 <= len(case["key_facts"]) <= 8:
        err.append(f"{cid}: {len(case['key_facts'])} key_facts")
    for a in case["answered_no"]:
        for kw in a["keywords"]:
            if kw not in alltext:
                err.append(f"{cid}: answered_no keyword not in turns: {kw}")
    if not set(case["categories"]) <= CATEGORIES or case["main_category"] not in case["categories"]:
        err.append(f"{cid}: categories {case['categories']} / {case['main_category']}")
    if not set(case["urgency"]) <= URGENCY:
        err.append(f"{cid}: urgency {case['urgency']}")
    if case["visitor"].get("relation") not in RELATIONS:
        err.append(f"{cid}: visitor {case['visitor']}")
    sub = case["subject"]
    if sub.get("relation") not in RELATIONS | {None} or sub.get("living") not in LIVING \
            or sub.get("sex") not in {"男", "女", None} or not (sub.get("age") is None or isinstance(sub["age"], int)):
        err.append(f"{cid}: subject {sub}")
    if (case["visitor"]["relation"] == "本人") != (sub.get("relation") == "本人"):
        err.append(f"{cid}: visitor/subject 本人 mismatch")
    if not set(case["tags"]) <= TAGS:
        err.append(f"{cid}: tags {set(case['tags']) - TAGS}")
    if ("citizen_first" in case["tags"]) != (turns[0]["speaker"] != "staff"):
        err.append(f"{cid}: citizen_first tag does not match first speaker")
    if ("asr" in case["tags"]) != (case["style"] == "asr"):
        err.append(f"{cid}: asr tag does not match style")
    if ("long" in case["tags"]) != (len(turns) >= 30):
        err.append(f"{cid}: long tag does not match {len(turns)} turns")
    if ("urgent" in case["tags"]) != bool(case["urgency"]):
        err.append(f"{cid}: urgent tag does not match urgency")
    if ("receiving" in case["tags"]) != bool(case["receiving"]):
        err.append(f"{cid}: receiving tag does not match receiving")
    if not staff_text:
        err.append(f"{cid}: no staff turn")
    return err


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("consultations.jsonl")
    schemes = scheme_ids()
    errors, ids, tags = [], set(), Counter()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            case = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"line {n}: {exc}")
            continue
        if case.get("id") in ids:
            errors.append(f"line {n}: duplicate id {case.get('id')}")
        ids.add(case.get("id"))
        errors += check_case(case, schemes)
        tags.update(case.get("tags", []))
        tags.update([f"style={case.get('style')}"])
    for e in errors:
        print(e)
    print(f"{len(ids)} cases, {len(errors)} problems")
    for t, k in sorted(tags.items()):
        print(f"  {t}: {k}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
