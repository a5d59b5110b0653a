"""The ICAO Doc 9303 character set and the 7-3-1 check digit (Part 3, section 4.9)."""

from __future__ import annotations

import string

FILLER = "<"
#: The MRZ character set (Doc 9303 Part 3, section 4.1): upper-case letters, digits, filler.
CHARSET = frozenset(string.ascii_uppercase + string.digits + FILLER)
_WEIGHTS = (7, 3, 1)


def char_value(char: str) -> int | None:
    """The check-digit value of one character, or None outside the MRZ character set."""
    if char in string.digits:
        return int(char)
    if char in string.ascii_uppercase:
        return ord(char) - ord("A") + 10
    if char == FILLER:
        return 0
    return None


def compute(data: str) -> int | None:
    """The 7-3-1 check digit of ``data``; None when a character cannot be weighted.

    A character outside the set has no value, so a field holding one can never verify: a
    space or a lower-case letter read instead of a filler must not pass as a correct field.
    """
    total = 0
    for index, char in enumerate(data):
        value = char_value(char)
        if value is None:
            return None
        total += value * _WEIGHTS[index % 3]
    return total % 10


def verifies(data: str, printed: str, *alternatives: str) -> bool:
    """Whether ``printed`` is an acceptable check digit for ``data``.

    A filler check digit is accepted only for an all-filler field (Doc 9303 Part 4, 4.2.2.1:
    the personal number check digit "may be `<`" when the field is empty; Russian passports
    use the same for a blank expiry, which is then rejected by the date rule instead).
    ``alternatives`` are other byte ranges that real issuers compute the digit over (the older
    Belgian long document number, see ``layout``).
    """
    if printed == FILLER and data and set(data) == {FILLER}:
        return True
    for candidate in (data, *alternatives):
        digit = compute(candidate)
        if digit is not None and printed == str(digit):
            return True
    return False
