"""Running the console: setup from the config, and uvicorn on its own thread.

``start_console`` loads the staff accounts, the link tokens and the certificate (making the
console's own at first start), binds the listen address and serves HTTPS until ``close``.
"""

from __future__ import annotations

import errno
import logging
import socket
import threading
import time
from dataclasses import dataclass

import uvicorn

from kiosk.audit import AuditTrail
from kiosk.config import KioskConfig
from kiosk.console.accounts import AccountsError, Librarians, open_librarians
from kiosk.console.app import Console, Sessions, create_app
from kiosk.console.protocol import MAX_FRAME
from kiosk.console.tls import ConsoleTls, LinkTokens, SetupError, ensure_certificate, link_tokens

log = logging.getLogger(__name__)
#: The console's actor in audit lines that name no librarian (logins, links).
CONSOLE_ID = "console"


def parse_listen(listen: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:8444`` for IPv6); SetupError if not."""
    host, _, port = listen.rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise SetupError(f"listen address {listen!r} is not HOST:PORT")
    return host, int(port)


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket; SetupError with one line when it cannot be had."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise SetupError(f"cannot listen on {host}: {error.strerror}") from None
    family, kind, proto, _name, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as error:
        sock.close()
        why = "address already in use" if error.errno == errno.EADDRINUSE else \
            (error.strerror or str(error))
        raise SetupError(f"cannot listen on {host}:{port}: {why}") from None
    sock.set_inheritable(True)
    return sock


@dataclass
class RunningConsole:
    """A console serving HTTPS on its own thread."""

    console: Console
    tls: ConsoleTls
    tokens: LinkTokens
    server: uvicorn.Server
    sock: socket.socket
    thread: threading.Thread

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    @property
    def host(self) -> str:
        return str(self.sock.getsockname()[0])

    @property
    def url(self) -> str:
        host = self.host
        if host in ("0.0.0.0", "::"):
            host = socket.gethostname()
        return f"https://{f'[{host}]' if ':' in host else host}:{self.port}"

    @property
    def link_url(self) -> str:
        return self.url.replace("https://", "wss://", 1) + "/link"

    def close(self) -> None:
        """Stop serving (open event streams end at once)."""
        self.console.close()
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


def start_console(config: KioskConfig, listen: str | None = None, *,
                  librarians: Librarians | None = None,
                  sessions: Sessions | None = None) -> RunningConsole:
    """Set up and start the console; raises SetupError with one clear line."""
    host, port = parse_listen(listen or config.console.listen)
    if librarians is None:
        try:
            librarians = open_librarians(config)
        except AccountsError as error:
            raise SetupError(str(error)) from None
    tls = ensure_certificate(config, host)
    tokens = link_tokens(config)
    trail = AuditTrail(config.logs.directory, CONSOLE_ID, max_bytes=config.logs.audit_max_bytes,
                       keep=config.logs.audit_keep)
    console = Console(librarians, tokens, trail, language=config.staff.language,
                      sessions=sessions)
    sock = bind(host, port)
    uv_config = uvicorn.Config(
        create_app(console), ssl_certfile=str(tls.certificate), ssl_keyfile=str(tls.private_key),
        log_config=None, log_level="warning", access_log=False, lifespan="off",
        ws="websockets-sansio", ws_max_size=MAX_FRAME, ws_ping_interval=20.0,
        ws_ping_timeout=20.0, timeout_graceful_shutdown=2, server_header=False,
        proxy_headers=False)
    server = uvicorn.Server(uv_config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                              name="console-http", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise SetupError("the console's web server did not start (see the log)")
        time.sleep(0.02)
    return RunningConsole(console, tls, tokens, server, sock, thread)
