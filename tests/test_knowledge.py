"""Knowledge base: `assistant kb check` on the repository and on broken files, local folders."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.app.config import load_config
from assistant.cli import app
from assistant.schemes.knowledge import KnowledgeBase, check, parse_scheme, read_catalogue

ROOT = Path(__file__).resolve().parent.parent
SCHEMES = ROOT / "knowledge" / "schemes"
CATALOGUE = ROOT / "knowledge" / "catalogue.tsv"

LOCAL_SCHEME = """---
id: {id}
name: みどり市子育て世帯家賃応援金
reading: みどりしこそだてせたいやちんおうえんきん
aliases: [家賃応援金]
category: housing
summary: >-
  みどり市に住む子育て世帯のうち、家賃の負担が重い世帯に月1万円を最長12か月支給する市独自の制度です。
  申請は市の住宅政策課で受け付けます。
eligibility: 18歳未満の子どもを養育し、民間賃貸住宅に住む世帯（所得制限あり）。
benefits:
  text: 月額1万円（最長12か月）
  as_of: {as_of}
how_to_apply:
  where: みどり市役所 住宅政策課
  documents: [賃貸借契約書, 本人確認書類]
related: [{related}]
triggers:
  - 子どもがいて家賃が高すぎる
  - 家賃が重くて子どもの服も買えない
sources:
  - url: https://www.example.lg.jp/jutaku/ouenkin.html
    title: みどり市「子育て世帯家賃応援金」
as_of: {as_of}
---
市独自制度（職員向けメモ）。
"""


def write_scheme(folder: Path, sid: str = "midori-rent-support", *, as_of: str = "2026-04-01",
                 related: str = "housing-security-benefit") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{sid}.md"
    path.write_text(LOCAL_SCHEME.format(id=sid, as_of=as_of, related=related), encoding="utf-8")
    return path


@pytest.fixture()
def broken_dir(tmp_path: Path) -> Path:
    """A copy of one real scheme file to break in different ways."""
    d = tmp_path / "schemes"
    d.mkdir()
    shutil.copy(SCHEMES / "public-assistance.md", d / "public-assistance.md")
    return d


def test_repository_knowledge_base_passes() -> None:
    report = check([SCHEMES], CATALOGUE, today=dt.date(2026, 6, 1))
    assert report.errors == []
    assert report.schemes == len(read_catalogue(CATALOGUE)) >= 35


def test_every_catalogue_id_has_official_sources() -> None:
    for sid in read_catalogue(CATALOGUE):
        scheme = parse_scheme(SCHEMES / f"{sid}.md")
        assert scheme.sources and all(s["url"].startswith("http") for s in scheme.sources), sid
        assert scheme.summary and scheme.triggers, sid


def test_cli_kb_check_passes_on_repository() -> None:
    result = CliRunner().invoke(app, ["kb", "check", str(SCHEMES)])
    assert result.exit_code == 0, result.output
    assert "kb check: ok" in result.output


def _errors(folder: Path, catalogue: Path | None = None) -> list[str]:
    return check([folder], catalogue).errors


def test_missing_key_is_named(broken_dir: Path) -> None:
    p = broken_dir / "public-assistance.md"
    text = p.read_text(encoding="utf-8")
    start = text.index("\nsummary:")
    end = text.index("\neligibility:")
    p.write_text(text[:start] + text[end:], encoding="utf-8")
    [err] = _errors(broken_dir)
    assert "public-assistance.md" in err and "summary" in err


def test_bad_yaml_reports_line(broken_dir: Path) -> None:
    p = broken_dir / "public-assistance.md"
    lines = p.read_text(encoding="utf-8").splitlines()
    lines[3] = "aliases: [生保, ナマポ"  # unclosed flow sequence
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [err] = _errors(broken_dir)
    assert "public-assistance.md" in err and "YAML error" in err and "line" in err


def test_unknown_related_id(tmp_path: Path) -> None:
    write_scheme(tmp_path / "local", related="no-such-scheme")
    [err] = _errors(tmp_path / "local")
    assert "related id 'no-such-scheme' does not exist" in err


def test_missing_catalogue_id(tmp_path: Path) -> None:
    write_scheme(tmp_path / "local", related="midori-rent-support")
    cat = tmp_path / "catalogue.tsv"
    cat.write_text("id\tname_ja\nmidori-rent-support\t家賃応援金\nhousing-security-benefit\t住居確保給付金\n",
                   encoding="utf-8")
    errors = _errors(tmp_path / "local", cat)
    assert errors == ["catalogue: scheme 'housing-security-benefit' (住居確保給付金) has no entry"]


def test_duplicate_id_across_local_folders(tmp_path: Path) -> None:
    a = write_scheme(tmp_path / "a", related="midori-rent-support")
    write_scheme(tmp_path / "b", related="midori-rent-support")
    report = check([tmp_path / "bundled", tmp_path / "a", tmp_path / "b"], None)
    assert len(report.errors) == 1
    assert "duplicate id 'midori-rent-support'" in report.errors[0] and str(a) in report.errors[0]


def test_local_file_may_replace_bundled_entry(tmp_path: Path) -> None:
    bundled = tmp_path / "bundled"
    write_scheme(bundled, related="midori-rent-support")
    write_scheme(tmp_path / "local", related="midori-rent-support")
    report = check([bundled, tmp_path / "local"], None)
    assert report.errors == []
    assert any("replaces the bundled entry" in w for w in report.warnings)


def test_id_must_match_file_name(tmp_path: Path) -> None:
    p = write_scheme(tmp_path / "local", related="midori-rent-support")
    p.rename(p.with_name("other-name.md"))
    [err] = _errors(tmp_path / "local")
    assert "does not match the file name 'other-name'" in err


def test_stale_as_of_is_a_warning_not_an_error(tmp_path: Path) -> None:
    write_scheme(tmp_path / "local", as_of="2020-01-15", related="midori-rent-support")
    report = check([tmp_path / "local"], None, today=dt.date(2026, 1, 15))
    assert report.ok
    [warning] = report.warnings
    assert "as_of 2020-01-15" in warning and "2192 days old" in warning


def test_cli_fails_with_precise_message(broken_dir: Path) -> None:
    p = broken_dir / "public-assistance.md"
    p.write_text(p.read_text(encoding="utf-8").replace("category: livelihood", "category: money"), encoding="utf-8")
    result = CliRunner().invoke(app, ["kb", "check", str(broken_dir), "--no-catalogue"])
    assert result.exit_code == 1
    assert "category 'money' is not one of" in result.output
    assert "public-assistance.md" in result.output


def test_local_folder_is_picked_up_without_code_change(tmp_path: Path) -> None:
    """A municipality drops a file into [knowledge] extra_dirs; the running app sees it on refresh."""
    data = tmp_path / "data"
    cfg = load_config(env={"ASSISTANT_DATA_DIR": str(data), "ASSISTANT_KNOWLEDGE_EXTRA_DIRS": '["my-schemes"]'})
    kb = KnowledgeBase(cfg)
    assert kb.get("midori-rent-support") is None
    before = kb.version
    write_scheme(data / "my-schemes")
    assert kb.refresh() is True
    scheme = kb.get("midori-rent-support")
    assert scheme is not None and scheme.local and kb.version == before + 1
    assert len(kb) == len(read_catalogue(CATALOGUE)) + 1
    assert kb.refresh() is False  # nothing changed: no re-read


def test_broken_local_file_does_not_take_the_app_down(tmp_path: Path) -> None:
    local = tmp_path / "local"
    local.mkdir()
    (local / "bad.md").write_text("no front matter here", encoding="utf-8")
    kb = KnowledgeBase(dirs=[SCHEMES, local])
    assert len(kb) >= 35
    assert any("bad.md" in e and "front matter" in e for e in kb.errors)
