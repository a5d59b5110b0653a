"""The reference number the citizen takes home: short, unambiguous read aloud, self-checking."""

from __future__ import annotations

import secrets

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


def grouped(reference: str) -> str:
    """The reference in groups for reading aloud (the done screen, the receipt, the voice):
    ``PB-814S-0DS3-6`` -> ``PB · 814S · 0DS3 · 6``."""
    return " · ".join(part for part in reference.split("-") if part)
