"""Envelope encryption: a fresh AES-256-GCM data key per application, wrapped by the KEK.

Every sealed value carries its own random 96-bit nonce, and its associated data names the
record and the part (``pasboks/v1/<reference>/<part>``), so a part moved to another record or
renamed does not decrypt. Destroying the wrapped data key makes every copy of the record's
parts unreadable, wherever they linger (crypto-shredding).
"""

from __future__ import annotations

import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kiosk.store.errors import StoreError

NONCE_BYTES = 12
#: The pseudo part name under which a record's data key is wrapped.
KEY_PART = "#data-key"


def _aad(reference: str, part: str) -> bytes:
    return f"pasboks/v1/{reference}/{part}".encode()


def seal(key: bytes, reference: str, part: str, plaintext: bytes) -> bytes:
    """``nonce || ciphertext || tag`` of ``plaintext`` under ``key``, bound to record and part."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, _aad(reference, part))


def open_sealed(key: bytes, reference: str, part: str, sealed: bytes) -> bytes:
    """The plaintext of :func:`seal`'s output; StoreError(``corrupt``) if it was altered."""
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:],
                                   _aad(reference, part))
    except (InvalidTag, ValueError):
        raise StoreError("corrupt", f"{reference}: part {part!r} does not decrypt") from None


def new_data_key() -> bytes:
    """A fresh 256-bit data key."""
    return AESGCM.generate_key(bit_length=256)


def wrap_key(kek: bytes, reference: str, data_key: bytes) -> bytes:
    """The data key sealed under the KEK and bound to its record."""
    return seal(kek, reference, KEY_PART, data_key)


def unwrap_key(kek: bytes, reference: str, wrapped: bytes) -> bytes:
    """The data key of ``reference``; StoreError(``corrupt``) when it was shredded or altered."""
    return open_sealed(kek, reference, KEY_PART, wrapped)
