"""The login layer: a FastAPI app in front of the Gradio counter view.

Why a FastAPI app and not Gradio's ``auth=``: Gradio's own check has one shared user list, no
roles, no throttling, no idle expiry and no audit. Here one ASGI middleware sees *every* request
(the page, ``/gradio_api`` queue calls, uploads, file downloads, our own JSON routes) and lets it
through only with a live session cookie; routes and Gradio handlers then check the *role* on the
server with :func:`require_role` / :func:`gr_require`, so a hidden button is never the only guard.

The cookie holds a random token (HttpOnly, SameSite=Strict); the database keeps only its hash.
An expired session sends the page to the login form with a Japanese explanation, and API calls
get 401 with the same text. Refusals for lack of role are 403 and are written to the audit log.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable, Iterable
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import quote

import anyio
import gradio as gr
import uvicorn
from fastapi import APIRouter, Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from assistant.app import accounts, audit
from assistant.app.accounts import ROLE_LABELS, LoginError, SessionExpired, User, has_role
from assistant.app.config import get_config
from assistant.app.store import Store, get_store

COOKIE = "assistant_session"
OPEN_PATHS = frozenset({"/login", "/logout", "/favicon.ico"})
DENIED_JA = "この操作には{label}以上の権限が必要です。"
_state: dict[str, Store | None] = {"store": None}

# In the page: a request refused for an expired session sends staff to the login form (with the
# reason) instead of leaving a silently frozen view.
EXPIRY_JS = """<script>(function(){const f=window.fetch;window.fetch=async function(...a){const r=await f.apply(this,a);
if(r.status===401){window.location.href='/login?expired=1&next='+encodeURIComponent(location.pathname);}return r;};})();</script>"""


def store() -> Store:
    return _state["store"] or get_store()


def client_of(request: Any) -> str:
    """The client address of a FastAPI or Gradio request ("" when unknown)."""
    client = getattr(request, "client", None)
    return str(getattr(client, "host", "") or "")


# -- middleware ----------------------------------------------------------------------------------
def _cookie(scope: dict) -> str | None:
    for name, value in scope.get("headers") or []:
        if name == b"cookie":
            jar = SimpleCookie()
            jar.load(value.decode("latin-1"))
            if COOKIE in jar:
                return jar[COOKIE].value
    return None


def _wants_page(scope: dict) -> bool:
    accept = dict(scope.get("headers") or []).get(b"accept", b"")
    return scope.get("method") == "GET" and b"text/html" in accept


class LoginRequired:
    """ASGI middleware: no request reaches the app without a live session."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        token = _cookie(scope)
        try:
            user = await anyio.to_thread.run_sync(accounts.resolve_session, store(), token)
        except SessionExpired as exc:
            await self._refuse(scope, receive, send, str(exc))
            return
        scope.setdefault("state", {})["user"] = user
        await self.app(scope, receive, send)

    async def _refuse(self, scope: dict, receive: Any, send: Any, message: str) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 4401})
            return
        if _wants_page(scope):
            expired = "&expired=1" if message == accounts.EXPIRED_JA else ""
            response = RedirectResponse(f"/login?next={quote(scope['path'])}{expired}", status_code=303)
        else:
            response = JSONResponse({"detail": message}, status_code=401)
        await response(scope, receive, send)


# -- dependencies for FastAPI routes ---------------------------------------------------------------
def current_user(request: Request) -> User:
    user = getattr(request.state, "user", None)
    if user is None:
        raise HTTPException(401, accounts.NOT_LOGGED_IN_JA)
    return user


def deny(user: User, role: str, target: str, client: str, detail: dict | None = None) -> str:
    """Audit a refusal and return the Japanese message."""
    audit.record(store(), actor=user.name, role=user.role, action="denied", target=target[:200], client=client,
                 detail={"needs": role, **(detail or {})})
    return DENIED_JA.format(label=ROLE_LABELS[role])


def require_role(role: str) -> Callable[..., User]:
    """FastAPI dependency: the current user if they hold ``role`` (or higher); else 403, audited."""

    def dependency(request: Request, user: User = Depends(current_user)) -> User:
        if not has_role(user, role):
            raise HTTPException(403, deny(user, role, request.url.path, client_of(request),
                                          {"method": request.method}))
        return user

    return dependency


# -- helpers for Gradio event handlers -----------------------------------------------------------------
def gr_user(request: gr.Request | None) -> User:
    """The logged-in user of a Gradio event (``request: gr.Request`` parameter of the handler)."""
    token = (getattr(request, "cookies", None) or {}).get(COOKIE) if request is not None else None
    try:
        return accounts.resolve_session(store(), token)
    except SessionExpired as exc:
        raise gr.Error(str(exc)) from exc


def gr_require(request: gr.Request | None, role: str, *, action: str = "", target: str = "") -> User:
    """The user if they hold ``role``; otherwise an audited refusal shown as a Japanese error."""
    user = gr_user(request)
    if not has_role(user, role):
        raise gr.Error(deny(user, role, target or action, client_of(request), {"action": action}))
    return user


# -- login page -----------------------------------------------------------------------------------------
LOGIN_CSS = """body{font-family:'Noto Sans CJK JP','Noto Sans JP',sans-serif;background:#f5f6f8;color:#222}
main{max-width:26rem;margin:8vh auto;background:#fff;padding:2rem 2.2rem;border-radius:10px;
box-shadow:0 1px 4px rgba(0,0,0,.12)}h1{font-size:1.35rem;margin:0 0 1.2rem}label{display:block;margin:.9rem 0 .3rem}
input{width:100%;box-sizing:border-box;font-size:1.1rem;padding:.55rem;border:1px solid #bbb;border-radius:6px}
button{margin-top:1.4rem;width:100%;font-size:1.1rem;padding:.7rem;background:#2b5fab;color:#fff;border:0;border-radius:6px}
.msg{background:#fff4e5;border-left:4px solid #e08a00;padding:.6rem .8rem;margin-bottom:1rem}"""


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


def login_page(message: str = "", next_url: str = "/", name: str = "") -> str:
    msg = f"<p class='msg' id='login-message' role='alert'>{html.escape(message)}</p>" if message else ""
    return f"""<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>ログイン — 窓口相談アシスタント</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>{LOGIN_CSS}</style></head><body><main>
<h1>窓口相談アシスタント</h1>{msg}<form method="post" action="/login">
<input type="hidden" name="next" value="{html.escape(_safe_next(next_url))}">
<label for="username">利用者名</label><input id="username" name="username" autocomplete="username" value="{html.escape(name)}" required autofocus>
<label for="password">パスワード</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit" id="login-button">ログイン</button></form></main></body></html>"""


def auth_router() -> APIRouter:
    r = APIRouter()

    @r.get("/login", response_class=HTMLResponse)
    def login_form(next: str = "/", expired: int = 0) -> HTMLResponse:  # noqa: A002
        return HTMLResponse(login_page(accounts.EXPIRED_JA if expired else "", next))

    @r.post("/login")
    def login(request: Request, username: str = Form(""), password: str = Form(""),
              next: str = Form("/")) -> Any:  # noqa: A002
        client = client_of(request)
        try:
            user = accounts.authenticate(store(), username.strip(), password, client)
        except LoginError as exc:
            status = 429 if "しばらく" in str(exc) else 401
            return HTMLResponse(login_page(str(exc), next, username), status_code=status)
        token = accounts.create_session(store(), user, client)
        response = RedirectResponse(_safe_next(next), status_code=303)
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/")
        return response

    @r.get("/logout")
    def logout(request: Request) -> RedirectResponse:
        token = request.cookies.get(COOKIE)
        try:
            user = accounts.resolve_session(store(), token)
            audit.record(store(), actor=user.name, role=user.role, action="logout", client=client_of(request))
        except SessionExpired:
            pass
        accounts.end_session(store(), token)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    @r.get("/api/me")
    def me(user: User = Depends(current_user)) -> dict:
        return {"name": user.name, "display_name": user.display_name, "role": user.role,
                "role_label": user.role_label}

    @r.get("/api/audit")
    def audit_rows(request: Request, limit: int = 200, actor: str | None = None, action: str | None = None,
                   user: User = Depends(require_role("supervisor"))) -> list[dict]:
        audit.record(store(), actor=user.name, role=user.role, action="view", target="audit_log",
                     client=client_of(request))
        return audit.rows(store(), min(max(limit, 1), 5000), actor=actor, action=action)

    @r.get("/api/users")
    def users(user: User = Depends(require_role("admin"))) -> list[dict]:
        return accounts.list_users(store())

    return r


# -- the app -----------------------------------------------------------------------------------------------
def create_app(blocks: gr.Blocks, *, store_: Store | None = None, routers: Iterable[APIRouter] = (),
               **mount_kwargs: Any) -> FastAPI:
    """FastAPI app: login routes, extra routers (before Gradio), then the Blocks at ``/``, all behind login."""
    _state["store"] = store_
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(auth_router())
    for router in routers:
        app.include_router(router)
    mount_kwargs["head"] = (mount_kwargs.get("head") or "") + EXPIRY_JS
    app = gr.mount_gradio_app(app, blocks, path="", **mount_kwargs)
    app.add_middleware(LoginRequired)
    return app


class ServerHandle:
    """A uvicorn server in a background thread (tests, ``launch(block=False)``)."""

    def __init__(self, server: uvicorn.Server, thread: threading.Thread) -> None:
        self.server, self.thread = server, thread

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def serve(app: FastAPI, host: str, port: int, *, block: bool = True) -> ServerHandle | None:
    """Run ``app`` with uvicorn on host:port (127.0.0.1 unless configured)."""
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    if block:
        server.run()
        return None
    thread = threading.Thread(target=server.run, name="http", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    if not server.started:
        raise RuntimeError(f"サーバーを起動できません / server did not start on {host}:{port}")
    return ServerHandle(server, thread)


def login_hint(store_: Store) -> str:
    """What the console says at start: how to log in (and how to create the first admin)."""
    idle = get_config()["security"]["session_idle_minutes"]
    if not accounts.list_users(store_):
        return ("利用者が登録されていません。最初の管理者を作成してください: .venv/bin/assistant users bootstrap"
                " / no users yet: run `assistant users bootstrap` to create the first admin.")
    return (f"ブラウザでログインしてください（利用者名とパスワード。{idle} 分操作がないと再ログイン）。"
            "利用者の追加: .venv/bin/assistant users add NAME --role staff|supervisor|admin"
            " / log in with your user name and password.")


def gr_audit(request: gr.Request | None, action: str, target: str, detail: dict | None = None) -> None:
    """Audit a counter-view action by the logged-in user (ids and field names only, no content)."""
    try:
        user = gr_user(request)
    except gr.Error:
        return  # the request itself is refused by the middleware; nothing happened to audit
    audit.record(store(), actor=user.name, role=user.role, action=action, target=target,
                 client=client_of(request), detail=detail)
