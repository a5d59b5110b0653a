"""The console's HTTPS certificate and the token kiosks prove themselves with.

With ``console.certificate`` and ``console.private_key`` set, those are used. Otherwise the
console makes its own at first start, in its state directory: a small CA (``ca.pem``, which
kiosks name as ``console.ca``) and a server certificate for this host's names and the listen
address. The link token likewise comes from ``console.token_file`` or is made there
(``link.token``, 0600).
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk import pki

if TYPE_CHECKING:
    from kiosk.config import KioskConfig


class SetupError(Exception):
    """The console cannot be set up (one line naming the file and the problem)."""


@dataclass(frozen=True)
class ConsoleTls:
    """The files uvicorn serves HTTPS with, and the CA kiosks verify the console against."""

    certificate: Path
    private_key: Path
    ca: Path | None
    made: bool = False


def state_directory(config: KioskConfig) -> Path:
    """Where the console keeps what it makes (next to the staff accounts file)."""
    return config.staff.accounts_file.parent / "console"


def _private_directory(directory: Path) -> Path:
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as error:
        raise SetupError(f"{directory}: cannot be made ({error.strerror})") from None
    return directory


def ensure_certificate(config: KioskConfig, host: str = "127.0.0.1") -> ConsoleTls:
    """The configured certificate, or the console's own (made now if missing)."""
    console = config.console
    if console.certificate is not None or console.private_key is not None:
        if console.certificate is None or console.private_key is None:
            raise SetupError("console.certificate and console.private_key go together")
        try:
            cert = pki.load_certificate(console.certificate, "console.certificate")
            key = pki.load_private_key(console.private_key, "console.private_key")
        except pki.PkiError as error:
            raise SetupError(str(error)) from None
        if key.public_key() != cert.public_key():
            raise SetupError(f"console.private_key {console.private_key} does not belong to "
                             f"console.certificate {console.certificate}")
        return ConsoleTls(console.certificate, console.private_key, console.ca)
    directory = _private_directory(state_directory(config))
    ca_path, cert_path, key_path = (directory / name for name in
                                    ("ca.pem", "console.pem", "console.key"))
    if cert_path.exists() and key_path.exists():
        return ConsoleTls(cert_path, key_path, ca_path if ca_path.exists() else None)
    for path in (ca_path, cert_path, key_path):
        path.unlink(missing_ok=True)
    ca_key = pki.new_key()
    ca = pki.issue_ca(ca_key, common_name="Pasboks console CA", organization=None)
    server_key = pki.new_key()
    names = {"localhost", socket.gethostname()}
    addresses = {"127.0.0.1", "::1"}
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if host:
            names.add(host)
    else:
        if not address.is_unspecified:
            addresses.add(str(address))
    cert = pki.issue_certificate(ca, ca_key, server_key.public_key(), usage="server",
                                 common_name="Pasboks staff console",
                                 dns_names=tuple(sorted(n for n in names if n)),
                                 ip_addresses=tuple(sorted(addresses)))
    try:
        pki.write_public(ca_path, pki.cert_pem(ca))
        pki.write_private(key_path, pki.key_pem(server_key))
        pki.write_public(cert_path, pki.cert_pem(cert) + pki.cert_pem(ca))
    except OSError as error:
        raise SetupError(f"{directory}: the console's certificate cannot be written "
                         f"({error.strerror})") from None
    return ConsoleTls(cert_path, key_path, ca_path, made=True)


@dataclass(frozen=True)
class LinkTokens:
    """The tokens kiosks may present: ``(kiosk_id or None, token)``, checked in constant time."""

    entries: tuple[tuple[str | None, str], ...]
    path: Path

    def check(self, presented: str) -> tuple[bool, str | None]:
        """Whether ``presented`` is a valid token, and the kiosk id it is bound to (if any)."""
        given = presented.encode("utf-8", "replace")
        found = False
        bound: str | None = None
        for kiosk_id, token in self.entries:
            # Every entry is compared, so the time does not tell which one matched.
            if hmac.compare_digest(given, token.encode("utf-8")):
                found, bound = True, kiosk_id
        return found, bound


def link_tokens(config: KioskConfig) -> LinkTokens:
    """The configured token file (lines ``TOKEN`` or ``KIOSK_ID TOKEN``), or the console's own
    (``link.token`` in its state directory, made now if missing)."""
    path = config.console.token_file
    if path is None:
        path = _private_directory(state_directory(config)) / "link.token"
        if not path.exists():
            try:
                pki.write_private(path, (secrets.token_urlsafe(32) + "\n").encode())
            except FileExistsError:
                pass
            except OSError as error:
                raise SetupError(f"{path}: cannot be written ({error.strerror})") from None
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SetupError(f"console.token_file {path}: cannot be read "
                         f"({error.strerror or error})") from None
    entries: list[tuple[str | None, str]] = []
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split()
        if len(fields) == 1:
            entries.append((None, fields[0]))
        elif len(fields) == 2:
            entries.append((fields[0], fields[1]))
    if not entries:
        raise SetupError(f"console.token_file {path}: holds no token")
    if any(len(token) < 16 for _kiosk, token in entries):
        raise SetupError(f"console.token_file {path}: a token is shorter than 16 characters")
    return LinkTokens(tuple(entries), path)
