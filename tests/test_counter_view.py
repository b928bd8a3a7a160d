"""Counter view handlers against a real store: what the page shows survives concurrent refreshes."""

from __future__ import annotations

import pytest

from assistant.app.config import load_config
from assistant.app.services import Services
from assistant.app.store import Store
from assistant.ui.app import CounterHandlers


@pytest.fixture()
def handlers(tmp_path):
    cfg = load_config(env={"ASSISTANT_DATA_DIR": str(tmp_path)})
    store = Store(cfg=cfg)
    svc = Services(store=store, cfg=cfg)
    yield CounterHandlers(svc), svc
    svc.shutdown()
    store.close()


def _status(out: list) -> str | None:
    return out[0] if isinstance(out[0], str) else None  # None: unchanged (skipped)


def test_a_refresh_that_read_old_page_state_keeps_the_actions_message(handlers):
    h, svc = handlers
    cid = svc.start_consultation(staff="窓口1", consent=True)
    before = h.snapshot(cid, {}, force=True)[-1]
    answered = h.snapshot(cid, before, notice="録音ファイルを文字起こししました（3 件の発言）。")
    assert "録音ファイルを文字起こししました" in _status(answered)
    # the periodic refresh started before the action's answer: it still holds the page state from before
    stale = h.snapshot(cid, before)
    assert "録音ファイルを文字起こししました" in (_status(stale) or "")
    # and the refresh after it shows the same message or leaves the line as it is
    later = h.snapshot(cid, stale[-1])
    assert _status(later) is None or "録音ファイルを文字起こししました" in _status(later)


def test_a_message_belongs_to_its_consultation(handlers):
    h, svc = handlers
    first = svc.start_consultation(staff="窓口1", consent=True)
    h.snapshot(first, {}, notice="相談を終了しました。")
    second = svc.start_consultation(staff="窓口1", consent=False)
    shown = _status(h.snapshot(second, {}, force=True))
    assert "相談を終了しました" not in shown and f"相談番号 {second}" in shown
    assert "相談を終了しました" in _status(h.snapshot(first, {}, force=True))
