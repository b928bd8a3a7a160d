"""End-to-end tests in headless Debian Chromium (Playwright), offline, with a fake microphone.

The server runs as a subprocess (``python app.py``) on 127.0.0.1 with its own data folder, so the
kill -9 test is a real crash of the real server. Chromium is launched with the flags a counter PC
without internet needs (no background traffic, every host name except the local one unresolvable)
and a fresh profile; the demo dialogue is fed in as the microphone.
"""

from __future__ import annotations

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
DEMO = ROOT / "assistant" / "demo" / "demo_dialogue.wav"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
BASE_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost",
]
FAKE_MIC = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={DEMO}%noloop"]

pytestmark = [pytest.mark.browser, pytest.mark.slow]
sync_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    pytest.skip("Debian chromium is not installed (make browser-deps)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``python app.py`` as a subprocess: started, killed (-9) and restarted by the tests."""

    def __init__(self, data_dir: Path, port: int) -> None:
        self.data_dir, self.port, self.proc = data_dir, port, None
        self.url = f"http://127.0.0.1:{port}/"

    def start(self) -> None:
        env = {**os.environ, "ASSISTANT_DATA_DIR": str(self.data_dir), "GRADIO_SERVER_PORT": str(self.port)}
        log = open(self.data_dir / "server.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=env,
                                     stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError((self.data_dir / "server.log").read_text(errors="replace")[-2000:])
            try:
                urllib.request.urlopen(self.url + "login", timeout=2).read(100)  # open without a session
                return
            except OSError:
                time.sleep(0.5)
        raise TimeoutError("server did not start")

    def kill9(self) -> None:
        self.proc.kill()  # SIGKILL: no clean-up code runs
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


STAFF, STAFF_PASSWORD = "counter1", "browser-test-password"


def add_staff(data_dir: Path) -> None:
    """The counter view needs a login: one staff account in the server's own data folder."""
    from assistant.app import accounts
    from assistant.app.config import load_config
    from assistant.app.store import Store

    store = Store(cfg=load_config(env={"ASSISTANT_DATA_DIR": str(data_dir)}))
    if accounts.get_user(store, STAFF) is None:
        accounts.add_user(store, STAFF, "staff", STAFF_PASSWORD)
    store.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("browser-data"), _free_port())
    add_staff(srv.data_dir)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def playwright():
    with sync_api.sync_playwright() as p:
        yield p


def _context(playwright, tmp_path, extra: list[str], grant_mic: bool = False, origin: str = ""):
    profile = tmp_path / f"profile-{time.monotonic_ns()}"
    ctx = playwright.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, headless=True, args=[*BASE_FLAGS, *extra],
        viewport={"width": 1600, "height": 1000}, locale="ja-JP")
    if grant_mic:
        ctx.grant_permissions(["microphone"], origin=origin)
    return ctx


def _login(page) -> None:
    """The view sends a browser without a session to the login form; log in as counter staff."""
    page.wait_for_selector("#username, #start button, button#start", timeout=60_000)
    if "/login" in page.url:
        page.fill("#username", STAFF)
        page.fill("#password", STAFF_PASSWORD)
        page.click("#login-button")


def _open(ctx, url: str, requests: list[str]):
    page = ctx.pages[0] if ctx.pages else ctx.new_page()
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url, wait_until="domcontentloaded")
    _login(page)
    page.wait_for_selector("#start button, button#start", timeout=60_000)
    return page


def _reopen(page, url: str) -> None:
    """Open the view again after a server restart. The old page may be navigating on its own while
    its connection drops (ERR_ABORTED), so a failed navigation is retried once with a fresh load."""
    from playwright.sync_api import Error as PlaywrightError

    try:
        page.reload(wait_until="domcontentloaded")
    except PlaywrightError:
        page.goto(url, wait_until="domcontentloaded")
    _login(page)  # the session survives a restart (kept in the database); log in only if asked
    page.wait_for_selector("#start button, button#start", timeout=60_000)


def _pinned_ids(page) -> list[str]:
    return [li.get_attribute("data-scheme") or "" for li in page.locator("#pinned li[data-scheme]").all()]


def _lines(page) -> list[str]:
    return page.locator("#transcript .line[data-seg]").all_inner_texts()


def _wait(predicate, timeout: float, what: str, page=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    shown = f"; status shows {page.inner_text('#status')!r}" if page is not None else ""
    raise AssertionError(f"timed out waiting for {what}{shown}")


def _assert_local(requests: list[str]) -> None:
    assert requests, "the page made no requests at all?"
    foreign = [u for u in requests if urlparse(u).scheme not in ("blob", "data")
               and urlparse(u).hostname not in ("127.0.0.1", "localhost")]
    assert foreign == [], foreign


def _start_consultation(page) -> None:
    """Start a new consultation and give consent.

    The page may first show an earlier open consultation (the server module is shared), so wait
    for the start notice, not just any status line, before ticking the box: ticking it earlier
    would give consent to the consultation that was on screen, not to the new one.
    """
    page.click("#start")
    _wait(lambda: "新しい相談を開始しました" in page.inner_text("#status"), 120, "the start notice", page)
    page.check("#consent input")
    page.wait_for_selector("#rec-indicator .badge.ok", timeout=60_000)


def test_live_microphone_consultation_survives_kill_9(playwright, server, tmp_path):
    requests: list[str] = []
    ctx = _context(playwright, tmp_path, FAKE_MIC)
    try:
        page = _open(ctx, server.url, requests)
        _start_consultation(page)
        page.click("#mic button.record-button")
        page.wait_for_selector("#rec-indicator[data-state=recording]", timeout=60_000)
        _wait(lambda: len(_lines(page)) >= 3, 90, "three final lines from the microphone")
        before = _lines(page)
        assert all(("話者不明" in line) or ("職員" in line) or ("相談者" in line) for line in before)
        time.sleep(1.0)  # let the commit of the last shown line settle (it is shown after commit)
        committed = len(_lines(page))

        server.kill9()  # mid-consultation, microphone still streaming
        server.start()
        _reopen(page, server.url)
        page.wait_for_selector("#interrupted-box", state="visible", timeout=60_000)
        _wait(lambda: len(_lines(page)) >= committed, 90, "every finalised line after restart")
        after = _lines(page)
        assert after[: len(before)] == before, "finalised utterances are exactly as they were"
        assert "中断された相談があります" in page.inner_text("#interrupted-box")
        page.click("#resume-consultation")
        page.wait_for_selector("#interrupted-box", state="hidden", timeout=60_000)
    finally:
        ctx.close()
    _assert_local(requests)


def test_upload_suggest_pin_edit_reload(playwright, server, tmp_path):
    requests: list[str] = []
    ctx = _context(playwright, tmp_path, [])
    try:
        page = _open(ctx, server.url, requests)
        _start_consultation(page)
        page.set_input_files("#upload input[type=file]", str(DEMO))
        # lines show before the suggestions and the draft are done: wait for the end of the whole step
        _wait(lambda: "録音ファイルを文字起こししました" in page.inner_text("#status"), 420,
              "the recording's transcript", page)
        assert len(_lines(page)) >= 8
        lines = _lines(page)
        assert all(any(lbl in line for lbl in ("話者不明", "職員", "相談者")) for line in lines)
        page.wait_for_selector("#sugg-0 .sugg .reason", timeout=60_000)
        name = page.inner_text("#sugg-0 .sname").strip()
        reason = page.inner_text("#sugg-0 .reason")
        assert name and len(reason.replace("理由：", "").strip()) > 0
        page.click("#pin-0")
        page.wait_for_selector("#pinned li", timeout=60_000)
        # compare the pinned schemes by id: the panel's text can hold the queue's progress timer (「0.1s」)
        pinned = _pinned_ids(page)
        assert pinned
        note = "次回までに賃貸契約書と通帳を用意していただく"
        page.fill("#field-text textarea", note)
        page.click("#save-field")
        page.wait_for_selector("#draft tr[data-field=main_concern] .badge.edit", timeout=60_000)
        assert note in page.inner_text("#draft")

        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "counter-view.png"), full_page=True)
        if os.environ.get("UPDATE_SCREENSHOTS") == "1":  # the README's picture, refreshed on request only
            shutil.copyfile(ARTIFACTS / "counter-view.png", ROOT / "docs" / "screenshot.png")

        page.reload(wait_until="domcontentloaded")
        page.wait_for_selector("#pinned li", timeout=60_000)
        try:
            _wait(lambda: _pinned_ids(page) == pinned, 30, f"the pinned schemes {pinned} after reload", page)
        except AssertionError as err:
            raise AssertionError(f"{err}; pinned panel shows {_pinned_ids(page)}") from None
        assert _lines(page) == lines
        assert note in page.inner_text("#draft")
        assert name in page.inner_text("#pinned")
    finally:
        ctx.close()
    _assert_local(requests)


def test_non_audio_upload_is_refused_with_a_message(playwright, server, tmp_path):
    requests: list[str] = []
    bad = tmp_path / "相談メモ.txt"
    bad.write_text("音声ではありません", encoding="utf-8")
    ctx = _context(playwright, tmp_path, [])
    try:
        page = _open(ctx, server.url, requests)
        _start_consultation(page)
        page.set_input_files("#upload input[type=file]", str(bad))
        _wait(lambda: "音声ファイルとして使えません" in page.inner_text("#status"), 60, "the Japanese message")
        page.click("#end")
        _wait(lambda: "相談を終了しました" in page.inner_text("#status"), 60, "end", page)
        page.click("#end")
        _wait(lambda: "すでに終了しています" in page.inner_text("#status"), 60, "ended twice message")
    finally:
        ctx.close()
    _assert_local(requests)


@pytest.mark.parametrize("case", ["denied", "no-device"])
def test_microphone_unavailable_gives_a_japanese_message(playwright, server, tmp_path, case):
    requests: list[str] = []
    if case == "denied":  # a fake device exists, but the permission prompt is not accepted
        ctx = _context(playwright, tmp_path, ["--use-fake-device-for-media-stream"])
        expected = "マイクの使用が許可されていません"
    else:  # permission granted, but the machine has no microphone
        ctx = _context(playwright, tmp_path, [], grant_mic=True, origin=server.url.rstrip("/"))
        expected = "マイクが見つかりません"
    try:
        page = _open(ctx, server.url, requests)
        _start_consultation(page)
        n = len(_lines(page))
        page.click("#mic button.record-button")
        page.wait_for_selector("#mic-error:not([hidden])", timeout=60_000)
        assert expected in page.inner_text("#mic-error")
        assert len(_lines(page)) == n
    finally:
        ctx.close()
    _assert_local(requests)


def test_login_is_required_and_an_idle_session_is_sent_back_with_a_message(playwright, server, tmp_path):
    from sqlalchemy import update

    from assistant.app import accounts
    from assistant.app.config import load_config
    from assistant.app.store import Store

    requests: list[str] = []
    ctx = _context(playwright, tmp_path, [])
    try:
        page = ctx.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.goto(server.url, wait_until="domcontentloaded")
        page.wait_for_selector("#username", timeout=60_000)
        page.fill("#username", STAFF)
        page.fill("#password", "not-the-password")
        page.click("#login-button")
        page.wait_for_selector("#login-message", timeout=60_000)
        assert "パスワードが違います" in page.inner_text("#login-message")
        _login(page)
        page.wait_for_selector("#start button, button#start", timeout=60_000)
        store = Store(cfg=load_config(env={"ASSISTANT_DATA_DIR": str(server.data_dir)}))
        with store.session() as s:
            s.execute(update(accounts.SessionRow).values(last_seen=accounts.utcnow().replace(year=2000)))
        store.close()
        page.wait_for_url("**/login?*expired=1*", timeout=60_000)  # the next refresh is refused
        assert "有効期限が切れました" in page.inner_text("#login-message")
    finally:
        ctx.close()
    _assert_local(requests)
