"""Finger positions as ISO/IEC 19794-4 codes, their hands and the substitute order."""

from __future__ import annotations

from enum import IntEnum


class FingerPosition(IntEnum):
    """ISO/IEC 19794-4 (and ANSI/NIST-ITL) finger position codes."""

    UNKNOWN = 0
    RIGHT_THUMB = 1
    RIGHT_INDEX = 2
    RIGHT_MIDDLE = 3
    RIGHT_RING = 4
    RIGHT_LITTLE = 5
    LEFT_THUMB = 6
    LEFT_INDEX = 7
    LEFT_MIDDLE = 8
    LEFT_RING = 9
    LEFT_LITTLE = 10

    @property
    def hand(self) -> str:
        """``"right"`` for codes 1-5, ``"left"`` for 6-10, ``"unknown"`` for 0."""
        if 1 <= self <= 5:
            return "right"
        if 6 <= self <= 10:
            return "left"
        return "unknown"

    @property
    def text_key(self) -> str:
        """Translation key of the finger's name, e.g. ``fingerprint.finger_left_index``."""
        return f"fingerprint.finger_{self.name.lower()}"


#: Fingers a passport may hold, per hand, in the order they are tried: index first, then
#: the German/BSI substitutes thumb, middle, ring. Never the little finger.
DEFAULT_FALLBACK: dict[str, tuple[FingerPosition, ...]] = {
    "left": (
        FingerPosition.LEFT_INDEX,
        FingerPosition.LEFT_THUMB,
        FingerPosition.LEFT_MIDDLE,
        FingerPosition.LEFT_RING,
    ),
    "right": (
        FingerPosition.RIGHT_INDEX,
        FingerPosition.RIGHT_THUMB,
        FingerPosition.RIGHT_MIDDLE,
        FingerPosition.RIGHT_RING,
    ),
}

#: Fingers that must never be stored in a passport.
FORBIDDEN = frozenset(
    {FingerPosition.LEFT_LITTLE, FingerPosition.RIGHT_LITTLE, FingerPosition.UNKNOWN}
)
