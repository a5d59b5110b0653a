"""The demo PKI: every file in place with the right modes, certificates that chain to the CA
with the right purposes, configs the kiosk loads, and a refusal to touch a used directory."""

from __future__ import annotations

import base64
import stat
import tomllib
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from kiosk import pki
from kiosk.config import load_config

KEYS = ("ca.key", "kiosk.key", "caseworker.key", "recipient.key", "record.key")
PUBLIC = ("ca.crt", "kiosk.crt", "caseworker.crt", "recipient.pub", "kiosk.toml",
          "caseworker.toml")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> pki.DemoPki:
    return pki.make_demo(tmp_path_factory.mktemp("pki") / "demo")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_keys_are_private_and_certificates_public(demo: pki.DemoPki) -> None:
    assert {name: _mode(demo.directory / name) for name in KEYS} == dict.fromkeys(KEYS, 0o600)
    assert {name: _mode(demo.directory / name) for name in PUBLIC} == dict.fromkeys(PUBLIC,
                                                                                    0o644)
    assert len(base64.b64decode((demo.directory / "record.key").read_bytes())) == 32


def test_certificates_chain_to_the_ca_with_their_purposes(demo: pki.DemoPki) -> None:
    ca = pki.load_certificate(demo.directory / "ca.crt")
    server = pki.load_certificate(demo.directory / "kiosk.crt")
    client = pki.load_certificate(demo.directory / "caseworker.crt")
    server.verify_directly_issued_by(ca)
    client.verify_directly_issued_by(ca)
    san = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    assert [str(ip) for ip in san.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    eku = x509.ExtendedKeyUsage
    assert list(server.extensions.get_extension_for_class(eku).value) == [
        ExtendedKeyUsageOID.SERVER_AUTH]
    assert list(client.extensions.get_extension_for_class(eku).value) == [
        ExtendedKeyUsageOID.CLIENT_AUTH]
    assert pki.subject_of(client) == "O=Demo Kommune,CN=caseworker demo"
    assert pki.load_private_key(demo.directory / "kiosk.key").public_key() == \
        server.public_key()


def test_configs_are_ready_to_use(demo: pki.DemoPki) -> None:
    config = load_config(demo.kiosk_config)
    assert config.kiosk_id == "demo-kiosk"
    assert config.simulator.enabled
    assert config.storage.directory == demo.directory / "store"
    assert config.storage.key_file == demo.directory / "record.key"
    assert config.logs.directory == demo.directory / "log"
    assert config.handoff.certificate == demo.directory / "kiosk.crt"
    assert config.handoff.client_ca == demo.directory / "ca.crt"
    assert config.handoff.recipient_key == demo.directory / "recipient.pub"
    caseworker = tomllib.loads(demo.caseworker_config.read_text())
    assert caseworker["server"] == "https://127.0.0.1:8443"
    assert caseworker["recipient_key"] == str(demo.directory / "recipient.key")


def test_a_used_directory_is_refused_and_left_alone(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(pki.PkiError, match="not empty"):
        pki.make_demo(tmp_path)
    assert [path.name for path in tmp_path.iterdir()] == ["notes.txt"]


def test_unreadable_files_give_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(pki.PkiError, match="no such file"):
        pki.load_certificate(tmp_path / "missing.crt")
    (tmp_path / "junk.key").write_text("junk")
    with pytest.raises(pki.PkiError, match="not an unencrypted PEM private key"):
        pki.load_private_key(tmp_path / "junk.key")
