"""The kiosk's link to the staff console: a websocket client on its own thread.

Started by the composition root only when ``console.url`` is set. It connects outward over
TLS (verifying the console against ``console.ca``), proves itself with the bearer token in
``console.token_file``, sends a snapshot on connect and whenever the service's news changes
what the console shows (at most every :data:`THROTTLE_S`), and applies the staff actions the
console sends through the service's trusted staff path. A console that is down, slow or
refusing only makes the link retry with a growing delay: the kiosk never waits for it.
"""

from __future__ import annotations

import json
import logging
import ssl
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI
from websockets.sync.client import connect
from websockets.sync.connection import Connection

from kiosk.console.protocol import MAX_FRAME, Action, ProtocolError, parse_action
from kiosk.console.snapshot import KioskWatch
from kiosk.workflow import State
from kiosk.workflow import events as ev

if TYPE_CHECKING:
    from kiosk.service.kiosk import KioskService

log = logging.getLogger(__name__)

#: Shortest time between two snapshots (seconds); a change is sent within this.
THROTTLE_S = 0.2
#: A snapshot is sent at least this often, so times and counts stay fresh.
HEARTBEAT_S = 5.0
#: Reconnect delays: from the first to the longest, doubling.
BACKOFF_S = (0.5, 15.0)
#: How long an action may wait for the service's thread.
ACTION_WAIT_S = 2.0


class LinkError(Exception):
    """The link cannot be set up (no token, unreadable CA, not a wss:// URL)."""


def read_token(path: Path) -> str:
    """The first token in a token file (lines ``TOKEN`` or ``KIOSK_ID TOKEN``; ``#`` comments)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise LinkError(f"console.token_file {path}: cannot be read "
                        f"({error.strerror or error})") from None
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split()
        if fields:
            return fields[-1]
    raise LinkError(f"console.token_file {path}: holds no token")


def client_context(ca: Path | None) -> ssl.SSLContext:
    """TLS 1.2+ verifying the console's certificate (against ``ca``, else the system's CAs)."""
    try:
        context = ssl.create_default_context(cafile=str(ca) if ca is not None else None)
    except (OSError, ssl.SSLError) as error:
        raise LinkError(f"console.ca {ca}: cannot be used ({error})") from None
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


class ConsoleLink:
    """Keeps one kiosk connected to the console, on its own daemon thread."""

    def __init__(self, service: KioskService, url: str, token: str,
                 context: ssl.SSLContext) -> None:
        parts = urlsplit(url)
        if parts.scheme != "wss" or not parts.hostname:
            raise LinkError(f"console.url {url!r} must be wss://HOST:PORT/link")
        self.service = service
        self.url = url
        self._token = token
        self._context = context
        self.watch = KioskWatch(service)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._connection: Connection | None = None
        #: Set while connected (tests and the demo wait on it).
        self.connected = threading.Event()
        #: How many times the link has connected.
        self.connections = 0

    @classmethod
    def for_service(cls, service: KioskService) -> ConsoleLink:
        """A link configured from ``service.config.console``; raises LinkError."""
        console = service.config.console
        if not console.url:
            raise LinkError("console.url is not set")
        if console.token_file is None:
            raise LinkError("console.token_file is not set (the console's token)")
        return cls(service, console.url, read_token(console.token_file),
                   client_context(console.ca))

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> ConsoleLink:
        self.watch.attach()
        self._thread = threading.Thread(target=self._run, name="console-link", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop the thread and close the connection (at most a second)."""
        self._stop.set()
        self.watch.detach()
        connection = self._connection
        if connection is not None:
            try:
                connection.close()
            except Exception:  # closing is best effort: the socket may be gone already
                log.debug("closing the console link failed", exc_info=True)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=3)

    # --- the thread -------------------------------------------------------------------------

    def _run(self) -> None:
        delay = BACKOFF_S[0]
        while not self._stop.is_set():
            try:
                with connect(self.url, ssl=self._context, open_timeout=5, close_timeout=1,
                             max_size=MAX_FRAME, compression=None,
                             additional_headers={"Authorization": f"Bearer {self._token}"},
                             user_agent_header="pasboks-kiosk") as connection:
                    self._connection = connection
                    self.connections += 1
                    delay = BACKOFF_S[0]
                    log.info("connected to the console at %s", self.url)
                    self._converse(connection)
            except Exception as error:
                if self._stop.is_set():
                    break
                self._failed(error, delay)
            finally:
                self._connection = None
                self.connected.clear()
            if self._stop.wait(delay):
                break
            delay = min(delay * 2, BACKOFF_S[1])

    @staticmethod
    def _failed(error: Exception, delay: float) -> None:
        if isinstance(error, InvalidStatus):
            log.warning("the console refused the link (HTTP %s); retrying in %.1f s",
                        error.response.status_code, delay)
        elif isinstance(error, OSError | InvalidHandshake | InvalidURI | ConnectionClosed
                        | TimeoutError):
            log.warning("console link: %s; retrying in %.1f s", type(error).__name__, delay)
        else:  # the link must never take the kiosk down
            log.error("console link failed; retrying in %.1f s", delay, exc_info=error)

    def _converse(self, connection: Connection) -> None:
        self.connected.set()
        self._send_snapshot(connection)
        last = time.monotonic()
        while not self._stop.is_set():
            try:
                text = connection.recv(timeout=THROTTLE_S)
            except TimeoutError:
                text = None
            if text is not None:
                self._received(connection, text)
            now = time.monotonic()
            if (self.watch.changed.is_set() and now - last >= THROTTLE_S) or \
                    now - last >= HEARTBEAT_S:
                self._send_snapshot(connection)
                last = now

    def _send_snapshot(self, connection: Connection) -> None:
        self.watch.changed.clear()
        connection.send(json.dumps(self.watch.snapshot()))

    def _received(self, connection: Connection, text: str | bytes) -> None:
        try:
            frame = json.loads(text)
            if not isinstance(frame, dict) or frame.get("type") != "action":
                raise ProtocolError("not an action")
            action = parse_action(frame)
        except (ValueError, ProtocolError) as error:
            log.warning("ignored a frame from the console: %s", error)
            return
        result = self.apply(action)
        connection.send(json.dumps({"type": "result", "id": action.id,
                                    "ok": result == "ok", "result": result}))
        # The console shows the result of its action at once.
        self._send_snapshot(connection)

    # --- actions ------------------------------------------------------------------------------

    def apply(self, action: Action) -> str:
        """Apply one staff action through the service's trusted path; a result code."""
        service = self.service
        try:
            if action.action == "acknowledge_help":
                if service.state is not State.HELP:
                    return "no_help_call"
                service.staff(ev.AcknowledgeHelp(action.actor)).result(ACTION_WAIT_S)
                return "ok" if service.session.data.help_acknowledged_by == action.actor \
                    else "no_help_call"
            if action.action == "out_of_service":
                if service.state is State.OUT_OF_SERVICE:
                    return "ok"
                state = service.staff(ev.TakeOutOfService(action.actor, action.reason)
                                      ).result(ACTION_WAIT_S)
                return "ok" if state is State.OUT_OF_SERVICE else "busy"
            if action.action == "back_in_service":
                if service.state is not State.OUT_OF_SERVICE:
                    return "ok"
                state = service.staff(ev.PutBackInService(action.actor)).result(ACTION_WAIT_S)
                return "ok" if state is not State.OUT_OF_SERVICE else "failed"
            if action.action == "message":
                return post_notice(service, action.text, action.actor)
        except TimeoutError:
            return "kiosk_busy"
        except Exception:  # a failing action is reported to the console, never fatal here
            log.exception("console action %s failed", action.action)
            return "failed"
        return "unknown_action"


def post_notice(service: KioskService, text: str, actor: str) -> str:
    """Show a staff message on the kiosk's screen."""
    service.post_notice(text, actor)
    return "ok"


def start_link(service: KioskService) -> ConsoleLink | None:
    """Start the kiosk's link to the console (closed with the service); None when it cannot
    be set up, which is logged: the kiosk then works on without a console."""
    try:
        link = ConsoleLink.for_service(service)
    except LinkError as error:
        log.error("no console link: %s", error)
        return None
    service.on_close(link.close)
    return link.start()
