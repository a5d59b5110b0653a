"""A demo PKI for the hand-off: a CA, the kiosk's server/signing certificate, a caseworker's
client certificate, the municipality's recipient key pair and the store's key, plus two
ready configs (``kiosk pki demo DIR``).

In production the municipality runs its own CA and issues these certificates; the demo only
makes it possible to try mutual TLS and the signed, encrypted bundles end to end. The
certificate functions are public so tests can issue expired or foreign certificates.
"""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PrivateKey = ec.EllipticCurvePrivateKey
Usage = Literal["server", "client"]
DEMO_LISTEN = "127.0.0.1:8443"


class PkiError(Exception):
    """A PKI file cannot be made or read. The message names the file and the problem."""


def new_key() -> PrivateKey:
    """A fresh EC P-256 key (ES256 for signatures, ECDH-ES for encryption)."""
    return ec.generate_private_key(ec.SECP256R1())


def _name(common_name: str, organization: str | None) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organization:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    return x509.Name(attributes)


def _validity(not_before: dt.datetime | None, days: float) -> tuple[dt.datetime, dt.datetime]:
    # A minute of slack before now: clocks of kiosk and caseworker station differ a little.
    start = not_before or dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    return start, start + dt.timedelta(days=days)


def issue_ca(key: PrivateKey, *, common_name: str = "Pasboks demo CA",
             organization: str | None = "Demo Kommune", not_before: dt.datetime | None = None,
             days: float = 3650) -> x509.Certificate:
    """A self-signed CA certificate for ``key``."""
    name = _name(common_name, organization)
    start, end = _validity(not_before, days)
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=False, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )


def issue_certificate(ca_cert: x509.Certificate, ca_key: PrivateKey,
                      public_key: ec.EllipticCurvePublicKey, *, usage: Usage,
                      common_name: str, organization: str | None = None,
                      dns_names: tuple[str, ...] = (), ip_addresses: tuple[str, ...] = (),
                      not_before: dt.datetime | None = None,
                      days: float = 825) -> x509.Certificate:
    """An end-entity certificate for a TLS server (``usage="server"``, also signs bundles) or
    a TLS client (``usage="client"``), issued by ``ca_cert``."""
    start, end = _validity(not_before, days)
    purpose = ExtendedKeyUsageOID.SERVER_AUTH if usage == "server" else \
        ExtendedKeyUsageOID.CLIENT_AUTH
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, organization)).issuer_name(ca_cert.subject)
        .public_key(public_key).serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([purpose]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            _ec_public(ca_cert)), critical=False)
    )
    alternative: list[x509.GeneralName] = [x509.DNSName(name) for name in dns_names]
    alternative += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ip_addresses]
    if alternative:
        builder = builder.add_extension(x509.SubjectAlternativeName(alternative), critical=False)
    return builder.sign(ca_key, hashes.SHA256())


def _ec_public(cert: x509.Certificate) -> ec.EllipticCurvePublicKey:
    key = cert.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise PkiError("only EC certificates are used here")
    return key


def key_pem(key: PrivateKey) -> bytes:
    """PKCS#8 PEM, unencrypted (the file mode protects it; see ``write_private``)."""
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def public_pem(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo)


def cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def write_private(path: Path, data: bytes) -> None:
    """Write a secret with mode 0600 from the first byte (never briefly readable by others)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def write_public(path: Path, data: bytes) -> None:
    """Write a certificate, public key or config (0644)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise PkiError(f"{what} {path}: no such file") from None
    except OSError as error:
        raise PkiError(f"{what} {path}: cannot be read ({error.strerror})") from None


def load_certificate(path: Path, what: str = "certificate") -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(_read(path, what))
    except ValueError:
        raise PkiError(f"{what} {path}: not a PEM certificate") from None


def load_private_key(path: Path, what: str = "private key") -> PrivateKey:
    try:
        key = serialization.load_pem_private_key(_read(path, what), password=None)
    except (ValueError, TypeError):
        raise PkiError(f"{what} {path}: not an unencrypted PEM private key") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise PkiError(f"{what} {path}: must be an EC key")
    return key


def load_public_key(path: Path, what: str = "public key") -> ec.EllipticCurvePublicKey:
    """A PEM public key, or the public half of a PEM certificate or private key."""
    data = _read(path, what)
    try:
        if b"CERTIFICATE" in data:
            return _ec_public(x509.load_pem_x509_certificate(data))
        if b"PRIVATE KEY" in data:
            private = serialization.load_pem_private_key(data, password=None)
            if isinstance(private, ec.EllipticCurvePrivateKey):
                return private.public_key()
            raise PkiError(f"{what} {path}: must be an EC key")
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        raise PkiError(f"{what} {path}: not a PEM key") from None
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise PkiError(f"{what} {path}: must be an EC key")
    return key


def subject_of(cert: x509.Certificate) -> str:
    """The certificate subject as one RFC 4514 line (the actor in audit lines)."""
    return cert.subject.rfc4514_string()


@dataclass(frozen=True)
class DemoPki:
    """Where ``make_demo`` put everything."""

    directory: Path
    kiosk_config: Path
    caseworker_config: Path


def _toml(value: str) -> str:
    # A JSON string is a valid TOML basic string (same escapes).
    return json.dumps(value)


def make_demo(directory: Path, *, listen: str = DEMO_LISTEN) -> DemoPki:
    """Create the demo PKI and configs in ``directory`` (new or empty; refuses otherwise)."""
    directory = directory.expanduser().absolute()
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise PkiError(f"{directory} is not empty; give a new or empty directory")
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as error:
        raise PkiError(f"{directory}: cannot be created ({error.strerror})") from None
    ca_key, kiosk_key, caseworker_key, recipient_key = new_key(), new_key(), new_key(), new_key()
    ca = issue_ca(ca_key)
    kiosk = issue_certificate(ca, ca_key, kiosk_key.public_key(), usage="server",
                              common_name="localhost", organization="Pasboks demo kiosk",
                              dns_names=("localhost",), ip_addresses=("127.0.0.1",))
    caseworker = issue_certificate(ca, ca_key, caseworker_key.public_key(), usage="client",
                                   common_name="caseworker demo", organization="Demo Kommune")
    path = directory.joinpath
    write_public(path("ca.crt"), cert_pem(ca))
    write_private(path("ca.key"), key_pem(ca_key))
    write_public(path("kiosk.crt"), cert_pem(kiosk))
    write_private(path("kiosk.key"), key_pem(kiosk_key))
    write_public(path("caseworker.crt"), cert_pem(caseworker))
    write_private(path("caseworker.key"), key_pem(caseworker_key))
    write_private(path("recipient.key"), key_pem(recipient_key))
    write_public(path("recipient.pub"), public_pem(recipient_key.public_key()))
    write_private(path("record.key"), base64.b64encode(secrets.token_bytes(32)) + b"\n")
    host = listen.rpartition(":")[0]
    port = listen.rpartition(":")[2]
    kiosk_toml = f"""# Demo kiosk: simulator on, store and keys under this directory.
kiosk_id = "demo-kiosk"

[simulator]
enabled = true

[storage]
directory = {_toml(str(path("store")))}
key_file = {_toml(str(path("record.key")))}

[logs]
directory = {_toml(str(path("log")))}

[handoff]
listen = {_toml(listen)}
certificate = {_toml(str(path("kiosk.crt")))}
private_key = {_toml(str(path("kiosk.key")))}
client_ca = {_toml(str(path("ca.crt")))}
recipient_key = {_toml(str(path("recipient.pub")))}
"""
    caseworker_toml = f"""# Demo caseworker station: fetches applications from the demo kiosk.
server = {_toml(f"https://{host}:{port}")}
ca = {_toml(str(path("ca.crt")))}
certificate = {_toml(str(path("caseworker.crt")))}
private_key = {_toml(str(path("caseworker.key")))}
recipient_key = {_toml(str(path("recipient.key")))}
"""
    write_public(path("kiosk.toml"), kiosk_toml.encode())
    write_public(path("caseworker.toml"), caseworker_toml.encode())
    return DemoPki(directory, path("kiosk.toml"), path("caseworker.toml"))
