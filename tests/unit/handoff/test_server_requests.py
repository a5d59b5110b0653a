"""The hand-off server's request handling without the network: routes, fetch bodies (random
ones never raise and never get a 5xx), the throttle's lockouts, handshake failure codes."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk import pki
from kiosk.audit import AuditTrail
from kiosk.handoff.references import new_reference
from kiosk.handoff.server import (
    MAX_LOCKOUT_S,
    BadRequest,
    Handoff,
    Throttle,
    parse_birth,
    route,
    tls_reason,
)
from kiosk.store.db import ApplicationStore


def test_routes() -> None:
    reference = new_reference()
    assert route("GET", "/v1/applications") == ("list", None)
    assert route("GET", "/v1/applications?x=1") == ("list", None)
    assert route("POST", f"/v1/applications/{reference.lower()}/fetch") == ("fetch", reference)
    assert route("POST", f"/v1/applications/{reference}/confirm") == ("confirm", reference)
    for method, path, code in [("POST", "/v1/applications", "method_not_allowed"),
                               ("GET", f"/v1/applications/{reference}/fetch",
                                "method_not_allowed"),
                               ("POST", "/v1/applications/PB-0000-0000-1/fetch",
                                "bad_reference"),
                               ("POST", f"/v1/applications/{reference}/delete",
                                "no_such_endpoint"),
                               ("GET", "/", "no_such_endpoint")]:
        with pytest.raises(BadRequest) as error:
            route(method, path)
        assert error.value.code == code


def test_birth_bodies() -> None:
    assert parse_birth(b'{"birth": "0703"}') == "0703"
    for body, code in [(b"", "malformed_json"), (b"[1]", "malformed_json"),
                       (b'{"birth": "7.3."}', "bad_birth"), (b'{"birth": 703}', "bad_birth"),
                       (b'{"birth": "\xd9\xa0\xd9\xa1\xd9\xa2\xd9\xa3"}', "bad_birth"),
                       (b"[" * 100_000, "body_too_large"), (b"[" * 4000, "malformed_json")]:
        with pytest.raises(BadRequest) as error:
            parse_birth(body)
        assert error.value.code == code


@given(st.text(max_size=80), st.sampled_from(["GET", "POST", "PUT", "DELETE"]))
def test_random_paths_route_or_give_a_4xx(path: str, method: str) -> None:
    try:
        endpoint, _ = route(method, path)
    except BadRequest as error:
        assert 400 <= error.status < 500
    else:
        assert endpoint in ("list", "fetch", "confirm")


@pytest.fixture(scope="module")
def handoff(tmp_path_factory: pytest.TempPathFactory) -> Handoff:
    directory = tmp_path_factory.mktemp("handoff")
    key = pki.new_key()
    ca = pki.issue_ca(key)
    store = ApplicationStore(directory / "store", bytes(32), retention_s=3600)
    return Handoff(store, AuditTrail(directory / "log", "test"), signing_key=key,
                   signing_cert=ca, recipient_key=pki.new_key().public_key(),
                   max_failures=10**9, lockout_s=60)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4), max_leaves=10)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.binary(max_size=200) | json_values.map(lambda v: repr(v).encode())
       | st.dictionaries(st.just("birth"), json_values).map(lambda d: str(d).encode()))
def test_random_fetch_bodies_never_raise_or_fail_the_server(handoff: Handoff,
                                                            body: bytes) -> None:
    response = handoff.fetch("CN=fuzz", new_reference(), body)
    assert response.status in (400, 404, 413)


def test_throttle_locks_after_max_failures_and_doubles() -> None:
    now = [0.0]
    throttle = Throttle(3, 60, window_s=900, clock=lambda: now[0])
    assert [throttle.failure("a") for _ in range(2)] == [None, None]
    assert throttle.retry_after("a") is None
    assert throttle.failure("a") == 60
    assert throttle.retry_after("a") == 60 and throttle.retry_after("b") is None
    now[0] = 61
    assert throttle.retry_after("a") is None
    assert [throttle.failure("a") for _ in range(3)] == [None, None, 120]
    now[0] = 61 + 121
    assert [throttle.failure("a") for _ in range(3)] == [None, None, 240]


def test_throttle_forgets_old_failures_and_never_locks_for_more_than_a_day() -> None:
    now = [0.0]
    throttle = Throttle(2, 60, window_s=100, clock=lambda: now[0])
    throttle.failure("a")
    now[0] = 150
    assert throttle.failure("a") is None  # the first one is out of the window
    big = Throttle(1, 3600, window_s=100, clock=lambda: now[0])
    durations = []
    for _ in range(40):
        durations.append(big.failure("a"))
        now[0] += durations[-1] or 0
    assert durations[:3] == [3600, 7200, 14400]
    assert max(d for d in durations if d is not None) == MAX_LOCKOUT_S
    now[0] += MAX_LOCKOUT_S + 101  # quiet for the window after the lockout: forgiven
    assert big.failure("a") == 3600


def test_handshake_failures_have_short_codes() -> None:
    expired = ssl.SSLCertVerificationError(1, "certificate verify failed")
    expired.verify_code = 10
    assert tls_reason(expired) == "certificate_expired"
    no_cert = ssl.SSLError(1, "peer did not return a certificate")
    no_cert.reason = "PEER_DID_NOT_RETURN_A_CERTIFICATE"
    assert tls_reason(no_cert) == "no_certificate"
    assert tls_reason(TimeoutError()) == "handshake_timeout"
    assert tls_reason(ConnectionResetError()) == "connection_lost"
    assert tls_reason(ssl.SSLEOFError(8, "eof")) == "connection_closed"


def test_fetch_refuses_without_audit_trail(tmp_path: Path) -> None:
    key = pki.new_key()
    log = tmp_path / "log"
    log.mkdir()
    (log / "audit.jsonl").mkdir()  # cannot be appended to
    store = ApplicationStore(tmp_path / "store", bytes(32), retention_s=3600)
    handoff = Handoff(store, AuditTrail(log, "test"), signing_key=key,
                      signing_cert=pki.issue_ca(key), recipient_key=key.public_key(),
                      max_failures=5, lockout_s=60)
    from kiosk.handoff.server import AuditDown

    with pytest.raises(AuditDown):
        handoff.list("CN=x")
