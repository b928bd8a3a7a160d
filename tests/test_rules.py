"""Situation rules as validated data: `assistant kb check` names file and line of a rule that can
never fire (unknown flag, unknown scheme id, bad regex); the shipped rules pass; every flag the fact
extractor sets is one it declares; learned artefacts refuse to load when missing or stale."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant import artefacts
from assistant.artefacts import ArtefactError
from assistant.cli import app
from assistant.facts.extract import extract_facts
from assistant.facts.situation import settable_flags, situation
from assistant.schemes.knowledge import get_knowledge_base
from assistant.schemes.ranker import RANKER, load_ranker
from assistant.schemes.rules import RULES_FILE, RulesError, read_rules_file
from assistant.schemes.rules_check import check_rules


def _kb_check(rules: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["kb", "check", "--rules", str(rules)])
    return result.exit_code, result.output


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def test_shipped_rules_pass_kb_check() -> None:
    code, out = _kb_check(RULES_FILE)
    assert code == 0, out
    assert check_rules(get_knowledge_base().schemes) == []


def test_unknown_flag_in_a_rule_fails_with_file_and_line(tmp_path: Path) -> None:
    rules = tmp_path / "scheme_rules.yaml"
    text = RULES_FILE.read_text(encoding="utf-8")
    first_rule = re.search(r"- {all: \[(\w+)", text)
    assert first_rule is not None
    rules.write_text(text.replace(first_rule.group(0), "- {all: [no_such_situation", 1), encoding="utf-8")
    code, out = _kb_check(rules)
    assert code == 1
    assert f"{rules}:{_line_of(rules, 'no_such_situation')}:" in out and "no_such_situation" in out


def test_unknown_blocker_flag_and_scheme_id_fail(tmp_path: Path) -> None:
    rules = tmp_path / "scheme_rules.yaml"
    rules.write_text(
        "not-a-scheme:\n"
        "  rules:\n"
        "    - {all: [debt], weight: 0.5, because: テスト}\n"
        "public-assistance:\n"
        "  rules:\n"
        "    - {all: [debt], weight: 0.5, because: テスト}\n"
        "  blocked_by:\n"
        '    "receiving:no-such-scheme": 受給中\n', encoding="utf-8")
    code, out = _kb_check(rules)
    assert code == 1
    assert f"{rules}:1:" in out and "not-a-scheme" in out
    assert f"{rules}:8:" in out and "receiving:no-such-scheme" in out


def test_bad_regex_and_bad_weight_name_the_line(tmp_path: Path) -> None:
    rules = tmp_path / "scheme_rules.yaml"
    rules.write_text("public-assistance:\n  rules:\n    - {all: [\"no_money~食べ(\"], weight: 0.5}\n", encoding="utf-8")
    with pytest.raises(RulesError, match=rf"{re.escape(str(rules))}:3:"):
        read_rules_file(rules)
    rules.write_text("public-assistance:\n  rules:\n    - {all: [debt], weight: 1.5}\n", encoding="utf-8")
    with pytest.raises(RulesError, match=rf"{re.escape(str(rules))}:3:"):
        read_rules_file(rules)
    code, out = _kb_check(rules)
    assert code == 1 and f"{rules}:3:" in out


def test_every_flag_set_is_declared() -> None:
    """Flags that situation() actually sets on varied talk are all in settable_flags()."""
    kb = get_knowledge_base()
    talk = [
        ("citizen", "68歳で一人暮らしです。年金だけで家賃が払えなくて。"),
        ("citizen", "シングルマザーで、中2の息子と3歳の娘がいます。元夫から暴力を受けていました。"),
        ("citizen", "母が認知症で、要介護2です。私は会社をクビになりました。"),
        ("citizen", "今生活保護を受けています。児童手当ももらっています。"),
        ("citizen", "息子がひきこもりで、借金もあって、電気代も滞納しています。"),
    ]
    segs = [{"id": i + 1, "speaker": sp, "text": t} for i, (sp, t) in enumerate(talk)]
    sit = situation(extract_facts(segs))
    assert "receiving:public-assistance" in sit.flags
    assert set(sit.flags) <= settable_flags(kb.schemes)


def test_missing_or_stale_ranker_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = artefacts.manifest_path(RANKER)
    monkeypatch.setattr(artefacts, "models_dir", lambda: tmp_path)
    with pytest.raises(ArtefactError, match="assistant model train") as missing:
        load_ranker()
    assert "make setup" in str(missing.value) and "学習済みモデル" in str(missing.value)
    data = tmp_path / "dev.jsonl"
    data.write_text('{"id": "a", "turns": []}\n', encoding="utf-8")
    manifest = json.loads(shipped.read_text(encoding="utf-8"))
    manifest["data"] = [{"path": str(data), "sha256": artefacts.sha256_file(data)}]
    (tmp_path / "ranker.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert load_ranker().coef.shape == (len(manifest["model"]["coef"]),)
    data.write_text('{"id": "a", "turns": []}\n{"id": "b", "turns": []}\n', encoding="utf-8")
    shutil.copy(tmp_path / "ranker.json", tmp_path / "ranker2.json")
    (tmp_path / "ranker2.json").replace(tmp_path / "ranker.json")  # new mtime: not the cached load
    with pytest.raises(ArtefactError, match="out of date"):
        load_ranker()


def test_fact_patterns_are_validated_data(tmp_path: Path) -> None:
    """The extractor's pattern table loads from YAML; a bad regex or an unknown kind names the line."""
    from assistant.facts.extract import FACT_LABELS, PATTERNS
    from assistant.facts.patterns import PATTERNS_FILE, load_patterns

    assert {p.kind for p in PATTERNS} <= set(FACT_LABELS)
    table = tmp_path / "patterns.yaml"
    table.write_text("patterns:\n  - kind: debt\n    regex: '借金'\n  - kind: debt\n    regex: '借(金'\n",
                     encoding="utf-8")
    with pytest.raises(RulesError, match=rf"{re.escape(str(table))}:4: regex"):
        load_patterns(FACT_LABELS, table)
    table.write_text("patterns:\n  - kind: debt\n    regex: '借金'\n  - kind: no_such_kind\n    regex: 'x'\n",
                     encoding="utf-8")
    with pytest.raises(RulesError, match=rf"{re.escape(str(table))}:4: unknown fact kind"):
        load_patterns(FACT_LABELS, table)
    assert len(load_patterns(FACT_LABELS, PATTERNS_FILE)) == len(PATTERNS)
