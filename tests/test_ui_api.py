"""The counter view's API through gradio_client, against a real local server (127.0.0.1)."""

from __future__ import annotations

import socket

import pytest

from assistant.app.config import REPO_ROOT, load_config
from assistant.app.services import Services
from assistant.app.store import Store

DEMO = REPO_ROOT / "assistant" / "demo" / "demo_dialogue.wav"
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory, transcriber):
    from assistant.ui.app import build, launch

    tmp = tmp_path_factory.mktemp("ui")
    cfg = load_config(env={"ASSISTANT_DATA_DIR": str(tmp)})
    svc = Services(store=Store(f"sqlite:///{tmp / 'assistant.db'}", cfg=cfg), cfg=cfg,
                   transcriber_factory=lambda: transcriber)
    demo = build(svc)
    port = _free_port()
    handle = launch(demo, host="127.0.0.1", port=port, block=False, quiet=True, store=svc.store)
    yield f"http://127.0.0.1:{port}/", svc
    handle.close()
    svc.shutdown()


@pytest.fixture()
def client(server):
    """A gradio_client logged in as counter staff (the server refuses calls without a session)."""
    from gradio_client import Client

    from assistant.app import accounts

    store = server[1].store
    staff = accounts.get_user(store, "staff1") or accounts.add_user(store, "staff1", "staff")[0]
    token = accounts.create_session(store, staff, "127.0.0.1")
    return Client(server[0], verbose=False, headers={"Cookie": f"assistant_session={token}"})


def test_calls_without_login_are_refused(server):
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(server[0] + "gradio_api/info", timeout=10)
    assert err.value.code == 401


def _text(outputs) -> str:
    return " ".join(str(o) for o in (outputs if isinstance(outputs, (list, tuple)) else [outputs]))


def test_server_binds_to_loopback_only(server):
    from assistant.ui.app import server_address

    assert server[0].startswith("http://127.0.0.1:")
    assert load_config(env={})["server"]["host"] == "127.0.0.1"
    assert server_address()[1] == int(load_config()["server"]["port"])


def test_port_honours_gradio_server_port():
    assert load_config(env={"GRADIO_SERVER_PORT": "7999"})["server"]["port"] == 7999


def test_consultation_through_the_api(client, server):
    out = client.predict(True, api_name="/start")
    assert "相談番号" in _text(out)
    cid = int(client.predict(api_name="/current"))
    out = client.predict(api_name="/demo")
    assert "デモ音声を文字起こししました" in _text(out)
    view = client.predict(cid, api_name="/view")
    assert view["consultation"]["consent"] is True
    segs = view["segments"]
    assert len(segs) >= 8 and all(s["speaker"] in ("staff", "citizen", "unknown") for s in segs)
    assert [s["id"] for s in segs] == sorted(s["id"] for s in segs)

    pinned = client.predict(cid, "housing-security-benefit", api_name="/pin")
    assert pinned == ["housing-security-benefit"]
    draft = client.predict(cid, "next_actions", "次回、通帳と賃貸契約書を持参", api_name="/edit_draft")
    assert draft["fields"]["next_actions"] == "次回、通帳と賃貸契約書を持参"
    view = client.predict(cid, api_name="/view")
    assert view["pinned"] == ["housing-security-benefit"]
    assert "next_actions" in view["draft"]["edited"]

    hits = client.predict("児童扶養", api_name="/search")
    assert any(h["id"] == "child-rearing-allowance" for h in hits)

    out = client.predict(api_name="/end")
    assert "相談を終了しました" in _text(out)
    out = client.predict(api_name="/end")  # ended twice: a clear message, nothing lost
    assert "すでに終了しています" in _text(out)
    assert len(client.predict(cid, api_name="/view")["segments"]) == len(segs)

    from assistant.app import audit

    mine = {(r["action"], r["target"]) for r in audit.rows(server[1].store, 500, actor="staff1")}
    for action in ("create", "view", "edit", "end"):
        assert (action, f"consultation:{cid}") in mine
    assert server[1].store.get_consultation(cid).staff == "staff1"


def test_non_audio_upload_gives_a_japanese_message(client, tmp_path):
    from gradio_client import handle_file

    client.predict(True, api_name="/start")
    cid = int(client.predict(api_name="/current"))
    bad = tmp_path / "notes.pdf"
    bad.write_bytes(b"%PDF-1.4 not audio at all")
    out = client.predict(handle_file(str(bad)), api_name="/upload")
    assert "音声ファイルとして使えません" in _text(out)
    assert client.predict(cid, api_name="/view")["consultation"]["status"] == "open"


def test_unknown_consultation_is_a_clear_error(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="見つかりません"):
        client.predict(999999, api_name="/view")
