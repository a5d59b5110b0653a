"""The bundle a caseworker receives: the record's parts, signed by the kiosk (JWS, ES256, with
the kiosk certificate in ``x5c``) and then encrypted to the municipality (JWE, ECDH-ES+A256KW
with A256GCM). It stays protected whatever carries it, and the caseworker can tell it came
from a kiosk certified by the municipality CA and was not changed on the way.

Everything happens in memory: no bundle byte ever goes to a temporary file.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
from collections.abc import Mapping
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jwe, jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

SIGNATURE_ALGORITHMS = ["ES256"]
ENCRYPTION_ALGORITHMS = ["ECDH-ES+A256KW", "A256GCM"]
#: Payload format version; a caseworker refuses versions it does not know.
VERSION = 1
#: Largest bundle accepted: a token photo, a fingerprint record and a signature fit easily.
MAX_BUNDLE = 16 * 1024 * 1024
#: The x5c certificate makes the JWS header larger than joserfc's 512-byte default.
MAX_HEADER = 8192


class BundleError(Exception):
    """The bundle cannot be trusted or read. The message says why, with no personal data."""


def _jws_registry() -> jws.JWSRegistry:
    # joserfc's defaults (8 kB payload, 64 kB ciphertext) are for tokens, not for photos.
    registry = jws.JWSRegistry(algorithms=SIGNATURE_ALGORITHMS)
    registry.max_header_length = MAX_HEADER
    registry.max_payload_length = MAX_BUNDLE
    return registry


def _jwe_registry() -> jwe.JWERegistry:
    registry = jwe.JWERegistry(algorithms=ENCRYPTION_ALGORITHMS)
    registry.max_ciphertext_length = MAX_BUNDLE
    return registry


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _ec_key(key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) -> ECKey:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    else:
        pem = key.public_bytes(serialization.Encoding.PEM,
                               serialization.PublicFormat.SubjectPublicKeyInfo)
    return ECKey.import_key(pem)


def seal(reference: str, parts: Mapping[str, bytes], *,
         signing_key: ec.EllipticCurvePrivateKey, signing_cert: x509.Certificate,
         recipient_key: ec.EllipticCurvePublicKey, created_at: float | None = None) -> str:
    """The JWE compact serialization of the signed record parts."""
    payload = {
        "v": VERSION,
        "reference": reference,
        "created_at": time.time() if created_at is None else created_at,
        "parts": {name: _b64url(data) for name, data in parts.items()},
    }
    x5c = base64.b64encode(signing_cert.public_bytes(serialization.Encoding.DER)).decode()
    try:
        signed = jws.serialize_compact(
            {"alg": "ES256", "typ": "JOSE", "x5c": [x5c]},
            json.dumps(payload, separators=(",", ":")).encode(),
            _ec_key(signing_key), registry=_jws_registry())
        return jwe.encrypt_compact(
            {"alg": "ECDH-ES+A256KW", "enc": "A256GCM", "cty": "JOSE"}, signed,
            _ec_key(recipient_key), registry=_jwe_registry())
    except JoseError as error:
        # joserfc's size errors quote the content: keep it out of the message and traceback.
        raise BundleError(f"the bundle could not be made ({error.error})") from None


def open_(token: str | bytes, ca_cert: x509.Certificate,
          recipient_key: ec.EllipticCurvePrivateKey, *,
          now: dt.datetime | None = None) -> tuple[str, dict[str, bytes]]:
    """Decrypt ``token``, check the signer's certificate against ``ca_cert`` and the signature;
    returns ``(reference, parts)``. Raises BundleError for anything wrong."""
    if len(token) > MAX_BUNDLE * 2:
        raise BundleError("the bundle is larger than any application")
    try:
        signed = jwe.decrypt_compact(token, _ec_key(recipient_key),
                                     registry=_jwe_registry()).plaintext
    except (JoseError, ValueError, TypeError, KeyError):
        raise BundleError("the bundle does not decrypt with this recipient key (wrong key, "
                          "or the bundle was changed on the way)") from None
    if signed is None:
        raise BundleError("the bundle is empty")
    signer = _signer(signed, ca_cert, now or dt.datetime.now(dt.UTC))
    try:
        verified = jws.deserialize_compact(signed, _ec_key(_ec_public(signer)),
                                           registry=_jws_registry())
    except (JoseError, ValueError, TypeError, KeyError):
        raise BundleError("the bundle's signature does not match: it was changed after the "
                          "kiosk signed it") from None
    return _payload(verified.payload)


def _ec_public(cert: x509.Certificate) -> ec.EllipticCurvePublicKey:
    key = cert.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise BundleError("the bundle's signing certificate does not hold an EC key")
    return key


def _signer(signed: bytes, ca_cert: x509.Certificate, now: dt.datetime) -> x509.Certificate:
    """The x5c certificate, once it is known to be issued by the CA and valid at ``now``."""
    try:
        chain = jws.extract_compact(signed, registry=_jws_registry()).headers()["x5c"]
        cert = x509.load_der_x509_certificate(base64.b64decode(chain[0], validate=True))
    except (JoseError, ValueError, TypeError, KeyError, IndexError):
        raise BundleError("the bundle carries no readable signing certificate") from None
    try:
        cert.verify_directly_issued_by(ca_cert)
    except (ValueError, TypeError, InvalidSignature):
        raise BundleError("the bundle was signed by a certificate the municipality CA did not "
                          "issue") from None
    if now < cert.not_valid_before_utc:
        raise BundleError("the bundle's signing certificate is not valid yet (valid from "
                          f"{cert.not_valid_before_utc:%Y-%m-%d %H:%M} UTC)")
    if now > cert.not_valid_after_utc:
        raise BundleError("the bundle's signing certificate expired on "
                          f"{cert.not_valid_after_utc:%Y-%m-%d}")
    return cert


def _payload(data: bytes) -> tuple[str, dict[str, bytes]]:
    try:
        payload: Any = json.loads(data)
        if payload.get("v") != VERSION:
            raise BundleError(f"unknown bundle version {payload.get('v')!r}")
        reference = payload["reference"]
        parts = {str(name): _unb64url(text) for name, text in payload["parts"].items()}
    except BundleError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError):
        raise BundleError("the bundle's content is not a readable application") from None
    if not isinstance(reference, str):
        raise BundleError("the bundle's content is not a readable application")
    return reference, parts
