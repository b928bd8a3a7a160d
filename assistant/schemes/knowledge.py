"""The scheme knowledge base: Markdown files with YAML front matter (see knowledge/README.md).

Bundled entries live in ``knowledge/schemes``; a municipality drops its own files into the
folders of ``[knowledge] extra_dirs`` (under the data folder) and they are picked up on the next
``KnowledgeBase.refresh()`` — the app calls it before each use, and it only re-reads when a file's
modification time changed. A local entry with a bundled entry's id replaces it.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistant.app.config import Config, get_config, resolve_path
from assistant.schemes.protected import check_protected_terms

CATEGORIES: dict[str, str] = {
    "livelihood": "生活・収入",
    "housing": "住まい",
    "children": "子ども・子育て",
    "education": "教育・就学",
    "disability": "障害",
    "elderly-care": "高齢・介護",
    "health": "医療・健康",
    "employment": "仕事・就労",
    "insurance-pension": "保険・年金",
    "rights-legal": "権利擁護・法律",
    "violence-abuse": "DV・虐待",
    "disaster": "災害",
    "other": "その他",
}
REQUIRED = ("id", "name", "reading", "category", "summary", "eligibility", "benefits", "how_to_apply",
            "sources", "as_of")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
KANA_RE = re.compile(r"^[\u3041-\u309f\u30a0-\u30ffー・\s（）()]+$")


class KnowledgeError(ValueError):
    """A scheme file is invalid; the message names the file and the problem."""


@dataclass
class Scheme:
    id: str
    name: str
    reading: str
    category: str
    summary: str
    eligibility: str
    benefits: str
    benefits_as_of: str
    how_to_apply: str
    documents: list[str]
    aliases: list[str] = field(default_factory=list)
    alias_readings: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    triggers: list[str] = field(default_factory=list)
    exclusions: list[str] = field(default_factory=list)
    sources: list[dict[str, str]] = field(default_factory=list)
    as_of: str = ""
    body: str = ""
    path: str = ""
    local: bool = False

    @property
    def names(self) -> list[str]:
        """The official name and every alias (what staff or citizens may say)."""
        return [self.name, *self.aliases]

    @property
    def short_name(self) -> str:
        """The name without its parenthesised details, e.g. 生活福祉資金貸付制度."""
        return re.split(r"[（(]", self.name)[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "reading": self.reading, "category": self.category,
            "category_ja": CATEGORIES.get(self.category, self.category), "summary": self.summary,
            "eligibility": self.eligibility, "benefits": self.benefits, "benefits_as_of": self.benefits_as_of,
            "how_to_apply": self.how_to_apply, "documents": self.documents, "aliases": self.aliases,
            "related": self.related, "sources": self.sources, "as_of": self.as_of, "local": self.local,
        }


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _str_list(value: Any, where: str, key: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise KnowledgeError(f"{where}: '{key}' must be a list")
    return [str(v).strip() for v in value if str(v).strip()]


def split_front_matter(text: str, where: str) -> tuple[dict[str, Any], str]:
    if not text.startswith("---"):
        raise KnowledgeError(f"{where}: missing YAML front matter (the file must start with '---')")
    parts = text.split("\n---", 1)
    if len(parts) != 2:
        raise KnowledgeError(f"{where}: front matter is not closed with '---'")
    head = parts[0][3:]
    body = parts[1].lstrip("-").strip("\n")
    try:
        data = yaml.safe_load(head)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 2}" if mark else ""
        raise KnowledgeError(f"{where}:{line}: YAML error: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise KnowledgeError(f"{where}: front matter must be a mapping of keys")
    return data, body


def parse_scheme(path: Path, local: bool = False) -> Scheme:
    """Parse and validate one scheme file (schema only; cross-file checks are in ``check``)."""
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise KnowledgeError(f"{where}: not UTF-8 text") from None
    data, body = split_front_matter(text, where)
    missing = [k for k in REQUIRED if k not in data or data[k] in (None, "", [], {})]
    if missing:
        raise KnowledgeError(f"{where}: missing or empty required key(s): {', '.join(missing)}")
    sid = _text(data["id"])
    if not ID_RE.match(sid):
        raise KnowledgeError(f"{where}: id {sid!r} must match [a-z0-9-]+")
    if sid != path.stem:
        raise KnowledgeError(f"{where}: id {sid!r} does not match the file name {path.stem!r}")
    category = _text(data["category"])
    if category not in CATEGORIES:
        raise KnowledgeError(f"{where}: category {category!r} is not one of {', '.join(CATEGORIES)}")
    reading = _text(data["reading"])
    if not KANA_RE.match(reading):
        raise KnowledgeError(f"{where}: reading {reading!r} must be written in kana")
    summary = _text(data["summary"])
    if len(summary) < 20:
        raise KnowledgeError(f"{where}: summary is too short ({len(summary)} characters)")
    benefits = data["benefits"]
    if isinstance(benefits, dict):
        benefits_text, benefits_as_of = _text(benefits.get("text")), _text(benefits.get("as_of"))
    else:
        benefits_text, benefits_as_of = _text(benefits), ""
    if not benefits_text:
        raise KnowledgeError(f"{where}: benefits.text is empty")
    if not benefits_as_of:
        raise KnowledgeError(f"{where}: benefits.as_of (the date the amounts were checked) is missing")
    how = data["how_to_apply"]
    if isinstance(how, dict):
        where_txt = _text(how.get("where"))
        notes = _text(how.get("notes"))
        documents = _str_list(how.get("documents"), where, "how_to_apply.documents")
        how_text = where_txt + (f"\n{notes}" if notes else "")
    else:
        how_text, documents = _text(how), []
    if not how_text:
        raise KnowledgeError(f"{where}: how_to_apply.where is empty")
    sources = data["sources"]
    if not isinstance(sources, list) or not sources:
        raise KnowledgeError(f"{where}: sources must be a non-empty list")
    norm_sources = []
    for s in sources:
        url = _text(s.get("url")) if isinstance(s, dict) else _text(s)
        if not url.startswith("https://") and not url.startswith("http://"):
            raise KnowledgeError(f"{where}: source {url!r} is not an http(s) URL")
        norm_sources.append({"url": url, "title": _text(s.get("title")) if isinstance(s, dict) else ""})
    for key in ("as_of",):
        try:
            dt.date.fromisoformat(_text(data[key]))
        except ValueError:
            raise KnowledgeError(f"{where}: {key} {data[key]!r} is not a date (YYYY-MM-DD)") from None
    try:
        dt.date.fromisoformat(benefits_as_of)
    except ValueError:
        raise KnowledgeError(f"{where}: benefits.as_of {benefits_as_of!r} is not a date (YYYY-MM-DD)") from None
    return Scheme(
        id=sid, name=_text(data["name"]), reading=reading, category=category, summary=summary,
        eligibility=_text(data["eligibility"]), benefits=benefits_text, benefits_as_of=benefits_as_of,
        how_to_apply=how_text, documents=documents,
        aliases=_str_list(data.get("aliases"), where, "aliases"),
        alias_readings=_str_list(data.get("alias_readings"), where, "alias_readings"),
        related=_str_list(data.get("related"), where, "related"),
        triggers=_str_list(data.get("triggers"), where, "triggers"),
        exclusions=_str_list(data.get("exclusions"), where, "exclusions"),
        sources=norm_sources, as_of=_text(data["as_of"]), body=body, path=where, local=local,
    )


def read_catalogue(path: Path) -> dict[str, str]:
    rows: dict[str, str] = {}
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if i == 0 or not line.strip():
            continue
        sid, _, name = line.partition("\t")
        rows[sid.strip()] = name.strip()
    return rows


@dataclass
class CheckReport:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    schemes: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def check(dirs: list[Path], catalogue: Path | None = None, *, today: dt.date | None = None,
          stale_after_days: int = 365) -> CheckReport:
    """Validate every scheme file: schema, unique ids, related ids, catalogue coverage, age."""
    report = CheckReport()
    today = today or dt.date.today()
    seen: dict[str, str] = {}
    schemes: list[Scheme] = []
    for d in dirs:
        if not d.exists():
            continue
        for path in sorted(d.glob("*.md")):
            if path.name.lower() == "readme.md":
                continue
            try:
                s = parse_scheme(path)
            except KnowledgeError as exc:
                report.errors.append(str(exc))
                continue
            if s.id in seen:
                first = Path(seen[s.id])
                if dirs and first.parent == dirs[0] and path.parent != dirs[0]:
                    # a municipality's own file replaces the bundled entry on purpose
                    report.warnings.append(f"{path}: replaces the bundled entry {first}")
                    schemes = [x for x in schemes if x.id != s.id]
                else:
                    report.errors.append(f"{path}: duplicate id {s.id!r} (also in {first})")
                    continue
            seen[s.id] = str(path)
            schemes.append(s)
    ids = {s.id for s in schemes}
    for s in schemes:
        for r in s.related:
            if r not in ids:
                report.errors.append(f"{s.path}: related id {r!r} does not exist")
        age = (today - dt.date.fromisoformat(s.as_of)).days
        if age > stale_after_days:
            report.warnings.append(f"{s.path}: as_of {s.as_of} is {age} days old; check the facts again")
    if catalogue is not None:
        for sid, name in read_catalogue(catalogue).items():
            if sid not in ids:
                report.errors.append(f"catalogue: scheme {sid!r} ({name}) has no entry")
    report.errors += check_protected_terms(schemes)
    report.schemes = len(ids)
    return report


class KnowledgeBase:
    """Bundled plus local schemes; ``refresh()`` re-reads only when files changed."""

    def __init__(self, cfg: Config | None = None, dirs: list[Path] | None = None) -> None:
        cfg = cfg or get_config()
        if dirs is None:
            dirs = [resolve_path(cfg["knowledge"]["dir"])]
            dirs += [d if d.is_absolute() else cfg.data_dir / d
                     for d in (Path(x) for x in cfg["knowledge"].get("extra_dirs") or [])]
        self.dirs = dirs
        self.bundled_dir = dirs[0]
        self._stamp: tuple = ()
        self._lock = threading.Lock()
        self.schemes: dict[str, Scheme] = {}
        self.errors: list[str] = []
        self.version = 0
        self.refresh()

    def _files(self) -> list[Path]:
        files = []
        for d in self.dirs:
            if d.exists():
                files += [p for p in sorted(d.glob("*.md")) if p.name.lower() != "readme.md"]
        return files

    def refresh(self) -> bool:
        """Reload if any file was added, removed or modified. Returns True if reloaded."""
        files = self._files()
        stamp = tuple((str(p), p.stat().st_mtime_ns) for p in files)
        if stamp == self._stamp:
            return False
        with self._lock:
            schemes: dict[str, Scheme] = {}
            errors: list[str] = []
            for p in files:
                try:
                    s = parse_scheme(p, local=p.parent != self.bundled_dir)
                except KnowledgeError as exc:
                    errors.append(str(exc))  # a broken local file must not take the app down
                    continue
                schemes[s.id] = s
            self.schemes, self.errors, self._stamp = schemes, errors, stamp
            self.version += 1
        return True

    def get(self, sid: str) -> Scheme | None:
        return self.schemes.get(sid)

    def __iter__(self):
        return iter(self.schemes.values())

    def __len__(self) -> int:
        return len(self.schemes)

    def search(self, query: str, limit: int = 10) -> list[Scheme]:
        """Simple substring search over names, aliases, readings and summaries (staff's search box)."""
        q = query.strip()
        if not q:
            return []
        scored = []
        for s in self.schemes.values():
            score = 0
            if any(q in n for n in s.names) or q in s.reading:
                score += 10
            if q in s.summary or q in s.eligibility:
                score += 3
            if any(q in t for t in s.triggers):
                score += 2
            if q in s.body:
                score += 1
            if score:
                scored.append((score, s.id, s))
        return [s for _, _, s in sorted(scored, key=lambda x: (-x[0], x[1]))[:limit]]


_kb: KnowledgeBase | None = None


def get_knowledge_base() -> KnowledgeBase:
    """The process-wide knowledge base (refreshed on each call; cheap when nothing changed)."""
    global _kb
    if _kb is None:
        _kb = KnowledgeBase()
    else:
        _kb.refresh()
    return _kb
