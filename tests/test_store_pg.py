"""The store on a real PostgreSQL server (started by the test set-up): the same behaviour as on SQLite,
migrations to the newest revision, encryption at rest, and two counters writing at once losing nothing."""

from __future__ import annotations

import threading

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text
from test_store import (  # noqa: F401  (the SQLite suite, collected again here against PostgreSQL)
    test_draft_versions_are_appended_never_overwritten,
    test_duplicate_segment_id_is_refused,
    test_segments_round_trip_in_time_order,
    test_suggestions_keep_staff_status_across_engine_updates,
)

from assistant.app.config import load_config
from assistant.app.store import MIGRATIONS_DIR, Store
from assistant.asr.transcript import Segment


@pytest.fixture()
def cfg(tmp_path):
    return load_config(env={"ASSISTANT_DATA_DIR": str(tmp_path)})


@pytest.fixture()
def store(pg_url, cfg):
    s = Store(pg_url, cfg=cfg)
    yield s
    s.close()


def test_migrations_reach_head_on_postgresql(store, pg_url, cfg):
    with store.engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        tables = set(conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars())
    assert version in ScriptDirectory(str(MIGRATIONS_DIR)).get_heads()
    assert {"consultations", "segments", "users", "sessions", "audit_log", "audit_head", "key_check"} <= tables
    Store(pg_url, cfg=cfg).close()  # opening again: idempotent


def test_personal_columns_are_ciphertext_in_postgresql(store):
    c = store.create_consultation(meta={"citizen": "山田花子"})
    store.add_segments(c.id, [Segment(1, 0.0, 1.0, "山田花子です。090-4321-8765")])
    store.add_draft(c.id, "auto", {"main_concern": "山田花子さんの家賃"})
    with store.engine.connect() as conn:
        raw = [conn.execute(text(q)).scalar_one() for q in (
            "SELECT text FROM segments", "SELECT data::text FROM drafts", "SELECT meta::text FROM consultations")]
    assert all("山田" not in str(v) and "enc1:" in str(v) for v in raw)
    assert store.segments(c.id)[0].text.startswith("山田花子")


def test_two_counters_writing_at_once_lose_nothing(db_url, cfg):
    """Two Store objects (two counters) on one database, on PostgreSQL and on SQLite."""
    store, other = Store(db_url, cfg=cfg), Store(db_url, cfg=cfg)
    cids = [store.create_consultation(counter="A").id, other.create_consultation(counter="B").id]
    errors: list[BaseException] = []

    def counter(s: Store, cid: int) -> None:
        try:
            for i in range(1, 41):
                s.add_segments(cid, [Segment(i, float(i), i + 0.5, f"発言{i}")])
                if i % 10 == 0:
                    s.add_draft(cid, "auto", {"n": i})
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=counter, args=pair) for pair in ((store, cids[0]), (other, cids[1]))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    other.close()
    assert not errors
    for cid in cids:
        assert [s.id for s in store.segments(cid)] == list(range(1, 41))
        assert [d.version for d in store.draft_versions(cid)] == [1, 2, 3, 4]
    store.close()
