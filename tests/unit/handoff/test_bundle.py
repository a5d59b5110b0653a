"""The bundle: a round trip gives back every part; a changed byte, a wrong recipient key, a
signer from a foreign CA or an expired signer all end in one BundleError."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from cryptography import x509

from kiosk import pki
from kiosk.handoff.bundle import BundleError, open_, seal

PARTS = {"application.json": b'{"reference":"PB-TEST"}', "photo": b"\xff\xd8 not a face",
         "signature": b"\x89PNG\r\n"}
REFERENCE = "PB-0000-0000-0"


class Kiosk:
    def __init__(self, *, foreign: bool = False, days: float = 30,
                 not_before: dt.datetime | None = None) -> None:
        self.ca_key = pki.new_key()
        self.ca = pki.issue_ca(self.ca_key)
        issuer, issuer_key = (self.ca, self.ca_key)
        if foreign:
            issuer_key = pki.new_key()
            issuer = pki.issue_ca(issuer_key, common_name="Pasboks demo CA")
        self.key = pki.new_key()
        self.cert = pki.issue_certificate(issuer, issuer_key, self.key.public_key(),
                                          usage="server", common_name="localhost",
                                          not_before=not_before, days=days)
        self.recipient = pki.new_key()

    def seal(self) -> str:
        return seal(REFERENCE, PARTS, signing_key=self.key, signing_cert=self.cert,
                    recipient_key=self.recipient.public_key(), created_at=1.0)


def test_round_trip_gives_back_every_part() -> None:
    kiosk = Kiosk()
    token = kiosk.seal()
    assert token.count(".") == 4  # JWE compact
    assert b"not a face" not in token.encode()
    assert open_(token, kiosk.ca, kiosk.recipient) == (REFERENCE, PARTS)


def test_a_changed_ciphertext_byte_is_refused() -> None:
    kiosk = Kiosk()
    pieces = kiosk.seal().split(".")
    ciphertext = bytearray(base64.urlsafe_b64decode(pieces[3] + "=" * (-len(pieces[3]) % 4)))
    ciphertext[len(ciphertext) // 2] ^= 1
    pieces[3] = base64.urlsafe_b64encode(bytes(ciphertext)).rstrip(b"=").decode()
    with pytest.raises(BundleError, match="does not decrypt"):
        open_(".".join(pieces), kiosk.ca, kiosk.recipient)


def test_a_wrong_recipient_key_cannot_open_it() -> None:
    kiosk = Kiosk()
    with pytest.raises(BundleError, match="does not decrypt"):
        open_(kiosk.seal(), kiosk.ca, pki.new_key())


def test_a_payload_changed_and_re_encrypted_fails_the_signature() -> None:
    from joserfc import jwe, jws

    kiosk = Kiosk()
    token = kiosk.seal()
    from kiosk.handoff.bundle import _ec_key, _jwe_registry, _jws_registry

    signed = jwe.decrypt_compact(token, _ec_key(kiosk.recipient),
                                 registry=_jwe_registry()).plaintext
    assert signed is not None
    header, payload, signature = signed.decode().split(".")
    content = json.loads(jws.extract_compact(signed, registry=_jws_registry()).payload)
    content["reference"] = "PB-1111-1111-1"
    forged_payload = base64.urlsafe_b64encode(json.dumps(content).encode()).rstrip(b"=")
    forged = f"{header}.{forged_payload.decode()}.{signature}"
    resealed = jwe.encrypt_compact({"alg": "ECDH-ES+A256KW", "enc": "A256GCM"}, forged,
                                   _ec_key(kiosk.recipient.public_key()),
                                   registry=_jwe_registry())
    with pytest.raises(BundleError, match="signature does not match"):
        open_(resealed, kiosk.ca, kiosk.recipient)


def test_a_signer_from_a_foreign_ca_is_refused() -> None:
    kiosk = Kiosk(foreign=True)
    with pytest.raises(BundleError, match="CA did not issue"):
        open_(kiosk.seal(), kiosk.ca, kiosk.recipient)


def test_an_expired_signer_is_refused() -> None:
    kiosk = Kiosk(not_before=dt.datetime(2020, 1, 1, tzinfo=dt.UTC), days=10)
    with pytest.raises(BundleError, match="expired on 2020-01-11"):
        open_(kiosk.seal(), kiosk.ca, kiosk.recipient)


def test_garbage_is_refused_with_one_error() -> None:
    kiosk = Kiosk()
    for token in ("", "a.b.c.d.e", "not a token", "é" * 10):
        with pytest.raises(BundleError):
            open_(token, kiosk.ca, kiosk.recipient)


def test_the_signing_certificate_travels_in_x5c() -> None:
    from joserfc import jwe, jws

    from kiosk.handoff.bundle import _ec_key, _jwe_registry, _jws_registry

    kiosk = Kiosk()
    signed = jwe.decrypt_compact(kiosk.seal(), _ec_key(kiosk.recipient),
                                 registry=_jwe_registry()).plaintext
    assert signed is not None
    headers = jws.extract_compact(signed, registry=_jws_registry()).headers()
    assert headers["alg"] == "ES256"
    assert x509.load_der_x509_certificate(base64.b64decode(headers["x5c"][0])) == kiosk.cert


def test_a_photo_sized_part_fits() -> None:
    kiosk = Kiosk()
    parts = {"photo": bytes(range(256)) * 2000}  # 512 kB, well past joserfc's token limits
    token = seal(REFERENCE, parts, signing_key=kiosk.key, signing_cert=kiosk.cert,
                 recipient_key=kiosk.recipient.public_key())
    assert open_(token, kiosk.ca, kiosk.recipient) == (REFERENCE, parts)
