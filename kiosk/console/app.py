"""The staff console: a Starlette app served by uvicorn over HTTPS.

Routes:

- ``GET /login``, ``POST /login``, ``/static/*``: the only things open without a session.
- ``GET /``: the page (redirects to ``/login`` without a session).
- ``POST /logout``: ends the session (CSRF token in the form).
- ``GET /api/kiosks``: the kiosk list as JSON; ``GET /events``: the same, live (server-sent
  events). Both answer 401 without a session.
- ``POST /api/kiosks/{kiosk_id}/{acknowledge|message|out-of-service|back-in-service}``: staff
  actions (JSON body, ``X-CSRF-Token`` header); 401 without a session, 403 without the token.
- ``/link``: the kiosks' websocket (bearer token, compared in constant time).

Sessions live in memory on the server (the cookie holds a random id only: HttpOnly, Secure,
SameSite=Strict, ``__Host-`` prefix) and end after :data:`IDLE_S` without a request or
:data:`MAX_AGE_S` after sign-in. Every sign-in and action is audited with the librarian as
``console:NAME``; the page shows codes, counts, times and staff names, never a citizen's data.
"""

from __future__ import annotations

import asyncio
import hmac
import html
import itertools
import json
import logging
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket

from kiosk.audit import AuditError, AuditTrail
from kiosk.console.accounts import Librarians, Verdict
from kiosk.console.protocol import (
    ACTOR_PREFIX,
    MAX_MESSAGE,
    OUT_OF_SERVICE_REASONS,
    ProtocolError,
    check_snapshot,
    is_code,
    parse_action,
)
from kiosk.console.texts import (
    fault_text,
    language_of,
    refusal_texts,
    step_label,
    text,
    texts,
)
from kiosk.console.tls import LinkTokens

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
#: The session cookie (``__Host-``: Secure, Path=/, no Domain, so no other host can set it).
COOKIE = "__Host-pasboks-console"
#: A session ends after this long without a request from the librarian ...
IDLE_S = 3600.0
#: ... and this long after sign-in in any case.
MAX_AGE_S = 12 * 3600.0
#: How long an action waits for the kiosk's answer.
ACTION_TIMEOUT_S = 5.0
#: A comment is sent on the event stream this often, so a dead browser is noticed.
HEARTBEAT_S = 15.0
#: URL names of the actions, and the link's names for them.
ACTION_ROUTES = {"acknowledge": "acknowledge_help", "message": "message",
                 "out-of-service": "out_of_service", "back-in-service": "back_in_service"}
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


@dataclass
class WebSession:
    """A signed-in librarian's browser session."""

    id: str
    name: str
    csrf: str
    created: float
    last_seen: float


class Sessions:
    """Server-side sessions with idle and absolute expiry."""

    def __init__(self, idle_s: float = IDLE_S, max_age_s: float = MAX_AGE_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.idle_s = idle_s
        self.max_age_s = max_age_s
        self.clock = clock
        self._sessions: dict[str, WebSession] = {}

    def create(self, name: str) -> WebSession:
        now = self.clock()
        session = WebSession(secrets.token_urlsafe(32), name, secrets.token_urlsafe(32), now, now)
        self._sessions[session.id] = session
        return session

    def get(self, session_id: str | None, *, touch: bool = True) -> WebSession | None:
        """The live session with this id (None when unknown or expired)."""
        if not session_id:
            return None
        session = self._sessions.get(session_id)
        if session is None:
            return None
        now = self.clock()
        if now - session.last_seen > self.idle_s or now - session.created > self.max_age_s:
            self._sessions.pop(session_id, None)
            return None
        if touch:
            session.last_seen = now
        return session

    def drop(self, session_id: str) -> None:
        self._sessions.pop(session_id, None)


@dataclass
class KioskEntry:
    """A kiosk the console has heard from."""

    kiosk_id: str
    snapshot: dict[str, Any]
    received: float
    connection: WebSocket | None = None
    pending: dict[int, asyncio.Future[str]] = field(default_factory=dict)


class Console:
    """The console's state: kiosks, sessions, live listeners, and what it audits."""

    def __init__(self, librarians: Librarians | None, tokens: LinkTokens,
                 trail: AuditTrail | None, *, language: str = "da",
                 sessions: Sessions | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.librarians = librarians
        self.tokens = tokens
        self.trail = trail
        self.language = language_of(language)
        self.sessions = sessions or Sessions()
        self.clock = clock
        self.kiosks: dict[str, KioskEntry] = {}
        self._listeners: set[asyncio.Queue[None]] = set()
        self._numbers = itertools.count(1)
        self._loop: asyncio.AbstractEventLoop | None = None
        self.closing = False

    # --- live updates ---------------------------------------------------------------------

    def changed(self) -> None:
        """Wake every event stream (on the event loop)."""
        for queue in list(self._listeners):
            if queue.empty():
                queue.put_nowait(None)

    def close(self) -> None:
        """End the event streams (any thread), so the server can stop at once."""
        self.closing = True
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self.changed)

    def view(self) -> dict[str, Any]:
        """The kiosk list for the page: labels in the staff language, times as epoch seconds."""
        language = self.language
        kiosks = [self._kiosk_view(entry, language)
                  for entry in sorted(self.kiosks.values(),
                                      key=lambda e: (e.snapshot["name"], e.kiosk_id))]
        return {"now": self.clock(), "kiosks": kiosks}

    @staticmethod
    def _kiosk_view(entry: KioskEntry, language: str) -> dict[str, Any]:
        snap = entry.snapshot
        at = entry.received
        help_call = snap["help"]
        refusal = snap["last_refusal"]
        applications = snap["applications"]
        words = texts(language)
        device_names: dict[str, str] = words["device_names"]
        out_reasons: dict[str, str] = words["out_reasons"]
        explanation, advice = refusal_texts(refusal["reason"], language) if refusal else ("", "")
        return {
            "id": entry.kiosk_id,
            "name": snap["name"],
            "place": snap["place"],
            "connected": entry.connection is not None,
            "last_seen": at,
            "state": snap["state"],
            "step": step_label(snap["state"], language),
            "underneath": snap["underneath"],
            "underneath_step": step_label(snap["underneath"], language)
            if snap["underneath"] else "",
            "state_since": at - snap["state_age_s"],
            "help": None if help_call is None else {
                "since": at - help_call["age_s"],
                "acknowledged_by": help_call["acknowledged_by"],
                "asked_at": step_label(help_call["state"], language)
                if help_call["state"] else "",
            },
            "devices": [{"id": name, "name": device_names.get(name, name), "ok": health["ok"],
                         "code": health["code"],
                         "fault": fault_text(health["code"], language) if health["code"] else ""}
                        for name, health in snap["devices"].items()],
            "in_service": snap["in_service"],
            "out_reason": snap["out_of_service_reason"],
            "out_reason_label": out_reasons.get(snap["out_of_service_reason"],
                                                snap["out_of_service_reason"]),
            "applications": {
                "pending": applications["pending"],
                "oldest_since": None if applications["oldest_age_s"] is None
                else at - applications["oldest_age_s"],
            },
            "refusal": None if refusal is None else {
                "code": refusal["reason"], "explanation": explanation, "advice": advice,
                "since": at - refusal["age_s"],
            },
            "staff": snap["staff"],
        }

    # --- audit --------------------------------------------------------------------------------

    async def audit(self, event: str, *, actor: str | None = None, result: str = "ok",
                    **codes: str | None) -> None:
        """One audit line, written off the event loop (it fsyncs); a failure is logged."""
        if self.trail is None:
            return
        trail = self.trail

        def write() -> None:
            trail.record(event, actor=actor, result=result, **codes)

        try:
            await run_in_threadpool(write)
        except (OSError, AuditError) as error:
            log.error("audit line %s not written: %s", event, type(error).__name__)

    # --- routes ---------------------------------------------------------------------------

    def session_of(self, request: Request, *, touch: bool = True) -> WebSession | None:
        return self.sessions.get(request.cookies.get(COOKIE), touch=touch)

    async def login_page(self, request: Request) -> Response:
        if self.session_of(request) is not None:
            return RedirectResponse("/", status_code=303)
        return self._login(200, "")

    def _login(self, status: int, message: str, **headers: str) -> HTMLResponse:
        page = (HERE / "pages" / "login.html").read_text(encoding="utf-8")
        values = {**{key: html.escape(value) for key, value in TEXTS_FOR(self.language).items()},
                  "lang": self.language, "message": html.escape(message),
                  "message_class": "message" if message else "message empty"}
        for key, value in values.items():
            page = page.replace("{{" + key + "}}", value)
        return HTMLResponse(page, status_code=status, headers=headers)

    async def login(self, request: Request) -> Response:
        if not same_origin(request):
            return Response("cross-site request refused", status_code=403)
        body = await read_body(request, 4096)
        if body is None:
            return Response("request too large", status_code=413)
        form = parse_qs(body.decode("utf-8", "replace"), max_num_fields=10)
        name = (form.get("name") or [""])[0].strip()
        secret = (form.get("secret") or [""])[0]
        if self.librarians is None:
            await self.audit("console_login_failed", result="unavailable")
            return self._login(503, text("unavailable", self.language))
        librarians = self.librarians
        verdict: Verdict = await run_in_threadpool(
            lambda: librarians.verify(name, secret) if name and secret else Verdict("refused"))
        if verdict.status == "locked":
            seconds = max(1, round(verdict.retry_after_s))
            await self.audit("console_login_failed", result="locked")
            return self._login(429, text("locked", self.language).format(seconds=seconds),
                               **{"Retry-After": str(seconds)})
        if verdict.status != "ok":
            # The name typed is not recorded: it may be a typo, or worse, someone's PIN.
            await self.audit("console_login_failed", result="refused")
            return self._login(401, text("refused", self.language))
        session = self.sessions.create(verdict.name)
        await self.audit("console_login", actor=ACTOR_PREFIX + verdict.name)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(COOKIE, session.id, path="/", secure=True, httponly=True,
                            samesite="strict")
        return response

    async def logout(self, request: Request) -> Response:
        session = self.session_of(request)
        if session is None:
            return RedirectResponse("/login", status_code=303)
        body = await read_body(request, 4096)
        form = parse_qs((body or b"").decode("utf-8", "replace"), max_num_fields=10)
        token = (form.get("csrf") or [""])[0] or request.headers.get("x-csrf-token", "")
        if not same_origin(request) or not hmac.compare_digest(token.encode(),
                                                                 session.csrf.encode()):
            await self.audit("console_logout", actor=ACTOR_PREFIX + session.name,
                             result="csrf_refused")
            return Response("missing or wrong CSRF token", status_code=403)
        self.sessions.drop(session.id)
        await self.audit("console_logout", actor=ACTOR_PREFIX + session.name)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, path="/", secure=True, httponly=True, samesite="strict")
        return response

    async def index(self, request: Request) -> Response:
        session = self.session_of(request)
        if session is None:
            return RedirectResponse("/login", status_code=303)
        page = (HERE / "pages" / "index.html").read_text(encoding="utf-8")
        values = {
            "lang": self.language,
            "title": html.escape(text("title", self.language)),
            "csrf": html.escape(session.csrf),
            "user": html.escape(text("signed_in_as", self.language).format(name=session.name)),
            "sign_out": html.escape(text("sign_out", self.language)),
            "sound_on": html.escape(text("sound_on", self.language)),
            "no_kiosks": html.escape(text("no_kiosks", self.language)),
            # JSON inside a non-executed script element; "<" is escaped so it cannot end it.
            "texts": json.dumps({**texts(self.language),
                                 "reasons": list(OUT_OF_SERVICE_REASONS),
                                 "max_message": MAX_MESSAGE}).replace("<", "\\u003c"),
        }
        for key, value in values.items():
            page = page.replace("{{" + key + "}}", value)
        return HTMLResponse(page)

    async def api_kiosks(self, request: Request) -> Response:
        if self.session_of(request) is None:
            return JSONResponse({"error": "not_signed_in"}, status_code=401)
        return JSONResponse(self.view())

    async def events(self, request: Request) -> Response:
        session = self.session_of(request)
        if session is None:
            return JSONResponse({"error": "not_signed_in"}, status_code=401)
        self._loop = asyncio.get_running_loop()
        queue: asyncio.Queue[None] = asyncio.Queue(maxsize=1)
        self._listeners.add(queue)
        session_id = session.id

        async def stream() -> AsyncIterator[str]:
            try:
                yield "retry: 2000\n\n"
                yield sse("kiosks", self.view())
                while not self.closing:
                    try:
                        await asyncio.wait_for(queue.get(), HEARTBEAT_S)
                    except TimeoutError:
                        yield ": keep-alive\n\n"
                    if self.closing:
                        break
                    if self.sessions.get(session_id, touch=False) is None:
                        yield sse("expired", {})
                        break
                    yield sse("kiosks", self.view())
            finally:
                self._listeners.discard(queue)

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store"})

    async def action(self, request: Request) -> Response:
        session = self.session_of(request)
        if session is None:
            return JSONResponse({"error": "not_signed_in"}, status_code=401)
        token = request.headers.get("x-csrf-token", "")
        if not same_origin(request) or not hmac.compare_digest(token.encode(),
                                                                 session.csrf.encode()):
            await self.audit("console_action", actor=ACTOR_PREFIX + session.name,
                             result="csrf_refused")
            return JSONResponse({"error": "csrf"}, status_code=403)
        kiosk_id = request.path_params["kiosk_id"]
        name = ACTION_ROUTES.get(request.path_params["action"])
        entry = self.kiosks.get(kiosk_id)
        if name is None or entry is None:
            return JSONResponse({"error": "not_found"}, status_code=404)
        body = await read_body(request, 2048)
        try:
            data = json.loads(body or b"{}")
            if not isinstance(data, dict):
                raise ValueError("object expected")
            action = parse_action({"id": next(self._numbers), "action": name,
                                   "actor": ACTOR_PREFIX + session.name,
                                   "text": data.get("text", ""),
                                   "reason": data.get("reason", "")})
            if name == "out_of_service" and action.reason not in OUT_OF_SERVICE_REASONS:
                raise ProtocolError("unknown reason")
        except (ValueError, ProtocolError) as error:
            return JSONResponse({"error": "bad_request", "detail": str(error)}, status_code=400)
        result = await self._ask(entry, action.as_frame(), action.id)
        # Never the message's text: it is for the kiosk's screen, not for the trail.
        await self.audit("console_action", actor=action.actor, result=result, kiosk=kiosk_id,
                         action=name, reason=action.reason or None)
        status = {"ok": 200, "kiosk_offline": 409, "no_answer": 504}.get(result, 409)
        return JSONResponse({"ok": result == "ok", "result": result}, status_code=status)

    async def _ask(self, entry: KioskEntry, frame: dict[str, Any], number: int) -> str:
        connection = entry.connection
        if connection is None:
            return "kiosk_offline"
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        entry.pending[number] = future
        try:
            await connection.send_text(json.dumps(frame))
            return await asyncio.wait_for(future, ACTION_TIMEOUT_S)
        except TimeoutError:
            return "no_answer"
        except Exception:  # the kiosk went away while we sent
            return "kiosk_offline"
        finally:
            entry.pending.pop(number, None)

    async def link(self, websocket: WebSocket) -> None:
        scheme, _, token = websocket.headers.get("authorization", "").partition(" ")
        valid, bound = self.tokens.check(token.strip()) if scheme.lower() == "bearer" \
            else (False, None)
        if not valid:
            await self.audit("console_link", result="token_refused")
            await websocket.close(code=1008)
            return
        await websocket.accept()
        self._loop = asyncio.get_running_loop()
        entry: KioskEntry | None = None
        try:
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    break
                frame = json.loads(message.get("text") or "")
                if not isinstance(frame, dict):
                    raise ProtocolError("object expected")
                if frame.get("type") == "snapshot":
                    snapshot = check_snapshot(frame)
                    kiosk_id = snapshot["kiosk_id"]
                    if (bound is not None and kiosk_id != bound) or \
                            (entry is not None and kiosk_id != entry.kiosk_id):
                        await self.audit("console_link", result="wrong_kiosk", kiosk=kiosk_id)
                        await websocket.close(code=1008)
                        break
                    if entry is None:
                        entry = self._connected(kiosk_id, snapshot, websocket)
                        await self.audit("console_link", result="connected", kiosk=kiosk_id)
                    entry.snapshot = snapshot
                    entry.received = self.clock()
                    self.changed()
                elif frame.get("type") == "result" and entry is not None:
                    future = entry.pending.get(frame.get("id"))  # type: ignore[arg-type]
                    result = frame.get("result")
                    if future is not None and not future.done():
                        future.set_result(str(result) if is_code(result) else "failed")
        except (ValueError, ProtocolError) as error:
            log.warning("a kiosk sent a frame that does not fit: %s", error)
            await websocket.close(code=1003)
        finally:
            if entry is not None and entry.connection is websocket:
                entry.connection = None
                entry.received = self.clock()
                for future in entry.pending.values():
                    if not future.done():
                        future.set_result("kiosk_offline")
                self.changed()
                await self.audit("console_link", result="disconnected", kiosk=entry.kiosk_id)

    def _connected(self, kiosk_id: str, snapshot: dict[str, Any],
                   websocket: WebSocket) -> KioskEntry:
        entry = self.kiosks.get(kiosk_id)
        if entry is None:
            entry = self.kiosks[kiosk_id] = KioskEntry(kiosk_id, snapshot, self.clock())
        # A kiosk that reconnects takes over its card; the old connection's end is ignored.
        entry.connection = websocket
        return entry


def TEXTS_FOR(language: str) -> dict[str, str]:  # noqa: N802 (reads like a table)
    return {key: value for key, value in texts(language).items() if isinstance(value, str)}


def sse(event: str, data: object) -> str:
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def same_origin(request: Request) -> bool:
    """False for a request a browser marks as coming from another site."""
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return origin == f"{request.url.scheme}://{request.url.netloc}"


async def read_body(request: Request, limit: int) -> bytes | None:
    """The request body, or None when it is larger than ``limit``."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class SecurityHeaders:
    """Adds the security headers to every HTTP response (a plain ASGI middleware, so the
    event stream is not buffered)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def with_headers(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                    (b"x-frame-options", b"DENY"),
                    (b"strict-transport-security", b"max-age=31536000"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                ]
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(console: Console) -> Starlette:
    """The console's ASGI app."""
    routes = [
        Route("/", console.index, methods=["GET"]),
        Route("/login", console.login_page, methods=["GET"]),
        Route("/login", console.login, methods=["POST"]),
        Route("/logout", console.logout, methods=["POST"]),
        Route("/api/kiosks", console.api_kiosks, methods=["GET"]),
        Route("/api/kiosks/{kiosk_id}/{action}", console.action, methods=["POST"]),
        Route("/events", console.events, methods=["GET"]),
        WebSocketRoute("/link", console.link),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes)
    app.add_middleware(SecurityHeaders)
    return app
