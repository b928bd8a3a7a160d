"""Shared test fixtures. Real models only: a loaded Whisper and GiNZA are session-scoped."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
sys.path.insert(0, str(ROOT))

# Tests use their own data folder so they never touch a real counter's database.
os.environ.setdefault("ASSISTANT_DATA_DIR", str(ROOT / "data" / "test"))

import assistant.offline  # noqa: E402,F401


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def transcriber():
    from assistant.asr.transcribe import Transcriber

    return Transcriber()


@pytest.fixture(scope="session", autouse=True)
def learned_artefacts() -> None:
    """Set-up, not run time: the suggestion ranker, the category classifier and the personal-data
    tagger must exist under models/ (as ``make setup`` leaves them); train the missing or out-of-date
    ones once for the session."""
    from assistant.learn.train import needs_training, train_all

    stale = needs_training()
    if stale:
        train_all(report=lambda _line: None, only=stale)


@pytest.fixture(scope="session", autouse=True)
def speaker_role_model():
    """The speaker-role classifier artefact (``make setup`` trains it; trained here if missing)."""
    from assistant.asr.roles import model_path
    from assistant.learn.speaker_roles import train

    path = model_path()
    if not path.exists():
        train(out=path)
    return path


# -- PostgreSQL for the store and audit suites: a real server started here (pgserver bundles the
# binaries and runs them as an unprivileged user even when the tests run as root). ----------------
@pytest.fixture(scope="session")
def pg_server(tmp_path_factory):
    try:
        import pgserver
    except ImportError:
        pytest.skip("PostgreSQL tests need pgserver (pip package, in the lock file)")
    try:
        # Outside pytest's own temporary root: pytest makes that root 0700 again whenever another
        # pytest session starts, and the server (an unprivileged user) would lose its data folder.
        pgdata = Path(tempfile.mkdtemp(prefix="assistant-test-pg-"))
        server = pgserver.get_server(pgdata, cleanup_mode="stop")
    except Exception as exc:  # noqa: BLE001 - any start failure is a visible skip reason
        pytest.skip(f"PostgreSQL server could not start: {exc}")
    yield server
    server.cleanup()
    shutil.rmtree(pgdata, ignore_errors=True)


@pytest.fixture()
def pg_url(pg_server):
    """A fresh, empty PostgreSQL database for one test (SQLAlchemy URL, psycopg 3)."""
    import uuid

    name = f"t_{uuid.uuid4().hex[:12]}"
    pg_server.psql(f"CREATE DATABASE {name};")
    return pg_server.get_uri(name).replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """The same suite on SQLite (WAL file) and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'a.db'}"
    return request.getfixturevalue("pg_url")
