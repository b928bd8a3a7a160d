"""End-to-end review in headless Debian Chromium: counter → supervisor → counter → supervisor → export.

A staff member logs in, holds a consultation (the demo recording is transcribed by the real Whisper
model), calls the supervisor with 「相談したい」 (the live view shows the running consultation and the
call), ends and submits it. The supervisor opens it, plays a segment, clicks a record line to see its
evidence, edits a field and returns it with a comment; the staff member sees the comment and resubmits;
the supervisor approves and exports CSV, which the test opens (BOM, columns, no personal data). Every
request the pages make must be local, and the audit chain must verify afterwards.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync",
         "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost"]
PASSWORD = "correct-horse-battery"

pytestmark = [pytest.mark.browser, pytest.mark.slow]
sync_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    pytest.skip("Debian chromium is not installed (make browser-deps)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(data_dir: Path, port: int = 0) -> dict[str, str]:
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    if port:
        env["GRADIO_SERVER_PORT"] = str(port)
    return env


def _store(data_dir: Path):
    from assistant.app.config import load_config
    from assistant.app.store import Store

    cfg = load_config(env={"ASSISTANT_DATA_DIR": str(data_dir)})
    return Store(f"sqlite:///{data_dir / 'assistant.db'}", cfg=cfg)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from assistant.app import accounts

    data_dir = tmp_path_factory.mktemp("review-data")
    store = _store(data_dir)
    for name, role in (("sato", "staff"), ("kacho", "supervisor")):
        accounts.add_user(store, name, role, PASSWORD)
    store.close()
    port = _free_port()
    log = open(data_dir / "server.log", "ab")  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=_env(data_dir, port),
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError((data_dir / "server.log").read_text(errors="replace")[-3000:])
        try:
            urllib.request.urlopen(url + "/login", timeout=2).read(100)
            break
        except OSError:
            time.sleep(0.5)
    yield url, data_dir
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()


def _login(browser, url: str, name: str, requests: list[str], landing: str):
    ctx = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="ja-JP", accept_downloads=True)
    ctx.set_default_timeout(90_000)  # the machine may be busy: waits are generous, never sleeps
    page = ctx.new_page()
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{url}/login?next={landing}")
    page.fill("#username", name)
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    page.wait_for_load_state("domcontentloaded")
    return ctx, page


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def _assert_local(requests: list[str]) -> None:
    assert requests
    foreign = [u for u in requests if urlparse(u).scheme not in ("blob", "data")
               and urlparse(u).hostname not in ("127.0.0.1", "localhost")]
    assert foreign == [], foreign


def _counter_consultation(page) -> None:
    """Start, consent, transcribe the demo recording."""
    page.wait_for_selector("#start button, button#start", timeout=90_000)
    page.click("#start")
    _wait(lambda: "新しい相談を開始しました" in page.inner_text("#status"), 120, "the start notice")
    page.check("#consent input")
    page.wait_for_selector("#rec-indicator .badge.ok", timeout=60_000)
    page.click("#demo")
    # lines show before the suggestions and the draft are done: wait for the end of the whole step
    _wait(lambda: "デモ音声を文字起こししました" in page.inner_text("#status"), 420, "the demo transcript")
    assert page.locator("#transcript .line[data-seg]").count() >= 8


def _latest_id(data_dir: Path) -> int:
    store = _store(data_dir)
    try:
        return store.list_consultations(limit=1)[0].id
    finally:
        store.close()


def test_review_round_trip(browser, server):
    url, data_dir = server
    requests: list[str] = []
    staff_ctx, staff = _login(browser, url, "sato", requests, "/")
    boss_ctx, boss = _login(browser, url, "kacho", requests, "/live")
    try:
        _counter_consultation(staff)
        cid = _latest_id(data_dir)
        staff.click("#help-call")
        staff.wait_for_selector("#help-pending", timeout=120_000)  # stays until a supervisor answers

        # live view: the running consultation with the call; its transcript read-only
        boss.goto(f"{url}/live")
        boss.wait_for_selector(f"#live-rows tr[data-id='{cid}'] .helpcall")
        assert "sato" in boss.inner_text(f"#live-rows tr[data-id='{cid}']")
        boss.click(f"#live-rows tr[data-id='{cid}'] a")
        boss.wait_for_selector("#live-transcript .seg")
        boss.click("#ack")
        boss.wait_for_load_state("domcontentloaded")
        staff.wait_for_selector("#help-pending", state="detached", timeout=60_000)  # the answer reaches the counter

        # the staff member ends and submits from the counter view (聞き取り漏れ are shown beside the button)
        staff.click("#end")
        _wait(lambda: "相談を終了しました" in staff.inner_text("#status"), 300, "the end of the consultation")
        open_gaps = staff.locator("#gaps li").count()  # 聞き取り漏れ are in view beside the button
        staff.click("#submit-review")
        _wait(lambda: "確認待ちにしました" in staff.inner_text("#status"), 180, "the submission notice")
        assert (f"{open_gaps} 件" in staff.inner_text("#status")) == (open_gaps > 0)

        # the supervisor opens it, plays a segment, follows a line's evidence, edits and returns it
        boss.goto(f"{url}/review?status=pending")
        boss.click(f"#records tr[data-id='{cid}'] a")
        boss.wait_for_selector("#transcript-panel .seg")
        with boss.expect_response(lambda r: "/audio/" in r.url) as resp:
            boss.locator(".play").first.click()
        assert resp.value.status == 200 and resp.value.headers["content-type"] == "audio/wav"
        line = boss.locator(".line[data-ev]:not([data-ev=''])").first
        ev = line.get_attribute("data-ev").split(",")
        line.click()
        highlighted = boss.eval_on_selector_all(".seg.hl", "els => els.map(e => e.id)")
        assert highlighted and set(highlighted) == {f"seg-{i}" for i in ev}
        ARTIFACTS.mkdir(exist_ok=True)
        boss.screenshot(path=str(ARTIFACTS / "review-view.png"))
        boss.click("#edit-box summary")
        boss.select_option("#edit-field", "notes")
        boss.fill("#edit-text", "家賃の滞納額を次回確認する")
        boss.click("#edit-save")
        boss.wait_for_selector(".msg")
        boss.fill("#return-comment", "世帯の収入を聞き取って追記してください")
        boss.click("#return")
        boss.wait_for_selector("#review-status.st-returned")

        # the staff member sees the comment (from the counter view's link) and resubmits
        staff.goto(f"{url}/")
        staff.click("#my-records")
        staff.wait_for_url(f"{url}/mine")
        assert "世帯の収入を聞き取って追記してください" in staff.inner_text(f"#mine tr[data-id='{cid}']")
        staff.click(f"#mine tr[data-id='{cid}'] a")
        assert "世帯の収入" in staff.inner_text("#return-comment-shown")
        staff.click("#submit")
        staff.wait_for_selector("#review-status.st-pending")

        # the supervisor approves and exports CSV
        boss.goto(f"{url}/review/{cid}")
        boss.click("#history summary")
        history = boss.inner_text("#history")
        assert "kacho" in history and "差戻し" in history
        boss.click("#approve")
        boss.wait_for_selector("#review-status.st-approved")
        boss.goto(f"{url}/review?status=approved")
        with boss.expect_download() as dl:
            boss.click("#export-csv")
        raw = Path(dl.value.path()).read_bytes()
        boss.goto(f"{url}/overview")
        boss.wait_for_selector(".plotly-graph-div .main-svg")
        boss.screenshot(path=str(ARTIFACTS / "overview.png"), full_page=True)
    finally:
        staff_ctx.close()
        boss_ctx.close()
    _assert_local(requests)
    _check_csv(raw, cid, data_dir)
    _check_audit(data_dir)
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":  # the README's pictures, refreshed on request only
        for name, doc in (("review-view.png", "screenshot-review.png"), ("overview.png", "screenshot-overview.png")):
            shutil.copyfile(ARTIFACTS / name, ROOT / "docs" / doc)


def _check_csv(raw: bytes, cid: int, data_dir: Path) -> None:
    from assistant.app.review import ReviewService
    from assistant.record.export import CSV_COLUMNS

    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM so that Excel opens it"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    row = dict(zip(rows[0], next(r for r in rows[1:] if r[0] == str(cid)), strict=True))
    assert row["状態"] == "承認済み" and row["マスク"] == "あり" and row["受付者"] == "sato"
    store = _store(data_dir)
    try:
        rec = ReviewService(store, audit_sink=lambda *a: None).final_record(cid, masked=False)
    finally:
        store.close()
    personal = [e["text"] for e in rec.get("entities", []) if len(e.get("text", "")) >= 2]
    text = raw.decode("utf-8-sig")
    assert [p for p in personal if p in text] == []


def _check_audit(data_dir: Path) -> None:
    from assistant.app import audit

    store = _store(data_dir)
    try:
        actions = {r["action"] for r in audit.rows(store, limit=5000)}
        assert {"submit", "return", "approve", "edit", "export", "help", "view"} <= actions
        assert audit.verify(store).ok
    finally:
        store.close()
    cli = subprocess.run([str(Path(sys.executable).parent / "assistant"), "audit", "verify"], env=_env(data_dir),
                         capture_output=True, text=True, cwd=ROOT)
    assert cli.returncode == 0, cli.stdout + cli.stderr
