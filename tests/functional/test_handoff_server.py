"""The hand-off end to end over real mutual TLS: the demo PKI, the server on a free port in a
thread, the caseworker client and curl. Refused handshakes, the one 404 for a wrong birth date
and an unknown reference, lockout, fetch, confirm and the sweeper, each with its audit line."""

from __future__ import annotations

import datetime as dt
import http.client
import io
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

from kiosk import pki
from kiosk.audit import AuditTrail
from kiosk.config import KioskConfig, load_config
from kiosk.handoff.client import (
    CaseworkerClient,
    ClientError,
    load_caseworker_config,
    write_application,
)
from kiosk.handoff.record import FORMAT, ApplicationRecord
from kiosk.handoff.references import new_reference
from kiosk.handoff.server import RunningServer, start
from kiosk.store.db import ApplicationStore
from kiosk.store.keys import load_key
from tests.helpers.kiosk import wait_until

HOLDER = {"document_number": "XK1234567", "surname": "SORENSEN",
          "given_names": "KAREN MARIE", "birth_date": "1984-03-07"}
BIRTH = "0703"


def _image(format: str, mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (40, 52), 128).save(buffer, format=format)
    return buffer.getvalue()


def make_record(reference: str, *, fingerprints: bool = True) -> ApplicationRecord:
    case = {"format": FORMAT, "reference": reference, "kiosk_id": "demo-kiosk",
            "created_at": "2025-01-01T10:00:00+00:00", "holder": dict(HOLDER),
            "photo": {"format": "jpeg", "width": 40, "height": 52},
            "fingerprints": {"positions": [2, 7] if fingerprints else []},
            "signature": {"format": "png"}, "staff_actions": []}
    return ApplicationRecord(reference, case, _image("JPEG"), "jpeg",
                             b"FIR\x00020\x00fake-wsq" if fingerprints else None,
                             _image("PNG", "L"))


@dataclass
class Env:
    demo: pki.DemoPki
    config: KioskConfig
    server: RunningServer
    store: ApplicationStore

    @property
    def dir(self) -> Path:
        return self.demo.directory

    def client(self, config: Path | None = None) -> CaseworkerClient:
        return CaseworkerClient(load_caseworker_config(config or self.demo.caseworker_config),
                                self.server.url)

    def put(self, **kwargs: bool) -> str:
        reference = new_reference()
        return self.store.put(make_record(reference, **kwargs).to_parts(), reference)

    def audit(self) -> list[dict[str, object]]:
        return list(AuditTrail.for_config(self.config).lines())

    def context(self, cert: Path | None = None, key: Path | None = None) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.dir / "ca.crt"))
        context.minimum_version = ssl.TLSVersion.TLSv1_3
        if cert is not None:
            context.load_cert_chain(str(cert), str(key))
        return context

    def request(self, method: str, path: str, body: bytes | None = None, *,
                context: ssl.SSLContext | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        context = context or self.context(self.dir / "caseworker.crt",
                                          self.dir / "caseworker.key")
        connection = http.client.HTTPSConnection("127.0.0.1", self.server.port,
                                                 context=context, timeout=10)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    demo = pki.make_demo(tmp_path / "demo")
    config = load_config(demo.kiosk_config)
    config = config.model_copy(update={
        "storage": config.storage.model_copy(update={"sweep_every_s": 0.2})})
    server = start(config, "127.0.0.1:0")
    server.serve_in_thread()
    store = ApplicationStore.open(config)
    try:
        yield Env(demo, config, server, store)
    finally:
        store.close()
        server.close()


def _issue_client(tmp_path: Path, name: str, *, foreign: bool = False,
                  not_before: dt.datetime | None = None, days: float = 30) -> tuple[Path, Path]:
    ca_dir = tmp_path / "demo"
    if foreign:
        ca_key = pki.new_key()
        ca = pki.issue_ca(ca_key)  # same name as the demo CA, another key
    else:
        ca_key = pki.load_private_key(ca_dir / "ca.key")
        ca = pki.load_certificate(ca_dir / "ca.crt")
    key = pki.new_key()
    cert = pki.issue_certificate(ca, ca_key, key.public_key(), usage="client",
                                 common_name=name, organization="Demo Kommune",
                                 not_before=not_before, days=days)
    pki.write_public(tmp_path / f"{name}.crt", pki.cert_pem(cert))
    pki.write_private(tmp_path / f"{name}.key", pki.key_pem(key))
    return tmp_path / f"{name}.crt", tmp_path / f"{name}.key"


def _caseworker_toml(tmp_path: Path, cert: Path, key: Path) -> Path:
    demo = tmp_path / "demo"
    path = tmp_path / f"{cert.stem}.toml"
    path.write_text(f'server = "https://127.0.0.1:1"\nca = "{demo / "ca.crt"}"\n'
                    f'certificate = "{cert}"\nprivate_key = "{key}"\n'
                    f'recipient_key = "{demo / "recipient.key"}"\n')
    return path


def _wait_for(condition: Callable[[], object], timeout: float = 60.0) -> None:
    # A hang guard (raises Hung), not a speed check.
    wait_until(lambda: bool(condition()), lambda: "condition not met", timeout=timeout)


def test_list_shows_references_and_ages_only(env: Env) -> None:
    reference = env.put()
    status, headers, body = env.request("GET", "/v1/applications")
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert json.loads(body) == {"applications": [{"reference": reference, "age_s": 0}]}
    assert env.client().pending() == [{"reference": reference, "age_s": 0.0}]
    assert env.audit()[-1]["event"] == "list"
    assert env.audit()[-1]["actor"] == "O=Demo Kommune,CN=caseworker demo"


def test_handshake_without_a_certificate_is_refused_and_audited(env: Env) -> None:
    with pytest.raises((ssl.SSLError, ConnectionError, http.client.RemoteDisconnected)):
        env.request("GET", "/v1/applications", context=env.context())
    _wait_for(lambda: any(line["event"] == "tls_refused" for line in env.audit()))
    assert [line["result"] for line in env.audit() if line["event"] == "tls_refused"] == [
        "no_certificate"]


def test_a_certificate_from_a_foreign_ca_is_refused(env: Env, tmp_path: Path) -> None:
    cert, key = _issue_client(tmp_path, "intruder", foreign=True)
    with pytest.raises(ClientError, match="refused the TLS connection"):
        env.client(_caseworker_toml(tmp_path, cert, key)).pending()
    _wait_for(lambda: any(line["event"] == "tls_refused" for line in env.audit()))
    assert [line["result"] for line in env.audit() if line["event"] == "tls_refused"] == [
        "unknown_ca"]


def test_an_expired_certificate_is_named_by_the_client_and_refused_by_the_server(
        env: Env, tmp_path: Path) -> None:
    cert, key = _issue_client(tmp_path, "retired", days=10,
                              not_before=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(ClientError, match="your client certificate expired on 2020-01-11") as \
            error:
        env.client(_caseworker_toml(tmp_path, cert, key)).pending()
    assert error.value.exit_code == 2
    with pytest.raises((ssl.SSLError, ConnectionError, http.client.RemoteDisconnected)):
        env.request("GET", "/v1/applications", context=env.context(cert, key))
    _wait_for(lambda: any(line["event"] == "tls_refused" for line in env.audit()))
    assert [line["result"] for line in env.audit() if line["event"] == "tls_refused"] == [
        "certificate_expired"]


def test_wrong_birth_and_unknown_reference_get_the_same_answer(env: Env) -> None:
    reference = env.put()
    wrong = env.request("POST", f"/v1/applications/{reference}/fetch", b'{"birth": "0803"}')
    unknown = env.request("POST", f"/v1/applications/{new_reference()}/fetch",
                          b'{"birth": "0703"}')
    assert wrong[0] == unknown[0] == 404
    assert wrong[2] == unknown[2] == b'{"error": "not_found"}'
    with pytest.raises(ClientError, match="^no application with that reference and birth "
                       "date$"):
        env.client().fetch(reference, "0104")
    assert [line["result"] for line in env.audit() if line["event"] == "fetch_refused"] == [
        "wrong_birth", "unknown_reference", "wrong_birth"]


def test_five_failures_lock_the_client_out_then_the_reference_too(env: Env,
                                                                  tmp_path: Path) -> None:
    reference = env.put()
    client = env.client()
    for _ in range(5):
        with pytest.raises(ClientError, match="no application"):
            client.fetch(reference, "0101")
    with pytest.raises(ClientError, match=r"too many failed attempts; try again in 60 s"):
        client.fetch(reference, BIRTH)  # even the right birth date, while locked out
    status, headers, _ = env.request("POST", f"/v1/applications/{reference}/fetch",
                                     b'{"birth": "0703"}')
    assert status == 429 and headers["Retry-After"] == "60"
    # Another caseworker is not locked out, but this reference is (5 wrong birth dates).
    cert, key = _issue_client(tmp_path, "colleague")
    colleague = env.client(_caseworker_toml(tmp_path, cert, key))
    assert [item["reference"] for item in colleague.pending()] == [reference]
    with pytest.raises(ClientError, match="too many failed attempts"):
        colleague.fetch(reference, BIRTH)
    locked = [line["result"] for line in env.audit() if line["event"] == "locked_out"]
    assert locked[:2] == ["client_locked", "reference_locked"]


def test_fetch_writes_files_that_open_confirm_deletes_and_a_second_fetch_fails(
        env: Env, tmp_path: Path) -> None:
    reference = env.put()
    client = env.client()
    with pytest.raises(ClientError, match="fetch the application before confirming"):
        client.confirm(reference)
    record = client.fetch(reference.lower(), BIRTH)
    written = write_application(record, tmp_path / "case")
    assert sorted(path.name for path in written) == [
        "application.json", "fingerprints.iso19794-4", "photo.jpg", "signature.png"]
    with Image.open(tmp_path / "case" / "photo.jpg") as photo:
        assert photo.size == (40, 52)
    with Image.open(tmp_path / "case" / "signature.png") as signature:
        assert signature.format == "PNG"
    case = json.loads((tmp_path / "case" / "application.json").read_text())
    assert case["reference"] == reference and case["holder"] == HOLDER
    client.confirm(reference)
    assert client.pending() == []
    assert reference not in env.store
    with pytest.raises(ClientError, match="no application with that reference"):
        client.fetch(reference, BIRTH)
    events = [(line["event"], line["result"]) for line in env.audit()
              if line["reference"] == reference]
    assert events == [("confirm", "not_fetched"), ("fetch", "ok"), ("confirm", "ok"),
                      ("fetch_refused", "unknown_reference")]
    trail = (env.dir / "log" / "audit.jsonl").read_text()
    for secret in ("SORENSEN", "KAREN", "XK1234567", "1984"):
        assert secret not in trail


def test_an_application_without_fingerprints_has_no_fingerprint_file(env: Env,
                                                                     tmp_path: Path) -> None:
    reference = env.put(fingerprints=False)
    written = write_application(env.client().fetch(reference, BIRTH), tmp_path / "case")
    assert "fingerprints.iso19794-4" not in [path.name for path in written]


def test_bad_input_gets_a_json_code_and_the_server_keeps_serving(env: Env) -> None:
    reference = env.put()
    fetch = f"/v1/applications/{reference}/fetch"
    cases = [
        (("POST", fetch, b"{not json"), 400, "malformed_json"),
        (("POST", fetch, b'{"birth": 703}'), 400, "bad_birth"),
        (("POST", fetch, b"x" * 5000), 413, "body_too_large"),
        (("POST", "/v1/applications/PB-0000-0000-1/fetch", b"{}"), 400, "bad_reference"),
        (("POST", "/v1/applications/../../etc/fetch", b"{}"), 404, "no_such_endpoint"),
        (("DELETE", "/v1/applications", None), 405, "method_not_allowed"),
        (("GET", "/", None), 404, "no_such_endpoint"),
    ]
    for (method, path, body), status, code in cases:
        answer = env.request(method, path, body)
        assert (answer[0], json.loads(answer[2])) == (status, {"error": code}), path
    assert env.request("GET", "/v1/applications")[0] == 200


def test_the_sweeper_deletes_expired_applications_on_its_clock(env: Env) -> None:
    old = ApplicationStore(env.config.storage.directory, load_key(env.config),
                           retention_s=96 * 3600, clock=lambda: time.time() - 97 * 3600)
    expired = new_reference()
    old.put(make_record(expired).to_parts(), expired)
    old.close()
    fresh = env.put()
    # The store writes the audit line just after the deletion: wait for the line.
    _wait_for(lambda: any(line["event"] == "expired" for line in env.audit()))
    assert [item.reference for item in env.store.pending()] == [fresh]
    assert [line["reference"] for line in env.audit() if line["event"] == "expired"] == [
        expired]


curl = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")


@curl
def test_curl_with_the_caseworker_certificate_lists(env: Env) -> None:
    reference = env.put()
    demo = env.dir
    result = subprocess.run(
        ["curl", "-sS", "--cert", str(demo / "caseworker.crt"), "--key",
         str(demo / "caseworker.key"), "--cacert", str(demo / "ca.crt"),
         f"https://127.0.0.1:{env.server.port}/v1/applications"],
        capture_output=True, text=True, timeout=20, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["applications"][0]["reference"] == reference


@curl
def test_curl_without_a_certificate_is_refused(env: Env) -> None:
    env.put()
    result = subprocess.run(
        ["curl", "-sS", "--cacert", str(env.dir / "ca.crt"),
         f"https://127.0.0.1:{env.server.port}/v1/applications"],
        capture_output=True, text=True, timeout=20, check=False)
    assert result.returncode != 0
    assert "PB-" not in result.stdout


# --- the command line ---------------------------------------------------------------------

KIOSK = [sys.executable, "-m", "kiosk.cli"]


def _kiosk(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*KIOSK, *args], capture_output=True, text=True, timeout=timeout,
                          check=False)


def _one_line_error(result: subprocess.CompletedProcess[str], code: int, text: str) -> None:
    assert result.returncode == code, result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("kiosk: "), result.stderr
    assert text in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_serve_lists_through_the_caseworker_command_and_stops_on_sigterm(
        tmp_path: Path) -> None:
    made = _kiosk("pki", "demo", str(tmp_path / "demo"))
    assert made.returncode == 0, made.stderr
    _one_line_error(_kiosk("pki", "demo", str(tmp_path / "demo")), 2, "is not empty")
    server = subprocess.Popen([*KIOSK, "handoff", "serve", "--config",
                               str(tmp_path / "demo" / "kiosk.toml"), "--listen",
                               "127.0.0.1:0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert line.startswith("kiosk: hand-off server listening on https://127.0.0.1:"), line
        url = line.split()[-1]
        caseworker = str(tmp_path / "demo" / "caseworker.toml")
        listed = _kiosk("caseworker", "pending", "--json", "--config", caseworker,
                        "--server", url)
        assert (listed.returncode, json.loads(listed.stdout)) == (0, {"applications": []})
        _one_line_error(_kiosk("caseworker", "fetch", new_reference(), "--birth", "0703",
                               "--out", str(tmp_path / "out"), "--config", caseworker,
                               "--server", url),
                        1, "no application with that reference and birth date")
        _one_line_error(_kiosk("caseworker", "fetch", "PB-1", "--birth", "0703", "--out",
                               str(tmp_path / "out"), "--config", caseworker), 2,
                        "not a valid reference")
        # The port is taken now: a second server says so in one line.
        _one_line_error(_kiosk("handoff", "serve", "--config",
                               str(tmp_path / "demo" / "kiosk.toml"), "--listen",
                               url.removeprefix("https://")), 2, "address already in use")
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=10)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert server.returncode == 0, err
    assert "stopped" in out and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_cli_refusals_are_one_line(tmp_path: Path) -> None:
    bare = tmp_path / "bare.toml"
    bare.write_text(f'[storage]\ndirectory = "{tmp_path / "store"}"\n'
                    f'[logs]\ndirectory = "{tmp_path / "log"}"\n')
    _one_line_error(_kiosk("handoff", "serve", "--config", str(bare)), 2,
                    "handoff.certificate is not set")
    demo = pki.make_demo(tmp_path / "demo")
    (demo.directory / "kiosk.key").chmod(0)
    if os.access(demo.directory / "kiosk.key", os.R_OK):  # running as root
        (demo.directory / "kiosk.key").write_text("garbage")
    _one_line_error(_kiosk("handoff", "serve", "--config", str(demo.kiosk_config)), 2,
                    "handoff.private_key")
    _one_line_error(_kiosk("caseworker", "pending", "--config", str(demo.caseworker_config),
                           "--server", "https://127.0.0.1:1"), 1,
                    "no hand-off server at https://127.0.0.1:1")
