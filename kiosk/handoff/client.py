"""The caseworker's side of the hand-off: list, fetch (verify, decrypt, write files), confirm.

The connection is mutual TLS 1.3 with the caseworker's client certificate; the bundle is
checked against the municipality CA and opened with the municipality's recipient key before a
single file is written. Every failure becomes a :class:`ClientError` with one line a
caseworker can act on, and an exit code (1 refused or not found, 2 usage or configuration).
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import re
import socket
import ssl
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, ValidationError

from kiosk import pki
from kiosk.handoff.bundle import BundleError, open_
from kiosk.handoff.references import is_valid_reference
from kiosk.tomlfile import TomlFileError, read_toml

if TYPE_CHECKING:
    # The record module loads numpy and Pillow (a second at start-up); only fetch needs it.
    from kiosk.handoff.record import ApplicationRecord

REFUSED, USAGE = 1, 2
TIMEOUT_S = 30.0
_BIRTH = re.compile(r"(0[1-9]|[12][0-9]|3[01])(0[1-9]|1[0-2])")
#: Largest bundle read from the server.
MAX_RESPONSE = 64 * 1024 * 1024
FINGERPRINT_FILE = "fingerprints.iso19794-4"


class ClientError(Exception):
    """One line for the caseworker, and the exit code it ends with."""

    def __init__(self, message: str, exit_code: int = REFUSED) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class CaseworkerConfig(BaseModel):
    """``caseworker.toml``: where the server is and the caseworker's keys (relative paths are
    taken from the config file's directory)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    server: str
    """``https://HOST:PORT`` of the kiosk's hand-off server."""
    ca: Path
    """The municipality CA: the server's certificate and the bundle's signer must chain to it."""
    certificate: Path
    """The caseworker's client certificate (PEM)."""
    private_key: Path
    """Its private key (PEM)."""
    recipient_key: Path
    """The municipality's private key the bundles are encrypted to (PEM)."""


def load_caseworker_config(path: Path) -> CaseworkerConfig:
    """Read ``caseworker.toml``; ClientError (exit 2) naming the problem."""
    try:
        data = read_toml(path, "config file")
    except TomlFileError as error:
        raise ClientError(str(error), USAGE) from None
    try:
        config = CaseworkerConfig(**data)
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        message = "missing" if problem["type"] == "missing" else problem["msg"]
        raise ClientError(f"{path}: {where}: {message}", USAGE) from None
    base = path.absolute().parent
    return config.model_copy(update={
        name: base / getattr(config, name).expanduser()
        for name in ("ca", "certificate", "private_key", "recipient_key")})


def check_birth(birth: str) -> str:
    """``DDMM`` as given, or ClientError (exit 2)."""
    if not _BIRTH.fullmatch(birth):
        raise ClientError(f"--birth must be the day and month of birth as DDMM (like 0703), "
                          f"not {birth!r}", USAGE)
    return birth


def check_reference(reference: str) -> str:
    """The reference in capitals, or ClientError (exit 2) for a malformed one or a typo."""
    if not is_valid_reference(reference):
        raise ClientError(f"{reference!r} is not a valid reference (like PB-7K3Q-9XM2-T); "
                          "check it for a typo", USAGE)
    return reference.upper()


class CaseworkerClient:
    """Talks to one hand-off server with the caseworker's certificate."""

    def __init__(self, config: CaseworkerConfig, server: str | None = None, *,
                 timeout: float = TIMEOUT_S) -> None:
        self.config = config
        self.url = (server or config.server).rstrip("/")
        parts = urlsplit(self.url)
        if parts.scheme != "https" or not parts.hostname:
            raise ClientError(f"the server URL must be https://HOST:PORT, not {self.url!r}",
                              USAGE)
        self.host = parts.hostname
        try:
            self.port = parts.port or 443
        except ValueError:
            raise ClientError(f"the server URL {self.url!r} has a bad port", USAGE) from None
        self.timeout = timeout

    # --- the three operations ---------------------------------------------------------------

    def pending(self) -> list[dict[str, Any]]:
        """The pending applications: ``[{"reference": ..., "age_s": ...}]``."""
        status, _, body = self._request("GET", "/v1/applications")
        if status != 200:
            raise self._refused(status, body)
        try:
            applications = json.loads(body)["applications"]
            return [{"reference": str(item["reference"]), "age_s": float(item["age_s"])}
                    for item in applications]
        except (ValueError, KeyError, TypeError):
            raise ClientError("the hand-off server's list is not readable") from None

    def fetch(self, reference: str, birth: str) -> ApplicationRecord:
        """The verified, decrypted application (nothing is written here)."""
        from kiosk.handoff.record import ApplicationRecord, RecordError

        reference, birth = check_reference(reference), check_birth(birth)
        payload = json.dumps({"birth": birth}).encode()
        status, _, body = self._request("POST", f"/v1/applications/{reference}/fetch",
                                        payload)
        if status != 200:
            raise self._refused(status, body)
        ca = self._load(pki.load_certificate, self.config.ca, "ca")
        recipient = self._load(pki.load_private_key, self.config.recipient_key,
                               "recipient_key")
        try:
            sent_reference, parts = open_(body, ca, recipient)
        except BundleError as error:
            raise ClientError(f"the application was not accepted: {error}") from None
        if sent_reference != reference:
            raise ClientError("the application was not accepted: the server sent another "
                              "reference than the one asked for")
        try:
            return ApplicationRecord.from_parts(reference, parts)
        except RecordError as error:
            raise ClientError(f"the application is not whole: {error}") from None

    def confirm(self, reference: str) -> None:
        """Tell the kiosk the application arrived: it deletes it at once."""
        reference = check_reference(reference)
        status, _, body = self._request("POST", f"/v1/applications/{reference}/confirm", b"")
        if status != 204:
            raise self._refused(status, body)

    # --- transport --------------------------------------------------------------------------

    @staticmethod
    def _load(loader: Any, path: Path, name: str) -> Any:
        try:
            return loader(path, name)
        except pki.PkiError as error:
            raise ClientError(str(error), USAGE) from None

    def _context(self) -> ssl.SSLContext:
        cert = self._load(pki.load_certificate, self.config.certificate, "certificate")
        now = dt.datetime.now(dt.UTC)
        if now > cert.not_valid_after_utc:
            raise ClientError("your client certificate expired on "
                              f"{cert.not_valid_after_utc:%Y-%m-%d}; ask the municipality "
                              "for a new one", USAGE)
        if now < cert.not_valid_before_utc:
            raise ClientError("your client certificate is valid only from "
                              f"{cert.not_valid_before_utc:%Y-%m-%d %H:%M} UTC", USAGE)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.minimum_version = ssl.TLSVersion.TLSv1_3
        try:
            context.load_verify_locations(cafile=str(self.config.ca))
        except (ssl.SSLError, OSError):
            raise ClientError(f"ca {self.config.ca}: not a readable PEM certificate",
                              USAGE) from None
        try:
            context.load_cert_chain(str(self.config.certificate), str(self.config.private_key))
        except (ssl.SSLError, OSError):
            raise ClientError(f"private_key {self.config.private_key} is unreadable or does "
                              f"not belong to certificate {self.config.certificate}",
                              USAGE) from None
        return context

    def _request(self, method: str, path: str,
                 body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
        context = self._context()
        connection = http.client.HTTPSConnection(self.host, self.port, context=context,
                                                 timeout=self.timeout)
        headers = {"Content-Type": "application/json"} if body is not None else {}
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read(MAX_RESPONSE + 1)
            return response.status, dict(response.getheaders()), data
        except ConnectionRefusedError:
            raise ClientError(f"no hand-off server at {self.url}") from None
        except socket.gaierror:
            raise ClientError(f"cannot find the host of {self.url}") from None
        except ssl.SSLCertVerificationError as error:
            raise ClientError(f"the server at {self.url} is not trusted "
                              f"({error.verify_message}); check the ca setting") from None
        except (ssl.SSLError, ConnectionResetError, BrokenPipeError,
                http.client.RemoteDisconnected) as error:
            raise ClientError(f"the hand-off server refused the TLS connection "
                              f"({_tls_why(error)}); is your client certificate issued by "
                              "the municipality CA?") from None
        except TimeoutError:
            raise ClientError(f"the hand-off server at {self.url} did not answer in "
                              "time") from None
        except (OSError, http.client.HTTPException) as error:
            raise ClientError(f"the connection to {self.url} failed ({error})") from None
        finally:
            connection.close()

    @staticmethod
    def _refused(status: int, body: bytes) -> ClientError:
        try:
            answer: Any = json.loads(body)
            code = str(answer.get("error", "")) if isinstance(answer, dict) else ""
            wait = answer.get("retry_after_s") if isinstance(answer, dict) else None
        except ValueError:
            code, wait = "", None
        if status == 404 and code == "not_found":
            return ClientError("no application with that reference and birth date")
        if status == 429:
            return ClientError(f"too many failed attempts; try again in {wait or '?'} s")
        if status == 409:
            return ClientError("fetch the application before confirming it (the server has "
                               "no record of your fetching it)")
        if status in (400, 404, 405, 411, 413):
            return ClientError(f"the hand-off server refused the request ({code or status})")
        return ClientError(f"the hand-off server failed ({code or status}); try again later")


def _tls_why(error: BaseException) -> str:
    reason = getattr(error, "reason", None)
    if isinstance(reason, str) and reason:
        return reason.lower().replace("_", " ")
    return "connection closed"


def application_files(record: ApplicationRecord) -> dict[str, bytes]:
    """The files ``fetch`` writes, by name."""
    files = {f"photo{record.photo_suffix}": record.photo}
    if record.fingerprints is not None:
        files[FINGERPRINT_FILE] = record.fingerprints
    files["signature.png"] = record.signature
    files["application.json"] = record.case_json()
    return files


def write_application(record: ApplicationRecord, out: Path) -> list[Path]:
    """Write the application's files into ``out`` (made if needed, 0700; files 0600).

    Refuses (ClientError, exit 2) before writing anything when one of the files exists.
    """
    files = application_files(record)
    existing = [name for name in files if (out / name).exists()]
    if existing:
        raise ClientError(f"{out / existing[0]} exists; refusing to overwrite (choose another "
                          "--out)", USAGE)
    try:
        out.mkdir(parents=True, exist_ok=True, mode=0o700)
        written = []
        for name, data in files.items():
            fd = os.open(out / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            written.append(out / name)
    except OSError as error:
        raise ClientError(f"cannot write into {out}: {error.strerror}", USAGE) from None
    return written
