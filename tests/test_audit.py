"""The HMAC-chained audit log on SQLite and PostgreSQL: verify, tamper detection, concurrent writers, export."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import threading

import pytest
from sqlalchemy import text

from assistant.app import audit
from assistant.app.config import REPO_ROOT, load_config
from assistant.app.store import Store


@pytest.fixture()
def env(tmp_path, db_url):
    return {"ASSISTANT_DATA_DIR": str(tmp_path), "ASSISTANT_STORE_URL": db_url}


@pytest.fixture()
def store(env):
    s = Store(env["ASSISTANT_STORE_URL"], cfg=load_config(env=env))
    yield s
    s.close()


def _fill(store: Store, n: int = 6) -> None:
    for i in range(n):
        audit.record(store, actor=f"user{i % 2}", role="staff", action="view", target=f"consultation:{i}",
                     client="127.0.0.1", detail={"i": i, "note": "閲覧"})


def _cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from assistant.cli import main; main()", *args], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=120, env={**os.environ, **env, "PYTHONPATH": str(REPO_ROOT)})


def test_chain_verifies_and_cli_agrees(store, env):
    _fill(store)
    result = audit.verify(store)
    assert result.ok and result.checked == 6
    out = _cli(env, "audit", "verify")
    assert out.returncode == 0, out.stderr


def test_edited_row_is_named(store, env):
    _fill(store)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET target = 'consultation:99' WHERE id = 4"))
    result = audit.verify(store)
    assert not result.ok and result.first_bad_id == 4 and result.checked == 3
    out = _cli(env, "audit", "verify")
    assert out.returncode == 1 and "entry 4" in out.stderr


@pytest.mark.parametrize("victim", [1, 3, 6])
def test_deleted_row_is_detected(store, victim):
    _fill(store)
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE id = :i"), {"i": victim})
    result = audit.verify(store)
    assert not result.ok and result.first_bad_id == victim


def test_recomputed_hash_without_the_key_does_not_pass(store, tmp_path):
    _fill(store, 3)
    assert not audit.verify(store, key=b"\x00" * 32).ok  # a different key cannot vouch for the chain
    # the key is a file outside the database, 0600
    assert (audit.key_path(store.cfg).stat().st_mode & 0o777) == 0o600


def test_two_stores_writing_at_once_build_one_chain(store, env):
    other = Store(env["ASSISTANT_STORE_URL"], cfg=load_config(env=env))
    errors: list[BaseException] = []

    def write(s: Store, who: str) -> None:
        try:
            for i in range(40):
                audit.record(s, actor=who, action="edit", target=f"consultation:{i}")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(s, w)) for s, w in ((store, "a"), (other, "b"), (store, "c"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    other.close()
    assert not errors
    result = audit.verify(store)
    assert result.ok and result.checked == 120
    ids = [r["id"] for r in audit.rows(store, limit=500)]
    assert sorted(ids) == list(range(1, 121))


def test_export_jsonl_and_csv(store, tmp_path):
    _fill(store, 4)
    n = audit.export(store, tmp_path / "a.jsonl")
    rows = [json.loads(line) for line in (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()]
    assert n == 4 and [r["id"] for r in rows] == [1, 2, 3, 4]
    assert all(len(r["mac"]) == 64 for r in rows) and rows[1]["prev_mac"] == rows[0]["mac"]
    audit.export(store, tmp_path / "a.csv", "csv")
    with open(tmp_path / "a.csv", encoding="utf-8") as fh:
        table = list(csv.DictReader(fh))
    assert len(table) == 4 and table[2]["action"] == "view" and json.loads(table[2]["detail"])["note"] == "閲覧"


def test_rows_filter_newest_first(store):
    _fill(store, 6)
    rows = audit.rows(store, actor="user1")
    assert [r["id"] for r in rows] == [6, 4, 2]
    assert rows[0]["detail"] == {"i": 5, "note": "閲覧"}
