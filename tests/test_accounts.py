"""Accounts, login throttling, session expiry and server-side role checks (real SQLite, real HTTP stack)."""

from __future__ import annotations

import datetime as dt
import time

import gradio as gr
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from assistant.app import accounts, audit
from assistant.app.config import load_config
from assistant.app.store import Store


@pytest.fixture()
def store(tmp_path):
    cfg = load_config(env={"ASSISTANT_DATA_DIR": str(tmp_path), "ASSISTANT_SECURITY_MAX_FAILED_LOGINS": "3",
                           "ASSISTANT_SECURITY_LOCKOUT_MINUTES": "0.05"})
    s = Store(f"sqlite:///{tmp_path / 'a.db'}", cfg=cfg)
    yield s
    s.close()


@pytest.fixture()
def people(store):
    pw = {}
    for name, role in (("tanaka", "staff"), ("sato", "supervisor"), ("root", "admin")):
        pw[name] = accounts.add_user(store, name, role)[1]
    return pw


def test_passwords_are_hashed_and_roles_are_ordered(store, people):
    with store.engine.connect() as conn:
        hashes = [r[0] for r in conn.exec_driver_sql("SELECT password_hash FROM users")]
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert not any(pw in h for pw in people.values() for h in hashes)
    staff = accounts.authenticate(store, "tanaka", people["tanaka"], "10.0.0.1")
    assert accounts.has_role(staff, "staff") and not accounts.has_role(staff, "supervisor")
    admin = accounts.authenticate(store, "root", people["root"], "10.0.0.1")
    assert accounts.has_role(admin, "supervisor") and accounts.has_role(admin, "admin")
    with pytest.raises(accounts.AccountError):
        accounts.add_user(store, "short", "staff", "abc")
    with pytest.raises(accounts.AccountError):
        accounts.add_user(store, "x", "boss")


def test_disable_passwd_remove(store, people):
    token = accounts.create_session(store, accounts.authenticate(store, "tanaka", people["tanaka"], "c"), "c")
    accounts.set_disabled(store, "tanaka")
    with pytest.raises(accounts.SessionExpired):
        accounts.resolve_session(store, token)
    with pytest.raises(accounts.LoginError, match="無効"):
        accounts.authenticate(store, "tanaka", people["tanaka"], "c")
    accounts.set_disabled(store, "tanaka", False)
    new = accounts.set_password(store, "tanaka")
    with pytest.raises(accounts.LoginError):
        accounts.authenticate(store, "tanaka", people["tanaka"], "c")
    assert accounts.authenticate(store, "tanaka", new, "c").name == "tanaka"
    accounts.remove_user(store, "tanaka")
    assert "tanaka" not in {u["name"] for u in accounts.list_users(store)}
    actions = [r["action"] for r in audit.rows(store)]
    for a in ("user_disable", "user_enable", "user_passwd", "user_remove"):
        assert a in actions


def test_wrong_password_locks_user_then_lock_passes(store, people):
    for _ in range(3):
        with pytest.raises(accounts.LoginError, match="違います"):
            accounts.authenticate(store, "sato", "wrong-password", "10.0.0.2")
    # locked: even the right password is refused, from another client too
    with pytest.raises(accounts.LoginError, match="しばらく"):
        accounts.authenticate(store, "sato", people["sato"], "10.0.0.3")
    assert sum(r["action"] == "login_failed" for r in audit.rows(store)) == 4
    time.sleep(3.2)  # lockout_minutes = 0.05
    assert accounts.authenticate(store, "sato", people["sato"], "10.0.0.3").name == "sato"


def test_one_client_guessing_many_users_is_locked(store, people):
    for name in ("a1", "a2", "a3"):
        with pytest.raises(accounts.LoginError):
            accounts.authenticate(store, name, "whatever-password", "10.9.9.9")
    with pytest.raises(accounts.LoginError, match="しばらく"):
        accounts.authenticate(store, "root", people["root"], "10.9.9.9")
    assert accounts.authenticate(store, "root", people["root"], "10.1.1.1").role == "admin"


def test_idle_session_expires_with_japanese_message(store, people):
    user = accounts.authenticate(store, "tanaka", people["tanaka"], "c")
    token = accounts.create_session(store, user, "c")
    assert accounts.resolve_session(store, token).name == "tanaka"
    _age_sessions(store, minutes=31)
    with pytest.raises(accounts.SessionExpired) as err:
        accounts.resolve_session(store, token)
    assert "有効期限が切れました" in str(err.value)
    with pytest.raises(accounts.SessionExpired):
        accounts.resolve_session(store, token)  # stays ended


def _age_sessions(store: Store, minutes: float) -> None:
    with store.session() as s:
        s.execute(update(accounts.SessionRow).values(last_seen=accounts.utcnow() - dt.timedelta(minutes=minutes)))


# -- over HTTP: the FastAPI layer in front of a (small, real) Gradio app ---------------------------------
@pytest.fixture()
def http(store, people):
    from assistant.ui import auth

    with gr.Blocks() as blocks:
        box = gr.Textbox(elem_id="who")
        btn = gr.Button("who")

        def who(request: gr.Request):
            return auth.gr_user(request).name

        def approve(request: gr.Request) -> str:
            return auth.gr_require(request, "supervisor", action="approve", target="consultation:1").name

        btn.click(who, outputs=box, api_name="who")
        gr.api(approve, api_name="approve")
    blocks.queue()
    app = auth.create_app(blocks, store_=store, ssr_mode=False)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield client


def _login(client: TestClient, name: str, password: str) -> None:
    client.cookies.clear()
    r = client.post("/login", data={"username": name, "password": password, "next": "/"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert "assistant_session" in r.cookies


def test_no_session_no_access(http):
    r = http.get("/", headers={"accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert http.get("/gradio_api/info").status_code == 401
    assert http.get("/api/audit").status_code == 401
    page = http.get("/login")
    assert page.status_code == 200 and "ログイン" in page.text


def test_staff_calling_supervisor_and_admin_routes_is_refused_and_audited(http, store, people):
    _login(http, "tanaka", people["tanaka"])
    assert http.get("/", headers={"accept": "text/html"}).status_code == 200
    assert http.get("/api/me").json()["role"] == "staff"
    for path in ("/api/audit", "/api/users"):
        r = http.get(path)
        assert r.status_code == 403
        assert "権限" in r.json()["detail"]
    denied = [r for r in audit.rows(store) if r["action"] == "denied"]
    assert {d["target"] for d in denied} >= {"/api/audit", "/api/users"}
    assert all(d["actor"] == "tanaka" for d in denied)
    _login(http, "sato", people["sato"])
    assert http.get("/api/audit").status_code == 200
    assert http.get("/api/users").status_code == 403
    _login(http, "root", people["root"])
    assert {u["name"] for u in http.get("/api/users").json()} == {"tanaka", "sato", "root"}


def _call(client: TestClient, api_name: str) -> str:
    """Gradio's queue protocol through the same ASGI app: join, then read the event stream."""
    r = client.post(f"/gradio_api/call/{api_name}", json={"data": []})
    assert r.status_code == 200, r.text
    return client.get(f"/gradio_api/call/{api_name}/{r.json()['event_id']}").text


def test_gradio_handler_checks_role_on_server(http, store, people):
    _login(http, "tanaka", people["tanaka"])
    assert "tanaka" in _call(http, "who")
    assert "error" in _call(http, "approve")
    assert any(x["action"] == "denied" and x["detail"].get("action") == "approve" for x in audit.rows(store))
    _login(http, "sato", people["sato"])
    out = _call(http, "approve")
    assert "sato" in out and "error" not in out


def test_wrong_password_over_http_is_throttled(http, people):
    for _ in range(3):
        r = http.post("/login", data={"username": "sato", "password": "nope-nope-nope"}, follow_redirects=False)
        assert r.status_code == 401 and "違います" in r.text
    r = http.post("/login", data={"username": "sato", "password": people["sato"]}, follow_redirects=False)
    assert r.status_code == 429 and "しばらくログインできません" in r.text


def test_expired_session_over_http(http, store, people):
    _login(http, "tanaka", people["tanaka"])
    assert http.get("/api/me").status_code == 200
    _age_sessions(store, minutes=31)
    r = http.get("/api/me")
    assert r.status_code == 401 and "有効期限が切れました" in r.json()["detail"]
    _login(http, "tanaka", people["tanaka"])
    _age_sessions(store, minutes=31)
    page = http.get("/", headers={"accept": "text/html"})
    assert page.url.path == "/login" and "有効期限が切れました" in page.text
