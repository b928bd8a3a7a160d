"""The consultation store: real SQLite (WAL), Alembic migrations, durability of committed segments."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap

import pytest

from assistant.app.store import Store
from assistant.asr.transcript import Segment


@pytest.fixture()
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'a.db'}")
    yield s
    s.close()


def test_migrations_create_schema_in_wal_mode(tmp_path, store):
    con = sqlite3.connect(tmp_path / "a.db")
    tables = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
    assert {"consultations", "segments", "audio_files", "suggestions", "drafts", "events", "alembic_version"} <= tables
    assert con.execute("pragma journal_mode").fetchone()[0] == "wal"
    from alembic.script import ScriptDirectory

    from assistant.app.store import MIGRATIONS_DIR

    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    assert con.execute("select version_num from alembic_version").fetchone()[0] == head
    # Opening again runs the migrations again: idempotent, data kept.
    c = store.create_consultation(staff="山田")
    again = Store(f"sqlite:///{tmp_path / 'a.db'}")
    assert again.get_consultation(c.id).staff == "山田"


def test_segments_round_trip_in_time_order(store):
    c = store.create_consultation()
    store.add_segments(c.id, [Segment(2, 5.0, 6.0, "二つ目", speaker="citizen", flags=["low_confidence"])])
    store.add_segments(c.id, [Segment(1, 1.0, 2.5, "一つ目", speaker="staff", confidence=0.8)])
    segs = store.segments(c.id)
    assert [s.id for s in segs] == [1, 2]
    assert segs[1].flags == ["low_confidence"] and segs[0].speaker == "staff"
    assert store.max_segment_id(c.id) == 2
    assert store.set_speaker(c.id, 2, "other") and store.segments(c.id)[1].speaker == "other"
    assert not store.set_speaker(c.id, 99, "staff")


def test_duplicate_segment_id_is_refused(store):
    c = store.create_consultation()
    store.add_segments(c.id, [Segment(1, 0.0, 1.0, "a")])
    with pytest.raises(Exception):  # noqa: B017 - IntegrityError from the driver
        store.add_segments(c.id, [Segment(1, 1.0, 2.0, "b")])
    assert [s.text for s in store.segments(c.id)] == ["a"]


def test_suggestions_keep_staff_status_across_engine_updates(store):
    c = store.create_consultation()
    a = {"scheme_id": "housing-security-benefit", "name": "住居確保給付金", "score": 0.9, "reasons": []}
    b = {"scheme_id": "child-allowance", "name": "児童手当", "score": 0.4, "reasons": []}
    store.record_suggestions(c.id, [a, b])
    store.set_suggestion_status(c.id, "housing-security-benefit", "pinned")
    store.record_suggestions(c.id, [{**a, "score": 0.95}])  # b no longer suggested
    rows = {r.scheme_id: r for r in store.suggestions(c.id)}
    assert rows["housing-security-benefit"].status == "pinned" and rows["housing-security-benefit"].score == 0.95
    assert rows["child-allowance"].active is False
    assert any(e.kind == "suggestion_pinned" for e in store.events(c.id))


def test_draft_versions_are_appended_never_overwritten(store):
    c = store.create_consultation()
    assert store.add_draft(c.id, "auto", {"main_concern": "家賃"}) == 1
    assert store.add_draft(c.id, "staff", {"edits": {"main_concern": "家賃の滞納"}}) == 2
    assert store.add_draft(c.id, "auto", {"main_concern": "家賃と食費"}) == 3
    assert store.latest_draft(c.id, "auto").data["main_concern"] == "家賃と食費"
    assert store.latest_draft(c.id, "staff").data["edits"]["main_concern"] == "家賃の滞納"
    assert [d.version for d in store.draft_versions(c.id)] == [1, 2, 3]


def test_committed_segment_survives_kill(tmp_path):
    """A process that commits a segment and is then killed (SIGKILL) loses nothing committed."""
    db = tmp_path / "k.db"
    code = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {str(tmp_path.parent)!r})
        from assistant.app.store import Store
        from assistant.asr.transcript import Segment
        s = Store("sqlite:///{db}")
        c = s.create_consultation()
        s.add_segments(c.id, [Segment(1, 0.0, 1.0, "家賃が払えません")])
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True)
    assert proc.returncode == -9
    s = Store(f"sqlite:///{db}")
    (c,) = s.open_consultations()
    assert [x.text for x in s.segments(c.id)] == ["家賃が払えません"]
