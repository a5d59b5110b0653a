"""Hand-off: the finished application waits for the case worker under a reference number.

In this first form the outbox lives in memory only (nothing biometric touches the disk); the
encrypted store with retention replaces it in a later issue. The reference number is what the
citizen takes home: short, unambiguous when read aloud, with a check character.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

# Crockford's base 32: no I, L, O or U, so a reference read aloud or typed is not misread.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference(random_bits: int = 40) -> str:
    """A fresh reference like ``PB-7K3Q-9XM2-T``: 8 random symbols and a check symbol."""
    value = secrets.randbits(random_bits)
    symbols = ""
    for _ in range(8):
        value, digit = divmod(value, 32)
        symbols += ALPHABET[digit]
    return f"PB-{symbols[:4]}-{symbols[4:]}-{check_symbol(symbols)}"


def check_symbol(symbols: str) -> str:
    """The Luhn mod-32 check symbol of ``symbols``.

    It is a symbol of the same alphabet (easy to read aloud, unlike Crockford's ``*~$=U``
    check symbols) and catches every single wrong symbol and most swaps of neighbours.
    """
    base = len(ALPHABET)
    total = 0
    for position, symbol in enumerate(reversed(symbols)):
        value = ALPHABET.index(symbol)
        if position % 2 == 0:
            value *= 2
            value = value // base + value % base
        total += value
    return ALPHABET[(base - total % base) % base]


def is_valid_reference(reference: str) -> bool:
    """True when ``reference`` is well formed and its check symbol matches (catches typos)."""
    parts = reference.upper().split("-")
    if len(parts) != 4 or parts[0] != "PB" or len(parts[3]) != 1:
        return False
    symbols = parts[1] + parts[2]
    if len(symbols) != 8 or any(symbol not in ALPHABET for symbol in symbols):
        return False
    return check_symbol(symbols) == parts[3]


@dataclass(frozen=True)
class Application:
    """What is handed off: only what the case worker needs (requirements.md §4)."""

    reference: str
    created_at: float
    holder: dict[str, str]
    photo: Any
    fingerprints: Any
    signature: Any
    #: The ISO/IEC 19794-4 finger image record (None when no fingerprints were taken).
    fingerprint_record: bytes | None = None

    def __repr__(self) -> str:
        return f"Application({self.reference})"


@dataclass
class MemoryOutbox:
    """Applications waiting for collection, in memory, dropped after the retention window."""

    retention_s: float
    clock: Any = time.monotonic
    _items: dict[str, Application] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def put(self, holder: dict[str, str], photo: Any, fingerprints: Any, signature: Any,
            fingerprint_record: bytes | None = None) -> str:
        """Store one application; returns its reference."""
        with self._lock:
            self._expire()
            reference = new_reference()
            while reference in self._items:
                reference = new_reference()
            self._items[reference] = Application(reference, self.clock(), dict(holder), photo,
                                                 fingerprints, signature, fingerprint_record)
            return reference

    def collect(self, reference: str) -> Application | None:
        """The case worker takes an application: it leaves the kiosk."""
        with self._lock:
            self._expire()
            return self._items.pop(reference, None)

    def __len__(self) -> int:
        with self._lock:
            self._expire()
            return len(self._items)

    def _expire(self) -> None:
        limit = self.clock() - self.retention_s
        for reference in [ref for ref, app in self._items.items() if app.created_at < limit]:
            del self._items[reference]
