"""The import-layer contract (.importlinter): imports point down the data flow, and training code
is never imported at run time. A new cycle or an upward import fails here."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(package_parent: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    return subprocess.run([str(LINT), "--config", str(ROOT / ".importlinter"), "--no-cache"],
                          cwd=package_parent, env=env, capture_output=True, text=True, timeout=300)


def test_the_package_keeps_its_import_contracts():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout[-3000:]


def test_a_new_upward_import_breaks_the_contract(tmp_path):
    shutil.copytree(ROOT / "assistant", tmp_path / "assistant",
                    ignore=shutil.ignore_patterns("__pycache__"))
    nlp = tmp_path / "assistant" / "text" / "nlp.py"
    nlp.write_text(nlp.read_text(encoding="utf-8") + "\nfrom assistant.record import draft  # noqa\n",
                   encoding="utf-8")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "assistant.text is not allowed to import assistant.record" in result.stdout
