"""The hand-off server: caseworkers fetch applications over mutual TLS (TLS 1.3 only).

Only client certificates issued by the municipality CA get past the handshake. A caseworker
lists pending references, fetches one with the holder's day and month of birth (in the body,
never the URL) and confirms receipt, which deletes it at once. Wrong guesses count against the
client certificate and against the reference, and lock both out for a while. Every request
and every refused handshake leaves an audit line; the retention sweeper runs on its clock.

The TLS handshake happens in the request's own thread, so a slow or silent client never
holds up the others.
"""

from __future__ import annotations

import contextlib
import errno
import hmac
import json
import logging
import math
import re
import socket
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from kiosk import pki
from kiosk.audit import AuditTrail
from kiosk.handoff.bundle import BundleError, seal
from kiosk.handoff.record import ApplicationRecord, RecordError
from kiosk.handoff.references import is_valid_reference
from kiosk.store.errors import StoreError
from kiosk.store.sweeper import Sweeper

if TYPE_CHECKING:
    from kiosk.config import KioskConfig
    from kiosk.store.db import ApplicationStore

log = logging.getLogger(__name__)

#: Largest request body read (a fetch body is ``{"birth": "DDMM"}``).
MAX_BODY = 4096
#: A larger body is read and dropped up to this size (so the client sees 413), else cut off.
MAX_DRAINED = 64 * 1024
#: Seconds a client has for its TLS handshake, and then for each read of its request.
HANDSHAKE_TIMEOUT = 10.0
REQUEST_TIMEOUT = 15.0
#: Failures older than this no longer count; a key quiet this long after its last failure
#: and lockout forgets its lockouts (the next one starts again at ``lockout_s``).
FAILURE_WINDOW_S = 900.0
#: A lockout never grows past a day, however often it doubles.
MAX_LOCKOUT_S = 86400.0
_BIRTH = re.compile(r"[0-9]{4}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ROUTE = re.compile(r"/v1/applications/([^/]{1,64})/(fetch|confirm)")


class ServeError(Exception):
    """The server cannot start. The message is one line naming the setting and the problem."""


class BadRequest(Exception):
    """A request the server does not understand; ``code`` goes back to the client."""

    def __init__(self, code: str, status: int = 400) -> None:
        super().__init__(code)
        self.code = code
        self.status = status


# --- throttling ---------------------------------------------------------------------------


@dataclass
class _Strikes:
    failures: deque[float] = field(default_factory=deque)
    locked_until: float = 0.0
    lockouts: int = 0
    last: float = 0.0


class Throttle:
    """Counts failures per key (a client, a reference); ``max_failures`` within the window
    lock the key for ``lockout_s``, doubling with each further lockout."""

    def __init__(self, max_failures: int, lockout_s: float, *,
                 window_s: float = FAILURE_WINDOW_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures = max_failures
        self.lockout_s = lockout_s
        self.window_s = window_s
        self.clock = clock
        self._strikes: dict[str, _Strikes] = {}
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> float | None:
        """Seconds until ``key`` may try again, or None when it is not locked out."""
        with self._lock:
            strikes = self._strikes.get(key)
            remaining = 0.0 if strikes is None else strikes.locked_until - self.clock()
            return remaining if remaining > 0 else None

    def failure(self, key: str) -> float | None:
        """Count one failure; the lockout in seconds when this one locks ``key`` out."""
        with self._lock:
            now = self.clock()
            self._forget(now)
            strikes = self._strikes.setdefault(key, _Strikes())
            strikes.last = now
            while strikes.failures and strikes.failures[0] <= now - self.window_s:
                strikes.failures.popleft()
            strikes.failures.append(now)
            if len(strikes.failures) < self.max_failures:
                return None
            strikes.failures.clear()
            strikes.lockouts += 1
            duration = min(self.lockout_s * 2.0 ** min(strikes.lockouts - 1, 32), MAX_LOCKOUT_S)
            strikes.locked_until = now + duration
            return duration

    def _forget(self, now: float) -> None:
        # Keeps memory bounded when someone tries many references.
        quiet = [key for key, strikes in self._strikes.items()
                 if max(strikes.last, strikes.locked_until) <= now - self.window_s]
        for key in quiet:
            del self._strikes[key]


# --- requests -----------------------------------------------------------------------------


def route(method: str, path: str) -> tuple[str, str | None]:
    """``(endpoint, reference)`` for a request line; BadRequest when there is no such one."""
    path = path.split("?", 1)[0]
    if path == "/v1/applications":
        if method != "GET":
            raise BadRequest("method_not_allowed", 405)
        return "list", None
    match = _ROUTE.fullmatch(path)
    if match is None:
        raise BadRequest("no_such_endpoint", 404)
    if method != "POST":
        raise BadRequest("method_not_allowed", 405)
    reference = match.group(1).upper()
    if not is_valid_reference(reference):
        raise BadRequest("bad_reference")
    return match.group(2), reference


def parse_birth(body: bytes) -> str:
    """The ``DDMM`` of a fetch body ``{"birth": "DDMM"}``; BadRequest for anything else."""
    if len(body) > MAX_BODY:
        raise BadRequest("body_too_large", 413)
    try:
        data: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise BadRequest("malformed_json") from None
    if not isinstance(data, dict):
        raise BadRequest("malformed_json")
    birth = data.get("birth")
    if not isinstance(birth, str) or not _BIRTH.fullmatch(birth):
        raise BadRequest("bad_birth")
    return birth


@dataclass(frozen=True)
class Response:
    """What the server answers: status, body and its type, extra headers."""

    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def json(cls, status: int, data: object, **headers: str) -> Response:
        return cls(status, json.dumps(data).encode(), headers=tuple(headers.items()))

    @classmethod
    def error(cls, status: int, code: str, **headers: str) -> Response:
        return cls.json(status, {"error": code}, **headers)


#: The one answer to an unknown reference and a wrong birth date alike (no enumeration).
NOT_FOUND = Response.error(404, "not_found")


def actor_of(cert: x509.Certificate | None) -> str:
    """The client certificate's subject, fit for an audit line."""
    if cert is None:
        return "unknown"
    return _CONTROL.sub("?", pki.subject_of(cert))[:150]


class AuditDown(Exception):
    """The audit trail cannot be written: nothing is handed out without its audit line."""


class Handoff:
    """What the endpoints do, apart from HTTP: list, fetch, confirm, with throttling."""

    def __init__(self, store: ApplicationStore, audit: AuditTrail, *,
                 signing_key: ec.EllipticCurvePrivateKey, signing_cert: x509.Certificate,
                 recipient_key: ec.EllipticCurvePublicKey, max_failures: int,
                 lockout_s: float, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.audit = audit
        self.signing_key = signing_key
        self.signing_cert = signing_cert
        self.recipient_key = recipient_key
        self.clock = clock
        self.clients = Throttle(max_failures, lockout_s)
        self.references = Throttle(max_failures, lockout_s)
        # Which client fetched which reference (confirm needs a fetch first). In memory: after
        # a restart the caseworker fetches again before confirming.
        self._fetched: dict[str, set[str]] = {}
        self._lock = threading.Lock()

    def record(self, event: str, *, reference: str | None, actor: str, result: str = "ok",
               **codes: str | int | float | None) -> None:
        try:
            self.audit.record(event, reference=reference, actor=actor, result=result, **codes)
        except OSError as error:
            log.error("audit trail not written (%s): %s", error.strerror, event)
            raise AuditDown from None

    def list(self, actor: str) -> Response:
        now = self.clock()
        pending = self.store.pending()
        self.record("list", reference=None, actor=actor, count=len(pending))
        return Response.json(200, {"applications": [
            {"reference": item.reference, "age_s": max(0, round(now - item.created_at))}
            for item in pending]})

    def fetch(self, actor: str, reference: str, body: bytes) -> Response:
        locked = self._locked(actor, reference)
        if locked is not None:
            return locked
        try:
            birth = parse_birth(body)
        except BadRequest as error:
            self.record("fetch_refused", reference=reference, actor=actor, result=error.code)
            return Response.error(error.status, error.code)
        try:
            parts = self.store.get(reference)
            record = ApplicationRecord.from_parts(reference, parts)
            expected = record.birth_day_month()
        except StoreError as error:
            if error.code != "unknown_reference":
                return self._broken(actor, reference, error.code)
            # Same work as a real comparison, so the answer's timing says nothing either.
            hmac.compare_digest(birth.encode(), b"0000")
            return self._failed(actor, reference, "unknown_reference")
        except (RecordError, KeyError, TypeError, ValueError):
            return self._broken(actor, reference, "record_invalid")
        if not hmac.compare_digest(birth.encode(), expected.encode()):
            return self._failed(actor, reference, "wrong_birth")
        try:
            bundle = seal(reference, parts, signing_key=self.signing_key,
                          signing_cert=self.signing_cert, recipient_key=self.recipient_key)
        except BundleError:
            return self._broken(actor, reference, "bundle_failed")
        self.record("fetch", reference=reference, actor=actor, bytes=len(bundle))
        with self._lock:
            self._fetched.setdefault(actor, set()).add(reference)
        return Response(200, bundle.encode("ascii"), "application/jose")

    def confirm(self, actor: str, reference: str) -> Response:
        with self._lock:
            fetched = reference in self._fetched.get(actor, set())
        if not fetched:
            self.record("confirm", reference=reference, actor=actor, result="not_fetched")
            return Response.error(409, "not_fetched")
        try:
            deleted = self.store.delete(reference)
        except StoreError as error:
            return self._broken(actor, reference, error.code, event="confirm")
        with self._lock:
            for references in self._fetched.values():
                references.discard(reference)
        self.record("confirm", reference=reference, actor=actor,
                    result="ok" if deleted else "already_deleted")
        return Response(204)

    def _locked(self, actor: str, reference: str) -> Response | None:
        for key, throttle, result in ((actor, self.clients, "client_locked"),
                                      (reference, self.references, "reference_locked")):
            wait = throttle.retry_after(key)
            if wait is not None:
                self.record("locked_out", reference=reference, actor=actor, result=result,
                            retry_after_s=math.ceil(wait))
                return Response.json(429, {"error": "locked_out",
                                           "retry_after_s": math.ceil(wait)},
                                     **{"Retry-After": str(math.ceil(wait))})
        return None

    def _failed(self, actor: str, reference: str, result: str) -> Response:
        self.record("fetch_refused", reference=reference, actor=actor, result=result)
        # Counted per reference whether it exists or not, so a locked reference tells nothing.
        for key, throttle, locked in ((actor, self.clients, "client_locked"),
                                      (reference, self.references, "reference_locked")):
            duration = throttle.failure(key)
            if duration is not None:
                self.record("locked_out", reference=reference, actor=actor, result=locked,
                            lockout_s=duration)
        return NOT_FOUND

    def _broken(self, actor: str, reference: str, code: str, event: str = "fetch_refused"
                ) -> Response:
        log.error("hand-off of %s failed: %s", reference, code)
        self.record(event, reference=reference, actor=actor, result=code)
        return Response.error(503 if code in ("unavailable", "disk_full") else 500, code)

    def tls_refused(self, reason: str, peer: str) -> None:
        try:
            self.audit.record("tls_refused", actor=None, result=reason, peer=peer)
        except OSError as error:
            log.error("audit trail not written (%s): tls_refused", error.strerror)


# --- HTTP over TLS ------------------------------------------------------------------------


def tls_reason(error: BaseException) -> str:
    """A short code for a failed handshake (the audit line's result)."""
    if isinstance(error, ssl.SSLCertVerificationError):
        return {9: "certificate_not_yet_valid", 10: "certificate_expired",
                2: "unknown_ca", 18: "unknown_ca", 19: "unknown_ca", 20: "unknown_ca",
                21: "unknown_ca"}.get(getattr(error, "verify_code", None) or 0,
                                    "certificate_invalid")
    if isinstance(error, ssl.SSLError):
        reason = str(getattr(error, "reason", None) or "").upper()
        known = {"PEER_DID_NOT_RETURN_A_CERTIFICATE": "no_certificate",
                 "HTTP_REQUEST": "not_tls", "WRONG_VERSION_NUMBER": "not_tls",
                 "UNSUPPORTED_PROTOCOL": "old_tls", "NO_PROTOCOLS_AVAILABLE": "old_tls",
                 "TLSV1_ALERT_PROTOCOL_VERSION": "old_tls",
                 "TLSV1_ALERT_UNKNOWN_CA": "client_distrusts_server",
                 "SSLV3_ALERT_BAD_CERTIFICATE": "client_distrusts_server"}
        if reason in known:
            return known[reason]
        if isinstance(error, ssl.SSLEOFError | ssl.SSLZeroReturnError):
            return "connection_closed"
        return ("tls_" + reason.lower())[:60] if reason else "tls_error"
    if isinstance(error, TimeoutError):
        return "handshake_timeout"
    return "connection_lost"


class _Handler(BaseHTTPRequestHandler):
    server: HandoffHTTPServer
    timeout = REQUEST_TIMEOUT
    server_version = "pasboks-handoff"
    sys_version = ""
    actor = "unknown"

    def setup(self) -> None:
        super().setup()
        assert isinstance(self.connection, ssl.SSLSocket)
        der = self.connection.getpeercert(binary_form=True)
        self.actor = actor_of(x509.load_der_x509_certificate(der) if der else None)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._serve("PUT")

    def do_DELETE(self) -> None:  # noqa: N802
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        try:
            response = self._answer(method)
        except AuditDown:
            response = Response.error(503, "audit_unavailable")
        except StoreError as error:
            log.error("store error during %s: %s", method, error.code)
            response = Response.error(503, error.code)
        except (TimeoutError, ConnectionError):
            self.close_connection = True
            return
        except Exception:
            log.exception("hand-off request failed")
            response = Response.error(500, "internal")
        self._send(response)

    def _answer(self, method: str) -> Response:
        handoff = self.server.handoff
        try:
            # The body first, even for a request refused anyway: a socket closed with unread
            # data resets the connection and the client would never see the answer.
            body = self._body()
            endpoint, reference = route(method, self.path)
        except BadRequest as error:
            handoff.record("bad_request", reference=None, actor=self.actor, result=error.code)
            return Response.error(error.status, error.code)
        if endpoint == "list" or reference is None:
            return handoff.list(self.actor)
        if endpoint == "fetch":
            return handoff.fetch(self.actor, reference, body)
        return handoff.confirm(self.actor, reference)

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding"):
            raise BadRequest("length_required", 411)
        text = self.headers.get("Content-Length")
        if text is None:
            return b""
        if not text.isdigit():
            raise BadRequest("bad_content_length")
        length = int(text)
        if length > MAX_BODY:
            if length <= MAX_DRAINED:
                # Read and drop it, so the client gets the 413 rather than a reset connection.
                self.rfile.read(length)
            raise BadRequest("body_too_large", 413)
        return self.rfile.read(length)

    def _send(self, response: Response) -> None:
        try:
            self.send_response(response.status)
            for name, value in response.headers:
                self.send_header(name, value)
            if response.body or response.status != 204:
                self.send_header("Content-Type", response.content_type)
                self.send_header("Content-Length", str(len(response.body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(response.body)
        except (OSError, ssl.SSLError):
            pass
        self.close_connection = True

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        # Malformed request lines and headers: a JSON code too, never an HTML page.
        self._send(Response.error(code, "bad_request"))

    def log_message(self, format: str, *args: Any) -> None:
        # The audit trail records requests; http.server's stderr lines would add nothing.
        log.debug("%s " + format, self.address_string(), *args)


class HandoffHTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that does each TLS handshake in the request's thread."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], handoff: Handoff,
                 context: ssl.SSLContext) -> None:
        self.handoff = handoff
        self.context = context
        super().__init__(address, _Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        peer = str(client_address[0]) if client_address else "unknown"
        request.settimeout(HANDSHAKE_TIMEOUT)
        try:
            tls = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as error:
            self.handoff.tls_refused(tls_reason(error), peer)
            return
        try:
            _Handler(tls, client_address, self)
        finally:
            with contextlib.suppress(OSError):
                tls.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.exception("hand-off connection failed")


def tls_context(certificate: str, private_key: str, client_ca: str) -> ssl.SSLContext:
    """TLS 1.3 only, client certificate required and issued by ``client_ca``."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_cert_chain(certificate, private_key)
    context.load_verify_locations(cafile=client_ca)
    return context


def parse_listen(listen: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:8443`` for IPv6) as a socket address; ServeError if not."""
    host, _, port = listen.rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ServeError(f"listen address {listen!r} is not HOST:PORT")
    return host, int(port)


@dataclass
class RunningServer:
    """A started hand-off server: its HTTP server, its store and its sweeper."""

    http: HandoffHTTPServer
    store: ApplicationStore
    sweeper: Sweeper
    _thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.http.server_address[1])

    @property
    def url(self) -> str:
        host = self.http.server_address[0]
        host = host.decode() if isinstance(host, bytes) else host
        return f"https://{f'[{host}]' if ':' in host else host}:{self.port}"

    def serve_in_thread(self) -> None:
        self._thread = threading.Thread(target=self.http.serve_forever, name="handoff",
                                        kwargs={"poll_interval": 0.2}, daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop serving, stop the sweeper, close the store."""
        if self._thread is not None:
            self.http.shutdown()
            self._thread.join(timeout=5)
        self.http.server_close()
        self.sweeper.stop()
        self.store.close()


def _path(config: KioskConfig, name: str) -> Path:
    value: Path | None = getattr(config.handoff, name)
    if value is None:
        raise ServeError(f"handoff.{name} is not set in the config (`kiosk pki demo DIR` "
                         "makes a demo set)")
    return value


def start(config: KioskConfig, listen: str | None = None) -> RunningServer:
    """Open the store, load the keys, bind the port and start the sweeper (not yet serving).

    Raises ServeError with one clear line for anything that stops the server starting.
    """
    from kiosk.store.db import ApplicationStore

    certificate, private_key, client_ca, recipient = (
        _path(config, name) for name in ("certificate", "private_key", "client_ca",
                                         "recipient_key"))
    address = parse_listen(listen or config.handoff.listen)
    try:
        signing_cert = pki.load_certificate(certificate, "handoff.certificate")
        signing_key = pki.load_private_key(private_key, "handoff.private_key")
        pki.load_certificate(client_ca, "handoff.client_ca")
        recipient_key = pki.load_public_key(recipient, "handoff.recipient_key")
    except pki.PkiError as error:
        raise ServeError(str(error)) from None
    if signing_key.public_key() != signing_cert.public_key():
        raise ServeError(f"handoff.private_key {private_key} does not belong to "
                         f"handoff.certificate {certificate}")
    try:
        context = tls_context(str(certificate), str(private_key), str(client_ca))
    except (ssl.SSLError, OSError) as error:
        raise ServeError(f"TLS cannot be set up with {certificate}: {error}") from None
    audit = AuditTrail.for_config(config)
    try:
        store = ApplicationStore.open(config, audit=audit)
    except StoreError as error:
        raise ServeError(f"store: {error}") from None
    handoff = Handoff(store, audit, signing_key=signing_key, signing_cert=signing_cert,
                      recipient_key=recipient_key, max_failures=config.handoff.max_failures,
                      lockout_s=config.handoff.lockout_s)
    try:
        http = HandoffHTTPServer(address, handoff, context)
    except socket.gaierror as error:
        store.close()
        raise ServeError(f"cannot listen on {address[0]}: {error.strerror}") from None
    except OSError as error:
        store.close()
        why = "address already in use" if error.errno == errno.EADDRINUSE else \
            (error.strerror or str(error))
        raise ServeError(f"cannot listen on {address[0]}:{address[1]}: {why}") from None
    sweeper = Sweeper(store, config.storage.sweep_every_s).start()
    return RunningServer(http, store, sweeper)
